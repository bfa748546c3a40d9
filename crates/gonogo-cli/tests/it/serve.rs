//! `gonogo serve` as attendees and pipelines use it, on SQLite and on PostgreSQL (this
//! machine's, 127.0.0.1:5432; each test makes its own database and drops it).

use crate::harness::free_port;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EXAMPLE: &str = include_str!("../../../../examples/reports-v2.14.0.yaml");

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let host = if headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) { "" } else { "Host: 127.0.0.1\r\n" };
    let mut req = format!("{method} {path} HTTP/1.1\r\n{host}Connection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Resp { status, headers, body: body.to_string() }
}

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(db: &str, extra: &[&str]) -> Server {
        let port = free_port();
        let mut args =
            vec!["serve".to_string(), "--db".into(), db.into(), "--listen".into(), format!("127.0.0.1:{port}")];
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = Command::new(env!("CARGO_BIN_EXE_gonogo"))
            .args(&args)
            .env("GONOGO_QUIET_LOG", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let srv = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "gonogo serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        srv
    }
    pub fn get(&self, path: &str) -> Resp {
        http(self.port, "GET", path, &[], b"")
    }
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        http(self.port, method, path, headers, body.as_bytes())
    }
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PostgreSQL database of its own for one test, dropped after it.
pub struct PgDb {
    pub name: String,
}

impl PgDb {
    pub fn new(tag: &str) -> PgDb {
        let name = format!("gonogo_it_{tag}_{}", std::process::id());
        let psql = |sql: &str| {
            Command::new("psql").args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", sql]).output()
        };
        let _ = psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        let o = psql(&format!("CREATE DATABASE {name}")).expect("psql runs (PostgreSQL's client)");
        assert!(o.status.success(), "creating {name}: {}", String::from_utf8_lossy(&o.stderr));
        PgDb { name }
    }
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "test",
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
    }
}

const YAML: (&str, &str) = ("Content-Type", "application/yaml");
const JSON: (&str, &str) = ("Content-Type", "application/json");

fn rules_of(v: &serde_json::Value) -> Vec<(String, bool)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["covered"].as_bool().unwrap()))
        .collect()
}

