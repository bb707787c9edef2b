"""Rebuild under load, at the scale of ../shared/corpora: requests served, failed, switch latency.

    python3 bench/rebuild_under_load.py              # shared corpora, laws cut to one folder
    python3 bench/rebuild_under_load.py --laws       # all of it (a full build: ~10 min, 2 cores)

On a tmp copy of the corpora: ``govsearch index``, then ``govsearch serve`` (waitress) on a free
loopback port, N keep-alive clients querying without pause; meanwhile a full rebuild
(``govsearch index``) and, after a document is added to the copy, an incremental update
(``govsearch index --incremental``), both as processes. Every answer is checked: HTTP 200, from
one of the three generations, with that generation's total (all documents for the empty query,
the added document only in the last generation). Switch latency: from CURRENT's replacement (its
mtime) to the first answer from the new generation. tests/test_reliability.py asserts the same on
corpus/; this prints the figures at scale. Bounded: --max-requests per client and --max-seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from http_load import COMMON, loopback_only, start_server

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpora"
LAWS, LAWS_SLICE = "lawrefbook-laws", "lawrefbook-laws/宪法"
CLI = [sys.executable, "-c", "from indexer.cli import main; main()"]
NEW_WORD = "琉璃瓦修缮"  # in no document of the corpora: only the added one has it
QUERIES = ["", NEW_WORD, *COMMON]


@dataclass
class Answer:
    at: float  # time.time(), comparable with CURRENT's mtime
    q: str
    status: int
    generation: str = ""
    total: int = -1
    error: str = ""


def copy_corpus(target: Path, laws: bool) -> None:
    for child in SHARED.iterdir():
        if child.is_dir() and (laws or child.name != LAWS):
            shutil.copytree(child, target / child.name)
    if not laws:
        shutil.copytree(SHARED / LAWS_SLICE, target / LAWS_SLICE)


def run_index(corpus: Path, index: Path, *extra: str) -> tuple[str, int, float]:
    """(generation, documents, seconds) of one ``govsearch index`` process."""
    started = time.monotonic()
    done = subprocess.run(
        [*CLI, "index", "--corpus", str(corpus), "--index", str(index), *extra],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"govsearch index failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    match = re.search(r"(gen-[\w-]+): (\d+) documents", done.stdout)
    assert match, done.stdout
    return match.group(1), int(match.group(2)), time.monotonic() - started


def client(url: str, n: int, budget: int, stop: threading.Event, out: list[Answer]) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    for i in range(budget):
        if stop.is_set():
            break
        q = QUERIES[(i + n) % len(QUERIES)]
        try:
            conn.request("GET", "/api/search?" + urlencode({"q": q, "size": 10}))
            response = conn.getresponse()
            body = response.read()
            answer = Answer(time.time(), q, response.status)
            if response.status == 200:
                data = json.loads(body)
                answer.generation, answer.total = data["generation"], data["total"]
            else:
                answer.error = body[:200].decode("utf-8", "replace")
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the client
            answer = Answer(time.time(), q, 0, error=repr(exc))
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        out.append(answer)
    conn.close()


def first_answer(answers: list[list[Answer]], generation: str, deadline: float) -> float | None:
    while time.monotonic() < deadline:
        times = [a.at for each in answers for a in list(each) if a.generation == generation]
        if times:
            return min(times)
        time.sleep(0.05)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--laws", action="store_true", help="all laws, not one folder of them")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--server-workers", type=int, default=4, help="waitress threads")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per client")
    parser.add_argument("--max-seconds", type=float, default=3600, help="for the whole run")
    args = parser.parse_args()
    loopback_only("127.0.0.1")
    deadline = time.monotonic() + args.max_seconds

    with tempfile.TemporaryDirectory(prefix="rebuild-under-load-") as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        copy_corpus(corpus, args.laws)
        first = run_index(corpus, index)
        print(f"corpus: {'all' if args.laws else 'laws cut to ' + LAWS_SLICE} of {SHARED}")
        print(f"first build: {first[0]}, {first[1]} documents, {first[2]:.0f} s")
        server_log = tempfile.TemporaryFile("w+", encoding="utf-8")
        proc, url = start_server(str(index), args.server_workers, server_log)
        stop = threading.Event()
        answers: list[list[Answer]] = [[] for _ in range(args.clients)]
        threads = [
            threading.Thread(target=client, args=(url, n, args.max_requests, stop, answers[n]))
            for n in range(args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            rebuilt = run_index(corpus, index)
            rebuilt_switch = (index / "CURRENT").stat().st_mtime
            rebuilt_seen = first_answer(answers, rebuilt[0], deadline)
            seed = next((corpus / "seed").glob("*.txt")).read_text(encoding="utf-8")
            (corpus / "added.txt").write_text(f"{seed}\n屋面{NEW_WORD}工程。\n", encoding="utf-8")
            updated = run_index(corpus, index, "--incremental")
            updated_switch = (index / "CURRENT").stat().st_mtime
            updated_seen = first_answer(answers, updated[0], deadline)
            time.sleep(2)  # some load on the updated generation as well
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            proc.terminate()
            proc.wait(timeout=60)
        elapsed = time.monotonic() - started

    every = [a for each in answers for a in each]
    failed = [a for a in every if a.status != 200]
    expected_all = {first[0]: first[1], rebuilt[0]: rebuilt[1], updated[0]: updated[1]}
    totals: dict[tuple[str, str], set[int]] = defaultdict(set)
    for a in every:
        if a.status == 200:
            totals[(a.generation, a.q)].add(a.total)
    mixed = {key: sorted(v) for key, v in totals.items() if len(v) > 1}
    wrong = [
        a
        for a in every
        if a.status == 200
        and (
            a.generation not in expected_all
            or (a.q == "" and a.total != expected_all[a.generation])
            or (a.q == NEW_WORD and a.total != int(a.generation == updated[0]))
        )
    ]
    per_generation = Counter(a.generation for a in every if a.status == 200)
    print(f"full rebuild {rebuilt[2]:.0f} s ({rebuilt[1]} documents), incremental update "
          f"{updated[2]:.1f} s ({updated[1]} documents)")  # fmt: skip
    print(f"{args.clients} clients, {args.server_workers} server threads, {elapsed:.0f} s of load")
    print(f"requests served: {len(every)} ({len(every) / elapsed:.1f}/s); failed: {len(failed)}")
    for generation in (first[0], rebuilt[0], updated[0]):
        print(f"  answered from {generation}: {per_generation[generation]}")
    print(f"answers with a total of another generation or none: {len(wrong)}; "
          f"(generation, query) pairs with more than one total: {len(mixed)}")  # fmt: skip
    for label, switch, seen in (
        ("full rebuild", rebuilt_switch, rebuilt_seen),
        ("incremental update", updated_switch, updated_seen),
    ):
        latency = "never" if seen is None else f"{seen - switch:.2f} s"
        print(f"switch latency after the {label}: {latency}")
    for a in failed[:10]:
        print(f"  failed: {a}")


if __name__ == "__main__":
    main()
