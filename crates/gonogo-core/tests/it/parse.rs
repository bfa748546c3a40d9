//! Files that are not reviews: every problem named with its line and column, all at once.

use crate::{GO, edit, errors, line_of};

#[test]
fn unknown_keys_name_the_closest_known_key() {
    let src = edit(GO, "rollback:", "rollbak:");
    let e = gonogo_core::parse_str(&src).unwrap_err().diagnostics();
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].line, e[0].column), (line_of(&src, "rollbak:"), 1));
    assert_eq!(e[0].message, "unknown key `rollbak` at the top level");
    assert_eq!(e[0].hint.as_deref(), Some("did you mean `rollback`?"));
    let src = edit(GO, "    owner: \"@qa\"", "    ownr: \"@qa\"");
    let e = gonogo_core::parse_str(&src).unwrap_err().diagnostics();
    assert_eq!((e[0].line, e[0].column, e[0].path.as_deref()), (line_of(&src, "ownr"), 5, Some("checklist[0].ownr")));
    assert_eq!(e[0].hint.as_deref(), Some("did you mean `owner`?"));
    // Far from every key: the closest is still named.
    let src = edit(GO, "    owner: \"@qa\"", "    zzzzzz: 1");
    let e = gonogo_core::parse_str(&src).unwrap_err().diagnostics();
    assert!(e[0].hint.as_deref().unwrap().starts_with("the closest known key is `"), "{:?}", e[0].hint);
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let src = edit(GO, "frozen: true", "frozen: yes");
    let src = edit(&src, "status: n/a", "status: partal");
    let src = edit(&src, "for: 2m", "for: 2 minutes");
    let src = edit(&src, "at: 2025-03-05T09:30:00Z", "at: 2025-03-05 09:30");
    let src = edit(&src, "total: 100", "total: -1");
    let src = edit(&src, "above: 0.01\n      for", "above: 1%\n      for");
    let src = edit(&src, "  previous: v3.1.4\n", "  previous: v3.1.4\n  previous: v3.1.3\n");
    let got = errors(&src);
    let lines: Vec<u32> = got.iter().map(|e| e.0).collect();
    assert_eq!(
        lines,
        vec![
            line_of(&src, "frozen: yes"),
            line_of(&src, "previous: v3.1.3"),
            line_of(&src, "partal"),
            line_of(&src, "total: -1"),
            line_of(&src, "above: 1%"),
            line_of(&src, "2 minutes"),
            line_of(&src, "2025-03-05 09:30"),
        ],
        "{got:#?}"
    );
    assert!(got[1].2.contains("duplicate key `previous`"), "{}", got[1].2);
    assert!(got[2].2.contains("`partal` is not one of done, partial"), "{}", got[2].2);
    assert!(got[6].2.contains("not an RFC 3339 time"), "{}", got[6].2);
}

#[test]
fn wrong_types_name_the_expected_type() {
    let src = edit(GO, "checklist:\n", "checklist: {}\nx_checklist:\n");
    let e = errors(&src);
    assert!(e.iter().any(|(l, _, m)| *l == line_of(&src, "checklist: {}") && m.contains("must be a list")), "{e:?}");
    let src = edit(GO, "frozen: true", "frozen: [true]");
    let e = errors(&src);
    assert_eq!(e[0].2, "`release.frozen` must be true or false, found a list");
    let src = edit(GO, "above: 100", "above: \"100\"");
    assert_eq!(errors(&src)[0].2, "`monitoring[1].alert.above` must be a number, found `100`");
}

#[test]
fn durations_and_times() {
    assert!(errors(&edit(GO, "post_deploy_check: 15m", "post_deploy_check: 15"))[0].2.contains("lacks a unit"));
    assert!(errors(&edit(GO, "post_deploy_check: 15m", "post_deploy_check: 15x"))[0].2.contains("unknown unit `x`"));
    let e = errors(&edit(GO, "end: 2025-03-06T10:00:00Z", "end: 2025-03-06T10:00:00"));
    assert!(e[0].2.contains("zone"), "{e:?}");
    let e = errors(&edit(GO, "date: 2025-03-04", "date: 04/03/2025"));
    assert!(e[0].2.contains("is not a date"), "{e:?}");
    let e = errors(&edit(GO, "end: 2025-03-06T10:00:00Z", "end: 2025-03-04T10:00:00Z"));
    assert_eq!(e[0].2, "the window ends before it starts");
    let e = errors(&edit(GO, "due: 2025-03-05T11:30:00Z", "due: 2025-02-30"));
    assert!(e[0].2.contains("neither a date nor an RFC 3339 time"), "{e:?}");
}

#[test]
fn required_fields_and_api_version() {
    let e = errors(&edit(GO, "  service: billing\n", ""));
    // A key that is not written: the mapping it belongs in is pointed at.
    assert_eq!((e[0].0, e[0].2.as_str()), (line_of(GO, "version: v3.2.0") - 1, "`release.service` is required"));
    let e = errors(&edit(GO, "apiVersion: gonogo/v1", "apiVersion: gonogo/v2"));
    assert_eq!(e[0].2, "apiVersion `gonogo/v2` is not supported; write `gonogo/v1`");
    let e = errors("release: { service: a, version: b }\n");
    assert_eq!((e[0].0, e[0].2.as_str()), (1, "`apiVersion` is required"));
    let e = errors(&edit(GO, "    - name: Wrong invoice reported\n", "    - name: Payment queue alert\n"));
    assert!(e[0].2.contains("two triggers are named `Payment queue alert`"), "{e:?}");
}

