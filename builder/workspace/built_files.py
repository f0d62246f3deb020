"""The files the workspace's builds made, as the builds page lists them and as they are
downloaded: only regular files inside an edition's folder, never a link, a hidden name (the
swap's staging folders) or a path leading out."""

from __future__ import annotations

import datetime
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from builder.book.vietnamese import format_number
from builder.util.i18n import N_
from builder.workspace.build_runs import EDITIONS
from builder.workspace.dates import format_moment

# What a file of an output folder is, by how its name ends (render/editions.py names them),
# in the order the page lists them; files not named here (the page map, SHA256SUMS) are
# the builder's own and not offered.
KINDS_OF_FILES = (
    ("-du-thao.docx", "review", N_("Review copy for delegates (Word)")),
    ("-print.pdf", "print", N_("Interior for the printing house (PDF/X-4)")),
    ("-cover.pdf", "print", N_("Cover spread for the printing house")),
    ("preflight.txt", "print", N_("The printing house's checklist (preflight)")),
    (".pdf", "pdf", N_("PDF for reading on screen")),
    (".epub", "epub", N_("EPUB")),
)
MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".epub": "application/epub+zip",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".zip": "application/zip",
}


@dataclass(frozen=True, slots=True)
class BuiltFile:
    address: str  # below /builds/files/: "draft/x.pdf"
    name: str
    kind: str  # review, print, pdf, epub
    label: str  # N_: translated where shown
    size: int
    modified: datetime.datetime

    @property
    def megabytes(self) -> str:
        return format_number(round(self.size / 1e6, 2) or 0.01)

    @property
    def when(self) -> str:
        return format_moment(self.modified)


def built_files(root: Path, edition: str) -> list[BuiltFile]:
    """The downloadable files of `edition`'s folder, in KINDS_OF_FILES's order."""
    folder = root / edition
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.is_symlink() or not path.is_file():
            continue
        for ending, kind, label in KINDS_OF_FILES:
            if path.name.endswith(ending):
                stat = path.stat()
                when = datetime.datetime.fromtimestamp(stat.st_mtime).astimezone()
                found.append(BuiltFile(f"{edition}/{path.name}", path.name, kind, label,
                                       stat.st_size, when))  # fmt: skip
                break
    order = [ending for ending, _kind, _label in KINDS_OF_FILES]
    return sorted(found, key=lambda f: next(i for i, e in enumerate(order) if f.name.endswith(e)))


def site_built(root: Path, edition: str) -> bool:
    return served_file(root, f"{edition}/site/index.html") is not None


def served_file(root: Path, address: str) -> Path | None:
    """The file at `address` below `root` (an edition's folder first), or None: a name that
    is empty, absolute, hidden, `..`, or passes through a link, or is not a regular file."""
    if not address or "\x00" in address or "\\" in address or address.startswith("/"):
        return None
    parts = PurePosixPath(address).parts
    if not parts or parts[0] not in EDITIONS or any(part.startswith(".") for part in parts):
        return None
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return None
    try:
        real = current.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root.resolve()) or not real.is_file():
        return None
    return real


def media_type(path: Path) -> str:
    known = MEDIA_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _encoding = mimetypes.guess_type(path.name)
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def attachment(filename: str) -> str:
    """Content-Disposition for a download named `filename`: an ASCII fallback for old
    browsers and the name itself, UTF-8, as RFC 5987 encodes it (Vietnamese names)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                       for c in filename)  # fmt: skip
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
