//! `gonogo capture` as a note-taker and a pipeline call it: the §6 JSON on the labelled
//! development meetings (read in place), bad input, `--apply` into a review without
//! overwriting a person's values, and `--follow` on a live stream of utterances.

use serde_json::Value;
use std::path::PathBuf;

fn dev(name: &str) -> PathBuf {
    crate::root().join("../shared/capture-dev").join(name)
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_str(&crate::stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", crate::stdout(o)))
}

#[test]
fn capture_prints_design_6_json_with_quotes_and_reasons() {
    let (t, r) = (dev("dev-01-ledger-sync.vtt"), dev("dev-01-ledger-sync.review.yaml"));
    let o = crate::gonogo(&["capture", t.to_str().unwrap(), "--review", r.to_str().unwrap()]);
    assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
    let v = json_of(&o);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["decisions", "action_items", "open_questions", "checklist_updates"]);
    let go: Vec<&Value> = v["decisions"].as_array().unwrap().iter().filter(|d| d["outcome"] == "go").collect();
    assert_eq!(go.len(), 1, "{v:#}");
    assert_eq!(go[0]["at"], "00:10:05.513");
    assert_eq!(go[0]["speaker"], "Marisol Quintero");
    let dkeys: Vec<&str> = go[0].as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(&dkeys[..4], ["at", "speaker", "text", "outcome"]);
    // Owners are attendee handles; "I'll" is the speaker; due dates are UTC instants.
    let kenji = v["action_items"].as_array().unwrap().iter().find(|a| a["at"] == "00:01:40.362").unwrap();
    assert_eq!(kenji["owner"], "@sre-kenji");
    assert_eq!(kenji["due"], "2025-03-12T10:00:00Z");
    assert!(kenji["quote"].as_str().unwrap().starts_with("I'll finish"), "{kenji}");
    assert!(kenji["why"].as_str().unwrap().contains("self-assigned"), "{kenji}");
    // Every checklist update names an item of the review, exactly.
    let review = std::fs::read_to_string(&r).unwrap();
    for u in v["checklist_updates"].as_array().unwrap() {
        assert!(review.contains(&format!("item: {}", u["item"].as_str().unwrap())), "{u}");
    }
    // Human output, for the meeting.
    let o = crate::gonogo(&["capture", t.to_str().unwrap(), "--review", r.to_str().unwrap(), "--format", "human"]);
    let out = crate::stdout(&o);
    assert!(out.contains("decisions (2)") && out.contains("00:10:05.513  GO  It's a GO"), "{out}");
    assert!(out.contains("@sre-kenji: finish the connector restart section"), "{out}");
}

#[test]
fn capture_bad_input_names_the_place() {
    let dir = crate::temp_dir("capture-bad");
    let bad = dir.join("bad.vtt");
    std::fs::write(&bad, "WEBVTT\n\n00:00:01.000 --> soon\n<v A>hello</v>\n").unwrap();
    let o = crate::gonogo(&["capture", bad.to_str().unwrap()]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("bad.vtt:3:"), "{}", crate::stderr(&o));
    std::fs::write(dir.join("latin1.txt"), b"[00:00:01] A: caf\xe9\n").unwrap();
    let o = crate::gonogo(&["capture", dir.join("latin1.txt").to_str().unwrap()]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("latin1.txt:1: the file is not UTF-8"), "{}", crate::stderr(&o));
    std::fs::write(dir.join("r.yaml"), "meeting: [unclosed\n").unwrap();
    let t = dev("dev-03-search-indexer.txt");
    let o = crate::gonogo(&["capture", t.to_str().unwrap(), "--review", dir.join("r.yaml").to_str().unwrap()]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("r.yaml:"), "{}", crate::stderr(&o));
    let o = crate::gonogo(&["capture", t.to_str().unwrap(), "--apply"]);
    assert_eq!(crate::code(&o), 2);
    assert!(crate::stderr(&o).contains("--apply needs --review"), "{}", crate::stderr(&o));
}

