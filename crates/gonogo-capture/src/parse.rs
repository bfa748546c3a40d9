//! Transcript parsers: WebVTT (as Teams exports it), SRT and plain `[HH:MM:SS] Name: text`
//! lines, each turned into the same list of [`Utterance`]s.
//!
//! The parsers are written by hand (no single-author crates): the formats are small, and a
//! hand parser can say which line is wrong. Every path returns a value or a [`ParseError`];
//! nothing here panics on input.

use serde::Serialize;

/// The transcript formats gonogo reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    WebVtt,
    Srt,
    Plain,
}

impl Format {
    /// The name users pass on the command line and see in output.
    pub fn name(self) -> &'static str {
        match self {
            Format::WebVtt => "webvtt",
            Format::Srt => "srt",
            Format::Plain => "plain",
        }
    }
}

/// One cue (WebVTT, SRT) or line (plain) of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Utterance {
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub speaker: String,
    pub text: String,
    /// 1-based line of the cue's (first) text line in the transcript.
    pub line: usize,
}

/// A transcript that cannot be read, with the line that shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    fn new(line: usize, message: impl Into<String>) -> ParseError {
        ParseError { line, message: message.into() }
    }
}

/// `HH:MM:SS.mmm` (hours at least two digits), the form every `at` in the output takes.
pub fn fmt_at(ms: i64) -> String {
    let ms = ms.max(0);
    let (h, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{h:02}:{m:02}:{s:02}.{milli:03}")
}

/// The transcript's lines without BOM and carriage returns, numbered from 1.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).enumerate().map(|(i, l)| (i + 1, l)).collect()
}

/// Which format the text is in, judged by its content (never the file name): a `WEBVTT`
/// header, SRT's comma-millisecond timing lines, or bracketed plain-text timestamps.
pub fn detect(text: &str) -> Option<Format> {
    let ls = lines(text);
    let first = ls.iter().map(|(_, l)| l.trim()).find(|l| !l.is_empty())?;
    if is_vtt_header(first) {
        return Some(Format::WebVtt);
    }
    for (_, l) in ls.iter().take(200) {
        let l = l.trim();
        if let Some((a, _)) = l.split_once("-->") {
            let a = a.trim();
            if a.contains(',') {
                return Some(Format::Srt);
            }
            if a.contains('.') {
                // Timing lines without a header: WebVTT's millisecond separator.
                return Some(Format::WebVtt);
            }
        }
        if plain_line(l).is_some() {
            return Some(Format::Plain);
        }
    }
    None
}

fn is_vtt_header(line: &str) -> bool {
    match line.strip_prefix("WEBVTT") {
        Some(rest) => rest.is_empty() || rest.starts_with([' ', '\t']),
        None => false,
    }
}

/// Parses the transcript in the format [`detect`] finds.
pub fn parse(text: &str) -> Result<(Format, Vec<Utterance>), ParseError> {
    let Some(format) = detect(text) else {
        let line = lines(text).iter().find(|(_, l)| !l.trim().is_empty()).map(|(n, _)| *n).unwrap_or(1);
        return Err(ParseError::new(
            line,
            "unknown transcript format: expected a WEBVTT header, SRT cues (00:00:01,000 --> 00:00:02,000) or \
             plain lines ([00:00:01] Name: text)",
        ));
    };
    let utterances = match format {
        Format::WebVtt => parse_vtt(text)?,
        Format::Srt => parse_srt(text)?,
        Format::Plain => parse_plain(text)?,
    };
    Ok((format, utterances))
}

/// A time into the meeting as a live feed writes it (`HH:MM:SS.mmm`, `MM:SS`, `.` or `,`
/// before the milliseconds), in milliseconds: what `gonogo capture --follow` and the server's
/// transcript endpoint read from `{"at": …}`.
pub fn clock_ms(s: &str) -> Option<i64> {
    timestamp(s, None)
}

/// One utterance of a live feed, a JSON line `{"at", "speaker", "text"}`: `at` is
/// `HH:MM:SS.mmm` (or `MM:SS`) or seconds into the meeting. `n` is the line's number, for
/// the error and the utterance. What `gonogo capture --follow` and the server's transcript
/// endpoint read.
pub fn utterance_json(line: &str, n: usize) -> Result<Utterance, ParseError> {
    let err = |message: String| ParseError { line: n, message };
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| err(format!("not a JSON object {{at, speaker, text}}: {e}")))?;
    let at = v.get("at").and_then(|a| match a.as_f64() {
        Some(s) => (s.is_finite() && (0.0..1e9).contains(&s)).then(|| (s * 1000.0).round() as i64),
        None => a.as_str().and_then(clock_ms),
    });
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    match (at, field("speaker"), field("text")) {
        (Some(start_ms), Some(speaker), Some(text)) => Ok(Utterance { start_ms, end_ms: None, speaker, text, line: n }),
        _ => Err(err("needs \"at\" (HH:MM:SS.mmm or seconds), \"speaker\" and \"text\" (strings)".into())),
    }
}

