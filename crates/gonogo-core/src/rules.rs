//! The meeting's rules (DESIGN.md §3): each one a check over the review that yields findings.

use crate::diag::Pos;
use crate::model::*;
use crate::promql;
use jiff::Timestamp;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Blocker,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocker => "blocker",
            Severity::Warning => "warning",
        }
    }
}

/// A rule: its id, severity, what it checks and the sentence of the seed it enforces.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub why: &'static str,
}

use Severity::{Blocker, Warning};

pub const RULES: &[Rule] = &[
    Rule {
        id: "checklist-not-done",
        severity: Blocker,
        summary: "A checklist item is not done or n/a.",
        why: "If anything is not ready, it's a blocker.",
    },
    Rule {
        id: "open-p0-p1",
        severity: Blocker,
        summary: "A known issue shipping with the release is P0 or P1.",
        why: "All P0 and P1 issues from QA review are resolved and verified.",
    },
    Rule {
        id: "regression-new-failures",
        severity: Blocker,
        summary: "The regression suite has failures that are not pre-existing, or its counts do not add up.",
        why: "6 failures (all pre-existing, not introduced by this release — verified).",
    },
    Rule {
        id: "qa-signoff-missing",
        severity: Blocker,
        summary: "No QA sign-off is recorded.",
        why: "QA sign-off: Received.",
    },
    Rule {
        id: "release-not-frozen",
        severity: Blocker,
        summary: "The release has no tag, or is not frozen.",
        why: "Release branch is tagged and frozen.",
    },
    Rule {
        id: "runbook-missing",
        severity: Blocker,
        summary: "No deployment runbook link.",
        why: "Runbook for the deployment is written and linked.",
    },
    Rule {
        id: "vague-trigger",
        severity: Blocker,
        summary: "A rollback trigger is not exactly one of: a query with above/below, an alert, manual.",
        why: "A rollback plan that says \"we'll roll back if there are problems\" is not a plan.",
    },
    Rule {
        id: "invalid-query",
        severity: Blocker,
        summary: "A query is not valid PromQL.",
        why: "The specific conditions that will trigger a rollback must be checkable.",
    },
    Rule {
        id: "no-triggers",
        severity: Blocker,
        summary: "The rollback plan has no trigger.",
        why: "Define your rollback triggers before you ship, not after something goes wrong.",
    },
    Rule {
        id: "rollback-steps-missing",
        severity: Blocker,
        summary: "The rollback plan has no steps.",
        why: "Specific enough for the on-call engineer to execute alone at 2am.",
    },
    Rule {
        id: "rollback-untested",
        severity: Blocker,
        summary: "The rollback was not fully tested in staging.",
        why: "Rollback steps are documented and tested in staging.",
    },
    Rule {
        id: "on-call-not-named",
        severity: Blocker,
        summary: "No single named on-call owner.",
        why: "\"The team\" is on call is the same as nobody is on call.",
    },
    Rule {
        id: "on-call-not-accepted",
        severity: Blocker,
        summary: "The on-call owner has not accepted the role.",
        why: "On-call owner is identified and has accepted the role.",
    },
    Rule {
        id: "on-call-window-short",
        severity: Blocker,
        summary: "The on-call window ends less than 24 hours after the deploy window starts.",
        why: "Be reachable for the first 24 hours post-deploy.",
    },
    Rule {
        id: "on-call-not-rotated",
        severity: Warning,
        summary: "The on-call owner is the same as for the service's previous review.",
        why: "Rotate this responsibility; don't let it always fall on the same person.",
    },
    Rule {
        id: "dashboard-not-verified",
        severity: Blocker,
        summary: "A monitoring entry is not verified live.",
        why: "A dashboard that hasn't been validated doesn't exist.",
    },
    Rule {
        id: "alert-threshold-missing",
        severity: Blocker,
        summary: "A monitoring entry has no alert threshold.",
        why: "Confirm that alerting thresholds are configured.",
    },
    Rule {
        id: "trigger-not-monitored",
        severity: Warning,
        summary: "A trigger's metric appears in no monitoring entry.",
        why: "List the dashboards, alerts, and metrics that will be watched post-deploy.",
    },
    Rule {
        id: "action-item-incomplete",
        severity: Blocker,
        summary: "An action item has no owner or no due date.",
        why: "Document what needs to happen and who owns it.",
    },
    Rule {
        id: "decision-unsigned",
        severity: Blocker,
        summary: "A GO decision without who made it.",
        why: "Record the final decision and who made it.",
    },
    Rule {
        id: "decision-contradicts-verdict",
        severity: Blocker,
        summary: "The recorded outcome is GO while uncovered blockers remain.",
        why: "Anything not ready is a blocker.",
    },
    Rule {
        id: "condition-incomplete",
        severity: Blocker,
        summary: "A decision condition without owner or due date.",
        why: "Document what needs to happen and who owns it.",
    },
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub covered: bool,
    pub message: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub len: u32,
    /// The checklist item a finding is about, for `covers` by item name.
    #[serde(skip)]
    pub item: Option<String>,
    /// The index of the decision condition that covers it.
    #[serde(skip)]
    pub covered_by: Option<usize>,
}

