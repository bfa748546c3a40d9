//! `gonogo watch`, `verify` and `trigger fire` against Debian's Prometheus on loopback,
//! scraping a target the test controls every second. Webhook receivers are local listeners.

use crate::harness::{ERROR_RATIO, Http, Prometheus, REQ_ERR, REQ_OK, Target, Watch, free_port, review, temp, webhook};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn start_watch(dir: &Path, review: &Path, prom: &str, extra: &[&str]) -> Watch {
    let events = dir.join("events.jsonl");
    let mut args = vec![
        "watch".to_string(),
        review.to_string_lossy().into(),
        "--prometheus".into(),
        prom.into(),
        "--interval".into(),
        "1s".into(),
        "--events".into(),
        events.to_string_lossy().into(),
        "--state".into(),
        dir.join("watch.state").to_string_lossy().into(),
        "--quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    Watch::spawn(&args, events)
}

fn ok_receiver() -> Http {
    Http::start(|_| (200, "ok".into()))
}

#[test]
fn error_rate_trigger_fires_when_the_ratio_crosses_2_percent_and_not_before() {
    let dir = temp("watch-error-rate");
    let target = Target::start();
    target.rate(REQ_OK, 990.0);
    target.rate(REQ_ERR, 10.0); // 1 %
    let prom = Prometheus::start("error-rate", target.http.port, None);
    let hook = ok_receiver();
    let trig =
        format!("    - name: Error rate above 2%\n      query: '{ERROR_RATIO}'\n      above: 0.02\n      for: 0s\n");
    let r = review(&dir, &trig, &webhook("disable flag", &hook.url("/flag"), ""), "  []\n");
    // Wait until the ratio is visible at 1 % before watching.
    prom.wait_until(Duration::from_secs(20), ERROR_RATIO, |v| {
        v[0]["value"][1].as_str().and_then(|s| s.parse::<f64>().ok()).is_some_and(|x| x > 0.005 && x < 0.015)
    });
    let mut w = start_watch(&dir, &r, &prom.url(), &["--until", "60s"]);
    std::thread::sleep(Duration::from_secs(5));
    assert!(!w.names().contains(&"trigger_firing".to_string()), "fired at 1 %: {:#?}", w.events());
    assert!(hook.requests_to("/flag").is_empty());
    let flipped = Instant::now();
    target.rate(REQ_OK, 950.0);
    target.rate(REQ_ERR, 50.0); // 5 %
    assert_eq!(w.wait(Duration::from_secs(30)), 3, "rolled back");
    let ev = w.events();
    let firing = ev.iter().find(|e| e.event == "trigger_firing").unwrap();
    assert_eq!(firing.trigger.as_deref(), Some("Error rate above 2%"));
    assert!(firing.value.unwrap() > 0.02, "{firing:?}");
    let hooks = hook.requests_to("/flag");
    assert_eq!(hooks.len(), 1);
    assert_eq!((hooks[0].method.as_str(), hooks[0].body.as_str()), ("POST", "{\"on\": false}"));
    assert!(hooks[0].at > flipped);
    let names: Vec<&str> = ev.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(names, ["watch_started", "trigger_firing", "action_started", "action_succeeded"], "{ev:#?}");
    let _ = w.started;
}

#[test]
fn a_spike_shorter_than_for_does_not_fire_a_sustained_one_does() {
    let dir = temp("watch-for");
    let target = Target::start();
    target.gauge("queue_depth", 100.0);
    let prom = Prometheus::start("for", target.http.port, None);
    let hook = ok_receiver();
    let trig =
        "    - name: Queue depth above 500 for 6s\n      query: max(queue_depth)\n      above: 500\n      for: 6s\n";
    let r = review(&dir, trig, &webhook("page", &hook.url("/page"), ""), "  []\n");
    let mut w = start_watch(&dir, &r, &prom.url(), &["--until", "60s"]);
    w.wait_event("watch_started", Duration::from_secs(5));
    target.gauge("queue_depth", 900.0);
    w.wait_event("trigger_pending", Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(2));
    target.gauge("queue_depth", 100.0);
    w.wait_event("trigger_resolved", Duration::from_secs(10));
    assert!(!w.names().contains(&"trigger_firing".to_string()));
    assert!(hook.requests_to("/page").is_empty());
    let sustained = Instant::now();
    target.gauge("queue_depth", 900.0);
    assert_eq!(w.wait(Duration::from_secs(30)), 3);
    assert!(sustained.elapsed() >= Duration::from_secs(6), "fired before `for` elapsed");
    let names = w.names();
    assert_eq!(
        names,
        [
            "watch_started",
            "trigger_pending",
            "trigger_resolved",
            "trigger_pending",
            "trigger_firing",
            "action_started",
            "action_succeeded"
        ]
    );
    assert_eq!(hook.requests_to("/page").len(), 1);
}

#[test]
fn prometheus_stopped_mid_watch_is_a_source_error_and_no_action() {
    let dir = temp("watch-source");
    let target = Target::start();
    target.gauge("queue_depth", 100.0);
    let mut prom = Prometheus::start("source", target.http.port, None);
    let hook = ok_receiver();
    let trig = "    - name: Queue depth above 500\n      query: max(queue_depth)\n      above: 500\n";
    let r = review(&dir, trig, &webhook("page", &hook.url("/page"), ""), "  []\n");
    let mut w = start_watch(&dir, &r, &prom.url(), &["--until", "8s", "--timeout", "1s"]);
    w.wait_event("watch_started", Duration::from_secs(5));
    std::thread::sleep(Duration::from_secs(2));
    prom.stop();
    assert_eq!(w.wait(Duration::from_secs(20)), 4, "the window ended but the source failed");
    let ev = w.events();
    let err = ev.iter().find(|e| e.event == "source_error").expect("a source_error event");
    assert_eq!(err.trigger.as_deref(), Some("Queue depth above 500"));
    assert!(err.detail.as_ref().unwrap()["error"].as_str().unwrap().contains("127.0.0.1"), "{err:?}");
    assert!(!ev.iter().any(|e| e.event.starts_with("action_") || e.event == "trigger_firing"));
    assert!(hook.requests_to("/page").is_empty());
}

#[test]
fn alert_trigger_fires_while_the_alert_fires() {
    let dir = temp("watch-alert");
    let target = Target::start();
    target.gauge("sidekiq_queue_size", 10.0);
    let rules = "groups:\n  - name: app\n    rules:\n      - alert: SidekiqReportsQueueDepth\n        expr: max(sidekiq_queue_size) > 500\n";
    let prom = Prometheus::start("alert", target.http.port, Some(rules));
    let hook = ok_receiver();
    let trig = "    - name: Sidekiq queue depth alert\n      alert: SidekiqReportsQueueDepth\n";
    let r = review(&dir, trig, &webhook("page", &hook.url("/page"), ""), "  []\n");
    let mut w = start_watch(&dir, &r, &prom.url(), &["--until", "40s"]);
    w.wait_event("watch_started", Duration::from_secs(5));
    std::thread::sleep(Duration::from_secs(3));
    assert!(!w.names().contains(&"trigger_firing".to_string()));
    target.gauge("sidekiq_queue_size", 900.0);
    assert_eq!(w.wait(Duration::from_secs(30)), 3);
    let firing = w.wait_event("trigger_firing", Duration::ZERO);
    assert_eq!(firing.detail.unwrap()["alert"], "SidekiqReportsQueueDepth");
    assert_eq!(hook.requests_to("/page").len(), 1);
}

#[test]
fn manual_trigger_fired_by_a_person() {
    let dir = temp("watch-manual");
    let target = Target::start();
    target.gauge("queue_depth", 1.0);
    let prom = Prometheus::start("manual", target.http.port, None);
    let hook = ok_receiver();
    let trig = "    - name: Data integrity issue reported\n      manual: true\n    - name: Depth\n      query: max(queue_depth)\n      above: 500\n";
    let r = review(&dir, trig, &webhook("page", &hook.url("/page"), ""), "  []\n");
    let port = free_port();
    let control = format!("127.0.0.1:{port}");
    let mut w = start_watch(&dir, &r, &prom.url(), &["--until", "60s", "--control", &control]);
    let started = w.wait_event("watch_started", Duration::from_secs(5));
    let url = started.detail.unwrap()["control"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&format!("http://{control}/")) && url.len() > format!("http://{control}/").len() + 16,
        "{url}"
    );
    // Without the secret part of the address, nothing fires.
    let o = crate::gonogo(&["trigger", "fire", "Data integrity issue reported", "--watch", &control]);
    assert!(crate::stderr(&o).contains("HTTP 404"), "{}", crate::stderr(&o));
    let control = url;
    // A metric trigger cannot be fired by hand, and an unknown name is refused.
    let o = crate::gonogo(&["trigger", "fire", "Depth", "--watch", &control]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("HTTP 409"), "{}", crate::stderr(&o));
    let o = crate::gonogo(&["trigger", "fire", "nope", "--watch", &control]);
    assert!(crate::stderr(&o).contains("HTTP 404"));
    let o = crate::gonogo(&["trigger", "fire", "Data integrity issue reported", "--watch", &control, "--by", "@priya"]);
    assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
    assert_eq!(w.wait(Duration::from_secs(15)), 3);
    let firing = w.wait_event("trigger_firing", Duration::ZERO);
    assert_eq!(firing.trigger.as_deref(), Some("Data integrity issue reported"));
    assert_eq!(firing.detail.unwrap()["by"], "@priya");
    assert_eq!(hook.requests_to("/page").len(), 1);
}

