//! Extraction on meetings written for these tests (not the dev set): each rule on its own,
//! in a Pacific meeting, with reassignment, recaps, and the live engine against the batch.

use crate::{ctx, plain};
use gonogo_capture::{Context, Engine, Item, extract, parse};

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/capture").join(name);
    std::fs::read_to_string(p).unwrap()
}

fn billing() -> gonogo_capture::Capture {
    let ctx = Context::from_review_yaml(&fixture("billing-api.review.yaml")).unwrap();
    let (_, us) = parse(&fixture("billing-api.txt")).unwrap();
    extract(&us, &ctx)
}

#[test]
fn pacific_meeting_actions_and_dues() {
    let c = billing();
    let a: Vec<(&str, Option<&str>, Option<&str>)> =
        c.action_items.iter().map(|a| (a.at.as_str(), a.owner.as_deref(), a.due.as_deref())).collect();
    assert_eq!(
        a,
        vec![
            // Directive with a clock time in a Pacific meeting (June: UTC-7).
            ("00:01:02.000", Some("@sre-luis"), Some("2025-06-03T16:00:00Z")),
            // A request phrased as a question: `at` is the accepting reply; EOD local.
            ("00:01:30.000", Some("@qa-sam"), Some("2025-06-03T06:59:59Z")),
            // An attendee known by handle only ("@fin-anna" is Anna); tied to the window.
            ("00:01:47.000", Some("@fin-anna"), Some("2025-06-03T17:00:00Z")),
            // "The team will look at it": no owner; "next sprint" is vague.
            ("00:02:12.000", None, None),
        ],
        "{:#?}",
        c.action_items
    );
    assert!(c.action_items.iter().all(|a| !a.why.is_empty() && !a.quote.is_empty()));
}

#[test]
fn pacific_meeting_decisions_questions_checklist() {
    let c = billing();
    let d: Vec<(&str, Option<&str>)> = c.decisions.iter().map(|d| (d.at.as_str(), d.outcome.as_deref())).collect();
    assert_eq!(d, vec![("00:01:55.000", None), ("00:02:12.000", Some("go"))], "{:#?}", c.decisions);
    let q: Vec<&str> = c.open_questions.iter().map(|q| q.at.as_str()).collect();
    assert_eq!(q, vec!["00:01:12.000"], "{:#?}", c.open_questions);
    let u: Vec<(&str, &str, &str)> =
        c.checklist_updates.iter().map(|u| (u.at.as_str(), u.item.as_str(), u.status.as_str())).collect();
    assert_eq!(
        u,
        vec![
            ("00:00:43.000", "Release branch tagged", "done"),
            ("00:00:54.000", "Rollback tested in staging", "not_started"),
            // Partial first, then done: the final status, where it is first stated.
            ("00:02:05.000", "All P0/P1 issues resolved", "done"),
        ],
        "{:#?}",
        c.checklist_updates
    );
}

#[test]
fn reassignment_keeps_only_the_final_owner() {
    let us = plain(
        "[00:00:01] Ana Lima: Today is Wednesday, the 4th of June 2025. Times are UTC.\n\
         [00:00:10] Ana Lima: Ben, can you write the smoke test script?\n\
         [00:00:14] Ben Cho: Sure.\n\
         [00:00:30] Ben Cho: Actually I'm on leave Thursday.\n\
         [00:00:35] Ana Lima: Then the smoke test script can't be yours. Cara, please take the smoke test script instead, by Thursday 12:00 UTC.\n\
         [00:00:41] Cara Diaz: Got it, I'll start tonight.\n",
    );
    let c = extract(&us, &ctx("", &[("@ana", "Ana Lima"), ("@ben", "Ben Cho"), ("@cara", "Cara Diaz")], &[]));
    let a: Vec<(&str, Option<&str>, Option<&str>)> =
        c.action_items.iter().map(|a| (a.at.as_str(), a.owner.as_deref(), a.due.as_deref())).collect();
    assert_eq!(a, vec![("00:00:35.000", Some("@cara"), Some("2025-06-05T12:00:00Z"))], "{:#?}", c.action_items);
    assert!(c.action_items[0].why.contains("reassigned from @ben"), "{}", c.action_items[0].why);
}