#[test]
fn apply_fills_blanks_keeps_a_persons_values_and_lists_conflicts() {
    let dir = crate::temp_dir("capture-apply");
    let review = dir.join("review.yaml");
    let mut text = std::fs::read_to_string(dev("dev-01-ledger-sync.review.yaml")).unwrap();
    // A person already marked one item, differently from what the meeting will say, and
    // wrote one of the action items already.
    text = text
        .replace("  - item: Rollback tested in staging\n", "  - item: Rollback tested in staging\n    status: done\n");
    text.push_str(
        "action_items:\n  - { owner: \"@qa-adaeze\", action: Send the report by Thursday noon UTC., status: open }\n",
    );
    std::fs::write(&review, &text).unwrap();
    let t = dev("dev-01-ledger-sync.vtt");
    let batch = json_of(&crate::gonogo(&["capture", t.to_str().unwrap(), "--review", review.to_str().unwrap()]));
    let o = crate::gonogo(&["capture", t.to_str().unwrap(), "--review", review.to_str().unwrap(), "--apply"]);
    assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
    let out = crate::stdout(&o);
    let staging = batch["checklist_updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["item"] == "Rollback tested in staging")
        .expect("the meeting discusses the rollback test");
    assert_ne!(staging["status"], "done", "the fixture needs a disagreement");
    assert!(out.contains("conflicts, not applied (the file's value stands) (1):"), "{out}");
    assert!(
        out.contains(&format!(
            "checklist[7].status: the file says `done`, the meeting said `{}`",
            staging["status"].as_str().unwrap()
        )),
        "{out}"
    );
    let written = std::fs::read_to_string(&review).unwrap();
    let doc = gonogo_core::yaml::to_json(&gonogo_core::yaml::parse(&written).0.unwrap());
    assert_eq!(doc["checklist"][7]["status"], "done", "a person's value is never replaced");
    // Every other discussed item got the meeting's status.
    for u in batch["checklist_updates"].as_array().unwrap() {
        let item = doc["checklist"].as_array().unwrap().iter().find(|i| i["item"] == u["item"]).unwrap();
        if u["item"] != "Rollback tested in staging" {
            assert_eq!(item["status"], u["status"], "{u}");
        }
    }
    // Action items: the person's one once, the captured ones added with owner and due.
    let items = doc["action_items"].as_array().unwrap();
    assert_eq!(items.len(), batch["action_items"].as_array().unwrap().len(), "{items:#?}");
    assert_eq!(items.iter().filter(|i| i["action"] == "Send the report by Thursday noon UTC.").count(), 1);
    let kenji = items.iter().find(|i| i["owner"] == "@sre-kenji" && i["due"] == "2025-03-12T10:00:00Z").unwrap();
    assert_eq!(kenji["status"], "open");
    // The go/no-go call, by its decision maker's handle.
    assert_eq!(doc["decision"]["outcome"], "go");
    assert_eq!(doc["decision"]["by"], "@ledger-marisol");
    // Applying again changes nothing.
    let o = crate::gonogo(&["capture", t.to_str().unwrap(), "--review", review.to_str().unwrap(), "--apply"]);
    assert!(crate::stdout(&o).contains(&format!("applied to {} (0):", review.display())), "{}", crate::stdout(&o));
    assert_eq!(std::fs::read_to_string(&review).unwrap(), written);
}

#[test]
fn follow_prints_items_as_they_become_certain_and_ends_like_the_batch() {
    let t = dev("dev-03-search-indexer.txt");
    let r = dev("dev-03-search-indexer.review.yaml");
    let (_, utterances) = gonogo_capture::parse(&std::fs::read_to_string(&t).unwrap()).unwrap();
    let mut lines = String::new();
    for u in &utterances {
        let j = serde_json::json!({ "at": gonogo_capture::fmt_at(u.start_ms), "speaker": u.speaker, "text": u.text });
        lines.push_str(&format!("{j}\n"));
    }
    let o = crate::gonogo_in(
        &crate::root(),
        &["capture", "--follow", "--review", r.to_str().unwrap()],
        Some(lines.as_bytes()),
    );
    assert_eq!(crate::code(&o), 0, "{}", crate::stderr(&o));
    let items: Vec<Value> = crate::stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let batch = json_of(&crate::gonogo(&["capture", t.to_str().unwrap(), "--review", r.to_str().unwrap()]));
    // The stream says everything the batch says: a reassignment names the assignment it
    // replaces, which a live reader drops (a checklist status may be said again as it changes).
    let replaced: Vec<&str> = items.iter().filter_map(|i| i["item"]["replaces"].as_str()).collect();
    assert!(!replaced.is_empty(), "dev-03 reassigns an action mid-meeting");
    let ats = |kind: &str| -> Vec<String> {
        let mut v: Vec<String> = items
            .iter()
            .filter(|i| i["kind"] == kind)
            .map(|i| i["item"]["at"].as_str().unwrap().to_string())
            .filter(|at| kind != "action_item" || !replaced.contains(&at.as_str()))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    for (kind, key) in [("decision", "decisions"), ("action_item", "action_items"), ("open_question", "open_questions")]
    {
        let mut want: Vec<String> =
            batch[key].as_array().unwrap().iter().map(|i| i["at"].as_str().unwrap().to_string()).collect();
        want.sort();
        assert_eq!(ats(kind), want, "{kind}: {items:#?}");
    }
    // A bad line is named and skipped; the stream goes on; the exit code says so.
    let input = "{\"at\": \"00:00:01\", \"speaker\": \"Ana\", \"text\": \"hello\"}\nnot json\n{\"at\": \"later\", \"speaker\": \"Ana\", \"text\": \"x\"}\n";
    let o = crate::gonogo_in(&crate::root(), &["capture", "--follow"], Some(input.as_bytes()));
    assert_eq!(crate::code(&o), 2);
    let err = crate::stderr(&o);
    assert!(err.contains("<stdin>:2: not a JSON object") && err.contains("<stdin>:3: needs \"at\""), "{err}");
}
