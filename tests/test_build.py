"""Building, updating and switching index generations (indexer/build.py, layout.py, lock.py).

Every index here is built in a tmp dir, from the repo's corpus/ or a tmp copy of a part of it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import CORPUS, REPO
from whoosh import index as whoosh_index

from indexer import extract
from indexer.analysis import analyze
from indexer.cli import main
from indexer.corpus import source_hash
from indexer.docstore import DocStore
from indexer.errors import (
    AnalyzerMismatchError,
    CorpusMissingError,
    IndexLockedError,
    IndexMissingError,
)
from indexer.extract import make_id
from indexer.lock import WriteLock
from indexer.meta import read_meta
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.reader import IndexReader

SEED = "seed/000_ae3ff73dc60525ac.txt"
#: a few real documents: the seed and the six Pingtan replies to deputies' suggestions (two of
#: them with a page.html companion)
SMALL = ("seed", "pingtan/zwgk/zdlyxxgk/yata/rdya")
GSGG = "pingtan/zwgk/gsgg/202305/46719_拖拉机和联合收割机驾驶证注销公告"


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for part in SMALL:
        shutil.copytree(CORPUS / part, root / part)
    return root


def _search(index_dir: Path, query: str, field: str = "body") -> set[str]:
    """Ids of the live documents whose ``field`` holds every word of ``query``, read from the
    current generation's word postings directly."""
    gen = layout.current_generation(index_dir)
    reader = IndexReader(gen / layout.WHOOSH_DIR)
    try:
        found = reader.live.copy()
        for word in {t.text for t in analyze(query) if not t.sub}:
            postings = reader.postings(field, word)
            holds = np.zeros(reader.n, dtype=bool)
            if postings is not None:
                holds[postings.docs] = True
            found &= holds
        return {reader.doc_id(int(d)) for d in np.flatnonzero(found)}
    finally:
        reader.close()


def _whoosh_ids(index_dir: Path) -> set[str]:
    gen = layout.current_generation(index_dir)
    ix = whoosh_index.open_dir(str(gen / layout.WHOOSH_DIR))
    with ix.searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def _store_ids(index_dir: Path) -> set[str]:
    with DocStore(layout.current_generation(index_dir) / layout.DOCSTORE, readonly=True) as store:
        return {doc.id for doc in store}


def test_full_build_finds_the_seed(sample_index: Path) -> None:
    seed_id = make_id(SEED)
    assert seed_id in _search(sample_index, "地瓜经济")
    with DocStore(layout.current_generation(sample_index) / layout.DOCSTORE, readonly=True) as st:
        seed = st.get(seed_id)
    assert seed is not None and seed.title == "关于区政协六届三次会议第13号提案的复函"


def test_whoosh_stores_only_the_id(sample_index: Path) -> None:
    gen = layout.current_generation(sample_index)
    ix = whoosh_index.open_dir(str(gen / layout.WHOOSH_DIR))
    with ix.searcher() as searcher:
        assert {tuple(f) for f in searcher.all_stored_fields()} == {("id",)}
        assert searcher.doc_count() == len(list(extract.discover(CORPUS)))


def test_meta_holds_versions_and_counts(sample_index: Path) -> None:
    from indexer.analysis import ANALYZER_VERSION
    from indexer.whoosh.schema import SCHEMA_VERSION

    gen = layout.current_generation(sample_index)
    meta = layout.check_generation(gen)
    assert meta["analyzer_version"] == ANALYZER_VERSION
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["documents"] == len(_store_ids(sample_index)) == len(_whoosh_ids(sample_index))
    assert meta["generation"] == gen.name
    assert meta["corpus"] == str(CORPUS.resolve())
    assert meta["built_at"].endswith("Z")


