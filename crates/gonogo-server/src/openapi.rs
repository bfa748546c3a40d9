//! The OpenAPI 3.1 document of the API (GET /api/openapi.json).

use serde_json::{Value, json};

fn op(summary: &str, responses: &[(&str, &str)]) -> Value {
    let mut r = serde_json::Map::new();
    for (code, desc) in responses {
        r.insert((*code).into(), json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": if code.starts_with('2') { "#/components/schemas/Any" } else { "#/components/schemas/Error" } } } } }));
    }
    json!({ "summary": summary, "responses": r })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } })
}

pub fn document() -> Value {
    let review_body = json!({ "required": true, "content": {
        "application/yaml": { "schema": { "type": "string", "description": "a review file (gonogo schema)" } },
        "application/json": { "schema": { "type": "object" } } } });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "gonogo", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Deployment readiness reviews: the meeting's page, its verdict and its audit trail." },
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer", "description": "gonogo token create --role viewer|editor|approver" } },
            "schemas": {
                "Any": {},
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" }, "line": { "type": "integer" } } },
                "Verdict": { "type": "object", "required": ["verdict", "decision", "findings"], "properties": {
                    "verdict": { "enum": ["go", "go_with_conditions", "no_go"] },
                    "decision": { "enum": ["go", "no_go", "pending", null] },
                    "findings": { "type": "array", "items": { "type": "object", "properties": {
                        "rule": { "type": "string" }, "severity": { "enum": ["blocker", "warning"] }, "covered": { "type": "boolean" },
                        "message": { "type": "string" }, "path": { "type": "string" }, "line": { "type": "integer" }, "column": { "type": "integer" } } } } } },
                "ChecklistPatch": { "type": "object", "additionalProperties": false, "properties": {
                    "status": { "enum": ["done", "partial", "blocked", "not_started", "n/a"] },
                    "owner": { "type": ["string", "null"] }, "notes": { "type": ["string", "null"] } } },
                "Decision": { "type": "object", "required": ["outcome"], "additionalProperties": false, "properties": {
                    "outcome": { "enum": ["go", "no_go", "pending"] }, "signoffs": { "type": "array", "items": { "type": "string" } },
                    "conditions": { "type": "array" }, "notes": { "type": "string" } } }
            }
        },
        "security": [{ "token": [] }, {}],
        "paths": {
            "/api/reviews": {
                "post": { "summary": "Create a review from a review file (YAML) or its JSON", "requestBody": review_body,
                          "responses": op("", &[("201", "created: {id, revision, verdict}"), ("400", "not a valid review; `line` names where"), ("401", "a token is needed"), ("403", "the token's role may not"), ("413", "body too large")])["responses"] },
                "get": { "summary": "List reviews, newest first", "parameters": [{ "name": "service", "in": "query", "schema": { "type": "string" } }],
                         "responses": op("", &[("200", "{reviews: [...]}")])["responses"] }
            },
            "/api/reviews/{id}": {
                "parameters": [id_param()],
                "get": op("The review as JSON with its revision (also the ETag)", &[("200", "the review"), ("404", "no such review")]),
                "put": { "summary": "Replace the document; If-Match required", "requestBody": review_body,
                         "parameters": [{ "name": "If-Match", "in": "header", "required": true, "schema": { "type": "string" } }],
                         "responses": op("", &[("200", "replaced"), ("400", "invalid"), ("403", "role, or a changed decision"), ("404", "no such review"), ("412", "stale revision"), ("428", "If-Match missing")])["responses"] }
            },
            "/api/reviews/{id}/checklist/{index}": {
                "parameters": [id_param(), { "name": "index", "in": "path", "required": true, "schema": { "type": "integer", "minimum": 0 } }],
                "patch": { "summary": "Mark a checklist item", "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ChecklistPatch" } } } },
                           "parameters": [{ "name": "If-Match", "in": "header", "schema": { "type": "string" } }],
                           "responses": op("", &[("200", "{revision, item}"), ("400", "bad field"), ("404", "no such review or item"), ("412", "stale revision")])["responses"] }
            },
            "/api/reviews/{id}/decision": {
                "parameters": [id_param()],
                "post": { "summary": "Record a decision (approvers); `by` is the caller; supersedes the last", "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Decision" } } } },
                          "responses": op("", &[("201", "{revision, decision, verdict}"), ("400", "bad field"), ("403", "not an approver"), ("404", "no such review")])["responses"] }
            },
            "/api/reviews/{id}/verdict": { "parameters": [id_param()], "get": { "summary": "The verdict object of DESIGN.md §4", "responses": { "200": { "description": "verdict", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Verdict" } } } }, "404": { "description": "no such review" } } } },
            "/api/reviews/{id}/audit": { "parameters": [id_param()], "get": op("Every change: {at, actor, change, before, after}", &[("200", "{audit: [...]}"), ("404", "no such review")]) },
            "/api/reviews/{id}/events": { "parameters": [id_param()], "get": { "summary": "Server-Sent Events: every change, live", "responses": { "200": { "description": "text/event-stream: `hello`, then `change` events", "content": { "text/event-stream": {} } } } } },
            "/api/reviews/{id}/render": { "parameters": [id_param(), { "name": "format", "in": "query", "schema": { "enum": ["markdown", "html"] } }], "get": { "summary": "The meeting document", "responses": { "200": { "description": "markdown or html" }, "400": { "description": "unknown format" } } } },
            "/api/reviews/{id}/triggers/{name}/fire": { "parameters": [id_param(), { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
                "post": op("A person reports a manual trigger", &[("202", "fired"), ("404", "no such trigger"), ("409", "not a manual trigger")]) },
            "/api/reviews/{id}/transcript": { "parameters": [id_param()],
                "post": { "summary": "Draft decisions, action items, open questions and checklist updates from a meeting transcript (editors); kept as pending captures",
                          "requestBody": { "required": true, "content": {
                              "text/plain": { "schema": { "type": "string", "description": "WebVTT, SRT or [HH:MM:SS] Name: text" } },
                              "application/x-ndjson": { "schema": { "type": "string", "description": "JSON lines {at, speaker, text}" } } } },
                          "responses": op("", &[("201", "{captures: [...]} the newly drafted items"), ("400", "not a transcript; `line` names where"), ("403", "not an editor"), ("404", "no such review")])["responses"] } },
            "/api/reviews/{id}/captures": { "parameters": [id_param()],
                "get": op("Every captured item: {id, kind, item, state: pending|accepted|rejected, created_at, actor, settled_at, settled_by}", &[("200", "{captures: [...]}"), ("404", "no such review")]) },
            "/api/reviews/{id}/captures/{capture}/{verb}": { "parameters": [id_param(),
                    { "name": "capture", "in": "path", "required": true, "schema": { "type": "integer" } },
                    { "name": "verb", "in": "path", "required": true, "schema": { "enum": ["accept", "reject"] } }],
                "post": op("Accept (apply to the review, audited; a go/no-go call needs an approver) or reject a pending captured item", &[("200", "{capture}"), ("403", "role"), ("404", "no such review or item"), ("409", "already settled, or no longer applicable")]) },
            "/api/openapi.json": { "get": op("This document", &[("200", "OpenAPI 3.1")]) }
        }
    })
}