#[test]
fn restart_after_sigkill_repeats_no_action_and_loses_no_event() {
    let dir = temp("watch-restart");
    let target = Target::start();
    target.gauge("queue_depth", 1.0);
    let prom = Prometheus::start("restart", target.http.port, None);
    let hook = ok_receiver();
    let ran = dir.join("ran.txt");
    let trig = "    - name: Data integrity issue reported\n      manual: true\n";
    let actions = format!(
        "    - name: redeploy previous\n      command: [\"sh\", \"-c\", \"echo run >> {}; sleep 10\"]\n{}",
        ran.display(),
        webhook("notify", &hook.url("/notify"), "")
    );
    let r = review(&dir, trig, &actions, "  []\n");
    let control = format!("127.0.0.1:{}", free_port());
    let mut w = start_watch(&dir, &r, &prom.url(), &["--until", "60s", "--control", &control]);
    let started = w.wait_event("watch_started", Duration::from_secs(5));
    let control = started.detail.unwrap()["control"].as_str().unwrap().to_string();
    assert_eq!(
        crate::code(&crate::gonogo(&["trigger", "fire", "Data integrity issue reported", "--watch", &control])),
        0
    );
    w.wait_event("action_started", Duration::from_secs(10));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&ran).is_ok_and(|s| s.contains("run")) {
        assert!(Instant::now() < deadline, "the command never ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SIGKILL mid-action: nothing is flushed, nothing is cleaned up.
    let pid = w.child.id().to_string();
    assert!(Command::new("kill").args(["-9", &pid]).status().unwrap().success());
    let _ = w.child.wait();
    let before = w.events();
    // Started again with the same state and events: the interrupted action is not repeated,
    // the next one runs, and every event of the first run is still there.
    let mut again = start_watch(&dir, &r, &prom.url(), &["--until", "60s"]);
    assert_eq!(again.wait(Duration::from_secs(20)), 3);
    let after = again.events();
    assert_eq!(&after[..before.len()], &before[..], "the first run's events are intact");
    let names: Vec<&str> = after.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "watch_started",
            "trigger_firing",
            "action_started",
            "watch_started",
            "action_failed",
            "action_started",
            "action_succeeded"
        ]
    );
    assert_eq!(after[4].action.as_deref(), Some("redeploy previous"));
    assert_eq!(after[4].detail.as_ref().unwrap()["interrupted"], true);
    assert_eq!(std::fs::read_to_string(&ran).unwrap(), "run\n", "the command ran once");
    assert_eq!(hook.requests_to("/notify").len(), 1);
    // A third start finds everything done and repeats nothing.
    let mut third = start_watch(&dir, &r, &prom.url(), &["--until", "60s"]);
    assert_eq!(third.wait(Duration::from_secs(20)), 3);
    assert_eq!(hook.requests_to("/notify").len(), 1);
    let names = third.names();
    assert_eq!(names.len(), after.len() + 1);
    assert_eq!(names.last().map(String::as_str), Some("watch_started"));
}

