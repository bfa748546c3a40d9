#!/usr/bin/env bash
# Benchmarks of `gonogo check` (DESIGN.md §8), whole process, release build:
#   1. the seed example            target < 5 ms
#   2. a generated review of 10,000 checklist items and 1,000 triggers
#                                   target < 200 ms, peak memory < 100 MB
# Prints the figures; uses hyperfine when installed (Debian's package), else a timing loop.
# usage: bench/check.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-100}"
cargo build --release --quiet
bin=target/release/gonogo
out=bench/out
mkdir -p "$out"
python3 bench/gen_review.py --items 10000 --triggers 1000 > "$out/big.yaml"
echo "big review: $(wc -l < "$out/big.yaml") lines, $(wc -c < "$out/big.yaml") bytes"

time_it() { # name, then the command
  local name="$1"; shift
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 5 --runs "$runs" -i --export-json "$out/$name.json" "$*" >/dev/null
    python3 - "$out/$name.json" "$name" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))["results"][0]
t = sorted(r["times"])
p = lambda q: t[min(len(t) - 1, int(q * len(t)))] * 1000
print(f"{sys.argv[2]}: median {statistics.median(t)*1000:.2f} ms, p90 {p(0.9):.2f} ms, min {t[0]*1000:.2f} ms over {len(t)} runs")
PY
  else
    python3 - "$name" "$runs" "$@" <<'PY'
import subprocess, sys, time, statistics
name, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
t = []
for _ in range(runs):
    s = time.perf_counter(); subprocess.run(cmd, stdout=subprocess.DEVNULL); t.append(time.perf_counter() - s)
t.sort()
print(f"{name}: median {statistics.median(t)*1000:.2f} ms, p90 {t[int(0.9*len(t))]*1000:.2f} ms, min {t[0]*1000:.2f} ms over {runs} runs (python loop)")
PY
  fi
}

time_it process-start "$bin" --version
time_it check-example "$bin" check examples/reports-v2.14.0.yaml --format json
time_it check-10k "$bin" check "$out/big.yaml" --format json
for fmt in json human; do
  /usr/bin/time -f "%M" -o "$out/rss" "$bin" check "$out/big.yaml" --format "$fmt" >/dev/null || true
  echo "check-10k --format $fmt: peak RSS $(( $(cat "$out/rss") / 1024 )) MB"
done
