//! The deploy-window loop: evaluate every trigger each interval, act on the first that fires,
//! run the post-deploy check, and account for every evaluation that could not be made.

use crate::action;
use crate::control::{self, Fire};
use crate::embedded::Embedded;
use crate::events::{Event, EventLog, name};
use crate::source::{Prometheus, Sample, SourceError};
use crate::state::{ActionStatus, Fired, StateFile};
use crate::trigger::{Health, Kind, Observation, TriggerState, worst};
use gonogo_core::model::Review;
use jiff::Timestamp;
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the triggers' values come from.
pub enum Source {
    /// A Prometheus-compatible HTTP API, queried at each interval.
    Prometheus(Prometheus),
    /// gonogo's own scrapes, evaluated right after each one; `alerts` answers `alert:` triggers.
    Scrape { embedded: Box<Embedded>, alerts: Option<Prometheus> },
}

impl Source {
    /// What the watch reads, for its first event.
    pub fn describe(&self) -> String {
        match self {
            Source::Prometheus(p) => p.base().to_string(),
            Source::Scrape { embedded, alerts } => {
                let t: Vec<&str> = embedded.scraper.targets().map(|t| t.url.as_str()).collect();
                let a = alerts.as_ref().map(|a| format!(" (alerts from {})", a.base())).unwrap_or_default();
                format!("scrape {}{a}", t.join(", "))
            }
        }
    }

    /// An instant query now (for the embedded store: at the last scrape).
    async fn query(&self, expr: &str) -> Result<Vec<Sample>, SourceError> {
        match self {
            Source::Prometheus(p) => p.query(expr).await,
            Source::Scrape { embedded, .. } => embedded.query(expr, Timestamp::now().as_millisecond()),
        }
    }
}

pub struct WatchConfig {
    pub source: Source,
    /// `alert:` triggers are left out (`--ignore-alert-triggers`, a scrape with no alert source).
    pub ignore_alert_triggers: bool,
    pub interval: Duration,
    pub until: Timestamp,
    pub dry_run: bool,
    pub events: Option<PathBuf>,
    pub state: Option<PathBuf>,
    pub control: SocketAddr,
}

/// How the watch ended, as exit codes (DESIGN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The window ended with every evaluation made and nothing fired.
    Clean = 0,
    /// A trigger fired and the rollback actions ran.
    RolledBack = 3,
    /// The window ended without a rollback, but the source failed during it.
    SourceFailed = 4,
}

