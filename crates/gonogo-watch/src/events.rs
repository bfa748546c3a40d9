//! Watch events (DESIGN.md §5) and the JSON-lines log they are appended to, durably.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at: String,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// The event names of DESIGN.md §5, spelled once.
pub mod name {
    pub const WATCH_STARTED: &str = "watch_started";
    pub const TRIGGER_PENDING: &str = "trigger_pending";
    pub const TRIGGER_FIRING: &str = "trigger_firing";
    pub const TRIGGER_RESOLVED: &str = "trigger_resolved";
    pub const SOURCE_ERROR: &str = "source_error";
    pub const ACTION_STARTED: &str = "action_started";
    pub const ACTION_SUCCEEDED: &str = "action_succeeded";
    pub const ACTION_FAILED: &str = "action_failed";
    pub const POST_DEPLOY_CHECK: &str = "post_deploy_check";
}

impl Event {
    pub fn new(event: &str, at: jiff::Timestamp) -> Event {
        Event {
            at: at.round(jiff::Unit::Millisecond).unwrap_or(at).to_string(),
            event: event.to_string(),
            trigger: None,
            action: None,
            value: None,
            detail: None,
        }
    }
    pub fn trigger(mut self, t: &str) -> Self {
        self.trigger = Some(t.to_string());
        self
    }
    pub fn action(mut self, a: &str) -> Self {
        self.action = Some(a.to_string());
        self
    }
    pub fn value(mut self, v: Option<f64>) -> Self {
        self.value = v.filter(|v| v.is_finite());
        self
    }
    pub fn detail(mut self, d: serde_json::Value) -> Self {
        self.detail = Some(d);
        self
    }
}

/// Appends events to a file, one JSON object a line, each flushed to disk before the watch
/// acts on it: a watch killed at any moment has lost no event it had written.
pub struct EventLog {
    file: Option<std::fs::File>,
}

impl EventLog {
    pub fn open(path: Option<&Path>) -> std::io::Result<EventLog> {
        let file = match path {
            None => None,
            Some(p) => Some(std::fs::OpenOptions::new().create(true).append(true).open(p)?),
        };
        Ok(EventLog { file })
    }

    pub fn write(&mut self, e: &Event) -> std::io::Result<()> {
        if let Some(f) = &mut self.file {
            let mut line = serde_json::to_vec(e).map_err(std::io::Error::other)?;
            line.push(b'\n');
            f.write_all(&line)?;
            f.sync_data()?;
        }
        Ok(())
    }
}

/// Reads an events file back (tests, `gonogo serve` later).
pub fn read(path: &Path) -> std::io::Result<Vec<Event>> {
    let text = std::fs::read_to_string(path)?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
        .collect()
}
