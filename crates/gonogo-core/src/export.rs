//! What a review exports to other tools: its metric triggers as Prometheus alerting rules or
//! an Argo Rollouts AnalysisTemplate, and its follow-ups as an iCalendar file.

use crate::duration::Duration;
use crate::model::{ItemStatus, Review, Threshold, TriggerKind, When};
use jiff::{SignedDuration, Timestamp};
use std::fmt::Write;

/// A YAML double-quoted scalar (JSON's string syntax is a subset of it).
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// `0.02`, `10`, `1e21`, `1e-9`: short forms that Prometheus and Argo's expr both read.
fn num(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-6..1e15).contains(&a) { format!("{v:e}") } else { format!("{v}") }
}

/// `(query)`; on lines of their own when the query has a `#` comment, which would otherwise
/// swallow the closing parenthesis.
fn parenthesised(query: &str) -> String {
    let q = query.trim();
    if q.contains('#') { format!("(\n{q}\n)") } else { format!("({q})") }
}

/// User text inside a Prometheus label or annotation, which Prometheus expands as a Go
/// template: `{{` would start an action, so it is written as a template that prints `{{`.
fn literal(s: &str) -> String {
    s.replace("{{", "{{\"{{\"}}")
}

struct MetricTrigger<'a> {
    name: &'a str,
    query: &'a str,
    threshold: Threshold,
    for_: Duration,
}

/// Triggers with a query and a threshold whose query Prometheus 2.x accepts.
fn metric_triggers(r: &Review) -> Vec<MetricTrigger<'_>> {
    let Some(rb) = &r.rollback else { return Vec::new() };
    rb.triggers
        .iter()
        .filter_map(|t| match t.kind() {
            Some(TriggerKind::Metric { query, threshold, for_ }) if crate::promql::check(&query.value).is_ok() => {
                Some(MetricTrigger { name: &t.name.value, query: &query.value, threshold, for_ })
            }
            _ => None,
        })
        .collect()
}

/// Why a trigger is left out of a metric export, if it is.
fn left_out(t: &crate::model::Trigger) -> Option<String> {
    match t.kind() {
        Some(TriggerKind::Metric { query, .. }) => {
            crate::promql::check(&query.value).err().map(|e| format!("its query is not valid for Prometheus 2.x: {e}"))
        }
        _ => Some("not a query with a threshold".into()),
    }
}

/// `Error rate above 2%` → `ErrorRateAbove2`: alert names must be valid metric names.
fn camel(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut cs = word.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs);
        }
        if out.len() >= 60 {
            break;
        }
    }
    out
}

/// `Error rate above 2%` → `error-rate-above-2`: Kubernetes-style names.
fn kebab(name: &str, max: usize) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
        if out.len() >= max {
            break;
        }
    }
    out.truncate(max);
    out.trim_end_matches('-').to_string()
}

/// Makes every name unique by numbering repeats.
fn unique(names: Vec<String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    names
        .into_iter()
        .map(|n| {
            let mut candidate = n.clone();
            let mut i = 2;
            while seen.contains(&candidate) {
                candidate = format!("{n}{}{i}", if n.contains('-') { "-" } else { "" });
                i += 1;
            }
            seen.push(candidate.clone());
            candidate
        })
        .collect()
}

