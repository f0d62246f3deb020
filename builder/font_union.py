"""One font program per face in a PDF joined from units (`pdf_join`).

Each unit embeds its own subset of each face (WeasyPrint keeps the glyph ids of the whole
font: `retain_gids`), so a book of six units would carry the typeface six times. Here the
subsets of one face are replaced by a single subset of the installed font with every glyph
any of them uses (the glyphs a font's /W widths list); the text's glyph ids stay valid.
A face whose installed file is not found keeps its subsets.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name, Pdf


def merge_subsets(pdf: Pdf, sources: Sequence[Path]) -> None:
    """Every face's subsets in `pdf` made one, cut from its file among `sources`."""
    faces: dict[str, list[Dictionary]] = {}
    for font in pdf.objects:
        if isinstance(font, Dictionary) and font.get("/Subtype") == Name.CIDFontType2:
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor:
                faces.setdefault(str(descriptor.FontName), []).append(font)
    by_name = {_postscript_name(path.read_bytes()): path for path in sources}
    for fonts in faces.values():
        if len(fonts) < 2:
            continue
        source = by_name.get(_postscript_name(fonts[0].FontDescriptor.FontFile2.read_bytes()))
        if source is None:
            continue
        glyphs = {0}.union(*(_glyphs(font.get("/W", pikepdf.Array())) for font in fonts))
        data = _subset(source, glyphs)
        program = pdf.make_stream(data)
        program.Length1 = len(data)
        for font in fonts:
            font.FontDescriptor.FontFile2 = program


def _postscript_name(font: bytes) -> str:
    from fontTools.ttLib import TTFont

    return str(TTFont(io.BytesIO(font), lazy=True)["name"].getDebugName(6) or "")


def _glyphs(widths: Iterable[pikepdf.Object]) -> Iterator[int]:
    """The glyph ids of a CID font's /W array: `c [w1 w2 …]` and `c_first c_last w`."""
    items = list(widths)
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            yield from range(first, first + len(items[index + 1]))
            index += 2
        else:
            yield from range(first, int(items[index + 1]) + 1)
            index += 3


def _subset(source: Path, glyphs: set[int]) -> bytes:
    """The glyphs of `source` with their ids kept, as WeasyPrint's own subsets are cut."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(retain_gids=True, passthrough_tables=True,
                             ignore_missing_glyphs=True, hinting=False,
                             desubroutinize=True)  # fmt: skip
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs))
    font = TTFont(source, recalcTimestamp=False)  # the same book, the same bytes
    subsetter.subset(font)
    written = io.BytesIO()
    font.save(written)
    return written.getvalue()
