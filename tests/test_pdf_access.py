"""The screen PDF under an accessibility checker (PyPI `pdfua`) and read back with pikepdf:
no finding, links described by their text, QR codes by their address, headings nested
part h1 > model h2 > section h3."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from conftest import SAMPLE
from pdfua import validate

from builder.book import urls
from builder.load.loader import load_book

HEADING = re.compile(r"^/H([1-6])$")


@pytest.fixture(scope="module")
def screen_pdf(sample_output: Path) -> Path:
    """The sample's screen edition as `make` builds it (PDF/UA-1, tags completed by
    builder.outputs.pdf.write.pdf_tags.complete_tags)."""
    return sample_output / "dan-van-kheo-ninh-binh-2021-2025.pdf"


def _findings(path: Path) -> list[str]:
    report = validate(str(path))
    return [f"{f.rule_id} {f.severity.name} {f.location.describe()}: {f.message}"
            for f in report.findings]  # fmt: skip


def test_the_screen_edition_has_no_pdfua_error_or_warning(screen_pdf: Path) -> None:
    assert _findings(screen_pdf) == []


def _elements(node: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    """Structure elements under `node`, in document order."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _marks_content(element: pikepdf.Dictionary) -> bool:
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return any(
        isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and _marks_content(kid))
        for kid in items
        if kid is not None
    )


def _levels(elements: Iterator[pikepdf.Dictionary]) -> list[int]:
    return [int(m[1]) for e in elements if (m := HEADING.match(str(e.S)))]


def test_headings_nest_part_model_section_without_skipping_a_level(screen_pdf: Path) -> None:
    with pikepdf.open(screen_pdf) as pdf:
        root = pdf.Root.StructTreeRoot
        headings = [e for e in _elements(root) if HEADING.match(str(e.S))]
        assert headings and all(_marks_content(h) for h in headings), "an empty heading"
        levels = _levels(iter(headings))
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
        # WeasyPrint writes one /Art per page a model spans: count over all of them
        inside = [_levels(_elements(e)) for e in _elements(root) if e.S == "/Art"]
        assert sum(levels.count(2) for levels in inside) == 13  # each model's title, once
        assert all(levels.count(2) <= 1 for levels in inside)
        assert all(min(levels, default=2) >= 2 for levels in inside)
        assert sum(levels.count(3) for levels in inside) >= 13  # every sample body has sections


def test_links_are_described_by_what_the_reader_sees(screen_pdf: Path) -> None:
    with pikepdf.open(screen_pdf) as pdf:
        annotations = [a for page in pdf.pages for a in page.get("/Annots", [])]
        links = [a for a in annotations if a.Subtype == "/Link"]
        assert links
        described = [str(a.Contents) for a in links]
        targets = {str(a.Dest) for a in links if "/Dest" in a}
        assert not targets & set(described), "a link described by its anchor"
        assert "Phần I. Kinh tế" in described  # the contents' line of the first part
        assert "Phần I." not in described  # a part of the link's words is not its name


def test_each_qr_code_is_described_by_the_address_it_holds(screen_pdf: Path) -> None:
    book = load_book(SAMPLE).book
    assert book is not None
    expected = {
        "Mã QR dẫn tới " + urls.absolute(book.config.base_url, urls.model(entry.slug))
        for entry in book.entries
    }
    with pikepdf.open(screen_pdf) as pdf:
        alts = {
            str(e.Alt)
            for e in _elements(pdf.Root.StructTreeRoot)
            if e.S == "/Figure" and str(e.get("/Alt", "")).startswith("Mã QR")
        }
    assert alts == expected


def test_the_screen_pages_are_labelled_with_the_printed_folios(sample_output: Path) -> None:
    """A viewer's “page 57” is the printed book's page 57, the one the site and EPUB cite."""
    import json

    from pypdf import PdfReader

    reader = PdfReader(sample_output / "dan-van-kheo-ninh-binh-2021-2025.pdf")
    labels = reader.page_labels
    assert labels[:2] == ["Bìa-1", "Bìa-2"] and labels[2] == "1"
    folios = json.loads((sample_output / "print-pages.json").read_text(encoding="utf-8"))
    destinations = reader.named_destinations
    checked = 0
    for anchor, folio in folios.items():
        if anchor in destinations:
            page = reader.get_destination_page_number(destinations[anchor])
            assert labels[page] == str(folio), anchor
            checked += 1
    assert checked >= 13
