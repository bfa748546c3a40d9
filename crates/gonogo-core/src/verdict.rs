//! The verdict (DESIGN.md §4) and the report object that `check --format json` and the
//! server's verdict endpoint print.

use crate::model::{Outcome, Review};
use crate::rules::{self, Finding, PastReview, Severity};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Go,
    GoWithConditions,
    NoGo,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Go => "go",
            Verdict::GoWithConditions => "go_with_conditions",
            Verdict::NoGo => "no_go",
        }
    }
    /// As the meeting says it.
    pub fn banner(self) -> &'static str {
        match self {
            Verdict::Go => "GO",
            Verdict::GoWithConditions => "GO WITH CONDITIONS",
            Verdict::NoGo => "NO-GO",
        }
    }
    /// `check`'s exit code for this verdict.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Go | Verdict::GoWithConditions => 0,
            Verdict::NoGo => 1,
        }
    }
}

/// §4's object: `{ "verdict", "decision", "findings" }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    pub decision: Option<&'static str>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(review: &Review, history: &[PastReview]) -> Report {
        let findings = rules::run(review, history);
        let outcome = review.outcome();
        Report { verdict: verdict(outcome, &findings), decision: outcome.map(Outcome::as_str), findings }
    }

    pub fn blockers(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Blocker)
    }

    pub fn open_blockers(&self) -> impl Iterator<Item = &Finding> {
        self.blockers().filter(|f| !f.covered)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Warning)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}

pub fn verdict(outcome: Option<Outcome>, findings: &[Finding]) -> Verdict {
    let blockers: Vec<&Finding> = findings.iter().filter(|f| f.severity == Severity::Blocker).collect();
    if outcome == Some(Outcome::NoGo) || blockers.iter().any(|f| !f.covered) {
        Verdict::NoGo
    } else if !blockers.is_empty() {
        Verdict::GoWithConditions
    } else {
        Verdict::Go
    }
}
