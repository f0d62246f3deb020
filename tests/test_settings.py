"""builder/book/settings.py is the one declaration of book.yaml's keys: the checker's schemas
and ranges, the model's defaults, README's Limits and the editors' guide all follow it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, table_after

from builder.book import model
from builder.book.settings import BY_KEY, SETTINGS, guide_rows, limits_rows, schema
from builder.load import config
from builder.load.loader import load_book

# The model's settings dataclasses: each field → its key in book.yaml.
MODEL_FIELDS = {
    model.Colophon: {f.name: f"colophon.{f.name}" for f in dataclasses.fields(model.Colophon)},
    model.Colours: {f.name: f"pdf.colours.{f.name}" for f in dataclasses.fields(model.Colours)},
    model.PrintColours: {
        f.name: f"pdf.colours_print.{f.name}" for f in dataclasses.fields(model.PrintColours)
    },
    model.PdfSettings: {
        "trim_width_mm": "pdf.trim.width_mm",
        "trim_height_mm": "pdf.trim.height_mm",
        "group_by": "pdf.group_by",
    },
    model.PrintSettings: {
        f.name: f"print.{f.name}" for f in dataclasses.fields(model.PrintSettings)
    },
    model.EpubSettings: {f.name: f"epub.{f.name}" for f in dataclasses.fields(model.EpubSettings)},
    model.ReviewSettings: {
        "statuses": "review.statuses",
        "words_min": "review.words.min",
        "words_max": "review.words.max",
    },
    model.Targets: {f.name: f"review.targets.{f.name}" for f in dataclasses.fields(model.Targets)},
}


def test_the_model_defaults_are_the_declared_ones() -> None:
    for cls, keys in MODEL_FIELDS.items():
        made = cls()  # type: ignore[operator]
        for name, key in keys.items():
            assert getattr(made, name) == BY_KEY[key].default, key


def test_every_key_has_a_description_in_both_languages() -> None:
    for setting in SETTINGS:
        assert setting.vi and setting.en, setting.key
        assert setting.group in BY_KEY or setting.group == "", setting.key


def test_the_checker_reads_the_declared_schemas() -> None:
    assert schema() == config.BOOK_KEYS
    assert set(config.PRINT_KEYS) == {s.name for s in SETTINGS if s.group == "print"}


@pytest.mark.parametrize(
    ("language", "heading"),
    [("vi", "Các khóa khác của `book.yaml`"), ("en", "The other keys of `book.yaml`")],
)
def test_the_editors_guide_lists_every_key_as_declared(language: str, heading: str) -> None:
    guide = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    expected = guide_rows(language)  # type: ignore[arg-type]
    assert table_after(guide, heading) == expected, "content/README.md should read:\n" + (
        "\n".join(expected)
    )


def test_the_readme_limits_list_every_declared_range() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = table_after(readme, "## Limits")
    declared = [row for row in rows if row.split("`")[1:2] and row.split("`")[1] in BY_KEY]
    assert declared == limits_rows(), "README.md's Limits should read:\n" + "\n".join(limits_rows())


def test_a_retired_key_is_accepted_with_a_warning(book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    with (book / "book.yaml").open("a", encoding="utf-8") as stream:
        stream.write("site:\n  models_per_page: 0\n")
    loaded = load_book(book)
    assert loaded.book is not None
    shown = [str(problem) for problem in loaded.problems]
    assert any("`site` has no effect and is ignored" in line for line in shown), shown


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("pdf:\n  group_by: nam", "`pdf.group_by` is nam; it must be field, district or year"),
        ("print:\n  signature: 12", "`print.signature` is 12; it must be 4, 8, 16 or 32"),
        ("epub:\n  max_image_px: 100", "`epub.max_image_px` is 100; it must be from 320 to 4000"),
    ],
)
def test_a_value_out_of_its_declared_range_is_refused(
    book_copy: Callable[[str], Path], section: str, message: str
) -> None:
    book = book_copy("minimal")
    with (book / "book.yaml").open("a", encoding="utf-8") as stream:
        stream.write(section + "\n")
    loaded = load_book(book)
    assert loaded.book is None
    assert any(message in str(problem) for problem in loaded.problems)


def test_the_fixture_books_load() -> None:
    assert load_book(FIXTURES / "minimal").book is not None
