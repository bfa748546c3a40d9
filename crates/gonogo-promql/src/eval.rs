//! The PromQL evaluator: a subset of Prometheus 2.42's query semantics over a [`Store`], on the AST of
//! `promql-parser`, with instant and range queries and the HTTP API's JSON shape for results.
//!
//! A range query is evaluated as one instant evaluation per step. For this subset (no subqueries,
//! no `@`) that is what Prometheus computes, and it keeps a single code path for both.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use promql_parser::label::MatchOp as PMatchOp;
use promql_parser::parser::token::{self, TokenId};
use promql_parser::parser::{
    AggregateExpr, BinaryExpr, Call, Expr, LabelModifier, MatrixSelector, Offset, VectorMatchCardinality,
    VectorSelector,
};
use regex::Regex;

use crate::store::{Labels, Matcher, Store, is_stale, label_value};

/// Prometheus' default `--query.lookback-delta`.
pub const LOOKBACK_MS: i64 = 5 * 60 * 1000;
/// Prometheus' limit on points per series in a range query.
pub const MAX_RANGE_POINTS: i64 = 11_000;
/// Deeper expressions are refused, so evaluation's recursion cannot exhaust the stack.
const MAX_DEPTH: usize = 128;
/// Longer queries are refused before parsing (see `parse_supported`).
const MAX_QUERY_LEN: usize = 16 * 1024;

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum EvalError {
    /// The expression is not valid PromQL.
    #[error("cannot parse the PromQL expression: {0}")]
    Parse(String),
    /// Valid PromQL, but outside what the embedded evaluator implements.
    #[error(
        "{construct} is not supported by gonogo's embedded PromQL evaluator; use --prometheus (a real \
         Prometheus) for this query"
    )]
    Unsupported { construct: String },
    /// Evaluation failed as it would in Prometheus (the message is Prometheus' where it has one).
    #[error("{0}")]
    Execution(String),
    /// The query's time range or step is not usable.
    #[error("bad query range: {0}")]
    BadRange(String),
}

fn exec_err<T>(msg: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError::Execution(msg.into()))
}

/// One element of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    /// Milliseconds: the evaluation time in results; inside evaluation, a selector's sample time.
    pub t: i64,
    pub v: f64,
}

/// One series of a range vector or range-query result.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub points: Vec<(i64, f64)>,
}

/// A query result.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Time (ms) and value.
    Scalar(i64, f64),
    Vector(Vec<Sample>),
    Matrix(Vec<Series>),
    /// Time (ms) and string.
    String(i64, String),
}

impl Value {
    /// The Prometheus HTTP API's `data` object for this result: [`Value::to_api_string`] read
    /// back (with `arbitrary_precision`, times keep their digits), so there is one writer.
    pub fn to_api_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.to_api_string()).unwrap_or(serde_json::Value::Null)
    }
}

impl Value {
    /// The Prometheus HTTP API's `data` object, written straight as JSON text (times as
    /// seconds with at most millisecond digits, values as Go's `FormatFloat(v, 'f', -1)`): what
    /// an HTTP API sends, without building a tree of a value per point first.
    pub fn to_api_string(&self) -> String {
        use std::fmt::Write;
        fn time(out: &mut String, t_ms: i64) {
            let sign = if t_ms < 0 { "-" } else { "" };
            let abs = t_ms.unsigned_abs();
            let (sec, ms) = (abs / 1000, abs % 1000);
            let _ = if ms == 0 {
                write!(out, "{sign}{sec}")
            } else if ms % 100 == 0 {
                write!(out, "{sign}{sec}.{}", ms / 100)
            } else if ms % 10 == 0 {
                write!(out, "{sign}{sec}.{:02}", ms / 10)
            } else {
                write!(out, "{sign}{sec}.{ms:03}")
            };
        }
        fn value(out: &mut String, v: f64) {
            out.push('"');
            if v.is_nan() {
                out.push_str("NaN");
            } else if v == f64::INFINITY {
                out.push_str("+Inf");
            } else if v == f64::NEG_INFINITY {
                out.push_str("-Inf");
            } else {
                let _ = write!(out, "{v}");
            }
            out.push('"');
        }
        fn string(out: &mut String, s: &str) {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        fn metric(out: &mut String, l: &Labels) {
            out.push('{');
            for (i, (k, v)) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, k);
                out.push(':');
                string(out, v);
            }
            out.push('}');
        }
        let mut out = String::new();
        match self {
            Value::Scalar(t, v) => {
                out.push_str(r#"{"resultType":"scalar","result":["#);
                time(&mut out, *t);
                out.push(',');
                value(&mut out, *v);
                out.push_str("]}");
            }
            Value::String(t, s) => {
                out.push_str(r#"{"resultType":"string","result":["#);
                time(&mut out, *t);
                out.push(',');
                string(&mut out, s);
                out.push_str("]}");
            }
            Value::Vector(samples) => {
                out.push_str(r#"{"resultType":"vector","result":["#);
                for (i, s) in samples.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(r#"{"metric":"#);
                    metric(&mut out, &s.labels);
                    out.push_str(r#","value":["#);
                    time(&mut out, s.t);
                    out.push(',');
                    value(&mut out, s.v);
                    out.push_str("]}");
                }
                out.push_str("]}");
            }
            Value::Matrix(series) => {
                out.push_str(r#"{"resultType":"matrix","result":["#);
                for (i, s) in series.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(r#"{"metric":"#);
                    metric(&mut out, &s.labels);
                    out.push_str(r#","values":["#);
                    for (j, &(t, v)) in s.points.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        out.push('[');
                        time(&mut out, t);
                        out.push(',');
                        value(&mut out, v);
                        out.push(']');
                    }
                    out.push_str("]}");
                }
                out.push_str("]}");
            }
        }
        out
    }
}

/// A sample value as Go's `strconv.FormatFloat(v, 'f', -1, 64)` prints it, which Prometheus uses.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        // Rust's Display is the shortest round-tripping form without an exponent, like Go's 'f', -1.
        format!("{v}")
    }
}

/// Evaluates `expr` at `t_ms`.
pub fn instant(store: &Store, expr: &str, t_ms: i64) -> Result<Value, EvalError> {
    let ast = parse_supported(expr)?;
    let ev = Evaluator::new(store);
    let out = match ev.eval(&ast, t_ms)? {
        Val::Scalar(v) => Value::Scalar(t_ms, v),
        Val::Str(s) => Value::String(t_ms, s),
        Val::Vector(v) => {
            let mut v: Vec<Sample> =
                v.into_iter().map(|s| Sample { labels: (*s.labels).clone(), t: t_ms, v: s.v }).collect();
            // topk/bottomk give a meaningful order; everything else is sorted for stable output.
            if !ordered_result(&ast) {
                v.sort_by(|a, b| a.labels.cmp(&b.labels));
            }
            Value::Vector(v)
        }
        Val::Matrix(m) => {
            Value::Matrix(m.into_iter().map(|s| Series { labels: (*s.labels).clone(), points: s.points }).collect())
        }
    };
    Ok(out)
}

/// Evaluates `expr` at `start_ms`, `start_ms + step_ms`, ... up to `end_ms`: a matrix (a scalar
/// expression gives one series without labels, as in Prometheus).
pub fn range(store: &Store, expr: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> Result<Value, EvalError> {
    if step_ms <= 0 {
        return Err(EvalError::BadRange("zero or negative query resolution step widths are not accepted".into()));
    }
    if end_ms < start_ms {
        return Err(EvalError::BadRange("end timestamp must not be before start time".into()));
    }
    if (end_ms.saturating_sub(start_ms)) / step_ms >= MAX_RANGE_POINTS {
        return Err(EvalError::BadRange(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution \
             (?step=XX)"
                .into(),
        ));
    }
    let ast = parse_supported(expr)?;
    match ast.value_type() {
        promql_parser::parser::value::ValueType::Vector | promql_parser::parser::value::ValueType::Scalar => {}
        other => {
            return exec_err(format!(
                "invalid expression type \"{other}\" for range query, must be Scalar or instant Vector"
            ));
        }
    }
    let ev = Evaluator::new(store);
    // By the interned labels' address: the same series is the same allocation at every step.
    let mut index: PMap<*const Labels, usize> = PMap::default();
    let mut series: Vec<(RL, Vec<(i64, f64)>)> = Vec::new();
    let mut push = |labels: RL, t: i64, v: f64| {
        let i = *index.entry(ptr(&labels)).or_insert_with(|| {
            series.push((labels.clone(), Vec::new()));
            series.len() - 1
        });
        series[i].1.push((t, v));
    };
    let mut t = start_ms;
    while t <= end_ms {
        match ev.eval(&ast, t)? {
            Val::Scalar(v) => push(ev.intern(Vec::new()), t, v),
            Val::Vector(v) => {
                for s in v {
                    push(s.labels, t, s.v);
                }
            }
            Val::Matrix(_) | Val::Str(_) => {
                return exec_err("invalid expression type for range query, must be Scalar or instant Vector");
            }
        }
        t = match t.checked_add(step_ms) {
            Some(n) => n,
            None => break,
        };
    }
    series.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::Matrix(series.into_iter().map(|(labels, points)| Series { labels: (*labels).clone(), points }).collect()))
}

/// Refuses (with [`EvalError::Unsupported`]) any construct outside the implemented subset, without
/// looking at data.
pub fn check_supported(expr: &str) -> Result<(), EvalError> {
    parse_supported(expr).map(|_| ())
}

fn parse_supported(expr: &str) -> Result<Expr, EvalError> {
    // promql-parser recurses over long operator chains; past this length a 2 MiB thread stack could
    // overflow, and no real dashboard or alert query comes near it.
    if expr.len() > MAX_QUERY_LEN {
        return unsupported(format!("a query longer than {MAX_QUERY_LEN} bytes"));
    }
    let ast = promql_parser::parser::parse(expr).map_err(|e| {
        // promql-parser follows Prometheus 3, which renamed or dropped a few 2.x functions
        // (holt_winters): valid for a real Prometheus 2, so not merely a syntax error.
        match e.strip_prefix("unknown function with name ") {
            Some(name) => EvalError::Unsupported { construct: format!("the function {}()", name.trim_matches('\'')) },
            None => EvalError::Parse(e),
        }
    })?;
    check_node(&ast, 0)?;
    Ok(ast)
}

/// The expression inside any parentheses: Prometheus looks through them for range arguments.
fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        other => other,
    }
}

