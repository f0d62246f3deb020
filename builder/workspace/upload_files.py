"""Files sent from a browser: read within their limits, kept in a private scratch folder under
names the server makes. A name an uploaded file arrives with is something a browser (or a
hostile script) wrote: it is only ever shown, or cleaned into one plain file name inside a
folder made for it, never used as a path."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

from starlette.datastructures import FormData, UploadFile

from builder.load.checks.invisible import clean_title
from builder.util.i18n import _
from builder.workspace.accounts import workspace_folder

CHUNK = 1024 * 1024
LEFT_OVER = 24 * 3600  # seconds after which a scratch folder is no batch's any more
LONGEST_NAME = 100  # characters of a cleaned file name's stem
# What a cleaned name keeps: letters and digits of any script, spaces and a few marks.
UNSAFE = re.compile(r"[^\w ().,+-]+")


class UploadRefused(Exception):
    """A file or a request that cannot be taken: the translated reason and the HTTP status."""

    def __init__(self, message: str, status: int = 400, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.hint = hint


def shown_name(given: str | None) -> str:
    """The uploaded file's name as a page may show it: its last part, without control or
    invisible characters, not too long."""
    last = re.split(r"[\\/]", given or "")[-1]
    cleaned = clean_title(last.replace("\x00", ""))
    return cleaned[:120] or _("(no name)")


def safe_name(given: str | None, suffixes: tuple[str, ...], fallback: str) -> str | None:
    """A plain file name for an uploaded file: the last part of `given` with only letters,
    digits, spaces and `().,+-` kept, no leading dot, its ending lowercased. None when the
    ending is not one of `suffixes` (given without the dot)."""
    last = unicodedata.normalize("NFC", re.split(r"[\\/]", given or "")[-1])
    stem, dot, suffix = last.rpartition(".")
    suffix = suffix.lower()
    if not dot or suffix not in suffixes:
        return None
    stem = " ".join(UNSAFE.sub(" ", stem).split()).strip(" .-+")
    return f"{stem[:LONGEST_NAME].rstrip(' .') or fallback}.{suffix}"


def uploads_in(form: FormData, field: str) -> list[UploadFile]:
    """The files the form sent under `field`; an empty file input sends one with no name."""
    found = [item for item in form.getlist(field) if isinstance(item, UploadFile)]
    return [item for item in found if item.filename or (item.size or 0) > 0]


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The file's bytes; UploadRefused (413) past `limit`, read no further than that."""
    if upload.size is not None and upload.size > limit:
        raise _too_large(upload, limit)
    parts: list[bytes] = []
    seen = 0
    while chunk := await upload.read(CHUNK):
        seen += len(chunk)
        if seen > limit:
            raise _too_large(upload, limit)
        parts.append(chunk)
    return b"".join(parts)


def _too_large(upload: UploadFile, limit: int) -> UploadRefused:
    return UploadRefused(
        _("“{name}” is larger than {megabytes} MB, the most one file may be").format(
            name=shown_name(upload.filename), megabytes=limit // (1024 * 1024)
        ),
        413,
    )


def scratch_folder(content: Path, prefix: str) -> Path:
    """A new private folder (0700) for one batch of uploads, in the workspace's own folder:
    on the book's disk, out of git, readable by the server only. Remove it with `discard`."""
    parent = workspace_folder(content) / "uploads"
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in parent.iterdir():  # left by a server stopped in the middle of a job
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > LEFT_OVER:
                shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def kept_in(folder: Path, number: int, name: str, data: bytes) -> Path:
    """`data` written as `folder/<number>/<name>`: each file of a batch in its own folder, so
    two files sent with the same name stay two."""
    own = folder / f"{number:02d}"
    own.mkdir(mode=0o700)
    path = own / name
    if path.parent != own or name in ("", ".", ".."):  # a cleaned name never does this
        raise UploadRefused(_("this file's name cannot be used"))
    with path.open("xb") as stream:
        stream.write(data)
    return path


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
