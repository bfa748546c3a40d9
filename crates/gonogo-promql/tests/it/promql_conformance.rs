//! The PromQL evaluator against Prometheus' own test scripts (`promql/testdata/*.test` of v2.42.0, in
//! place in `../shared/conformance`), plus hand-computed cases.

use gonogo_promql::eval::{self, EvalError, Value};
use gonogo_promql::store::{Labels, Store, stale_nan};
use promql_parser::parser::Expr;

/// Files entirely outside the evaluator's subset.
const SKIPPED_FILES: &[(&str, &str)] = &[
    ("at_modifier.test", "the @ modifier is outside the subset"),
    ("subquery.test", "subqueries are outside the subset"),
    ("trig_functions.test", "trigonometric functions are outside the subset"),
];

/// Evals (file, line of the `eval` command) that differ from Prometheus for a documented reason. Every
/// other supported eval must pass.
const KNOWN_DIFFERENCES: &[(&str, usize, &str)] = &[];

#[derive(Debug)]
enum Expect {
    Scalar(f64),
    /// Labels and the values at each step (one for instant evals); None is `_`, no point.
    Series(Vec<(Labels, Vec<Option<f64>>)>),
}

struct Outcome {
    pass: usize,
    total: usize,
    skipped: Vec<String>,
    failed: Vec<String>,
}

fn duration_ms(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n * 1000);
    }
    let mut total = 0i64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or(format!("bad duration {s:?}"))?;
        let n: i64 = rest[..digits].parse().map_err(|_| format!("bad duration {s:?}"))?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            "y" => 365 * 86_400_000,
            u => return Err(format!("bad duration unit {u:?} in {s:?}")),
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

fn number(s: &str) -> Option<f64> {
    if s == "stale" {
        return Some(stale_nan());
    }
    let v = s.parse::<f64>().ok()?;
    // Only the spellings Prometheus' lexer accepts, not Rust's "infinity" and friends.
    let lower = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if v.is_infinite() && lower != "inf" {
        return None;
    }
    Some(v)
}

