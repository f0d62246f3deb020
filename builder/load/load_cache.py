"""Model files as an earlier process checked them, kept by content in `.cache/render.sqlite`,
so `check` and `build` read, parse and check only the files that changed.

A file's result is found again only when everything it depends on is the same: its bytes,
book.yaml, every picture file of the book (name, time, size), the builder's own code and
catalogue, the libraries that parse, the message language and the folder messages are
relative to. Anything else changed, and the file is checked again.
"""

from __future__ import annotations

import hashlib
import pickle
import stat
from collections.abc import Mapping
from pathlib import Path

from builder.load.source import MAX_BYTES
from builder.util import i18n
from builder.util.cache import code_version
from builder.util.render_cache import render_cache


def _book_version(root: Path, book_key: tuple[object, ...]) -> bytes:
    """The code, language and folder, book.yaml's bytes, and `book_key`: the signatures
    (name, time, size) of book.yaml and of every picture, as the loader took them."""
    digest = hashlib.sha256(code_version("load"))
    digest.update(f"{i18n.language()}|{Path.cwd()}|{root}|{book_key!r}".encode())
    digest.update((root / "book.yaml").read_bytes() if (root / "book.yaml").is_file() else b"")
    return digest.digest()


def kept(
    root: Path, paths: list[Path], book_key: tuple[object, ...]
) -> tuple[dict[Path, str], dict[Path, object]]:
    """Each file's key, and the results kept for those the cache has."""
    book = _book_version(root, book_key)
    keys: dict[Path, str] = {}
    for path in paths:
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                continue  # a pipe, a device, a folder or too large: the load says so
            data = path.read_bytes()
        except OSError:
            continue  # reported by the load itself
        keys[path] = hashlib.sha256(book + str(path).encode() + b"\0" + data).hexdigest()
    found: dict[Path, object] = {}
    store = render_cache()
    for path, key in keys.items():
        stored = store.get(key)
        if stored is not None:
            try:
                found[path] = pickle.loads(stored)  # written by this same code (key above)
            except Exception:  # a damaged row: check the file again
                continue
    return keys, found


def keep(keys: Mapping[Path, str], results: Mapping[Path, object]) -> None:
    """Keep the results of files just checked, for the next process."""
    render_cache().put(
        [(keys[path], pickle.dumps(result)) for path, result in results.items() if path in keys]
    )
