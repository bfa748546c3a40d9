//! Each rule of DESIGN.md §3: a case where it fires, at the right path and line, and one
//! where it does not.

use crate::{EXAMPLE, GO, edit, findings, fired, line_of, report, report_with};
use gonogo_core::PastReview;

#[test]
fn the_clean_fixture_has_no_finding() {
    assert_eq!(findings(GO), vec![]);
}

#[test]
fn checklist_not_done() {
    let src = edit(GO, "status: n/a", "status: partial");
    let line = line_of(&src, "status: partial");
    assert_eq!(
        findings(&src),
        vec![
            ("checklist-not-done", "checklist[1].status".to_string(), line, false),
            ("decision-contradicts-verdict", "decision.outcome".to_string(), line_of(&src, "outcome: go"), false),
        ]
    );
    for st in ["blocked", "not_started"] {
        let src = edit(GO, "status: n/a", &format!("status: {st}"));
        assert_eq!(fired(&src, "checklist-not-done"), vec![("checklist[1].status".into(), line)]);
    }
    // A missing status is not a done one; the finding points at the item.
    let src = edit(GO, "    status: n/a\n", "");
    assert_eq!(
        fired(&src, "checklist-not-done"),
        vec![("checklist[1].status".into(), line_of(&src, "item: Load test"))]
    );
    // done and n/a are ready.
    assert_eq!(fired(GO, "checklist-not-done"), vec![]);
}

#[test]
fn open_p0_p1() {
    for p in ["P0", "P1", "p1"] {
        let src = edit(GO, "priority: P3", &format!("priority: {p}"));
        assert_eq!(fired(&src, "open-p0-p1"), vec![("testing.known_issues[0].priority".into(), line_of(&src, "#77"))]);
    }
    let src = edit(GO, "priority: P3", "priority: P2");
    assert_eq!(fired(&src, "open-p0-p1"), vec![]);
}

#[test]
fn regression_new_failures() {
    let src = edit(GO, "passed: 98, failed: 2, preexisting: 2", "passed: 97, failed: 3, preexisting: 2");
    let line = line_of(&src, "regression:");
    assert_eq!(fired(&src, "regression-new-failures"), vec![("testing.regression.failed".into(), line)]);
    let r = report(&src);
    assert!(r.findings[0].message.contains("1 of them new"), "{}", r.findings[0].message);
    // Counts that do not add up.
    let src = edit(GO, "total: 100", "total: 120");
    assert_eq!(fired(&src, "regression-new-failures"), vec![("testing.regression.total".into(), line)]);
    // All failures pre-existing: fine.
    assert_eq!(fired(GO, "regression-new-failures"), vec![]);
}

#[test]
fn qa_signoff_missing() {
    let src = edit(GO, "  qa_signoff: { by: \"@qa\", at: 2025-03-03T09:00:00Z }\n", "");
    assert_eq!(fired(&src, "qa-signoff-missing"), vec![("testing.qa_signoff".into(), line_of(&src, "testing:"))]);
    let src = edit(GO, "qa_signoff: { by: \"@qa\", at", "qa_signoff: { at");
    assert_eq!(fired(&src, "qa-signoff-missing"), vec![("testing.qa_signoff.by".into(), line_of(&src, "qa_signoff"))]);
    assert_eq!(fired(GO, "qa-signoff-missing"), vec![]);
}

#[test]
fn release_not_frozen() {
    let src = edit(GO, "frozen: true", "frozen: false");
    assert_eq!(fired(&src, "release-not-frozen"), vec![("release.frozen".into(), line_of(&src, "frozen: false"))]);
    let src = edit(GO, "  tag: v3.2.0\n", "");
    assert_eq!(fired(&src, "release-not-frozen"), vec![("release.tag".into(), line_of(&src, "release:"))]);
    let src = edit(GO, "  tag: v3.2.0\n", "  tag:\n");
    assert_eq!(fired(&src, "release-not-frozen"), vec![("release.tag".into(), line_of(&src, "tag:"))]);
}

