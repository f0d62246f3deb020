"""`builder build`: nothing written on errors, the old output kept whole on any failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import FIXTURES, Run, write_model

from builder.outputs.site.output import SiteWriter
from builder.util.cache import CACHES, cache_report


def _entries(folder: Path) -> list[str]:
    """What a build leaves beside its output: the outputs, never a staging folder or a lock."""
    return sorted(p.name for p in folder.iterdir())


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
    assert _entries(tmp_path) == sorted([book.name, "out"])


def _site_rebuild_failing_with(
    error: BaseException, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Result:
    """Build the site, edit a model, then build again with every page write raising `error`:
    the first build's output must be left byte for byte, with nothing beside it."""
    out, book = tmp_path / "out", tmp_path / "book"
    shutil.copytree(FIXTURES / "minimal", book)
    assert run("build", "--content", book, "--out", out, "site").exit_code == 0
    before = _snapshot(out)
    model = book / "models" / "an-ninh.md"
    model.write_text(model.read_text(encoding="utf-8") + "\nMột câu thêm.\n", encoding="utf-8")

    def failing(self: SiteWriter, path: str, text: str) -> None:
        raise error

    monkeypatch.setattr(SiteWriter, "_save", failing)
    result = run("build", "--content", book, "--out", out, "site")
    assert _snapshot(out) == before
    assert _entries(tmp_path) == ["book", "out"]
    return result


def test_a_failure_while_rendering_keeps_the_old_output_and_leaves_no_debris(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk_full = OSError(28, "No space left on device")
    result = _site_rebuild_failing_with(disk_full, run, tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "error: the site output failed: the disk is full (" in result.stderr
    assert f"{tmp_path} has " in result.stderr and "MB free" in result.stderr
    assert "free some space and build again" in result.stderr


def test_building_one_format_keeps_the_others(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "epub").exit_code == 0
    (epub,) = out.glob("*.epub")
    before = epub.read_bytes()
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "site").exit_code == 0
    assert epub.read_bytes() == before
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


def test_the_manifest_lists_every_output_file_with_its_hash(run: Run, tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "out"
    assert (
        run("build", "--content", FIXTURES / "minimal", "--out", out, "site", "epub").exit_code == 0
    )
    listed = dict(
        reversed(line.split("  ", 1))
        for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted(listed) == [name for name in files if name != "SHA256SUMS"]
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("stage", ["pdf", "epub", "site"])
def test_a_failing_output_leaves_the_old_output_whole(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    from builder.outputs import available_outputs

    out, book = tmp_path / "out", tmp_path / "book"
    shutil.copytree(FIXTURES / "minimal", book)
    assert run("build", "--content", book, "--out", out).exit_code == 0
    before = _snapshot(out)
    broken = type(available_outputs()[stage])
    model = book / "models" / "an-ninh.md"  # an edit, or the build would have nothing to do
    model.write_text(model.read_text(encoding="utf-8") + "\nMột câu thêm.\n", encoding="utf-8")

    def fail(self: object, book: object, target: Path, *_run: object) -> list[Path]:
        (target / "half-written.tmp").write_text("…", encoding="utf-8")
        raise RuntimeError("WeasyPrint ran out of luck")

    monkeypatch.setattr(broken, "render", fail)
    result = run("build", "--content", book, "--out", out)
    assert result.exit_code == 1
    assert f"error: the {stage} output failed: WeasyPrint ran out of luck" in result.stderr
    assert "Traceback" not in result.output
    assert _snapshot(out) == before
    assert _entries(tmp_path) == ["book", "out"]


def test_ctrl_c_leaves_the_old_output_whole(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _site_rebuild_failing_with(KeyboardInterrupt(), run, tmp_path, monkeypatch)
    assert result.exit_code == 130
    assert "build interrupted" in result.stderr


def test_two_builds_at_once_leave_one_whole_output(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "out"
    command = [sys.executable, "-m", "builder", "build", "--content",
               str(FIXTURES / "minimal"), "--out", str(out), "site", "epub"]  # fmt: skip
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for _ in range(2)]  # fmt: skip
    assert [build.wait(timeout=120) for build in builds] == [0, 0]
    checked = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=out,
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert _entries(tmp_path) == ["out"]


def test_two_builds_of_the_same_book_are_identical_to_the_byte(run: Run, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert (
            run("build", "--content", FIXTURES / "minimal", "--out", tmp_path / name).exit_code == 0
        )
    first = (tmp_path / "a" / "SHA256SUMS").read_text(encoding="utf-8")
    assert first == (tmp_path / "b" / "SHA256SUMS").read_text(encoding="utf-8")
    assert "sach-thu-print.pdf" in first and "site/pagefind/0/pagefind-entry.json" in first


def test_source_date_epoch_sets_every_date_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from pypdf import PdfReader

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    out = tmp_path / "o"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out).exit_code == 0
    assert "<updated>2023-11-14T22:13:20Z</updated>" in (out / "site" / "feed.xml").read_text(
        encoding="utf-8"
    )
    with zipfile.ZipFile(out / "sach-thu.epub") as epub:
        assert "2023-11-14T22:13:20Z" in epub.read("EPUB/content.opf").decode()
        assert {info.date_time for info in epub.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    for edition in ("sach-thu.pdf", "sach-thu-print.pdf"):
        metadata = PdfReader(out / edition).metadata
        assert metadata is not None and metadata["/CreationDate"] == "D:20231114221320Z"


def test_the_render_cache_gives_the_same_book_and_survives_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build from an empty cache, one from the cache it filled and one from a damaged
    cache file write the same outputs (each build its own process, as for a user)."""
    env = {**os.environ, "BUILDER_CACHE": str(tmp_path / "cache")}
    sums = []
    for name in ("cold", "warm", "damaged"):
        if name == "damaged":
            (tmp_path / "cache" / "render.sqlite").write_bytes(b"not a database" * 100)
            compiled = list((tmp_path / "cache" / "templates").iterdir())
            assert compiled  # the templates as the first build compiled them
            for number, path in enumerate(compiled):  # cut short, or junk after Jinja's magic
                data = path.read_bytes()
                path.write_bytes(data[:20] + b"\x80junk" if number % 2 else data[:-9])
        command = [sys.executable, "-m", "builder", "build", "--content",
                   str(FIXTURES / "minimal"), "--out", str(tmp_path / name)]  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        sums.append((tmp_path / name / "SHA256SUMS").read_text(encoding="utf-8"))
    assert (tmp_path / "cache" / "render.sqlite").read_bytes().startswith(b"SQLite format 3")
    assert sums[0] == sums[1] == sums[2]
    # Every cache lives where util/cache's table says (SQLite's journal or a lock beside it),
    # and its report counts what they hold.
    places = {f"{kind.place}{end}" for kind in CACHES.values()
              for end in ("", "-wal", "-shm", ".lock")}  # fmt: skip
    assert {path.name for path in (tmp_path / "cache").iterdir()} <= places
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))
    sizes = {names: size for names, _path, size in cache_report()}
    assert (
        sizes["render, load, qr-codes, preflight-pages, press-colours"] > 0
        and sizes["fonts"] > 0
        and sizes["serve"] == 0
    )
