"""`builder build review`: the Word draft for delegates, read back with python-docx."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import SAMPLE, VALID_FRONT_MATTER, write_model
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from pdfcheck import fonts

from builder.book.fields import fact_rows
from builder.book.model import Book
from builder.cli import main
from builder.load.loader import load_book
from builder.outputs import chosen_outputs
from builder.outputs.review.docx_parts import bookmark_name, read_bookmark_map

REVIEW = "dan-van-kheo-ninh-binh-2021-2025-du-thao.docx"


def build_review(content: Path, out: Path, name: str = REVIEW) -> Path:
    """`builder build review` of the book at `content`: the Word file it wrote."""
    result = CliRunner().invoke(
        main, ["build", "--content", str(content), "--out", str(out), "review"]
    )
    assert result.exit_code == 0, result.output
    (copy,) = out.glob(name)
    return copy


@pytest.fixture(scope="module")
def review_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_review(SAMPLE, tmp_path_factory.mktemp("review") / "output")


@pytest.fixture(scope="module")
def sample_book() -> Book:
    book = load_book(SAMPLE).book
    assert book is not None
    return book


def test_every_model_in_book_order_under_its_bookmark(review_copy: Path, sample_book: Book) -> None:
    document = docx.Document(str(review_copy))
    headings = [
        p for p in document.paragraphs if p.style is not None and p.style.name == "Heading 2"
    ]
    assert [p.text for p in headings] == [entry.title for entry in sample_book.entries]
    with zipfile.ZipFile(review_copy) as archive:
        bookmarks = read_bookmark_map(archive)
    for heading, entry in zip(headings, sample_book.entries, strict=True):
        names = [b.get(qn("w:name")) for b in heading._p.iter(qn("w:bookmarkStart"))]
        assert names == [bookmark_name(entry.slug)]
        assert bookmarks[names[0]] == entry.slug
    models = {name: slug for name, slug in bookmarks.items() if slug}
    assert len(models) == len(sample_book.entries)
    assert len(bookmarks) - len(models) == len(sample_book.parts)  # parts' headings: no model


def test_bookmark_names_are_what_word_accepts() -> None:
    long_slug = "mo-hinh-" + "rat-dai-" * 8 + "cuoi"
    for slug in ("a", "hien-dat-mo-duong-gia-hung", long_slug, long_slug + "-khac"):
        name = bookmark_name(slug)
        assert len(name) <= 40 and name[0].isalpha() and "-" not in name
    assert bookmark_name(long_slug) != bookmark_name(long_slug + "-khac")


def test_each_model_has_its_facts_table(review_copy: Path, sample_book: Book) -> None:
    document = docx.Document(str(review_copy))
    blocks = list(document.iter_inner_content())
    starts = [
        index
        for index, block in enumerate(blocks)
        if isinstance(block, Paragraph) and block.style is not None
        and block.style.name == "Heading 2"
    ]  # fmt: skip
    for start, entry in zip(starts, sample_book.entries, strict=True):
        table = next(block for block in blocks[start:] if isinstance(block, Table))
        shown = [tuple(cell.text for cell in row.cells) for row in table.rows]
        assert shown == [(row.label, row.value) for row in fact_rows(entry, "pdf")]


def test_a_markdown_table_becomes_a_word_table(review_copy: Path, sample_book: Book) -> None:
    entry = next(e for e in sample_book.entries if "\n|" in e.body)
    header_line = next(line for line in entry.body.split("\n") if line.startswith("|"))
    header = [cell.strip() for cell in header_line.strip("|").split("|")]
    document = docx.Document(str(review_copy))
    headers = [[cell.text for cell in table.rows[0].cells] for table in document.tables]
    assert header in headers
    table = document.tables[headers.index(header)]
    assert all(run.bold for run in table.rows[0].cells[0].paragraphs[0].runs)


def footnotes_of(book: Book) -> list[str]:
    """The text of every footnote of the book's models, in book order."""
    notes = [
        " ".join(_plain(match.group(1)).split())
        for entry in book.entries
        for match in re.finditer(r"^\[\^[^\]]+\]:(.*)$", entry.body, re.MULTILINE)
    ]
    assert notes, "the sample book has footnotes"
    return notes


def test_footnotes_are_word_footnotes(review_copy: Path, sample_book: Book) -> None:
    notes = footnotes_of(sample_book)
    with zipfile.ZipFile(review_copy) as archive:
        footnotes = docx.oxml.parse_xml(archive.read("word/footnotes.xml"))
        body = docx.oxml.parse_xml(archive.read("word/document.xml"))
    texts = [
        " ".join("".join(t.text or "" for t in note.iter(qn("w:t"))).split())
        for note in footnotes.iter(qn("w:footnote"))
        if note.get(qn("w:type")) is None
    ]
    assert texts == notes
    assert len(list(body.iter(qn("w:footnoteReference")))) == len(notes)


