//! The embedded metrics source of `watch --scrape`: the scraped series in gonogo-promql's
//! store, queried by its evaluator, and (with `--listen`) served through the Prometheus HTTP
//! API's `/api/v1/query` and `/api/v1/query_range`, so `gonogo verify` or Grafana can read it.

use crate::scrape::{ScrapeReport, Scraper};
use crate::source::{Sample, SourceError};
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gonogo_promql::eval;
use gonogo_promql::store::Store;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

/// Prometheus refuses range queries of more points than this per series.
const MAX_POINTS: f64 = 11_000.0;

/// How far back the triggers and monitoring queries look: the longest range selector plus its
/// offset, the `for` of the trigger that uses it, and the 5-minute lookback of instant selectors.
pub fn retention_ms<'a>(queries: impl Iterator<Item = (&'a str, i64)>) -> i64 {
    const LOOKBACK: i64 = 5 * 60 * 1000;
    let mut longest = 0;
    for (q, for_ms) in queries {
        let reach = promql_parser::parser::parse(q).map(|e| reach_ms(&e)).unwrap_or(0);
        longest = longest.max(reach + for_ms);
    }
    longest + LOOKBACK
}

/// The furthest back an expression reads: range plus offset, through every sub-expression.
fn reach_ms(e: &promql_parser::parser::Expr) -> i64 {
    use promql_parser::parser::{Expr, Offset};
    let off = |o: &Option<Offset>| match o {
        Some(Offset::Pos(d)) => d.as_millis() as i64,
        _ => 0,
    };
    match e {
        Expr::MatrixSelector(m) => m.range.as_millis() as i64 + off(&m.vs.offset),
        Expr::VectorSelector(v) => off(&v.offset),
        Expr::Aggregate(a) => reach_ms(&a.expr).max(a.param.as_deref().map(reach_ms).unwrap_or(0)),
        Expr::Unary(u) => reach_ms(&u.expr),
        Expr::Binary(b) => reach_ms(&b.lhs).max(reach_ms(&b.rhs)),
        Expr::Paren(p) => reach_ms(&p.expr),
        Expr::Subquery(s) => reach_ms(&s.expr) + s.range.as_millis() as i64,
        Expr::Call(c) => c.args.args.iter().map(|a| reach_ms(a)).max().unwrap_or(0),
        _ => 0,
    }
}

/// Scraped targets, their store, and (for `alert:` triggers) an optional alert source.
pub struct Embedded {
    pub scraper: Scraper,
    pub store: Arc<RwLock<Store>>,
    /// What the last scrape of each target said, to name the cause when a query has no data.
    pub last: Vec<ScrapeReport>,
    /// Scrape rounds so far: a rate needs two samples, so the first rounds may have no data.
    pub rounds: u64,
}

impl Embedded {
    pub fn new(scraper: Scraper) -> Embedded {
        let store = scraper.store().clone();
        Embedded { scraper, store, last: Vec::new(), rounds: 0 }
    }

    /// Scrapes every target at `t_ms`, then drops what the retention no longer needs.
    pub async fn scrape(&mut self, t_ms: i64) -> &[ScrapeReport] {
        self.last = self.scraper.scrape(t_ms).await;
        self.rounds += 1;
        if let Ok(mut s) = self.store.write() {
            s.trim(t_ms);
        }
        &self.last
    }

    /// Whether a query without data may just be too young: a store that has scraped once or
    /// twice holds too few samples for `rate` and its kin.
    pub fn warming_up(&self) -> bool {
        self.rounds <= 2
    }

    /// The failed scrapes of the last round, as one sentence.
    pub fn scrape_errors(&self) -> Option<String> {
        let failed: Vec<String> = self
            .last
            .iter()
            .filter_map(|r| r.error.as_ref().map(|e| format!("scrape of {} failed: {e}", r.target)))
            .collect();
        (!failed.is_empty()).then(|| failed.join("; "))
    }

    /// An instant query at `t_ms`.
    pub fn query(&self, expr: &str, t_ms: i64) -> Result<Vec<Sample>, SourceError> {
        let store = self.store.read().map_err(|_| api_err("internal", "the store's lock is poisoned"))?;
        let v = eval::instant(&store, expr, t_ms).map_err(|e| api_err("bad_data", &e.to_string()))?;
        // Straight from the evaluator's value: this runs for every trigger after every scrape.
        Ok(match v {
            eval::Value::Vector(samples) => {
                samples.into_iter().map(|s| Sample { labels: s.labels, value: s.v }).collect()
            }
            eval::Value::Scalar(_, v) => vec![Sample { labels: Vec::new(), value: v }],
            eval::Value::Matrix(_) | eval::Value::String(..) => {
                return Err(api_err("bad_data", "the query returns a range vector; a trigger needs an instant value"));
            }
        })
    }
}

fn api_err(kind: &str, message: &str) -> SourceError {
    SourceError::Api { error_type: kind.to_string(), message: message.to_string() }
}

