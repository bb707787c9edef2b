"""What a Sphinx index directory describes: its shards, its front, where each one listens.

The description is ``INDEX_DIR/sphinx.json`` (its presence is what marks the directory as a Sphinx
index, see ``indexer.engines``). Everything else is derived from it: each shard's and the front's
``searchd`` config, the paths of their data, pid and log files (all inside the index dir, so one
directory is one deployable unit and nothing is written to /var).

    INDEX_DIR/
      sphinx.json            this description
      docs.sqlite            the documents (snippets, /doc pages), replaced atomically on rebuild
      meta.json              build time, counts, analyzer version
      shard-<k>/
        searchd.conf         source + index + searchd sections of shard k
        docs.tsv             what ``indexer`` reads through tsvpipe (segmented text, attributes)
        data/                the Sphinx index files
        searchd.pid, searchd.log, query.log, binlog/
      front/
        searchd.conf         the ``type = distributed`` index: one agent per shard
        searchd.pid, searchd.log, query.log, binlog/
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IndexMissingError, SettingError

CLUSTER_FILE = "sphinx.json"
DOCSTORE = "docs.sqlite"
META = "meta.json"
SHARD_INDEX = "shard{k}"  # the Sphinx index name inside shard k's searchd
FRONT_INDEX = "govsearch"  # the distributed index every query goes to
DEFAULT_BASE_PORT = 9312
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
AGENT_FAILURE_MODES = ("warn", "error")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})")


class SphinxConfigError(SettingError, code="sphinx_config"):
    """The Sphinx cluster description is invalid or cannot be used."""


@dataclass(frozen=True)
class Node:
    """One ``searchd``: where it listens (native API port for agents, SphinxQL port for us)."""

    name: str  # "shard-0" …, or "front"
    host: str
    api_port: int  # the native protocol: the front's agents talk to the shards on this port
    sql_port: int  # mysql41 protocol: SphinxQL

    @property
    def is_local(self) -> bool:
        return self.host in LOCAL_HOSTS


@dataclass(frozen=True)
class Cluster:
    index_dir: Path
    shards: tuple[Node, ...]
    front: Node
    #: what a query answers when a shard's agent is down: "warn" (partial results + warning)
    #: or "error" (the whole query fails)
    agent_failure: str = "warn"
    #: milliseconds: a dead shard must not stall a query (see the README, "Scaling out")
    connect_timeout_ms: int = 300
    query_timeout_ms: int = 3000

    def node_dir(self, node: Node) -> Path:
        return self.index_dir / node.name

    def conf_path(self, node: Node) -> Path:
        return self.node_dir(node) / "searchd.conf"

    def pid_path(self, node: Node) -> Path:
        return self.node_dir(node) / "searchd.pid"

    def index_path(self, k: int) -> Path:
        """Shard k's Sphinx index files without their extension (``path`` in its config)."""
        return self.node_dir(self.shards[k]) / "data" / SHARD_INDEX.format(k=k)

    @property
    def docstore_path(self) -> Path:
        return self.index_dir / DOCSTORE

    @property
    def nodes(self) -> tuple[Node, ...]:
        return (*self.shards, self.front)

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": "sphinx",
            "shards": [dataclasses.asdict(n) for n in self.shards],
            "front": dataclasses.asdict(self.front),
            "agent_failure": self.agent_failure,
            "connect_timeout_ms": self.connect_timeout_ms,
            "query_timeout_ms": self.query_timeout_ms,
        }

    def save(self) -> None:
        path = self.index_dir / CLUSTER_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)


def plan_cluster(
    index_dir: Path,
    shards: int,
    *,
    hosts: list[str] | None = None,
    base_port: int = DEFAULT_BASE_PORT,
    front_host: str = "127.0.0.1",
    agent_failure: str = "warn",
) -> Cluster:
    """A new cluster: shard k on ``hosts[k % len(hosts)]``, ports counted up from ``base_port``.

    Shard k listens on base_port + 2k (API) and + 2k + 1 (SphinxQL); the front on the next two.
    Distinct ports even across hosts keep a one-machine test cluster and a real one the same shape.
    """
    if shards < 1:
        raise SphinxConfigError("--shards must be at least 1")
    if agent_failure not in AGENT_FAILURE_MODES:
        raise SphinxConfigError(f"agent_failure must be one of {', '.join(AGENT_FAILURE_MODES)}")
    hosts = hosts or ["127.0.0.1"]
    for host in (*hosts, front_host):
        # a host is written into the configs as host:port; anything else would break their lines
        if not _HOST.fullmatch(host):
            raise SphinxConfigError(f"{host!r} is not a host name or IPv4 address")
    nodes = tuple(
        Node(f"shard-{k}", hosts[k % len(hosts)], base_port + 2 * k, base_port + 2 * k + 1)
        for k in range(shards)
    )
    front = Node("front", front_host, base_port + 2 * shards, base_port + 2 * shards + 1)
    return Cluster(Path(index_dir).resolve(), nodes, front, agent_failure=agent_failure)


def is_sphinx_dir(index_dir: Path | str) -> bool:
    return (Path(index_dir) / CLUSTER_FILE).is_file()


def load_cluster(index_dir: Path | str) -> Cluster:
    index_dir = Path(index_dir).resolve()
    try:
        data = json.loads((index_dir / CLUSTER_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexMissingError(
            f"no Sphinx index at {index_dir}: run 'govsearch index --backend sphinx' first"
        ) from None
    try:
        return Cluster(
            index_dir,
            tuple(Node(**n) for n in data["shards"]),
            Node(**data["front"]),
            agent_failure=data.get("agent_failure", "warn"),
            connect_timeout_ms=int(data.get("connect_timeout_ms", 300)),
            query_timeout_ms=int(data.get("query_timeout_ms", 3000)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SphinxConfigError(f"{index_dir / CLUSTER_FILE} is invalid: {exc}") from None
