#!/usr/bin/env python3
"""The same trigger-shaped range queries over the same data: gonogo's embedded engine against
Prometheus 2.42, both over their HTTP API on loopback, in one run.

The data (counters with resets, gauges, a classic histogram; a sample every 15 s) is written as
OpenMetrics, backfilled into Debian's Prometheus with `promtool tsdb create-blocks-from
openmetrics`, and served by `gonogo promql serve --data` from the same file. Each query runs
--reps times against each, alternating, after a warm-up; the figure is the median per query and
the ratio of the sums of medians.

usage: bench/promql_range.py [--series 40] [--hours 4] [--reps 15] [--gonogo target/release/gonogo]
Everything listens on 127.0.0.1; every process is stopped at the end.
"""
import argparse, http.client, json, math, os, random, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--series", type=int, default=40, help="counter series per route (x2 routes)")
ap.add_argument("--hours", type=float, default=4)
ap.add_argument("--reps", type=int, default=15)
ap.add_argument("--gonogo", default="target/release/gonogo")
ap.add_argument("--write-data", metavar="FILE", help="only write the data set to FILE (for profiling)")
a = ap.parse_args()

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

rng = random.Random(42)
step = 15
now = int(time.time())
t0 = (now - int(a.hours * 3600) - 3 * 3600) // 3600 * 3600
n = int(a.hours * 3600 / step)
t_end = t0 + n * step
lines = ["# TYPE http_requests_total gauge"]
series_count = 0
for route in ["/api/reports/schedule", "/api/reports/list"]:
    for i in range(a.series):
        code = ["200", "200", "200", "404", "500", "503"][i % 6]
        v = 0.0
        series_count += 1
        for k in range(n):
            if rng.random() < 0.003: v = 0.0
            v += math.floor((50 if code == "200" else 1) * step * (0.5 + rng.random()))
            lines.append(f'http_requests_total{{code="{code}",pod="p{i}",route="{route}"}} {v} {t0 + k * step}')
lines.append("# TYPE queue_depth gauge")
for q in range(10):
    v = 100.0
    series_count += 1
    for k in range(n):
        v = max(0.0, v + (rng.random() - 0.48) * 40)
        lines.append(f'queue_depth{{queue="q{q}"}} {v:.3f} {t0 + k * step}')
lines.append("# TYPE report_generation_seconds_bucket gauge")
les = ["0.5", "1", "2.5", "5", "10", "25", "+Inf"]
for pod in range(4):
    counts = [0.0] * len(les); rows = []
    for k in range(n):
        for _ in range(10):
            x = -3 * math.log(1 - rng.random())
            for j, le in enumerate(les):
                if le == "+Inf" or x <= float(le): counts[j] += 1
        rows.append((t0 + k * step, list(counts)))
    for j, le in enumerate(les):
        series_count += 1
        for t, c in rows:
            lines.append(f'report_generation_seconds_bucket{{le="{le}",pod="p{pod}"}} {c[j]} {t}')
lines.append("# EOF")

queries = [
    'sum(rate(http_requests_total{route="/api/reports/schedule",code=~"5.."}[5m])) / sum(rate(http_requests_total{route="/api/reports/schedule"}[5m]))',
    'histogram_quantile(0.95, sum by (le) (rate(report_generation_seconds_bucket[5m])))',
    'sum by (route) (rate(http_requests_total[5m]))',
    'max(queue_depth) > 150',
    'max_over_time(queue_depth[10m])',
    'sum(increase(http_requests_total{code="500"}[10m]))',
    'topk(3, rate(http_requests_total[1m]))',
    'avg_over_time(queue_depth[5m])',
]

if a.write_data:
    open(a.write_data, "w").write("\n".join(lines) + "\n")
    sys.exit(0)

work = tempfile.mkdtemp(prefix="gonogo-promql-bench-")
procs = []
try:
    data = f"{work}/data.om"
    open(data, "w").write("\n".join(lines) + "\n")
    samples = len(lines) - 4
    t = time.time()
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", data, f"{work}/tsdb"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pport, gport = free_port(), free_port()
    open(f"{work}/prometheus.yml", "w").write("global: { scrape_interval: 1m }\n")
    log = open(f"{work}/services.log", "w")
    procs.append(subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/tsdb",
        f"--web.listen-address=127.0.0.1:{pport}"], stdout=log, stderr=log))
    procs.append(subprocess.Popen([a.gonogo, "promql", "serve", "--data", data, "--listen", f"127.0.0.1:{gport}"],
        stdout=log, stderr=log))

    def client(port):
        deadline = time.time() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request("GET", "/api/v1/query?query=vector(1)"); r = c.getresponse(); r.read()
                if r.status == 200: return c
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit(f"port {port} did not answer: " + open(f"{work}/services.log").read()[-2000:])
            time.sleep(0.2)

    prom, gon = client(pport), client(gport)
    # Prometheus loads the backfilled blocks at start; wait until it sees the data.
    while True:
        prom.request("GET", "/api/v1/query?" + urllib.parse.urlencode({"query": "count(queue_depth)", "time": t_end - 60}))
        body = json.loads(prom.getresponse().read())
        if body["data"]["result"]: break
        time.sleep(0.5)

    start, end = t_end - 3600, t_end
    def run(c, q):
        path = "/api/v1/query_range?" + urllib.parse.urlencode({"query": q, "start": start, "end": end, "step": 15})
        t = time.perf_counter(); c.request("GET", path); r = c.getresponse(); body = r.read(); dt = time.perf_counter() - t
        if r.status != 200: sys.exit(f"{q}: HTTP {r.status}: {body[:300]}")
        return dt, json.loads(body)["data"]["result"]

    print(f"data: {series_count} series, {samples} samples, {a.hours} h at 15 s; queries over the last hour at 15 s steps (241 points)")
    print(f"{'query':<64} {'gonogo':>9} {'prometheus':>11} {'ratio':>6}")
    total_g = total_p = 0.0
    for q in queries:
        for _ in range(2):
            run(gon, q); run(prom, q)
        g, p = [], []
        for _ in range(a.reps):
            g.append(run(gon, q)[0]); p.append(run(prom, q)[0])
        mg, mp = statistics.median(g), statistics.median(p)
        total_g += mg; total_p += mp
        print(f"{q[:64]:<64} {mg*1000:7.2f}ms {mp*1000:9.2f}ms {mg/mp:6.2f}")
    print(f"\nsum of medians: gonogo {total_g*1000:.1f} ms, prometheus {total_p*1000:.1f} ms, ratio {total_g/total_p:.2f} (target <= 0.5)")
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        try: p.wait(timeout=10)
        except Exception: p.kill()
    shutil.rmtree(work, ignore_errors=True)
