"""`builder import` refuses a document for its real reason, and reads what Word can open
(issue 29, item 6): a password in any of the three formats, whatever the case of the
encryption streams' names; a file cut short; a Word 2003 XML document through LibreOffice;
phonetic guides and passages pasted as web pages. The corpus is made by
tests/fixtures/word/make_refusals.py and make_chunks.py."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, Run
from test_import_corpus import front_matter, word_book

CORPUS = FIXTURES / "word"
sys.path.insert(0, str(CORPUS))
from make_chunks import HTML_TEXT, HTML_TITLE, RUBY_TEXT  # noqa: E402  (written once)
from make_refusals import WORD_2003  # noqa: E402  (what the document says, written once)

PASSWORD = "it is protected by a password; save it without one and import again"
DAMAGED = "the Word file is damaged (cut short?); ask for it again"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("mat-khau.docx", PASSWORD),
        ("mat-khau-chu-hoa.docx", PASSWORD),
        ("mat-khau.doc", PASSWORD),
        ("mat-khau.odt", PASSWORD),
        ("cut-ngan.docx", DAMAGED),
    ],
)
def test_a_document_is_refused_for_its_own_reason(
    run: Run, book_copy: Callable[[str], Path], name: str, reason: str
) -> None:
    book = word_book(book_copy)
    result = run("import", "--content", book, CORPUS / "refused" / name, CORPUS / "mot-doan.docx")
    assert result.exit_code == 1
    refused = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert refused == [f"{CORPUS / 'refused' / name}: error: {reason}"]
    assert "1 imported (0 with warnings), 1 refused" in result.stderr  # the batch went on
    assert sorted(p.name for p in (book / "models").iterdir()) == ["mot-doan.md"]


def test_a_word_2003_xml_document_is_read_through_libreoffice(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = word_book(book_copy)
    result = run("import", "--content", book, CORPUS / "word-2003.xml")
    assert result.exit_code == 0, result.output
    model = Path(result.stdout.splitlines()[0])
    facts = front_matter(model)
    assert facts["title"] == WORD_2003[0][1]
    assert facts["unit"] == "Tổ dân quân tự vệ xã Gia Trung"
    assert facts["year"] == 2023
    text = model.read_text(encoding="utf-8")
    for _style, paragraph in WORD_2003[3:]:
        assert paragraph in text


@pytest.mark.parametrize("name", ["chu-nho-tren.docx", "dan-html.docx", "dan-mht.docx"])
def test_text_word_shows_is_read_not_refused_as_empty(
    run: Run, book_copy: Callable[[str], Path], name: str
) -> None:
    """Phonetic guides keep their base text; a passage pasted as a web page (HTML or MHT)
    is read as paragraphs, without its script or style."""
    book = word_book(book_copy)
    result = run("import", "--content", book, CORPUS / name)
    assert result.exit_code == 0, result.output
    text = Path(result.stdout.splitlines()[0]).read_text(encoding="utf-8")
    expected = RUBY_TEXT if name.startswith("chu") else (HTML_TITLE, *HTML_TEXT)
    for paragraph in expected:
        assert text.count(paragraph) == 1, paragraph
    assert "ghi chú" not in text and "var x" not in text and "color:red" not in text
