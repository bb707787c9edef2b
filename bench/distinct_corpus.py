"""A benchmark corpus of distinct real documents: JSONL files built from ../shared/corpora.

    python3 bench/distinct_corpus.py        # 100,000 records in bench/.work/distinct-100000/corpus
    python3 bench/distinct_corpus.py --docs 30000 --out /tmp/dc30k/corpus
    govsearch index --corpus /tmp/dc30k/corpus --index /tmp/dc30k/index

Unlike the repeated corpora of query_bench.py / scale_bench.py (276 documents copied over and over),
the records come first from every distinct document the shared corpora hold, in this order:

1. every news item of ``cctv-xwlb/news/YYYYMMDD.md`` (新闻联播 transcripts): a ``### `` heading is
   the title, its paragraphs up to the next ``### `` or ``## `` the body; dated by the file name,
   agency 中央广播电视总台, category 新闻联播. The per-day summary (``## 新闻摘要``) is skipped, and
   so are items without text (both counted). News and law lines are Markdown made text:
   comments (``<!--repaste.body.begin-->``, ``<!-- INFO END -->``), ``**``, heading marks and
   table rules go, a link keeps its text, the footer link ``[查看原文](…)`` goes;
2. every law of ``lawrefbook-laws`` (``_index.md`` folder indexes excepted): title = its first
   ``# `` line, body = the rest, date = the version date of the file name ``(YYYY-MM-DD)``,
   category = its top folder, agency empty (the files name none);
3. the Pingtan ``page.txt`` pages (with their ``page.html``) and the Jiangxi ``html/`` pages,
   extracted by ``indexer.extract`` (``discover`` + ``extract_source``: title, body, date, agency,
   category as the indexer reads them). Jiangxi's ``JX_text/`` is the crawler's text of the same
   pages and is left out.

Only then are the distinct documents repeated, in the same order, round after round (same texts,
new records) until ``--docs`` records exist; with fewer ``--docs`` than distinct documents the
list is cut. Distinct records go to ``distinct-NNNN.jsonl``, copies to ``repeat-NNNN.jsonl``
(http_latency.py reads the queries' source documents back from the distinct files). Each record
is one line: ``{"id", "title", "body", "date", "agency", "category", "copy", "origin"}``
(the indexer ignores id, copy and origin: its ids come from file path + line number). A file
holds at most ``--per-file`` records and about ``--max-file-mb`` MB (the indexer refuses files
over 20 MB, and 2,000 laws are ~36 MB). Output is deterministic (sorted inputs, no randomness);
it is written streaming (copies are read back from the distinct files), so memory stays small at
any size. Nothing is written to ../shared.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpora"
WORK = HERE / ".work"

NEWS_AGENCY = "中央广播电视总台"
NEWS_CATEGORY = "新闻联播"
NEWS_SUMMARY = "新闻摘要"
_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_VERSION_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")
_HEADING = re.compile(r"^#{1,6}\s+")
_COMMENT = re.compile(r"<!--.*?-->")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")
#: the footer link of every news item, not its text
_ORIGINAL = "查看原文"
#: the files this script writes into --out (anything else there makes it refuse)
_OURS = re.compile(r"^(distinct|repeat)-\d{4,}\.jsonl$")


def text_line(raw: str) -> str:
    """A Markdown line as text: comments (``<!--repaste.body.begin-->``, ``<!-- INFO END -->``),
    ``**`` emphasis, heading marks and table rules removed, ``[text](url)`` kept as text; the
    news footer ``[查看原文](…)`` is dropped."""
    line = _COMMENT.sub("", raw).replace("**", "").strip()
    if _TABLE_RULE.match(line):
        return ""
    line = _LINK.sub(lambda m: "" if m[1] == _ORIGINAL else m[1], line)
    return _HEADING.sub("", line).strip()


def news_items(shared: Path, counts: Counter) -> Iterator[dict]:
    """The news items of every day file, in file order, then heading order."""
    for path in sorted((shared / "cctv-xwlb" / "news").glob("*.md")):
        yield from day_items(path, counts)


def day_items(path: Path, counts: Counter) -> Iterator[dict]:
    day = _DAY.match(path.stem)
    date = f"{day[1]}-{day[2]}-{day[3]}" if day else ""
    section = ""
    title: str | None = None
    lines: list[str] = []
    number = 0
    for raw in [*path.read_text(encoding="utf-8").splitlines(), "## (end)"]:
        line = raw.strip()
        if not line.startswith(("# ", "## ", "### ")):
            text = text_line(line)
            if text and title is not None:
                lines.append(text)
            continue
        if title is not None:  # the item before this heading is complete
            counts["news headings"] += 1
            if section == NEWS_SUMMARY:
                counts["news headings in the summary (skipped)"] += 1
            elif not title or not lines:
                counts["news items without title or text (skipped)"] += 1
            else:
                number += 1
                yield {
                    "title": title,
                    "body": "\n".join(lines),
                    "date": date,
                    "agency": NEWS_AGENCY,
                    "category": NEWS_CATEGORY,
                    "origin": f"cctv-xwlb/news/{path.name}#{number}",
                }
        title, lines = None, []
        if line.startswith("### "):
            title = line[4:].strip()
        elif line.startswith("## "):
            section = line[3:].strip()


def laws(shared: Path, counts: Counter) -> Iterator[dict]:
    root = shared / "lawrefbook-laws"
    for path in sorted(root.rglob("*.md")):
        if path.name == "_index.md":
            continue
        text = path.read_text(encoding="utf-8")
        title = ""
        body: list[str] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not title and line.startswith("# "):
                title = line[2:].strip()
                continue
            text = text_line(line) if title else ""
            if text:
                body.append(text)
        if not title or not body:
            counts["laws without title or text (skipped)"] += 1
            continue
        version = _VERSION_DATE.search(path.name)
        rel = path.relative_to(root)
        yield {
            "title": title,
            "body": "\n".join(body),
            "date": version[1] if version else "",
            "agency": "",
            "category": rel.parts[0],
            "origin": f"lawrefbook-laws/{rel.as_posix()}",
        }


def pages(shared: Path, counts: Counter) -> Iterator[dict]:
    """Pingtan page.txt (+ page.html) and Jiangxi html pages, as the indexer extracts them."""
    from indexer.errors import ExtractError
    from indexer.extract import discover, extract_source

    for root in (shared / "pingtan", shared / "jiangxi-gov-html" / "html"):
        for source in discover(root):
            try:
                docs = extract_source(source)
            except ExtractError as exc:
                counts[f"pages not extracted (skipped): {exc}"] += 1
                continue
            for doc in docs:
                if not doc.title or not doc.body:
                    counts["pages without title or text (skipped)"] += 1
                    continue
                yield {
                    "title": doc.title,
                    "body": doc.body,
                    "date": doc.date,
                    "agency": doc.agency,
                    "category": doc.category,
                    "origin": f"{root.relative_to(shared).as_posix()}/{source.relpath}",
                }


def distinct_documents(shared: Path, counts: Counter) -> Iterator[tuple[str, dict]]:
    for name, source in (("news", news_items), ("laws", laws), ("pages", pages)):
        for record in source(shared, counts):
            yield name, record


class Writer:
    """JSONL files ``PREFIX-NNNN.jsonl`` of at most ``per_file`` records / ``max_bytes``."""

    def __init__(self, out: Path, prefix: str, per_file: int, max_bytes: int) -> None:
        self.out, self.prefix = out, prefix
        self.per_file, self.max_bytes = per_file, max_bytes
        self.files = 0
        self.bytes_total = 0
        self._fh = None
        self._records = 0
        self._bytes = 0

    def write(self, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        full = self._records >= self.per_file or self._bytes + len(line) > self.max_bytes
        if self._fh is None or (full and self._records):
            self.close()
            path = self.out / f"{self.prefix}-{self.files:04d}.jsonl"
            self._fh = path.open("wb")
            self.files += 1
        self._fh.write(line)
        self._records += 1
        self._bytes += len(line)
        self.bytes_total += len(line)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh, self._records, self._bytes = None, 0, 0


def prepare(out: Path, shared: Path) -> None:
    resolved = out.resolve()
    if resolved == shared.resolve() or shared.resolve() in resolved.parents:
        sys.exit(f"distinct_corpus: refusing to write under {shared} (read-only shared data)")
    if out.exists():
        others = [p.name for p in out.iterdir() if not _OURS.match(p.name)]
        if others:
            sys.exit(
                f"distinct_corpus: {out} holds files this script did not write "
                f"({', '.join(sorted(others)[:5])}); choose an empty or new folder"
            )
        for path in out.iterdir():
            path.unlink()
    out.mkdir(parents=True, exist_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="records to write [100000]")
    parser.add_argument("--out", type=Path, help="folder [bench/.work/distinct-DOCS/corpus]")
    parser.add_argument("--shared", type=Path, default=SHARED, help="[../shared/corpora]")
    parser.add_argument("--per-file", type=int, default=2000, help="records per file [2000]")
    parser.add_argument("--max-file-mb", type=float, default=8.0, help="MB per file [8]")
    args = parser.parse_args()
    if args.docs < 1 or args.per_file < 1 or args.max_file_mb <= 0:
        sys.exit("distinct_corpus: --docs, --per-file and --max-file-mb must be positive")
    if not args.shared.is_dir():
        sys.exit(f"distinct_corpus: no shared corpora at {args.shared}")
    sys.path.insert(0, str(HERE.parent))  # indexer, when run from a checkout without install
    out = args.out or WORK / f"distinct-{args.docs}" / "corpus"
    prepare(out, args.shared)
    max_bytes = int(args.max_file_mb * 1024 * 1024)
    started = time.perf_counter()

    counts: Counter = Counter(
        {
            "news items without title or text (skipped)": 0,
            "news headings in the summary (skipped)": 0,
            "laws without title or text (skipped)": 0,
            "pages without title or text (skipped)": 0,
        }
    )
    by_source: Counter = Counter()
    distinct = Writer(out, "distinct", args.per_file, max_bytes)
    written = 0
    for name, record in distinct_documents(args.shared, counts):
        if written >= args.docs:
            counts["distinct documents left out (--docs reached)"] += 1
            continue
        record = {"id": f"d{written:06d}", **record, "copy": 0}
        distinct.write(record)
        by_source[name] += 1
        written += 1
    distinct.close()
    n_distinct = written

    copies = Writer(out, "repeat", args.per_file, max_bytes)
    rounds = 0
    distinct_files = sorted(out.glob("distinct-*.jsonl"))
    while written < args.docs and n_distinct:
        rounds += 1
        for path in distinct_files:
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    if written >= args.docs:
                        break
                    record = json.loads(line)
                    record["id"] = f"{record['id']}.c{rounds}"
                    record["copy"] = rounds
                    copies.write(record)
                    written += 1
            if written >= args.docs:
                break
    copies.close()
    elapsed = time.perf_counter() - started

    mb = (distinct.bytes_total + copies.bytes_total) / 1e6
    print(f"corpus {out}: {written} records in {distinct.files + copies.files} files, {mb:.1f} MB")
    print(f"{'':34} {'records':>8} {'files':>6} {'MB':>8}")
    print(
        f"{'distinct documents':34} {n_distinct:8d} {distinct.files:6d} "
        f"{distinct.bytes_total / 1e6:8.1f}"
    )
    for name in ("news", "laws", "pages"):
        print(f"{'  ' + name:34} {by_source[name]:8d}")
    print(
        f"{'copies (' + str(rounds) + ' rounds)':34} {written - n_distinct:8d} "
        f"{copies.files:6d} {copies.bytes_total / 1e6:8.1f}"
    )
    for what, count in sorted(counts.items()):
        print(f"{what}: {count}")
    print(f"written in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
