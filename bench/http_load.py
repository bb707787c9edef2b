"""HTTP load on a running ``govsearch serve``: N concurrent clients for a fixed time, on loopback.

    python3 bench/http_load.py --index var/index            # starts its own server, stops it after
    python3 bench/http_load.py --url http://127.0.0.1:8000  # an already running server

Each client is a thread with one keep-alive connection (stdlib http.client) sending a mix of
searches (common words, rare pairs, 文号, filters, date sort, page 2–3), document views and health
checks, until the time is up or the request budget is spent. Prints requests/s, latency
percentiles (whole request, client side) and every error. Refuses any host that is not loopback.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlencode, urlsplit

COMMON = ["政府", "经济 发展", "管理", "规定", "人民", "通知", "工作", "建设"]
RARE = [
    "地瓜经济",
    "消防安全",
    "空气质量",
    "提案 答复",
    "培训班 中小企业",
    "结案 批复",
    "政府信息公开 年度报告",
    '"国庆节期间"',
    "海坛 旅游",
    "title:通知",
    "通知 -消防",
    "岚综管综〔2023〕91号",
    "岚综管综[2023]91号",
    "台湾 OR 两岸",
]


@dataclass
class Tally:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies_ms.setdefault(kind, []).append(ms)
            if error:
                self.errors[f"{kind}: {error}"] += 1


def loopback_only(host: str) -> None:
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        sys.exit(f"http_load: {host} is not a loopback address; this benchmark only runs locally")


def pick_request(rng: random.Random, doc_ids: list[str]) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.10 and doc_ids:
        return "document", f"/api/documents/{rng.choice(doc_ids)}"
    if roll < 0.12:
        return "healthz", "/healthz"
    params: dict[str, str] = {"q": rng.choice(COMMON if rng.random() < 0.4 else RARE)}
    if rng.random() < 0.2:
        params["sort"] = "date"
    if rng.random() < 0.15:
        params["page"] = str(rng.randint(2, 3))
    if rng.random() < 0.15:
        params["year"] = str(rng.randint(2011, 2024))
    return "search", "/api/search?" + urlencode(params)


def client(
    host: str,
    port: int,
    deadline: float,
    budget: list[int],
    seed: int,
    doc_ids: list[str],
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.monotonic() < deadline:
        with tally.lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        kind, path = pick_request(rng, doc_ids)
        started = time.perf_counter()
        error = None
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                error = f"HTTP {response.status} {body[:120]!r}"
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        tally.add(kind, (time.perf_counter() - started) * 1000, error)
    conn.close()


def get_json(host: str, port: int, path: str) -> dict:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def percentile(sorted_ms: list[float], p: float) -> float:
    if len(sorted_ms) == 1:
        return sorted_ms[0]
    return statistics.quantiles(sorted_ms, n=100, method="inclusive")[int(p) - 1]


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) // 1024
    return values


def start_server(index: str, workers: int | None, log: IO[str]) -> tuple[subprocess.Popen, str]:
    """``govsearch serve`` on a free loopback port; its log (stderr) goes to ``log``."""
    cli = [sys.executable, "-c", "from indexer.cli import main; main()"]
    cmd = [*cli, "serve", "--index", index, "--host", "127.0.0.1", "--port", "0"]
    cmd += ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    for line in proc.stdout:
        match = re.search(r"http://\S+", line)
        if match:
            return proc, match.group(0)
    log.seek(0)
    sys.exit(f"http_load: the server did not start (exit {proc.wait()}):\n{log.read()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000")
    target.add_argument("--index", help="start 'govsearch serve --index INDEX' for the run")
    parser.add_argument("--server-workers", type=int, help="threads of that server [its default]")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="request budget")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    proc = None
    url = args.url
    server_log = tempfile.TemporaryFile("w+", encoding="utf-8")
    if args.index:
        proc, url = start_server(args.index, args.server_workers, server_log)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        loopback_only(host)
        health = get_json(host, port, "/healthz")
        sample = get_json(host, port, "/api/search?" + urlencode({"size": 100, "facets": "false"}))
        doc_ids = [quote(hit["id"], safe="") for hit in sample.get("hits", [])]
        threads = f", {args.server_workers} threads" if proc and args.server_workers else ""
        documents, generation = health.get("documents"), health.get("generation")
        print(f"server {url}: {documents} documents, {generation}{threads}")
        print(f"{args.clients} clients, {args.duration:g} s, budget {args.max_requests} requests")

        tally = Tally()
        budget = [args.max_requests]
        started = time.monotonic()
        deadline = started + args.duration
        threads = [
            threading.Thread(
                target=client,
                args=(host, port, deadline, budget, args.seed + n, doc_ids, tally),
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)

    report(tally, elapsed)
    if proc:
        print(f"server exit status after SIGTERM: {proc.returncode}")
        server_log.seek(0)
        lines = server_log.read().splitlines()
        # waitress warns "Task queue depth is N" whenever every thread is busy: saturation
        queued = sum("Task queue depth" in line for line in lines)
        other = [line for line in lines if "Task queue depth" not in line]
        print(f"server log: {queued} 'task queue depth' warnings; {len(other)} other lines")
        for line in other[-20:]:
            print(f"  {line}")
    server_log.close()


def report(tally: Tally, elapsed: float) -> None:
    every = sorted(ms for values in tally.latencies_ms.values() for ms in values)
    total = len(every)
    errors = sum(tally.errors.values())
    print(
        f"requests: {total} in {elapsed:.1f} s = {total / elapsed:.1f} requests/s; errors: {errors}"
    )
    print(f"{'':10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, values in [("all", every), *sorted(tally.latencies_ms.items())]:
        values = sorted(values)
        if values:
            print(
                f"{kind:10} {len(values):7d} {percentile(values, 50):8.1f} "
                f"{percentile(values, 95):8.1f} {percentile(values, 99):8.1f} "
                f"{values[-1]:8.1f}"
            )
    for error, count in tally.errors.most_common():
        print(f"error x{count}: {error}")


if __name__ == "__main__":
    main()
