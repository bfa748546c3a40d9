//! `gonogo verify`: proves against the metrics source that the monitoring is live — every
//! monitoring and trigger query has data at every step of the last minutes, and every
//! alert the review relies on is a rule the source has loaded.

use crate::source::{AlertRule, Prometheus, Series};
use gonogo_core::model::{Review, Threshold, TriggerKind};
use promql_parser::parser::{self, Expr};

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What is checked: "monitoring: Error rate", "trigger: p95 …", "alert rule: …".
    pub subject: String,
    pub live: bool,
    /// Why, for a person in the meeting.
    pub why: String,
    pub query: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// How far back every step must have data.
    pub window_secs: f64,
    pub step_secs: f64,
    /// Unix seconds of the window's end (now, in real use).
    pub end: f64,
}

/// Whether a range result has data at every step from `start` to `end`; if not, why.
pub fn coverage(series: &[Series], start: f64, end: f64, step: f64) -> Result<usize, String> {
    let steps = ((end - start) / step).round() as usize + 1;
    if series.is_empty() {
        return Err("no data in the last window: the query returns nothing".into());
    }
    let mut have = vec![false; steps];
    for s in series {
        for (t, _) in &s.points {
            let i = ((t - start) / step).round();
            if i >= 0.0 && (i as usize) < steps {
                have[i as usize] = true;
            }
        }
    }
    let n = have.iter().filter(|h| **h).count();
    if n == steps {
        return Ok(n);
    }
    let ts = |i: usize| fmt_time(start + i as f64 * step);
    match have.iter().rposition(|h| *h) {
        None => Err("no data in the last window".into()),
        Some(last) if last + 1 < steps => {
            Err(format!("stale: no data since {} ({} of {steps} steps have data)", ts(last), n))
        }
        Some(_) => {
            let first_gap = have.iter().position(|h| !h).unwrap_or(0);
            Err(format!("gaps: {n} of {steps} steps have data; the first gap at {}", ts(first_gap)))
        }
    }
}

fn fmt_time(t: f64) -> String {
    jiff::Timestamp::from_millisecond((t * 1000.0) as i64).map(|t| t.to_string()).unwrap_or_else(|_| format!("{t}"))
}

/// The canonical text of a query, so that formatting and redundant parentheses don't count.
pub fn normalise(q: &str) -> Option<String> {
    parser::parse(q).ok().map(|e| strip_parens(&e).to_string())
}

fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        other => other,
    }
}

/// Whether an alerting rule's expression is `<query> <op> <threshold>` for this monitoring entry.
pub fn rule_matches(rule_query: &str, query: &str, threshold: Threshold) -> bool {
    let (Ok(rule), Some(want)) = (parser::parse(rule_query), normalise(query)) else { return false };
    let Expr::Binary(b) = strip_parens(&rule) else { return false };
    let op = b.op.to_string();
    let (lhs, rhs, op) = (strip_parens(&b.lhs), strip_parens(&b.rhs), op.trim().to_string());
    // Both `q > 10` and `10 < q` say the same.
    let (expr, num, op) = match (lhs, rhs) {
        (e, Expr::NumberLiteral(n)) => (e, n.val, op),
        (Expr::NumberLiteral(n), e) => (e, n.val, flip(&op).to_string()),
        _ => return false,
    };
    let want_op = threshold.op();
    let same_op = op == want_op || op == format!("{want_op}=");
    same_op && (num - threshold.value()).abs() <= 1e-9 * threshold.value().abs().max(1.0) && expr.to_string() == want
}

fn flip(op: &str) -> &str {
    match op {
        ">" => "<",
        "<" => ">",
        ">=" => "<=",
        "<=" => ">=",
        o => o,
    }
}

