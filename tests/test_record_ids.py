"""The records of a JSON/JSONL file keep their ids when other records come and go (issue 16, 1).

Ids used to be the record's position: deleting the first line of a ``.jsonl`` moved every other
record's id, so ``/doc/<id>`` links and bookmarks pointed to another document or nowhere. Now a
record's id comes from its own ``id``, else its ``url``, else its content, and two records of a
file with the same id are reported by ``govsearch index``, not silently merged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from webui.app import close_engine, create_app

RECORDS = [
    {"id": "A-17", "title": "关于开展安全生产检查的通知", "date": "2023-03-01",
     "body": "各单位：请于三月底前完成安全生产检查。"},
    {"title": "关于调整河长名单的公示", "url": "https://www.example.gov.cn/art/2023/4/1/1.html",
     "body": "根据工作需要，调整部分河段的河长。"},
    {"title": "关于公布举报电话的公告", "发布日期": "2023-05-06",
     "正文": "为方便群众监督，现将举报电话公布如下。"},
    {"title": "关于征集民生实事项目的通知", "body": "现面向社会公开征集明年的民生实事项目。"},
]  # fmt: skip


def write(corpus: Path, name: str, records: list[dict]) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    if name.endswith(".jsonl"):
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = json.dumps({"documents": records}, ensure_ascii=False)
    (corpus / name).write_text(text, "utf-8")


def index(corpus: Path, index_dir: Path, *extra: str) -> str:
    args = ["index", "--corpus", str(corpus), "--index", str(index_dir), "--workers", "1"]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def titles_by_id(index_dir: Path) -> dict[str, str]:
    """Every document's id → the title its /doc/<id> page and API answer show."""
    app = create_app({"INDEX": str(index_dir), "TESTING": True})
    try:
        client = app.test_client()
        hits = client.get("/api/search?size=100").get_json()["hits"]
        shown = {}
        for hit in hits:
            assert client.get(f"/doc/{hit['id']}").status_code == 200
            shown[hit["id"]] = client.get(f"/api/documents/{hit['id']}").get_json()["title"]
        return shown
    finally:
        close_engine(app)


@pytest.mark.parametrize("name", ["records.jsonl", "records.json"])
@pytest.mark.parametrize("incremental", [False, True])
def test_deleting_a_record_keeps_every_other_records_id(tmp_path, name, incremental):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    write(corpus, name, RECORDS)
    index(corpus, index_dir)
    before = titles_by_id(index_dir)
    assert sorted(before.values()) == sorted(r["title"] for r in RECORDS)

    write(corpus, name, RECORDS[1:])  # the first record is gone
    index(corpus, index_dir, *(["--incremental"] if incremental else []))
    after = titles_by_id(index_dir)
    # every remaining record answers at its old id, with its own title
    assert after == {i: t for i, t in before.items() if t != RECORDS[0]["title"]}

    write(corpus, name, [RECORDS[3], RECORDS[0], RECORDS[2], RECORDS[1]])  # reordered, back
    index(corpus, index_dir, *(["--incremental"] if incremental else []))
    assert titles_by_id(index_dir) == before


def test_two_records_with_the_same_id_are_reported_not_merged(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    twin = {**RECORDS[3], "id": "A-17"}  # another document claiming record A-17's id
    write(corpus, "records.jsonl", [RECORDS[0], RECORDS[1], twin])
    output = index(corpus, index_dir)
    assert "records.jsonl: record 2 skipped: same id 'A-17' as record 0" in output
    assert sorted(titles_by_id(index_dir).values()) == sorted(
        [RECORDS[0]["title"], RECORDS[1]["title"]]
    )