#[test]
fn failing_webhook_is_retried_then_reported_and_the_next_action_runs() {
    let dir = temp("watch-retry");
    let target = Target::start();
    target.gauge("queue_depth", 900.0);
    let prom = Prometheus::start("retry", target.http.port, None);
    let hook = Http::start(|r| if r.path == "/fail" { (503, "down".into()) } else { (200, "ok".into()) });
    let trig = "    - name: Depth\n      query: max(queue_depth)\n      above: 500\n";
    let commands = "    - name: redeploy\n      command: [\"sh\", \"-c\", \"echo redeploying v2.13.1; echo no such tag >&2; exit 3\"]\n    - name: slow\n      command: [\"sleep\", \"30\"]\n      timeout: 1s\n";
    let actions = format!(
        "{}{}{commands}",
        webhook(
            "disable flag",
            &hook.url("/fail"),
            ", retries: 2, headers: { Authorization: \"Bearer ${GONOGO_TEST_SECRET}\" }"
        ),
        webhook("notify", &hook.url("/ok"), "")
    );
    let r = review(&dir, trig, &actions, "  []\n");
    let events = dir.join("events.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_gonogo"))
        .args([
            "watch",
            r.to_str().unwrap(),
            "--prometheus",
            &prom.url(),
            "--until",
            "30s",
            "--events",
            events.to_str().unwrap(),
        ])
        .env("GONOGO_TEST_SECRET", "hunter2")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let fails = hook.requests_to("/fail");
    assert_eq!(fails.len(), 3, "one try and two retries");
    assert_eq!(fails[0].headers["authorization"], "Bearer hunter2", "the secret is resolved when the action runs");
    assert!(fails[1].at.duration_since(fails[0].at) >= Duration::from_millis(450), "backoff between tries");
    assert_eq!(hook.requests_to("/ok").len(), 1);
    let ev = gonogo_watch::events::read(&events).unwrap();
    let failed = ev.iter().find(|e| e.event == "action_failed").unwrap();
    assert_eq!(failed.action.as_deref(), Some("disable flag"));
    assert_eq!(failed.detail.as_ref().unwrap()["attempts"], 3);
    assert_eq!(failed.detail.as_ref().unwrap()["tries"][0]["status"], 503);
    let ok = ev.iter().find(|e| e.event == "action_succeeded").unwrap();
    assert_eq!(ok.action.as_deref(), Some("notify"));
    // Commands: exit status and output tails in the event; a timeout kills and fails it.
    let results: Vec<(&str, &str)> = ev
        .iter()
        .filter(|e| e.event == "action_succeeded" || e.event == "action_failed")
        .map(|e| (e.action.as_deref().unwrap(), e.event.as_str()))
        .collect();
    assert_eq!(
        results,
        [
            ("disable flag", "action_failed"),
            ("notify", "action_succeeded"),
            ("redeploy", "action_failed"),
            ("slow", "action_failed")
        ]
    );
    let redeploy = ev.iter().rfind(|e| e.action.as_deref() == Some("redeploy")).unwrap().detail.clone().unwrap();
    assert_eq!(redeploy["exit_code"], 3);
    assert_eq!(redeploy["stdout_tail"], "redeploying v2.13.1\n");
    assert_eq!(redeploy["stderr_tail"], "no such tag\n");
    let slow = ev.iter().rfind(|e| e.action.as_deref() == Some("slow")).unwrap().detail.clone().unwrap();
    assert_eq!(slow["error"], "timed out after 1s; killed");
    let all = std::fs::read_to_string(&events).unwrap()
        + &String::from_utf8_lossy(&o.stdout)
        + &String::from_utf8_lossy(&o.stderr);
    assert!(!all.contains("hunter2"), "a secret was printed or logged");
}

