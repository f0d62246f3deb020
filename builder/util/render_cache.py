"""Rendered Markdown kept by content hash in `.cache/render.sqlite`, so the next build does
not parse and render an unchanged entry again (for any output: site, EPUB, PDF, search).

The key is a hash of everything the result depends on: the Markdown, how its pictures are
shown, and the code that renders it (markdown.py and the parser's versions), so a change to
any of them misses the cache. The cache is disposable: a damaged or locked file is set aside
and the build renders as if there were none.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from builder.util.cache import CACHES, cache_dir, cache_path, code_version

MAX_BYTES = CACHES["render"].max_bytes or 0  # past it (1 GB) the cache starts again, empty


class RenderCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.pid = os.getpid()
        too_big = path.is_file() and path.stat().st_size > MAX_BYTES
        self.connection = self._connect(start_again=too_big)

    def _connect(self, *, start_again: bool = False) -> sqlite3.Connection | None:
        """A connection, or None to go without the cache this time. Only a file that is not a
        database any more is set aside: a locked one belongs to another build or thread, and
        removing it under their open connection would pull their mapped pages away (SIGBUS)."""
        try:
            if start_again:  # not a database any more: set it aside, start an empty one
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # a lost write only costs a render
            connection.execute(
                "CREATE TABLE IF NOT EXISTS rendered (key TEXT PRIMARY KEY, text TEXT)"
            )
            connection.execute("CREATE TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY, data BLOB)")
            return connection
        except (sqlite3.OperationalError, OSError):  # locked, busy, or cannot be opened
            return None
        except sqlite3.Error:  # not a database any more
            return None if start_again else self._connect(start_again=True)

    def text(self, parts: tuple[str, ...], make: Callable[[], str]) -> str:
        """What `make()` returns for these inputs, from the cache when it has it."""
        if self.connection is None or os.getpid() != self.pid:  # no sharing across a fork
            return make()
        version = code_version("render").hex()
        digest = hashlib.sha256("\0".join((version, *parts)).encode()).hexdigest()
        try:
            row = self.connection.execute(
                "SELECT text FROM rendered WHERE key = ?", (digest,)
            ).fetchone()
            if row is not None:
                return str(row[0])
            made = make()
            self.connection.execute("INSERT OR REPLACE INTO rendered VALUES (?, ?)", (digest, made))
            return made
        except (sqlite3.OperationalError, sqlite3.ProgrammingError):  # locked for too long
            return make()
        except sqlite3.Error:  # damaged: start an empty one
            self.connection = self._connect(start_again=True)
            return make()

    def get(self, key: str) -> bytes | None:
        """Bytes kept under `key` by `put` (a build's own digest of its inputs)."""
        if self.connection is None or os.getpid() != self.pid:
            return None
        try:
            row = self.connection.execute("SELECT data FROM kept WHERE key = ?", (key,)).fetchone()
        except (sqlite3.OperationalError, sqlite3.ProgrammingError):
            return None
        except sqlite3.Error:
            self.connection = self._connect(start_again=True)
            return None
        return bytes(row[0]) if row is not None else None

    def put(self, items: list[tuple[str, bytes]]) -> None:
        if self.connection is None or os.getpid() != self.pid or not items:
            return
        try:
            with self.connection:  # one transaction for them all
                self.connection.execute("BEGIN")
                self.connection.executemany("INSERT OR REPLACE INTO kept VALUES (?, ?)", items)
        except (sqlite3.OperationalError, sqlite3.ProgrammingError):
            return
        except sqlite3.Error:
            self.connection = self._connect(start_again=True)


_open: dict[tuple[Path, Path, int], RenderCache] = {}


def render_cache() -> RenderCache:
    """The cache of this process and thread for the current cache folder (BUILDER_CACHE).

    One connection a thread: serve renders the print preview in its request thread while its
    watcher rebuilds in another, and an sqlite3 connection refuses to be used from a thread
    other than its own."""
    where = (Path.cwd(), cache_dir(), threading.get_ident())
    found = _open.get(where)
    if found is None or found.pid != os.getpid():
        found = _open[where] = RenderCache(Path.cwd() / cache_path("render"))
    return found
