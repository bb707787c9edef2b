"""Quality of "find what is written" (Ctrl+F-like exact matching) on real documents, as figures.

    python3 bench/exact_eval.py                                   # temporary corpus copy + index
    python3 bench/exact_eval.py --index bench/.work/exact-index   # builds there once, then reuses
    python3 bench/exact_eval.py --index DIR --corpus DIR          # an index of that corpus folder
    python3 bench/exact_eval.py --index DIR --rebuild             # after a change to indexer/

The corpus (default) is a temporary copy of ../shared/corpora without ``cctv-xwlb`` and
``attachments`` (laws included, ~3,700 documents); ``--corpus DIR`` uses that folder instead (the
index must have been built from it: document ids are derived from paths under the corpus root).
The documents are read with ``indexer.extract`` (the same Documents the index holds) and every
"contains" below is decided by this script's own normalisation, never the indexer's: NFKC,
Traditional→Simplified (``zhconv.convert(s, 'zh-hans')``), lower case, all whitespace removed, on
both the query text and a document's title+body (title and body kept apart, so nothing matches
across them). Only the public search API is used: ``SearchRequest(q, size=10, facets=False)``.

Figures (targets from the issue):

1. runs of 2–7 Chinese characters (CJK Unified Ideographs U+4E00–U+9FFF only) cut at random from
   the title (1 in 4) or body of a random document, kept when 1–5 documents contain them;
   typed without quotes: share whose source document is in the top 10 (target ≥ 0.98);
2. the same runs typed in "quotes": the same share (target ≥ 0.99);
3. the same quoted queries: share of all returned hits (first page, size 10) whose stored title+body
   (``engine.get``) really contains the run (target ≥ 0.99);
4. pasted passages: 35 random laws of lawrefbook-laws, a passage of 10/30/60/100/200 characters of
   the body with whitespace removed, from a random start, searched without quotes: how many of the
   35 find their law in the top 10, how many find a document holding the passage, how many give
   zero results;
5. known-item titles: ~150 random disclosure documents (not laws) with a title, the title typed
   as the query: MRR@10 and share at rank 1 (a hit with the same normalised title counts as the
   document: a few pages share their title);
6. runs that cross a line break: a random '\\n' between two non-space characters of a random
   document's body, a run of 2–12 characters around it with the newline taken out (1 character
   cannot cross a break), kept when 1–5 documents contain it, typed in "quotes": share whose source
   is in the top 10, also split into runs of ideographs only and runs with punctuation or digits
   (most breaks follow a 。 or ；), and typed without quotes too, for reference.

``--index DIR`` reuses whatever index opens there: pass ``--rebuild`` after changing indexer/.

Ten example failures per figure follow the table (query, source title, the titles returned).
"""

from __future__ import annotations

import argparse
import bisect
import random
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import zhconv

from indexer.engines import build, open_engine
from indexer.extract import discover, extract_source
from indexer.records import Document, SearchRequest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpora"
LEFT_OUT = ("cctv-xwlb", "attachments")
LAWS = "lawrefbook-laws"
SEED = 20261205
TOP = 10
MAX_DOCS = 5  # a run is kept when 1..MAX_DOCS documents contain it
PASSAGE_LENGTHS = (10, 30, 60, 100, 200)

CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
WHITESPACE = re.compile(r"\s+")
TITLE_SEP = "\x00"  # between a document's title and body in its normalised text
DOC_SEP = "\x01"  # between documents in the concatenated normalised corpus


def norm(text: str) -> str:
    """NFKC, Traditional→Simplified, lower case, no whitespace: this script's idea of "the same"."""
    text = unicodedata.normalize("NFKC", text)
    text = zhconv.convert(text, "zh-hans")
    return WHITESPACE.sub("", text.lower())


def norm_doc(title: str, body: str) -> str:
    return norm(title) + TITLE_SEP + norm(body)


