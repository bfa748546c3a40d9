//! gonogo-promql against other projects' test vectors, in place in `../shared/conformance`.

use std::path::PathBuf;

mod promql_conformance;

fn conformance() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    assert!(p.exists(), "the conformance data is expected at {} (shared/, beside the checkout)", p.display());
    p
}

/// Every case of the OpenMetrics parser suite: `shouldParse` must match.
#[test]
fn openmetrics_parser_suite() {
    let dir = conformance().join("openmetrics/parsers");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    let mut wrong = Vec::new();
    for case in &cases {
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("test.json")).unwrap()).unwrap();
        let should = meta["shouldParse"].as_bool().unwrap();
        let bytes = std::fs::read(case.join(meta["file"].as_str().unwrap_or("metrics"))).unwrap();
        let got = match std::str::from_utf8(&bytes) {
            Ok(text) => gonogo_promql::exposition::parse_openmetrics(text),
            Err(_) => Err(gonogo_promql::exposition::ParseError { line: 0, message: "not UTF-8".into() }),
        };
        if got.is_ok() != should {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            wrong.push(format!("{name}: shouldParse {should}, got {:?}", got.err()));
        }
    }
    println!("openmetrics parsers: {}/{} match", cases.len() - wrong.len(), cases.len());
    assert!(wrong.is_empty(), "{} of {} cases differ:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

#[test]
fn text_format_0_0_4_as_prometheus_scrapes_it() {
    use gonogo_promql::exposition::parse;
    let text = "# HELP http_requests_total The total.\n# TYPE http_requests_total counter\n\
                http_requests_total{method=\"post\",code=\"200\",} 1027 1395066363000\n\
                http_requests_total { code = \"400\" , method=\"post\" } 3\n\n\
                # A comment\nmetric_without_timestamp_and_labels 12.47\n\
                # TYPE rpc_duration_seconds histogram\nrpc_duration_seconds_bucket{le=\"+Inf\"} 7\nrpc_duration_seconds_sum 1.5\n\
                weird{path=\"a\\\\b\\\"c\\nd\"} NaN\nneg -Inf\n";
    let fams = parse(text, Some("text/plain; version=0.0.4")).unwrap();
    let names: Vec<(&str, &str, usize)> =
        fams.iter().map(|f| (f.name.as_str(), f.typ.as_str(), f.samples.len())).collect();
    assert_eq!(
        names,
        [
            ("http_requests_total", "counter", 2),
            ("metric_without_timestamp_and_labels", "unknown", 1),
            ("rpc_duration_seconds", "histogram", 2),
            ("weird", "unknown", 1),
            ("neg", "unknown", 1)
        ]
    );
    let s = &fams[0].samples[0];
    assert_eq!((s.value, s.timestamp, s.label("code")), (1027.0, Some(1_395_066_363.0), Some("200")));
    assert_eq!(fams[0].samples[1].label("method"), Some("post"));
    assert_eq!(fams[0].help, "The total.");
    assert_eq!(fams[3].samples[0].label("path"), Some("a\\b\"c\nd"));
    assert!(fams[3].samples[0].value.is_nan());
    assert_eq!(fams[4].samples[0].value, f64::NEG_INFINITY);
    for bad in ["1abc 1\n", "a{b=\"c} 1\n", "a 1 2 3\n", "a{b=c} 1\n", "a 1.5.5\n", "a 1 1.5\n"] {
        let e = parse(bad, None).unwrap_err();
        assert_eq!(e.line, 1, "{bad:?}");
    }
    // OpenMetrics is recognised by its `# EOF`.
    assert!(parse("# TYPE a counter\na_total 1\n# EOF\n", None).unwrap()[0].typ == "counter");
}

mod props {
    use proptest::prelude::*;
    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, .. ProptestConfig::default() })]
        #[test]
        fn arbitrary_input_never_panics(text in "[a-z_{}=\",# \\n0-9.+eEInfNa\\\\-]{0,200}") {
            let _ = gonogo_promql::exposition::parse_openmetrics(&text);
            let _ = gonogo_promql::exposition::parse_text(&text);
        }
        #[test]
        fn arbitrary_unicode_never_panics(text in "\\PC{0,120}") {
            let _ = gonogo_promql::exposition::parse_openmetrics(&text);
            let _ = gonogo_promql::exposition::parse_text(&text);
        }
    }
}
