"""The builder reads only the book: regular files inside it, of a bounded size, pictures
checked by content; every value within a range it can build. Each situation is made in a
temporary folder; each case must end in seconds with a message at its place, never a
traceback or a hang."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, VALID_FRONT_MATTER, Run, write_model

TIMEOUT = 10


def _check(book: Path) -> subprocess.CompletedProcess[str]:
    """`builder check` in a process of its own, killed if it takes over 10 s."""
    return subprocess.run(
        [sys.executable, "-m", "builder", "check", "--content", str(book)],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT, check=False,
        env={**os.environ, "BUILDER_LANG": "en"},
    )  # fmt: skip


def test_the_out_of_range_book_yaml_gives_its_exact_messages(run: Run) -> None:
    result = run("check", "--content", "tests/fixtures/hostile-book")
    assert result.exit_code == 1
    expected = (FIXTURES / "hostile-book" / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr == expected


def test_a_model_linked_from_outside_the_book_is_not_read(
    book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    secret = tmp_path / "secret.md"
    secret.write_text(f"---\n{VALID_FRONT_MATTER.strip()}\n---\n\nBí mật.\n", encoding="utf-8")
    (book / "models" / "bi-mat.md").symlink_to(secret)
    result = _check(book)
    assert result.returncode == 1
    assert (
        f"bi-mat.md:1:1: error: this is a link to {secret}, outside the book\n"
        "    hint: copy the file into the book instead of linking to it\n"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_link_inside_the_book_is_read(book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    drafts = book / "drafts"
    drafts.mkdir()
    (book / "models" / "duong-lang.md").rename(drafts / "duong-lang.md")
    (book / "models" / "duong-lang.md").symlink_to(drafts / "duong-lang.md")
    assert _check(book).returncode == 0


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_pipes_devices_and_folders_named_md_are_refused_without_hanging(
    book_copy: Callable[[str], Path], kind: str
) -> None:
    book = book_copy("minimal")
    path = book / "models" / "la.md"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    result = _check(book)  # a FIFO used to hang, /dev/zero to eat all the memory
    assert result.returncode == 1
    assert (
        "la.md:1:1: error: this is not a text file but a folder, a device or a pipe\n"
        "    hint: put the entry's text itself in a .md file here\n"
    ) in result.stderr


@pytest.mark.parametrize("folder", ["pages", "images"])
def test_an_unreadable_folder_is_an_error_not_a_book_without_it(
    book_copy: Callable[[str], Path], folder: str
) -> None:
    """Root reads every folder; the check runs without the capabilities that let it, so it
    meets the permissions as an editor's account would."""
    book = book_copy("minimal")
    unreadable = book / folder
    unreadable.mkdir(exist_ok=True)
    (book / "pages" / "loi-noi-dau.md").write_text(
        '---\ntitle: "Lời nói đầu"\norder: 1\n---\n\nChữ.\n', encoding="utf-8"
    )
    os.chmod(unreadable, 0o000)
    command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
               "--inh-caps=-dac_override,-dac_read_search",
               sys.executable, "-m", "builder", "check", "--content", str(book)]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                                cwd=ROOT, env={**os.environ, "BUILDER_LANG": "en"},
                                check=False)  # fmt: skip
    finally:
        os.chmod(unreadable, 0o755)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{unreadable}:1:1: error: cannot read this folder: permission denied" in result.stderr
    assert "Traceback" not in result.stderr


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A small file that says it is a `width` × `height` PNG, as a decompression bomb does."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 1000)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
                     + chunk(b"IEND", b""))  # fmt: skip


def test_a_decompression_bomb_is_an_error_at_the_pictures_line(
    book_copy: Callable[[str], Path],
) -> None:
    book = book_copy("minimal")
    _png_header_only(book / "images" / "bom.png", 30_000, 30_000)
    images = '\nimages:\n  - {src: "../images/bom.png", alt: "Bom"}'
    write_model(book, "bom", VALID_FRONT_MATTER + images)
    result = _check(book)
    assert result.returncode == 1
    assert (
        "bom.md:10:11: error: “bom.png” is too large (30.000 × 30.000 pixels); pictures of up "
        "to 80 megapixels and 20.000 pixels a side are supported\n"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_body_picture_named_with_accents_and_spaces_is_found(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    (book / "images" / "duong.png").rename(book / "images" / "đường làng.png")
    for path in (book / "models").glob("*.md"):
        text = path.read_text(encoding="utf-8").replace("duong.png", "đường làng.png")
        path.write_text(text, encoding="utf-8")
    body = 'Ảnh trong bài:\n\n![Đường làng](<../images/đường làng.png> "Đường làng")\n'
    write_model(book, "anh-co-dau", VALID_FRONT_MATTER, body)
    result = run("build", "--content", book, "--out", tmp_path / "o", "site")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "o" / "site" / "mo-hinh" / "anh-co-dau.html").read_text(encoding="utf-8")
    assert '<img src="../images/duong-lang-960.png"' in page and 'alt="Đường làng"' in page


def test_a_long_book_title_builds_the_epub_in_seconds(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """The title-balancing filter tried every way to break the title: 227 characters took
    minutes. The test fails by time-out, not by a timed assertion."""
    book = book_copy("minimal")
    config = book / "book.yaml"
    title = " ".join(["Mô hình dân vận khéo của tỉnh"] * 10)[:290]
    text = config.read_text(encoding="utf-8").replace('title: "Sách thử"', f'title: "{title}"', 1)
    config.write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "builder", "build", "--content", str(book), "--out",
               str(tmp_path / "o"), "epub"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr


def test_two_titles_that_differ_by_an_invisible_character_are_the_same_title(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    front = VALID_FRONT_MATTER.replace('"Mô hình hợp lệ"', '"Mô hình\u200b hợp lệ"')
    write_model(book, "mot", VALID_FRONT_MATTER)
    write_model(book, "hai", front)
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert "warning: an invisible zero-width character (U+200B)" in result.stderr
    assert "is used twice" in result.stderr
    fixed = run("check", "--fix", "--content", book)
    assert "1 invisible character removed" in fixed.stderr
    assert "\u200b" not in (book / "models" / "hai.md").read_text(encoding="utf-8")


def test_the_body_scan_flags_exactly_the_characters_the_checks_name() -> None:
    """`invisible.FLAGGED` (one regular expression over a model's text) against the test
    per character it replaces, over every code point."""
    from builder.load.checks.invisible import FLAGGED, REMOVABLE, is_control

    def named(char: str) -> bool:
        return is_control(char) or char in REMOVABLE

    every = (chr(code) for code in range(0x110000))
    differ = [char for char in every if bool(FLAGGED.match(char)) != named(char)]
    assert differ == []
