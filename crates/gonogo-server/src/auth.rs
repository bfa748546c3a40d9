//! Who is calling: an API token (`Authorization: Bearer …`, or the page's cookie), or the
//! one person of an open server.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use gonogo_store::{Role, Store};

#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

pub struct AuthError(pub StatusCode, pub String);

impl Caller {
    pub fn require(&self, role: Role) -> Result<(), AuthError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AuthError(
                StatusCode::FORBIDDEN,
                format!("{} is a {}; this needs a {} token", self.name, self.role.as_str(), role.as_str()),
            ))
        }
    }
}

fn secret(parts: &Parts) -> Option<String> {
    if let Some(h) = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(t) = h.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_string());
    }
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("gonogo_token=").map(str::to_string))
}

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Caller, AuthError> {
        let secret = secret(parts);
        let open = secret.is_none() && state.is_open().await;
        match secret {
            Some(s) => match state.store.token(&s).await {
                Ok(Some(t)) => Ok(Caller { name: t.name, role: t.role }),
                Ok(None) => Err(AuthError(StatusCode::UNAUTHORIZED, "unknown token".into())),
                Err(e) => Err(AuthError(StatusCode::SERVICE_UNAVAILABLE, e.to_string())),
            },
            None if open => Ok(Caller { name: "local".into(), role: Role::Approver }),
            None if parts.method == axum::http::Method::GET => Ok(Caller { name: "anonymous".into(), role: Role::Viewer }),
            None => Err(AuthError(
                StatusCode::UNAUTHORIZED,
                "a token is required for every write: `gonogo token create --name NAME --role editor`, then `Authorization: Bearer TOKEN`".into(),
            )),
        }
    }
}

impl axum::response::IntoResponse for AuthError {
    fn into_response(self) -> axum::response::Response {
        (self.0, axum::Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}
