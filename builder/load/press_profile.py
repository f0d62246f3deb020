"""Whether `print.profile` names a press profile: an ICC file for CMYK, read from its header.

`check` reads the 128-byte header the ICC specification fixes (size in bytes 0–3, colour
space in 16–19, the signature `acsp` in 36–39): a wrong file (`/etc/passwd`, a PDF, an RGB
screen profile) is named at its line in book.yaml, where the build would only have failed
after laying out the whole book.
"""

from __future__ import annotations

import stat
from pathlib import Path

from builder.load.yaml_scalars import shown_value
from builder.util.i18n import _

HEADER_BYTES = 128
SHOWN_PATH = 120  # characters of the path quoted in a message
MOST_BYTES = 50_000_000  # the largest press profiles (with many tables) are a few MB


def profile_problem(path: Path, typed: str) -> tuple[str, str] | None:
    """(message, hint) when `path` (typed as `typed`) is no CMYK ICC profile; else None."""
    typed = shown_value(typed, SHOWN_PATH)
    ask = _("ask the printing house for its ICC profile for CMYK (a .icc file) and give its "
            "path")  # fmt: skip
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError
        with path.open("rb") as stream:
            header = stream.read(HEADER_BYTES)
    except (OSError, ValueError):
        return _("the press profile {path} is not a file").format(path=typed), ask
    declared = int.from_bytes(header[:4], "big") if len(header) == HEADER_BYTES else 0
    if header[36:40] != b"acsp" or not HEADER_BYTES <= declared <= min(info.st_size, MOST_BYTES):
        return _("the press profile {path} is not an ICC profile").format(path=typed), ask
    space = header[16:20].decode("ascii", "replace").strip()
    if space != "CMYK":
        return (
            _("the press profile {path} is for {space} colours, not for the press's "
              "CMYK").format(path=typed, space=space),
            ask,
        )  # fmt: skip
    return None
