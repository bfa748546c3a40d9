//! The meeting document (`gonogo render`): the review laid out section by section like the
//! seed's template, with the verdict banner, as GitHub-flavoured Markdown or as one
//! self-contained HTML page that prints as the meeting record.
//!
//! Both formats are written from one format-neutral `Doc`, so they cannot drift apart in
//! what they say or in the order they say it.

use crate::duration::Duration;
use crate::model::*;
use crate::rules::{self, Finding};
use crate::verdict::{Report, Verdict};
use std::fmt::Write;

/// The seed's purpose line, kept so the printed record says what the meeting was for.
const PURPOSE: &str = "Purpose: confirm the team is ready to deploy safely and agree on a go / no-go decision.";

// ---------------------------------------------------------------------------------------
// The document, independent of its format.

/// A run of text with one style. A link whose `href` starts with `#` points into the page.
enum Span {
    Text(String),
    Code(String),
    Strong(String),
    Em(String),
    Link { text: String, href: String },
}

type Line = Vec<Span>;

/// A list item or table row; `id` is its anchor in the HTML page.
struct Item<T> {
    id: Option<String>,
    body: T,
}

struct Field {
    label: &'static str,
    value: Line,
    items: Vec<Item<Line>>,
}

enum Block {
    Fields(Vec<Field>),
    Para(Line),
    /// Data the review does not have: said in one line, because the gap is itself news.
    Absent(&'static str),
    Sub(&'static str),
    List(Vec<Item<Line>>),
    Steps(Vec<Item<Line>>),
    Table {
        head: &'static [&'static str],
        rows: Vec<Item<Vec<Line>>>,
    },
}

struct Section {
    id: &'static str,
    title: String,
    /// Set on the verdict banner only.
    banner: Option<Verdict>,
    blocks: Vec<Block>,
}

struct Doc {
    title: String,
    sections: Vec<Section>,
}

fn text(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

fn code(s: impl Into<String>) -> Span {
    Span::Code(s.into())
}

fn user(s: &S<String>) -> String {
    s.value.trim().to_string()
}

fn not_recorded() -> Line {
    vec![Span::Em("not recorded".into())]
}

fn or_missing(value: Option<String>) -> Line {
    value.map(|v| vec![text(v)]).unwrap_or_else(not_recorded)
}

fn field(label: &'static str, value: Line) -> Field {
    Field { label, value, items: Vec::new() }
}

fn item(body: Line) -> Item<Line> {
    Item { id: None, body }
}

fn section(id: &'static str, title: &str, blocks: Vec<Block>) -> Section {
    Section { id, title: title.to_string(), banner: None, blocks }
}

fn absent(id: &'static str, title: &str, message: &'static str) -> Section {
    section(id, title, vec![Block::Absent(message)])
}

/// A link only for schemes a reader can safely follow; anything else (`javascript:`, an
/// unresolved `${…}`) stays visible as text so nothing is hidden and nothing runs.
fn link(label: &str, url: &str) -> Span {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let safe = ["https://", "http://", "mailto:"].iter().any(|s| lower.starts_with(s)) && !u.contains("${");
    if safe { Span::Link { text: label.to_string(), href: u.to_string() } } else { text(format!("{label}: {u}")) }
}

fn person(r: &Review, handle: &str) -> String {
    let handle = handle.trim();
    match r.name_of(handle) {
        Some(name) => format!("{} ({handle})", name.trim()),
        None => handle.to_string(),
    }
}

fn window(w: &Window) -> String {
    let ms = w.end.value.duration_since(w.start.value).as_millis();
    let length = u64::try_from(ms).map(|millis| format!(" ({})", Duration { millis })).unwrap_or_default();
    format!("{} → {}{length}", w.start.value, w.end.value)
}

fn number(v: f64) -> String {
    format!("{v}")
}

fn threshold(t: Threshold) -> String {
    format!("{} {}", t.op(), number(t.value()))
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn yes_no(v: Option<&S<bool>>, yes: &str, no: &str) -> Line {
    match v.map(|b| b.value) {
        Some(true) => vec![text(yes)],
        Some(false) => vec![text(no)],
        None => not_recorded(),
    }
}

fn document(r: &Review, rep: &Report) -> Doc {
    let title = format!("{} {} — Deployment Readiness Review", user(&r.release.service), user(&r.release.version));
    let sections = vec![
        meeting(r),
        verdict(r, rep),
        checklist(r),
        testing(r),
        rollback(r),
        on_call(r),
        monitoring(r),
        decision(r),
        action_items(r),
        follow_up(r),
    ];
    Doc { title, sections }
}

fn meeting(r: &Review) -> Section {
    let Some(m) = &r.meeting else { return absent("meeting", "Meeting Details", "No meeting details recorded.") };
    let attendees: Vec<String> = m
        .attendees
        .iter()
        .map(|a| match &a.name {
            Some(n) => format!("{} ({})", user(n), user(&a.handle)),
            None => user(&a.handle),
        })
        .collect();
    let attendees = (!attendees.is_empty()).then(|| attendees.join(", "));
    section(
        "meeting",
        "Meeting Details",
        vec![Block::Fields(vec![
            field("Date", or_missing(m.date.as_ref().map(|d| d.value.to_string()))),
            field("Facilitator", or_missing(m.facilitator.as_ref().map(|f| person(r, &f.value)))),
            field("Attendees", or_missing(attendees)),
            field("Duration", or_missing(m.duration.as_ref().map(|d| d.value.to_string()))),
        ])],
    )
}

// ---------------------------------------------------------------------------------------
// The verdict banner.

fn verdict(r: &Review, rep: &Report) -> Section {
    let icon = match rep.verdict {
        Verdict::Go => "✅",
        Verdict::GoWithConditions => "⚠️",
        Verdict::NoGo => "⛔",
    };
    let recorded = match r.outcome() {
        Some(o) => format!(" The recorded decision is {}.", outcome(o)),
        None => " No decision is recorded yet.".to_string(),
    };
    let mut blocks = vec![Block::Para(vec![
        Span::Strong(rep.verdict.banner().to_string()),
        text(format!(": {}.{recorded}", verdict_reason(rep))),
    ])];
    let open: Vec<Item<Line>> = rep.open_blockers().map(|f| finding_item(r, f)).collect();
    if open.is_empty() {
        blocks.push(Block::Para(vec![text("No open blockers.")]));
    } else {
        blocks.extend([Block::Sub("Open blockers"), Block::List(open)]);
    }
    let covered: Vec<Item<Line>> = rep.blockers().filter(|f| f.covered).map(|f| finding_item(r, f)).collect();
    if !covered.is_empty() {
        blocks.extend([Block::Sub("Covered blockers"), Block::List(covered)]);
    }
    let warnings: Vec<Item<Line>> = rep.warnings().map(|f| finding_item(r, f)).collect();
    if !warnings.is_empty() {
        blocks.extend([Block::Sub("Warnings"), Block::List(warnings)]);
    }
    let title = format!("{icon} Verdict: {}", rep.verdict.banner());
    Section { id: "verdict", title, banner: Some(rep.verdict), blocks }
}

fn verdict_reason(rep: &Report) -> String {
    let blockers = rep.blockers().count() as u64;
    let open = rep.open_blockers().count() as u64;
    match rep.verdict {
        Verdict::Go => "no blocker".to_string(),
        Verdict::GoWithConditions => {
            format!("{blockers} blocker{}, all covered by the decision's conditions", plural(blockers))
        }
        Verdict::NoGo if open == 0 => "the recorded decision is NO-GO".to_string(),
        Verdict::NoGo => format!("{open} open blocker{} of {blockers}", plural(open)),
    }
}

fn finding_item(r: &Review, f: &Finding) -> Item<Line> {
    let mut line = vec![
        code(f.rule),
        text(format!(" (line {}): ", f.line)),
        Span::Link { text: f.message.clone(), href: format!("#{}", anchor(&f.path)) },
    ];
    if let Some(n) = f.covered_by {
        let owner = r
            .decision
            .as_ref()
            .and_then(|d| d.conditions.get(n))
            .and_then(|c| c.owner.as_ref())
            .map(|o| format!(", owner {}", o.value.trim()))
            .unwrap_or_default();
        line.push(text(format!(" — covered by condition {}{owner}", n + 1)));
    }
    item(line)
}

/// Where in the page a finding's path points: the row or list item it is about when it has
/// one, else its section. Every id returned here is written by the section builders below.
fn anchor(path: &str) -> String {
    const ROWS: &[(&str, &str)] = &[
        ("checklist[", "checklist"),
        ("monitoring[", "monitoring"),
        ("rollback.triggers[", "trigger"),
        ("action_items[", "action-item"),
        ("decision.conditions[", "condition"),
        ("testing.known_issues[", "known-issue"),
    ];
    for (prefix, id) in ROWS {
        if let Some(rest) = path.strip_prefix(prefix)
            && let Some((index, _)) = rest.split_once(']')
            && let Ok(i) = index.parse::<usize>()
        {
            return format!("{id}-{i}");
        }
    }
    let head = path.split(['.', '[']).next().unwrap_or_default();
    match head {
        "release" | "checklist" => "release",
        "meeting" => "meeting",
        "testing" => "testing",
        "rollback" => "rollback",
        "on_call" => "on-call",
        "monitoring" => "monitoring",
        "decision" => "decision",
        "action_items" => "action-items",
        "follow_up" => "follow-up",
        _ => "verdict",
    }
    .to_string()
}

// ---------------------------------------------------------------------------------------
// The seed's sections.

fn checklist(r: &Review) -> Section {
    let mut blocks = vec![Block::Fields(release_fields(&r.release))];
    if r.checklist.is_empty() {
        blocks.push(Block::Absent("No release checklist recorded."));
    } else {
        let rows = r
            .checklist
            .iter()
            .enumerate()
            .map(|(i, c)| Item { id: Some(format!("checklist-{i}")), body: checklist_row(c) })
            .collect();
        blocks.push(Block::Table { head: &["Item", "Status", "Owner", "Notes"], rows });
    }
    section("release", "Release Checklist", blocks)
}

fn release_fields(rel: &Release) -> Vec<Field> {
    let tag = match &rel.tag {
        Some(t) => {
            let frozen = if rel.frozen.as_ref().is_some_and(|f| f.value) { " (frozen)" } else { " (not frozen)" };
            vec![code(user(t)), text(frozen)]
        }
        None => vec![Span::Em("not tagged".into())],
    };
    let runbook = match &rel.runbook {
        Some(u) if !u.value.trim().is_empty() => vec![link("Deployment runbook", &u.value)],
        _ => vec![Span::Em("no runbook linked".into())],
    };
    vec![field("Release tag", tag), field("Runbook", runbook)]
}

fn checklist_row(c: &ChecklistItem) -> Vec<Line> {
    let status = c.status.as_ref().map(|s| s.value.label()).unwrap_or("⬜ No status");
    let owner = c.owner.as_ref().map(user).unwrap_or_else(|| "—".into());
    let mut notes: Line = c.notes.iter().map(|n| text(user(n))).collect();
    if let Some(l) = &c.link {
        if !notes.is_empty() {
            notes.push(text(" "));
        }
        notes.push(link("link", &l.value));
    }
    if notes.is_empty() {
        notes.push(text("—"));
    }
    vec![vec![text(user(&c.item))], vec![text(status)], vec![text(owner)], notes]
}

fn testing(r: &Review) -> Section {
    let Some(t) = &r.testing else { return absent("testing", "Testing Status", "No testing status recorded.") };
    let issues: Vec<Item<Line>> = t
        .known_issues
        .iter()
        .enumerate()
        .map(|(i, k)| Item { id: Some(format!("known-issue-{i}")), body: known_issue(k) })
        .collect();
    let issues_value = if issues.is_empty() { vec![text("none recorded")] } else { Vec::new() };
    let fields = vec![
        field("QA sign-off", qa_signoff(r, t.qa_signoff.as_ref())),
        Field { label: "Known issues shipping", value: issues_value, items: issues },
        field("Regression suite", or_missing(t.regression.as_ref().map(regression))),
        field("Load test", t.load_test.as_ref().map(load_test).unwrap_or_else(not_recorded)),
    ];
    section("testing", "Testing Status", vec![Block::Fields(fields)])
}

fn qa_signoff(r: &Review, q: Option<&QaSignoff>) -> Line {
    let Some(q) = q else { return vec![text("❌ Not received")] };
    let mut s = String::from("✅ Received");
    if let Some(at) = &q.at {
        let _ = write!(s, " {}", at.value);
    }
    if let Some(by) = &q.by {
        let _ = write!(s, " from {}", person(r, &by.value));
    }
    let mut line = vec![text(s)];
    if let Some(l) = &q.link {
        line.extend([text(" — "), link("QA review notes", &l.value)]);
    }
    line
}

fn known_issue(k: &KnownIssue) -> Line {
    let mut line = vec![Span::Strong(format!("P{}", k.priority.value))];
    if let Some(id) = &k.id {
        line.push(text(format!(" {}", user(id))));
    }
    line.push(text(format!(": {}", k.title.as_ref().map(user).unwrap_or_else(|| "(untitled)".into()))));
    if let Some(fix) = &k.fix {
        line.push(text(format!(" — fix: {}", user(fix))));
    }
    if let Some(l) = &k.link {
        line.extend([text(" "), link("issue", &l.value)]);
    }
    line
}

fn regression(g: &Regression) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &g.total {
        parts.push(format!("{} cases", t.value));
    }
    if let Some(p) = &g.passed {
        parts.push(format!("{} passed", p.value));
    }
    if let Some(f) = &g.failed {
        let f = f.value;
        let pre = match g.preexisting.as_ref().map(|p| p.value) {
            Some(p) if f > p => format!(" ({p} pre-existing, {} new)", f - p),
            Some(p) => format!(" ({p} pre-existing)"),
            None => String::new(),
        };
        parts.push(format!("{f} failure{}{pre}", plural(f)));
    }
    if parts.is_empty() { "no counts recorded".into() } else { parts.join(", ") }
}

fn load_test(l: &LoadTest) -> Line {
    let mut s = match l.passed.as_ref().map(|p| p.value) {
        Some(true) => "✅ Passed".to_string(),
        Some(false) => "❌ Failed".to_string(),
        None => "Result not recorded".to_string(),
    };
    if !l.limits.is_empty() {
        let limits: Vec<String> = l.limits.iter().map(user).collect();
        let _ = write!(s, " at {}", limits.join(", "));
    }
    if let Some(n) = &l.notes {
        let _ = write!(s, ". {}", user(n));
    }
    vec![text(s)]
}

fn rollback(r: &Review) -> Section {
    let Some(rb) = &r.rollback else { return absent("rollback", "Rollback Plan", "No rollback plan recorded.") };
    let target = r.release.previous.as_ref().map(|p| vec![code(user(p))]).unwrap_or_else(not_recorded);
    let tested = rb.tested_in_staging.as_ref().map(|s| vec![text(s.value.label())]).unwrap_or_else(not_recorded);
    let mut blocks = vec![
        Block::Fields(vec![field("Tested in staging", tested), field("Rollback target (previous release)", target)]),
        Block::Sub("Rollback triggers"),
    ];
    if rb.triggers.is_empty() {
        blocks.push(Block::Absent("No rollback triggers recorded."));
    } else {
        blocks.push(Block::Para(vec![text("Any one of these fires → roll back immediately.")]));
        let triggers = rb.triggers.iter().enumerate();
        blocks.push(Block::List(
            triggers.map(|(i, t)| Item { id: Some(format!("trigger-{i}")), body: trigger(t) }).collect(),
        ));
    }
    blocks.push(Block::Sub("Rollback steps"));
    let steps: Vec<Item<Line>> =
        rb.steps.iter().filter(|s| !s.value.trim().is_empty()).map(|s| item(vec![text(user(s))])).collect();
    blocks.push(if steps.is_empty() { Block::Absent("No rollback steps recorded.") } else { Block::Steps(steps) });
    blocks.push(Block::Sub("Automated actions"));
    if rb.actions.is_empty() {
        blocks.push(Block::Para(vec![text("None: the on-call engineer runs the steps by hand.")]));
    } else {
        blocks.push(Block::Para(vec![
            text("Run in this order by "),
            code("gonogo watch"),
            text(" when a trigger fires."),
        ]));
        blocks.push(Block::Steps(rb.actions.iter().map(|a| item(action(a))).collect()));
    }
    section("rollback", "Rollback Plan", blocks)
}

fn trigger(t: &Trigger) -> Line {
    let mut line = vec![Span::Strong(user(&t.name)), text(" — ")];
    match t.kind() {
        Some(TriggerKind::Metric { query, threshold: th, for_ }) => {
            line.extend([code(user(query)), text(format!(" {} for {for_}", threshold(th)))]);
        }
        Some(TriggerKind::Alert(a)) => line.extend([text("alert "), code(user(a)), text(" firing")]),
        Some(TriggerKind::Manual) => line.push(text("manual: reported by a person")),
        None => {
            line.push(text("⚠️ vague: not exactly one of a query with a threshold, an alert, or manual"));
            if let Some(q) = &t.query {
                line.extend([text(" (query "), code(user(q)), text(")")]);
            }
        }
    }
    line
}

fn action(a: &Action) -> Line {
    let mut line = vec![Span::Strong(user(&a.name)), text(": ")];
    let mut timeout = a.timeout.as_ref().map(|t| t.value);
    match &a.kind {
        ActionKind::Webhook(w) => {
            timeout = timeout.or(w.timeout.as_ref().map(|t| t.value));
            line.extend(webhook(w));
        }
        ActionKind::Command(argv) => line.extend([text("command "), code(shell_join(argv))]),
    }
    if let Some(t) = timeout {
        line.push(text(format!("; timeout {t}")));
    }
    line
}

/// Header values and the body are never shown: they are where `${SECRETS}` go.
fn webhook(w: &Webhook) -> Line {
    let mut line = vec![text("webhook "), code(format!("{} {}", w.method.value.trim(), redact_url(&w.url.value)))];
    if !w.headers.is_empty() {
        line.push(text("; headers "));
        for (i, (name, _)) in w.headers.iter().enumerate() {
            if i > 0 {
                line.push(text(", "));
            }
            line.push(code(user(name)));
        }
        line.push(text(" (values not shown)"));
    }
    if w.body.is_some() {
        line.push(text("; body not shown"));
    }
    if let Some(n) = &w.retries {
        line.push(text(format!("; {} retr{}", n.value, if n.value == 1 { "y" } else { "ies" })));
    }
    line
}

/// URLs carry credentials in their userinfo and query values: those are cut, the host,
/// path and query names stay so the reader still sees where the call goes.
fn redact_url(url: &str) -> String {
    let url = url.trim();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://…@{host}{path}"),
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    let Some(query) = query else { return base };
    let names: Vec<String> = query
        .split('&')
        .map(|kv| kv.split_once('=').map(|(k, _)| format!("{k}=…")).unwrap_or_else(|| "…".into()))
        .collect();
    format!("{base}?{}", names.join("&"))
}

/// The argv as a shell would need it typed, so it can be copied into a terminal at 2am.
fn shell_join(argv: &[S<String>]) -> String {
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c));
    let words: Vec<String> = argv
        .iter()
        .map(|a| if plain(&a.value) { a.value.clone() } else { format!("'{}'", a.value.replace('\'', r"'\''")) })
        .collect();
    words.join(" ")
}

