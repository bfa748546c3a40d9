//! `gonogo watch`, `gonogo verify` and `gonogo trigger fire`: arguments to gonogo-watch, and
//! what the on-call engineer sees.

use anyhow::{Context, Result, anyhow, bail};
use gonogo_core::model::Review;
use gonogo_watch::embedded::{self, Embedded};
use gonogo_watch::events::Event;
use gonogo_watch::scrape::{Scraper, Target};
use gonogo_watch::source::{Auth, Prometheus, SourceConfig};
use gonogo_watch::trigger::{Health, Kind, TriggerState};
use gonogo_watch::watch::{Exit, Source, Update, WatchConfig};
use jiff::Timestamp;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("starting the runtime")
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    gonogo_core::duration::Duration::parse(s).map(|d| Duration::from_millis(d.millis))
}

pub fn source(url: &str, timeout: Duration) -> Result<Prometheus> {
    Prometheus::new(SourceConfig { base: url.to_string(), timeout, auth: Auth::from_env() })
        .map_err(|e| anyhow!("--prometheus: {e}"))
}

pub struct WatchArgs {
    pub prometheus: Option<String>,
    pub scrape: Vec<String>,
    pub alerts: Option<String>,
    pub ignore_alert_triggers: bool,
    pub job: Option<String>,
    pub max_series: usize,
    pub listen: Option<SocketAddr>,
    pub interval: Duration,
    pub until: Option<Duration>,
    pub dry_run: bool,
    pub events: Option<PathBuf>,
    pub state: Option<PathBuf>,
    pub control: SocketAddr,
    pub quiet: bool,
    pub timeout: Duration,
}

/// Runs the watch; returns the exit code of DESIGN.md §5.
pub fn watch(review: &Review, a: WatchArgs) -> Result<u8> {
    let now = Timestamp::now();
    let until = match a.until {
        Some(d) => now.checked_add(jiff::SignedDuration::try_from(d)?)?,
        None => {
            let w = review
                .on_call
                .as_ref()
                .and_then(|o| o.window.as_ref())
                .ok_or_else(|| anyhow!("the review has no on-call window to watch until; pass --until 2h"))?;
            if w.end.value <= now {
                bail!("the on-call window ended at {}; pass --until to watch anyway", w.end.value);
            }
            w.end.value
        }
    };
    if a.interval < Duration::from_millis(100) {
        bail!("--interval must be at least 100ms");
    }
    let mut ignore_alert_triggers = a.ignore_alert_triggers;
    let mut store = None;
    let src = match &a.prometheus {
        Some(p) => {
            if !a.scrape.is_empty() || a.alerts.is_some() || a.listen.is_some() {
                bail!("--alerts and --listen go with --scrape; with --prometheus, that Prometheus answers everything");
            }
            ignore_alert_triggers = false;
            Source::Prometheus(source(p, a.timeout)?)
        }
        None => {
            let (s, st) = scrape_source(review, &a, now)?;
            store = Some(st);
            s
        }
    };
    let cfg = WatchConfig {
        source: src,
        ignore_alert_triggers,
        interval: a.interval,
        until,
        dry_run: a.dry_run,
        events: a.events,
        state: a.state,
        control: a.control,
    };
    let live = !a.quiet && std::io::stdout().is_terminal();
    let mut view = View { quiet: a.quiet, live, recent: Vec::new(), header: String::new() };
    let label = format!("{} {}", review.release.service.value, review.release.version.value);
    let listen = a.listen;
    let exit = runtime()?
        .block_on(async {
            if let (Some(addr), Some(store)) = (listen, store) {
                let bound = embedded::serve_api(addr, store).await.map_err(|e| format!("--listen {addr}: {e}"))?;
                eprintln!("the embedded store answers the Prometheus API at http://{bound} (/api/v1/query, /api/v1/query_range)");
            }
            gonogo_watch::watch::run(review, cfg, &mut |u| view.show(u)).await
        })
        .map_err(|e| anyhow!(e))?;
    let summary = match exit {
        Exit::Clean => format!("{label}: the window ended clean; no trigger fired"),
        Exit::RolledBack => format!(
            "{label}: a rollback trigger fired and the rollback actions ran{}",
            if a.dry_run { " (dry run: none was run)" } else { "" }
        ),
        Exit::SourceFailed => format!(
            "{label}: the window ended without a rollback, but the source failed during it: some evaluations were not made"
        ),
    };
    println!("{summary}");
    Ok(exit as u8)
}

