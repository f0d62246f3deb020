"""The shipped sample book, built once with every output, as `make` builds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE
from pdfcheck import page_texts
from sitecheck import broken_links
from test_epub import assert_valid

SECTION_HEADINGS = ("Bối cảnh", "Cách làm", "Kết quả", "Bài học kinh nghiệm")


@pytest.fixture
def output(sample_output: Path) -> Path:
    return sample_output


def test_make_writes_every_output(output: Path) -> None:
    names = sorted(p.name for p in output.iterdir())
    assert names == [
        ".dan-van-kheo-output",  # lets the next build replace this folder (README, Publishing)
        "SHA256SUMS",
        "dan-van-kheo-ninh-binh-2021-2025-cover.pdf",
        "dan-van-kheo-ninh-binh-2021-2025-print.pdf",
        "dan-van-kheo-ninh-binh-2021-2025.epub",
        "dan-van-kheo-ninh-binh-2021-2025.pdf",
        "preflight.txt",
        "print-pages.json",
        "site",
    ]


def test_the_sample_epub_passes_epubcheck(output: Path) -> None:
    assert_valid(output / "dan-van-kheo-ninh-binh-2021-2025.epub")


def test_every_sample_model_is_in_the_pdf_and_on_the_site(output: Path) -> None:
    pages = json.loads((output / "print-pages.json").read_text())
    slugs = sorted(p.stem for p in (SAMPLE / "models").glob("*.md"))
    assert sorted(k.removeprefix("mo-hinh-") for k in pages if k.startswith("mo-hinh-")) == slugs
    assert sorted(p.stem for p in (output / "site" / "mo-hinh").glob("*.html")) == slugs


def test_no_page_ends_with_a_heading(output: Path) -> None:
    texts = page_texts(output / "dan-van-kheo-ninh-binh-2021-2025.pdf")
    for number, text in enumerate(texts, start=1):
        words = text.split()
        # The running head and the folio are extracted last; drop them before looking.
        body = " ".join(words[:-1]) if words and words[-1] == str(number) else text
        for heading in SECTION_HEADINGS:
            lines_end = [body[: -len(tail)] for tail in _heads(body)]
            assert not any(part.rstrip().endswith(heading) for part in [body, *lines_end]), (
                f"page {number} ends with the heading “{heading}”"
            )


def _heads(body: str) -> list[str]:
    """Possible running-head tails of a page's text (a part or model title)."""
    from builder.load.loader import load_book

    book = load_book(SAMPLE).book
    assert book is not None
    titles = [p.title for p in book.parts] + [e.title for e in book.entries]
    return [f" {title}" for title in titles if body.endswith(f" {title}")]


def test_the_sample_site_links_resolve(output: Path) -> None:
    assert broken_links(output / "site") == []
