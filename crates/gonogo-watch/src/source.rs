//! The Prometheus HTTP API as a metrics and alert source (also Thanos, Mimir,
//! VictoriaMetrics): instant and range queries, firing alerts, loaded rules.

use serde::Deserialize;
use std::time::Duration;

/// Why a source could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SourceError {
    /// The request did not get an answer: refused, timed out, reset.
    #[error("{url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The API answered with an error (its own message, passed through).
    #[error("{error_type}: {message}")]
    Api { error_type: String, message: String },
    /// The answer was not the API's JSON.
    #[error("{url}: unexpected answer (HTTP {status}): {snippet}")]
    Protocol { url: String, status: u16, snippet: String },
}

/// How to reach a Prometheus-compatible API.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub base: String,
    pub timeout: Duration,
    pub auth: Auth,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    None,
    Bearer(String),
    Basic { user: String, password: String },
}

impl Auth {
    /// From the environment: `GONOGO_PROMETHEUS_TOKEN` (bearer) or `GONOGO_PROMETHEUS_USER`
    /// with `GONOGO_PROMETHEUS_PASSWORD` (basic). Never from a flag, so never in `ps`.
    pub fn from_env() -> Auth {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(t) = var("GONOGO_PROMETHEUS_TOKEN") {
            Auth::Bearer(t)
        } else if let Some(user) = var("GONOGO_PROMETHEUS_USER") {
            Auth::Basic { user, password: var("GONOGO_PROMETHEUS_PASSWORD").unwrap_or_default() }
        } else {
            Auth::None
        }
    }
}

/// One series of an instant query: its labels and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// One series of a range query: labels and the timestamps (Unix seconds) it has samples at.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Vec<(String, String)>,
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub name: String,
    pub state: String,
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    pub name: String,
    pub query: String,
    pub group: String,
    pub health: String,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Queries beyond this length go as a form POST, as Grafana does, to stay under URL limits.
const MAX_GET_QUERY: usize = 2000;

#[derive(Clone)]
pub struct Prometheus {
    cfg: SourceConfig,
    http: reqwest::Client,
}

impl Prometheus {
    pub fn new(cfg: SourceConfig) -> Result<Prometheus, String> {
        crate::install_crypto();
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .user_agent(concat!("gonogo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let base = cfg.base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!("`{}` is not an http:// or https:// URL", cfg.base));
        }
        Ok(Prometheus { cfg: SourceConfig { base, ..cfg }, http })
    }

    pub fn base(&self) -> &str {
        &self.cfg.base
    }

    /// A GET of an API that answers bare JSON (Alertmanager's v2), with the same auth.
    async fn get_json(&self, path: &str) -> Result<serde_json::Value, SourceError> {
        let url = format!("{}{path}", self.cfg.base);
        let req = match &self.cfg.auth {
            Auth::None => self.http.get(&url),
            Auth::Bearer(t) => self.http.get(&url).bearer_auth(t),
            Auth::Basic { user, password } => self.http.get(&url).basic_auth(user, Some(password)),
        };
        let resp = req.send().await.map_err(|e| SourceError::Unreachable { url: url.clone(), reason: describe(&e) })?;
        let status = resp.status().as_u16();
        let body =
            resp.text().await.map_err(|e| SourceError::Unreachable { url: url.clone(), reason: describe(&e) })?;
        match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(v) if (200..300).contains(&status) => Ok(v),
            _ => Err(SourceError::Protocol { url, status, snippet: body.chars().take(200).collect() }),
        }
    }

    async fn call(&self, path: &str, params: &[(&str, String)]) -> Result<serde_json::Value, SourceError> {
        let url = format!("{}{path}", self.cfg.base);
        let long = params.iter().map(|(_, v)| v.len()).sum::<usize>() > MAX_GET_QUERY;
        let req = if long { self.http.post(&url).form(params) } else { self.http.get(&url).query(params) };
        let req = match &self.cfg.auth {
            Auth::None => req,
            Auth::Bearer(t) => req.bearer_auth(t),
            Auth::Basic { user, password } => req.basic_auth(user, Some(password)),
        };
        let resp = req.send().await.map_err(|e| SourceError::Unreachable { url: url.clone(), reason: describe(&e) })?;
        let status = resp.status().as_u16();
        let body =
            resp.text().await.map_err(|e| SourceError::Unreachable { url: url.clone(), reason: describe(&e) })?;
        match serde_json::from_str::<Envelope>(&body) {
            Ok(env) if env.status == "success" => Ok(env.data),
            Ok(env) => Err(SourceError::Api {
                error_type: env.error_type.unwrap_or_else(|| format!("HTTP {status}")),
                message: env.error.unwrap_or_default(),
            }),
            Err(_) => Err(SourceError::Protocol { url, status, snippet: body.chars().take(200).collect() }),
        }
    }

    /// An instant query at the source's current time.
    pub async fn query(&self, expr: &str) -> Result<Vec<Sample>, SourceError> {
        let data = self.call("/api/v1/query", &[("query", expr.to_string())]).await?;
        parse_instant(&data)
    }

