//! The trigger state machine, with Prometheus alerting semantics: a condition must hold at
//! every evaluation for the whole `for` before the trigger fires; one evaluation where it
//! does not hold resets it. A source that cannot answer makes the trigger `unknown`, which is
//! reported and is never taken for `ok` — nor for a rollback.

use crate::events::{Event, name};
use gonogo_core::duration::Duration;
use gonogo_core::model::{Review, Threshold, TriggerKind};
use jiff::Timestamp;
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Metric { query: String, threshold: Threshold, for_: Duration },
    Alert { alert: String },
    Manual,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Health {
    Ok,
    Pending,
    Firing,
    Unknown { reason: String },
}

impl Health {
    pub fn as_str(&self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Pending => "pending",
            Health::Firing => "firing",
            Health::Unknown { .. } => "unknown",
        }
    }
}

/// What one evaluation saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A metric's value: the worst series (highest for `above`, lowest for `below`).
    Value(f64),
    /// The query answered, with no series.
    NoData,
    /// The query failed, timed out or the source is down.
    Error(String),
    /// An alert trigger: whether the alert is firing in the source.
    Alert(bool),
    /// A person fired a manual trigger.
    Fired { by: String },
}

#[derive(Debug, Clone)]
pub struct TriggerState {
    pub name: String,
    pub kind: Kind,
    pub health: Health,
    /// Since when the condition has held without a miss (pending and firing).
    pub active_since: Option<Timestamp>,
    /// Since when the trigger has been in its current health.
    pub since: Timestamp,
    pub last_value: Option<f64>,
}

impl TriggerState {
    pub fn new(name: &str, kind: Kind, now: Timestamp) -> Self {
        TriggerState {
            name: name.to_string(),
            kind,
            health: Health::Ok,
            active_since: None,
            since: now,
            last_value: None,
        }
    }

    /// The review's well-formed triggers (vague ones are `check`'s to report).
    pub fn from_review(r: &Review, now: Timestamp) -> Vec<TriggerState> {
        let Some(rb) = &r.rollback else { return Vec::new() };
        rb.triggers
            .iter()
            .filter_map(|t| {
                let kind = match t.kind()? {
                    TriggerKind::Metric { query, threshold, for_ } => {
                        Kind::Metric { query: query.value.clone(), threshold, for_ }
                    }
                    TriggerKind::Alert(a) => Kind::Alert { alert: a.value.clone() },
                    TriggerKind::Manual => Kind::Manual,
                };
                Some(TriggerState::new(&t.name.value, kind, now))
            })
            .collect()
    }

    fn set(&mut self, h: Health, now: Timestamp) {
        if self.health != h {
            self.since = now;
        }
        self.health = h;
    }

    /// Applies one evaluation; returns the events it caused.
    pub fn observe(&mut self, obs: Observation, now: Timestamp) -> Vec<Event> {
        let mut out = Vec::new();
        let was = self.health.clone();
        let ev = |e: &str| Event::new(e, now).trigger(&self.name);
        match obs {
            Observation::Error(reason) => {
                // The condition's streak is neither broken nor extended by an unanswered
                // evaluation, as Prometheus keeps an active alert across a failed evaluation.
                let new = Health::Unknown { reason: reason.clone() };
                if was != new {
                    out.push(ev(name::SOURCE_ERROR).detail(json!({ "error": reason, "was": was.as_str() })));
                }
                self.set(new, now);
            }
            Observation::NoData => {
                let reason = "the query returned no data".to_string();
                let new = Health::Unknown { reason: reason.clone() };
                if was != new {
                    out.push(ev(name::SOURCE_ERROR).detail(json!({ "error": reason, "was": was.as_str() })));
                }
                self.set(new, now);
            }
            Observation::Value(v) => {
                self.last_value = Some(v);
                let (threshold, for_) = match &self.kind {
                    Kind::Metric { threshold, for_, .. } => (*threshold, *for_),
                    _ => return out,
                };
                if threshold.crossed(v) {
                    let since = *self.active_since.get_or_insert(now);
                    let held = now.duration_since(since);
                    let detail = json!({ "threshold": threshold.value(), "op": threshold.op(), "for": for_.to_string(), "active_since": since.to_string() });
                    if held >= for_.to_jiff() {
                        if was != Health::Firing {
                            out.push(ev(name::TRIGGER_FIRING).value(Some(v)).detail(detail));
                        }
                        self.set(Health::Firing, now);
                    } else {
                        if was != Health::Pending {
                            out.push(ev(name::TRIGGER_PENDING).value(Some(v)).detail(detail));
                        }
                        self.set(Health::Pending, now);
                    }
                } else {
                    self.active_since = None;
                    if was != Health::Ok {
                        out.push(ev(name::TRIGGER_RESOLVED).value(Some(v)).detail(json!({ "was": was.as_str() })));
                    }
                    self.set(Health::Ok, now);
                }
            }
            Observation::Alert(firing) => {
                if firing {
                    self.active_since.get_or_insert(now);
                    if was != Health::Firing {
                        out.push(ev(name::TRIGGER_FIRING).detail(json!({ "alert": self.alert_name() })));
                    }
                    self.set(Health::Firing, now);
                } else {
                    self.active_since = None;
                    if was != Health::Ok {
                        out.push(ev(name::TRIGGER_RESOLVED).detail(json!({ "was": was.as_str() })));
                    }
                    self.set(Health::Ok, now);
                }
            }
            Observation::Fired { by } => {
                self.active_since.get_or_insert(now);
                if was != Health::Firing {
                    out.push(ev(name::TRIGGER_FIRING).detail(json!({ "manual": true, "by": by })));
                }
                self.set(Health::Firing, now);
            }
        }
        out
    }

