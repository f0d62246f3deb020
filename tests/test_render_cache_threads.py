"""The render cache used from two threads at once, as `serve` does (its request thread makes
the print preview while its watcher rebuilds): each thread has its own connection, and
neither takes the other's database away (which crashed a full test run with SIGBUS)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from builder.util import render_cache
from builder.util.cache import cache_path


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BUILDER_CACHE", ".cache")
    return tmp_path / cache_path("render")


def _stored(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT text FROM rendered")}


def test_a_second_thread_neither_fails_nor_empties_the_first_threads_cache(
    in_folder: Path,
) -> None:
    assert render_cache.render_cache().text(("a",), lambda: "made in the main thread")
    seen: list[str] = []
    worker = threading.Thread(
        target=lambda: seen.append(render_cache.render_cache().text(("b",), lambda: "made aside"))
    )
    worker.start()
    worker.join()
    assert seen == ["made aside"]
    assert _stored(in_folder) == {"made in the main thread", "made aside"}
    again = render_cache.render_cache().text(("a",), lambda: pytest.fail("not from the cache"))
    assert again == "made in the main thread"


def test_many_threads_at_once_keep_one_database(in_folder: Path) -> None:
    render_cache.render_cache().text(("first",), lambda: "first")
    inode = in_folder.stat().st_ino
    failures: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for round_ in range(50):
                key = (f"{number}-{round_}",)
                made = key[0]
                assert render_cache.render_cache().text(key, lambda made=made: made) == made
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert in_folder.stat().st_ino == inode  # never set aside and made again
    assert len(_stored(in_folder)) == 1 + 8 * 50
