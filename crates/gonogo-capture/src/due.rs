//! The date and time grammar of meetings: stated dates and time zones, clock times
//! ("Thursday noon UTC", "by 9 a.m. Monday"), days ("EOD tomorrow", "by Monday"), events
//! whose time is stated ("the window is tomorrow 14:00 to 15:00 UTC") and references to
//! them ("before the window"), resolved to UTC instants.

use crate::text::re;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp};
use regex::Regex;
use std::sync::LazyLock;

/// An event of the meeting with a stated start ("window", "re-review", "sync").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub start: Timestamp,
}

/// What due dates are resolved against: the meeting's date and zone, and its events.
#[derive(Debug, Clone)]
pub struct Clock {
    pub date: Option<Date>,
    /// Clock times without a zone are in this one; UTC when the meeting states none.
    pub tz: TimeZone,
    pub events: Vec<Event>,
}

impl Clock {
    pub fn new(date: Option<Date>, tz: Option<TimeZone>) -> Clock {
        Clock { date, tz: tz.unwrap_or(TimeZone::UTC), events: Vec::new() }
    }

    /// The start of the named event, if the meeting stated it.
    pub fn event(&self, name: &str) -> Option<Timestamp> {
        self.events.iter().find(|e| e.name == name).map(|e| e.start)
    }

    /// Records an event's start unless it is known already: the first statement counts,
    /// later mentions ("in tomorrow's 14:00 window") only repeat it.
    pub fn learn(&mut self, name: &str, start: Timestamp) {
        if self.event(name).is_none() {
            self.events.push(Event { name: name.to_string(), start });
        }
    }
}

/// The strongest deadline a piece of text states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A clock time ("10:00 tomorrow", "Thursday noon UTC"): that instant.
    At(Timestamp),
    /// Tied to an event whose time the meeting states: its start.
    Event(Timestamp, String),
    /// A day without a clock time: 23:59:59 local that day.
    Day(Timestamp),
    /// A deadline too vague to pin ("next sprint", "after this call", an event whose time
    /// is never stated).
    Vague,
    Nothing,
}

impl Found {
    /// Clock > event > day > vague > nothing.
    fn rank(&self) -> u8 {
        match self {
            Found::At(_) => 4,
            Found::Event(..) => 3,
            Found::Day(_) => 2,
            Found::Vague => 1,
            Found::Nothing => 0,
        }
    }

    pub fn timestamp(&self) -> Option<Timestamp> {
        match self {
            Found::At(t) | Found::Event(t, _) | Found::Day(t) => Some(*t),
            _ => None,
        }
    }

