"""Numbered lists imported as Word shows them (issue 29, item 3): a list goes on after an
interrupting paragraph, starts at its definition's start, starts again where an override says,
and a deeper level starts again under each item; the rendered HTML shows the same numbers.
The corpus document is made by tests/fixtures/word/make_numbering.py."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES, Run
from lxml import html
from test_import_corpus import word_book

from builder.render.markdown import render_html

CORPUS = FIXTURES / "word"
sys.path.insert(0, str(CORPUS))
from make_numbering import ITEMS  # noqa: E402  (the items, each ending in Word's number)


def _imported(run: Run, book_copy: Callable[[str], Path]) -> str:
    book = word_book(book_copy)
    result = run("import", "--content", book, CORPUS / "danh-sach-so.docx")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.splitlines()[0]).read_text(encoding="utf-8")


def test_every_item_has_the_number_word_shows(run: Run, book_copy: Callable[[str], Path]) -> None:
    text = _imported(run, book_copy)
    numbered = [
        (int(number), item)
        for number, item in re.findall(r"^ *(\d+)\. (.+ số \d+)$", text, re.MULTILINE)
    ]
    expected = [item for name, items in ITEMS.items() if name != "letters" for *_, item in items]
    assert [item for _number, item in numbered] == expected
    for number, item in numbered:
        assert number == int(item.rsplit(" ", 1)[1]), item


def test_the_rendered_lists_start_where_word_does(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    body = _imported(run, book_copy).split("\n---\n", 1)[1]
    page = html.fragment_fromstring(render_html(body, lambda src: src), create_parent="div")
    shown = []
    for listing in page.iter("ol"):
        start = int(listing.get("start", "1"))
        for offset, item in enumerate(listing.findall("li")):
            own = item.text_content().split("\n")[0].strip()
            if " số " in own:
                shown.append((start + offset, own))
    assert shown and all(number == int(text.rsplit(" ", 1)[1]) for number, text in shown), shown
    assert (3, "Đo đạc số 3") in shown
    assert (5, "Mục tiêu số 5") in shown
