"""`builder serve`'s “Xem bản in”: one model's pages as the printed book sets them, served as
a PDF on demand, equal page for page to the same model in the built book."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import empty_folder
from test_serve import get, serving, status_of, wait_for_version

from builder.book import urls
from builder.load.loader import load_book
from builder.outputs.pdf.page_preview import preview_address
from builder.render.editions import PAGE_MAP_NAME, screen_pdf_name
from builder.serve.serve import Preview


@pytest.fixture
def served(
    book_copy: Callable[[str], Path], tmp_path: Path, sample_output: Path
) -> Iterator[tuple[Preview, str]]:
    """The sample book in a real preview on loopback, with the page map of its full build."""
    book = book_copy("sample")
    folder = tmp_path / "serve"
    empty_folder(folder)
    state = Preview(book, folder)
    state.prints.page_map = sample_output / PAGE_MAP_NAME
    with serving(state, log=lambda line: None) as base:
        yield state, base


def fetch_pdf(url: str, target: Path) -> Path:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        target.write_bytes(response.read())
    return target


def page_texts(pdf: Path) -> list[str]:
    """The text of every page (pdftotext), in order."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout  # fmt: skip
    return text.split("\f")[:-1]


def page_labels(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return list(PdfReader(pdf).page_labels)


def book_pages_of(slug: str, output: Path) -> list[tuple[str, str]]:
    """(folio, text) of the pages model `slug` takes in the built screen edition: from the
    page it opens on (print-pages.json) to the next model, part or page, blank pages left out."""
    pages = json.loads((output / PAGE_MAP_NAME).read_text(encoding="utf-8"))
    first = pages[f"mo-hinh-{slug}"]
    following = min(folio for folio in pages.values() if folio > first)
    screen = output / screen_pdf_name(load_book(Path(__file__).parent.parent / "content").book)
    labelled = dict(zip(page_labels(screen), page_texts(screen), strict=True))
    return [(str(folio), labelled[str(folio)]) for folio in range(first, following)
            if labelled[str(folio)].strip()]  # fmt: skip


def test_each_models_print_preview_has_its_pages_of_the_built_book(
    served: tuple[Preview, str], sample_output: Path, tmp_path: Path
) -> None:
    state, base = served
    assert state.book is not None
    for entry in state.book.entries:
        preview = fetch_pdf(base + preview_address(entry.slug), tmp_path / f"{entry.slug}.pdf")
        expected = book_pages_of(entry.slug, sample_output)
        texts = page_texts(preview)
        assert len(texts) == len(expected), entry.slug
        for text, (folio, book_text) in zip(texts, expected, strict=True):
            assert text == book_text, (entry.slug, folio)
            assert text.split()[-1] == folio  # the folio at the foot, as in the book


def test_the_link_is_on_the_preview_page_and_not_in_the_built_site(
    served: tuple[Preview, str], sample_output: Path
) -> None:
    state, base = served
    assert state.book is not None
    slug = state.book.entries[0].slug
    page = get(base + "/" + urls.model(slug))
    assert f'<a href="{preview_address(slug)}">Xem bản in</a>' in page
    folio = json.loads((sample_output / PAGE_MAP_NAME).read_text())[f"mo-hinh-{slug}"]
    assert f"từ trang {folio}" in page
    assert "tạm tính" not in page
    for built in (sample_output / "site").rglob("*.html"):
        text = built.read_text(encoding="utf-8")
        assert "Xem bản in" not in text and "/__ban-in/" not in text, built


def test_an_unknown_model_is_not_found(served: tuple[Preview, str]) -> None:
    _state, base = served
    assert status_of(base + preview_address("khong-co-mo-hinh-nay")) == 404
    assert status_of(base + "/__ban-in/") == 404


def test_without_a_page_map_the_folios_are_provisional_from_a_right_page(
    served: tuple[Preview, str], tmp_path: Path
) -> None:
    state, base = served
    assert state.book is not None
    state.prints.page_map = tmp_path / "no-build" / PAGE_MAP_NAME
    slug = state.book.entries[1].slug
    assert "số trang tạm tính" in get(base + "/" + urls.model(slug))
    texts = page_texts(fetch_pdf(base + preview_address(slug), tmp_path / "p.pdf"))
    assert [text.split()[-1] for text in texts] == [str(n) for n in range(1, len(texts) + 1)]
    part = next(part for part in state.book.parts if slug in {e.slug for e in part.entries})
    heads = [text.splitlines()[0] for text in texts[:2]]
    assert heads[0] != part.title  # a right page: the model's head (none on its first page)
    assert heads[1] == part.title  # the left page after it: the part's title


def test_an_edit_shows_in_the_next_preview_and_a_draft_has_its_marks(
    served: tuple[Preview, str], tmp_path: Path
) -> None:
    state, base = served
    assert state.book is not None
    entry = state.book.entries[2]
    address = base + preview_address(entry.slug)
    before = fetch_pdf(address, tmp_path / "before.pdf").read_bytes()
    assert fetch_pdf(address, tmp_path / "again.pdf").read_bytes() == before  # kept
    assert "BẢN THẢO" not in "".join(page_texts(tmp_path / "before.pdf"))
    text = entry.source.read_text(encoding="utf-8")
    version = state.version
    edited = text.replace("status: da-duyet", "status: cho-duyet").rstrip() + (
        "\n\nBan biên tập thêm một câu để xem bản in.\n"
    )
    entry.source.write_text(edited, encoding="utf-8")
    status = wait_for_version(base + "/", version)
    assert status["errors"] == [], status
    texts = page_texts(fetch_pdf(address, tmp_path / "after.pdf"))
    assert "Ban biên tập thêm một câu để xem bản in." in " ".join(" ".join(texts).split())
    assert all("BẢN THẢO" in page for page in texts)
