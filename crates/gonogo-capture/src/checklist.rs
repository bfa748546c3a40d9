//! Checklist items as the rules see them (subject words, the state verb, qualifiers) and
//! the status signals a sentence carries ("I'd call it partial", "haven't tagged
//! anything", "what's missing is…", "So, configured.").

use crate::text::re;
use crate::text::{same, stem, words};
use regex::Regex;
use std::sync::LazyLock;

/// One review checklist item, split into the words a speaker would use for it.
#[derive(Debug, Clone)]
pub struct ItemModel {
    pub name: String,
    /// Subject stems with their weight: 2 when only this item has the word, 1 when items
    /// share it ("rollback"), 0.5 for words too common to point at an item alone.
    pub subject: Vec<(String, f32)>,
    /// The state verb's stem ("tagged" → "tag"): a sentence saying it in the past
    /// participle says the item is done.
    pub verb: Option<String>,
    /// Words after the verb ("in staging").
    pub complement: Vec<String>,
}

const GENERIC: &[&str] = &[
    "issue",
    "item",
    "thing",
    "run",
    "test",
    "check",
    "new",
    "all",
    "deployment",
    "deploy",
    "feature",
    "work",
    "change",
    "process",
    "update",
    "plan",
    "team",
    "data",
    "service",
    "system",
    "production",
    "final",
];
const STOP: &[&str] = &["all", "and", "in", "the", "a", "an", "of", "on", "for", "to", "is", "are", "be", "with"];
const IRREGULAR: &[&str] = &["written", "done", "set", "built", "sent", "begun", "made", "cut", "shared"];

fn participle(w: &str) -> bool {
    (w.len() > 4 && (w.ends_with("ed") || w.ends_with("en"))) || IRREGULAR.contains(&w)
}

impl ItemModel {
    fn new(name: &str) -> ItemModel {
        let ws: Vec<String> = words(name).into_iter().map(|(w, _)| w).filter(|w| !STOP.contains(&w.as_str())).collect();
        // A regular participle first ("dry-run completed" is done when completed, not run).
        let regular = |w: &String| w.len() > 4 && (w.ends_with("ed") || w.ends_with("en"));
        let vi = ws
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, w)| regular(w))
            .or_else(|| ws.iter().enumerate().skip(1).find(|(_, w)| IRREGULAR.contains(&w.as_str())))
            .map(|(i, _)| i);
        let (subj, verb, comp) = match vi {
            Some(i) => (&ws[..i], Some(stem(&ws[i])), &ws[i + 1..]),
            None => (&ws[..], None, &ws[0..0]),
        };
        ItemModel {
            name: name.to_string(),
            subject: subj.iter().map(|w| (stem(w), 1.0)).collect(),
            verb,
            complement: comp.iter().map(|w| stem(w)).collect(),
        }
    }
}

/// Models for a checklist, with subject weights set by how many items share a word.
pub fn models(names: &[String]) -> Vec<ItemModel> {
    let mut ms: Vec<ItemModel> = names.iter().map(|n| ItemModel::new(n)).collect();
    let all: Vec<Vec<String>> = ms.iter().map(|m| m.subject.iter().map(|(s, _)| s.clone()).collect()).collect();
    for (i, m) in ms.iter_mut().enumerate() {
        for (s, w) in m.subject.iter_mut() {
            let shared = all.iter().enumerate().any(|(j, other)| j != i && other.iter().any(|o| same(o, s)));
            *w = if GENERIC.contains(&s.as_str()) {
                0.5
            } else if shared {
                1.0
            } else {
                2.0
            };
        }
    }
    ms
}

/// A word's stem, where it stands, and whether it sits in a prepositional phrase ("linked
/// from the release ticket", "documented in the runbook"), where it names a place rather
/// than what the sentence is about.
#[derive(Debug, Clone)]
pub struct Stem {
    pub stem: String,
    pub pos: usize,
    pub in_phrase: bool,
}

