//! Time per utterance through `Engine::push` (DESIGN §8: < 1 ms; this debug-build guard
//! fails at 5 ms).

use gonogo_capture::{Context, Engine, parse};
use std::time::Instant;

#[test]
fn push_is_fast_per_utterance() {
    let dir = crate::capture_dev();
    let ctx =
        Context::from_review_yaml(&std::fs::read_to_string(dir.join("dev-02-notify-gateway.review.yaml")).unwrap())
            .unwrap();
    let (_, us) = parse(&std::fs::read_to_string(dir.join("dev-02-notify-gateway.srt")).unwrap()).unwrap();
    // Warm the lazily compiled patterns first: a one-time cost, not a per-utterance one.
    let mut warm = Engine::new(ctx.clone());
    for u in &us {
        warm.push(u.clone());
    }
    let rounds = 5;
    let start = Instant::now();
    let mut each: Vec<f64> = Vec::new();
    for _ in 0..rounds {
        let mut e = Engine::new(ctx.clone());
        for u in &us {
            let t = Instant::now();
            e.push(u.clone());
            each.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let _ = e.finish();
    }
    let per = start.elapsed().as_secs_f64() * 1e3 / each.len() as f64;
    each.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let q = |f: f64| each[((each.len() - 1) as f64 * f) as usize];
    println!(
        "Engine::push: {per:.3} ms per utterance on average (p50 {:.3}, p99 {:.3}, max {:.3} ms) over {} utterances",
        q(0.5),
        q(0.99),
        q(1.0),
        each.len()
    );
    assert!(per < 5.0, "{per:.3} ms per utterance");
}
