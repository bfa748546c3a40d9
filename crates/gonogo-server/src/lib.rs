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
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state))
}

/// Whether the server may run open (no tokens needed): a loopback address and no token made.
pub async fn open_mode<S: Store>(store: &S, addr: SocketAddr) -> Result<bool, String> {
    let tokens = store.token_count().await.map_err(|e| e.to_string())?;
    Ok(addr.ip().is_loopback() && tokens == 0)
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