/// `--scrape`: the targets, a store sized for the triggers, and the alert source if any.
fn scrape_source(
    review: &Review,
    a: &WatchArgs,
    now: Timestamp,
) -> Result<(Source, Arc<RwLock<gonogo_promql::store::Store>>)> {
    let job = a.job.clone().unwrap_or_else(|| review.release.service.value.clone());
    let targets =
        a.scrape.iter().map(|u| Target::new(u, &job)).collect::<Result<Vec<_>, _>>().map_err(|e| anyhow!(e))?;
    let triggers = TriggerState::from_review(review, now);
    let alert_triggers: Vec<&str> =
        triggers.iter().filter(|t| matches!(t.kind, Kind::Alert { .. })).map(|t| t.name.as_str()).collect();
    if !alert_triggers.is_empty() && a.alerts.is_none() && !a.ignore_alert_triggers {
        bail!(
            "these alert triggers have no alert source with --scrape: {}; pass --alerts URL (a Prometheus or Alertmanager API), or --ignore-alert-triggers",
            alert_triggers.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        );
    }
    // A trigger the embedded engine cannot evaluate would be `unknown` all window long: refuse now.
    let mut queries: Vec<(&str, i64)> = Vec::new();
    for t in &triggers {
        if let Kind::Metric { query, for_, .. } = &t.kind {
            if let Err(e) = gonogo_promql::eval::check_supported(query) {
                bail!("trigger `{}`: {e}", t.name);
            }
            queries.push((query.as_str(), for_.millis as i64));
        }
    }
    for m in &review.monitoring {
        if let Some(q) = &m.query {
            queries.push((q.value.as_str(), 0));
        }
    }
    let retention = embedded::retention_ms(queries.into_iter());
    let store = Arc::new(RwLock::new(gonogo_promql::store::Store::new(retention, a.max_series)));
    let scraper = Scraper::new(targets, a.timeout.min(a.interval), store.clone()).map_err(|e| anyhow!(e))?;
    let alerts = match &a.alerts {
        Some(u) => Some(
            Prometheus::new(SourceConfig { base: u.clone(), timeout: a.timeout, auth: Auth::from_env() })
                .map_err(|e| anyhow!("--alerts: {e}"))?,
        ),
        None => None,
    };
    Ok((Source::Scrape { embedded: Box::new(Embedded::new(scraper)), alerts }, store))
}

struct View {
    quiet: bool,
    live: bool,
    recent: Vec<String>,
    header: String,
}

impl View {
    fn show(&mut self, u: Update) {
        match u {
            Update::Event(e) => {
                let line = event_line(e);
                if e.event == "watch_started" {
                    self.header = line.clone();
                }
                if self.live {
                    self.recent.push(line.chars().take(160).collect());
                    let n = self.recent.len();
                    if n > 8 {
                        self.recent.drain(..n - 8);
                    }
                } else if !self.quiet {
                    println!("{line}");
                }
            }
            Update::Tick(triggers) if self.live => {
                let mut out = String::from("\x1b[H\x1b[2J");
                out.push_str(&self.header.chars().take(200).collect::<String>());
                out.push_str("\n\n");
                for t in triggers {
                    out.push_str(&trigger_row(t));
                    out.push('\n');
                }
                out.push_str("\nrecent events:\n");
                for l in &self.recent {
                    out.push_str("  ");
                    out.push_str(l);
                    out.push('\n');
                }
                print!("{out}");
                let _ = std::io::stdout().flush();
            }
            Update::Tick(_) => {}
            Update::DryRun { actions } => {
                if actions.is_empty() {
                    println!(
                        "dry run: the review has no rollback actions; the on-call engineer runs the steps by hand"
                    );
                } else {
                    println!("dry run: these rollback actions would run now, in order: {}", actions.join(", "));
                }
            }
            Update::Check { ok, lines } => {
                if !self.quiet || !ok {
                    println!("post-deploy check: {}", if ok { "PASSED" } else { "FAILED" });
                    for l in lines {
                        println!("  {l}");
                    }
                }
            }
        }
    }
}

fn trigger_row(t: &TriggerState) -> String {
    let mark = match t.health {
        Health::Ok => "✅ ok     ",
        Health::Pending => "⏳ pending",
        Health::Firing => "🔥 FIRING ",
        Health::Unknown { .. } => "❔ unknown",
    };
    let since = Timestamp::now().duration_since(t.since).as_secs();
    let what = match &t.kind {
        Kind::Metric { threshold, for_, .. } => {
            let v = t.last_value.map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into());
            format!("{v} {} {} for {for_}", threshold.op(), threshold.value())
        }
        Kind::Alert { alert } => format!("alert {alert}"),
        Kind::Manual => "manual".to_string(),
    };
    let why = match &t.health {
        Health::Unknown { reason } => format!(" — {reason}"),
        _ => String::new(),
    };
    let name: String = t.name.chars().take(48).collect();
    format!("{mark} {name:<48} {what:<32} {since}s{why}")
}

