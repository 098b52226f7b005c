"""A bounded load test of ``skjult serve`` on localhost: latency and throughput of /v1/check
with several clients at once, and the server's memory before and after.

usage: python benchmarks/serve_load.py [--clients 8] [--seconds 20] [--json] [--quick]

The server runs in its own process (``python -m skjult.cli serve`` on a free port). Each client
is a thread with its own keep-alive connection that posts one caption after another, taken in
turn from the benchmark corpus (``benchmarks/corpus.py``: the same captions as the other
benchmarks) with a counter appended, so no two requests are alike. Before the timed part every
client sends a few warm-up requests. Reported: requests, requests/s, p50/p90/p99/max latency
(ms), errors (any status other than 200), and the server's resident memory (VmRSS) after the
warm-up and after the run (target: no growth beyond noise). Target for a single caption: p99
under 50 ms at 8 clients. ``--quick`` runs 2 clients for 2 seconds (CI: the script keeps
working; it times nothing)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import posts  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "skjult.cli", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def client(port: int, texts: list[str], stop: list[float], warm: int, out: list[float],
           errors: list[int], start_at: threading.Barrier, offset: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    n = offset

    def one() -> float:
        nonlocal n
        body = json.dumps({"caption": f"{texts[n % len(texts)]} ({n})",
                           "platform": "instagram"}).encode()
        n += 1
        began = time.perf_counter()
        connection.request("POST", "/v1/check", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            errors.append(response.status)
        return time.perf_counter() - began

    for _ in range(warm):
        one()
    start_at.wait()
    while time.monotonic() < stop[0]:
        out.append(one())
    connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(clients: int, seconds: float, warm: int) -> dict[str, object]:
    texts = [post["caption"] for post in posts(2_000, seed=11)]
    port = free_port()
    server = start_server(port)
    try:
        latencies: list[list[float]] = [[] for _ in range(clients)]
        errors: list[int] = []
        barrier = threading.Barrier(clients + 1)
        stop_box: list[float] = [float("inf")]  # set once every client is warm
        threads = []
        # the stop time is set once every client is warm: the barrier holds them until then
        for i in range(clients):
            thread = threading.Thread(target=lambda i=i: client(
                port, texts, stop_box, warm, latencies[i], errors, barrier, i * 997))
            threads.append(thread)
        for thread in threads:
            thread.start()
        # warm-up done when every client has reached the barrier
        while barrier.n_waiting < clients:
            time.sleep(0.01)
        before = rss_kib(server.pid)
        stop_box[0] = time.monotonic() + seconds
        began = time.monotonic()
        barrier.wait()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        after = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    flat = [x for part in latencies for x in part]
    return {"clients": clients, "seconds": round(elapsed, 1), "requests": len(flat),
            "requests_per_s": round(len(flat) / elapsed, 1),
            "p50_ms": round(1000 * statistics.median(flat), 1),
            "p90_ms": round(1000 * percentile(flat, 0.90), 1),
            "p99_ms": round(1000 * percentile(flat, 0.99), 1),
            "max_ms": round(1000 * max(flat), 1), "errors": len(errors),
            "rss_before_mib": round(before / 1024, 1), "rss_after_mib": round(after / 1024, 1),
            "cpus": os.cpu_count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warm", type=int, default=20, help="warm-up requests per client")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds, args.warm = 2, 2.0, 2
    result = run(args.clients, args.seconds, args.warm)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    met = "met" if result["p99_ms"] < 50 else "NOT met"  # type: ignore[operator]
    print("| clients | requests | req/s | p50 ms | p90 ms | p99 ms (target < 50) | max ms | "
          "errors | server RSS before → after |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['clients']} | {result['requests']:,} | {result['requests_per_s']} | "
          f"{result['p50_ms']} | {result['p90_ms']} | {result['p99_ms']} ({met}) | "
          f"{result['max_ms']} | {result['errors']} | {result['rss_before_mib']} → "
          f"{result['rss_after_mib']} MiB |")


if __name__ == "__main__":
    main()
