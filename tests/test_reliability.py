"""Reliability of the real processes: a rebuild under query load, ``kill -9`` of ``govsearch index``
at several points, and two writers on one index.

Everything runs as real processes on a tmp COPY of ``corpus/``: ``govsearch serve`` (waitress) on
a free loopback port, and ``govsearch index`` through the CLI. To stop a build at a chosen point
deterministically, ``PAUSED_INDEX`` runs the same CLI with one public function wrapped so that it
prints ``paused at <point>`` and sleeps until killed (no test hook in the product code).
Each test takes seconds, the module about a minute and a half: marked slow.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import CORPUS, REPO
from test_serve import Server

from indexer.whoosh import layout

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from indexer.cli import main; main()"]
#: a word in no document of corpus/: the document added before the incremental update has it
NEW_WORD = "琉璃瓦修缮"
#: hang detector only (timing is measured and reported, not asserted): a paused build announces
#: itself, and a server picks up a new generation (CHECK_INTERVAL_S = 0.5 s), well within this
#: even on a loaded 2-core machine
PATIENCE_S = 120
#: the issue: the new generation is served "within a few seconds" of the switch
SWITCH_BOUND_S = 10


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GOVSEARCH_")}


@dataclass
class Built:
    generation: str
    documents: int
    summary: str


def run_index(corpus: Path, index: Path, *extra: str) -> Built:
    """``govsearch index`` as a process; its summary names the generation and its size."""
    done = subprocess.run(
        [*CLI, "index", "--corpus", str(corpus), "--index", str(index), *extra],
        capture_output=True,
        text=True,
        env=_environ(),
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.search(r"(gen-[\w-]+): (\d+) documents", done.stdout)
    assert match, done.stdout
    return Built(match.group(1), int(match.group(2)), done.stdout)


def add_document(corpus: Path, name: str) -> None:
    """A new real-looking document: the seed's text with NEW_WORD in its body."""
    text = (CORPUS / "seed" / "000_ae3ff73dc60525ac.txt").read_text(encoding="utf-8")
    (corpus / "added").mkdir(exist_ok=True)
    (corpus / "added" / name).write_text(f"{text}\n屋面{NEW_WORD}工程已完成。\n", encoding="utf-8")


# --- clients that query a server continuously --------------------------------------------------


@dataclass
class Answer:
    at: float  # time.time() when the answer arrived (comparable with a file's mtime)
    q: str
    status: int
    generation: str = ""
    total: int = -1
    error: str = ""