impl Finding {
    pub fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.column, len: self.len }
    }
}

/// What the `on-call-not-rotated` rule knows of the service's earlier reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct PastReview {
    pub service: String,
    pub version: String,
    pub when: Option<Timestamp>,
    pub primary: Option<String>,
    /// Where it came from, for the message (a file name, a review id).
    pub source: String,
}

impl PastReview {
    pub fn of(review: &Review, source: impl Into<String>) -> PastReview {
        PastReview {
            service: review.release.service.value.clone(),
            version: review.release.version.value.clone(),
            when: review_time(review),
            primary: review.on_call.as_ref().and_then(|o| o.primary.as_ref()).map(|p| p.value.clone()),
            source: source.into(),
        }
    }
}

/// When a review happened: its deploy window, else its decision, else its meeting date.
pub fn review_time(r: &Review) -> Option<Timestamp> {
    r.deploy_window()
        .map(|w| w.start.value)
        .or_else(|| r.decision.as_ref().and_then(|d| d.at.as_ref()).map(|a| a.value))
        .or_else(|| r.meeting.as_ref().and_then(|m| m.date.as_ref()).map(|d| When::Date(d.value).end_instant()))
}

struct Out {
    findings: Vec<Finding>,
}

impl Out {
    fn push(
        &mut self,
        rule: &'static str,
        at: Pos,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Finding {
        let severity = crate::rules::rule(rule).map(|r| r.severity).unwrap_or(Blocker);
        self.findings.push(Finding {
            rule,
            severity,
            covered: false,
            message: message.into(),
            path: path.into(),
            line: at.line,
            column: at.column,
            len: at.len,
            item: None,
            covered_by: None,
        });
        self.findings.last_mut().unwrap()
    }
}

const GROUP_WORDS: &[&str] = &[
    "team",
    "the team",
    "everyone",
    "everybody",
    "all",
    "nobody",
    "none",
    "anyone",
    "tbd",
    "tba",
    "someone",
    "oncall",
    "on-call",
    "on call",
    "rotation",
];

/// Why an on-call value does not name one person, if it does not.
fn not_one_person(value: &str, teams: &[S<String>]) -> Option<String> {
    let v = value.trim();
    let bare = |s: &str| s.trim().trim_start_matches('@').to_ascii_lowercase();
    let lower = bare(v);
    if v.is_empty() {
        return Some("no on-call owner is named".into());
    }
    // A handle made of words: `@sre-oncall`, `@payments-team`, `@team-lead` name a group or a role.
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let group_word = |w: &&str| matches!(*w, "team" | "oncall" | "rotation" | "squad" | "crew" | "group" | "everyone");
    if GROUP_WORDS.contains(&lower.as_str())
        || words.first().is_some_and(group_word)
        || words.last().is_some_and(group_word)
    {
        return Some(format!("`{v}` is a group, not a person: \"the team\" on call is the same as nobody"));
    }
    // Several handles: `@a @b`, `@a, @b`, `@a and @b` (an e-mail address has one `@` inside a word).
    let handles =
        v.split(|c: char| c.is_whitespace() || c == ',' || c == '/' || c == '&').filter(|w| w.starts_with('@')).count();
    if handles > 1 || v.contains(',') || v.contains(" and ") || v.contains(" & ") || v.contains(" / ") {
        return Some(format!("`{v}` names several people: one person owns the pager"));
    }
    if teams.iter().any(|t| bare(&t.value) == lower) {
        return Some(format!("`{v}` is listed as a team in `teams`, not a person"));
    }
    None
}

/// Runs every rule. `history` holds the service's earlier reviews for `on-call-not-rotated`.
pub fn run(r: &Review, history: &[PastReview]) -> Vec<Finding> {
    let mut out = Out { findings: Vec::new() };
    let o = &mut out;

    for (i, c) in r.checklist.iter().enumerate() {
        let st = c.status();
        if !matches!(st, Status::Done | Status::NotApplicable) {
            let (at, path) = match &c.status {
                Some(s) => (s.at, format!("checklist[{i}].status")),
                None => (c.keys.get("status").unwrap_or(c.item.at), format!("checklist[{i}].status")),
            };
            let owner = c.owner.as_ref().map(|o| format!(" (owner {})", o.value)).unwrap_or_default();
            let notes = c.notes.as_ref().map(|n| format!(": {}", n.value)).unwrap_or_default();
            let what = if c.status.is_none() { "has no status".to_string() } else { format!("is {}", st.as_str()) };
            let f = o.push("checklist-not-done", at, path, format!("\"{}\" {what}{owner}{notes}", c.item.value));
            f.item = Some(c.item.value.clone());
        }
    }

    match &r.testing {
        None => {
            o.push(
                "qa-signoff-missing",
                r.testing_at,
                "testing.qa_signoff",
                "no QA sign-off: the review has no `testing` section",
            );
        }
        Some(t) => {
            match &t.qa_signoff {
                None => {
                    o.push(
                        "qa-signoff-missing",
                        t.keys.get("qa_signoff").unwrap_or(r.testing_at),
                        "testing.qa_signoff",
                        "no QA sign-off is recorded",
                    );
                }
                Some(q) if q.by.is_none() => {
                    o.push(
                        "qa-signoff-missing",
                        q.keys.at("by"),
                        "testing.qa_signoff.by",
                        "the QA sign-off does not say who signed",
                    );
                }
                _ => {}
            }
            for (i, k) in t.known_issues.iter().enumerate() {
                if k.priority.value <= 1 {
                    let id = k.id.as_ref().map(|i| format!("{} ", i.value)).unwrap_or_default();
                    let title = k.title.as_ref().map(|t| format!(": {}", t.value)).unwrap_or_default();
                    o.push(
                        "open-p0-p1",
                        k.priority.at,
                        format!("testing.known_issues[{i}].priority"),
                        format!("known issue {id}is P{} and ships with the release{title}", k.priority.value),
                    );
                }
            }
            if let Some(g) = &t.regression {
                let n = |v: &Option<S<u64>>| v.as_ref().map(|x| x.value);
                let pre = n(&g.preexisting).unwrap_or(0);
                if let Some(failed) = &g.failed
                    && failed.value > pre
                {
                    o.push(
                        "regression-new-failures",
                        failed.at,
                        "testing.regression.failed",
                        format!(
                            "{} regression failures, {} of them new (only {pre} pre-existing)",
                            failed.value,
                            failed.value - pre
                        ),
                    );
                }
                if let (Some(total), Some(passed), Some(failed)) = (&g.total, n(&g.passed), n(&g.failed))
                    && passed.checked_add(failed) != Some(total.value)
                {
                    o.push(
                        "regression-new-failures",
                        total.at,
                        "testing.regression.total",
                        format!(
                            "regression counts do not add up: {passed} passed + {failed} failed ≠ {} total",
                            total.value
                        ),
                    );
                }
                if let (Some(p), Some(f)) = (&g.preexisting, n(&g.failed))
                    && p.value > f
                {
                    o.push(
                        "regression-new-failures",
                        p.at,
                        "testing.regression.preexisting",
                        format!("{} pre-existing failures but only {f} failed in all", p.value),
                    );
                }
                if g.failed.is_none() || g.total.is_none() || g.passed.is_none() {
                    o.push(
                        "regression-new-failures",
                        g.at,
                        "testing.regression",
                        "the regression result needs `total`, `passed` and `failed` to show no new failures",
                    );
                }
            }
        }
    }

    let rel = &r.release;
    match (&rel.tag, &rel.frozen) {
        (None, _) => {
            o.push(
                "release-not-frozen",
                rel.keys.get("tag").unwrap_or(r.release_at),
                "release.tag",
                "the release branch is not tagged (no `release.tag`)",
            );
        }
        (Some(_), Some(f)) if f.value => {}
        (Some(_), Some(f)) => {
            o.push("release-not-frozen", f.at, "release.frozen", "the release branch is not frozen");
        }
        (Some(_), None) => {
            o.push(
                "release-not-frozen",
                rel.keys.get("frozen").unwrap_or(r.release_at),
                "release.frozen",
                "the release is not marked frozen (`frozen: true`)",
            );
        }
    }
    match &rel.runbook {
        Some(rb) if rb.value.contains("://") => {}
        Some(rb) => {
            o.push(
                "runbook-missing",
                rb.at,
                "release.runbook",
                format!("`{}` is not a link to the runbook (write its URL)", rb.value.trim()),
            );
        }
        None => {
            o.push(
                "runbook-missing",
                rel.keys.get("runbook").unwrap_or(r.release_at),
                "release.runbook",
                "no deployment runbook is linked (`release.runbook`)",
            );
        }
    }

    // Rollback plan.
    match &r.rollback {
        None => {
            o.push(
                "no-triggers",
                r.rollback_at,
                "rollback.triggers",
                "no rollback plan: define the triggers before you ship",
            );
            o.push("rollback-steps-missing", r.rollback_at, "rollback.steps", "no rollback steps");
            o.push(
                "rollback-untested",
                r.rollback_at,
                "rollback.tested_in_staging",
                "the rollback is not tested in staging",
            );
        }
        Some(rb) => {
            if rb.triggers.is_empty() {
                o.push(
                    "no-triggers",
                    rb.triggers_at,
                    "rollback.triggers",
                    "no rollback trigger: define the conditions that trigger a rollback",
                );
            }
            for (i, t) in rb.triggers.iter().enumerate() {
                let path = format!("rollback.triggers[{i}]");
                if t.kind().is_none() {
                    o.push("vague-trigger", t.name.at, format!("{path}.name"), vague_reason(t));
                }
                if let Some(q) = &t.query
                    && let Err(e) = promql::check(&q.value)
                {
                    o.push(
                        "invalid-query",
                        q.at,
                        format!("{path}.query"),
                        format!("trigger \"{}\": invalid PromQL: {e}", t.name.value),
                    );
                }
            }
            if rb.steps.iter().all(|s| s.value.trim().is_empty()) {
                o.push(
                    "rollback-steps-missing",
                    rb.steps_at,
                    "rollback.steps",
                    "no rollback steps: write what the on-call engineer does, in order",
                );
            }
            match &rb.tested_in_staging {
                Some(s) if s.value == Status::Done => {}
                Some(s) => {
                    o.push(
                        "rollback-untested",
                        s.at,
                        "rollback.tested_in_staging",
                        format!(
                            "the rollback is {} tested in staging",
                            if s.value == Status::Partial { "only partially" } else { "not" }
                        ),
                    );
                }
                None => {
                    o.push(
                        "rollback-untested",
                        rb.keys.get("tested_in_staging").unwrap_or(r.rollback_at),
                        "rollback.tested_in_staging",
                        "the rollback is not recorded as tested in staging",
                    );
                }
            }
        }
    }

    // On call.
    match &r.on_call {
        None => {
            o.push("on-call-not-named", r.on_call_at, "on_call.primary", "no on-call owner is named");
            o.push("on-call-not-accepted", r.on_call_at, "on_call.accepted", "no on-call owner has accepted the role");
            o.push(
                "on-call-window-short",
                r.on_call_at,
                "on_call.window",
                "no on-call window: someone must be reachable for the first 24 hours",
            );
        }
        Some(oc) => {
            match &oc.primary {
                None => {
                    o.push(
                        "on-call-not-named",
                        oc.keys.get("primary").unwrap_or(r.on_call_at),
                        "on_call.primary",
                        "no primary on-call owner is named",
                    );
                }
                Some(p) => {
                    if let Some(why) = not_one_person(&p.value, &r.teams) {
                        o.push("on-call-not-named", p.at, "on_call.primary", why);
                    }
                }
            }
            match &oc.accepted {
                Some(a) if a.value => {}
                Some(a) => {
                    o.push(
                        "on-call-not-accepted",
                        a.at,
                        "on_call.accepted",
                        "the on-call owner has not accepted the role",
                    );
                }
                None => {
                    o.push(
                        "on-call-not-accepted",
                        oc.keys.get("accepted").unwrap_or(r.on_call_at),
                        "on_call.accepted",
                        "the on-call owner has not accepted the role (`accepted: true`)",
                    );
                }
            }
            match &oc.window {
                None => {
                    o.push(
                        "on-call-window-short",
                        oc.keys.get("window").unwrap_or(r.on_call_at),
                        "on_call.window",
                        "no on-call window: someone must be reachable for the first 24 hours",
                    );
                }
                Some(w) => {
                    let from = r.deploy_window().map(|d| d.start.value).unwrap_or(w.start.value);
                    let need = from.checked_add(jiff::SignedDuration::from_hours(24)).unwrap_or(from);
                    if w.end.value < need {
                        let hours = w.end.value.duration_since(from).as_secs_f64() / 3600.0;
                        let base = if r.deploy_window().is_some() {
                            "the deploy window starts"
                        } else {
                            "the on-call window starts"
                        };
                        o.push(
                            "on-call-window-short",
                            w.end.at,
                            "on_call.window.end",
                            format!("the on-call window ends {hours:.1} h after {base}; it must cover the first 24 h (until {need})"),
                        );
                    }
                    if let Some(d) = r.deploy_window()
                        && w.start.value > d.start.value
                    {
                        o.push(
                            "on-call-window-short",
                            w.start.at,
                            "on_call.window.start",
                            format!(
                                "the on-call window starts at {} , after the deploy window starts ({})",
                                w.start.value, d.start.value
                            ),
                        );
                    }
                }
            }
            if let Some(p) = &oc.primary {
                rotation(o, r, p, history);
            }
        }
    }

    // Monitoring.
    for (i, m) in r.monitoring.iter().enumerate() {
        let path = format!("monitoring[{i}]");
        match &m.verified_live {
            Some(v) if v.value => {}
            Some(v) => {
                o.push(
                    "dashboard-not-verified",
                    v.at,
                    format!("{path}.verified_live"),
                    format!(
                        "\"{}\" is not verified live: a dashboard that hasn't been validated doesn't exist",
                        m.metric.value
                    ),
                );
            }
            None => {
                o.push(
                    "dashboard-not-verified",
                    m.keys.get("verified_live").unwrap_or(m.metric.at),
                    format!("{path}.verified_live"),
                    format!(
                        "\"{}\" is not verified live: a dashboard that hasn't been validated doesn't exist",
                        m.metric.value
                    ),
                );
            }
        }
        if m.alert.as_ref().and_then(|a| a.threshold.as_ref()).is_none() {
            let at = m.keys.get("alert").unwrap_or(m.metric.at);
            o.push(
                "alert-threshold-missing",
                at,
                format!("{path}.alert"),
                format!("\"{}\" has no alert threshold (`alert: {{ above: … }}` or `below`)", m.metric.value),
            );
        }
        if let Some(q) = &m.query
            && let Err(e) = promql::check(&q.value)
        {
            o.push(
                "invalid-query",
                q.at,
                format!("{path}.query"),
                format!("monitoring \"{}\": invalid PromQL: {e}", m.metric.value),
            );
        }
    }

    // Triggers that no monitoring entry watches.
    if let Some(rb) = &r.rollback {
        let monitored: Vec<String> = r
            .monitoring
            .iter()
            .filter_map(|m| m.query.as_ref())
            .filter_map(|q| promql::metric_names(&q.value).ok())
            .flatten()
            .collect();
        for (i, t) in rb.triggers.iter().enumerate() {
            match t.kind() {
                Some(TriggerKind::Metric { query, .. }) => {
                    let Ok(names) = promql::metric_names(&query.value) else { continue };
                    if !names.is_empty() && !names.iter().any(|n| monitored.contains(n)) {
                        o.push(
                            "trigger-not-monitored",
                            query.at,
                            format!("rollback.triggers[{i}].query"),
                            format!(
                                "trigger \"{}\" watches {} , which no monitoring entry shows",
                                t.name.value,
                                names.join(", ")
                            ),
                        );
                    }
                }
                Some(TriggerKind::Alert(a)) => {
                    let shown = r.monitoring.iter().any(|m| {
                        m.alert.as_ref().and_then(|al| al.rule.as_ref()).is_some_and(|rule| rule.value == a.value)
                    });
                    if !shown {
                        o.push(
                            "trigger-not-monitored",
                            a.at,
                            format!("rollback.triggers[{i}].alert"),
                            format!(
                                "trigger \"{}\" waits for alert {} , which no monitoring entry names in `alert.rule`",
                                t.name.value, a.value
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    for (i, a) in r.action_items.iter().enumerate() {
        if let Some((field, what)) = owner_and_due(a.owner.is_some(), a.due.is_some()) {
            let at = a.keys.get(field).unwrap_or(a.action.at);
            let msg = format!("action item \"{}\" has no {what}", a.action.value);
            o.push("action-item-incomplete", at, format!("action_items[{i}].{field}"), msg);
        }
    }

    if let Some(d) = &r.decision {
        if let Some(out) = &d.outcome
            && out.value == Outcome::Go
            && d.by.as_ref().is_none_or(|b| b.value.trim().is_empty())
        {
            o.push(
                "decision-unsigned",
                d.keys.get("by").unwrap_or(out.at),
                "decision.by",
                "the decision is GO but does not say who made it (`decision.by`)",
            );
        }
        for (i, c) in d.conditions.iter().enumerate() {
            if let Some((field, what)) = owner_and_due(c.owner.is_some(), c.due.is_some()) {
                let at = c.keys.get(field).unwrap_or(c.text.at);
                let msg = format!("condition \"{}\" has no {what}", c.text.value);
                o.push("condition-incomplete", at, format!("decision.conditions[{i}].{field}"), msg);
            }
        }
    }

    let mut findings = out.findings;
    apply_covers(r, &mut findings);
    if let Some(d) = &r.decision
        && let Some(out) = &d.outcome
        && out.value == Outcome::Go
    {
        let open: Vec<&Finding> = findings.iter().filter(|f| f.severity == Blocker && !f.covered).collect();
        if !open.is_empty() {
            let rules: Vec<&str> = open.iter().map(|f| f.rule).collect();
            let n = open.len();
            let mut uniq = rules.clone();
            uniq.dedup();
            let msg = format!(
                "the decision is GO while {n} uncovered blocker{} remain{} ({}); cover {} with a condition or change the decision",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
                uniq.join(", "),
                if n == 1 { "it" } else { "them" }
            );
            findings.push(Finding {
                rule: "decision-contradicts-verdict",
                severity: Blocker,
                covered: false,
                message: msg,
                path: "decision.outcome".into(),
                line: out.at.line,
                column: out.at.column,
                len: out.at.len,
                item: None,
                covered_by: None,
            });
        }
    }
    findings.sort_by_key(|f| (f.line, f.column));
    findings
}

/// For work that needs an owner and a due date: the first missing field and what is missing.
fn owner_and_due(has_owner: bool, has_due: bool) -> Option<(&'static str, &'static str)> {
    match (has_owner, has_due) {
        (true, true) => None,
        (false, true) => Some(("owner", "owner")),
        (true, false) => Some(("due", "due date")),
        (false, false) => Some(("owner", "owner and no due date")),
    }
}

fn vague_reason(t: &Trigger) -> String {
    let name = &t.name.value;
    let kinds = usize::from(t.query.is_some())
        + usize::from(t.alert.is_some())
        + usize::from(t.manual.as_ref().is_some_and(|m| m.value));
    if kinds == 0 {
        if t.manual.is_some() {
            return format!(
                "trigger \"{name}\" has `manual: false` and nothing else: give it a query with a threshold, an alert, or make it manual"
            );
        }
        return format!(
            "trigger \"{name}\" is a sentence, not a condition: give it a `query` with `above`/`below`, an `alert`, or `manual: true`"
        );
    }
    if kinds > 1 {
        return format!(
            "trigger \"{name}\" mixes kinds: a trigger is exactly one of a query with a threshold, an alert, or manual"
        );
    }
    if t.query.is_some() {
        return if t.above.is_some() && t.below.is_some() {
            format!("trigger \"{name}\" has both `above` and `below`: a trigger has one threshold")
        } else {
            format!("trigger \"{name}\" has a query but no threshold: add `above:` or `below:`")
        };
    }
    format!("trigger \"{name}\": `above`, `below` and `for` belong to query triggers only")
}

fn rotation(o: &mut Out, r: &Review, primary: &S<String>, history: &[PastReview]) {
    let now = review_time(r);
    let mut past: Vec<&PastReview> = history
        .iter()
        .filter(|p| p.service == r.release.service.value && p.version != r.release.version.value)
        .filter(|p| match (now, p.when) {
            (Some(n), Some(w)) => w < n,
            _ => true,
        })
        .collect();
    past.sort_by_key(|p| std::cmp::Reverse(p.when));
    let streak = past.iter().take_while(|p| p.primary.as_deref() == Some(primary.value.as_str())).count();
    if streak > 0 {
        let last = past[0];
        let times =
            if streak == 1 { "the previous review".to_string() } else { format!("the previous {streak} reviews") };
        o.push(
            "on-call-not-rotated",
            primary.at,
            "on_call.primary",
            format!(
                "{} was also the primary on call for {times} of {} (last: {} {}); rotate this responsibility",
                primary.value, r.release.service.value, last.version, last.source
            ),
        );
    }
}

/// Marks blockers covered by a decision condition's `covers` (a rule id or a checklist item name).
fn apply_covers(r: &Review, findings: &mut [Finding]) {
    let Some(d) = &r.decision else { return };
    // The first condition that names a rule id or an item wins.
    let mut by_key: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (ci, c) in d.conditions.iter().enumerate() {
        for cv in &c.covers {
            by_key.entry(item_key(&cv.value)).or_insert(ci);
        }
    }
    for f in findings.iter_mut().filter(|f| f.severity == Blocker && !UNCOVERABLE.contains(&f.rule)) {
        let by_rule = by_key.get(f.rule).copied();
        let by_item = f.item.as_deref().and_then(|i| by_key.get(&item_key(i)).copied());
        let ci = match (by_rule, by_item) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(ci) = ci {
            f.covered = true;
            f.covered_by = Some(ci);
        }
    }
}

/// How `covers` compares checklist item names: trimmed, ASCII case ignored.
fn item_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Rules about the decision itself: a condition of that decision cannot excuse them.
pub const UNCOVERABLE: &[&str] = &["decision-unsigned", "decision-contradicts-verdict", "condition-incomplete"];

/// `covers` entries that cannot cover anything, with why: ones that name neither a rule nor a
/// checklist item (a typo would leave a blocker open without saying why), and rules about the
/// decision itself.
pub fn bad_covers(r: &Review) -> Vec<(usize, &S<String>, String)> {
    let Some(d) = &r.decision else { return Vec::new() };
    let items: std::collections::HashSet<String> = r.checklist.iter().map(|i| item_key(&i.item.value)).collect();
    let mut out = Vec::new();
    for (ci, c) in d.conditions.iter().enumerate() {
        for cv in &c.covers {
            if UNCOVERABLE.contains(&cv.value.as_str()) {
                out.push((
                    ci,
                    cv,
                    format!(
                        "`{}` cannot be covered: a condition of the decision cannot excuse the decision itself",
                        cv.value
                    ),
                ));
            } else if rule(&cv.value).is_none() && !items.contains(&item_key(&cv.value)) {
                out.push((ci, cv, format!("`{}` in `covers` names no rule id and no checklist item", cv.value)));
            }
        }
    }
    out
}
