//! Rule-based extraction of decisions, action items, open questions and checklist
//! updates from a meeting's utterances, as a live [`Engine`] (one utterance in, the items
//! that became certain out) whose final state is what [`extract`] returns.
//!
//! Every rule is a phrase pattern, a name lookup or the date grammar of [`crate::due`];
//! none knows a particular meeting. Each item says which rule took it (`why`) and the words
//! it rests on (`quote`), so that a person can check it.

use crate::checklist::{self, ItemModel, Kind, Signal, Status};
use crate::context::Context;
use crate::due::{self, Clock, Found};
use crate::parse::{Utterance, fmt_at};
use crate::people::People;
use crate::text::re;
use crate::text::{Sentence, clip, content_stems, overlap, sentences, words};
use regex::Regex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A choice the group settled in the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub at: String,
    pub speaker: String,
    pub text: String,
    /// `"go"` or `"no_go"` for the go/no-go call, `None` for every other decision.
    pub outcome: Option<String>,
    pub quote: String,
    pub why: String,
}

/// A commitment to do something after the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionItem {
    pub at: String,
    pub speaker: String,
    /// An attendee handle; `None` when no single person owns it.
    pub owner: Option<String>,
    pub action: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub due: Option<String>,
    pub quote: String,
    pub why: String,
    /// When this is a reassignment: the `at` of the assignment it replaces, which a live
    /// reader (`--follow`) was already shown and should now drop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// A question raised and never answered in the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub at: String,
    pub speaker: String,
    pub text: String,
    pub why: String,
}

/// The final status of one review checklist item as the meeting stated it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistUpdate {
    pub at: String,
    pub item: String,
    /// `done | partial | blocked | not_started`.
    pub status: String,
    pub notes: String,
    pub speaker: String,
    pub quote: String,
    pub why: String,
}

/// Everything captured from one meeting (DESIGN §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Capture {
    pub decisions: Vec<Decision>,
    pub action_items: Vec<ActionItem>,
    pub open_questions: Vec<Question>,
    pub checklist_updates: Vec<ChecklistUpdate>,
}

impl Capture {
    /// DESIGN §6's shape: keys in its order, `quote` and `why` after them, `null` for no
    /// owner, due or outcome.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// One item as the live engine reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "item", rename_all = "snake_case")]
pub enum Item {
    Decision(Decision),
    ActionItem(ActionItem),
    OpenQuestion(Question),
    ChecklistUpdate(ChecklistUpdate),
}

impl Item {
    /// `{"kind": "action_item", "item": {…}}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Runs the whole meeting through an [`Engine`]: the result equals `finish()`'s.
pub fn extract(utterances: &[Utterance], ctx: &Context) -> Capture {
    let mut e = Engine::new(ctx.clone());
    for u in utterances {
        e.push(u.clone());
    }
    e.finish().1
}

/// ASCII lowercase keeps byte offsets, so positions found in it index the original.
fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

// ---- decisions -------------------------------------------------------------------------

static NO_GO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:it's|its|it is|we're|we are|that's|this is|call is|decision is|verdict is|answer is|so,? it's)\s+(?:a\s+)?no[- ]go\b|^(?:so,?\s+|okay,?\s+|then\s+)*no[- ]go\b|\bwe(?:'re| are) not (?:going ahead|proceeding|shipping|releasing|deploying)\b|\blet's (?:hold|postpone|delay) the (?:deploy|deployment|release|rollout)\b|\bwe(?:'re| are|'ll| will) (?:postpone|postponing|delay|delaying) the (?:deploy|deployment|release|rollout)\b",
    )
});
static GO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:it's|its|it is|we're|we are|that's|this is|call is|decision is|verdict is|answer is)\s+(?:a\s+)?go(?:\s+for\b|\s*[.!,]|\s*$)|\bgo it is\b|\bwe have a go\b|\bgreen light\b|\blet's ship it\b|^ship it\b|\bwe(?:'re| are) (?:going ahead|proceeding)\b|\bwe(?:'ll| will) (?:go ahead|proceed) with the (?:deploy|deployment|release|rollout)\b",
    )
});
static HYPOTHETICAL: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:if|hypothetically|suppose|supposing|assuming|unless|would|we'd|i'd|could|whether)\b"));
static LEANING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:leaning|sounds like|looks like|seems like|feels like|i think|i guess|probably|likely|maybe|might|we all know)\b",
    )
});
static SETTLED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\blet's decide\b|^(?:okay|ok|so|alright|all right|right|good|fine)?[,.]?\s*decided\b|\b(?:that's|it's|this is) decided\b|\bthe decision is\b|\bwe've decided\b|\bwe have decided\b|\bdecision:|\blet's (?:do|go with) (?:that|it|this)\b|\blet's go with\b|\bwe'll go with\b|\bwe're going with\b|\bwe are going with\b|\bfinal answer\b|\bwe're agreed\b|\bthat's settled\b",
    )
});
static PAST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:last|previous|previously|back in|since|used to|earlier|a while ago|retro|still the plan|nothing changes|as written|stands? as|unchanged|already|not reopening)\b",
    )
});

// ---- action items ----------------------------------------------------------------------

static SELF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(i'll|i will|i'm going to|i am going to|i'm gonna|i shall|let me)\s+((?:(?:also|just|then|still|definitely|certainly|go ahead and|quickly|now|personally|make sure to|make sure i|try to|first|actually|happily|gladly|be sure to)\s+)*)([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?",
    )
});
static TEAM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:the (?:whole )?team|the squad|the group|someone|somebody)\s*(?:will|'ll|is going to|needs to|should|has to|must|can)\s+(?:\w+\s+)?(?:look|take|fix|handle|pick|own|investigate|follow|add|deal|sort|work|dig|check)\b|\bthe team'll\b",
    )
});
static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:can|could|would|will) you\s+(?:(?:also|just|please|quickly|still|maybe|then)\s+)*([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?|\b(?:do )?you want to\s+([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?|\bwould you mind\s+([a-z][a-z'-]*)",
    )
});
static YOURS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:is|are) (?:all )?yours\b|\bthat's yours\b|\bis on you\b|\byou(?:'re| are) on (?:it|that|this)\b")
});
static YOU_TAKE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:you|you're going to|you'll)\s+(take|own|have|handle|get|do|drive|lead|pick up|grab|run|write|draft|fix)\b")
});
static REASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\binstead\b|\btake over\b|\btakes over\b|\breassign|\bhand (?:it|this|that) (?:over|off)\b|\bcan't be (?:yours|his|hers|theirs)\b|\bno longer (?:yours|his|hers)\b",
    )
});
static RECAP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bread (?:the |those |all the )?actions back\b|\brecap\b|\bto summari[sz]e\b|\bsummary of (?:the )?actions\b|\bgo (?:over|through) the actions\b|\bthe actions are\b|\baction items? (?:are|were)\b",
    )
});
static ACCEPT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:(?:um|uh|so|well|oh|right|okay|ok|hmm|ah)[,.]?\s+)*(?:yes|yeah|yep|yup|sure|ok|okay|absolutely|definitely|of course|no problem|will do|on it|can do|got it|happy to|for sure|sounds good|i'll|i will|i can|i've got it|i got it|consider it done|fine|alright|all right|me|i can take)\b",
    )
});
static REFUSE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:(?:um|uh|so|well|oh|hmm|ah)[,.]?\s+)*(?:no\b|nope|not me|i can't|i cannot|i won't|can't|sorry, (?:i|no))")
});
static TASK_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:ticket|alert|runbook|pr|report|doc|docs|document|briefing|brief|channel|calendar|invite|email|message|macro|faq|dashboard|panel|script|branch|tag|section|migration|index|rule|config|note|notes|summary|draft|fix|patch|plan|suite|checklist|board|issue|jira|test|tests|changelog|post|slack|page)\b",
    )
});
static EVENT_MENTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:before|by|ahead of|prior to|in time for)\s+(?:the\s+|our\s+)?(?:\w+\s+)?(?:window|re-?review|review|launch|deploy|deployment|release|sync|standup|demo)\b",
    )
});

