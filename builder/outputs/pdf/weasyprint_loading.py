"""WeasyPrint imported without a search for its C libraries under every name it knows.

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig through cffi, trying each library
under the names it has on Linux, macOS and Windows (`libgobject-2.0-0`, `gobject-2.0-0`,
`gobject-2.0`, then `libgobject-2.0.so.0`…). For each name that does not open, cffi asks
`ctypes.util.find_library`, which on Linux runs `ldconfig -p`, then gcc or ld, each in a
subprocess: fifteen names, 0.17 s of a 0.45 s import, and every PDF build waits for that
import (a build after one edit, most of all). The dynamic linker opens the Linux names
(`libpango-1.0.so.0`) by itself, so the search is left out while WeasyPrint is imported;
where the libraries cannot be opened without it, WeasyPrint is imported again with it.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import sys
import threading
from collections.abc import Callable


def import_weasyprint(importer: Callable[[], None] | None = None) -> None:
    """Import WeasyPrint (with `importer`: what imports it, for the tests). The search is
    left out for this process's threads too, so they take turns; once WeasyPrint is
    imported, this is an import like any other."""
    importer = importer or _import
    if importer is _import and _LOADED in sys.modules:
        return
    with _TURNS:
        search = ctypes.util.find_library
        ctypes.util.find_library = _not_searched
        try:
            # On a library it cannot open, WeasyPrint prints its installation help, then
            # raises: standard output is held for the import's quarter of a second, once
            # a process (a line another thread printed then would be lost).
            with contextlib.redirect_stdout(io.StringIO()):
                importer()
            return
        except OSError:
            pass
        finally:
            ctypes.util.find_library = search
        importer()


_TURNS = threading.Lock()
_LOADED = "weasyprint.pdf.metadata"  # the last module `_import` imports


def _not_searched(name: str) -> None:
    return None


def _import() -> None:
    import weasyprint
    import weasyprint.pdf.metadata  # noqa: F401