#[test]
fn recaps_do_not_move_at_and_jokes_are_not_tasks() {
    let us = plain(
        "[00:00:01] Ana Lima: It's Friday the 6th of June 2025, UTC times.\n\
         [00:00:05] Ben Cho: I'll rerun the load test before the window.\n\
         [00:00:09] Cara Diaz: And if it fails, Ben buys the coffee.\n\
         [00:00:12] Ben Cho: I'll tell them it was cosmic rays.\n\
         [00:00:20] Ana Lima: Let me read the actions back. Ben, the load test rerun before the window.\n\
         [00:00:26] Ana Lima: And I'll send the notes.\n",
    );
    let c = extract(&us, &ctx("", &[("@ana", "Ana Lima"), ("@ben", "Ben Cho"), ("@cara", "Cara Diaz")], &[]));
    let a: Vec<(&str, Option<&str>)> = c.action_items.iter().map(|a| (a.at.as_str(), a.owner.as_deref())).collect();
    // Ana's "I'll send the notes" is new in the recap, so it is kept; Ben's task keeps its
    // first `at`, and the joke is no task.
    assert_eq!(a, vec![("00:00:05.000", Some("@ben")), ("00:00:26.000", Some("@ana"))], "{:#?}", c.action_items);
    // The window was never stated: no due.
    assert_eq!(c.action_items[0].due, None);
}

#[test]
fn questions_answered_later_are_not_open() {
    let us = plain(
        "[00:00:01] Ana Lima: Let's start.\n\
         [00:00:05] Ben Cho: What percentage of traffic goes to the new region on day one?\n\
         [00:00:09] Ana Lima: Cara would know. Hold on, we'll come back to it.\n\
         [00:00:20] Cara Diaz: Flags are set. And to answer Ben, it's five percent on day one.\n\
         [00:00:30] Ben Cho: Does the CDN cache the old error pages?\n\
         [00:00:34] Cara Diaz: I genuinely don't know.\n\
         [00:00:40] Ana Lima: Can everyone see my screen?\n\
         [00:00:44] Ben Cho: Yes.\n\
         [00:00:50] Cara Diaz: Who owns the pager rotation after Friday?\n",
    );
    let c = extract(&us, &ctx("", &[("@ana", "Ana Lima"), ("@ben", "Ben Cho"), ("@cara", "Cara Diaz")], &[]));
    let q: Vec<&str> = c.open_questions.iter().map(|q| q.at.as_str()).collect();
    // Answered later (by reference), open (nobody knows), procedural (excluded), and
    // never replied to (open).
    assert_eq!(q, vec!["00:00:30.000", "00:00:50.000"], "{:#?}", c.open_questions);
}

#[test]
fn past_decisions_hypotheticals_and_leanings_are_not_decisions() {
    let us = plain(
        "[00:00:01] Ana Lima: Last release we decided to keep the old cluster warm.\n\
         [00:00:05] Ben Cho: If the error rate spikes, we'd probably call it a no-go.\n\
         [00:00:09] Ana Lima: Sounds like we're leaning go.\n\
         [00:00:12] Ana Lima: That's still the plan, nothing changes there.\n\
         [00:00:20] Ana Lima: Okay, so it's a no-go. We re-review Monday.\n\
         [00:00:30] Ana Lima: Sorry it's a no-go, everyone.\n",
    );
    let c = extract(&us, &Context::empty());
    let d: Vec<(&str, Option<&str>)> = c.decisions.iter().map(|d| (d.at.as_str(), d.outcome.as_deref())).collect();
    assert_eq!(d, vec![("00:00:20.000", Some("no_go"))], "{:#?}", c.decisions);
}

#[test]
fn json_shape_follows_design_section_6() {
    let c = billing();
    let j = c.to_json();
    let keys: Vec<&str> = j.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["decisions", "action_items", "open_questions", "checklist_updates"]);
    let a = j["action_items"][0].as_object().unwrap();
    assert_eq!(
        a.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
        ["at", "speaker", "owner", "action", "due", "quote", "why"]
    );
    let team = &j["action_items"][3];
    assert!(team["owner"].is_null() && team["due"].is_null());
    let u = j["checklist_updates"][0].as_object().unwrap();
    assert_eq!(
        u.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
        ["at", "item", "status", "notes", "speaker", "quote", "why"]
    );
    let d = j["decisions"][0].as_object().unwrap();
    assert_eq!(d.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["at", "speaker", "text", "outcome", "quote", "why"]);
    assert!(d["outcome"].is_null());
    let q = j["open_questions"][0].as_object().unwrap();
    assert_eq!(q.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["at", "speaker", "text", "why"]);
}