/// Expands one item of a series description: `1`, `_`, `_x3`, `stale`, `0+10x100`, `1-1x5`.
fn expand(tok: &str) -> Result<Vec<Option<f64>>, String> {
    if tok == "_" {
        return Ok(vec![None]);
    }
    if let Some(n) = tok.strip_prefix("_x") {
        let n: usize = n.parse().map_err(|_| format!("bad item {tok:?}"))?;
        return Ok(vec![None; n]);
    }
    let (head, times) = match tok.rfind('x') {
        Some(i) if !tok[i + 1..].is_empty() && tok[i + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (&tok[..i], Some(tok[i + 1..].parse::<usize>().map_err(|_| format!("bad item {tok:?}"))?))
        }
        _ => (tok, None),
    };
    let bytes = head.as_bytes();
    let split =
        (1..bytes.len()).find(|&i| (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E'));
    let (first, delta) = match split {
        Some(i) => (&head[..i], Some(&head[i..])),
        None => (head, None),
    };
    let mut v = number(first).ok_or(format!("bad value {first:?} in {tok:?}"))?;
    let d = match delta {
        Some(d) => number(d).ok_or(format!("bad delta {d:?} in {tok:?}"))?,
        None => 0.0,
    };
    match times {
        None if delta.is_none() => Ok(vec![Some(v)]),
        None => Err(format!("a delta without x in {tok:?}")),
        Some(n) => {
            let mut out = Vec::with_capacity(n + 1);
            for _ in 0..=n {
                out.push(Some(v));
                v += d;
            }
            Ok(out)
        }
    }
}

/// `metric{a="b"} 1 2 3` → labels and expanded values.
fn series_line(line: &str) -> Result<(Labels, Vec<Option<f64>>), String> {
    let bytes = line.as_bytes();
    let mut end = 0;
    let mut in_quote = false;
    let mut brace = false;
    while end < bytes.len() {
        let c = bytes[end];
        if in_quote {
            if c == b'\\' {
                end += 1;
            } else if c == b'"' {
                in_quote = false;
            }
        } else if c == b'"' {
            in_quote = true;
        } else if c == b'{' {
            brace = true;
        } else if c == b'}' {
            end += 1;
            break;
        } else if c.is_ascii_whitespace() && !brace {
            break;
        }
        end += 1;
    }
    let desc = &line[..end];
    let labels = if desc == "{}" { Vec::new() } else { labels_of(desc)? };
    let mut values = Vec::new();
    for tok in line[end..].split_whitespace() {
        values.extend(expand(tok)?);
    }
    Ok((labels, values))
}

fn labels_of(desc: &str) -> Result<Labels, String> {
    let ast = promql_parser::parser::parse(desc).map_err(|e| format!("series {desc:?}: {e}"))?;
    let Expr::VectorSelector(vs) = ast else { return Err(format!("series {desc:?} is not a selector")) };
    let mut labels: Labels = Vec::new();
    if let Some(n) = vs.name {
        labels.push(("__name__".into(), n));
    }
    for m in vs.matchers.matchers {
        labels.push((m.name, m.value));
    }
    labels.retain(|(_, v)| !v.is_empty());
    labels.sort();
    Ok(labels)
}

fn almost_equal(a: f64, b: f64) -> bool {
    const EPSILON: f64 = 0.000001;
    const MIN_NORMAL: f64 = 2.2250738585072014e-308;
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || diff < MIN_NORMAL {
        return diff < EPSILON * MIN_NORMAL;
    }
    diff / (a.abs() + b.abs()) < EPSILON
}

fn fmt_labels(l: &Labels) -> String {
    let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(","))
}

/// Compares an instant result (as labelled values in result order) with the expectation.
fn compare_vector(got: &[(Labels, f64)], expect: &Expect, ordered: bool) -> Result<(), String> {
    let exp = match expect {
        Expect::Scalar(v) => return Err(format!("expected scalar {v}, got a vector of {}", got.len())),
        Expect::Series(s) => s,
    };
    for (pos, (labels, v)) in got.iter().enumerate() {
        let Some(i) = exp.iter().position(|(l, _)| l == labels) else {
            return Err(format!("unexpected metric {} {v} in result", fmt_labels(labels)));
        };
        if ordered && i != pos {
            return Err(format!("expected {} at position {} but was at {}", fmt_labels(labels), i + 1, pos + 1));
        }
        let want = exp[i].1.first().copied().flatten().unwrap_or(f64::NAN);
        if !almost_equal(want, *v) {
            return Err(format!("expected {want} for {} but got {v}", fmt_labels(labels)));
        }
    }
    for (l, vals) in exp {
        if !got.iter().any(|(g, _)| g == l) {
            return Err(format!("expected metric {} with {vals:?} not found", fmt_labels(l)));
        }
    }
    Ok(())
}

fn compare_instant(got: &Value, expect: &Expect, ordered: bool) -> Result<(), String> {
    match got {
        Value::Scalar(_, v) => match expect {
            Expect::Scalar(want) if almost_equal(*want, *v) => Ok(()),
            _ => Err(format!("expected {expect:?}, got scalar {v}")),
        },
        Value::Vector(samples) => {
            let got: Vec<(Labels, f64)> = samples.iter().map(|s| (s.labels.clone(), s.v)).collect();
            compare_vector(&got, expect, ordered)
        }
        other => Err(format!("unexpected result type {other:?}")),
    }
}

struct Eval {
    line: usize,
    expr: String,
    fail: bool,
    ordered: bool,
    /// (start, end, step); an instant eval has start == end and step 0.
    start: i64,
    end: i64,
    step: i64,
    expect: Expect,
}

fn run_eval(store: &Store, ev: &Eval) -> Result<(), String> {
    if ev.step > 0 {
        let got = eval::range(store, &ev.expr, ev.start, ev.end, ev.step);
        return match (got, ev.fail) {
            (Err(_), true) => Ok(()),
            (Ok(_), true) => Err("expected an error, got a result".into()),
            (Err(e), false) => Err(format!("error: {e}")),
            (Ok(v), false) => compare_range(&v, &ev.expect, ev.start, ev.end, ev.step),
        };
    }
    let got = eval::instant(store, &ev.expr, ev.start);
    let v = match (got, ev.fail) {
        (Err(_), true) => return Ok(()),
        (Ok(_), true) => return Err("expected an error, got a result".into()),
        (Err(e), false) => return Err(format!("error: {e}")),
        (Ok(v), false) => v,
    };
    compare_instant(&v, &ev.expect, ev.ordered)?;
    if ev.ordered {
        // As in Prometheus' harness: range results have no defined order.
        return Ok(());
    }
    // The same query as a range query around t must agree at t.
    let t = ev.start;
    let m = eval::range(store, &ev.expr, t - 60_000, t + 60_000, 60_000).map_err(|e| format!("range mode: {e}"))?;
    let Value::Matrix(series) = m else { return Err("range mode: not a matrix".into()) };
    let at_t: Vec<(Labels, f64)> =
        series.iter().filter_map(|s| s.points.iter().find(|p| p.0 == t).map(|p| (s.labels.clone(), p.1))).collect();
    let res = match &v {
        Value::Scalar(..) => match at_t.first() {
            Some((_, x)) => compare_instant(&Value::Scalar(t, *x), &ev.expect, false),
            None => Err("no point at t".into()),
        },
        _ => compare_vector(&at_t, &ev.expect, false),
    };
    res.map_err(|e| format!("range mode: {e}"))
}

fn compare_range(got: &Value, expect: &Expect, start: i64, end: i64, step: i64) -> Result<(), String> {
    let Value::Matrix(series) = got else { return Err(format!("expected a matrix, got {got:?}")) };
    let exp = match expect {
        Expect::Series(s) => s,
        Expect::Scalar(v) => return Err(format!("a range eval cannot expect scalar {v}")),
    };
    for s in series {
        let Some((_, vals)) = exp.iter().find(|(l, _)| *l == s.labels) else {
            return Err(format!("unexpected metric {} {:?} in result", fmt_labels(&s.labels), s.points));
        };
        let want: Vec<(i64, f64)> = vals
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (start + i as i64 * step, v)))
            .filter(|&(t, _)| t <= end)
            .collect();
        if want.len() != s.points.len()
            || want.iter().zip(&s.points).any(|(w, g)| w.0 != g.0 || !almost_equal(w.1, g.1))
        {
            return Err(format!("{}: expected {want:?}, got {:?}", fmt_labels(&s.labels), s.points));
        }
    }
    for (l, _) in exp {
        if !series.iter().any(|s| s.labels == *l) {
            return Err(format!("expected metric {} not found", fmt_labels(l)));
        }
    }
    Ok(())
}

