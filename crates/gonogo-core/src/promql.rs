//! What the rules need of PromQL: is a query valid, and which metrics does it read.

use promql_parser::parser::{self, Expr};

/// Parses a query; the error is the parser's reason.
pub fn parse(query: &str) -> Result<Expr, String> {
    if query.trim().is_empty() {
        return Err("the query is empty".into());
    }
    parser::parse(query)
}

/// The metric names a query selects, in order of first appearance.
pub fn metric_names(query: &str) -> Result<Vec<String>, String> {
    let expr = parse(query)?;
    let mut names = Vec::new();
    walk(&expr, &mut names);
    Ok(names)
}

fn walk(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Aggregate(a) => {
            walk(&a.expr, out);
            if let Some(p) = &a.param {
                walk(p, out);
            }
        }
        Expr::Unary(u) => walk(&u.expr, out),
        Expr::Binary(b) => {
            walk(&b.lhs, out);
            walk(&b.rhs, out);
        }
        Expr::Paren(p) => walk(&p.expr, out),
        Expr::Subquery(s) => walk(&s.expr, out),
        Expr::VectorSelector(vs) => selector_name(vs, out),
        Expr::MatrixSelector(ms) => selector_name(&ms.vs, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, out)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
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
}
