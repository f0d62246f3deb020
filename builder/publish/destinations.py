"""Where the builder may write: it replaces `--out` and `publish --to` whole, so it accepts only
a folder that is new, empty, or one it wrote itself (it leaves a marker file there), and never
the book, the folder it runs in, a folder holding either, the home folder or `/`.
"""

from __future__ import annotations

import os
from pathlib import Path

from builder.util.errors import DestinationRefused as DestinationRefused
from builder.util.folder_swap import MARKER
from builder.util.i18n import _

MARKER_TEXT = (
    "This folder was written by the Dân vận khéo builder, which replaces it whole on every\n"
    "build or publish. Keep nothing else here.\n"
)
# What an `output/` of builders before the marker held; it is recognised by its SHA256SUMS.
_OLD_OUTPUTS = (".pdf", ".epub", ".json", "SHA256SUMS")


def mark(folder: Path) -> Path:
    """Write the marker that lets later builds replace `folder`."""
    marker = folder / MARKER
    marker.write_text(MARKER_TEXT, encoding="utf-8")
    return marker


def check_destination(
    target: Path, book: Path, *, others: tuple[Path, ...] = (), force: bool = False
) -> None:
    """Raise `DestinationRefused` (one line: what and why) unless `target` may be replaced.

    `others` are more folders that must survive (the build's output when publishing);
    `force` accepts a folder of files the builder did not mark, never a protected one.
    """
    shown = str(target)
    absolute = Path(os.path.abspath(target))
    if absolute.is_symlink():
        raise DestinationRefused(
            _("{target} is a symbolic link; give the folder itself").format(target=shown)
        )
    if absolute.exists() and not absolute.is_dir():
        raise DestinationRefused(
            _("{target} is a file, not a folder; give a folder").format(target=shown)
        )
    real = absolute.resolve()
    kept = [(book.resolve(), _("the book {book}").format(book=book)),
            *((other.resolve(), str(other)) for other in others)]  # fmt: skip
    protected = [
        (Path("/"), _("the root of the disk")),
        (Path.home().resolve(), _("your home folder")),
        *kept,
        (Path.cwd().resolve(), _("the current folder")),
    ]
    for place, name in protected:
        if real == place or real in place.parents:
            raise DestinationRefused(
                _("{target} is or holds {place}, which the builder would delete; "
                  "choose a folder of its own, such as output/").format(target=shown, place=name)
            )  # fmt: skip
    for place, name in kept:
        if place in real.parents:
            raise DestinationRefused(
                _("{target} is inside {place}; choose a folder outside it").format(
                    target=shown, place=name
                )
            )
    if not absolute.is_dir() or force or _made_by_builder(absolute):
        return
    strangers = sorted(path.name for path in absolute.iterdir())
    raise DestinationRefused(
        _("{target} holds files the builder did not write ({names}); empty it, or choose "
          "a new folder").format(target=shown, names=", ".join(strangers[:3]) + (
              ", …" if len(strangers) > 3 else ""))
    )  # fmt: skip


def _made_by_builder(folder: Path) -> bool:
    """Empty, marked, or an output folder of a builder from before the marker."""
    names = [path.name for path in folder.iterdir()]
    if not names:
        return True
    marker = folder / MARKER
    if marker.is_file() and not marker.is_symlink():
        return True
    return _old_output(folder)


def _old_output(folder: Path) -> bool:
    """Every file is listed in SHA256SUMS, and every listed file is one the builder writes."""
    manifest = folder / "SHA256SUMS"
    if not manifest.is_file() or manifest.is_symlink():
        return False
    try:
        listed = {line.split("  ", 1)[1] for line in manifest.read_text("utf-8").splitlines()}
    except (OSError, UnicodeDecodeError, IndexError):
        return False
    if not all(name.startswith("site/") or name.endswith(_OLD_OUTPUTS) for name in listed):
        return False
    present = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() or path.is_symlink()
    }
    return present - {"SHA256SUMS"} <= listed
