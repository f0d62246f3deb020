"""The printed book, built by real WeasyPrint and read back with pypdf."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, VALID_FRONT_MATTER, Run, write_model
from pdfcheck import MM, embedded, fonts, outline_titles, page_texts
from pypdf import PdfReader
from test_site import VIETNAMESE_LETTERS

CHARIS = {"Charis-SIL", "Charis-SIL-Bold", "Charis-SIL-Italic", "Charis-SIL-Bold-Italic"}


@pytest.fixture(scope="module")
def minimal_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from builder.cli import main

    out = tmp_path_factory.mktemp("pdf") / "out"
    result = CliRunner().invoke(
        main, ["build", "--content", str(FIXTURES / "minimal"), "--out", str(out), "pdf"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_both_editions_are_written(minimal_pdfs: Path) -> None:
    names = sorted(p.name for p in minimal_pdfs.iterdir())
    assert names == [".dan-van-kheo-output", "SHA256SUMS", "preflight.txt", "print-pages.json",
                     "sach-thu-cover.pdf", "sach-thu-print.pdf", "sach-thu.pdf"]  # fmt: skip


def test_screen_edition_pages_are_the_trim_size(minimal_pdfs: Path) -> None:
    reader = PdfReader(minimal_pdfs / "sach-thu.pdf")
    for page in reader.pages:
        assert [round(v / MM, 2) for v in page.mediabox] == [0, 0, 145, 205]
        assert list(page.trimbox) == list(page.mediabox)


def test_print_edition_has_3mm_bleed_and_the_trim_box_inside(minimal_pdfs: Path) -> None:
    reader = PdfReader(minimal_pdfs / "sach-thu-print.pdf")
    for page in reader.pages:
        # The slug around the bleed holds the crop marks (tests/test_print_package.py).
        assert [round(v / MM, 2) for v in page.mediabox] == [-11, -11, 156, 216]
        assert [round(v / MM, 2) for v in page.trimbox] == [0, 0, 145, 205]
        assert [round(v / MM, 2) for v in page.bleedbox] == [-3, -3, 148, 208]


def test_print_edition_is_pdf_x4_with_a_press_profile_and_no_links(minimal_pdfs: Path) -> None:
    reader = PdfReader(minimal_pdfs / "sach-thu-print.pdf")
    root = reader.trailer["/Root"]
    intents = [intent.get_object() for intent in root["/OutputIntents"]]
    assert [intent["/S"] for intent in intents] == ["/GTS_PDFX"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert not any(page.get("/Annots") for page in reader.pages)


def test_screen_edition_is_tagged_with_links_bookmarks_and_metadata(minimal_pdfs: Path) -> None:
    reader = PdfReader(minimal_pdfs / "sach-thu.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "vi"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert reader.metadata is not None
    assert reader.metadata.title == "Sách thử – Một cuốn sách nhỏ để kiểm thử"
    assert reader.metadata.author == "Ban biên tập thử"
    assert outline_titles(reader.outline) == [
        "Lời giới thiệu", "Mục lục",
        "Kinh tế", ["An ninh thôn xóm", "Đường làng sạch đẹp"],
        "Văn hóa – xã hội", ["Dân quân giúp dân"],
        "Chỉ mục theo địa bàn", "Chỉ mục theo năm công nhận",
    ]  # fmt: skip
    links = sum(len(page.get("/Annots") or []) for page in reader.pages)
    assert links >= 10  # table of contents and indexes


def test_fonts_are_embedded_and_only_the_book_typeface(minimal_pdfs: Path) -> None:
    for name in ("sach-thu.pdf", "sach-thu-print.pdf"):
        reader = PdfReader(minimal_pdfs / name)
        assert fonts(reader) <= CHARIS
        assert embedded(reader)


def test_toc_and_index_page_numbers_are_where_the_titles_are(minimal_pdfs: Path) -> None:
    texts = page_texts(minimal_pdfs / "sach-thu-print.pdf")  # its pages are the folios
    opened = json.loads((minimal_pdfs / "print-pages.json").read_text())
    titles = {"an-ninh": "An ninh thôn xóm", "duong-lang": "Đường làng sạch đẹp",
              "dan-quan": "Dân quân giúp dân"}  # fmt: skip
    for slug, title in titles.items():
        page = opened[f"mo-hinh-{slug}"]
        assert texts[page - 1].startswith(title)
        assert texts[page - 1].endswith(f" {page}")  # the folio
        listed = [t for t in texts if t.startswith(("Mục lục", "Chỉ mục"))]
        assert len(listed) == 3
        for listing in listed:
            numbers = re.findall(re.escape(title) + r"[ .]*?(\d+)", listing)
            assert numbers == [str(page)], (title, listing)


def test_part_openers_are_on_right_hand_pages_without_running_heads(minimal_pdfs: Path) -> None:
    texts = page_texts(minimal_pdfs / "sach-thu.pdf")
    openers = [n for n, text in enumerate(texts, start=1) if text.startswith("PHẦN")]
    assert openers and all(n % 2 == 1 for n in openers)
    for n in openers:
        assert texts[n - 1] in ("PHẦN I Kinh tế 2 mô hình", "PHẦN II Văn hóa – xã hội 1 mô hình")


def test_an_absent_colophon_field_is_left_out(minimal_pdfs: Path) -> None:
    last = page_texts(minimal_pdfs / "sach-thu.pdf")[-1]
    assert last == "Sách thử Một cuốn sách nhỏ để kiểm thử"  # no colophon data in the fixture
    assert "ISBN" not in last


def test_every_vietnamese_letter_in_every_style_uses_the_book_typeface(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    body = f"{letters}\n\n**{letters}**\n\n*{letters}*\n\n***{letters}***\n"
    book = book_copy("minimal")
    write_model(book, "chu-cai", VALID_FRONT_MATTER, body)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert run("build", "--content", book, "--out", tmp_path / "o", "pdf").exit_code == 0
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    reader = PdfReader(tmp_path / "o" / "sach-thu-print.pdf")  # its pages are the folios
    assert fonts(reader) == CHARIS
    opened = json.loads((tmp_path / "o" / "print-pages.json").read_text())["mo-hinh-chu-cai"]
    text = reader.pages[opened - 1].extract_text()
    assert text.count(letters) == 4


def test_the_editions_are_the_same_with_or_without_a_second_core(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    forked = tmp_path / "forked"
    assert run("build", "--content", FIXTURES / "minimal", "--out", forked, "pdf").exit_code == 0
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    alone = tmp_path / "alone"
    assert run("build", "--content", FIXTURES / "minimal", "--out", alone, "pdf").exit_code == 0
    for name in ("sach-thu.pdf", "sach-thu-print.pdf"):
        assert (forked / name).read_bytes() == (alone / name).read_bytes(), name


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("_interior_from_units", "writing the print PDF failed"),
        ("_cover_spread", "writing the cover spread failed"),
    ],
)
def test_a_failure_in_a_print_worker_is_reported_and_leaves_no_output(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, message: str
) -> None:
    from builder.outputs.pdf import output as pdf

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf, step, broken)
    result = run("build", "--content", FIXTURES / "minimal", "--out", tmp_path / "o", "pdf")
    assert result.exit_code == 1
    assert f"error: {message}: [Errno 28] No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_the_same_book_gives_the_same_pdf_bytes(run: Run, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run("build", "--content", FIXTURES / "minimal", "--out", tmp_path / name,
                   "pdf").exit_code == 0  # fmt: skip
    for edition in ("sach-thu.pdf", "sach-thu-print.pdf"):
        assert (tmp_path / "a" / edition).read_bytes() == (tmp_path / "b" / edition).read_bytes()


def test_a_terminal_sees_the_pages_being_laid_out(tmp_path: Path) -> None:
    """On a terminal, the PDF's layout shows “pdf: laying out page N…” (from WeasyPrint's
    own progress log); the line is cleared when the layout ends."""
    import io

    from weasyprint import HTML

    from builder.outputs.pdf.progress import EVERY, layout_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    pages = "".join('<p style="break-after: page">Trang</p>' for _ in range(40))
    with layout_progress("pdf", terminal):
        document = HTML(string=pages).render()
    assert len(document.pages) == 40
    shown = terminal.getvalue()
    assert "\rpdf: laying out page 1…" in shown
    assert shown.endswith("\r\x1b[K")
    plain = io.StringIO()  # not a terminal: nothing written
    with layout_progress("pdf", plain):
        HTML(string=pages).render()
    assert plain.getvalue() == "" and EVERY > 0
