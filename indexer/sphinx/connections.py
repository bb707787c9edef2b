"""SphinxQL connections to a cluster: the front's distributed index and each shard directly.

Connections are kept per thread (pymysql connections are not thread-safe) and retried once on a
new connection when a kept one was dropped (searchd drops a SphinxQL connection idle for
``client_timeout``, and a restarted searchd drops them all). A shard that does not answer within
the front's agent timeouts gives a warning (``agent_failure = "warn"``) or fails the query
(``"error"``), whether the front or this module noticed it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pymysql

from .cluster import FRONT_INDEX, Cluster, Node
from .process import SphinxUnavailableError

_ESCAPES = str.maketrans({"\\": "\\\\", "'": "\\'"})


class ShardUnavailableError(SphinxUnavailableError):
    """A shard (or the front) did not answer and the index dir says to fail, not to warn."""


class _ShardFailed(Exception):
    def __init__(self, node: Node, reason: str):
        super().__init__(reason)
        self.detail = f"{node.name} at {node.host}, ports {node.api_port}/{node.sql_port}: {reason}"


def quote(value: str) -> str:
    """A SphinxQL string literal."""
    return "'" + value.translate(_ESCAPES) + "'"


def connect(
    node: Node, connect_s: float, read_s: float, write_s: float
) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=node.host,
        port=node.sql_port,
        user="",
        charset="utf8",
        autocommit=True,
        connect_timeout=connect_s,
        read_timeout=read_s,
        write_timeout=write_s,
    )


class Connections:
    """Every SphinxQL connection of one engine; ``close()`` closes them all."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[pymysql.connections.Connection] = []
        # the shards of a ranked query are asked in parallel, for several requests at once
        self._pool = ThreadPoolExecutor(
            max_workers=min(64, 8 * len(cluster.shards)), thread_name_prefix="shard"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        with self._lock:
            for conn in self._open:
                try:
                    conn.close()
                except pymysql.Error:
                    pass
            self._open.clear()

    def _kept(self, conn: pymysql.connections.Connection) -> pymysql.connections.Connection:
        with self._lock:
            self._open.append(conn)
        return conn

    def _forget(self, conn: pymysql.connections.Connection) -> None:
        """Close a broken connection (the caller drops its thread's reference)."""
        with self._lock:
            if conn in self._open:
                self._open.remove(conn)
        try:
            conn.close()
        except pymysql.Error:
            pass  # already broken: nothing to say goodbye to

    # --- the front ---

    def _front(self) -> pymysql.connections.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and conn.open:
            return conn
        front = self.cluster.front
        try:
            # the front waits at most agent_query_timeout for the shards, then answers
            conn = connect(front, 2, max(2, self.cluster.query_timeout_ms // 1000 + 2), 2)
        except pymysql.Error as exc:
            raise SphinxUnavailableError(
                f"the search front {front.host}:{front.sql_port} does not answer "
                f"({exc.args[-1]}): 'govsearch serve' starts the local searchd processes, "
                f"or run searchd --config {self.cluster.conf_path(front)}"
            ) from None
        self._local.conn = conn
        return self._kept(conn)

    def query(self, sql: str, warnings: list[str]) -> tuple[list[list[tuple]], dict[str, str]]:
        """Result sets of ``sql`` on the front (one per FACET) and its SHOW META."""
        for attempt in (1, 2):
            conn = self._front()
            try:
                with conn.cursor() as cur:
                    cur.execute(sql)
                    sets = [list(cur.fetchall())]
                    while cur.nextset():
                        sets.append(list(cur.fetchall()))
                    cur.execute("SHOW META")
                    meta = {str(k): str(v) for k, v in cur.fetchall()}
                break
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
                self._local.conn = None
                self._forget(conn)
                if attempt == 2:
                    raise SphinxUnavailableError(
                        f"the search front failed: {exc.args[-1]}"
                    ) from None
            except pymysql.err.ProgrammingError as exc:
                message = str(exc.args[-1]).rstrip("\x00")
                if "agent" in message:
                    raise ShardUnavailableError(f"no shard answered: {message}") from None
                raise
        if "warning" in meta and "agent" in meta["warning"]:
            self._shards_failed(
                meta["warning"].replace("index " + FRONT_INDEX + ": ", ""), True, warnings
            )
        return sets, meta

    def _shards_failed(self, detail: str, some_answered: bool, warnings: list[str]) -> None:
        """A warning, or ShardUnavailableError when no shard answered or the dir says so."""
        if not some_answered:
            raise ShardUnavailableError(f"no shard answered: {detail}")
        if self.cluster.agent_failure == "error":
            raise ShardUnavailableError(f"a shard did not answer: {detail}")
        message = f"partial results: a shard did not answer ({detail})"
        if message not in warnings:
            warnings.append(message)

    # --- the shards ---

    def on_shards(
        self, call: Callable[[int, Any], Any], shards: Any, warnings: list[str]
    ) -> dict[int, Any]:
        """``call(k, cursor)`` on each shard k in parallel; a shard that fails is reported as
        the front reports a dead agent (a warning, or ShardUnavailableError)."""
        futures = {k: self._pool.submit(self._on_shard, k, call) for k in shards}
        answers: dict[int, Any] = {}
        failed: list[str] = []
        for k, future in futures.items():
            try:
                answers[k] = future.result()
            except _ShardFailed as exc:
                failed.append(exc.detail)
        if failed:
            self._shards_failed("; ".join(failed), bool(answers), warnings)
        return answers

    def _on_shard(self, k: int, call: Callable[[int, Any], Any]) -> Any:
        node = self.cluster.shards[k]
        for attempt in (1, 2):
            conn = None
            try:
                conn = self._shard(node)
                with conn.cursor() as cur:
                    return call(k, cur)
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError) as exc:
                # a kept connection dropped by a restarted searchd: retry once on a new one
                if conn is not None:
                    self._local.__dict__.get("shards", {}).pop(node.name, None)
                    self._forget(conn)
                if attempt == 2 or conn is None:
                    raise _ShardFailed(node, str(exc.args[-1] if exc.args else exc)) from None
        raise AssertionError("unreachable")

    def _shard(self, node: Node) -> pymysql.connections.Connection:
        conns = self._local.__dict__.setdefault("shards", {})
        conn = conns.get(node.name)
        if conn is not None and conn.open:
            return conn
        # the front's agent timeouts: a dead or frozen shard costs this much, no more
        query_s = self.cluster.query_timeout_ms / 1000
        conn = connect(node, self.cluster.connect_timeout_ms / 1000, query_s, query_s)
        conns[node.name] = conn
        return self._kept(conn)