fn on_call(r: &Review) -> Section {
    let Some(oc) = &r.on_call else { return absent("on-call", "On-call", "No on-call owner recorded.") };
    let who = |h: &Option<S<String>>| or_missing(h.as_ref().map(|h| person(r, &h.value)));
    section(
        "on-call",
        "On-call",
        vec![Block::Fields(vec![
            field("Primary", who(&oc.primary)),
            field("Secondary", who(&oc.secondary)),
            field("Accepted", yes_no(oc.accepted.as_ref(), "✅ Accepted", "❌ Not accepted")),
            field("Window", or_missing(oc.window.as_ref().map(window))),
        ])],
    )
}

fn monitoring(r: &Review) -> Section {
    if r.monitoring.is_empty() {
        return absent("monitoring", "Monitoring Plan", "No monitoring plan recorded.");
    }
    let rows = r
        .monitoring
        .iter()
        .enumerate()
        .map(|(i, m)| Item { id: Some(format!("monitoring-{i}")), body: monitor_row(m) })
        .collect();
    let head = &["Metric", "Dashboard", "Query", "Alert threshold", "Status"];
    section("monitoring", "Monitoring Plan", vec![Block::Table { head, rows }])
}

fn monitor_row(m: &Monitor) -> Vec<Line> {
    let dashboard = match (&m.dashboard, &m.link) {
        (Some(d), Some(l)) => vec![link(&user(d), &l.value)],
        (Some(d), None) => vec![text(user(d))],
        (None, Some(l)) => vec![link("dashboard", &l.value)],
        (None, None) => vec![text("—")],
    };
    let query = m.query.as_ref().map(|q| vec![code(user(q))]).unwrap_or_else(|| vec![text("—")]);
    let status =
        if m.verified_live.as_ref().is_some_and(|v| v.value) { "✅ Verified live" } else { "❌ Not verified" };
    vec![vec![text(user(&m.metric))], dashboard, query, monitor_alert(m.alert.as_ref()), vec![text(status)]]
}

