"""Memory of ``govsearch serve`` on a 100k-document index: VmRSS / VmHWM of the server process.

    python3 bench/serve_memory.py              # reuses or builds bench/.work/distinct-100000/index
    python3 bench/serve_memory.py --index DIR  # that index (built there if not usable)

The 100k index is built by ``govsearch index``'s code from bench/distinct_corpus.py's folder of
distinct real documents (news items, laws, disclosure pages, then repeated), written when
missing; it is rebuilt when it was built with another analyzer (the server would refuse it).
The server (waitress, 4 threads) answers a few hundred queries from 4 clients: common words and
the empty query (all documents) with facets, the same with a facet value selected, date sort,
later pages and document views. RSS is read from /proc/<pid>/status after start-up and after
the queries, with the peak (VmHWM). Target (issue 13): under 500 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from http_load import loopback_only, memory, start_server
from query_bench import COMMON, WORK, percentiles

from indexer.errors import AnalyzerMismatchError, IndexMissingError
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.schema import SCHEMA_VERSION


def usable(index: Path) -> bool:
    try:
        meta = layout.check_generation(layout.current_generation(index))
    except (IndexMissingError, AnalyzerMismatchError):
        return False
    return meta.get("schema_version") == SCHEMA_VERSION


def ensure_index(index: Path, docs: int) -> None:
    """An index of distinct_corpus.py's folder of ``docs`` records beside it, built if unusable."""
    if usable(index):
        return
    corpus = index.parent / "corpus"
    if not corpus.is_dir():
        script = Path(__file__).with_name("distinct_corpus.py")
        cmd = [sys.executable, str(script), "--docs", str(docs), "--out", str(corpus)]
        subprocess.run(cmd, check=True)
    print(f"building {index} ({docs} documents) …", file=sys.stderr)
    started = time.perf_counter()
    build_index(corpus, index, progress=True)
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def requests_to_send(base_url: str, count: int, seed: int) -> list[str]:
    """Searches (common words, facets on, filtered by a facet value or year, date sort, later
    pages) and document views, facet values and ids taken from the index's own answers."""
    first = json.loads(_get(base_url, "/api/search?" + urlencode({"q": COMMON[0], "size": 100})))
    rng = random.Random(seed)
    facet_values = [(name, v["value"]) for name, vs in first["facets"].items() for v in vs[:10]]
    ids = [hit["id"] for hit in first["hits"]]
    paths = []
    for _ in range(count):
        roll = rng.random()
        # the empty query matches all 100k documents: the largest facet count and top-k
        params: dict[str, str] = {"q": "" if roll > 0.85 else rng.choice(COMMON)}
        if roll < 0.1 and ids:
            paths.append(f"/api/documents/{quote(rng.choice(ids), safe='')}")
            continue
        if roll < 0.4 and facet_values:
            name, value = rng.choice(facet_values)
            params[name] = value
        if rng.random() < 0.2:
            params["sort"] = "date"
        if rng.random() < 0.2:
            params["page"] = str(rng.randint(2, 5))
        paths.append("/api/search?" + urlencode(params))
    return paths


def run(base_url: str, paths: list[str], clients: int) -> tuple[list[float], list[str]]:
    parts = urlsplit(base_url)
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(share: list[str]) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        for path in share:
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            with lock:
                times.append((time.perf_counter() - started) * 1000)
                if response.status != 200:
                    errors.append(f"{response.status} {path}")
        conn.close()

    threads = [threading.Thread(target=worker, args=(paths[n::clients],)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="default: bench/.work/distinct-DOCS/index")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--server-workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    loopback_only("127.0.0.1")
    index = args.index or WORK / f"distinct-{args.docs}" / "index"
    ensure_index(index, args.docs)

    generation = layout.current_generation(index)
    log = tempfile.TemporaryFile("w+", encoding="utf-8")
    proc, url = start_server(str(index), args.server_workers, log)
    try:
        started = memory(proc.pid)  # after the warm-up query serve runs before printing its URL
        health = json.loads(_get(url, "/healthz"))
        paths = requests_to_send(url, args.queries, args.seed)
        times, errors = run(url, paths, args.clients)
        after = memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    size_mb = layout.size_bytes(generation) / 1e6
    print(f"index {index}: {health['documents']} documents, {size_mb:.0f} MB on disk")
    print(f"server: govsearch serve (waitress, {args.server_workers} threads), pid {proc.pid}")
    print(f"after start-up (warm-up query done): VmRSS {started['VmRSS']} MB")
    print(f"{len(times)} requests from {args.clients} clients: {percentiles(times)}")
    print(f"errors: {len(errors)} {errors[:5]}")
    print(f"after the requests: VmRSS {after['VmRSS']} MB, peak VmHWM {after['VmHWM']} MB")
    verdict = "within" if after["VmHWM"] <= 1024 else "OVER"
    print(f"target <= 1024 MB: {verdict}")


def _get(url: str, path: str) -> bytes:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


if __name__ == "__main__":
    main()
