"""`builder new`: a model file an editor only has to fill in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run


def test_new_asks_for_what_is_missing_and_writes_a_complete_entry(
    run: Run, book_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from builder.cli import main

    monkeypatch.setattr("builder.cli.authoring._can_ask", lambda: True)  # as at a terminal
    book = book_copy("minimal")
    answers = "ca-nhan\nkinh-te\nhuyện Gia Viễn\nxã Gia Hưng\n2024\n"
    result = CliRunner().invoke(main, ["new", "--content", str(book), "Đội hòa giải giỏi"],
                                input=answers)  # fmt: skip
    assert result.exit_code == 0, result.output
    path = book / "models" / "doi-hoa-giai-gioi.md"
    assert result.stdout.strip().endswith(str(path))
    assert "Field (kinh-te, van-hoa-xa-hoi)" in result.stdout
    text = path.read_text(encoding="utf-8")
    for heading in ("## Bối cảnh", "## Cách làm", "## Kết quả", "## Bài học kinh nghiệm"):
        assert heading in text
    checked = run("check", "--content", book)
    assert checked.exit_code == 0  # a valid entry…
    assert "doi-hoa-giai-gioi.md:4:7: warning: `unit` still says TODO" in checked.stderr
    assert run("check", "--strict", "--content", book).exit_code == 1  # …not yet publishable


def test_new_never_overwrites_a_file(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    args = ["new", "--content", book, "Đường làng", "--kind", "tap-the", "--field", "kinh-te",
            "--district", "huyện Nho Quan", "--year", "2022"]  # fmt: skip
    first, second = run(*args), run(*args)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout.strip().endswith("duong-lang-2.md")  # duong-lang.md is the fixture's
    assert second.stdout.strip().endswith("duong-lang-3.md")
    assert "Đường làng sạch đẹp" in (book / "models" / "duong-lang.md").read_text(encoding="utf-8")


def test_new_refuses_a_field_the_book_does_not_have(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    result = run("new", "--content", book, "X", "--kind", "tap-the", "--field", "the-thao",
                 "--district", "huyện Nho Quan", "--year", "2022")  # fmt: skip
    assert result.exit_code == 2
    assert "choose one of kinh-te, van-hoa-xa-hoi" in result.output
    assert sorted(p.name for p in (book / "models").iterdir()) == [
        "an-ninh.md", "dan-quan.md", "duong-lang.md",
    ]  # fmt: skip


def test_a_title_of_300_characters_gives_a_file_name_that_fits(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    title = " ".join(["Mô hình dân vận khéo"] * 15)[:268]
    facts = ("--kind", "tap-the", "--field", "kinh-te", "--district", "huyện Gia Viễn",
             "--commune", "xã Gia Hưng", "--year", "2023")  # fmt: skip
    result = run("new", "--content", book, title, *facts)
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.is_file() and len(path.stem) <= 80 and path.stem.startswith("mo-hinh-dan-van")
    assert f'title: "{title}"' in path.read_text(encoding="utf-8")


def _new_without_terminal(book: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`builder new` as a script or `make` runs it: stdin is not a terminal."""
    env = {key: value for key, value in os.environ.items() if key != "BUILDER_LANG"}
    return subprocess.run(
        [sys.executable, "-m", "builder", "new", "--content", str(book), *args],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_without_a_terminal_new_asks_nothing_and_takes_names_as_front_matter_does(
    book_copy: Callable[[str], Path],
) -> None:
    book = book_copy("minimal")
    result = _new_without_terminal(book, "Tên", "--kind", "tap-the", "--field", "kinh-te",
                                   "--district", "Gia Viễn", "--year", "2023")  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert 'district: "huyện Gia Viễn"' in text
    assert "commune:" not in text  # not given, not asked: left out
    result = _new_without_terminal(book, "Khác", "--kind", "CA-NHAN", "--field", "văn hóa – xã hội",
                                   "--district", "THÀNH PHỐ NINH BÌNH", "--commune", "đông thành",
                                   "--year", "2022")  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert "kind: ca-nhan\n" in text and "field: van-hoa-xa-hoi\n" in text
    assert 'district: "thành phố Ninh Bình"' in text and 'commune: "phường Đông Thành"' in text


def test_without_a_terminal_a_missing_fact_is_one_line_naming_the_options(
    book_copy: Callable[[str], Path],
) -> None:
    book = book_copy("minimal")
    result = _new_without_terminal(book, "Tên", "--field", "kinh-te", "--district", "Gia Viễn")
    assert result.returncode == 2
    assert result.stderr == (
        "Lỗi: thiếu --kind, --year: hãy ghi trên dòng lệnh "
        "(không có cửa sổ dòng lệnh thì không thể hỏi)\n"
    )
    assert not (book / "models" / "ten.md").exists()


def test_new_refuses_a_district_or_commune_the_book_does_not_have(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    facts = ("--kind", "tap-the", "--field", "kinh-te", "--year", "2022")
    result = run("new", "--content", book, "X", *facts, "--district", "Yên Khánh")
    assert result.exit_code == 2
    assert "Invalid value for --district: choose one of huyện Gia Viễn, " in result.output
    result = run("new", "--content", book, "X", *facts, "--district", "gia viễn",
                 "--commune", "Gia Sinh")  # fmt: skip
    assert result.exit_code == 2
    assert "Error: Invalid value for --commune: choose one of xã Gia Hưng\n" in result.output
    result = run("new", "--content", book, "X", *facts, "--district", "Nho Quan",
                 "--commune", "Gia Hưng")  # fmt: skip
    assert result.exit_code == 2
    assert "Invalid value for --commune: book.yaml lists no communes of huyện Nho Quan" in (
        result.output
    )