/// Verbs of work done after a meeting; an imperative after a name ("Oskar, rebuild the
/// index") or a commitment with one ("I'll rerun the suite") is an action item.
const WORK: &[&str] = &[
    "add",
    "update",
    "change",
    "fix",
    "rebuild",
    "build",
    "file",
    "write",
    "draft",
    "send",
    "post",
    "ping",
    "chase",
    "ask",
    "check",
    "confirm",
    "verify",
    "validate",
    "test",
    "retest",
    "run",
    "rerun",
    "deploy",
    "redeploy",
    "tag",
    "merge",
    "review",
    "schedule",
    "book",
    "configure",
    "route",
    "brief",
    "document",
    "finish",
    "complete",
    "prepare",
    "create",
    "open",
    "close",
    "follow",
    "own",
    "investigate",
    "raise",
    "escalate",
    "notify",
    "email",
    "message",
    "contact",
    "reach",
    "coordinate",
    "bump",
    "revert",
    "remove",
    "delete",
    "clean",
    "monitor",
    "find",
    "figure",
    "benchmark",
    "measure",
    "record",
    "track",
    "organize",
    "organise",
    "loop",
    "backport",
    "patch",
    "upgrade",
    "rotate",
    "provision",
    "enable",
    "disable",
    "turn",
    "flip",
    "announce",
    "publish",
    "install",
    "migrate",
    "backfill",
    "rename",
    "restart",
    "cut",
    "push",
    "land",
    "release",
    "ship",
    "label",
    "archive",
    "capture",
    "circulate",
    "invite",
    "arrange",
    "plan",
    "estimate",
    "profile",
    "analyze",
    "analyse",
    "audit",
    "inspect",
    "reproduce",
    "debug",
    "triage",
    "assign",
    "cover",
    "rewrite",
    "double-check",
    "sign",
    "approve",
    "request",
    "dig",
    "sort",
    "set",
    "take",
    "look",
];
/// Commitment verbs too light to stand alone: "I'll do it" needs a deadline or a task word.
const WEAK: &[&str] = &[
    "do", "have", "get", "put", "make", "take", "tell", "let", "look", "try", "pass", "give", "go", "bring", "sort",
    "handle",
];
/// Never a commitment to work: states, in-meeting moves, holds.
const NOT_WORK: &[&str] = &[
    "be", "come", "hold", "wait", "stay", "sit", "think", "say", "see", "leave", "stop", "keep", "shut", "not",
    "never", "hand", "bet", "assume", "guess",
];
/// In-meeting requests: reading out, sharing a screen, starting the walk-through.
const PROCEDURAL: &[&str] = &[
    "share",
    "start",
    "read",
    "walk",
    "go",
    "show",
    "present",
    "talk",
    "kick",
    "introduce",
    "unmute",
    "mute",
    "repeat",
    "explain",
    "speak",
    "recap",
    "summarize",
    "continue",
    "hear",
    "see",
    "join",
    "stop",
    "hold",
    "enjoy",
];

// ---- open questions --------------------------------------------------------------------

static IGNORANCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:don't know|do not know|dunno|no idea|not sure|unsure|couldn't tell you|can't tell you|cannot tell you|can't say|couldn't say|no visibility|don't have (?:any )?visibility|nobody knows|no one knows|not that i (?:know|know of|'ve heard|have heard|'ve ever heard|ever heard)|good question|beats me|have to check|need to check|find out|unclear|no clue|haven't checked)\b",
    )
});
static DEFER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:come back to (?:it|that|this)|we'll come back|get back to (?:it|that|this)|circle back|hold (?:it|that|on|that thought)|park (?:it|that)|\w+ would know|\w+ knows that|let's do .* first)\b",
    )
});
static OPEN_MARK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:open list|(?:note|mark|keep|leave|log|put) (?:it|that|this) (?:down )?as (?:an )?open|stays? open|remains? open|stays on the open|open question|parking lot|take (?:it|that) offline)\b",
    )
});
static QUESTION_REF: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:to answer|answering|answer to)\s+(\w+)|\b(\w+)'s question\b|\b(\w+) asked\b"));
static PROCEDURAL_Q: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:can|could|would|will) you\b|^(?:do )?you want\b|^want to\b|^(?:can|could|may|shall) i\b|^(?:can|could|shall|should) we\b|^(?:any|anyone|anybody|anything|everyone|everybody)\b|^is there (?:anything|anyone|anybody)\b|^are there any\b|^is everyone\b|^are we (?:good|ready|done|all)\b|^ready\b|^you good\b|^all good\b|^does that make sense\b|^make sense\b|^who's next\b|^who wants\b|^status\b|^how are (?:we|you)\b|^how's everyone\b|^did everyone\b|^is that (?:it|everything|all)\b|^sound good\b|^what else\b|^where were we\b|^shall\b",
    )
});
static INTERROGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:do|does|did|is|are|was|were|will|would|can|could|should|shall|have|has|had|am|what|what's|when|when's|where|where's|who|who's|whom|whose|which|why|how|how's|isn't|aren't|wasn't|doesn't|don't|didn't|won't|wouldn't|can't|couldn't|shouldn't|haven't|hasn't)\b",
    )
});
static TAG_Q: LazyLock<Regex> =
    LazyLock::new(|| re(r",\s*(?:right|yeah|no|isn't it|isn't there|aren't we|don't we|correct|ok|okay|yes)\?$"));
const LEAD_IN: &[&str] = &[
    "and also",
    "can i ask",
    "may i ask",
    "let me ask",
    "quick question",
    "one question",
    "quick one",
    "i wonder",
    "i was wondering",
    "question",
    "and",
    "so",
    "also",
    "but",
    "like",
    "okay",
    "ok",
    "um",
    "uh",
    "sorry",
    "wait",
    "then",
    "well",
    "oh",
    "right",
    "yeah",
    "hey",
    "actually",
    "just",
    "hypothetically",
];

// ---- checklist -------------------------------------------------------------------------

static BARE_YES: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:yes|yep|yeah|yup|correct|it is|they are|it has|they have|all done|done|affirmative)\b"));
static BARE_NO: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:no|nope|not yet|not started|nothing yet)\b"));

const ACK: &[&str] = &[
    "okay", "ok", "good", "great", "yeah", "yes", "yep", "fair", "thanks", "thank", "you", "perfect", "cool", "right",
    "sure", "noted", "agreed", "got", "it", "sounds", "makes", "sense", "lovely", "no", "um", "uh", "so", "anyway",
    "fine", "nice", "alright", "oh", "hmm", "that's", "true", "exactly", "works", "for", "me", "all",
];

#[derive(Debug, Clone)]
struct Utt {
    speaker: String,
    person: Option<usize>,
    text: String,
}

