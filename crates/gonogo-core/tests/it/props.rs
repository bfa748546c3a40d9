//! Whatever the input, `check` answers with a report or errors: it never panics.

use proptest::prelude::*;

fn check(bytes: &[u8]) {
    if let Ok((_, rep)) = gonogo_core::check(bytes, &[]) {
        let _ = rep.to_json();
    }
}

/// YAML-shaped text from review keys, values of every kind, and indentation.
fn yamlish() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "apiVersion",
        "release",
        "service",
        "version",
        "checklist",
        "item",
        "status",
        "rollback",
        "triggers",
        "name",
        "query",
        "above",
        "below",
        "for",
        "alert",
        "manual",
        "on_call",
        "primary",
        "window",
        "start",
        "end",
        "monitoring",
        "metric",
        "decision",
        "outcome",
        "conditions",
        "covers",
        "action_items",
        "due",
        "testing",
        "regression",
        "total",
        "failed",
        "known_issues",
        "priority",
        "- ",
        "x",
    ]);
    let value = prop::sample::select(vec![
        "",
        "gonogo/v1",
        "done",
        "partial",
        "1",
        "-3",
        "0.02",
        "1e400",
        "true",
        "no",
        "~",
        "[]",
        "{}",
        "\"@a\"",
        "2024-12-13T12:00:00Z",
        "2024-13-45",
        "5m",
        "10x",
        "sum(rate(x[5m]))",
        "sum(",
        "&a",
        "*a",
        "!!str",
        "|",
        "P0",
        "[a, {b: c}]",
        "'quoted'",
        "\"\\u0000\"",
        "\t",
        "P9",
    ]);
    prop::collection::vec((0usize..4, key, value), 0..40)
        .prop_map(|lines| lines.into_iter().map(|(ind, k, v)| format!("{}{k}: {v}\n", "  ".repeat(ind))).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_yaml_never_panics(text in yamlish()) {
        check(text.as_bytes());
    }

    #[test]
    fn mutated_example_never_panics(cut in 0usize..6000, insert in "[ -~\n]{0,12}") {
        let src = crate::EXAMPLE;
        let at = (cut % src.len()).min(src.len());
        let at = (0..=at).rev().find(|i| src.is_char_boundary(*i)).unwrap_or(0);
        let text = format!("{}{}{}", &src[..at], insert, &src[at..]);
        check(text.as_bytes());
    }
}
