//! Scoring a capture against gold labels (`capture-dev/*.gold.json`): precision, recall
//! and F1 per category, matching as the labelling rules define it.

use serde_json::Value;
use std::fmt;

/// Counts for one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub tp: usize,
    /// Items captured.
    pub predicted: usize,
    /// Items in the gold labels.
    pub gold: usize,
}

impl Score {
    /// 1 when nothing was captured (nothing wrong was said).
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 { 1.0 } else { self.tp as f64 / self.predicted as f64 }
    }

    /// 1 when there was nothing to find.
    pub fn recall(&self) -> f64 {
        if self.gold == 0 { 1.0 } else { self.tp as f64 / self.gold as f64 }
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }

    fn add(&mut self, o: &Score) {
        self.tp += o.tp;
        self.predicted += o.predicted;
        self.gold += o.gold;
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P {:.2} R {:.2} F1 {:.2} ({}/{} captured right, {} gold)",
            self.precision(),
            self.recall(),
            self.f1(),
            self.tp,
            self.predicted,
            self.gold
        )
    }
}

/// The four categories' scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scores {
    pub decisions: Score,
    pub action_items: Score,
    pub open_questions: Score,
    pub checklist_updates: Score,
}

impl Scores {
    /// Sums counts (micro-average over meetings).
    pub fn add(&mut self, o: &Scores) {
        self.decisions.add(&o.decisions);
        self.action_items.add(&o.action_items);
        self.open_questions.add(&o.open_questions);
        self.checklist_updates.add(&o.checklist_updates);
    }

    pub fn categories(&self) -> [(&'static str, Score); 4] {
        [
            ("decisions", self.decisions),
            ("action_items", self.action_items),
            ("open_questions", self.open_questions),
            ("checklist_updates", self.checklist_updates),
        ]
    }
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, s) in self.categories() {
            writeln!(f, "  {name:<18} {s}")?;
        }
        Ok(())
    }
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// Greedy one-to-one matching: each captured item takes the first unmatched gold item it
/// agrees with.
fn matched(pred: &[Value], gold: &[Value], same: impl Fn(&Value, &Value) -> bool) -> Score {
    let mut used = vec![false; gold.len()];
    let mut tp = 0;
    for p in pred {
        if let Some(i) = (0..gold.len()).find(|&i| !used[i] && same(p, &gold[i])) {
            used[i] = true;
            tp += 1;
        }
    }
    Score { tp, predicted: pred.len(), gold: gold.len() }
}

fn eq(a: &Value, b: &Value, key: &str) -> bool {
    a.get(key).unwrap_or(&Value::Null) == b.get(key).unwrap_or(&Value::Null)
}

/// Scores a capture (`Capture::to_json`) against gold labels: same `at` everywhere; action
/// items also the same owner, checklist updates the same item and status, decisions the
/// same outcome.
pub fn score(capture: &Value, gold: &Value) -> Scores {
    Scores {
        decisions: matched(list(capture, "decisions"), list(gold, "decisions"), |p, g| {
            eq(p, g, "at") && eq(p, g, "outcome")
        }),
        action_items: matched(list(capture, "action_items"), list(gold, "action_items"), |p, g| {
            eq(p, g, "at") && eq(p, g, "owner")
        }),
        open_questions: matched(list(capture, "open_questions"), list(gold, "open_questions"), |p, g| eq(p, g, "at")),
        checklist_updates: matched(list(capture, "checklist_updates"), list(gold, "checklist_updates"), |p, g| {
            eq(p, g, "at") && eq(p, g, "item") && eq(p, g, "status")
        }),
    }
}