#[test]
fn runbook_missing() {
    let src = edit(GO, "  runbook: https://wiki.example.com/runbooks/billing-v3.2.0\n", "  runbook: \"\"\n");
    assert_eq!(fired(&src, "runbook-missing"), vec![("release.runbook".into(), line_of(&src, "runbook:"))]);
    assert_eq!(fired(GO, "runbook-missing"), vec![]);
}

#[test]
fn vague_trigger() {
    let vague = [
        // A sentence.
        ("    - name: Wrong invoice reported\n      manual: true\n", "    - We'll roll back if there are problems\n"),
        // A query without a threshold.
        ("      above: 0.01\n", ""),
        // Two kinds at once.
        ("      manual: true\n", "      manual: true\n      alert: Foo\n"),
        // Both thresholds.
        ("      above: 0.01\n", "      above: 0.01\n      below: 0.001\n"),
        // manual: false and nothing else.
        ("      manual: true\n", "      manual: false\n"),
    ];
    for (old, new) in vague {
        let src = edit(GO, old, new);
        let got = fired(&src, "vague-trigger");
        assert_eq!(got.len(), 1, "{new:?}: {got:?}");
        assert!(got[0].0.starts_with("rollback.triggers["), "{got:?}");
    }
    let src = edit(GO, "      above: 0.01\n", "");
    assert_eq!(
        fired(&src, "vague-trigger"),
        vec![("rollback.triggers[0].name".into(), line_of(&src, "Error ratio above"))]
    );
    assert_eq!(fired(GO, "vague-trigger"), vec![]);
}

#[test]
fn invalid_query() {
    let src = edit(GO, "query: max(payment_queue_depth)", "query: max(payment_queue_depth");
    let r = report(&src);
    let f: Vec<_> = r.findings.iter().filter(|f| f.rule == "invalid-query").collect();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].path.as_str(), f[0].line), ("monitoring[1].query", line_of(&src, "max(payment_queue_depth")));
    assert!(f[0].message.contains("invalid PromQL: "), "{}", f[0].message);
    let src = edit(GO, "[5m])) / sum", "[5x])) / sum");
    let f = fired(&src, "invalid-query");
    assert_eq!(f, vec![("rollback.triggers[0].query".into(), line_of(&src, "[5x]"))]);
    assert_eq!(fired(GO, "invalid-query"), vec![]);
}

#[test]
fn no_triggers_and_no_steps() {
    let start = GO.find("  triggers:").unwrap();
    let end = GO.find("  steps:").unwrap();
    let src = format!("{}  triggers: []\n{}", &GO[..start], &GO[end..]);
    assert_eq!(fired(&src, "no-triggers"), vec![("rollback.triggers".into(), line_of(&src, "triggers: []"))]);
    let src = edit(GO, "  steps:\n    - Disable the new_invoices flag\n", "  steps: []\n");
    assert_eq!(fired(&src, "rollback-steps-missing"), vec![("rollback.steps".into(), line_of(&src, "steps: []"))]);
    assert_eq!(fired(GO, "no-triggers"), vec![]);
    assert_eq!(fired(GO, "rollback-steps-missing"), vec![]);
}

#[test]
fn rollback_untested() {
    for st in ["partial", "not_started"] {
        let src = edit(GO, "tested_in_staging: done", &format!("tested_in_staging: {st}"));
        assert_eq!(
            fired(&src, "rollback-untested"),
            vec![("rollback.tested_in_staging".into(), line_of(&src, "tested_in_staging"))]
        );
    }
    assert_eq!(fired(GO, "rollback-untested"), vec![]);
}

#[test]
fn on_call_not_named() {
    let line = line_of(GO, "primary:");
    for who in [
        "the team",
        "team",
        "everyone",
        "all",
        "nobody",
        "\"@dev-tom, @maria\"",
        "\"@dev-tom @maria\"",
        "\"@payments\"",
        "\"@payments-team\"",
    ] {
        let src = edit(GO, "primary: \"@dev-tom\"", &format!("primary: {who}"));
        assert_eq!(fired(&src, "on-call-not-named"), vec![("on_call.primary".into(), line)], "{who}");
    }
    let src = edit(GO, "  primary: \"@dev-tom\"\n", "");
    assert_eq!(fired(&src, "on-call-not-named"), vec![("on_call.primary".into(), line_of(&src, "on_call:"))]);
    assert_eq!(fired(GO, "on-call-not-named"), vec![]);
    // A person whose handle merely contains a group word's letters is a person.
    let src = edit(GO, "primary: \"@dev-tom\"", "primary: \"@allison\"");
    assert_eq!(fired(&src, "on-call-not-named"), vec![]);
}