#[derive(Debug, Clone)]
struct ActionDraft {
    at_ms: i64,
    speaker: String,
    owner: Option<usize>,
    action: String,
    quote: String,
    why: String,
    /// Where to look for the deadline, strongest first.
    due_groups: Vec<Vec<String>>,
    /// "I'll do the briefing there": the sentences before, whose clock time "there" means.
    deictic: Vec<String>,
    source: Vec<String>,
    removed: bool,
    /// The start of the assignment this one took over.
    replaces: Option<i64>,
}

#[derive(Debug, Clone)]
struct Request {
    utt: usize,
    /// `None`: asked of anyone ("can someone…?", "who can…?"): the first to accept owns it.
    addressee: Option<usize>,
    speaker: String,
    sentence: String,
    clause: String,
    sentences: Vec<String>,
    reassign: bool,
    source: Vec<String>,
    done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QStatus {
    /// Asked; waiting for someone else to speak.
    Await,
    Answered,
    /// The reply says nobody knows.
    Unknown,
    /// Put off ("hold it, we'll come back").
    Deferred,
    /// Noted as open by the meeting.
    Open,
}

#[derive(Debug, Clone)]
struct QDraft {
    utt: usize,
    at_ms: i64,
    speaker: String,
    person: Option<usize>,
    text: String,
    status: QStatus,
    /// Replies from this speaker do not answer it (the asker, or who raised it again).
    exclude: String,
    stems: Vec<String>,
    why: String,
}

#[derive(Debug, Clone)]
struct CheckState {
    status: Status,
    at_ms: i64,
    speaker: String,
    quote: String,
    why: String,
}

/// The live extractor: push utterances in order, get the items each one makes certain.
pub struct Engine {
    clock: Clock,
    date_known: bool,
    tz_known: bool,
    people: People,
    items: Vec<ItemModel>,
    utts: Vec<Utt>,
    decisions: Vec<Decision>,
    call: Option<Decision>,
    actions: Vec<ActionDraft>,
    requests: Vec<Request>,
    awaiting_ack: Vec<(usize, usize)>,
    questions: Vec<QDraft>,
    check: Vec<Option<CheckState>>,
    topic: Vec<usize>,
    topic_utt: usize,
    /// A cue that asked about one item ("Release notes published?"): a bare "Yes." or
    /// "Not yet." in the next cue answers it.
    item_question: Option<(usize, usize)>,
    recap: Option<String>,
}

/// Leading fillers, vocatives and lead-ins off a sentence (lowercase).
fn strip_lead<'a>(mut t: &'a str, people: &People) -> &'a str {
    loop {
        let before = t;
        t = t.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '-' | '—' | '…'));
        for w in LEAD_IN {
            if let Some(rest) = t.strip_prefix(w)
                && rest.starts_with(|c: char| !c.is_alphanumeric() && c != '\'')
            {
                t = rest;
                break;
            }
        }
        // "Mateo, aren't you…": a name followed by a comma.
        if let Some((name, rest)) = t.split_once(',') {
            let ws: Vec<&str> = name.split_whitespace().collect();
            if !ws.is_empty() && ws.len() <= 2 && people.name_at(&ws).is_some_and(|(_, n)| n == ws.len()) {
                t = rest;
            }
        }
        if t == before {
            return t;
        }
    }
}

impl Engine {
    pub fn new(ctx: Context) -> Engine {
        let mut clock = Clock::new(ctx.date, ctx.tz.clone());
        if let Some(w) = ctx.deploy_window_start {
            clock.learn("window", w);
        }
        let items = checklist::models(&ctx.checklist);
        Engine {
            clock,
            date_known: ctx.date.is_some(),
            tz_known: ctx.tz.is_some(),
            people: People::new(&ctx.attendees),
            check: vec![None; items.len()],
            items,
            utts: Vec::new(),
            decisions: Vec::new(),
            call: None,
            actions: Vec::new(),
            requests: Vec::new(),
            awaiting_ack: Vec::new(),
            questions: Vec::new(),
            topic: Vec::new(),
            topic_utt: 0,
            item_question: None,
            recap: None,
        }
    }

    /// The meeting's date, zone and event times as known so far: the review's, refined by
    /// what the transcript states.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Takes the next utterance; returns the items it made certain.
    pub fn push(&mut self, mut u: Utterance) -> Vec<Item> {
        // One apostrophe, so that patterns and offsets see the same text.
        if u.text.contains('’') {
            u.text = u.text.replace('’', "'");
        }
        let i = self.utts.len();
        let person = self.people.speaker(&u.speaker);
        let sents = sentences(&u.text);
        self.learn(i, &sents);
        let mut out = Vec::new();
        self.questions_step(i, &u, &sents);
        out.extend(self.decision_step(&u, &sents));
        out.extend(self.action_step(i, &u, person, &sents));
        out.extend(self.checklist_step(i, &u, &sents));
        self.utts.push(Utt { speaker: u.speaker.clone(), person, text: u.text.clone() });
        out
    }

    /// Ends the meeting: open questions become certain, dues are resolved against every
    /// event the meeting stated, and the final capture is returned.
    pub fn finish(self) -> (Vec<Item>, Capture) {
        let mut cap = Capture::default();
        let mut decisions = self.decisions.clone();
        decisions.extend(self.call.clone());
        decisions.sort_by_key(|d| d.at.clone());
        cap.decisions = decisions;
        let mut actions: Vec<(i64, ActionItem)> =
            self.actions.iter().filter(|a| !a.removed).map(|a| (a.at_ms, self.action_item(a))).collect();
        actions.sort_by_key(|(t, _)| *t);
        cap.action_items = actions.into_iter().map(|(_, a)| a).collect();
        let mut newly = Vec::new();
        for q in &self.questions {
            let why = match q.status {
                QStatus::Answered => continue,
                QStatus::Await => "question: nobody answered it before the meeting ended".to_string(),
                _ => q.why.clone(),
            };
            let item = Question { at: fmt_at(q.at_ms), speaker: q.speaker.clone(), text: q.text.clone(), why };
            newly.push(Item::OpenQuestion(item.clone()));
            cap.open_questions.push(item);
        }
        let mut ups: Vec<(i64, usize, ChecklistUpdate)> = self
            .check
            .iter()
            .enumerate()
            .filter_map(|(j, s)| s.as_ref().map(|s| (s.at_ms, j, self.update(j, s))))
            .collect();
        ups.sort_by_key(|(t, j, _)| (*t, *j));
        cap.checklist_updates = ups.into_iter().map(|(_, _, u)| u).collect();
        (newly, cap)
    }

    // ---- context -------------------------------------------------------------------

    /// The date, zone and event times the meeting states refine what the review gave.
    fn learn(&mut self, i: usize, sents: &[Sentence]) {
        for s in sents {
            if !self.date_known
                && i < 30
                && let Some(d) = due::stated_date(s.text)
            {
                self.clock.date = Some(d);
                self.date_known = true;
            }
            if !self.tz_known
                && i < 30
                && let Some(z) = due::stated_zone(s.text)
            {
                self.clock.tz = z;
                self.tz_known = true;
            }
            for (name, t) in due::stated_events(s.text, &self.clock) {
                self.clock.learn(&name, t);
            }
        }
    }

    fn prev_other_speaker(&self, speaker: &str) -> Option<usize> {
        self.utts.iter().rev().find(|u| u.speaker != speaker).and_then(|u| u.person)
    }

    // ---- decisions -----------------------------------------------------------------

