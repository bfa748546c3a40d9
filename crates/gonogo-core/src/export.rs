//! Exports.
use crate::model::Review;
pub fn prometheus_rules(_r: &Review) -> Result<String, String> {
    Err("todo".into())
}
pub fn argo_analysis(_r: &Review) -> Result<String, String> {
    Err("todo".into())
}
pub fn ics(_r: &Review) -> Result<String, String> {
    Err("todo".into())
}