#[test]
fn verify_passes_for_live_metrics_and_names_the_query_that_is_not() {
    let dir = temp("verify");
    let target = Target::start();
    target.gauge("queue_depth", 10.0);
    target.rate(REQ_OK, 100.0);
    let rules = "groups:\n  - name: app\n    rules:\n      - alert: QueueDepthHigh\n        expr: max(queue_depth) > 500\n      - alert: RequestsLow\n        expr: (sum(rate(http_requests_total[5s]))) < 1\n";
    let prom = Prometheus::start("verify", target.http.port, Some(rules));
    // A query longer than a URL should carry goes as a form POST.
    let long = format!("max(queue_depth){}", " + 0".repeat(700));
    let mon = &format!(
        "  - metric: Long query\n    query: '{long}'\n{}",
        "  - metric: Queue depth\n    query: max(queue_depth)\n    alert: { above: 500, rule: QueueDepthHigh }\n    verified_live: true\n  - metric: Request rate\n    query: sum(rate(http_requests_total[5s]))\n    alert: { below: 1 }\n    verified_live: true\n"
    );
    let trig = "    - name: Depth\n      query: max(queue_depth)\n      above: 500\n";
    let r = review(&dir, trig, "    []\n", mon);
    // Enough history for a 6 s window at 1 s steps.
    std::thread::sleep(Duration::from_secs(8));
    let args = ["verify", r.to_str().unwrap(), "--prometheus", &prom.url(), "--window", "6s", "--step", "1s"];
    let o = crate::gonogo(&args);
    let out = crate::stdout(&o);
    assert_eq!(crate::code(&o), 0, "{out}");
    assert!(out.contains("✅ monitoring: Queue depth: live: data at all 7 steps"), "{out}");
    assert!(out.contains("✅ monitoring: Long query: live: data at all 7 steps"), "{out}");
    assert!(out.contains("✅ alert rule: Request rate: alerting rule `RequestsLow` is loaded"), "{out}");
    // A rule that is not loaded.
    let r2 = review(&dir, trig, "    []\n", &mon.replace("rule: QueueDepthHigh", "rule: QueueDepthMissing"));
    let o =
        crate::gonogo(&["verify", r2.to_str().unwrap(), "--prometheus", &prom.url(), "--window", "6s", "--step", "1s"]);
    assert_eq!(crate::code(&o), 1);
    assert!(
        crate::stdout(&o).contains("❌ alert rule: Queue depth: no alerting rule named `QueueDepthMissing` is loaded")
    );
    // The target stops being scraped: its queries go stale, each named with its query.
    target.go_down();
    prom.wait_until(Duration::from_secs(10), "up", |v| v[0]["value"][1] == "0");
    std::thread::sleep(Duration::from_secs(2));
    let o = crate::gonogo(&args);
    let out = crate::stdout(&o);
    assert_eq!(crate::code(&o), 1, "{out}");
    assert!(out.contains("❌ monitoring: Queue depth: stale: no data since "), "{out}");
    assert!(out.contains("      query: max(queue_depth)"), "{out}");
    assert!(out.contains("❌ trigger: Depth: stale: no data since "), "{out}");
    assert!(out.contains("not live against"), "{out}");
    // An unreachable source is an error, not a verdict.
    let o =
        crate::gonogo(&["verify", r.to_str().unwrap(), "--prometheus", &format!("http://127.0.0.1:{}", free_port())]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("cannot be reached"), "{}", crate::stderr(&o));
}