/// Serves the store through `/api/v1/query` and `/api/v1/query_range` on `addr`; returns the
/// bound address.
pub async fn serve_api(addr: SocketAddr, store: Arc<RwLock<Store>>) -> std::io::Result<SocketAddr> {
    let app = Router::new()
        .route("/api/v1/query", get(query_get).post(query_post))
        .route("/api/v1/query_range", get(range_get).post(range_post))
        // The embedded engine evaluates no alerting rules: it says so, as an empty list, so
        // that `gonogo verify` names each alert as not loaded instead of failing to connect.
        .route("/api/v1/rules", get(|| async { answer(Ok(r#"{"groups":[]}"#.to_string())) }))
        .route("/api/v1/alerts", get(|| async { answer(Ok(r#"{"alerts":[]}"#.to_string())) }))
        .with_state(store);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(bound)
}

type Params = HashMap<String, String>;
type Shared = State<Arc<RwLock<Store>>>;

async fn query_get(State(s): Shared, Query(p): Query<Params>) -> Response {
    answer(instant_query(&s, &p))
}
async fn query_post(State(s): Shared, Query(q): Query<Params>, Form(mut p): Form<Params>) -> Response {
    p.extend(q);
    answer(instant_query(&s, &p))
}
async fn range_get(State(s): Shared, Query(p): Query<Params>) -> Response {
    answer(range_query(&s, &p))
}
async fn range_post(State(s): Shared, Query(q): Query<Params>, Form(mut p): Form<Params>) -> Response {
    p.extend(q);
    answer(range_query(&s, &p))
}

/// A query the API refuses, as Prometheus words it.
struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

fn bad(message: String) -> ApiError {
    ApiError { status: StatusCode::BAD_REQUEST, kind: "bad_data", message }
}

fn answer(r: Result<String, ApiError>) -> Response {
    match r {
        Ok(data) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            format!(r#"{{"status":"success","data":{data}}}"#),
        )
            .into_response(),
        Err(e) => (e.status, axum::Json(json!({ "status": "error", "errorType": e.kind, "error": e.message })))
            .into_response(),
    }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn instant_query(store: &RwLock<Store>, p: &Params) -> Result<String, ApiError> {
    let q = p.get("query").ok_or_else(|| bad("invalid parameter \"query\": no query given".into()))?;
    let t = match p.get("time") {
        Some(t) => parse_time(t).map_err(|e| bad(format!("invalid parameter \"time\": {e}")))?,
        None => now_ms(),
    };
    let s = store.read().map_err(|_| internal())?;
    let v = eval::instant(&s, q, t).map_err(|e| bad(format!("invalid parameter \"query\": {e}")))?;
    Ok(v.to_api_string())
}

fn range_query(store: &RwLock<Store>, p: &Params) -> Result<String, ApiError> {
    let q = p.get("query").ok_or_else(|| bad("invalid parameter \"query\": no query given".into()))?;
    let get = |k: &str| p.get(k).ok_or_else(|| bad(format!("invalid parameter \"{k}\": missing")));
    let start = parse_time(get("start")?).map_err(|e| bad(format!("invalid parameter \"start\": {e}")))?;
    let end = parse_time(get("end")?).map_err(|e| bad(format!("invalid parameter \"end\": {e}")))?;
    let step = parse_step(get("step")?).map_err(|e| bad(format!("invalid parameter \"step\": {e}")))?;
    if end < start {
        return Err(bad("end timestamp must not be before start time".into()));
    }
    if step <= 0 {
        return Err(bad(
            "zero or negative query resolution step widths are not accepted. Try a positive integer".into()
        ));
    }
    if (end - start) as f64 / step as f64 > MAX_POINTS {
        return Err(bad(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
                .into(),
        ));
    }
    let s = store.read().map_err(|_| internal())?;
    let v = eval::range(&s, q, start, end, step).map_err(|e| bad(format!("invalid parameter \"query\": {e}")))?;
    Ok(v.to_api_string())
}

fn internal() -> ApiError {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        kind: "internal",
        message: "the store's lock is poisoned".into(),
    }
}

/// A time as the API takes it: Unix seconds (with a fraction) or RFC 3339; milliseconds out.
pub fn parse_time(s: &str) -> Result<i64, String> {
    if let Ok(f) = s.parse::<f64>() {
        if f.is_finite() && f.abs() < 1e13 {
            return Ok((f * 1000.0).round() as i64);
        }
        return Err(format!("cannot parse {s:?} to a valid timestamp"));
    }
    s.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| format!("cannot parse {s:?} to a valid timestamp"))
}

/// A step: seconds (with a fraction) or a duration (`15s`, `1m`); milliseconds out.
pub fn parse_step(s: &str) -> Result<i64, String> {
    if let Ok(f) = s.parse::<f64>()
        && f.is_finite()
        && f.abs() < 1e13
    {
        return Ok((f * 1000.0).round() as i64);
    }
    gonogo_core::duration::Duration::parse(s)
        .map(|d| d.millis as i64)
        .map_err(|_| format!("cannot parse {s:?} to a valid duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_covers_range_offset_for_and_lookback() {
        let q = [("sum(rate(a[5m])) / sum(rate(b[10m] offset 1m))", 600_000)];
        assert_eq!(retention_ms(q.iter().copied()), 11 * 60_000 + 600_000 + 5 * 60_000);
        assert_eq!(retention_ms([("up", 0)].iter().copied()), 5 * 60_000);
    }

    #[test]
    fn times_and_steps() {
        assert_eq!(parse_time("1700000000.5"), Ok(1_700_000_000_500));
        assert_eq!(parse_time("2024-12-13T12:00:00Z"), Ok(1_734_091_200_000));
        assert!(parse_time("soon").is_err());
        assert_eq!(parse_step("15s"), Ok(15_000));
        assert_eq!(parse_step("0.5"), Ok(500));
    }
}