    /// Which due rule applies, for the item's `why`.
    pub fn rule(&self) -> String {
        match self {
            Found::At(_) => "due: explicit clock time".to_string(),
            Found::Event(_, n) => format!("due: tied to the {n}, whose start the meeting states"),
            Found::Day(_) => "due: a day without a clock time, 23:59:59 local".to_string(),
            Found::Vague => "due: vague, none".to_string(),
            Found::Nothing => "due: none stated".to_string(),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn fmt_due(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

const MONTHS: &str = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";
const WEEKDAYS: &str = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday";
const ORDINAL_WORDS: &[&str] = &[
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
    "twenty-first",
    "twenty-second",
    "twenty-third",
    "twenty-fourth",
    "twenty-fifth",
    "twenty-sixth",
    "twenty-seventh",
    "twenty-eighth",
    "twenty-ninth",
    "thirtieth",
    "thirty-first",
];

fn day_num() -> String {
    let words = ORDINAL_WORDS.iter().rev().copied().collect::<Vec<_>>().join("|");
    format!(r"(?:(\d{{1,2}})(?:st|nd|rd|th)?|({words}))")
}

static FULL_DATE_DMY: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?:the\s+)?{}\s+(?:of\s+)?({MONTHS})\b\.?,?\s+(\d{{4}})\b", day_num())));
static FULL_DATE_MDY: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b({MONTHS})\.?\s+(?:the\s+)?{},?\s+(\d{{4}})\b", day_num())));
static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{4})-(\d{2})-(\d{2})\b"));
static DATE_DM: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?:the\s+)?{}\s+(?:of\s+)?({MONTHS})\b", day_num())));
static DATE_MD: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"\b({MONTHS})\.?\s+(?:the\s+)?{}\b", day_num())));
/// "the 15th", "Tuesday, the 15th", "Tuesday the fifteenth": spelled-out ordinals only
/// after a weekday, since "the first one" is not a date.
static DAY_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    let words = ORDINAL_WORDS.iter().rev().copied().collect::<Vec<_>>().join("|");
    re(&format!(
        r"\b(?:the\s+(\d{{1,2}})(?:st|nd|rd|th)|({WEEKDAYS}),?\s+(?:the\s+)?(?:(\d{{1,2}})(?:st|nd|rd|th)|({words})))\b"
    ))
});
static WEEKDAY: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?:(last|this|next|coming|since|past)\s+)?({WEEKDAYS})(?:'s|s)?\b")));
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:(day after tomorrow)|(tomorrow)|(today|tonight|this evening|this afternoon)|(yesterday))\b")
});
static EOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(eod|end of (?:the )?day|close of (?:the )?business|cob|end of business|eob)|(eow|end of (?:the )?week))\b",
    )
});
const ZONES: &str = r"utc(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?|gmt(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?|central european(?: summer)?(?: time)?|pacific(?: time)?|eastern(?: time)?|central(?: time)?|mountain(?: time)?|british(?: summer)? time|london(?: time)?|berlin(?: time)?|paris(?: time)?|amsterdam(?: time)?|new york(?: time)?|tokyo(?: time)?|sydney(?: time)?|india(?:n)?(?: standard)? time|japan(?: standard)? time|(?:america|europe|asia|australia)/[a-z_]+|pst|pdt|pt|est|edt|et|cst|cdt|ct|mst|mdt|mt|cest|cet|bst|ist|jst|aest|aedt|z";
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:\b(?:(\d{{1,2}}):([0-5]\d)(?:\s*([ap])\.?m\b\.?)?|(\d{{1,2}})(?:\s*(?:to|-|–)\s*\d{{1,2}})?\s*([ap])\.?m\b\.?|(\d{{1,2}})\s+o'clock|(noon|midday)|(midnight)))(?:\s*(?:to|-|–|until|till|through|and)\s*(?:\d{{1,2}}(?::[0-5]\d)?(?:\s*[ap]\.?m\b\.?)?|noon|midnight))?(?:\s+(?:in\s+)?({ZONES})\b)?"
    ))
});
static RANGE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b\d{1,2}(?::[0-5]\d)?\s*(?:[ap]\.?m\b\.?)?\s*(?:to|-|–|until|till)\s*\d{1,2}(?::[0-5]\d)"));
static ZONE_STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:times?|timezone|time zone|clock|mention|everything(?:'s| is) in|all in|we're in|we are in|i'm in)\b")
});
static ZONE_WORD: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"\b({ZONES})\b")));
static ZONE_UPPER: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(UTC|GMT|PST|PDT|PT|EST|EDT|ET|CST|CDT|CT|MST|MDT|MT|CET|CEST|BST|IST|JST|AEST|AEDT)\b"));
static UNTIL: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:until|till|til|since|from)\b[^.,;!?]*"));
static VAGUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:next sprint|this sprint|sometime|some time|at some point|eventually|later on|later|soon|asap|next week|next month|next quarter|this week|whenever|once\b|when (?:we|it|that|they|i|you)|after (?:this|the) (?:call|meeting)|after this|right after|after launch|post-launch|no rush|no deadline|when possible|in the future)",
    )
});
static EVENT_REF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:before|by|ahead of|prior to|in time for)\s+(?:(?:the|our|their|tomorrow's|today's|this|\w+day's)\s+)?(?:(?:deploy(?:ment)?|release|maintenance|change|deploy-window)\s+)?(window|re-?review|review|follow-up|launch|cutover|go-live|deploy(?:ment)?|rollout|roll-out|freeze|sync|standup|stand-up|demo)\b|\bbefore\s+(?:we|you|they|i)\s+(deploy|ship|go live|release|roll out|launch|start the deploy|meet again|reconvene|regroup)\b",
    )
});
static EVENT_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(window|re-?review(?:ing)?|re-?decide|meet again|reconvene|regroup|follow-up (?:review|meeting|call)|launch|cutover|go-live|freeze|sync|standup|stand-up|demo)\b|\b(deploy(?:ment)?|release|slot|plan)\b",
    )
});