def _plain(markdown: str) -> str:
    """A footnote's Markdown as its text reads (emphasis and links dropped)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[*_`]", "", text)


def test_pictures_scaled_to_the_text_width_with_captions(
    review_copy: Path, sample_book: Book
) -> None:
    document = docx.Document(str(review_copy))
    pictures = document.inline_shapes
    expected = [image for entry in sample_book.entries for image in entry.images] + [
        image for entry in sample_book.entries for _src, image in entry.body_images
    ]
    assert len(pictures) == len(expected)
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert all(0 < picture.width <= text_width for picture in pictures)
    alts = {picture._inline.docPr.get("descr") for picture in pictures}
    assert alts == {image.alt for image in expected}
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    for image in (image for entry in sample_book.entries for image in entry.images):
        assert any(caption.startswith(image.caption) for caption in captions)


def test_the_title_page_leaves_room_for_the_delegate(review_copy: Path, sample_book: Book) -> None:
    document = docx.Document(str(review_copy))
    first = [p.text for p in document.paragraphs[:20]]
    assert sample_book.config.title in first
    assert "BẢN DỰ THẢO LẤY Ý KIẾN" in first
    assert any(text.startswith("Họ và tên người góp ý: …") for text in first)
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:ascii")) == "Charis SIL"


def test_the_same_book_gives_the_same_bytes(review_copy: Path, tmp_path: Path) -> None:
    again = build_review(SAMPLE, tmp_path / "again")
    assert again.read_bytes() == review_copy.read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 12, 1, 0, 0, 0)}
        assert not any("thumbnail" in name for name in archive.namelist())
    core = docx.Document(str(again)).core_properties
    assert core.created is not None and core.created.date().isoformat() == "2025-12-01"


def test_build_all_leaves_the_review_copy_out() -> None:
    assert chosen_outputs(()) == chosen_outputs(("all",)) == ["pdf", "epub", "site"]
    assert chosen_outputs(("all", "review")) == ["pdf", "epub", "site", "review"]
    assert chosen_outputs(("review",)) == ["review"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice: make test-setup")
def test_libreoffice_reads_it_with_footnotes_and_pictures(
    review_copy: Path, sample_book: Book, tmp_path: Path
) -> None:
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(review_copy)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    from pypdf import PdfReader

    reader = PdfReader(tmp_path / review_copy.with_suffix(".pdf").name)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "BẢN DỰ THẢO LẤY Ý KIẾN" in text
    assert footnotes_of(sample_book)[0] in text
    assert sum(len(page.images) for page in reader.pages) >= 1
    # Every letter in the book's typeface, table cells too (OpenSymbol: the list bullets).
    assert {name.split("-")[0] for name in fonts(reader)} <= {"CharisSIL", "OpenSymbol"}


RICH_BODY = """\
## Cách làm

Một đoạn có **chữ đậm**, *chữ nghiêng*, ~~chữ gạch~~, [một trang web](https://example.org/a)
và [một mô hình khác](an-ninh.md)[^ghi].

- Cấp một
  - Cấp hai
    - Cấp ba
- Cấp một nữa

3. Bước ba
4. Bước bốn

> Lời một người dân.

### Chi tiết

![Con đường làng](../images/duong.png "Đường làng sau khi làm")

Nhắc lại chú thích[^ghi].

[^ghi]: Đoạn đầu của chú thích.

    Đoạn hai của chú thích.
"""


def test_every_kind_of_markdown_reaches_word(
    book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    write_model(book, "day-du", VALID_FRONT_MATTER, RICH_BODY)
    copy = build_review(book, tmp_path / "out", name="*-du-thao.docx")
    document = docx.Document(str(copy))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 3", "Cách làm") in styled and ("Heading 4", "Chi tiết") in styled
    assert [style for style, text in styled if text.startswith("Cấp ")] == [
        "List Bullet", "List Bullet 2", "List Bullet 3", "List Bullet",
    ]  # fmt: skip
    assert ("List Continue", "3. Bước ba") in styled and ("List Continue", "4. Bước bốn") in styled
    assert ("Quote", "Lời một người dân.") in styled
    assert ("Caption", "Đường làng sau khi làm") in styled
    paragraph = next(p for p in document.paragraphs if p.text.startswith("Một đoạn có"))
    marks = {run.text: (run.bold, run.italic, run.font.strike) for run in paragraph.runs}
    assert marks["chữ đậm"] == (True, None, None) and marks["chữ nghiêng"] == (None, True, None)
    assert marks["chữ gạch"] == (None, None, True)
    links = list(paragraph._p.iter(qn("w:hyperlink")))
    assert links[0].get(qn("w:anchor")) is None
    assert document.part.rels[links[0].get(qn("r:id"))].target_ref == "https://example.org/a"
    assert links[1].get(qn("w:anchor")) == bookmark_name("an-ninh")
    with zipfile.ZipFile(copy) as archive:
        notes = docx.oxml.parse_xml(archive.read("word/footnotes.xml"))
    texts = [
        ["".join(t.text or "" for t in p.iter(qn("w:t"))).strip() for p in note.iter(qn("w:p"))]
        for note in notes.iter(qn("w:footnote"))
        if note.get(qn("w:type")) is None
    ]
    ours = [text for text in texts if "Đoạn đầu của chú thích." in text]
    assert ours == [["Đoạn đầu của chú thích.", "Đoạn hai của chú thích."]]  # called twice, once
