"""The record of a build's inputs, kept in the cache (`builds`), so that `builder build` with
nothing changed since the last build into the same folder writes nothing at all, without
even reading the book.

The inputs: every file of the book folder (name, time, size, and its content hash when the
time or size moved, so a file saved unchanged is still the same), the builder's code and
libraries (`code_version("load")`), the templates, the typeface's files, the formats and
options asked for, the language, SOURCE_DATE_EPOCH and the folder the command runs from.
The output: the folder's manifest (`SHA256SUMS`) by device, inode, time and size, so an
output folder another build swapped in, or one that was removed, is built again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeGuard

from builder.render.editions import BuildOptions
from builder.render.fonts import book_fonts
from builder.util import i18n
from builder.util.cache import cache_path, code_version
from builder.util.errors import BuildError
from builder.util.files import write_whole
from builder.util.paths import TEMPLATES

MANIFEST = "SHA256SUMS"

Stamps = dict[str, list[int | str]]  # file: [mtime_ns, size, sha256]


# A file whose time is this close to the build's start may be saved again within the same
# tick of the file system's clock (a second or two on a network share or FAT), keeping its
# time and size: its content decides, not its stat ("racy" files, as git calls them).
RACY_NS = 3_000_000_000


@dataclass(frozen=True, slots=True)
class BuildInputs:
    key: str  # everything but the book's files
    files: dict[str, tuple[int, int]]  # the book's files: (mtime_ns, size)
    racy: dict[str, str]  # the files saved just before the build: their hash, before it


NOT_INPUTS = {".git", ".workspace"}  # a book's history and the workspace's accounts


def _stat_tree(root: Path) -> dict[str, tuple[int, int]]:
    """(time, size) of every file under `root` but in NOT_INPUTS, which change with every
    save in the workspace and hold no input of a build. (Other hidden folders stay: a
    model may show a picture from one.)"""
    found = {}
    for folder, folders, names in os.walk(root):
        folders[:] = [name for name in folders if name not in NOT_INPUTS]
        for name in names:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            found[os.path.relpath(path, root)] = (info.st_mtime_ns, info.st_size)
    return found


def build_inputs(content: Path, formats: list[str], options: BuildOptions) -> BuildInputs:
    """What a build of `formats` from `content` is made of, as far as a stat tells."""
    try:
        fonts = sorted((str(font.path), *_stat_tree(font.path.parent).get(font.path.name, ()))
                       for font in book_fonts())  # fmt: skip
    except BuildError:
        fonts = []  # the build says so
    templates = sorted(_stat_tree(TEMPLATES).items())
    key = repr((code_version("load").hex(), templates, fonts, formats,
                replace(options, previous=None), i18n.language(), os.getcwd(),
                os.path.abspath(content), os.environ.get("SOURCE_DATE_EPOCH", "")))  # fmt: skip
    started = time.time_ns()
    files = _stat_tree(content)
    racy = {}
    for name, (mtime, _size) in files.items():
        if mtime >= started - RACY_NS:
            with contextlib.suppress(OSError):  # gone: the build says so
                racy[name] = _hash(content / name)
    return BuildInputs(hashlib.sha256(key.encode()).hexdigest(), files, racy)


def _record_path(out_dir: Path) -> Path:
    name = hashlib.sha256(os.path.abspath(out_dir).encode()).hexdigest()[:24]
    return cache_path("builds") / f"{name}.json"


def _manifest_identity(out_dir: Path) -> list[int]:
    info = (out_dir / MANIFEST).stat()
    return [info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size]


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _recorded_files(out_dir: Path) -> Stamps:
    """The stamps the last record of `out_dir` holds (none when it cannot be read)."""
    try:
        files = json.loads(_record_path(out_dir).read_bytes())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return files if isinstance(files, dict) else {}


def _same_stamp(seen: object, mtime: int, size: int) -> TypeGuard[list[int | str]]:
    """Whether a recorded stamp has this time and size, and a hash (a racy file has none)."""
    return isinstance(seen, list) and len(seen) == 3 and seen[:2] == [mtime, size] and bool(seen[2])


def up_to_date(content: Path, out_dir: Path, inputs: BuildInputs) -> list[str] | None:
    """The problems the last build into `out_dir` reported, when it was made from these very
    inputs and is still there as it left it; None when the build has to run."""
    try:
        record = json.loads(_record_path(out_dir).read_bytes())
        if record["key"] != inputs.key or record["output"] != _manifest_identity(out_dir):
            return None
        files: Stamps = record["files"]
        if files.keys() != inputs.files.keys():
            return None
        for name, (mtime, size) in inputs.files.items():
            seen = files[name]
            if [mtime, size] != seen[:2] and (size != seen[1] or _hash(content / name) != seen[2]):
                return None
        return [str(line) for line in record["problems"]]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def remember(content: Path, out_dir: Path, inputs: BuildInputs, problems: list[str]) -> None:
    """Keep the inputs of the build just swapped into `out_dir`, and what it reported. A
    file changed while the build ran is recorded without a hash, so the next build runs; a
    racy one with the hash it had before the build and no time, so the next build looks
    at its content."""
    files: Stamps = {}
    before = _recorded_files(out_dir)  # their hashes, for the files whose stat is the same
    for name, (mtime, size) in inputs.files.items():
        try:
            if name in inputs.racy:
                files[name] = [-1, size, inputs.racy[name]]
                continue
            info = os.stat(os.path.join(content, name))
            changed = (info.st_mtime_ns, info.st_size) != (mtime, size)
            seen = before.get(name)
            if not changed and _same_stamp(seen, mtime, size):
                files[name] = [mtime, size, seen[2]]  # as up_to_date trusts it
            else:
                files[name] = [mtime, size, "" if changed else _hash(content / name)]
        except OSError:
            return  # removed meanwhile: no record, the next build runs
    record = {"key": inputs.key, "output": _manifest_identity(out_dir), "files": files,
              "problems": problems}  # fmt: skip
    path = _record_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, json.dumps(record, ensure_ascii=False).encode())