fn ordered_result(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => ordered_result(&p.expr),
        Expr::Aggregate(a) => matches!(a.op.id(), token::T_TOPK | token::T_BOTTOMK),
        _ => false,
    }
}

const MATRIX_FUNCS: &[&str] = &[
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
    "quantile_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "absent_over_time",
];

const OTHER_FUNCS: &[&str] = &[
    "scalar",
    "vector",
    "absent",
    "histogram_quantile",
    "clamp",
    "clamp_min",
    "clamp_max",
    "abs",
    "ceil",
    "floor",
    "round",
    "time",
    "timestamp",
    "label_replace",
    "sqrt",
    "exp",
    "ln",
    "log2",
    "log10",
];

fn unsupported<T>(construct: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError::Unsupported { construct: construct.into() })
}

fn check_selector(vs: &VectorSelector) -> Result<(), EvalError> {
    if vs.at.is_some() {
        return unsupported("the @ modifier");
    }
    if !vs.matchers.or_matchers.is_empty() {
        return unsupported("`or` inside label matchers");
    }
    Ok(())
}

fn check_node(e: &Expr, depth: usize) -> Result<(), EvalError> {
    if depth > MAX_DEPTH {
        return unsupported(format!("an expression nested deeper than {MAX_DEPTH} levels"));
    }
    let d = depth + 1;
    match e {
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Ok(()),
        Expr::VectorSelector(vs) => check_selector(vs),
        Expr::MatrixSelector(ms) => check_selector(&ms.vs),
        Expr::Subquery(_) => unsupported("a subquery"),
        Expr::Extension(_) => unsupported("an extension expression"),
        Expr::Paren(p) => check_node(&p.expr, d),
        Expr::Unary(u) => check_node(&u.expr, d),
        Expr::Binary(b) => {
            if b.op.id() == token::T_ATAN2 {
                return unsupported("the atan2 operator");
            }
            if let Some(m) = &b.modifier
                && (m.fill_values.lhs.is_some() || m.fill_values.rhs.is_some())
            {
                return unsupported("fill modifiers on binary operators");
            }
            check_node(&b.lhs, d)?;
            check_node(&b.rhs, d)
        }
        Expr::Aggregate(a) => {
            match a.op.id() {
                token::T_SUM
                | token::T_AVG
                | token::T_MIN
                | token::T_MAX
                | token::T_COUNT
                | token::T_STDDEV
                | token::T_STDVAR
                | token::T_TOPK
                | token::T_BOTTOMK
                | token::T_QUANTILE
                | token::T_COUNT_VALUES
                | token::T_GROUP => {}
                _ => return unsupported(format!("the {} aggregation", a.op)),
            }
            if let Some(p) = &a.param {
                check_node(p, d)?;
            }
            check_node(&a.expr, d)
        }
        Expr::Call(c) => {
            let name = c.func.name;
            if !MATRIX_FUNCS.contains(&name) && !OTHER_FUNCS.contains(&name) {
                return unsupported(format!("the function {name}()"));
            }
            for a in &c.args.args {
                check_node(a, d)?;
            }
            Ok(())
        }
    }
}

/// Maps keyed by addresses (of interned labels, of AST nodes) hash the address with one
/// multiply, as rustc's FxHash does: there is nothing for SipHash to defend against here.
#[derive(Default, Clone, Copy)]
struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type PMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<AddrHasher>>;
type PSet<K> = HashSet<K, std::hash::BuildHasherDefault<AddrHasher>>;

/// Label sets inside an evaluation: every one is interned (see [`Evaluator::intern`]), so two
/// are equal exactly when they are the same allocation, and copying one is a reference count.
type RL = Rc<Labels>;

fn ptr(l: &RL) -> *const Labels {
    Rc::as_ptr(l)
}

/// One element of an instant vector during evaluation.
#[derive(Clone)]
struct ISample {
    labels: RL,
    t: i64,
    v: f64,
}

/// One series of a range vector during evaluation.
struct ISeries {
    labels: RL,
    points: Vec<(i64, f64)>,
}

/// An intermediate value.
enum Val {
    Scalar(f64),
    Vector(Vec<ISample>),
    Matrix(Vec<ISeries>),
    Str(String),
}

