"""Read a binary file (PDF, Word, Excel, OFD) in a process of its own, under limits.

A parser that hangs on a damaged file, or swallows memory on a huge one, must not stop the
build: the reader runs as ``python -m indexer.extract.isolated`` in its own session, with its
address space capped (``RLIMIT_AS``; tesseract, started by it, inherits the cap), and is killed
with everything it started when the file's time limit is over. A fresh interpreter rather than
a fork: the build's workers are daemon processes with a thread (multiprocessing lets them have
no children, and forking a threaded process can deadlock). Starting one costs 0.24-0.5 s a file
(bench/attachments_bench.py: a 6 KB XLS in 242 ms, 501 ms on a busier machine, 2-3 ms in the
build's own process; half of it the interpreter's start, half importing the extract package),
small beside reading a PDF of 20 pages (0.3-0.5 s) or OCR'ing one page (3 s).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from ..errors import ExtractError
from .limits import Limits
from .text_file import FileText

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def read_isolated(path: Path, suffix: str, limits: Limits) -> FileText:
    """The FileText of ``path`` read in a child process; ExtractError with the reason if not."""
    request = json.dumps(
        {"path": str(path), "suffix": suffix, "limits": dataclasses.asdict(limits)}
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    # one OCR thread per reader: the build already runs one reader per core
    env.setdefault("OMP_THREAD_LIMIT", "1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer.extract.isolated"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(request.encode("utf-8"), timeout=limits.file_seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ExtractError(
            f"reading took over {limits.file_seconds:g} s (GOVSEARCH_FILE_SECONDS)"
        ) from None
    finally:
        if proc.poll() is None:
            _kill(proc)
    try:
        answer = json.loads(out.decode("utf-8"))
    except ValueError:
        tail = err.decode("utf-8", "replace").strip().splitlines()
        if proc.returncode and proc.returncode < 0:
            reason = f"reader killed by signal {-proc.returncode}"
        else:
            reason = f"reader failed: {tail[-1] if tail else 'no answer'}"
        raise ExtractError(reason) from None
    if "error" in answer:
        raise ExtractError(answer["error"])
    return FileText.from_dict(answer)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()


def read_here(path: Path, suffix: str, limits: Limits) -> FileText:
    """The FileText of ``path`` read in this process (the child's work)."""
    from . import ofd, pdf, sheet, word

    if suffix == ".pdf":
        return pdf.read_pdf(path, limits)
    if suffix == ".docx":
        return word.read_docx(path)
    if suffix in (".doc", ".wps"):
        return word.read_doc(path)
    if suffix in (".xlsx", ".xls", ".ods"):
        return sheet.read_sheets(path)
    if suffix == ".ofd":
        return ofd.read_ofd(path)
    raise ExtractError(f"unsupported file type {suffix!r}")


def _main() -> None:
    import resource

    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    limits = Limits(**request["limits"])
    cap = limits.file_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        answer = read_here(Path(request["path"]), request["suffix"], limits).to_dict()
    except ExtractError as exc:
        answer = {"error": exc.reason}
    except MemoryError:
        answer = {"error": f"needs over {limits.file_memory_mb} MB (GOVSEARCH_FILE_MEMORY_MB)"}
    except Exception as exc:  # a parser's own error on a damaged file: the file is skipped
        first = str(exc).strip().splitlines()
        answer = {"error": f"unreadable ({type(exc).__name__}: {first[0][:200] if first else ''})"}
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8"))


if __name__ == "__main__":
    _main()