fn monitor_alert(a: Option<&MonitorAlert>) -> Line {
    let Some((a, th)) = a.and_then(|a| a.threshold.as_ref().map(|th| (a, th))) else {
        return vec![text("⚠️ none")];
    };
    let mut line = vec![text(threshold(th.value))];
    if let Some(f) = &a.for_ {
        line.push(text(format!(" for {}", f.value)));
    }
    if let Some(n) = &a.notify {
        line.push(text(format!(" → {}", user(n))));
    }
    if let Some(rule) = &a.rule {
        line.extend([text(" (rule "), code(user(rule)), text(")")]);
    }
    line
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Go => "GO",
        Outcome::NoGo => "NO-GO",
        Outcome::Pending => "PENDING",
    }
}

fn decision(r: &Review) -> Section {
    let Some(d) = &r.decision else { return absent("decision", "Go / No-Go Decision", "No decision recorded.") };
    let signoffs: Vec<String> = d.signoffs.iter().map(|s| person(r, &s.value)).collect();
    let mut fields = vec![
        field("Decision", or_missing(d.outcome.as_ref().map(|o| outcome(o.value).to_string()))),
        field("Decision maker", or_missing(d.by.as_ref().map(|b| person(r, &b.value)))),
        field("Sign-offs", if signoffs.is_empty() { vec![text("none")] } else { vec![text(signoffs.join(", "))] }),
        field("Date/time", or_missing(d.at.as_ref().map(|a| a.value.to_string()))),
        field("Deploy window", or_missing(d.deploy_window.as_ref().map(window))),
    ];
    if let Some(n) = &d.notes {
        fields.push(field("Notes", vec![text(user(n))]));
    }
    let mut blocks = vec![Block::Fields(fields), Block::Sub("Conditions")];
    if d.conditions.is_empty() {
        blocks.push(Block::Para(vec![text("None.")]));
    } else {
        let conditions = d.conditions.iter().enumerate();
        blocks.push(Block::Steps(
            conditions.map(|(i, c)| Item { id: Some(format!("condition-{i}")), body: condition(c) }).collect(),
        ));
    }
    section("decision", "Go / No-Go Decision", blocks)
}

