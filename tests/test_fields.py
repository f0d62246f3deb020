"""builder/book/fields.py is the one declaration of a model's front matter: the checker, the model's
text, `builder new`, the three fact boxes and the editors' guide all follow it."""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, VALID_FRONT_MATTER, Run, table_after, write_model
from lxml import etree
from pdfcheck import page_texts
from sitecheck import page

from builder.authoring.new_entry import entry_text
from builder.book.fields import (
    BY_KEY,
    FIELDS,
    MODEL_KEYS,
    TEXT_KEYS,
    fact_rows,
    text_of_book,
    text_of_entry,
)
from builder.book.model import Entry
from builder.load.loader import load_book
from builder.render.fonts import SCREEN_BASE, characters_beyond_base

XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def entries() -> dict[str, Entry]:
    book = load_book(FIXTURES / "minimal").book
    assert book is not None
    return {entry.slug: entry for entry in book.entries}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal book's three outputs, built in one run (the site then cites printed pages)."""
    from click.testing import CliRunner

    from builder.cli import main

    out = tmp_path_factory.mktemp("fields") / "out"
    args = ["build", "--content", str(FIXTURES / "minimal"), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


# The checker


def test_the_checker_knows_exactly_the_declared_keys() -> None:
    assert list(MODEL_KEYS) == [spec.key for spec in FIELDS]
    assert {key for key, spec in MODEL_KEYS.items() if spec.required} == {
        spec.key for spec in FIELDS if spec.required
    }
    assert all(MODEL_KEYS[spec.key].kind is spec.type for spec in FIELDS)


def test_a_key_the_table_does_not_declare_is_refused(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    write_model(book, "khoa-la", VALID_FRONT_MATTER + "trang_web: x\n")
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert "khoa-la.md:8:1: error: unknown key `trang_web` in the front matter" in result.stderr
    known = ", ".join(f"`{spec.key}`" for spec in FIELDS)
    assert f"hint: known keys: {known}" in result.stderr


def test_every_example_of_the_table_passes_the_check(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    """The examples the guide and the hints show are valid front matter, all at once."""
    book = book_copy("minimal")
    lines = [f"{spec.key}: {spec.example}" for spec in FIELDS if spec.example]
    write_model(book, "vi-du", "\n".join(lines))
    result = run("check", "--strict", "--content", book)
    assert result.exit_code == 0, result.output


# The fact boxes


def test_fact_rows_follow_the_declared_order_and_skip_what_is_empty(
    entries: dict[str, Entry],
) -> None:
    rows = fact_rows(entries["duong-lang"], "site")
    assert [row.label for row in rows] == [
        "Đơn vị", "Địa bàn", "Lĩnh vực", "Loại mô hình", "Năm bắt đầu", "Năm công nhận",
        "Cơ quan công nhận", "Từ khóa",
    ]  # fmt: skip
    assert rows[0].value == "Chi bộ thôn Đông" and rows[-1].value == "đường làng"
    declared = [s.label for s in sorted(FIELDS, key=lambda s: s.fact or 0) if s.fact is not None]
    for entry in entries.values():
        labels = [row.label for row in fact_rows(entry, "site")]
        assert labels == [label for label in declared if label in labels]
        assert all(row.value for row in fact_rows(entry, "site"))
    shown = {row.label: row.value for row in fact_rows(entries["an-ninh"], "site")}
    assert "Năm bắt đầu" not in shown and "Cá nhân" not in shown and "Từ khóa" not in shown
    person = fact_rows(entries["dan-quan"], "site")[0]
    assert (person.label, person.value) == ("Cá nhân", "Nguyễn Văn Thử, Chỉ huy trưởng")


def test_the_three_outputs_show_the_same_facts(entries: dict[str, Entry]) -> None:
    for entry in entries.values():
        site, epub, pdf = (fact_rows(entry, output) for output in ("site", "epub", "pdf"))
        assert [row[:2] for row in site] == [row[:2] for row in epub] == [row[:2] for row in pdf]


def test_links_are_symbolic_and_only_the_site_turns_them_into_addresses(
    entries: dict[str, Entry], built: Path
) -> None:
    links = {row.label: row.link for row in fact_rows(entries["duong-lang"], "site")}
    assert links["Lĩnh vực"] == ("field", "kinh-te")
    assert links["Địa bàn"] == ("district", "huyen-gia-vien")
    assert links["Năm công nhận"] == ("year", "2022")
    model = page(built / "site", "mo-hinh/duong-lang.html")
    hrefs = {
        dd.getprevious().text_content(): dd.xpath("./a/@href")
        for dd in model.xpath("//aside[@class='facts']//dd")
    }
    assert hrefs["Lĩnh vực"] == ["../linh-vuc/kinh-te.html"]
    assert hrefs["Địa bàn"] == ["../dia-ban/huyen-gia-vien.html"]
    assert hrefs["Năm công nhận"] == ["../nam/2022.html"]
    assert hrefs["Đơn vị"] == [] and hrefs["Từ khóa"] == []


@pytest.mark.parametrize("slug", ["duong-lang", "dan-quan", "an-ninh"])
def test_the_built_fact_boxes_agree(slug: str, entries: dict[str, Entry], built: Path) -> None:
    """Site, EPUB and PDF, read back from what the build wrote: the same facts in the same
    order, as `fact_rows` declares; the site adds the printed page, which only it can cite."""
    expected = [(row.label, row.value) for row in fact_rows(entries[slug], "site")]
    model = page(built / "site", f"mo-hinh/{slug}.html")
    site = [
        (dt.text_content(), " ".join(dt.getnext().text_content().split()))
        for dt in model.xpath("//aside[@class='facts']//dt")
    ]
    assert site[:-1] == expected and site[-1][0] == "Sách in"
    with zipfile.ZipFile(built / "sach-thu.epub") as archive:
        document = etree.fromstring(archive.read(f"EPUB/m-{slug}.xhtml"))
    epub = [
        (dt.xpath("string()"), dt.getnext().xpath("string()"))
        for dt in document.xpath("//x:aside//x:dt", namespaces=XHTML)
    ]
    assert epub == expected
    # The PDF's text: the title, then the fact box, label and value after value.
    facts = " ".join(f"{label} {value}" for label, value in expected)
    title = entries[slug].title
    assert any(text.startswith(f"{title} {facts} ") for text in page_texts(built / "sach-thu.pdf"))


def test_every_character_a_fact_box_shows_is_in_the_font_subsets(
    entries: dict[str, Entry],
) -> None:
    book = load_book(FIXTURES / "minimal").book
    assert book is not None
    covered = set(text_of_book(book)) | set(SCREEN_BASE)
    for entry in entries.values():
        for row in fact_rows(entry, "site"):
            assert set(row.label + row.value) <= covered, row


def test_the_subsets_read_every_character_beyond_the_base() -> None:
    """What the subsets' key reads of the book (`characters_beyond_base`) with the base is
    every character of the book: a rare sign, a combining mark, a character outside the BMP
    and the regular expression's own specials are kept; the base's letters are not repeated."""
    book = load_book(FIXTURES / "minimal").book
    assert book is not None
    text = text_of_book(book) + "₫ Ω ǅ \u0301 😀 ] \\ ^ - [ đĐ ỹ\n"
    beyond = characters_beyond_base(text)
    assert set(beyond) | set(SCREEN_BASE) == set(text) | set(SCREEN_BASE)
    assert not set(beyond) & set(SCREEN_BASE)
    assert {"Ω", "ǅ", "\u0301", "😀"} <= set(beyond)
    assert list(beyond) == sorted(set(beyond))


# The model's text


def test_entry_text_covers_every_text_field(entries: dict[str, Entry]) -> None:
    entry = entries["dan-quan"]
    marked = dataclasses.replace(entry, **{key: _marked(key, getattr(entry, key))
                                           for key in TEXT_KEYS})  # fmt: skip
    for key in TEXT_KEYS:
        assert f"«{key}»" in text_of_entry(marked), key


def _marked(key: str, value: object) -> object:
    """`value` of the same shape, every string in it carrying the marker «key»."""
    if isinstance(value, str):
        return f"«{key}»"
    if isinstance(value, tuple):
        return (f"«{key}»",)
    assert dataclasses.is_dataclass(value) and not isinstance(value, type), key
    return dataclasses.replace(value, **{f.name: f"«{key}»" for f in dataclasses.fields(value)})


def test_free_text_the_entry_keeps_counts_as_text() -> None:
    """A new text key is in `text_of_entry` unless the table says why not."""
    for spec in FIELDS:
        if spec.as_given and spec.type in (str, list, dict) and not spec.is_id:
            assert spec.key in TEXT_KEYS, spec.key


# builder new


@pytest.mark.parametrize("kind", ["tap-the", "ca-nhan"])
def test_builder_new_writes_the_declared_keys_in_order(kind: str) -> None:
    given = {"kind": kind, "field": "kinh-te", "district": "huyện Gia Viễn", "year": 2024}
    text = entry_text(None, "Mô hình mới", **given)  # type: ignore[arg-type]
    written = yaml.safe_load(text.split("---\n")[1])
    expected = [
        spec.key
        for spec in FIELDS
        if (spec.key in given or spec.key == "title" or spec.placeholder is not None)
        and (spec.required_when is None or spec.required_when in given.items())
    ]
    assert list(written) == expected
    assert ("person" in written) == (kind == "ca-nhan")
    for spec in FIELDS:
        if spec.key in written and spec.key not in given and spec.key != "title":
            assert written[spec.key] == spec.placeholder, spec.key
    # Every required key is either asked for by `builder new` or has a TODO to fill in.
    assert all(spec.key in written for spec in FIELDS if spec.required)


def test_builder_new_refuses_a_key_the_table_does_not_declare() -> None:
    with pytest.raises(TypeError, match="trang_web"):
        entry_text(None, "X", kind="tap-the", trang_web="x")  # type: ignore[arg-type]


# The editors' guide


GUIDE = {
    "vi": ("#### Các khóa của mô hình", "Có", "Không", "Có, nếu", "xem ví dụ dưới bảng"),
    "en": ("#### The keys of a model", "Yes", "No", "Yes, when", "see below the table"),
}


def _guide_row(key: str, language: str) -> str:
    spec = BY_KEY[key]
    _heading, yes, no, when, below = GUIDE[language]
    required = yes if spec.required else no
    if spec.required_when:
        required = f"{when} `{spec.required_when[0]}: {spec.required_when[1]}`"
    example = f"`{key}: {spec.example}`" if spec.example else below
    meaning = spec.vi if language == "vi" else spec.en
    return f"| `{key}` | {required} | {meaning} | {example} |"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_editors_guide_lists_every_key_as_the_table_declares_it(language: str) -> None:
    guide = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
    rows = table_after(guide, GUIDE[language][0])
    expected = [_guide_row(spec.key, language) for spec in FIELDS]
    assert rows == expected, "content/README.md should read:\n" + "\n".join(expected)


def test_the_project_readme_lists_the_same_keys() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = table_after(readme, "Front matter of a model")
    assert [row.split("`")[1] for row in rows] == [spec.key for spec in FIELDS]
