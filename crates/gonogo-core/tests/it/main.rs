//! gonogo-core's integration tests, one binary: the rules, parsing errors, the verdict,
//! exports checked by the real tools, the schema, and never-panic properties.

mod export;
mod parse;
mod props;
mod rules;
mod schema;
mod verdict;

use gonogo_core::{PastReview, Report};

/// A review with no finding at all (verdict GO); tests change one thing at a time.
pub const GO: &str = include_str!("../../../../fixtures/go.yaml");
/// The seed's meeting as a review file.
pub const EXAMPLE: &str = include_str!("../../../../examples/reports-v2.14.0.yaml");

/// `base` with the first `old` replaced by `new`; `old` must be there.
pub fn edit(base: &str, old: &str, new: &str) -> String {
    assert!(base.contains(old), "the fixture has no {old:?}");
    base.replacen(old, new, 1)
}

/// The 1-based line of the first occurrence of `needle`.
pub fn line_of(src: &str, needle: &str) -> u32 {
    let at = src.find(needle).unwrap_or_else(|| panic!("no {needle:?} in the source"));
    src[..at].matches('\n').count() as u32 + 1
}

pub fn report(src: &str) -> Report {
    report_with(src, &[])
}

pub fn report_with(src: &str, history: &[PastReview]) -> Report {
    let (_, rep) = gonogo_core::check(src.as_bytes(), history)
        .unwrap_or_else(|e| panic!("not a valid review: {:?}", e.diagnostics()));
    rep
}

/// Every finding as (rule, path, line, covered), in report order.
pub fn findings(src: &str) -> Vec<(&'static str, String, u32, bool)> {
    report(src).findings.into_iter().map(|f| (f.rule, f.path, f.line, f.covered)).collect()
}

/// The findings of one rule as (path, line).
pub fn fired(src: &str, rule: &str) -> Vec<(String, u32)> {
    report(src).findings.into_iter().filter(|f| f.rule == rule).map(|f| (f.path, f.line)).collect()
}

/// The problems that make `src` not a review, as (line, column, message).
pub fn errors(src: &str) -> Vec<(u32, u32, String)> {
    match gonogo_core::parse_str(src) {
        Ok(_) => panic!("expected the file to be rejected"),
        Err(e) => e.diagnostics().into_iter().map(|d| (d.line, d.column, d.message)).collect(),
    }
}
