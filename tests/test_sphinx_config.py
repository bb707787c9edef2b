"""The Sphinx backend's pure parts: configs, the tsvpipe feed, the MATCH translation, the seam.

No searchd needed: these run everywhere (tests/test_sphinx_cluster.py runs the real servers).
"""

from __future__ import annotations

import pytest

from indexer import engines
from indexer.chars import char_keyword, gram_keyword
from indexer.errors import GovsearchError
from indexer.query import parse_query
from indexer.records import Document
from indexer.sphinx.cluster import is_sphinx_dir, load_cluster, plan_cluster
from indexer.sphinx.conf import front_conf, shard_conf
from indexer.sphinx.feed import (
    ALL_TOKEN,
    COLUMNS,
    FACETS_ATTR,
    FILL_TOKEN,
    IDS_FIELD,
    PAD_TOKEN,
    TEXT_FIELDS,
    FacetCodes,
    facet_attr,
    facet_value,
    id_token,
    pad_row,
    segment,
    shard_of,
    split_facet_value,
    tsv_row,
)
from indexer.sphinx.match import to_match, words


def test_front_has_one_agent_per_shard_with_short_timeouts(tmp_path):
    cluster = plan_cluster(tmp_path, 3, hosts=["10.0.0.1", "10.0.0.2"], base_port=9400)
    conf = front_conf(cluster)
    assert "type = distributed" in conf
    agents = [line.split("=", 1)[1].strip() for line in conf.splitlines() if "agent =" in line]
    assert agents == ["10.0.0.1:9400:shard0", "10.0.0.2:9402:shard1", "10.0.0.1:9404:shard2"]
    assert "agent_connect_timeout = 300" in conf
    assert "agent_query_timeout = 3000" in conf
    # every file a searchd writes is inside the index dir
    for k in range(3):
        text = shard_conf(cluster, k)
        for key in ("pid_file", "log", "query_log", "binlog_path", "path"):
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(key + " ="))
            assert str(tmp_path.resolve()) in line, line


def test_charset_table_keeps_cjk_as_word_characters(tmp_path):
    conf = shard_conf(plan_cluster(tmp_path, 1), 0)
    charset = next(ln for ln in conf.splitlines() if ln.strip().startswith("charset_table"))
    for block in ("U+4E00..U+9FFF", "U+3400..U+4DBF", "U+20000..U+2A6DF"):
        assert block in charset
    # our query side splits text exactly where that table does
    assert words("㐀中文ABC-12，𠀀") == ["㐀中文abc", "12", "𠀀"]


def test_shard_assignment_is_stable_and_spreads(tmp_path):
    ids = [f"pingtan/doc-{i}" for i in range(400)]
    first = [shard_of(i, 2) for i in ids]
    assert first == [shard_of(i, 2) for i in ids]
    assert 150 < sum(first) < 250  # both shards get a fair share


def test_tsv_row_has_one_cell_per_declared_column():
    doc = Document(
        id="a/b.txt",
        title="关于海洋经济\t发展的通知",
        body="平潭\n乡村振兴战略",
        agency="平潭综合实验区",
        date="2023-05-01",
        doc_no="岚综管综〔2023〕91号",
    )
    codes = FacetCodes()
    row = tsv_row(doc.id, segment(doc), codes)
    cells = row.rstrip("\n").split("\t")
    assert len(cells) == 1 + len(COLUMNS)  # the Sphinx id, then the declared columns
    names = [name for name, _ in COLUMNS]
    assert cells[1 + names.index("gid")] == "a/b.txt"
    assert "海洋" in cells[1 + names.index("title")].split()
    assert codes.value("year", int(cells[1 + names.index("f_year")])) == "2023"
    assert cells[1 + names.index("f_proposal_kind")] == "0"  # no value
    ids = cells[1 + names.index(IDS_FIELD)].split()
    assert id_token("doc_no", "岚综管综〔2023〕91号") in ids