fn run_file(name: &str, text: &str) -> Outcome {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let l = l.trim();
            if l.starts_with('#') { String::new() } else { l.to_string() }
        })
        .collect();
    let mut out = Outcome { pass: 0, total: 0, skipped: Vec::new(), failed: Vec::new() };
    let mut store = Store::new(i64::MAX, 1_000_000);
    let mut i = 0;
    let block = |i: &mut usize| -> Vec<(usize, String)> {
        let mut b = Vec::new();
        while *i + 1 < lines.len() && !lines[*i + 1].is_empty() {
            *i += 1;
            b.push((*i + 1, lines[*i].clone()));
        }
        b
    };
    let instant_re = regex::Regex::new(r"^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$").unwrap();
    let range_re =
        regex::Regex::new(r"^eval(?:_(fail))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$").unwrap();
    while i < lines.len() {
        let line = lines[i].clone();
        let lineno = i + 1;
        if line.is_empty() {
            i += 1;
            continue;
        }
        if line == "clear" {
            store.clear();
        } else if let Some(dur) = line.strip_prefix("load ") {
            let interval = duration_ms(dur).unwrap_or_else(|e| panic!("{name}:{lineno}: {e}"));
            // As in Prometheus' harness, a series defined twice in one load keeps the last definition.
            let mut defs: std::collections::BTreeMap<Labels, Vec<Option<f64>>> = Default::default();
            for (n, l) in block(&mut i) {
                let (labels, values) = series_line(&l).unwrap_or_else(|e| panic!("{name}:{n}: {e}"));
                defs.insert(labels, values);
            }
            for (labels, values) in defs {
                for (k, v) in values.iter().enumerate() {
                    if let Some(v) = v {
                        store.append(&labels, k as i64 * interval, *v).unwrap();
                    }
                }
            }
        } else if line.starts_with("eval") {
            let (kind, start, end, step, expr) = if let Some(c) = instant_re.captures(&line) {
                let t = duration_ms(c.get(2).map_or("0", |m| m.as_str()))
                    .unwrap_or_else(|e| panic!("{name}:{lineno}: {e}"));
                (c.get(1).map_or("", |m| m.as_str()).to_string(), t, t, 0, c[3].to_string())
            } else if let Some(c) = range_re.captures(&line) {
                let d = |s: &str| duration_ms(s).unwrap_or_else(|e| panic!("{name}:{lineno}: {e}"));
                (c.get(1).map_or("", |m| m.as_str()).to_string(), d(&c[2]), d(&c[3]), d(&c[4]), c[5].to_string())
            } else {
                panic!("{name}:{lineno}: cannot read {line:?}");
            };
            let mut expect_scalar = None;
            let mut series = Vec::new();
            for (n, l) in block(&mut i) {
                if let Some(v) = number(&l) {
                    expect_scalar = Some(v);
                    continue;
                }
                series.push(series_line(&l).unwrap_or_else(|e| panic!("{name}:{n}: {e}")));
            }
            let expect = match expect_scalar {
                Some(v) => Expect::Scalar(v),
                None => Expect::Series(series),
            };
            let ev =
                Eval { line: lineno, expr, fail: kind == "fail", ordered: kind == "ordered", start, end, step, expect };
            match eval::check_supported(&ev.expr) {
                Err(EvalError::Unsupported { construct }) => {
                    out.skipped.push(format!("{name}:{}: {} ({construct})", ev.line, ev.expr));
                }
                _ => {
                    out.total += 1;
                    match run_eval(&store, &ev) {
                        Ok(()) => out.pass += 1,
                        Err(e) => {
                            if let Some((_, _, why)) = KNOWN_DIFFERENCES.iter().find(|k| k.0 == name && k.1 == ev.line)
                            {
                                out.skipped.push(format!("{name}:{}: {} (known difference: {why})", ev.line, ev.expr));
                                out.total -= 1;
                            } else {
                                out.failed.push(format!("{name}:{}: {}: {e}", ev.line, ev.expr));
                            }
                        }
                    }
                }
            }
        } else {
            panic!("{name}:{lineno}: unknown command {line:?}");
        }
        i += 1;
    }
    out
}

