"""Single-client latency of ``govsearch serve`` by query kind, queries cut from distinct documents.

    python3 bench/distinct_corpus.py --docs 30000 --out /tmp/dc30k/corpus
    govsearch index --corpus /tmp/dc30k/corpus --index /tmp/dc30k/index
    python3 bench/http_latency.py --index /tmp/dc30k/index --n 50     # corpus: the index's sibling
    python3 bench/http_latency.py --index /tmp/dc30k/sphinx --corpus /tmp/dc30k/corpus \\
        --build --backend sphinx --shards 1                           # builds the index first

Starts ``govsearch serve --index DIR --host 127.0.0.1 --port 0`` (for a Sphinx index it starts
the local searchd processes and stops them on exit), warms it up, then sends ``--n`` queries of
each kind from ONE client over one keep-alive connection (stdlib http.client), the kinds
interleaved round-robin so that a noisy machine weighs on all of them alike. The queries are
drawn (``--seed``, each kind from its own random stream, so ``--kinds`` does not change them)
from the distinct documents of a distinct_corpus.py folder (its ``distinct-*.jsonl`` files;
repeated copies are not read):

* ``run``: 2–7 consecutive Chinese characters (no space or punctuation inside) of a random
  document's title or body, typed without quotes;
* ``quoted``: such a run in double quotes (a phrase query);
* ``pair``: two 2–4-character Chinese runs of one document, separated by a space;
* ``common``: one of 20 common words, facets on; every second one with ``year=`` set to a year
  listed in the facets of that word's first (warm-up) query;
* ``passage``: 100 consecutive characters of a document's body with all whitespace removed,
  without quotes (a pasted sentence).

The other kinds are sent with ``facets=false`` unless ``--facets all``. For each request: the
client-side wall time (request sent to body read) and the server's ``took_ms``. Printed per kind:
n, p50/p95/p99/max of the wall time, p50/p95 of took_ms, the share of queries with 0 results,
and for run/quoted/pair/passage the share whose source document is in the top 10 (a hit with
the source's title and date: the copies of a document share both, and so would two distinct
documents with the same title on the same day). Then VmRSS / VmHWM of the server process (and
of each searchd listed in the index's pid files) read from /proc, and the load average at start
and end. Loopback only. The server is stopped with SIGTERM on every exit path (Ctrl-C included).
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import os
import queue
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlencode, urlsplit

from http_load import memory

KINDS = ("run", "quoted", "pair", "common", "passage")
COMMON = [
    "政府", "发展", "经济", "工作", "会议", "国家", "建设", "管理", "服务", "安全",
    "人民", "企业", "社会", "生态", "改革", "文化", "教育", "卫生", "交通", "农村",
]  # fmt: skip
#: Chinese characters: CJK unified ideographs, extension A, compatibility ideographs
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
PASSAGE_CHARS = 100
CLI = [sys.executable, "-c", "from indexer.cli import main; main()"]  # the `govsearch` command


@dataclass
class Query:
    kind: str
    q: str
    params: dict[str, str] = field(default_factory=dict)
    source: tuple[str, str] | None = None  # (title, date) of the document it was cut from


@dataclass
class Result:
    query: Query
    wall_ms: float
    took_ms: float | None = None
    total: int | None = None
    in_top10: bool | None = None
    error: str | None = None


# ---------------------------------------------------------------- the source documents


def distinct_files(corpus: Path) -> list[Path]:
    files = sorted(corpus.glob("distinct-*.jsonl"))
    if not files:
        sys.exit(
            f"http_latency: no distinct-*.jsonl in {corpus}: the queries are cut from a folder "
            "written by bench/distinct_corpus.py (pass it with --corpus)"
        )
    return files


def count_records(files: list[Path]) -> list[int]:
    counts = []
    for path in files:
        with path.open("rb") as fh:
            counts.append(sum(1 for line in fh if line.strip()))
    return counts


def load_records(files: list[Path], counts: list[int], wanted: set[int]) -> dict[int, dict]:
    """The records numbered ``wanted`` (0-based over all distinct files), read streaming."""
    found: dict[int, dict] = {}
    first = 0
    for path, count in zip(files, counts, strict=True):
        here = {n - first for n in wanted if first <= n < first + count}
        if here:
            with path.open(encoding="utf-8") as fh:
                lines = (line for line in fh if line.strip())
                for number, line in enumerate(lines):
                    if number in here:
                        record = json.loads(line)
                        found[first + number] = {
                            "title": str(record.get("title") or ""),
                            "body": str(record.get("body") or ""),
                            "date": str(record.get("date") or ""),
                        }
        first += count
    return found


def norm(text: str) -> str:
    return "".join(text.split())


# ---------------------------------------------------------------- the queries


def han_piece(rng: random.Random, text: str, low: int, high: int) -> str | None:
    """``low``–``high`` consecutive Chinese characters of ``text`` at a uniformly random
    position among all that fit, or None when no run of Chinese is long enough."""
    length = rng.randint(low, high)
    while length >= low:
        runs = [m for m in HAN_RUN.finditer(text) if m.end() - m.start() >= length]
        if runs:
            starts = sum(m.end() - m.start() - length + 1 for m in runs)
            pick = rng.randrange(starts)
            for m in runs:
                fits = m.end() - m.start() - length + 1
                if pick < fits:
                    return text[m.start() + pick : m.start() + pick + length]
                pick -= fits
        length -= 1  # a short title: fall back to a shorter run before giving up on it
    return None


def cut_query(kind: str, rng: random.Random, doc: dict) -> str | None:
    title, body = doc["title"], doc["body"]
    if kind in ("run", "quoted"):
        fields = [title, body] if rng.random() < 0.5 else [body, title]
        for text in fields:
            piece = han_piece(rng, text, 2, 7)
            if piece:
                return f'"{piece}"' if kind == "quoted" else piece
        return None
    if kind == "pair":
        text = f"{title}\n{body}"
        first, second = han_piece(rng, text, 2, 4), han_piece(rng, text, 2, 4)
        if not first or not second or first == second:
            return None
        return f"{first} {second}"
    if kind == "passage":
        flat = "".join(body.split())
        if len(flat) < PASSAGE_CHARS:
            return None
        start = rng.randrange(len(flat) - PASSAGE_CHARS + 1)
        return flat[start : start + PASSAGE_CHARS]
    raise ValueError(kind)


def document_queries(
    kinds: list[str], n: int, seed: int, files: list[Path], tag: str
) -> dict[str, list[Query]]:
    """``n`` queries of each document kind; each kind draws its documents and cuts from its own
    streams, so the set does not depend on the other kinds asked."""
    counts = count_records(files)
    total = sum(counts)
    if not total:
        sys.exit("http_latency: the distinct files hold no records")
    kinds = [k for k in kinds if k != "common"]
    picks = {k: random.Random(f"{seed}:{tag}:{k}:docs") for k in kinds}
    candidates = {k: [picks[k].randrange(total) for _ in range(3 * n + 20)] for k in kinds}
    docs = load_records(files, counts, {i for c in candidates.values() for i in c})
    out: dict[str, list[Query]] = {}
    for kind in kinds:
        rng = random.Random(f"{seed}:{tag}:{kind}:text")
        queries: list[Query] = []
        for number in candidates[kind]:
            if len(queries) == n:
                break
            doc = docs[number]
            q = cut_query(kind, rng, doc)
            if q:
                queries.append(Query(kind, q, source=(norm(doc["title"]), doc["date"])))
        if len(queries) < n:
            print(f"warning: only {len(queries)} {kind} queries could be cut", file=sys.stderr)
        out[kind] = queries
    return out


def common_queries(n: int, seed: int, years: dict[str, list[str]]) -> list[Query]:
    rng = random.Random(f"{seed}:common")
    queries = []
    for i in range(n):
        word = rng.choice(COMMON)
        params = {}
        if i % 2 and years.get(word):
            params["year"] = rng.choice(years[word])
        queries.append(Query("common", word, params))
    return queries


def interleave(by_kind: dict[str, list[Query]], kinds: list[str]) -> list[Query]:
    longest = max((len(v) for v in by_kind.values()), default=0)
    return [by_kind[k][i] for i in range(longest) for k in kinds if i < len(by_kind.get(k, []))]


# ---------------------------------------------------------------- the server


def loopback_only(host: str) -> None:
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        sys.exit(f"http_latency: {host} is not a loopback address; this benchmark runs locally")


def build(args: argparse.Namespace) -> None:
    cmd = [*CLI, "index", "--corpus", str(args.corpus), "--index", str(args.index)]
    if args.backend == "sphinx":
        from indexer.sphinx.process import free_port_range

        base = args.base_port or free_port_range(2 * (args.shards + 1))
        cmd += ["--backend", "sphinx", "--shards", str(args.shards), "--base-port", str(base)]
    print(f"building: govsearch {' '.join(cmd[len(CLI) :])}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(
            f"http_latency: govsearch index failed (exit {done.returncode}):\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    summary = [line for line in done.stdout.splitlines() if line.strip()]
    print(f"  built in {time.perf_counter() - started:.1f} s; {' / '.join(summary[-3:])}")


def searchd_pids(index: Path) -> dict[str, int]:
    """Node directory → PID of each searchd named by a pid file of a Sphinx index (alive)."""
    found = {}
    for pid_file in sorted(index.glob("*/searchd.pid")):
        try:
            pid = int(pid_file.read_text().strip())
            if b"searchd" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found[pid_file.parent.name] = pid
        except (OSError, ValueError):
            continue
    return found


def start_server(
    index: Path, host: str, workers: int | None, timeout: float, log: IO[str], before: set[int]
) -> tuple[subprocess.Popen, str]:
    """``govsearch serve`` in its own session (a Ctrl-C reaches only us; we stop it), and the
    URL it prints; exits with the server's log when it dies or prints none in ``timeout``."""
    cmd = [*CLI, "serve", "--index", str(index), "--host", host, "--port", "0"]
    cmd += ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def drain() -> None:  # keeps reading stdout so the server never blocks on a full pipe
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
            seen.append(f"(no URL printed within {timeout:g} s)\n")
        except KeyboardInterrupt:
            stop_server(proc, index, before)
            raise
        if line is None:
            stop_server(proc, index, before)
            log.seek(0)
            output = "".join(seen) + log.read()
            sys.exit(f"http_latency: the server did not start (exit {proc.returncode}):\n{output}")
        seen.append(line)
        match = re.search(r"http://\S+", line)
        if match:
            return proc, match.group(0)


