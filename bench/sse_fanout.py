#!/usr/bin/env python3
"""Time from a PATCH to its `change` event arriving at N open SSE connections of one review.

usage: sse_fanout.py --port P --review ID [--connections 1000] [--rounds 3]
Connections are opened on 127.0.0.1 and all closed at the end.
"""
import argparse, asyncio, statistics, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--review", required=True)
ap.add_argument("--connections", type=int, default=1000)
ap.add_argument("--rounds", type=int, default=3)
a = ap.parse_args()

async def open_stream():
    r, w = await asyncio.open_connection("127.0.0.1", a.port)
    w.write(f"GET /api/reviews/{a.review}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await w.drain()
    while True:  # until the hello event
        line = await r.readline()
        if line.startswith(b"event: hello"):
            return r, w

async def wait_change(r, marker):
    while True:
        line = await r.readline()
        if not line:
            return None
        if line.startswith(b"data:") and marker in line:
            return time.monotonic()

async def patch(status):
    r, w = await asyncio.open_connection("127.0.0.1", a.port)
    body = f'{{"status":"{status}"}}'.encode()
    w.write(f"PATCH /api/reviews/{a.review}/checklist/3 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await w.drain()
    await r.read()
    w.close()

async def main():
    streams = []
    for i in range(0, a.connections, 100):
        streams += await asyncio.gather(*[open_stream() for _ in range(min(100, a.connections - i))])
    lat = []
    for rnd in range(a.rounds):
        marker = b'"change":"checklist[3]"'
        waits = [asyncio.create_task(wait_change(r, marker)) for r, _ in streams]
        t0 = time.monotonic()
        await patch("blocked" if rnd % 2 == 0 else "done")
        got = await asyncio.wait_for(asyncio.gather(*waits), timeout=30)
        arrived = [g - t0 for g in got if g is not None]
        lat.append((len(arrived), statistics.median(arrived), max(arrived)))
    for _, w in streams:
        w.close()
    n, med, mx = lat[-1]
    meds = sorted(l[1] for l in lat); maxes = sorted(l[2] for l in lat)
    print(f"SSE fan-out: {n}/{a.connections} connections got the change; over {a.rounds} rounds, median arrival {statistics.median(meds)*1000:.1f} ms, last arrival {statistics.median(maxes)*1000:.1f} ms (worst round {maxes[-1]*1000:.1f} ms)")

asyncio.run(main())
