"""A PDF built again after one model changed lays out only what changed (the units kept in
`.cache/pdf-units/`, builder.outputs.pdf.layout.unit_cache) and is the same, byte for byte,
as the book built from scratch: both editions, the cover, `print-pages.json` and the
preflight; also when the change moves the page numbers of every unit after it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import SAMPLE, Run

from builder.load.loader import load_book
from builder.outputs.pdf.layout import pdf_units
from builder.outputs.pdf.output import book_html

FILES = (
    "dan-van-kheo-ninh-binh-2021-2025.pdf",
    "dan-van-kheo-ninh-binh-2021-2025-print.pdf",
    "dan-van-kheo-ninh-binh-2021-2025-cover.pdf",
    "print-pages.json",
    "preflight.txt",
)
SENTENCE = " Mô hình được nhân rộng ra các thôn lân cận."
PARAGRAPHS = "\n\n" + "\n\n".join(
    "Ban Dân vận huyện phối hợp với Mặt trận Tổ quốc và các đoàn thể tổ chức hội nghị sơ kết, "
    "rút kinh nghiệm, biểu dương những tập thể và cá nhân tiêu biểu trong phong trào. " * 4
    for _ in range(6)
)


def _build(run: Run, content: Path, out: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
           ) -> int:  # fmt: skip
    """Build the PDF; how many units were laid out (and kept in the cache) this time."""
    monkeypatch.setenv("BUILDER_CACHE", str(cache))
    before = _kept(cache)
    result = run("build", "--content", content, "--out", out, "pdf")
    assert result.exit_code == 0, result.output
    return len(_kept(cache) - before)


def _kept(cache: Path) -> set[str]:
    return {path.name for path in (cache / "pdf-units").glob("*.written")}


def _first_model(content: Path) -> Path:
    """The first model of the book's first part: what it gains moves every part after it."""
    return load_book(content).book.parts[0].entries[0].source


def _append(model: Path, text: str) -> None:
    model.write_text(model.read_text(encoding="utf-8").rstrip("\n") + text + "\n", "utf-8")


def test_a_build_after_one_change_lays_out_only_that_and_equals_a_full_build(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    kept = tmp_path / "kept"
    units = len(pdf_units.cut(book_html(load_book(content).book)))
    first_part = len(load_book(content).book.parts[0].entries)
    assert _build(run, content, tmp_path / "first", kept, monkeypatch) == units
    first_pages = json.loads((tmp_path / "first" / "print-pages.json").read_text())

    for step, text in (("sentence", SENTENCE), ("paragraphs", PARAGRAPHS)):
        _append(_first_model(content), text)
        laid_out = _build(run, content, tmp_path / f"{step}-kept", kept, monkeypatch)
        _build(run, content, tmp_path / f"{step}-fresh", tmp_path / f"empty-{step}", monkeypatch)
        for name in FILES:
            incremental = (tmp_path / f"{step}-kept" / name).read_bytes()
            assert incremental == (tmp_path / f"{step}-fresh" / name).read_bytes(), (step, name)
        pages = json.loads((tmp_path / f"{step}-kept" / "print-pages.json").read_text())
        last = max(first_pages, key=first_pages.__getitem__)
        if step == "sentence":
            assert laid_out == 1  # the model only
            assert pages == first_pages
        else:  # the first model grows: every page after it moves, and is kept all the same
            assert pages[last] > first_pages[last]
            second_part = next(anchor for anchor in sorted(pages, key=pages.__getitem__)
                               if anchor.startswith("phan-") and pages[anchor] > 1)  # fmt: skip
            assert pages[second_part] >= first_pages[second_part]
            # the model; the contents and the two indexes only if one of the numbers they
            # print gained a digit (the join writes them), the part openers and the back
            # matter if their blank page came or went, the first part's other models if
            # they changed sides
            assert 1 <= laid_out <= 1 + 3 + 5 + first_part - 1, laid_out
            # the last model's folio is written apart: the page itself keeps its bytes, for
            # the caches of the press colours and the preflight (folio_rewrite)
            model = max((a for a in pages if a.startswith("mo-hinh-")), key=pages.__getitem__)
            assert pages[model] > first_pages[model]
            before = _content_of(tmp_path / "first" / FILES[0], str(first_pages[model]))
            after = _content_of(tmp_path / f"{step}-kept" / FILES[0], str(pages[model]))
            assert len(before) == len(after) == 2
            assert before[0] == after[0] and before[1] != after[1]


def _content_of(pdf_file: Path, label: str) -> list[bytes]:
    """The content streams (their bytes as written) of the page labelled `label`."""
    with pikepdf.open(pdf_file) as pdf:
        page = next(page for page in pdf.pages if page.label == label)
        contents = page.obj.Contents
        streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents)
        return [stream.read_raw_bytes() for stream in streams]


def _programs(pdf_file: Path) -> set[bytes]:
    """The font programs a PDF embeds."""
    with pikepdf.open(pdf_file) as pdf:
        return {
            bytes(descriptor.FontFile2.read_bytes())
            for descriptor in pdf.objects
            if isinstance(descriptor, pikepdf.Dictionary) and "/FontFile2" in descriptor
        }


def test_a_letter_the_book_had_not_used_leaves_the_typeface_as_it_was(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The joined subsets hold every Vietnamese letter: an edit that brings a new one (here
    the capital Ỵ, which the sample does not use) changes no font program, so the pages it
    did not touch keep their bytes, and their preflight walk and ink."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    assert not any("Ỵ" in path.read_text("utf-8") for path in content.rglob("*.md"))
    kept = tmp_path / "kept"
    _build(run, content, tmp_path / "before", kept, monkeypatch)
    _append(_first_model(content), " KHU DÂN CƯ THÔN YÊN MỸ ĐƯỢC CÔNG NHẬN LẠI LÀ ĐIỂM SÁNG, Ỵ.")
    assert _build(run, content, tmp_path / "after", kept, monkeypatch) == 1
    before = _programs(tmp_path / "before" / FILES[0])
    assert before and _programs(tmp_path / "after" / FILES[0]) == before


def test_a_damaged_or_missing_kept_unit_is_a_miss(tmp_path: Path) -> None:
    from builder.outputs.pdf.layout.unit_cache import KeptUnit, UnitCache
    from builder.outputs.pdf.layout.unit_layout import UnitPages, UnitWritten

    cache = UnitCache(tmp_path / "pdf-units")
    key = cache.key("<html></html>", "model", base_url=str(tmp_path))
    assert cache.pages(key) is None and cache.written(key, "22") is None
    cache.keep_pages(key, UnitPages(3, 0, {"a": 1}))
    cache.keep_written(key, "22", KeptUnit(UnitWritten({}, False, {1: 2}), b"%PDF", None))
    assert cache.pages(key) == UnitPages(3, 0, {"a": 1})
    assert cache.written(key, "22") is not None and cache.written(key, "23") is None
    for path in (tmp_path / "pdf-units").iterdir():
        path.write_bytes(b"not a pickle")
    assert cache.pages(key) is None and cache.written(key, "22") is None
    assert UnitCache(None).pages(key) is None


def test_a_kept_unit_is_keyed_by_the_files_it_names(tmp_path: Path) -> None:
    from builder.outputs.pdf.layout.unit_cache import UnitCache

    picture = tmp_path / "a.jpg"
    picture.write_bytes(b"one")
    html = f'<img src="{picture.as_uri()}">'
    before = UnitCache(None).key(html, "model", base_url="")
    picture.write_bytes(b"two")
    assert UnitCache(None).key(html, "model", base_url="") != before
