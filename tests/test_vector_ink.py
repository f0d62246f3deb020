"""The preflight's total ink read from the colours of the pages that paint only in CMYK and
grey (builder.outputs.pdf.press.vector_ink) against Ghostscript's rendering of every page."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from builder.book.vietnamese import format_number
from builder.outputs.pdf.press import preflight
from builder.outputs.pdf.press.ink_coverage import max_ink_on_pages
from builder.outputs.pdf.press.vector_ink import PageInk

SAMPLE_PRINT = "dan-van-kheo-ninh-binh-2021-2025-print.pdf"


def max_ink_per_page(pdf: Path) -> list[float]:
    """Total ink in % of the darkest pixel of each page (inside the bleed), every page."""
    with pikepdf.open(pdf) as document:
        count = len(document.pages)
    found = max_ink_on_pages(pdf, range(1, count + 1))
    return [found[page] for page in range(1, count + 1)]


def test_the_pages_read_from_their_colours_have_the_ink_of_their_rendering(
    sample_output: Path,
) -> None:
    """Never below what Ghostscript measures; above it only by what lies outside the bleed
    (the crop marks' 100 % K, on pages that paint nothing else in black)."""
    path = sample_output / SAMPLE_PRINT
    with pikepdf.open(path) as pdf:
        found = preflight.walk(pdf)
    rendered = max_ink_per_page(path)
    read = [number for number in found.page_ink if number not in found.to_render]
    assert len(read) > len(rendered) * 0.8  # most pages need no rendering
    assert found.to_render  # the pictures' pages do
    for number in read:
        measured, computed = rendered[number - 1], found.page_ink[number]
        assert computed >= measured - 0.5, number
        assert computed <= measured + 0.5 or (computed == 100.0 and measured < 100), number


def test_the_preflight_ink_is_the_highest_rendered_or_read(sample_output: Path) -> None:
    path = sample_output / SAMPLE_PRINT
    rendered = max_ink_per_page(path)
    highest = max(rendered)
    page = rendered.index(highest) + 1
    (line,) = [line for line in preflight.check_file(path, (145, 205), 3, 300)
               if line.label == "total ink"]  # fmt: skip
    assert f"at most {format_number(highest)} % (page {page})" in line.value


def test_only_the_listed_pages_are_rendered(sample_output: Path) -> None:
    path = sample_output / SAMPLE_PRINT
    every = max_ink_per_page(path)
    some = max_ink_on_pages(path, [1, 2, 3, 40, 41, 80])
    assert some == {page: every[page - 1] for page in (1, 2, 3, 40, 41, 80)}
    assert max_ink_on_pages(path, []) == {}


@pytest.mark.parametrize(
    ("instructions", "highest", "render"),
    [
        ([("BT", []), ("Tj", ["x"])], 100.0, False),  # black by default
        ([("k", [0, 0, 0, 0.73]), ("f", [])], 73.0, False),
        (
            [("k", [1, 1, 0, 0]), ("q", []), ("k", [0, 0, 0, 0.2]), ("Q", []), ("f", [])],
            200.0,
            False,
        ),
        ([("g", [0.9]), ("G", [0.5]), ("S", []), ("G", [0.25]), ("S", [])], 75.0, False),
        ([("K", [0.5, 0.5, 0.5, 0.5]), ("n", [])], 0.0, False),  # nothing painted
        ([("rg", [1, 0, 0]), ("f", [])], 100.0, True),
        ([("sh", ["/Sh0"])], 0.0, True),
        ([("gs", ["/a1"]), ("f", [])], 100.0, False),  # opacity 1 only
        ([("gs", ["/half"]), ("f", [])], 100.0, True),
    ],
)
def test_what_a_page_paints_gives_its_ink(
    instructions: list[tuple[str, list[object]]], highest: float, render: bool
) -> None:
    states = {"/a1": pikepdf.Dictionary(ca=1, CA=1), "/half": pikepdf.Dictionary(ca=0.5)}
    resources = pikepdf.Dictionary(ExtGState=pikepdf.Dictionary(states))
    ink = PageInk()
    for operator, operands in instructions:
        ink.see(operator, operands, resources)
    assert (round(ink.highest, 6), ink.needs_render) == (highest, render)


def test_the_walk_still_sees_inline_pictures_and_colours_among_the_text() -> None:
    """The walk parses only the operators it looks at (`preflight.WALKED`): an inline
    picture and an RGB colour between text and paths are still found."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    content = (
        b"q 1 0 0 1 5 5 cm BT /F1 9 Tf 1 0 0 1 10 10 Tm [<0012>] TJ ET 0 0 m 9 9 l S Q\n"
        b"0.2 0.4 0.6 rg 0 0 5 5 re f\n"
        b"q 10 0 0 10 20 20 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q\n"
    )
    pdf.pages[0].obj.Contents = pdf.make_stream(content)
    found = preflight.walk(pdf)
    assert found.images["inline"] == 1
    assert found.operators["rg"] == 1 and found.spaces["/DeviceRGB"] == 1
    assert found.to_render == {1}


@pytest.mark.parametrize(
    ("instructions", "text", "unread"),
    [
        ([("BT", []), ("Tj", ["x"])], 100.0, False),  # black by default
        (
            [("k", [0.6, 0.5, 0.4, 1]), ("TJ", [[]]), ("k", [0, 0, 0, 0.2]), ("f", [])],
            250.0,
            False,
        ),
        ([("q", []), ("rg", [1, 0, 0]), ("Q", []), ("Tj", ["x"])], 100.0, False),
        ([("rg", [1, 0, 0]), ("Tj", ["x"])], 100.0, True),  # a colour the walk cannot read
        ([("rg", [1, 0, 0]), ("g", [0.5]), ("'", ["x"])], 50.0, False),
        ([("K", [0, 0, 0, 0.4]), ("Tr", [1]), ("Tj", ["x"])], 40.0, False),  # stroked
        ([("RG", [1, 0, 0]), ("Tr", [1]), ("Tj", ["x"])], 100.0, True),
        ([("Tr", [7]), ("Tj", ["x"])], 0.0, True),  # a clip: only a rendering measures it
        ([("k", [0, 0, 0, 0.5]), ("f", [])], 0.0, False),  # no text
    ],
)
def test_the_text_a_page_shows_gives_its_ink_apart(
    instructions: list[tuple[str, list[object]]], text: float, unread: bool
) -> None:
    ink = PageInk()
    for operator, operands in instructions:
        ink.see(operator, operands, pikepdf.Dictionary())
    assert (round(ink.text, 6), ink.text_unread) == (text, unread)


def test_a_rendered_page_has_the_ink_of_its_rendering_with_its_text(sample_output: Path) -> None:
    """The pictures' pages are rendered without their text (their ink kept from one build
    to the next whatever their folio says) and their text's ink read from its colours:
    never below a rendering with the text, above it only by the text's own colour, which
    a rendering at 50 dpi blends with the paper."""
    path = sample_output / SAMPLE_PRINT
    with pikepdf.open(path) as pdf:
        found = preflight.walk_file(path, pdf)
    assert found.rendered is not None and found.to_render and not found.text_to_render
    with_text = max_ink_on_pages(path, sorted(found.to_render))
    for page, ink in found.rendered.items():
        assert ink >= with_text[page] - 0.5, page
        assert ink <= max(with_text[page], found.text_ink[page]) + 0.5, page


def test_a_page_whose_text_colour_is_unread_is_rendered_with_its_text(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    name = pikepdf.Name
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=name.Font, Subtype=name.Type1, BaseFont=name.Helvetica)
    )
    page = pdf.pages[0].obj
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(
        b"q 20 0 0 20 10 150 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \xf0 EI Q\n"
        b"BT /F1 120 Tf 0 0.1 0.9 rg 10 20 Td (W) Tj ET\n"
    )  # a light grey picture, a large blue letter in RGB
    path = tmp_path / "page.pdf"
    pdf.save(path)
    with pikepdf.open(path) as opened:
        found = preflight.walk_file(path, opened)
    assert found.text_to_render == {1} and found.rendered is not None
    with_text, without = (max_ink_on_pages(path, [1], text)[1] for text in (True, False))
    assert with_text > without + 50  # the letter is what carries the ink
    assert found.rendered == {1: with_text}
