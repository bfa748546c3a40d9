//! The three parsers, format detection, and errors that name the line.

use gonogo_capture::{Format, detect, fmt_at, parse};

#[test]
fn fmt_at_pads_every_field() {
    assert_eq!(fmt_at(0), "00:00:00.000");
    assert_eq!(fmt_at(3_554), "00:00:03.554");
    assert_eq!(fmt_at(3_723_004), "01:02:03.004");
    assert_eq!(fmt_at(-5), "00:00:00.000");
}

#[test]
fn webvtt_teams_export() {
    let t = "\u{feff}WEBVTT\r\n\r\n00:00:03.554 --> 00:00:18.265\r\n<v Marisol Quintero>Okay, let's start.</v>\r\n\r\n\
             1a2b-3c\r\n00:00:19.485 --> 00:00:35.714 align:start position:10%\r\n<v Hannah Brandt>Sounds good.</v>\r\n";
    let (f, us) = parse(t).unwrap();
    assert_eq!(f, Format::WebVtt);
    assert_eq!(us.len(), 2);
    assert_eq!(us[0].speaker, "Marisol Quintero");
    assert_eq!(us[0].text, "Okay, let's start.");
    assert_eq!(us[0].start_ms, 3_554);
    assert_eq!(us[0].end_ms, Some(18_265));
    assert_eq!(us[0].line, 4);
    assert_eq!(us[1].speaker, "Hannah Brandt");
    assert_eq!(us[1].line, 8);
}

#[test]
fn webvtt_quirks() {
    let t = "WEBVTT - exported by Teams\nKind: captions\n\nNOTE this is a comment\nthat spans lines\n\n\
             STYLE\n::cue { color: red }\n\nREGION\nid:fred\n\n\
             01:02.500 --> 01:04.000\n<v.loud Kenji Watanabe>First line\n<b>second</b> &amp; <i>third</i> &lt;ok&gt;&nbsp;<00:01:03.000><c.yellow>end</c>\n\n\
             00:01:05.000 --> 00:01:06.000\n<v Oskar Halvorsen>No closing tag\n\n\
             00:01:07.000 --> 00:01:08.000\nNo voice at all\n";
    let (_, us) = parse(t).unwrap();
    assert_eq!(us.len(), 3);
    assert_eq!(us[0].start_ms, 62_500);
    assert_eq!(us[0].speaker, "Kenji Watanabe");
    assert_eq!(us[0].text, "First line second & third <ok> end");
    assert_eq!(us[1].speaker, "Oskar Halvorsen");
    assert_eq!(us[1].text, "No closing tag");
    // Without a voice tag, the previous speaker goes on.
    assert_eq!(us[2].speaker, "Oskar Halvorsen");
}

#[test]
fn webvtt_errors_name_the_line() {
    let bad_ts = "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\n<v A>hi</v>\n";
    let e = parse(bad_ts).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("bad timestamp"), "{e}");
    assert!(e.to_string().starts_with("line 3: "));
    let no_timing = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>hi</v>\n\njust some text\nmore text\n";
    let e = parse(no_timing).unwrap_err();
    assert_eq!(e.line, 6);
    assert!(e.message.contains("cue without timing"), "{e}");
}

#[test]
fn srt_cues() {
    let t = "1\r\n00:00:03,361 --> 00:00:10,441\r\nDaniela Ferreira: Okay, um, can everyone hear me?\r\n\r\n\
             2\n00:00:11,197 --> 00:00:17,392\nBogdan Ilie: Sorry, sorry.\nMy laptop decided to update.\n\n\
             3\n00:00:18,000 --> 00:00:19,000\nand it is still going\n";
    let (f, us) = parse(t).unwrap();
    assert_eq!(f, Format::Srt);
    assert_eq!(us.len(), 3);
    assert_eq!(us[0].speaker, "Daniela Ferreira");
    assert_eq!(us[0].text, "Okay, um, can everyone hear me?");
    assert_eq!(us[0].line, 3);
    assert_eq!(us[1].text, "Sorry, sorry. My laptop decided to update.");
    assert_eq!(us[2].speaker, "Bogdan Ilie");
    assert_eq!(us[2].text, "and it is still going");
}

