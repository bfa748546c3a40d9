//! Real parts for the watch tests: Debian's Prometheus started on loopback with a 1 s scrape
//! interval, a metrics target the test controls, and an HTTP listener standing in for the
//! webhook receivers (a chat or feature-flag API that cannot run here).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request the listener received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
    pub at: Instant,
}

type Handler = Arc<dyn Fn(&Request) -> (u16, String) + Send + Sync>;

/// A tiny HTTP/1.1 server on 127.0.0.1: records every request, answers with `handler`.
pub struct Http {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Http {
    pub fn start(handler: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static) -> Http {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (reqs, handler): (_, Handler) = (requests.clone(), Arc::new(handler));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (reqs, handler) = (reqs.clone(), handler.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &reqs, &handler);
                });
            }
        });
        Http { port, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests.lock().unwrap().iter().filter(|r| r.path == path).cloned().collect()
    }
}

fn serve(stream: TcpStream, reqs: &Mutex<Vec<Request>>, handler: &Handler) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        let req = Request {
            method,
            path: path.split('?').next().unwrap_or("").to_string(),
            headers,
            body: String::from_utf8_lossy(&body).into(),
            at: Instant::now(),
        };
        let (status, text) = handler(&req);
        reqs.lock().unwrap().push(req);
        let resp = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        stream.write_all(resp.as_bytes())?;
    }
}

/// A scrape target whose gauges and counter rates the test sets; counters grow with wall time
/// at their current rate, as a real service's would.
#[derive(Default)]
pub struct Metrics {
    gauges: HashMap<String, f64>,
    rates: HashMap<String, f64>,
    counters: HashMap<String, f64>,
    last: Option<Instant>,
}

impl Metrics {
    fn render(&mut self) -> String {
        let now = Instant::now();
        let dt = self.last.map(|l| now.duration_since(l).as_secs_f64()).unwrap_or(0.0);
        self.last = Some(now);
        for (k, r) in &self.rates {
            *self.counters.entry(k.clone()).or_insert(0.0) += r * dt;
        }
        let mut out = String::new();
        let mut keys: Vec<_> = self.gauges.keys().chain(self.counters.keys()).collect();
        keys.sort();
        for k in keys {
            let v = self.gauges.get(k).or_else(|| self.counters.get(k)).unwrap();
            out.push_str(&format!("{k} {v}\n"));
        }
        out
    }
}

pub struct Target {
    pub http: Http,
    pub metrics: Arc<Mutex<Metrics>>,
    down: Arc<std::sync::atomic::AtomicBool>,
}