/// Create from YAML, mark items, watch the verdict change, record a decision, read the
/// audit trail, restart the server and find it all still there.
fn story(db: &str) {
    let srv = Server::start(db, &[]);
    let r = srv.send("POST", "/api/reviews", &[YAML], EXAMPLE);
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(r.json()["verdict"]["verdict"], "go_with_conditions");
    assert_eq!(r.header("etag"), Some("\"1\""));

    let got = srv.get(&format!("/api/reviews/{id}"));
    assert_eq!((got.status, got.header("etag")), (200, Some("\"1\"")));
    assert_eq!(got.json()["review"]["release"]["version"], "v2.14.0");

    // Item 0 becomes blocked: an uncovered blocker, so NO-GO.
    let r = srv.send(
        "PATCH",
        &format!("/api/reviews/{id}/checklist/0"),
        &[JSON],
        r#"{"status": "blocked", "notes": "PR #1189 reverted"}"#,
    );
    assert_eq!((r.status, r.json()["revision"].as_i64()), (200, Some(2)), "{}", r.body);
    let v = srv.get(&format!("/api/reviews/{id}/verdict")).json();
    assert_eq!(v["verdict"], "no_go");
    assert_eq!(rules_of(&v)[0], ("checklist-not-done".to_string(), false));
    // Back to done, and the partial rollback test done too: only the untested rollback is left, covered.
    assert_eq!(
        srv.send(
            "PATCH",
            &format!("/api/reviews/{id}/checklist/0"),
            &[JSON, ("If-Match", "\"2\"")],
            r#"{"status": "done"}"#
        )
        .status,
        200
    );
    assert_eq!(
        srv.send("PATCH", &format!("/api/reviews/{id}/checklist/7"), &[JSON], r#"{"status": "done"}"#).status,
        200
    );
    let v = srv.get(&format!("/api/reviews/{id}/verdict")).json();
    assert_eq!(
        (v["verdict"].as_str(), rules_of(&v)),
        (Some("go_with_conditions"), vec![("rollback-untested".to_string(), true)])
    );

    // A stale write loses nothing: 412.
    let r = srv.send(
        "PATCH",
        &format!("/api/reviews/{id}/checklist/1"),
        &[JSON, ("If-Match", "\"2\"")],
        r#"{"status": "partial"}"#,
    );
    assert_eq!(r.status, 412, "{}", r.body);

    // The decision: by is the caller (the open server's one person), never a field.
    let r = srv.send(
        "POST",
        &format!("/api/reviews/{id}/decision"),
        &[JSON],
        r#"{"outcome": "no_go", "signoffs": ["@priya"]}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["decision"]["by"], "local");
    assert_eq!(r.json()["verdict"]["verdict"], "no_go");
    assert_eq!(r.json()["decision"]["deploy_window"]["start"], "2024-12-13T12:00:00Z", "the deploy window is kept");
    let r = srv.send("POST", &format!("/api/reviews/{id}/decision"), &[JSON], r#"{"outcome": "go", "by": "@mallory"}"#);
    assert_eq!(r.status, 400);

    let audit = srv.get(&format!("/api/reviews/{id}/audit")).json();
    let changes: Vec<(String, String)> = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap().to_string(), e["change"].as_str().unwrap().to_string()))
        .collect();
    let expect: Vec<(String, String)> = [
        ("local", "create"),
        ("local", "checklist[0]"),
        ("local", "checklist[0]"),
        ("local", "checklist[7]"),
        ("local", "decision"),
    ]
    .iter()
    .map(|(a, c)| (a.to_string(), c.to_string()))
    .collect();
    assert_eq!(changes, expect);
    let first_mark = &audit["audit"][1];
    assert_eq!(
        (first_mark["before"]["status"].as_str(), first_mark["after"]["status"].as_str()),
        (Some("done"), Some("blocked"))
    );
    let decision = &audit["audit"][4];
    assert_eq!(
        (decision["before"]["outcome"].as_str(), decision["after"]["outcome"].as_str()),
        (Some("go"), Some("no_go"))
    );

    // Restart: all of it is still there.
    srv.stop();
    let srv = Server::start(db, &[]);
    let got = srv.get(&format!("/api/reviews/{id}"));
    assert_eq!(got.header("etag"), Some("\"5\""));
    assert_eq!(got.json()["review"]["checklist"][0]["notes"], "PR #1189 reverted");
    assert_eq!(srv.get(&format!("/api/reviews/{id}/audit")).json()["audit"].as_array().unwrap().len(), 5);
    assert_eq!(srv.get(&format!("/api/reviews/{id}/verdict")).json()["verdict"], "no_go");
    let list = srv.get("/api/reviews?service=reports").json();
    assert_eq!(list["reviews"][0]["id"], id.as_str());
    assert_eq!(srv.get("/api/reviews?service=nope").json()["reviews"].as_array().unwrap().len(), 0);
}

#[test]
fn story_on_sqlite() {
    let dir = crate::temp_dir("serve-sqlite");
    story(&format!("sqlite://{}", dir.join("gonogo.db").display()));
}

#[test]
fn story_on_postgres() {
    let db = PgDb::new("story");
    story(&db.url());
}

#[test]
fn bad_input_and_roles() {
    let dir = crate::temp_dir("serve-bad");
    let db = format!("sqlite://{}", dir.join("gonogo.db").display());
    let token = |name: &str, role: &str| {
        let o = crate::gonogo(&["token", "create", "--name", name, "--role", role, "--db", &db]);
        assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
        crate::stdout(&o).trim().to_string()
    };
    let viewer = format!("Bearer {}", token("@viewer", "viewer"));
    let editor = format!("Bearer {}", token("@ed", "editor"));
    let approver = format!("Bearer {}", token("@elena", "approver"));
    let srv = Server::start(&db, &["--max-body", "100000"]);
    // Tokens exist: a write without one is refused, even on loopback.
    assert_eq!(srv.send("POST", "/api/reviews", &[YAML], EXAMPLE).status, 401);
    assert_eq!(srv.send("POST", "/api/reviews", &[YAML, ("Authorization", &viewer)], EXAMPLE).status, 403);
    // The example records a GO: creating it records a decision, which is an approver's.
    let r = srv.send("POST", "/api/reviews", &[YAML, ("Authorization", &editor)], EXAMPLE);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("the file records a decision"));
    let r = srv.send(
        "POST",
        "/api/reviews",
        &[YAML, ("Authorization", &approver)],
        &EXAMPLE.replace("by: \"@elena\"", "by: \"@mallory\""),
    );
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        srv.get(&format!("/api/reviews/{id}")).json()["review"]["decision"]["by"],
        "@elena",
        "by is the caller, not the file"
    );
    // An editor may create a review without a decision.
    let pending = EXAMPLE.replace("outcome: go", "outcome: pending");
    assert_eq!(srv.send("POST", "/api/reviews", &[YAML, ("Authorization", &editor)], &pending).status, 201);
    // Malformed YAML: 400 with its line.
    let r = srv.send(
        "POST",
        "/api/reviews",
        &[YAML, ("Authorization", &editor)],
        "apiVersion: gonogo/v1\nrelease:\n  service: x\n  version: [1\n",
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["line"], 5, "{}", r.body);
    let r = srv.send(
        "POST",
        "/api/reviews",
        &[YAML, ("Authorization", &editor)],
        &EXAMPLE.replace("rollback:", "rollbak:"),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["line"].as_u64(), Some(EXAMPLE.lines().position(|l| l == "rollback:").unwrap() as u64 + 1));
    // Unknown review, unknown item.
    assert_eq!(srv.get("/api/reviews/nope").status, 404);
    assert_eq!(srv.get("/api/reviews/nope/verdict").status, 404);
    assert_eq!(
        srv.send(
            "PATCH",
            &format!("/api/reviews/{id}/checklist/99"),
            &[JSON, ("Authorization", &editor)],
            r#"{"status":"done"}"#
        )
        .status,
        404
    );
    assert_eq!(
        srv.send(
            "PATCH",
            &format!("/api/reviews/{id}/checklist/1"),
            &[JSON, ("Authorization", &editor)],
            r#"{"status":"finished"}"#
        )
        .status,
        400
    );
    // A viewer writing, an editor deciding: 403. The approver's decision is by the approver.
    assert_eq!(
        srv.send(
            "PATCH",
            &format!("/api/reviews/{id}/checklist/1"),
            &[JSON, ("Authorization", &viewer)],
            r#"{"status":"done"}"#
        )
        .status,
        403
    );
    assert_eq!(
        srv.send(
            "POST",
            &format!("/api/reviews/{id}/decision"),
            &[JSON, ("Authorization", &editor)],
            r#"{"outcome":"go"}"#
        )
        .status,
        403
    );
    let r = srv.send(
        "POST",
        &format!("/api/reviews/{id}/decision"),
        &[JSON, ("Authorization", &approver)],
        r#"{"outcome":"go","signoffs":["@priya"]}"#,
    );
    assert_eq!((r.status, r.json()["decision"]["by"].as_str()), (201, Some("@elena")));
    // An oversized body: 413.
    let big = format!("{EXAMPLE}\n#{}\n", "x".repeat(200_000));
    assert_eq!(srv.send("POST", "/api/reviews", &[YAML, ("Authorization", &editor)], &big).status, 413);
    // PUT needs If-Match and cannot change the decision.
    assert_eq!(
        srv.send("PUT", &format!("/api/reviews/{id}"), &[YAML, ("Authorization", &editor)], EXAMPLE).status,
        428
    );
    let rev = srv.get(&format!("/api/reviews/{id}")).header("etag").unwrap().to_string();
    let r = srv.send(
        "PUT",
        &format!("/api/reviews/{id}"),
        &[YAML, ("Authorization", &editor), ("If-Match", &rev)],
        EXAMPLE,
    );
    assert_eq!(r.status, 403, "the stored decision is @elena's, the file's is not: {}", r.body);
    // Reads need no token; manual triggers: 202, 404, 409.
    assert_eq!(srv.get(&format!("/api/reviews/{id}/verdict")).status, 200);
    let fire = |name: &str| {
        srv.send("POST", &format!("/api/reviews/{id}/triggers/{name}/fire"), &[("Authorization", &editor)], "").status
    };
    assert_eq!(
        fire(
            "Data%20integrity%20issue%20reported%20%28report%20content%20incorrect%20or%20in%20the%20wrong%20workspace%29"
        ),
        202
    );
    assert_eq!(fire("nope"), 404);
    assert_eq!(fire("p95%20report%20generation%20time%20above%2010%20s%20for%20more%20than%2010%20minutes"), 409);
    let audit = srv.get(&format!("/api/reviews/{id}/audit")).json();
    let last = audit["audit"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["actor"].as_str(), last["change"].as_str()), (Some("@ed"), Some("trigger_fired")));
    // The OpenAPI document lists every path of the table.
    let doc = srv.get("/api/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/api/reviews",
        "/api/reviews/{id}",
        "/api/reviews/{id}/checklist/{index}",
        "/api/reviews/{id}/decision",
        "/api/reviews/{id}/verdict",
        "/api/reviews/{id}/audit",
        "/api/reviews/{id}/events",
        "/api/reviews/{id}/render",
        "/api/reviews/{id}/triggers/{name}/fire",
        "/api/openapi.json",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p}");
    }
}

