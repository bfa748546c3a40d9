//! The verdict of DESIGN.md §4 and the JSON object that carries it.

use crate::{EXAMPLE, GO, edit, report};

#[test]
fn go_without_blockers() {
    let r = report(GO);
    assert_eq!((r.verdict.as_str(), r.verdict.exit_code()), ("go", 0));
}

#[test]
fn go_with_conditions_when_every_blocker_is_covered() {
    let r = report(EXAMPLE);
    assert_eq!((r.verdict.as_str(), r.verdict.exit_code()), ("go_with_conditions", 0));
    assert!(r.findings.iter().all(|f| f.covered));
}

#[test]
fn no_go_for_an_uncovered_blocker() {
    // Drop the rule id from covers: the checklist item stays covered, the rule does not.
    let src = edit(
        EXAMPLE,
        "covers: [\"Rollback tested in staging\", \"rollback-untested\"]",
        "covers: [\"Rollback tested in staging\"]",
    );
    let r = report(&src);
    assert_eq!((r.verdict.as_str(), r.verdict.exit_code()), ("no_go", 1));
    let open: Vec<_> = r.findings.iter().filter(|f| !f.covered).map(|f| f.rule).collect();
    assert_eq!(open, ["rollback-untested", "decision-contradicts-verdict"]);
}

#[test]
fn covers_matches_item_names_ignoring_case_and_rule_ids() {
    let src = edit(
        EXAMPLE,
        "covers: [\"Rollback tested in staging\", \"rollback-untested\"]",
        "covers: [\"rollback TESTED in staging\", checklist-not-done, rollback-untested]",
    );
    assert_eq!(report(&src).verdict.as_str(), "go_with_conditions");
}

#[test]
fn a_recorded_no_go_is_no_go_even_without_blockers() {
    let src = edit(GO, "outcome: go", "outcome: no_go");
    let r = report(&src);
    assert_eq!((r.verdict.as_str(), r.decision), ("no_go", Some("no_go")));
}

#[test]
fn warnings_alone_keep_go() {
    let src = edit(GO, ", rule: PaymentQueueDepth", "");
    let r = report(&src);
    assert_eq!(r.findings.len(), 1);
    assert_eq!((r.findings[0].rule, r.verdict.as_str()), ("trigger-not-monitored", "go"));
}

#[test]
fn json_has_exactly_the_designs_shape() {
    let v: serde_json::Value = serde_json::from_str(&report(EXAMPLE).to_json()).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    // In the order DESIGN.md §4 writes them.
    assert_eq!(keys, ["verdict", "decision", "findings"]);
    assert_eq!(v["verdict"], "go_with_conditions");
    assert_eq!(v["decision"], "go");
    let f = &v["findings"][0];
    let mut keys: Vec<&String> = f.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["column", "covered", "line", "message", "path", "rule", "severity"]);
    assert_eq!(f["rule"], "checklist-not-done");
    assert_eq!(f["severity"], "blocker");
    assert_eq!(f["path"], "checklist[7].status");
    assert_eq!(f["column"], 13);
    // No decision recorded: null, not absent.
    let src = edit(GO, "  outcome: go\n", "");
    let v: serde_json::Value = serde_json::from_str(&report(&src).to_json()).unwrap();
    assert!(v.get("decision").is_some_and(|d| d.is_null()));
}
