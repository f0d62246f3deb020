"""`builder import` of hidden text (issue 29): it does not reach the model; the report counts it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES, Run

CORPUS = FIXTURES / "word"
HIDDEN = ("chữẩnmột", "ghichúriêng", "chữẩnhai", "đoạnẩnba", "đoạnẩnbốn", "danhsáchẩnnăm",
          "ôẩnsáu")  # fmt: skip
SHOWN = ("Thôn Trung góp hai trăm ngày công để dựng nhà văn hóa.",
         "Bà con hiệnlạimột hiệnlạihai đồng lòng.", "- Họp dân bàn bạc.", "- Chia việc theo hộ\n",
         "| 2023 | 200 |", "Nhà văn hóa khánh thành cuối năm.")  # fmt: skip


def imported(run: Run, book_copy: Callable[[str], Path], name: str) -> tuple[str, str]:
    """The model written from the corpus document `name`, and what the import printed."""
    book = book_copy("minimal")
    result = run("import", "--content", book, CORPUS / name)
    assert result.exit_code == 0, result.output
    return Path(result.stdout.splitlines()[0]).read_text(encoding="utf-8"), result.stdout


def test_hidden_text_is_left_out_and_counted(run: Run, book_copy: Callable[[str], Path]) -> None:
    text, report = imported(run, book_copy, "chu-an.docx")
    for word in HIDDEN:
        assert word not in text.casefold()
    for shown in SHOWN:
        assert shown in text
    assert "warning: 5 hidden passage(s) were left out" in report
