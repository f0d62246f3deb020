"""The preflight keeps each print page's walk and rendered ink by digests of what the page is
drawn from: a page drawn again is taken from the cache, one drawn differently is walked
again, one whose text alone changed (a folio after an edit) keeps its walk but is rendered
again, and the walk folded from kept pages is the walk of the whole file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest

from builder.outputs.pdf.press import page_walks, preflight
from builder.util import render_cache

SAMPLE_PRINT = "dan-van-kheo-ninh-binh-2021-2025-print.pdf"


@pytest.fixture
def interior(sample_output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample's print interior, and a cache of this test's own."""
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))
    render_cache._open.clear()
    copy = tmp_path / SAMPLE_PRINT
    shutil.copy(sample_output / SAMPLE_PRINT, copy)
    return copy


def _digests(path: Path) -> list[page_walks.PageDigest]:
    with pikepdf.open(path) as pdf:
        return page_walks.page_digests(pdf)


def _pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _walk(path: Path) -> preflight.Walk:
    with pikepdf.open(path) as pdf:
        return preflight.walk_file(path, pdf)


def test_a_walk_from_kept_pages_is_the_walk_of_the_file(interior: Path) -> None:
    pages = _pages(interior)
    assert page_walks.kept_walks(_digests(interior)) == {}
    first = _walk(interior)
    kept = page_walks.kept_walks(_digests(interior))
    assert sorted(kept) == list(range(pages))  # every page kept, each at its own number
    assert first.rendered is not None and first.to_render  # the pictures' pages were rendered
    assert _walk(interior) == first
    assert all(walk.page_ink.keys() == {index + 1} for index, walk in kept.items())


def _saved(source: Path, target: Path, box_on: int | None = None) -> Path:
    """`source` saved again by qpdf (which tidies a few streams), with a rich black box drawn
    on page `box_on` if given."""
    with pikepdf.open(source) as pdf:
        if box_on is not None:
            box = pdf.make_stream(b"q 0.8 0.8 0.8 1 k 10 10 50 50 re f Q")
            pdf.pages[box_on].contents_add(box)
        pdf.save(target)
    return target


def test_a_page_drawn_differently_is_walked_again(interior: Path, tmp_path: Path) -> None:
    pages = _pages(interior)
    same = _saved(interior, tmp_path / "same.pdf")
    _walk(same)
    changed = _saved(interior, tmp_path / "changed.pdf", box_on=4)
    before, after = _digests(same), _digests(changed)
    assert [i for i in range(pages) if before[i] != after[i]] == [4]
    assert sorted(page_walks.kept_walks(after)) == [i for i in range(pages) if i != 4]
    walk = _walk(changed)
    assert walk.page_ink[5] == pytest.approx(340)  # the new box's ink, not the kept page's
    render_cache._open.clear()
    shutil.rmtree(tmp_path / "cache")
    assert _walk(changed) == walk  # the same walk from an empty cache


def _text_changed(source: Path, target: Path, pages: list[int]) -> Path:
    """`source` saved again with the first glyph its text shows on each of `pages` (indexes)
    drawn with another glyph, as a folio's digit changes after an edit."""
    with pikepdf.open(source) as pdf:
        for index in pages:
            for stream in _streams(pdf.pages[index]):
                data = stream.read_bytes()
                glyph = re.search(rb"<([0-9a-f]{4})>", data)
                if glyph is not None:
                    other = b"%04x" % ((int(glyph[1], 16) + 1) % 0x10000)
                    stream.write(data[: glyph.start(1)] + other + data[glyph.end(1) :])
                    break
        pdf.save(target)
    return target


def _pages_showing_text(path: Path) -> list[int]:
    with pikepdf.open(path) as pdf:
        return [index for index, page in enumerate(pdf.pages)
                if re.search(rb"<[0-9a-f]{4}>", _contents(page))]  # fmt: skip


def _contents(page: pikepdf.Page) -> bytes:
    return b"\n".join(stream.read_bytes() for stream in _streams(page))


def _streams(page: pikepdf.Page) -> list[pikepdf.Stream]:
    contents = page.obj.get("/Contents", pikepdf.Array())
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


def test_a_page_whose_text_alone_changed_keeps_its_walk_and_its_rendered_ink(
    interior: Path, tmp_path: Path
) -> None:
    """A picture's page is rendered without its text, so its folio changed keeps its ink
    as a build before rendered it; the ink of its text comes from its colours."""
    same = _saved(interior, tmp_path / "same.pdf")
    first = _walk(same)
    showing = _pages_showing_text(same)
    picture = next(i for i in showing if i + 1 in first.to_render)  # ink only a render gives
    text = next(i for i in showing if i + 1 not in first.to_render)
    changed = _text_changed(same, tmp_path / "changed.pdf", [picture, text])
    before, after = _digests(same), _digests(changed)
    drawn_again = [i for i in range(len(after)) if before[i].drawn != after[i].drawn]
    assert drawn_again == sorted([text, picture])
    assert [d.walked for d in before] == [d.walked for d in after]
    assert sorted(page_walks.kept_walks(after)) == list(range(len(after)))
    rendered = {page: after[page - 1] for page in first.to_render}
    assert picture + 1 in page_walks.kept_inks(rendered)
    assert page_walks.kept_inks(rendered, text=True) == {}  # none rendered with their text
    walk = _walk(changed)
    assert walk.rendered is not None and first.rendered is not None
    assert walk.rendered[picture + 1] == first.rendered[picture + 1]
    render_cache._open.clear()
    shutil.rmtree(tmp_path / "cache")
    assert _walk(changed) == walk  # the same walk from an empty cache


def test_a_damaged_kept_walk_is_walked_again(interior: Path) -> None:
    first = _walk(interior)
    digests = _digests(interior)
    render_cache.render_cache().put([(f"preflight-page:{digests[2].walked}", b"\x80junk")])
    assert 2 not in page_walks.kept_walks(digests)
    assert _walk(interior) == first


def test_pages_whose_strings_differ_only_in_bytes_have_different_digests(tmp_path: Path) -> None:
    """An indexed colour space's lookup string is bytes: two that pikepdf shows alike
    (0x7F and 0x9F) are different colours, so the pages must not share a kept walk."""
    digests = []
    for byte in (b"\x7f", b"\x9f"):
        pdf = pikepdf.new()
        pdf.add_blank_page(page_size=(100, 100))
        lookup = pikepdf.String(byte * 3)
        space = pikepdf.Array([pikepdf.Name.Indexed, pikepdf.Name.DeviceRGB, 0, lookup])
        pdf.pages[0].obj.Resources = pikepdf.Dictionary(ColorSpace=pikepdf.Dictionary(CS0=space))
        digests.append(page_walks.page_digests(pdf)[0])
    assert digests[0] != digests[1]
