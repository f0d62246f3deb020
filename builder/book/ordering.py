"""The orders every output shares: models grouped into parts (by field, district or year),
titles and districts in Vietnamese alphabetical order."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from builder.book.model import BookConfig, Entry, Part
from builder.book.vietnamese import bare_place_name, sort_key, year_title


def group_entries(entries: Iterable[Entry], config: BookConfig, by: str) -> tuple[Part, ...]:
    """Entries in book order: grouped by field (book.yaml order), district or year."""
    entries = tuple(entries)
    keyed: dict[str, tuple[str, list[Entry]]] = {}
    order: list[str]
    key: Callable[[Entry], str]
    if by == "district":
        order = [d.slug for d in config.districts]
        names = {d.slug: d.name for d in config.districts}
        key = lambda entry: entry.place.district.slug  # noqa: E731
    elif by == "year":
        # the years that have models, not every year of the period (which may be wide)
        order = [str(year) for year in sorted({entry.year for entry in entries})]
        names = {year: year_title(year) for year in order}
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