/// The metric triggers as a Prometheus alerting-rules file (`promtool check rules` accepts it).
pub fn prometheus_rules(r: &Review) -> Result<String, String> {
    let triggers = metric_triggers(r);
    let service = &r.release.service.value;
    let version = &r.release.version.value;
    let mut out = String::new();
    let _ =
        writeln!(out, "# Rollback triggers of {service} {version}, exported by gonogo {}.", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(out, "# Each rule fires when its trigger's condition has held for the trigger's `for`.");
    for t in r.rollback.iter().flat_map(|rb| rb.triggers.iter()) {
        if let Some(why) = left_out(t) {
            let _ = writeln!(out, "# Not exported ({}): {}", why.replace('\n', " "), t.name.value.replace('\n', " "));
        }
    }
    if triggers.is_empty() {
        out.push_str("groups: []\n");
        return Ok(out);
    }
    let names = unique(
        triggers
            .iter()
            .map(|t| {
                let c = camel(t.name);
                if c.starts_with(|ch: char| ch.is_ascii_alphabetic()) { c } else { format!("Rollback{c}") }
            })
            .collect(),
    );
    let _ = writeln!(out, "groups:");
    let _ = writeln!(out, "  - name: {}", q(&format!("gonogo-{service}-{version}-rollback")));
    let _ = writeln!(out, "    rules:");
    for (t, alert) in triggers.iter().zip(names) {
        let _ = writeln!(out, "      - alert: {}", q(&alert));
        let _ = writeln!(
            out,
            "        expr: {}",
            q(&format!("{} {} {}", parenthesised(t.query), t.threshold.op(), num(t.threshold.value())))
        );
        let _ = writeln!(out, "        for: {}", t.for_);
        let _ = writeln!(out, "        labels:");
        let _ = writeln!(out, "          severity: \"critical\"");
        let _ = writeln!(out, "          service: {}", q(&literal(service)));
        let _ = writeln!(out, "          version: {}", q(&literal(version)));
        let _ = writeln!(out, "          gonogo_trigger: {}", q(&literal(t.name)));
        let _ = writeln!(out, "        annotations:");
        let _ = writeln!(
            out,
            "          summary: {}",
            q(&literal(&format!("Rollback trigger of {service} {version}: {}", t.name)))
        );
        let _ = writeln!(
            out,
            "          description: {}",
            q(&format!(
                "Value {{{{ $value }}}} is {} {} (held for {}). The rollback plan says: roll back now.",
                if matches!(t.threshold, Threshold::Above(_)) { "above" } else { "below" },
                num(t.threshold.value()),
                t.for_
            ))
        );
        if let Some(rb) = &r.release.runbook {
            let _ = writeln!(out, "          runbook_url: {}", q(&literal(&rb.value)));
        }
    }
    Ok(out)
}

/// How often Argo measures and how many failed measurements it tolerates, from `for`.
///
/// Argo's `failureLimit` counts failed measurements in total, not in a row, so a trigger with
/// `for: 10m` measured every minute fails the analysis at the tenth failed measurement: never
/// later than Prometheus would fire, sometimes earlier when the condition flaps.
pub fn argo_schedule(for_: Duration) -> (Duration, u64) {
    if for_.millis == 0 {
        return (Duration::from_secs(30), 0);
    }
    let interval_ms = (for_.millis / 10).clamp(10_000, 60_000);
    let interval = Duration { millis: interval_ms - interval_ms % 1000 };
    let measurements = for_.millis.div_ceil(interval.millis).max(1);
    (interval, measurements - 1)
}

/// The metric triggers as an Argo Rollouts `AnalysisTemplate` with the Prometheus provider.
pub fn argo_analysis(r: &Review) -> Result<String, String> {
    let triggers = metric_triggers(r);
    if triggers.is_empty() {
        return Err("no metric trigger (a query with above/below) to export as an analysis".into());
    }
    let service = &r.release.service.value;
    let version = &r.release.version.value;
    let mut out = String::new();
    let _ =
        writeln!(out, "# Rollback triggers of {service} {version}, exported by gonogo {}.", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        out,
        "# failureLimit counts failed measurements in total (Argo), `for` in the review counts them in a row."
    );
    let _ = writeln!(out, "apiVersion: argoproj.io/v1alpha1");
    let _ = writeln!(out, "kind: AnalysisTemplate");
    let _ = writeln!(out, "metadata:");
    let _ = writeln!(out, "  name: {}", q(&kebab(&format!("{service}-{version}-rollback-triggers"), 63)));
    let _ = writeln!(out, "  labels:");
    let _ = writeln!(out, "    app.kubernetes.io/name: {}", q(&kebab(service, 63)));
    let _ = writeln!(out, "    app.kubernetes.io/managed-by: \"gonogo\"");
    let _ = writeln!(out, "spec:");
    let _ = writeln!(out, "  args:");
    let _ = writeln!(out, "    - name: prometheus-address");
    let _ = writeln!(out, "      value: \"http://prometheus.monitoring.svc.cluster.local:9090\"");
    let _ = writeln!(out, "  metrics:");
    let names = unique(
        triggers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let k = kebab(t.name, 50);
                if k.starts_with(|c: char| c.is_ascii_alphanumeric()) { k } else { format!("trigger-{}", i + 1) }
            })
            .collect(),
    );
    for (t, name) in triggers.iter().zip(names) {
        let (interval, failure_limit) = argo_schedule(t.for_);
        let _ = writeln!(out, "    - name: {}", q(&name));
        let _ = writeln!(out, "      interval: {interval}");
        let _ = writeln!(out, "      failureLimit: {failure_limit}");
        let _ = writeln!(out, "      consecutiveErrorLimit: 4");
        let _ = writeln!(
            out,
            "      failureCondition: {}",
            q(&format!("len(result) > 0 && result[0] {} {}", t.threshold.op(), num(t.threshold.value())))
        );
        let _ = writeln!(out, "      provider:");
        let _ = writeln!(out, "        prometheus:");
        let _ = writeln!(out, "          address: \"{{{{args.prometheus-address}}}}\"");
        let _ = writeln!(out, "          query: {}", q(t.query.trim()));
    }
    Ok(out)
}