def stop_server(proc: subprocess.Popen, index: Path, searchd_before: set[int]) -> None:
    """SIGTERM (serve stops its searchd), SIGKILL after 60 s; a searchd still running that was
    not running before we started the server (so it was started for us) is stopped too."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print("server did not stop within 60 s of SIGTERM: killed", file=sys.stderr)
            proc.kill()
            proc.wait()
    for node, pid in searchd_pids(index).items():
        if pid in searchd_before:
            continue
        # the pid file names the serving process; its parent, searchd's watchdog, would
        # restart it: the watchdog is sent the SIGTERM (it stops its child)
        target = pid
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid > 1 and b"searchd" in Path(f"/proc/{ppid}/cmdline").read_bytes():
                target = ppid
        except (OSError, ValueError, IndexError):
            pass
        print(f"searchd of {node} (PID {pid}) still running: SIGTERM {target}", file=sys.stderr)
        try:
            os.kill(target, signal.SIGTERM)
        except OSError:
            pass


def preload(index: Path) -> int:
    """Read every file under ``index`` once (bytes read). On these machines the kernel's
    proactive reclaim (kdamond) drops files not read for a while from the page cache: a run
    right after another benchmark measured disk reads, p95 up to 4 times the preloaded one."""
    total = 0
    for path in sorted(index.rglob("*")):
        if path.is_file():
            with path.open("rb") as f:
                while chunk := f.read(1 << 22):
                    total += len(chunk)
    return total


def tree_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# ---------------------------------------------------------------- the run


class Client:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            raise
        return response.status, body, (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.conn.close()


def search_path(query: Query, size: int, facets: bool) -> str:
    params = {"q": query.q, "size": str(size), **query.params}
    if not facets:
        params["facets"] = "false"
    return "/api/search?" + urlencode(params)


def send(client: Client, query: Query, size: int, facets: bool) -> Result:
    try:
        status, body, ms = client.get(search_path(query, size, facets))
    except (OSError, http.client.HTTPException) as exc:
        return Result(query, 0.0, error=type(exc).__name__)
    if status != 200:
        return Result(query, ms, error=f"HTTP {status} {body[:160]!r}")
    answer = json.loads(body)
    result = Result(query, ms, took_ms=answer.get("took_ms"), total=answer.get("total"))
    if query.source:
        title, date = query.source
        result.in_top10 = any(
            norm(hit.get("title") or "") == title and (not date or hit.get("date") == date)
            for hit in answer.get("hits", [])[:10]
        )
    return result


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def report(results: list[Result], kinds: list[str], show: int) -> None:
    head = (
        f"{'kind':8} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'took50':>7} {'took95':>7} {'0 hits':>7} {'top10':>7} {'errors':>6}"
    )
    print(head)
    for kind in kinds:
        mine = [r for r in results if r.query.kind == kind]
        ok = [r for r in mine if r.error is None]
        if not mine:
            continue
        wall = sorted(r.wall_ms for r in ok) or [float("nan")]
        took = sorted(r.took_ms for r in ok if r.took_ms is not None) or [float("nan")]
        zero = sum(r.total == 0 for r in ok) / len(ok) if ok else float("nan")
        judged = [r for r in ok if r.in_top10 is not None]
        top = f"{100 * sum(r.in_top10 for r in judged) / len(judged):6.1f}%" if judged else "-"
        print(
            f"{kind:8} {len(mine):5d} {percentile(wall, 50):8.1f} {percentile(wall, 95):8.1f} "
            f"{percentile(wall, 99):8.1f} {wall[-1]:8.1f} {percentile(took, 50):7.1f} "
            f"{percentile(took, 95):7.1f} {100 * zero:6.1f}% {top:>7} {len(mine) - len(ok):6d}"
        )
    if show:
        for kind in kinds:
            mine = [r for r in results if r.query.kind == kind]
            slow = sorted(mine, key=lambda r: -r.wall_ms)[:show]
            missed = [r for r in mine if r.total == 0 or r.in_top10 is False][:show]
            for label, rows in (("slowest", slow), ("0 hits / not in top 10", missed)):
                for r in rows:
                    extra = f" {r.query.params}" if r.query.params else ""
                    state = r.error or f"total {r.total}, top10 {r.in_top10}"
                    shown = f"{r.query.q[:60]!r}{extra}"
                    print(f"  {kind} {label}: {r.wall_ms:.1f} ms {shown} ({state})")
    common = [r for r in results if r.query.kind == "common"]
    if common:
        filtered = sum("year" in r.query.params for r in common)
        print(f"common: {filtered} of {len(common)} with a year= filter from the facets")
    errors = [r for r in results if r.error]
    for r in errors[:10]:
        print(f"error ({r.query.kind} {r.query.q[:40]!r}): {r.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="index directory to serve")
    parser.add_argument(
        "--corpus", type=Path, help="distinct_corpus.py folder [the index's sibling 'corpus']"
    )
    parser.add_argument("--build", action="store_true", help="govsearch index CORPUS first")
    parser.add_argument("--backend", choices=("whoosh", "sphinx"), default="whoosh")
    parser.add_argument("--shards", type=int, default=1, help="Sphinx shards for --build [1]")
    parser.add_argument("--base-port", type=int, help="Sphinx first port for --build [free]")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"[{','.join(KINDS)}]")
    parser.add_argument("--n", type=int, default=200, help="queries of each kind [200]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=5, help="untimed queries per kind [5]")
    parser.add_argument("--size", type=int, default=10, help="hits per page [10]")
    parser.add_argument(
        "--facets", choices=("common", "all"), default="common",
        help="facets on for the common kind only, or for all [common]",
    )  # fmt: skip
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on")
    parser.add_argument("--server-workers", type=int, help="threads of the server [its default]")
    parser.add_argument("--start-timeout", type=float, default=600.0, help="seconds [600]")
    parser.add_argument("--show", type=int, default=3, help="slowest / missed queries shown")
    parser.add_argument(
        "--preload",
        action="store_true",
        help="read every file of the index once first, into the OS page cache",
    )
    args = parser.parse_args()

    loopback_only(args.host)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        sys.exit(f"http_latency: unknown kinds {unknown}; choose from {','.join(KINDS)}")
    if args.n < 1 or args.size < 1:
        sys.exit("http_latency: --n and --size must be positive")
    corpus = args.corpus = args.corpus or args.index.parent / "corpus"  # build() reads it too
    if not corpus.is_dir():
        sys.exit(f"http_latency: no corpus folder {corpus} (pass --corpus)")
    if args.build:
        build(args)
    elif not args.index.is_dir():
        sys.exit(f"http_latency: no index at {args.index} (build it, or pass --build)")

    # Ctrl-C, SIGTERM and SIGHUP (also in a background job, where SIGINT may be ignored) take
    # one path, so the finally below stops the server
    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)

    if args.preload:
        preloaded = preload(args.index)
        print(f"preloaded {preloaded / 2**20:.0f} MB of index files into the page cache")
    load_start = os.getloadavg()
    files = distinct_files(corpus)
    doc_kinds = [k for k in kinds if k != "common"]
    timed = document_queries(doc_kinds, args.n, args.seed, files, "timed")
    warm = {}
    if args.warmup:
        warm = document_queries(doc_kinds, args.warmup, args.seed, files, "warmup")

    log = tempfile.TemporaryFile("w+", encoding="utf-8")
    searchd_before = set(searchd_pids(args.index).values())
    started = time.perf_counter()
    try:
        proc, url = start_server(
            args.index, args.host, args.server_workers, args.start_timeout, log, searchd_before
        )
    except KeyboardInterrupt:
        sys.exit("http_latency: interrupted while the server started; server stopped")
    interrupted_run = False
    try:
        start_s = time.perf_counter() - started
        client = Client(url)
        status, body, _ = client.get("/healthz")
        health = json.loads(body) if status == 200 else {}
        print(
            f"server {url} (PID {proc.pid}, up in {start_s:.1f} s): {health.get('documents')} "
            f"documents, generation {health.get('generation')}; index {args.index} "
            f"{tree_size_mb(args.index):.0f} MB on disk; corpus {corpus}"
        )
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in load_start)}")

        # warm-up (untimed): each common word once with facets (its years), a few of each kind
        years: dict[str, list[str]] = {}
        if "common" in kinds:
            for word in COMMON:
                status, body, _ = client.get(search_path(Query("common", word), args.size, True))
                if status == 200:
                    facets = json.loads(body).get("facets", {}).get("year", [])
                    years[word] = [str(v["value"]) for v in facets if v.get("value")]
        for query in interleave(warm, doc_kinds):
            send(client, query, args.size, args.facets == "all")
        if "common" in kinds:
            timed["common"] = common_queries(args.n, args.seed, years)

        run_started = time.perf_counter()
        results = []
        for query in interleave(timed, kinds):
            facets = query.kind == "common" or args.facets == "all"
            results.append(send(client, query, args.size, facets))
        elapsed = time.perf_counter() - run_started
        client.close()
        server_memory = memory(proc.pid)
        searchd_memory = {node: memory(pid) for node, pid in searchd_pids(args.index).items()}
    except KeyboardInterrupt:
        interrupted_run = True
    finally:
        stop_server(proc, args.index, searchd_before)
    if interrupted_run:
        sys.exit(f"http_latency: interrupted; server stopped (exit {proc.returncode})")

    print(
        f"{len(results)} queries, 1 client, size {args.size}, seed {args.seed}, "
        f"in {elapsed:.1f} s (wall ms: client side, keep-alive; took: the server's took_ms)"
    )
    report(results, kinds, args.show)
    print(
        f"server after the queries: VmRSS {server_memory['VmRSS']} MB, "
        f"VmHWM {server_memory['VmHWM']} MB"
    )
    for node, values in searchd_memory.items():
        print(f"searchd {node}: VmRSS {values['VmRSS']} MB, VmHWM {values['VmHWM']} MB")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"server exit status after SIGTERM: {proc.returncode}")
    left = [pid for pid in searchd_pids(args.index).values() if pid not in searchd_before]
    if left:
        print(f"warning: searchd still running after the server stopped: {left}")
    log.close()


if __name__ == "__main__":
    main()
