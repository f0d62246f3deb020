"""`builder serve`: the site over HTTP, rebuilt on save, problems shown, last good kept."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import VALID_FRONT_MATTER, empty_folder, write_model

from builder.book import urls
from builder.serve.serve import Preview, make_server, watch, watch_roots, watched_state


@pytest.fixture
def preview(book_copy: Callable[[str], Path], tmp_path: Path) -> Iterator[tuple[Preview, str]]:
    book = book_copy("minimal")
    folder = tmp_path / "serve"
    empty_folder(folder)
    state = Preview(book, folder)
    with serving(state) as base:
        yield state, base + "/"


@contextlib.contextmanager
def serving(state: Preview, log: Callable[[str], None] | None = None) -> Iterator[str]:
    """`state` built once, then served on loopback and rebuilt on every save, as `builder
    serve` does, until the block ends; gives the server's address (no final slash). `log`:
    where refusals are told (the terminal when None)."""
    messages: list[str] = []
    seen = watched_state(watch_roots(state))
    assert state.rebuild(messages.append), state.problems
    server = make_server(state, 0) if log is None else make_server(state, 0, log)
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, daemon=True),
               threading.Thread(target=watch, args=(state, messages.append, stop, 0.05, seen),
                                daemon=True)]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
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
    page = get(base + urls.model("duong-lang"))
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
    assert "Đường làng xanh" in get(base + urls.model("duong-lang"))


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
    assert "Đường làng sạch đẹp" in get(base + urls.model("duong-lang"))
    assert "builder-problems" in get(base + "__livereload.js")


def _pages(site: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(path.relative_to(site)): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(site.rglob("*.html"))
    }


def _edit(preview: Preview, name: str, old: str, new: str) -> None:
    path = preview.content / "models" / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    time.sleep(0.01)  # a new modification time even on coarse clocks
    assert preview.rebuild(lambda message: None, watched_state(watch_roots(preview)))


def _full_build(preview: Preview, tmp_path: Path) -> dict[str, bytes]:
    from builder.load.loader import load_book
    from builder.outputs.site.output import SiteWriter

    book = load_book(preview.content).book
    assert book is not None
    SiteWriter(book, tmp_path / "full", with_search=False).write()
    return {name: data for name, (_, data) in _pages(tmp_path / "full" / "site").items()}


def _built_preview(book: Path, tmp_path: Path) -> tuple[Preview, Path]:
    preview = Preview(book, tmp_path / "serve")
    empty_folder(preview.folder)
    assert preview.rebuild(lambda message: None)
    return preview, preview.folder / "site"


def test_an_edit_renders_only_the_pages_that_show_it_and_equals_a_full_build(
    book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    preview, site = _built_preview(book_copy("minimal"), tmp_path)
    before = _pages(site)

    _edit(preview, "duong-lang.md", "\n## ", "\nMột câu mới thêm vào.\n\n## ")
    after = _pages(site)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {urls.model("duong-lang")}
    assert "Một câu mới thêm vào." in after[urls.model("duong-lang")][1].decode()
    assert {n: d for n, (_, d) in after.items()} == _full_build(preview, tmp_path / "a")

    _edit(preview, "duong-lang.md", "Đường làng sạch đẹp", "Đường làng xanh mát")
    renamed = _pages(site)
    changed = {name for name in after if renamed[name][0] != after[name][0]}
    assert "index.html" in changed and urls.model("duong-lang") in changed
    assert any(name.startswith(urls.LIST_FOLDERS["field"] + "/") for name in changed)
    assert urls.page("loi-gioi-thieu") not in changed
    for name in changed:
        assert "Đường làng sạch đẹp" not in renamed[name][1].decode()
    assert {n: d for n, (_, d) in renamed.items()} == _full_build(preview, tmp_path / "b")


def test_a_changed_book_yaml_or_template_renders_every_page_again(
    book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    preview, site = _built_preview(book_copy("minimal"), tmp_path)
    before = _pages(site)
    state = watched_state(watch_roots(preview))
    touched = tuple((n, m + 1, s) if n.endswith("model.html") else (n, m, s) for n, m, s in state)
    assert preview.rebuild(lambda message: None, touched)  # as if templates/site/model.html changed
    after = _pages(site)
    assert all(
        after[name][0] != before[name][0]
        for name in before
        if name.startswith(urls.MODEL_FOLDER + "/")
    )

    book_yaml = preview.content / "book.yaml"
    text = book_yaml.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    book_yaml.write_text(text.replace(title, 'title: "Sách mới"'), encoding="utf-8")
    assert preview.rebuild(lambda message: None, watched_state(watch_roots(preview)))
    for name, (_, data) in _pages(site).items():
        if name.startswith(urls.MODEL_FOLDER + "/"):
            assert "Sách mới" in data.decode(), name
    assert {n: d for n, (_, d) in _pages(site).items()} == _full_build(preview, tmp_path / "c")


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_a_removed_model_its_lists_and_pictures_answer_404_until_it_comes_back(
    preview: tuple[Preview, str], tmp_path: Path
) -> None:
    state, base = preview
    site = state.folder / "site"
    pictures = [urls.image(path.name) for path in sorted((site / "images").iterdir())]
    assert pictures  # duong-lang.md is the only model with a picture, and of 2022, Gia Viễn
    gone = [urls.model("duong-lang"), urls.listing("year", "2022"),
            urls.listing("district", "huyen-gia-vien"), *pictures]  # fmt: skip
    assert {path: status_of(base + path) for path in gone} == dict.fromkeys(gone, 200)

    model, kept = state.content / "models" / "duong-lang.md", tmp_path / "duong-lang.md"
    before = state.version
    model.rename(kept)  # keeps its modification time: back unchanged below
    wait_for_version(base, before)
    assert {path: status_of(base + path) for path in gone} == dict.fromkeys(gone, 404)
    assert not [path for path in gone if (site / path).exists()]
    assert status_of(base + urls.model("an-ninh")) == 200
    assert "Đường làng sạch đẹp" not in get(base)

    before = state.version
    kept.rename(model)
    wait_for_version(base, before)
    assert {path: status_of(base + path) for path in gone} == dict.fromkeys(gone, 200)
    assert "Đường làng sạch đẹp" in get(base)


def test_no_folder_is_listed(preview: tuple[Preview, str]) -> None:
    _, base = preview
    for folder in ("images/", "images", "assets/", "assets/fonts/", "mo-hinh/", "pagefind/"):
        assert status_of(base + folder) == 404, folder
    index = urls.list_index("field")  # a folder with an index.html is its index page
    folder = index.removesuffix("index.html")
    assert get(base + folder) == get(base + index)
    request = urllib.request.Request(base + folder.rstrip("/"), method="HEAD")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=5)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == "/" + folder


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_the_status_says_when_a_rebuild_is_still_running(preview: tuple[Preview, str]) -> None:
    state, base = preview
    before = state.version
    with state.lock:  # a rebuild that hangs (a file that never finishes reading) holds it
        _edit_file(state, "duong-lang.md", "Đường làng sạch đẹp", "Đường làng mới")
        deadline = time.monotonic() + 5
        status = json.loads(get(base + "__status"))
        while not status["building"] and time.monotonic() < deadline:
            time.sleep(0.05)
            status = json.loads(get(base + "__status"))
        assert status["building"] is True
        assert isinstance(status["building_seconds"], float)
        assert status["version"] == before
    status = wait_for_version(base, before)
    assert status["building"] is False and status["building_seconds"] is None


def _edit_file(preview: Preview, name: str, old: str, new: str) -> None:
    path = preview.content / "models" / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
