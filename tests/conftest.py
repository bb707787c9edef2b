from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_CORPORA = REPO.parent / "shared" / "corpora"
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """../shared/corpora, read-only; tests that need it skip cleanly when it is absent."""
    if not SHARED_CORPORA.is_dir():
        pytest.skip("../shared/corpora is not available")
    return SHARED_CORPORA


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the repo's ``corpus/`` (built once per session); returns the index dir."""
    from indexer.whoosh.build import build_index

    index_dir = tmp_path_factory.mktemp("sample_index")
    build_index(CORPUS, index_dir, progress=False)
    return index_dir


#: the laws are 61 MB (a minute to index): the shared index takes one small folder of them
SHARED_LAWS_SLICE = "lawrefbook-laws/宪法"


@pytest.fixture(scope="session")
def shared_index(shared_corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of ../shared/corpora without lawrefbook-laws except SHARED_LAWS_SLICE.

    Built from a tmp copy with the same layout, so document ids equal those of an index of
    ../shared/corpora itself. Returns the index dir.
    """
    from indexer.whoosh.build import build_index

    copy = tmp_path_factory.mktemp("shared_corpora")
    for child in shared_corpora.iterdir():
        if child.is_dir() and child.name != "lawrefbook-laws":
            shutil.copytree(child, copy / child.name)
    shutil.copytree(shared_corpora / SHARED_LAWS_SLICE, copy / SHARED_LAWS_SLICE)
    index_dir = tmp_path_factory.mktemp("shared_index")
    build_index(copy, index_dir, progress=False)
    return index_dir


@pytest.fixture(scope="session")
def api_client(sample_index: Path):
    """A Flask test client of the whole app (API + pages) over ``sample_index``."""
    from webui.app import close_engine, create_app

    app = create_app({"INDEX": str(sample_index), "TESTING": True})
    yield app.test_client()
    close_engine(app)


@contextmanager
def running_cluster(corpus: Path, index_dir: Path, shards: int = 2) -> Iterator:
    """A Sphinx index of ``corpus`` in ``index_dir`` with its searchd processes running (the
    caller skips where Sphinx is not installed: ``indexer.sphinx.process.binaries_available``)."""
    from indexer.sphinx.build import build_sphinx
    from indexer.sphinx.cluster import load_cluster
    from indexer.sphinx.process import free_port_range, running_pid, start_searchd, stop_searchd

    build_sphinx(
        corpus, index_dir, shards=shards, base_port=free_port_range(2 * shards + 2), progress=False
    )
    cluster = load_cluster(index_dir)
    pids = start_searchd(cluster)
    try:
        yield cluster
    finally:
        stop_searchd(cluster, pids)
        assert all(running_pid(cluster, n) is None for n in cluster.nodes)


@pytest.fixture
def client_of(sample_index):
    """Test clients of apps over the sample index, each with its own configuration."""
    from webui.app import close_engine, create_app

    apps = []

    def make(**config):
        apps.append(create_app({"INDEX": str(sample_index), "TESTING": True, **config}))
        return apps[-1].test_client()

    yield make
    for app in apps:
        close_engine(app)


LINKING_PAGE = """<html><head><title>关于防汛防台工作的通知_浦江区政府</title></head><body>
<div class="xxgk"><table><tr><td>发布机构：</td><td>浦江区应急管理局</td></tr>
<tr><td>发布日期：</td><td>2025-05-21</td></tr><tr><td>文号：</td><td>浦应急〔2025〕7号</td></tr></table></div>
<div id="zoom"><p>各街道：现将防汛值守安排印发给你们，请认真贯彻执行。</p>
<p>附件：<a href="../files/%E6%94%B6%E6%94%AF%E9%A2%84%E7%AE%97.xls">收支预算.xls</a></p></div>
</body></html>"""


@contextmanager
def sphinx_engine_of(corpus: Path, index_dir: Path, shards: int = 2) -> Iterator:
    """A SphinxEngine over a running cluster of ``corpus``; skips where Sphinx is absent."""
    from indexer.sphinx.engine import SphinxEngine
    from indexer.sphinx.process import binaries_available

    if not binaries_available():
        pytest.skip("Sphinx's searchd/indexer are not installed (apt-get install sphinxsearch)")
    with running_cluster(corpus, index_dir, shards) as cluster:
        engine = SphinxEngine(cluster.index_dir)
        yield engine
        engine.close()


def make_linked_corpus(root: Path) -> Path:
    """A corpus of two pages with attachments (a relative href; a crawler's attachments/
    folder) and a standalone file, made of the fixtures in tests/data/attachments."""
    (root / "pages").mkdir(parents=True)
    (root / "files").mkdir()
    (root / "pages" / "notice.html").write_text(LINKING_PAGE, "utf-8")
    shutil.copy(DATA / "attachments" / "收支预算.xls", root / "files" / "收支预算.xls")
    crawled = root / "crawl" / "123"
    (crawled / "attachments").mkdir(parents=True)
    (crawled / "page.txt").write_text(
        "标题: 关于做好二〇二五年防汛防台工作的通知\n发布时间: 2025-05-22 09:00\n"
        "==== 正文 ====\n各街道办事处：现将通知转发给你们，请遵照执行。\n",
        "utf-8",
    )
    shutil.copy(DATA / "attachments" / "防汛通知.docx", crawled / "attachments" / "防汛通知.docx")
    shutil.copy(DATA / "attachments" / "textract.ods", root / "standalone.ods")
    return root