#[test]
fn srt_errors_name_the_line() {
    let e = parse("1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n2\n00:00:03,000 --> 00:61:04,000\nA: x\n").unwrap_err();
    assert_eq!(e.line, 6);
    let e = parse("1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n2\nA: no timing here\n").unwrap_err();
    assert_eq!(e.line, 6);
    assert!(e.message.contains("cue without timing"), "{e}");
}

#[test]
fn plain_lines() {
    let t = "[00:00:05] Ingrid Solberg: Morning, all.\n[00:18] Ingrid Solberg: Short form.\n   wrapped onto a second line\n\n[01:00:27] Grant Whitfield: Late.\n";
    let (f, us) = parse(t).unwrap();
    assert_eq!(f, Format::Plain);
    assert_eq!(us.len(), 3);
    assert_eq!(us[0].start_ms, 5_000);
    assert_eq!(us[0].end_ms, None);
    assert_eq!(us[1].start_ms, 18_000);
    assert_eq!(us[1].text, "Short form. wrapped onto a second line");
    assert_eq!(us[2].start_ms, 3_627_000);
    assert_eq!(us[2].line, 5);
}

#[test]
fn plain_errors_name_the_line() {
    let e = parse("[00:00:05] A: ok\n[00:99:00] B: bad\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("bad timestamp"), "{e}");
}

#[test]
fn unknown_format_is_an_error() {
    let e = parse("\n\nhello there\nthis is not a transcript\n").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("unknown transcript format"), "{e}");
    assert!(parse("").is_err());
}

#[test]
fn detection_is_by_content() {
    assert_eq!(detect("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n"), Some(Format::WebVtt));
    assert_eq!(detect("00:00:01.000 --> 00:00:02.000\n<v A>x</v>\n"), Some(Format::WebVtt));
    assert_eq!(detect("1\n00:00:01,000 --> 00:00:02,000\nA: x\n"), Some(Format::Srt));
    assert_eq!(detect("[00:00:01] A: x\n"), Some(Format::Plain));
    assert_eq!(detect("WEBVTTX\n"), None);
    assert_eq!(detect("nothing"), None);
}

#[test]
fn the_dev_transcripts_parse() {
    for (name, fmt, n) in [
        ("dev-01-ledger-sync.vtt", Format::WebVtt, 88),
        ("dev-02-notify-gateway.srt", Format::Srt, 107),
        ("dev-03-search-indexer.txt", Format::Plain, 87),
    ] {
        let text = std::fs::read_to_string(crate::capture_dev().join(name)).unwrap();
        let (f, us) = parse(&text).unwrap();
        assert_eq!(f, fmt, "{name}");
        if n > 0 {
            assert_eq!(us.len(), n, "{name}");
        }
        assert!(us.iter().all(|u| !u.speaker.is_empty() && !u.text.is_empty()), "{name}");
    }
}

#[test]
fn live_feed_lines_and_their_times() {
    use gonogo_capture::parse::utterance_json;
    let at = |a: &str| {
        utterance_json(&format!("{{\"at\": {a}, \"speaker\": \"Ana\", \"text\": \"hi\"}}"), 4).map(|u| u.start_ms)
    };
    assert_eq!(at("\"00:01:02.5\""), Ok(62_500));
    assert_eq!(at("\"01:02\""), Ok(62_000));
    assert_eq!(at("\"1:00:00,250\""), Ok(3_600_250));
    assert_eq!(at("12.25"), Ok(12_250));
    for bad in ["\"00:61:00\"", "\"soon\"", "-1"] {
        let e = at(bad).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("needs \"at\""), "{bad}: {}", e.message);
    }
    let e = utterance_json("not json", 2).unwrap_err();
    assert!(e.line == 2 && e.message.starts_with("not a JSON object"), "{}", e.message);
    let u = utterance_json("{\"at\": \"00:00:03\", \"speaker\": \"Ana Souza\", \"text\": \"I'll do it.\"}", 1).unwrap();
    assert_eq!((u.speaker.as_str(), u.text.as_str(), u.line), ("Ana Souza", "I'll do it.", 1));
}
