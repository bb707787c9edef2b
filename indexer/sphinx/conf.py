"""The ``searchd``/``indexer`` config files of a cluster: one per shard, one for the front.

Written for Sphinx 2.2.11 (Debian's ``sphinxsearch``) and kept to what Manticore also accepts
(see the README, "Scaling out"). Every path is inside the index dir.
"""

from __future__ import annotations

import shlex
import unicodedata
from pathlib import Path

from .cluster import FRONT_INDEX, SHARD_INDEX, Cluster, Node, SphinxConfigError
from .feed import COLUMNS

#: CJK declared as word characters, so Sphinx keeps each of our space-separated tokens whole:
#: unified ideographs, extension A, compatibility ideographs, extension B; digits and Latin
#: letters (our analyzer lower-cases already; the mapping keeps Sphinx consistent anyway)
CHARSET_TABLE = (
    "0..9, A..Z->a..z, a..z, U+00C0..U+024F, U+3400..U+4DBF, U+4E00..U+9FFF, "
    "U+F900..U+FAFF, U+20000..U+2A6DF"
)


def config_path(path: Path) -> str:
    """``path`` as a config value, or SphinxConfigError for one the config cannot hold.

    Sphinx's config parser has no quoting: a value runs to the end of its line, ``#`` starts a
    comment anywhere and a trailing backslash continues the line. Spaces and Chinese characters
    are fine there (the value is taken whole, as bytes); a path that goes through a shell is
    quoted where it is used (``tsvpipe_command``).
    """
    text = str(path)
    bad = sorted({ch for ch in text if ch in "#\\" or unicodedata.category(ch) == "Cc"})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise SphinxConfigError(
            f"index directory {text!r} holds {shown}, which a Sphinx config cannot hold: "
            "choose another directory"
        )
    return text


def _block(kind: str, name: str, lines: list[str]) -> str:
    # one directive per line: Sphinx's config parser rejects "name { key = value }" on one line
    body = "".join(f"    {line}\n" for line in lines)
    return f"{kind} {name}".rstrip() + f"\n{{\n{body}}}\n"


def _searchd(cluster: Cluster, node: Node, listens: list[str]) -> str:
    d = cluster.node_dir(node)
    return _block(
        "searchd",
        "",
        [
            *(f"listen = {spec}" for spec in listens),
            f"log = {config_path(d / 'searchd.log')}",
            f"query_log = {config_path(d / 'query.log')}",
            f"pid_file = {config_path(cluster.pid_path(node))}",
            f"binlog_path = {config_path(d)}",
            # a client that stops talking is dropped instead of holding a worker thread
            "read_timeout = 5",
            "client_timeout = 60",
            # --rotate swaps the new files in without stopping answering queries
            "seamless_rotate = 1",
            "preopen_indexes = 1",
            "unlink_old = 1",
        ],
    )


def tsv_path(cluster: Cluster, node: Node) -> Path:
    return cluster.node_dir(node) / "docs.tsv"


def shard_conf(cluster: Cluster, k: int) -> str:
    node = cluster.shards[k]
    index = SHARD_INDEX.format(k=k)
    source = _block(
        "source",
        f"src{k}",
        [
            "type = tsvpipe",
            # searchd's indexer runs this through a shell: the path is one quoted word
            f"tsvpipe_command = cat {shlex.quote(config_path(tsv_path(cluster, node)))}",
            *(f"{decl} = {name}" for name, decl in COLUMNS),
        ],
    )
    idx = _block(
        "index",
        index,
        [
            f"source = src{k}",
            f"path = {config_path(cluster.index_path(k))}",
            "dict = keywords",
            f"charset_table = {CHARSET_TABLE}",
            # single characters are words in Chinese (市, 区, 县)
            "min_word_len = 1",
            # bm25f() in the ranking expression needs the per-field lengths
            "index_field_lengths = 1",
        ],
    )
    indexer = _block("indexer", "", ["mem_limit = 256M"])
    listens = [f"{node.host}:{node.api_port}", f"{node.host}:{node.sql_port}:mysql41"]
    return source + "\n" + idx + "\n" + indexer + "\n" + _searchd(cluster, node, listens)


def front_conf(cluster: Cluster) -> str:
    agents = [
        f"agent = {n.host}:{n.api_port}:{SHARD_INDEX.format(k=k)}"
        for k, n in enumerate(cluster.shards)
    ]
    idx = _block(
        "index",
        FRONT_INDEX,
        [
            "type = distributed",
            *agents,
            # a shard that is down must cost a fraction of a second, not the client's patience
            f"agent_connect_timeout = {cluster.connect_timeout_ms}",
            f"agent_query_timeout = {cluster.query_timeout_ms}",
        ],
    )
    front = cluster.front
    listens = [f"{front.host}:{front.api_port}", f"{front.host}:{front.sql_port}:mysql41"]
    return idx + "\n" + _searchd(cluster, front, listens)


def write_confs(cluster: Cluster) -> None:
    for k, node in enumerate(cluster.shards):
        (cluster.node_dir(node) / "data").mkdir(parents=True, exist_ok=True)
        cluster.conf_path(node).write_text(shard_conf(cluster, k), encoding="utf-8")
    cluster.node_dir(cluster.front).mkdir(parents=True, exist_ok=True)
    cluster.conf_path(cluster.front).write_text(front_conf(cluster), encoding="utf-8")