impl Val {
    fn type_name(&self) -> &'static str {
        match self {
            Val::Scalar(_) => "scalar",
            Val::Vector(_) => "instant vector",
            Val::Matrix(_) => "range vector",
            Val::Str(_) => "string",
        }
    }
}

/// What one query computes once and reuses at every step of a range query: which series a
/// selector picks, and the label sets derived from a label set (by an AST node or a function).
#[derive(Default)]
struct Caches {
    /// Per selector, by its address in the AST (which outlives the query).
    selected: PMap<*const VectorSelector, Rc<Vec<Picked>>>,
    /// Every label set made during the query, once.
    interned: HashSet<RL>,
    /// (what derives, input) -> output; the input's address is unique because it is interned.
    derived: PMap<(usize, *const Labels), RL>,
}

/// A series a selector picked: its id, its interned labels, and where its last window began,
/// so the next step (always later) finds its window by moving forward, not by a new search.
struct Picked {
    id: usize,
    labels: RL,
    cursor: Cell<usize>,
}

/// The samples in `[mint, maxt]`, found from the cursor of the previous window.
fn window_from<'s>(samples: &'s [(i64, f64)], cursor: &Cell<usize>, mint: i64, maxt: i64) -> &'s [(i64, f64)] {
    let n = samples.len();
    let mut lo = cursor.get().min(n);
    if lo > 0 && samples[lo - 1].0 >= mint {
        // Earlier than the last window (not in a range query's order): search afresh.
        lo = samples.partition_point(|&(t, _)| t < mint);
    } else if lo < n && samples[lo].0 < mint {
        // Gallop forward, then search the last stride.
        let mut step = 1;
        while lo + step < n && samples[lo + step].0 < mint {
            step *= 2;
        }
        let end = (lo + step).min(n);
        lo += samples[lo..end].partition_point(|&(t, _)| t < mint);
    }
    cursor.set(lo);
    let mut hi = lo;
    while hi < n && samples[hi].0 <= maxt {
        hi += 1;
    }
    &samples[lo..hi]
}

/// Tags of [`Evaluator::derive`] for derivations that are not tied to an AST node.
const DROP_NAME: usize = 1;
const HIST_KEY: usize = 2;
const HIST_LABELS: usize = 3;

struct Evaluator<'a> {
    store: &'a Store,
    cache: RefCell<Caches>,
}

impl<'a> Evaluator<'a> {
    fn new(store: &'a Store) -> Evaluator<'a> {
        Evaluator { store, cache: RefCell::new(Caches::default()) }
    }

    /// The one shared copy of this label set.
    fn intern(&self, l: Labels) -> RL {
        let mut c = self.cache.borrow_mut();
        if let Some(r) = c.interned.get(&l) {
            return r.clone();
        }
        let r = Rc::new(l);
        c.interned.insert(r.clone());
        r
    }

    /// `f(input)`, computed once per query for each `(tag, input)`.
    fn derive(&self, tag: usize, input: &RL, f: impl FnOnce(&Labels) -> Labels) -> RL {
        if let Some(r) = self.cache.borrow().derived.get(&(tag, ptr(input))) {
            return r.clone();
        }
        let out = self.intern(f(input));
        self.cache.borrow_mut().derived.insert((tag, ptr(input)), out.clone());
        out
    }

    /// The labels without `__name__`.
    fn drop_name(&self, l: &RL) -> RL {
        if !l.iter().any(|(k, _)| k == "__name__") {
            return l.clone();
        }
        self.derive(DROP_NAME, l, |l| l.iter().filter(|(k, _)| k != "__name__").cloned().collect())
    }

    /// The series a selector picks, with their interned labels, sorted by labels.
    fn selected(&self, vs: &VectorSelector) -> Rc<Vec<Picked>> {
        let key = vs as *const VectorSelector;
        if let Some(s) = self.cache.borrow().selected.get(&key) {
            return s.clone();
        }
        let ids = self.store.select_ids(&selector_matchers(vs));
        let list: Vec<Picked> = ids
            .into_iter()
            .map(|id| Picked { id, labels: self.intern(self.store.labels_of(id).clone()), cursor: Cell::new(0) })
            .collect();
        let list = Rc::new(list);
        self.cache.borrow_mut().selected.insert(key, list.clone());
        list
    }
}

fn duration_ms(d: &std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4).min(i64::MAX / 4)
}

fn offset_ms(o: &Option<Offset>) -> i64 {
    match o {
        None => 0,
        Some(Offset::Pos(d)) => duration_ms(d),
        Some(Offset::Neg(d)) => -duration_ms(d),
    }
}

fn selector_matchers(vs: &VectorSelector) -> Vec<Matcher> {
    let mut out = Vec::new();
    if let Some(name) = &vs.name {
        out.push(Matcher::equal("__name__", name));
    }
    for m in &vs.matchers.matchers {
        let op = match &m.op {
            PMatchOp::Equal => crate::store::MatchOp::Equal(m.value.clone()),
            PMatchOp::NotEqual => crate::store::MatchOp::NotEqual(m.value.clone()),
            // promql-parser compiles these already anchored as ^(?:re)$.
            PMatchOp::Re(r) => crate::store::MatchOp::Regex(r.clone()),
            PMatchOp::NotRe(r) => crate::store::MatchOp::NotRegex(r.clone()),
        };
        out.push(Matcher { name: m.name.clone(), op });
    }
    out
}

fn drop_name(mut l: Labels) -> Labels {
    l.retain(|(k, _)| k != "__name__");
    l
}

fn set_label(l: &mut Labels, name: &str, value: &str) {
    l.retain(|(k, _)| k != name);
    if !value.is_empty() {
        let pos = l.partition_point(|(k, _)| k.as_str() < name);
        l.insert(pos, (name.to_string(), value.to_string()));
    }
}

fn check_dups(v: &[ISample]) -> Result<(), EvalError> {
    // Interned: the same labels are the same allocation.
    let mut seen: PSet<*const Labels> = PSet::with_capacity_and_hasher(v.len(), Default::default());
    for s in v {
        if !seen.insert(ptr(&s.labels)) {
            return exec_err("vector cannot contain metrics with the same labelset");
        }
    }
    Ok(())
}

fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) }
}

fn valid_label_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Ascending, NaN first, as Prometheus' `vectorByValueHeap` orders for quantiles.
fn sort_nan_first(v: &mut [f64]) {
    v.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
}

/// Prometheus' `quantile` (aggregation and `quantile_over_time`).
fn quantile(q: f64, mut values: Vec<f64>) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    sort_nan_first(&mut values);
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    let at = |i: f64| values.get(i as usize).copied().unwrap_or(f64::NAN);
    at(lower) * (1.0 - weight) + at(upper) * weight
}

