"""A site built again into the same output folder: only what changed is rendered, and the
result is, file for file, what a clean build of the same book writes."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _retitle(model: Path) -> None:
    text = model.read_text(encoding="utf-8")
    model.write_text(re.sub(r'^title: "', 'title: "Đã sửa: ', text, count=1, flags=re.M), "utf-8")


def _add_sentence(model: Path) -> None:
    text = model.read_text(encoding="utf-8")
    model.write_text(text + "\nMột câu mới về đường làng.\n", encoding="utf-8")


def _drop_pictures(model: Path) -> None:
    text = model.read_text(encoding="utf-8")
    kept = re.sub(r"^images:\n(?:  .*\n)+", "", text, count=1, flags=re.M)
    assert kept != text
    model.write_text(kept, encoding="utf-8")


EDITS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "title": ("du-lich-cong-dong-truong-yen", _retitle),  # neighbours, lists, home, feed
    "body": ("cau-lac-bo-cheo-ninh-phong", _add_sentence),  # its page and the search index
    "pictures": ("du-lich-cong-dong-truong-yen", _drop_pictures),
    "removed": ("cau-lac-bo-cheo-ninh-phong", Path.unlink),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_built_again_gives_the_files_of_a_clean_build(
    edit: str,
    run: Run,
    book_copy: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = book_copy("sample")
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    far = "site/trang/gioi-thieu-chung.html"  # a page the edit does not touch
    before = (out / far).stat().st_ino
    slug, change = EDITS[edit]
    change(book / "models" / f"{slug}.md")
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    assert run("build", "--content", book, "--out", clean, "site").exit_code == 0
    if edit != "removed":  # a removed model changes the counts every page's menu shows
        assert (out / far).stat().st_ino == before, "an unchanged page is linked, not written"
    incremental, whole = _files(out), _files(clean)
    assert sorted(incremental) == sorted(whole)
    assert [name for name in whole if incremental[name] != whole[name]] == []


def test_with_the_books_the_site_shows_their_new_sizes_and_page_count(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built with the PDF and the EPUB, the site's downloads page shows their sizes and its
    home page the printed book's page count: an edit that lengthens the book changes both
    pages, which the digests of their inputs must see (they once kept the old ones)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = book_copy("sample")
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert run("build", "--content", book, "--out", out).exit_code == 0
    model = book / "models" / "cau-lac-bo-cheo-ninh-phong.md"
    paragraph = "Một đoạn dài thêm về câu lạc bộ chèo, kể lại từng buổi tập trong năm. " * 60
    model.write_text(model.read_text(encoding="utf-8") + f"\n{paragraph}\n", encoding="utf-8")
    assert run("build", "--content", book, "--out", out).exit_code == 0
    assert run("build", "--content", book, "--out", clean).exit_code == 0
    incremental, whole = _files(out / "site"), _files(clean / "site")
    assert sorted(incremental) == sorted(whole)
    assert [name for name in whole if incremental[name] != whole[name]] == []


def test_equal_inputs_shared_differently_have_one_digest() -> None:
    """A model just parsed shares strings with the others; one read from the cache shares
    none. Their pages' inputs are equal, so their digests must be (pickle's memo wrote a
    string met twice as a reference, and the home page was rendered again for nothing)."""
    from builder.outputs.site.site_record import digest

    name = "".join(["Gia ", "Viễn"])
    shared = ((name, "a"), (name, "b"))
    apart = (("".join(["Gia ", "Viễn"]), "a"), ("".join(["Gia", " Viễn"]), "b"))
    assert shared[0][0] is shared[1][0] and apart[0][0] is not apart[1][0]
    assert digest(shared) == digest(apart)
    assert digest(shared) != digest(((name, "a"), (name, "c")))


def test_nothing_changed_writes_nothing_and_says_so(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    out = tmp_path / "out"
    model = book / "models" / "an-ninh.md"
    model.write_text(  # a warning (not NFC), reported by every build
        model.read_text("utf-8") + "Nhân dân đo\u0302\u0300ng lòng.\n", encoding="utf-8"
    )
    first = run("build", "--content", book, "--out", out, "site")
    assert first.exit_code == 0 and "warning" in first.stderr
    folder, files = out.stat().st_ino, _files(out)
    model.write_bytes(model.read_bytes())  # saved again, unchanged: a new time, same bytes
    again = run("build", "--content", book, "--out", out, "site")
    assert again.exit_code == 0
    assert "nothing changed since the last build" in again.stdout
    assert again.stderr == first.stderr.split("note: ")[0]  # the same warnings, no notes
    assert out.stat().st_ino == folder and _files(out) == files
    _add_sentence(model)
    edited = run("build", "--content", book, "--out", out, "site")
    assert "nothing changed" not in edited.stdout
    assert "Một câu mới" in (out / "site" / "mo-hinh" / "an-ninh.html").read_text("utf-8")


def test_a_removed_output_or_other_options_build_again(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    out = tmp_path / "out"
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    (out / "SHA256SUMS").unlink()
    assert "nothing changed" not in run("build", "--content", book, "--out", out, "site").stdout
    assert (out / "SHA256SUMS").is_file()
    assert "nothing changed" not in run("build", "--content", book, "--out", out, "epub").stdout
    assert (out / "site" / "index.html").is_file()  # kept beside the new EPUB


def test_a_picture_in_a_hidden_folder_is_still_an_input(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """The record of a build's inputs leaves out only the book's `.git` and `.workspace`:
    a picture a model shows from another hidden folder, replaced, builds again."""
    book = book_copy("sample")
    hidden = book / "images" / ".goc"
    hidden.mkdir()
    (book / "images" / "san-khau-cheo.jpg").rename(hidden / "san-khau-cheo.jpg")
    model = book / "models" / "cau-lac-bo-cheo-ninh-phong.md"
    text = model.read_text(encoding="utf-8")
    moved = text.replace("../images/san-khau-cheo.jpg", "../images/.goc/san-khau-cheo.jpg")
    model.write_text(moved, encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    shutil.copyfile(book / "images" / "thuyen-trang-an.jpg", hidden / "san-khau-cheo.jpg")
    again = run("build", "--content", book, "--out", out, "site")
    assert again.exit_code == 0
    assert "nothing changed" not in again.stdout


def test_a_file_saved_again_within_one_tick_of_the_clock_builds_again(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """On a file system whose times move a second or two at a time (a network share, FAT),
    a model saved just before a build and again within the same tick, at the same length,
    keeps its time and size: the record looks at such a file's content."""
    book = book_copy("minimal")
    out = tmp_path / "out"
    model = book / "models" / "an-ninh.md"
    model.write_text(model.read_text(encoding="utf-8") + "Câu A.\n", encoding="utf-8")
    stamp = model.stat().st_mtime_ns
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    model.write_text(model.read_text(encoding="utf-8").replace("Câu A.", "Câu B."), "utf-8")
    os.utime(model, ns=(stamp, stamp))  # the same tick: the same time
    again = run("build", "--content", book, "--out", out, "site")
    assert again.exit_code == 0 and "nothing changed" not in again.stdout
    assert "Câu B." in (out / "site" / "mo-hinh" / "an-ninh.html").read_text("utf-8")
    assert "nothing changed" in run("build", "--content", book, "--out", out, "site").stdout
