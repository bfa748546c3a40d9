//! What the rules need of PromQL: is a query valid, and which metrics does it read.

use promql_parser::parser::{self, Expr};

/// Parses a query; the error is the parser's reason.
pub fn parse(query: &str) -> Result<Expr, String> {
    if query.trim().is_empty() {
        return Err("the query is empty".into());
    }
    parser::parse(query)
}

/// Functions of Prometheus 2.42's PromQL (`promql-parser` also knows 3.x's, which a 2.x
/// server rejects as unknown).
const FUNCTIONS_2_42: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "days_in_month",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "deg",
    "delta",
    "deriv",
    "exp",
    "floor",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "time",
    "timestamp",
    "vector",
    "year",
];

const AGGREGATORS_2_42: &[&str] =
    &["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile"];

/// A query a trigger or a dashboard can use against Prometheus 2.x: valid PromQL, only 2.42's
/// functions, and an instant vector or scalar (a range vector or a string has no value to
/// compare with a threshold).
pub fn check(query: &str) -> Result<Expr, String> {
    let expr = parse(query)?;
    let mut unknown = Vec::new();
    constructs(&expr, &mut unknown);
    if let Some(u) = unknown.first() {
        return Err(format!("`{u}` is not in Prometheus 2.x's PromQL"));
    }
    match expr.value_type() {
        promql_parser::parser::value::ValueType::Vector | promql_parser::parser::value::ValueType::Scalar => Ok(expr),
        other => Err(format!(
            "the query returns a {other}; a trigger or dashboard needs an instant vector or a scalar{}",
            if other.to_string() == "matrix" { " (wrap the range in rate(), avg_over_time(), …)" } else { "" }
        )),
    }
}

/// Calls `f` on every node of the expression, parents first.
fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Aggregate(a) => {
            visit(&a.expr, f);
            if let Some(p) = &a.param {
                visit(p, f);
            }
        }
        Expr::Unary(u) => visit(&u.expr, f),
        Expr::Binary(b) => {
            visit(&b.lhs, f);
            visit(&b.rhs, f);
        }
        Expr::Paren(p) => visit(&p.expr, f),
        Expr::Subquery(s) => visit(&s.expr, f),
        Expr::Call(c) => c.args.args.iter().for_each(|a| visit(a, f)),
        Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::Extension(_) => {}
    }
}

/// Aggregators and functions Prometheus 2.42 does not know.
fn constructs(e: &Expr, unknown: &mut Vec<String>) {
    visit(e, &mut |n| match n {
        Expr::Aggregate(a) => {
            let op = a.op.to_string().to_ascii_lowercase();
            if !AGGREGATORS_2_42.contains(&op.as_str()) {
                unknown.push(op);
            }
        }
        Expr::Call(c) if !FUNCTIONS_2_42.contains(&c.func.name) => unknown.push(format!("{}()", c.func.name)),
        _ => {}
    });
}

/// The metric names a query selects, in order of first appearance.
pub fn metric_names(query: &str) -> Result<Vec<String>, String> {
    let expr = parse(query)?;
    let mut names = Vec::new();
    visit(&expr, &mut |n| match n {
        Expr::VectorSelector(vs) => selector_name(vs, &mut names),
        Expr::MatrixSelector(ms) => selector_name(&ms.vs, &mut names),
        _ => {}
    });
    Ok(names)
}

fn selector_name(vs: &parser::VectorSelector, out: &mut Vec<String>) {
    let name = vs.name.clone().or_else(|| {
        vs.matchers.matchers.iter().find(|m| m.name == "__name__" && m.op.to_string() == "=").map(|m| m.value.clone())
    });
    if let Some(n) = name
        && !out.contains(&n)
    {
        out.push(n);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        let q = "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) + on() vector(0) * up";
        assert_eq!(super::metric_names(q).unwrap(), vec!["http_requests_total", "up"]);
        assert_eq!(super::metric_names("{__name__=\"x\"}").unwrap(), vec!["x"]);
        assert!(super::parse("sum(rate(x[5m])").is_err());
    }

    #[test]
    fn checks_what_prometheus_2_accepts() {
        assert!(super::check("sum(rate(x[5m])) / sum(rate(y[5m]))").is_ok());
        assert!(super::check("scalar(up)").is_ok());
        assert!(super::check("x[5m]").unwrap_err().contains("range"), "{:?}", super::check("x[5m]"));
        assert!(super::check("\"str\"").unwrap_err().contains("string"));
        assert_eq!(super::check("limitk(2, x)").unwrap_err(), "`limitk` is not in Prometheus 2.x's PromQL");
        assert_eq!(
            super::check("sort_by_label(x, \"a\")").unwrap_err(),
            "`sort_by_label()` is not in Prometheus 2.x's PromQL"
        );
    }
}