/// What the watch tells whoever shows it.
pub enum Update<'a> {
    Event(&'a Event),
    /// After each evaluation: every trigger's state.
    Tick(&'a [TriggerState]),
    /// A dry run reached a rollback: these actions would have run, in order.
    DryRun {
        actions: &'a [String],
    },
    /// The post-deploy check's summary lines.
    Check {
        ok: bool,
        lines: &'a [String],
    },
}

/// Runs the watch until the window ends or a trigger fires.
pub async fn run(review: &Review, mut cfg: WatchConfig, show: &mut (dyn FnMut(Update) + Send)) -> Result<Exit, String> {
    let label = format!("{} {}", review.release.service.value, review.release.version.value);
    let mut state = StateFile::open(cfg.state.as_deref(), &label)?;
    let mut log = EventLog::open(cfg.events.as_deref()).map_err(|e| format!("opening events file: {e}"))?;
    let mut emit = |e: Event, show: &mut (dyn FnMut(Update) + Send)| -> Result<(), String> {
        log.write(&e).map_err(|err| format!("writing events file: {err}"))?;
        show(Update::Event(&e));
        Ok(())
    };
    let start = Timestamp::now();
    let mut triggers = TriggerState::from_review(review, start);
    let ignored: Vec<String> = if cfg.ignore_alert_triggers {
        let names = triggers.iter().filter(|t| matches!(t.kind, Kind::Alert { .. })).map(|t| t.name.clone()).collect();
        triggers.retain(|t| !matches!(t.kind, Kind::Alert { .. }));
        names
    } else {
        Vec::new()
    };
    let http = reqwest::Client::builder().build().map_err(|e| e.to_string())?;

    // A watch that had fired before a restart finishes its actions and repeats none.
    if let Some(f) = state.state.fired.clone() {
        let detail = json!({ "resumed": true, "fired": f.trigger, "fired_at": f.at, "state": cfg.state });
        emit(Event::new(name::WATCH_STARTED, Timestamp::now()).detail(detail), show)?;
        run_actions(review, &mut state, cfg.dry_run, &http, &mut emit, show).await?;
        return Ok(Exit::RolledBack);
    }

    let status = Arc::new(Mutex::new(json!({})));
    let manual: Vec<String> = triggers.iter().filter(|t| t.kind == Kind::Manual).map(|t| t.name.clone()).collect();
    let all: Vec<String> = triggers.iter().map(|t| t.name.clone()).collect();
    let (control_url, mut fires) = control::serve(cfg.control, manual, all, status.clone())
        .await
        .map_err(|e| format!("--control {}: {e}", cfg.control))?;
    let post_check_at = review
        .follow_up
        .as_ref()
        .and_then(|f| f.post_deploy_check.as_ref())
        .filter(|_| !state.state.post_deploy_check_done)
        .and_then(|d| start.checked_add(d.value.to_jiff()).ok());
    emit(
        Event::new(name::WATCH_STARTED, start).detail(json!({
            "review": label,
            "source": cfg.source.describe(),
            "ignored_triggers": ignored,
            "control": control_url,
            "interval": format!("{}s", cfg.interval.as_secs_f64()),
            "until": cfg.until.to_string(),
            "dry_run": cfg.dry_run,
            "triggers": triggers.iter().map(|t| json!({ "name": t.name, "kind": kind_name(&t.kind) })).collect::<Vec<_>>(),
            "post_deploy_check_at": post_check_at.map(|t| t.to_string()),
        })),
        show,
    )?;

    let mut source_failed = false;
    let mut post_check_at = post_check_at;
    let mut ticker = tokio::time::interval(cfg.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let window_left = cfg.until.duration_since(Timestamp::now()).as_secs_f64().max(0.0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(window_left);
    loop {
        let mut fired: Option<String> = None;
        tokio::select! {
            _ = ticker.tick() => {
                // For a scrape, the scrape's start: the condition was seen then.
                let now = Timestamp::now();
                let observations = match &mut cfg.source {
                    Source::Prometheus(p) => evaluate(p, &triggers).await,
                    Source::Scrape { embedded, alerts } => {
                        evaluate_scraped(embedded, alerts.as_ref(), &triggers, now).await
                    }
                };
                for (i, obs) in observations {
                    if matches!(obs, Observation::Error(_) | Observation::NoData) {
                        source_failed = true;
                    }
                    for e in triggers[i].observe(obs, now) {
                        emit(e, show)?;
                    }
                }
                fired = triggers.iter().find(|t| t.health == Health::Firing).map(|t| t.name.clone());
            }
            Some(Fire { trigger, by }) = fires.recv() => {
                if let Some(t) = triggers.iter_mut().find(|t| t.name == trigger) {
                    for e in t.observe(Observation::Fired { by }, Timestamp::now()) {
                        emit(e, show)?;
                    }
                    fired = Some(trigger);
                }
            }
            _ = tokio::time::sleep_until(deadline) => {
                show(Update::Tick(&triggers));
                return Ok(if source_failed { Exit::SourceFailed } else { Exit::Clean });
            }
        }
        *status.lock().map_err(|_| "status lock")? = status_json(&triggers);
        show(Update::Tick(&triggers));
        if let Some(t) = fired {
            if !cfg.dry_run {
                state.state.fired = Some(Fired { trigger: t.clone(), at: Timestamp::now().to_string() });
                state.save().map_err(|e| format!("writing state: {e}"))?;
            }
            run_actions(review, &mut state, cfg.dry_run, &http, &mut emit, show).await?;
            return Ok(Exit::RolledBack);
        }
        if let Some(at) = post_check_at
            && Timestamp::now() >= at
        {
            post_check_at = None;
            post_deploy_check(review, &cfg.source, &triggers, &mut emit, show).await?;
            state.state.post_deploy_check_done = true;
            state.save().map_err(|e| format!("writing state: {e}"))?;
        }
    }
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Metric { .. } => "metric",
        Kind::Alert { .. } => "alert",
        Kind::Manual => "manual",
    }
}

fn status_json(triggers: &[TriggerState]) -> serde_json::Value {
    json!({ "triggers": triggers.iter().map(|t| json!({
        "name": t.name,
        "kind": kind_name(&t.kind),
        "state": t.health.as_str(),
        "since": t.since.to_string(),
        "value": t.last_value.filter(|v| v.is_finite()),
    })).collect::<Vec<_>>() })
}

/// One scrape of every target, then every metric trigger evaluated on what it brought.
async fn evaluate_scraped(
    embedded: &mut Embedded,
    alerts: Option<&Prometheus>,
    triggers: &[TriggerState],
    at: Timestamp,
) -> Vec<(usize, Observation)> {
    let t_ms = at.as_millisecond();
    embedded.scrape(t_ms).await;
    let scrape_error = embedded.scrape_errors();
    let mut out = Vec::new();
    for (i, t) in triggers.iter().enumerate() {
        if let Kind::Metric { query, threshold, .. } = &t.kind {
            let obs = match embedded.query(query, t_ms) {
                Ok(samples) => match worst(samples.iter().map(|s| s.value), *threshold) {
                    Some(v) => Observation::Value(v),
                    None => match &scrape_error {
                        Some(e) => Observation::Error(format!("no data: {e}")),
                        // Not yet known rather than unknown: no observation.
                        None if embedded.warming_up() => continue,
                        None => Observation::NoData,
                    },
                },
                Err(e) => Observation::Error(e.to_string()),
            };
            out.push((i, obs));
        }
    }
    if let Some(src) = alerts {
        out.extend(evaluate_alerts(src, triggers).await);
    }
    out.sort_by_key(|(i, _)| *i);
    out
}

/// Every `alert:` trigger against the alert source's firing alerts.
async fn evaluate_alerts(source: &Prometheus, triggers: &[TriggerState]) -> Vec<(usize, Observation)> {
    let mut out = Vec::new();
    if triggers.iter().any(|t| matches!(t.kind, Kind::Alert { .. })) {
        let alerts = source.alerts().await;
        for (i, t) in triggers.iter().enumerate() {
            if let Kind::Alert { alert } = &t.kind {
                out.push((
                    i,
                    match &alerts {
                        Ok(list) => Observation::Alert(list.iter().any(|a| &a.name == alert && a.state == "firing")),
                        Err(e) => Observation::Error(e.to_string()),
                    },
                ));
            }
        }
    }
    out
}

/// One evaluation of every metric and alert trigger, queries in parallel.
async fn evaluate(source: &Prometheus, triggers: &[TriggerState]) -> Vec<(usize, Observation)> {
    let mut set = tokio::task::JoinSet::new();
    for (i, t) in triggers.iter().enumerate() {
        if let Kind::Metric { query, threshold, .. } = &t.kind {
            let (src, q, th) = (source.clone(), query.clone(), *threshold);
            set.spawn(async move {
                let obs = match src.query(&q).await {
                    Ok(samples) => match worst(samples.iter().map(|s| s.value), th) {
                        Some(v) => Observation::Value(v),
                        None => Observation::NoData,
                    },
                    Err(e) => Observation::Error(e.to_string()),
                };
                (i, obs)
            });
        }
    }
    let mut out = evaluate_alerts(source, triggers).await;
    while let Some(res) = set.join_next().await {
        if let Ok(pair) = res {
            out.push(pair);
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out
}

type Emit<'a> = dyn FnMut(Event, &mut (dyn FnMut(Update) + Send)) -> Result<(), String> + Send + 'a;

/// Runs the rollback actions in order, each at most once across restarts; a failing action
/// is reported and the next one still runs.
async fn run_actions(
    review: &Review,
    state: &mut StateFile,
    dry_run: bool,
    http: &reqwest::Client,
    emit: &mut Emit<'_>,
    show: &mut (dyn FnMut(Update) + Send),
) -> Result<(), String> {
    let actions = review.rollback.as_ref().map(|r| r.actions.as_slice()).unwrap_or(&[]);
    if dry_run {
        let names: Vec<String> = actions.iter().map(|a| a.name.value.clone()).collect();
        show(Update::DryRun { actions: &names });
    }
    for a in actions {
        let name_ = a.name.value.as_str();
        if dry_run {
            // No action event: the log only ever says what was really done.
            continue;
        }
        match state.action(name_).map(|r| r.status) {
            Some(ActionStatus::Succeeded | ActionStatus::Failed) => continue,
            Some(ActionStatus::Started) => {
                let now = Timestamp::now();
                state
                    .record(name_, ActionStatus::Failed, &now.to_string())
                    .map_err(|e| format!("writing state: {e}"))?;
                emit(
                    Event::new(name::ACTION_FAILED, now).action(name_).detail(json!({
                        "error": "the watch stopped while this action ran; its outcome is unknown and it is not run again",
                        "interrupted": true,
                    })),
                    show,
                )?;
                continue;
            }
            None => {}
        }
        let now = Timestamp::now();
        state.record(name_, ActionStatus::Started, &now.to_string()).map_err(|e| format!("writing state: {e}"))?;
        emit(Event::new(name::ACTION_STARTED, now).action(name_), show)?;
        let outcome = action::run(a, http).await;
        let done = Timestamp::now();
        let status = if outcome.ok { ActionStatus::Succeeded } else { ActionStatus::Failed };
        state.record(name_, status, &done.to_string()).map_err(|e| format!("writing state: {e}"))?;
        let ev = if outcome.ok { name::ACTION_SUCCEEDED } else { name::ACTION_FAILED };
        emit(Event::new(ev, done).action(name_).detail(outcome.detail), show)?;
    }
    Ok(())
}

/// Every trigger ok, and every monitoring query returning data now.
async fn post_deploy_check(
    review: &Review,
    source: &Source,
    triggers: &[TriggerState],
    emit: &mut Emit<'_>,
    show: &mut (dyn FnMut(Update) + Send),
) -> Result<(), String> {
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for t in triggers.iter().filter(|t| t.kind != Kind::Manual) {
        let ok = t.health == Health::Ok;
        lines.push(format!("{} trigger {}: {}", if ok { "✅" } else { "❌" }, t.name, t.health.as_str()));
        if !ok {
            failures.push(json!({ "trigger": t.name, "state": t.health.as_str() }));
        }
    }
    for m in &review.monitoring {
        let Some(q) = &m.query else {
            lines.push(format!("❔ {}: no query to check", m.metric.value));
            continue;
        };
        let (ok, why) = match source.query(&q.value).await {
            Ok(s) if !s.is_empty() => (true, format!("{} series", s.len())),
            Ok(_) => (false, "no data".to_string()),
            Err(e) => (false, e.to_string()),
        };
        lines.push(format!("{} {}: {why}", if ok { "✅" } else { "❌" }, m.metric.value));
        if !ok {
            failures.push(json!({ "monitoring": m.metric.value, "query": q.value, "error": why }));
        }
    }
    let ok = failures.is_empty();
    emit(
        Event::new(name::POST_DEPLOY_CHECK, Timestamp::now()).detail(json!({ "ok": ok, "failures": failures })),
        show,
    )?;
    show(Update::Check { ok, lines: &lines });
    Ok(())
}
