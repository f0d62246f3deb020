"""A book large enough for its search index to be cut into shards: each shard is searched
from the one search box in a real Chromium, the filters hold across shards, and an edit
re-indexes the edited model's shard only while the site stays what a clean build writes."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bench.synthetic import make_book
from browser import search, serve
from conftest import ROOT, SAMPLE
from playwright.sync_api import Browser

from builder.book import urls
from builder.load.loader import LoadMemo, load_book
from builder.outputs.site import site_search
from builder.outputs.site.output import PageMemo, SiteWriter
from builder.outputs.site.site_search import SHARD_RECORDS, IndexRun, RecordPages, records, shards
from builder.util.errors import BuildError

MODELS = 2 * SHARD_RECORDS + 20  # three shards
MARK = "đuocphan"  # a word of its own in one model of each shard, with a đ to fold
ENDS = ("aa", "bb", "cc")  # letters, not digits: Pagefind splits a word at its digits


@dataclass(frozen=True, slots=True)
class Sharded:
    book: Path
    out: Path  # built, then built again after one model of shard 1 was edited
    clean: Path  # a clean build of the edited book
    marked: tuple[str, ...]  # per shard, the address of the model given the mark
    districts: dict[str, str]  # address: district
    before: dict[str, int]  # index file (site-relative): inode, before the edit


def _build(book: Path, out: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    command = [sys.executable, "-m", "builder", "build", "--content", str(book), "--out", str(out)]
    done = subprocess.run([*command, "site"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _index_files(out: Path) -> dict[str, int]:
    site = out / "site"
    return {
        p.relative_to(site).as_posix(): p.stat().st_ino
        for p in (site / "pagefind").rglob("*")
        if p.is_file()
    }


def _append(book: Path, address: str, line: str) -> None:
    model = book / "models" / f"{Path(address).stem}.md"
    model.write_text(model.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Sharded:
    root = tmp_path_factory.mktemp("shards")
    book = make_book(root / "book", MODELS, words=120, image_every=MODELS + 1)
    loaded = load_book(book).book
    assert loaded is not None
    groups = shards(
        records(loaded, {e.slug: urls.model(e.slug) for e in loaded.entries}), lambda r: r.url
    )
    assert len(groups) == 3
    marked = tuple(group[0].url for group in groups)
    for number, address in enumerate(marked):
        _append(book, address, f"Từ khóa riêng của phần này: {MARK}{ENDS[number]}.")
    out, clean = root / "out", root / "clean"
    _build(book, out)
    before = _index_files(out)
    _append(book, marked[1], "Một câu mới: đuocsua.")
    _build(book, out)
    _build(book, clean)
    districts = {urls.model(e.slug): e.place.district.name for e in loaded.entries}
    return Sharded(book, out, clean, marked, districts, before)


def test_an_edit_reindexes_its_shard_only(sharded: Sharded) -> None:
    after = _index_files(sharded.out)

    def shard(number: int) -> dict[str, int]:
        return {n: i for n, i in after.items() if n.startswith(f"pagefind/{number}/")}

    for number in (0, 2):
        assert shard(number) and all(sharded.before.get(n) == i for n, i in shard(number).items())
    assert any(sharded.before.get(n) != i for n, i in shard(1).items())


def test_what_pagefind_writes_again_is_not_linked_from_its_cache(sharded: Sharded) -> None:
    """Pagefind rewrites its runtime files (`pagefind.js`, its worker, its WebAssembly) in
    place on every run: a site linking them from the cache would change under a build that
    is summing it when another build indexes (two builds at once, test_build)."""
    from builder.util.cache import cache_path

    cached = {(p.stat().st_dev, p.stat().st_ino)
              for p in (ROOT / cache_path("search")).rglob("*") if p.is_file()}  # fmt: skip
    tops = [p for p in (sharded.out / "site" / "pagefind").glob("*/*") if p.is_file()]
    assert {p.name for p in tops} >= {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json"}
    assert [p.name for p in tops if (p.stat().st_dev, p.stat().st_ino) in cached] == []
    fragments = [p for p in (sharded.out / "site" / "pagefind").rglob("*.pf_fragment")]
    assert any((p.stat().st_dev, p.stat().st_ino) in cached for p in fragments)  # still linked


def test_the_site_built_again_is_a_clean_builds(sharded: Sharded) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                if p.is_file()}  # fmt: skip

    again, clean = files(sharded.out / "site"), files(sharded.clean / "site")
    assert sorted(again) == sorted(clean)
    assert [name for name in clean if again[name] != clean[name]] == []
    search_page = (sharded.out / "site" / urls.SEARCH).read_text(encoding="utf-8")
    assert 'data-shards="3"' in search_page


@pytest.fixture(scope="module")
def site(sharded: Sharded) -> Iterator[str]:
    with serve(sharded.out / "site") as base:
        yield base


def test_every_shard_is_searched(browser: Browser, site: str, sharded: Sharded) -> None:
    page = browser.new_page()
    for number, address in enumerate(sharded.marked):
        # Pagefind also finds the words the query starts with (“duoc”), ranked after it.
        first = search(page, site, f"duocphan{ENDS[number]}", every=False)[0]
        assert first["href"] == address
        assert f"<mark>{MARK}{ENDS[number]}.</mark>" in first["excerpt"]
    assert {r["href"] for r in search(page, site, "duocphan")} == set(sharded.marked)
    assert search(page, site, "duocsua", every=False)[0]["href"] == sharded.marked[1]


def test_a_filter_holds_across_shards(browser: Browser, site: str, sharded: Sharded) -> None:
    page = browser.new_page()
    district = sharded.districts[sharded.marked[2]]
    found = search(page, site, "duocphan", district=district)
    expected = {a for a in sharded.marked if sharded.districts[a] == district}
    assert {r["href"] for r in found} == expected


def test_the_shards_are_merged_under_a_sub_path(browser: Browser, sharded: Sharded) -> None:
    """Published under a path (`/dan-van-kheo/`), each shard is fetched and each result
    links there."""
    with serve(sharded.out / "site", "/dan-van-kheo/") as base:
        page = browser.new_page()
        assert {r["href"] for r in search(page, base, "duocphan")} == set(sharded.marked)
        paths = page.eval_on_selector_all(
            "#search-results .card a", "links => links.map(link => link.pathname)"
        )
        assert len(paths) == 3 and all(p.startswith("/dan-van-kheo/mo-hinh/") for p in paths)


def test_serve_reindexes_the_changed_shard_and_follows_a_smaller_book(
    sharded: Sharded, tmp_path: Path
) -> None:
    """`builder serve`'s path: its page memo keeps each shard's record pages between
    rebuilds; an edit re-indexes its shard, and a book grown smaller drops the shards it
    no longer needs."""
    book = tmp_path / "book"
    shutil.copytree(sharded.book, book)
    out, loads, pages = tmp_path / "serve", LoadMemo(), PageMemo()

    def rebuild() -> None:
        loaded = load_book(book, loads).book
        assert loaded is not None
        writer = SiteWriter(loaded, out, with_search=False, memo=pages)
        writer.write()
        run = writer.start_search_index()
        if run is not None:
            run.finish()

    rebuild()
    before = _index_files(out)
    _append(book, sharded.marked[2], "Một câu khi xem trước.")
    rebuild()
    after = _index_files(out)
    changed = {name.split("/")[1] for name in after if after[name] != before.get(name)}
    assert changed == {"2"}
    for model in sorted((book / "models").glob("*.md"))[SHARD_RECORDS:]:
        model.unlink()
    rebuild()
    assert sorted(p.name for p in (out / "site" / "pagefind").iterdir()) == ["0"]


def test_a_shard_that_cannot_be_loaded_is_said(
    browser: Browser, sharded: Sharded, tmp_path: Path
) -> None:
    """A shard missing (a copy of the site made halfway): the search says it could not load
    the index instead of staying silent; loaded again once the shard is there, it finds."""
    site = tmp_path / "site"
    shutil.copytree(sharded.out / "site", site)
    missing = site / "pagefind" / "2"
    shutil.move(missing, tmp_path / "shard-2")
    with serve(site) as base:
        page = browser.new_page()
        page.goto(base + urls.SEARCH)
        page.fill("#q", "duocphan")
        page.locator("#search-status", has_text="Không tải được chỉ mục tìm kiếm").wait_for()
        shutil.move(tmp_path / "shard-2", missing)
        assert {r["href"] for r in search(page, base, "duocphan")} == set(sharded.marked)


def test_pagefind_that_cannot_start_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is made in a thread: a Pagefind that cannot even start (no descriptors
    left, here made to happen) fails the build, and never installs an index an earlier run
    left in the cache."""
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))
    loaded = load_book(SAMPLE).book
    assert loaded is not None
    found = records(loaded, {e.slug: urls.model(e.slug) for e in loaded.entries})
    pages = RecordPages()
    pages.update(found)
    IndexRun([(0, pages)], tmp_path / "first", 1, keep_pages=True).finish()  # a good run

    def no_descriptors(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(site_search.subprocess, "Popen", no_descriptors)
    with pytest.raises(BuildError, match="Too many open files"):
        IndexRun([(0, pages)], tmp_path / "second", 1).finish()
    assert not (tmp_path / "second").exists()