/// Every name in `m` that matched is a plain ASCII word; lowercasing with
/// `to_ascii_lowercase` keeps byte offsets equal to the original text's.
fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

fn month_num(m: &str) -> Option<i8> {
    let m = m.get(..3)?;
    let i = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .iter()
        .position(|x| *x == m)?;
    Some(i as i8 + 1)
}

fn ordinal(digits: Option<regex::Match>, word: Option<regex::Match>) -> Option<i8> {
    if let Some(d) = digits {
        return d.as_str().parse::<i8>().ok().filter(|d| (1..=31).contains(d));
    }
    let w = word?.as_str();
    ORDINAL_WORDS.iter().position(|x| *x == w).map(|i| i as i8 + 1)
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn add_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Span::new().days(n)).ok()
}

/// The next `wd` after `d` (a week on when `d` is that day, unless `allow_same`).
fn next_weekday(d: Date, wd: Weekday, allow_same: bool) -> Option<Date> {
    let delta = (wd.to_monday_zero_offset() as i64 - d.weekday().to_monday_zero_offset() as i64).rem_euclid(7);
    let delta = if delta == 0 && !allow_same { 7 } else { delta };
    add_days(d, delta)
}

/// The first full date with a year the text states ("Tuesday the 11th of March 2025",
/// "April 10th, 2025", "2025-03-11").
pub fn stated_date(text: &str) -> Option<Date> {
    let l = lower(text);
    let mut best: Option<(usize, Date)> = None;
    let mut consider = |pos: usize, d: Option<Date>| {
        if let Some(d) = d
            && best.is_none_or(|(p, _)| pos < p)
        {
            best = Some((pos, d));
        }
    };
    if let Some(c) = FULL_DATE_DMY.captures(&l) {
        let d = (|| {
            let day = ordinal(c.get(1), c.get(2))?;
            Date::new(c.get(4)?.as_str().parse().ok()?, month_num(c.get(3)?.as_str())?, day).ok()
        })();
        consider(c.get(0).map_or(0, |m| m.start()), d);
    }
    if let Some(c) = FULL_DATE_MDY.captures(&l) {
        let d = (|| {
            let day = ordinal(c.get(2), c.get(3))?;
            Date::new(c.get(4)?.as_str().parse().ok()?, month_num(c.get(1)?.as_str())?, day).ok()
        })();
        consider(c.get(0).map_or(0, |m| m.start()), d);
    }
    if let Some(c) = ISO_DATE.captures(&l) {
        let d = (|| Date::new(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?).ok())();
        consider(c.get(0).map_or(0, |m| m.start()), d);
    }
    best.map(|(_, d)| d)
}

