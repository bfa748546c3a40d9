//! The check report as people and tools read it: a compiler-style listing for the terminal,
//! Markdown for a pull-request comment, SARIF 2.1.0 for code scanning. JSON is `Report::to_json`.

use crate::diag::{Diagnostic, Pos};
use crate::model::Review;
use crate::rules::{self, Finding, Severity};
use crate::verdict::{Report, Verdict};
use serde_json::json;
use std::fmt::Write;

/// Terminal colours, on only when writing to a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
    fn red(&self, t: &str) -> String {
        self.paint("1;31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("1;33", t)
    }
    fn cyan(&self, t: &str) -> String {
        self.paint("1;36", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("1;32", t)
    }
    fn blue(&self, t: &str) -> String {
        self.paint("1;34", t)
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
}

/// The source's lines, indexed once so that thousands of findings stay cheap to draw.
pub struct Source<'a> {
    pub name: &'a str,
    lines: Vec<&'a str>,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Source { name, lines: text.lines().collect() }
    }

    /// The source line under `at` with a marker under the value, compiler style.
    fn snippet(&self, out: &mut String, at: Pos, label: &str, st: Style, covered: bool, sev: Option<Severity>) {
        let gutter = at.line.to_string().len().max(2);
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}{} {}:{}:{}", st.blue("-->"), self.name, at.line, at.column);
        let Some(line) = self.lines.get(at.line.saturating_sub(1) as usize) else { return };
        let _ = writeln!(out, "{pad} {}", st.blue("|"));
        let _ = writeln!(out, "{} {} {}", st.blue(&format!("{:>gutter$}", at.line)), st.blue("|"), line.trim_end());
        let col = at.column.saturating_sub(1) as usize;
        let width: usize = line.chars().count().saturating_sub(col).max(1);
        let len = (at.len as usize).clamp(1, width);
        let marks = "^".repeat(len);
        let marks = match (covered, sev) {
            (true, _) => st.cyan(&marks),
            (_, Some(Severity::Warning)) => st.yellow(&marks),
            _ => st.red(&marks),
        };
        let label = if label.is_empty() { String::new() } else { format!(" {label}") };
        let _ = writeln!(out, "{pad} {} {}{marks}{label}", st.blue("|"), " ".repeat(col));
    }
}

/// The report for a terminal: each finding with its source line, then the verdict.
pub fn human(review: &Review, report: &Report, src: &Source, st: Style) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let head = match (f.severity, f.covered) {
            (Severity::Blocker, false) => st.red(&format!("blocker[{}]", f.rule)),
            (Severity::Blocker, true) => st.cyan(&format!("blocker[{}] (covered)", f.rule)),
            (Severity::Warning, _) => st.yellow(&format!("warning[{}]", f.rule)),
        };
        let _ = writeln!(out, "{head}: {}", st.bold(&f.message));
        let label = match f.covered_by.and_then(|i| review.decision.as_ref().and_then(|d| d.conditions.get(i))) {
            Some(c) => format!("covered by condition: {}", truncate(&c.text.value, 70)),
            None => String::new(),
        };
        src.snippet(&mut out, f.pos(), &label, st, f.covered, Some(f.severity));
        let _ = writeln!(out);
    }
    out.push_str(&summary(review, report, st));
    out
}

/// One line: the verdict and the counts behind it.
pub fn summary(review: &Review, report: &Report, st: Style) -> String {
    let blockers = report.blockers().count();
    let open = report.open_blockers().count();
    let warnings = report.warnings().count();
    let banner = match report.verdict {
        Verdict::Go => st.green(report.verdict.banner()),
        Verdict::GoWithConditions => st.yellow(report.verdict.banner()),
        Verdict::NoGo => st.red(report.verdict.banner()),
    };
    let why = match report.verdict {
        Verdict::Go => "no blocker".to_string(),
        Verdict::GoWithConditions => {
            format!("{blockers} blocker{}, all covered by the decision's conditions", plural(blockers))
        }
        Verdict::NoGo if open == 0 => "the recorded decision is NO-GO".to_string(),
        Verdict::NoGo => format!("{open} uncovered blocker{} of {blockers}", plural(open)),
    };
    format!(
        "{}: {banner} for {} {} ({why}; {warnings} warning{})\n",
        st.bold("verdict"),
        review.release.service.value,
        review.release.version.value,
        plural(warnings)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n).collect::<String>()) }
}