#[test]
fn live_engine_ends_where_the_batch_does() {
    for (review, transcript) in [
        ("dev-01-ledger-sync.review.yaml", "dev-01-ledger-sync.vtt"),
        ("dev-02-notify-gateway.review.yaml", "dev-02-notify-gateway.srt"),
        ("dev-03-search-indexer.review.yaml", "dev-03-search-indexer.txt"),
    ] {
        let dir = crate::capture_dev();
        let ctx = Context::from_review_yaml(&std::fs::read_to_string(dir.join(review)).unwrap()).unwrap();
        let (_, us) = parse(&std::fs::read_to_string(dir.join(transcript)).unwrap()).unwrap();
        let mut e = Engine::new(ctx.clone());
        let mut live = Vec::new();
        for u in &us {
            live.extend(e.push(u.clone()));
        }
        let (at_end, cap) = e.finish();
        assert_eq!(cap, extract(&us, &ctx), "{transcript}");
        // Open questions become certain only at the end.
        assert!(live.iter().all(|i| !matches!(i, Item::OpenQuestion(_))));
        assert_eq!(at_end.len(), cap.open_questions.len());
        // Every final action item and checklist update was reported live first.
        for a in &cap.action_items {
            assert!(
                live.iter().any(|i| matches!(i, Item::ActionItem(x) if x.at == a.at && x.owner == a.owner)),
                "{transcript}: {a:?} not reported live"
            );
        }
        for u in &cap.checklist_updates {
            assert!(live.contains(&Item::ChecklistUpdate(u.clone())), "{transcript}: {u:?} not reported live");
        }
    }
}

#[test]
fn review_context_is_read_leniently() {
    let c = Context::from_review_yaml(
        "apiVersion: gonogo/v1\nunknown: 1\nmeeting:\n  date: 2024-12-13\n  attendees:\n    - \"@priya\"\n    - { handle: \"@infra-james\", name: James Okafor }\n    - 42\nchecklist:\n  - item: Rollback tested in staging\n    status: partial\n  - status: done\ndecision:\n  deploy_window: { start: 2024-12-13T12:00:00Z, end: 2024-12-13T13:00:00Z }\n",
    )
    .unwrap();
    assert_eq!(c.date, Some(jiff::civil::date(2024, 12, 13)));
    assert_eq!(c.attendees.len(), 2);
    assert_eq!(c.attendees[1].name.as_deref(), Some("James Okafor"));
    assert_eq!(c.checklist, vec!["Rollback tested in staging".to_string()]);
    assert_eq!(c.deploy_window_start.map(|t| t.to_string()).as_deref(), Some("2024-12-13T12:00:00Z"));
    let e = Context::from_review_yaml("meeting:\n  attendees: [\n").unwrap_err();
    assert!(e.line >= 2, "{e}");
    assert!(Context::from_review_yaml("").unwrap().attendees.is_empty());
}

#[test]
fn eastern_webvtt_meeting_with_other_phrasings() {
    let ctx = Context::from_review_yaml(&fixture("edge-proxy.review.yaml")).unwrap();
    let (_, us) = parse(&fixture("edge-proxy.vtt")).unwrap();
    let c = extract(&us, &ctx);
    let a: Vec<(&str, Option<&str>, Option<&str>)> =
        c.action_items.iter().map(|a| (a.at.as_str(), a.owner.as_deref(), a.due.as_deref())).collect();
    assert_eq!(
        a,
        vec![
            // Assigned by name in the third person; Wednesday noon EDT.
            ("00:00:45.000", Some("@sre-jon"), Some("2025-09-17T16:00:00Z")),
            // "could you…?" accepted with "on it"; before the window (Thursday 9 p.m. EDT).
            ("00:01:23.000", Some("@cx-ines"), Some("2025-09-19T01:00:00Z")),
        ],
        "{:#?}",
        c.action_items
    );
    let d: Vec<(&str, Option<&str>)> = c.decisions.iter().map(|d| (d.at.as_str(), d.outcome.as_deref())).collect();
    // The call changed in the meeting: only the final one counts.
    assert_eq!(d, vec![("00:01:26.000", None), ("00:01:41.000", Some("go"))], "{:#?}", c.decisions);
    let q: Vec<&str> = c.open_questions.iter().map(|q| q.at.as_str()).collect();
    assert_eq!(q, vec!["00:00:53.000"], "{:#?}", c.open_questions);
    let u: Vec<(&str, &str, &str)> =
        c.checklist_updates.iter().map(|u| (u.at.as_str(), u.item.as_str(), u.status.as_str())).collect();
    assert_eq!(
        u,
        vec![("00:00:21.000", "Load test completed", "done"), ("00:00:36.000", "Smoke tests passing", "blocked")],
        "{:#?}",
        c.checklist_updates
    );
}

