"""A unit writes each page's folio in a content stream of its own, and the join writes the
real number there alone (builder.outputs.pdf.write.folio_rewrite): the rest of the page
passes into the book as the unit wrote it, the same bytes whatever its number."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pypdf import PdfReader

from builder.outputs.pdf.output import font_faces
from builder.outputs.pdf.write import folio_rewrite, pdf_writing
from builder.render.fonts import book_fonts

HTML_TEXT = (
    "<html lang='vi'><head><style>{faces}"
    "@page {{ size: 100mm 80mm; font-family: 'Charis SIL';"
    "  @bottom-right {{ content: '1'; }} }}"  # a unit's provisional folio (`unit_layout`)
    "body {{ font-family: 'Charis SIL'; }} p {{ break-after: page; }}</style></head><body>"
    "<p>Dân vận khéo ở thôn Yên Mỹ.</p><p>Ngày 19 tháng 1 năm 2024.</p></body></html>"
)


def _written(target: Path, folios: dict[int, str] | None) -> Path:
    from weasyprint import HTML

    document = HTML(string=HTML_TEXT.format(faces=font_faces())).render()
    pdf_writing.write_screen(document, target, b"0" * 32, folios=folios)
    return target


def _decoded(page: pikepdf.Page) -> list[bytes]:
    return [stream.read_bytes() for stream in folio_rewrite.content_streams(page.obj)]


def test_a_unit_writes_each_folio_in_a_stream_of_its_own(tmp_path: Path) -> None:
    whole = _written(tmp_path / "whole.pdf", None)
    cut = _written(tmp_path / "cut.pdf", {0: "1", 1: "1"})
    with pikepdf.open(whole) as one, pikepdf.open(cut) as two:
        for page, (alone, apart) in enumerate(zip(one.pages, two.pages, strict=True)):
            (content,), (before, folio) = _decoded(alone), _decoded(apart)
            assert before + folio == content  # cut between two instructions, nothing lost
            assert folio.startswith(b"/") and folio.split(b"\n")[0].endswith(b" Tf")
            assert b" TJ" not in folio.split(b"] TJ", 1)[1], page  # the folio's run alone


def test_the_join_writes_the_real_folio_in_that_stream_alone(tmp_path: Path) -> None:
    cut = _written(tmp_path / "cut.pdf", {0: "1", 1: "1"})
    with pikepdf.open(cut) as pdf:
        pages = [page.obj.Contents[0].objgen for page in pdf.pages]
        # a unit after 4 folios: it printed 1 where the book has 5, then 6
        folio_rewrite.write_folios(pdf, 4, {0: 1, 1: 2}, [font.path for font in book_fonts()])
        assert [page.obj.Contents[0].objgen for page in pdf.pages] == pages  # not read
        pdf.save(tmp_path / "joined.pdf")
    texts = [page.extract_text() for page in PdfReader(tmp_path / "joined.pdf").pages]
    assert texts[0].rstrip().endswith("5") and texts[1].rstrip().endswith("6"), texts
    assert "Dân vận khéo" in texts[0]


def test_a_page_whose_folio_the_unit_did_not_cut_is_cut_at_the_join(tmp_path: Path) -> None:
    whole = _written(tmp_path / "whole.pdf", None)
    with pikepdf.open(whole) as pdf:
        (content,) = _decoded(pdf.pages[0])
        folio_rewrite.write_folios(pdf, 4, {0: 1}, [font.path for font in book_fonts()])
        before, folio = _decoded(pdf.pages[0])
        assert content.startswith(before) and folio.split(b"\n")[0].endswith(b" Tf")
