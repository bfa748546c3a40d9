//! init, schema, render and export from the command line.

use crate::*;

#[test]
fn init_writes_a_skeleton_that_parses_and_fails_check() {
    let dir = temp_dir("init");
    let o = gonogo_in(&dir, &["init", "--service", "reports", "--version", "v2.14.0", "-o", "review.yaml"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = gonogo_in(&dir, &["check", "review.yaml", "--format", "json"], None);
    assert_eq!(code(&o), 1, "a blank review is NO-GO, not invalid");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "release-not-frozen",
            "runbook-missing",
            "checklist-not-done",
            "qa-signoff-missing",
            "rollback-untested",
            "no-triggers",
            "rollback-steps-missing",
            "on-call-not-named",
            "on-call-not-accepted",
            "on-call-window-short",
            "alert-threshold-missing",
            "dashboard-not-verified",
        ]
    );
    // Never overwrites.
    let o = gonogo_in(&dir, &["init", "-o", "review.yaml"], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("never overwrites"));
}

#[test]
fn schema_is_json_schema() {
    let o = gonogo(&["schema"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(v["required"], serde_json::json!(["apiVersion", "release"]));
}

#[test]
fn render_both_formats() {
    let o = gonogo(&["render", "examples/reports-v2.14.0.yaml", "--format", "markdown"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("GO WITH CONDITIONS"));
    let o = gonogo(&["render", "examples/reports-v2.14.0.yaml", "--format", "html"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("<!doctype html>") || stdout(&o).starts_with("<!DOCTYPE html>"));
    let o = gonogo(&["render", "fixtures/nope.yaml"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn export_targets() {
    let o = gonogo(&["export", "examples/reports-v2.14.0.yaml", "--to", "prometheus-rules"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("groups:"));
    let o = gonogo(&["export", "examples/reports-v2.14.0.yaml", "--to", "argo-analysis"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("kind: AnalysisTemplate"));
    let o = gonogo(&["export", "examples/reports-v2.14.0.yaml", "--to", "ics"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("BEGIN:VCALENDAR\r\n"));
    let dir = temp_dir("export");
    let p = dir.join("bare.yaml");
    std::fs::write(&p, "apiVersion: gonogo/v1\nrelease: { service: a, version: b }\n").unwrap();
    let o = gonogo(&["export", p.to_str().unwrap(), "--to", "ics"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nothing to put in a calendar"), "{}", stderr(&o));
    let o = gonogo(&["export", "examples/reports-v2.14.0.yaml", "--to", "pdf"]);
    assert_eq!(code(&o), 2, "clap rejects an unknown target");
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in ["check", "render", "init", "schema", "export", "watch", "verify", "trigger fire"] {
        let mut args: Vec<&str> = cmd.split(' ').collect();
        args.push("--help");
        let o = gonogo(&args);
        assert_eq!(code(&o), 0, "{cmd}");
        let text = stdout(&o);
        assert!(text.contains("Example"), "{cmd} --help has no example:\n{text}");
    }
    let o = gonogo(&["--help"]);
    assert!(stdout(&o).contains("gonogo check review.yaml"));
}
