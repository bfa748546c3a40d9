//! gonogo-watch: the deploy window. Metric and alert sources (the Prometheus HTTP API), the
//! trigger state machine, rollback actions run at most once, `verify` and `watch`.

pub mod action;
pub mod control;
pub mod embedded;
pub mod events;
pub mod scrape;
pub mod source;
pub mod state;
pub mod trigger;
pub mod verify;
pub mod watch;

/// rustls needs one crypto provider; ring builds fast and is enough for HTTPS clients.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