#[test]
fn covers_that_name_nothing_are_errors_with_a_suggestion() {
    let src = edit(
        GO,
        "  deploy_window:",
        "  conditions:\n    - { text: x, owner: \"@a\", due: 2025-03-05, covers: [Load tst] }\n  deploy_window:",
    );
    let e = gonogo_core::parse_str(&src).unwrap_err().diagnostics();
    assert_eq!(e[0].message, "`Load tst` in `covers` names no rule id and no checklist item");
    assert_eq!(e[0].hint.as_deref(), Some("did you mean `Load test`?"));
}

#[test]
fn empty_not_utf8_oversized_and_bad_yaml() {
    assert_eq!(errors(""), vec![(1, 1, "the file is empty".to_string())]);
    assert_eq!(errors("  \n# only a comment\n"), vec![(1, 1, "the file is empty".to_string())]);
    let e = gonogo_core::parse_bytes(b"apiVersion: gonogo/v1\nrelease: \xff\n").unwrap_err().diagnostics();
    assert_eq!((e[0].line, e[0].column), (2, 10));
    assert!(e[0].message.starts_with("the file is not UTF-8 text"));
    let big = vec![b'#'; gonogo_core::MAX_FILE_BYTES + 1];
    assert!(matches!(gonogo_core::parse_bytes(&big), Err(gonogo_core::ReviewError::TooLarge(_))));
    let e = errors("apiVersion: gonogo/v1\nrelease:\n  service: [a\n");
    assert!(e[0].2.starts_with("invalid YAML"), "{e:?}");
    let e = gonogo_core::parse_str("release:\n  owner: @qa\n").unwrap_err().diagnostics();
    assert_eq!(e[0].hint.as_deref(), Some("a handle must be quoted in YAML: write \"@name\", not @name"));
    let e = errors("a: 1\n---\nb: 2\n");
    assert!(e[0].2.contains("one YAML document"), "{e:?}");
    let e = errors("- just\n- a list\n");
    assert_eq!(e[0].2, "`the file` must be a mapping of keys, found a list");
}

#[test]
fn alias_bombs_are_refused_not_expanded() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        src.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let e = errors(&src);
    assert!(e[0].2.contains("more than"), "{e:?}");
}

#[test]
fn scalars_are_kept_as_written() {
    let src = edit(GO, "version: v3.2.0", "version: 3.10");
    let r = gonogo_core::parse_str(&src).unwrap();
    assert_eq!(r.release.version.value, "3.10");
    assert_eq!((r.release.version.at.line, r.release.version.at.column), (line_of(&src, "version: 3.10"), 12));
}

#[test]
fn conditions_cannot_excuse_the_decision_itself() {
    for rule in ["decision-unsigned", "condition-incomplete", "decision-contradicts-verdict"] {
        let src = edit(
            GO,
            "  deploy_window:",
            &format!(
                "  conditions:\n    - {{ text: x, owner: \"@a\", due: 2025-03-05, covers: [{rule}] }}\n  deploy_window:"
            ),
        );
        let e = errors(&src);
        assert!(e[0].2.starts_with(&format!("`{rule}` cannot be covered")), "{e:?}");
    }
}

#[test]
fn quoted_and_tagged_numbers_are_text() {
    let e = errors(&edit(GO, "failed: 2,", "failed: \"2\","));
    assert_eq!(e[0].2, "`testing.regression.failed` must be a whole number, found `2`");
    let e = errors(&edit(GO, "above: 100", "above: !!str 100"));
    assert_eq!(e[0].2, "`monitoring[1].alert.above` must be a number, found `100`");
    let e = errors(&edit(GO, "item: Load test", "item: \"  \""));
    assert_eq!(e[0].2, "`checklist[1].item` must not be blank");
    let e = errors(&edit(GO, "for: 2m", "for: 300y"));
    assert!(e[0].2.contains("longer than the 290y"), "{e:?}");
}

#[test]
fn emitted_yaml_reads_back_to_the_same_review() {
    use gonogo_core::yaml::{emit, parse, to_json};
    for src in [crate::EXAMPLE, crate::GO, &gonogo_core::skeleton::skeleton("a", "1.0")] {
        let (node, errs) = parse(src);
        assert!(errs.is_empty());
        let value = to_json(&node.unwrap());
        let text = emit(&value);
        let (again, errs) = parse(&text);
        assert!(errs.is_empty(), "{errs:?}\n{text}");
        assert_eq!(to_json(&again.unwrap()), value, "{text}");
        // Same rules, same paths; lines are the emitted file's.
        let a = crate::report(src);
        let b = crate::report(&text);
        let key = |r: &gonogo_core::Report| {
            r.findings.iter().map(|f| (f.rule, f.path.clone(), f.covered)).collect::<Vec<_>>()
        };
        assert_eq!(key(&a), key(&b));
        assert_eq!(a.verdict, b.verdict);
        for f in &b.findings {
            let line = text.lines().nth(f.line as usize - 1).unwrap();
            let leaf = f.path.rsplit('.').next().unwrap().split('[').next().unwrap();
            assert!(line.contains(leaf) || f.path.ends_with(']'), "{f:?} points at {line:?}");
        }
    }
    let tricky =
        serde_json::json!({ "a": { "b": [[1, "x: y"], {}, [], { "c": null, "d": "#hash" }], "e f": "multi\nline" } });
    let (node, _) = parse(&emit(&tricky));
    assert_eq!(to_json(&node.unwrap()), tricky);
}
