"""The book's PDFs are deflated at zlib's quickest level but for the pages' content, which
the editions keep, and no other write is (builder.outputs.pdf.write.deflate_level)."""

from __future__ import annotations

import threading
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from builder.outputs.pdf.write import deflate_level, pdf_writing
from builder.outputs.pdf.write.folio_rewrite import content_streams

HTML_TEXT = "<html lang='vi'><body>" + "<h1>Mục</h1><p>Dân vận khéo, ngày 19 tháng 1.</p>" * 3

# The second byte of a zlib stream's header says how hard it was deflated (RFC 1950, FLEVEL)
QUICKEST, DEFAULT, HARDEST = b"\x78\x01", b"\x78\x9c", b"\x78\xda"


def _deflated_headers(path: Path, contents: bool) -> set[bytes]:
    """The headers of the deflated streams of the file: the pages' content, or the rest."""
    deflated = pikepdf.Name.FlateDecode
    with pikepdf.open(path) as pdf:
        pages = {stream.objgen for page in pdf.pages for stream in content_streams(page.obj)}
        return {
            thing.read_raw_bytes()[:2]
            for thing in pdf.objects
            if isinstance(thing, pikepdf.Stream)
            and thing.get("/Filter") == deflated
            and (thing.objgen in pages) == contents
        }


def _document():  # type: ignore[no-untyped-def]
    from weasyprint import HTML

    return HTML(string=HTML_TEXT).render()


def test_the_units_and_editions_are_deflated_at_the_quickest_level_but_their_content(
    tmp_path: Path,
) -> None:
    pdf_writing.write_screen(_document(), tmp_path / "screen.pdf", b"0" * 32)
    pdf_writing.write_interior(_document(), tmp_path / "interior.pdf", b"0" * 32)
    assert _deflated_headers(tmp_path / "screen.pdf", contents=True) == {DEFAULT}
    for name in ("screen.pdf", "interior.pdf"):
        assert _deflated_headers(tmp_path / name, contents=False) == {QUICKEST}, name
    # deflated ahead of pydyf, the content still reads as written
    assert "Dân vận khéo" in PdfReader(tmp_path / "screen.pdf").pages[0].extract_text()


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
        assert _deflated_headers(tmp_path / name, contents=False) == {HARDEST}, name
        assert _deflated_headers(tmp_path / name, contents=True) == {HARDEST}, name