    fn decision_step(&mut self, u: &Utterance, sents: &[Sentence]) -> Vec<Item> {
        let at = fmt_at(u.start_ms);
        let rest = |k: usize| sents[k..].iter().map(|s| s.text).collect::<Vec<_>>().join(" ");
        for (k, s) in sents.iter().enumerate() {
            let l = lower(s.text);
            if l.trim_end().ends_with('?') || HYPOTHETICAL.is_match(&l) || LEANING.is_match(&l) {
                continue;
            }
            let m = NO_GO.find(&l).map(|m| ("no_go", m)).or_else(|| GO.find(&l).map(|m| ("go", m)));
            if let Some((outcome, m)) = m {
                let d = Decision {
                    at: at.clone(),
                    speaker: u.speaker.clone(),
                    text: clip(&rest(k), 400),
                    outcome: Some(outcome.to_string()),
                    quote: s.text.to_string(),
                    why: format!("go/no-go call: \"{}\"", m.as_str().trim()),
                };
                if self.call.as_ref().is_some_and(|c| c.outcome == d.outcome) {
                    // Said again ("sorry it's a no-go"): the first statement stands.
                    return Vec::new();
                }
                self.call = Some(d.clone());
                return vec![Item::Decision(d)];
            }
        }
        for (k, s) in sents.iter().enumerate() {
            let l = lower(s.text);
            if l.trim_end().ends_with('?') || PAST.is_match(&l) || HYPOTHETICAL.is_match(&l) || LEANING.is_match(&l) {
                continue;
            }
            let Some(m) = SETTLED.find(&l) else { continue };
            // The decision is what follows the marker ("Okay, decided. v4 stays…"), or the
            // marker's own sentence with the proposal it settles.
            let after = if k + 1 < sents.len() { rest(k + 1) } else { String::new() };
            let own_tail = s.text.get(m.end()..).unwrap_or("").trim_matches(|c: char| !c.is_alphanumeric());
            let text = if !after.is_empty() {
                after
            } else if own_tail.split_whitespace().count() >= 3 {
                own_tail.to_string()
            } else {
                s.text.to_string()
            };
            let d = Decision {
                at: at.clone(),
                speaker: u.speaker.clone(),
                text: clip(&text, 400),
                outcome: None,
                quote: s.text.to_string(),
                why: format!("settled in the meeting: \"{}\"", m.as_str().trim()),
            };
            self.decisions.push(d.clone());
            return vec![Item::Decision(d)];
        }
        Vec::new()
    }

    // ---- action items --------------------------------------------------------------

    fn owner_label(&self, owner: Option<usize>) -> String {
        match owner.and_then(|o| self.people.list.get(o)) {
            Some(p) => match (&p.handle, &p.full) {
                (Some(h), _) => h.clone(),
                (None, Some(n)) => format!("{n} (not an attendee)"),
                _ => "nobody".to_string(),
            },
            None => "nobody".to_string(),
        }
    }

    fn action_item(&self, a: &ActionDraft) -> ActionItem {
        let found = self.resolve_due(a);
        ActionItem {
            at: fmt_at(a.at_ms),
            speaker: a.speaker.clone(),
            owner: a.owner.and_then(|o| self.people.handle(o)),
            action: a.action.clone(),
            due: found.timestamp().map(due::fmt_due),
            quote: a.quote.clone(),
            why: format!("{}; {}", a.why, found.rule()),
            replaces: a.replaces.map(fmt_at),
        }
    }

    fn resolve_due(&self, a: &ActionDraft) -> Found {
        for s in &a.deictic {
            if let f @ Found::At(_) = due::find(s, &self.clock) {
                return f;
            }
        }
        let mut vague = false;
        for g in &a.due_groups {
            let best = g.iter().map(|s| due::find(s, &self.clock)).max_by_key(rank).unwrap_or(Found::Nothing);
            if rank(&best) >= 2 {
                return best;
            }
            vague |= best == Found::Vague;
        }
        if vague { Found::Vague } else { Found::Nothing }
    }

    fn has_action(&self, owner: usize) -> bool {
        self.actions.iter().any(|a| !a.removed && a.owner == Some(owner))
    }

