//! gonogo-capture's integration tests, one binary: the parsers and their errors, the due
//! date grammar, extraction on hand-made meetings, the scorer on capture-dev, live timing
//! and never-panic properties.

mod due;
mod extract;
mod parse;
mod props;
mod scorer;
mod timing;

use gonogo_capture::{Context, Utterance};

/// The labelled development meetings, read in place beside the repository.
pub fn capture_dev() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/capture-dev")
}

/// Utterances from `[MM:SS] Name: text` lines.
pub fn plain(text: &str) -> Vec<Utterance> {
    gonogo_capture::parse(text).expect("the test transcript parses").1
}

/// A context with attendees `(handle, name)` and checklist items.
pub fn ctx(date: &str, attendees: &[(&str, &str)], items: &[&str]) -> Context {
    let mut y = String::from("meeting:\n");
    if !date.is_empty() {
        y.push_str(&format!("  date: {date}\n"));
    }
    y.push_str("  attendees:\n");
    for (h, n) in attendees {
        y.push_str(&format!("    - {{ handle: \"{h}\", name: \"{n}\" }}\n"));
    }
    y.push_str("checklist:\n");
    for i in items {
        y.push_str(&format!("  - item: {i}\n"));
    }
    Context::from_review_yaml(&y).expect("the test review parses")
}
