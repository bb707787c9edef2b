"""The boundaries of ARCHITECTURE.md, checked in a fresh interpreter per module.

``webui → indexer`` never back; ``extract`` and ``analysis`` know nothing of Whoosh; the Sphinx
engine shares the request rules, facets, query parser and highlighter without importing Whoosh
(so a second engine does not drag the first one in).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

CASES = [
    ("indexer.extract", ("whoosh", "flask", "webui")),
    ("indexer.analysis", ("whoosh", "flask", "webui")),
    ("indexer.request_rules", ("whoosh", "flask", "webui")),
    ("indexer.sphinx.engine", ("whoosh", "flask", "webui")),
    ("indexer.search", ("flask", "webui")),
    ("indexer.build", ("flask", "webui")),
    ("indexer.cli", ("flask", "webui")),
]


@pytest.mark.parametrize(("module", "forbidden"), CASES, ids=[c[0] for c in CASES])
def test_module_does_not_import(module: str, forbidden: tuple[str, ...]) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not set(forbidden) & set(out), f"{module} imports {set(forbidden) & set(out)}"


def test_the_check_can_fail() -> None:
    """A module that does import Whoosh is reported (the test above is not vacuous)."""
    code = "import indexer.search, sys; print('whoosh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.stdout.strip() == "True"
