#!/usr/bin/env python3
"""Series scraped and evaluated per second by `gonogo watch --scrape`, and memory per series.

A local target serves N counter series (one body, prepared before the run); `gonogo watch --scrape`
scrapes it every second for --seconds with a trigger that never fires, and serves its store
with --listen. At the end: the median `scrape_duration_seconds` (fetch, parse and store, as
Prometheus counts it) gives series scraped per second; the median time of
`sum(rate(bench_requests_total[1m]))` through the API gives series evaluated per second; the
resident set size against a run with no series gives memory per series at the samples held.

usage: bench/scrape_load.py [--series 1000,10000,50000] [--seconds 20] [--gonogo target/release/gonogo]
Everything listens on 127.0.0.1; every process is stopped at the end.
"""
import argparse, http.client, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--series", default="1000,10000,50000")
ap.add_argument("--seconds", type=int, default=20)
ap.add_argument("--gonogo", default="target/release/gonogo")
a = ap.parse_args()

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

state = {"n": 0, "scrapes": 0, "body": b""}

class Target(BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        # One body made before the run, so the figure is gonogo's time, not this server's.
        state["scrapes"] += 1
        body = state["body"]
        self.send_response(200); self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)

def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

def api(port, q):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/api/v1/query?" + urllib.parse.urlencode({"query": q}))
    r = c.getresponse(); body = r.read(); c.close()
    return json.loads(body)

work = tempfile.mkdtemp(prefix="gonogo-scrape-load-")
tport = free_port()
srv = ThreadingHTTPServer(("127.0.0.1", tport), Target)
threading.Thread(target=srv.serve_forever, daemon=True).start()
review = f"""apiVersion: gonogo/v1
release: {{ service: bench, version: v1 }}
rollback:
  steps: [Roll back]
  triggers:
    - name: Request rate absurdly high
      query: sum(rate(bench_requests_total[1m]))
      above: 1e15
"""
open(f"{work}/review.yaml", "w").write(review)

def run(n):
    state["n"], state["scrapes"] = n, 0
    state["body"] = "".join(f'bench_requests_total{{pod="p{i % 100}",route="/r{i // 100}"}} {i % 7 + 1}\n' for i in range(n)).encode()
    lport = free_port()
    p = subprocess.Popen([a.gonogo, "watch", f"{work}/review.yaml", "--scrape", f"http://127.0.0.1:{tport}/metrics",
        "--interval", "1s", "--until", f"{a.seconds + 30}s", "--dry-run", "--quiet", "--max-series", "1000000",
        "--listen", f"127.0.0.1:{lport}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(a.seconds)
        rss = rss_kb(p.pid)
        d = api(lport, f"quantile_over_time(0.5, scrape_duration_seconds[{a.seconds - 5}s])")
        scrape = float(d["data"]["result"][0]["value"][1])
        times = []
        for _ in range(15):
            t = time.perf_counter(); r = api(lport, "sum(rate(bench_requests_total[1m]))"); times.append(time.perf_counter() - t)
            assert r["status"] == "success", r
        floor = []
        for _ in range(15):
            t = time.perf_counter(); api(lport, "vector(1)"); floor.append(time.perf_counter() - t)
        return rss, scrape, statistics.median(times), statistics.median(floor), state["scrapes"]
    finally:
        p.terminate(); p.wait(timeout=10)

try:
    base_rss, _, _, _, _ = run(0)
    print(f"baseline (no series): RSS {base_rss/1024:.1f} MiB")
    print(f"{'series':>8} {'scrape':>9} {'scraped/s':>11} {'query':>9} {'evaluated/s':>12} {'RSS':>9} {'per series':>11}")
    for n in [int(x) for x in a.series.split(",")]:
        rss, scrape, q, floor, scrapes = run(n)
        per = (rss - base_rss) * 1024 / n
        evald = q - floor
        print(f"{n:>8} {scrape*1000:7.1f}ms {n/scrape:>11,.0f} {q*1000:7.1f}ms {n/max(evald,1e-6):>12,.0f} "
              f"{rss/1024:7.1f}MiB {per:>9,.0f} B   ({scrapes} scrapes held; HTTP floor {floor*1000:.2f} ms)")
finally:
    srv.shutdown()
    shutil.rmtree(work, ignore_errors=True)
