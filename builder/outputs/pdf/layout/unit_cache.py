"""The book's units as laid out and written before (`.cache/pdf-units/`), so that a build
after one model changed lays out only the units that changed (`parallel_layout`).

A unit is kept twice: its pagination (`UnitPages`: page count, anchors) under its key, and
its written screen PDF, print shell and page starts under its key and its variant
(`unit_layout.written_variant`: the side it starts on, the width of each of its folios):
its pages print provisional folios of that width, the join writes the real ones. The key is
everything its pages are made from: its HTML (with the stylesheet, the footnote numbers it
continues and the page numbers it prints of other units), the bytes of every file it names
(pictures, typefaces, the press profile), its kind (`pdf_units.Unit.kind`), and the code's
version (`cache.code_version`). A unit that did
not change but moved keeps its pages; one whose printed numbers moved (the table of
contents, the indexes) has other HTML and is laid out again.

Every file here may go at any time; a damaged one is a miss. Past MAX_BYTES the folder starts
again, empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import shutil
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from builder.outputs.pdf.layout.unit_layout import UnitPages, UnitWritten
from builder.util.cache import CACHES, cache_path, code_version

MAX_BYTES = CACHES["pdf-units"].max_bytes or 0
_FILE_URL = re.compile(r"""file://[^"')\s]+""")


@dataclass(frozen=True, slots=True)
class KeptUnit:
    written: UnitWritten
    screen: bytes
    shell: bytes | None


class UnitCache:
    """The kept units in `folder`, or none (`folder` None: every look-up misses)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._files: dict[str, bytes] = {}
        if folder is not None and _size(folder) > MAX_BYTES:
            shutil.rmtree(folder, ignore_errors=True)

    @classmethod
    def of_build(cls) -> UnitCache:
        return cls(Path.cwd() / cache_path("pdf-units"))

    def key(self, html: str, kind: str, base_url: str) -> str:
        digest = hashlib.sha256(code_version("pdf-units"))
        digest.update(f"{kind}\0{base_url}\0".encode())
        digest.update(html.encode())
        for url in sorted(set(_FILE_URL.findall(html))):
            digest.update(url.encode() + self._file_digest(url))
        return digest.hexdigest()

    def pages(self, key: str) -> UnitPages | None:
        found = self._read(f"{key}.pages")
        return found if isinstance(found, UnitPages) else None

    def keep_pages(self, key: str, pages: UnitPages) -> None:
        self._write(f"{key}.pages", pages)

    def written(self, key: str, variant: str) -> KeptUnit | None:
        found = self._read(_written_name(key, variant))
        return found if isinstance(found, KeptUnit) else None

    def keep_written(self, key: str, variant: str, kept: KeptUnit) -> None:
        self._write(_written_name(key, variant), kept)

    def _file_digest(self, url: str) -> bytes:
        """The digest of the file a `file://` URL names (empty when it cannot be read)."""
        if url not in self._files:
            path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
            try:
                self._files[url] = hashlib.sha256(path.read_bytes()).digest()
            except OSError:
                self._files[url] = b""
        return self._files[url]

    def _read(self, name: str) -> object:
        if self.folder is None:
            return None
        try:
            return pickle.loads((self.folder / name).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return None

    def _write(self, name: str, value: object) -> None:
        """Kept whole or not at all; a cache that cannot be written is no error."""
        if self.folder is None:
            return
        scratch = self.folder / f".{name}.{os.getpid()}"
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            scratch.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(scratch, self.folder / name)
        with contextlib.suppress(OSError):
            scratch.unlink(missing_ok=True)


def _written_name(key: str, variant: str) -> str:
    return f"{key}-{hashlib.sha256(variant.encode()).hexdigest()[:16]}.written"


def _size(folder: Path) -> int:
    with contextlib.suppress(OSError):
        return sum(item.stat().st_size for item in folder.iterdir() if item.is_file())
    return 0
