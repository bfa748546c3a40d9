#!/usr/bin/env python3
"""Detection latency of `gonogo watch` against Prometheus + Alertmanager, same run.

From the moment the test target starts serving the bad value to the moment the first webhook
arrives at the receiver, for:
  - gonogo watch --scrape (gonogo scrapes the target itself every 1 s, --interval 1s);
  - gonogo watch --prometheus (1 s scrape, --interval 1s), its action a webhook;
  - the same condition as a Prometheus alerting rule (made by `gonogo export`), evaluated every
    1 s, sent to Debian's prometheus-alertmanager (group_wait 0s), whose webhook receiver is the
    same listener.

usage: bench/watch_latency.py [--runs 20] [--gonogo target/release/gonogo]
Everything listens on 127.0.0.1; every process is stopped at the end.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=20)
ap.add_argument("--gonogo", default="target/release/gonogo")
a = ap.parse_args()

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

state = {"run": 0, "value": 100.0}
arrivals = {}  # (path, run) -> monotonic time of the first arrival
lock = threading.Lock()

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):  # the scrape target
        with lock:
            body = f'queue_depth{{run="{state["run"]}"}} {state["value"]}\n'.encode()
        self.send_response(200); self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):  # the webhook receiver
        t = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.path == "/am":
            try:
                runs = {al["labels"].get("run") for al in json.loads(body)["alerts"] if al["status"] == "firing"}
            except Exception:
                runs = set()
        else:
            runs = {self.path.rsplit("/", 1)[-1]}
        with lock:
            for r in runs:
                arrivals.setdefault((self.path.split("/")[1], r), t)
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()

def serve(port):
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv

work = tempfile.mkdtemp(prefix="gonogo-latency-")
procs = []
try:
    tport, rport, pport, aport = free_port(), free_port(), free_port(), free_port()
    serve(tport); serve(rport)
    review = f"""apiVersion: gonogo/v1
release: {{ service: bench, version: v1 }}
rollback:
  steps: [Roll back]
  triggers:
    - name: Queue depth above 500
      query: max by (run) (queue_depth)
      above: 500
      for: 0s
  actions:
    - name: notify
      webhook: {{ url: "http://127.0.0.1:{rport}/gonogo/RUN", method: POST, body: "{{}}", retries: 0 }}
"""
    rules = subprocess.run([a.gonogo, "export", "-", "--to", "prometheus-rules"], input=review.encode(),
                           capture_output=True, check=True).stdout.decode()
    open(f"{work}/rules.yml", "w").write(rules)
    open(f"{work}/prometheus.yml", "w").write(f"""global: {{ scrape_interval: 1s, evaluation_interval: 1s }}
rule_files: ['{work}/rules.yml']
alerting: {{ alertmanagers: [ {{ static_configs: [ {{ targets: ['127.0.0.1:{aport}'] }} ] }} ] }}
scrape_configs: [ {{ job_name: app, static_configs: [ {{ targets: ['127.0.0.1:{tport}'] }} ] }} ]
""")
    open(f"{work}/alertmanager.yml", "w").write(f"""route:
  receiver: hook
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [ {{ url: "http://127.0.0.1:{rport}/am", send_resolved: false }} ]
""")
    log = open(f"{work}/services.log", "w")
    procs.append(subprocess.Popen(["prometheus-alertmanager", f"--config.file={work}/alertmanager.yml",
        f"--storage.path={work}/am", f"--web.listen-address=127.0.0.1:{aport}", "--cluster.listen-address="],
        stdout=log, stderr=log))
    procs.append(subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
        f"--storage.tsdb.path={work}/prom", f"--web.listen-address=127.0.0.1:{pport}"], stdout=log, stderr=log))
    time.sleep(4)
    g_lat, am_lat, s_lat = [], [], []
    for run in range(1, a.runs + 1):
        with lock:
            state["run"], state["value"] = run, 100.0
        rv = review.replace("/gonogo/RUN", f"/gonogo/{run}")
        open(f"{work}/review.yaml", "w").write(rv)
        open(f"{work}/review-scrape.yaml", "w").write(review.replace("/gonogo/RUN", f"/scrape/{run}"))
        for f in ("state", "state-scrape"):
            if os.path.exists(f"{work}/{f}"): os.remove(f"{work}/{f}")
        # Let Prometheus scrape the new run's series and mark the last run's stale first.
        time.sleep(2.5)
        watch = subprocess.Popen([a.gonogo, "watch", f"{work}/review.yaml", "--prometheus", f"http://127.0.0.1:{pport}",
            "--interval", "1s", "--until", "60s", "--quiet", "--state", f"{work}/state"], stdout=subprocess.DEVNULL,
            stderr=log)
        scrape = subprocess.Popen([a.gonogo, "watch", f"{work}/review-scrape.yaml", "--scrape",
            f"http://127.0.0.1:{tport}/metrics", "--interval", "1s", "--until", "60s", "--quiet",
            "--state", f"{work}/state-scrape"], stdout=subprocess.DEVNULL, stderr=log)
        time.sleep(3.0 + (run % 10) / 10)  # spread the flip across the scrape and evaluation phases
        with lock:
            state["value"] = 900.0
            t0 = time.monotonic()
        deadline = t0 + 30
        while time.monotonic() < deadline:
            with lock:
                if all((k, str(run)) in arrivals for k in ("gonogo", "am", "scrape")):
                    break
            time.sleep(0.02)
        with lock:
            g = arrivals.get(("gonogo", str(run))); m = arrivals.get(("am", str(run)))
            sc = arrivals.get(("scrape", str(run)))
        watch.wait(timeout=30); scrape.wait(timeout=30)
        if g is None or m is None or sc is None:
            print(f"run {run}: missing arrival (scrape={sc}, gonogo={g}, alertmanager={m}); see {work}/services.log", file=sys.stderr)
            continue
        g_lat.append(g - t0); am_lat.append(m - t0); s_lat.append(sc - t0)
        print(f"run {run:2}: gonogo --scrape {1000*(sc-t0):6.0f} ms   gonogo --prometheus {1000*(g-t0):6.0f} ms   prometheus+alertmanager {1000*(m-t0):6.0f} ms")
    def pct(xs, q):
        xs = sorted(xs); return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]
    gm, am, sm = statistics.median(g_lat), statistics.median(am_lat), statistics.median(s_lat)
    print(f"\nover {len(g_lat)} runs, 1 s scrape, 1 s evaluation:")
    print(f"gonogo watch --scrape:                median {sm*1000:.0f} ms, p99 {pct(s_lat, .99)*1000:.0f} ms, max {max(s_lat)*1000:.0f} ms")
    print(f"gonogo watch --prometheus:            median {gm*1000:.0f} ms, p99 {pct(g_lat, .99)*1000:.0f} ms, max {max(g_lat)*1000:.0f} ms")
    print(f"prometheus rule -> alertmanager:      median {am*1000:.0f} ms, p99 {pct(am_lat, .99)*1000:.0f} ms, max {max(am_lat)*1000:.0f} ms")
    print(f"ratio gonogo --prometheus / prometheus+alertmanager (median): {gm/am:.2f}")
    print(f"ratio gonogo --scrape / prometheus+alertmanager (median): {sm/am:.2f} (target <= 0.5)")
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        try: p.wait(timeout=10)
        except Exception: p.kill()
    shutil.rmtree(work, ignore_errors=True)
