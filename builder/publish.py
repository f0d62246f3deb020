"""Atomic publishing: outputs are written into a fresh folder beside `output/` and swapped in
only when every one of them succeeded, so a failed build leaves the old `output/` as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from builder.i18n import _, ngettext
from builder.model import Book
from builder.outputs import Output
from builder.problems import BuildError
from builder.vietnamese import format_number

LOG = logging.getLogger("builder")

MANIFEST = "SHA256SUMS"


def publish(book: Book, outputs: Iterable[Output], out_dir: Path) -> list[Path]:
    """Render `outputs` into a staging folder, keep older outputs not rebuilt, then swap.

    Any failure (an output's exception, a full disk, Ctrl-C) removes the staging folder and
    leaves `out_dir` as it was. Builds started at once render side by side and take turns
    for the swap (a lock file beside `out_dir`), so each swap is whole.
    """
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        written: list[Path] = []
        for output in outputs:
            started = time.perf_counter()
            LOG.info(_("{output}: building…").format(output=output.name))
            try:
                made = output.render(book, staging)
                written.extend(made)
                size = sum(path.stat().st_size for path in made if path.is_file()) / 1e6
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
            except BuildError:
                raise
            except Exception as exc:
                raise BuildError(
                    _("the {output} output failed: {reason}").format(output=output.name, reason=exc)
                ) from exc
        with _lock(out_dir):
            _carry_over(out_dir, staging)
            written.append(_write_manifest(staging))
            replace_folder(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / path.relative_to(staging) for path in written]


@contextlib.contextmanager
def _lock(out_dir: Path) -> Iterator[None]:
    with open(out_dir.parent / f".{out_dir.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_manifest(folder: Path) -> Path:
    """`SHA256SUMS` of every file, in the format `sha256sum -c` reads."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(folder).as_posix()}\n")
    manifest = folder / MANIFEST
    manifest.write_text("".join(lines), encoding="utf-8")
    return manifest


def _carry_over(old: Path, new: Path) -> None:
    """Outputs of earlier builds that this build did not remake stay (hard links, no copy)."""
    if not old.is_dir():
        return
    for item in old.iterdir():
        if (new / item.name).exists():
            continue
        if item.is_dir():
            shutil.copytree(item, new / item.name, copy_function=link_or_copy)
        else:
            link_or_copy(item, new / item.name)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def replace_folder(staging: Path, out_dir: Path) -> None:
    """Put the finished folder `staging` where `out_dir` is, in two renames: a reader sees
    the old folder or the new one, never half of one."""
    os.chmod(staging, 0o755)
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    retired.rmdir()
    out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def build_date(book: Book) -> datetime.datetime:
    """The date written into outputs: SOURCE_DATE_EPOCH, else the book's publication date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    day = book.config.published or datetime.date(book.config.period[1], 12, 31)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
