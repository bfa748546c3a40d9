//! gonogo-capture: reads a meeting transcript (WebVTT, SRT or plain text) and pulls out the
//! decisions, action items, open questions and checklist updates a careful note-taker
//! would record, each with the words it rests on and the rule that took it.
//! It does no I/O: callers hand it text and print what it returns.

pub mod checklist;
pub mod context;
pub mod due;
pub mod extract;
pub mod parse;
pub mod people;
pub mod score;
pub mod text;

pub use context::{Attendee, Context};
pub use extract::{ActionItem, Capture, ChecklistUpdate, Decision, Engine, Item, Question, extract};
pub use parse::{Format, ParseError, Utterance, detect, fmt_at, parse};
pub use score::{Score, Scores, score};
