"""The final edition (`build --final`, `publish`): approved models only, what was left out
and why, links to left-out models turned into their text, and the plan's targets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from builder.book.model import APPROVED, Book, BookConfig, Entry, Page
from builder.book.ordering import group_entries
from builder.load import reviews
from builder.render import markdown
from builder.util.i18n import _
from builder.util.problems import Problems, shown_path

TargetKind = Literal["total", "field", "district"]
Item = TypeVar("Item", Entry, Page)


@dataclass(frozen=True, slots=True)
class TargetCount:
    """How many models one part of the plan has against what it asks for (0: no target)."""

    kind: TargetKind
    key: str  # "", a field id or a district slug
    name: str  # what the editor reads: the field's or district's name
    count: int
    target: int

    @property
    def short(self) -> bool:
        return self.count < self.target


@dataclass(frozen=True, slots=True)
class FinalBook:
    book: Book
    left_out: tuple[Entry, ...]  # in book order
    problems: Problems  # warnings: links to left-out models, printed as plain text


def final_book(book: Book) -> FinalBook:
    """`book` with its approved entries only; links from what stays to what left become
    their text (a warning each), so no output holds a link to a page it does not have."""
    kept = [entry for entry in book.entries if entry.approved]
    left_out = tuple(entry for entry in book.entries if not entry.approved)
    gone = {entry.slug for entry in left_out}
    problems = Problems()
    if not gone:
        return FinalBook(book, (), problems)
    entries = [_unlinked(entry, gone, problems) for entry in kept]
    pages = tuple(_unlinked(page, gone, problems) for page in book.pages)
    parts = group_entries(entries, book.config, book.config.pdf.group_by)
    return FinalBook(replace(book, parts=parts, pages=pages), left_out, problems)


def target_counts(entries: Iterable[Entry], config: BookConfig) -> list[TargetCount]:
    """The models of `entries` in all, per field and per district of book.yaml, each with
    its target from `review.targets`."""
    entries = tuple(entries)
    targets = config.review.targets
    by_field, by_district = dict(targets.fields), dict(targets.districts)
    counts = [TargetCount("total", "", "", len(entries), targets.total)]
    counts += [
        TargetCount("field", field.id, field.name,
                    sum(entry.field.id == field.id for entry in entries), by_field.get(field.id, 0))
        for field in config.fields
    ]  # fmt: skip
    counts += [
        TargetCount("district", district.slug, district.name,
                    sum(entry.place.district.slug == district.slug for entry in entries),
                    by_district.get(district.slug, 0))
        for district in config.districts
    ]  # fmt: skip
    return counts


def shortfalls(book: Book) -> list[str]:
    """One line for each target of book.yaml the book does not meet."""
    lines = []
    for count in target_counts(book.entries, book.config):
        if not count.short:
            continue
        if count.kind == "total":
            line = _("the book has {count} approved models; `review.targets.total` asks for "
                     "{target}")  # fmt: skip
        elif count.kind == "field":
            line = _("field “{name}” has {count} approved models; its target is {target}")
        else:
            line = _("{name} has {count} approved models; its target is {target}")
        lines.append(line.format(name=count.name, count=count.count, target=count.target))
    return lines


def open_comments_on_approved(book: Book) -> list[str]:
    """One line for each approved model of `book` whose review file still has open comments
    (a delegate's point nobody answered); BadReviewFile when a review file cannot be read."""
    counts = reviews.open_comments(book.root)
    return [
        approved_but_open(
            str(entry.source),
            counts[entry.slug],
            str(shown_path(reviews.review_path(book.root, entry.slug))),
        )
        for entry in book.entries
        if entry.status == APPROVED and counts.get(entry.slug)
    ]


def approved_but_open(model: str, count: int, review: str) -> str:
    """The line `status`, `build --final` and `publish` show for such a model."""
    return _("{file}: approved, but {count} comments on it are still open ({review})").format(
        file=model, count=count, review=review
    )


def _unlinked(item: Item, gone: set[str], problems: Problems) -> Item:
    """`item` with its inline links to the models in `gone` replaced by their text."""
    links = [(slug, line) for slug, line in item.links if slug in gone]
    if not links:
        return item
    body = item.body
    for slug in {slug for slug, _line in links}:
        body = _link_to(slug).sub(lambda match: match["text"], body)
    left = {link.href for link in markdown.body_links(markdown.parse(body))}
    for slug, line in links:
        kept = any(markdown.linked_model(href) == slug for href in left)
        if kept:  # a reference-style link: its text cannot be told from the page's words
            problems.error(
                item.source, line, 1,
                _("the link to “{slug}.md” leads to a model left out of the final edition")
                .format(slug=slug),
                _("write it as [text]({slug}.md), or remove it").format(slug=slug),
                code="link-to-left-out-model",
            )  # fmt: skip
        else:
            problems.warning(
                item.source, line, 1,
                _("the link to “{slug}.md” leads to a model left out of the final edition; "
                  "its text is printed without the link").format(slug=slug),
                _("approve that model, or remove the link"),
                code="link-to-left-out-model",
            )  # fmt: skip
    remaining = tuple(link for link in item.links if link[0] not in gone)
    return replace(item, body=body, links=remaining)


def _link_to(slug: str) -> re.Pattern[str]:
    """An inline Markdown link `[text](slug.md)` (also `../models/slug.md`, `<…>`, a title),
    not a picture."""
    target = rf"<?(?:\./|\.\./models/|models/)?{re.escape(slug)}\.md>?"
    title = r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?"""
    return re.compile(rf"(?<!!)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]\(\s*{target}{title}\s*\)")