/// Prometheus 2.42's `bucketQuantile` over classic buckets `(upper bound, cumulative count)`.
fn bucket_quantile(q: f64, mut buckets: Vec<(f64, f64)>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    match buckets.last() {
        Some(&(ub, _)) if ub == f64::INFINITY => {}
        _ => return f64::NAN,
    }
    // Coalesce buckets with the same upper bound (e.g. `le="1"` and `le="1.0"`).
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(buckets.len());
    for (ub, c) in buckets {
        match merged.last_mut() {
            Some(last) if last.0 == ub => last.1 += c,
            _ => merged.push((ub, c)),
        }
    }
    // Counts scraped at slightly different moments can decrease; treat them as monotonic.
    let mut max = f64::NEG_INFINITY;
    for b in &mut merged {
        if b.1 > max {
            max = b.1;
        } else if b.1 < max {
            b.1 = max;
        }
    }
    let buckets = merged;
    if buckets.len() < 2 {
        return f64::NAN;
    }
    let observations = buckets[buckets.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let rank = q * observations;
    let search = &buckets[..buckets.len() - 1];
    let b = search.partition_point(|x| {
        // Go's sort.Search for the first bucket with count >= rank (a NaN compares false).
        !matches!(x.1.partial_cmp(&rank), Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal))
    });
    if b == buckets.len() - 1 {
        return buckets[buckets.len() - 2].0;
    }
    if b == 0 && buckets[0].0 <= 0.0 {
        return buckets[0].0;
    }
    let (mut start, end, mut count, mut rank) = (0.0, buckets[b].0, buckets[b].1, rank);
    if b > 0 {
        start = buckets[b - 1].0;
        count -= buckets[b - 1].1;
        rank -= buckets[b - 1].1;
    }
    start + (end - start) * (rank / count)
}

/// Prometheus' `extrapolatedRate`, for rate, increase and delta.
fn extrapolated_rate(
    points: &[(i64, f64)],
    range_start: i64,
    range_end: i64,
    range_s: f64,
    counter: bool,
    rate: bool,
) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (first_t, first_v) = points[0];
    let (last_t, last_v) = points[points.len() - 1];
    let mut result = last_v - first_v;
    if counter {
        let mut prev = first_v;
        for &(_, v) in &points[1..] {
            if v < prev {
                result += prev;
            }
            prev = v;
        }
    }
    let mut to_start = (first_t - range_start) as f64 / 1000.0;
    let to_end = (range_end - last_t) as f64 / 1000.0;
    let sampled = (last_t - first_t) as f64 / 1000.0;
    let avg = sampled / (points.len() - 1) as f64;
    if counter && result > 0.0 && first_v >= 0.0 {
        // Counters cannot go below zero: do not extrapolate past where this one would reach it.
        let to_zero = sampled * (first_v / result);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    let threshold = avg * 1.1;
    let mut interval = sampled;
    interval += if to_start < threshold { to_start } else { avg / 2.0 };
    interval += if to_end < threshold { to_end } else { avg / 2.0 };
    let mut factor = interval / sampled;
    if rate {
        factor /= range_s;
    }
    Some(result * factor)
}

/// Prometheus' `instantValue`, for irate and idelta.
fn instant_value(points: &[(i64, f64)], rate: bool) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (lt, lv) = points[points.len() - 1];
    let (pt, pv) = points[points.len() - 2];
    let mut result = if rate && lv < pv { lv } else { lv - pv };
    let interval = lt - pt;
    if interval == 0 {
        return None;
    }
    if rate {
        result /= interval as f64 / 1000.0;
    }
    Some(result)
}

fn avg_of(values: impl Iterator<Item = f64>) -> f64 {
    let mut mean = 0.0;
    let mut count = 0.0;
    for v in values {
        count += 1.0;
        if count == 1.0 {
            mean = v;
            continue;
        }
        if mean.is_infinite() {
            // Inf - Inf would be NaN although the mean is already right.
            if v.is_infinite() && (mean > 0.0) == (v > 0.0) {
                continue;
            }
            if !v.is_infinite() && !v.is_nan() {
                continue;
            }
        }
        // Divide each side before subtracting to avoid overflowing.
        mean += v / count - mean / count;
    }
    mean
}

fn stdvar_of(values: impl Iterator<Item = f64>) -> f64 {
    let (mut count, mut mean, mut aux) = (0.0, 0.0, 0.0);
    for v in values {
        count += 1.0;
        let delta = v - mean;
        mean += delta / count;
        aux += delta * (v - mean);
    }
    aux / count
}

/// `(value, keep)` of a binary operator on two floats, as Prometheus' `vectorElemBinop`.
fn elem_binop(op: TokenId, l: f64, r: f64) -> Result<(f64, bool), EvalError> {
    Ok(match op {
        token::T_ADD => (l + r, true),
        token::T_SUB => (l - r, true),
        token::T_MUL => (l * r, true),
        token::T_DIV => (l / r, true),
        token::T_POW => (l.powf(r), true),
        token::T_MOD => (l % r, true),
        token::T_EQLC => (l, l == r),
        token::T_NEQ => (l, l != r),
        token::T_GTR => (l, l > r),
        token::T_LSS => (l, l < r),
        token::T_GTE => (l, l >= r),
        token::T_LTE => (l, l <= r),
        _ => return exec_err(format!("operator {} not allowed here", token::TokenType::new(op))),
    })
}

fn is_comparison(op: TokenId) -> bool {
    matches!(op, token::T_EQLC | token::T_NEQ | token::T_GTR | token::T_LSS | token::T_GTE | token::T_LTE)
}

fn is_arithmetic(op: TokenId) -> bool {
    matches!(op, token::T_ADD | token::T_SUB | token::T_MUL | token::T_DIV | token::T_POW | token::T_MOD)
}

/// How a binary operation's two vectors match.
struct Matching {
    on: bool,
    labels: Vec<String>,
    card: Card,
    include: Vec<String>,
}

#[derive(PartialEq, Clone, Copy)]
enum Card {
    OneToOne,
    ManyToOne,
    OneToMany,
}

impl Matching {
    fn signature(&self, l: &Labels) -> Labels {
        if self.on {
            l.iter().filter(|(k, _)| self.labels.iter().any(|n| n == k)).cloned().collect()
        } else {
            l.iter().filter(|(k, _)| k != "__name__" && !self.labels.iter().any(|n| n == k)).cloned().collect()
        }
    }
}

impl<'a> Evaluator<'a> {
    fn signature(&self, b: &BinaryExpr, m: &Matching, l: &RL) -> RL {
        self.derive(b as *const BinaryExpr as usize, l, |l| m.signature(l))
    }