def test_no_text_field_is_empty_and_the_padding_document_matches_nothing():
    """Sphinx 2.2.11 gives an empty field the previous document's length: every text field ends
    with the filler word, even a document's missing agency; the padding document (one per
    shard, for the idf of a keyword every document has) holds nothing a query can ask for."""
    names = [name for name, _ in COLUMNS]
    text_fields = [f for pair in TEXT_FIELDS.values() for f in pair]
    cells = tsv_row("x", segment(Document(id="x", title="通知", body="", agency="")), FacetCodes())
    cells = cells.rstrip("\n").split("\t")
    for field in text_fields:
        assert cells[1 + names.index(field)].split()[-1] == FILL_TOKEN
    pad = pad_row().rstrip("\n").split("\t")
    assert len(pad) == 1 + len(COLUMNS)
    assert {pad[1 + names.index(f)] for f in text_fields} == {FILL_TOKEN}
    assert pad[1 + names.index("every")] == PAD_TOKEN != ALL_TOKEN
    # no facet value, no date: 0, or no value at all in a multi-valued facet
    attrs = pad[1 + names.index("f_agency") : 1 + names.index("wday") + 1]
    assert set(attrs) <= {"0", ""} and attrs[names.index("day") - names.index("f_agency")] == "0"
    assert pad[1 + names.index(FACETS_ATTR)] == ""  # no facet value


def test_every_facet_code_is_in_the_one_counted_attribute():
    codes = FacetCodes()
    doc = Document(id="x", title="通知", agency="区商务局", date="2024-06-03", doc_type="通知")
    cells = tsv_row(doc.id, segment(doc), codes).rstrip("\n").split("\t")
    names = [name for name, _ in COLUMNS]
    together = [int(v) for v in cells[1 + names.index(FACETS_ATTR)].split(",")]
    assert sorted(split_facet_value(v) for v in together) == sorted(
        (f, int(cells[1 + names.index(facet_attr(f))]))
        for f in ("agency", "year", "doc_type", "file_type")  # a page counts as 网页
    )
    assert all(facet_value(*split_facet_value(v)) == v for v in together)


def test_facet_codes_only_grow_across_rebuilds(tmp_path):
    codes = FacetCodes()
    assert codes.code("agency", "区商务局") == 1
    assert codes.code("agency", "") == 0
    codes.save(tmp_path)
    again = FacetCodes.load(tmp_path)
    assert again.code("agency", "区教育局") == 2
    assert again.code("agency", "区商务局") == 1
    assert again.value("agency", 2) == "区教育局" and again.lookup("year", "2023") is None


def test_query_tree_becomes_match_expression():
    assert to_match(parse_query("").node) == "(@every govsearchall)"
    run = to_match(parse_query('"海洋经济"').node)
    grams = " ".join(gram_keyword(g) for g in ("海洋", "洋经", "经济"))
    assert run == f'(@(title_grams,body_grams) "{grams}")'
    assert to_match(parse_query('"海"').node) == f"(@(title_chars,body_chars) {char_keyword('海')})"
    assert " MAYBE " in to_match(parse_query("海洋 经济").node)
    negative = to_match(parse_query("-渔业").node)
    assert negative.startswith("((@every govsearchall) -")
    title = to_match(parse_query("title:通知").node)
    assert title == f"((@(title,title_sub) 通知) | (@(title_grams) {gram_keyword('通知')}))"
    parsed = parse_query("岚综管综〔2023〕91号")
    assert f"(@ids {id_token('doc_no', '岚综管综〔2023〕91号')})" in to_match(
        parsed.node, parsed.exact_ids
    )
    # no Sphinx operator can be smuggled in through a word
    injected = to_match(parse_query("经济') OR 1=1 -- @body|\"").node)
    assert "'" not in injected and "--" not in injected


def test_engine_seam_picks_the_backend(tmp_path, monkeypatch):
    monkeypatch.delenv(engines.ENV_VAR, raising=False)
    assert engines.backend_for_reading(tmp_path) == "whoosh"
    monkeypatch.setenv(engines.ENV_VAR, "sphinx")
    assert engines.backend_for_reading(tmp_path) == "sphinx"
    assert engines.backend_for_reading(tmp_path, "whoosh") == "whoosh"
    monkeypatch.delenv(engines.ENV_VAR)
    cluster = plan_cluster(tmp_path, 2)
    cluster.save()
    assert is_sphinx_dir(tmp_path)
    # the index dir's own marker wins over the environment when opening …
    monkeypatch.setenv(engines.ENV_VAR, "whoosh")
    assert engines.backend_for_reading(tmp_path) == "sphinx"
    # … and the explicit choice wins when building
    assert engines.backend_for_building(tmp_path) == "whoosh"
    assert load_cluster(tmp_path) == cluster
    with pytest.raises(GovsearchError, match="unknown backend"):
        engines.backend_for_reading(tmp_path, "elasticsearch")


def test_whoosh_build_refuses_sphinx_options(tmp_path, monkeypatch):
    monkeypatch.delenv(engines.ENV_VAR, raising=False)
    with pytest.raises(GovsearchError, match="--backend sphinx"):
        engines.build(tmp_path, tmp_path / "index", shards=2)
