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


@main.command()
@click.option(
    "--corpus", required=True, type=click.Path(path_type=Path), help="Folder of documents."
)
@click.option("--index", "index_dir", required=True, type=click.Path(path_type=Path))
@click.option("--incremental", is_flag=True, help="Re-index only new or changed files.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
def index(corpus: Path, index_dir: Path, incremental: bool, workers: int | None) -> None:
    """Build the index of CORPUS in INDEX (a new generation, switched in atomically).

    Exit 0 when the index was written, even if some files were skipped (listed with reasons);
    2 when the corpus folder is missing; 3 when another process is writing the index.
    """
    from .build import build_index
    from .errors import CorpusMissingError, IndexLockedError

    try:
        report = build_index(corpus, index_dir, incremental=incremental, workers=workers)
    except CorpusMissingError as exc:
        _fail(str(exc), 2)
    except IndexLockedError as exc:
        _fail(str(exc), 3)
    except GovsearchError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted: the previous index is unchanged and still serving", 130)
    click.echo(report.summary())
