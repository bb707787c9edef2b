"""The ``govsearch`` command line: index | search | parse | serve.

Each command's docstring is its ``--help``. Errors of ours become one line on stderr and a
non-zero exit; nothing prints a traceback for a problem the user can fix.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import GovsearchError, SettingError


def _setting(name: str, *decls: str, **kw: object):
    """An option whose default comes from ``GOVSEARCH_<NAME>`` (the settings of the README)."""
    return click.option(
        f"--{name.replace('_', '-')}",
        *decls,
        envvar=f"GOVSEARCH_{name.upper()}",
        show_envvar=True,
        **kw,
    )


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"govsearch: {message}", err=True)
    sys.exit(code)


class _OneLineError(click.ClickException):
    """A usage error or a bad setting: one line on stderr and exit 2, like ``_fail``."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        click.echo(f"govsearch: {self.format_message()}", err=True)


class _Commands(click.Group):
    """The command group: click's usage errors (a bad option, or a bad value in a
    ``GOVSEARCH_*`` variable) and bad settings noticed anywhere in a command are one line and
    exit 2, never click's usage block or a traceback."""

    def make_context(self, *args: object, **kwargs: object) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[arg-type]
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _OneLineError(exc.format_message()) from None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _OneLineError(exc.format_message()) from None
        except SettingError as exc:
            raise _OneLineError(str(exc)) from None


@click.group(cls=_Commands)
@click.version_option(package_name="govsearch")
def main() -> None:
    """Full-text search for Chinese government information-disclosure documents."""


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
def parse(file: Path) -> None:
    """Print the Document extracted from FILE as JSON (a JSON array for JSONL / JSON arrays)."""
    from .extract import extract_records

    try:
        docs = extract_records(file)
    except GovsearchError as exc:
        _fail(str(exc))
    out = docs[0].to_dict() if len(docs) == 1 else [doc.to_dict() for doc in docs]
    # bytes, so that the JSON is UTF-8 whatever the locale's encoding (ASCII under LC_ALL=C)
    click.echo(json.dumps(out, ensure_ascii=False, indent=2).encode("utf-8"))


