"""Trust in what a build leaves: `output/` and the `publish --to` folder are never left
missing (the swap exchanges the two names at once, and where two renames must do it, a build
killed between them, by a real `kill -9`, is repaired by the next build or publish before
anything else, even one that then fails: builder.util.folder_swap); and the press cache is written
by shares on every core at once without one losing another's file
(builder.outputs.pdf.press.print_colour)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from functools import partial
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from conftest import FIXTURES, ROOT, Run, write_model

from builder.util import folder_swap

# Runs `folder_swap.swap_by_renames` (the swap where the exchange is refused) for real, and
# kills itself with SIGKILL right after the first rename has moved the target aside.
KILLED_HALFWAY = textwrap.dedent(
    """
    import os, pathlib, sys
    from builder.util import folder_swap

    target = pathlib.Path(sys.argv[1])
    staging = folder_swap.Staging(target)
    (staging.folder / "index.html").write_text("the new site", encoding="utf-8")
    rename = pathlib.Path.rename

    def rename_then_die(self, to):
        moved = rename(self, to)
        if self == target:
            os.kill(os.getpid(), 9)
        return moved

    pathlib.Path.rename = rename_then_die
    folder_swap.swap_by_renames(staging.folder, target)
    """
)


def _kill_between_the_renames(target: Path) -> None:
    killed = subprocess.run([sys.executable, "-c", KILLED_HALFWAY, str(target)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    assert not target.exists()
    assert list(target.parent.glob(f".{target.name}.old-*")), "the kill came too early"


def _broken_book(tmp_path: Path) -> Path:
    """A copy of the minimal book with an error: any build of it fails before writing."""
    import shutil

    book = tmp_path / "broken"
    shutil.copytree(FIXTURES / "minimal", book)
    write_model(book, "hong", "name: [never closed")
    return book


def test_a_kill_between_the_renames_leaves_output_that_a_failing_build_puts_back(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "epub").exit_code == 0
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}

    _kill_between_the_renames(out)
    failed = run("build", "--content", _broken_book(tmp_path), "--out", out, "epub")

    assert failed.exit_code == 1
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()} == before
    assert "was missing (a build or publish was stopped halfway)" in failed.stderr
    # the next good build swaps in whole and leaves nothing beside
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "epub").exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken", "out"]


def test_a_kill_between_the_renames_of_publish_to_is_put_back_by_a_failing_publish(
    run: Run, tmp_path: Path
) -> None:
    served = tmp_path / "www"
    published = run("publish", "--content", FIXTURES / "minimal", "--out", tmp_path / "out",
                    "--to", served, "--allow-short")  # fmt: skip
    assert published.exit_code == 0, published.output
    before = (served / "index.html").read_bytes()

    _kill_between_the_renames(served)
    failed = run("publish", "--content", _broken_book(tmp_path), "--out", tmp_path / "out",
                 "--to", served, "--allow-short")  # fmt: skip

    assert failed.exit_code == 1
    assert (served / "index.html").read_bytes() == before


def test_a_complete_new_folder_is_put_back_where_no_old_one_is(run: Run, tmp_path: Path) -> None:
    """Killed after the new folder was marked complete, with the old one gone: the new one."""
    ready = tmp_path / ".out.ready-k1ll3d"
    ready.mkdir()
    (ready / "SHA256SUMS").write_text("", encoding="utf-8")
    (ready / ".dan-van-kheo-output").write_text("", encoding="utf-8")  # the builder wrote it
    (tmp_path / ".out.new-k1ll3d").mkdir()  # a build killed while rendering: never put in

    failed = run("build", "--content", _broken_book(tmp_path), "--out", tmp_path / "out", "epub")

    assert failed.exit_code == 1
    assert (tmp_path / "out" / "SHA256SUMS").is_file()


def test_the_swap_by_renames_leaves_the_new_folder_and_nothing_beside(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old").write_text("old", encoding="utf-8")
    with folder_swap.staged(target) as staging:
        (staging.folder / "new").write_text("new", encoding="utf-8")
        with folder_swap.turn(target):
            folder_swap.swap_by_renames(staging.folder, target)
    assert [path.name for path in target.iterdir()] == ["new"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


# Polls the folder's existence until told to stop; prints how often it looked, and missed.
READER = textwrap.dedent(
    """
    import os, sys, time
    target, started, stop = sys.argv[1:4]
    open(started, "w").close()
    looks = misses = 0
    deadline = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < deadline:
        for _ in range(200):
            looks += 1
            if not os.path.isdir(target):
                misses += 1
    print(looks, misses)
    """
)
SWAPS = 200  # with two renames: 50 swaps missed the gap in one run of two; 200 gave 1 530 misses


def test_the_exchange_never_leaves_the_target_missing(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    if not folder_swap._exchange(first, second):
        pytest.skip("this file system refuses the exchange; the two renames are used")
    target, started, stop = tmp_path / "out", tmp_path / "started", tmp_path / "stop"
    target.mkdir()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(target), str(started), str(stop)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        for number in range(SWAPS):
            with folder_swap.staged(target) as staging:
                (staging.folder / "number").write_text(str(number), encoding="utf-8")
                with folder_swap.turn(target):
                    staging.swap_in()
        stop.touch()
        looks, misses = map(int, reader.communicate(timeout=60)[0].split())
    finally:
        reader.kill()
    assert (target / "number").read_text(encoding="utf-8") == str(SWAPS - 1)
    assert looks > SWAPS
    assert misses == 0, f"the reader found no {target.name}/ {misses} times in {looks}"


# Before the fix, every run failed in its first rounds: `[Errno 2] No such file or
# directory: '…/press-images/<sha>.tmp' -> '…/<sha>.zz'`, the error `build all` gave.
SHARES, ROUNDS = 4, 20


def test_shares_converting_one_picture_at_the_same_moment_all_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked shares (as `print_colour.press_shares` starts them) convert the same picture
    for the press at the same moment, into an empty cache: each gets it whole."""
    import multiprocessing
    import shutil
    import zlib

    from builder.book.model import PrintSettings
    from builder.util.parallel import forked_map

    profile = PrintSettings().profile
    picture = tmp_path / "picture.pdf"
    with pikepdf.new() as pdf:
        width, height = 240, 160
        pixels = bytes((x * 7 + y * 3) % 256 for y in range(height) for x in range(width * 3))
        pdf.Root.Picture = pdf.make_stream(
            zlib.compress(pixels),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=width,
            Height=height,
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.FlateDecode,
        )
        pdf.save(picture)
    cache = tmp_path / "cache"
    monkeypatch.setenv("BUILDER_CACHE", str(cache))
    for _round in range(ROUNDS):
        shutil.rmtree(cache, ignore_errors=True)
        start = multiprocessing.get_context("fork").Barrier(SHARES)
        converted = forked_map(partial(_converted_at_once, picture, profile, start), range(SHARES))
        assert len(set(converted)) == 1
        assert [path.suffix for path in (cache / "press-images").iterdir()] == [".zz"]


def _converted_at_once(picture: Path, profile: Path, start: Any, share: int) -> bytes:
    """The picture of `picture` converted for the press once every share is ready."""
    from builder.outputs.pdf.press import print_colour

    with pikepdf.open(picture) as pdf:
        image = pdf.Root.Picture
        start.wait(timeout=60)
        print_colour._image_to_cmyk(image, profile)
        return bytes(image.read_raw_bytes())
