//! The JSON API: reviews, revisions with optimistic concurrency, checklist marks, decisions,
//! verdicts, the audit trail, live events, rendering, manual triggers.

use crate::auth::{AuthError, Caller};
use crate::{AppState, openapi};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use gonogo_core::model::{Review, Status, TriggerKind};
use gonogo_core::{PastReview, Report};
use gonogo_store::{CaptureRow, Change, DecisionRecord, Meta, Role, Store, StoreError, StoredReview};
use serde_json::{Value, json};
use std::convert::Infallible;

pub fn routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/api/reviews", post(create::<S>).get(list::<S>))
        .route("/api/reviews/{id}", get(read::<S>).put(replace::<S>))
        .route("/api/reviews/{id}/checklist/{index}", patch(mark::<S>))
        .route("/api/reviews/{id}/decision", post(decide::<S>))
        .route("/api/reviews/{id}/verdict", get(verdict::<S>))
        .route("/api/reviews/{id}/audit", get(audit::<S>))
        .route("/api/reviews/{id}/events", get(events::<S>))
        .route("/api/reviews/{id}/render", get(render::<S>))
        .route("/api/reviews/{id}/triggers/{name}/fire", post(fire::<S>))
        .route("/api/reviews/{id}/transcript", post(transcript::<S>))
        .route("/api/reviews/{id}/captures", get(captures::<S>))
        .route("/api/reviews/{id}/captures/{capture}/{verb}", post(settle::<S>))
        .route("/api/openapi.json", get(|| async { Json(openapi::document()) }))
}

/// An error answer: `{"error": …, "line"?: N}` with a 4xx/5xx status.
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, msg: impl Into<String>) -> ApiError {
        ApiError { status, body: json!({ "error": msg.into() }) }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ApiError::new(e.0, e.1)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, e.to_string()),
            StoreError::Conflict { .. } => ApiError::new(StatusCode::PRECONDITION_FAILED, e.to_string()),
            StoreError::Db(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        }
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A review file (YAML) or its JSON, checked as `gonogo check` reads files. The stored form
/// is JSON whose numbers keep the text they were written with.
pub fn parse_document(headers: &HeaderMap, body: &[u8]) -> ApiResult<(Value, Review)> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let text = std::str::from_utf8(body).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({ "error": format!("the body is not UTF-8 text (byte {})", e.valid_up_to()) }),
    })?;
    if is_json && let Err(e) = serde_json::from_str::<Value>(text) {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            body: json!({ "error": format!("invalid JSON: {e}"), "line": e.line() }),
        });
    }
    // JSON is YAML: one parser, one set of messages and line numbers for both. (JSON that YAML
    // reads differently, such as `\ud83d\ude80` surrogate escapes, is read as JSON and checked
    // in its YAML form.)
    match gonogo_core::parse_bytes(body) {
        Ok(review) => {
            let (node, _) = gonogo_core::yaml::parse(text);
            let value = node.as_ref().map(gonogo_core::yaml::to_json).unwrap_or(Value::Null);
            Ok((value, review))
        }
        Err(e) if is_json => {
            let value: Value =
                serde_json::from_str(text).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
            let diags = e.diagnostics();
            if diags.first().is_some_and(|d| d.message.starts_with("invalid YAML")) {
                let (_, review) = reparse(&value)?;
                Ok((value, review))
            } else {
                Err(invalid(e))
            }
        }
        Err(e) => Err(invalid(e)),
    }
}

fn invalid(e: gonogo_core::ReviewError) -> ApiError {
    let diags = e.diagnostics();
    let first = diags.first();
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({
            "error": first.map(|d| format!("line {}, column {}: {}", d.line, d.column, d.message)).unwrap_or_default(),
            "line": first.map(|d| d.line),
            "errors": diags,
        }),
    }
}

/// Re-reads an edited document: an edit that makes the review invalid is refused.
fn reparse(value: &Value) -> ApiResult<(String, Review)> {
    let text = gonogo_core::yaml::emit(value);
    let review = gonogo_core::parse_str(&text).map_err(invalid)?;
    Ok((text, review))
}