    fn eval(&self, e: &Expr, t: i64) -> Result<Val, EvalError> {
        match e {
            Expr::NumberLiteral(n) => Ok(Val::Scalar(n.val)),
            Expr::StringLiteral(s) => Ok(Val::Str(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr, t),
            Expr::VectorSelector(vs) => Ok(Val::Vector(self.select_instant(vs, t)?)),
            Expr::MatrixSelector(ms) => Ok(Val::Matrix(self.select_range(ms, t)?)),
            Expr::Unary(u) => match self.eval(&u.expr, t)? {
                Val::Scalar(v) => Ok(Val::Scalar(-v)),
                Val::Vector(v) => {
                    let out: Vec<ISample> =
                        v.into_iter().map(|s| ISample { labels: self.drop_name(&s.labels), t, v: -s.v }).collect();
                    check_dups(&out)?;
                    Ok(Val::Vector(out))
                }
                other => exec_err(format!("unary minus is not defined on a {}", other.type_name())),
            },
            Expr::Binary(b) => self.eval_binary(b, t),
            Expr::Aggregate(a) => self.eval_aggregate(a, t),
            Expr::Call(c) => self.eval_call(c, t),
            Expr::Subquery(_) => unsupported("a subquery"),
            Expr::Extension(_) => unsupported("an extension expression"),
        }
    }

    fn select_instant(&self, vs: &VectorSelector, t: i64) -> Result<Vec<ISample>, EvalError> {
        check_selector(vs)?;
        let ref_t = t.saturating_sub(offset_ms(&vs.offset));
        let selected = self.selected(vs);
        let mut out = Vec::new();
        for p in selected.iter() {
            let w = window_from(self.store.samples(p.id), &p.cursor, ref_t.saturating_sub(LOOKBACK_MS), ref_t);
            // The newest sample within the lookback window is the value, unless it marks staleness.
            if let Some(&(st, v)) = w.last()
                && !is_stale(v)
            {
                out.push(ISample { labels: p.labels.clone(), t: st, v });
            }
        }
        Ok(out)
    }

    /// Samples in `[ref - range, ref]` (closed on the left in Prometheus 2.x), staleness markers left out.
    fn select_range(&self, ms: &MatrixSelector, t: i64) -> Result<Vec<ISeries>, EvalError> {
        let mut out = Vec::new();
        self.each_window(ms, t, |labels, points| {
            out.push(ISeries { labels: labels.clone(), points: points.to_vec() });
        })?;
        Ok(out)
    }

    /// Every selected series' samples in `[ref - range, ref]`, staleness markers left out,
    /// borrowed from the store unless a marker must be removed.
    fn each_window(&self, ms: &MatrixSelector, t: i64, mut f: impl FnMut(&RL, &[(i64, f64)])) -> Result<(), EvalError> {
        check_selector(&ms.vs)?;
        let ref_t = t.saturating_sub(offset_ms(&ms.vs.offset));
        let mint = ref_t.saturating_sub(duration_ms(&ms.range));
        let selected = self.selected(&ms.vs);
        let mut scratch = Vec::new();
        for p in selected.iter() {
            let (labels, w) = (&p.labels, window_from(self.store.samples(p.id), &p.cursor, mint, ref_t));
            if w.iter().any(|&(_, v)| is_stale(v)) {
                scratch.clear();
                scratch.extend(w.iter().copied().filter(|&(_, v)| !is_stale(v)));
                if !scratch.is_empty() {
                    f(labels, &scratch);
                }
            } else if !w.is_empty() {
                f(labels, w);
            }
        }
        Ok(())
    }

    fn vector(&self, e: &Expr, t: i64) -> Result<Vec<ISample>, EvalError> {
        match self.eval(e, t)? {
            Val::Vector(v) => Ok(v),
            other => exec_err(format!("expected an instant vector, got a {}", other.type_name())),
        }
    }

    fn scalar(&self, e: &Expr, t: i64) -> Result<f64, EvalError> {
        match self.eval(e, t)? {
            Val::Scalar(v) => Ok(v),
            other => exec_err(format!("expected a scalar, got a {}", other.type_name())),
        }
    }

    fn string(&self, e: &Expr, t: i64) -> Result<String, EvalError> {
        match self.eval(e, t)? {
            Val::Str(s) => Ok(s),
            other => exec_err(format!("expected a string, got a {}", other.type_name())),
        }
    }

    fn eval_binary(&self, b: &BinaryExpr, t: i64) -> Result<Val, EvalError> {
        let op = b.op.id();
        let return_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
        let lhs = self.eval(&b.lhs, t)?;
        let rhs = self.eval(&b.rhs, t)?;
        match (lhs, rhs) {
            (Val::Scalar(l), Val::Scalar(r)) => {
                let (v, keep) = elem_binop(op, l, r)?;
                if is_comparison(op) { Ok(Val::Scalar(if keep { 1.0 } else { 0.0 })) } else { Ok(Val::Scalar(v)) }
            }
            (Val::Vector(v), Val::Scalar(s)) => self.vector_scalar(op, v, s, false, return_bool, t),
            (Val::Scalar(s), Val::Vector(v)) => self.vector_scalar(op, v, s, true, return_bool, t),
            (Val::Vector(l), Val::Vector(r)) => {
                let m = self.matching(b, op);
                let sig = |s: &ISample| ptr(&self.signature(b, &m, &s.labels));
                let out = match op {
                    token::T_LAND => {
                        let sigs: PSet<*const Labels> = r.iter().map(sig).collect();
                        l.into_iter().filter(|s| sigs.contains(&sig(s))).collect()
                    }
                    token::T_LUNLESS => {
                        let sigs: PSet<*const Labels> = r.iter().map(sig).collect();
                        l.into_iter().filter(|s| !sigs.contains(&sig(s))).collect()
                    }
                    token::T_LOR => {
                        let sigs: PSet<*const Labels> = l.iter().map(sig).collect();
                        let mut out = l;
                        out.extend(r.into_iter().filter(|s| !sigs.contains(&sig(s))));
                        out
                    }
                    _ => self.vector_binop(b, op, l, r, &m, return_bool)?,
                };
                let out: Vec<ISample> = out.into_iter().map(|s| ISample { t, ..s }).collect();
                check_dups(&out)?;
                Ok(Val::Vector(out))
            }
            (l, r) => exec_err(format!(
                "binary operator {} is not defined between a {} and a {}",
                b.op,
                l.type_name(),
                r.type_name()
            )),
        }
    }

    fn matching(&self, b: &BinaryExpr, op: TokenId) -> Matching {
        let mut m = Matching { on: false, labels: Vec::new(), card: Card::OneToOne, include: Vec::new() };
        if let Some(modifier) = &b.modifier {
            match &modifier.matching {
                Some(LabelModifier::Include(ls)) => {
                    m.on = true;
                    m.labels = ls.labels.clone();
                }
                Some(LabelModifier::Exclude(ls)) => m.labels = ls.labels.clone(),
                None => {}
            }
            if !matches!(op, token::T_LAND | token::T_LOR | token::T_LUNLESS) {
                match &modifier.card {
                    VectorMatchCardinality::ManyToOne(ls) => {
                        m.card = Card::ManyToOne;
                        m.include = ls.labels.clone();
                    }
                    VectorMatchCardinality::OneToMany(ls) => {
                        m.card = Card::OneToMany;
                        m.include = ls.labels.clone();
                    }
                    _ => {}
                }
            }
        }
        m
    }

    fn vector_scalar(
        &self,
        op: TokenId,
        v: Vec<ISample>,
        s: f64,
        swap: bool,
        return_bool: bool,
        t: i64,
    ) -> Result<Val, EvalError> {
        let mut out = Vec::with_capacity(v.len());
        for smp in v {
            let (l, r) = if swap { (s, smp.v) } else { (smp.v, s) };
            let (mut value, mut keep) = elem_binop(op, l, r)?;
            // The vector's value is the result of a filtering comparison, whichever side it is on.
            if is_comparison(op) && swap {
                value = r;
            }
            if return_bool {
                value = if keep { 1.0 } else { 0.0 };
                keep = true;
            }
            if keep {
                let labels = if is_arithmetic(op) || return_bool { self.drop_name(&smp.labels) } else { smp.labels };
                out.push(ISample { labels, t, v: value });
            }
        }
        check_dups(&out)?;
        Ok(Val::Vector(out))
    }

    fn eval_aggregate(&self, a: &AggregateExpr, t: i64) -> Result<Val, EvalError> {
        let op = a.op.id();
        let mut param_f = None;
        let mut param_s = None;
        if let Some(p) = &a.param {
            if op == token::T_COUNT_VALUES {
                param_s = Some(self.string(p, t)?);
            } else {
                param_f = Some(self.scalar(p, t)?);
            }
        }
        let input = self.vector(&a.expr, t)?;
        let (without, grouping): (bool, Vec<String>) = match &a.modifier {
            Some(LabelModifier::Include(ls)) => (false, ls.labels.clone()),
            Some(LabelModifier::Exclude(ls)) => (true, ls.labels.clone()),
            None => (false, Vec::new()),
        };
        let mut input = input;
        let mut grouping = grouping;
        if let Some(label) = &param_s {
            if !valid_label_name(label) {
                return exec_err(format!("invalid label name {label:?}"));
            }
            // count_values groups by the value as a label, too.
            for s in &mut input {
                let mut l = (*s.labels).clone();
                set_label(&mut l, label, &format_value(s.v));
                s.labels = self.intern(l);
            }
            if !without {
                grouping.push(label.clone());
            }
        }
        let group_of = |l: &Labels| -> Labels {
            if without {
                l.iter().filter(|(k, _)| k != "__name__" && !grouping.contains(k)).cloned().collect()
            } else {
                l.iter().filter(|(k, _)| grouping.contains(k)).cloned().collect()
            }
        };
        // count_values' grouping depends on its parameter, which may change between steps.
        let tag = if param_s.is_some() { 0 } else { a as *const AggregateExpr as usize };
        // Groups in order of first appearance, as Prometheus emits them.
        let mut order: Vec<RL> = Vec::new();
        let mut groups: PMap<*const Labels, Vec<ISample>> = PMap::default();
        for s in input {
            let g = if tag == 0 { self.intern(group_of(&s.labels)) } else { self.derive(tag, &s.labels, group_of) };
            match groups.get_mut(&ptr(&g)) {
                Some(members) => members.push(s),
                None => {
                    groups.insert(ptr(&g), vec![s]);
                    order.push(g);
                }
            }
        }
        let mut out = Vec::new();
        if matches!(op, token::T_TOPK | token::T_BOTTOMK) {
            let k = param_f.unwrap_or(f64::NAN);
            if !(-9.223372036854776e18..=9.223372036854776e18).contains(&k) {
                return exec_err(format!("Scalar value {} overflows int64", format_value(k)));
            }
            if k < 1.0 {
                return Ok(Val::Vector(Vec::new()));
            }
            let k = k as usize;
            for g in &order {
                let Some(mut members) = groups.remove(&ptr(g)) else { continue };
                // Highest first for topk (lowest for bottomk); NaN always last, as Prometheus' heaps rank it.
                members.sort_by(|x, y| {
                    use std::cmp::Ordering::*;
                    match (x.v.is_nan(), y.v.is_nan()) {
                        (true, true) => Equal,
                        (true, false) => Greater,
                        (false, true) => Less,
                        _ if op == token::T_TOPK => y.v.partial_cmp(&x.v).unwrap_or(Equal),
                        _ => x.v.partial_cmp(&y.v).unwrap_or(Equal),
                    }
                });
                members.truncate(k);
                out.extend(members.into_iter().map(|s| ISample { t, ..s }));
            }
            return Ok(Val::Vector(out));
        }
        for g in order {
            let Some(members) = groups.remove(&ptr(&g)) else { continue };
            let values = members.iter().map(|s| s.v);
            let v = match op {
                token::T_SUM => values.sum(),
                token::T_AVG => avg_of(values),
                token::T_COUNT | token::T_COUNT_VALUES => members.len() as f64,
                token::T_GROUP => 1.0,
                token::T_MAX => values.fold(f64::NAN, |m, v| if m < v || m.is_nan() { v } else { m }),
                token::T_MIN => values.fold(f64::NAN, |m, v| if m > v || m.is_nan() { v } else { m }),
                token::T_STDVAR => stdvar_of(values),
                token::T_STDDEV => stdvar_of(values).sqrt(),
                token::T_QUANTILE => quantile(param_f.unwrap_or(f64::NAN), values.collect()),
                _ => return unsupported(format!("the {} aggregation", a.op)),
            };
            out.push(ISample { labels: g, t, v });
        }
        Ok(Val::Vector(out))
    }

    fn eval_call(&self, c: &Call, t: i64) -> Result<Val, EvalError> {
        let name = c.func.name;
        let args = &c.args.args;
        let arg = |i: usize| -> Result<&Expr, EvalError> {
            args.get(i).map(|b| &**b).ok_or_else(|| EvalError::Execution(format!("{name}() is missing an argument")))
        };
        if MATRIX_FUNCS.contains(&name) {
            return self.eval_matrix_call(c, t);
        }
        let simple = |f: fn(f64) -> f64| -> Result<Val, EvalError> {
            let v = self.vector(arg(0)?, t)?;
            let out: Vec<ISample> =
                v.into_iter().map(|s| ISample { labels: self.drop_name(&s.labels), t, v: f(s.v) }).collect();
            check_dups(&out)?;
            Ok(Val::Vector(out))
        };
        match name {
            "time" => Ok(Val::Scalar(t as f64 / 1000.0)),
            "vector" => {
                Ok(Val::Vector(vec![ISample { labels: self.intern(Vec::new()), t, v: self.scalar(arg(0)?, t)? }]))
            }
            "scalar" => {
                let v = self.vector(arg(0)?, t)?;
                Ok(Val::Scalar(if v.len() == 1 { v[0].v } else { f64::NAN }))
            }
            "abs" => simple(f64::abs),
            "ceil" => simple(f64::ceil),
            "floor" => simple(f64::floor),
            "sqrt" => simple(f64::sqrt),
            "exp" => simple(f64::exp),
            "ln" => simple(f64::ln),
            "log2" => simple(f64::log2),
            "log10" => simple(f64::log10),
            "round" => {
                let v = self.vector(arg(0)?, t)?;
                let to_nearest = match args.get(1) {
                    Some(e) => self.scalar(e, t)?,
                    None => 1.0,
                };
                // Prometheus rounds half up, through the inverse, exactly so.
                let inv = 1.0 / to_nearest;
                let out: Vec<ISample> = v
                    .into_iter()
                    .map(|s| ISample { labels: self.drop_name(&s.labels), t, v: (s.v * inv + 0.5).floor() / inv })
                    .collect();
                check_dups(&out)?;
                Ok(Val::Vector(out))
            }
            "clamp" | "clamp_min" | "clamp_max" => {
                let v = self.vector(arg(0)?, t)?;
                let (lo, hi) = match name {
                    "clamp" => (self.scalar(arg(1)?, t)?, self.scalar(arg(2)?, t)?),
                    "clamp_min" => (self.scalar(arg(1)?, t)?, f64::INFINITY),
                    _ => (f64::NEG_INFINITY, self.scalar(arg(1)?, t)?),
                };
                if name == "clamp" && hi < lo {
                    return Ok(Val::Vector(Vec::new()));
                }
                let out: Vec<ISample> = v
                    .into_iter()
                    .map(|s| {
                        let v = match name {
                            "clamp" => go_max(lo, go_min(hi, s.v)),
                            "clamp_min" => go_max(lo, s.v),
                            _ => go_min(hi, s.v),
                        };
                        ISample { labels: self.drop_name(&s.labels), t, v }
                    })
                    .collect();
                check_dups(&out)?;
                Ok(Val::Vector(out))
            }
            "timestamp" => {
                // Only a bare selector yields its samples' own times; anything computed is "now".
                let direct = matches!(unparen(arg(0)?), Expr::VectorSelector(_));
                let v = self.vector(arg(0)?, t)?;
                let out: Vec<ISample> = v
                    .into_iter()
                    .map(|s| {
                        let ts = if direct { s.t } else { t };
                        ISample { labels: self.drop_name(&s.labels), t, v: ts as f64 / 1000.0 }
                    })
                    .collect();
                check_dups(&out)?;
                Ok(Val::Vector(out))
            }
            "label_replace" => {
                let v = self.vector(arg(0)?, t)?;
                let dst = self.string(arg(1)?, t)?;
                let repl = self.string(arg(2)?, t)?;
                let src = self.string(arg(3)?, t)?;
                let re_s = self.string(arg(4)?, t)?;
                let re = Regex::new(&format!("^(?:{re_s})$")).map_err(|_| {
                    EvalError::Execution(format!("invalid regular expression in label_replace(): {re_s}"))
                })?;
                if !valid_label_name(&dst) {
                    return exec_err(format!("invalid destination label name in label_replace(): {dst}"));
                }
                let mut out = Vec::with_capacity(v.len());
                for mut s in v {
                    let src_val = label_value(&s.labels, &src).unwrap_or("").to_string();
                    if let Some(caps) = re.captures(&src_val) {
                        let mut res = String::new();
                        caps.expand(&repl, &mut res);
                        let mut l = (*s.labels).clone();
                        set_label(&mut l, &dst, &res);
                        s.labels = self.intern(l);
                    }
                    out.push(ISample { t, ..s });
                }
                check_dups(&out)?;
                Ok(Val::Vector(out))
            }
            "histogram_quantile" => {
                let q = self.scalar(arg(0)?, t)?;
                let v = self.vector(arg(1)?, t)?;
                let mut order: Vec<*const Labels> = Vec::new();
                type Buckets = (RL, Vec<(f64, f64)>);
                let mut groups: PMap<*const Labels, Buckets> = PMap::default();
                for s in v {
                    // A missing or malformed `le` is skipped, as Prometheus does.
                    let Some(Ok(ub)) = label_value(&s.labels, "le").map(|le| le.parse::<f64>()) else {
                        continue;
                    };
                    let key =
                        self.derive(HIST_KEY, &s.labels, |l| l.iter().filter(|(k, _)| k != "le").cloned().collect());
                    let entry = groups.entry(ptr(&key)).or_insert_with(|| {
                        order.push(ptr(&key));
                        let labels = self.derive(HIST_LABELS, &s.labels, |l| {
                            l.iter().filter(|(k, _)| k != "le" && k != "__name__").cloned().collect()
                        });
                        (labels, Vec::new())
                    });
                    entry.1.push((ub, s.v));
                }
                let mut out = Vec::new();
                for k in order {
                    if let Some((labels, buckets)) = groups.remove(&k) {
                        out.push(ISample { labels, t, v: bucket_quantile(q, buckets) });
                    }
                }
                check_dups(&out)?;
                Ok(Val::Vector(out))
            }
            "absent" => {
                let v = self.vector(arg(0)?, t)?;
                if !v.is_empty() {
                    return Ok(Val::Vector(Vec::new()));
                }
                Ok(Val::Vector(vec![ISample { labels: self.intern(absent_labels(arg(0)?)), t, v: 1.0 }]))
            }
            _ => unsupported(format!("the function {name}()")),
        }
    }

    fn eval_matrix_call(&self, c: &Call, t: i64) -> Result<Val, EvalError> {
        let name = c.func.name;
        let args = &c.args.args;
        let (ms_expr, q) = if name == "quantile_over_time" {
            let q = match args.first() {
                Some(e) => self.scalar(e, t)?,
                None => return exec_err("quantile_over_time() needs two arguments"),
            };
            (args.get(1), q)
        } else {
            (args.first(), f64::NAN)
        };
        let ms = match ms_expr.map(|b| unparen(b)) {
            Some(Expr::MatrixSelector(ms)) => ms,
            Some(Expr::Subquery(_)) => return unsupported("a subquery"),
            _ => return exec_err(format!("{name}() expects a range vector selector")),
        };
        if name == "absent_over_time" {
            let mut any = false;
            self.each_window(ms, t, |_, _| any = true)?;
            if any {
                return Ok(Val::Vector(Vec::new()));
            }
            return Ok(Val::Vector(vec![ISample {
                labels: self.intern(absent_labels(&Expr::MatrixSelector(ms.clone()))),
                t,
                v: 1.0,
            }]));
        }
        let ref_t = t.saturating_sub(offset_ms(&ms.vs.offset));
        let range = duration_ms(&ms.range);
        let range_start = ref_t.saturating_sub(range);
        let range_s = range as f64 / 1000.0;
        let mut out = Vec::new();
        let mut failed = None;
        self.each_window(ms, t, |labels, p| {
            if failed.is_some() {
                return;
            }
            let vals = || p.iter().map(|&(_, v)| v);
            let v = match name {
                "rate" => extrapolated_rate(p, range_start, ref_t, range_s, true, true),
                "increase" => extrapolated_rate(p, range_start, ref_t, range_s, true, false),
                "delta" => extrapolated_rate(p, range_start, ref_t, range_s, false, false),
                "irate" => instant_value(p, true),
                "idelta" => instant_value(p, false),
                "resets" => Some(p.windows(2).filter(|w| w[1].1 < w[0].1).count() as f64),
                "changes" => {
                    Some(p.windows(2).filter(|w| w[1].1 != w[0].1 && !(w[1].1.is_nan() && w[0].1.is_nan())).count()
                        as f64)
                }
                "avg_over_time" => Some(avg_of(vals())),
                "sum_over_time" => Some(vals().sum()),
                "count_over_time" => Some(p.len() as f64),
                "last_over_time" => p.last().map(|&(_, v)| v),
                "min_over_time" => Some(vals().fold(f64::NAN, |m, v| if m > v || m.is_nan() { v } else { m })),
                "max_over_time" => Some(vals().fold(f64::NAN, |m, v| if m < v || m.is_nan() { v } else { m })),
                "quantile_over_time" => Some(quantile(q, vals().collect())),
                "stdvar_over_time" => Some(stdvar_of(vals())),
                "stddev_over_time" => Some(stdvar_of(vals()).sqrt()),
                _ => {
                    failed = Some(format!("the function {name}()"));
                    None
                }
            };
            if let Some(v) = v {
                // last_over_time is the one range function that keeps the metric name.
                let labels = if name == "last_over_time" { labels.clone() } else { self.drop_name(labels) };
                out.push(ISample { labels, t, v });
            }
        })?;
        if let Some(construct) = failed {
            return unsupported(construct);
        }
        check_dups(&out)?;
        Ok(Val::Vector(out))
    }
}

/// The labels `absent()` gives: those of the selector's equality matchers, except a label matched
/// more than once or by any other operator (Prometheus' `createLabelsForAbsentFunction`).
fn absent_labels(e: &Expr) -> Labels {
    let vs = match e {
        Expr::VectorSelector(vs) => vs,
        Expr::MatrixSelector(ms) => &ms.vs,
        _ => return Vec::new(),
    };
    let mut out: Labels = Vec::new();
    let mut drop: Vec<&str> = Vec::new();
    for m in &vs.matchers.matchers {
        if m.name == "__name__" {
            continue;
        }
        if matches!(m.op, PMatchOp::Equal) && label_value(&out, &m.name).is_none() {
            set_label(&mut out, &m.name, &m.value);
        } else {
            drop.push(&m.name);
        }
    }
    out.retain(|(k, _)| !drop.contains(&k.as_str()));
    out
}

/// Prometheus' `VectorBinop` for arithmetic and comparison operators between two vectors.
impl Evaluator<'_> {
    fn vector_binop(
        &self,
        b: &BinaryExpr,
        op: TokenId,
        lhs: Vec<ISample>,
        rhs: Vec<ISample>,
        m: &Matching,
        return_bool: bool,
    ) -> Result<Vec<ISample>, EvalError> {
        // For one-to-many, swap the sides so the "one" side is always on the right.
        let (lhs, rhs) = if m.card == Card::OneToMany { (rhs, lhs) } else { (lhs, rhs) };
        let mut right: PMap<*const Labels, ISample> = PMap::with_capacity_and_hasher(rhs.len(), Default::default());
        for rs in rhs {
            let sig = self.signature(b, m, &rs.labels);
            if let Some(dup) = right.get(&ptr(&sig)) {
                let side = if m.card == Card::OneToMany { "left" } else { "right" };
                return exec_err(format!(
                    "found duplicate series for the match group {} on the {side} hand-side of the operation: [{}, {}];\
                 many-to-many matching not allowed: matching labels must be unique on one side",
                    fmt_labels(&sig),
                    fmt_labels(&rs.labels),
                    fmt_labels(&dup.labels)
                ));
            }
            right.insert(ptr(&sig), rs);
        }
        let mut matched: PMap<*const Labels, PSet<*const Labels>> = PMap::default();
        let mut out = Vec::new();
        for ls in lhs {
            let sig = ptr(&self.signature(b, m, &ls.labels));
            let Some(rs) = right.get(&sig) else { continue };
            let (vl, vr) = if m.card == Card::OneToMany { (rs.v, ls.v) } else { (ls.v, rs.v) };
            let (mut value, keep) = elem_binop(op, vl, vr)?;
            if return_bool {
                value = if keep { 1.0 } else { 0.0 };
            } else if !keep {
                continue;
            }
            let mut metric = result_metric(&ls.labels, &rs.labels, op, m);
            if return_bool {
                metric = drop_name(metric);
            }
            let metric = self.intern(metric);
            let exists = matched.contains_key(&sig);
            if m.card == Card::OneToOne {
                if exists {
                    return exec_err(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
                    );
                }
                matched.insert(sig, PSet::default());
            } else {
                let set = matched.entry(sig).or_default();
                if !set.insert(ptr(&metric)) {
                    return exec_err("multiple matches for labels: grouping labels must ensure unique matches");
                }
            }
            out.push(ISample { labels: metric, t: 0, v: value });
        }
        Ok(out)
    }
}

