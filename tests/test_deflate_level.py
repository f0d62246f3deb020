"""The book's PDFs are deflated at zlib's quickest level, and no other write is
(builder.outputs.pdf.write.deflate_level)."""

from __future__ import annotations

import threading
from pathlib import Path

import pikepdf

from builder.outputs.pdf.write import deflate_level, pdf_writing

HTML_TEXT = "<html lang='vi'><body>" + "<h1>Mục</h1><p>Dân vận khéo, ngày 19 tháng 1.</p>" * 3

# The second byte of a zlib stream's header says how hard it was deflated (RFC 1950, FLEVEL)
QUICKEST, HARDEST = b"\x78\x01", b"\x78\xda"


def _deflated_headers(path: Path) -> set[bytes]:
    deflated = pikepdf.Name.FlateDecode
    with pikepdf.open(path) as pdf:
        return {
            thing.read_raw_bytes()[:2]
            for thing in pdf.objects
            if isinstance(thing, pikepdf.Stream) and thing.get("/Filter") == deflated
        }


def _document():  # type: ignore[no-untyped-def]
    from weasyprint import HTML

    return HTML(string=HTML_TEXT).render()


def test_both_editions_are_deflated_at_the_quickest_level(tmp_path: Path) -> None:
    pdf_writing.write_screen(_document(), tmp_path / "screen.pdf", b"0" * 32)
    pdf_writing.write_interior(_document(), tmp_path / "interior.pdf", b"0" * 32)
    for name in ("screen.pdf", "interior.pdf"):
        with pikepdf.open(tmp_path / name) as pdf:
            assert pdf.pages[0].Contents.get("/Filter") == pikepdf.Name.FlateDecode
        assert _deflated_headers(tmp_path / name) == {QUICKEST}, name


def test_a_write_of_weasyprint_s_own_keeps_its_level(tmp_path: Path) -> None:
    """After a book's write, and beside one in another thread, WeasyPrint deflates as it
    always did (the cover, a preview, any other write)."""
    pdf_writing.write_screen(_document(), tmp_path / "book.pdf", b"0" * 32)
    _document().write_pdf(tmp_path / "after.pdf")
    with deflate_level.fast():
        beside = threading.Thread(target=lambda: _document().write_pdf(tmp_path / "beside.pdf"))
        beside.start()
        beside.join()
    for name in ("after.pdf", "beside.pdf"):
        assert _deflated_headers(tmp_path / name) == {HARDEST}, name