#[test]
fn prometheus_2_42_promql_tests() {
    let dir = super::conformance().join("promql-v2.42.0");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "test"))
        .collect();
    files.sort();
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Some((_, why)) = SKIPPED_FILES.iter().find(|(n, _)| *n == name) {
            println!("{name}: skipped ({why})");
            continue;
        }
        let o = run_file(&name, &std::fs::read_to_string(f).unwrap());
        println!("{name}: {}/{} (skipped {})", o.pass, o.total, o.skipped.len());
        failed.extend(o.failed);
        skipped.extend(o.skipped);
    }
    println!("skipped evals:\n  {}", skipped.join("\n  "));
    assert!(failed.is_empty(), "{} evals differ from Prometheus:\n{}", failed.len(), failed.join("\n"));
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    let mut l: Labels = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    l.sort();
    l
}

fn one(store: &Store, expr: &str, t_ms: i64) -> Vec<(Labels, f64)> {
    match eval::instant(store, expr, t_ms).unwrap() {
        Value::Vector(v) => v.into_iter().map(|s| (s.labels, s.v)).collect(),
        Value::Scalar(_, v) => vec![(Vec::new(), v)],
        other => panic!("{other:?}"),
    }
}

#[test]
fn rate_and_increase_extrapolate_like_prometheus() {
    let mut st = Store::new(i64::MAX, 10);
    let c = labels(&[("__name__", "c")]);
    // Samples every 15s from t=15s, value 10·i: a counter at 2/3 per second.
    for i in 1..=8 {
        st.append(&c, i * 15_000, 10.0 * i as f64).unwrap();
    }
    // At 120s, [1m] holds 60s..120s: 5 samples, 40 → 80 over 60s, both ends on the boundary.
    let r = one(&st, "rate(c[1m])", 120_000);
    assert_eq!(r, vec![(Vec::new(), 40.0 / 60.0)]);
    // At 125s, [1m] holds 65s..125s: samples 75s..120s, increase 30 over 45s; the 10s and 5s to
    // the edges are under 1.1·15s, so both are extrapolated: 30 · (45 + 15) / 45.
    let inc = one(&st, "increase(c[1m])", 125_000);
    assert!((inc[0].1 - 40.0).abs() < 1e-12, "{inc:?}");
    // At 137s, [1m] holds 90s..120s (60 → 80): 13s to the start is extrapolated, but 17s to the end
    // is over 1.1·15s, so only half an interval is added there: 20 · (30 + 13 + 7.5) / 30.
    let inc = one(&st, "increase(c[1m])", 137_000);
    assert!((inc[0].1 - 20.0 * 50.5 / 30.0).abs() < 1e-12, "{inc:?}");
    // At 60s with [2m]: 15s..60s, 10 → 40; to the start is 60s (> 1.1·15s) but the counter would
    // reach zero 15s before the first sample, so the start extrapolates by 15s: 30 · 60/45.
    let inc = one(&st, "increase(c[2m])", 60_000);
    assert!((inc[0].1 - 40.0).abs() < 1e-12, "{inc:?}");
    // A reset adds the value before it.
    let r = labels(&[("__name__", "r")]);
    for (i, v) in [(0, 5.0), (10, 8.0), (20, 2.0), (30, 4.0)] {
        st.append(&r, i * 1000, v).unwrap();
    }
    let inc = one(&st, "increase(r[30s])", 30_000);
    assert_eq!(inc, vec![(Vec::new(), 7.0)]);
    assert_eq!(one(&st, "resets(r[30s])", 30_000), vec![(Vec::new(), 1.0)]);
    assert_eq!(one(&st, "irate(r[30s])", 30_000), vec![(Vec::new(), 0.2)]);
}

