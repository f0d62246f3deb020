"""`builder build`: nothing written on errors, the old output kept whole on any failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, Run, write_model

from builder.outputs.site import SiteWriter


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_broken_entry_leaves_the_existing_output_untouched(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    out = tmp_path / "out"
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    before = _snapshot(out)
    write_model(book, "hong", 'title: "Hỏng"\nyear: 2030')
    result = run("build", "--content", book, "--out", out, "site")
    assert result.exit_code == 1
    assert "build stopped: nothing was written to" in result.stderr
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == [book.name, "out"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == sorted([book.name, "out"])


def test_a_failure_while_rendering_keeps_the_old_output_and_leaves_no_debris(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "site").exit_code == 0
    before = _snapshot(out)

    def disk_full(self: SiteWriter, path: str, text: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SiteWriter, "_save", disk_full)
    with pytest.raises(OSError):
        run("build", "--content", FIXTURES / "minimal", "--out", out, "site")
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_building_one_format_keeps_the_others(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "book.pdf").write_bytes(b"%PDF-1.7 earlier build")
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "site").exit_code == 0
    assert (out / "book.pdf").read_bytes() == b"%PDF-1.7 earlier build"
    assert (out / "site" / "index.html").is_file()


def test_a_rebuild_replaces_pages_of_deleted_models(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    out = tmp_path / "out"
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    (book / "models" / "an-ninh.md").unlink()
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    assert not (out / "site" / "mo-hinh" / "an-ninh.html").exists()
