//! `gonogo capture`: a meeting transcript in; its decisions, action items, open questions and
//! checklist updates out, each with the words it rests on. `--apply` merges them into the
//! review without overwriting what a person wrote; `--follow` reads a live meeting from stdin.

use anyhow::{Context as _, Result, bail};
use gonogo_capture::{Capture, Context, Engine, Item};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Transcripts larger than this are refused before reading (a day-long meeting is ~2 MiB).
const MAX_TRANSCRIPT: u64 = 64 << 20;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CaptureFormat {
    Json,
    Human,
}

pub struct CaptureArgs {
    pub transcript: Option<PathBuf>,
    pub review: Option<PathBuf>,
    pub format: CaptureFormat,
    pub apply: bool,
    pub follow: bool,
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_dir() {
        bail!("{} is a folder, not {what}", path.display());
    }
    if meta.len() > MAX_TRANSCRIPT {
        bail!("{}: the file is {} bytes; gonogo reads {what}s up to 64 MiB", path.display(), meta.len());
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        anyhow::anyhow!("{}:{line}: the file is not UTF-8", path.display())
    })
}

pub fn run(a: CaptureArgs) -> Result<u8> {
    let (ctx, review_text) = match &a.review {
        Some(p) => {
            let text = read_text(p, "review file")?;
            match Context::from_review_yaml(&text) {
                Ok(c) => (c, Some(text)),
                Err(e) => {
                    eprintln!("error: {}:{}: {}", p.display(), e.line, e.message);
                    return Ok(2);
                }
            }
        }
        None => (Context::empty(), None),
    };
    if a.apply && a.review.is_none() {
        bail!("--apply needs --review FILE: the review the captured items go into");
    }
    let capture = if a.follow {
        if a.transcript.is_some() {
            bail!("--follow reads utterances from standard input; give no transcript file");
        }
        match follow(ctx.clone(), a.format)? {
            Some(c) => c,
            None => return Ok(2),
        }
    } else {
        let Some(path) = &a.transcript else { bail!("a transcript file is needed (or --follow to read stdin)") };
        let text = read_text(path, "transcript")?;
        let utterances = match gonogo_capture::parse(&text) {
            Ok((_, u)) => u,
            Err(e) => {
                eprintln!("error: {}:{}: {}", path.display(), e.line, e.message);
                return Ok(2);
            }
        };
        let c = gonogo_capture::extract(&utterances, &ctx);
        if !a.apply {
            let mut out = std::io::stdout().lock();
            let text = match a.format {
                CaptureFormat::Json => format!("{}\n", serde_json::to_string_pretty(&c.to_json())?),
                CaptureFormat::Human => human(&c),
            };
            let _ = out.write_all(text.as_bytes());
        }
        c
    };
    if a.apply
        && let (Some(path), Some(text)) = (&a.review, review_text)
    {
        return apply(path, &text, &capture, &ctx);
    }
    Ok(0)
}

/// `--follow`: one utterance per line as `{at, speaker, text}`; each item is printed as soon as
/// the engine is certain of it. A bad line is named and skipped; the exit code then says 2.
fn follow(ctx: Context, format: CaptureFormat) -> Result<Option<Capture>> {
    let mut engine = Engine::new(ctx);
    let mut out = std::io::stdout().lock();
    let mut bad = 0;
    let emit = |items: Vec<Item>, out: &mut std::io::StdoutLock| -> Result<()> {
        for it in items {
            let line = match format {
                CaptureFormat::Json => it.to_json().to_string(),
                CaptureFormat::Human => item_line(&it),
            };
            if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                // The reader went away: nothing more to say to it.
                return Ok(());
            }
        }
        Ok(())
    };
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let n = i + 1;
        let line = line.with_context(|| format!("reading standard input, line {n}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let u = match gonogo_capture::parse::utterance_json(&line, n) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("error: <stdin>:{}: {}: {line}", e.line, e.message);
                bad += 1;
                continue;
            }
        };
        let items = engine.push(u);
        emit(items, &mut out)?;
    }
    let (items, capture) = engine.finish();
    emit(items, &mut out)?;
    Ok(if bad > 0 { None } else { Some(capture) })
}

