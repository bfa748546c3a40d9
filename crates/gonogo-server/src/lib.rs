//! gonogo-server: the page the meeting runs on and its API (DESIGN.md §5 "Server API").
//! Generic over the store (SQLite or PostgreSQL); every change is a new revision with an
//! audit entry, and reaches every open page — across replicas through the store.

mod api;
pub use api::meta;
mod auth;
mod openapi;
mod page;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use gonogo_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::broadcast;

pub use auth::Caller;

#[derive(Debug, Clone)]
pub struct Config {
    /// True when bound to a loopback address with no token created: one person, open.
    pub open: bool,
    /// Largest request body, in bytes (413 beyond).
    pub max_body: usize,
}

pub struct Inner<S> {
    pub store: S,
    pub cfg: Config,
    /// Changes of every review, as JSON `{"review": id, …}`; SSE streams filter it.
    pub live: broadcast::Sender<String>,
    /// Whether changes reach `live` through the store (PostgreSQL LISTEN) rather than directly.
    pub via_store: bool,
    /// Verdicts computed since the last change anywhere: the pipeline gate's hot path.
    pub verdicts: std::sync::Mutex<std::collections::HashMap<String, Arc<(i64, String)>>>,
    /// Bumped by every change; a verdict computed across a change is not cached.
    pub generation: std::sync::atomic::AtomicU64,
    /// One writer per review in this process: concurrent marks queue instead of racing and
    /// retrying (replicas still meet at the revision check).
    pub writers: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Set for good once a token exists: the open server stops being open, without a restart.
    pub closed: std::sync::atomic::AtomicBool,
    /// When the store was last asked whether a token exists (open mode only).
    pub last_token_check: std::sync::Mutex<Option<std::time::Instant>>,
}

impl<S: Store> Inner<S> {
    /// Whether the server still runs open: started open and no token created since (asked of
    /// the store at most once a second; tokens are never deleted, so closed stays closed).
    pub async fn is_open(&self) -> bool {
        use std::sync::atomic::Ordering;
        if !self.cfg.open || self.closed.load(Ordering::SeqCst) {
            return false;
        }
        let due = {
            let mut last = self.last_token_check.lock().unwrap_or_else(|e| e.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(1));
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        if !due {
            return true;
        }
        match self.store.token_count().await {
            Ok(0) => true,
            Ok(_) => {
                self.closed.store(true, Ordering::SeqCst);
                false
            }
            // Unsure: not open for this request, and ask again next time.
            Err(_) => {
                *self.last_token_check.lock().unwrap_or_else(|e| e.into_inner()) = None;
                false
            }
        }
    }
}

impl<S> Inner<S> {
    pub fn writer(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut w = self.writers.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > 10_000 {
            w.retain(|_, m| Arc::strong_count(m) > 1);
        }
        w.entry(id.to_string()).or_default().clone()
    }

    pub fn forget_verdicts(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut v) = self.verdicts.lock() {
            v.clear();
        }
    }
}

pub type AppState<S> = Arc<Inner<S>>;

/// Builds the app: migrations run, live updates wired.
pub async fn app<S: Store>(store: S, cfg: Config) -> Result<Router, String> {
    store.migrate().await.map_err(|e| format!("migrating the database: {e}"))?;
    let (live, _) = broadcast::channel(4096);
    let via_store = store.subscribe(live.clone()).await.map_err(|e| format!("listening for changes: {e}"))?;
    let max_body = cfg.max_body;
    let state = Arc::new(Inner {
        store,
        cfg,
        live: live.clone(),
        via_store,
        verdicts: Default::default(),
        generation: Default::default(),
        writers: Default::default(),
        closed: Default::default(),
        last_token_check: Default::default(),
    });
    // Every change, from this replica or another, empties the verdict cache (a change to one
    // review can change another's on-call rotation warning).
    let mut rx = live.subscribe();
    let weak = Arc::downgrade(&state);
    tokio::spawn(async move {
        loop {
            let r = rx.recv().await;
            let Some(st) = weak.upgrade() else { break };
            match r {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => st.forget_verdicts(),
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    Ok(api::routes::<S>()
        .merge(page::routes::<S>())
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard_writes::<S>))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state))
}

/// Whether the server may run open (no tokens needed): a loopback address and no token made.
pub async fn open_mode<S: Store>(store: &S, addr: SocketAddr) -> Result<bool, String> {
    let tokens = store.token_count().await.map_err(|e| e.to_string())?;
    Ok(addr.ip().is_loopback() && tokens == 0)
}

fn host_of(origin: &str) -> &str {
    origin.split("://").nth(1).unwrap_or(origin).split('/').next().unwrap_or("")
}

fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1") || name.starts_with("127.")
}

/// Writes from other sites are refused: a page elsewhere cannot post to this server through
/// the browser of someone who has it open (`Origin` must be this host), an open server
/// answers only to loopback host names (no DNS rebinding), and the API takes review files and
/// JSON only, not the form encodings a foreign page can send without asking.
async fn guard_writes<S: Store>(
    axum::extract::State(st): axum::extract::State<AppState<S>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{Method, StatusCode, header};
    use axum::response::IntoResponse;
    let refuse =
        |status: StatusCode, msg: &str| (status, axum::Json(serde_json::json!({ "error": msg }))).into_response();
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != "null"
        && host_of(origin) != host
    {
        return refuse(StatusCode::FORBIDDEN, "a write from another site is refused (Origin is not this server)");
    }
    if st.cfg.open && !loopback_host(host) {
        return refuse(StatusCode::FORBIDDEN, "an open server answers writes only to a loopback host name");
    }
    let path = req.uri().path();
    let has_body = h.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|l| l != "0")
        || h.contains_key(header::TRANSFER_ENCODING);
    if path.starts_with("/api/") && has_body {
        let ct = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let ok = ["application/yaml", "application/x-yaml", "text/yaml", "application/json"]
            .iter()
            .any(|t| ct.starts_with(t));
        // A transcript is text: its own types, or text/plain for `[HH:MM:SS] Name: text`. A
        // foreign page could send text/plain unasked, so the Origin check above is what stands
        // between it and this endpoint (browsers send Origin with every cross-site POST).
        let transcript = path.ends_with("/transcript")
            && [
                "text/plain",
                "text/vtt",
                "application/x-subrip",
                "text/srt",
                "application/x-ndjson",
                "application/jsonl",
            ]
            .iter()
            .any(|t| ct.starts_with(t));
        if !ok && !transcript {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send a review file as application/yaml, or JSON as application/json",
            );
        }
    }
    next.run(req).await
}

/// Errors that axum writes as plain text (a path that does not parse, a body over the limit)
/// become the API's `{"error": …}` too.
async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|c| c.starts_with("text/plain"));
    if !api || !(resp.status().is_client_error() || resp.status().is_server_error()) || !plain {
        return resp;
    }
    let status = resp.status();
    let text = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let msg = if text.trim().is_empty() { status.canonical_reason().unwrap_or("error").to_string() } else { text };
    (status, axum::Json(serde_json::json!({ "error": msg }))).into_response()
}

/// One JSON line per request on stderr: structured, greppable, no dependency.
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let start = std::time::Instant::now();
    let resp = next.run(req).await;
    if !path.ends_with("/events") {
        let line = serde_json::json!({
            "at": jiff::Timestamp::now().to_string(),
            "method": method.as_str(),
            "path": path,
            "status": resp.status().as_u16(),
            "ms": (start.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        });
        if std::env::var_os("GONOGO_QUIET_LOG").is_none() {
            eprintln!("{line}");
        }
    }
    resp
}
