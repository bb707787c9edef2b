"""The one-writer lock of an index directory (``INDEX_DIR/write.lock``).

The mutual exclusion is an ``fcntl.flock`` on the file, which the kernel drops when the holder
dies, even by SIGKILL, so a crashed build never blocks the next one. The JSON inside (pid, host,
start time) only serves the message a second writer prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from typing import IO, Any

from .errors import IndexLockedError

LOCK_NAME = "write.lock"


#: handles held by this process; forked workers close them (see close_inherited)
_HELD: list[IO[str]] = []


def close_inherited() -> None:
    """In a forked child: drop its copy of the parent's lock descriptor.

    A flock lives as long as any descriptor of the open file does, so a worker that outlived a
    killed parent would otherwise keep the index locked.
    """
    for handle in _HELD:
        handle.close()
    _HELD.clear()


class WriteLock:
    """``with WriteLock(index_dir):`` — raises IndexLockedError at once if a live writer holds it.

    ``took_over`` tells whether a previous holder left the lock behind (it died mid-build).
    """

    def __init__(self, index_dir: Path | str):
        self.path = Path(index_dir) / LOCK_NAME
        self._handle: IO[str] | None = None
        self.took_over: dict[str, Any] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            handle.close()
            raise IndexLockedError(_locked_message(holder, self.path)) from None
        # The flock was free but the file still names a writer: it died without cleaning up
        # (release() empties the file).
        self.took_over = _read_holder(handle)
        handle.seek(0)
        handle.truncate()
        json.dump(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            handle,
        )
        handle.flush()
        self._handle = handle
        _HELD.append(handle)

    def release(self) -> None:
        if self._handle is None:
            return
        # Empty the file before dropping the flock, so that a file naming a writer always means
        # that writer holds it or died holding it.
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        self._handle.close()
        _HELD.remove(self._handle)
        self._handle = None

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(handle: IO[str]) -> dict[str, Any] | None:
    handle.seek(0)
    try:
        data = json.loads(handle.read() or "null")
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def _locked_message(holder: dict[str, Any] | None, path: Path) -> str:
    if holder is None:
        return f"index is being written by another process (lock {path})"
    host = holder.get("host")
    where = "" if host == socket.gethostname() else f" on {host}"
    return (
        f"index is being written by PID {holder['pid']}{where} since {holder.get('started', '?')}"
        f" (lock {path})"
    )
