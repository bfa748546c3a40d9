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
    let mut n = 0;
    let mut worst = 0.0f64;
    for _ in 0..rounds {
        let mut e = Engine::new(ctx.clone());
        for u in &us {
            let t = Instant::now();
            e.push(u.clone());
            worst = worst.max(t.elapsed().as_secs_f64() * 1e3);
            n += 1;
        }
        let _ = e.finish();
    }
    let per = start.elapsed().as_secs_f64() * 1e3 / n as f64;
    println!("Engine::push: {per:.3} ms per utterance on average, {worst:.3} ms worst, over {n} utterances");
    assert!(per < 5.0, "{per:.3} ms per utterance");
}