#[test]
fn on_call_not_accepted() {
    let src = edit(GO, "accepted: true", "accepted: false");
    assert_eq!(
        fired(&src, "on-call-not-accepted"),
        vec![("on_call.accepted".into(), line_of(&src, "accepted: false"))]
    );
    assert_eq!(fired(GO, "on-call-not-accepted"), vec![]);
}

#[test]
fn on_call_window_short() {
    let src = edit(GO, "end: 2025-03-06T10:00:00Z", "end: 2025-03-06T09:59:00Z");
    let f = report(&src).findings;
    let f: Vec<_> = f.iter().filter(|f| f.rule == "on-call-window-short").collect();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].path.as_str(), f[0].line), ("on_call.window.end", line_of(&src, "end: 2025-03-06T09:59")));
    assert!(
        f[0].message.contains("24.0 h") || f[0].message.contains("23.98 h") || f[0].message.contains("24"),
        "{}",
        f[0].message
    );
    // Exactly 24 h after the deploy window starts is enough.
    assert_eq!(fired(GO, "on-call-window-short"), vec![]);
    let src = edit(GO, "  window: { start: 2025-03-05T10:00:00Z, end: 2025-03-06T10:00:00Z }\n", "");
    assert_eq!(fired(&src, "on-call-window-short"), vec![("on_call.window".into(), line_of(&src, "on_call:"))]);
}

#[test]
fn on_call_not_rotated_reads_history() {
    let past = |version: &str, when: &str, primary: &str| PastReview {
        service: "billing".into(),
        version: version.into(),
        when: Some(when.parse().unwrap()),
        primary: Some(primary.into()),
        source: format!("{version}.yaml"),
    };
    let line = line_of(GO, "primary:");
    let same = [past("v3.1.4", "2025-02-01T10:00:00Z", "@dev-tom"), past("v3.1.3", "2025-01-01T10:00:00Z", "@dev-tom")];
    let r = report_with(GO, &same);
    let f: Vec<_> = r.findings.iter().filter(|f| f.rule == "on-call-not-rotated").collect();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].path.as_str(), f[0].line, f[0].severity.as_str()), ("on_call.primary", line, "warning"));
    assert!(f[0].message.contains("previous 2 reviews"), "{}", f[0].message);
    // A warning does not change the verdict.
    assert_eq!(r.verdict.as_str(), "go");
    // Rotated: the previous review had someone else.
    let rotated =
        [past("v3.1.4", "2025-02-01T10:00:00Z", "@maria"), past("v3.1.3", "2025-01-01T10:00:00Z", "@dev-tom")];
    assert!(report_with(GO, &rotated).findings.is_empty());
    // Later reviews, other services and this very review do not count.
    let other = [
        past("v3.3.0", "2025-04-01T10:00:00Z", "@dev-tom"),
        past("v3.2.0", "2025-03-05T10:00:00Z", "@dev-tom"),
        PastReview { service: "search".into(), ..past("v1", "2025-02-01T10:00:00Z", "@dev-tom") },
    ];
    assert!(report_with(GO, &other).findings.is_empty());
}

#[test]
fn dashboard_not_verified_and_alert_threshold_missing() {
    let src = edit(GO, "    verified_live: true\n  - metric: Payment", "    verified_live: false\n  - metric: Payment");
    assert_eq!(
        fired(&src, "dashboard-not-verified"),
        vec![("monitoring[0].verified_live".into(), line_of(&src, "verified_live: false"))]
    );
    let src = edit(GO, "    verified_live: true\n  - metric: Payment", "\n  - metric: Payment");
    assert_eq!(
        fired(&src, "dashboard-not-verified"),
        vec![("monitoring[0].verified_live".into(), line_of(&src, "metric: Error ratio"))]
    );
    let src = edit(
        GO,
        "alert: { above: 100, notify: pagerduty, rule: PaymentQueueDepth }",
        "alert: { notify: pagerduty, rule: PaymentQueueDepth }",
    );
    assert_eq!(
        fired(&src, "alert-threshold-missing"),
        vec![("monitoring[1].alert".into(), line_of(&src, "alert: { notify"))]
    );
    assert_eq!(fired(GO, "dashboard-not-verified"), vec![]);
    assert_eq!(fired(GO, "alert-threshold-missing"), vec![]);
}

