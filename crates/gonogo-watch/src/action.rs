//! Rollback actions: webhooks and commands, with `${ENV}` secrets resolved only when they run.

use gonogo_core::model::{Action, ActionKind, Webhook};
use serde_json::{Value, json};
use std::time::Duration;

/// What an action did, for its event. Never holds a resolved secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub ok: bool,
    pub detail: Value,
}

/// Replaces `${NAME}` with the environment's value. Missing names are an error that names
/// them (never their values).
pub fn resolve(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("an unclosed `${` in the action".into());
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`${{{name}}}` is not an environment variable name"));
        }
        match env(name) {
            Some(v) => out.push_str(&v),
            None => return Err(format!("environment variable {name} is not set")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn os_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

pub const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_WEBHOOK_RETRIES: u64 = 2;
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(600);
const OUTPUT_TAIL: usize = 2000;

fn std_duration(d: &gonogo_core::duration::Duration) -> Duration {
    Duration::from_millis(d.millis)
}

/// Runs one action to completion (retries included).
pub async fn run(action: &Action, http: &reqwest::Client) -> Outcome {
    match &action.kind {
        ActionKind::Webhook(w) => webhook(w, action, http).await,
        ActionKind::Command(argv) => {
            let argv: Vec<String> = argv.iter().map(|a| a.value.clone()).collect();
            let timeout = action.timeout.as_ref().map(|t| std_duration(&t.value)).unwrap_or(DEFAULT_COMMAND_TIMEOUT);
            command(&argv, timeout).await
        }
    }
}

async fn webhook(w: &Webhook, action: &Action, http: &reqwest::Client) -> Outcome {
    let timeout = w
        .timeout
        .as_ref()
        .or(action.timeout.as_ref())
        .map(|t| std_duration(&t.value))
        .unwrap_or(DEFAULT_WEBHOOK_TIMEOUT);
    let retries = w.retries.as_ref().map(|r| r.value).unwrap_or(DEFAULT_WEBHOOK_RETRIES).min(10);
    // The URL as written (placeholders unresolved) is safe to report.
    let shown = json!({ "method": w.method.value, "url": w.url.value });
    let resolved = (|| -> Result<_, String> {
        let url = resolve(&w.url.value, &os_env)?;
        let headers = w
            .headers
            .iter()
            .map(|(k, v)| Ok((k.value.clone(), resolve(&v.value, &os_env)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let body = w.body.as_ref().map(|b| resolve(&b.value, &os_env)).transpose()?;
        Ok((url, headers, body))
    })();
    let (url, headers, body) = match resolved {
        Ok(x) => x,
        Err(e) => return Outcome { ok: false, detail: json!({ "webhook": shown, "error": e, "attempts": 0 }) },
    };
    let method = reqwest::Method::from_bytes(w.method.value.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut attempts = Vec::new();
    for attempt in 0..=retries {
        if attempt > 0 {
            // 0.5 s, 1 s, 2 s, … : a receiver that is restarting gets time to come back.
            tokio::time::sleep(Duration::from_millis(500 << (attempt - 1).min(6))).await;
        }
        let mut req = http.request(method.clone(), &url).timeout(timeout);
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        match req.send().await {
            Ok(resp) if resp.status().is_success() => {
                let status = resp.status().as_u16();
                attempts.push(json!({ "status": status }));
                return Outcome {
                    ok: true,
                    detail: json!({ "webhook": shown, "status": status, "attempts": attempts.len(), "tries": attempts }),
                };
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text: String = resp.text().await.unwrap_or_default().chars().take(300).collect();
                attempts.push(json!({ "status": status, "body": text }));
            }
            Err(e) => {
                let reason = if e.is_timeout() { format!("timed out after {timeout:?}") } else { without_url(e) };
                attempts.push(json!({ "error": reason }));
            }
        }
    }
    Outcome {
        ok: false,
        detail: json!({ "webhook": shown, "attempts": attempts.len(), "tries": attempts, "error": "no attempt succeeded (non-2xx or no answer)" }),
    }
}

/// reqwest's message names the URL, which may hold a resolved secret: drop it.
fn without_url(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut s = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(inner) = src {
        s = format!("{s}: {inner}");
        src = inner.source();
    }
    s
}

async fn command(argv: &[String], timeout: Duration) -> Outcome {
    use tokio::io::AsyncReadExt;
    let mut cmd = tokio::process::Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                ok: false,
                detail: json!({ "argv": argv, "error": format!("could not start {}: {e}", argv[0]) }),
            };
        }
    };
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let read_all = async move {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let _ = tokio::join!(out.read_to_end(&mut a), err.read_to_end(&mut b));
        (a, b)
    };
    let waited = tokio::time::timeout(timeout, async { tokio::join!(child.wait(), read_all) }).await;
    match waited {
        Ok((Ok(status), (stdout, stderr))) => Outcome {
            ok: status.success(),
            detail: json!({
                "argv": argv,
                "exit_code": status.code(),
                "stdout_tail": tail(&stdout),
                "stderr_tail": tail(&stderr),
            }),
        },
        Ok((Err(e), _)) => Outcome { ok: false, detail: json!({ "argv": argv, "error": e.to_string() }) },
        Err(_) => Outcome {
            ok: false,
            detail: json!({ "argv": argv, "error": format!("timed out after {}s; killed", timeout.as_secs_f64()) }),
        },
    }
}

fn tail(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(OUTPUT_TAIL)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_placeholders_and_names_missing_ones() {
        let env = |k: &str| (k == "TOKEN").then(|| "s3cret".to_string());
        assert_eq!(resolve("Bearer ${TOKEN}", &env).unwrap(), "Bearer s3cret");
        assert_eq!(resolve("no placeholder $HOME {x}", &env).unwrap(), "no placeholder $HOME {x}");
        assert_eq!(resolve("${NOPE}", &env).unwrap_err(), "environment variable NOPE is not set");
        assert!(resolve("${TOKEN", &env).is_err());
        assert!(resolve("${a b}", &env).is_err());
    }
}
