"""`builder serve`: the site over HTTP, rebuilt on save, problems shown, last good kept."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import VALID_FRONT_MATTER, write_model

from builder.serve import Preview, make_server, reset, watch, watch_roots, watched_state


@pytest.fixture
def preview(book_copy: Callable[[str], Path], tmp_path: Path) -> Iterator[tuple[Preview, str]]:
    book = book_copy("minimal")
    folder = tmp_path / "serve"
    reset(folder)
    state = Preview(book, folder)
    messages: list[str] = []
    seen = watched_state(watch_roots(state))
    assert state.rebuild(messages.append)
    server = make_server(state, 0)
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=watch, args=(state, messages.append, stop, 0.05, seen),
                                daemon=True)]  # fmt: skip
    for thread in threads:
        thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/"
    stop.set()
    server.shutdown()
    server.server_close()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def wait_for_version(base: str, after: int, timeout: float = 10) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = json.loads(get(base + "__status"))
        if status["version"] > after:
            return dict(status)
        time.sleep(0.05)
    raise AssertionError("no rebuild after the save")


def test_the_site_is_served_with_live_reload(preview: tuple[Preview, str]) -> None:
    _, base = preview
    page = get(base + "mo-hinh/duong-lang.html")
    assert "Đường làng sạch đẹp" in page
    assert '<script src="/__livereload.js"></script></body>' in page
    assert "location.reload()" in get(base + "__livereload.js")


def test_a_save_is_rebuilt_and_served(preview: tuple[Preview, str]) -> None:
    state, base = preview
    before = state.version
    path = state.content / "models" / "duong-lang.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Đường làng sạch đẹp", "Đường làng xanh"), encoding="utf-8")
    status = wait_for_version(base, before)
    assert status["problems"] == []
    assert "Đường làng xanh" in get(base + "mo-hinh/duong-lang.html")


def test_a_broken_save_shows_the_problem_and_keeps_the_last_good_site(
    preview: tuple[Preview, str],
) -> None:
    state, base = preview
    before = state.version
    write_model(state.content, "hong", VALID_FRONT_MATTER.replace("year: 2023", "year: 2030"))
    status = wait_for_version(base, before)
    problems = [str(p) for p in status["problems"]]  # type: ignore[attr-defined]
    assert any("hong.md:7:7: error: year 2030 is outside the book's period" in p
               for p in problems)  # fmt: skip
    assert "Đường làng sạch đẹp" in get(base + "mo-hinh/duong-lang.html")
    assert "builder-problems" in get(base + "__livereload.js")
