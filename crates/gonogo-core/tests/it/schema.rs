//! The JSON Schema, validated by a real validator (Python's `jsonschema`, draft 2020-12)
//! against the files the decoder accepts and rejects.

use crate::{EXAMPLE, GO, edit};
use std::io::Write;
use std::process::{Command, Stdio};

/// Validates each document against the schema; returns one verdict per document.
fn validate(docs: &[&str]) -> Vec<bool> {
    let json: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| {
            let (node, errs) = gonogo_core::yaml::parse(d);
            assert!(errs.is_empty(), "{errs:?}");
            gonogo_core::yaml::to_json(&node.unwrap())
        })
        .collect();
    let input = serde_json::json!({ "schema": serde_json::from_str::<serde_json::Value>(gonogo_core::schema::schema_json()).unwrap(), "docs": json });
    let script = "import sys, json, jsonschema\n\
        d = json.load(sys.stdin)\n\
        jsonschema.Draft202012Validator.check_schema(d['schema'])\n\
        v = jsonschema.Draft202012Validator(d['schema'])\n\
        for doc in d['docs']:\n    errs = list(v.iter_errors(doc))\n    print('ok' if not errs else 'bad: ' + errs[0].message[:200])\n";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (.ci/run installs jsonschema with pip)");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l == "ok").collect()
}

#[test]
fn schema_accepts_what_the_decoder_accepts() {
    let skeleton = gonogo_core::skeleton::skeleton("reports", "v1");
    assert!(gonogo_core::parse_str(&skeleton).is_ok());
    assert_eq!(validate(&[EXAMPLE, GO, &skeleton]), [true, true, true]);
}

#[test]
fn schema_rejects_what_the_decoder_rejects() {
    let bad = [
        edit(GO, "rollback:", "rollbak:"),
        edit(GO, "status: n/a", "status: partal"),
        edit(GO, "frozen: true", "frozen: yes"),
        edit(GO, "for: 2m", "for: 2 minutes"),
        edit(GO, "apiVersion: gonogo/v1", "apiVersion: gonogo/v2"),
        edit(GO, "  service: billing\n", ""),
        edit(GO, "end: 2025-03-06T10:00:00Z", "end: tomorrow"),
    ];
    for b in &bad {
        assert!(gonogo_core::parse_str(b).is_err());
    }
    let docs: Vec<&str> = bad.iter().map(String::as_str).collect();
    assert_eq!(validate(&docs), [false; 7]);
}