    /// Drops the earlier assignment a reassignment replaces: the one about the same thing
    /// (most shared words) held by someone else.
    fn reassign(&mut self, to: usize, text: &str) -> Option<(String, i64)> {
        let st = content_stems(text);
        let best = self
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.removed && a.owner != Some(to))
            .map(|(j, a)| (j, overlap(&a.source, &st)))
            .filter(|(_, n)| *n >= 2)
            .max_by_key(|(j, n)| (*n, *j))?;
        let a = &mut self.actions[best.0];
        a.removed = true;
        let (from, at) = (a.owner, a.at_ms);
        Some((self.owner_label(from), at))
    }

    fn action_step(&mut self, i: usize, u: &Utterance, person: Option<usize>, sents: &[Sentence]) -> Vec<Item> {
        let full = lower(&u.text);
        if RECAP.is_match(&full) {
            self.recap = Some(u.speaker.clone());
        } else if self.recap.as_deref() != Some(u.speaker.as_str()) {
            self.recap = None;
        }
        let in_recap = self.recap.is_some();
        let mut out = Vec::new();
        let lowers: Vec<String> = sents.iter().map(|s| lower(s.text)).collect();
        let texts: Vec<String> = sents.iter().map(|s| s.text.to_string()).collect();

        // A reply to a request phrased as a question.
        let mut accepted = false;
        self.requests.retain(|r| !r.done && i - r.utt <= 4);
        if let Some(p) = person
            && let Some(ri) = self
                .requests
                .iter()
                .position(|r| r.addressee == Some(p) || (r.addressee.is_none() && r.speaker != u.speaker))
        {
            let r = self.requests[ri].clone();
            let accepts = ACCEPT.is_match(full.trim_start());
            let refused = !accepts && REFUSE.is_match(full.trim_start());
            // A request to anyone waits for the first taker; one to a person ends with
            // that person's reply.
            if r.addressee.is_some() || accepts {
                self.requests[ri].done = true;
            }
            if !refused && (accepts || SELF.is_match(&full)) && !(in_recap && self.has_action(p)) {
                accepted = true;
                let mut why = format!(
                    "request phrased as a question by {} (\"{}\"), accepted in this reply",
                    r.speaker,
                    clip(&r.sentence, 80)
                );
                let mut replaces = None;
                if r.reassign
                    && let Some((from, at)) = self.reassign(p, &r.source.join(" "))
                {
                    why.push_str(&format!("; reassigned from {from}"));
                    replaces = Some(at);
                }
                let commit: Vec<usize> = (0..sents.len()).filter(|&k| SELF.is_match(&lowers[k])).collect();
                let first = commit.first().copied().unwrap_or(0);
                let last = commit.last().copied().unwrap_or(sents.len().saturating_sub(1));
                let g1: Vec<String> =
                    if commit.is_empty() { texts.clone() } else { commit.iter().map(|&k| texts[k].clone()).collect() };
                let draft = ActionDraft {
                    at_ms: u.start_ms,
                    speaker: u.speaker.clone(),
                    owner: Some(p),
                    // The reply's own words say the task best ("I'll ping their support…");
                    // a bare "Sure." leaves the request's.
                    action: clip(
                        &{
                            let own = action_from_self(
                                &commit.iter().map(|&k| texts[k].as_str()).collect::<Vec<_>>().join(" "),
                            );
                            if commit.is_empty() || content_stems(&own).len() < content_stems(&r.clause).len().min(3) {
                                r.clause.clone()
                            } else {
                                own
                            }
                        },
                        200,
                    ),
                    quote: clip(&u.text, 300),
                    why: format!(
                        "{why}; owner: {}, {}",
                        if r.addressee.is_some() { "the one asked" } else { "asked of anyone, the first to take it" },
                        self.owner_label(Some(p))
                    ),
                    due_groups: vec![
                        g1,
                        texts.get(last + 1..).unwrap_or(&[]).to_vec(),
                        texts.get(..first).unwrap_or(&[]).to_vec(),
                        r.sentences.clone(),
                    ],
                    deictic: Vec::new(),
                    source: r.source.clone(),
                    removed: false,
                    replaces,
                };
                out.push(Item::ActionItem(self.action_item(&draft)));
                self.actions.push(draft);
            }
        }
        // After a directive, the owner's next words acknowledge it ("Got it. I'll post the
        // result…"): not a second task.
        let acknowledging = match person {
            Some(p) => {
                let had = self.awaiting_ack.iter().any(|(q, at)| *q == p && i - at <= 4);
                self.awaiting_ack.retain(|(q, at)| *q != p && i - at <= 4);
                had
            }
            None => false,
        };

        // Assignments in this utterance, sentence by sentence.
        #[derive(Clone)]
        enum A {
            SelfC { verb: String },
            Directive { to: usize, clause: String },
            Request { to: Option<usize>, clause: String },
            Team,
        }
        let mut found: Vec<(usize, A)> = Vec::new();
        let mut vocative: Option<usize> = None;
        for (k, s) in sents.iter().enumerate() {
            let l = &lowers[k];
            let question = l.trim_end().ends_with('?');
            let stripped = strip_fillers(l);
            let voc = self.vocative(stripped).filter(|(p, _)| Some(*p) != person);
            if let Some((p, _)) = voc {
                vocative = Some(p);
            }
            if TEAM.is_match(l) && !HYPOTHETICAL.is_match(l) {
                found.push((k, A::Team));
                continue;
            }
            if !question && let Some(verb) = self.self_commitment(l, sents, k) {
                found.push((k, A::SelfC { verb }));
                continue;
            }
            if !question
                && !HYPOTHETICAL.is_match(l)
                && let Some((p, clause)) = self.third_person(stripped, s.text)
            {
                found.push((k, A::Directive { to: p, clause }));
                continue;
            }
            if let Some((p, rest)) = voc {
                if let Some(a) = directive_or_request(rest, s.text, p) {
                    found.push((k, a_from(a)));
                    continue;
                }
            } else if let Some(clause) = request_clause(l) {
                let to = vocative.or_else(|| self.prev_other_speaker(&u.speaker)).filter(|p| Some(*p) != person);
                if let Some(to) = to
                    && question
                {
                    found.push((k, A::Request { to: Some(to), clause: cut_from(s.text, &clause) }));
                    continue;
                }
            } else if question && let Some(clause) = anyone_clause(l) {
                found.push((k, A::Request { to: None, clause: cut_from(s.text, &clause) }));
                continue;
            } else if let Some(p) = vocative
                && YOURS.is_match(l)
            {
                found.push((k, A::Directive { to: p, clause: s.text.to_string() }));
                continue;
            }
            // "…please do X, Tobias."
            if let Some((p, clause)) = self.trailing_vocative(s.text).filter(|(p, _)| Some(*p) != person)
                && l.contains("please")
            {
                found.push((k, A::Directive { to: p, clause }));
            }
        }
        enum Raw {
            Directive(usize, String),
            Request(usize, String),
        }
        fn a_from(r: Raw) -> A {
            match r {
                Raw::Directive(to, clause) => A::Directive { to, clause },
                Raw::Request(to, clause) => A::Request { to: Some(to), clause },
            }
        }
        fn directive_or_request(rest: &str, original: &str, p: usize) -> Option<Raw> {
            let rest = rest.trim_start_matches([',', ' ']);
            let clause_of = |r: &str| cut_from(original, r);
            if let Some(after) = rest.strip_prefix("please ") {
                let verb = first_word(after);
                if !PROCEDURAL.contains(&verb.as_str()) && !object_is_us(after) {
                    return Some(Raw::Directive(p, clause_of(after)));
                }
                return None;
            }
            if let Some(c) = request_clause(rest) {
                return if rest.trim_end().ends_with('?') { Some(Raw::Request(p, clause_of(&c))) } else { None };
            }
            if YOURS.is_match(rest) || YOU_TAKE.is_match(rest) {
                return Some(Raw::Directive(p, clause_of(rest)));
            }
            let verb = first_word(rest);
            if WORK.contains(&verb.as_str())
                && !PROCEDURAL.contains(&verb.as_str())
                && !object_is_us(rest)
                && !rest.trim_end().ends_with('?')
            {
                return Some(Raw::Directive(p, clause_of(rest)));
            }
            None
        }

        // Consecutive commitments by the speaker are one task ("I'll ping them… I'll have
        // an answer by end of day").
        let mut merged: Vec<(Vec<usize>, A)> = Vec::new();
        for (k, a) in found {
            if let (Some((ks, A::SelfC { .. })), A::SelfC { .. }) = (merged.last_mut(), &a) {
                ks.push(k);
                continue;
            }
            merged.push((vec![k], a));
        }
        let n = merged.len();
        for (j, (ks, a)) in merged.iter().enumerate() {
            let lo = if j == 0 { 0 } else { merged[j - 1].0.last().copied().unwrap_or(0) + 1 };
            let hi = if j + 1 < n { merged[j + 1].0[0] } else { sents.len() };
            let first = ks[0];
            let last = *ks.last().unwrap_or(&first);
            let g1: Vec<String> = ks.iter().map(|&k| texts[k].clone()).collect();
            let g2: Vec<String> = texts.get(last + 1..hi.max(last + 1)).unwrap_or(&[]).to_vec();
            let g3: Vec<String> = texts.get(lo.min(first)..first).unwrap_or(&[]).to_vec();
            let deictic = if g1.iter().any(|s| deictic_there(s)) { g3.clone() } else { Vec::new() };
            let quote = clip(&g1.join(" "), 300);
            let at = u.start_ms;
            match a {
                A::SelfC { verb } => {
                    if accepted || acknowledging {
                        continue;
                    }
                    let Some(p) = person else { continue };
                    if in_recap && self.has_action(p) {
                        continue;
                    }
                    let action = clip(&self.with_context(&action_from_self(&g1.join(" ")), i), 200);
                    let draft = ActionDraft {
                        at_ms: at,
                        speaker: u.speaker.clone(),
                        owner: Some(p),
                        action: action.clone(),
                        quote,
                        why: format!(
                            "self-assigned (\"I'll {verb}…\"); owner: the speaker, {}",
                            self.owner_label(Some(p))
                        ),
                        due_groups: vec![g1.clone(), g2, g3],
                        deictic,
                        source: content_stems(&format!("{} {}", g1.join(" "), action)),
                        removed: false,
                        replaces: None,
                    };
                    out.push(Item::ActionItem(self.action_item(&draft)));
                    self.actions.push(draft);
                }
                A::Directive { to, clause } => {
                    if in_recap && self.has_action(*to) {
                        continue;
                    }
                    let mut why = format!("directive to {}", self.owner_label(Some(*to)));
                    let mut replaces = None;
                    if REASSIGN.is_match(&full)
                        && let Some((from, at)) = self.reassign(*to, &u.text)
                    {
                        why.push_str(&format!("; reassigned from {from}"));
                        replaces = Some(at);
                    }
                    let draft = ActionDraft {
                        at_ms: at,
                        speaker: u.speaker.clone(),
                        owner: Some(*to),
                        action: clip(&self.with_context(clause, i), 200),
                        quote,
                        why,
                        due_groups: vec![g1.clone(), g2, g3],
                        deictic,
                        source: content_stems(&u.text),
                        removed: false,
                        replaces,
                    };
                    self.awaiting_ack.push((*to, i));
                    out.push(Item::ActionItem(self.action_item(&draft)));
                    self.actions.push(draft);
                }
                A::Request { to, clause } => {
                    // The request's own sentence and what follows it, then what led up to it.
                    let span_after: Vec<String> = texts.get(first..hi.max(first + 1)).unwrap_or(&[]).to_vec();
                    let span_before: Vec<String> = texts.get(lo.min(first)..first).unwrap_or(&[]).to_vec();
                    // "Can you own that?": what "that" is comes before it, in this cue or
                    // the one it answers.
                    let context_before: String = texts[lo.min(first)..first]
                        .iter()
                        .filter(|t| content_stems(t).len() >= 2)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let clause = if content_stems(clause).len() >= 3 {
                        clause.clone()
                    } else if !context_before.is_empty() {
                        format!("{clause} ({})", clip(&context_before, 160))
                    } else {
                        self.with_context(clause, i)
                    };
                    self.requests.push(Request {
                        utt: i,
                        addressee: *to,
                        speaker: u.speaker.clone(),
                        sentence: texts[first].clone(),
                        clause,
                        sentences: span_after.into_iter().chain(span_before).collect(),
                        reassign: REASSIGN.is_match(&full),
                        source: content_stems(&u.text),
                        done: false,
                    });
                }
                A::Team => {
                    let draft = ActionDraft {
                        at_ms: at,
                        speaker: u.speaker.clone(),
                        owner: None,
                        action: clip(&self.with_context(&g1.join(" "), usize::MAX), 200),
                        quote,
                        why: "assigned to the team, no single owner".to_string(),
                        due_groups: vec![g1.clone(), g2],
                        deictic: Vec::new(),
                        source: content_stems(&u.text),
                        removed: false,
                        replaces: None,
                    };
                    out.push(Item::ActionItem(self.action_item(&draft)));
                    self.actions.push(draft);
                }
            }
        }
        out
    }

    /// "I'll <verb> …" that commits to work: a work verb, or a light verb with a deadline,
    /// an event or a task word. States ("I'll be awake"), in-meeting moves ("I'll come
    /// back to it") and holds ("I'll hold off") are not commitments.
    fn self_commitment(&self, l: &str, sents: &[Sentence], k: usize) -> Option<String> {
        let c = SELF.captures(l)?;
        let lead = c.get(1)?.as_str();
        let verb = c.get(3)?.as_str().trim_end_matches("'s").to_string();
        let next = c.get(4).map(|m| m.as_str()).unwrap_or("");
        if NOT_WORK.contains(&verb.as_str()) || matches!(next, "off" | "on") && verb == "hold" {
            return None;
        }
        if lead == "let me" && PROCEDURAL.contains(&verb.as_str()) {
            return None;
        }
        if verb == "take" && matches!(next, "that" | "it" | "this") {
            return Some(verb);
        }
        let rest: String = sents[k..].iter().map(|s| s.text).collect::<Vec<_>>().join(" ");
        self.commits(&verb, l, &rest).then_some(verb)
    }

    /// A name (or two) at the start of a sentence followed by a comma: the person and what
    /// follows.
    fn vocative<'a>(&self, l: &'a str) -> Option<(usize, &'a str)> {
        let (name, rest) = l.split_once(',')?;
        let ws: Vec<&str> = name.split_whitespace().collect();
        if ws.is_empty() || ws.len() > 2 {
            return None;
        }
        let (p, n) = self.people.name_at(&ws)?;
        (n == ws.len()).then_some((p, rest))
    }

    /// "Jon will update the DNS record", "Maria to send the notes", "Ravi owns the
    /// cutover": a task given by name, in the third person.
    fn third_person(&self, l: &str, original: &str) -> Option<(usize, String)> {
        let ws: Vec<String> = words(l).into_iter().map(|(w, _)| w).collect();
        let first = ws.first()?;
        // "Jon'll" is one word.
        // "Jon'll" and "Anna's going to" are one word and a half.
        let (head, contracted, is) = match (first.strip_suffix("'ll"), first.strip_suffix("'s")) {
            (Some(h), _) => (h.to_string(), true, false),
            (_, Some(h)) => (h.to_string(), false, true),
            _ => (first.clone(), false, false),
        };
        let mut refs: Vec<&str> = vec![head.as_str()];
        if is {
            refs.push("is");
        }
        refs.extend(ws.iter().skip(1).map(|w| w.as_str()));
        let (p, n) = self.people.name_at(&refs)?;
        let rest = &refs[n..];
        let verb_at = match rest {
            _ if contracted && n == 1 => 0,
            ["will" | "to", ..] => 1,
            ["is", "going", "to", ..] => 3,
            ["is", "gonna", ..] => 2,
            ["takes" | "owns" | "handles", ..] => return Some((p, cut_from(original, rest.join(" ").as_str()))),
            _ => return None,
        };
        let verb = *rest.get(verb_at)?;
        if NOT_WORK.contains(&verb) || PROCEDURAL.contains(&verb) || !self.commits(verb, l, l) {
            return None;
        }
        let tail = rest[verb_at..].join(" ");
        Some((p, cut_from(original, &tail)))
    }

    /// Whether "<someone> will <verb> …" commits to work: a work verb, or a light or
    /// unknown verb with a deadline, an event or a task word (`rest`: the sentence and what
    /// follows it).
    fn commits(&self, verb: &str, sentence: &str, rest: &str) -> bool {
        if WORK.contains(&verb) && !WEAK.contains(&verb) {
            return true;
        }
        let dated = matches!(due::find(rest, &self.clock), Found::At(_) | Found::Day(_) | Found::Event(..))
            || EVENT_MENTION.is_match(&lower(rest));
        dated || TASK_NOUN.is_match(sentence)
    }

    /// "…, Tobias." at the end of a sentence.
    fn trailing_vocative(&self, s: &str) -> Option<(usize, String)> {
        let t = s.trim_end_matches(['.', '!', '?', ' ']);
        let (head, name) = t.rsplit_once(',')?;
        let ws: Vec<String> = name.split_whitespace().map(|w| w.to_lowercase()).collect();
        let refs: Vec<&str> = ws.iter().map(|w| w.as_str()).collect();
        if refs.is_empty() || refs.len() > 2 {
            return None;
        }
        let (p, n) = self.people.name_at(&refs)?;
        (n == refs.len()).then(|| (p, head.trim().to_string()))
    }

    /// A task stated with pronouns only ("have it done by Monday") gets the words it points
    /// back to: the previous speaker's last sentence.
    fn with_context(&self, action: &str, i: usize) -> String {
        // `usize::MAX`: always, for "the team will look at it".
        if i == 0 || (i != usize::MAX && content_stems(action).len() >= 3) {
            return action.to_string();
        }
        match self.utts.last() {
            Some(prev) => {
                let last = sentences(&prev.text).last().map(|s| s.text.to_string()).unwrap_or_default();
                format!("{action} (re: {})", clip(&last, 120))
            }
            None => action.to_string(),
        }
    }

    // ---- open questions ------------------------------------------------------------

    fn questions_step(&mut self, i: usize, u: &Utterance, sents: &[Sentence]) {
        let l = lower(&u.text);
        for q in self.questions.iter_mut().filter(|q| q.status == QStatus::Await && q.exclude != u.speaker) {
            if let Some(m) = IGNORANCE.find(&l) {
                q.status = QStatus::Unknown;
                q.why = format!("question: the reply does not know (\"{}\") and nobody answers it later", m.as_str());
            } else if let Some(m) = OPEN_MARK.find(&l) {
                q.status = QStatus::Open;
                q.why = format!("question: noted as open (\"{}\")", m.as_str());
            } else if let Some(m) = DEFER.find(&l) {
                q.status = QStatus::Deferred;
                q.why = format!("question: put off (\"{}\") and never answered", clip(m.as_str(), 40));
            } else {
                q.status = QStatus::Answered;
            }
        }
        if let Some(m) = OPEN_MARK.find(&l)
            && let Some(q) = self.questions.iter_mut().rev().find(|q| i - q.utt <= 4)
        {
            q.status = QStatus::Open;
            q.why = format!("question: noted as open (\"{}\")", m.as_str());
        }
        // "And Devendra's question from a minute ago": raised again, to be answered now.
        let mut reraised: Option<usize> = None;
        for c in QUESTION_REF.captures_iter(&l) {
            let (name, answering) = match (c.get(1), c.get(2).or_else(|| c.get(3))) {
                (Some(n), _) => (n.as_str(), true),
                (None, Some(n)) => (n.as_str(), false),
                _ => continue,
            };
            let Some(p) = self.people.resolve(name) else { continue };
            let Some(qi) = self.questions.iter().rposition(|q| {
                q.person == Some(p) && matches!(q.status, QStatus::Unknown | QStatus::Deferred | QStatus::Await)
            }) else {
                continue;
            };
            let q = &mut self.questions[qi];
            if answering {
                q.status = QStatus::Answered;
            } else {
                q.status = QStatus::Await;
                q.exclude = u.speaker.clone();
                reraised = Some(qi);
            }
        }
        for s in sents {
            let Some(text) = self.question_candidate(s.text) else { continue };
            let st = content_stems(&text);
            if reraised.is_some() {
                break;
            }
            // Asked again in other words: the first asking is the one that counts.
            let again = self.questions.iter().rposition(|q| {
                matches!(q.status, QStatus::Unknown | QStatus::Deferred | QStatus::Await)
                    && overlap(&q.stems, &st) >= 2.max(q.stems.len().min(st.len()) / 2)
            });
            if let Some(qi) = again {
                let q = &mut self.questions[qi];
                q.status = QStatus::Await;
                q.exclude = u.speaker.clone();
                break;
            }
            self.questions.push(QDraft {
                utt: i,
                at_ms: u.start_ms,
                speaker: u.speaker.clone(),
                person: self.people.resolve(&u.speaker),
                text,
                status: QStatus::Await,
                exclude: u.speaker.clone(),
                stems: st,
                why: String::new(),
            });
            break;
        }
    }

    /// A sentence that asks for information: interrogative, not a request, poll, tag or
    /// proposal.
    fn question_candidate(&self, s: &str) -> Option<String> {
        let l = lower(s);
        let l = l.trim();
        if !l.ends_with('?') || TAG_Q.is_match(l) {
            return None;
        }
        let mut core = strip_lead(l, &self.people);
        // "Question though: are we sure…?", "One thing: does…?"
        if let Some((head, tail)) = core.split_once(": ")
            && head.split_whitespace().count() <= 3
        {
            core = strip_lead(tail, &self.people);
        }
        if PROCEDURAL_Q.is_match(core) || !INTERROGATIVE.is_match(core) || words(core).len() < 4 {
            return None;
        }
        Some(s.trim().to_string())
    }

    // ---- checklist -----------------------------------------------------------------

    fn update(&self, j: usize, s: &CheckState) -> ChecklistUpdate {
        ChecklistUpdate {
            at: fmt_at(s.at_ms),
            item: self.items[j].name.clone(),
            status: s.status.as_str().to_string(),
            notes: clip(&s.quote, 200),
            speaker: s.speaker.clone(),
            quote: s.quote.clone(),
            why: s.why.clone(),
        }
    }

    fn checklist_step(&mut self, i: usize, u: &Utterance, sents: &[Sentence]) -> Vec<Item> {
        if self.items.is_empty() {
            return Vec::new();
        }
        let ustems = checklist::stems(&u.text);
        let ment: Vec<Option<(f32, usize)>> =
            self.items.iter().map(|m| checklist::mention(m, &ustems, false)).collect();
        let fresh = !self.topic.is_empty() && i.saturating_sub(self.topic_utt) <= 4;
        let topic = self.topic.clone();
        let bonus = |j: usize| if fresh && topic.contains(&j) { 2.0 } else { 0.0 };
        let related = |j: usize, items: &[ItemModel]| {
            fresh
                && (topic.contains(&j)
                    || topic.iter().any(|&t| {
                        items[t]
                            .subject
                            .iter()
                            .any(|(a, _)| items[j].subject.iter().any(|(b, _)| crate::text::same(a, b)))
                    }))
        };
        let best_mentioned = |cands: &mut dyn Iterator<Item = usize>| -> Option<usize> {
            cands
                .filter_map(|j| ment[j].map(|(s, _)| (j, s + bonus(j))))
                .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal).then(b.0.cmp(&a.0)))
                .map(|(j, _)| j)
        };
        let mut per_item: BTreeMap<usize, Vec<(Signal, usize)>> = BTreeMap::new();
        let mut weak: Vec<(Signal, usize)> = Vec::new();
        for (k, s) in sents.iter().enumerate() {
            let mut sigs = checklist::signals(s.text, &self.items);
            if sigs.is_empty() {
                continue;
            }
            // The item's own verb first: "Written and linked…, but I'd call it partial" is
            // about the item that is written.
            sigs.sort_by_key(|g| !matches!(g.kind, Kind::Verb { .. }));
            let sstems = checklist::stems(s.text);
            let mut verb_target: Option<usize> = None;
            for sig in sigs {
                let target = match &sig.kind {
                    Kind::Verb { item, .. } => {
                        let t = item.iter().copied().filter(|&o| ment[o].is_some() || related(o, &self.items)).max_by(
                            |&a, &b| {
                                let sa = ment[a].map_or(0.0, |m| m.0) + bonus(a);
                                let sb = ment[b].map_or(0.0, |m| m.0) + bonus(b);
                                sa.partial_cmp(&sb).unwrap_or(std::cmp::Ordering::Equal)
                            },
                        );
                        verb_target = verb_target.or(t);
                        t
                    }
                    Kind::Weak => {
                        weak.push((sig.clone(), k));
                        continue;
                    }
                    _ => {
                        let before: Vec<checklist::Stem> = sstems.iter().filter(|x| x.pos < sig.pos).cloned().collect();
                        let in_sentence = (0..self.items.len())
                            .filter_map(|j| {
                                checklist::mention(&self.items[j], &before, false).map(|(s, _)| (j, s + bonus(j)))
                            })
                            .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
                            .map(|(j, _)| j);
                        // Then the item under discussion, then the one the cue names most.
                        in_sentence
                            .or(verb_target)
                            .or_else(|| if fresh { topic.first().copied() } else { None })
                            .or_else(|| best_mentioned(&mut (0..self.items.len())))
                    }
                };
                if let Some(t) = target {
                    per_item.entry(t).or_default().push((sig, k));
                }
            }
        }
        if per_item.is_empty()
            && let Some((qi, item)) = self.item_question
            && qi + 1 == i
            && let Some(first) = sents.first()
            && words(first.text).len() <= 4
        {
            let l = lower(first.text);
            let status = if BARE_YES.is_match(&l) {
                Some(Status::Done)
            } else if BARE_NO.is_match(&l) {
                Some(Status::NotStarted)
            } else {
                None
            };
            if let Some(st) = status {
                let sig = Signal { kind: Kind::Explicit(st), pos: 0, phrase: first.text.to_string() };
                per_item.entry(item).or_default().push((sig, 0));
            }
        }
        let weak_only = per_item.is_empty();
        if weak_only {
            for (sig, k) in weak {
                if let Some(t) =
                    best_mentioned(&mut (0..self.items.len())).filter(|&t| ment[t].is_some_and(|m| m.0 >= 2.0))
                {
                    per_item.entry(t).or_default().push((sig, k));
                }
            }
        }
        let mut out = Vec::new();
        let mut assigned = Vec::new();
        for (j, sigs) in &per_item {
            let refs: Vec<&Signal> = sigs.iter().map(|(s, _)| s).collect();
            let Some((status, phrase)) = checklist::combine(&refs, weak_only) else { continue };
            assigned.push(*j);
            if self.check[*j].as_ref().is_some_and(|c| c.status == status) {
                // Repeated: the first statement keeps its `at`.
                continue;
            }
            let ks: Vec<usize> = {
                let mut v: Vec<usize> = sigs.iter().map(|(_, k)| *k).collect();
                v.dedup();
                v
            };
            let quote = ks.iter().filter_map(|&k| sents.get(k)).map(|s| s.text).collect::<Vec<_>>().join(" ");
            let how = if ment[*j].is_some() { "named in the cue" } else { "the item under discussion" };
            let st = CheckState {
                status,
                at_ms: u.start_ms,
                speaker: u.speaker.clone(),
                quote,
                why: format!("checklist status {} from {phrase}; {how}", status.as_str()),
            };
            out.push(Item::ChecklistUpdate(self.update(*j, &st)));
            self.check[*j] = Some(st);
        }
        // Which item is under discussion now.
        if !assigned.is_empty() {
            self.topic = assigned;
            self.topic_utt = i;
        } else {
            let mut prompt: Option<Vec<usize>> = None;
            for s in sents {
                if words(s.text).len() > 8 {
                    continue;
                }
                let st = checklist::stems(s.text);
                let scores: Vec<(usize, f32)> = (0..self.items.len())
                    .filter_map(|j| checklist::mention(&self.items[j], &st, true).map(|(sc, _)| (j, sc)))
                    .collect();
                if let Some(max) = scores.iter().map(|(_, s)| *s).reduce(f32::max) {
                    prompt = Some(scores.iter().filter(|(_, s)| *s >= max).map(|(j, _)| *j).collect());
                    break;
                }
            }
            let uw = words(&u.text);
            if let Some(p) = prompt {
                let asks = sents.last().is_some_and(|s| s.text.trim_end().ends_with('?'));
                if asks && p.len() == 1 {
                    self.item_question = Some((i, p[0]));
                }
                self.topic = p;
                self.topic_utt = i;
            } else if uw.len() <= 8
                && !uw.iter().all(|(w, _)| ACK.contains(&w.as_str()))
                && ment.iter().all(Option::is_none)
            {
                self.topic.clear();
            } else if ment.iter().enumerate().any(|(j, m)| m.is_some() && self.topic.contains(&j)) {
                self.topic_utt = i;
            }
        }
        out
    }
}