/// Problems that make the file not a review, drawn like findings.
pub fn human_errors(diags: &[Diagnostic], src: &Source, st: Style) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(out, "{}: {}", st.red("error"), st.bold(&d.message));
        src.snippet(&mut out, d.pos(), "", st, false, None);
        if let Some(h) = &d.hint {
            let pad = " ".repeat(d.line.to_string().len().max(2));
            let _ = writeln!(out, "{pad} {} {}: {h}", st.blue("="), st.bold("help"));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "{}: {} is not a valid review ({} problem{})",
        st.red("error"),
        src.name,
        diags.len(),
        plural(diags.len())
    );
    out
}

/// The errors of an invalid file as JSON, for `--format json`.
pub fn json_errors(file: &str, diags: &[Diagnostic]) -> String {
    let first = diags.first();
    let v = json!({
        "error": first.map(|d| format!("{file}:{}:{}: {}", d.line, d.column, d.message)).unwrap_or_default(),
        "line": first.map(|d| d.line),
        "errors": diags,
    });
    serde_json::to_string_pretty(&v).expect("serializes")
}

fn md_escape(s: &str) -> String {
    crate::render::md_text(s, true)
}

/// Text inside a code span of a table cell.
fn md_code(s: &str) -> String {
    s.replace('`', "'").replace('|', "\\|").replace('\n', " ")
}

/// A pull-request comment: the verdict, then a table of findings, open blockers first.
pub fn markdown(review: &Review, report: &Report, file: &str) -> String {
    let mut out = String::new();
    let icon = match report.verdict {
        Verdict::Go => "✅",
        Verdict::GoWithConditions => "⚠️",
        Verdict::NoGo => "⛔",
    };
    let _ = writeln!(
        out,
        "### {icon} gonogo: {} — {} {}\n",
        report.verdict.banner(),
        md_escape(&review.release.service.value),
        md_escape(&review.release.version.value)
    );
    let open = report.open_blockers().count();
    let covered = report.blockers().count() - open;
    let warnings = report.warnings().count();
    let decision = report.decision.map(|d| format!("`{d}`")).unwrap_or_else(|| "none recorded".into());
    let _ = writeln!(
        out,
        "Decision: {decision} · {open} open blocker{} · {covered} covered by conditions · {warnings} warning{}\n",
        plural(open),
        plural(warnings)
    );
    if report.findings.is_empty() {
        out.push_str("No findings: every item of the review is ready.\n");
        return out;
    }
    out.push_str("| | Rule | Where | Finding |\n|---|---|---|---|\n");
    let mut rows: Vec<&Finding> = report.findings.iter().collect();
    rows.sort_by_key(|f| (f.severity == Severity::Warning, f.covered, f.line));
    for f in rows {
        let mark = match (f.severity, f.covered) {
            (Severity::Blocker, false) => "⛔ blocker",
            (Severity::Blocker, true) => "☑️ covered",
            (Severity::Warning, _) => "⚠️ warning",
        };
        let _ = writeln!(
            out,
            "| {mark} | `{}` | `{}:{}` `{}` | {} |",
            f.rule,
            md_code(file),
            f.line,
            md_code(&f.path),
            md_escape(&f.message)
        );
    }
    out
}

/// SARIF 2.1.0: every finding a result on its line; covered blockers carry an in-source
/// suppression whose justification is the condition that covers them.
pub fn sarif(review: &Review, report: &Report, file: &str) -> String {
    let rules: Vec<_> = rules::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": format!("{} {}", r.summary, r.why) },
                "help": { "text": r.why },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "severity": r.severity.as_str() },
            })
        })
        .collect();
    let results: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let mut res = json!({
                "ruleId": f.rule,
                "ruleIndex": rules::RULES.iter().position(|r| r.id == f.rule),
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": f.line, "startColumn": f.column, "endColumn": f.column + f.len.max(1) },
                    },
                    "logicalLocations": [{ "fullyQualifiedName": f.path, "kind": "member" }],
                }],
                "partialFingerprints": { "gonogo/v1": format!("{}:{}", f.rule, f.path) },
                "properties": { "severity": f.severity.as_str(), "covered": f.covered, "path": f.path },
            });
            if f.covered {
                let why = f
                    .covered_by
                    .and_then(|i| review.decision.as_ref().and_then(|d| d.conditions.get(i)))
                    .map(|c| c.text.value.clone())
                    .unwrap_or_default();
                res["suppressions"] = json!([{ "kind": "inSource", "justification": why }]);
            }
            res
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gonogo",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "properties": { "verdict": report.verdict.as_str(), "decision": report.decision },
        }],
    });
    serde_json::to_string_pretty(&doc).expect("serializes")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "error",
        Severity::Warning => "warning",
    }
}
