//! Arbitrary input never panics: the parsers, the review reader, extraction and the date
//! grammar.

use gonogo_capture::{Context, Engine, Utterance, due, parse};
use proptest::prelude::*;

fn transcriptish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("WEBVTT\n".to_string()),
        Just("\n".to_string()),
        Just("00:00:01.000 --> 00:00:02.000\n".to_string()),
        Just("00:00:01,000 --> 00:00:02,000\n".to_string()),
        Just("1\n".to_string()),
        Just("[00:00:01] ".to_string()),
        Just("<v Ana Lima>".to_string()),
        Just("</v>".to_string()),
        Just("NOTE x\n".to_string()),
        Just("Ana Lima: ".to_string()),
        Just("-->".to_string()),
        Just("&amp;<b".to_string()),
        "[ -~]{0,20}",
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

fn sentenceish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("I'll ".to_string()),
        Just("Ana, please ".to_string()),
        Just("can you ".to_string()),
        Just("fix it ".to_string()),
        Just("by 9 a.m. ".to_string()),
        Just("Tuesday the 31st ".to_string()),
        Just("before the window ".to_string()),
        Just("14:00 to 15:00 UTC ".to_string()),
        Just("it's a go. ".to_string()),
        Just("no-go? ".to_string()),
        Just("don't know. ".to_string()),
        Just("partial ".to_string()),
        Just("rollback tested ".to_string()),
        Just("instead ".to_string()),
        Just("February 30th, 2025 ".to_string()),
        Just("UTC+99 ".to_string()),
        Just("’".to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ];
    prop::collection::vec(piece, 0..14).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parsing_never_panics(t in transcriptish()) {
        let _ = parse(&t);
        let _ = gonogo_capture::detect(&t);
    }

    #[test]
    fn arbitrary_bytes_never_panic(t in "\\PC{0,200}") {
        let _ = parse(&t);
        let _ = Context::from_review_yaml(&t);
    }

    #[test]
    fn extraction_never_panics(lines in prop::collection::vec((0usize..3, sentenceish()), 0..25)) {
        let ctx = crate::ctx(
            "2025-02-28",
            &[("@ana", "Ana Lima"), ("@ben", "Ben Cho")],
            &["Rollback tested in staging", "All P0/P1 issues resolved"],
        );
        let mut e = Engine::new(ctx);
        for (i, (who, text)) in lines.iter().enumerate() {
            let speaker = ["Ana Lima", "Ben Cho", ""][*who].to_string();
            let _ = e.push(Utterance { start_ms: i as i64 * 1000, end_ms: None, speaker, text: text.clone(), line: i + 1 });
        }
        let (_, cap) = e.finish();
        let _ = cap.to_json();
    }

    #[test]
    fn the_date_grammar_never_panics(s in sentenceish()) {
        let clock = due::Clock::new(Some(jiff::civil::date(2025, 12, 31)), due::zone("Pacific"));
        let _ = due::find(&s, &clock);
        let _ = due::stated_events(&s, &clock);
        let _ = due::stated_date(&s);
        let _ = due::stated_zone(&s);
    }
}
