//! The meeting document.
use crate::model::Review;
use crate::verdict::Report;
pub fn markdown(_r: &Review, _rep: &Report) -> String {
    String::new()
}
pub fn html(_r: &Review, _rep: &Report) -> String {
    String::new()
}