fn item_line(it: &Item) -> String {
    match it {
        Item::Decision(d) => format!(
            "{}  decision{}  {}: \"{}\"",
            d.at,
            d.outcome.as_deref().map(|o| format!(" ({})", o.to_uppercase().replace('_', "-"))).unwrap_or_default(),
            d.speaker,
            d.quote
        ),
        Item::ActionItem(a) => format!(
            "{}  action  {} — {}{}{}",
            a.at,
            a.owner.as_deref().unwrap_or("(no single owner)"),
            a.action,
            a.due.as_deref().map(|d| format!(", due {d}")).unwrap_or_default(),
            a.replaces.as_deref().map(|r| format!(" (replaces the assignment at {r})")).unwrap_or_default()
        ),
        Item::OpenQuestion(q) => format!("{}  open question  {}: {}", q.at, q.speaker, q.text),
        Item::ChecklistUpdate(c) => format!("{}  checklist  {} → {}", c.at, c.item, c.status),
    }
}

/// The capture as a person reads it in the meeting: each item, the words it rests on, why.
fn human(c: &Capture) -> String {
    let mut s = String::new();
    let mut section = |title: &str, rows: Vec<(String, String, String)>| {
        s.push_str(&format!("{title} ({})\n", rows.len()));
        for (head, quote, why) in rows {
            s.push_str(&format!("  {head}\n      \"{quote}\"\n      why: {why}\n"));
        }
        s.push('\n');
    };
    section(
        "decisions",
        c.decisions
            .iter()
            .map(|d| {
                let o = d.outcome.as_deref().map(|o| o.to_uppercase().replace('_', "-")).unwrap_or("—".into());
                (format!("{}  {o}  {} ({})", d.at, d.text, d.speaker), d.quote.clone(), d.why.clone())
            })
            .collect(),
    );
    section(
        "action items",
        c.action_items
            .iter()
            .map(|a| {
                let due = a.due.as_deref().unwrap_or("no due date");
                let owner = a.owner.as_deref().unwrap_or("no single owner");
                (format!("{}  {owner}: {} (due {due})", a.at, a.action), a.quote.clone(), a.why.clone())
            })
            .collect(),
    );
    section(
        "open questions",
        c.open_questions
            .iter()
            .map(|q| (format!("{}  {} ({})", q.at, q.text, q.speaker), q.text.clone(), q.why.clone()))
            .collect(),
    );
    section(
        "checklist updates",
        c.checklist_updates
            .iter()
            .map(|u| {
                let notes = if u.notes.is_empty() { String::new() } else { format!(" — {}", u.notes) };
                (format!("{}  {} → {}{notes}", u.at, u.item, u.status), u.quote.clone(), u.why.clone())
            })
            .collect(),
    );
    s
}

/// What `--apply` did with each captured item.
#[derive(Default)]
struct Merge {
    applied: Vec<String>,
    conflicts: Vec<String>,
    kept: Vec<String>,
}

