"""Tables inside tables, and layout tables, in `builder import`: every word written once, no
table markup inside a cell, a data table kept a table (tests/fixtures/word/bang-long.docx,
made by make_tables.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES
from docx import Document
from docx.document import Document as Word
from docx.table import Table, _Cell
from lxml import html
from test_import_corpus import _words, front_matter, word_book

from builder.authoring.word.word_import import import_document
from builder.authoring.word.word_markdown import to_markdown
from builder.load.config import load_config
from builder.render.markdown import render_html
from builder.util.problems import Problems

DOCUMENT = FIXTURES / "word" / "bang-long.docx"
EXPECTED = FIXTURES / "word" / "bang-long.docx.expected.md"


def document_words(path: Path) -> Counter[str]:
    """Every word of the document as Word shows it, each cell once, tables in cells too."""

    def texts(container: Word | _Cell) -> Iterator[str]:
        for item in container.iter_inner_content():
            if isinstance(item, Table):
                cells = {cell._tc: cell for row in item.rows for cell in row.cells}  # merged: once
                for cell in cells.values():
                    yield from texts(cell)
            else:
                yield item.text

    return Counter(word for text in texts(Document(str(path))) for word in _words(text))


@pytest.fixture
def imported(book_copy: Callable[[str], Path], tmp_path: Path) -> tuple[str, str]:
    """The imported model's title and body."""
    book = word_book(book_copy)
    config = load_config(book, Problems())
    assert config is not None
    path = import_document(DOCUMENT, book, config, tmp_path).path
    text = path.read_text(encoding="utf-8")
    return str(front_matter(path)["title"]), text.split("\n---\n", 1)[1].lstrip("\n")


def test_the_body_is_the_expected_markdown(imported: tuple[str, str]) -> None:
    assert imported[1] == EXPECTED.read_text(encoding="utf-8")


def test_every_word_is_written_as_many_times_as_the_document_has_it(
    imported: tuple[str, str],
) -> None:
    title, body = imported
    written = Counter(_words(title)) + Counter(_words(body.replace("|", " ")))
    expected = document_words(DOCUMENT)
    assert written == expected, {
        word: (written[word], expected[word])
        for word in written | expected
        if written[word] != expected[word]
    }


def test_no_table_markup_in_a_cell_and_the_data_tables_stay_tables(
    imported: tuple[str, str],
) -> None:
    """What the site, the PDF and the EPUB show: they render the body with one parser."""
    page = html.fragment_fromstring(render_html(imported[1], lambda src: None), create_parent="div")
    for cell in page.iter("td", "th"):
        assert "|" not in cell.text_content() and "---" not in cell.text_content()
    tables = [[[" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]
               for row in table.iter("tr")] for table in page.iter("table")]  # fmt: skip
    assert tables == [
        [["Nội dung", "Kết quả"], ["Các chỉ tiêu chính",
         "Số liệu cuối năm: • Chỉ tiêu – Giá trị • Hộ tham gia – 120 • Đường bê tông – 3,5 km; "
         "Nguồn: sổ theo dõi của trưởng thôn."]],
        [["Đợt", "Mét đường"], ["Xuân", "800"]],  # inside a one-cell frame: a table
        [["Năm", "Số buổi", "Người tham gia"], ["2022", "12", "340"], ["2023", "15", "410"]],
    ]  # fmt: skip
    paragraphs = [" ".join(p.text_content().split()) for p in page.findall("p")]
    for layout in ("Số: 07/BC-UBND", "Độc lập – Tự do – Hạnh phúc",
                   "Bước hai: họp dân, bàn cách góp tiền và ngày công.",
                   "Mỗi năm thôn tổ chức hai đợt ra quân."):  # fmt: skip
        assert layout in paragraphs
    assert [h.text_content() for h in page.iter("h2")] == ["Kết quả sau hai năm"]


def table(*rows: str) -> str:
    return "<table>" + "".join(f"<tr>{row}</tr>" for row in rows) + "</table>"


def test_a_table_three_deep_is_written_once_with_each_pipe_escaped_once() -> None:
    inner = table("<td>p|q</td><td><p>r</p><p>s</p></td>", "<td>t</td><td></td>")
    middle = table(f"<td>m</td><td>{inner}</td>", "<td>n</td><td>o</td>")
    html_text = table("<th>a|b</th><th>c</th>", f"<td>{middle}</td><td>x</td>")
    body = to_markdown(html.fragment_fromstring(html_text, create_parent="div")).body
    assert body == ("| a\\|b | c |\n|---|---|\n| • m – • p\\|q – r; s • t • n – o | x |")


def test_merged_cells_of_a_table_in_a_cell_are_written_once() -> None:
    inner = table('<td rowspan="2">Thôn Thượng</td><td>Đường</td>', "<td>Đèn</td>")
    html_text = table("<th>Nội dung</th><th>Số liệu</th>", f"<td>Kết quả</td><td>{inner}</td>")
    body = to_markdown(html.fragment_fromstring(html_text, create_parent="div")).body
    assert body.splitlines()[-1] == "| Kết quả | • Thôn Thượng – Đường • Đèn |"


def test_a_one_row_table_of_one_line_cells_is_paragraphs_too() -> None:
    html_text = table("<td>NGƯỜI LẬP BIỂU</td><td>THỦ TRƯỞNG ĐƠN VỊ</td>")
    converted = to_markdown(html.fragment_fromstring(html_text, create_parent="div"))
    assert converted.body == "NGƯỜI LẬP BIỂU\n\nTHỦ TRƯỞNG ĐƠN VỊ"
    assert converted.assumed_headers == 0
