"""The press colours written line by line (builder.outputs.pdf.press.print_colour) against the same
streams
parsed and written again: the same instructions on every page of the sample book."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import SAMPLE

from builder.load.loader import load_book
from builder.outputs.pdf.press import print_colour
from builder.outputs.pdf.write.folio_rewrite import content_streams

SCREEN = "dan-van-kheo-ninh-binh-2021-2025.pdf"


def _table() -> dict[print_colour.Rgb, Any]:
    book = load_book(SAMPLE).book
    assert book is not None
    return print_colour.press_colours(book.config.pdf.colours, book.config.pdf.colours_print)


def _number(value: object) -> object:
    return float(value) if isinstance(value, int | float | Decimal) else value  # type: ignore[arg-type]


def _instructions(data: bytes) -> list[tuple[str, list[object]]]:
    """A content stream's instructions, numbers as floats."""
    pdf = pikepdf.new()
    stream = pdf.make_stream(data)
    found = []
    for instruction in pikepdf.parse_content_stream(stream):
        found.append((str(instruction.operator), [_number(v) for v in instruction.operands]))
    return found


def test_line_by_line_and_parsed_give_the_same_instructions(sample_output: Path) -> None:
    table = _table()
    compared = rewritten = 0
    with pikepdf.open(sample_output / SCREEN) as pdf:
        for page in pdf.pages:
            holders = content_streams(page.obj)
            for xobject in (page.obj.get("/Resources", {}).get("/XObject") or {}).values():
                if xobject.get("/Subtype") == "/Form":
                    holders.append(xobject)
            for holder in holders:
                fast = print_colour._rewritten(holder, table)
                parsed = print_colour._rewritten_parsed(holder, table)
                assert (fast is None) == (parsed is None)
                compared += 1
                if fast is not None and parsed is not None:
                    rewritten += 1
                    assert _instructions(fast) == _instructions(parsed)
                    assert b" rg\n" not in fast and b" RG\n" not in fast
    assert compared > 50 and rewritten > 50


@pytest.mark.parametrize(
    "content",
    [
        b"BT /F1 9 Tf (0 0 0 rg\n) Tj ET\n0.2 0.4 0.6 rg\n",  # a literal string
        b"% 0 0 0 rg\n0 g\n",  # a comment
        b"q 9 0 0 9 0 0 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q\n0.5 g\n",  # inline picture
    ],
)
def test_a_stream_the_lines_cannot_be_trusted_in_is_parsed(content: bytes) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    page.Contents = pdf.make_stream(content)
    fast = print_colour._rewritten(page.Contents, _table())
    assert fast == print_colour._rewritten_parsed(page.Contents, _table())


def test_a_page_that_draws_nothing_has_nothing_to_rewrite() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    if "/Contents" in page:
        del page["/Contents"]
    assert content_streams(page) == []


def test_a_stream_rewritten_once_is_taken_from_the_cache(
    sample_output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The press colours of a build after an edit read only the content streams that
    changed: the second rewrite of the same pages rewrites none, and gives the same bytes."""
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))
    book = load_book(SAMPLE).book
    assert book is not None
    profile = book.config.print.profile
    read: list[object] = []
    stock = print_colour._rewritten
    monkeypatch.setattr(print_colour, "_rewritten", lambda *a: read.append(a) or stock(*a))
    with pikepdf.open(sample_output / SCREEN) as pdf:
        pages = range(len(pdf.pages))
    with print_colour.press_shares(sample_output / SCREEN, pages, _table(), profile) as shares:
        first = print_colour.rewritten(shares)
    assert len(read) > 50 and len(first) > 50
    read.clear()
    with print_colour.press_shares(sample_output / SCREEN, pages, _table(), profile) as shares:
        assert print_colour.rewritten(shares) == first
    assert read == []


def test_every_transparency_group_a_page_paints_is_made_cmyk(tmp_path: Path) -> None:
    """The page's own group, a form's, a form's inside a form, a soft mask's and a pattern's:
    found from the pages, as WeasyPrint nests them (opacity, masks, repeated backgrounds)."""

    def group() -> pikepdf.Dictionary:
        return pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB)

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))

    def form(**resources: object) -> pikepdf.Stream:
        made = pdf.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                               BBox=[0, 0, 10, 10], Group=group())  # fmt: skip
        made.Resources = pikepdf.Dictionary(**resources)
        return made

    inner = form()
    outer = form(XObject=pikepdf.Dictionary(Fm1=inner))
    mask = form()
    pattern = form()
    pattern.PatternType = 1
    page = pdf.pages[0].obj
    page.Group = group()
    page.Resources = pikepdf.Dictionary(
        XObject=pikepdf.Dictionary(Fm0=outer),
        ExtGState=pikepdf.Dictionary(Gs0=pikepdf.Dictionary(SMask=pikepdf.Dictionary(
            S=pikepdf.Name.Luminosity, G=mask))),
        Pattern=pikepdf.Dictionary(P0=pattern),
    )  # fmt: skip
    print_colour.to_press(pdf, {}, tmp_path / "unused.icc", {})  # no picture: no profile read
    for holder in (page, outer, inner, mask, pattern):
        assert pikepdf.Name.DeviceCMYK == holder.Group.CS


def test_the_pictures_converted_beside_the_join_are_the_ones_the_interior_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pictures_to_cmyk`, run on a unit beside the join, converts each RGB picture (a JPEG
    and a PNG) into the cache; the interior's conversion of the same picture then takes
    those bytes and converts nothing more."""
    from weasyprint import HTML

    cache = tmp_path / "cache"
    monkeypatch.setenv("BUILDER_CACHE", str(cache))
    images = SAMPLE / "images"
    pictures = [images / "duong-lang-gia-hung.jpg", images / "bieu-do-hien-dat.png"]
    unit = tmp_path / "unit.pdf"
    HTML(string="".join(f'<img src="{picture.as_uri()}">' for picture in pictures)).write_pdf(unit)
    book = load_book(SAMPLE).book
    assert book is not None
    profile = book.config.print.profile

    print_colour.pictures_to_cmyk([unit], profile)
    kept = {path.name: path.read_bytes() for path in (cache / "press-images").iterdir()}
    assert sorted(Path(name).suffix for name in kept) == [".jpg", ".zz"]

    with pikepdf.open(unit) as pdf:
        print_colour.to_press(pdf, {}, profile, {})
        written = [image.read_raw_bytes() for image in pdf.pages[0].get_images().values()]
        spaces = {str(image.ColorSpace) for image in pdf.pages[0].get_images().values()}
    assert sorted(written) == sorted(kept.values()) and spaces == {"/DeviceCMYK"}
    assert {path.name for path in (cache / "press-images").iterdir()} == set(kept)
