//! Scraping `/metrics` into the embedded series store, as Prometheus does: content
//! negotiation between OpenMetrics and the 0.0.4 text format, `job` and `instance` target
//! labels (a scraped label of the same name becomes `exported_job`/`exported_instance`), the
//! `up`, `scrape_duration_seconds` and `scrape_samples_scraped` series, and stale markers for
//! every series that a scrape no longer returns or a failed scrape could not return.

use gonogo_promql::exposition;
use gonogo_promql::store::{Store, stale_nan};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// What Prometheus 2.42 sends, so a target answers the way it answers Prometheus.
const ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// A `/metrics` body larger than this is refused, so a broken target cannot exhaust memory.
const MAX_BODY: usize = 64 << 20;

type Labels = Vec<(String, String)>;

/// One scrape target.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub job: String,
    /// `host:port` of the URL, as Prometheus sets `instance`.
    pub instance: String,
}

impl Target {
    pub fn new(url: &str, job: &str) -> Result<Target, String> {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .ok_or_else(|| format!("--scrape `{url}` is not an http:// or https:// URL"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() {
            return Err(format!("--scrape `{url}` has no host"));
        }
        let instance = if host.contains(':') && !host.ends_with(']') {
            host.to_string()
        } else if url.starts_with("https://") {
            format!("{host}:443")
        } else {
            format!("{host}:80")
        };
        Ok(Target { url: url.to_string(), job: job.to_string(), instance })
    }
}

/// The outcome of scraping one target once.
#[derive(Debug, Clone)]
pub struct ScrapeReport {
    pub target: String,
    /// `None` when the scrape succeeded.
    pub error: Option<String>,
    pub samples: usize,
    pub duration: Duration,
}

/// A series as the target wrote it: its name and labels before the target's are added.
type Raw = (String, Vec<(String, String)>);

struct TargetState {
    target: Target,
    /// The store's id of each series the target has served, as Prometheus keeps a scrape
    /// cache: a known series costs one lookup, not building and normalising its labels again.
    cache: HashMap<Raw, usize>,
    /// The store generation the ids are from.
    generation: u64,
    /// The series the last successful scrape wrote, to mark the vanished ones stale.
    last: HashSet<usize>,
}

/// Scrapes its targets into a shared store.
pub struct Scraper {
    http: reqwest::Client,
    targets: Vec<TargetState>,
    store: Arc<RwLock<Store>>,
}

impl Scraper {
    pub fn new(targets: Vec<Target>, timeout: Duration, store: Arc<RwLock<Store>>) -> Result<Scraper, String> {
        crate::install_crypto();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("gonogo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let targets = targets
            .into_iter()
            .map(|target| TargetState { target, cache: HashMap::new(), generation: 0, last: HashSet::new() })
            .collect();
        Ok(Scraper { http, targets, store })
    }

    pub fn store(&self) -> &Arc<RwLock<Store>> {
        &self.store
    }

    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().map(|t| &t.target)
    }

    /// Scrapes every target at once and writes what they served at `t_ms` (the scrape's start,
    /// as Prometheus stamps samples without their own timestamp).
    pub async fn scrape(&mut self, t_ms: i64) -> Vec<ScrapeReport> {
        let fetches = self.targets.iter().map(|t| fetch(&self.http, &t.target));
        let bodies = futures_util::future::join_all(fetches).await;
        let mut reports = Vec::with_capacity(bodies.len());
        let Ok(mut store) = self.store.write() else {
            return vec![];
        };
        for (t, (body, fetched_in)) in self.targets.iter_mut().zip(bodies) {
            let ingest_start = Instant::now();
            if t.generation != store.generation() {
                // A trim renumbered the series: the ids are gone, and with them which series
                // the last scrape wrote (the vanished ones then go stale by the lookback).
                t.cache.clear();
                t.last.clear();
                t.generation = store.generation();
            }
            let parsed = body.and_then(|(text, ctype)| {
                exposition::parse(&text, ctype.as_deref()).map_err(|e| format!("parsing the exposition: {e}"))
            });
            let (error, samples) = match parsed {
                Ok(families) => match ingest(&mut store, t, families, t_ms) {
                    Ok(n) => (None, n),
                    Err(e) => {
                        mark_stale(&mut store, t, t_ms);
                        (Some(e), 0)
                    }
                },
                Err(e) => {
                    mark_stale(&mut store, t, t_ms);
                    (Some(e), 0)
                }
            };
            let target_labels = |name: &str| -> Labels {
                let mut l = vec![
                    ("__name__".to_string(), name.to_string()),
                    ("instance".to_string(), t.target.instance.clone()),
                    ("job".to_string(), t.target.job.clone()),
                ];
                l.sort();
                l
            };
            // As Prometheus' scrape_duration_seconds: fetching, parsing and storing.
            let took = fetched_in + ingest_start.elapsed();
            // The scrape's own series are written even when the series limit is reached:
            // `up` is what says the target is not being read.
            let up = if error.is_none() { 1.0 } else { 0.0 };
            let _ = store.append(&target_labels("up"), t_ms, up);
            let _ = store.append(&target_labels("scrape_duration_seconds"), t_ms, took.as_secs_f64());
            let _ = store.append(&target_labels("scrape_samples_scraped"), t_ms, samples as f64);
            reports.push(ScrapeReport { target: t.target.url.clone(), error, samples, duration: took });
        }
        reports
    }
}

async fn fetch(http: &reqwest::Client, t: &Target) -> (Result<(String, Option<String>), String>, Duration) {
    let start = Instant::now();
    let res = async {
        let resp = http.get(&t.url).header("Accept", ACCEPT).send().await.map_err(|e| describe(&e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("server returned HTTP status {status}"));
        }
        if resp.content_length().is_some_and(|n| n as usize > MAX_BODY) {
            return Err(format!("the body is over {} MiB", MAX_BODY >> 20));
        }
        let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = resp.bytes().await.map_err(|e| describe(&e))?;
        if bytes.len() > MAX_BODY {
            return Err(format!("the body is over {} MiB", MAX_BODY >> 20));
        }
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| "the body is not UTF-8".to_string())?;
        Ok((text, ctype))
    }
    .await;
    (res, start.elapsed())
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the scrape timed out".to_string()
    } else if e.is_connect() {
        "connection refused or unreachable".to_string()
    } else {
        // reqwest's text names the URL; the report names the target already.
        e.to_string()
    }
}

