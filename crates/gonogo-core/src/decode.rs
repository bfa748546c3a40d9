//! From the YAML tree to the review model, collecting every problem on the way.

use crate::diag::{Diagnostic, Pos, closest, nearest};
use crate::duration::Duration;
use crate::model::*;
use crate::yaml::{Entry, Node, Value};
use jiff::Timestamp;
use jiff::civil::Date;

pub const API_VERSION: &str = "gonogo/v1";

/// Decodes the whole review; returns it only when no problem was found.
pub fn decode(root: &Node) -> Result<Review, Vec<Diagnostic>> {
    let mut d = Decoder { errors: Vec::new() };
    let review = d.review(root);
    if d.errors.is_empty() {
        review.ok_or_else(|| vec![Diagnostic::new("not a review", root.at)])
    } else {
        d.errors.sort_by_key(|e| (e.line, e.column));
        Err(d.errors)
    }
}

struct Decoder {
    errors: Vec<Diagnostic>,
}

/// A mapping whose keys were checked against the known ones.
struct Obj<'n> {
    entries: &'n [Entry],
    path: String,
    at: Pos,
}

impl<'n> Obj<'n> {
    /// The value under `key`; a key written with no value counts as absent.
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value).filter(|n| n.value != Value::Null)
    }
    /// Where `key` is written, or the mapping itself when it is not.
    fn key_at(&self, key: &str) -> Pos {
        self.entries.iter().find(|e| e.key == key).map(|e| e.key_at).unwrap_or(self.at)
    }
    fn keys(&self) -> Keys {
        Keys { at: self.at, keys: self.entries.iter().map(|e| (e.key.clone(), e.key_at)).collect() }
    }
    fn path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }
}

