"""The ``govsearch`` command line: index | search | parse | serve.

Each command's docstring is its ``--help``. Errors of ours become one line on stderr and a
non-zero exit; nothing prints a traceback for a problem the user can fix.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import GovsearchError


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"govsearch: {message}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="govsearch")
def main() -> None:
    """Full-text search for Chinese government information-disclosure documents."""


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
def parse(file: Path) -> None:
    """Print the Document extracted from FILE as JSON."""
    from .extract import extract_document

    try:
        doc = extract_document(file)
    except GovsearchError as exc:
        _fail(str(exc))
    click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