pub fn meta(r: &Review) -> Meta {
    Meta {
        service: r.release.service.value.clone(),
        version: r.release.version.value.clone(),
        primary_oncall: r.on_call.as_ref().and_then(|o| o.primary.as_ref()).map(|p| p.value.clone()),
        review_time: gonogo_core::rules::review_time(r).map(|t| t.to_string()),
    }
}

/// The stored document (YAML written by `yaml::emit`) as a JSON value.
fn document_value(doc: &str) -> ApiResult<Value> {
    match gonogo_core::yaml::parse(doc) {
        (Some(node), errs) if errs.is_empty() => Ok(gonogo_core::yaml::to_json(&node)),
        _ => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the stored document does not parse")),
    }
}

/// Ids are hex; anything else names no review (and never reaches the database).
pub fn check_id(id: &str) -> ApiResult<()> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, format!("no review `{}`", id.escape_default())));
    }
    Ok(())
}

pub async fn load<S: Store>(st: &AppState<S>, id: &str) -> ApiResult<(StoredReview, Value, Review)> {
    check_id(id)?;
    let stored = st.store.get_review(id).await?;
    let value = document_value(&stored.document)?;
    let review = gonogo_core::parse_str(&stored.document)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("stored document: {e}")))?;
    Ok((stored, value, review))
}

/// The verdict, with the service's other reviews in the store as on-call history.
pub async fn report<S: Store>(st: &AppState<S>, id: &str, r: &Review) -> ApiResult<Report> {
    let past = st.store.on_call_history(&r.release.service.value, id).await?;
    let history: Vec<PastReview> = past
        .into_iter()
        .map(|p| PastReview {
            service: r.release.service.value.clone(),
            version: p.version,
            when: p.review_time.and_then(|t| t.parse().ok()),
            primary: p.primary_oncall,
            source: format!("review {}", p.id),
        })
        .collect();
    Ok(Report::new(r, &history))
}

/// Tells every open page of the review (on every replica) that it changed.
pub async fn announce<S: Store>(st: &AppState<S>, id: &str, revision: i64, change: &str, actor: &str) {
    // This replica forgets at once, so its own next read sees the change; others on NOTIFY.
    st.forget_verdicts();
    let payload =
        json!({ "review": id, "revision": revision, "change": change, "actor": actor, "at": gonogo_store::now() })
            .to_string();
    let delivered = st.via_store && st.store.publish(&payload).await.unwrap_or(false);
    if !delivered {
        let _ = st.live.send(payload);
    }
}

fn etag(revision: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).expect("digits")
}

/// `If-Match: "7"` (also `W/"7"` or `7`).
/// `If-Match: *` matches whatever revision is current (RFC 9110): no revision to check.
fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(v) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let s = v.to_str().unwrap_or("").trim().trim_start_matches("W/").trim_matches('"');
    if s == "*" {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, format!("If-Match `{s}` is not a revision")))
}

fn stored_json(s: &StoredReview, value: &Value) -> Value {
    json!({ "id": s.id, "revision": s.revision, "created_at": s.created_at, "updated_at": s.updated_at, "review": value })
}

async fn create<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require(Role::Editor)?;
    let (mut value, review) = parse_document(&headers, &body)?;
    // A file that already records a GO or NO-GO records a decision: an approver's, by them.
    let decided = review.outcome().filter(|o| *o != gonogo_core::model::Outcome::Pending);
    let decision = match decided {
        None => None,
        Some(o) => {
            caller
                .require(Role::Approver)
                .map_err(|e| ApiError::new(e.0, format!("{}: the file records a decision", e.1)))?;
            value["decision"]["by"] = json!(caller.name);
            Some(DecisionRecord {
                outcome: o.as_str().to_string(),
                by: caller.name.clone(),
                body: value["decision"].clone(),
            })
        }
    };
    let (document, review) = reparse(&value)?;
    let change = Change {
        document,
        meta: meta(&review),
        actor: caller.name.clone(),
        change: "create".into(),
        before: None,
        after: Some(value),
    };
    let stored = st.store.create_review(change, decision).await?;
    let rep = report(&st, &stored.id, &review).await?;
    announce(&st, &stored.id, stored.revision, "create", &caller.name).await;
    let mut resp = (StatusCode::CREATED, Json(json!({ "id": stored.id, "revision": stored.revision, "verdict": rep })))
        .into_response();
    resp.headers_mut().insert(header::ETAG, etag(stored.revision));
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/reviews/{}", stored.id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