    /// A range query; `start` and `end` in Unix seconds, `step` in seconds.
    pub async fn query_range(&self, expr: &str, start: f64, end: f64, step: f64) -> Result<Vec<Series>, SourceError> {
        let params =
            [("query", expr.to_string()), ("start", fmt_ts(start)), ("end", fmt_ts(end)), ("step", format!("{step}"))];
        let data = self.call("/api/v1/query_range", &params).await?;
        let Some(result) = data.get("result").and_then(|r| r.as_array()) else {
            return Err(proto("query_range result is not a list"));
        };
        result
            .iter()
            .map(|s| {
                let labels = labels(s.get("metric"));
                let values =
                    s.get("values").and_then(|v| v.as_array()).ok_or_else(|| proto("series without values"))?;
                let points = values.iter().map(point).collect::<Result<Vec<_>, _>>()?;
                Ok(Series { labels, points })
            })
            .collect()
    }

    /// Alerts the source knows, with their state (`pending` or `firing`). A Prometheus answers
    /// `/api/v1/alerts` with `{alerts: […]}`; an Alertmanager with a plain list there (0.25) or
    /// only at `/api/v2/alerts` (0.27 and later), where an `active` alert is a firing one and a
    /// silenced or inhibited one is not.
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let data = match self.call("/api/v1/alerts", &[]).await {
            // Alertmanager 0.25's v1 lags behind its v2 on an alert's state: read v2.
            Ok(d) if d.is_array() => {
                return Ok(alertmanager_alerts(&self.get_json("/api/v2/alerts").await.unwrap_or(d)));
            }
            Ok(d) => d,
            Err(SourceError::Protocol { status: 404 | 410, .. }) => {
                return Ok(alertmanager_alerts(&self.get_json("/api/v2/alerts").await?));
            }
            Err(e) => return Err(e),
        };
        let list = data.get("alerts").and_then(|a| a.as_array()).ok_or_else(|| proto("alerts is not a list"))?;
        Ok(list
            .iter()
            .map(|a| {
                let labels = labels(a.get("labels"));
                let name = labels.iter().find(|(k, _)| k == "alertname").map(|(_, v)| v.clone()).unwrap_or_default();
                Alert { name, state: a.get("state").and_then(|s| s.as_str()).unwrap_or("").to_string(), labels }
            })
            .collect())
    }

    /// The alerting rules the source has loaded.
    pub async fn alert_rules(&self) -> Result<Vec<AlertRule>, SourceError> {
        let data = self.call("/api/v1/rules", &[("type", "alert".to_string())]).await?;
        let groups =
            data.get("groups").and_then(|g| g.as_array()).ok_or_else(|| proto("rules groups is not a list"))?;
        let mut out = Vec::new();
        for g in groups {
            let group = g.get("name").and_then(|n| n.as_str()).unwrap_or("").to_string();
            for r in g.get("rules").and_then(|r| r.as_array()).into_iter().flatten() {
                if r.get("type").and_then(|t| t.as_str()) != Some("alerting") {
                    continue;
                }
                let s = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                out.push(AlertRule { name: s("name"), query: s("query"), group: group.clone(), health: s("health") });
            }
        }
        Ok(out)
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    if e.is_connect() {
        return "connection refused or unreachable".into();
    }
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s = format!("{s}: {inner}");
        src = inner.source();
    }
    s
}

/// Alertmanager's alert list: `active` and `unprocessed` (received, not yet routed) are firing;
/// `suppressed` (silenced or inhibited: a person or a rule said not now) is not.
fn alertmanager_alerts(list: &serde_json::Value) -> Vec<Alert> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let labels = labels(a.get("labels"));
            let name = labels.iter().find(|(k, _)| k == "alertname").map(|(_, v)| v.clone()).unwrap_or_default();
            let state = a.get("status").and_then(|s| s.get("state")).and_then(|s| s.as_str()).unwrap_or("");
            Alert {
                name,
                state: if matches!(state, "active" | "unprocessed") { "firing".into() } else { state.to_string() },
                labels,
            }
        })
        .collect()
}

fn proto(what: &str) -> SourceError {
    SourceError::Protocol { url: String::new(), status: 200, snippet: what.to_string() }
}

fn fmt_ts(t: f64) -> String {
    format!("{t:.3}")
}

fn labels(v: Option<&serde_json::Value>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .and_then(|m| m.as_object())
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// `[1700000000.123, "0.5"]`: Prometheus sends values as strings (`NaN`, `+Inf` included).
fn point(v: &serde_json::Value) -> Result<(f64, f64), SourceError> {
    let arr = v.as_array().filter(|a| a.len() == 2).ok_or_else(|| proto("a sample is not [time, value]"))?;
    let t = arr[0].as_f64().ok_or_else(|| proto("sample time is not a number"))?;
    let val = arr[1].as_str().ok_or_else(|| proto("sample value is not a string"))?;
    Ok((t, parse_value(val).ok_or_else(|| proto("sample value is not a number"))?))
}

pub fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

fn parse_instant(data: &serde_json::Value) -> Result<Vec<Sample>, SourceError> {
    let kind = data.get("resultType").and_then(|t| t.as_str()).unwrap_or("");
    let result = data.get("result").ok_or_else(|| proto("no result"))?;
    match kind {
        "vector" => result
            .as_array()
            .ok_or_else(|| proto("vector result is not a list"))?
            .iter()
            .map(|s| {
                let (_, value) = point(s.get("value").ok_or_else(|| proto("sample without value"))?)?;
                Ok(Sample { labels: labels(s.get("metric")), value })
            })
            .collect(),
        "scalar" => Ok(vec![Sample { labels: Vec::new(), value: point(result)?.1 }]),
        "matrix" => Err(SourceError::Api {
            error_type: "bad_data".into(),
            message: "the query returns a range vector; a trigger needs an instant value".into(),
        }),
        other => Err(proto(&format!("result type `{other}`"))),
    }
}
