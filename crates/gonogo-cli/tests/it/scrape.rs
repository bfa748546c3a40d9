//! `gonogo watch --scrape`: gonogo reads a target the test controls itself, evaluates the
//! triggers right after each scrape, and serves its store through the Prometheus API; and
//! `gonogo promql query`/`query-range` over an OpenMetrics file.

use crate::harness::{ERROR_RATIO, Http, REQ_ERR, REQ_OK, Target, Watch, free_port, review, temp, webhook};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn start(dir: &Path, review: &Path, extra: &[&str]) -> Watch {
    let events = dir.join("events.jsonl");
    let mut args: Vec<String> =
        vec!["watch".into(), review.to_string_lossy().into(), "--interval".into(), "1s".into(), "--quiet".into()];
    args.extend(["--events".into(), events.to_string_lossy().into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    Watch::spawn(&args, events)
}

/// GET (or form POST) against an API; the parsed JSON and the status.
fn api(port: u16, path: &str, form: Option<&str>) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    match form {
        None => write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap(),
        Some(body) => write!(
            s,
            "POST {path} HTTP/1.0\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap(),
    }
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status: u16 = resp.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(serde_json::Value::Null))
}

fn enc(q: &str) -> String {
    q.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Polls the embedded API until the instant query's result satisfies `ok`.
fn wait_query(port: u16, q: &str, within: Duration, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + within;
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            let (_, v) = api(port, &format!("/api/v1/query?query={}", enc(q)), None);
            if ok(&v["data"]["result"]) {
                return v;
            }
        }
        assert!(Instant::now() < deadline, "`{q}` not as expected within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn scrape_error_rate_fires_right_after_the_scrape_that_shows_it() {
    let dir = temp("scrape-error-rate");
    let target = Target::start();
    target.rate(REQ_OK, 990.0);
    target.rate(REQ_ERR, 10.0); // 1 %
    let hook = Http::start(|_| (200, "ok".into()));
    let trig =
        format!("    - name: Error rate above 2%\n      query: '{ERROR_RATIO}'\n      above: 0.02\n      for: 0s\n");
    let r = review(&dir, &trig, &webhook("disable flag", &hook.url("/flag"), ""), "  []\n");
    let scrape = target.http.url("/metrics");
    let mut w = start(&dir, &r, &["--scrape", &scrape, "--until", "60s"]);
    w.wait_event("watch_started", Duration::from_secs(10));
    // Six scrapes at 1 %: the rate window is full, nothing fires.
    std::thread::sleep(Duration::from_secs(7));
    assert!(!w.names().contains(&"trigger_firing".to_string()), "fired at 1 %: {:#?}", w.events());
    assert!(!w.names().contains(&"source_error".to_string()), "{:#?}", w.events());
    assert!(hook.requests_to("/flag").is_empty());
    let flipped = Instant::now();
    target.rate(REQ_OK, 900.0);
    target.rate(REQ_ERR, 100.0); // 10 %: the 5 s ratio passes 2 % at the first scrape after
    assert_eq!(w.wait(Duration::from_secs(30)), 3, "rolled back");
    let ev = w.events();
    let firing = ev.iter().find(|e| e.event == "trigger_firing").unwrap();
    assert_eq!(firing.trigger.as_deref(), Some("Error rate above 2%"));
    assert!(firing.value.unwrap() > 0.02, "{firing:?}");
    let hooks = hook.requests_to("/flag");
    assert_eq!(hooks.len(), 1);
    // Detection waits for one scrape (≤ 1 s) and no evaluation interval beyond it.
    let latency = hooks[0].at.duration_since(flipped);
    assert!(latency < Duration::from_millis(2500), "webhook {latency:?} after the flip");
    let names: Vec<&str> = ev.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["watch_started", "trigger_firing", "action_started", "action_succeeded"], "{ev:#?}");
    let started = &ev[0].detail.as_ref().unwrap()["source"];
    assert_eq!(started.as_str().unwrap(), format!("scrape {scrape}"));
}

#[test]
fn a_failing_target_is_a_source_error_with_its_reason_and_no_action() {
    let dir = temp("scrape-down");
    let target = Target::start();
    target.gauge("queue_depth", 10.0);
    let hook = Http::start(|_| (200, "ok".into()));
    let trig = "    - name: Queue depth above 500\n      query: max(queue_depth)\n      above: 500\n";
    let r = review(&dir, trig, &webhook("disable flag", &hook.url("/flag"), ""), "  []\n");
    let mut w = start(&dir, &r, &["--scrape", &target.http.url("/metrics"), "--until", "6s"]);
    w.wait_event("watch_started", Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(2));
    target.go_down();
    let err = w.wait_event("source_error", Duration::from_secs(5));
    assert_eq!(err.trigger.as_deref(), Some("Queue depth above 500"));
    let why = err.detail.as_ref().unwrap()["error"].as_str().unwrap().to_string();
    // The stale markers make the series vanish at the failed scrape, and the error says why.
    assert!(why.contains("scrape of") && why.contains("HTTP status 503"), "{why}");
    assert_eq!(w.wait(Duration::from_secs(20)), 4, "window ended, the source failed during it");
    assert!(hook.requests_to("/flag").is_empty(), "no rollback from a failing source");
    assert!(!w.names().iter().any(|n| n.starts_with("action_")), "{:#?}", w.events());
}

#[test]
fn listen_serves_the_store_stale_markers_and_verify_reads_it() {
    let dir = temp("scrape-listen");
    let target = Target::start();
    target.gauge("queue_depth{queue=\"reports\"}", 42.0);
    target.gauge("temporary_gauge", 1.0);
    target.rate(REQ_OK, 100.0);
    let trig = "    - name: Queue depth above 500\n      query: max(queue_depth)\n      above: 500\n";
    let mon = "  - metric: Request rate\n    query: sum(rate(http_requests_total[5s]))\n";
    let r = review(&dir, trig, "    []\n", mon);
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let _w = start(&dir, &r, &["--scrape", &target.http.url("/metrics"), "--until", "40s", "--listen", &listen]);
    let up = wait_query(port, "up", Duration::from_secs(10), |r| r.as_array().is_some_and(|a| !a.is_empty()));
    let m = &up["data"]["result"][0];
    assert_eq!(m["metric"]["job"], "reports", "the job label is the review's service: {up}");
    assert_eq!(m["metric"]["instance"], format!("127.0.0.1:{}", target.http.port));
    assert_eq!(m["value"][1], "1");
    let (st, v) = api(port, &format!("/api/v1/query?query={}", enc("queue_depth")), None);
    assert_eq!(st, 200);
    assert_eq!(v["data"]["result"][0]["metric"]["queue"], "reports");
    assert_eq!(v["data"]["result"][0]["value"][1], "42");
    // A form POST, as for long queries; a bad query is the API's 400 with its errorType.
    let (st, v) = api(port, "/api/v1/query", Some(&format!("query={}", enc("max(queue_depth) * 2"))));
    assert_eq!((st, v["data"]["result"][0]["value"][1].as_str()), (200, Some("84")), "{v}");
    let (st, v) = api(port, &format!("/api/v1/query?query={}", enc("sum(")), None);
    assert_eq!((st, v["status"].as_str(), v["errorType"].as_str()), (400, Some("error"), Some("bad_data")), "{v}");
    // A series the target stops serving is gone at the next scrape, not after 5 minutes.
    target.remove("temporary_gauge");
    let gone_by = Instant::now() + Duration::from_millis(2500);
    wait_query(port, "temporary_gauge", Duration::from_secs(3), |r| r.as_array().is_some_and(|a| a.is_empty()));
    assert!(Instant::now() < gone_by);
    // Range queries, and `gonogo verify` against the embedded API.
    std::thread::sleep(Duration::from_secs(7));
    let now = jiff::Timestamp::now().as_second();
    let (st, v) = api(
        port,
        &format!("/api/v1/query_range?query={}&start={}&end={now}&step=1", enc("max(queue_depth)"), now - 4),
        None,
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["data"]["resultType"], "matrix");
    assert_eq!(v["data"]["result"][0]["values"].as_array().unwrap().len(), 5, "{v}");
    let url = format!("http://{listen}");
    let o = crate::gonogo(&["verify", r.to_str().unwrap(), "--prometheus", &url, "--window", "5s", "--step", "1s"]);
    let out = crate::stdout(&o);
    assert_eq!(crate::code(&o), 0, "{out}{}", crate::stderr(&o));
    assert!(out.contains("✅ monitoring: Request rate: live: data at all 6 steps"), "{out}");
    assert!(out.contains("✅ trigger: Queue depth above 500: live"), "{out}");
}

#[test]
fn scrape_refuses_what_it_cannot_evaluate_and_alert_triggers_without_a_source() {
    let dir = temp("scrape-refuse");
    let target = Target::start();
    let scrape = target.http.url("/metrics");
    let alert = "    - name: Queue depth alert\n      alert: SidekiqReportsQueueDepth\n";
    let r = review(&dir, alert, "    []\n", "  []\n");
    let o = crate::gonogo(&["watch", r.to_str().unwrap(), "--scrape", &scrape, "--until", "2s"]);
    assert_eq!(crate::code(&o), 2);
    let err = crate::stderr(&o);
    assert!(
        err.contains("`Queue depth alert`") && err.contains("--alerts") && err.contains("--ignore-alert-triggers"),
        "{err}"
    );
    // Ignored, the watch runs without it and says so in its first event.
    let o = crate::gonogo(&[
        "watch",
        r.to_str().unwrap(),
        "--scrape",
        &scrape,
        "--until",
        "2s",
        "--ignore-alert-triggers",
        "--events",
        dir.join("ev.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
    let ev = gonogo_watch::events::read(&dir.join("ev.jsonl")).unwrap();
    assert_eq!(ev[0].detail.as_ref().unwrap()["ignored_triggers"], serde_json::json!(["Queue depth alert"]));
    // A function outside the embedded subset: named, with the way out.
    let trig = "    - name: Disk fills\n      query: predict_linear(disk_free[5m], 3600)\n      below: 0\n";
    let r = review(&dir, trig, "    []\n", "  []\n");
    let o = crate::gonogo(&["watch", r.to_str().unwrap(), "--scrape", &scrape, "--until", "2s"]);
    assert_eq!(crate::code(&o), 2);
    let err = crate::stderr(&o);
    assert!(
        err.contains("trigger `Disk fills`") && err.contains("predict_linear") && err.contains("--prometheus"),
        "{err}"
    );
    // `check` says so before the window, on standard error, without changing the verdict.
    let o = crate::gonogo(&["check", r.to_str().unwrap(), "--format", "json"]);
    assert_eq!(crate::stderr(&o), "", "the JSON report stays exactly DESIGN.md's");
    let o = crate::gonogo(&["check", r.to_str().unwrap()]);
    let err = crate::stderr(&o);
    let at =
        format!("warning: {}:7:14: trigger `Disk fills`: `watch --scrape` cannot evaluate this query", r.display());
    assert!(err.contains(&at) && err.contains("predict_linear"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // --scrape and --prometheus are one or the other.
    let o = crate::gonogo(&["watch", r.to_str().unwrap(), "--scrape", &scrape, "--prometheus", "http://127.0.0.1:1"]);
    assert_eq!(crate::code(&o), 2);
}

#[test]
fn promql_query_and_query_range_over_an_openmetrics_file() {
    let dir = temp("promql-cli");
    let data = dir.join("metrics.om");
    let mut om = String::from("# TYPE http_requests counter\n");
    // OpenMetrics keeps each series' points together, in time order.
    for (code, per_step) in [("200", 150), ("500", 3)] {
        for i in 0..=10 {
            let t = 1_700_000_000 + i * 15;
            om.push_str(&format!("http_requests_total{{code=\"{code}\"}} {} {t}\n", i * per_step));
        }
    }
    om.push_str("# EOF\n");
    std::fs::write(&data, om).unwrap();
    let d = data.to_str().unwrap();
    let q = "sum by (code) (rate(http_requests_total[1m]))";
    let o = crate::gonogo(&["promql", "query", "--data", d, "--time", "1700000150", q]);
    assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&crate::stdout(&o)).unwrap();
    assert_eq!(v["resultType"], "vector");
    let res = v["result"].as_array().unwrap();
    assert_eq!(res.len(), 2);
    assert_eq!(res[0]["metric"], serde_json::json!({ "code": "200" }));
    assert_eq!(res[0]["value"][0].as_f64(), Some(1700000150.0));
    assert_eq!(res[0]["value"][1], "10");
    assert_eq!(res[1]["value"][1], "0.2");
    // RFC 3339 time, range query with a duration step.
    let o = crate::gonogo(&[
        "promql",
        "query-range",
        "--data",
        d,
        "--start",
        "2023-11-14T22:14:20Z",
        "--end",
        "2023-11-14T22:15:20Z",
        "--step",
        "30s",
        "sum(http_requests_total)",
    ]);
    assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&crate::stdout(&o)).unwrap();
    assert_eq!(v["resultType"], "matrix");
    let points: Vec<(f64, String)> = v["result"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(points, [(1700000060.0, "612".into()), (1700000090.0, "918".into()), (1700000120.0, "1224".into())]);
    // Bad input names its place and exits 2.
    std::fs::write(dir.join("bad.om"), "http_requests_total{code=\"200\" 1 1700000000\n# EOF\n").unwrap();
    let o = crate::gonogo(&["promql", "query", "--data", dir.join("bad.om").to_str().unwrap(), "--time", "0", "up"]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("bad.om") && crate::stderr(&o).contains("line 1"), "{}", crate::stderr(&o));
    let o = crate::gonogo(&["promql", "query", "--data", d, "--time", "0", "sum(rate(x[5m])"]);
    assert_eq!(crate::code(&o), 2);
    let o = crate::gonogo(&["promql", "query", "--data", d, "--time", "0", "predict_linear(x[5m], 60)"]);
    assert_eq!(crate::code(&o), 2);
    assert!(
        crate::stderr(&o).contains("predict_linear") && crate::stderr(&o).contains("--prometheus"),
        "{}",
        crate::stderr(&o)
    );
    let o = crate::gonogo(&["promql", "query", "--data", d, "--time", "tomorrow", "up"]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("--time"), "{}", crate::stderr(&o));
}

/// Debian's Alertmanager on loopback, with no receivers that leave the machine.
struct Alertmanager {
    child: Child,
    port: u16,
}

impl Alertmanager {
    fn start(name: &str) -> Alertmanager {
        let dir = temp(&format!("am-{name}"));
        std::fs::write(dir.join("am.yml"), "route: { receiver: none }\nreceivers: [ { name: none } ]\n").unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("am.log")).unwrap();
        let child = Command::new("prometheus-alertmanager")
            .arg(format!("--config.file={}", dir.join("am.yml").display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("Debian's prometheus-alertmanager is installed (.ci/run installs it)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() || api(port, "/api/v2/status", None).0 != 200 {
            assert!(Instant::now() < deadline, "alertmanager did not start; log in {}", dir.display());
            std::thread::sleep(Duration::from_millis(200));
        }
        Alertmanager { child, port }
    }

    /// Posts a firing alert, as a Prometheus would.
    fn fire(&self, alertname: &str) {
        use std::io::{Read, Write};
        let body = format!(
            "[{{\"labels\": {{\"alertname\": \"{alertname}\", \"service\": \"reports\"}}, \"startsAt\": \"{}\"}}]",
            jiff::Timestamp::now()
        );
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "POST /api/v2/alerts HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        assert!(resp.starts_with("HTTP/1.0 200") || resp.starts_with("HTTP/1.1 200"), "{resp}");
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn alert_trigger_from_alertmanager_beside_the_scrape() {
    let dir = temp("scrape-alerts");
    let target = Target::start();
    target.gauge("queue_depth", 10.0);
    let am = Alertmanager::start("scrape");
    let hook = Http::start(|_| (200, "ok".into()));
    let trig = "    - name: Queue depth above 500\n      query: max(queue_depth)\n      above: 500\n    - name: Sidekiq queue depth alert\n      alert: SidekiqReportsQueueDepth\n";
    let r = review(&dir, trig, &webhook("disable flag", &hook.url("/flag"), ""), "  []\n");
    let am_url = format!("http://127.0.0.1:{}", am.port);
    let mut w = start(&dir, &r, &["--scrape", &target.http.url("/metrics"), "--alerts", &am_url, "--until", "40s"]);
    w.wait_event("watch_started", Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(3));
    assert!(!w.names().iter().any(|n| n == "trigger_firing" || n == "source_error"), "{:#?}", w.events());
    // Another alert firing is not this trigger's.
    am.fire("SomethingElse");
    std::thread::sleep(Duration::from_secs(2));
    assert!(!w.names().contains(&"trigger_firing".to_string()), "{:#?}", w.events());
    am.fire("SidekiqReportsQueueDepth");
    assert_eq!(w.wait(Duration::from_secs(20)), 3, "rolled back");
    let ev = w.events();
    let firing = ev.iter().find(|e| e.event == "trigger_firing").unwrap();
    assert_eq!(firing.trigger.as_deref(), Some("Sidekiq queue depth alert"));
    assert_eq!(hook.requests_to("/flag").len(), 1);
}

#[test]
fn a_target_beyond_the_series_limit_fails_its_scrape_with_the_reason() {
    let dir = temp("scrape-limit");
    let target = Target::start();
    for i in 0..5 {
        target.gauge(&format!("queue_depth{{queue=\"q{i}\"}}"), 1.0);
    }
    let trig = "    - name: Queue depth above 500\n      query: max(queue_depth)\n      above: 500\n";
    let r = review(&dir, trig, "    []\n", "  []\n");
    // Room for the scrape's own three series and four of the five.
    let mut w = start(&dir, &r, &["--scrape", &target.http.url("/metrics"), "--until", "5s", "--max-series", "7"]);
    let err = w.wait_event("source_error", Duration::from_secs(10));
    let why = err.detail.as_ref().unwrap()["error"].as_str().unwrap().to_string();
    assert!(why.contains("brings 5 series (5 new)") && why.contains("at most 7: raise --max-series"), "{why}");
    assert_eq!(w.wait(Duration::from_secs(20)), 4);
}