/// A time zone named by its usual spoken or written forms.
pub fn zone(name: &str) -> Option<TimeZone> {
    let n = lower(name.trim());
    let n = n.strip_suffix(" time").unwrap_or(&n).trim();
    let posix = |s: &str| TimeZone::posix(s).ok();
    if let Some(rest) = n.strip_prefix("utc").or_else(|| n.strip_prefix("gmt")) {
        let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        if rest.is_empty() {
            return Some(TimeZone::UTC);
        }
        let (sign, num) = match rest.split_at_checked(1)? {
            ("+", r) => (1, r),
            ("-", r) => (-1, r),
            _ => return None,
        };
        let (h, m) = match num.split_once(':') {
            Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
            // "+0530"; `\d` also matches non-ASCII digits, so slice by checked offsets.
            None if num.len() > 2 => {
                let cut = num.len() - 2;
                (num.get(..cut)?.parse::<i32>().ok()?, num.get(cut..)?.parse::<i32>().ok()?)
            }
            None => (num.parse::<i32>().ok()?, 0),
        };
        return Offset::from_seconds(sign * (h * 3600 + m * 60)).ok().map(TimeZone::fixed);
    }
    match n {
        "z" => Some(TimeZone::UTC),
        "pacific" | "pt" | "pst" | "pdt" | "america/los_angeles" | "america/vancouver" => {
            posix("PST8PDT,M3.2.0,M11.1.0")
        }
        "mountain" | "mt" | "mst" | "mdt" | "america/denver" => posix("MST7MDT,M3.2.0,M11.1.0"),
        "central" | "ct" | "cst" | "cdt" | "america/chicago" => posix("CST6CDT,M3.2.0,M11.1.0"),
        "eastern" | "et" | "est" | "edt" | "new york" | "america/new_york" | "america/toronto" => {
            posix("EST5EDT,M3.2.0,M11.1.0")
        }
        "central european"
        | "central european summer"
        | "cet"
        | "cest"
        | "berlin"
        | "paris"
        | "amsterdam"
        | "europe/berlin"
        | "europe/paris"
        | "europe/amsterdam"
        | "europe/madrid"
        | "europe/rome"
        | "europe/stockholm"
        | "europe/oslo"
        | "europe/copenhagen"
        | "europe/zurich"
        | "europe/vienna"
        | "europe/brussels"
        | "europe/warsaw"
        | "europe/prague" => posix("CET-1CEST,M3.5.0,M10.5.0/3"),
        "british" | "british summer" | "bst" | "london" | "europe/london" | "europe/dublin" => {
            posix("GMT0BST,M3.5.0/1,M10.5.0")
        }
        "ist" | "india" | "indian" | "india standard" | "indian standard" | "asia/kolkata" => posix("IST-5:30"),
        "jst" | "japan" | "japan standard" | "tokyo" | "asia/tokyo" => posix("JST-9"),
        "aest" | "aedt" | "sydney" | "australia/sydney" | "australia/melbourne" => {
            posix("AEST-10AEDT,M10.1.0,M4.1.0/3")
        }
        _ => None,
    }
}

/// The time zone a sentence declares for the meeting ("every time I mention today is UTC",
/// "all times Pacific"). Short abbreviations count only in capitals.
pub fn stated_zone(text: &str) -> Option<TimeZone> {
    let l = lower(text);
    if !ZONE_STATEMENT.is_match(&l) {
        return None;
    }
    if let Some(m) = ZONE_UPPER.find(text) {
        return zone(m.as_str());
    }
    ZONE_WORD
        .captures_iter(&l)
        .filter_map(|c| c.get(1))
        .filter(|m| m.as_str().len() > 3 || m.as_str().contains('/'))
        .find_map(|m| zone(m.as_str()))
}

/// A day named in the text, with where it is and how specific it is.
#[derive(Debug, Clone, Copy)]
struct DayRef {
    pos: usize,
    date: Date,
    /// 3 an explicit date, 2 a day of the month, 1 a weekday, 0 today/tomorrow.
    specific: u8,
}

fn day_refs(l: &str, today: Date) -> Vec<DayRef> {
    let mut out = Vec::new();
    for c in RELATIVE.captures_iter(l) {
        let pos = c.get(0).map_or(0, |m| m.start());
        let d = if c.get(1).is_some() {
            add_days(today, 2)
        } else if c.get(2).is_some() {
            add_days(today, 1)
        } else if c.get(3).is_some() {
            Some(today)
        } else {
            None // yesterday: never a deadline
        };
        if let Some(date) = d {
            out.push(DayRef { pos, date, specific: 0 });
        }
    }
    for c in WEEKDAY.captures_iter(l) {
        let modifier = c.get(1).map(|m| m.as_str());
        if matches!(modifier, Some("last" | "since" | "past")) {
            continue;
        }
        let Some(wd) = c.get(2).and_then(|m| weekday(m.as_str())) else { continue };
        // "next Monday" said on a Thursday is the coming Monday, as most speakers mean it.
        if let Some(date) = next_weekday(today, wd, modifier == Some("this")) {
            out.push(DayRef { pos: c.get(0).map_or(0, |m| m.start()), date, specific: 1 });
        }
    }
    for c in DAY_OF_MONTH.captures_iter(l) {
        let Some(day) = ordinal(c.get(1).or_else(|| c.get(3)), c.get(4)) else { continue };
        // The next such day on or after the meeting: this month, else the next.
        let this = Date::new(today.year(), today.month(), day).ok().filter(|d| *d >= today);
        let date = this.or_else(|| {
            let first = today.first_of_month();
            let next = first.checked_add(Span::new().months(1)).ok()?;
            Date::new(next.year(), next.month(), day).ok()
        });
        if let Some(date) = date {
            out.push(DayRef { pos: c.get(0).map_or(0, |m| m.start()), date, specific: 2 });
        }
    }
    for (rx, day_i, word_i, month_i) in [(&*DATE_DM, 1, 2, 3), (&*DATE_MD, 2, 3, 1)] {
        for c in rx.captures_iter(l) {
            let Some(day) = ordinal(c.get(day_i), c.get(word_i)) else { continue };
            let Some(month) = c.get(month_i).and_then(|m| month_num(m.as_str())) else { continue };
            // "may" is also a verb; as a month it needs its day right beside it, which the
            // pattern already asks for.
            let this = Date::new(today.year(), month, day).ok();
            let date = match this {
                Some(d) if d >= today => Some(d),
                _ => Date::new(today.year() + 1, month, day).ok(),
            };
            if let Some(date) = date {
                out.push(DayRef { pos: c.get(0).map_or(0, |m| m.start()), date, specific: 3 });
            }
        }
    }
    for c in ISO_DATE.captures_iter(l) {
        if let Some(date) = (|| Date::new(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?).ok())() {
            out.push(DayRef { pos: c.get(0).map_or(0, |m| m.start()), date, specific: 3 });
        }
    }
    out
}

