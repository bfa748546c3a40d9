//! gonogo-store: reviews, every revision, audit events, decisions (superseded, never edited)
//! and API tokens, behind one trait with two backends — SQLite (the embedded default) and
//! PostgreSQL (several `serve` replicas on one database). Each backend has its own migrations,
//! run at start and safe when several replicas start at once.

use serde::Serialize;
use std::future::Future;

mod backend;
pub use backend::{Postgres, Sqlite};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No review with that id.
    #[error("no review `{0}`")]
    NotFound(String),
    /// The review changed since the revision the caller read.
    #[error("the review is at revision {current}, not {expected}")]
    Conflict { expected: i64, current: i64 },
    /// The database failed or cannot be reached.
    #[error("database: {0}")]
    Db(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What the store keeps beside the document, for lists and for the on-call history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub service: String,
    pub version: String,
    pub primary_oncall: Option<String>,
    /// RFC 3339, for ordering a service's reviews in time.
    pub review_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReview {
    pub id: String,
    pub revision: i64,
    /// The review file, as gonogo-core's YAML emitter writes it.
    pub document: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub id: String,
    pub service: String,
    pub version: String,
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub change: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PastOnCall {
    pub id: String,
    pub version: String,
    pub primary_oncall: Option<String>,
    pub review_time: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Editor,
    Approver,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "approver" => Some(Role::Approver),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub name: String,
    pub role: Role,
}

/// A change to a review: the new document and what the audit trail says of it.
#[derive(Debug, Clone)]
pub struct Change {
    pub document: String,
    pub meta: Meta,
    pub actor: String,
    /// `create`, `replace`, `checklist[7]`, `decision`, `trigger`…
    pub change: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A recorded decision, kept as its own row: a new one supersedes, none is edited.
#[derive(Debug, Clone)]
pub struct DecisionRecord {
    pub outcome: String,
    pub by: String,
    pub body: serde_json::Value,
}

/// An item `gonogo capture` drafted from a meeting transcript, waiting for a person to
/// accept it (it is then applied to the review) or reject it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureRow {
    pub id: i64,
    /// `decision`, `action_item`, `open_question` or `checklist_update`.
    pub kind: String,
    pub item: serde_json::Value,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
    pub created_at: String,
    /// Who sent the transcript.
    pub actor: String,
    pub settled_at: Option<String>,
    pub settled_by: Option<String>,
}

/// Everything the server needs of persistence.
pub trait Store: Clone + Send + Sync + 'static {
    /// Runs the backend's migrations; several processes may call it at once.
    fn migrate(&self) -> impl Future<Output = Result<()>> + Send;
    /// Creates a review; a decision the file already records gets its row.
    fn create_review(
        &self,
        c: Change,
        decision: Option<DecisionRecord>,
    ) -> impl Future<Output = Result<StoredReview>> + Send;
    fn get_review(&self, id: &str) -> impl Future<Output = Result<StoredReview>> + Send;
    fn list_reviews(&self, service: Option<&str>) -> impl Future<Output = Result<Vec<Summary>>> + Send;
    /// Writes a new revision if the review is still at `expected`; with a decision, records it
    /// and supersedes the previous one, in the same transaction.
    fn update_review(
        &self,
        id: &str,
        expected: i64,
        c: Change,
        decision: Option<DecisionRecord>,
    ) -> impl Future<Output = Result<StoredReview>> + Send;
    /// Adds an audit entry without changing the document (a manual trigger fired).
    fn add_audit(&self, id: &str, c: Change) -> impl Future<Output = Result<()>> + Send;
    fn audit(&self, id: &str) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;
    /// The service's other reviews, for `on-call-not-rotated`.
    fn on_call_history(&self, service: &str, except: &str) -> impl Future<Output = Result<Vec<PastOnCall>>> + Send;
    /// Keeps captured items as pending, with one audit entry for the transcript they came from;
    /// an item already captured for the review (same kind and content) is not added again.
    fn add_captures(
        &self,
        id: &str,
        items: Vec<(String, serde_json::Value)>,
        c: Change,
    ) -> impl Future<Output = Result<Vec<CaptureRow>>> + Send;
    fn captures(&self, id: &str) -> impl Future<Output = Result<Vec<CaptureRow>>> + Send;
    /// Settles a pending item as `accepted` or `rejected`, with its audit entry; `None` when it is
    /// not pending (settled already, or no such item).
    fn settle_capture(
        &self,
        id: &str,
        capture: i64,
        state: &str,
        c: Change,
    ) -> impl Future<Output = Result<Option<CaptureRow>>> + Send;
    /// Creates a token; returns the secret, shown once (only its hash is kept).
    fn create_token(&self, name: &str, role: Role) -> impl Future<Output = Result<String>> + Send;
    fn token(&self, secret: &str) -> impl Future<Output = Result<Option<Token>>> + Send;
    fn token_count(&self) -> impl Future<Output = Result<i64>> + Send;
    /// Tells every replica that a review changed (PostgreSQL NOTIFY); `false` where the
    /// backend has no other replicas to tell (SQLite), and the caller delivers locally.
    fn publish(&self, payload: &str) -> impl Future<Output = Result<bool>> + Send;
    /// Forwards every replica's changes into `tx` (PostgreSQL LISTEN); `false` where there
    /// is nothing to listen to.
    fn subscribe(&self, tx: tokio::sync::broadcast::Sender<String>) -> impl Future<Output = Result<bool>> + Send;
}

/// The channel PostgreSQL replicas tell each other of changes on.
pub const CHANNEL: &str = "gonogo_reviews";

pub fn now() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Millisecond).unwrap_or(jiff::Timestamp::now()).to_string()
}

pub fn new_id() -> String {
    let bytes: [u8; 8] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_token(secret: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn new_token_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("ggn_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}