fn rank(f: &Found) -> u8 {
    match f {
        Found::At(_) => 4,
        Found::Event(..) => 3,
        Found::Day(_) => 2,
        Found::Vague => 1,
        Found::Nothing => 0,
    }
}

fn first_word(s: &str) -> String {
    words(s).first().map(|(w, _)| w.clone()).unwrap_or_default()
}

/// "send me…", "tell us…", "walk us through": a request inside the meeting.
fn object_is_us(s: &str) -> bool {
    let ws = words(s);
    ws.get(1).is_some_and(|(w, _)| matches!(w.as_str(), "me" | "us" | "everyone"))
}

static ANYONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:can|could|would|will) (?:someone|somebody|anyone|anybody|one of you)\s+(?:(?:also|just|please|quickly)\s+)*([a-z][a-z'-]*)|\bwho (?:can|could|wants to|will|is going to|'s going to|would like to|is able to)\s+([a-z][a-z'-]*)",
    )
});

/// "Can someone update the status page?", "Who can take the comms?": a task offered to
/// anyone, for the first who accepts.
fn anyone_clause(l: &str) -> Option<String> {
    let c = ANYONE.captures(l)?;
    let verb = c.get(1).or_else(|| c.get(2))?;
    let v = verb.as_str();
    if PROCEDURAL.contains(&v) || NOT_WORK.contains(&v) || matches!(v, "hear" | "see" | "be" | "know" | "tell") {
        return None;
    }
    Some(l[verb.start()..].to_string())
}

