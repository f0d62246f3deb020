"""`builder import` of pictures described by their file's path, and of hidden text (issue 29):
neither reaches the model; both are named in the report."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES, Run

CORPUS = FIXTURES / "word"
TODO_ALT = "TODO: mô tả bức ảnh cho người không nhìn thấy"
PATHS = (
    "F:\\Bao cao\\IMG_0042.JPG",
    "C:\\Users\\x\\AppData\\Local\\Temp\\msohtmlclip1\\01\\clip_image002.jpg",
    "DSC01234.JPG",
    "anh1.png",
    "/home/a/b.jpeg",
)
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


def test_a_picture_described_by_its_file_path_gets_the_alt_text_todo(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    text, report = imported(run, book_copy, "mo-ta-anh.docx")
    alts = re.findall(r"^!\[(.*)\]\(\.\./images/", text, re.MULTILINE)
    assert alts == [TODO_ALT] * 5 + ["Nhân dân hiến đất làm đường"]
    for path in PATHS:
        assert path.rsplit("\\", 1)[-1].rsplit("/", 1)[-1] not in text.replace("\\_", "_")
    for number, path in enumerate(PATHS, start=1):
        assert (
            f"warning: picture {number}: its description “{path}” is a file's name, not a "
            "description: a TODO asks for one"
        ) in report
    assert "picture 6" not in report
    assert "year, alt text of the pictures (see builder check)" in report


def test_the_alt_text_todo_of_a_path_is_what_check_warns_of(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    assert run("import", "--content", book, CORPUS / "mo-ta-anh.docx").exit_code == 0
    checked = run("check", "--content", book)
    assert "warning: a picture's alt text still says TODO" in checked.stderr


def test_hidden_text_is_left_out_and_counted(run: Run, book_copy: Callable[[str], Path]) -> None:
    text, report = imported(run, book_copy, "chu-an.docx")
    for word in HIDDEN:
        assert word not in text.casefold()
    for shown in SHOWN:
        assert shown in text
    assert "warning: 5 hidden passage(s) were left out" in report