#[derive(serde::Deserialize)]
struct ListQuery {
    service: Option<String>,
}

async fn list<S: Store>(
    State(st): State<AppState<S>>,
    _c: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let items = st.store.list_reviews(q.service.as_deref()).await?;
    Ok(Json(json!({ "reviews": items })))
}

async fn read<S: Store>(
    State(st): State<AppState<S>>,
    _c: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (stored, value, _) = load(&st, &id).await?;
    let wants_yaml = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("application/yaml") || a.contains("text/yaml"));
    // The YAML is the stored file itself: the lines a verdict names are its lines.
    let mut resp = if wants_yaml {
        ([(header::CONTENT_TYPE, "application/yaml; charset=utf-8")], stored.document.clone()).into_response()
    } else {
        Json(stored_json(&stored, &value)).into_response()
    };
    resp.headers_mut().insert(header::ETAG, etag(stored.revision));
    Ok(resp)
}

async fn replace<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require(Role::Editor)?;
    let any = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim() == "*");
    let (old_stored, _, _) = load(&st, &id).await?;
    let Some(expected) = if_match(&headers)?.or(any.then_some(old_stored.revision)) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "PUT replaces the whole review: send If-Match with the revision you read",
        ));
    };
    let (value, review) = parse_document(&headers, &body)?;
    let (old, old_value, _) = load(&st, &id).await?;
    if old.revision != expected {
        return Err(StoreError::Conflict { expected, current: old.revision }.into());
    }
    if value.get("decision") != old_value.get("decision") {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "a PUT cannot change the decision: record one with POST /api/reviews/{id}/decision (approvers only)",
        ));
    }
    let document = gonogo_core::yaml::emit(&value);
    let change = Change {
        document,
        meta: meta(&review),
        actor: caller.name.clone(),
        change: "replace".into(),
        before: Some(old_value),
        after: Some(value.clone()),
    };
    let stored = st.store.update_review(&id, expected, change, None).await?;
    announce(&st, &id, stored.revision, "replace", &caller.name).await;
    let mut resp = Json(stored_json(&stored, &value)).into_response();
    resp.headers_mut().insert(header::ETAG, etag(stored.revision));
    Ok(resp)
}

/// Applies `edit` to the current document and writes it at the revision read. Without
/// If-Match, a write that lost a race is re-applied to the newer document, so two attendees
/// marking different items at once both land; with If-Match, a stale write is a 412.
async fn edit<S: Store>(
    st: &AppState<S>,
    id: &str,
    expected: Option<i64>,
    actor: &str,
    change: &str,
    decision: impl Fn(&Value) -> ApiResult<Option<DecisionRecord>>,
    apply: impl Fn(&mut Value) -> ApiResult<(Value, Value)>,
) -> ApiResult<(StoredReview, Value)> {
    let writer = st.writer(id);
    let _turn = writer.lock().await;
    for _ in 0..16 {
        let stored = st.store.get_review(id).await?;
        let mut value = document_value(&stored.document)?;
        if let Some(e) = expected
            && e != stored.revision
        {
            return Err(StoreError::Conflict { expected: e, current: stored.revision }.into());
        }
        let (before, after) = apply(&mut value)?;
        let (document, review) = reparse(&value)?;
        let c = Change {
            document,
            meta: meta(&review),
            actor: actor.to_string(),
            change: change.to_string(),
            before: Some(before),
            after: Some(after),
        };
        match st.store.update_review(id, stored.revision, c, decision(&value)?).await {
            Ok(s) => {
                announce(st, id, s.revision, change, actor).await;
                return Ok((s, value));
            }
            Err(StoreError::Conflict { .. }) if expected.is_none() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(StatusCode::CONFLICT, "the review kept changing under this write; try again"))
}

async fn mark<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path((id, index)): Path<(String, usize)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let patch: Value = serde_json::from_slice(&body).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({ "error": format!("invalid JSON: {e}"), "line": e.line() }),
    })?;
    let (stored, item) = mark_item(&st, &id, index, &patch, if_match(&headers)?, &caller).await?;
    let mut resp = Json(json!({ "revision": stored.revision, "item": item })).into_response();
    resp.headers_mut().insert(header::ETAG, etag(stored.revision));
    Ok(resp)
}

