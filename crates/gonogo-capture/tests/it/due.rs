//! The due-date grammar: clock times in the meeting's zone, days at 23:59:59 local,
//! events the meeting states, and vague deadlines.

use gonogo_capture::due::{Clock, Found, find, fmt_due, stated_date, stated_events, stated_zone, zone};
use jiff::civil::date;

fn at(f: &Found) -> Option<String> {
    f.timestamp().map(fmt_due)
}

fn pacific_clock() -> Clock {
    // Monday 2025-03-17, after US daylight saving began (UTC-7).
    Clock::new(Some(date(2025, 3, 17)), zone("Pacific"))
}

#[test]
fn clock_time_in_a_pacific_meeting_is_utc() {
    let c = pacific_clock();
    assert_eq!(at(&find("I'll have it by 9 a.m. Wednesday.", &c)).as_deref(), Some("2025-03-19T16:00:00Z"));
    assert_eq!(at(&find("Done by 14:30 tomorrow", &c)).as_deref(), Some("2025-03-18T21:30:00Z"));
    // A zone written after the time wins over the meeting's.
    assert_eq!(at(&find("by Thursday noon UTC", &c)).as_deref(), Some("2025-03-20T12:00:00Z"));
    assert!(matches!(find("by 9am Monday", &c), Found::At(_)));
    assert_eq!(at(&find("by 9am Monday", &c)).as_deref(), Some("2025-03-24T16:00:00Z"));
}

#[test]
fn pacific_standard_time_in_winter() {
    let c = Clock::new(Some(date(2025, 1, 14)), zone("PT"));
    assert_eq!(at(&find("by 5pm today", &c)).as_deref(), Some("2025-01-15T01:00:00Z"));
}

#[test]
fn a_day_without_a_clock_time_ends_at_23_59_59_local() {
    let utc = Clock::new(Some(date(2025, 5, 19)), None);
    assert_eq!(at(&find("By EOD tomorrow.", &utc)).as_deref(), Some("2025-05-20T23:59:59Z"));
    assert_eq!(at(&find("Today.", &utc)).as_deref(), Some("2025-05-19T23:59:59Z"));
    assert_eq!(at(&find("I'll have it done by Monday.", &utc)).as_deref(), Some("2025-05-26T23:59:59Z"));
    assert_eq!(at(&find("end of day Friday", &utc)).as_deref(), Some("2025-05-23T23:59:59Z"));
    assert_eq!(at(&find("by end of day", &utc)).as_deref(), Some("2025-05-19T23:59:59Z"));
    let c = pacific_clock();
    assert_eq!(at(&find("EOD", &c)).as_deref(), Some("2025-03-18T06:59:59Z"));
    assert!(matches!(find("EOD", &c), Found::Day(_)));
}

#[test]
fn before_the_window_is_the_window_start() {
    let mut c = Clock::new(Some(date(2025, 3, 11)), None);
    for (name, t) in stated_events("The window we're asking for is tomorrow, Wednesday, 14:00 to 15:00 UTC.", &c) {
        c.learn(&name, t);
    }
    assert_eq!(c.event("window").map(fmt_due).as_deref(), Some("2025-03-12T14:00:00Z"));
    assert!(matches!(find("please change it before the deploy window", &c), Found::Event(..)));
    assert_eq!(at(&find("before the deploy window", &c)).as_deref(), Some("2025-03-12T14:00:00Z"));
    assert_eq!(at(&find("so it's done before we deploy", &c)).as_deref(), Some("2025-03-12T14:00:00Z"));
    // An event whose time is never stated is a vague deadline.
    assert_eq!(find("before the re-review", &c), Found::Vague);
    for (name, t) in stated_events("We'll re-review Tuesday, the 18th, 14:00 UTC.", &c) {
        c.learn(&name, t);
    }
    assert_eq!(at(&find("before the re-review", &c)).as_deref(), Some("2025-03-18T14:00:00Z"));
}

#[test]
fn vague_deadlines_are_none() {
    let c = Clock::new(Some(date(2025, 3, 11)), None);
    for s in ["next sprint", "sometime next week", "once the fix is merged", "after this call", "until after launch"] {
        let f = find(s, &c);
        assert!(f.timestamp().is_none(), "{s}: {f:?}");
    }
    assert_eq!(find("next sprint", &c), Found::Vague);
    // "until Tuesday" is a hold, not a deadline.
    assert_eq!(find("I'll hold off until Tuesday", &c).timestamp(), None);
}

#[test]
fn stated_dates_and_zones() {
    assert_eq!(stated_date("today is Tuesday the 11th of March 2025, and"), Some(date(2025, 3, 11)));
    assert_eq!(stated_date("It's, um, Thursday, April 10th, 2025."), Some(date(2025, 4, 10)));
    assert_eq!(stated_date("It's Monday the 19th of May, 2025."), Some(date(2025, 5, 19)));
    assert_eq!(stated_date("the date is 2025-06-02"), Some(date(2025, 6, 2)));
    assert_eq!(stated_date("the eleventh of March 2025"), Some(date(2025, 3, 11)));
    assert_eq!(stated_date("no date here"), None);
    assert!(stated_zone("every time I mention today is UTC").is_some());
    assert!(stated_zone("All times are Pacific.").is_some());
    assert!(stated_zone("Times are UTC like always").is_some());
    assert!(stated_zone("the pacific region").is_none());
}

#[test]
fn zones_by_name_and_offset() {
    let ts = |z: &str| {
        let c = Clock::new(Some(date(2025, 7, 1)), zone(z));
        at(&find("by 12:00 today", &c))
    };
    assert_eq!(ts("UTC").as_deref(), Some("2025-07-01T12:00:00Z"));
    assert_eq!(ts("Eastern").as_deref(), Some("2025-07-01T16:00:00Z"));
    assert_eq!(ts("CEST").as_deref(), Some("2025-07-01T10:00:00Z"));
    assert_eq!(ts("London").as_deref(), Some("2025-07-01T11:00:00Z"));
    assert_eq!(ts("UTC+5:30").as_deref(), Some("2025-07-01T06:30:00Z"));
    assert_eq!(ts("GMT-0300").as_deref(), Some("2025-07-01T15:00:00Z"));
    assert!(zone("UTC+١٢٣").is_none());
    assert!(zone("UTC+٠١٢").is_none());
    assert!(zone("Narnia").is_none());
}
