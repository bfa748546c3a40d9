//! Prints the capture of a transcript as JSON, for trying the rules on a meeting:
//! `cargo run -p gonogo-capture --example capture -- MEETING.vtt [REVIEW.yaml] [GOLD.json]`
//! (with a gold file, the scores go to standard error). The `gonogo capture` command is
//! the product; this is a developer's tool.

use gonogo_capture::{Context, extract, parse, score};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: capture MEETING [REVIEW.yaml] [GOLD.json]");
        std::process::exit(2);
    };
    let read = |p: &str| {
        std::fs::read_to_string(p).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        })
    };
    let ctx = match args.get(1) {
        Some(r) => Context::from_review_yaml(&read(r)).unwrap_or_else(|e| {
            eprintln!("{r}: {e}");
            std::process::exit(2)
        }),
        None => Context::empty(),
    };
    let (_, us) = parse(&read(path)).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let cap = extract(&us, &ctx).to_json();
    println!("{}", serde_json::to_string_pretty(&cap).unwrap_or_default());
    if let Some(g) = args.get(2) {
        let gold: serde_json::Value = serde_json::from_str(&read(g)).unwrap_or_default();
        eprint!("{}", score(&cap, &gold));
    }
}
