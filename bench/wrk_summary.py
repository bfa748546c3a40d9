#!/usr/bin/env python3
"""One line from wrk --latency output: requests/s, p50, p99, errors."""
import re, sys
name, path = sys.argv[1], sys.argv[2]
t = open(path).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
p50 = re.search(r"50%\s+([\d.]+\w+)", t).group(1)
p99 = re.search(r"99%\s+([\d.]+\w+)", t).group(1)
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
errs = re.search(r"Socket errors:.*", t)
print(f"{name}: {float(rps):,.0f} req/s, p50 {p50}, p99 {p99}, non-2xx {non2xx.group(1) if non2xx else 0}{', ' + errs.group(0) if errs else ''}")
