"""A figure too tall for the rest of its page no longer leaves the foot of that page blank:
the text after it moves up and the picture follows (issue 13, the sample's folio 18)."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE
from lxml import etree, html
from pypdf import PdfReader

from builder.load.loader import load_book
from builder.outputs.pdf.layout import figure_placement
from builder.outputs.pdf.layout.page_map import cover_pages
from builder.outputs.pdf.output import book_html
from builder.render.editions import screen_pdf_name

PT_PER_MM = 72 / 25.4
LARGEST_GAP_MM = figure_placement.MIN_GAP_MM


@pytest.fixture(scope="module")
def sample_layouts() -> tuple[str, object, str, object]:
    """The sample laid out as it was (figures where written) and as the PDF now lays it out."""
    from weasyprint import HTML

    book = load_book(SAMPLE).book
    assert book is not None
    base_url = str(SAMPLE.resolve())

    def render(source: str) -> object:
        return HTML(string=source, base_url=base_url).render()

    written = figure_placement.number_figures(book_html(book))
    placed, document = figure_placement.lay_out(book_html(book), render)
    return written, render(written), placed, document


def test_the_sample_has_a_figure_that_left_a_gap(sample_layouts: tuple) -> None:
    """The case exists as written: otherwise the tests below could not fail."""
    _written, first, _placed, _document = sample_layouts
    moves = figure_placement.figures_leaving_gaps(first)
    assert moves, "the sample no longer has a figure that leaves a gap: add one to test this"
    assert all(move.gap_mm >= figure_placement.MIN_GAP_MM for move in moves)


def test_after_placement_no_figure_leaves_a_gap(sample_layouts: tuple) -> None:
    *_, document = sample_layouts
    assert figure_placement.figures_leaving_gaps(document) == ()


def test_a_moved_figure_follows_the_text_that_filled_its_gap(sample_layouts: tuple) -> None:
    written, first, placed, _document = sample_layouts
    moves = figure_placement.figures_leaving_gaps(first)
    before, after = html.document_fromstring(written), html.document_fromstring(placed)
    for move in moves:
        selector = f'//figure[@data-figure="{move.figure}"]'
        old, new = before.xpath(selector)[0], after.xpath(selector)[0]
        passed = [element.text_content() for element in new.itersiblings(preceding=True)]
        following = [element.text_content() for element in old.itersiblings()]
        # The blocks the figure now follows are the ones that followed it, same words.
        assert passed[: move.after][::-1] == following[: move.after]
    # Nothing else changed: same figures, same text.
    assert len(before.xpath("//figure")) == len(after.xpath("//figure"))
    words = sorted(before.text_content().split())
    assert words and words == sorted(after.text_content().split())


def _lines(pdf: Path) -> dict[int, list[tuple[float, float]]]:
    """Each page's text lines as (top, bottom) in points, from poppler's word boxes."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True
    ).stdout
    tree = etree.fromstring(xhtml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    pages: dict[int, list[tuple[float, float]]] = {}
    for number, page in enumerate(tree.iterfind(".//x:page", ns)):
        pages[number] = sorted(
            (float(line.get("yMin")), float(line.get("yMax")))
            for line in page.iterfind(".//x:line", ns)
        )
    return pages


def test_no_page_inside_a_model_ends_blank_before_a_picture(sample_output: Path) -> None:
    """Read off the built screen PDF, independently of the layout code: a page that opens
    with a picture (its first text line far below the top margin), is not where a model
    or part opens and is followed by more of its model has a page before it with no blank
    stretch of MIN_GAP_MM between lines."""
    book = load_book(SAMPLE).book
    assert book is not None
    screen = sample_output / screen_pdf_name(book)
    starts = set(json.loads((sample_output / "print-pages.json").read_text()).values())
    labels = PdfReader(screen).page_labels  # the printed folios; the cover's are "Bìa-…"
    pages = _lines(screen)
    top = 17 * PT_PER_MM  # book.css: the text area's top and bottom margins
    bottom = (book.config.pdf.trim_height_mm - 19) * PT_PER_MM
    checked = 0
    for index, lines in pages.items():
        if not labels[index].isdigit() or int(labels[index]) in starts or index == 0:
            continue
        body = [line for line in lines if top < line[0] < bottom]
        if not body or body[0][0] < top + 30 * PT_PER_MM:
            continue  # the page opens with text
        if _next_text_page(pages, labels, index, top, bottom) in starts:
            continue  # the picture ends its model: no text after it could fill the gap
        checked += 1
        previous = [line for line in pages[index - 1] if top < line[0] < bottom]
        gaps = [b[0] - a[1] for a, b in itertools.pairwise(previous)]
        folio = int(labels[index])
        assert max(gaps, default=0) < LARGEST_GAP_MM * PT_PER_MM, (
            f"folio {folio - 1} leaves {max(gaps, default=0) / PT_PER_MM:.0f} mm blank before "
            "a picture"
        )
    assert checked, "no page of the sample opens with a picture inside a model"


def _next_text_page(
    pages: dict[int, list[tuple[float, float]]],
    labels: list[str],
    index: int,
    top: float,
    bottom: float,
) -> int | None:
    """The folio of the next page after `index` with text in its text area."""
    for later in range(index + 1, len(pages)):
        if labels[later].isdigit() and any(top < line[0] < bottom for line in pages[later]):
            return int(labels[later])
    return None


def test_cover_pages_still_found(sample_layouts: tuple) -> None:
    *_, document = sample_layouts
    assert cover_pages(document) == 2