/// The same meeting written as WebVTT gives the same capture: the rules read utterances,
/// not a format.
#[test]
fn the_format_does_not_change_the_capture() {
    let dir = crate::capture_dev();
    let ctx =
        Context::from_review_yaml(&std::fs::read_to_string(dir.join("dev-02-notify-gateway.review.yaml")).unwrap())
            .unwrap();
    let (_, us) = parse(&std::fs::read_to_string(dir.join("dev-02-notify-gateway.srt")).unwrap()).unwrap();
    let mut vtt = String::from("WEBVTT\n\n");
    for u in &us {
        let end = u.end_ms.unwrap_or(u.start_ms);
        vtt.push_str(&format!(
            "{} --> {}\n<v {}>{}</v>\n\n",
            gonogo_capture::fmt_at(u.start_ms),
            gonogo_capture::fmt_at(end),
            u.speaker,
            u.text.replace('&', "&amp;").replace('<', "&lt;")
        ));
    }
    let (f, us2) = parse(&vtt).unwrap();
    assert_eq!(f, gonogo_capture::Format::WebVtt);
    assert_eq!(us2.len(), us.len());
    assert_eq!(extract(&us, &ctx), extract(&us2, &ctx));
}

/// Without a review file there are no handles: items are still found, owners are null and
/// `why` names the person.
#[test]
fn no_review_file() {
    let dir = crate::capture_dev();
    let (_, us) = parse(&std::fs::read_to_string(dir.join("dev-01-ledger-sync.vtt")).unwrap()).unwrap();
    let c = extract(&us, &Context::empty());
    assert_eq!(c.decisions.len(), 2);
    assert!(c.action_items.len() >= 6);
    assert!(c.action_items.iter().all(|a| a.owner.is_none()));
    assert!(c.action_items[0].why.contains("kenji watanabe"), "{}", c.action_items[0].why);
    // The transcript states the date and the window, so dues still resolve.
    assert_eq!(c.action_items[0].due.as_deref(), Some("2025-03-12T10:00:00Z"));
    assert!(c.checklist_updates.is_empty());
}

#[test]
fn central_european_meeting_with_a_re_review() {
    let ctx = Context::from_review_yaml(&fixture("checkout-web.review.yaml")).unwrap();
    let (_, us) = parse(&fixture("checkout-web.txt")).unwrap();
    let c = extract(&us, &ctx);
    let a: Vec<(&str, Option<&str>, Option<&str>)> =
        c.action_items.iter().map(|a| (a.at.as_str(), a.owner.as_deref(), a.due.as_deref())).collect();
    assert_eq!(
        a,
        vec![
            // Friday 15:00 CEST (October) is 13:00 UTC.
            ("00:00:40.000", Some("@pay-arjun"), Some("2025-10-10T13:00:00Z")),
            // "once we have a go": vague.
            ("00:00:51.000", Some("@docs-chloe"), None),
            // "today" in CEST ends at 21:59:59 UTC.
            ("00:01:29.000", Some("@web-tom"), Some("2025-10-09T21:59:59Z")),
            // "We'll meet again on Friday at 16:00 CET" states the re-review.
            ("00:02:14.000", Some("@pay-arjun"), Some("2025-10-10T14:00:00Z")),
        ],
        "{:#?}",
        c.action_items
    );
    assert!(c.action_items[2].action.contains("ticket"), "{}", c.action_items[2].action);
    let q: Vec<&str> = c.open_questions.iter().map(|q| q.at.as_str()).collect();
    assert_eq!(q, vec!["00:01:10.000"], "{:#?}", c.open_questions);
    let d: Vec<(&str, Option<&str>)> = c.decisions.iter().map(|d| (d.at.as_str(), d.outcome.as_deref())).collect();
    assert_eq!(d, vec![("00:02:00.000", Some("no_go"))]);
}

