//! The watch's control address: a person fires a manual trigger (`gonogo trigger fire`), a
//! dashboard or script reads the triggers' state.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// A manual trigger fired by a person.
#[derive(Debug, Clone)]
pub struct Fire {
    pub trigger: String,
    pub by: String,
}

#[derive(Clone)]
struct Ctl {
    manual: Arc<Vec<String>>,
    all: Arc<Vec<String>>,
    tx: mpsc::Sender<Fire>,
    status: Arc<Mutex<Value>>,
}

/// A secret path segment: anyone else on the machine can reach 127.0.0.1, but only whoever
/// was given the printed address can fire a trigger.
fn key() -> String {
    let mut bytes = [0u8; 12];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut bytes);
    }
    if bytes == [0u8; 12] {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        bytes[..8].copy_from_slice(&((t as u64) ^ u64::from(std::process::id())).to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serves the control endpoints on `addr` under a secret path; returns the base URL
/// (`http://127.0.0.1:PORT/KEY`) and the fire channel.
pub async fn serve(
    addr: SocketAddr,
    manual: Vec<String>,
    all: Vec<String>,
    status: Arc<Mutex<Value>>,
) -> std::io::Result<(String, mpsc::Receiver<Fire>)> {
    let (tx, rx) = mpsc::channel(16);
    let ctl = Ctl { manual: Arc::new(manual), all: Arc::new(all), tx, status };
    let key = key();
    let routes =
        Router::new().route("/triggers/{name}/fire", post(fire)).route("/status", get(status_of)).with_state(ctl);
    let app = Router::new().nest(&format!("/{key}"), routes);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((format!("http://{bound}/{key}"), rx))
}

async fn fire(
    State(ctl): State<Ctl>,
    Path(name): Path<String>,
    body: Option<Json<Value>>,
) -> (StatusCode, Json<Value>) {
    if !ctl.all.contains(&name) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no trigger named `{name}`"), "triggers": *ctl.all })),
        );
    }
    if !ctl.manual.contains(&name) {
        return (
            StatusCode::CONFLICT,
            Json(
                json!({ "error": format!("`{name}` is not a manual trigger; only manual triggers are fired by a person") }),
            ),
        );
    }
    let by = body
        .as_ref()
        .and_then(|b| b.get("by"))
        .and_then(|b| b.as_str())
        .unwrap_or("a person at the control address")
        .chars()
        .take(200)
        .collect();
    match ctl.tx.send(Fire { trigger: name.clone(), by }).await {
        Ok(()) => (StatusCode::ACCEPTED, Json(json!({ "trigger": name, "accepted": true }))),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "error": "the watch is shutting down" }))),
    }
}

async fn status_of(State(ctl): State<Ctl>) -> Json<Value> {
    Json(ctl.status.lock().map(|s| s.clone()).unwrap_or(Value::Null))
}
