//! The review file's model (DESIGN.md §2). Every value remembers where it was written.

use crate::diag::Pos;
use crate::duration::Duration;
use jiff::Timestamp;
use jiff::civil::Date;

/// A value and the place in the file it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub at: Pos,
}

impl<T> Spanned<T> {
    pub fn new(value: T, at: Pos) -> Self {
        Spanned { value, at }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

pub type S<T> = Spanned<T>;

/// Where each key of a mapping is written, so that a finding about a blank or missing value
/// can point at its key (`tag:` with nothing after it) rather than at the section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keys {
    /// The mapping itself, for keys that are not written at all.
    pub at: Pos,
    pub keys: Vec<(String, Pos)>,
}

impl Keys {
    pub fn at(&self, key: &str) -> Pos {
        self.get(key).unwrap_or(self.at)
    }
    pub fn get(&self, key: &str) -> Option<Pos> {
        self.keys.iter().find(|(k, _)| k == key).map(|(_, p)| *p)
    }
}

/// A point in time as reviews write it: a full RFC 3339 timestamp or a bare date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    Date(Date),
    Instant(Timestamp),
}

impl When {
    /// The instant; a bare date counts as the end of that day in UTC (a due date is met
    /// when the work is done by the end of the day).
    pub fn end_instant(&self) -> Timestamp {
        match self {
            When::Instant(t) => *t,
            When::Date(d) => format!("{d}T23:59:59Z").parse().unwrap_or(Timestamp::UNIX_EPOCH),
        }
    }
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            When::Date(d) => write!(f, "{d}"),
            When::Instant(t) => write!(f, "{t}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    Partial,
    Blocked,
    NotStarted,
    NotApplicable,
}

impl Status {
    pub const NAMES: &'static [&'static str] = &["done", "partial", "blocked", "not_started", "n/a"];
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "done" => Status::Done,
            "partial" => Status::Partial,
            "blocked" => Status::Blocked,
            "not_started" => Status::NotStarted,
            "n/a" => Status::NotApplicable,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        Status::NAMES[self as usize]
    }
    /// How the seed's table writes it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Done => "✅ Done",
            Status::Partial => "⚠️ Partial",
            Status::Blocked => "⛔ Blocked",
            Status::NotStarted => "⬜ Not started",
            Status::NotApplicable => "➖ N/A",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Go,
    NoGo,
    Pending,
}

impl Outcome {
    pub const NAMES: &'static [&'static str] = &["go", "no_go", "pending"];
    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "go" => Outcome::Go,
            "no_go" => Outcome::NoGo,
            "pending" => Outcome::Pending,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        Outcome::NAMES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Open,
    InProgress,
    Done,
    Cancelled,
}