/// The day a clock time at `pos` belongs to: the most specific day named in the text,
/// the nearest among equals; the meeting's date when none is named.
fn day_for(refs: &[DayRef], pos: usize, today: Date) -> Date {
    refs.iter().max_by_key(|r| (r.specific, std::cmp::Reverse(r.pos.abs_diff(pos)))).map(|r| r.date).unwrap_or(today)
}

fn instant(date: Date, h: i8, m: i8, s: i8, tz: &TimeZone) -> Option<Timestamp> {
    let t = Time::new(h, m, s, 0).ok()?;
    tz.to_timestamp(DateTime::from_parts(date, t)).ok()
}

/// Clock times in the text: (position, instant).
fn clock_times(l: &str, clock: &Clock, today: Date) -> Vec<(usize, Timestamp)> {
    let refs = day_refs(l, today);
    let mut out = Vec::new();
    for c in CLOCK.captures_iter(l) {
        let Some(all) = c.get(0) else { continue };
        // "00:01:02" and "v3.8:10" are not clock times.
        let before = l[..all.start()].chars().next_back();
        let after = l[all.end()..].chars().next();
        if before.is_some_and(|ch| ch == ':' || ch == '.' || ch.is_ascii_digit())
            || after.is_some_and(|ch| ch == ':' || ch.is_ascii_digit())
        {
            continue;
        }
        let pm = |i: usize| c.get(i).map(|m| m.as_str() == "p");
        let am = |i: usize| c.get(i).map(|m| m.as_str() == "a");
        let (mut h, mut m, next_day) = if let (Some(hh), Some(mm)) = (c.get(1), c.get(2)) {
            let mut h: i8 = hh.as_str().parse().unwrap_or(99);
            if pm(3) == Some(true) && h < 12 {
                h += 12;
            }
            if am(3) == Some(true) && h == 12 {
                h = 0;
            }
            (h, mm.as_str().parse::<i8>().unwrap_or(99), false)
        } else if let Some(hh) = c.get(4) {
            let mut h: i8 = hh.as_str().parse().unwrap_or(99);
            if !(1..=12).contains(&h) {
                continue;
            }
            if pm(5) == Some(true) && h < 12 {
                h += 12;
            }
            if am(5) == Some(true) && h == 12 {
                h = 0;
            }
            (h, 0, false)
        } else if let Some(hh) = c.get(6) {
            (hh.as_str().parse().unwrap_or(99), 0, false)
        } else if c.get(7).is_some() {
            (12, 0, false)
        } else if c.get(8).is_some() {
            (0, 0, true)
        } else {
            continue;
        };
        if h > 23 || m > 59 {
            continue;
        }
        let tz = c.get(9).and_then(|z| zone(z.as_str())).unwrap_or_else(|| clock.tz.clone());
        let mut date = day_for(&refs, all.start(), today);
        if next_day {
            // "by midnight" is the end of the day it names.
            match add_days(date, 1) {
                Some(d) => date = d,
                None => continue,
            }
            h = 0;
            m = 0;
        }
        if let Some(t) = instant(date, h, m, 0, &tz) {
            out.push((all.start(), t));
        }
    }
    out
}