fn result_metric(lhs: &Labels, rhs: &Labels, op: TokenId, m: &Matching) -> Labels {
    let mut l = lhs.clone();
    if is_arithmetic(op) {
        l = drop_name(l);
    }
    if m.card == Card::OneToOne {
        if m.on {
            l.retain(|(k, _)| m.labels.contains(k));
        } else {
            l.retain(|(k, _)| !m.labels.contains(k));
        }
    }
    // Labels named by group_x come from the "one" side.
    for name in &m.include {
        let v = label_value(rhs, name).unwrap_or("").to_string();
        set_label(&mut l, name, &v);
    }
    l
}

fn fmt_labels(l: &Labels) -> String {
    let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(format_value(0.5), "0.5");
        assert_eq!(format_value(1e21), "1000000000000000000000");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
        let time = |t: i64| Value::Scalar(t, 0.0).to_api_json()["result"][0].to_string();
        assert_eq!(time(1_700_000_000_123), "1700000000.123");
        assert_eq!(time(1_700_000_000_000), "1700000000");
        assert_eq!(time(-1_500), "-1.5");
    }

    #[test]
    fn api_json_shapes() {
        let mut st = Store::new(i64::MAX, 10);
        let l = |v: &str| vec![("__name__".to_string(), "m".to_string()), ("i".to_string(), v.to_string())];
        st.append(&l("a"), 0, 1.0).unwrap();
        st.append(&l("b"), 0, 3.0).unwrap();
        let t = 1_700_000_000_123;
        // The text writer and the JSON tree say the same, to the byte.
        let j = |e: &str| {
            let v = instant(&st, e, 60_000).unwrap();
            let text = v.to_api_json().to_string();
            assert_eq!(v.to_api_string(), text);
            text
        };
        assert_eq!(j("1 / 0"), r#"{"resultType":"scalar","result":[60,"+Inf"]}"#);
        assert_eq!(j("\"x\""), r#"{"resultType":"string","result":[60,"x"]}"#);
        assert_eq!(
            j("topk(2, m)"),
            r#"{"resultType":"vector","result":[{"metric":{"__name__":"m","i":"b"},"value":[60,"3"]},{"metric":{"__name__":"m","i":"a"},"value":[60,"1"]}]}"#
        );
        assert_eq!(j("sum(m) / 8"), r#"{"resultType":"vector","result":[{"metric":{},"value":[60,"0.5"]}]}"#);
        assert_eq!(
            j("m[1m]"),
            r#"{"resultType":"matrix","result":[{"metric":{"__name__":"m","i":"a"},"values":[[0,"1"]]},{"metric":{"__name__":"m","i":"b"},"values":[[0,"3"]]}]}"#
        );
        let r = range(&st, "time()", t, t + 1000, 1000).unwrap().to_api_json().to_string();
        assert_eq!(
            r,
            r#"{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000.123,"1700000000.123"],[1700000001.123,"1700000001.123"]]}]}"#
        );
        let odd = vec![("__name__".to_string(), "m".to_string()), ("i".to_string(), "q\"\\\n\u{1}é".to_string())];
        st.append(&odd, 0, 0.25).unwrap();
        for q in ["m", "m[1m]", "label_replace(m, \"x\", \"$1\", \"i\", \"(.*)\")"] {
            let v = range(&st, q, 0, 120_010, 15_010).or_else(|_| instant(&st, q, 120)).unwrap();
            assert_eq!(v.to_api_string(), v.to_api_json().to_string(), "{q}");
        }
        assert!(range(&st, "m[1m]", 0, 1, 1).is_err());
        assert!(matches!(range(&st, "m", 0, 10_000_000_000, 1), Err(EvalError::BadRange(_))));
    }

    #[test]
    fn unsupported_names_the_construct() {
        let e = check_supported("rate(x[5m:1m])").unwrap_err();
        assert!(e.to_string().contains("subquery") && e.to_string().contains("--prometheus"), "{e}");
        assert!(matches!(check_supported("x @ 100"), Err(EvalError::Unsupported { .. })));
        assert!(matches!(check_supported("sort(x)"), Err(EvalError::Unsupported { .. })));
        check_supported("sum by (a) (rate(x{b=~\"c.*\"}[5m])) > bool 1").unwrap();
        // Deep nesting and huge chains are refused, not a stack overflow.
        for e in [format!("{}x{}", "(".repeat(5000), ")".repeat(5000)), format!("x{}", " + x".repeat(20_000))] {
            assert!(matches!(check_supported(&e), Err(EvalError::Unsupported { .. })));
        }
    }
}
