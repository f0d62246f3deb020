"""Front matter that YAML alone would get wrong: duplicates, aliases, tabs, odd files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import VALID_FRONT_MATTER, Run, write_model


def check(run: Run, book: Path) -> str:
    result = run("check", "--content", book)
    assert "Traceback" not in result.output
    return str(result.stderr)


def test_a_duplicate_key_is_an_error_naming_both_lines(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    write_model(book, "trung-khoa", VALID_FRONT_MATTER + "year: 2024")
    output = check(run, book)
    assert "trung-khoa.md:8:1: error: duplicate key `year`" in output
    assert "hint: `year` is already set on line 7; keep only one" in output


def test_aliases_are_refused_so_they_cannot_expand(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    bomb = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: &c [*b, *b]\ntags: [*c, *c]'
    write_model(book, "bom", VALID_FRONT_MATTER + bomb)
    output = check(run, book)
    assert "error: YAML anchors and aliases (& and *) are not allowed here" in output


def test_tabs_get_a_hint(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    write_model(book, "tab", VALID_FRONT_MATTER + "person:\n\tname: A")
    assert "tab.md:9:1: error: this line is indented with a Tab" in check(run, book)
    assert "hint: indent with spaces:   name: A" in check(run, book)


def test_unclosed_front_matter(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    (book / "models" / "mo.md").write_text("---\ntitle: Mở\n\nNội dung\n", encoding="utf-8")
    assert "mo.md:1:1: error: the front matter is never closed" in check(run, book)


def test_bom_and_windows_line_endings_are_fine(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    text = (
        "\ufeff---\r\n"
        + VALID_FRONT_MATTER.strip().replace("\n", "\r\n")
        + "\r\n---\r\n\r\nNội dung.\r\n"
    )
    (book / "models" / "windows.md").write_bytes(text.encode("utf-8"))
    assert run("check", "--content", book).exit_code == 0


def test_binary_and_empty_files_are_named(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    (book / "models" / "anh.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (book / "models" / "rong.md").write_bytes(b"")
    output = check(run, book)
    assert "anh.md:1:1: error: this is not a text file (it contains NUL bytes)" in output
    assert "rong.md:1:1: error: no front matter" in output


def test_an_empty_front_matter_lists_what_is_missing(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    (book / "models" / "trong.md").write_text("---\n---\n\nNội dung.\n", encoding="utf-8")
    output = check(run, book)
    for key in ("title", "kind", "unit", "field", "district", "year"):
        assert f"error: missing required key `{key}` in the front matter" in output


def test_a_broken_book_yaml_stops_with_its_place(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    config = book / "book.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("period:", "perod:"), encoding="utf-8"
    )
    output = check(run, book)
    assert "book.yaml:7:1: error: unknown key `perod` in book.yaml" in output
    assert output.count("error:") == 1
    assert "hint: did you mean `period`?" in output
