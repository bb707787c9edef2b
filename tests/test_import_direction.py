"""The boundaries of ARCHITECTURE.md, checked on every module of ``indexer/`` and ``webui/``.

Statically (every import statement, also those inside functions, read with ``ast``):
only ``indexer/whoosh/`` imports Whoosh; only ``indexer/sphinx/`` imports pymysql; ``webui``
reaches engines only through ``indexer.engines``, as does ``indexer/cli.py``; the shared modules
at the top of ``indexer/`` import no engine package; ``indexer`` never imports Flask or
``webui`` (but for the ``serve`` command, which starts the web app); the imports among
``webui`` modules have no circle. At run time, in a fresh interpreter per module: importing the
shared modules or the Sphinx engine does not load Whoosh, nor the CLI Flask.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from conftest import REPO

ENGINE_PACKAGES = ("indexer.whoosh", "indexer.sphinx")
#: the one import from indexer into webui: ``govsearch serve`` runs the web app
SERVE_COMMAND = ("indexer.cli", "webui.serve")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # ``from . import layout`` imports the module base.layout
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


MODULES = {
    _module_name(p): _imports(p)
    for folder in ("indexer", "webui")
    for p in sorted((REPO / folder).rglob("*.py"))
}


def _hits(imports: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {i for i in imports if any(i == p or i.startswith(p + ".") for p in prefixes)}


def test_the_walk_sees_the_modules() -> None:
    assert {"indexer.engines", "indexer.whoosh.engine", "indexer.sphinx.engine"} <= set(MODULES)
    assert "whoosh.fields" in MODULES["indexer.whoosh.schema"]
    assert "indexer.whoosh.layout" in MODULES["indexer.whoosh.build"]  # from . import layout
    assert "pymysql" in MODULES["indexer.sphinx.connections"]


def test_only_the_whoosh_package_imports_whoosh() -> None:
    offenders = {
        m: _hits(i, ("whoosh",))
        for m, i in MODULES.items()
        if not m.startswith("indexer.whoosh") and _hits(i, ("whoosh",))
    }
    assert offenders == {}


def test_only_the_sphinx_package_speaks_sphinxql() -> None:
    offenders = {
        m: _hits(i, ("pymysql", "MySQLdb"))
        for m, i in MODULES.items()
        if not m.startswith("indexer.sphinx") and _hits(i, ("pymysql", "MySQLdb"))
    }
    assert offenders == {}


def test_engines_are_reached_only_through_the_seam() -> None:
    """Outside the engine packages, only indexer.engines names them (it loads their backend
    module by name, so not even it imports them)."""
    offenders = {
        m: _hits(i, ENGINE_PACKAGES)
        for m, i in MODULES.items()
        if not m.startswith(ENGINE_PACKAGES) and _hits(i, ENGINE_PACKAGES)
    }
    assert offenders == {}


def test_the_engines_do_not_import_each_other() -> None:
    for mine, other in (ENGINE_PACKAGES, ENGINE_PACKAGES[::-1]):
        offenders = {m for m, i in MODULES.items() if m.startswith(mine) and _hits(i, (other,))}
        assert offenders == set(), f"{mine} imports {other}"


def test_indexer_never_imports_the_web_layer() -> None:
    offenders = {
        (m, i)
        for m, imports in MODULES.items()
        if m.startswith("indexer")
        for i in _hits(imports, ("flask", "werkzeug", "webui"))
        if not (m == SERVE_COMMAND[0] and _hits({i}, SERVE_COMMAND[1:]))
    }
    assert offenders == set()


def test_webui_has_no_import_circle() -> None:
    graph = {
        m: {i for i in imports if i in MODULES and i.startswith("webui") and i != m}
        for m, imports in MODULES.items()
        if m.startswith("webui")
    }
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import circle in webui: {exc.args[1]}")
    assert order.index("webui.engine") < order.index("webui.api") < order.index("webui.app")


def test_the_circle_check_can_fail() -> None:
    with pytest.raises(CycleError):
        list(TopologicalSorter({"a": {"b"}, "b": {"a"}}).static_order())


RUNTIME = [
    ("indexer.extract", ("whoosh", "pymysql", "flask", "webui")),
    ("indexer.analysis", ("whoosh", "pymysql", "flask", "webui")),
    ("indexer.params", ("whoosh", "pymysql", "flask", "webui")),
    ("indexer.highlight", ("whoosh", "pymysql", "flask", "webui")),
    ("indexer.engines", ("whoosh", "pymysql", "flask", "webui")),
    ("indexer.sphinx.engine", ("whoosh", "flask", "webui")),
    ("indexer.whoosh.engine", ("pymysql", "flask", "webui")),
    ("indexer.whoosh.build", ("pymysql", "flask", "webui")),
    ("indexer.cli", ("whoosh", "pymysql", "flask", "webui")),
]


def _loaded_by(module: str) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(("module", "forbidden"), RUNTIME, ids=[c[0] for c in RUNTIME])
def test_module_does_not_load(module: str, forbidden: tuple[str, ...]) -> None:
    assert not set(forbidden) & _loaded_by(module)


def test_the_runtime_check_can_fail() -> None:
    """A module that does import Whoosh is reported (the test above is not vacuous)."""
    assert "whoosh" in _loaded_by("indexer.whoosh.engine")
