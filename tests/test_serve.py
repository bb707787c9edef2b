"""``govsearch serve`` as a real process: builds a missing index, serves, follows a rebuild, and
exits 0 on SIGTERM or Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from indexer.cli import main
from indexer.errors import AnalyzerMismatchError
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine
from webui.serve import ensure_index

STARTUP_TIMEOUT_S = 180  # a cold build of corpus/ plus jieba's dictionary on a busy 2-core CI


class Server:
    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from indexer.cli import main; main()", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={"PYTHONUNBUFFERED": "1", **_environ()},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, "".join(self.output)
                continue
            self.output.append(line)
            if "serving" in line and "http://" in line:
                return line[line.index("http://") :].strip()
        raise AssertionError("no URL printed:\n" + "".join(self.output))

    def get(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.load(error)

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=60)
        self.process.stdout.close()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GOVSEARCH_")}


@pytest.fixture
def serve() -> Iterator:
    servers: list[Server] = []

    def start(*args: str) -> Server:
        servers.append(Server("--host", "127.0.0.1", "--port", "0", *args))
        return servers[-1]

    yield start
    for server in servers:
        server.kill()


def test_serve_builds_the_index_serves_follows_a_rebuild_and_stops_on_sigterm(serve, tmp_path):
    index = tmp_path / "index"
    server = serve("--corpus", str(CORPUS), "--index", str(index), "--workers", "2")
    assert any("building" in line for line in server.output)
    assert server.url.startswith("http://127.0.0.1:")

    status, health = server.get("/healthz")
    assert status == 200 and health["status"] == "ok" and health["documents"] > 0
    status, body = server.get("/api/search?q=" + quote("地瓜经济"))
    assert status == 200 and "13号提案" in body["hits"][0]["title"]
    status, error = server.get("/api/search?size=100000")
    assert status == 400 and "size" in error["error"]["message"]

    # clients keep querying while the index is rebuilt into the same directory
    stop, answers, failures = threading.Event(), [], []

    def query() -> None:
        for _ in range(2000):  # bounded; normally stopped by the event long before
            if stop.is_set():
                return
            try:
                status, body = server.get("/api/search?q=" + quote("通知"))
                (answers if status == 200 and body["total"] > 0 else failures).append(status)
            except OSError as exc:
                failures.append(repr(exc))

    client = threading.Thread(target=query)
    client.start()
    try:
        new_generation = build_index(CORPUS, index, workers=1, progress=False).generation
        deadline = time.monotonic() + 30
        while server.get("/healthz")[1]["generation"] != new_generation:
            assert time.monotonic() < deadline, "the new generation was not picked up"
            time.sleep(0.1)
    finally:
        stop.set()
        client.join(timeout=60)
    assert new_generation != health["generation"]
    assert answers and not failures

    assert server.stop(signal.SIGTERM) == 0
    rest = []
    while not server.lines.empty():
        rest.append(server.lines.get())
    assert any("stopped" in line for line in rest), "".join(rest)


def test_serve_stops_on_ctrl_c_with_an_existing_index(serve, sample_index):
    server = serve("--index", str(sample_index))
    assert not any("building" in line for line in server.output)
    assert server.get("/healthz")[1]["status"] == "ok"
    assert server.stop(signal.SIGINT) == 0


def test_sigterm_during_the_first_build_leaves_no_half_index(tmp_path):
    index = tmp_path / "index"
    process = subprocess.Popen(
        [sys.executable, "-c", "from indexer.cli import main; main()", "serve", "--port", "0",
         "--corpus", str(CORPUS), "--index", str(index)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_environ(),
    )  # fmt: skip
    with process:
        for line in process.stdout:
            if "building" in line:
                process.send_signal(signal.SIGTERM)
                break
        output = process.stdout.read()
        assert process.wait(timeout=60) == 130, output
    assert "interrupted" in output and "Traceback" not in output
    assert not (index / "CURRENT").exists()
    assert not list(index.glob("gen-*"))


def test_serve_without_index_or_corpus_fails_with_one_line(tmp_path: Path):
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none"), "--port", "0"])
    assert result.exit_code == 2
    assert "--corpus" in result.output and "Traceback" not in result.output


def test_serve_help_names_the_environment_variables():
    result = CliRunner().invoke(main, ["serve", "--help"])
    for name in ("INDEX", "CORPUS", "HOST", "PORT", "WORKERS"):
        assert f"GOVSEARCH_{name}" in result.output


def test_serve_rebuilds_an_index_of_another_format_from_the_corpus(tmp_path):
    """The README's run command on a machine holding an index from an older govsearch: it is
    rebuilt from --corpus (without --corpus the refusal says what to run)."""

    index = tmp_path / "index"
    build_index(CORPUS, index, progress=False)
    old = layout.current_generation(index)
    meta = json.loads((old / layout.META).read_text(encoding="utf-8"))
    meta["schema_version"] = "older"
    (old / layout.META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(AnalyzerMismatchError, match="rebuild with govsearch index"):
        ensure_index(index, "", print)
    said: list[str] = []
    ensure_index(index, str(CORPUS), said.append)
    assert "another index format" in said[0] and "rebuilding it" in said[0]
    assert layout.current_generation(index) != old
    with SearchEngine(index) as engine:
        assert engine.stats()["documents"] == 41