#[test]
fn distractors_are_not_items() {
    let ctx = Context::from_review_yaml(&fixture("billing-api.review.yaml")).unwrap();
    let (_, us) = parse(&fixture("ledger-ui.srt")).unwrap();
    let c = extract(&us, &ctx);
    let a: Vec<(&str, Option<&str>)> = c.action_items.iter().map(|a| (a.at.as_str(), a.owner.as_deref())).collect();
    // Not "I'll be honest", "I'll say this once", "we'll see"; yes "let me check … by
    // Wednesday" and tasks given by name ("Anna's going to handle…").
    assert_eq!(
        a,
        vec![
            ("00:00:42.000", Some("@qa-sam")),
            ("00:01:01.000", Some("@pay-priya")),
            ("00:01:07.000", Some("@fin-anna"))
        ],
        "{:#?}",
        c.action_items
    );
    // "So are we go?" asks, "I think we're a go" leans; "it's a go" decides.
    let d: Vec<(&str, Option<&str>)> = c.decisions.iter().map(|d| (d.at.as_str(), d.outcome.as_deref())).collect();
    assert_eq!(d, vec![("00:01:01.000", Some("go"))]);
    // "Can you guys hear me" is procedural, "why is the build red" was answered.
    let q: Vec<&str> = c.open_questions.iter().map(|q| q.at.as_str()).collect();
    assert_eq!(q, vec!["00:00:31.000"]);
}

#[test]
fn the_engine_learns_the_meeting_clock() {
    let dir = crate::capture_dev();
    let (_, us) = parse(&std::fs::read_to_string(dir.join("dev-02-notify-gateway.srt")).unwrap()).unwrap();
    let mut e = Engine::new(Context::empty());
    for u in us {
        e.push(u);
    }
    let c = e.clock();
    assert_eq!(c.date, Some(jiff::civil::date(2025, 4, 10)));
    let ev = |n: &str| c.event(n).map(gonogo_capture::due::fmt_due);
    assert_eq!(ev("window").as_deref(), Some("2025-04-11T08:00:00Z"));
    assert_eq!(ev("re-review").as_deref(), Some("2025-04-15T14:00:00Z"));
}

#[test]
fn crisp_meeting_with_bare_answers_and_open_requests() {
    let us = plain(
        "[00:00:01] Ana Lima: Go/no-go for api 3.2, Tuesday 14 October 2025, times in UTC.\n\
         [00:00:08] Ana Lima: Release notes published?\n\
         [00:00:10] Ben Cho: Yes.\n\
         [00:00:12] Ana Lima: Rollback tested in staging?\n\
         [00:00:14] Cara Diaz: Not yet.\n\
         [00:00:16] Ana Lima: Can someone update the status page before the deploy?\n\
         [00:00:19] Ben Cho: Hmm.\n\
         [00:00:21] Cara Diaz: I can take it.\n\
         [00:00:25] Ana Lima: Who can rerun the rollback test tomorrow?\n\
         [00:00:28] Ben Cho: Me, I'll do it first thing.\n\
         [00:00:35] Ana Lima: Then we're postponing the release until the test passes.\n",
    );
    let c = extract(
        &us,
        &ctx(
            "",
            &[("@ana", "Ana Lima"), ("@ben", "Ben Cho"), ("@cara", "Cara Diaz")],
            &["Release notes published", "Rollback tested in staging"],
        ),
    );
    let u: Vec<(&str, &str, &str)> =
        c.checklist_updates.iter().map(|u| (u.at.as_str(), u.item.as_str(), u.status.as_str())).collect();
    assert_eq!(
        u,
        vec![
            ("00:00:10.000", "Release notes published", "done"),
            ("00:00:14.000", "Rollback tested in staging", "not_started")
        ],
        "{:#?}",
        c.checklist_updates
    );
    let a: Vec<(&str, Option<&str>, Option<&str>)> =
        c.action_items.iter().map(|a| (a.at.as_str(), a.owner.as_deref(), a.due.as_deref())).collect();
    assert_eq!(
        a,
        vec![("00:00:21.000", Some("@cara"), None), ("00:00:28.000", Some("@ben"), Some("2025-10-15T23:59:59Z"))],
        "{:#?}",
        c.action_items
    );
    let d: Vec<(&str, Option<&str>)> = c.decisions.iter().map(|d| (d.at.as_str(), d.outcome.as_deref())).collect();
    assert_eq!(d, vec![("00:00:35.000", Some("no_go"))], "{:#?}", c.decisions);
}