impl Target {
    pub fn start() -> Target {
        let metrics = Arc::new(Mutex::new(Metrics::default()));
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (m, d) = (metrics.clone(), down.clone());
        let http = Http::start(move |_| {
            if d.load(std::sync::atomic::Ordering::SeqCst) {
                (503, "down".into())
            } else {
                (200, m.lock().unwrap().render())
            }
        });
        Target { http, metrics, down }
    }
    /// From now on every scrape fails, as when the service is gone.
    pub fn go_down(&self) {
        self.down.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    /// The target stops serving this series (a gauge or a counter).
    pub fn remove(&self, series: &str) {
        let mut m = self.metrics.lock().unwrap();
        m.gauges.remove(series);
        m.rates.remove(series);
        m.counters.remove(series);
    }
    pub fn gauge(&self, series: &str, v: f64) {
        self.metrics.lock().unwrap().gauges.insert(series.to_string(), v);
    }
    /// Sets a counter's rate per second (it keeps its value so far).
    pub fn rate(&self, series: &str, per_sec: f64) {
        let mut m = self.metrics.lock().unwrap();
        m.render();
        m.rates.insert(series.to_string(), per_sec);
        m.counters.entry(series.to_string()).or_insert(0.0);
    }
}

pub const REQ_OK: &str = "http_requests_total{route=\"/api/reports/schedule\",code=\"200\"}";
pub const REQ_ERR: &str = "http_requests_total{route=\"/api/reports/schedule\",code=\"500\"}";
/// The seed's error-rate trigger, over 5 s instead of 5 minutes so that a test sees it move.
pub const ERROR_RATIO: &str = "sum(rate(http_requests_total{route=\"/api/reports/schedule\",code=~\"5..\"}[5s])) / sum(rate(http_requests_total{route=\"/api/reports/schedule\"}[5s]))";

/// A review of `reports v2.14.0` with these triggers and actions (YAML list bodies, indented by 4).
pub fn review(dir: &Path, triggers: &str, actions: &str, monitoring: &str) -> PathBuf {
    let text = format!(
        "apiVersion: gonogo/v1\nrelease: {{ service: reports, version: v2.14.0 }}\nrollback:\n  steps: [Disable the flag]\n  triggers:\n{triggers}  actions:\n{actions}monitoring:\n{monitoring}"
    );
    let p = dir.join("review.yaml");
    std::fs::write(&p, text).unwrap();
    p
}

/// A webhook action posting `{"on": false}` (`extra`: more flow-map entries, e.g. `, retries: 0`).
pub fn webhook(name: &str, url: &str, extra: &str) -> String {
    format!("    - name: {name}\n      webhook: {{ url: \"{url}\", method: POST, body: '{{\"on\": false}}'{extra} }}\n")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn temp(name: &str) -> PathBuf {
    crate::temp_dir(name)
}

/// Debian's Prometheus on 127.0.0.1, scraping `target` every second, with optional rules.
pub struct Prometheus {
    child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
}

impl Prometheus {
    pub fn start(name: &str, target_port: u16, rules: Option<&str>) -> Prometheus {
        assert!(
            Command::new("sh").args(["-c", "command -v prometheus"]).output().is_ok_and(|o| o.status.success()),
            "Debian's prometheus is not installed: .ci/run installs it"
        );
        let dir = temp(&format!("prom-{name}"));
        let port = free_port();
        let mut cfg = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
        );
        if let Some(r) = rules {
            std::fs::write(dir.join("rules.yml"), r).unwrap();
            cfg.push_str(&format!("rule_files: ['{}']\n", dir.join("rules.yml").display()));
        }
        std::fs::write(dir.join("prometheus.yml"), cfg).unwrap();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        let p = Prometheus { child: Some(child), port, dir };
        p.wait_until(Duration::from_secs(30), "up == 1", |v| v.as_array().is_some_and(|a| !a.is_empty()));
        p
    }

    /// Debian's Prometheus serving an existing TSDB (a backfill), scraping nothing.
    pub fn start_on(name: &str, tsdb: &std::path::Path) -> Prometheus {
        let dir = temp(&format!("prom-{name}"));
        let port = free_port();
        std::fs::write(dir.join("prometheus.yml"), "global:\n  scrape_interval: 1m\n").unwrap();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", tsdb.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        let p = Prometheus { child: Some(child), port, dir };
        p.wait_until(Duration::from_secs(30), "vector(1)", |v| v.as_array().is_some_and(|a| !a.is_empty()));
        p
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A range query; the API's `data` object, or its error text.
    pub fn query_range(&self, q: &str, start: i64, end: i64, step: i64) -> Result<serde_json::Value, String> {
        let enc: String = q
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(20))).map_err(|e| e.to_string())?;
        write!(
            s,
            "GET /api/v1/query_range?query={enc}&start={start}&end={end}&step={step} HTTP/1.0\r\nHost: x\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).map_err(|e| e.to_string())?;
        let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
        let v: serde_json::Value = serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))?;
        if v["status"] == "success" {
            Ok(v["data"].clone())
        } else {
            Err(v["error"].as_str().unwrap_or(body).to_string())
        }
    }

    /// Polls an instant query until `ok` holds for its result list.
    pub fn wait_until(&self, within: Duration, query: &str, ok: impl Fn(&serde_json::Value) -> bool) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(v) = self.query(query)
                && ok(&v)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "prometheus: `{query}` not as expected within {within:?}; log in {}",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn query(&self, q: &str) -> Option<serde_json::Value> {
        let enc: String = q
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(s, "GET /api/v1/query?query={enc} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).ok()?;
        let body = resp.split("\r\n\r\n").nth(1)?;
        let v: serde_json::Value = serde_json::from_str(body).ok()?;
        v.get("data").and_then(|d| d.get("result")).cloned()
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A `gonogo watch` the test started, and the events file it writes.
pub struct Watch {
    pub child: Child,
    pub events: PathBuf,
    pub started: Instant,
}

impl Watch {
    pub fn spawn(args: &[String], events: PathBuf) -> Watch {
        let child = Command::new(env!("CARGO_BIN_EXE_gonogo"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Watch { child, events, started: Instant::now() }
    }
}

impl Watch {
    /// Waits for the watch to exit; returns its code.
    pub fn wait(&mut self, within: Duration) -> i32 {
        let deadline = Instant::now() + within;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the watch did not exit within {within:?}; events: {:#?}", self.events());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    pub fn events(&self) -> Vec<gonogo_watch::events::Event> {
        gonogo_watch::events::read(&self.events).unwrap_or_default()
    }
    pub fn names(&self) -> Vec<String> {
        self.events().into_iter().map(|e| e.event).collect()
    }
    /// Waits until an event with this name is in the file.
    pub fn wait_event(&self, name: &str, within: Duration) -> gonogo_watch::events::Event {
        let deadline = Instant::now() + within;
        loop {
            if let Some(e) = self.events().into_iter().find(|e| e.event == name) {
                return e;
            }
            assert!(Instant::now() < deadline, "no {name} event within {within:?}: {:#?}", self.events());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