    fn alert_name(&self) -> &str {
        match &self.kind {
            Kind::Alert { alert } => alert,
            _ => "",
        }
    }
}

/// The worst value of a vector for a threshold: the series closest to firing.
pub fn worst(values: impl Iterator<Item = f64>, threshold: Threshold) -> Option<f64> {
    let vals = values.filter(|v| !v.is_nan());
    match threshold {
        Threshold::Above(_) => vals.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v)))),
        Threshold::Below(_) => vals.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).unwrap()
    }

    fn metric(for_s: u64) -> TriggerState {
        TriggerState::new(
            "err",
            Kind::Metric { query: "x".into(), threshold: Threshold::Above(0.02), for_: Duration::from_secs(for_s) },
            t(0),
        )
    }

    fn names(evs: &[Event]) -> Vec<&str> {
        evs.iter().map(|e| e.event.as_str()).collect()
    }

    #[test]
    fn for_zero_fires_at_the_first_crossing_not_before() {
        let mut s = metric(0);
        assert!(s.observe(Observation::Value(0.02), t(1)).is_empty(), "equal is not above");
        assert_eq!(names(&s.observe(Observation::Value(0.021), t(2))), ["trigger_firing"]);
        assert_eq!(s.health, Health::Firing);
    }

    #[test]
    fn a_miss_resets_the_for_streak() {
        let mut s = metric(10);
        assert_eq!(names(&s.observe(Observation::Value(0.05), t(0))), ["trigger_pending"]);
        assert!(s.observe(Observation::Value(0.05), t(9)).is_empty());
        assert_eq!(names(&s.observe(Observation::Value(0.01), t(10))), ["trigger_resolved"]);
        assert_eq!(names(&s.observe(Observation::Value(0.05), t(11))), ["trigger_pending"]);
        assert!(s.observe(Observation::Value(0.05), t(20)).is_empty());
        assert_eq!(names(&s.observe(Observation::Value(0.05), t(21))), ["trigger_firing"]);
    }

    #[test]
    fn unknown_is_reported_once_and_never_ok_nor_firing() {
        let mut s = metric(0);
        let e = s.observe(Observation::Error("connection refused".into()), t(1));
        assert_eq!(names(&e), ["source_error"]);
        assert_eq!(s.health.as_str(), "unknown");
        assert!(s.observe(Observation::Error("connection refused".into()), t(2)).is_empty());
        assert_eq!(names(&s.observe(Observation::NoData, t(3))), ["source_error"]);
        assert_eq!(names(&s.observe(Observation::Value(0.0), t(4))), ["trigger_resolved"]);
    }

    #[test]
    fn an_unanswered_evaluation_keeps_the_streak() {
        let mut s = metric(10);
        s.observe(Observation::Value(0.05), t(0));
        s.observe(Observation::Error("timeout".into()), t(5));
        assert_eq!(names(&s.observe(Observation::Value(0.05), t(10))), ["trigger_firing"]);
    }

    #[test]
    fn worst_series() {
        assert_eq!(worst([0.1, 0.5, f64::NAN].into_iter(), Threshold::Above(0.2)), Some(0.5));
        assert_eq!(worst([0.1, 0.5].into_iter(), Threshold::Below(0.2)), Some(0.1));
        assert_eq!(worst(std::iter::empty(), Threshold::Below(0.2)), None);
    }
}