#[test]
fn histogram_quantile_on_classic_buckets() {
    let mut st = Store::new(i64::MAX, 10);
    for (le, v) in [("0.1", 10.0), ("0.5", 60.0), ("1", 90.0), ("+Inf", 100.0)] {
        st.append(&labels(&[("__name__", "h_bucket"), ("le", le), ("job", "a")]), 0, v).unwrap();
    }
    // rank 50 falls in (0.1, 0.5] with 50 observations there, 40 of them below the rank.
    assert_eq!(one(&st, "histogram_quantile(0.5, h_bucket)", 0), vec![(labels(&[("job", "a")]), 0.1 + 0.4 * 0.8)]);
    // Above the highest finite bucket the answer is that bucket's bound.
    assert_eq!(one(&st, "histogram_quantile(0.99, h_bucket)", 0)[0].1, 1.0);
    assert_eq!(one(&st, "histogram_quantile(2, h_bucket)", 0)[0].1, f64::INFINITY);
    assert!(one(&st, "histogram_quantile(0.5, h_bucket{le!=\"+Inf\"})", 0)[0].1.is_nan());
}

#[test]
fn staleness_and_lookback() {
    let mut st = Store::new(i64::MAX, 10);
    let up = labels(&[("__name__", "up")]);
    st.append(&up, 0, 1.0).unwrap();
    st.append(&up, 60_000, 1.0).unwrap();
    st.append(&up, 120_000, stale_nan()).unwrap();
    assert_eq!(one(&st, "up", 90_000).len(), 1);
    assert!(one(&st, "up", 120_000).is_empty(), "a staleness marker ends the series at once");
    assert_eq!(one(&st, "count_over_time(up[5m])", 120_000), vec![(Vec::new(), 2.0)]);
    // Without the marker, the last sample would stay visible for the 5m lookback, inclusive.
    let g = labels(&[("__name__", "g")]);
    st.append(&g, 0, 3.0).unwrap();
    assert_eq!(one(&st, "g", 300_000).len(), 1);
    assert!(one(&st, "g", 300_001).is_empty());
}

