//! Exports, held to the tools that read them: Debian's `promtool` for the rules, Python's
//! `icalendar` for the calendar, a YAML parser for the Argo template.

use crate::{EXAMPLE, GO, edit};
use std::io::Write;
use std::process::Command;

fn review(src: &str) -> gonogo_core::Review {
    gonogo_core::parse_str(src).unwrap()
}

fn tool(name: &str) -> Command {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().is_ok_and(|o| o.status.success());
    assert!(found, "`{name}` is not installed: .ci/run installs it (Debian's prometheus package, pip's icalendar)");
    Command::new(name)
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gonogo-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
    p
}

/// Every review these tests export rules from.
fn cases() -> Vec<(&'static str, String)> {
    vec![
        ("example", EXAMPLE.to_string()),
        ("go", GO.to_string()),
        ("below", edit(GO, "above: 0.01\n      for: 2m", "below: 0.5\n      for: 1h30m")),
        (
            "same-names",
            edit(
                GO,
                "    - name: Payment queue alert\n      alert: PaymentQueueDepth\n",
                "    - name: \"Error ratio above 1%!\"\n      query: up == 0\n      above: 0\n",
            ),
        ),
        (
            "no-metric-triggers",
            edit(
                GO,
                "      query: sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))\n      above: 0.01\n      for: 2m\n",
                "      manual: true\n",
            ),
        ),
        (
            "comment",
            edit(
                GO,
                "query: sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))\n      above: 0.01",
                "query: |\n        sum(rate(http_requests_total[5m])) # all requests\n      above: 0.01",
            ),
        ),
        ("template", edit(GO, "    - name: Error ratio above 1%", "    - name: \"{{ bad }} and {{ .Foo }}\"")),
        (
            "invalid",
            edit(
                GO,
                "query: sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))\n      above: 0.01",
                "query: http_requests_total[5m]\n      above: 0.01",
            ),
        ),
        ("huge", edit(GO, "above: 0.01\n      for: 2m", "above: 1e21\n      for: 2m")),
        (
            "quotes",
            edit(
                GO,
                "query: sum(rate(http_requests_total{code=~\"5..\"}[5m]))",
                "query: sum(rate(http_requests_total{code=~\"5..\", path='/a\\\\b'}[5m]))",
            ),
        ),
    ]
}

#[test]
fn promtool_accepts_every_exported_rules_file() {
    for (name, src) in cases() {
        let rules = gonogo_core::export::prometheus_rules(&review(&src)).unwrap();
        let path = temp_file(&format!("{name}.rules.yml"), &rules);
        let out = tool("promtool").arg("check").arg("rules").arg(&path).output().unwrap();
        assert!(
            out.status.success(),
            "{name}: promtool said {}\n{}\n{rules}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let expect = match name {
            "no-metric-triggers" | "invalid" => 0,
            "same-names" | "example" => 2,
            _ => 1,
        };
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("SUCCESS: {expect} rules found")),
            "{name}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn rules_carry_threshold_for_and_labels() {
    let rules = gonogo_core::export::prometheus_rules(&review(EXAMPLE)).unwrap();
    assert!(
        rules.contains(
            "expr: \"(histogram_quantile(0.95, sum by (le) (rate(report_generation_seconds_bucket[5m])))) > 10\""
        ),
        "{rules}"
    );
    assert!(rules.contains("for: 10m"));
    assert!(rules.contains("service: \"reports\"") && rules.contains("version: \"v2.14.0\""));
    let below = edit(GO, "above: 0.01\n      for: 2m", "below: 0.5\n      for: 1h30m");
    let rules = gonogo_core::export::prometheus_rules(&review(&below)).unwrap();
    assert!(rules.contains(") < 0.5\"") && rules.contains("for: 1h30m"), "{rules}");
    // User text is not a template: `{{` stays as written when Prometheus expands labels.
    let (_, templ) = cases().into_iter().find(|(n, _)| *n == "template").unwrap();
    let rules = gonogo_core::export::prometheus_rules(&review(&templ)).unwrap();
    assert!(rules.contains("gonogo_trigger: \"{{\\\"{{\\\"}} bad }} and {{\\\"{{\\\"}} .Foo }}\""), "{rules}");
    // A query Prometheus 2.x would reject is left out, and says why.
    let (_, invalid) = cases().into_iter().find(|(n, _)| *n == "invalid").unwrap();
    let rules = gonogo_core::export::prometheus_rules(&review(&invalid)).unwrap();
    assert!(
        rules.contains("# Not exported (its query is not valid for Prometheus 2.x: the query returns a matrix"),
        "{rules}"
    );
    let (_, huge) = cases().into_iter().find(|(n, _)| *n == "huge").unwrap();
    assert!(gonogo_core::export::prometheus_rules(&review(&huge)).unwrap().contains(") > 1e21\""));
    // Same names are made unique, or Prometheus would merge their alerts.
    let (_, same) = cases().into_iter().find(|(n, _)| *n == "same-names").unwrap();
    let rules = gonogo_core::export::prometheus_rules(&review(&same)).unwrap();
    assert!(rules.contains("alert: \"ErrorRatioAbove1\"") && rules.contains("alert: \"ErrorRatioAbove12\""), "{rules}");
}

