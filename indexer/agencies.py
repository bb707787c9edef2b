"""One office written several ways is one name: the agency alias table (no engine here).

``indexer/data/agency_aliases.tsv`` lists, one office a line, the name a facet shows and the
other ways documents write it (区交通与建设局 / 区交建局 / 区交通建设局), tab-separated. Users
extend it in place or in a file named by ``GOVSEARCH_AGENCY_ALIASES`` (its lines win). The
names are read at index time: the handling_unit facet and the 承办单位: prefix hold the
canonical name, so a changed table needs a rebuild.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

ALIASES_FILE = Path(__file__).resolve().parent / "data" / "agency_aliases.tsv"
ENV_VAR = "GOVSEARCH_AGENCY_ALIASES"


def _read(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        names = ["".join(name.split()) for name in line.split("\t") if name.strip()]
        for name in names:
            table[name] = names[0]
    return table


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """written name -> canonical name, from the repo's table and the user's file."""
    table = _read(ALIASES_FILE)
    extra = os.environ.get(ENV_VAR, "")
    if extra:
        table.update(_read(Path(extra)))
    return table


def canonical_unit(name: str) -> str:
    """The one name of an office (``区交建局`` → ``区交通与建设局``); unknown names as written,
    whitespace removed."""
    name = "".join(name.split())
    return alias_table().get(name, name)


def canonical_units(names: list[str]) -> list[str]:
    """Each office once, by its canonical name, in the order given."""
    return list(dict.fromkeys(canonical_unit(n) for n in names if n.strip()))
