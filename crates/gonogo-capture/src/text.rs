//! Text helpers the rules share: sentence splitting, word stems, loose word matching and
//! the patterns' compiler.

use regex::Regex;

/// Compiles one of the crate's constant patterns. A pattern that does not compile is a
/// programming error: debug builds (every test run) stop on it; a release build, which
/// input can never bring here, gets a pattern that matches nothing rather than a panic.
pub(crate) fn re(s: &str) -> Regex {
    match Regex::new(s) {
        Ok(r) => r,
        Err(e) => {
            debug_assert!(false, "pattern does not compile: {e}");
            Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("the empty class compiles"))
        }
    }
}

/// A sentence of an utterance: its text and byte offset.
#[derive(Debug, Clone, Copy)]
pub struct Sentence<'a> {
    pub text: &'a str,
    pub start: usize,
}

/// Abbreviations whose period does not end a sentence.
const NO_BREAK: &[&str] = &["a.m.", "p.m.", "e.g.", "i.e.", "vs.", "etc.", "approx.", "no."];

/// Splits on `.`, `?`, `!` (and runs of them, and `—` dashes at the end) followed by
/// whitespace; "v3.8.0", "48.3" and "9 a.m. Monday" stay whole.
pub fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'.' || c == b'?' || c == b'!' {
            let mut j = i + 1;
            while j < b.len() && matches!(b[j], b'.' | b'?' | b'!' | b'"' | b'\'' | b')') {
                j += 1;
            }
            let at_end = j >= b.len();
            if at_end || b[j].is_ascii_whitespace() {
                let word_start = text[..j]
                    .char_indices()
                    .rev()
                    .find(|(_, c)| c.is_whitespace())
                    .map(|(p, c)| p + c.len_utf8())
                    .unwrap_or(0);
                let word = text[word_start..j].to_ascii_lowercase();
                let abbreviation = c == b'.' && NO_BREAK.iter().any(|a| word.ends_with(a));
                if !abbreviation || at_end {
                    push(&mut out, text, start, j);
                    start = j;
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    push(&mut out, text, start, b.len());
    out
}

fn push<'a>(out: &mut Vec<Sentence<'a>>, text: &'a str, start: usize, end: usize) {
    let Some(raw) = text.get(start..end) else { return };
    let trimmed = raw.trim_start();
    let s = start + (raw.len() - trimmed.len());
    let t = trimmed.trim_end();
    if !t.is_empty() {
        out.push(Sentence { text: t, start: s });
    }
}

/// Lowercase words with their byte offsets; apostrophes stay inside words ("don't").
pub fn words(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut at = 0;
    for (i, ch) in text.char_indices() {
        let ch = if ch == '’' { '\'' } else { ch };
        if ch.is_alphanumeric() || (ch == '\'' && !cur.is_empty()) || (ch == '_' && !cur.is_empty()) {
            if cur.is_empty() {
                at = i;
            }
            cur.extend(ch.to_lowercase());
        } else if !cur.is_empty() {
            out.push((std::mem::take(&mut cur).trim_end_matches('\'').to_string(), at));
        }
    }
    if !cur.is_empty() {
        out.push((cur.trim_end_matches('\'').to_string(), at));
    }
    out
}

/// A rough stem: possessive, plural and verb endings off ("flags" → "flag", "tagged" →
/// "tag", "testing" → "test"), a few irregular forms mapped.
pub fn stem(w: &str) -> String {
    let w = w.strip_suffix("'s").unwrap_or(w);
    match w {
        "written" | "wrote" | "writing" => return "write".into(),
        "done" | "did" | "doing" => return "do".into(),
        "ran" | "running" => return "run".into(),
        "docs" | "doc" => return "document".into(),
        "config" | "configs" => return "configure".into(),
        "prod" => return "production".into(),
        "qa" | "bugs" | "bug" => return w.trim_end_matches('s').into(),
        _ => {}
    }
    let mut s = w.to_string();
    if s.len() > 4 && s.ends_with("ies") {
        s.truncate(s.len() - 3);
        s.push('y');
    } else if s.len() > 3 && s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") {
        s.pop();
    } else if s.len() == 3 && s.ends_with('s') && s.as_bytes()[1].is_ascii_digit() {
        // "p0s" → "p0"
        s.pop();
    }
    for suf in ["ing", "ed"] {
        if s.len() > suf.len() + 2 && s.ends_with(suf) {
            s.truncate(s.len() - suf.len());
            let b = s.as_bytes();
            let n = b.len();
            if n >= 2 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'l' | b's' | b'e') {
                s.pop();
            }
            break;
        }
    }
    s
}

/// Whether two stems name the same word: equal, or one a prefix of the other
/// ("configur" / "configure", "resolv" / "resolve") when both are long enough.
pub fn same(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 4 && long.len() - short.len() <= 3 && long.starts_with(short)
}

/// Content words of a text (stems of words of four letters or more, minus common ones),
/// for comparing two texts about the same task or question.
pub fn content_stems(text: &str) -> Vec<String> {
    const COMMON: &[&str] = &[
        "that", "this", "with", "from", "have", "what", "when", "will", "would", "could", "should", "there", "their",
        "they", "them", "then", "than", "about", "just", "like", "also", "your", "yours", "into", "over", "after",
        "before", "because", "which", "while", "where", "were", "been", "being", "does", "doing", "going", "only",
        "some", "very",
    ];
    let mut out: Vec<String> = words(text)
        .into_iter()
        .filter(|(w, _)| w.len() >= 4 && !COMMON.contains(&w.as_str()))
        .map(|(w, _)| stem(&w))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// How many content words two texts share.
pub fn overlap(a: &[String], b: &[String]) -> usize {
    a.iter().filter(|x| b.iter().any(|y| same(x, y))).count()
}

/// Cuts a text to at most `max` characters at a word boundary.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', ' ', ';']))
}