/// Marks one checklist item: `{"status"?, "owner"?, "notes"?}` (null removes a field).
pub async fn mark_item<S: Store>(
    st: &AppState<S>,
    id: &str,
    index: usize,
    patch: &Value,
    expected: Option<i64>,
    caller: &Caller,
) -> ApiResult<(StoredReview, Value)> {
    caller.require(Role::Editor)?;
    let fields = patch.as_object().ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "the body is an object: {\"status\", \"owner\", \"notes\"}")
    })?;
    if fields.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "nothing to change: send status, owner or notes"));
    }
    for (k, v) in fields {
        match k.as_str() {
            "status" => {
                let ok = v.as_str().is_some_and(|s| Status::parse(s).is_some());
                if !ok {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        format!("status {v} is not one of {}", Status::NAMES.join(", ")),
                    ));
                }
            }
            "owner" | "notes" if v.is_string() || v.is_null() => {}
            "owner" | "notes" => return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("`{k}` is text or null"))),
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("unknown field `{other}`: status, owner or notes"),
                ));
            }
        }
    }
    let change = format!("checklist[{index}]");
    let (stored, value) = edit(
        st,
        id,
        expected,
        &caller.name,
        &change,
        |_| Ok(None),
        |doc| {
            let item =
                doc.get_mut("checklist").and_then(|c| c.get_mut(index)).and_then(|i| i.as_object_mut()).ok_or_else(
                    || ApiError::new(StatusCode::NOT_FOUND, format!("the review has no checklist item {index}")),
                )?;
            let before = Value::Object(item.clone());
            for (k, v) in fields {
                if v.is_null() {
                    item.remove(k);
                } else {
                    item.insert(k.clone(), v.clone());
                }
            }
            Ok((before, Value::Object(item.clone())))
        },
    )
    .await?;
    let item = value["checklist"][index].clone();
    Ok((stored, item))
}

/// Records a decision: a new one supersedes the last; `by` is the caller, never a field.
pub async fn record_decision<S: Store>(
    st: &AppState<S>,
    id: &str,
    caller: &Caller,
    body: &Value,
    expected: Option<i64>,
) -> ApiResult<(StoredReview, Value)> {
    caller.require(Role::Approver)?;
    let fields = body.as_object().ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "the body is an object: {\"outcome\", \"signoffs\"?, \"conditions\"?}")
    })?;
    for k in fields.keys() {
        match k.as_str() {
            "outcome" | "signoffs" | "conditions" | "notes" => {}
            "by" | "at" => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("`{k}` is not yours to set: the decision is recorded as made by the caller, now"),
                ));
            }
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("unknown field `{other}`: outcome, signoffs, conditions or notes"),
                ));
            }
        }
    }
    let outcome = body.get("outcome").and_then(|o| o.as_str()).unwrap_or("");
    if gonogo_core::model::Outcome::parse(outcome).is_none() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "`outcome` is go, no_go or pending"));
    }
    let at = gonogo_store::now();
    let new_decision = |doc: &Value| {
        let mut d = serde_json::Map::new();
        d.insert("outcome".into(), json!(outcome));
        d.insert("by".into(), json!(caller.name));
        for k in ["signoffs", "conditions", "notes"] {
            if let Some(v) = body.get(k) {
                d.insert(k.into(), v.clone());
            }
        }
        d.insert("at".into(), json!(at));
        if let Some(w) = doc.get("decision").and_then(|d| d.get("deploy_window")) {
            d.insert("deploy_window".into(), w.clone());
        }
        Value::Object(d)
    };
    edit(
        st,
        id,
        expected,
        &caller.name,
        "decision",
        |doc| {
            Ok(Some(DecisionRecord {
                outcome: outcome.to_string(),
                by: caller.name.clone(),
                body: doc["decision"].clone(),
            }))
        },
        |doc| {
            let before = doc.get("decision").cloned().unwrap_or(Value::Null);
            let after = new_decision(doc);
            doc.as_object_mut()
                .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "document"))?
                .insert("decision".into(), after.clone());
            Ok((before, after))
        },
    )
    .await
}

