//! The web page the meeting runs on: server-rendered HTML that works without script, a
//! small script that applies every change from any attendee within a second (SSE), forms
//! for marking items, recording the decision and firing manual triggers.

use crate::AppState;
use crate::api::{self, ApiError};
use crate::auth::Caller;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gonogo_core::model::{Review, Status, TriggerKind};
use gonogo_core::render::esc;
use gonogo_core::verdict::Verdict;
use gonogo_store::Store;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;

pub fn routes<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/", get(index::<S>))
        .route("/reviews/{id}", get(review_page::<S>))
        .route("/reviews/{id}/checklist/{index}", post(mark_form::<S>))
        .route("/reviews/{id}/decision", post(decision_form::<S>))
        .route("/reviews/{id}/triggers/{name}/fire", post(fire_form::<S>))
        .route("/reviews/{id}/transcript", post(transcript_form::<S>))
        .route("/reviews/{id}/captures/{capture}/{verb}", post(settle_form::<S>))
        .route("/login", get(login_page).post(login::<S>))
}

const STYLE: &str = r#"
:root { --go: #1a7f37; --cond: #9a6700; --nogo: #cf222e; --line: #d0d7de; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem; line-height: 1.45; color: #1f2328; }
a { color: #0969da; } table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } tr:target { outline: 3px solid #0969da; }
.banner { border: 2px solid; border-left-width: 10px; padding: .6rem 1rem; margin: 1rem 0; border-radius: 4px; }
.banner.go { border-color: var(--go); } .banner.go_with_conditions { border-color: var(--cond); } .banner.no_go { border-color: var(--nogo); }
.banner h2 { margin: .2rem 0 .4rem; }
form.inline { display: flex; gap: .4rem; align-items: center; margin: 0; }
select, input, button { font: inherit; padding: .2rem .4rem; } button { cursor: pointer; }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.live { font-size: .9rem; color: #57606a; } .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
fieldset { border: 1px solid var(--line); } label { display: inline-block; min-width: 7rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dt { font-weight: 600; } dd { margin: 0; }
@media print { form, .noprint, nav { display: none !important; } .banner { break-inside: avoid; } tr { break-inside: avoid; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .8em; } }
"#;

/// The script: listens for changes and swaps in the fresh page body, keeping focus.
const SCRIPT: &str = r#"
(function () {
  var main = document.getElementById('live');
  if (!main || !window.EventSource) return;
  var id = main.getAttribute('data-review');
  var status = document.getElementById('live-status');
  function refresh(why) {
    fetch(location.pathname + '?fragment=1', { headers: { 'Accept': 'text/html' } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var focused = document.activeElement && document.activeElement.id;
        main.innerHTML = html;
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        if (status) status.textContent = why;
      });
  }
  var es = new EventSource('/api/reviews/' + encodeURIComponent(id) + '/events');
  es.addEventListener('change', function (e) {
    var d = JSON.parse(e.data);
    refresh('Updated: ' + d.change + ' by ' + d.actor + ' (revision ' + d.revision + ')');
  });
  es.addEventListener('reload', function () { refresh('Updated'); });
  // After a reconnect, catch up on whatever changed while the stream was down.
  es.addEventListener('hello', function (e) {
    var d = JSON.parse(e.data), rev = document.getElementById('revision');
    if (rev && String(d.revision) !== rev.getAttribute('data-revision')) refresh('Updated while reconnecting');
  });
  es.onerror = function () { if (status) status.textContent = 'Live updates paused; reconnecting…'; };
  es.onopen = function () { if (status) status.textContent = 'Live: changes by others appear here.'; };
})();
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<nav class=\"noprint\"><a href=\"/\">All reviews</a> · <a href=\"/login\">Token</a></nav>\n{body}\n<script>{SCRIPT}</script></body></html>\n",
        esc(title)
    )
}

fn error_page(e: ApiError) -> Response {
    let msg = e.body["error"].as_str().unwrap_or("error").to_string();
    let line = e.body["line"].as_u64().map(|l| format!(" (line {l})")).unwrap_or_default();
    (e.status, Html(page("gonogo: error", &format!("<main><h1>{}</h1><p role=\"alert\">{}{}</p><p><a href=\"javascript:history.back()\">Back</a></p></main>", e.status, esc(&msg), esc(&line))))).into_response()
}

async fn index<S: Store>(State(st): State<AppState<S>>, _c: Caller) -> Response {
    let list = match st.store.list_reviews(None).await {
        Ok(l) => l,
        Err(e) => return error_page(e.into()),
    };
    let mut body = String::from("<main><h1>Deployment readiness reviews</h1>");
    if list.is_empty() {
        body.push_str("<p>No review yet. Create one: <code>curl --data-binary @review.yaml -H 'Content-Type: application/yaml' http://HOST/api/reviews</code>, or start with <code>gonogo serve --demo</code>.</p>");
    } else {
        body.push_str("<table><caption class=\"sr-only\">Reviews, newest first</caption><thead><tr><th scope=\"col\">Service</th><th scope=\"col\">Version</th><th scope=\"col\">Verdict</th><th scope=\"col\">Updated</th></tr></thead><tbody>");
        for r in &list {
            let verdict = match api::load(&st, &r.id).await {
                Ok((_, _, review)) => match api::report(&st, &r.id, &review).await {
                    Ok(rep) => rep.verdict.banner().to_string(),
                    Err(_) => "?".into(),
                },
                Err(_) => "?".into(),
            };
            let _ = write!(
                body,
                "<tr><td><a href=\"/reviews/{id}\">{}</a></td><td>{}</td><td>{verdict}</td><td>{}</td></tr>",
                esc(&r.service),
                esc(&r.version),
                esc(&r.updated_at),
                id = esc(&r.id)
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</main>");
    Html(page("gonogo: reviews", &body)).into_response()
}

#[derive(serde::Deserialize)]
struct PageQuery {
    fragment: Option<String>,
}

async fn review_page<S: Store>(
    State(st): State<AppState<S>>,
    _c: Caller,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (stored, value, review) = match api::load(&st, &id).await {
        Ok(x) => x,
        Err(e) => return error_page(e),
    };
    let rep = match api::report(&st, &id, &review).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let audit = st.store.audit(&id).await.unwrap_or_default();
    let captures = st.store.captures(&id).await.unwrap_or_default();
    let inner = live_body(&id, stored.revision, &value, &review, &rep, &audit, &captures);
    if q.fragment.is_some() {
        return ([(header::CACHE_CONTROL, "no-store")], Html(inner)).into_response();
    }
    let title = format!("{} {} — readiness review", review.release.service.value, review.release.version.value);
    let body = format!(
        "<header><h1>{}</h1><p class=\"live noprint\" id=\"live-status\" role=\"status\" aria-live=\"polite\">Changes by others appear here as they happen.</p>\
         <p class=\"noprint\"><a href=\"/api/reviews/{rid}/render?format=html\">The full meeting document (printable)</a> · <a href=\"/api/reviews/{rid}/render?format=markdown\">Markdown</a></p></header>\n\
         <main id=\"live\" data-review=\"{rid}\">{inner}</main>",
        esc(&title),
        rid = esc(&id)
    );
    Html(page(&title, &body)).into_response()
}

/// Where a finding is shown on the page.
fn anchor(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("checklist[")
        && let Some(i) = rest.split(']').next()
    {
        return format!("#checklist-{i}");
    }
    let section = path.split(['.', '[']).next().unwrap_or("");
    match section {
        "decision" => "#decision".into(),
        "action_items" => "#action-items".into(),
        "rollback" => "#triggers".into(),
        _ => "#checklist".into(),
    }
}

fn live_body(
    id: &str,
    revision: i64,
    value: &Value,
    review: &Review,
    rep: &gonogo_core::Report,
    audit: &[gonogo_store::AuditEntry],
    captures: &[gonogo_store::CaptureRow],
) -> String {
    let mut b = String::new();
    // The seed's sections in its order; the ones with controls are drawn here, the others
    // come from the meeting document (gonogo-core's render).
    let doc = |ids: &[&str]| gonogo_core::render::html_sections(review, rep, ids);
    b.push_str(&doc(&["meeting"]));
    let class = rep.verdict.as_str();
    let icon = match rep.verdict {
        Verdict::Go => "✅",
        Verdict::GoWithConditions => "⚠️",
        Verdict::NoGo => "⛔",
    };
    let open: Vec<_> = rep.open_blockers().collect();
    let _ = write!(
        b,
        "<section class=\"banner {class}\" id=\"verdict\" aria-labelledby=\"verdict-h\"><h2 id=\"verdict-h\"><span aria-hidden=\"true\">{icon}</span> Verdict: {}</h2>",
        rep.verdict.banner()
    );
    let decision = rep.decision.unwrap_or("none recorded");
    let _ = write!(
        b,
        "<p>Recorded decision: <strong>{decision}</strong> · <span id=\"revision\" data-revision=\"{revision}\">revision {revision}</span></p>"
    );
    if open.is_empty() {
        b.push_str("<p>No open blockers.</p>");
    } else {
        let _ = write!(b, "<p>{} open blocker{}:</p><ul>", open.len(), if open.len() == 1 { "" } else { "s" });
        for f in &open {
            let _ =
                write!(b, "<li><a href=\"{}\"><code>{}</code></a> {}</li>", anchor(&f.path), f.rule, esc(&f.message));
        }
        b.push_str("</ul>");
    }
    let covered: Vec<_> = rep.blockers().filter(|f| f.covered).collect();
    if !covered.is_empty() {
        b.push_str("<details><summary>Covered by the decision's conditions</summary><ul>");
        for f in covered {
            let _ = write!(b, "<li><code>{}</code> {}</li>", f.rule, esc(&f.message));
        }
        b.push_str("</ul></details>");
    }
    b.push_str("</section>");

    // Release checklist: one control per row.
    b.push_str(
        "<section id=\"checklist\" aria-labelledby=\"checklist-h\"><h2 id=\"checklist-h\">Release Checklist</h2>",
    );
    if review.checklist.is_empty() {
        b.push_str("<p>No checklist items.</p>");
    } else {
        b.push_str("<table><thead><tr><th scope=\"col\">Item</th><th scope=\"col\">Status</th><th scope=\"col\">Owner</th><th scope=\"col\">Notes</th></tr></thead><tbody>");
        for (i, c) in review.checklist.iter().enumerate() {
            let st = c.status();
            let mut opts = String::new();
            for name in Status::NAMES {
                let sel = if *name == st.as_str() { " selected" } else { "" };
                let _ = write!(opts, "<option value=\"{name}\"{sel}>{name}</option>");
            }
            let _ = write!(
                b,
                "<tr id=\"checklist-{i}\"><th scope=\"row\">{}</th><td><span class=\"status\">{}</span>\
                 <form class=\"inline noprint\" method=\"post\" action=\"/reviews/{rid}/checklist/{i}\">\
                 <label class=\"sr-only\" for=\"status-{i}\">Status of {}</label><select id=\"status-{i}\" name=\"status\">{opts}</select>\
                 <button type=\"submit\" id=\"mark-{i}\">Mark</button></form></td><td>{}</td><td>{}</td></tr>",
                esc(&c.item.value),
                st.label(),
                esc(&c.item.value),
                esc(c.owner.as_ref().map(|o| o.value.as_str()).unwrap_or("")),
                esc(c.notes.as_ref().map(|o| o.value.as_str()).unwrap_or("")),
                rid = esc(id)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>");

    b.push_str(&doc(&["testing", "rollback"]));
    // Every trigger, with a button for each manual one.
    b.push_str(
        "<section id=\"triggers\" aria-labelledby=\"triggers-h\"><h2 id=\"triggers-h\">Rollback triggers: report one</h2><ul>",
    );
    for t in review.rollback.iter().flat_map(|r| r.triggers.iter()) {
        let what = match t.kind() {
            Some(TriggerKind::Metric { query, threshold, for_ }) => {
                format!("<code>{}</code> {} {} for {for_}", esc(&query.value), esc(threshold.op()), threshold.value())
            }
            Some(TriggerKind::Alert(a)) => format!("alert <code>{}</code> firing", esc(&a.value)),
            Some(TriggerKind::Manual) => format!(
                "reported by a person <form class=\"inline noprint\" method=\"post\" action=\"/reviews/{}/triggers/{}/fire\" onsubmit=\"return confirm('Fire this rollback trigger?')\"><button type=\"submit\">Report it</button></form>",
                esc(id),
                esc(&gonogo_core::url::encode_component(&t.name.value))
            ),
            None => "<strong>vague</strong>: not a condition".into(),
        };
        let _ = write!(b, "<li><strong>{}</strong> — {what}</li>", esc(&t.name.value));
    }
    b.push_str("</ul></section>");

    b.push_str(&doc(&["on-call", "monitoring"]));
    // The decision and its form.
    b.push_str(
        "<section id=\"decision\" aria-labelledby=\"decision-h\"><h2 id=\"decision-h\">Go / No-Go Decision</h2>",
    );
    match review.decision.as_ref() {
        Some(d) if d.outcome.is_some() => {
            let by = d.by.as_ref().map(|b| b.value.as_str()).unwrap_or("nobody");
            let signoffs: Vec<&str> = d.signoffs.iter().map(|s| s.value.as_str()).collect();
            let _ = write!(
                b,
                "<p>Decision: <strong>{}</strong> by {} {}{}</p>",
                d.outcome.as_ref().map(|o| o.value.as_str()).unwrap_or("pending"),
                esc(by),
                if signoffs.is_empty() {
                    String::new()
                } else {
                    format!("with sign-off from {}", esc(&signoffs.join(", ")))
                },
                d.at.as_ref().map(|a| format!(" at {}", a.value)).unwrap_or_default()
            );
            if !d.conditions.is_empty() {
                b.push_str("<ol>");
                for c in &d.conditions {
                    let _ = write!(
                        b,
                        "<li>{}{}</li>",
                        esc(&c.text.value),
                        c.owner.as_ref().map(|o| format!(" — {}", esc(&o.value))).unwrap_or_default()
                    );
                }
                b.push_str("</ol>");
            }
        }
        _ => b.push_str("<p>No decision recorded.</p>"),
    }
    let covers_hint = value.get("checklist").and_then(|c| c.as_array()).map(|c| c.len()).unwrap_or(0);
    let _ = write!(
        b,
        "<form class=\"noprint\" method=\"post\" action=\"/reviews/{rid}/decision\"><fieldset><legend>Record the decision (approvers)</legend>\
         <p><label for=\"outcome\">Outcome</label><select id=\"outcome\" name=\"outcome\"><option value=\"go\">GO</option><option value=\"no_go\">NO-GO</option><option value=\"pending\">pending</option></select></p>\
         <p><label for=\"signoffs\">Sign-offs</label><input id=\"signoffs\" name=\"signoffs\" placeholder=\"@priya, @qa\" size=\"40\"></p>\
         <p><label for=\"condition\">Condition</label><input id=\"condition\" name=\"condition\" size=\"60\" placeholder=\"What must happen before the deploy\"></p>\
         <p><label for=\"condition_owner\">Owner</label><input id=\"condition_owner\" name=\"condition_owner\" placeholder=\"@infra\">\
         <label for=\"condition_due\">Due</label><input id=\"condition_due\" name=\"condition_due\" placeholder=\"2024-12-13T12:00:00Z\"></p>\
         <p><label for=\"condition_covers\">Covers</label><input id=\"condition_covers\" name=\"condition_covers\" size=\"60\" placeholder=\"checklist item names or rule ids, comma-separated ({covers_hint} items above)\"></p>\
         <p><button type=\"submit\" id=\"record-decision\">Record decision</button></p></fieldset></form></section>",
        rid = esc(id)
    );

    // Action items.
    b.push_str("<section id=\"action-items\" aria-labelledby=\"ai-h\"><h2 id=\"ai-h\">Action Items</h2>");
    if review.action_items.is_empty() {
        b.push_str("<p>No action items.</p>");
    } else {
        b.push_str("<table><thead><tr><th scope=\"col\">Owner</th><th scope=\"col\">Action</th><th scope=\"col\">Due</th><th scope=\"col\">Status</th></tr></thead><tbody>");
        for a in &review.action_items {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(a.owner.as_ref().map(|o| o.value.as_str()).unwrap_or("")),
                esc(&a.action.value),
                a.due.as_ref().map(|d| d.value.to_string()).unwrap_or_default(),
                a.status.as_ref().map(|s| s.value.as_str()).unwrap_or("open")
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>");

    b.push_str(&doc(&["follow-up"]));
    b.push_str(&captured(id, captures));
    // The audit log.
    b.push_str("<section id=\"audit\" aria-labelledby=\"audit-h\"><h2 id=\"audit-h\">Audit Log</h2><table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">Change</th></tr></thead><tbody>");
    for e in audit.iter().rev() {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            esc(&e.at),
            esc(&e.actor),
            esc(&e.change),
            summary(e)
        );
    }
    b.push_str("</tbody></table></section>");
    b
}

/// What the transcript drafted: each pending item with its quote and why, to accept or reject.
fn captured(id: &str, captures: &[gonogo_store::CaptureRow]) -> String {
    let mut b = String::from(
        "<section id=\"captures\" aria-labelledby=\"captures-h\"><h2 id=\"captures-h\">Captured from the transcript</h2>",
    );
    let pending: Vec<_> = captures.iter().filter(|c| c.state == "pending").collect();
    if pending.is_empty() {
        b.push_str("<p>Nothing waiting for a person.</p>");
    } else {
        b.push_str("<table><thead><tr><th scope=\"col\">At</th><th scope=\"col\">What</th><th scope=\"col\">Said</th><th scope=\"col\">Accept?</th></tr></thead><tbody>");
        for c in &pending {
            let s = |k: &str| c.item.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let what = match c.kind.as_str() {
                "decision" => match c.item.get("outcome").and_then(|o| o.as_str()) {
                    Some(o) => format!("Decision: <strong>{}</strong>", esc(&o.to_uppercase().replace('_', "-"))),
                    None => format!("Decision: {}", esc(&s("text"))),
                },
                "action_item" => format!(
                    "Action item: {} — {}{}",
                    esc(c.item.get("owner").and_then(|o| o.as_str()).unwrap_or("no single owner")),
                    esc(&s("action")),
                    c.item.get("due").and_then(|d| d.as_str()).map(|d| format!(", due {}", esc(d))).unwrap_or_default()
                ),
                "open_question" => format!("Open question: {}", esc(&s("text"))),
                "checklist_update" => {
                    format!("Checklist: {} → <strong>{}</strong>", esc(&s("item")), esc(&s("status")))
                }
                other => esc(other),
            };
            let quote = if c.kind == "open_question" { s("text") } else { s("quote") };
            let _ = write!(
                b,
                "<tr id=\"capture-{cid}\"><td>{}</td><td>{what}<br><small>{}</small></td><td><q>{}</q> — {}</td><td>\
                 <form class=\"inline noprint\" method=\"post\" action=\"/reviews/{rid}/captures/{cid}/accept\"><button type=\"submit\" id=\"accept-{cid}\">Accept</button></form>\
                 <form class=\"inline noprint\" method=\"post\" action=\"/reviews/{rid}/captures/{cid}/reject\"><button type=\"submit\" id=\"reject-{cid}\">Reject</button></form></td></tr>",
                esc(&s("at")),
                esc(&s("why")),
                esc(&quote),
                esc(&s("speaker")),
                cid = c.id,
                rid = esc(id)
            );
        }
        b.push_str("</tbody></table>");
    }
    let settled = captures.len() - pending.len();
    if settled > 0 {
        let _ = write!(
            b,
            "<p>{settled} captured item{} settled (see the audit log).</p>",
            if settled == 1 { "" } else { "s" }
        );
    }
    let _ = write!(
        b,
        "<form class=\"noprint\" method=\"post\" action=\"/reviews/{rid}/transcript\"><fieldset><legend>Capture from a transcript (editors)</legend>\
         <p><label for=\"transcript\">Transcript</label><textarea id=\"transcript\" name=\"transcript\" rows=\"4\" cols=\"80\" placeholder=\"WebVTT, SRT or [00:01:02] Name: text\"></textarea></p>\
         <p><button type=\"submit\" id=\"capture-transcript\">Draft items</button></p></fieldset></form></section>",
        rid = esc(id)
    );
    b
}

fn summary(e: &gonogo_store::AuditEntry) -> String {
    let Some(after) = &e.after else { return String::new() };
    if e.change.starts_with("checklist[") {
        let before = e.before.as_ref().and_then(|b| b.get("status")).and_then(|s| s.as_str()).unwrap_or("?");
        let now = after.get("status").and_then(|s| s.as_str()).unwrap_or("?");
        return format!(": {} → {}", esc(before), esc(now));
    }
    if e.change == "decision" {
        return format!(": {}", esc(after.get("outcome").and_then(|o| o.as_str()).unwrap_or("?")));
    }
    String::new()
}

async fn mark_form<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path((id, index)): Path<(String, usize)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let status = f.get("status").cloned().unwrap_or_default();
    if Status::parse(&status).is_none() {
        return error_page(ApiError::new(StatusCode::BAD_REQUEST, format!("`{status}` is not a status")));
    }
    if let Err(e) = caller.require(gonogo_store::Role::Editor) {
        return error_page(e.into());
    }
    let body = json!({ "status": status }).to_string();
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, "application/json".parse().expect("static"));
    match api_mark(&st, &caller, &id, index, &body).await {
        Ok(()) => Redirect::to(&format!("/reviews/{id}#checklist-{index}")).into_response(),
        Err(e) => error_page(e),
    }
}

async fn api_mark<S: Store>(
    st: &AppState<S>,
    caller: &Caller,
    id: &str,
    index: usize,
    body: &str,
) -> Result<(), ApiError> {
    let v: Value = serde_json::from_str(body).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    api::mark_item(st, id, index, &v, None, caller).await.map(|_| ())
}

async fn decision_form<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let list = |k: &str| -> Vec<String> {
        f.get(k)
            .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
            .unwrap_or_default()
    };
    let mut body = json!({ "outcome": f.get("outcome").cloned().unwrap_or_default(), "signoffs": list("signoffs") });
    if let Some(text) = f.get("condition").filter(|t| !t.trim().is_empty()) {
        let mut c = json!({ "text": text.trim() });
        if let Some(o) = f.get("condition_owner").filter(|t| !t.trim().is_empty()) {
            c["owner"] = json!(o.trim());
        }
        if let Some(d) = f.get("condition_due").filter(|t| !t.trim().is_empty()) {
            c["due"] = json!(d.trim());
        }
        let covers = list("condition_covers");
        if !covers.is_empty() {
            c["covers"] = json!(covers);
        }
        body["conditions"] = json!([c]);
    }
    match api::record_decision(&st, &id, &caller, &body, None).await {
        Ok(_) => Redirect::to(&format!("/reviews/{id}#decision")).into_response(),
        Err(e) => error_page(e),
    }
}

async fn fire_form<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    match api::fire_trigger(&st, &id, &name, &caller).await {
        Ok(()) => Redirect::to(&format!("/reviews/{id}#triggers")).into_response(),
        Err(e) => error_page(e),
    }
}

async fn transcript_form<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let text = f.get("transcript").cloned().unwrap_or_default();
    match api::capture_transcript(&st, &id, &axum::http::HeaderMap::new(), text.as_bytes(), &caller).await {
        Ok(_) => Redirect::to(&format!("/reviews/{id}#captures")).into_response(),
        Err(e) => error_page(e),
    }
}

async fn settle_form<S: Store>(
    State(st): State<AppState<S>>,
    caller: Caller,
    Path((id, capture, verb)): Path<(String, i64, String)>,
) -> Response {
    match api::settle_capture(&st, &id, capture, &verb, &caller).await {
        Ok(_) => Redirect::to(&format!("/reviews/{id}#captures")).into_response(),
        Err(e) => error_page(e),
    }
}

async fn login_page() -> Html<String> {
    Html(page(
        "gonogo: token",
        "<main><h1>Use an API token</h1><p>Paste the token <code>gonogo token create</code> printed. It is kept in a cookie for this site only.</p>\
         <form method=\"post\" action=\"/login\"><label for=\"token\">Token</label> <input id=\"token\" name=\"token\" type=\"password\" size=\"60\" autocomplete=\"off\"> <button type=\"submit\">Use it</button></form></main>",
    ))
}

async fn login<S: Store>(State(st): State<AppState<S>>, Form(f): Form<HashMap<String, String>>) -> Response {
    let token = f.get("token").map(|t| t.trim().to_string()).unwrap_or_default();
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return error_page(ApiError::new(StatusCode::BAD_REQUEST, "that is not a gonogo token"));
    }
    // A cookie holding a wrong token would lock every page; check it first.
    match st.store.token(&token).await {
        Ok(Some(_)) => {}
        Ok(None) => return error_page(ApiError::new(StatusCode::BAD_REQUEST, "no such token")),
        Err(e) => return error_page(e.into()),
    }
    let cookie = format!("gonogo_token={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}