#[test]
fn for_style_windows() {
    let mut st = Store::new(i64::MAX, 10);
    let e = labels(&[("__name__", "errors_ratio"), ("svc", "api")]);
    for i in 0..=10 {
        st.append(&e, i * 60_000, if i >= 4 { 0.2 } else { 0.01 }).unwrap();
    }
    // "Above 0.1 for 5 minutes": the window's minimum must be above the threshold.
    assert!(one(&st, "min_over_time(errors_ratio[5m]) > 0.1", 8 * 60_000).is_empty());
    assert_eq!(one(&st, "min_over_time(errors_ratio[5m]) > 0.1", 9 * 60_000), vec![(labels(&[("svc", "api")]), 0.2)]);
    let v = eval::instant(&st, "max_over_time(errors_ratio[5m]) > bool 0.1", 3 * 60_000).unwrap();
    assert_eq!(
        v.to_api_json(),
        serde_json::json!({"resultType": "vector", "result": [{"metric": {"svc": "api"}, "value": [180, "0"]}]})
    );
    let m = eval::range(&st, "errors_ratio", 0, 120_000, 60_000).unwrap();
    assert_eq!(m.to_api_json()["result"][0]["values"][2], serde_json::json!([120, "0.01"]));
}

mod props {
    use gonogo_promql::eval;
    use gonogo_promql::store::{Labels, Store, stale_nan};
    use proptest::prelude::*;

    fn store(values: &[(u8, u8, f64)]) -> Store {
        let mut st = Store::new(i64::MAX, 100);
        for (i, &(series, gap, v)) in values.iter().enumerate() {
            let l: Labels = vec![
                ("__name__".into(), ["a", "b_bucket", "c"][series as usize % 3].into()),
                ("le".into(), ["0.1", "1", "+Inf", "x"][series as usize % 4].into()),
                ("job".into(), ["x", "y"][series as usize % 2].into()),
            ];
            let v = if gap % 7 == 0 { stale_nan() } else { v };
            let _ = st.append(&l, i as i64 * 1000 * (gap as i64 % 20), v);
        }
        st
    }