fn condition(c: &Condition) -> Line {
    let owner = c.owner.as_ref().map(user).unwrap_or_else(|| "⚠️ no owner".into());
    let due = c.due.as_ref().map(|d| d.value.to_string()).unwrap_or_else(|| "⚠️ no due date".into());
    let mut line = vec![text(user(&c.text)), text(format!(" — owner {owner}, due {due}"))];
    if !c.covers.is_empty() {
        line.push(text("; covers "));
        for (i, cv) in c.covers.iter().enumerate() {
            if i > 0 {
                line.push(text(", "));
            }
            let name = user(cv);
            line.push(if rules::rule(&name).is_some() { code(name) } else { text(format!("“{name}”")) });
        }
    }
    let met = match c.met.as_ref().map(|m| m.value) {
        Some(true) => "✅ met",
        Some(false) => "⬜ not met",
        None => "⬜ not recorded as met",
    };
    line.push(text(format!("; {met}")));
    line
}

fn item_status(s: ItemStatus) -> &'static str {
    match s {
        ItemStatus::Open => "Open",
        ItemStatus::InProgress => "In progress",
        ItemStatus::Done => "✅ Done",
        ItemStatus::Cancelled => "Cancelled",
    }
}

fn action_items(r: &Review) -> Section {
    if r.action_items.is_empty() {
        return absent("action-items", "Action Items", "No action items recorded.");
    }
    let rows = r
        .action_items
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let owner = a.owner.as_ref().map(user).unwrap_or_else(|| "⚠️ none".into());
            let due = a.due.as_ref().map(|d| d.value.to_string()).unwrap_or_else(|| "⚠️ none".into());
            let status = a.status.as_ref().map(|s| item_status(s.value)).unwrap_or("—");
            let body = vec![vec![text(owner)], vec![text(user(&a.action))], vec![text(due)], vec![text(status)]];
            Item { id: Some(format!("action-item-{i}")), body }
        })
        .collect();
    section("action-items", "Action Items", vec![Block::Table { head: &["Owner", "Action", "Due", "Status"], rows }])
}