def short(text: str, n: int = 40) -> str:
    text = WHITESPACE.sub(" ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


# --- the documents, normalised once ---------------------------------------------------------


class Corpus:
    """The extracted Documents and one normalised string per document, concatenated for search."""

    def __init__(self, root: Path) -> None:
        self.docs: list[Document] = []
        self.skipped = 0
        for source in discover(root):
            try:
                self.docs.extend(extract_source(source))
            except Exception:  # ExtractError: the index skips the same files
                self.skipped += 1
        self.by_id = {d.id: i for i, d in enumerate(self.docs)}
        self.norms = [norm_doc(d.title, d.body) for d in self.docs]
        self.starts: list[int] = []
        pos = 0
        for text in self.norms:
            self.starts.append(pos)
            pos += len(text) + 1
        self.big = DOC_SEP.join(self.norms)
        self.norm_titles = [t.split(TITLE_SEP, 1)[0] for t in self.norms]

    def is_law(self, i: int) -> bool:
        return self.docs[i].source_path.startswith(LAWS + "/")

    def containing(self, needle: str, limit: int) -> list[int]:
        """Indexes of the first ``limit`` documents whose normalised text contains ``needle``."""
        found: list[int] = []
        pos = 0
        while len(found) < limit:
            pos = self.big.find(needle, pos)
            if pos < 0:
                break
            i = bisect.bisect_right(self.starts, pos) - 1
            found.append(i)
            pos = self.starts[i] + len(self.norms[i]) + 1  # next document
        return found


# --- searching --------------------------------------------------------------------------------


@dataclass
class Answer:
    ids: list[str]
    titles: list[str]
    total: int
    warnings: list[str] = field(default_factory=list)
    error: str = ""


class Searcher:
    def __init__(self, engine, corpus: Corpus) -> None:
        self.engine = engine
        self.corpus = corpus
        self.stored: dict[str, str] = {}
        self.stored_differs = 0
        self.queries = 0
        self.seconds = 0.0

    def search(self, q: str) -> Answer:
        t0 = time.perf_counter()
        self.queries += 1
        try:
            res = self.engine.search(SearchRequest(q=q, size=TOP, page=1, facets=False))
        except Exception as exc:  # noqa: BLE001 - a failure is a figure too
            return Answer([], [], 0, error=f"{type(exc).__name__}: {exc}")
        finally:
            self.seconds += time.perf_counter() - t0
        return Answer(
            [h.id for h in res.hits], [h.title for h in res.hits], res.total, list(res.warnings)
        )

    def stored_norm(self, doc_id: str) -> str:
        """The normalised title+body the index stores for ``doc_id`` (``engine.get``)."""
        if doc_id not in self.stored:
            doc = self.engine.get(doc_id)
            i = self.corpus.by_id.get(doc_id)
            mine = self.corpus.docs[i] if i is not None else None
            if mine is not None and (mine.title, mine.body) == (doc.title, doc.body):
                self.stored[doc_id] = self.corpus.norms[i]
            else:
                self.stored_differs += 1
                self.stored[doc_id] = norm_doc(doc.title, doc.body)
        return self.stored[doc_id]


# --- sampling the queries ----------------------------------------------------------------------


@dataclass
class Run:
    text: str  # as typed (raw characters of the document)
    source: int  # index of the document it was cut from
    field: str  # title | body
    ndocs: int  # documents whose normalised text contains it


@dataclass
class Sampling:
    tried: int = 0
    too_common: int = 0
    not_in_source: int = 0  # normalising the run alone differs from normalising it in context
    seconds: float = 0.0


def sample_runs(
    corpus: Corpus, n: int, rng: random.Random, pick: Callable[[random.Random], Run | None]
) -> tuple[list[Run], Sampling]:
    """``n`` distinct runs from ``pick`` held by 1..MAX_DOCS documents, their source among them."""
    t0 = time.perf_counter()
    stats = Sampling()
    runs: list[Run] = []
    seen: set[str] = set()
    attempts = 0
    while len(runs) < n and attempts < n * 200:
        attempts += 1
        run = pick(rng)
        if run is None:
            continue
        needle = norm(run.text)
        if not needle or needle in seen:
            continue
        seen.add(needle)
        stats.tried += 1
        found = corpus.containing(needle, MAX_DOCS + 1)
        if len(found) > MAX_DOCS:
            stats.too_common += 1
            continue
        if run.source not in found:
            stats.not_in_source += 1
            continue
        run.ndocs = len(found)
        runs.append(run)
    stats.seconds = time.perf_counter() - t0
    return runs, stats


def cjk_picker(corpus: Corpus) -> Callable[[random.Random], Run | None]:
    """A run of 2–7 CJK ideographs from the title (1 in 4) or body of a random document."""
    stretches: dict[tuple[int, str], list[tuple[int, int]]] = {}
    usable = [i for i, d in enumerate(corpus.docs) if CJK_RUN.search(d.title + "\n" + d.body)]

    def pick(rng: random.Random) -> Run | None:
        i = rng.choice(usable)
        doc = corpus.docs[i]
        name = "title" if doc.title and rng.random() < 0.25 else "body"
        key = (i, name)
        if key not in stretches:
            text = getattr(doc, name)
            stretches[key] = [m.span() for m in CJK_RUN.finditer(text)]
        spans = stretches[key]
        if not spans:
            return None
        # a random character position among the stretches, then a run inside its stretch
        a, b = rng.choices(spans, weights=[e - s for s, e in spans])[0]
        length = rng.randint(2, min(7, b - a))
        start = rng.randint(a, b - length)
        return Run(getattr(doc, name)[start : start + length], i, name, 0)

    return pick


def linebreak_picker(corpus: Corpus) -> Callable[[random.Random], Run | None]:
    """A run of 2–12 non-space characters around a '\\n' of a random body, the newline removed."""
    breaks: dict[int, list[int]] = {}
    usable = [i for i, d in enumerate(corpus.docs) if "\n" in d.body.strip()]

    def pick(rng: random.Random) -> Run | None:
        i = rng.choice(usable)
        body = corpus.docs[i].body
        if i not in breaks:
            breaks[i] = [
                m.start() for m in re.finditer(r"(?<=\S)\n(?=\S)", body)
            ]  # a line break between two visible characters
        if not breaks[i]:
            return None
        at = rng.choice(breaks[i])
        length = rng.randint(2, 12)
        before = rng.randint(1, length - 1)
        left, right = body[max(0, at - before) : at], body[at + 1 : at + 1 + length - before]
        text = left + right
        if len(text) != length or WHITESPACE.search(text) or '"' in text:
            return None
        return Run(text, i, "body", 0)

    return pick


# --- the figures ----------------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    target: str = ""
    hits: int = 0
    total: int = 0
    zero: int = 0
    bad_queries: int = 0  # (3): queries with at least one hit that lacks the run
    failures: list[str] = field(default_factory=list)

    def add(self, ok: bool, example: Callable[[], str], examples: int) -> None:
        self.total += 1
        self.hits += ok
        if not ok and len(self.failures) < examples:
            self.failures.append(example())

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else float("nan")


def describe(corpus: Corpus, query: str, source: int | None, ans: Answer, extra: str = "") -> str:
    lines = [f"  q={query!r}" + (f"  [{extra}]" if extra else "")]
    if source is not None:
        lines.append(f"     source: {short(corpus.docs[source].title or '(no title)', 60)}")
    if ans.error:
        lines.append(f"     error: {ans.error}")
    else:
        got = " | ".join(short(t or "(no title)", 24) for t in ans.titles) or "(nothing)"
        lines.append(f"     total={ans.total}: {got}")
    if ans.warnings:
        lines.append(f"     warnings: {'; '.join(ans.warnings)}")
    return "\n".join(lines)


def rank_of(ans: Answer, corpus: Corpus, source: int) -> int | None:
    target = corpus.docs[source].id
    return ans.ids.index(target) + 1 if target in ans.ids else None


def eval_runs(corpus: Corpus, searcher: Searcher, runs: list[Run], examples: int) -> list[Figure]:
    f1 = Figure("(1) run typed plainly: source in top 10", "≥ 0.98")
    f2 = Figure('(2) run typed in "quotes": source in top 10', "≥ 0.99")
    f3 = Figure('(3) "quoted" run: hits whose text contains it', "≥ 0.99")
    for run in runs:
        src_title = corpus.docs[run.source].title
        extra = f"{run.field}, in {run.ndocs} doc(s)"
        answers = {}
        for fig, q in ((f1, run.text), (f2, f'"{run.text}"')):
            ans = answers[fig.label] = searcher.search(q)
            fig.zero += ans.total == 0
            fig.add(
                rank_of(ans, corpus, run.source) is not None,
                lambda q=q, ans=ans, run=run, x=extra: describe(corpus, q, run.source, ans, x),
                examples,
            )
        q, ans, needle = f'"{run.text}"', answers[f2.label], norm(run.text)
        wrong = [
            t
            for d, t in zip(ans.ids, ans.titles, strict=True)
            if needle not in searcher.stored_norm(d)
        ]
        f3.total += len(ans.ids)
        f3.hits += len(ans.ids) - len(wrong)
        f3.bad_queries += bool(wrong)
        if wrong and len(f3.failures) < examples:
            listed = " | ".join(short(t or "(no title)", 24) for t in wrong)
            f3.failures.append(
                f"  q={q!r}  [{len(wrong)} of {len(ans.ids)} hits, total={ans.total}]\n"
                f"     source: {short(src_title or '(no title)', 60)}\n"
                f"     hits without it: {listed}"
            )
    return [f1, f2, f3]


@dataclass
class PassageRow:
    length: int
    found: int = 0
    holder_found: int = 0  # some document holding the passage in the top 10
    zero: int = 0
    warned: int = 0
    total: int = 0


def eval_passages(
    corpus: Corpus, searcher: Searcher, rng: random.Random, n_laws: int, examples: int
) -> tuple[list[PassageRow], Figure, int]:
    longest = max(PASSAGE_LENGTHS)
    laws = [
        i
        for i, d in enumerate(corpus.docs)
        if corpus.is_law(i) and len(WHITESPACE.sub("", d.body)) >= longest
    ]
    chosen = rng.sample(laws, min(n_laws, len(laws)))
    rows = {n: PassageRow(n) for n in PASSAGE_LENGTHS}
    fails = Figure("(4) pasted passages: their law in top 10")
    for i in chosen:
        compact = WHITESPACE.sub("", corpus.docs[i].body)
        for n in PASSAGE_LENGTHS:
            start = rng.randint(0, len(compact) - n)
            q = compact[start : start + n]
            ans = searcher.search(q)
            row = rows[n]
            row.total += 1
            row.zero += ans.total == 0
            row.warned += bool(ans.warnings)
            found = rank_of(ans, corpus, i) is not None
            row.found += found
            needle = norm(q)
            row.holder_found += any(needle in searcher.stored_norm(d) for d in ans.ids)
            fails.add(
                found,
                lambda q=q, ans=ans, n=n, i=i: describe(corpus, q, i, ans, f"{n} chars"),
                examples,
            )
    return [rows[n] for n in PASSAGE_LENGTHS], fails, len(chosen)


def eval_titles(
    corpus: Corpus, searcher: Searcher, rng: random.Random, n_titles: int, examples: int
) -> tuple[Figure, float, int]:
    pages = [i for i, d in enumerate(corpus.docs) if not corpus.is_law(i) and d.title.strip()]
    chosen = rng.sample(pages, min(n_titles, len(pages)))
    by_title: dict[str, set[str]] = {}
    for i in range(len(corpus.docs)):
        by_title.setdefault(corpus.norm_titles[i], set()).add(corpus.docs[i].id)
    fig = Figure("(5) known-item title: at rank 1")
    rr = 0.0
    shared = 0
    for i in chosen:
        doc = corpus.docs[i]
        relevant = by_title[corpus.norm_titles[i]] | {doc.id}
        shared += len(relevant) > 1
        ans = searcher.search(doc.title)
        rank = next((r for r, d in enumerate(ans.ids, 1) if d in relevant), None)
        rr += 1.0 / rank if rank else 0.0
        fig.zero += ans.total == 0
        fig.add(
            rank == 1,
            lambda q=doc.title, ans=ans, rank=rank: describe(
                corpus, q, None, ans, f"rank {rank or '>10'}"
            ),
            examples,
        )
    mrr = rr / len(chosen) if chosen else float("nan")
    return fig, mrr, shared


def eval_linebreaks(
    corpus: Corpus, searcher: Searcher, runs: list[Run], examples: int
) -> tuple[Figure, Figure, Figure, Figure]:
    quoted = Figure('(6) run across a line break, "quoted": source in top 10')
    plain = Figure("(6b) the same typed plainly (for reference)")
    only_cjk = Figure('    (6) "quoted", of which runs of ideographs only')
    others = Figure('    (6) "quoted", of which runs with punctuation, digits …')
    for run in runs:
        body = corpus.docs[run.source].body
        part = only_cjk if re.fullmatch(r"[\u4e00-\u9fff]+", run.text) else others
        for fig, q in ((quoted, f'"{run.text}"'), (plain, run.text)):
            ans = searcher.search(q)
            fig.zero += ans.total == 0
            at = _where(body, run.text)
            fig.add(
                rank_of(ans, corpus, run.source) is not None,
                lambda q=q, ans=ans, at=at, run=run: describe(
                    corpus, q, run.source, ans, f"body has {at!r}, in {run.ndocs} doc(s)"
                ),
                examples,
            )
            if fig is quoted:
                part.add(rank_of(ans, corpus, run.source) is not None, str, 0)
    return quoted, plain, only_cjk, others


def _where(body: str, text: str) -> str:
    """The run as written in the body (with its newline), for the failure listing."""
    for cut in range(1, len(text)):
        piece = text[:cut] + "\n" + text[cut:]
        if piece in body:
            return piece
    return text


# --- the command --------------------------------------------------------------------------------


def copy_corpus(dest: Path) -> Path:
    def ignore(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if n in LEFT_OUT] if Path(directory) == SHARED else []

    shutil.copytree(SHARED, dest, ignore=ignore, copy_function=shutil.copyfile)
    return dest


def open_or_build(index_dir: Path, corpus_dir: Path, rebuild: bool) -> tuple[object, str]:
    if not rebuild:
        try:
            engine = open_engine(index_dir)
            engine.search(SearchRequest(q="政府", size=1, facets=False))
            return engine, "reused"
        except Exception as exc:  # noqa: BLE001 - missing, or built by another analyzer
            if index_dir.is_dir() and any(index_dir.iterdir()):
                print(f"cannot reuse {index_dir} ({type(exc).__name__}: {exc}); rebuilding")
    index_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    report = build(corpus_dir, index_dir, progress=False)
    took = time.perf_counter() - t0
    return open_engine(index_dir), f"built in {took:.1f} s ({report.total_documents} documents)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--index", type=Path, help="index dir: built there if absent, else reused")
    ap.add_argument(
        "--corpus",
        type=Path,
        help="corpus folder (default: a temporary copy of "
        "../shared/corpora without cctv-xwlb and attachments)",
    )
    ap.add_argument("--rebuild", action="store_true", help="rebuild the --index dir")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--runs", type=int, default=300, help="runs for (1)-(3) and for (6)")
    ap.add_argument("--laws", type=int, default=35, help="laws for the pasted passages (4)")
    ap.add_argument("--titles", type=int, default=150, help="documents for the titles (5)")
    ap.add_argument("--examples", type=int, default=10, help="failures listed per figure")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="exact_eval-", ignore_cleanup_errors=True) as tmp:
        if args.corpus:
            corpus_dir = args.corpus.resolve()
            if not corpus_dir.is_dir():
                print(f"no corpus folder {corpus_dir}", file=sys.stderr)
                return 2
            corpus_label = str(corpus_dir)
        else:
            if not SHARED.is_dir():
                print(f"no shared corpora at {SHARED}", file=sys.stderr)
                return 2
            corpus_dir = copy_corpus(Path(tmp) / "corpus")
            corpus_label = f"copy of {SHARED} without {', '.join(LEFT_OUT)}"
        index_dir = args.index.resolve() if args.index else Path(tmp) / "index"

        t0 = time.perf_counter()
        engine, how = open_or_build(index_dir, corpus_dir, args.rebuild)
        t_index = time.perf_counter() - t0
        try:
            indexed = engine.search(SearchRequest(q="", size=1, facets=False)).total
        except Exception:  # noqa: BLE001
            indexed = -1

        t0 = time.perf_counter()
        corpus = Corpus(corpus_dir)
        t_read = time.perf_counter() - t0
        searcher = Searcher(engine, corpus)
        try:
            rng = random.Random(args.seed)
            runs, s_runs = sample_runs(corpus, args.runs, rng, cjk_picker(corpus))
            figs = eval_runs(corpus, searcher, runs, args.examples)
            rows, f4, n_laws = eval_passages(corpus, searcher, rng, args.laws, args.examples)
            f5, mrr, shared_titles = eval_titles(corpus, searcher, rng, args.titles, args.examples)
            lb_runs, s_lb = sample_runs(corpus, args.runs, rng, linebreak_picker(corpus))
            f6, f6b, f6c, f6o = eval_linebreaks(corpus, searcher, lb_runs, args.examples)
        finally:
            engine.close()
    total_s = time.perf_counter() - t_start

    laws = sum(corpus.is_law(i) for i in range(len(corpus.docs)))
    print(f"exact-match quality: bench/exact_eval.py --seed {args.seed} --runs {args.runs}")
    print(f"corpus: {corpus_label}")
    print(
        f"  {len(corpus.docs):,} documents ({laws:,} laws, {len(corpus.docs) - laws:,} "
        f"disclosure pages; {corpus.skipped} files unreadable), {len(corpus.big) / 1e6:.1f} M "
        f"normalised characters; the index holds {indexed:,}"
    )
    print(f"index: {index_dir if args.index else '(temporary)'}, {how}")
    print(
        f"time: {total_s:.1f} s in all (index {t_index:.1f} s, reading + normalising "
        f"{t_read:.1f} s, sampling {s_runs.seconds + s_lb.seconds:.1f} s, "
        f"{searcher.queries} searches {searcher.seconds:.1f} s)"
    )
    for name, got, s in (("(1)-(3)", runs, s_runs), ("(6)", lb_runs, s_lb)):
        by_field = sum(r.field == "title" for r in got)
        from_laws = sum(corpus.is_law(r.source) for r in got)
        print(
            f"runs {name}: {len(got)} kept of {s.tried} distinct candidates "
            f"({s.too_common} in more than {MAX_DOCS} documents, {s.not_in_source} not found in "
            f"their source once normalised); {by_field} from titles, {from_laws} from laws, "
            f"lengths {_lengths(got)}"
        )
    if searcher.stored_differs:
        print(f"note: {searcher.stored_differs} stored documents differ from the extracted ones")
    print()
    print(f"{'figure':<58} {'n':>6} {'value':>7} {'zero':>5}  target")
    print("  (zero: queries with no result; for (3): queries with a hit that lacks the run)")
    for fig in (*figs, f6, f6c, f6o, f6b):
        zero = str(fig.bad_queries) if fig is figs[2] else str(fig.zero)
        print(f"{fig.label:<58} {fig.total:>6} {fig.share:>7.3f} {zero:>5}  {fig.target}")
    print(f"{'(5) known-item title: MRR@10':<58} {f5.total:>6} {mrr:>7.3f} {f5.zero:>5}")
    print(f"{'(5) known-item title: share at rank 1':<58} {f5.total:>6} {f5.share:>7.3f}")
    print(f"    ({shared_titles} of the {f5.total} titles are shared by other documents)")
    print()
    print(f"(4) pasted passages of {n_laws} random laws, unquoted:")
    print(
        f"{'  chars':<8} {'law in top 10':>14} {'holder in top 10':>17} {'zero results':>13} "
        f"{'with warning':>13}"
    )
    for row in rows:
        print(
            f"  {row.length:<6} {row.found:>8} / {row.total:<3} {row.holder_found:>11} / "
            f"{row.total:<3} {row.zero:>13} {row.warned:>13}"
        )
    print()
    for fig in (*figs, f4, f5, f6, f6b):
        if not fig.failures:
            continue
        what = "wrong hits" if fig is figs[2] else "failures"
        print(f"examples of {what}, {fig.label} ({fig.total - fig.hits} in all):")
        for text in fig.failures:
            print(text)
        print()
    return 0


def _lengths(runs: list[Run]) -> str:
    counts: dict[int, int] = {}
    for r in runs:
        counts[len(r.text)] = counts.get(len(r.text), 0) + 1
    return " ".join(f"{n}:{counts[n]}" for n in sorted(counts))


if __name__ == "__main__":
    sys.exit(main())
