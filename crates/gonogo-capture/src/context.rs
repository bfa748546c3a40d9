//! What extraction knows about the meeting before it hears it: the date, time zone,
//! attendees, checklist item names and deploy window, read leniently from a review file
//! that may be a draft (only the keys capture needs are read; nothing is linted).

use crate::parse::ParseError;
use gonogo_core::yaml;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::Value;

/// A person at the meeting: a handle (`@infra-james`) and, when the review gives it, a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub handle: String,
    pub name: Option<String>,
}

/// The meeting facts extraction starts from; the transcript refines what is missing.
#[derive(Debug, Clone)]
pub struct Context {
    /// `meeting.date`, or the date stated in the transcript.
    pub date: Option<Date>,
    /// The time zone stated in the transcript (clock times without a zone are in it).
    pub tz: Option<TimeZone>,
    pub attendees: Vec<Attendee>,
    /// Checklist item names, exactly as the review writes them.
    pub checklist: Vec<String>,
    pub deploy_window_start: Option<Timestamp>,
}

impl Context {
    /// Nothing known: no review file.
    pub fn empty() -> Context {
        Context { date: None, tz: None, attendees: Vec::new(), checklist: Vec::new(), deploy_window_start: None }
    }

    /// Reads `meeting.date`, `meeting.attendees` (a plain handle or `{handle, name}`),
    /// `checklist[].item` and `decision.deploy_window.start` from any review file, complete
    /// or not. Missing, extra or mistyped keys are skipped; only YAML that does not parse is
    /// an error, with its line.
    pub fn from_review_yaml(text: &str) -> Result<Context, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut ctx = Context::empty();
        if text.trim().is_empty() {
            return Ok(ctx);
        }
        let (root, diags) = yaml::parse(text);
        let Some(root) = root else {
            let (line, message) = diags
                .first()
                .map(|d| (d.line as usize, d.message.clone()))
                .unwrap_or((1, "the review file is not YAML".to_string()));
            return Err(ParseError { line: line.max(1), message });
        };
        let doc = yaml::to_json(&root);
        let meeting = doc.get("meeting");
        if let Some(d) = meeting.and_then(|m| m.get("date")).and_then(scalar_text) {
            // `2024-12-13` or a full RFC 3339 time: the date is its first ten characters.
            ctx.date = d.get(..10).and_then(|s| s.parse::<Date>().ok());
        }
        if let Some(list) = meeting.and_then(|m| m.get("attendees")).and_then(Value::as_array) {
            for a in list {
                let attendee = match a {
                    Value::String(h) => Some(Attendee { handle: h.trim().to_string(), name: None }),
                    Value::Object(o) => o.get("handle").and_then(scalar_text).map(|h| Attendee {
                        handle: h.trim().to_string(),
                        name: o
                            .get("name")
                            .and_then(scalar_text)
                            .map(|n| n.trim().to_string())
                            .filter(|n| !n.is_empty()),
                    }),
                    _ => None,
                };
                if let Some(a) = attendee.filter(|a| !a.handle.is_empty()) {
                    ctx.attendees.push(a);
                }
            }
        }
        if let Some(list) = doc.get("checklist").and_then(Value::as_array) {
            for it in list {
                if let Some(name) = it.get("item").and_then(scalar_text) {
                    let name = name.trim().to_string();
                    if !name.is_empty() && !ctx.checklist.contains(&name) {
                        ctx.checklist.push(name);
                    }
                }
            }
        }
        ctx.deploy_window_start = doc
            .get("decision")
            .and_then(|d| d.get("deploy_window"))
            .and_then(|w| w.get("start"))
            .and_then(scalar_text)
            .and_then(|s| s.parse::<Timestamp>().ok());
        Ok(ctx)
    }
}

/// A scalar as text: strings as they are, numbers and booleans as written.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