#[test]
fn argo_template_derives_interval_and_failure_limit_from_for() {
    let text = gonogo_core::export::argo_analysis(&review(EXAMPLE)).unwrap();
    assert!(text.contains("kind: AnalysisTemplate"));
    // for: 0s → every 30 s, the first failure fails; for: 10m → every minute, the tenth.
    let first = text.find("interval: 30s\n      failureLimit: 0").expect(&text);
    let second = text.find("interval: 1m\n      failureLimit: 9").expect(&text);
    assert!(first < second);
    assert!(text.contains("failureCondition: \"len(result) > 0 && result[0] > 0.02\""));
    // Argo's YAML is YAML: the file parses, one document, with two metrics.
    let (node, errs) = gonogo_core::yaml::parse(&text);
    assert!(errs.is_empty(), "{errs:?}");
    let json = gonogo_core::yaml::to_json(&node.unwrap());
    assert_eq!(json["spec"]["metrics"].as_array().unwrap().len(), 2);
    assert_eq!(
        json["spec"]["metrics"][1]["provider"]["prometheus"]["query"],
        "histogram_quantile(0.95, sum by (le) (rate(report_generation_seconds_bucket[5m])))"
    );
    let odd = edit(GO, "    - name: Error ratio above 1%", "    - name: \"错误率\"");
    let text = gonogo_core::export::argo_analysis(&review(&odd)).unwrap();
    assert!(text.contains("    - name: \"trigger-1\""), "{text}");
    let (_, no_metric) = cases().into_iter().find(|(n, _)| *n == "no-metric-triggers").unwrap();
    let only_manual = edit(&no_metric, "    - name: Payment queue alert\n      alert: PaymentQueueDepth\n", "");
    assert!(gonogo_core::export::argo_analysis(&review(&only_manual)).unwrap_err().contains("no metric trigger"));
}

#[test]
fn calendar_imports_into_icalendar() {
    let ics = gonogo_core::export::ics(&review(EXAMPLE)).unwrap();
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line}");
        assert!(!line.contains('\n'));
    }
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    let odd = edit(GO, "action: Post deploy confirmation", "action: \"Post\\rdeploy\\u0001, confirmation; now\"");
    let odd_ics = gonogo_core::export::ics(&review(&odd)).unwrap();
    assert!(
        odd_ics.contains("SUMMARY:billing v3.2.0: due: Post\\ndeploy\\, confirmation\\; now (@dev-tom)"),
        "{odd_ics}"
    );
    assert!(!odd_ics.replace("\r\n", "").contains('\r') && !odd_ics.contains('\u{1}'));
    let path = temp_file("example.ics", &ics);
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
        for e in cal.walk('VEVENT'):\n    print(e.get('UID'), e.decoded('DTSTART').isoformat(), e.get('SUMMARY'))\n";
    let out = tool("python3").arg("-c").arg(script).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8, "{text}");
    // The post-deploy check: 15 minutes after the deploy window ends, as the seed's action item says.
    assert_eq!(
        lines[0],
        "post-deploy-check.reports-v2-14-0@gonogo 2024-12-13T13:15:00+00:00 reports v2.14.0: post-deploy check"
    );
    assert_eq!(
        lines[1],
        "post-launch-review.reports-v2-14-0@gonogo 2024-12-20T12:00:00+00:00 reports v2.14.0: post-launch review"
    );
    // A due date without a time is an all-day event.
    assert!(lines[6].starts_with("action-item-4.reports-v2-14-0@gonogo 2024-12-13 "), "{text}");
    // A deadline is the end of its event.
    assert!(lines[7].starts_with("condition-0.reports-v2-14-0@gonogo 2024-12-13T11:45:00+00:00"), "{text}");
}
