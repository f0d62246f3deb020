"""Writing a build's outputs: rendered into a fresh folder beside `output/` and swapped in
only when every one of them succeeded, so a failed build leaves the old `output/` as it was.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from builder.book.model import Book
from builder.book.vietnamese import format_number
from builder.outputs import Output
from builder.publish.destinations import check_destination, mark
from builder.render.editions import PLAIN_BUILD, BuildOptions, Handover
from builder.util.cache import cache_dir
from builder.util.errors import BuildError
from builder.util.files import total_size
from builder.util.folder_swap import copy_tree, link_or_copy, staged, turn
from builder.util.i18n import _, ngettext

LOG = logging.getLogger("builder")

MANIFEST = "SHA256SUMS"


def write_outputs(
    book: Book,
    outputs: Iterable[Output],
    out_dir: Path,
    options: BuildOptions = PLAIN_BUILD,
) -> list[Path]:
    """Render `outputs` into a staging folder, keep older outputs not rebuilt, then swap;
    each output is given `options`, how this run builds.

    Any failure (an output's exception, a full disk, Ctrl-C) removes the staging folder and
    leaves `out_dir` as it was. Builds started at once render side by side and take turns
    for the swap, so each swap is whole. `out_dir` must be a folder the builder may replace
    (see `destinations`).
    """
    check_destination(out_dir, book.root)
    target = Path(os.path.abspath(out_dir))
    options = dataclasses.replace(options, previous=target)
    with staged(target) as staging:
        written: list[Path] = []
        handover = Handover()  # what the PDF tells the EPUB and the site
        for output in outputs:
            written.extend(_render(output, book, staging.folder, handover, options))
        written.append(mark(staging.folder))
        with turn(target):
            check_destination(out_dir, book.root)  # again: another program may have filled it
            _carry_over(target, staging.folder)
            written.append(_write_manifest(staging.folder, target))
            staging.swap_in()
        return [target / path.relative_to(staging.folder) for path in written]


def _render(
    output: Output, book: Book, folder: Path, handover: Handover, options: BuildOptions
) -> list[Path]:
    started = time.perf_counter()
    LOG.info(_("{output}: building…").format(output=output.name))
    try:
        made = output.render(book, folder, handover, options)
    except BuildError:
        raise
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise BuildError(
                _("the {output} output failed: {reason}").format(output=output.name, reason=exc)
            ) from exc
        raise BuildError(_disk_full(output.name, folder)) from exc
    except Exception as exc:
        raise BuildError(
            _("the {output} output failed: {reason}").format(output=output.name, reason=exc)
        ) from exc
    size = total_size(made) / 1e6
    seconds = time.perf_counter() - started
    LOG.info(
        ngettext(
            "{output}: {count} file, {megabytes} MB in {seconds} s",
            "{output}: {count} files, {megabytes} MB in {seconds} s",
            len(made),
        ).format(
            output=output.name,
            count=len(made),
            megabytes=format_number(round(size, 1)),
            seconds=format_number(round(seconds, 1)),
        )
    )
    return made


def _disk_full(output: str, folder: Path) -> str:
    """Which disk is full: the output's or the cache's (they may differ), with what is free."""
    places = []
    for place in dict.fromkeys([folder.parent, cache_dir().absolute()]):
        try:
            free = shutil.disk_usage(place if place.exists() else place.parent).free
        except OSError:
            continue
        places.append(
            _("{folder} has {megabytes} MB free").format(
                folder=place, megabytes=format_number(round(free / 1e6, 1))
            )
        )
    return _("the {output} output failed: the disk is full ({places}); free some space and "
             "build again").format(output=output, places="; ".join(places))  # fmt: skip


def _write_manifest(folder: Path, previous: Path) -> Path:
    """`SHA256SUMS` of every file, in the format `sha256sum -c` reads. A file linked from
    the previous output (the same inode under the same name) keeps the hash listed there."""
    known = _listed(previous)
    lines = []
    for name in sorted(_file_names(folder), key=lambda name: name.split("/")):  # as Paths sort
        path = os.path.join(folder, name)
        digest = known.get(name, "") if _same_file(path, os.path.join(previous, name)) else ""
        if not digest:
            with open(path, "rb") as file:
                digest = hashlib.file_digest(file, "sha256").hexdigest()
        lines.append(f"{digest}  {name}\n")
    manifest = folder / MANIFEST
    manifest.write_text("".join(lines), encoding="utf-8")
    return manifest


def _listed(output: Path) -> dict[str, str]:
    """The hashes the manifest of an earlier output lists, by file name."""
    try:
        text = (output / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return {}
    found = {}
    for line in text.splitlines():
        digest, _sep, name = line.partition("  ")
        found[name] = digest
    return found


def _file_names(folder: Path) -> list[str]:
    """Every file under `folder` but the manifest, by its name relative to it ('/')."""
    found = []
    for place, _folders, files in os.walk(folder):
        relative = os.path.relpath(place, folder)
        for name in files:
            if name != MANIFEST:
                found.append(name if relative == "." else f"{relative}/{name}")
    return found


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samestat(os.stat(one), os.stat(other))
    except OSError:
        return False


def _carry_over(old: Path, new: Path) -> None:
    """Outputs of earlier builds that this build did not remake stay (hard links, no copy).
    Symlinks are left behind: the builder makes none."""
    if not old.is_dir() or old.is_symlink():
        return
    for item in old.iterdir():
        if (new / item.name).exists() or item.is_symlink():
            continue
        if item.is_dir():
            copy_tree(item, new / item.name)
        elif item.is_file():
            link_or_copy(item, new / item.name)
