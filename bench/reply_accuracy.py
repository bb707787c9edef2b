"""Per-field accuracy of the reply fields against hand annotations (tests/data/replies.jsonl).

Each line of the annotations names a file under ../shared/corpora and the values a person read
in that document (never the parser's output). A string field counts as right when the
extracted value equals the annotated one (both empty counts as right: a document that does not
state a field must not get one); ``handling_units`` is scored by F1 over all documents (units
matched as written, order aside), as the issue measures it. A field an older ``Document``
lacks counts as empty, so the script measures older code too (``PYTHONPATH=<old checkout>``).

Usage: python3 bench/reply_accuracy.py [ANNOTATIONS] [CORPORA_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from indexer.extract import extract_document

REPO = Path(__file__).resolve().parent.parent
ANNOTATIONS = REPO / "tests" / "data" / "replies.jsonl"
CORPORA = REPO.parent / "shared" / "corpora"
STRING_FIELDS = (
    "kind_of_page",
    "proposal_kind",
    "session",
    "proposal_no",
    "addressee",
    "feedback",
    "reply_date",
)


def load(path: Path = ANNOTATIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def measure(rows: list[dict], corpora: Path = CORPORA) -> tuple[dict[str, float], list[str]]:
    """(field -> accuracy, with ``handling_units`` as F1; the differences, one line each)."""
    right = dict.fromkeys(STRING_FIELDS, 0)
    found = wanted = matched = 0
    misses: list[str] = []
    for row in rows:
        doc = extract_document(corpora / row["path"])
        for name in STRING_FIELDS:
            if getattr(doc, name, "") == row[name]:
                right[name] += 1
            else:
                misses.append(f"{row['path']}: {name} {getattr(doc, name, '')!r} != {row[name]!r}")
        got, want = set(doc.handling_units), set(row["handling_units"])
        found, wanted, matched = found + len(got), wanted + len(want), matched + len(got & want)
        if got != want:
            misses.append(
                f"{row['path']}: handling_units {doc.handling_units} != {row['handling_units']}"
            )
    scores = {name: right[name] / len(rows) for name in STRING_FIELDS}
    precision = matched / found if found else 1.0
    recall = matched / wanted if wanted else 1.0
    total = precision + recall
    scores["handling_units"] = 2 * precision * recall / total if total else 0.0
    return scores, misses


def main(argv: list[str]) -> int:
    annotations = Path(argv[1]) if len(argv) > 1 else ANNOTATIONS
    corpora = Path(argv[2]) if len(argv) > 2 else CORPORA
    rows = load(annotations)
    scores, misses = measure(rows, corpora)
    print(f"{len(rows)} annotated documents ({annotations.name})")
    print(f"{'field':<16} accuracy")
    for name, score in scores.items():
        print(f"{name:<16} {score:.2f}" + ("  (F1)" if name == "handling_units" else ""))
    for line in misses:
        print("  miss:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