fn ics_time(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value (RFC 5545 §3.3.11): escaped, line breaks as `\n`, other control characters dropped.
fn ics_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

struct Event {
    uid: String,
    start: EventStart,
    summary: String,
    description: String,
}

enum EventStart {
    At(Timestamp, SignedDuration),
    Day(jiff::civil::Date),
}

/// The follow-ups as an iCalendar file: the post-deploy check, the post-launch review, and
/// the due dates of open action items and decision conditions.
pub fn ics(r: &Review) -> Result<String, String> {
    let service = &r.release.service.value;
    let version = &r.release.version.value;
    let label = format!("{service} {version}");
    let mut events = Vec::new();
    let window = r.deploy_window();
    let fu = r.follow_up.as_ref();
    let on_call =
        r.on_call.as_ref().and_then(|o| o.primary.as_ref()).map(|p| p.value.as_str()).unwrap_or("the on-call engineer");
    if let (Some(w), Some(check)) = (window, fu.and_then(|f| f.post_deploy_check.as_ref())) {
        let at = w.end.value.checked_add(check.value.to_jiff()).map_err(|e| e.to_string())?;
        events.push(Event {
            uid: "post-deploy-check".into(),
            start: EventStart::At(at, SignedDuration::from_mins(15)),
            summary: format!("{label}: post-deploy check"),
            description: format!(
                "{on_call} confirms every dashboard is green and every rollback trigger is ok, {} after the deploy completes (placed {} after the deploy window ends). `gonogo watch` runs this check itself.",
                check.value, check.value
            ),
        });
    }
    if let (Some(w), Some(review)) = (window, fu.and_then(|f| f.post_launch_review.as_ref())) {
        let at = w.start.value.checked_add(review.value.to_jiff()).map_err(|e| e.to_string())?;
        let len = r
            .meeting
            .as_ref()
            .and_then(|m| m.duration.as_ref())
            .map(|d| d.value.to_jiff())
            .unwrap_or(SignedDuration::from_mins(30));
        events.push(Event {
            uid: "post-launch-review".into(),
            start: EventStart::At(at, len),
            summary: format!("{label}: post-launch review"),
            description: format!(
                "Assess the release's metrics against the goals set at kickoff, {} after deploy.",
                review.value
            ),
        });
    }
    for (i, a) in r.action_items.iter().enumerate() {
        if matches!(a.status.as_ref().map(|s| s.value), Some(ItemStatus::Done | ItemStatus::Cancelled)) {
            continue;
        }
        let Some(due) = &a.due else { continue };
        let owner = a.owner.as_ref().map(|o| o.value.as_str()).unwrap_or("no owner");
        events.push(Event {
            uid: format!("action-item-{i}"),
            start: when_start(due.value),
            summary: format!("{label}: due: {} ({owner})", a.action.value),
            description: format!(
                "Action item of the readiness review of {label}, owned by {owner}, due {}.",
                due.value
            ),
        });
    }
    if let Some(d) = &r.decision {
        for (i, c) in d.conditions.iter().enumerate() {
            if c.met.as_ref().is_some_and(|m| m.value) {
                continue;
            }
            let Some(due) = &c.due else { continue };
            let owner = c.owner.as_ref().map(|o| o.value.as_str()).unwrap_or("no owner");
            events.push(Event {
                uid: format!("condition-{i}"),
                start: when_start(due.value),
                summary: format!("{label}: condition due ({owner})"),
                description: format!("Condition of the GO decision: {}", c.text.value),
            });
        }
    }
    if events.is_empty() {
        return Err("nothing to put in a calendar: no deploy window with follow_up times, and no open action item or condition with a due date".into());
    }
    let stamp = d_stamp(r);
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"] {
        fold(line, &mut out);
    }
    fold(&format!("PRODID:-//gonogo//gonogo {}//EN", env!("CARGO_PKG_VERSION")), &mut out);
    fold(&format!("X-WR-CALNAME:{}", ics_text(&format!("{label} follow-ups"))), &mut out);
    let uid_host = kebab(&format!("{service}-{version}"), 63);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}.{uid_host}@gonogo", e.uid), &mut out);
        fold(&format!("DTSTAMP:{}", ics_time(stamp)), &mut out);
        match e.start {
            EventStart::At(t, len) => {
                fold(&format!("DTSTART:{}", ics_time(t)), &mut out);
                let end = t.checked_add(len).unwrap_or(t);
                fold(&format!("DTEND:{}", ics_time(end)), &mut out);
            }
            EventStart::Day(d) => {
                fold(&format!("DTSTART;VALUE=DATE:{}", d.strftime("%Y%m%d")), &mut out);
                let next = d.tomorrow().unwrap_or(d);
                fold(&format!("DTEND;VALUE=DATE:{}", next.strftime("%Y%m%d")), &mut out);
            }
        }
        fold(&format!("SUMMARY:{}", ics_text(&e.summary)), &mut out);
        fold(&format!("DESCRIPTION:{}", ics_text(&e.description)), &mut out);
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    Ok(out)
}