@main.command()
@click.option(
    "--corpus", required=True, type=click.Path(path_type=Path), help="Folder of documents."
)
@click.option("--index", "index_dir", required=True, type=click.Path(path_type=Path))
@click.option("--incremental", is_flag=True, help="Re-index only new or changed files.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
@_setting("backend", help="whoosh (embedded, the default) or sphinx (sharded searchd cluster).")
@click.option("--shards", type=click.IntRange(min=1), help="Sphinx: number of shards [1].")
@click.option(
    "--shard-host",
    "hosts",
    multiple=True,
    help="Sphinx: host of shard k is the k-th (cycled) [127.0.0.1].",
)
@click.option("--base-port", type=click.IntRange(1, 65000), help="Sphinx: first port [9312].")
@click.option(
    "--agent-failure",
    type=click.Choice(["warn", "error"]),
    help="Sphinx: a shard down gives partial results + warning, or an error [warn].",
)
def index(
    corpus: Path,
    index_dir: Path,
    incremental: bool,
    workers: int | None,
    backend: str | None,
    hosts: tuple[str, ...],
    **sphinx: int | str | None,
) -> None:
    """Build the index of CORPUS in INDEX (a new generation, switched in atomically).

    With --backend sphinx: split the documents over --shards searchd shards, write their configs
    and a front with a distributed index, and build them (a rebuild rotates live). Exit 0 when the
    index was written, even if some files were skipped (listed with reasons); 2 when the corpus
    folder is missing; 3 when another process is writing the index.
    """
    from .engines import build
    from .errors import CorpusMissingError, IndexLockedError

    try:
        report = build(
            corpus,
            index_dir,
            backend,
            incremental=incremental or None,
            workers=workers,
            hosts=list(hosts) or None,
            **sphinx,
        )
    except (CorpusMissingError, SettingError) as exc:
        _fail(str(exc), 2)
    except IndexLockedError as exc:
        _fail(str(exc), 3)
    except GovsearchError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted: the previous index is unchanged and still serving", 130)
    click.echo(report.summary())


def _facet_option(name: str, help: str):
    return click.option(f"--{name.replace('_', '-')}", name, multiple=True, help=help)


@main.command()
@click.argument("query", default="")
@_setting(
    "index", "index_dir", required=True, type=click.Path(path_type=Path), help="Index directory."
)
@click.option("--json", "as_json", is_flag=True, help="Print exactly the JSON of GET /api/search.")
@_facet_option("agency", "Publishing agency (repeat for several: OR).")
@_facet_option("doc_type", "Document type, e.g. 复函 (repeatable).")
@_facet_option("year", "Publication year, e.g. 2023 (repeatable).")
@_facet_option("category", "Subject category (repeatable).")
@_facet_option("proposal_kind", "提案 / 建议 / 议案 (repeatable).")
@_facet_option("session", "Session of a reply, as written, e.g. 区政协六届三次会议 (repeatable).")
@_facet_option(
    "handling_unit", "Handling unit of a reply, by its name in the alias table (repeatable)."
)
@_facet_option("feedback", "满意 / 基本满意 / 不满意 (repeatable).")
@_facet_option("kind_of_page", "reply (one reply) or session_list (repeatable).")
@_facet_option("file_type", "网页 / PDF / Word / Excel / OFD / 扫描件 (repeatable).")
@click.option("--date-from", "date_from", default="", help="Earliest date, YYYY-MM-DD.")
@click.option("--date-to", "date_to", default="", help="Latest date, YYYY-MM-DD.")
@click.option("--sort", default="relevance", help="relevance, date or written_date (newest first).")
@click.option("--page", default="1", help="Page number (page × size at most 10000).")
@click.option("--size", default="10", help="Hits per page (1-100).")
@_setting(
    "max_result_window",
    type=click.IntRange(min=1),
    help="Deepest hit a page may reach, page × size [default: 10000].",
)
def search(
    query: str,
    index_dir: Path,
    as_json: bool,
    max_result_window: int | None,
    **options: str | tuple[str, ...],
) -> None:
    """Search the index for QUERY and print a table (or the API's JSON with --json).

    QUERY: words (all must match), OR, -word or NOT word, "exact phrase", title: agency: doc_no:.
    A 文号 such as 岚政协〔2024〕13号 finds its document first.
    """
    import shutil

    from .engines import open_engine
    from .params import MAX_RESULT_WINDOW, run_search
    from .result_table import format_table

    # the same path as the HTTP API: the options become query parameters and pass one validator
    params = {
        name: list(value) if isinstance(value, tuple) else [value]
        for name, value in options.items()
    }
    params["q"] = [query]
    try:
        engine = open_engine(index_dir)
        try:
            result = run_search(engine, params, max_result_window or MAX_RESULT_WINDOW)
        finally:
            engine.close()
    except GovsearchError as exc:
        _fail(str(exc), 2)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result, shutil.get_terminal_size((100, 24)).columns))


@main.command()
@_setting("index", help="Index directory [default: var/index].")
@_setting("corpus", help="Corpus folder; the index is built from it first when it is missing.")
@_setting("host", help="[default: 127.0.0.1]")
@_setting(
    "public_url",
    help="Absolute URL the site is reached at; feed, CSV and OpenAPI links start with it "
    "[default: http://HOST:PORT/].",
)
@_setting("port", type=click.IntRange(0, 65535), help="[default: 8000; 0 picks a free port]")
@_setting("workers", type=click.IntRange(min=1), help="Request threads [default: 8].")
@_setting(
    "backend",
    help="whoosh or sphinx [default: what the index holds]; sphinx starts its local searchd.",
)
@_setting(
    "shards",
    type=click.IntRange(min=1),
    help="Shards when a missing Sphinx index is built from --corpus [default: 1].",
)
def serve(**options: str | int | None) -> None:
    """Serve the web pages and the JSON API with waitress until Ctrl-C or SIGTERM.

    Builds the index from --corpus first when the index directory has none, or one this
    version cannot read (another analyzer or index format). Other settings
    (CSV_MAX_ROWS, FEED_SIZE …) come from GOVSEARCH_* environment variables; see the README.
    """
    from webui.serve import serve as run_server

    config = {name.upper(): value for name, value in options.items() if value is not None}
    try:
        run_server(config, echo=click.echo)
    except (GovsearchError, ValueError) as exc:
        _fail(str(exc), 2)
    except KeyboardInterrupt:
        _fail("interrupted before serving: the previous index is unchanged", 130)
