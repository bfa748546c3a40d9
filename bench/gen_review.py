#!/usr/bin/env python3
"""Writes a large review file for the check benchmark (DESIGN.md §8: 10,000 items).

usage: gen_review.py [--items N] [--triggers N] > big.yaml

Every section is filled; one item in fifty is partial and covered by a condition, so the
rules, the coverage and the verdict all do their full work.
"""
import argparse

ap = argparse.ArgumentParser()
ap.add_argument("--items", type=int, default=10_000)
ap.add_argument("--triggers", type=int, default=1_000)
a = ap.parse_args()

out = []
w = out.append
w("apiVersion: gonogo/v1")
w("release: { service: big, version: v1.0.0, tag: v1.0.0, frozen: true, previous: v0.9.0, runbook: https://wiki.example.com/big }")
w("meeting: { date: 2025-01-01, facilitator: \"@lead\", duration: 30m, attendees: [\"@lead\", \"@sam\"] }")
w("checklist:")
partial = []
for i in range(a.items):
    status = "partial" if i % 50 == 7 else ("n/a" if i % 13 == 0 else "done")
    name = f"Item {i}: component {i % 97} verified"
    if status == "partial":
        partial.append(name)
    w(f"  - item: \"{name}\"")
    w(f"    status: {status}")
    w(f"    owner: \"@team{i % 20}\"")
    w(f"    notes: note number {i} with some words in it")
w("testing:")
w("  qa_signoff: { by: \"@qa\", at: 2024-12-31T10:00:00Z }")
w("  regression: { total: 1000, passed: 990, failed: 10, preexisting: 10 }")
w("rollback:")
w("  tested_in_staging: done")
w("  triggers:")
metrics = []
for i in range(a.triggers):
    m = f"app_{i % 100}_requests_total"
    metrics.append(m)
    kind = i % 4
    if kind == 0:
        q = f'sum(rate({m}{{code=~"5..",route="/r/{i}"}}[5m])) / sum(rate({m}{{route="/r/{i}"}}[5m]))'
        w(f"    - name: \"Error ratio {i}\"\n      query: '{q}'\n      above: 0.02\n      for: 5m")
    elif kind == 1:
        q = f"histogram_quantile(0.95, sum by (le) (rate(app_{i % 100}_seconds_bucket[5m])))"
        w(f"    - name: \"Latency {i}\"\n      query: '{q}'\n      above: 10\n      for: 10m")
    elif kind == 2:
        w(f"    - name: \"Alert {i}\"\n      alert: Alert{i}")
    else:
        w(f"    - name: \"Manual {i}\"\n      manual: true")
w("  steps: [\"Disable the flag\", \"Redeploy the previous tag\"]")
w("on_call: { primary: \"@sam\", accepted: true, window: { start: 2025-01-02T10:00:00Z, end: 2025-01-03T10:00:00Z } }")
w("monitoring:")
for i in range(100):
    w(f"  - metric: \"Requests {i}\"\n    dashboard: Main\n    query: sum(rate(app_{i}_requests_total[5m]))\n    alert: {{ above: 100, notify: pagerduty, rule: Alert{i} }}\n    verified_live: true")
w("decision:")
w("  outcome: go")
w("  by: \"@lead\"")
w("  at: 2025-01-02T09:00:00Z")
w("  deploy_window: { start: 2025-01-02T10:00:00Z, end: 2025-01-02T11:00:00Z }")
w("  conditions:")
w("    - text: Finish the partial items before the window")
w("      owner: \"@lead\"")
w("      due: 2025-01-02T10:00:00Z")
w("      covers:")
for n in partial:
    w(f"        - \"{n}\"")
w("action_items:")
for i in range(100):
    w(f"  - {{ owner: \"@team{i % 20}\", action: Follow up {i}, due: 2025-01-05, status: open }}")
w("follow_up: { post_deploy_check: 15m, post_launch_review: 7d }")
print("\n".join(out))
