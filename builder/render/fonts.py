"""The book's typeface (Charis SIL): where it is installed, and small WOFF2 subsets for screens.

One family for the site, the PDF and the EPUB. It comes from Debian's `fonts-sil-charis`
(`make` installs it); nothing is committed. The screen subsets keep ASCII, every Vietnamese
letter and the book's own characters: ~10 KB per style instead of ~270 KB.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from builder.book.vietnamese import VIETNAMESE_LETTERS
from builder.util.cache import cache_path, code_version
from builder.util.errors import BuildError
from builder.util.files import write_whole
from builder.util.i18n import _

FAMILY = "Charis SIL"
STYLES = {  # file stem suffix → (CSS weight, CSS style)
    "Regular": (400, "normal"),
    "Italic": (400, "italic"),
    "Bold": (700, "normal"),
    "BoldItalic": (700, "italic"),
}
SEARCH_DIRS = (
    Path("/usr/share/fonts/truetype/charis"),
    Path("/usr/local/share/fonts/charis"),
    Path.home() / ".local/share/fonts",
)
# What every page may show besides the book's own text: ASCII, all Vietnamese letters, the
# punctuation and signs the templates use.
SCREEN_BASE = (
    "".join(chr(code) for code in range(0x20, 0x7F))
    + VIETNAMESE_LETTERS
    + VIETNAMESE_LETTERS.upper()
    + "\u00a0–—“”‘’…•·₫²³×°±→↑€§©"
)
# Only the layout features Vietnamese text needs: kerning, mark positioning for stacked
# tone marks, and the Vietnamese (locl) forms. Small caps and alternates are dropped.
SCREEN_FEATURES = ["kern", "mark", "mkmk", "ccmp", "locl", "liga", "clig"]
_BASE_RUNS = re.compile(f"[{re.escape(SCREEN_BASE)}]+")


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    weight: int
    style: str


def book_fonts() -> tuple[FontFile, ...]:
    """The four installed styles of the family, or a BuildError saying how to install them."""
    folders = [Path(os.environ["BOOK_FONT_DIR"])] if "BOOK_FONT_DIR" in os.environ else []
    for folder in (*folders, *SEARCH_DIRS):
        files = [folder / f"CharisSIL-{style}.ttf" for style in STYLES]
        if all(file.is_file() for file in files):
            return tuple(
                FontFile(file, *STYLES[style]) for file, style in zip(files, STYLES, strict=True)
            )
    raise BuildError(
        _(
            "the typeface {family} is not installed: run `make setup` "
            "(it installs Debian's fonts-sil-charis), or set BOOK_FONT_DIR"
        ).format(family=FAMILY)
    )


def characters_beyond_base(text: str) -> str:
    """The characters of `text` that SCREEN_BASE lacks, each once: all a subset's key needs
    to read of the book (a regular expression drops the common ones five times faster than
    a set of every character of a 1 000-model book)."""
    return "".join(sorted(set(_BASE_RUNS.sub("", text))))


def screen_subset(font: FontFile, text: str = "") -> Path:
    """A WOFF2 subset of `font` for the site and the EPUB: the characters of `text` (the
    book's own) and SCREEN_BASE, made once and cached by content (about 10 KB a style)."""
    data = font.path.read_bytes()
    characters = "".join(sorted(set(SCREEN_BASE) | set(text) - {"\n", "\t"}))
    recipe = f"{characters}|{SCREEN_FEATURES}".encode()
    digest = hashlib.sha256(code_version("fonts") + data + recipe).hexdigest()[:16]
    target = cache_path("fonts") / f"{font.path.stem}-{digest}.woff2"
    if target.is_file():
        return target
    import logging

    from fontTools import subset  # 0.15 s to import: only when a subset is made

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    target.parent.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = SCREEN_FEATURES
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # names, copyright and licence
    options.notdef_outline = True
    options.hinting = False  # screens rasterise well without it; halves the size
    subsetter = subset.Subsetter(options)
    loaded = subset.load_font(str(font.path), options)
    subsetter.populate(unicodes=[ord(char) for char in characters])
    subsetter.subset(loaded)
    written = io.BytesIO()
    subset.save_font(loaded, written, options)
    write_whole(target, written.getvalue())  # its own temporary name: builds run side by side
    return target
