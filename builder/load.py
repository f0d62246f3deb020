"""Load and validate a whole book folder: every problem at once, then the immutable `Book`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.config import load_config
from builder.entries import AcrossEntries, load_entry, load_page
from builder.images import ImageCatalog
from builder.model import Book, BookConfig, Entry, Part
from builder.problems import Problems, shown_path
from builder.vietnamese import bare_place_name, sort_key


@dataclass(frozen=True, slots=True)
class Loaded:
    """The book (None when there are errors) and every problem found."""

    book: Book | None
    problems: Problems


def load_book(root: Path) -> Loaded:
    problems = Problems()
    if not root.is_dir():
        problems.error(
            shown_path(root),
            1,
            1,
            "the content folder does not exist",
            "give the book folder with --content DIR",
        )
        return Loaded(None, problems)
    config = load_config(root, problems)
    if config is None:
        return Loaded(None, problems)
    catalog = ImageCatalog(root)
    model_files = sorted((root / "models").glob("*.md"))
    if not model_files:
        problems.error(
            shown_path(root / "models"),
            1,
            1,
            "the book has no models",
            "add one Markdown file per model in the models/ folder",
        )
    titles = AcrossEntries()
    entries = [
        entry
        for path in model_files
        if (entry := load_entry(path, config, catalog, titles, problems))
    ]
    titles.tones.report(problems)
    pages = [
        page
        for path in sorted((root / "pages").glob("*.md"))
        if (page := load_page(path, catalog, AcrossEntries(), problems))
    ]
    if problems.errors:
        return Loaded(None, problems)
    pages.sort(key=lambda page: (page.back, page.order, sort_key(page.title)))
    book = Book(
        config=config,
        root=root,
        parts=group_entries(entries, config, config.pdf.group_by),
        pages=tuple(pages),
    )
    return Loaded(book, problems)


def group_entries(entries: Iterable[Entry], config: BookConfig, by: str) -> tuple[Part, ...]:
    """Entries in book order: grouped by field (book.yaml order), district or year."""
    keyed: dict[str, tuple[str, list[Entry]]] = {}
    order: list[str]
    key: Callable[[Entry], str]
    if by == "district":
        order = [d.slug for d in config.districts]
        names = {d.slug: d.name for d in config.districts}
        key = lambda entry: entry.place.district.slug  # noqa: E731
    elif by == "year":
        start, end = config.period
        order = [str(year) for year in range(start, end + 1)]
        names = {year: f"Năm {year}" for year in order}
        key = lambda entry: str(entry.year)  # noqa: E731
    else:
        order = [f.id for f in config.fields]
        names = {f.id: f.name for f in config.fields}
        key = lambda entry: entry.field.id  # noqa: E731
    for entry in entries:
        keyed.setdefault(key(entry), (names[key(entry)], []))[1].append(entry)
    return tuple(
        Part(slug, keyed[slug][0], tuple(sorted(keyed[slug][1], key=lambda e: sort_key(e.title))))
        for slug in order
        if slug in keyed
    )


def districts_alphabetical(entries: Iterable[Entry], config: BookConfig) -> tuple[Part, ...]:
    """Entries by district, the districts in Vietnamese order of their names without
    “huyện”/“thành phố”: how every list and index shows them."""
    return tuple(
        sorted(group_entries(entries, config, "district"),
               key=lambda part: sort_key(bare_place_name(part.title)))
    )  # fmt: skip
