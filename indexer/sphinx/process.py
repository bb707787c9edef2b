"""Running Sphinx's programs: ``indexer`` to build a shard, ``searchd`` to serve one.

``searchd`` daemonizes, so it is not our child: it is found by the pid file its config names
(inside the index dir) and stopped by that PID, never by name. Only nodes on this machine
(``Node.is_local``) are started; remote shards are their own machine's business.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from ..errors import GovsearchError
from .cluster import Cluster, Node


class SphinxUnavailableError(
    GovsearchError,
    code="search_unavailable",
    http_status=503,
    public_message="the search service does not answer: try again later",
):
    """Sphinx's programs are missing, or a searchd did not start or does not answer."""


def binaries_available() -> bool:
    return bool(shutil.which("searchd") and shutil.which("indexer"))


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise SphinxUnavailableError(
            f"'{program}' not found: install Sphinx (apt-get install sphinxsearch) or Manticore"
        )
    return path


def running_pid(cluster: Cluster, node: Node) -> int | None:
    """The PID of the searchd serving ``node`` on this machine, if it is alive."""
    try:
        pid = int(cluster.pid_path(node).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    # a stale pid file may name a PID the system has since given to another program
    if b"searchd" not in cmdline:
        return None
    return pid


def _answers(node: Node, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection((node.host, node.sql_port), timeout=timeout):
            return True
    except OSError:
        return False


def start_searchd(cluster: Cluster, *, timeout: float = 15.0) -> list[int]:
    """Start every local node's searchd that is not running (shards first); their PIDs."""
    searchd = _require("searchd")
    todo = [n for n in cluster.nodes if n.is_local and running_pid(cluster, n) is None]
    started: list[int] = []
    try:
        for node in todo:
            started.append(_start_one(searchd, cluster, node, timeout))
    except BaseException:
        # a failure, or Ctrl-C/SIGTERM half-way (also while one is starting): stop ours
        pids = [running_pid(cluster, n) for n in todo]
        stop_searchd(cluster, [p for p in pids if p is not None])
        raise
    return started


def _start_one(searchd: str, cluster: Cluster, node: Node, timeout: float) -> int:
    proc = subprocess.run(
        [searchd, "--config", os.fspath(cluster.conf_path(node))],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    deadline = time.monotonic() + timeout
    pid = running_pid(cluster, node)
    while (pid is None or not _answers(node)) and time.monotonic() < deadline:
        time.sleep(0.05)
        pid = running_pid(cluster, node)
    if pid is None or not _answers(node):
        detail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        raise SphinxUnavailableError(
            f"searchd for {node.name} did not start on {node.host}:{node.sql_port}: "
            + " / ".join(detail)
        )
    return pid


def stop_searchd(cluster: Cluster, pids: list[int], *, timeout: float = 10.0) -> None:
    """Stop the searchd processes ``pids`` (SIGTERM, then SIGKILL after ``timeout``).

    The pid file names the serving process; its parent is searchd's watchdog, which restarts a
    child that dies of a signal other than SIGTERM, so a SIGKILL goes to the watchdog first.
    """
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + timeout
    for pid in pids:
        family = [p for p in (_searchd_parent(pid), pid) if p is not None]
        while any(_alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        for victim in family:
            if _alive(victim):
                os.kill(victim, signal.SIGKILL)


def _searchd_parent(pid: int) -> int | None:
    try:
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        cmdline = Path(f"/proc/{ppid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return ppid if ppid > 1 and b"searchd" in cmdline else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose (searchd is not our child; init reaps it)
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def build_shards(cluster: Cluster, *, timeout: float | None = None) -> None:
    """Build every shard, all at once (one ``indexer`` process each: a core each); a shard whose
    searchd runs here is rotated in (``--rotate``).

    Ranking uses each shard's own document frequencies. Sphinx's ``global_idf`` would make them
    collection-wide, but 2.2.11 then ignores ``OPTION idf='plain'`` (measured: the weights stay
    those of the "normalized" idf, negative for words in more than half of the documents, which
    ranks documents with more occurrences of a common word lower). With shards split by a hash
    of the id, each shard's frequencies approach the collection's as the shards grow.
    """
    indexer = _require("indexer")
    jobs = []
    for node in cluster.shards:
        live = node.is_local and running_pid(cluster, node) is not None
        cmd = [indexer, "--config", os.fspath(cluster.conf_path(node)), "--all"]
        proc = subprocess.Popen(
            cmd + (["--rotate"] if live else []),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        jobs.append((node, live, proc))
    failures = []
    for node, live, proc in jobs:
        out, _ = proc.communicate(timeout=timeout)
        if proc.returncode != 0 or "FATAL" in out or "ERROR:" in out:
            errors = [ln for ln in out.splitlines() if "ERROR" in ln or "FATAL" in ln]
            failures.append(f"{node.name}: " + " / ".join(errors or out.splitlines()[-3:]))
        elif live:
            _wait_rotated(cluster, node)
    if failures:
        raise SphinxUnavailableError("indexer failed for " + "; ".join(failures))


def _wait_rotated(cluster: Cluster, node: Node, timeout: float = 60.0) -> None:
    """Rotation is asynchronous: searchd renames the ``.new`` files when it gets to them."""
    data = cluster.node_dir(node) / "data"
    deadline = time.monotonic() + timeout
    while any(p.name.split(".")[-2:-1] == ["new"] for p in data.iterdir()):
        if time.monotonic() > deadline:
            raise SphinxUnavailableError(f"searchd for {node.name} did not rotate in {timeout} s")
        time.sleep(0.05)


def free_port_range(count: int) -> int:
    """A port p such that p .. p+count-1 are all free on 127.0.0.1 (for tests and benchmarks
    that start whole clusters on loopback; a real deployment names its ports)."""
    for _ in range(200):
        base = random.randrange(20000, 60000, 2)
        socks = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free loopback ports")
