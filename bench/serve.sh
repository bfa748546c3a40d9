#!/usr/bin/env bash
# Benchmarks of `gonogo serve` (DESIGN.md §8), release build, loopback, wrk from Debian:
#   1. GET /api/reviews/{id}/verdict on SQLite and on PostgreSQL   target ≥ 10,000 req/s, p99 < 10 ms
#   2. PATCH /api/reviews/{id}/checklist/{i} throughput (no If-Match: every write lands)
#   3. time from a PATCH to its event arriving at 1,000 open SSE connections
# usage: bench/serve.sh [SECONDS]   (PostgreSQL: this machine's, 127.0.0.1:5432, a fresh database)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
cargo build --release --quiet
bin=$PWD/target/release/gonogo
out=$PWD/bench/out
mkdir -p "$out"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 2; }
ulimit -n 65536 2>/dev/null || true
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS gonogo_bench WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT

cat > "$out/patch.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local status = (n % 2 == 0) and "done" or "partial"
  return wrk.format("PATCH", "/api/reviews/" .. id .. "/checklist/" .. (n % 8), { ["Content-Type"] = "application/json" }, '{"status":"' .. status .. '"}')
end
LUA

run() { # name db-url
  local name="$1" db="$2" port
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  GONOGO_QUIET_LOG=1 "$bin" serve --db "$db" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/api/openapi.json" >/dev/null && break; sleep 0.1; done
  local id
  id=$(curl -fs -H 'Content-Type: application/yaml' --data-binary @examples/reports-v2.14.0.yaml "http://127.0.0.1:$port/api/reviews" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
  echo "== $name"
  wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/api/reviews/$id/verdict" > "$out/verdict-$name.txt"
  python3 bench/wrk_summary.py "verdict GET ($name)" "$out/verdict-$name.txt"
  sed "s/^local n = 0/local n = 0\nid = \"$id\"/" "$out/patch.lua" > "$out/patch-$name.lua"
  wrk -t2 -c16 -d"${secs}s" --latency -s "$out/patch-$name.lua" "http://127.0.0.1:$port" > "$out/patch-$name.txt"
  python3 bench/wrk_summary.py "checklist PATCH ($name)" "$out/patch-$name.txt"
  python3 bench/sse_fanout.py --port "$port" --review "$id" --connections 1000
}

run sqlite "sqlite://$out/bench.db?mode=rwc"
rm -f "$out"/bench.db*
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS gonogo_bench WITH (FORCE)" >/dev/null
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE gonogo_bench" >/dev/null
run postgres "postgres://postgres@127.0.0.1:5432/gonogo_bench"
