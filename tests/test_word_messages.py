"""What the import says about the parts of a Word file mammoth leaves out: one translated line
per kind, never an XML name or mammoth's English sentence; nothing for what loses no text."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "word"
_spec = importlib.util.spec_from_file_location(
    "make_converter_notes", FIXTURES / "make_converter_notes.py"
)
assert _spec is not None and _spec.loader is not None
make_converter_notes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_converter_notes)

XML_NAME = re.compile(r"\{urn:|\{http|\b(?:w|v|o|wp|mc|office-word):[A-Za-z]")
ENGLISH = re.compile(
    r"\b(?:the|was|were|ignored|element|unrecognised|referenced|defined|style|ID)\b", re.I
)


def _bad_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if XML_NAME.search(line) or ENGLISH.search(line)]


def _import(run: Run, book: Path, source: Path, lang: str) -> str:
    result = run("--lang", lang, "import", "--content", book, source)
    assert result.exit_code == 0, result.output
    return result.stdout + result.stderr


@pytest.fixture
def documents(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "word"
    folder.mkdir()
    return {path.stem: path for path in make_converter_notes.make(folder)}


def test_left_out_parts_are_said_in_vietnamese_without_xml_names(
    run: Run, book_copy: Callable[[str], Path], documents: dict[str, Path]
) -> None:
    book = book_copy("minimal")
    output = _import(run, book, documents["tat-ca"], "vi")
    warnings = [line for line in output.splitlines() if line.strip().startswith("cảnh báo")]
    assert _bad_lines(output) == []
    # the table's header row, the embedded object, the subdocument; not v:fill nor w:tblPrEx
    assert len(warnings) == 3, output
    assert "đối tượng nhúng" in warnings[1] and "tài liệu con" in warnings[2]
    assert "bộ chuyển đổi báo" not in output


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (
            "doi-tuong-nhung",
            "1 embedded object(s) (an Excel sheet, a chart, another file) not imported",
        ),
        (
            "tai-lieu-con",
            "1 subdocument(s) only linked from this file: their text was not imported",
        ),
    ],
)
def test_each_left_out_part_is_named_for_what_it_is(
    run: Run, book_copy: Callable[[str], Path], documents: dict[str, Path], name: str, said: str
) -> None:
    output = _import(run, book_copy("minimal"), documents[name], "en")
    assert said in output
    assert not XML_NAME.search(output)


def test_what_loses_no_text_is_not_mentioned(
    run: Run, book_copy: Callable[[str], Path], documents: dict[str, Path]
) -> None:
    output = _import(run, book_copy("minimal"), documents["kieu-chua-co"], "en")
    assert "warning:" not in output  # an undefined style: the paragraph is kept as a paragraph
    model = Path(output.splitlines()[0]).read_text(encoding="utf-8")
    assert "Đoạn văn có kiểu chưa định nghĩa." in model


@pytest.mark.parametrize("source", sorted(FIXTURES.glob("*.docx")), ids=lambda path: path.name)
def test_no_corpus_import_message_has_an_xml_name_or_english(
    run: Run, book_copy: Callable[[str], Path], source: Path
) -> None:
    output = _import(run, book_copy("minimal"), source, "vi")
    assert _bad_lines(output) == []
