"""Property: extraction raises only ExtractError, on arbitrary bytes and on mutated real pages.

Example counts are kept modest so that the module runs in seconds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import CORPUS, DATA
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indexer.errors import ExtractError
from indexer.extract import Source, extract_document, extract_source
from indexer.records import Document

SUFFIXES = [".txt", ".html", ".htm", ".md", ".json", ".jsonl", "page.txt"]
REAL = [
    CORPUS / "seed" / "000_ae3ff73dc60525ac.txt",
    next(CORPUS.glob("pingtan/zwgk/zdlyxxgk/yata/rdya/202211/37906_*/page.txt")),
    next(CORPUS.glob("pingtan/zwgk/zdlyxxgk/yata/rdya/202211/37906_*/page.html")),
    next(CORPUS.glob("pingtan/zwgk/zfxxgk/gwhwj/cxjshgldzd/201607/60970_*/page.txt")),
    DATA / "extract" / "records.jsonl",
]
#: pages of ../shared/corpora (not in the repo): their tests skip when it is absent
SHARED_REAL = [
    "jiangxi-gov-html/html/art_14075_1574386.html",
    "lawrefbook-laws/宪法相关法/国歌法(2017-09-01).md",
]
_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            docs = extract_source(Source(path, name), max_bytes=200_000)
        except ExtractError as exc:
            assert exc.reason and "\n" not in exc.reason
            return
        for doc in docs:
            assert isinstance(doc, Document)
            assert doc.title or doc.body
        try:
            extract_document(path)
        except ExtractError:
            pass


@_SETTINGS
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(data: bytes, suffix: str) -> None:
    _check(data, suffix if suffix == "page.txt" else f"x{suffix}")


_MARKUP = st.sampled_from(
    ["<", ">", "</", "<p>", "</td>", "<table>", "<tr>", "<script>", "<!--", "-->", "&#", "&nbsp;",
     "\x00", "\ufeff", "\ufffd", "：", "标题:", "索 引 号：", "==== 正文 ====", "# ", "{", "}",
     "\"", "\n", "〔", "号", "<meta charset=gb2312>", "二○一九年十一月四日", "事 由：",
     "办理情况："]
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, paths: list[Path]) -> tuple[bytes, str]:
    path = draw(st.sampled_from(paths))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "flip"]))
        if action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(_MARKUP).encode(draw(st.sampled_from(["utf-8", "gb18030"])))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif at < len(data):
            data[at] ^= draw(st.integers(1, 255))
    name = path.name if path.name.startswith("page.") else f"mutated{path.suffix}"
    return bytes(data), name


@_SETTINGS
@given(case=mutated(REAL))
# found by this test: a seed page cut after its label block (IndexError in the seed parser)
@example(
    case=(
        "|\n|\n|\n法定主动公开内容\n政府信息公开年报\n索引号\n00250260-2/2024-31773\n文号".encode(),
        "m.txt",
    )
)
def test_mutated_real_pages(case: tuple[bytes, str]) -> None:
    _check(*case)


@_SETTINGS
@given(data=st.data())
def test_mutated_shared_pages(shared_corpora: Path, data: st.DataObject) -> None:
    _check(*data.draw(mutated([shared_corpora / rel for rel in SHARED_REAL])))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_unmutated_real_pages_extract(path: Path) -> None:
    """The mutations start from pages that do extract, so failures are the mutations' doing."""
    assert extract_source(Source(path, path.name))


@pytest.mark.parametrize("rel", SHARED_REAL, ids=lambda rel: rel.rsplit("/", 1)[-1])
def test_unmutated_shared_pages_extract(shared_corpora: Path, rel: str) -> None:
    assert extract_source(Source(shared_corpora / rel, rel))