async fn decide<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    caller.require(Role::Approver)?;
    let v: Value = serde_json::from_slice(&body).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({ "error": format!("invalid JSON: {e}"), "line": e.line() }),
    })?;
    let (stored, value) = record_decision(&st, &id, &caller, &v, if_match(&headers)?).await?;
    let (_, review) = reparse(&value)?;
    let rep = report(&st, &id, &review).await?;
    let mut resp = (
        StatusCode::CREATED,
        Json(json!({ "revision": stored.revision, "decision": value["decision"], "verdict": rep })),
    )
        .into_response();
    resp.headers_mut().insert(header::ETAG, etag(stored.revision));
    Ok(resp)
}

async fn verdict<S: Store>(State(st): State<AppState<S>>, _c: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    let cached = st.verdicts.lock().ok().and_then(|v| v.get(&id).cloned());
    let entry = match cached {
        Some(e) => e,
        None => {
            let generation = st.generation.load(std::sync::atomic::Ordering::SeqCst);
            let (stored, _, review) = load(&st, &id).await?;
            let rep = report(&st, &id, &review).await?;
            let entry = std::sync::Arc::new((stored.revision, serde_json::to_string(&rep).unwrap_or_default()));
            if let Ok(mut v) = st.verdicts.lock()
                && st.generation.load(std::sync::atomic::Ordering::SeqCst) == generation
            {
                v.insert(id.clone(), entry.clone());
            }
            entry
        }
    };
    let mut resp = ([(header::CONTENT_TYPE, "application/json")], entry.1.clone()).into_response();
    resp.headers_mut().insert(header::ETAG, etag(entry.0));
    Ok(resp)
}

async fn audit<S: Store>(State(st): State<AppState<S>>, _c: Caller, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    check_id(&id)?;
    st.store.get_review(&id).await?;
    Ok(Json(json!({ "audit": st.store.audit(&id).await? })))
}

async fn events<S: Store>(State(st): State<AppState<S>>, _c: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    check_id(&id)?;
    let stored = st.store.get_review(&id).await?;
    let rx = st.live.subscribe();
    let hello = Event::default().event("hello").data(json!({ "review": id, "revision": stored.revision }).to_string());
    let first = futures_util::stream::once(async move { Ok::<Event, Infallible>(hello) });
    let rest = futures_util::stream::unfold((rx, id), |(mut rx, id)| async move {
        loop {
            match rx.recv().await {
                Ok(msg) => {
                    let mine = serde_json::from_str::<Value>(&msg).ok().is_some_and(|v| v["review"] == id);
                    if mine {
                        return Some((Ok(Event::default().event("change").data(msg)), (rx, id)));
                    }
                }
                // Too slow to keep up: tell the page to reload rather than miss a change.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("reload").data("{}")), (rx, id)));
                }
                Err(_) => return None,
            }
        }
    });
    use futures_util::StreamExt;
    Ok(Sse::new(first.chain(rest)).keep_alive(KeepAlive::default()).into_response())
}

#[derive(serde::Deserialize)]
struct RenderQuery {
    format: Option<String>,
}

async fn render<S: Store>(
    State(st): State<AppState<S>>,
    _c: Caller,
    Path(id): Path<String>,
    Query(q): Query<RenderQuery>,
) -> ApiResult<Response> {
    let (_, _, review) = load(&st, &id).await?;
    let rep = report(&st, &id, &review).await?;
    match q.format.as_deref().unwrap_or("html") {
        "html" => Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], gonogo_core::render::html(&review, &rep))
            .into_response()),
        "markdown" => {
            Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], gonogo_core::render::markdown(&review, &rep))
                .into_response())
        }
        other => Err(ApiError::new(StatusCode::BAD_REQUEST, format!("format `{other}` is markdown or html"))),
    }
}