/// A timestamp `[H]H:MM:SS[.,]mmm` or `MM:SS[.,]mmm` in milliseconds. `sep` is the
/// millisecond separator the format requires; `None` accepts either (and none).
fn timestamp(s: &str, sep: Option<char>) -> Option<i64> {
    let s = s.trim();
    let (clock, frac) = match s.find(['.', ',']) {
        Some(i) => {
            let c = s[i..].chars().next()?;
            if sep.is_some_and(|want| want != c) {
                return None;
            }
            (&s[..i], Some(&s[i + 1..]))
        }
        None if sep.is_none() => (s, None),
        None => return None,
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let nums: Option<Vec<i64>> =
        parts
            .iter()
            .map(|p| {
                if !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()) {
                    p.parse().ok()
                } else {
                    None
                }
            })
            .collect();
    let nums = nums?;
    // Minutes and seconds are two digits (minutes may be one when there are no hours).
    let (h, m, sec) = match (nums.as_slice(), parts.as_slice()) {
        ([h, m, s], [_, pm, ps]) if pm.len() == 2 && ps.len() == 2 => (*h, *m, *s),
        ([m, s], [pm, ps]) if pm.len() <= 2 && ps.len() == 2 => (0, *m, *s),
        _ => return None,
    };
    if m > 59 || sec > 59 {
        return None;
    }
    let milli = match frac {
        Some(f) if !f.is_empty() && f.len() <= 3 && f.bytes().all(|b| b.is_ascii_digit()) => {
            // "5" after the separator is 500 ms, as in any decimal fraction.
            let v: i64 = f.parse().ok()?;
            v * 10_i64.pow(3 - f.len() as u32)
        }
        Some(_) => return None,
        None => 0,
    };
    Some(((h * 60 + m) * 60 + sec) * 1000 + milli)
}

/// `start --> end [settings]`; `None` when the line has no arrow, an error when it has one
/// but a timestamp is wrong.
fn timing(line: &str, n: usize, sep: char) -> Result<Option<(i64, i64)>, ParseError> {
    let Some((a, b)) = line.split_once("-->") else { return Ok(None) };
    let end_tok = b.split_whitespace().next().unwrap_or("");
    let start = timestamp(a, Some(sep));
    let end = timestamp(end_tok, Some(sep));
    match (start, end) {
        (Some(s), Some(e)) => Ok(Some((s, e))),
        (None, _) => Err(ParseError::new(n, format!("bad timestamp `{}`", a.trim()))),
        (_, None) => Err(ParseError::new(n, format!("bad timestamp `{end_tok}`"))),
    }
}