fn follow_up(r: &Review) -> Section {
    let Some(f) = &r.follow_up else { return absent("follow-up", "Follow-up", "No follow-up recorded.") };
    let after = |d: &Option<S<Duration>>| or_missing(d.as_ref().map(|d| format!("{} after deploy", d.value)));
    let mut fields = vec![
        field("Post-deploy check", after(&f.post_deploy_check)),
        field("Post-launch review", after(&f.post_launch_review)),
    ];
    if let Some(n) = &f.notes {
        fields.push(field("Notes", vec![text(user(n))]));
    }
    section("follow-up", "Follow-up", vec![Block::Fields(fields)])
}

// ---------------------------------------------------------------------------------------
// Markdown.

/// The meeting document as GitHub-flavoured Markdown.
pub fn markdown(review: &Review, report: &Report) -> String {
    let doc = document(review, report);
    let mut out = String::with_capacity(8 * 1024);
    let _ = writeln!(out, "# {}\n\n{}\n", md_text(&doc.title, false), md_text(PURPOSE, false));
    for s in &doc.sections {
        let _ = writeln!(out, "## {}\n", md_text(&s.title, false));
        for b in &s.blocks {
            md_block(&mut out, b);
            out.push('\n');
        }
    }
    out
}

fn md_block(out: &mut String, b: &Block) {
    match b {
        Block::Fields(fields) => {
            for f in fields {
                let head = format!("- **{}:** {}", f.label, md_line(&f.value, false));
                let _ = writeln!(out, "{}", head.trim_end());
                for i in &f.items {
                    let _ = writeln!(out, "  - {}", md_line(&i.body, false));
                }
            }
        }
        Block::Para(l) => {
            let _ = writeln!(out, "{}", md_line(l, false));
        }
        Block::Absent(t) => {
            let _ = writeln!(out, "*{}*", md_text(t, false));
        }
        Block::Sub(t) => {
            let _ = writeln!(out, "### {}", md_text(t, false));
        }
        Block::List(items) => items.iter().for_each(|i| {
            let _ = writeln!(out, "- {}", md_line(&i.body, false));
        }),
        Block::Steps(items) => items.iter().enumerate().for_each(|(n, i)| {
            let _ = writeln!(out, "{}. {}", n + 1, md_line(&i.body, false));
        }),
        Block::Table { head, rows } => md_table(out, head, rows),
    }
}