/// An audit entry that leaves the document as it is (a trigger fired, a transcript read, a
/// captured item settled): what happened and by whom.
fn note(stored: &StoredReview, review: &Review, caller: &Caller, change: String, after: Value) -> Change {
    Change {
        document: stored.document.clone(),
        meta: meta(review),
        actor: caller.name.clone(),
        change,
        before: None,
        after: Some(after),
    }
}

pub async fn fire_trigger<S: Store>(st: &AppState<S>, id: &str, name: &str, caller: &Caller) -> ApiResult<()> {
    caller.require(Role::Editor)?;
    let (stored, _, review) = load(st, id).await?;
    let t = review
        .rollback
        .as_ref()
        .and_then(|r| r.triggers.iter().find(|t| t.name.value == name))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no trigger named `{name}`")))?;
    if t.kind() != Some(TriggerKind::Manual) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("`{name}` is not a manual trigger; only manual triggers are fired by a person"),
        ));
    }
    let c = note(&stored, &review, caller, "trigger_fired".to_string(), json!({ "trigger": name }));
    st.store.add_audit(id, c).await?;
    announce(st, id, stored.revision, "trigger_fired", &caller.name).await;
    Ok(())
}

async fn fire<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    fire_trigger(&st, &id, &name, &caller).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "trigger": name, "fired": true }))).into_response())
}

/// Utterances from a transcript body: WebVTT, SRT or `[HH:MM:SS] Name: text` (by content), or
/// JSON lines `{"at", "speaker", "text"}` (`Content-Type: application/x-ndjson`, or a body
/// that starts with `{`), as a live caption feed sends them.
fn utterances(headers: &HeaderMap, body: &[u8]) -> ApiResult<Vec<gonogo_capture::Utterance>> {
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = 1 + body[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: json!({ "error": "the transcript is not UTF-8", "line": line }),
        }
    })?;
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let lines = ctype.starts_with("application/x-ndjson") || ctype.starts_with("application/jsonl");
    if lines || text.trim_start().starts_with('{') {
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            out.push(gonogo_capture::parse::utterance_json(l, i + 1).map_err(|e| ApiError {
                status: StatusCode::BAD_REQUEST,
                body: json!({ "error": format!("line {}: {}", e.line, e.message), "line": e.line }),
            })?);
        }
        return Ok(out);
    }
    gonogo_capture::parse(text).map(|(_, u)| u).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({ "error": format!("line {}: {}", e.line, e.message), "line": e.line }),
    })
}

/// Runs a transcript through gonogo-capture against the stored review (its attendees,
/// checklist and deploy window) and keeps what it drafts as pending items.
pub async fn capture_transcript<S: Store>(
    st: &AppState<S>,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
    caller: &Caller,
) -> ApiResult<Vec<CaptureRow>> {
    caller.require(Role::Editor)?;
    let (stored, _, review) = load(st, id).await?;
    let utts = utterances(headers, body)?;
    let ctx = gonogo_capture::Context::from_review_yaml(&stored.document)
        .unwrap_or_else(|_| gonogo_capture::Context::empty());
    let cap = gonogo_capture::extract(&utts, &ctx).to_json();
    let mut items = Vec::new();
    for (key, kind) in [
        ("decisions", "decision"),
        ("action_items", "action_item"),
        ("open_questions", "open_question"),
        ("checklist_updates", "checklist_update"),
    ] {
        for it in cap.get(key).and_then(|v| v.as_array()).into_iter().flatten() {
            items.push((kind.to_string(), it.clone()));
        }
    }
    let c = note(
        &stored,
        &review,
        caller,
        "transcript".to_string(),
        json!({ "utterances": utts.len(), "drafted": items.len() }),
    );
    let rows = st.store.add_captures(id, items, c).await?;
    announce(st, id, stored.revision, "transcript", &caller.name).await;
    Ok(rows)
}

async fn transcript<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    check_id(&id)?;
    let rows = capture_transcript(&st, &id, &headers, &body, &caller).await?;
    Ok((StatusCode::CREATED, Json(json!({ "captures": rows }))).into_response())
}

async fn captures<S: Store>(
    State(st): State<AppState<S>>,
    _c: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    check_id(&id)?;
    load(&st, &id).await?;
    Ok(Json(json!({ "captures": st.store.captures(&id).await? })))
}