#[test]
fn trigger_not_monitored() {
    let src = edit(
        GO,
        "query: max(payment_queue_depth)\n    alert: { above: 100, notify: pagerduty, rule: PaymentQueueDepth }",
        "query: max(payment_queue_depth)\n    alert: { above: 100, notify: pagerduty }",
    );
    assert_eq!(
        fired(&src, "trigger-not-monitored"),
        vec![("rollback.triggers[1].alert".into(), line_of(&src, "alert: PaymentQueueDepth"))]
    );
    let src = edit(
        GO,
        "query: sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))\n    alert",
        "query: sum(rate(other_total[5m]))\n    alert",
    );
    assert_eq!(
        fired(&src, "trigger-not-monitored"),
        vec![("rollback.triggers[0].query".into(), line_of(&src, "query: sum(rate(http"))]
    );
    assert_eq!(report(&src).verdict.as_str(), "go", "a warning is not a blocker");
    assert_eq!(fired(GO, "trigger-not-monitored"), vec![]);
}

#[test]
fn action_item_incomplete() {
    let src = edit(GO, "{ owner: \"@dev-tom\", action: Post", "{ action: Post");
    assert_eq!(
        fired(&src, "action-item-incomplete"),
        vec![("action_items[0].owner".into(), line_of(&src, "action: Post"))]
    );
    let src = edit(GO, ", due: 2025-03-05T11:30:00Z", "");
    assert_eq!(
        fired(&src, "action-item-incomplete"),
        vec![("action_items[0].due".into(), line_of(&src, "action: Post"))]
    );
    assert_eq!(fired(GO, "action-item-incomplete"), vec![]);
}

#[test]
fn decision_unsigned() {
    let src = edit(GO, "  by: \"@maria\"\n", "");
    assert_eq!(fired(&src, "decision-unsigned"), vec![("decision.by".into(), line_of(&src, "outcome: go"))]);
    // A pending decision needs no signature yet.
    let src = edit(&src, "outcome: go", "outcome: pending");
    assert_eq!(fired(&src, "decision-unsigned"), vec![]);
}

#[test]
fn decision_contradicts_verdict_only_for_uncovered_blockers() {
    let src = edit(GO, "accepted: true", "accepted: false");
    assert_eq!(
        fired(&src, "decision-contradicts-verdict"),
        vec![("decision.outcome".into(), line_of(&src, "outcome: go"))]
    );
    let covered = edit(
        &src,
        "  deploy_window:",
        "  conditions:\n    - { text: Tom accepts before 10:00, owner: \"@maria\", due: 2025-03-05T10:00:00Z, covers: [on-call-not-accepted] }\n  deploy_window:",
    );
    assert_eq!(fired(&covered, "decision-contradicts-verdict"), vec![]);
    assert_eq!(report(&covered).verdict.as_str(), "go_with_conditions");
    // Without a GO there is nothing to contradict.
    let pending = edit(&src, "outcome: go", "outcome: pending");
    assert_eq!(fired(&pending, "decision-contradicts-verdict"), vec![]);
}

#[test]
fn condition_incomplete() {
    let src = edit(GO, "  deploy_window:", "  conditions:\n    - text: Someone checks the flag\n  deploy_window:");
    assert_eq!(
        fired(&src, "condition-incomplete"),
        vec![("decision.conditions[0].owner".into(), line_of(&src, "Someone checks"))]
    );
    let src = edit(
        GO,
        "  deploy_window:",
        "  conditions:\n    - { text: Tom checks, owner: \"@dev-tom\" }\n  deploy_window:",
    );
    assert_eq!(
        fired(&src, "condition-incomplete"),
        vec![("decision.conditions[0].due".into(), line_of(&src, "Tom checks"))]
    );
}