fn md_table(out: &mut String, head: &[&str], rows: &[Item<Vec<Line>>]) {
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for row in rows {
        let cells: Vec<String> = row.body.iter().map(|c| md_line(c, true)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

fn md_line(line: &Line, table: bool) -> String {
    let mut out = String::new();
    for (i, span) in line.iter().enumerate() {
        let start = i == 0;
        match span {
            Span::Text(s) => out.push_str(&md_inline(s, table, start)),
            Span::Code(s) => out.push_str(&md_code(s, table)),
            Span::Strong(s) => {
                let _ = write!(out, "**{}**", md_text(s, table));
            }
            Span::Em(s) => {
                let _ = write!(out, "*{}*", md_text(s, table));
            }
            // Anchors inside the HTML page have no Markdown counterpart: the text stays.
            Span::Link { text, href } if href.starts_with('#') => out.push_str(&md_inline(text, table, start)),
            Span::Link { text, href } => {
                let _ = write!(out, "[{}]({})", md_text(text, table), md_url(href, table));
            }
        }
    }
    out
}

/// User text made inert in Markdown (links, images, emphasis, HTML); `table` also escapes `|`.
pub(crate) fn md_text(s: &str, table: bool) -> String {
    md_inline(s, table, false)
}

/// Escapes what would change the meaning of user text in Markdown: emphasis, code, links,
/// raw HTML, table pipes, and block markers at the start of a line. Intraword `_` is left
/// alone (GFM ignores it) so identifiers like `scheduled_reports` stay readable.
fn md_inline(s: &str, table: bool, line_start: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let word = |j: usize| chars.get(j).is_some_and(|c| c.is_alphanumeric());
    // Table cells hold inline content only, so block markers matter outside tables.
    let at_start = line_start && !table;
    // `1. ` at the start of a list item would open a nested ordered list.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let ordered_marker = (at_start && digits > 0 && matches!(chars.get(digits), Some('.' | ')'))).then_some(digits);
    for (i, &c) in chars.iter().enumerate() {
        let block_marker =
            (at_start && i == 0 && matches!(c, '#' | '>' | '-' | '+' | '=')) || ordered_marker == Some(i);
        // `<` opens raw HTML only before a letter, `/`, `!` or `?`: `< 0.98` stays as written.
        let tag_open = c == '<' && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || "/!?".contains(*n));
        // `&` is literal unless it spells an entity such as `&lt;`, which would be decoded.
        let entity = c == '&' && {
            let run = chars[i + 1..].iter().take_while(|n| n.is_ascii_alphanumeric() || **n == '#').count();
            run > 0 && chars.get(i + 1 + run) == Some(&';')
        };
        match c {
            '\\' | '`' | '*' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(i > 0 && word(i - 1) && word(i + 1)) => out.push_str("\\_"),
            '<' if tag_open => out.push_str("&lt;"),
            '&' if entity => out.push_str("&amp;"),
            '|' if table => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            _ if block_marker => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A code span that survives backticks in the text, and newlines and pipes in tables.
fn md_code(s: &str, table: bool) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']) || s.is_empty() { " " } else { "" };
    let s = if table { s.replace('|', "\\|") } else { s };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn md_url(url: &str, table: bool) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' if table => out.push_str("%7C"),
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// HTML.

/// Screen and print styles. Meaning never rests on colour or backgrounds alone: the banner
/// says its verdict in words, and print drops backgrounds but keeps borders and text.
const CSS: &str = r##"
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --soft: #f6f8fa;
  --go: #1a7f37; --go-bg: #dafbe1; --cond: #9a6700; --cond-bg: #fff8c5; --stop: #cf222e; --stop-bg: #ffebe9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 64rem; padding: 1.5rem; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
.purpose, .absent { color: var(--muted); }
code { font: .85em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft);
  padding: .1em .3em; border-radius: 4px; overflow-wrap: anywhere; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.fields > div { display: contents; }
dt { font-weight: 600; }
dd { margin: 0; }
dd ul { margin: .25rem 0 0; padding-left: 1.25rem; }
li { margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .35rem .55rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
.banner { margin-top: 1.5rem; padding: .75rem 1rem 1rem; border: 2px solid; border-left-width: .6rem; border-radius: 6px; }
.banner h2 { margin-top: 0; border: 0; }
.v-go { border-color: var(--go); background: var(--go-bg); }
.v-cond { border-color: var(--cond); background: var(--cond-bg); }
.v-stop { border-color: var(--stop); background: var(--stop-bg); }
:target { outline: 3px solid var(--cond); outline-offset: 2px; }
@media screen { .table { overflow-x: auto; } }
@page { margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; color: #000; }
  .banner, th, code { background: none; }
  .banner { border-width: 2pt; border-left-width: 6pt; }
  h2, h3 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; }
  a[href]::after { content: " (" attr(href) ")"; font-size: .85em; overflow-wrap: anywhere; }
  a[href^="#"]::after { content: none; }
  :target { outline: none; }
}
"##;

/// The meeting document as one self-contained HTML page: no external resources, inline
/// styles only, every piece of review text escaped.
/// The named sections only (by id: `meeting`, `testing`, `rollback`, `on-call`,
/// `monitoring`, `follow-up`, …), as HTML `<section>`s without the page around them — for a
/// page that draws the other sections itself (the server's, with its controls).
pub fn html_sections(review: &Review, report: &Report, ids: &[&str]) -> String {
    let doc = document(review, report);
    let mut out = String::new();
    for id in ids {
        if let Some(s) = doc.sections.iter().find(|s| s.id == *id) {
            html_section(&mut out, s);
        }
    }
    out
}

pub fn html(review: &Review, report: &Report) -> String {
    let doc = document(review, report);
    let mut out = String::with_capacity(24 * 1024);
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>", esc(&doc.title));
    let _ =
        writeln!(out, "<header>\n<h1>{}</h1>\n<p class=\"purpose\">{}</p>\n</header>", esc(&doc.title), esc(PURPOSE));
    out.push_str("<main>\n");
    for s in &doc.sections {
        html_section(&mut out, s);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn html_section(out: &mut String, s: &Section) {
    let id = esc(s.id);
    let banner = match s.banner {
        Some(Verdict::Go) => " class=\"banner v-go\" role=\"status\"",
        Some(Verdict::GoWithConditions) => " class=\"banner v-cond\" role=\"status\"",
        Some(Verdict::NoGo) => " class=\"banner v-stop\" role=\"status\"",
        None => "",
    };
    let _ = writeln!(out, "<section id=\"{id}\"{banner} aria-labelledby=\"{id}-title\">");
    let _ = writeln!(out, "<h2 id=\"{id}-title\">{}</h2>", esc(&s.title));
    for b in &s.blocks {
        html_block(out, b);
    }
    out.push_str("</section>\n");
}

fn html_block(out: &mut String, b: &Block) {
    match b {
        Block::Fields(fields) => html_fields(out, fields),
        Block::Para(l) => {
            let _ = writeln!(out, "<p>{}</p>", html_line(l));
        }
        Block::Absent(t) => {
            let _ = writeln!(out, "<p class=\"absent\"><em>{}</em></p>", esc(t));
        }
        Block::Sub(t) => {
            let _ = writeln!(out, "<h3>{}</h3>", esc(t));
        }
        Block::List(items) => html_list(out, "ul", items),
        Block::Steps(items) => html_list(out, "ol", items),
        Block::Table { head, rows } => html_table(out, head, rows),
    }
}

fn html_fields(out: &mut String, fields: &[Field]) {
    out.push_str("<dl class=\"fields\">\n");
    for f in fields {
        let _ = write!(out, "<div><dt>{}</dt><dd>{}", esc(f.label), html_line(&f.value));
        if !f.items.is_empty() {
            out.push('\n');
            html_list(out, "ul", &f.items);
        }
        out.push_str("</dd></div>\n");
    }
    out.push_str("</dl>\n");
}

fn html_list(out: &mut String, tag: &str, items: &[Item<Line>]) {
    let _ = writeln!(out, "<{tag}>");
    for i in items {
        let _ = writeln!(out, "<li{}>{}</li>", id_attr(&i.id), html_line(&i.body));
    }
    let _ = writeln!(out, "</{tag}>");
}

fn html_table(out: &mut String, head: &[&str], rows: &[Item<Vec<Line>>]) {
    out.push_str("<div class=\"table\"><table>\n<thead><tr>");
    for h in head {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        let _ = write!(out, "<tr{}>", id_attr(&row.id));
        for cell in &row.body {
            let _ = write!(out, "<td>{}</td>", html_line(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

fn id_attr(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" id=\"{}\"", esc(id))).unwrap_or_default()
}

fn html_line(line: &Line) -> String {
    let mut out = String::new();
    for span in line {
        match span {
            Span::Text(s) => out.push_str(&esc(s).replace('\n', "<br>\n")),
            Span::Code(s) => {
                let _ = write!(out, "<code>{}</code>", esc(s));
            }
            Span::Strong(s) => {
                let _ = write!(out, "<strong>{}</strong>", esc(s));
            }
            Span::Em(s) => {
                let _ = write!(out, "<em>{}</em>", esc(s));
            }
            Span::Link { text, href } => {
                let _ = write!(out, "<a href=\"{}\">{}</a>", esc(href), esc(text));
            }
        }
    }
    out
}

/// HTML-escapes text for both element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../examples/reports-v2.14.0.yaml");

    fn render(text: &str) -> (String, String) {
        let review = crate::parse_str(text).expect("the example parses");
        let report = Report::new(&review, &[]);
        (markdown(&review, &report), html(&review, &report))
    }

    fn example() -> (String, String) {
        render(EXAMPLE)
    }

    /// Each needle is found, after the previous one.
    fn assert_in_order(doc: &str, needles: &[&str]) {
        let mut from = 0;
        for n in needles {
            let at = doc[from..].find(n).unwrap_or_else(|| panic!("`{n}` not found after byte {from}"));
            from += at + n.len();
        }
    }

    #[test]
    fn markdown_has_the_verdict_and_the_checklist_row() {
        let (md, _) = example();
        assert!(md.contains("GO WITH CONDITIONS"));
        assert!(md.contains("| Rollback tested in staging | ⚠️ Partial | @infra |"), "{md}");
        assert!(md.contains("| All P0/P1 issues resolved | ✅ Done | @qa | PR #1189 merged and verified |"));
        assert!(md.contains("No open blockers."));
        assert!(md.contains("— covered by condition 1, owner @infra"));
    }

    #[test]
    fn sections_follow_the_seed() {
        let (md, html) = example();
        let headings = [
            "# reports v2.14.0 — Deployment Readiness Review",
            "## Meeting Details",
            "## ⚠️ Verdict: GO WITH CONDITIONS",
            "## Release Checklist",
            "## Testing Status",
            "## Rollback Plan",
            "## On-call",
            "## Monitoring Plan",
            "## Go / No-Go Decision",
            "## Action Items",
            "## Follow-up",
        ];
        let offsets: Vec<usize> =
            headings.iter().map(|h| md.find(h).unwrap_or_else(|| panic!("no heading {h}"))).collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
        let ids = [
            "meeting",
            "verdict",
            "release",
            "testing",
            "rollback",
            "on-call",
            "monitoring",
            "decision",
            "action-items",
            "follow-up",
        ];
        let sections: Vec<String> = ids.iter().map(|id| format!("<section id=\"{id}\"")).collect();
        assert_in_order(&html, &sections.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn markdown_renders_each_part_precisely() {
        let (md, _) = example();
        for needle in [
            "- **Facilitator:** Elena Park (@elena)",
            "- **Duration:** 30m",
            "847 cases, 841 passed, 6 failures (6 pre-existing)",
            "✅ Passed at 500 concurrent schedules, 1.5M row report generation. Behavior beyond",
            "  - **P2** #1210: Email subject line truncated in Gmail mobile at >60 chars — fix: next patch",
            "[5m])) / sum(rate(http_requests_total{route=\"/api/reports/schedule\"}[5m]))` > 0.02 for 0s",
            "`histogram_quantile(0.95, sum by (le) (rate(report_generation_seconds_bucket[5m])))` > 10 for 10m",
            "— manual: reported by a person",
            "— alert `SidekiqReportsQueueDepth` firing",
            "1. Disable the scheduled_reports feature flag in LaunchDarkly",
            "webhook `PATCH https://app.launchdarkly.com/api/v2/flags/default/scheduled_reports`; headers `Authorization`, `Content-Type` (values not shown); body not shown; 3 retries; timeout 10s",
            "- **Primary:** James Okafor (@infra-james)",
            "- **Window:** 2024-12-13T12:00:00Z → 2024-12-14T12:00:00Z (1d)",
            "| Schedule creation success rate | Reports Dashboard | `sum(rate(schedules_created_total[5m])) / sum(rate(schedule_attempts_total[5m]))` | < 0.98 → pagerduty | ✅ Verified live |",
            "- **Decision:** GO",
            "- **Decision maker:** Elena Park (@elena)",
            "- **Sign-offs:** Priya Raman (@priya)",
            "- **Date/time:** 2024-12-13T11:45:00Z",
            "covers “Rollback tested in staging”, `rollback-untested`; ⬜ not met",
            "| @backend-ana | Open patch tracking issue for P2 known issues | 2024-12-13 | Open |",
            "- **Post-deploy check:** 15m after deploy",
            "- **Post-launch review:** 7d after deploy",
        ] {
            assert!(md.contains(needle), "missing `{needle}` in\n{md}");
        }
    }

    #[test]
    fn secrets_are_never_rendered() {
        let (md, html) = example();
        for doc in [&md, &html] {
            for secret in
                ["LD_API_TOKEN", "turnFlagOff", "environmentKey", "domain-model=launchdarkly", "rollback trigger fired"]
            {
                assert!(!doc.contains(secret), "`{secret}` leaked");
            }
        }
    }

    #[test]
    fn html_is_self_contained() {
        let (_, html) = example();
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("<title>reports v2.14.0 — Deployment Readiness Review</title>"));
        for external in ["<link", "<script", "@import", "url(", " src=", "stylesheet"] {
            assert!(!html.contains(external), "`{external}` in the page");
        }
        assert!(html.contains("tr, li { break-inside: avoid; }"));
        assert!(html.contains("a[href]::after { content: \" (\" attr(href) \")\""));
        assert!(html.contains("<section id=\"verdict\" class=\"banner v-cond\" role=\"status\""));
        assert!(html.contains("<th scope=\"col\">Item</th>"));
        assert!(html.contains("id=\"checklist-7\""));
        assert!(html.contains("<a href=\"#checklist-7\">"), "the covered checklist blocker links to its row");
        assert!(html.contains("<a href=\"https://wiki.example.com/runbooks/reports-v2.14.0\">Deployment runbook</a>"));
    }

    #[test]
    fn user_text_is_escaped() {
        let hostile = EXAMPLE.replace(
            "notes: 2 migrations; both tested in staging",
            r#"notes: "<script>alert('x')</script> & \"q\" | *not bold*""#,
        );
        assert_ne!(hostile, EXAMPLE);
        let (md, html) = render(&hostile);
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; | *not bold*"));
        assert!(!md.contains("<script"));
        assert!(md.contains(r#"| &lt;script>alert('x')&lt;/script> & "q" \| \*not bold\* |"#), "{md}");
    }

    #[test]
    fn open_blockers_link_to_their_place() {
        let no_go = EXAMPLE.replace(
            r#"covers: ["Rollback tested in staging", "rollback-untested"]"#,
            r#"covers: ["rollback-untested"]"#,
        );
        let (md, html) = render(&no_go);
        assert!(md.contains("## ⛔ Verdict: NO-GO"));
        assert_in_order(
            &md,
            &["### Open blockers", "- `checklist-not-done` (line 53): \"Rollback tested in staging\""],
        );
        assert!(html.contains("class=\"banner v-stop\" role=\"status\""));
        assert_in_order(&html, &["<h3>Open blockers</h3>", "<a href=\"#checklist-7\">", "<a href=\"#decision\">"]);
    }

    #[test]
    fn absent_sections_say_so() {
        let (md, html) = render("apiVersion: gonogo/v1\nrelease: { service: reports, version: v3.0.0 }\n");
        for line in [
            "*No meeting details recorded.*",
            "*No release checklist recorded.*",
            "*No testing status recorded.*",
            "*No rollback plan recorded.*",
            "*No on-call owner recorded.*",
            "*No monitoring plan recorded.*",
            "*No decision recorded.*",
            "*No action items recorded.*",
            "*No follow-up recorded.*",
            "## ⛔ Verdict: NO-GO",
        ] {
            assert!(md.contains(line), "missing `{line}` in\n{md}");
        }
        assert!(html.contains("<p class=\"absent\"><em>No rollback plan recorded.</em></p>"));
        assert!(html.contains("<a href=\"#rollback\">"));
        assert!(html.contains("<a href=\"#on-call\">"));
    }

    #[test]
    fn helpers() {
        assert_eq!(esc(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(anchor("checklist[7].status"), "checklist-7");
        assert_eq!(anchor("rollback.triggers[2].query"), "trigger-2");
        assert_eq!(anchor("on_call.window.end"), "on-call");
        assert_eq!(anchor("release.runbook"), "release");
        assert_eq!(md_code("a`b", false), "``a`b``");
        assert_eq!(md_text("Q&A &lt; < 1 <b>", false), "Q&A &amp;lt; < 1 &lt;b>");
        assert_eq!(md_inline("> 10", false, true), r"\> 10");
        assert_eq!(md_inline("> 10", true, true), "> 10");
        assert_eq!(md_inline("1. not a list", false, true), r"1\. not a list");
        assert_eq!(md_code("x|y", true), r"`x\|y`");
        assert_eq!(
            redact_url("https://u:p@hooks.example.com/x?token=abc&v=1"),
            "https://…@hooks.example.com/x?token=…&v=…"
        );
        assert!(matches!(link("x", "javascript:alert(1)"), Span::Text(_)));
        assert!(matches!(link("x", "${SLACK_URL}"), Span::Text(_)));
    }
}
