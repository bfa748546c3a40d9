//! The embedded PromQL engine against Debian's Prometheus 2.42 on the same data: generated
//! counters (with resets and gaps), gauges and classic histograms written as OpenMetrics,
//! backfilled into Prometheus with `promtool tsdb create-blocks-from openmetrics` and loaded
//! into gonogo's store from the same file; a few hundred trigger-shaped range queries must
//! give the same series, timestamps and values (relative 1e-6) from both.

use crate::harness::{Prometheus, temp};
use std::collections::BTreeMap;
use std::process::Command;

/// A small deterministic generator (splitmix64), so a failure reproduces.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The data set: one OpenMetrics text with a sample every `step_s` from `t0` for `n` steps.
pub fn generate(t0: i64, n: i64, step_s: i64, seed: u64) -> String {
    let mut r = Rng::new(seed);
    let mut out = String::new();
    // Counters, each with its own rate, a reset now and then and a few missing scrapes.
    out.push_str("# TYPE http_requests_total gauge\n");
    for route in ["/api/reports/schedule", "/api/reports/list"] {
        for code in ["200", "404", "500", "503"] {
            let base = match code {
                "200" => 50.0,
                "404" => 2.0,
                _ => 0.5,
            };
            let mut v = (r.unit() * 1000.0).floor();
            for i in 0..n {
                if r.unit() < 0.02 {
                    continue; // a missed scrape
                }
                if r.unit() < 0.004 {
                    v = 0.0; // the process restarted
                }
                v += (base * step_s as f64 * (0.5 + r.unit())).floor();
                out.push_str(&format!(
                    "http_requests_total{{code=\"{code}\",route=\"{route}\"}} {v} {}\n",
                    t0 + i * step_s
                ));
            }
        }
    }
    // Gauges.
    out.push_str("# TYPE queue_depth gauge\n");
    for queue in ["reports", "emails", "exports"] {
        let mut v = r.unit() * 300.0;
        for i in 0..n {
            if r.unit() < 0.01 {
                continue;
            }
            v = (v + (r.unit() - 0.48) * 40.0).max(0.0);
            out.push_str(&format!("queue_depth{{queue=\"{queue}\"}} {} {}\n", round3(v), t0 + i * step_s));
        }
    }
    // A classic histogram's buckets, as cumulative counters.
    let les = ["0.5", "1", "2.5", "5", "10", "25", "+Inf"];
    out.push_str("# TYPE report_generation_seconds_bucket gauge\n");
    for instance in ["a", "b"] {
        let mut counts = [0.0f64; 7];
        let mut rows = Vec::new();
        for i in 0..n {
            for _ in 0..(5 + (r.next() % 20)) {
                let x = -3.0 * (1.0 - r.unit()).ln();
                for (j, le) in les.iter().enumerate() {
                    let bound = if *le == "+Inf" { f64::INFINITY } else { le.parse().unwrap() };
                    if x <= bound {
                        counts[j] += 1.0;
                    }
                }
            }
            rows.push((t0 + i * step_s, counts));
        }
        for (j, le) in les.iter().enumerate() {
            for (t, c) in &rows {
                out.push_str(&format!(
                    "report_generation_seconds_bucket{{instance=\"{instance}\",le=\"{le}\"}} {} {t}\n",
                    c[j]
                ));
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Trigger-shaped queries: the ratios, rates, quantiles and thresholds reviews hold.
pub fn queries() -> Vec<String> {
    let mut q = Vec::new();
    let ranges = ["1m", "5m", "10m"];
    let offsets = ["", " offset 5m"];
    for r in ranges {
        for o in offsets {
            q.push(format!("sum(rate(http_requests_total{{route=\"/api/reports/schedule\",code=~\"5..\"}}[{r}]{o})) / sum(rate(http_requests_total{{route=\"/api/reports/schedule\"}}[{r}]{o}))"));
            for f in ["rate", "increase", "irate", "resets", "changes"] {
                q.push(format!("{f}(http_requests_total[{r}]{o})"));
            }
            for f in ["delta", "idelta"] {
                q.push(format!("{f}(queue_depth[{r}]{o})"));
            }
            for f in ["avg", "min", "max", "sum", "count", "last", "stddev", "stdvar"] {
                q.push(format!("{f}_over_time(queue_depth[{r}]{o})"));
            }
            for phi in ["0.5", "0.9", "0.99"] {
                q.push(format!("quantile_over_time({phi}, queue_depth[{r}]{o})"));
                q.push(format!(
                    "histogram_quantile({phi}, sum by (le) (rate(report_generation_seconds_bucket[{r}]{o})))"
                ));
                q.push(format!("histogram_quantile({phi}, rate(report_generation_seconds_bucket[{r}]{o}))"));
            }
            q.push(format!("sum by (code) (rate(http_requests_total[{r}]{o})) > bool 1"));
            q.push(format!("sum without (route) (increase(http_requests_total[{r}]{o}))"));
            q.push(format!("topk(2, rate(http_requests_total[{r}]{o}))"));
            q.push(format!("bottomk(1, max_over_time(queue_depth[{r}]{o}))"));
            q.push(format!("sum(rate(http_requests_total{{code=~\"5..\"}}[{r}]{o})) by (route) / on (route) sum(rate(http_requests_total[{r}]{o})) by (route)"));
            q.push(format!("rate(http_requests_total{{code=\"500\"}}[{r}]{o}) / ignoring (code) group_left rate(http_requests_total{{code=\"200\"}}[{r}]{o})"));
            q.push(format!("abs(delta(queue_depth[{r}]{o})) > 20"));
        }
    }
    for o in offsets {
        for agg in ["sum", "avg", "min", "max", "count", "stddev", "stdvar"] {
            q.push(format!("{agg}(queue_depth{o})"));
            q.push(format!("{agg} by (code) (http_requests_total{o})"));
        }
        q.push(format!("quantile(0.9, queue_depth{o})"));
        q.push(format!("max(queue_depth{o}) > 150"));
        q.push(format!("queue_depth{o} > bool 150"));
        q.push(format!("queue_depth{{queue!=\"emails\"}}{o} * 2 - 1"));
        q.push(format!("queue_depth{{queue=~\"rep.*|exp.*\"}}{o} % 7"));
        q.push(format!("queue_depth{{queue!~\"e.*\"}}{o} ^ 0.5"));
        q.push(format!("clamp(queue_depth{o}, 50, 150)"));
        q.push(format!("clamp_min(queue_depth{o}, 100)"));
        q.push(format!("clamp_max(queue_depth{o}, 100)"));
        q.push(format!("round(queue_depth{o})"));
        q.push(format!("round(queue_depth{o}, 5)"));
        q.push(format!("ceil(queue_depth{o}) - floor(queue_depth{o})"));
        q.push(format!("timestamp(queue_depth{o})"));
        q.push(format!("queue_depth{o} and queue_depth{o} > 100"));
        q.push(format!("queue_depth{o} unless queue_depth{o} > 100"));
        q.push(format!("queue_depth{{queue=\"reports\"}}{o} or queue_depth{{queue=\"emails\"}}{o}"));
        q.push(format!("label_replace(queue_depth{o}, \"q\", \"$1\", \"queue\", \"(.)(.*)\")"));
        q.push(format!("-queue_depth{o}"));
    }
    q.push("absent(nonexistent_metric)".into());
    q.push("absent(queue_depth)".into());
    q.push("absent_over_time(nonexistent_metric[5m])".into());
    q.push("scalar(sum(queue_depth))".into());
    q.push("vector(1) + scalar(max(queue_depth))".into());
    q.push("time()".into());
    q.push("count(up)".into());
    q
}

/// `[labels as a sorted map] -> [(t, value)]` from an API `data` object of a matrix.
type Series = BTreeMap<String, Vec<(f64, f64)>>;

fn series(data: &serde_json::Value) -> Series {
    let mut out = Series::new();
    for s in data["result"].as_array().cloned().unwrap_or_default() {
        let labels: BTreeMap<String, String> = s["metric"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
            .unwrap_or_default();
        let points = s["values"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_str().unwrap().parse::<f64>().unwrap()))
            .collect();
        out.insert(format!("{labels:?}"), points);
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || ((a - b).abs() <= 1e-6 * a.abs().max(b.abs()))
}

/// The first difference between two results, if any.
fn differ(ours: &Series, theirs: &Series) -> Option<String> {
    let (ka, kb): (Vec<_>, Vec<_>) = (ours.keys().collect(), theirs.keys().collect());
    if ka != kb {
        return Some(format!("series differ:\n  gonogo:     {ka:?}\n  prometheus: {kb:?}"));
    }
    for (k, pa) in ours {
        let pb = &theirs[k];
        let ta: Vec<f64> = pa.iter().map(|p| p.0).collect();
        let tb: Vec<f64> = pb.iter().map(|p| p.0).collect();
        if ta != tb {
            return Some(format!("{k}: timestamps differ:\n  gonogo:     {ta:?}\n  prometheus: {tb:?}"));
        }
        for (a, b) in pa.iter().zip(pb) {
            if !close(a.1, b.1) {
                return Some(format!("{k} at {}: gonogo {} prometheus {}", a.0, a.1, b.1));
            }
        }
    }
    None
}

/// Prometheus 2.42 with the data backfilled into its TSDB.
pub fn backfilled(name: &str, data: &str) -> Prometheus {
    let dir = temp(&format!("diff-{name}"));
    let file = dir.join("data.om");
    std::fs::write(&file, data).unwrap();
    let tsdb = dir.join("tsdb");
    let o = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(&tsdb)
        .output()
        .expect("promtool (Debian's prometheus package) runs");
    assert!(o.status.success(), "promtool backfill failed: {}", String::from_utf8_lossy(&o.stderr));
    Prometheus::start_on(name, &tsdb)
}

#[test]
fn embedded_engine_agrees_with_prometheus_on_generated_data() {
    // Three hours ago, so the backfilled blocks do not touch Prometheus' head block.
    let now = jiff::Timestamp::now().as_second();
    let t0 = (now - 3 * 3600) / 3600 * 3600 - 3600;
    let n = 240; // an hour at 15 s
    let step_s = 15;
    let data = generate(t0, n, step_s, 0x6f6e676f);
    let prom = backfilled("generated", &data);
    let mut store = gonogo_promql::store::Store::new(i64::MAX, usize::MAX);
    gonogo_promql::store::load_openmetrics(&data, &mut store).expect("gonogo reads the same file");
    // Start inside the data so that windows both reach before it and fill; end after it so
    // that staleness by lookback shows.
    let (start, end, step) = (t0 + 120, t0 + n * step_s + 400, 30);
    let qs = queries();
    assert!(qs.len() >= 200, "{} queries", qs.len());
    let mut failures = Vec::new();
    let mut non_empty = 0;
    for q in &qs {
        let theirs = prom.query_range(q, start, end, step);
        let ours = gonogo_promql::eval::range(&store, q, start * 1000, end * 1000, step * 1000)
            .map(|v| v.to_api_json())
            .map_err(|e| e.to_string());
        match (ours, theirs) {
            (Ok(a), Ok(b)) => {
                let (a, b) = (series(&a), series(&b));
                non_empty += usize::from(!b.is_empty());
                if let Some(d) = differ(&a, &b) {
                    failures.push(format!("{q}\n  {d}"));
                }
            }
            (Err(a), Err(_)) => {
                let _ = a; // both refuse (e.g. many-to-many): agreement
            }
            (a, b) => failures.push(format!("{q}\n  gonogo: {:?}\n  prometheus: {:?}", a.err(), b.err())),
        }
    }
    println!("differential: {}/{} queries agree ({} with data)", qs.len() - failures.len(), qs.len(), non_empty);
    assert!(non_empty > qs.len() / 2, "too few queries had data: the backfill did not load");
    assert!(failures.is_empty(), "{} of {} queries differ:\n{}", failures.len(), qs.len(), failures.join("\n"));
}