/// The event a reference names ("before the deploy window" → window).
fn event_name(noun: &str) -> &'static str {
    match noun {
        "window" | "deploy" | "deployment" | "rollout" | "roll-out" | "go-live" | "cutover" | "ship" | "go live"
        | "release" | "roll out" | "launch" | "start the deploy" => "window",
        "re-review" | "rereview" | "review" | "follow-up" | "meet again" | "reconvene" | "regroup" => "re-review",
        "sync" => "sync",
        "standup" | "stand-up" => "standup",
        "freeze" => "freeze",
        "demo" => "demo",
        _ => "window",
    }
}

/// The strongest deadline stated in one sentence (or short span): a clock time, else an
/// event reference, else a day, else vague.
pub fn find(text: &str, clock: &Clock) -> Found {
    let l = lower(text);
    // "until Tuesday", "since Monday", "from 14:00": holds and ranges, not deadlines.
    let l = UNTIL.replace_all(&l, |c: &regex::Captures| " ".repeat(c[0].len())).into_owned();
    let mut best = Found::Nothing;
    if let Some(today) = clock.date
        && let Some((_, t)) = clock_times(&l, clock, today).into_iter().next()
    {
        return Found::At(t);
    }
    for c in EVENT_REF.captures_iter(&l) {
        let noun = c.get(1).or_else(|| c.get(2)).map(|m| m.as_str()).unwrap_or("window");
        let name = event_name(noun);
        // "the launch" with a stated launch time is that; otherwise a launch is the window.
        let t = clock.event(noun).or_else(|| clock.event(name));
        match t {
            Some(t) => return Found::Event(t, name.to_string()),
            None => best = Found::Vague,
        }
    }
    if let Some(today) = clock.date {
        let refs = day_refs(&l, today);
        let eod = EOD.captures(&l);
        let day = if let Some(e) = eod.as_ref() {
            if e.get(2).is_some() {
                // End of week: this week's Friday (today when it is Friday).
                next_weekday(today, Weekday::Friday, true)
            } else {
                let pos = e.get(0).map_or(0, |m| m.start());
                Some(refs.iter().min_by_key(|r| r.pos.abs_diff(pos)).map(|r| r.date).unwrap_or(today))
            }
        } else {
            refs.iter().max_by_key(|r| (r.specific, std::cmp::Reverse(r.pos))).map(|r| r.date)
        };
        if let Some(d) = day
            && let Some(t) = instant(d, 23, 59, 59, &clock.tz)
        {
            return Found::Day(t);
        }
    }
    if best.rank() < Found::Vague.rank() && VAGUE.is_match(&l) {
        best = Found::Vague;
    }
    best
}

/// Events whose start a sentence states ("the window we're asking for is tomorrow,
/// Wednesday, 14:00 to 15:00 UTC", "we'll re-review Tuesday, the 15th, 14:00 UTC").
/// Conditionals and questions state nothing.
pub fn stated_events(text: &str, clock: &Clock) -> Vec<(String, Timestamp)> {
    let Some(today) = clock.date else { return Vec::new() };
    let l = lower(text);
    if l.trim_end().ends_with('?') || l.starts_with("if ") || l.contains(" if ") || l.contains("hypothetical") {
        return Vec::new();
    }
    let times = clock_times(&l, clock, today);
    let Some(&(_, t)) = times.first() else { return Vec::new() };
    let mut out = Vec::new();
    for c in EVENT_NOUN.captures_iter(&l) {
        if let Some(m) = c.get(1) {
            let noun = m.as_str();
            // A second review under any name ("meet again", "reconvene", "re-decide").
            let name = if noun.starts_with("re") || noun.starts_with("meet") || noun.starts_with("follow") {
                "re-review"
            } else {
                noun
            };
            let name = match name {
                "stand-up" => "standup",
                n => n,
            };
            out.push((name.to_string(), t));
        } else if c.get(2).is_some() && RANGE.is_match(&l) {
            // "the plan was tomorrow morning, 08:00 to 09:00 UTC": a planned time range.
            out.push(("window".to_string(), t));
        }
    }
    out.dedup_by(|a, b| a.0 == b.0);
    out
}