    /// Random well-formed expressions of the subset (and some outside it), so evaluation itself is
    /// exercised rather than only the parser's error paths.
    fn expr() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("a".to_string()),
            Just("b_bucket".to_string()),
            Just("c{job=~\"x|y\"}".to_string()),
            Just("{__name__!=\"a\", le!~\"1\"}".to_string()),
            Just("a offset -1m".to_string()),
            Just("c offset 30s".to_string()),
            Just("nope".to_string()),
            prop_oneof![
                Just("NaN"),
                Just("Inf"),
                Just("-Inf"),
                Just("0"),
                Just("1"),
                Just("0.5"),
                Just("-2"),
                Just("1e308")
            ]
            .prop_map(String::from),
        ];
        let range_fn = proptest::sample::select(vec![
            "rate",
            "irate",
            "increase",
            "delta",
            "idelta",
            "resets",
            "changes",
            "avg_over_time",
            "min_over_time",
            "max_over_time",
            "sum_over_time",
            "count_over_time",
            "last_over_time",
            "stddev_over_time",
            "stdvar_over_time",
            "absent_over_time",
            "deriv",
        ]);
        let sel = proptest::sample::select(vec!["a", "b_bucket", "c", "{job=\"x\"}"]);
        let win = proptest::sample::select(vec!["1s", "30s", "1m", "5m", "1h"]);
        let leaf = prop_oneof![
            4 => leaf,
            2 => (range_fn, sel, win).prop_map(|(f, s, w)| format!("{f}({s}[{w}])")),
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            let op = proptest::sample::select(vec![
                "+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "> bool", "== bool", "and", "or",
                "unless",
            ]);
            let modifier = proptest::sample::select(vec![
                "",
                "on(job)",
                "ignoring(le)",
                "on(job) group_left",
                "on(job) group_right(le)",
                "ignoring(job) group_left(le)",
                "on()",
            ]);
            let agg = proptest::sample::select(vec![
                "sum", "avg", "min", "max", "count", "stddev", "stdvar", "group", "sort",
            ]);
            let grouping = proptest::sample::select(vec!["", " by (job)", " without (le)", " by (__name__)", " by ()"]);
            let func = proptest::sample::select(vec![
                "abs",
                "ceil",
                "floor",
                "round",
                "sqrt",
                "exp",
                "ln",
                "log2",
                "log10",
                "timestamp",
                "absent",
                "scalar",
                "vector",
                "-",
            ]);
            prop_oneof![
                (inner.clone(), op, modifier, inner.clone()).prop_map(|(l, o, m, r)| format!("({l}) {o} {m} ({r})")),
                (agg, grouping, inner.clone()).prop_map(|(a, g, e)| format!("{a}{g} ({e})")),
                (proptest::sample::select(vec!["topk", "bottomk", "quantile"]), inner.clone(), inner.clone())
                    .prop_map(|(a, p, e)| format!("{a}(scalar({p}), {e})")),
                (func, inner.clone()).prop_map(|(f, e)| format!("{f}({e})")),
                (inner.clone(), inner.clone()).prop_map(|(q, e)| format!("histogram_quantile(scalar({q}), {e})")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(v, lo, hi)| format!("clamp({v}, scalar({lo}), scalar({hi}))")),
                inner.clone().prop_map(|e| format!("count_values(\"v\", {e})")),
                inner.clone().prop_map(|e| format!("label_replace({e}, \"job\", \"$1-$2\", \"le\", \"(.)(.*)\")")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]
        #[test]
        fn generated_expressions_never_panic(
            e in expr(),
            data in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<f64>()), 0..40),
            t in -1_000_000i64..1_000_000,
        ) {
            let st = store(&data);
            let _ = eval::check_supported(&e);
            if let Ok(v) = eval::instant(&st, &e, t) {
                let _ = v.to_api_json();
            }
            if let Ok(v) = eval::range(&st, &e, t - 60_000, t + 60_000, 20_000) {
                let _ = v.to_api_json();
            }
        }

        #[test]
        fn arbitrary_expressions_never_panic(
            expr in "[a-c_(){}\\[\\]=~!\"\\.,+\\-*/%^<> 0-9smx]{0,60}",
            data in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<f64>()), 0..40),
            t in -1_000_000i64..1_000_000,
        ) {
            let st = store(&data);
            let _ = eval::instant(&st, &expr, t);
            let _ = eval::range(&st, &expr, t, t + 120_000, 30_000);
        }

        #[test]
        fn known_functions_on_random_data_never_panic(
            f in proptest::sample::select(vec![
                "rate(a[1m])", "irate(c[30s] offset 1m)", "increase(a[5m])", "delta(c[2m])", "idelta(a[1m])",
                "resets(a[5m])", "changes(c[5m])", "avg_over_time(a[1m])", "quantile_over_time(0.3, a[5m])",
                "stddev_over_time(c[5m])", "histogram_quantile(0.9, b_bucket)", "histogram_quantile(0.5, rate(b_bucket[5m]))",
                "topk(2, a)", "bottomk(1e300, c)", "quantile(0.5, a)", "count_values(\"v\", a)", "a / on(job) group_left c",
                "a + ignoring(le) c", "a > bool 0", "a and c", "a or c", "a unless c", "label_replace(a, \"d\", \"$1\", \"job\", \"(.*)\")",
                "round(a, 0.1)", "clamp(a, 1, 0)", "absent(nope{x=\"y\"})", "scalar(a) * vector(time())", "timestamp(a)",
                "sum without (job) (a)", "stdvar by (le) (c)", "-a", "a % 0", "a ^ -1",
            ]),
            data in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<f64>()), 0..60),
            t in -1_000_000i64..1_000_000,
        ) {
            let st = store(&data);
            let _ = eval::instant(&st, f, t);
            let _ = eval::range(&st, f, t - 60_000, t + 60_000, 15_000);
        }
    }
}