/// The clause after "can you" / "do you want to", if the verb asks for work.
fn request_clause(l: &str) -> Option<String> {
    let c = REQUEST.captures(l)?;
    let verb = c.get(1).or_else(|| c.get(3)).or_else(|| c.get(5))?;
    let next = c.get(2).or_else(|| c.get(4)).map(|m| m.as_str()).unwrap_or("");
    let v = verb.as_str();
    if PROCEDURAL.contains(&v) || matches!(next, "me" | "us" | "everyone") || matches!(v, "hear" | "see" | "be") {
        return None;
    }
    Some(l[verb.start()..].to_string())
}

/// The original-case text from where `lower_tail` (a lowercase suffix of it) starts.
fn cut_from(original: &str, lower_tail: &str) -> String {
    let l = lower(original);
    match l.rfind(lower_tail.trim()) {
        Some(i) if original.is_char_boundary(i) => original[i..].trim().to_string(),
        _ => original.trim().to_string(),
    }
}

fn strip_fillers(l: &str) -> &str {
    let mut t = l.trim_start();
    loop {
        let before = t;
        for w in [
            "okay", "ok", "so", "and", "then", "right", "alright", "great", "good", "perfect", "thanks", "um", "uh",
            "yeah", "oh", "also", "now",
        ] {
            if let Some(rest) = t.strip_prefix(w)
                && rest.starts_with([',', ' ', '.'])
            {
                t = rest.trim_start_matches([',', '.', ' ']);
            }
        }
        if t == before {
            return t;
        }
    }
}

/// "I'll do the briefing there": "there" points at the occasion just named.
fn deictic_there(s: &str) -> bool {
    let ws = words(s);
    ws.iter().enumerate().any(|(i, (w, _))| {
        w == "there"
            && !ws
                .get(i + 1)
                .is_some_and(|(n, _)| matches!(n.as_str(), "is" | "are" | "was" | "were" | "will" | "should"))
            && !ws
                .get(i.wrapping_sub(1))
                .is_some_and(|(p, _)| matches!(p.as_str(), "out" | "over" | "in" | "get" | "be"))
    }) || s.to_ascii_lowercase().contains("at that meeting")
}

/// The task in a commitment: from the verb after "I'll" on.
fn action_from_self(s: &str) -> String {
    let l = lower(s);
    match SELF.captures(&l).and_then(|c| c.get(3)) {
        Some(m) if s.is_char_boundary(m.start()) => s[m.start()..].trim().to_string(),
        _ => s.trim().to_string(),
    }
}