/// Accepts (applies to the review, audited) or rejects (audited) one pending captured item.
/// A checklist update marks its item; an action item is added (once); a go/no-go call is
/// recorded as a decision by the caller, an approver; other decisions and open questions have
/// no place in the review file, so accepting them only records that a person confirmed them.
pub async fn settle_capture<S: Store>(
    st: &AppState<S>,
    id: &str,
    capture: i64,
    verb: &str,
    caller: &Caller,
) -> ApiResult<CaptureRow> {
    caller.require(Role::Editor)?;
    let state = match verb {
        "accept" => "accepted",
        "reject" => "rejected",
        other => return Err(ApiError::new(StatusCode::NOT_FOUND, format!("`{other}`: accept or reject"))),
    };
    let (_, _, review) = load(st, id).await?;
    let row =
        st.store.captures(id).await?.into_iter().find(|r| r.id == capture).ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, format!("no captured item {capture} in this review"))
        })?;
    if row.state != "pending" {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("captured item {capture} is already {}", row.state)));
    }
    let item = &row.item;
    let text = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if state == "accepted" {
        match row.kind.as_str() {
            "checklist_update" => {
                let name = text("item").unwrap_or_default();
                let index = review.checklist.iter().position(|c| c.item.value == name).ok_or_else(|| {
                    ApiError::new(StatusCode::CONFLICT, format!("the review no longer has the checklist item `{name}`"))
                })?;
                let mut patch = json!({ "status": text("status").unwrap_or_default() });
                let blank_notes = review.checklist[index].notes.as_ref().is_none_or(|n| n.value.trim().is_empty());
                if let Some(n) = text("notes").filter(|n| !n.is_empty() && blank_notes) {
                    patch["notes"] = json!(n);
                }
                mark_item(st, id, index, &patch, None, caller).await?;
            }
            "action_item" => {
                let action = text("action").unwrap_or_default();
                let mut entry = serde_json::Map::new();
                if let Some(o) = text("owner") {
                    entry.insert("owner".into(), json!(o));
                }
                entry.insert("action".into(), json!(action));
                if let Some(d) = text("due") {
                    entry.insert("due".into(), json!(d));
                }
                entry.insert("status".into(), json!("open"));
                let entry = Value::Object(entry);
                edit(
                    st,
                    id,
                    None,
                    &caller.name,
                    &format!("capture[{capture}]: action item"),
                    |_| Ok(None),
                    |doc| {
                        let obj =
                            doc.as_object_mut().ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "not a mapping"))?;
                        let list = obj.entry("action_items").or_insert_with(|| json!([]));
                        if !list.is_array() {
                            *list = json!([]);
                        }
                        let list =
                            list.as_array_mut().ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "action_items"))?;
                        let same = |v: &Value| {
                            v.get("action")
                                .and_then(|a| a.as_str())
                                .is_some_and(|a| a.trim().eq_ignore_ascii_case(action.trim()))
                        };
                        if !list.iter().any(same) {
                            list.push(entry.clone());
                        }
                        Ok((Value::Null, entry.clone()))
                    },
                )
                .await?;
            }
            "decision" if text("outcome").is_some() => {
                record_decision(st, id, caller, &json!({ "outcome": text("outcome") }), None).await?;
            }
            _ => {}
        }
    }
    let (stored, _, review) = load(st, id).await?;
    let c = note(
        &stored,
        &review,
        caller,
        format!("capture[{capture}] {state}"),
        json!({ "kind": row.kind, "item": row.item }),
    );
    let settled = st.store.settle_capture(id, capture, state, c).await?.ok_or_else(|| {
        ApiError::new(StatusCode::CONFLICT, format!("captured item {capture} was settled by someone else meanwhile"))
    })?;
    announce(st, id, stored.revision, &format!("capture[{capture}] {state}"), &caller.name).await;
    Ok(settled)
}

async fn settle<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path((id, capture, verb)): Path<(String, i64, String)>,
) -> ApiResult<Json<Value>> {
    check_id(&id)?;
    let row = settle_capture(&st, &id, capture, &verb, &caller).await?;
    Ok(Json(json!({ "capture": row })))
}
