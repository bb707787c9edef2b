"""How often each form of indexer/data/synonyms.tsv occurs in ../shared/corpora.

    python3 bench/synonym_counts.py            # prints the table
    python3 bench/synonym_counts.py --write    # also rewrites the counts in synonyms.tsv's header

Counts are files of the shared corpora (every text file: .md, .txt, .html; a news day or a law
is one file) that contain the form as written, after the query's own normalisation
(``chars.query_run``: Traditional → Simplified, width, no whitespace), so a form counts where a
query for it would find it. The header of synonyms.tsv cites these numbers; a group none of
whose forms occur is still kept when it is common government usage (users type it elsewhere).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from indexer.chars import query_run
from indexer.synonyms import DATA_FILE, read_groups

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
TEXT_SUFFIXES = {".md", ".txt", ".html", ".htm"}
BEGIN = "# --- counts (bench/synonym_counts.py) ---"
END = "# --- end of counts ---"


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", "replace")
    return query_run(text)


def count(corpora: Path, forms: list[str]) -> tuple[dict[str, int], int]:
    files = [p for p in sorted(corpora.rglob("*")) if p.suffix.lower() in TEXT_SUFFIXES]
    counts = dict.fromkeys(forms, 0)
    for path in files:
        text = _text(path)
        for form in forms:
            if form in text:
                counts[form] += 1
    return counts, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--write", action="store_true", help="rewrite synonyms.tsv's header")
    args = parser.parse_args()
    groups = read_groups(DATA_FILE.read_text(encoding="utf-8"))
    forms = list(dict.fromkeys(query_run(f) for g in groups for f in g))
    counts, files = count(args.corpora, forms)
    seen = sum(1 for g in groups if sum(counts[query_run(f)] > 0 for f in g) >= 1)
    both = sum(1 for g in groups if sum(counts[query_run(f)] > 0 for f in g) >= 2)
    lines = [
        BEGIN,
        f"# {len(groups)} groups, {len(forms)} forms; files of ../shared/corpora ({files} text "
        "files) holding each form:",
        f"# groups with a form seen: {seen} of {len(groups)} ({seen / len(groups):.0%}); "
        f"with two or more forms seen: {both} ({both / len(groups):.0%})",
    ]
    lines += ["# " + "  ".join(f"{f} {counts[query_run(f)]}" for f in g) for g in groups]
    lines.append(END)
    print("\n".join(lines))
    if args.write:
        text = DATA_FILE.read_text(encoding="utf-8")
        block = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        DATA_FILE.write_text(block.sub(lambda _: "\n".join(lines), text), encoding="utf-8")


if __name__ == "__main__":
    main()
