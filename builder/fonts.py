"""The book's typeface (Charis SIL): where it is installed, and small WOFF2 subsets for screens.

One family for the site, the PDF and the EPUB. It comes from Debian's `fonts-sil-charis`
(`make` installs it); nothing is committed. The subsets keep Latin and every Vietnamese
letter, so a page downloads ~40 KB per style instead of ~270 KB.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from builder.problems import BuildError

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
# Basic Latin, Latin-1, Latin Extended-A/B letters Vietnamese uses, combining marks,
# Latin Extended Additional (ạ…ỹ), punctuation, ₫, №, arrows, minus.
SCREEN_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *range(0x1A0, 0x1B1),
    *range(0x300, 0x324),
    *range(0x1EA0, 0x1EFA),
    *range(0x2000, 0x2070),
    0x20AB,
    0x2116,
    *range(0x2190, 0x2194),
    0x2212,
    0x25CF,
]


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
        f"the typeface {FAMILY} is not installed: run `make setup` "
        "(it installs Debian's fonts-sil-charis), or set BOOK_FONT_DIR"
    )


def screen_subset(font: FontFile, cache: Path) -> Path:
    """A WOFF2 subset of `font` for the site and the EPUB, made once and cached by content."""
    import logging

    from fontTools import subset

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

    data = font.path.read_bytes()
    digest = hashlib.sha256(data + repr(SCREEN_UNICODES).encode()).hexdigest()[:16]
    target = cache / "fonts" / f"{font.path.stem}-{digest}.woff2"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # screens rasterise well without it; halves the size
    subsetter = subset.Subsetter(options)
    loaded = subset.load_font(str(font.path), options)
    subsetter.populate(unicodes=SCREEN_UNICODES)
    subsetter.subset(loaded)
    partial = target.with_suffix(".part")
    subset.save_font(loaded, str(partial), options)
    partial.replace(target)
    return target


def cache_dir() -> Path:
    return Path(os.environ.get("BUILDER_CACHE", ".cache"))