/// Writes one successful scrape; returns the number of samples. A scrape that would take the
/// store past its series limit writes nothing (as Prometheus' `sample_limit` fails the scrape
/// whole), so no half of a target's series is ever visible.
fn ingest(
    store: &mut Store,
    t: &mut TargetState,
    families: Vec<exposition::Family>,
    t_ms: i64,
) -> Result<usize, String> {
    let mut rows: Vec<(Raw, i64, f64)> = Vec::new();
    for f in families {
        for s in f.samples {
            let ts = s.timestamp.map(|sec| (sec * 1000.0).round() as i64).unwrap_or(t_ms);
            rows.push(((s.name, s.labels), ts, s.value));
        }
    }
    let unknown: HashSet<&Raw> = rows.iter().map(|r| &r.0).filter(|raw| !t.cache.contains_key(*raw)).collect();
    let new = unknown.iter().filter(|raw| !store.contains(&series_labels(&raw.0, &raw.1, &t.target))).count();
    // Room is kept for the scrape's own three series, which say why the target is not read.
    let own = ["up", "scrape_duration_seconds", "scrape_samples_scraped"].len();
    if store.series_count() + new + own > store.max_series() {
        let series: HashSet<&Raw> = rows.iter().map(|r| &r.0).collect();
        return Err(format!(
            "the scrape brings {} series ({new} new) and the store holds {} of at most {}: raise --max-series",
            series.len(),
            store.series_count(),
            store.max_series()
        ));
    }
    let n = rows.len();
    let mut seen: HashSet<usize> = HashSet::with_capacity(t.last.len().max(n));
    for (raw, ts, v) in rows {
        let id = match t.cache.get(&raw) {
            Some(&id) => id,
            None => {
                let id = store.series_id(&series_labels(&raw.0, &raw.1, &t.target)).map_err(|e| e.to_string())?;
                t.cache.insert(raw, id);
                id
            }
        };
        store.append_to(id, ts, v);
        seen.insert(id);
    }
    for &gone in t.last.difference(&seen) {
        store.append_to(gone, t_ms, stale_nan());
    }
    t.last = seen;
    Ok(n)
}

/// A failed scrape makes every series of the target's last scrape stale at once, as
/// Prometheus does, so queries stop seeing old values within one scrape, not 5 minutes.
fn mark_stale(store: &mut Store, t: &mut TargetState, t_ms: i64) {
    for gone in t.last.drain() {
        store.append_to(gone, t_ms, stale_nan());
    }
}

/// The series' labels: its own, then the target's; a scraped `job` or `instance` is kept as
/// `exported_job`/`exported_instance` (Prometheus' `honor_labels: false`).
fn series_labels(name: &str, labels: &[(String, String)], t: &Target) -> Labels {
    let mut out: Labels = Vec::with_capacity(labels.len() + 3);
    out.push(("__name__".to_string(), name.to_string()));
    for (k, v) in labels {
        if v.is_empty() {
            continue;
        }
        match k.as_str() {
            "job" | "instance" => out.push((format!("exported_{k}"), v.clone())),
            _ => out.push((k.clone(), v.clone())),
        }
    }
    out.push(("instance".to_string(), t.instance.clone()));
    out.push(("job".to_string(), t.job.clone()));
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_is_host_and_port() {
        assert_eq!(Target::new("http://127.0.0.1:9100/metrics", "j").unwrap().instance, "127.0.0.1:9100");
        assert_eq!(Target::new("http://svc/metrics", "j").unwrap().instance, "svc:80");
        assert_eq!(Target::new("https://svc/metrics", "j").unwrap().instance, "svc:443");
        assert!(Target::new("ftp://x", "j").is_err());
    }

    #[test]
    fn scraped_job_and_instance_are_exported() {
        let t = Target::new("http://127.0.0.1:1/metrics", "reports").unwrap();
        let l = series_labels("m", &[("job".into(), "x".into()), ("code".into(), "500".into())], &t);
        let names: Vec<&str> = l.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["__name__", "code", "exported_job", "instance", "job"]);
        assert_eq!(l[4].1, "reports");
    }
}
