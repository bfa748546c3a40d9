//! `gonogo check`: verdicts, exit codes, the four formats, history, bad input.

use crate::*;

const EXAMPLE: &str = "examples/reports-v2.14.0.yaml";

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn example_snapshots() {
    for (format, name) in
        [("human", "check_human"), ("json", "check_json"), ("sarif", "check_sarif"), ("markdown", "check_markdown")]
    {
        let o = gonogo(&["check", EXAMPLE, "--format", format, "--color", "never"]);
        assert_eq!(code(&o), 0, "{format}: {}", stderr(&o));
        insta::assert_snapshot!(name, stdout(&o));
    }
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = stdout(&gonogo(&["check", EXAMPLE]));
    assert!(!plain.contains('\x1b'), "a pipe gets no colour");
    let coloured = stdout(&gonogo(&["check", EXAMPLE, "--color", "always"]));
    assert!(coloured.contains("\x1b[1;36mblocker[checklist-not-done] (covered)\x1b[0m"), "{coloured}");
}

#[test]
fn verdicts_and_exit_codes() {
    let dir = temp_dir("verdicts");
    let go = fixture("fixtures/go.yaml");
    let o = gonogo(&["check", "fixtures/go.yaml", "--format", "json"]);
    assert_eq!(code(&o), 0);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()["verdict"], "go");

    let no_go = write(&dir, "no-go.yaml", &go.replace("accepted: true", "accepted: false"));
    let o = gonogo(&["check", &no_go, "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["verdict"], "no_go");
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["on-call-not-accepted", "decision-contradicts-verdict"]);

    let human = gonogo(&["check", &no_go]);
    assert_eq!(code(&human), 1);
    assert!(
        stdout(&human).ends_with("verdict: NO-GO for billing v3.2.0 (2 uncovered blockers of 2; 0 warnings)\n"),
        "{}",
        stdout(&human)
    );

    let invalid = write(&dir, "invalid.yaml", &go.replace("rollback:", "rollbak:"));
    let o = gonogo(&["check", &invalid]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("error: unknown key `rollbak` at the top level"), "{}", stderr(&o));
    assert!(stderr(&o).contains("= help: did you mean `rollback`?"));
    assert!(stdout(&o).is_empty(), "nothing half-written on stdout");
    let o = gonogo(&["check", &invalid, "--format", "json"]);
    assert_eq!(code(&o), 2);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["line"], go.lines().position(|l| l == "rollback:").unwrap() + 1);
    assert!(v["error"].as_str().unwrap().ends_with("unknown key `rollbak` at the top level"));
}

#[test]
fn require_decision_needs_a_recorded_go() {
    let dir = temp_dir("require");
    assert_eq!(code(&gonogo(&["check", EXAMPLE, "--require-decision"])), 0);
    let pending = write(&dir, "pending.yaml", &fixture("fixtures/go.yaml").replace("outcome: go", "outcome: pending"));
    assert_eq!(code(&gonogo(&["check", &pending])), 0);
    let o = gonogo(&["check", &pending, "--require-decision"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("the recorded decision is `pending`, not `go`"));
    let none = write(&dir, "none.yaml", &fixture("fixtures/go.yaml").replace("  outcome: go\n", ""));
    assert_eq!(code(&gonogo(&["check", &none, "--require-decision"])), 1);
}

#[test]
fn history_folder_feeds_on_call_rotation() {
    let dir = temp_dir("history");
    let go = fixture("fixtures/go.yaml");
    let prev = go.replace("v3.2.0", "v3.1.4").replace("2025-03-05", "2025-02-05").replace("2025-03-06", "2025-02-06");
    write(&dir, "billing-v3.1.4.yaml", &prev);
    write(&dir, "notes.txt", "not a review, and not read");
    let o = gonogo(&["check", "fixtures/go.yaml", "--history", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code(&o), 0, "a warning keeps GO");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["findings"][0]["rule"], "on-call-not-rotated");
    assert_eq!(v["findings"][0]["severity"], "warning");
    assert!(v["findings"][0]["message"].as_str().unwrap().contains("billing-v3.1.4.yaml"));
    // A broken history file is named, not skipped.
    write(&dir, "broken.yaml", "apiVersion: [");
    let o = gonogo(&["check", "fixtures/go.yaml", "--history", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("broken.yaml:"), "{}", stderr(&o));
}

#[test]
fn unreadable_inputs_exit_2_with_the_place() {
    let dir = temp_dir("inputs");
    let o = gonogo(&["check", "no/such/review.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).starts_with("error: reading no/such/review.yaml: "), "{}", stderr(&o));
    let o = gonogo(&["check", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is a folder"));
    let big = dir.join("big.yaml");
    std::fs::File::create(&big).unwrap().set_len(17 * 1024 * 1024).unwrap();
    let o = gonogo(&["check", big.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("gonogo reads review files up to 16 MiB"), "{}", stderr(&o));
    let bin = write(&dir, "latin1.yaml", "");
    std::fs::write(&bin, b"apiVersion: gonogo/v1\nrelease: { service: caf\xe9 }\n").unwrap();
    let o = gonogo(&["check", &bin]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains(&format!("--> {bin}:2:24")), "{}", stderr(&o));
    let empty = write(&dir, "empty.yaml", "");
    let o = gonogo(&["check", &empty]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("the file is empty"));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let o = gonogo_in(&root(), &["check", "-", "--format", "json"], Some(fixture(EXAMPLE).as_bytes()));
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("\"verdict\": \"go_with_conditions\""));
    let o = gonogo_in(&root(), &["check", "-"], Some(b"rollbak: 1\n"));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--> <stdin>:1:1"), "{}", stderr(&o));
}