/// How strongly a text (its stems) points at an item; `None` below the mention threshold
/// (one distinctive subject word, or a shared one with the verb or qualifier, or the verb
/// with the qualifier: "tested in staging"). With `loose`, any subject word counts (a short
/// prompt such as "Rollback. Fola again.").
pub fn mention(m: &ItemModel, stems: &[Stem], loose: bool) -> Option<(f32, usize)> {
    let mut subj = 0.0;
    let mut first = usize::MAX;
    for (s, w) in &m.subject {
        if let Some(x) = stems.iter().find(|x| same(&x.stem, s)) {
            subj += if x.in_phrase { w / 2.0 } else { *w };
            first = first.min(x.pos);
        }
    }
    let verb = m.verb.as_ref().and_then(|v| stems.iter().find(|x| same(&x.stem, v))).map(|x| x.pos);
    let comp = m.complement.iter().find_map(|c| stems.iter().find(|x| same(&x.stem, c))).map(|x| x.pos);
    let ok = subj >= 2.0
        || (subj >= 1.0 && (verb.is_some() || comp.is_some()))
        || (verb.is_some() && comp.is_some())
        || (loose && subj >= 1.0);
    if !ok {
        return None;
    }
    for p in [verb, comp].into_iter().flatten() {
        first = first.min(p);
    }
    Some((subj + if verb.is_some() { 0.5 } else { 0.0 } + if comp.is_some() { 0.5 } else { 0.0 }, first))
}

/// Prepositions of place: "in the runbook", "from the release ticket" (not "on the P1",
/// which is about it).
const PREPOSITIONS: &[&str] = &["in", "into", "from", "inside", "within"];
const DETERMINERS: &[&str] = &["the", "a", "an", "our", "their", "its", "his", "her", "my", "your", "this", "that"];

/// Stems of a text with their byte offsets.
pub fn stems(text: &str) -> Vec<Stem> {
    let ws = words(text);
    ws.iter()
        .enumerate()
        .map(|(i, (w, p))| {
            let prev = |k: usize| i.checked_sub(k).and_then(|j| ws.get(j)).map(|(w, _)| w.as_str());
            let in_phrase = prev(1).is_some_and(|a| PREPOSITIONS.contains(&a))
                || (prev(1).is_some_and(|a| DETERMINERS.contains(&a))
                    && prev(2).is_some_and(|b| PREPOSITIONS.contains(&b)));
            Stem { stem: stem(w), pos: *p, in_phrase }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Done,
    Partial,
    Blocked,
    NotStarted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Partial => "partial",
            Status::Blocked => "blocked",
            Status::NotStarted => "not_started",
        }
    }
}

/// What one phrase in a sentence says about an item's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A status said outright: "partial", "blocked", "not yet", "done".
    Explicit(Status),
    /// Something is missing: "what's missing is", "still a stub", "eighty percent".
    Gap,
    /// The item's own verb, positive ("I tagged v3.8.0") or negated ("haven't tagged").
    Verb { item: Vec<usize>, negated: bool },
    /// A result in passing ("matched", "ran clean"): counts only when the item is named.
    Weak,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub kind: Kind,
    /// Byte offset in the sentence.
    pub pos: usize,
    pub phrase: String,
}

/// Future, modal or conditional sentences describe a plan, not a state.
static NOT_A_STATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:i'll|we'll|you'll|he'll|she'll|they'll|it'll|that'll|will|won't|gonna|going to|needs? to|has to|have to|had to|should|must|shall|once|as long as|as soon as|until|whenever|can|could|can't|would|i'd like|i'd rather|i'd want|i'd really|wants? to|want them|hope|hoping|plans? to|if|when it's|when it is|shout when|by the time|get briefed|before (?:we|you|they|i|the window|the deploy))\b",
    )
});
static PARTIAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bpartial(?:ly)?\b|\bhalf[- ](?:done|finished|way)\b|\bin progress\b|\bmostly (?:done|there|finished|complete)\b|\bpercent (?:done|complete|there|of the way)\b",
    )
});
static PERCENT_END: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:say|about|around|roughly|maybe|at|is|it's)\s+(?:\w+[- ])?\w+\s+(?:percent|%)\s*[.!]?$"));
static BLOCKED: LazyLock<Regex> = LazyLock::new(|| re(r"\bblocked\b"));
static NOT_STARTED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bnot (?:yet )?started\b|\bhaven't (?:started|begun)\b|\bhasn't (?:started|begun)\b|\bnot yet\b|\bnothing yet\b|\bnot (?:\w+ ){1,2}yet\b",
    )
});
static DONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:done|complete|completed|finished|all clear|all set|good to go|ready to go|in place|set up|signed off|verified|taken care of|sorted)\b",
    )
});
static GAP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bwhat(?:'s| is)? (?:still )?missing\b|\bwhat (?:\w+ )?(?:doesn't|don't|hasn't|haven't|didn't|isn't|wasn't|hadn't)\b|\bstill (?:a stub|missing|to do|outstanding|pending)\b|\bstub\b|\bmissing\b|\bnot all\b|\bonly (?:part|some|half)\b|\bnot (?:fully|completely|entirely)\b|\bremaining\b",
    )
});
static WEAK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:passed|succeeded|matched|ran clean|clean|works|worked|went (?:fine|well|smoothly)|looks good|no issues|no problems|all green)\b",
    )
});
const NEGATORS: &[&str] = &[
    "not", "never", "nobody", "nobody's", "no", "none", "without", "haven't", "hasn't", "isn't", "wasn't", "didn't",
    "aren't", "weren't", "don't", "doesn't", "hadn't", "nor", "neither",
];