#[test]
fn the_example_is_go_with_conditions_naming_the_partial_rollback_test() {
    let r = report(EXAMPLE);
    assert_eq!(r.verdict.as_str(), "go_with_conditions");
    let got: Vec<_> = r.findings.iter().map(|f| (f.rule, f.path.as_str(), f.line, f.covered)).collect();
    assert_eq!(
        got,
        vec![
            ("checklist-not-done", "checklist[7].status", line_of(EXAMPLE, "status: partial"), true),
            ("rollback-untested", "rollback.tested_in_staging", line_of(EXAMPLE, "tested_in_staging: partial"), true),
        ]
    );
    assert!(r.findings[0].message.contains("Rollback tested in staging"));
}

#[test]
fn every_rule_id_is_the_designs() {
    let ids: Vec<&str> = gonogo_core::rules::RULES.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "checklist-not-done",
            "open-p0-p1",
            "regression-new-failures",
            "qa-signoff-missing",
            "release-not-frozen",
            "runbook-missing",
            "vague-trigger",
            "invalid-query",
            "no-triggers",
            "rollback-steps-missing",
            "rollback-untested",
            "on-call-not-named",
            "on-call-not-accepted",
            "on-call-window-short",
            "on-call-not-rotated",
            "dashboard-not-verified",
            "alert-threshold-missing",
            "trigger-not-monitored",
            "action-item-incomplete",
            "decision-unsigned",
            "decision-contradicts-verdict",
            "condition-incomplete",
        ]
    );
    let warnings: Vec<&str> =
        gonogo_core::rules::RULES.iter().filter(|r| r.severity.as_str() == "warning").map(|r| r.id).collect();
    assert_eq!(warnings, ["on-call-not-rotated", "trigger-not-monitored"]);
}

#[test]
fn blank_values_are_absent() {
    let src = edit(GO, "{ owner: \"@dev-tom\", action: Post", "{ owner: \"  \", action: Post");
    assert_eq!(
        fired(&src, "action-item-incomplete"),
        vec![("action_items[0].owner".into(), line_of(&src, "action: Post"))]
    );
    let src = edit(GO, "qa_signoff: { by: \"@qa\"", "qa_signoff: { by: \"\"");
    assert_eq!(fired(&src, "qa-signoff-missing").len(), 1);
    let src = edit(GO, "  tag: v3.2.0", "  tag: \"\"");
    assert_eq!(fired(&src, "release-not-frozen").len(), 1);
    let src = edit(GO, "alert: PaymentQueueDepth", "alert: \"\"");
    assert_eq!(fired(&src, "vague-trigger").len(), 1);
    let src = edit(GO, "runbook: https://wiki.example.com/runbooks/billing-v3.2.0", "runbook: TODO");
    assert_eq!(fired(&src, "runbook-missing"), vec![("release.runbook".into(), line_of(&src, "runbook: TODO"))]);
}

#[test]
fn queries_prometheus_2_would_reject_are_invalid() {
    for (q, why) in [
        ("http_requests_total[5m]", "matrix"),
        ("limitk(2, up)", "`limitk`"),
        ("sort_by_label(up, \"a\")", "sort_by_label()"),
    ] {
        let src = edit(GO, "query: max(payment_queue_depth)", &format!("query: '{q}'"));
        let r = report(&src);
        let f: Vec<_> = r.findings.iter().filter(|f| f.rule == "invalid-query").collect();
        assert_eq!(f.len(), 1, "{q}");
        assert!(f[0].message.contains(why), "{q}: {}", f[0].message);
    }
}

#[test]
fn on_call_handles_are_people_unless_they_read_as_groups() {
    for person in ["\"@j.o-all\"", "\"@nobody-x\"", "\"james@example.com\"", "\"@allison\""] {
        let src = edit(GO, "primary: \"@dev-tom\"", &format!("primary: {person}"));
        assert_eq!(fired(&src, "on-call-not-named"), vec![], "{person}");
    }
    for group in ["\"@sre-oncall\"", "\"@team-lead\"", "payments", "\"@a & @b\""] {
        let src = edit(GO, "primary: \"@dev-tom\"", &format!("primary: {group}"));
        assert_eq!(fired(&src, "on-call-not-named").len(), 1, "{group}");
    }
}