/// Blocks of consecutive non-empty lines.
fn blocks<'a>(ls: &[(usize, &'a str)]) -> Vec<Vec<(usize, &'a str)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for &(n, l) in ls {
        if l.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push((n, l));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_vtt(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let ls = lines(text);
    let mut out: Vec<Utterance> = Vec::new();
    let mut last_speaker = String::new();
    for (bi, block) in blocks(&ls).into_iter().enumerate() {
        let (n0, first) = block[0];
        let first_t = first.trim();
        if bi == 0 && is_vtt_header(first_t) {
            continue;
        }
        if ["NOTE", "STYLE", "REGION"].iter().any(|k| first_t == *k || first_t.starts_with(&format!("{k} "))) {
            continue;
        }
        // The timing line is the first line, or the second after a cue id.
        let (ti, times) = match timing(first_t, n0, '.')? {
            Some(t) => (0, t),
            None => match block.get(1) {
                Some(&(n1, l1)) => match timing(l1.trim(), n1, '.')? {
                    Some(t) => (1, t),
                    None => {
                        return Err(ParseError::new(
                            n0,
                            "cue without timing (expected `00:00:01.000 --> 00:00:02.000`)",
                        ));
                    }
                },
                None => {
                    return Err(ParseError::new(n0, "cue without timing (expected `00:00:01.000 --> 00:00:02.000`)"));
                }
            },
        };
        let body = &block[ti + 1..];
        let Some(&(line, _)) = body.first() else { continue };
        let joined = body.iter().map(|(_, l)| l.trim()).collect::<Vec<_>>().join(" ");
        let (voice, rest) = voice_and_text(&joined);
        let mut text = decode_entities(&strip_tags(&rest));
        text = squash_spaces(&text);
        let speaker = match voice {
            Some(v) => v,
            None => match name_prefix(&text) {
                Some((name, after)) => {
                    let name = name.to_string();
                    text = after.to_string();
                    name
                }
                None => last_speaker.clone(),
            },
        };
        if text.is_empty() {
            continue;
        }
        last_speaker = speaker.clone();
        out.push(Utterance { start_ms: times.0, end_ms: Some(times.1), speaker, text, line });
    }
    Ok(out)
}

/// The first voice tag's name (`<v Name>`, `<v.loud Name>`) and the text with voice tags
/// removed; a cue may lack the closing `</v>`.
fn voice_and_text(s: &str) -> (Option<String>, String) {
    let mut voice = None;
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(j) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = &after[1..j];
        if let Some(v) = tag.strip_prefix('v').filter(|t| t.starts_with([' ', '.', '\t'])) {
            // `<v.class Name>`: the classes run to the first space.
            let name = match v.strip_prefix('.') {
                Some(c) => c.split_once([' ', '\t']).map(|(_, n)| n).unwrap_or(""),
                None => v,
            };
            let name = squash_spaces(&decode_entities(name));
            if voice.is_none() && !name.is_empty() {
                voice = Some(name);
            }
        } else if tag != "/v" {
            // Other tags are stripped later; keep them so strip_tags sees them whole.
            out.push_str(&after[..=j]);
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    (voice, out)
}

/// Removes `<b>`, `<i>`, `<c.x>`, `<00:00:01.000>` and any other tag.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `Name: text` with a plausible name (one to five words, starting with a letter, no
/// sentence punctuation), so that "Note: the flag" in a sentence is not taken for a speaker
/// unless it reads like one.
fn name_prefix(s: &str) -> Option<(&str, &str)> {
    let i = s.find(": ").or_else(|| if s.ends_with(':') { Some(s.len() - 1) } else { None })?;
    let name = s[..i].trim();
    if name.is_empty() || name.len() > 60 {
        return None;
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() > 5 || !name.chars().next().is_some_and(|c| c.is_alphabetic()) {
        return None;
    }
    if name.chars().any(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '.' | '’' | '_' | '@'))) {
        return None;
    }
    Some((name, s.get(i + 1..).unwrap_or("").trim_start()))
}

fn parse_srt(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let ls = lines(text);
    let mut out: Vec<Utterance> = Vec::new();
    let mut last_speaker = String::new();
    for block in blocks(&ls) {
        let (n0, first) = block[0];
        let first_t = first.trim();
        let (ti, times) = match timing(first_t, n0, ',')? {
            Some(t) => (0, t),
            None => {
                let numbered = first_t.bytes().all(|b| b.is_ascii_digit());
                match block.get(1) {
                    Some(&(n1, l1)) if numbered => match timing(l1.trim(), n1, ',')? {
                        Some(t) => (1, t),
                        None => {
                            return Err(ParseError::new(
                                n1,
                                "cue without timing (expected `00:00:01,000 --> 00:00:02,000`)",
                            ));
                        }
                    },
                    _ => {
                        return Err(ParseError::new(
                            n0,
                            "cue without timing (expected `00:00:01,000 --> 00:00:02,000`)",
                        ));
                    }
                }
            }
        };
        let body = &block[ti + 1..];
        let Some(&(line, first_text)) = body.first() else { continue };
        let (speaker, head) = match name_prefix(first_text.trim()) {
            Some((name, rest)) => (name.to_string(), rest.to_string()),
            None => (last_speaker.clone(), first_text.trim().to_string()),
        };
        let mut parts = vec![head];
        parts.extend(body[1..].iter().map(|(_, l)| l.trim().to_string()));
        let text = squash_spaces(&decode_entities(&strip_tags(&parts.join(" "))));
        if text.is_empty() {
            continue;
        }
        last_speaker = speaker.clone();
        out.push(Utterance { start_ms: times.0, end_ms: Some(times.1), speaker, text, line });
    }
    Ok(out)
}

/// `[HH:MM:SS] rest` or `[MM:SS] rest`: the time and what follows the bracket.
/// `Some(Err)` for a bracket that holds a wrong time.
fn plain_line(l: &str) -> Option<Result<(i64, &str), String>> {
    let l = l.trim_start();
    let inner_end = l.strip_prefix('[')?.find(']')?;
    let inner = &l[1..1 + inner_end];
    if !inner.starts_with(|c: char| c.is_ascii_digit()) || !inner.contains(':') {
        return None;
    }
    let rest = &l[inner_end + 2..];
    Some(match timestamp(inner, None) {
        Some(ms) => Ok((ms, rest.trim())),
        None => Err(format!("bad timestamp `[{inner}]`")),
    })
}

fn parse_plain(text: &str) -> Result<Vec<Utterance>, ParseError> {
    let mut out: Vec<Utterance> = Vec::new();
    let mut last_speaker = String::new();
    for (n, l) in lines(text) {
        if l.trim().is_empty() {
            continue;
        }
        match plain_line(l) {
            Some(Ok((ms, rest))) => {
                let (speaker, t) = match name_prefix(rest) {
                    Some((name, t)) => (name.to_string(), t.to_string()),
                    None => (last_speaker.clone(), rest.to_string()),
                };
                last_speaker = speaker.clone();
                out.push(Utterance { start_ms: ms, end_ms: None, speaker, text: squash_spaces(&t), line: n });
            }
            Some(Err(msg)) => return Err(ParseError::new(n, msg)),
            None => match out.last_mut() {
                // A wrapped line continues the utterance above it.
                Some(u) => {
                    if !u.text.is_empty() {
                        u.text.push(' ');
                    }
                    u.text.push_str(&squash_spaces(l));
                }
                None => {
                    return Err(ParseError::new(n, "expected `[HH:MM:SS] Name: text`"));
                }
            },
        }
    }
    out.retain(|u| !u.text.is_empty());
    Ok(out)
}