impl ItemStatus {
    pub const NAMES: &'static [&'static str] = &["open", "in_progress", "done", "cancelled"];
    pub fn parse(s: &str) -> Option<ItemStatus> {
        Some(match s {
            "open" => ItemStatus::Open,
            "in_progress" => ItemStatus::InProgress,
            "done" => ItemStatus::Done,
            "cancelled" => ItemStatus::Cancelled,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        ItemStatus::NAMES[self as usize]
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    pub api_version: S<String>,
    /// Where the `release` mapping starts, for findings about its missing fields.
    pub release: Release,
    pub release_at: Pos,
    pub meeting: Option<Meeting>,
    pub teams: Vec<S<String>>,
    pub checklist: Vec<ChecklistItem>,
    pub checklist_at: Pos,
    pub testing: Option<Testing>,
    pub testing_at: Pos,
    pub rollback: Option<Rollback>,
    pub rollback_at: Pos,
    pub on_call: Option<OnCall>,
    pub on_call_at: Pos,
    pub monitoring: Vec<Monitor>,
    pub decision: Option<Decision>,
    pub decision_at: Pos,
    pub action_items: Vec<ActionItem>,
    pub follow_up: Option<FollowUp>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Release {
    pub keys: Keys,
    pub at: Pos,
    pub service: S<String>,
    pub version: S<String>,
    pub tag: Option<S<String>>,
    pub frozen: Option<S<bool>>,
    pub previous: Option<S<String>>,
    pub runbook: Option<S<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub handle: S<String>,
    pub name: Option<S<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meeting {
    pub date: Option<S<Date>>,
    pub facilitator: Option<S<String>>,
    pub duration: Option<S<Duration>>,
    pub attendees: Vec<Attendee>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistItem {
    pub keys: Keys,
    pub at: Pos,
    pub item: S<String>,
    pub status: Option<S<Status>>,
    pub owner: Option<S<String>>,
    pub notes: Option<S<String>>,
    pub link: Option<S<String>>,
}

impl ChecklistItem {
    pub fn status(&self) -> Status {
        self.status.as_ref().map(|s| s.value).unwrap_or(Status::NotStarted)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Testing {
    pub keys: Keys,
    pub qa_signoff: Option<QaSignoff>,
    pub known_issues: Vec<KnownIssue>,
    pub regression: Option<Regression>,
    pub load_test: Option<LoadTest>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QaSignoff {
    pub keys: Keys,
    pub at_pos: Pos,
    pub by: Option<S<String>>,
    pub at: Option<S<When>>,
    pub link: Option<S<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KnownIssue {
    pub at: Pos,
    pub id: Option<S<String>>,
    /// 0 for P0 … 4 for P4.
    pub priority: S<u8>,
    pub title: Option<S<String>>,
    pub fix: Option<S<String>>,
    pub link: Option<S<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    pub keys: Keys,
    pub at: Pos,
    pub total: Option<S<u64>>,
    pub passed: Option<S<u64>>,
    pub failed: Option<S<u64>>,
    pub preexisting: Option<S<u64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadTest {
    pub passed: Option<S<bool>>,
    pub limits: Vec<S<String>>,
    pub notes: Option<S<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    Above(f64),
    Below(f64),
}

impl Threshold {
    pub fn value(self) -> f64 {
        match self {
            Threshold::Above(v) | Threshold::Below(v) => v,
        }
    }
    /// The PromQL comparison operator that is true when the threshold is crossed.
    pub fn op(self) -> &'static str {
        match self {
            Threshold::Above(_) => ">",
            Threshold::Below(_) => "<",
        }
    }
    pub fn crossed(self, v: f64) -> bool {
        match self {
            Threshold::Above(t) => v > t,
            Threshold::Below(t) => v < t,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub at: Pos,
    pub name: S<String>,
    pub query: Option<S<String>>,
    pub above: Option<S<f64>>,
    pub below: Option<S<f64>>,
    pub for_: Option<S<crate::duration::Duration>>,
    pub alert: Option<S<String>>,
    pub manual: Option<S<bool>>,
}

/// What a well-formed trigger is; a trigger that is none of these is vague.
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerKind<'a> {
    Metric { query: &'a S<String>, threshold: Threshold, for_: Duration },
    Alert(&'a S<String>),
    Manual,
}

impl Trigger {
    /// The trigger's kind, or `None` when it is not exactly one of the three kinds.
    pub fn kind(&self) -> Option<TriggerKind<'_>> {
        let manual = self.manual.as_ref().is_some_and(|m| m.value);
        let threshold = match (&self.above, &self.below) {
            (Some(a), None) => Some(Threshold::Above(a.value)),
            (None, Some(b)) => Some(Threshold::Below(b.value)),
            _ => None,
        };
        let has_threshold = self.above.is_some() || self.below.is_some();
        match (&self.query, &self.alert, manual) {
            (Some(q), None, false) => threshold.map(|threshold| TriggerKind::Metric {
                query: q,
                threshold,
                for_: self.for_.as_ref().map(|f| f.value).unwrap_or_default(),
            }),
            (None, Some(a), false) if !has_threshold && self.for_.is_none() => Some(TriggerKind::Alert(a)),
            (None, None, true) if !has_threshold && self.for_.is_none() => Some(TriggerKind::Manual),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub url: S<String>,
    pub method: S<String>,
    pub headers: Vec<(S<String>, S<String>)>,
    pub body: Option<S<String>>,
    pub timeout: Option<S<Duration>>,
    pub retries: Option<S<u64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    Webhook(Webhook),
    Command(Vec<S<String>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub at: Pos,
    pub name: S<String>,
    pub kind: ActionKind,
    pub timeout: Option<S<Duration>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rollback {
    pub keys: Keys,
    pub tested_in_staging: Option<S<Status>>,
    pub triggers: Vec<Trigger>,
    pub triggers_at: Pos,
    pub steps: Vec<S<String>>,
    pub steps_at: Pos,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub at: Pos,
    pub start: S<Timestamp>,
    pub end: S<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OnCall {
    pub keys: Keys,
    pub primary: Option<S<String>>,
    pub secondary: Option<S<String>>,
    pub accepted: Option<S<bool>>,
    pub window: Option<Window>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonitorAlert {
    pub keys: Keys,
    pub at: Pos,
    pub threshold: Option<S<Threshold>>,
    pub for_: Option<S<Duration>>,
    pub notify: Option<S<String>>,
    pub rule: Option<S<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Monitor {
    pub keys: Keys,
    pub at: Pos,
    pub metric: S<String>,
    pub dashboard: Option<S<String>>,
    pub link: Option<S<String>>,
    pub query: Option<S<String>>,
    pub alert: Option<MonitorAlert>,
    pub verified_live: Option<S<bool>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub keys: Keys,
    pub at: Pos,
    pub text: S<String>,
    pub owner: Option<S<String>>,
    pub due: Option<S<When>>,
    pub covers: Vec<S<String>>,
    pub met: Option<S<bool>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub keys: Keys,
    pub outcome: Option<S<Outcome>>,
    pub by: Option<S<String>>,
    pub signoffs: Vec<S<String>>,
    pub at: Option<S<Timestamp>>,
    pub deploy_window: Option<Window>,
    pub conditions: Vec<Condition>,
    pub notes: Option<S<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionItem {
    pub keys: Keys,
    pub at: Pos,
    pub owner: Option<S<String>>,
    pub action: S<String>,
    pub due: Option<S<When>>,
    pub status: Option<S<ItemStatus>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowUp {
    pub post_deploy_check: Option<S<Duration>>,
    pub post_launch_review: Option<S<Duration>>,
    pub notes: Option<S<String>>,
}

impl Review {
    pub fn outcome(&self) -> Option<Outcome> {
        self.decision.as_ref().and_then(|d| d.outcome.as_ref()).map(|o| o.value)
    }
    pub fn deploy_window(&self) -> Option<&Window> {
        self.decision.as_ref().and_then(|d| d.deploy_window.as_ref())
    }
    /// The attendee's full name for a handle, when the meeting lists one.
    pub fn name_of(&self, handle: &str) -> Option<&str> {
        let m = self.meeting.as_ref()?;
        m.attendees.iter().find(|a| a.handle.value == handle).and_then(|a| a.name.as_ref()).map(|n| n.value.as_str())
    }
}
