"""`builder import` keeps the text Word holds in drawings (issue 29, items 4 and 5): a chart's
figures as a table under a TODO asking for its picture, a SmartArt diagram's boxes as a list,
and the text of shapes mammoth does not read at their anchor — each once, each named in the
report. The corpus is made by tests/fixtures/word/make_drawings.py."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES, Run
from test_import_corpus import word_book

CORPUS = FIXTURES / "word"
sys.path.insert(0, str(CORPUS))
from make_drawings import (  # noqa: E402  (what the documents hold, written once)
    BOX_TEXT,
    CATEGORIES,
    CHART_TITLE,
    GROUP_TEXT,
    NODES,
    OLD_BOX_TEXT,
    SERIES,
)


def _imported(run: Run, book_copy: Callable[[str], Path], name: str) -> tuple[str, str]:
    book = word_book(book_copy)
    result = run("import", "--content", book, CORPUS / name)
    assert result.exit_code == 0, result.output
    body = Path(result.stdout.splitlines()[0]).read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return body, result.stdout


def test_text_boxes_and_shapes_keep_their_text_once_at_their_anchor(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    body, report = _imported(run, book_copy, "hop-van-ban.docx")
    for text in (*BOX_TEXT, OLD_BOX_TEXT, *GROUP_TEXT):
        assert body.count(text) == 1, text
    order = [body.index(text) for text in ("Sơ đồ phân công:", *GROUP_TEXT, "Đường mới")]
    assert order == sorted(order)
    assert "warning: 2 text box(es) or shape(s): their text placed after the paragraph" in report


def test_a_chart_becomes_a_todo_and_a_table_of_its_figures(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    body, report = _imported(run, book_copy, "bieu-do.docx")
    assert f"TODO: biểu đồ “{CHART_TITLE}” — hãy gửi ảnh của biểu đồ" in body
    rows = [line for line in body.splitlines() if line.startswith("|")]
    assert rows[0].split("|")[2:-1] == [f" {year} " for year in CATEGORIES]
    for name, values in SERIES:
        assert f"| {name} | " + " | ".join(str(v) for v in values) + " |" in rows
    assert "warning: 1 chart(s): their figures kept as a table" in report
    before, after = body.index("như biểu đồ dưới đây"), body.index("Năm 2024, toàn xã")
    assert before < body.index("TODO: biểu đồ") < after


def test_a_smartart_diagram_becomes_a_todo_and_a_list_of_its_boxes(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    body, report = _imported(run, book_copy, "so-do.docx")
    assert "TODO: sơ đồ (SmartArt) — hãy gửi ảnh của sơ đồ" in body
    assert re.findall(r"^- (.+)$", body, re.MULTILINE) == list(NODES)
    assert "warning: 1 SmartArt diagram(s)" in report


def test_a_document_that_is_only_a_chart_is_imported(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    body, _report = _imported(run, book_copy, "chi-bieu-do.docx")
    assert "| Hộ hiến đất | 120 | 245 | 368 |" in body
    assert "TODO: biểu đồ" in body
