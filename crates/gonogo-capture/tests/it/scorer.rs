//! Runs extraction on each capture-dev meeting and scores it against the gold labels
//! (precision, recall, F1 per category, per meeting and overall).

use gonogo_capture::{Context, Scores, extract, parse, score};

/// The F1 each category reaches over the three dev meetings; the targets are
/// decisions 0.8, action items 0.8, open questions 0.7, checklist updates 0.7.
const FLOOR: [(&str, f64); 4] =
    [("decisions", 0.8), ("action_items", 0.8), ("open_questions", 0.7), ("checklist_updates", 0.7)];

pub fn run_dev() -> (Vec<(String, Scores, serde_json::Value)>, Scores) {
    let dir = crate::capture_dev();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("capture-dev is beside the repository")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".gold.json"))
        .collect();
    names.sort();
    let mut total = Scores::default();
    let mut per = Vec::new();
    for g in names {
        let stem = g.trim_end_matches(".gold.json");
        let gold: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join(&g)).unwrap()).unwrap();
        let transcript = gold["transcript"].as_str().unwrap().to_string();
        let text = std::fs::read_to_string(dir.join(&transcript)).unwrap();
        let review = std::fs::read_to_string(dir.join(format!("{stem}.review.yaml"))).unwrap();
        let ctx = Context::from_review_yaml(&review).unwrap();
        let (_, us) = parse(&text).unwrap();
        let cap = extract(&us, &ctx).to_json();
        let s = score(&cap, &gold);
        total.add(&s);
        per.push((transcript, s, cap));
    }
    (per, total)
}

#[test]
fn capture_dev_scores() {
    let (per, total) = run_dev();
    assert_eq!(per.len(), 3);
    for (name, s, cap) in &per {
        println!("{name}\n{s}");
        if std::env::var_os("GONOGO_CAPTURE_DUMP").is_some() {
            println!("{}", serde_json::to_string_pretty(cap).unwrap());
        }
    }
    println!("overall\n{total}");
    for ((name, s), (fname, floor)) in total.categories().iter().zip(FLOOR) {
        assert_eq!(*name, fname);
        assert!(s.f1() >= floor, "{name}: F1 {:.2} below {floor}", s.f1());
    }
}

#[test]
fn the_scorer_matches_as_the_rules_say() {
    let gold = serde_json::json!({
        "decisions": [{ "at": "00:01:00.000", "outcome": "go" }],
        "action_items": [
            { "at": "00:02:00.000", "owner": "@a" },
            { "at": "00:02:00.000", "owner": "@b" }
        ],
        "open_questions": [{ "at": "00:03:00.000" }],
        "checklist_updates": [{ "at": "00:04:00.000", "item": "X", "status": "done" }]
    });
    let cap = serde_json::json!({
        "decisions": [{ "at": "00:01:00.000", "outcome": "no_go" }],
        "action_items": [
            { "at": "00:02:00.000", "owner": "@b" },
            { "at": "00:02:00.000", "owner": "@b" },
            { "at": "00:02:00.000", "owner": "@a" }
        ],
        "open_questions": [],
        "checklist_updates": [{ "at": "00:04:00.000", "item": "X", "status": "done" }]
    });
    let s = score(&cap, &gold);
    assert_eq!((s.decisions.tp, s.decisions.predicted, s.decisions.gold), (0, 1, 1));
    assert_eq!((s.action_items.tp, s.action_items.predicted), (2, 3));
    assert_eq!(s.open_questions.recall(), 0.0);
    assert_eq!(s.open_questions.precision(), 1.0);
    assert_eq!(s.checklist_updates.f1(), 1.0);
}