#[test]
fn concurrent_writes_stale_412_and_different_items_both_land() {
    let dir = crate::temp_dir("serve-concurrent");
    let srv = Server::start(&format!("sqlite://{}", dir.join("gonogo.db").display()), &[]);
    let id = srv.send("POST", "/api/reviews", &[YAML], EXAMPLE).json()["id"].as_str().unwrap().to_string();
    let port = srv.port;
    // Two attendees with the same revision in hand: one wins, the other gets 412.
    let stale = |i: usize| {
        let id = id.clone();
        std::thread::spawn(move || {
            http(
                port,
                "PATCH",
                &format!("/api/reviews/{id}/checklist/{i}"),
                &[JSON, ("If-Match", "\"1\"")],
                br#"{"status":"partial"}"#,
            )
            .status
        })
    };
    let (a, b) = (stale(1), stale(2));
    let mut codes = [a.join().unwrap(), b.join().unwrap()];
    codes.sort();
    assert_eq!(codes, [200, 412]);
    // Without If-Match, marks of different items at once all land.
    let handles: Vec<_> = (3..7)
        .map(|i| {
            let id = id.clone();
            std::thread::spawn(move || {
                http(port, "PATCH", &format!("/api/reviews/{id}/checklist/{i}"), &[JSON], br#"{"status":"blocked"}"#)
                    .status
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
    let doc = srv.get(&format!("/api/reviews/{id}")).json();
    for i in 3..7 {
        assert_eq!(doc["review"]["checklist"][i]["status"], "blocked", "item {i}");
    }
    assert_eq!(doc["revision"], 6);
}

/// Reads Server-Sent Events from a live connection until `want` arrives.
fn sse_until(port: u16, path: &str, want: &str, within: Duration, after_connect: impl FnOnce()) -> (String, Duration) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let mut reader = BufReader::new(s);
    let mut seen = String::new();
    let deadline = Instant::now() + within;
    let mut line = String::new();
    // Wait for the hello event before acting.
    while !seen.contains("event: hello") {
        line.clear();
        let _ = reader.read_line(&mut line);
        seen.push_str(&line);
        assert!(Instant::now() < deadline, "no hello: {seen}");
    }
    let start = Instant::now();
    after_connect();
    while !seen.contains(want) {
        line.clear();
        let _ = reader.read_line(&mut line);
        seen.push_str(&line);
        assert!(Instant::now() < deadline, "no {want} within {within:?}: {seen}");
    }
    (seen, start.elapsed())
}

#[test]
fn two_replicas_on_postgres_a_change_through_one_reaches_a_page_of_the_other() {
    let db = PgDb::new("replicas");
    let a = Server::start(&db.url(), &[]);
    let b = Server::start(&db.url(), &[]);
    let id = a.send("POST", "/api/reviews", &[YAML], EXAMPLE).json()["id"].as_str().unwrap().to_string();
    let (events, took) =
        sse_until(b.port, &format!("/api/reviews/{id}/events"), "checklist[2]", Duration::from_secs(10), || {
            let r = a.send("PATCH", &format!("/api/reviews/{id}/checklist/2"), &[JSON], r#"{"status":"partial"}"#);
            assert_eq!(r.status, 200);
        });
    assert!(events.contains("event: change"), "{events}");
    assert!(took < Duration::from_secs(1), "the change took {took:?} to reach the other replica");
    // And B serves the new revision.
    assert_eq!(b.get(&format!("/api/reviews/{id}")).header("etag"), Some("\"2\""));
}

#[test]
fn the_page_renders_without_script_and_marks_items_with_a_form() {
    let dir = crate::temp_dir("serve-page");
    let srv = Server::start(&format!("sqlite://{}", dir.join("gonogo.db").display()), &[]);
    let id = srv.send("POST", "/api/reviews", &[YAML], EXAMPLE).json()["id"].as_str().unwrap().to_string();
    let page = srv.get(&format!("/reviews/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Verdict: GO WITH CONDITIONS"));
    assert!(page.body.contains("<tr id=\"checklist-7\">"));
    assert!(page.body.contains(&format!("action=\"/reviews/{id}/checklist/7\"")));
    // The seed's sections, in its order.
    let order = [
        "id=\"meeting\"",
        "id=\"verdict\"",
        "id=\"checklist\"",
        "id=\"testing\"",
        "id=\"rollback\"",
        "id=\"triggers\"",
        "id=\"on-call\"",
        "id=\"monitoring\"",
        "id=\"decision\"",
        "id=\"action-items\"",
        "id=\"follow-up\"",
        "id=\"audit\"",
    ];
    let at: Vec<usize> = order.iter().map(|o| page.body.find(o).unwrap_or_else(|| panic!("no {o}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert!(!page.body.contains("LD_API_TOKEN"), "webhook secrets are never shown");
    let r = srv.send(
        "POST",
        &format!("/reviews/{id}/checklist/0"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "status=blocked",
    );
    assert_eq!(r.status, 303);
    let page = srv.get(&format!("/reviews/{id}"));
    assert!(page.body.contains("Verdict: NO-GO"), "{}", page.body);
    assert!(page.body.contains("<a href=\"#checklist-0\"><code>checklist-not-done</code></a>"));
    let list = srv.get("/");
    assert!(list.body.contains(&format!("href=\"/reviews/{id}\"")) && list.body.contains("NO-GO"));
    assert_eq!(srv.get("/reviews/nope").status, 404);
}

#[test]
fn browser_marks_an_item_and_a_second_page_updates_without_reload() {
    let root = crate::root();
    let node_modules = root.join("tests/browser/node_modules/playwright-core");
    assert!(node_modules.exists(), "playwright-core is not installed: .ci/run runs `npm ci` in tests/browser");
    let dir = crate::temp_dir("serve-browser");
    let srv = Server::start(&format!("sqlite://{}", dir.join("gonogo.db").display()), &[]);
    // The seed's review with the rollback test tracked by its checklist item only: marking
    // that item done turns GO WITH CONDITIONS into GO.
    let review =
        EXAMPLE.replace("tested_in_staging: partial", "tested_in_staging: done").replace(", \"rollback-untested\"", "");
    let id = srv.send("POST", "/api/reviews", &[YAML], &review).json()["id"].as_str().unwrap().to_string();
    let shot = root.join("docs/review-page.png");
    let o = Command::new("node")
        .arg(root.join("tests/browser/page.mjs"))
        .args([&format!("http://127.0.0.1:{}", srv.port), &id, shot.to_str().unwrap()])
        .output()
        .expect("node runs");
    assert!(o.status.success(), "{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["before"], "⚠️ Verdict: GO WITH CONDITIONS");
    assert_eq!(v["after"], "✅ Verdict: GO");
    assert_eq!(v["other"], "✅ Verdict: GO");
    assert_eq!(v["other_not_reloaded"], true);
    assert_eq!(v["row"], "✅ Done");
    // DESIGN: every change appears on every other open page within a second.
    assert!(v["other_page_ms"].as_u64().unwrap() < 1000, "{v}");
    assert!(v["other_status"].as_str().unwrap().contains("checklist[7] by local"), "{v}");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
}

#[test]
fn demo_loads_the_seed_review_and_prints_the_address() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gonogo"))
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .env("GONOGO_QUIET_LOG", "1")
        .env_remove("GONOGO_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("open ").unwrap_or_else(|| panic!("{line}")).to_string();
    let path = url.split_once(&format!("127.0.0.1:{port}")).unwrap().1.to_string();
    let page = http(port, "GET", &path, &[], b"");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("reports v2.14.0") && page.body.contains("Verdict: GO WITH CONDITIONS"));
}

#[test]
fn on_call_rotation_reads_the_services_earlier_reviews_from_the_store() {
    let dir = crate::temp_dir("serve-rotation");
    let srv = Server::start(&format!("sqlite://{}", dir.join("gonogo.db").display()), &[]);
    let earlier =
        EXAMPLE.replace("v2.14.0", "v2.13.0").replace("2024-12-13", "2024-11-13").replace("2024-12-14", "2024-11-14");
    assert_eq!(srv.send("POST", "/api/reviews", &[YAML], &earlier).status, 201);
    let r = srv.send("POST", "/api/reviews", &[YAML], EXAMPLE);
    let warn: Vec<_> = r.json()["verdict"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "on-call-not-rotated")
        .cloned()
        .collect();
    assert_eq!(warn.len(), 1, "{}", r.body);
    assert_eq!(warn[0]["severity"], "warning");
    assert!(warn[0]["message"].as_str().unwrap().contains("v2.13.0"));
}

#[test]
fn replicas_starting_at_once_migrate_once() {
    let db = PgDb::new("start");
    let url = db.url();
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || Server::start(&url, &[]))
        })
        .collect();
    let servers: Vec<Server> = starts.into_iter().map(|h| h.join().unwrap()).collect();
    for s in &servers {
        assert_eq!(s.get("/api/reviews").status, 200);
    }
    let o = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            &db.name,
            "-tAc",
            "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations",
        ])
        .output()
        .unwrap();
    // Each migration once: 0001 (reviews, revisions, audit, decisions, tokens), 0002 (captures).
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "1,2");
}

#[test]
fn the_verdicts_lines_are_lines_of_the_stored_file() {
    let dir = crate::temp_dir("serve-lines");
    let srv = Server::start(&format!("sqlite://{}", dir.join("gonogo.db").display()), &[]);
    let id = srv
        .send("POST", "/api/reviews", &[YAML], &EXAMPLE.replace("version: v2.14.0\n  tag", "version: 2.10\n  tag"))
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(srv.get(&format!("/api/reviews/{id}")).body.contains("\"version\":2.10"), "JSON keeps the number's text");
    let file = srv.send("GET", &format!("/api/reviews/{id}"), &[("Accept", "application/yaml")], "");
    assert_eq!(file.header("content-type"), Some("application/yaml; charset=utf-8"));
    assert!(file.body.contains("version: 2.10\n"), "numbers keep their text: {}", file.body);
    let v = srv.get(&format!("/api/reviews/{id}/verdict")).json();
    for f in v["findings"].as_array().unwrap() {
        let line = file.body.lines().nth(f["line"].as_u64().unwrap() as usize - 1).unwrap();
        let col = f["column"].as_u64().unwrap() as usize;
        assert!(line.chars().skip(col - 1).collect::<String>().starts_with("\"partial\""), "{f} → {line:?}");
    }
}

#[test]
fn writes_from_other_sites_and_odd_requests_are_refused_with_json() {
    let dir = crate::temp_dir("serve-guard");
    let db = format!("sqlite://{}", dir.join("gonogo.db").display());
    let srv = Server::start(&db, &[]);
    let id = srv.send("POST", "/api/reviews", &[YAML], EXAMPLE).json()["id"].as_str().unwrap().to_string();
    let patch = format!("/api/reviews/{id}/checklist/1");
    // A page on another site posting through the browser of someone who has this open.
    let r = srv.send("PATCH", &patch, &[JSON, ("Origin", "http://attacker.example")], r#"{"status":"blocked"}"#);
    assert_eq!(r.status, 403);
    // DNS rebinding: an open server answers writes only to a loopback host name.
    let r = http(srv.port, "POST", "/api/reviews", &[("Host", "attacker.example"), YAML], EXAMPLE.as_bytes());
    assert_eq!(r.status, 403);
    // The form encodings a foreign page can send without asking are not review files.
    let r = srv.send("POST", "/api/reviews", &[("Content-Type", "text/plain")], EXAMPLE);
    assert_eq!(r.status, 415);
    // Path and body problems answer JSON too.
    let r = srv.send("PATCH", &format!("/api/reviews/{id}/checklist/-1"), &[JSON], r#"{"status":"done"}"#);
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].is_string());
    assert_eq!(srv.send("PATCH", &patch, &[JSON], "{}").status, 400);
    // If-Match: * matches the current revision.
    assert_eq!(srv.send("PATCH", &patch, &[JSON, ("If-Match", "*")], r#"{"owner":"@qa"}"#).status, 200);
    let pending = EXAMPLE.replace("outcome: go", "outcome: pending");
    let r = srv.send("PUT", &format!("/api/reviews/{id}"), &[YAML, ("If-Match", "*")], &pending);
    assert_eq!(r.status, 403, "a PUT still cannot change the decision: {}", r.body);
    assert_eq!(srv.get("/api/reviews/ab%00cd").status, 404);
    // JSON that YAML reads differently still works.
    let json =
        serde_json::json!({ "apiVersion": "gonogo/v1", "release": { "service": "r\u{1F680}", "version": "2.10" } });
    let body = serde_json::to_string(&json).unwrap().replace('\u{1F680}', "\\ud83d\\ude80");
    let r = srv.send("POST", "/api/reviews", &[JSON], &body);
    assert_eq!(r.status, 201, "{}", r.body);
    // Nothing of the refused writes landed.
    let audit = srv.get(&format!("/api/reviews/{id}/audit")).json();
    assert_eq!(audit["audit"].as_array().unwrap().len(), 2, "the create and the If-Match: * mark only");
    // An open server closes as soon as a token exists, without a restart.
    let o = crate::gonogo(&["token", "create", "--name", "@late", "--role", "viewer", "--db", &db]);
    assert_eq!(crate::code(&o), 0);
    std::thread::sleep(Duration::from_millis(1100));
    let r = srv.send("POST", &format!("/api/reviews/{id}/decision"), &[JSON], r#"{"outcome":"pending"}"#);
    assert_eq!(r.status, 401, "{}", r.body);
    // Token names are people; throwaway databases are refused.
    assert_eq!(crate::code(&crate::gonogo(&["token", "create", "--name", " ", "--role", "viewer", "--db", &db])), 2);
    assert_eq!(
        crate::code(&crate::gonogo(&[
            "token",
            "create",
            "--name",
            "@x",
            "--role",
            "viewer",
            "--db",
            "sqlite::memory:"
        ])),
        2
    );
}

const TRANSCRIPT: &str = "[00:00:05] Elena Park: This is the readiness review for reports v2.14.0. For the notes, today is Friday the 13th of December 2024, all times UTC.
[00:01:10] James Okafor: The rollback test in staging is done now. I validated the automated rollback script this morning.
[00:02:00] Elena Park: James, please post the rollback test log in the release channel by 11:30 today.
[00:02:06] James Okafor: Will do.
[00:03:00] Priya Raman: Do we know if the EU shard needs a backfill?
[00:03:20] Elena Park: Let's move on, we can come back to it.
[00:04:00] Elena Park: Okay. Decision: it's a GO for v2.14.0.
";

/// The transcript feeds gonogo-capture; a person accepts or rejects each drafted item on the
/// page or through the API; accepting applies it to the review, and every step is audited.
fn capture_story(db: &str) {
    let srv = Server::start(db, &[]);
    let id = srv.send("POST", "/api/reviews", &[YAML], EXAMPLE).json()["id"].as_str().unwrap().to_string();
    let text = ("Content-Type", "text/plain");
    let r = srv.send("POST", &format!("/api/reviews/{id}/transcript"), &[text], TRANSCRIPT);
    assert_eq!(r.status, 201, "{}", r.body);
    let rows = r.json()["captures"].as_array().unwrap().clone();
    let kind = |k: &str| rows.iter().find(|c| c["kind"] == k).unwrap_or_else(|| panic!("no {k}: {rows:#?}")).clone();
    let (check, action, question, decision) =
        (kind("checklist_update"), kind("action_item"), kind("open_question"), kind("decision"));
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert!(rows.iter().all(|c| c["state"] == "pending"));
    assert_eq!(
        (check["item"]["item"].as_str(), check["item"]["status"].as_str()),
        (Some("Rollback tested in staging"), Some("done"))
    );
    assert_eq!(action["item"]["owner"], "@infra-james");
    assert_eq!(action["item"]["due"], "2024-12-13T11:30:00Z");
    assert_eq!(decision["item"]["outcome"], "go");
    // The same transcript again drafts nothing new.
    let r = srv.send("POST", &format!("/api/reviews/{id}/transcript"), &[text], TRANSCRIPT);
    assert_eq!((r.status, r.json()["captures"].as_array().map(|a| a.len())), (201, Some(0)), "{}", r.body);
    // The page shows each pending item with its quote, to accept or reject.
    let page = srv.get(&format!("/reviews/{id}")).body;
    assert!(page.contains("Captured from the transcript"), "{page}");
    assert!(
        page.contains(&format!("id=\"accept-{}\"", check["id"]))
            && page.contains("<q>The rollback test in staging is done now.</q>"),
        "{page}"
    );

    // Accepting the checklist update marks the item: one blocker fewer.
    let before = rules_of(&srv.get(&format!("/api/reviews/{id}/verdict")).json());
    assert!(before.contains(&("checklist-not-done".to_string(), true)), "{before:?}");
    let r = srv.send("POST", &format!("/api/reviews/{id}/captures/{}/accept", check["id"]), &[], "");
    assert_eq!((r.status, r.json()["capture"]["state"].as_str()), (200, Some("accepted")), "{}", r.body);
    let doc = srv.get(&format!("/api/reviews/{id}")).json();
    assert_eq!(doc["review"]["checklist"][7]["status"], "done");
    let after = rules_of(&srv.get(&format!("/api/reviews/{id}/verdict")).json());
    assert_eq!(after, vec![("rollback-untested".to_string(), true)]);
    // The action item is added once, the question rejected, a settled item stays settled.
    let r = srv.send("POST", &format!("/api/reviews/{id}/captures/{}/accept", action["id"]), &[], "");
    assert_eq!(r.status, 200, "{}", r.body);
    let items = srv.get(&format!("/api/reviews/{id}")).json()["review"]["action_items"].clone();
    let added: Vec<&serde_json::Value> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["owner"] == "@infra-james" && a["due"] == "2024-12-13T11:30:00Z")
        .collect();
    assert_eq!(added.len(), 1, "{items:#}");
    assert_eq!(added[0]["status"], "open");
    // Rejected with the page's form, as an attendee without script does.
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let r = srv.send("POST", &format!("/reviews/{id}/captures/{}/reject", question["id"]), &[form], "");
    assert_eq!((r.status, r.header("location")), (303, Some(format!("/reviews/{id}#captures").as_str())), "{}", r.body);
    let r = srv.send("POST", &format!("/api/reviews/{id}/captures/{}/accept", question["id"]), &[], "");
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("already rejected"));
    // The go/no-go call is recorded as a decision by whoever accepts it (here the open server's person).
    let r = srv.send("POST", &format!("/api/reviews/{id}/captures/{}/accept", decision["id"]), &[], "");
    assert_eq!(r.status, 200, "{}", r.body);
    let list = srv.get(&format!("/api/reviews/{id}/captures")).json()["captures"].clone();
    let states: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["state"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "accepted").count(), 3, "{list:#}");
    assert!(srv.get(&format!("/reviews/{id}")).body.contains("Nothing waiting for a person."));
    // Every step is in the audit trail.
    let audit = srv.get(&format!("/api/reviews/{id}/audit")).json()["audit"].clone();
    let changes: Vec<String> =
        audit.as_array().unwrap().iter().map(|e| e["change"].as_str().unwrap().to_string()).collect();
    for want in [
        "transcript".to_string(),
        "checklist[7]".to_string(),
        format!("capture[{}] accepted", check["id"]),
        format!("capture[{}]: action item", action["id"]),
        format!("capture[{}] rejected", question["id"]),
        "decision".to_string(),
    ] {
        assert!(changes.contains(&want), "{want} not in {changes:?}");
    }
    // Bad input: a transcript that is not one, JSON lines without a time, an unknown review or item.
    let r = srv.send(
        "POST",
        &format!("/api/reviews/{id}/transcript"),
        &[text],
        "WEBVTT\n\n00:00:01.000 --> soon\n<v A>hi</v>\n",
    );
    assert_eq!((r.status, r.json()["line"].as_i64()), (400, Some(3)), "{}", r.body);
    let r = srv.send(
        "POST",
        &format!("/api/reviews/{id}/transcript"),
        &[("Content-Type", "application/x-ndjson")],
        "{\"speaker\": \"A\", \"text\": \"x\"}\n",
    );
    assert_eq!((r.status, r.json()["line"].as_i64()), (400, Some(1)), "{}", r.body);
    let r = srv.send("POST", "/api/reviews/0123456789abcdef/transcript", &[text], TRANSCRIPT);
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(srv.send("POST", &format!("/api/reviews/{id}/captures/999999/accept"), &[], "").status, 404);
    // The page's transcript form drafts from pasted text.
    let pasted = "transcript=%5B00%3A06%3A00%5D+Ana+Souza%3A+I%27ll+update+the+FAQ+doc+for+CS+by+end+of+day.";
    let r = srv.send("POST", &format!("/reviews/{id}/transcript"), &[form], pasted);
    assert_eq!(r.status, 303, "{}", r.body);
    let list = srv.get(&format!("/api/reviews/{id}/captures")).json()["captures"].clone();
    assert!(
        list.as_array().unwrap().iter().any(|c| c["item"]["action"].as_str().is_some_and(|a| a.contains("FAQ"))),
        "{list:#}"
    );
    // Live feeds send JSON lines.
    let lines = "{\"at\": \"00:05:00\", \"speaker\": \"Ana Souza\", \"text\": \"I'll open the patch tracking issue for the P2s by end of day.\"}\n";
    let r =
        srv.send("POST", &format!("/api/reviews/{id}/transcript"), &[("Content-Type", "application/x-ndjson")], lines);
    assert_eq!(r.status, 201, "{}", r.body);
    let fresh = r.json()["captures"].clone();
    assert_eq!(fresh[0]["item"]["owner"], "@backend-ana", "{fresh:#}");
}

#[test]
fn capture_story_on_sqlite() {
    let dir = crate::temp_dir("serve-capture-sqlite");
    capture_story(&format!("sqlite://{}", dir.join("gonogo.db").display()));
}

#[test]
fn capture_story_on_postgres() {
    let db = PgDb::new("capture");
    capture_story(&db.url());
}
