#!/usr/bin/env bash
# Capture quality and speed: precision, recall and F1 per category against the labelled
# development meetings in ../shared/capture-dev (read in place) and the held-out meeting in
# fixtures/capture/heldout-reports.* (labelled after the rules were written), and the time per
# utterance through the live engine (`gonogo capture --follow`'s path), release build.
# usage: bench/capture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== development set (the rules were written reading these) =="
cargo test -q --release -p gonogo-capture --test it -- scorer timing --nocapture 2>&1 | grep -v '^running\|^test \|^$\|test result'
echo
echo "== held-out meeting (labelled by hand, not used to write the rules) =="
cargo run -q --release -p gonogo-capture --example capture -- \
  fixtures/capture/heldout-reports.srt examples/reports-v2.14.0.yaml fixtures/capture/heldout-reports.gold.json 2>&1 >/dev/null