/// Runs every check. An unreachable source is an error, not a "not live".
pub async fn verify(review: &Review, source: &Prometheus, cfg: &VerifyConfig) -> Result<Vec<Check>, String> {
    let start = cfg.end - cfg.window_secs;
    let mut checks = Vec::new();
    let rules = match source.alert_rules().await {
        Ok(r) => r,
        Err(e @ crate::source::SourceError::Unreachable { .. }) => {
            return Err(format!("the source cannot be reached: {e}"));
        }
        Err(e) => return Err(format!("reading the source's rules: {e}")),
    };
    let mut queries: Vec<(String, String)> = Vec::new();
    for m in &review.monitoring {
        match &m.query {
            Some(q) => queries.push((format!("monitoring: {}", m.metric.value), q.value.clone())),
            None => checks.push(Check {
                subject: format!("monitoring: {}", m.metric.value),
                live: false,
                why: "no query: nothing shows this dashboard has live data".into(),
                query: None,
            }),
        }
    }
    if let Some(rb) = &review.rollback {
        for t in &rb.triggers {
            if let Some(TriggerKind::Metric { query, .. }) = t.kind() {
                queries.push((format!("trigger: {}", t.name.value), query.value.clone()));
            }
        }
    }
    for (subject, q) in queries {
        let check = match source.query_range(&q, start, cfg.end, cfg.step_secs).await {
            Ok(series) => match coverage(&series, start, cfg.end, cfg.step_secs) {
                Ok(n) => Check {
                    subject,
                    live: true,
                    why: format!("live: data at all {n} steps of the last {}", mins(cfg.window_secs)),
                    query: Some(q),
                },
                Err(why) => Check { subject, live: false, why, query: Some(q) },
            },
            Err(crate::source::SourceError::Unreachable { url, reason }) => {
                return Err(format!("the source cannot be reached: {url}: {reason}"));
            }
            Err(e) => Check { subject, live: false, why: format!("the query fails: {e}"), query: Some(q) },
        };
        checks.push(check);
    }
    for m in &review.monitoring {
        let Some(alert) = &m.alert else { continue };
        let Some(th) = &alert.threshold else { continue };
        let subject = format!("alert rule: {}", m.metric.value);
        let check = match (&alert.rule, &m.query) {
            (Some(name), _) => match rules.iter().find(|r| r.name == name.value) {
                Some(r) => loaded(subject, r),
                None => Check {
                    subject,
                    live: false,
                    why: format!("no alerting rule named `{}` is loaded in the source", name.value),
                    query: None,
                },
            },
            (None, Some(q)) => match rules.iter().find(|r| rule_matches(&r.query, &q.value, th.value)) {
                Some(r) => loaded(subject, r),
                None => Check {
                    subject,
                    live: false,
                    why: format!(
                        "no loaded alerting rule has the expression `{} {} {}`; name the rule in `alert.rule` if its expression differs",
                        q.value,
                        th.value.op(),
                        th.value.value()
                    ),
                    query: Some(q.value.clone()),
                },
            },
            (None, None) => Check {
                subject,
                live: false,
                why: "neither `alert.rule` nor a query to find the alerting rule by".into(),
                query: None,
            },
        };
        checks.push(check);
    }
    if let Some(rb) = &review.rollback {
        for t in &rb.triggers {
            if let Some(TriggerKind::Alert(a)) = t.kind() {
                let subject = format!("trigger: {}", t.name.value);
                checks.push(match rules.iter().find(|r| r.name == a.value) {
                    Some(r) => loaded(subject, r),
                    None => Check {
                        subject,
                        live: false,
                        why: format!(
                            "waits for alert `{}`, but no such alerting rule is loaded in the source",
                            a.value
                        ),
                        query: None,
                    },
                });
            }
        }
    }
    Ok(checks)
}

fn loaded(subject: String, r: &AlertRule) -> Check {
    let healthy = r.health.is_empty() || r.health == "ok" || r.health == "unknown";
    Check {
        subject,
        live: healthy,
        why: if healthy {
            format!("alerting rule `{}` is loaded (group {})", r.name, r.group)
        } else {
            format!("alerting rule `{}` is loaded but its health is `{}`", r.name, r.health)
        },
        query: Some(r.query.clone()),
    }
}

fn mins(secs: f64) -> String {
    if secs % 60.0 == 0.0 { format!("{} minutes", secs / 60.0) } else { format!("{secs} s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(ts: &[f64]) -> Vec<Series> {
        vec![Series { labels: vec![], points: ts.iter().map(|t| (*t, 1.0)).collect() }]
    }

    #[test]
    fn coverage_names_stale_and_gaps() {
        assert_eq!(coverage(&series(&[0.0, 15.0, 30.0]), 0.0, 30.0, 15.0), Ok(3));
        assert!(
            coverage(&series(&[0.0, 15.0]), 0.0, 30.0, 15.0)
                .unwrap_err()
                .starts_with("stale: no data since 1970-01-01T00:00:15Z")
        );
        assert!(coverage(&series(&[0.0, 30.0]), 0.0, 30.0, 15.0).unwrap_err().starts_with("gaps: 2 of 3"));
        assert!(coverage(&[], 0.0, 30.0, 15.0).unwrap_err().contains("returns nothing"));
    }

    #[test]
    fn rules_match_by_normalised_expression_and_threshold() {
        let q = "sum(rate(x_total{code=~\"5..\"}[5m])) / sum(rate(x_total[5m]))";
        assert!(rule_matches(
            "(sum(rate(x_total{code=~'5..'}[5m]))/sum(rate(x_total[5m]))) > 0.02",
            q,
            Threshold::Above(0.02)
        ));
        assert!(rule_matches(
            "0.02 < sum(rate(x_total{code=~\"5..\"}[5m])) / sum(rate(x_total[5m]))",
            q,
            Threshold::Above(0.02)
        ));
        assert!(!rule_matches(
            "sum(rate(x_total{code=~\"5..\"}[5m])) / sum(rate(x_total[5m])) > 0.05",
            q,
            Threshold::Above(0.02)
        ));
        assert!(!rule_matches(
            "sum(rate(x_total{code=~\"5..\"}[5m])) / sum(rate(x_total[5m])) < 0.02",
            q,
            Threshold::Above(0.02)
        ));
        assert!(!rule_matches("sum(rate(y_total[5m])) > 0.02", q, Threshold::Above(0.02)));
    }
}