fn when_start(w: When) -> EventStart {
    match w {
        When::Date(d) => EventStart::Day(d),
        // A due time is a deadline: the event ends at it.
        When::Instant(t) => {
            EventStart::At(t.checked_sub(SignedDuration::from_mins(15)).unwrap_or(t), SignedDuration::from_mins(15))
        }
    }
}

/// DTSTAMP: when the review was decided, so that the same review exports the same file.
fn d_stamp(r: &Review) -> Timestamp {
    crate::rules::review_time(r)
        .or_else(|| r.decision.as_ref().and_then(|d| d.at.as_ref()).map(|a| a.value))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argo_schedule_follows_for() {
        assert_eq!(argo_schedule(Duration::ZERO), (Duration::from_secs(30), 0));
        assert_eq!(argo_schedule(Duration::from_secs(600)), (Duration::from_secs(60), 9));
        assert_eq!(argo_schedule(Duration::from_secs(120)), (Duration::from_secs(12), 9));
        assert_eq!(argo_schedule(Duration::from_secs(30)), (Duration::from_secs(10), 2));
    }

    #[test]
    fn folding_keeps_lines_short_and_characters_whole() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(80)), &mut out);
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "é".repeat(80)));
    }

    #[test]
    fn names() {
        assert_eq!(camel("p95 report generation > 10 s"), "P95ReportGeneration10S");
        assert_eq!(
            kebab("Error rate on /api/reports/schedule above 2%", 63),
            "error-rate-on-api-reports-schedule-above-2"
        );
        assert_eq!(unique(vec!["a-b".into(), "a-b".into(), "C".into(), "C".into()]), vec!["a-b", "a-b-2", "C", "C2"]);
    }
}