/// Merges the capture into the review's tree: blank values are filled, a value a person set is
/// never replaced (a different one is a conflict, listed), items already there are not repeated.
fn merge(doc: &mut serde_json::Value, c: &Capture, ctx: &Context) -> Merge {
    use serde_json::{Value, json};
    let mut m = Merge::default();
    let blank = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
    let Some(root) = doc.as_object_mut() else { return m };
    for u in &c.checklist_updates {
        let items = root.get_mut("checklist").and_then(|v| v.as_array_mut());
        let Some((i, item)) = items
            .into_iter()
            .flatten()
            .enumerate()
            .find(|(_, it)| it.get("item").and_then(|v| v.as_str()) == Some(u.item.as_str()))
        else {
            m.kept.push(format!("checklist \"{}\" ({}): the review has no such item", u.item, u.at));
            continue;
        };
        let Some(obj) = item.as_object_mut() else { continue };
        match obj.get("status").and_then(|v| v.as_str()).filter(|s| !s.trim().is_empty()) {
            None => {
                obj.insert("status".into(), json!(u.status));
                if blank(obj.get("notes")) && !u.notes.is_empty() {
                    obj.insert("notes".into(), json!(u.notes));
                }
                m.applied.push(format!("checklist[{i}] \"{}\": status {} ({})", u.item, u.status, u.at));
            }
            Some(s) if s == u.status => {}
            Some(s) => m.conflicts.push(format!(
                "checklist[{i}].status: the file says `{s}`, the meeting said `{}` at {} (\"{}\"); not changed",
                u.status, u.at, u.quote
            )),
        }
    }
    let items = root.entry("action_items").or_insert_with(|| json!([]));
    if !items.is_array() {
        *items = json!([]);
    }
    if let Some(list) = items.as_array_mut() {
        for a in &c.action_items {
            let same = |v: &Value| {
                v.get("action").and_then(|x| x.as_str()).is_some_and(|x| x.trim().eq_ignore_ascii_case(a.action.trim()))
            };
            if list.iter().any(same) {
                continue;
            }
            let mut obj = serde_json::Map::new();
            if let Some(o) = &a.owner {
                obj.insert("owner".into(), json!(o));
            }
            obj.insert("action".into(), json!(a.action));
            if let Some(d) = &a.due {
                obj.insert("due".into(), json!(d));
            }
            obj.insert("status".into(), json!("open"));
            m.applied.push(format!(
                "action_items[{}]: {} — {} ({})",
                list.len(),
                a.owner.as_deref().unwrap_or("no single owner: check will ask for one"),
                a.action,
                a.at
            ));
            list.push(Value::Object(obj));
        }
    }
    if root.get("action_items").and_then(|v| v.as_array()).is_some_and(|l| l.is_empty()) {
        root.remove("action_items");
    }
    // The go/no-go call: the last one stated is the meeting's.
    if let Some(d) = c.decisions.iter().rev().find(|d| d.outcome.is_some()) {
        let outcome = d.outcome.clone().unwrap_or_default();
        let by = ctx
            .attendees
            .iter()
            .find(|a| a.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&d.speaker)) || a.handle == d.speaker)
            .map(|a| a.handle.clone());
        let dec = root.entry("decision").or_insert_with(|| json!({}));
        if let Some(obj) = dec.as_object_mut() {
            match obj.get("outcome").and_then(|v| v.as_str()).filter(|s| !s.is_empty() && *s != "pending") {
                None => {
                    obj.insert("outcome".into(), json!(outcome));
                    if blank(obj.get("by"))
                        && let Some(h) = &by
                    {
                        obj.insert("by".into(), json!(h));
                    }
                    m.applied.push(format!("decision.outcome: {outcome}, by {} ({})", d.speaker, d.at));
                }
                Some(s) if s == outcome => {}
                Some(s) => m.conflicts.push(format!(
                    "decision.outcome: the file says `{s}`, the meeting said `{outcome}` at {} (\"{}\"); not changed",
                    d.at, d.quote
                )),
            }
        }
    }
    for d in c.decisions.iter().filter(|d| d.outcome.is_none()) {
        m.kept.push(format!("decision at {}: {} (the review has no place for other decisions)", d.at, d.text));
    }
    for q in &c.open_questions {
        m.kept.push(format!("open question at {}: {} (the review has no place for questions)", q.at, q.text));
    }
    m
}

/// `--apply`: the review rewritten with the capture merged, in one rename (never half-written).
fn apply(path: &Path, text: &str, c: &Capture, ctx: &Context) -> Result<u8> {
    let (node, diags) = gonogo_core::yaml::parse(text);
    let Some(node) = node.filter(|_| diags.is_empty()) else {
        for d in diags {
            eprintln!("error: {}:{}:{}: {}", path.display(), d.line, d.column, d.message);
        }
        return Ok(2);
    };
    let mut doc = gonogo_core::yaml::to_json(&node);
    if !doc.is_object() {
        eprintln!("error: {}:1:1: the review is not a mapping; nothing to merge into", path.display());
        return Ok(2);
    }
    let m = merge(&mut doc, c, ctx);
    if !m.applied.is_empty() {
        let new = gonogo_core::yaml::emit(&doc);
        // The writer keeps no comments: keep the file as it was beside it when it had any.
        let commented = text.lines().any(|l| l.trim_start().starts_with('#') || l.contains(" #"));
        if commented {
            let orig = path.with_extension("yaml.orig");
            std::fs::write(&orig, text).with_context(|| format!("writing {}", orig.display()))?;
            eprintln!("note: comments are not kept by --apply; the file as it was is {}", orig.display());
        }
        let tmp = path.with_extension("yaml.gonogo-tmp");
        std::fs::write(&tmp, &new).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    let mut say = |title: &str, rows: &[String]| {
        let _ = writeln!(out, "{title} ({}):", rows.len());
        for r in rows {
            let _ = writeln!(out, "  {r}");
        }
    };
    say(&format!("applied to {}", path.display()), &m.applied);
    say("conflicts, not applied (the file's value stands)", &m.conflicts);
    say("captured, not in the review file", &m.kept);
    Ok(0)
}