#[test]
fn dry_run_evaluates_and_reports_without_acting() {
    let dir = temp("watch-dry");
    let target = Target::start();
    target.gauge("queue_depth", 900.0);
    let prom = Prometheus::start("dry", target.http.port, None);
    let hook = ok_receiver();
    let trig = "    - name: Depth\n      query: max(queue_depth)\n      above: 500\n";
    let r = review(
        &dir,
        trig,
        &format!("{}{}", webhook("disable flag", &hook.url("/a"), ""), webhook("notify", &hook.url("/b"), "")),
        "  []\n",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_gonogo"))
        .args([
            "watch",
            r.to_str().unwrap(),
            "--prometheus",
            &prom.url(),
            "--until",
            "20s",
            "--dry-run",
            "--state",
            dir.join("s").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("dry run: these rollback actions would run now, in order: disable flag, notify"), "{out}");
    assert!(hook.requests.lock().unwrap().is_empty(), "a dry run ran an action");
    assert!(!dir.join("s").exists(), "a dry run leaves no state that a real watch would act on");
}

#[test]
fn post_deploy_check_runs_at_its_time_and_names_what_is_not_live() {
    let dir = temp("watch-postcheck");
    let target = Target::start();
    target.gauge("queue_depth", 10.0);
    let prom = Prometheus::start("postcheck", target.http.port, None);
    let trig = "    - name: Depth\n      query: max(queue_depth)\n      above: 500\n";
    let mon = "  - metric: Queue depth\n    query: max(queue_depth)\n  - metric: Emails sent\n    query: sum(rate(emails_sent_total[1m]))\nfollow_up: { post_deploy_check: 3s }\n";
    let r = review(&dir, trig, "    []\n", mon);
    let mut w = start_watch(&dir, &r, &prom.url(), &["--until", "7s"]);
    assert_eq!(w.wait(Duration::from_secs(20)), 0, "the window ended clean");
    let ev = w.events();
    let check = ev.iter().find(|e| e.event == "post_deploy_check").expect("a post_deploy_check event");
    let started: jiff::Timestamp = ev[0].at.parse().unwrap();
    let at: jiff::Timestamp = check.at.parse().unwrap();
    let after = at.duration_since(started).as_secs_f64();
    assert!((3.0..5.0).contains(&after), "the check ran {after} s after start");
    let d = check.detail.as_ref().unwrap();
    assert_eq!(d["ok"], false);
    assert_eq!(d["failures"].as_array().unwrap().len(), 1);
    assert_eq!(d["failures"][0]["monitoring"], "Emails sent");
    assert_eq!(d["failures"][0]["error"], "no data");
    assert_eq!(ev.iter().filter(|e| e.event == "post_deploy_check").count(), 1);
}

#[test]
fn bearer_token_from_the_environment_and_api_errors_passed_through() {
    let dir = temp("watch-auth");
    // A stand-in for a hosted Prometheus API (Grafana Cloud, Mimir) that needs a token.
    let api = Http::start(|r| {
        if r.headers.get("authorization").map(String::as_str) != Some("Bearer t0ken") {
            return (401, "{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"missing token\"}".into());
        }
        if r.path == "/api/v1/rules" {
            return (200, "{\"status\":\"success\",\"data\":{\"groups\":[]}}".into());
        }
        (400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\": 1:5: parse error\"}".into())
    });
    let r = review(&dir, "    []\n", "    []\n", "  - metric: Depth\n    query: max(queue_depth)\n");
    let o = Command::new(env!("CARGO_BIN_EXE_gonogo"))
        .args(["verify", r.to_str().unwrap(), "--prometheus", &api.url("")])
        .env("GONOGO_PROMETHEUS_TOKEN", "t0ken")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("❌ monitoring: Depth: the query fails: bad_data: invalid parameter \"query\": 1:5: parse error"),
        "{out}"
    );
    let o = crate::gonogo(&["verify", r.to_str().unwrap(), "--prometheus", &api.url("")]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("unauthorized: missing token"), "{}", crate::stderr(&o));
    // Basic auth: user and password from the environment.
    let _ = Command::new(env!("CARGO_BIN_EXE_gonogo"))
        .args(["verify", r.to_str().unwrap(), "--prometheus", &api.url("")])
        .env("GONOGO_PROMETHEUS_USER", "grafana")
        .env("GONOGO_PROMETHEUS_PASSWORD", "s3cret")
        .output()
        .unwrap();
    let last = api.requests.lock().unwrap().last().cloned().unwrap();
    // base64("grafana:s3cret")
    assert_eq!(last.headers["authorization"], "Basic Z3JhZmFuYTpzM2NyZXQ=");
}

#[test]
fn live_view_on_a_terminal() {
    if !Command::new("sh").args(["-c", "command -v script"]).output().is_ok_and(|o| o.status.success()) {
        panic!("`script` (util-linux) is needed to give the watch a terminal");
    }
    let dir = temp("watch-tty");
    let target = Target::start();
    target.gauge("queue_depth", 42.0);
    let prom = Prometheus::start("tty", target.http.port, None);
    let trig = "    - name: Queue depth above 500\n      query: max(queue_depth)\n      above: 500\n      for: 1m\n    - name: Data integrity issue reported\n      manual: true\n";
    let r = review(&dir, trig, "    []\n", "  []\n");
    let cmd = format!("{} watch {} --prometheus {} --until 3s", env!("CARGO_BIN_EXE_gonogo"), r.display(), prom.url());
    let o = Command::new("script").args(["-qefc", &cmd, "/dev/null"]).output().unwrap();
    let screen = String::from_utf8_lossy(&o.stdout);
    assert!(screen.contains("\x1b[H\x1b[2J"), "the view redraws in place");
    assert!(screen.contains("Queue depth above 500"), "{screen}");
    assert!(screen.contains("42.0000 > 500 for 1m"), "the value against its threshold and for: {screen}");
    assert!(screen.contains("manual"), "{screen}");
}
