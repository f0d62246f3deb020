"""`builder check`: every mistake reported at once, with its place and a hint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, VALID_FRONT_MATTER, Run, write_model


def test_a_clean_book_passes(run: Run) -> None:
    result = run("check", "--content", FIXTURES / "minimal")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("3 models, 1 page, 1 image: ok")


def test_the_shipped_sample_book_is_clean(run: Run) -> None:
    result = run("check", "--strict", "--content", "content")
    assert result.exit_code == 0, result.output


def test_ten_kinds_of_mistake_are_all_reported_with_their_lines(run: Run) -> None:
    result = run("check", "--content", "tests/fixtures/ten-mistakes")
    assert result.exit_code == 1
    expected = (FIXTURES / "ten-mistakes" / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr == expected
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 14
    assert len({line.split(":")[0] for line in errors}) == 10  # all ten broken files


def test_unknown_key_suggests_the_known_one(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    front = VALID_FRONT_MATTER.replace("year:", "yaer:")
    write_model(book, "sai-khoa", front)
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert "sai-khoa.md:7:1: error: unknown key `yaer` in the front matter" in result.stderr
    assert "hint: did you mean `year`?" in result.stderr
    assert "missing required key `year`" not in result.stderr


def test_unknown_district_lists_the_valid_ones(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    write_model(book, "noi-khac", VALID_FRONT_MATTER.replace("huyện Gia Viễn", "huyện Kim Sơn"))
    result = run("check", "--content", book)
    assert "noi-khac.md:6:11: error: unknown district “huyện Kim Sơn”" in result.stderr
    assert "valid values: “huyện Gia Viễn”, “thành phố Ninh Bình”, “huyện Nho Quan”" in (
        result.stderr
    )


def test_places_may_be_written_without_their_kind(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    front = VALID_FRONT_MATTER.replace('"huyện Gia Viễn"', '"Gia Viễn"') + 'commune: "Gia Hưng"'
    write_model(book, "ngan-gon", front)
    assert run("check", "--content", book).exit_code == 0


def test_text_not_in_nfc_is_a_warning_and_strict_fails(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    decomposed = "Nhân dân đo\u0302\u0300ng lòng.\n"  # "đồng" typed as o + ^ + `
    write_model(book, "to-hop", VALID_FRONT_MATTER, decomposed)
    relaxed = run("check", "--content", book)
    assert relaxed.exit_code == 0
    assert "to-hop.md:10:11: warning: text is not in Unicode NFC" in relaxed.stderr
    assert run("check", "--strict", "--content", book).exit_code == 1


def test_a_wrong_type_names_the_expected_one(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    write_model(book, "nam-chu", VALID_FRONT_MATTER.replace("year: 2023", "year: hai nghìn"))
    result = run("check", "--content", book)
    assert "nam-chu.md:7:7: error: `year` must be a whole number, like 2023" in result.stderr


def test_file_names_must_be_slugs(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    write_model(book, "Mô Hình Mới", VALID_FRONT_MATTER)
    result = run("check", "--content", book)
    assert "error: file name “Mô Hình Mới.md” is not a slug" in result.stderr
    assert "hint: rename it to mo-hinh-moi.md" in result.stderr


def test_a_missing_book_folder_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    result = run("check", "--content", tmp_path / "khong-co")
    assert result.exit_code == 1
    assert "error: the content folder does not exist" in result.stderr


def test_usage_errors_exit_with_2(run: Run) -> None:
    assert run("check", "--no-such-option").exit_code == 2
    assert run("build", "docx").exit_code == 2


def test_pictures_are_checked_for_print(run: Run, book_copy: Callable[[str], Path]) -> None:
    from PIL import Image

    book = book_copy("minimal")
    Image.new("RGB", (400, 300), "white").save(book / "images" / "nho.png")
    (book / "images" / "hong.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    front = VALID_FRONT_MATTER + (
        '\nimages:\n  - {src: "../images/nho.png", alt: "Ảnh nhỏ"}\n'
        '  - {src: "../images/hong.jpg", alt: "Ảnh hỏng"}\n'
    )
    write_model(book, "anh-in", front)
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert (
        "anh-in.md:10:11: warning: image “nho.png” would print at 92 dpi (200 needed)"
        in result.stderr
    )
    assert "hint: use a larger picture, at least 867 pixels wide" in result.stderr
    assert "anh-in.md:11:11: error: “hong.jpg” cannot be read as a picture" in result.stderr


def test_a_low_resolution_picture_fails_only_a_strict_check(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    from PIL import Image

    book = book_copy("minimal")
    Image.new("RGB", (400, 300), "white").save(book / "images" / "nho.png")
    front = VALID_FRONT_MATTER + '\nimages:\n  - {src: "../images/nho.png", alt: "Ảnh nhỏ"}\n'
    write_model(book, "anh-in", front)
    assert run("check", "--content", book).exit_code == 0
    assert run("check", "--strict", "--content", book).exit_code == 1
    assert run("build", "--strict", "--content", book, "--out", book / "o", "site").exit_code == 1


def test_a_large_book_loaded_on_every_core_reports_as_one_loaded_alone(
    book_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PARALLEL_FROM files the models are shared out between forked workers: the book
    and every problem (a title used twice across workers included) must be the same."""
    from builder.load import loader as load

    book = book_copy("minimal")
    for number in range(260):
        front = VALID_FRONT_MATTER.replace("Mô hình hợp lệ", f"Mô hình số {number % 250}")
        if number % 50 == 7:
            front = front.replace("year: 2023", "year: 2030")
        write_model(book, f"mo-hinh-{number:03d}", front, f"Nội dung “{number}”.\n")
    results = []
    for threshold in (10**9, 10):
        monkeypatch.setattr(load, "PARALLEL_FROM", threshold)
        monkeypatch.setenv("BUILDER_CACHE", str(book.parent / f"cache-{threshold}"))
        loaded = load.load_book(book)
        results.append([str(problem) for problem in loaded.problems])
    assert results[0] == results[1]
    assert sum("is used twice" in p for p in results[0]) == 10
    assert sum("outside the book's period" in p for p in results[0]) == 6


def test_a_second_check_reuses_what_the_first_found_until_something_changes(
    run: Run, book_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results kept in .cache/ are those of the same bytes, book.yaml, pictures and
    language: each change below must show in the next report."""
    book = book_copy("ten-mistakes")
    monkeypatch.setenv("BUILDER_CACHE", str(book.parent / "cache"))
    first = run("check", "--content", book).stderr
    assert run("check", "--content", book).stderr == first  # from the cache
    assert "lỗi: năm 2026" in run("--lang", "vi", "check", "--content", book).stderr

    model = book / "models" / "nam-ngoai-giai-doan.md"
    model.write_text(model.read_text(encoding="utf-8").replace("2026", "2027"), "utf-8")
    assert "year 2027 is outside" in run("check", "--content", book).stderr

    config = book / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("2025", "2027"), "utf-8")
    assert "year 2027 is outside" not in run("check", "--content", book).stderr

    from PIL import Image

    Image.new("RGB", (1600, 1000), (90, 140, 90)).save(book / "models" / "anh-khong-co.jpg")
    assert "anh-khong-co.jpg” not found" not in run("check", "--content", book).stderr
