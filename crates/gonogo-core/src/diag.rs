//! Positions in the source and the errors that make a file not a valid review.

use serde::Serialize;

/// Where a value stands: 1-based line and column, and how many characters it spans on
/// that line (for the marker under it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1, len: 1 };
}

/// One reason the file is not a valid review: bad YAML, an unknown key, a wrong type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip)]
    pub len: u32,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, at: Pos) -> Self {
        Diagnostic { message: message.into(), path: None, line: at.line, column: at.column, hint: None, len: at.len }
    }
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.column, len: self.len }
    }
}

/// Why a file could not be read as a review. Every variant carries all the problems found.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The bytes are not UTF-8 text.
    #[error("the file is not UTF-8 text (line {}, column {})", .0.line, .0.column)]
    NotUtf8(Diagnostic),
    /// The file is larger than gonogo reads.
    #[error("the file is {0} bytes; gonogo reads review files up to 16 MiB")]
    TooLarge(usize),
    /// YAML syntax or review-structure problems, in source order.
    #[error("{} problem(s) in the review file, the first: {}", .0.len(), .0.first().map(|d| d.message.as_str()).unwrap_or(""))]
    Invalid(Vec<Diagnostic>),
}

impl ReviewError {
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ReviewError::NotUtf8(d) => vec![d.clone()],
            ReviewError::TooLarge(n) => vec![Diagnostic::new(
                format!("the file is {n} bytes; gonogo reads review files up to 16 MiB"),
                Pos::START,
            )],
            ReviewError::Invalid(ds) => ds.clone(),
        }
    }
}

/// Levenshtein distance, for "did you mean" on unknown keys and values.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest of `known` to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| {
            let k = k.to_ascii_lowercase();
            *d <= (k.len() / 3).max(2) || (lower.len() >= 3 && (k.starts_with(&lower) || lower.starts_with(&k)))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The closest of `known` to `word`, however far.
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> &'a str {
    let lower = word.to_ascii_lowercase();
    known.iter().min_by_key(|k| edit_distance(&lower, &k.to_ascii_lowercase())).copied().unwrap_or("")
}