def test_rebuild_switches_and_removes_the_unleased_old_generation(
    small_corpus: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    first = build_index(small_corpus, index_dir, progress=False)
    second = build_index(small_corpus, index_dir, progress=False)
    assert first.generation != second.generation
    assert layout.current_generation(index_dir).name == second.generation
    assert [g.name for g in layout.generations(index_dir)] == [second.generation]
    assert make_id(SEED) in _search(index_dir, "地瓜经济")


def test_a_leased_generation_outlives_the_switch(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index(small_corpus, index_dir, progress=False)
    old = layout.current_generation(index_dir)
    lease = layout.reader_lease(old)
    report = build_index(small_corpus, index_dir, progress=False)
    assert layout.current_generation(index_dir).name == report.generation
    assert report.kept_generations == [old.name]
    assert f"kept {old.name}: a reader still uses it" in report.summary()
    assert (old / layout.META).is_file()  # a reader still uses it: intact
    with DocStore(old / layout.DOCSTORE, readonly=True) as store:
        assert store.get(make_id(SEED)) is not None
    lease.release()
    last = build_index(small_corpus, index_dir, progress=False)
    assert [g.name for g in layout.generations(index_dir)] == [last.generation]
    with pytest.raises(IndexMissingError):
        layout.reader_lease(old)


def test_incremental_add_change_delete(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    full = build_index(small_corpus, index_dir, progress=False)
    sources = list(extract.discover(small_corpus))
    assert full.indexed == len(sources)

    changed = next(s for s in sources if s.companions)  # a page.txt with its page.html
    deleted = next(s for s in sources if s is not changed and s.relpath != SEED)
    with open(changed.path, "a", encoding="utf-8") as f:
        f.write("\n琉璃瓦屋顶修缮工程。\n")
    shutil.rmtree(deleted.path.parent)
    shutil.copytree(CORPUS / GSGG, small_corpus / GSGG)
    added_id = make_id(f"{GSGG}/page.txt")

    update = build_index(small_corpus, index_dir, incremental=True, progress=False)
    assert update.incremental
    assert (update.indexed, update.removed, update.skipped) == (2, 1, [])
    assert update.unchanged == len(sources) - 2
    expected = _ids(sources) - {make_id(deleted.relpath)} | {added_id}
    assert _store_ids(index_dir) == expected == _whoosh_ids(index_dir)
    assert _search(index_dir, "琉璃瓦") == {make_id(changed.relpath)}
    assert added_id in _search(index_dir, "驾驶证")
    # the updated generation's pack (docpack.py) was written again: it reads what SQLite holds
    store_path = layout.current_generation(index_dir) / layout.DOCSTORE
    with DocStore(store_path, readonly=True) as store:
        assert store._pack is not None
        from_pack = {i: d.document() for i, d in store.get_stored(sorted(expected)).items()}
        store._pack.close()
        store._pack = None
        assert from_pack == {i: d.document() for i, d in store.get_stored(sorted(expected)).items()}
        assert "琉璃瓦" in from_pack[make_id(changed.relpath)].body

    # Only the companion changes: the document is re-extracted; nothing else is.
    (html,) = changed.companions
    html.write_bytes(html.read_bytes() + b"\n<!-- saved again -->\n")
    again = build_index(small_corpus, index_dir, incremental=True, progress=False)
    assert (again.indexed, again.unchanged, again.removed) == (1, len(sources) - 1, 0)
    assert _whoosh_ids(index_dir) == expected
    assert [g.name for g in layout.generations(index_dir)] == [again.generation]

    # Nothing changed: no new generation, readers have nothing to reopen.
    idle = build_index(small_corpus, index_dir, incremental=True, progress=False)
    assert (idle.indexed, idle.unchanged, idle.removed) == (0, len(sources), 0)
    assert idle.generation == again.generation == layout.current_generation(index_dir).name
    assert idle.total_documents == len(expected)


def test_incremental_update_leaves_the_old_generation_untouched(
    small_corpus: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    build_index(small_corpus, index_dir, progress=False)
    old = layout.current_generation(index_dir)
    before = {p.name: p.read_bytes() for p in (old / layout.WHOOSH_DIR).iterdir()}
    with layout.reader_lease(old):  # a reader still on the old generation
        (small_corpus / SEED).unlink()
        update = build_index(small_corpus, index_dir, incremental=True, progress=False)
        assert update.removed == 1 and update.kept_generations == [old.name]
        assert {p.name: p.read_bytes() for p in (old / layout.WHOOSH_DIR).iterdir()} == before
        ix = whoosh_index.open_dir(str(old / layout.WHOOSH_DIR))
        with ix.searcher() as searcher:
            assert make_id(SEED) in {f["id"] for f in searcher.all_stored_fields()}
        with DocStore(old / layout.DOCSTORE, readonly=True) as store:
            assert store.get(make_id(SEED)) is not None
    assert make_id(SEED) not in _whoosh_ids(index_dir) | _store_ids(index_dir)


def _ids(sources: list[extract.Source]) -> set[str]:
    return {make_id(s.relpath) for s in sources}


def test_incremental_without_an_index_is_a_full_build(small_corpus: Path, tmp_path: Path) -> None:
    report = build_index(small_corpus, tmp_path / "index", incremental=True, progress=False)
    assert not report.incremental and report.notes == ["no index yet: full build"]
    assert report.indexed == len(list(extract.discover(small_corpus)))


def test_content_hash_covers_companions(small_corpus: Path) -> None:
    source = next(s for s in extract.discover(small_corpus) if s.companions)
    before = source_hash(source)
    source.companions[0].write_bytes(source.companions[0].read_bytes() + b" ")
    assert source_hash(source) != before


def _assert_only(index_dir: Path, generation: str) -> None:
    assert layout.current_generation(index_dir).name == generation
    assert [g.name for g in layout.generations(index_dir)] == [generation]
    assert make_id(SEED) in _search(index_dir, "地瓜经济")


def test_a_worker_failure_leaves_the_old_index_serving(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    old = build_index(small_corpus, index_dir, progress=False).generation
    real = extract.extract_source

    def failing(source, **kwargs):
        if source.relpath != SEED:
            raise RuntimeError("injected failure")
        return real(source, **kwargs)

    monkeypatch.setattr(extract, "extract_source", failing)  # workers are forked: they see it
    with pytest.raises(RuntimeError, match="injected failure"):
        build_index(small_corpus, index_dir, progress=False)
    _assert_only(index_dir, old)
    monkeypatch.undo()
    _assert_only(index_dir, build_index(small_corpus, index_dir, progress=False).generation)


def test_ctrl_c_before_the_switch_leaves_the_old_index(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    old = build_index(small_corpus, index_dir, progress=False).generation

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(layout, "switch_current", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_index(small_corpus, index_dir, progress=False)
    _assert_only(index_dir, old)
    monkeypatch.undo()
    _assert_only(index_dir, build_index(small_corpus, index_dir, progress=False).generation)


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _kill(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the process and any build workers it forked
    proc.wait()
    proc.communicate()


#: ``govsearch index`` with extraction slowed down, printing "ready" once workers start
SLOW_BUILD = """
    import sys, time
    from indexer import extract
    from indexer.whoosh import build
    from indexer.cli import main
    real = extract.extract_source
    def slow(source, **kwargs):
        time.sleep(0.5)
        return real(source, **kwargs)
    extract.extract_source = slow
    real_run = build.run_workers
    def announce(*args):
        print("ready", flush=True)
        return real_run(*args)
    build.run_workers = announce
    main(["index", "--corpus", sys.argv[1], "--index", sys.argv[2]])
"""


def test_killed_build_blocks_nothing(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    old = build_index(small_corpus, index_dir, progress=False).generation
    proc = _spawn(SLOW_BUILD, str(small_corpus), str(index_dir))
    half_built = [g for g in layout.generations(index_dir) if g.name != old]
    assert half_built, "the killed build had started its generation"
    _kill(proc)
    assert layout.current_generation(index_dir).name == old  # readers still see the old one
    assert make_id(SEED) in _search(index_dir, "地瓜经济")
    report = build_index(small_corpus, index_dir, progress=False)
    assert report.took_over_lock_from is not None
    assert report.took_over_lock_from["pid"] == proc.pid
    _assert_only(index_dir, report.generation)  # the abandoned generation was removed


def test_ctrl_c_mid_build_cleans_up(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    old = build_index(small_corpus, index_dir, progress=False).generation
    proc = _spawn(SLOW_BUILD, str(small_corpus), str(index_dir))
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == (
        "govsearch: interrupted: the previous index is unchanged and still serving"
    )
    assert "Traceback" not in err
    _assert_only(index_dir, old)
    assert (index_dir / "write.lock").read_text() == ""
    _assert_only(index_dir, build_index(small_corpus, index_dir, progress=False).generation)


HOLD_LOCK = """
    import sys, time
    from indexer.lock import WriteLock
    WriteLock(sys.argv[1]).acquire()
    print("ready", flush=True)
    time.sleep(120)
"""


def test_a_second_writer_fails_at_once(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    proc = _spawn(HOLD_LOCK, str(index_dir))
    try:
        with pytest.raises(IndexLockedError, match=rf"being written by PID {proc.pid} since 20"):
            build_index(small_corpus, index_dir, progress=False)
        result = CliRunner().invoke(
            main, ["index", "--corpus", str(small_corpus), "--index", str(index_dir)]
        )
        assert result.exit_code == 3
        assert f"index is being written by PID {proc.pid} since" in result.stderr
    finally:
        _kill(proc)
    assert not layout.generations(index_dir)


def test_a_lock_left_by_a_dead_process_is_taken_over(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    proc = _spawn(HOLD_LOCK, str(index_dir))
    _kill(proc)
    assert json.loads((index_dir / "write.lock").read_text())["pid"] == proc.pid
    report = build_index(small_corpus, index_dir, progress=False)
    assert report.took_over_lock_from is not None
    assert report.took_over_lock_from["pid"] == proc.pid
    assert f"took over the lock of PID {proc.pid}" in report.summary()
    assert (index_dir / "write.lock").read_text() == ""  # released after the build
    with WriteLock(index_dir) as lock:
        assert lock.took_over is None


def test_missing_corpus_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusMissingError):
        build_index(tmp_path / "nowhere", tmp_path / "index")
    result = CliRunner().invoke(
        main, ["index", "--corpus", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix")]
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "nowhere" in result.stderr
    assert "Traceback" not in result.output


def test_bad_files_are_skipped_and_listed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "seed", corpus / "seed")
    (corpus / "bad").mkdir()
    (corpus / "bad" / "empty.txt").write_bytes(b"")
    (corpus / "bad" / "binary.txt").write_bytes(bytes(range(256)) * 64)
    result = CliRunner().invoke(
        main, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "index")]
    )
    assert result.exit_code == 0, result.output
    assert "indexed 1 files (1 documents)" in result.stdout
    assert "skipped 2" in result.stdout
    for name in ("bad/empty.txt", "bad/binary.txt"):
        (line,) = [ln for ln in result.stdout.splitlines() if ln.strip().startswith(name + ":")]
        assert line.split(":", 1)[1].strip()  # a reason follows the path
    gen = layout.current_generation(tmp_path / "index")
    meta = read_meta(gen)
    assert sorted(s["path"] for s in meta["skipped"]) == ["bad/binary.txt", "bad/empty.txt"]

    # Unchanged bad files are listed again by an incremental run, which then has nothing to do.
    again = build_index(corpus, tmp_path / "index", incremental=True, progress=False)
    assert again.generation == gen.name and (again.indexed, again.unchanged) == (0, 1)
    assert {(s.path, s.reason) for s in again.skipped} == {
        (s["path"], s["reason"]) for s in meta["skipped"]
    }
    (corpus / "bad" / "empty.txt").unlink()
    (corpus / "bad" / "binary.txt").write_bytes(bytes(range(256)) * 65)  # changed: re-read
    third = build_index(corpus, tmp_path / "index", incremental=True, progress=False)
    assert third.generation != gen.name and third.indexed == 0 and third.unchanged == 1
    assert [s.path for s in third.skipped] == ["bad/binary.txt"]


def test_analyzer_mismatch_is_refused(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index(small_corpus, index_dir, progress=False)
    gen = layout.current_generation(index_dir)
    meta = read_meta(gen)
    meta["analyzer_version"] = "0000older0000"
    (gen / layout.META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(AnalyzerMismatchError, match="built with analyzer 0000older0000.*rebuild"):
        layout.check_generation(gen)
    report = build_index(small_corpus, index_dir, incremental=True, progress=False)
    assert not report.incremental and "another analyzer" in report.notes[0]
    layout.check_generation(layout.current_generation(index_dir))


def test_no_index_is_index_missing(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError):
        layout.current_generation(tmp_path)


def test_progress_bar_goes_to_stderr(
    small_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_index(small_corpus, tmp_path / "index", progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "file" in captured.err
    build_index(small_corpus, tmp_path / "index", progress=None)  # not a TTY: quiet
    assert capsys.readouterr().err == ""


def test_workers_one_gives_the_same_index(sample_index: Path, tmp_path: Path) -> None:
    report = build_index(CORPUS, tmp_path / "index", workers=1, progress=False)
    assert report.workers == 1
    assert _whoosh_ids(tmp_path / "index") == _whoosh_ids(sample_index)
    assert _search(tmp_path / "index", "建议") == _search(sample_index, "建议")