fn negated_before(lower: &str, pos: usize) -> bool {
    let ws = words(&lower[..pos]);
    ws.iter()
        .rev()
        .take(4)
        .any(|(w, _)| NEGATORS.contains(&w.as_str()) || w == "one" && lower[..pos].contains("no one"))
}

/// The status signals of one sentence about the given items. Questions and plans carry
/// none.
pub fn signals(sentence: &str, items: &[ItemModel]) -> Vec<Signal> {
    let l = sentence.to_ascii_lowercase().replace('’', "'");
    if l.trim_end().ends_with('?') || NOT_A_STATE.is_match(&l) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let push = |out: &mut Vec<Signal>, kind: Kind, m: regex::Match| {
        out.push(Signal { kind, pos: m.start(), phrase: m.as_str().to_string() });
    };
    for m in PARTIAL.find_iter(&l) {
        push(&mut out, Kind::Explicit(Status::Partial), m);
    }
    if let Some(m) = PERCENT_END.find(l.trim_end()) {
        push(&mut out, Kind::Gap, m);
    }
    for m in BLOCKED.find_iter(&l) {
        if !negated_before(&l, m.start()) {
            push(&mut out, Kind::Explicit(Status::Blocked), m);
        }
    }
    for m in NOT_STARTED.find_iter(&l) {
        push(&mut out, Kind::Explicit(Status::NotStarted), m);
    }
    let gaps: Vec<regex::Match> = GAP.find_iter(&l).collect();
    for m in &gaps {
        push(&mut out, Kind::Gap, *m);
    }
    for m in DONE.find_iter(&l) {
        let inside_gap = gaps.iter().any(|g| g.start() <= m.start() && m.start() <= g.end() + 12);
        if !negated_before(&l, m.start()) && !inside_gap {
            push(&mut out, Kind::Explicit(Status::Done), m);
        }
    }
    for m in WEAK.find_iter(&l) {
        if !negated_before(&l, m.start()) {
            push(&mut out, Kind::Weak, m);
        }
    }
    // The items' own verbs in participle form.
    for (w, p) in words(&l) {
        if !participle(&w) {
            continue;
        }
        let st = stem(&w);
        let owners: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, m)| m.verb.as_ref().is_some_and(|v| same(v, &st)))
            .map(|(i, _)| i)
            .collect();
        if owners.is_empty() {
            continue;
        }
        let negated = negated_before(&l, p);
        // "what hasn't happened", "what I haven't done": a gap, already counted.
        if negated && gaps.iter().any(|g| g.start() <= p && p <= g.end() + 12) {
            continue;
        }
        out.push(Signal { kind: Kind::Verb { item: owners, negated }, pos: p, phrase: w.clone() });
    }
    out.sort_by_key(|s| s.pos);
    out
}

/// The status a set of signals about one item comes to, and the phrase that decided it.
pub fn combine(sigs: &[&Signal], weak_ok: bool) -> Option<(Status, String)> {
    let explicit = sigs.iter().rev().find_map(|s| match s.kind {
        Kind::Explicit(st) => Some((st, s.phrase.clone())),
        _ => None,
    });
    let gap = sigs.iter().find(|s| s.kind == Kind::Gap).map(|s| s.phrase.clone());
    let neg = sigs.iter().find(|s| matches!(s.kind, Kind::Verb { negated: true, .. })).map(|s| s.phrase.clone());
    let pos = sigs.iter().find(|s| matches!(s.kind, Kind::Verb { negated: false, .. })).map(|s| s.phrase.clone());
    let weak = sigs.iter().find(|s| s.kind == Kind::Weak).map(|s| s.phrase.clone());
    match (explicit, gap, neg, pos) {
        (Some((Status::Done, _)), Some(g), _, _) => Some((Status::Partial, format!("\"{g}\" despite done"))),
        (Some((st, p)), _, _, _) => Some((st, format!("\"{p}\""))),
        (None, Some(g), _, _) => Some((Status::Partial, format!("\"{g}\""))),
        (None, None, Some(n), _) => Some((Status::NotStarted, format!("negated \"{n}\""))),
        (None, None, None, Some(p)) => Some((Status::Done, format!("\"{p}\""))),
        (None, None, None, None) if weak_ok => weak.map(|w| (Status::Done, format!("\"{w}\" (result stated)"))),
        _ => None,
    }
}