/// An event as the on-call engineer reads it (the JSON lines are in `--events`).
fn event_line(e: &Event) -> String {
    let d = e.detail.clone().unwrap_or_default();
    let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let trig = e.trigger.as_deref().unwrap_or("");
    let act = e.action.as_deref().unwrap_or("");
    let val = e.value.map(|v| format!("{v:.4}")).unwrap_or_default();
    let text = match e.event.as_str() {
        "watch_started" if d.get("resumed").is_some() => {
            format!("watch restarted: `{}` had fired; finishing its actions, repeating none", s("fired"))
        }
        "watch_started" => format!(
            "watching {}: {} triggers against {}; manual fire at {}; until {}",
            s("review"),
            d.get("triggers").and_then(|t| t.as_array()).map_or(0, |t| t.len()),
            s("source"),
            s("control"),
            s("until")
        ),
        "trigger_pending" => {
            format!("{trig}: pending, value {val} {} {} (must hold {})", s("op"), d["threshold"], s("for"))
        }
        "trigger_firing" if d.get("manual").is_some() => format!("{trig}: FIRING (reported by {})", s("by")),
        "trigger_firing" if d.get("alert").is_some() => format!("{trig}: FIRING (alert {} is firing)", s("alert")),
        "trigger_firing" => format!("{trig}: FIRING, value {val} {} {}", s("op"), d["threshold"]),
        "trigger_resolved" => format!(
            "{trig}: ok again (was {}){}",
            s("was"),
            if val.is_empty() { String::new() } else { format!(", value {val}") }
        ),
        "source_error" => format!("{trig}: unknown — {}", s("error")),
        "action_started" => format!("action {act}: started"),
        "action_succeeded" => match d.get("status") {
            Some(st) => format!("action {act}: succeeded (HTTP {st})"),
            None => format!("action {act}: succeeded (exit {})", d["exit_code"]),
        },
        "action_failed" => {
            let why = if !s("error").is_empty() && d.get("exit_code").is_none() {
                s("error")
            } else if let Some(code) = d.get("exit_code") {
                format!("exit {code}")
            } else {
                s("error")
            };
            format!("action {act}: FAILED — {why}")
        }
        "post_deploy_check" => {
            let n = d.get("failures").and_then(|f| f.as_array()).map_or(0, |f| f.len());
            if d["ok"] == true {
                "post-deploy check: passed".to_string()
            } else {
                format!("post-deploy check: FAILED ({n} not ok)")
            }
        }
        other => format!("{other} {d}"),
    };
    let time = e.at.get(11..19).unwrap_or(&e.at);
    format!("{time} {text}")
}

/// `gonogo verify`: one line per dashboard, trigger and alert rule; exit 0 all live, 1 not.
pub fn verify(review: &Review, prometheus: &str, window: Duration, step: Duration, timeout: Duration) -> Result<u8> {
    let src = source(prometheus, timeout)?;
    let cfg = gonogo_watch::verify::VerifyConfig {
        window_secs: window.as_secs_f64(),
        step_secs: step.as_secs_f64().max(0.001),
        end: Timestamp::now().as_millisecond() as f64 / 1000.0,
    };
    let checks = runtime()?.block_on(gonogo_watch::verify::verify(review, &src, &cfg)).map_err(|e| anyhow!(e))?;
    let mut all = true;
    for c in &checks {
        all &= c.live;
        let q = match (&c.query, c.live) {
            (Some(q), false) => format!("\n      query: {q}"),
            _ => String::new(),
        };
        println!("{} {}: {}{q}", if c.live { "✅" } else { "❌" }, c.subject, c.why);
    }
    let bad = checks.iter().filter(|c| !c.live).count();
    if checks.is_empty() {
        println!("nothing to verify: the review has no monitoring entries and no query or alert triggers");
    } else if all {
        println!("verify: all {} checks live against {}", checks.len(), src.base());
    } else {
        println!(
            "verify: {bad} of {} checks not live against {}: a dashboard that hasn't been validated doesn't exist",
            checks.len(),
            src.base()
        );
    }
    Ok(if all { 0 } else { 1 })
}

/// `gonogo trigger fire NAME --watch URL`.
pub fn fire(name: &str, watch_url: &str, by: Option<&str>) -> Result<u8> {
    gonogo_watch::install_crypto();
    let base = watch_url.trim_end_matches('/');
    let base = if base.contains("://") { base.to_string() } else { format!("http://{base}") };
    let url = format!("{base}/triggers/{}/fire", gonogo_core::url::encode_component(name));
    let by = by.map(str::to_string).or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "someone".into());
    let rt = runtime()?;
    let (status, body) = rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(&url)
            .timeout(Duration::from_secs(10))
            .json(&serde_json::json!({ "by": by }))
            .send()
            .await
            .with_context(|| format!("reaching the watch at {base}"))?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        anyhow::Ok((status, body))
    })?;
    if status.is_success() {
        println!("fired `{name}` at {base}: the watch runs the rollback now");
        Ok(0)
    } else {
        let msg = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or(body);
        bail!("the watch refused (HTTP {}): {msg}", status.as_u16())
    }
}
