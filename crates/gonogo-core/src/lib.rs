//! gonogo-core: the review model, YAML with positions, the readiness rules, the verdict,
//! and every text the review turns into (reports, the meeting document, exports).
//! It does no I/O: callers hand it text and write what it returns.

pub mod decode;
pub mod diag;
pub mod duration;
pub mod export;
pub mod model;
pub mod promql;
pub mod render;
pub mod report;
pub mod rules;
pub mod schema;
pub mod skeleton;
pub mod url;
pub mod verdict;
pub mod yaml;

pub use diag::{Diagnostic, Pos, ReviewError};
pub use model::Review;
pub use rules::{Finding, PastReview, Severity};
pub use verdict::{Report, Verdict};

/// The largest review file gonogo reads.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Reads a review from raw bytes: size, encoding, YAML and structure are all checked, and
/// every problem found is returned at once.
pub fn parse_bytes(bytes: &[u8]) -> Result<Review, ReviewError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReviewError::TooLarge(bytes.len()));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let line_start = good.iter().rposition(|b| *b == b'\n').map(|p| p + 1).unwrap_or(0);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() as u32 + 1;
            return Err(ReviewError::NotUtf8(Diagnostic::new(
                format!(
                    "the file is not UTF-8 text: byte 0x{:02x} at offset {}",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                ),
                Pos { line, column, len: 1 },
            )));
        }
    };
    parse_str(text)
}

/// Reads a review from text.
pub fn parse_str(text: &str) -> Result<Review, ReviewError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ReviewError::TooLarge(text.len()));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ReviewError::Invalid(vec![Diagnostic::new("the file is empty", Pos::START)]));
    }
    let (root, mut errors) = yaml::parse(text);
    let Some(root) = root else { return Err(ReviewError::Invalid(errors)) };
    let review = match decode::decode(&root) {
        Ok(r) if errors.is_empty() => r,
        Ok(_) => return Err(ReviewError::Invalid(errors)),
        Err(mut more) => {
            errors.append(&mut more);
            errors.sort_by_key(|d| (d.line, d.column));
            return Err(ReviewError::Invalid(errors));
        }
    };
    let bad_covers: Vec<Diagnostic> = rules::bad_covers(&review)
        .into_iter()
        .map(|(ci, cv, why)| {
            let mut known: Vec<&str> =
                rules::RULES.iter().map(|r| r.id).filter(|id| !rules::UNCOVERABLE.contains(id)).collect();
            known.extend(review.checklist.iter().map(|i| i.item.value.as_str()));
            let mut d = Diagnostic::new(why, cv.at).with_path(format!("decision.conditions[{ci}].covers"));
            if !rules::UNCOVERABLE.contains(&cv.value.as_str())
                && let Some(k) = diag::closest(&cv.value, &known)
            {
                d = d.with_hint(format!("did you mean `{k}`?"));
            }
            d
        })
        .collect();
    if !bad_covers.is_empty() {
        return Err(ReviewError::Invalid(bad_covers));
    }
    Ok(review)
}

/// Parses and checks a review: the report with its verdict and every finding.
pub fn check(bytes: &[u8], history: &[PastReview]) -> Result<(Review, Report), ReviewError> {
    let review = parse_bytes(bytes)?;
    let report = Report::new(&review, history);
    Ok((review, report))
}