fn idx(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

impl Decoder {
    fn err(&mut self, at: Pos, path: &str, msg: impl Into<String>) {
        self.errors.push(Diagnostic::new(msg, at).with_path(path));
    }

    fn obj<'n>(&mut self, node: &'n Node, path: &str, known: &[&str]) -> Option<Obj<'n>> {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    if !known.contains(&e.key.as_str()) {
                        let p = if path.is_empty() { e.key.clone() } else { format!("{path}.{}", e.key) };
                        let where_ =
                            if path.is_empty() { "at the top level".to_string() } else { format!("in `{path}`") };
                        let mut d = Diagnostic::new(format!("unknown key `{}` {where_}", e.key), e.key_at).with_path(p);
                        d = match closest(&e.key, known) {
                            Some(k) => d.with_hint(format!("did you mean `{k}`?")),
                            None => d.with_hint(format!(
                                "the closest known key is `{}`; known keys here: {}",
                                nearest(&e.key, known),
                                known.join(", ")
                            )),
                        };
                        self.errors.push(d);
                    }
                }
                Some(Obj { entries, path: path.to_string(), at: node.at })
            }
            _ => {
                self.err(
                    node.at,
                    path,
                    format!("`{}` must be a mapping of keys, found {}", display(path), node.kind()),
                );
                None
            }
        }
    }

    fn seq<'n>(&mut self, node: Option<&'n Node>, path: &str) -> &'n [Node] {
        match node.map(|n| &n.value) {
            None => &[],
            Some(Value::Seq(items)) => items,
            Some(_) => {
                let n = node.unwrap();
                self.err(n.at, path, format!("`{}` must be a list, found {}", display(path), n.kind()));
                &[]
            }
        }
    }

    fn scalar<'n>(&mut self, node: &'n Node, path: &str, what: &str) -> Option<(&'n str, bool)> {
        match &node.value {
            Value::Scalar { text, plain } => Some((text.as_str(), *plain)),
            Value::Null => None,
            _ => {
                self.err(node.at, path, format!("`{}` must be {what}, found {}", display(path), node.kind()));
                None
            }
        }
    }

    /// Text; a blank value counts as absent (`owner: ""` names nobody).
    fn string(&mut self, node: &Node, path: &str) -> Option<S<String>> {
        let (text, _) = self.scalar(node, path, "text")?;
        if text.trim().is_empty() {
            return None;
        }
        Some(S::new(text.to_string(), node.at))
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<S<bool>> {
        match self.scalar(node, path, "true or false")? {
            ("true", true) => Some(S::new(true, node.at)),
            ("false", true) => Some(S::new(false, node.at)),
            (t, _) => {
                self.err(node.at, path, format!("`{}` must be true or false, found `{t}`", display(path)));
                None
            }
        }
    }

    fn count(&mut self, node: &Node, path: &str) -> Option<S<u64>> {
        let (t, plain) = self.scalar(node, path, "a whole number")?;
        match t.parse::<u64>() {
            Ok(v) if plain => Some(S::new(v, node.at)),
            _ => {
                self.err(node.at, path, format!("`{}` must be a whole number, found `{t}`", display(path)));
                None
            }
        }
    }

    fn number(&mut self, node: &Node, path: &str) -> Option<S<f64>> {
        let (t, plain) = self.scalar(node, path, "a number")?;
        match t.parse::<f64>() {
            Ok(v) if plain && v.is_finite() => Some(S::new(v, node.at)),
            _ => {
                let mut d = Diagnostic::new(format!("`{}` must be a number, found `{t}`", display(path)), node.at)
                    .with_path(path);
                if let Some(p) = t.strip_suffix('%').and_then(|p| p.trim().parse::<f64>().ok()) {
                    d = d.with_hint(format!("write a ratio: {} for {t}", p / 100.0));
                }
                self.errors.push(d);
                None
            }
        }
    }

    fn duration(&mut self, node: &Node, path: &str) -> Option<S<Duration>> {
        let (t, _) = self.scalar(node, path, "a duration such as 5m")?;
        match Duration::parse(t) {
            Ok(d) => Some(S::new(d, node.at)),
            Err(e) => {
                self.err(node.at, path, format!("`{}`: {e}", display(path)));
                None
            }
        }
    }

    fn timestamp(&mut self, node: &Node, path: &str) -> Option<S<Timestamp>> {
        let (t, _) = self.scalar(node, path, "an RFC 3339 time")?;
        match parse_timestamp(t) {
            Ok(ts) => Some(S::new(ts, node.at)),
            Err(e) => {
                self.errors.push(
                    Diagnostic::new(format!("`{}`: `{t}` is not an RFC 3339 time ({e})", display(path)), node.at)
                        .with_path(path)
                        .with_hint("write e.g. 2024-12-13T12:00:00Z"),
                );
                None
            }
        }
    }

    fn date(&mut self, node: &Node, path: &str) -> Option<S<Date>> {
        let (t, _) = self.scalar(node, path, "a date")?;
        match t.parse::<Date>() {
            Ok(d) => Some(S::new(d, node.at)),
            Err(_) => {
                self.err(node.at, path, format!("`{}`: `{t}` is not a date (YYYY-MM-DD)", display(path)));
                None
            }
        }
    }

    fn when(&mut self, node: &Node, path: &str) -> Option<S<When>> {
        let (t, _) = self.scalar(node, path, "a date or an RFC 3339 time")?;
        if t.len() == 10
            && let Ok(d) = t.parse::<Date>()
        {
            return Some(S::new(When::Date(d), node.at));
        }
        match parse_timestamp(t) {
            Ok(ts) => Some(S::new(When::Instant(ts), node.at)),
            Err(e) => {
                self.errors.push(
                    Diagnostic::new(
                        format!("`{}`: `{t}` is neither a date nor an RFC 3339 time ({e})", display(path)),
                        node.at,
                    )
                    .with_path(path)
                    .with_hint("write 2024-12-13 or 2024-12-13T12:00:00Z"),
                );
                None
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        node: &Node,
        path: &str,
        names: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<S<T>> {
        let (t, _) = self.scalar(node, path, "one of the allowed values")?;
        match parse(t) {
            Some(v) => Some(S::new(v, node.at)),
            None => {
                let mut d =
                    Diagnostic::new(format!("`{}`: `{t}` is not one of {}", display(path), names.join(", ")), node.at)
                        .with_path(path);
                if let Some(k) = closest(t, names) {
                    d = d.with_hint(format!("did you mean `{k}`?"));
                }
                self.errors.push(d);
                None
            }
        }
    }

    fn strings(&mut self, node: Option<&Node>, path: &str) -> Vec<S<String>> {
        // A single string where a list is expected is taken as a list of one.
        if let Some(n) = node
            && let Value::Scalar { text, .. } = &n.value
        {
            return vec![S::new(text.clone(), n.at)];
        }
        let items = self.seq(node, path);
        items.iter().enumerate().filter_map(|(i, n)| self.string(n, &idx(path, i))).collect()
    }

    fn required(&mut self, obj: &Obj, key: &str) {
        self.errors.push(
            Diagnostic::new(format!("`{}` is required", obj.path(key)), obj.key_at(key)).with_path(obj.path(key)),
        );
    }

    // Field helpers: read `key` of `obj` with a typed reader.
    fn f_str(&mut self, o: &Obj, key: &str) -> Option<S<String>> {
        o.get(key).and_then(|n| self.string(n, &o.path(key)))
    }
    fn f_bool(&mut self, o: &Obj, key: &str) -> Option<S<bool>> {
        o.get(key).and_then(|n| self.boolean(n, &o.path(key)))
    }
    fn f_count(&mut self, o: &Obj, key: &str) -> Option<S<u64>> {
        o.get(key).and_then(|n| self.count(n, &o.path(key)))
    }
    fn f_num(&mut self, o: &Obj, key: &str) -> Option<S<f64>> {
        o.get(key).and_then(|n| self.number(n, &o.path(key)))
    }
    fn f_dur(&mut self, o: &Obj, key: &str) -> Option<S<Duration>> {
        o.get(key).and_then(|n| self.duration(n, &o.path(key)))
    }
    fn f_ts(&mut self, o: &Obj, key: &str) -> Option<S<Timestamp>> {
        o.get(key).and_then(|n| self.timestamp(n, &o.path(key)))
    }
    fn f_when(&mut self, o: &Obj, key: &str) -> Option<S<When>> {
        o.get(key).and_then(|n| self.when(n, &o.path(key)))
    }
    fn f_req_str(&mut self, o: &Obj, key: &str) -> Option<S<String>> {
        let Some(n) = o.get(key) else {
            self.required(o, key);
            return None;
        };
        let before = self.errors.len();
        let v = self.string(n, &o.path(key));
        if v.is_none() && self.errors.len() == before {
            self.err(n.at, &o.path(key), format!("`{}` must not be blank", o.path(key)));
        }
        v
    }
    fn f_status(&mut self, o: &Obj, key: &str) -> Option<S<Status>> {
        o.get(key).and_then(|n| self.choice(n, &o.path(key), Status::NAMES, Status::parse))
    }

    fn review(&mut self, root: &Node) -> Option<Review> {
        const KEYS: &[&str] = &[
            "apiVersion",
            "release",
            "meeting",
            "teams",
            "checklist",
            "testing",
            "rollback",
            "on_call",
            "monitoring",
            "decision",
            "action_items",
            "follow_up",
        ];
        let o = self.obj(root, "", KEYS)?;
        let api_version = match self.f_req_str(&o, "apiVersion") {
            Some(v) if v.value == API_VERSION => v,
            Some(v) => {
                self.err(
                    v.at,
                    "apiVersion",
                    format!("apiVersion `{}` is not supported; write `{API_VERSION}`", v.value),
                );
                v
            }
            None => S::new(String::new(), Pos::START),
        };
        let release = match o.get("release") {
            Some(n) => self.release(n),
            None => {
                self.required(&o, "release");
                None
            }
        };
        let meeting = o.get("meeting").and_then(|n| self.meeting(n));
        let teams = self.strings(o.get("teams"), "teams");
        let checklist_nodes = self.seq(o.get("checklist"), "checklist");
        let checklist = checklist_nodes.iter().enumerate().filter_map(|(i, n)| self.checklist_item(n, i)).collect();
        let testing = o.get("testing").and_then(|n| self.testing(n));
        let rollback = o.get("rollback").and_then(|n| self.rollback(n));
        let on_call = o.get("on_call").and_then(|n| self.on_call(n));
        let monitoring_nodes = self.seq(o.get("monitoring"), "monitoring");
        let monitoring = monitoring_nodes.iter().enumerate().filter_map(|(i, n)| self.monitor(n, i)).collect();
        let decision = o.get("decision").and_then(|n| self.decision(n));
        let item_nodes = self.seq(o.get("action_items"), "action_items");
        let action_items = item_nodes.iter().enumerate().filter_map(|(i, n)| self.action_item(n, i)).collect();
        let follow_up = o.get("follow_up").and_then(|n| self.follow_up(n));
        Some(Review {
            api_version,
            release: release?,
            release_at: o.key_at("release"),
            meeting,
            teams,
            checklist,
            checklist_at: o.key_at("checklist"),
            testing,
            testing_at: o.key_at("testing"),
            rollback,
            rollback_at: o.key_at("rollback"),
            on_call,
            on_call_at: o.key_at("on_call"),
            monitoring,
            decision,
            decision_at: o.key_at("decision"),
            action_items,
            follow_up,
        })
    }

    fn release(&mut self, n: &Node) -> Option<Release> {
        let o = self.obj(n, "release", &["service", "version", "tag", "frozen", "previous", "runbook"])?;
        let service = self.f_req_str(&o, "service");
        let version = self.f_req_str(&o, "version");
        let r = Release {
            keys: o.keys(),
            at: n.at,
            service: service.clone().unwrap_or_default_s(),
            version: version.clone().unwrap_or_default_s(),
            tag: self.f_str(&o, "tag"),
            frozen: self.f_bool(&o, "frozen"),
            previous: self.f_str(&o, "previous"),
            runbook: self.f_str(&o, "runbook"),
        };
        (service.is_some() && version.is_some()).then_some(r)
    }

    fn meeting(&mut self, n: &Node) -> Option<Meeting> {
        let o = self.obj(n, "meeting", &["date", "facilitator", "duration", "attendees"])?;
        let date = o.get("date").and_then(|n| self.date(n, "meeting.date"));
        let facilitator = self.f_str(&o, "facilitator");
        let duration = self.f_dur(&o, "duration");
        let mut attendees = Vec::new();
        for (i, a) in self.seq(o.get("attendees"), "meeting.attendees").iter().enumerate() {
            let path = idx("meeting.attendees", i);
            match &a.value {
                Value::Scalar { text, .. } => {
                    attendees.push(Attendee { handle: S::new(text.clone(), a.at), name: None })
                }
                Value::Map(_) => {
                    if let Some(ao) = self.obj(a, &path, &["handle", "name"])
                        && let Some(handle) = self.f_req_str(&ao, "handle")
                    {
                        let name = self.f_str(&ao, "name");
                        attendees.push(Attendee { handle, name });
                    }
                }
                _ => self.err(a.at, &path, "an attendee is a handle or { handle, name }"),
            }
        }
        Some(Meeting { date, facilitator, duration, attendees })
    }

    fn checklist_item(&mut self, n: &Node, i: usize) -> Option<ChecklistItem> {
        let path = idx("checklist", i);
        let o = self.obj(n, &path, &["item", "status", "owner", "notes", "link"])?;
        let item = self.f_req_str(&o, "item");
        let status = self.f_status(&o, "status");
        let owner = self.f_str(&o, "owner");
        let notes = self.f_str(&o, "notes");
        let link = self.f_str(&o, "link");
        Some(ChecklistItem { keys: o.keys(), at: n.at, item: item?, status, owner, notes, link })
    }

    fn testing(&mut self, n: &Node) -> Option<Testing> {
        let o = self.obj(n, "testing", &["qa_signoff", "known_issues", "regression", "load_test"])?;
        let qa_signoff = o.get("qa_signoff").and_then(|q| {
            let qo = self.obj(q, "testing.qa_signoff", &["by", "at", "link"])?;
            Some(QaSignoff {
                keys: qo.keys(),
                at_pos: q.at,
                by: self.f_str(&qo, "by"),
                at: self.f_when(&qo, "at"),
                link: self.f_str(&qo, "link"),
            })
        });
        let mut known_issues = Vec::new();
        for (i, k) in self.seq(o.get("known_issues"), "testing.known_issues").iter().enumerate() {
            let path = idx("testing.known_issues", i);
            let Some(ko) = self.obj(k, &path, &["id", "priority", "title", "fix", "link"]) else { continue };
            let priority = match ko.get("priority") {
                None => {
                    self.required(&ko, "priority");
                    None
                }
                Some(p) => self.scalar(p, &ko.path("priority"), "a priority such as P2").and_then(|(t, _)| {
                    let t = t.trim();
                    let digit = t.strip_prefix(['P', 'p']).and_then(|d| d.parse::<u8>().ok()).filter(|d| *d <= 4);
                    if digit.is_none() {
                        self.err(
                            p.at,
                            &ko.path("priority"),
                            format!("`{t}` is not a priority: write P0, P1, P2, P3 or P4"),
                        );
                    }
                    digit.map(|d| S::new(d, p.at))
                }),
            };
            let id = self.f_str(&ko, "id");
            let title = self.f_str(&ko, "title");
            let fix = self.f_str(&ko, "fix");
            let link = self.f_str(&ko, "link");
            if let Some(priority) = priority {
                known_issues.push(KnownIssue { at: k.at, id, priority, title, fix, link });
            }
        }
        let regression = o.get("regression").and_then(|r| {
            let ro = self.obj(r, "testing.regression", &["total", "passed", "failed", "preexisting"])?;
            Some(Regression {
                keys: ro.keys(),
                at: r.at,
                total: self.f_count(&ro, "total"),
                passed: self.f_count(&ro, "passed"),
                failed: self.f_count(&ro, "failed"),
                preexisting: self.f_count(&ro, "preexisting"),
            })
        });
        let load_test = o.get("load_test").and_then(|l| {
            let lo = self.obj(l, "testing.load_test", &["passed", "limits", "notes"])?;
            Some(LoadTest {
                passed: self.f_bool(&lo, "passed"),
                limits: self.strings(lo.get("limits"), "testing.load_test.limits"),
                notes: self.f_str(&lo, "notes"),
            })
        });
        Some(Testing { keys: o.keys(), qa_signoff, known_issues, regression, load_test })
    }

    fn rollback(&mut self, n: &Node) -> Option<Rollback> {
        let o = self.obj(n, "rollback", &["tested_in_staging", "triggers", "steps", "actions"])?;
        let tested_in_staging = o.get("tested_in_staging").and_then(|t| {
            self.choice(t, "rollback.tested_in_staging", &["done", "partial", "not_started"], |s| match s {
                "done" | "partial" | "not_started" => Status::parse(s),
                _ => None,
            })
        });
        let mut triggers: Vec<Trigger> = Vec::new();
        for (i, t) in self.seq(o.get("triggers"), "rollback.triggers").iter().enumerate() {
            let path = idx("rollback.triggers", i);
            // A bare sentence is a trigger too, only a vague one: the rule says so, not the parser.
            if let Value::Scalar { text, .. } = &t.value {
                triggers.push(Trigger {
                    at: t.at,
                    name: S::new(text.clone(), t.at),
                    query: None,
                    above: None,
                    below: None,
                    for_: None,
                    alert: None,
                    manual: None,
                });
                continue;
            }
            let Some(to) = self.obj(t, &path, &["name", "query", "above", "below", "for", "alert", "manual"]) else {
                continue;
            };
            let name = self.f_req_str(&to, "name");
            let trig = Trigger {
                at: t.at,
                name: name.clone().unwrap_or_default_s(),
                query: self.f_str(&to, "query"),
                above: self.f_num(&to, "above"),
                below: self.f_num(&to, "below"),
                for_: self.f_dur(&to, "for"),
                alert: self.f_str(&to, "alert"),
                manual: self.f_bool(&to, "manual"),
            };
            if let Some(name) = name {
                if let Some(prev) = triggers.iter().find(|p| p.name.value == name.value) {
                    self.err(
                        name.at,
                        &to.path("name"),
                        format!(
                            "two triggers are named `{}` (first on line {}); names must be unique",
                            name.value, prev.name.at.line
                        ),
                    );
                }
                triggers.push(trig);
            }
        }
        let steps = self.strings(o.get("steps"), "rollback.steps");
        let mut actions: Vec<Action> = Vec::new();
        for (i, a) in self.seq(o.get("actions"), "rollback.actions").iter().enumerate() {
            if let Some(action) = self.action(a, i) {
                if let Some(prev) = actions.iter().find(|p| p.name.value == action.name.value) {
                    self.err(
                        action.name.at,
                        &format!("rollback.actions[{i}].name"),
                        format!("two actions are named `{}` (first on line {})", action.name.value, prev.name.at.line),
                    );
                }
                actions.push(action);
            }
        }
        Some(Rollback {
            keys: o.keys(),
            tested_in_staging,
            triggers,
            triggers_at: o.key_at("triggers"),
            steps,
            steps_at: o.key_at("steps"),
            actions,
        })
    }

    fn action(&mut self, n: &Node, i: usize) -> Option<Action> {
        let path = idx("rollback.actions", i);
        let o = self.obj(n, &path, &["name", "webhook", "command", "timeout"])?;
        let name = self.f_req_str(&o, "name");
        let timeout = self.f_dur(&o, "timeout");
        let kind = match (o.get("webhook"), o.get("command")) {
            (Some(w), None) => self.webhook(w, &o.path("webhook")).map(ActionKind::Webhook),
            (None, Some(c)) => {
                let argv = match &c.value {
                    Value::Seq(_) => self.strings(Some(c), &o.path("command")),
                    _ => {
                        self.err(
                            c.at,
                            &o.path("command"),
                            "`command` is a list of arguments: [\"./deploy.sh\", \"v2.13.1\"]",
                        );
                        Vec::new()
                    }
                };
                if argv.is_empty() {
                    self.err(c.at, &o.path("command"), "`command` needs at least the program to run");
                    None
                } else {
                    Some(ActionKind::Command(argv))
                }
            }
            (Some(_), Some(_)) => {
                self.err(o.key_at("command"), &path, "an action is a `webhook` or a `command`, not both");
                None
            }
            (None, None) => {
                self.err(n.at, &path, "an action needs a `webhook` or a `command`");
                None
            }
        };
        Some(Action { at: n.at, name: name?, kind: kind?, timeout })
    }

    fn webhook(&mut self, n: &Node, path: &str) -> Option<Webhook> {
        let o = self.obj(n, path, &["url", "method", "headers", "body", "timeout", "retries"])?;
        let url = self.f_req_str(&o, "url");
        if let Some(u) = &url
            && !(u.value.starts_with("http://") || u.value.starts_with("https://") || u.value.starts_with("${"))
        {
            self.err(u.at, &o.path("url"), format!("`{}` is not an http:// or https:// URL", u.value));
        }
        let method = match self.f_str(&o, "method") {
            Some(m) => {
                let up = m.value.to_ascii_uppercase();
                if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&up.as_str()) {
                    self.err(m.at, &o.path("method"), format!("`{}` is not GET, POST, PUT, PATCH or DELETE", m.value));
                }
                S::new(up, m.at)
            }
            None => S::new("POST".to_string(), o.at),
        };
        let mut headers = Vec::new();
        if let Some(h) = o.get("headers")
            && let Value::Map(entries) = &h.value
        {
            for e in entries {
                if let Some(v) = self.string(&e.value, &format!("{}.{}", o.path("headers"), e.key)) {
                    headers.push((S::new(e.key.clone(), e.key_at), v));
                }
            }
        } else if let Some(h) = o.get("headers") {
            self.err(h.at, &o.path("headers"), "`headers` must be a mapping of header names to values");
        }
        let body = self.f_str(&o, "body");
        let timeout = self.f_dur(&o, "timeout");
        let retries = self.f_count(&o, "retries");
        Some(Webhook { url: url?, method, headers, body, timeout, retries })
    }

    fn window(&mut self, n: &Node, path: &str) -> Option<Window> {
        let o = self.obj(n, path, &["start", "end"])?;
        let start = self.f_ts(&o, "start");
        let end = self.f_ts(&o, "end");
        if o.get("start").is_none() {
            self.required(&o, "start");
        }
        if o.get("end").is_none() {
            self.required(&o, "end");
        }
        let (start, end) = (start?, end?);
        if end.value <= start.value {
            self.err(end.at, &o.path("end"), "the window ends before it starts");
        }
        Some(Window { at: n.at, start, end })
    }

    fn on_call(&mut self, n: &Node) -> Option<OnCall> {
        let o = self.obj(n, "on_call", &["primary", "secondary", "accepted", "window"])?;
        Some(OnCall {
            keys: o.keys(),
            primary: self.f_str(&o, "primary"),
            secondary: self.f_str(&o, "secondary"),
            accepted: self.f_bool(&o, "accepted"),
            window: o.get("window").and_then(|w| self.window(w, "on_call.window")),
        })
    }

    fn monitor(&mut self, n: &Node, i: usize) -> Option<Monitor> {
        let path = idx("monitoring", i);
        let o = self.obj(n, &path, &["metric", "dashboard", "link", "query", "alert", "verified_live"])?;
        let metric = self.f_req_str(&o, "metric");
        let alert = o.get("alert").and_then(|a| {
            let ap = o.path("alert");
            let ao = self.obj(a, &ap, &["above", "below", "for", "notify", "rule"])?;
            let above = self.f_num(&ao, "above");
            let below = self.f_num(&ao, "below");
            let threshold = match (above, below) {
                (Some(a), None) => Some(S::new(Threshold::Above(a.value), a.at)),
                (None, Some(b)) => Some(S::new(Threshold::Below(b.value), b.at)),
                (Some(_), Some(b)) => {
                    self.err(b.at, &ap, "an alert has one threshold: `above` or `below`, not both");
                    None
                }
                (None, None) => None,
            };
            Some(MonitorAlert {
                keys: ao.keys(),
                at: a.at,
                threshold,
                for_: self.f_dur(&ao, "for"),
                notify: self.f_str(&ao, "notify"),
                rule: self.f_str(&ao, "rule"),
            })
        });
        Some(Monitor {
            keys: o.keys(),
            at: n.at,
            metric: metric?,
            dashboard: self.f_str(&o, "dashboard"),
            link: self.f_str(&o, "link"),
            query: self.f_str(&o, "query"),
            alert,
            verified_live: self.f_bool(&o, "verified_live"),
        })
    }

    fn decision(&mut self, n: &Node) -> Option<Decision> {
        let o =
            self.obj(n, "decision", &["outcome", "by", "signoffs", "at", "deploy_window", "conditions", "notes"])?;
        let outcome = o.get("outcome").and_then(|v| self.choice(v, "decision.outcome", Outcome::NAMES, Outcome::parse));
        let mut conditions = Vec::new();
        for (i, c) in self.seq(o.get("conditions"), "decision.conditions").iter().enumerate() {
            let path = idx("decision.conditions", i);
            if let Value::Scalar { text, .. } = &c.value {
                conditions.push(Condition {
                    keys: Keys { at: c.at, keys: Vec::new() },
                    at: c.at,
                    text: S::new(text.clone(), c.at),
                    owner: None,
                    due: None,
                    covers: Vec::new(),
                    met: None,
                });
                continue;
            }
            let Some(co) = self.obj(c, &path, &["text", "owner", "due", "covers", "met"]) else { continue };
            let text = self.f_req_str(&co, "text");
            let cond = Condition {
                keys: co.keys(),
                at: c.at,
                text: text.clone().unwrap_or_default_s(),
                owner: self.f_str(&co, "owner"),
                due: self.f_when(&co, "due"),
                covers: self.strings(co.get("covers"), &co.path("covers")),
                met: self.f_bool(&co, "met"),
            };
            if text.is_some() {
                conditions.push(cond);
            }
        }
        Some(Decision {
            keys: o.keys(),
            outcome,
            by: self.f_str(&o, "by"),
            signoffs: self.strings(o.get("signoffs"), "decision.signoffs"),
            at: self.f_ts(&o, "at"),
            deploy_window: o.get("deploy_window").and_then(|w| self.window(w, "decision.deploy_window")),
            conditions,
            notes: self.f_str(&o, "notes"),
        })
    }

    fn action_item(&mut self, n: &Node, i: usize) -> Option<ActionItem> {
        let path = idx("action_items", i);
        let o = self.obj(n, &path, &["owner", "action", "due", "status"])?;
        let action = self.f_req_str(&o, "action");
        let owner = self.f_str(&o, "owner");
        let due = self.f_when(&o, "due");
        let status =
            o.get("status").and_then(|s| self.choice(s, &o.path("status"), ItemStatus::NAMES, ItemStatus::parse));
        Some(ActionItem { keys: o.keys(), at: n.at, owner, action: action?, due, status })
    }

    fn follow_up(&mut self, n: &Node) -> Option<FollowUp> {
        let o = self.obj(n, "follow_up", &["post_deploy_check", "post_launch_review", "notes"])?;
        Some(FollowUp {
            post_deploy_check: self.f_dur(&o, "post_deploy_check"),
            post_launch_review: self.f_dur(&o, "post_launch_review"),
            notes: self.f_str(&o, "notes"),
        })
    }
}

fn display(path: &str) -> &str {
    if path.is_empty() { "the file" } else { path }
}

/// RFC 3339 with a `Z` or numeric offset.
pub fn parse_timestamp(t: &str) -> Result<Timestamp, String> {
    if !t.contains('T') && !t.contains('t') {
        return Err("a time needs a date, `T`, a time of day and a zone such as `Z`".into());
    }
    t.parse::<Timestamp>().map_err(|e| {
        let s = e.to_string();
        if s.contains("offset") || s.contains("Z") { "it needs a zone: `Z` or an offset like +01:00".into() } else { s }
    })
}

trait DefaultS<T> {
    fn unwrap_or_default_s(self) -> S<T>;
}

impl<T: Default> DefaultS<T> for Option<S<T>> {
    fn unwrap_or_default_s(self) -> S<T> {
        self.unwrap_or(S::new(T::default(), Pos::START))
    }
}
