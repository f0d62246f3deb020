"""The real folios written into a unit's pages at the join, in place of the provisional ones
it was laid out with (`unit_layout.provisional_folio`), and its page labels moved to them.

A unit prints, on each page with a folio, a number as wide as the real one (100 for 257):
the book's typeface has tabular digits, so the real number takes the same place and the
pages are the same but for the digits. So a unit laid out once can be joined again, unchanged,
when the units before it gain or lose pages (`unit_cache`). WeasyPrint draws a margin box
after the page's content, each in its own text object (`[<0014>0<0013>0<0013>0] TJ`, glyph
ids of the whole font: `retain_gids`); the folio is the last such run of the provisional
number on its page. The real digits' glyphs are added to the font's widths (/W) and text
(/ToUnicode) where the unit did not use them; the join cuts one subset with every glyph
the widths name (`font_union`).
A page with a folio is written as two content streams, cut before the folio's run: the
page (the same bytes whatever its number, so that the press colours and the preflight of
a build after an edit find it unchanged and take it from their caches) and the folio with
what follows it.

The table of contents and the indexes print other units' page numbers the same way
(`write_numbers`): each a provisional number as wide as the real one, after a space, in a
run of its own (book.css: `leader(". ") " " attr(data-folio)`), so that they are laid out
again only when a number gains or loses a digit.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from builder.outputs.pdf.write import deflate_level
from builder.outputs.pdf.write.font_union import cid_widths, postscript_name
from builder.outputs.pdf.write.pydyf_pages import page_dictionaries, referenced
from builder.util.errors import BuildError
from builder.util.i18n import _

_RUN = re.compile(rb"/([^\s/]+) [\d.]+ Tf\n\[((?:<[0-9a-f]{4}>0)+)\] TJ")
# A run of any text: its glyphs may be spaced (letter-spacing: `[<0003>-14<>-15.3<0014>0]`).
_SPACED_RUN = re.compile(rb"/([^\s/]+) [\d.]+ Tf\n\[((?:<[0-9a-f]*>-?[\d.]*)+)\] TJ")
_GLYPH = re.compile(rb"<([0-9a-f]{4})>")
DIGITS = "0123456789"
SPACE = " "  # before each printed number of the contents and the indexes


def provisional(real: int) -> int:
    """The number a unit prints in place of folio `real` (`unit_layout.provisional_folio`)."""
    return int(10 ** (len(str(real)) - 1))


@dataclass(slots=True)
class _Face:
    """What the rewrite knows of one PDF font of the unit, read once for all its pages (its
    program, read for the digits, is the whole face's: 0.3 s a 100-model book, page by page)."""

    digits: dict[str, int]  # {digit (or SPACE): glyph id}
    widths: dict[int, pikepdf.Object] | None = None  # its /W, once a glyph is added


def write_folios(pdf: Pdf, before: int, folios: Mapping[int, int], fonts: Sequence[Path]) -> None:
    """The folios of `pdf`, a unit written after `before` folios of the book: on each page
    of `folios` ({page index: the unit's page counter}) the real number, `before` + counter,
    and its page labels counted from `before` + 1."""
    faces: dict[tuple[int, int], _Face] = {}
    for index, counter in sorted(folios.items()):
        real = before + counter
        _rewrite(pdf, pdf.pages[index], str(provisional(real)), str(real), fonts, faces)
    if before and "/PageLabels" in pdf.Root:
        for label in pdf.Root.PageLabels.get("/Nums", Array())[1::2]:
            if "/St" in label:
                label.St = int(label.St) + before


def write_numbers(pdf: Pdf, numbers: Sequence[int], fonts: Sequence[Path]) -> None:
    """The page numbers `pdf`, a unit that prints other units' (`pdf_units.Unit.printed`),
    shows in its pages' order: each run of a space and the provisional number of the next
    of `numbers` gets the real one."""
    faces: dict[tuple[int, int], _Face] = {}
    at = 0
    shown_on = ((page, contents) for page in pdf.pages for contents in content_streams(page.obj))
    for page, contents in shown_on:
        if at == len(numbers):
            break
        data = contents.read_bytes()
        resources = page.obj.Resources.get("/Font", Dictionary())
        written, last = [], 0
        for match in _SPACED_RUN.finditer(data):
            if at == len(numbers):
                break
            shown, real = SPACE + str(provisional(numbers[at])), SPACE + str(numbers[at])
            found = _showing(match, shown, resources, fonts, faces)
            if found is None:
                continue
            font, face, glyphs = found
            start, end = match.span(2)
            written += [data[last:start], _with_glyphs(match.group(2), face, real)]
            last = end
            _add_glyphs(pdf, font, face, {face.digits[c]: c for c in real[1:]}, glyphs[1])
            at += 1
        if written:
            _write_deflated(contents, b"".join([*written, data[last:]]))
    if at != len(numbers):
        raise BuildError(_("the PDF's folio {folio} was not found on its page")
                         .format(folio=provisional(numbers[at])))  # fmt: skip


def _with_glyphs(run: bytes, face: _Face, text: str) -> bytes:
    """`run` with its glyphs, in their order, those of `text`'s characters (as many)."""
    glyphs = iter([b"<%04x>" % face.digits[character] for character in text])
    return _GLYPH.sub(lambda _match: next(glyphs), run)


def _runs_from_the_end(data: bytes) -> Iterator[re.Match[bytes]]:
    """The text runs of a content stream (`_RUN`), the last first: a folio is among the
    last, so the page's text before it is not matched at all."""
    end = len(data)
    while (at := data.rfind(b" Tf\n[", 0, end)) >= 0:
        name = data.rfind(b"/", 0, at)  # the font's name: `/RBQAEQ 12 Tf`
        match = _RUN.match(data, max(name, 0))
        if match is not None:
            yield match
        end = max(name, 0)


def _rewrite(
    pdf: Pdf, page: pikepdf.Page, shown: str, real: str, fonts: Sequence[Path],
    faces: dict[tuple[int, int], _Face],
) -> None:  # fmt: skip
    streams = content_streams(page.obj)
    resources = page.obj.Resources.get("/Font", Dictionary())
    for kept, data in _places_of_the_folio(streams):
        for match in _runs_from_the_end(data):
            found = _showing(match, shown, resources, fonts, faces)
            if found is None:
                continue
            font, face, glyphs = found
            start, end = match.span(2)
            run = data[match.start() : start] + _with_glyphs(match.group(2), face, real)
            page.obj.Contents = Array([
                *kept,
                *([_deflated(pdf, data[: match.start()])] if match.start() else []),
                _deflated(pdf, run + data[end:]),
            ])  # fmt: skip
            _add_glyphs(pdf, font, face, {face.digits[digit]: digit for digit in real}, glyphs[0])
            return
    # A layout this code misreads: better no book than one with a wrong page number.
    raise BuildError(_("the PDF's folio {folio} was not found on its page").format(folio=shown))


def _places_of_the_folio(
    streams: list[pikepdf.Stream],
) -> Iterator[tuple[list[pikepdf.Stream], bytes]]:
    """Where to look for a page's folio: the streams kept before it, and the content read.
    The unit wrote the folio's run apart (`split_at_folios`): its last stream alone, then
    (a page it did not cut) the whole page, to be cut here."""
    if len(streams) > 1:
        yield streams[:-1], streams[-1].read_bytes()
    yield [], b"".join(stream.read_bytes() for stream in streams)


def split_at_folios(document: Any, pdf: Any, folios: Mapping[int, str]) -> None:
    """A WeasyPrint finisher's part: on each page of `folios` ({page index: the provisional
    folio it prints}), its content stream cut in two before the folio's run (its font's
    `Tf` and its `TJ`, whose glyphs read the folio), where the join writes the real number
    (`_rewrite`): the join reads and writes only that second stream, and the first passes
    into the book as the unit wrote it. A page whose folio is not found stays whole."""
    import pydyf

    fonts = {font.hash.encode(): font for font in document.fonts.values()}
    pages = page_dictionaries(pdf)
    for index, shown in folios.items():
        page = pages[index]
        stream = referenced(pdf, page["Contents"])
        cut = _folio_item(stream.stream, shown, fonts)
        if cut is None:
            continue
        run = pydyf.Stream(stream.stream[cut:], compress=stream.compress)
        pdf.add_object(run)
        stream.stream = [*stream.stream[:cut], b""]  # its last line ended, as it was
        page["Contents"] = pydyf.Array([stream.reference, run.reference])


def _folio_item(items: list[Any], shown: str, fonts: Mapping[bytes, Any]) -> int | None:
    """The index of the `Tf` that starts the last run of `items` showing `shown`."""
    for index in range(len(items) - 2, -1, -1):
        font, run = items[index], items[index + 1]
        if not (isinstance(font, bytes) and font.endswith(b" Tf") and isinstance(run, bytes)
                and run.endswith(b"] TJ")):  # fmt: skip
            continue
        face = fonts.get(font.split()[0][1:])
        if face is None:
            continue
        glyphs = [int(glyph, 16) for glyph in re.findall(rb"<([0-9a-f]+)>", run)]
        if "".join(face.to_unicode.get(glyph, "\0") for glyph in glyphs) == shown:
            return index
    return None


def content_streams(page: pikepdf.Object) -> list[pikepdf.Stream]:
    """The content streams of a page's dictionary, in order (WeasyPrint writes one; a page
    with a folio has two; the press marks add theirs)."""
    contents = page.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        return [contents]
    return [stream for stream in contents or [] if isinstance(stream, pikepdf.Stream)]


def _deflated(pdf: Pdf, data: bytes) -> pikepdf.Stream:
    stream = pdf.make_stream(b"")
    _write_deflated(stream, data)
    return stream


def _write_deflated(stream: pikepdf.Stream, data: bytes) -> None:
    """`data` as the content of `stream`, deflated here at the editions' level for content
    (`deflate_level.CONTENT`), as the unit deflated the rest of the page."""
    stream.write(zlib.compress(data, deflate_level.CONTENT), filter=Name.FlateDecode)


def _showing(
    run: re.Match[bytes], shown: str, resources: pikepdf.Object, fonts: Sequence[Path],
    faces: dict[tuple[int, int], _Face],
) -> tuple[pikepdf.Object, _Face, list[int]] | None:  # fmt: skip
    """The font, its `_Face` and the glyph ids of a text run (`_RUN`, `_SPACED_RUN`) that
    shows `shown` (digits, or a space and digits); None for any other run."""
    font = resources.get(Name("/" + run.group(1).decode()))
    if font is None:
        return None
    face = _face(font, fonts, faces)
    glyphs = [int(glyph, 16) for glyph in _GLYPH.findall(run.group(2))]
    return (font, face, glyphs) if [face.digits.get(c) for c in shown] == glyphs else None


def _face(
    font: pikepdf.Object, fonts: Sequence[Path], faces: dict[tuple[int, int], _Face]
) -> _Face:
    """The font's `_Face`, kept by its object number (a direct object is read each time)."""
    key = font.objgen
    if key == (0, 0) or key not in faces:
        found = _Face(_digit_glyphs(font, fonts))
        if key == (0, 0):
            return found
        faces[key] = found
    return faces[key]


def _digit_glyphs(font: pikepdf.Object, fonts: Sequence[Path]) -> dict[str, int]:
    """{digit: glyph id} of a PDF font, from the installed file of its face (looked up by
    its program's PostScript name, once for each name the font has in the PDF)."""
    descendant = font.get("/DescendantFonts", Array([Dictionary()]))[0]
    descriptor = descendant.get("/FontDescriptor", Dictionary())
    program = descriptor.get("/FontFile2")
    if program is None:
        return {}
    named = str(descriptor.get("/FontName", "")).partition("+")[2]
    key = (named, tuple(fonts))
    if not named or key not in _DIGITS_BY_NAME:
        digits = _installed_digits(tuple(fonts)).get(postscript_name(program.read_bytes()), {})
        if not named:
            return digits
        _DIGITS_BY_NAME[key] = digits
    return _DIGITS_BY_NAME[key]


# {(a PDF font's name without its subset tag, the installed faces): its digits' glyph ids}:
# every unit of a book names a face the same way (WeasyPrint: `ABCDEF+Charis-SIL-Bold`).
_DIGITS_BY_NAME: dict[tuple[str, tuple[Path, ...]], dict[str, int]] = {}


@cache
def _installed_digits(fonts: tuple[Path, ...]) -> dict[str, dict[str, int]]:
    """{PostScript name: {digit: glyph id}} of the installed `fonts`."""
    from fontTools.ttLib import TTFont

    found = {}
    for path in fonts:
        font = TTFont(path, lazy=True)
        cmap, order = font.getBestCmap(), font.getGlyphOrder()
        name = str(font["name"].getDebugName(6) or "")
        found[name] = {digit: order.index(cmap[ord(digit)]) for digit in DIGITS + SPACE}
    return found


def _add_glyphs(
    pdf: Pdf, font: pikepdf.Object, face: _Face, glyphs: dict[int, str], like: int
) -> None:  # fmt: skip
    """`glyphs` ({glyph id: its digit}) in `font`'s widths, as wide as glyph `like`, and in
    its text, where they are not yet."""
    descendant = font.DescendantFonts[0]
    widths = descendant.get("/W", Array())
    if face.widths is None:
        face.widths = cid_widths(widths)
    known = face.widths
    missing = sorted(glyph for glyph in glyphs if glyph not in known)
    if not missing:
        return
    for glyph in missing:
        widths.append(glyph)
        widths.append(Array([known[like]]))  # tabular digits: all as wide
        known[glyph] = known[like]
    descendant.W = widths
    if "/ToUnicode" in font:
        cmap = font.ToUnicode.read_bytes()
        entries = b"".join(b"<%04x> <%04x>\n" % (glyph, ord(glyphs[glyph])) for glyph in missing)
        block = b"%d beginbfchar\n%sendbfchar\n" % (len(missing), entries)
        font.ToUnicode = pdf.make_stream(cmap.replace(b"endcmap", block + b"endcmap", 1))