@dataclass
class Load:
    """``clients`` threads, each with a keep-alive connection, cycling through QUERIES until
    stopped or ``budget`` requests each (bounded: the loop ends by itself)."""

    url: str
    clients: int = 3
    budget: int = 4000
    answers: list[list[Answer]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    QUERIES = ("", NEW_WORD, "地瓜经济", "page:/search?q=%E9%80%9A%E7%9F%A5")  # 通知

    def start(self) -> None:
        for n in range(self.clients):
            self.answers.append([])
            thread = threading.Thread(target=self._run, args=(n,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def finish(self) -> list[Answer]:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=PATIENCE_S)
        return [a for answers in self.answers for a in answers]

    def _run(self, n: int) -> None:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        out = self.answers[n]
        for i in range(self.budget):
            if self.stop.is_set():
                break
            q = self.QUERIES[(i + n) % len(self.QUERIES)]
            page = q.startswith("page:")
            path = q[len("page:") :] if page else "/api/search?" + urlencode({"q": q, "size": 1})
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                answer = Answer(time.time(), q, response.status)
                if response.status != 200:
                    answer.error = body[:200].decode("utf-8", "replace")
                elif not page:
                    data = json.loads(body)
                    answer.generation, answer.total = data["generation"], data["total"]
            except Exception as exc:  # noqa: BLE001 - every failure is counted, none ends the client
                answer = Answer(time.time(), q, 0, error=repr(exc))
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            out.append(answer)
        conn.close()

    def first_answer_from(self, generation: str) -> float:
        """When the first answer from ``generation`` arrived (waits for it)."""
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            assert any(t.is_alive() for t in self.threads), "every client stopped"
            times = [
                a.at for answers in self.answers for a in answers if a.generation == generation
            ]
            if times:
                return min(times)
            time.sleep(0.05)
        raise AssertionError(f"{generation} was not served within {PATIENCE_S} s")


def switched_at(index: Path) -> float:
    """When CURRENT was last replaced: switch_current writes CURRENT.tmp, then renames it."""
    return (index / layout.CURRENT).stat().st_mtime


def test_rebuild_and_incremental_update_under_load_lose_no_request(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    first = run_index(corpus, index)
    server = Server("--host", "127.0.0.1", "--port", "0", "--index", str(index), "--workers", "4")
    load = Load(server.url)
    try:
        load.start()
        load.first_answer_from(first.generation)

        rebuilt = run_index(corpus, index)  # a full rebuild while the clients query
        switched = switched_at(index)
        rebuilt_at = load.first_answer_from(rebuilt.generation)

        add_document(corpus, "new.txt")
        updated = run_index(corpus, index, "--incremental")
        switched_again = switched_at(index)
        updated_at = load.first_answer_from(updated.generation)
        time.sleep(1)  # a little load on the updated generation too
    finally:
        answers = load.finish()
        server.kill()

    failed = [a for a in answers if a.status != 200]
    assert not failed, failed[:5]
    assert len({first.generation, rebuilt.generation, updated.generation}) == 3
    assert rebuilt.documents == first.documents and updated.documents == first.documents + 1
    # the added document is the seed's text plus NEW_WORD: it matches 地瓜经济 too
    seed = next(a.total for a in answers if a.q == "地瓜经济" and a.generation == first.generation)
    assert seed > 0
    expected = {
        first.generation: {"": first.documents, NEW_WORD: 0, "地瓜经济": seed},
        rebuilt.generation: {"": rebuilt.documents, NEW_WORD: 0, "地瓜经济": seed},
        updated.generation: {"": updated.documents, NEW_WORD: 1, "地瓜经济": seed + 1},
    }
    for answer in answers:
        if not answer.q.startswith("page:"):
            # every answer comes whole from one of the generations: its totals are that one's
            assert answer.generation in expected, answer
            assert answer.total == expected[answer.generation][answer.q], answer
    order = [first.generation, rebuilt.generation, updated.generation]
    for client in load.answers:
        # one engine per server: once a client saw a newer generation it never sees an older one
        seen = [order.index(a.generation) for a in client if a.generation]
        assert seen == sorted(seen)
    by_generation = {g: sum(a.generation == g for a in answers) for g in order}
    assert all(by_generation.values()), by_generation
    assert rebuilt_at - switched < SWITCH_BOUND_S and updated_at - switched_again < SWITCH_BOUND_S
    print(
        f"\nrebuild under load: {len(answers)} requests, {len(failed)} failed; per generation "
        f"{list(by_generation.values())}; new generation served "
        f"{rebuilt_at - switched:.2f} s / {updated_at - switched_again:.2f} s after the switch"
    )


# --- kill -9 during a build ------------------------------------------------------------------

PAUSED_INDEX = """
    import os, sys, time
    from indexer import docstore, extract
    from indexer.whoosh import layout
    from indexer.cli import main

    point = sys.argv[1]

    def pause():
        print(f"paused at {point} in {os.getpid()}", flush=True)
        time.sleep(600)  # killed long before

    if point == "extract":  # in a build worker, before its first file is extracted
        def extract_source(source, **kwargs):
            pause()
        extract.extract_source = extract_source
    elif point == "write":  # the first batch of documents stored, whoosh segments being written
        put_packed = docstore.DocStore.put_packed
        def put_and_pause(self, rows):
            put_packed(self, rows)
            if rows:
                pause()
        docstore.DocStore.put_packed = put_and_pause
    elif point == "switch":  # the new generation complete and fsynced, CURRENT not yet replaced
        layout.switch_current = lambda *args: pause()
    main(sys.argv[2:], prog_name="govsearch")
"""


class PausedBuild:
    """``govsearch index`` stopped at ``point``, in its own process group (with its workers)."""

    def __init__(self, point: str, corpus: Path, index: Path, *extra: str):
        args = ["index", "--corpus", str(corpus), "--index", str(index), "--workers", "2", *extra]
        self.process = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(PAUSED_INDEX), point, *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_environ(),
            start_new_session=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # blocks until paused (or the process ended)
        assert line.startswith(f"paused at {point}"), line + self.process.stdout.read()

    def kill(self, *, group: bool) -> None:
        """SIGKILL the builder alone (its workers are orphaned) or its whole process group."""
        if group:
            os.killpg(self.process.pid, signal.SIGKILL)
        else:
            self.process.kill()
        self.process.wait()

    def group_members(self) -> list[int]:
        """Live (not zombie) processes of the build's process group: the builder's workers."""
        members = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # exited meanwhile
            if int(fields[2]) == self.process.pid and fields[0] != "Z":
                members.append(int(stat.parent.name))
        return members

    def cleanup(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # orphaned workers, if any
        except ProcessLookupError:
            pass
        self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


@dataclass
class Served:
    corpus: Path
    index: Path
    server: Server

    def search(self, q: str) -> tuple[str, int]:
        status, body = self.server.get("/api/search?" + urlencode({"q": q, "size": 1}))
        assert status == 200, body
        return body["generation"], body["total"]

    def wait_for(self, generation: str) -> None:
        deadline = time.monotonic() + PATIENCE_S
        while self.search("")[0] != generation:
            assert time.monotonic() < deadline, f"{generation} not served"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("reliability")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(CORPUS, corpus)
    run_index(corpus, index)
    server = Server("--host", "127.0.0.1", "--port", "0", "--index", str(index))
    yield Served(corpus, index, server)
    server.kill()


CRASHES = [
    # (point, incremental, kill the whole process group?)
    ("extract", False, False),  # the builder dies alone: its workers must exit by themselves
    ("extract", True, True),
    ("write", False, True),
    ("write", True, False),
    ("switch", False, False),
    ("switch", True, True),
]


@pytest.mark.parametrize(("point", "incremental", "group"), CRASHES)
def test_kill_9_during_a_build_keeps_the_old_index_serving(
    served: Served, point: str, incremental: bool, group: bool
) -> None:
    old = layout.current_name(served.index)
    assert old is not None
    served.wait_for(old)
    documents = served.search("")[1]
    extra: tuple[str, ...] = ()
    if incremental:
        # something to update, else an incremental run writes no generation at all
        add_document(served.corpus, f"{point}-{int(group)}.txt")
        extra = ("--incremental",)
    build = PausedBuild(point, served.corpus, served.index, *extra)
    try:
        half_built = [g.name for g in layout.generations(served.index) if g.name != old]
        assert len(half_built) == 1, half_built
        builder = build.process.pid
        build.kill(group=group)
        if not group:
            # orphaned workers leave by themselves (they used to hang for good, see build.py)
            deadline = time.monotonic() + PATIENCE_S
            while members := build.group_members():
                assert time.monotonic() < deadline, f"orphaned build workers {members} linger"
                time.sleep(0.2)

        assert layout.current_name(served.index) == old
        assert served.search("") == (old, documents)  # the running server still answers
        assert served.server.get("/healthz")[1]["generation"] == old
        holder = json.loads((served.index / "write.lock").read_text(encoding="utf-8"))
        assert holder["pid"] == builder  # the dead builder's lock is left behind…
        with pytest.raises(ProcessLookupError):
            os.kill(builder, 0)

        after = run_index(served.corpus, served.index, *extra)  # …and taken over, no cleanup
        assert f"took over the lock of PID {builder}" in after.summary
    finally:
        build.cleanup()
    served.wait_for(after.generation)
    assert served.search("")[1] == after.documents
    assert after.documents == documents + incremental
    assert served.search(NEW_WORD)[1] == len(list(served.corpus.glob("added/*.txt")))
    assert half_built[0] not in [g.name for g in layout.generations(served.index)]
    assert (served.index / "write.lock").read_text(encoding="utf-8") == ""


# --- two writers ---------------------------------------------------------------------------


def test_a_second_writer_exits_at_once_and_a_dead_writers_lock_is_taken_over(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    build = PausedBuild("extract", corpus, index)
    try:
        started = time.monotonic()
        second = subprocess.run(
            [*CLI, "index", "--corpus", str(corpus), "--index", str(index)],
            capture_output=True,
            text=True,
            env=_environ(),
            timeout=PATIENCE_S,
        )
        waited = time.monotonic() - started
        assert build.process.poll() is None  # it did not wait for the first writer to finish
        assert second.returncode == 3, second.stdout + second.stderr
        message = second.stderr.strip()
        assert re.fullmatch(
            rf"govsearch: index is being written by PID {build.process.pid} since "
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(lock .*write\.lock\)",
            message,
        ), message
        assert second.stdout == ""
        build.kill(group=True)
    finally:
        build.cleanup()
    assert (
        json.loads((index / "write.lock").read_text(encoding="utf-8"))["pid"] == build.process.pid
    )
    third = run_index(corpus, index)
    assert f"took over the lock of PID {build.process.pid}" in third.summary
    assert layout.current_name(index) == third.generation
    assert [g.name for g in layout.generations(index)] == [third.generation]
    assert (index / "write.lock").read_text(encoding="utf-8") == ""
    print(f"\nsecond writer refused in {waited:.2f} s: {message}")
