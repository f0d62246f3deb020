"""What the model's form offers and what its preview shows: the choices of book.yaml (fields,
places with their later names, the years of the book's period, the statuses an account may
give), and the model's page as the site shows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from builder.book.fields import fact_rows
from builder.book.model import APPROVED, KIND_LABELS, KINDS, STATUSES, BookConfig, Entry
from builder.book.place_names import commune_named, district_named, field_named
from builder.render import markdown
from builder.workspace.accounts import CHIEF, Account

PICTURES_ROUTE = "/preview/pictures/"


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True, slots=True)
class CommuneGroup:
    district: str  # the district's name, as the district select's value
    label: str
    communes: tuple[Choice, ...]


def _choices(
    options: list[tuple[str, str]], current: str, names: Callable[[str], str | None]
) -> list[Choice]:
    """`options` (value, label) with `current` selected: an option the file names another way
    (a field by its name, a district without “huyện”) keeps the file's spelling as its value,
    so a form sent unchanged changes nothing; a value that is none of them stays offered."""
    meant = names(current) if current else None
    found = [
        Choice(current if value == meant else value, label, value == meant)
        for value, label in options
    ]
    if current and meant is None:
        found.insert(0, Choice(current, current, True))
    return found


def form_choices(
    config: BookConfig, values: dict[str, str], account: Account
) -> dict[str, list[Any]]:
    """Every select's options for the form of a model with `values`."""
    fields = [(known.id, known.name) for known in config.fields]
    districts = [(d.name, f"{d.name} ({d.later})" if d.later else d.name) for d in config.districts]

    def field_id(value: str) -> str | None:
        known = field_named(config.fields, value.strip())
        return known.id if known else None

    def district_name(value: str) -> str | None:
        known = district_named(config.districts, value)
        return known.name if known else None

    chosen = district_named(config.districts, values.get("district", ""))
    groups = []
    for district in config.districts:
        current = values.get("commune", "") if district == chosen else ""
        options = [
            (c.name, f"{c.name} (nay là {c.now})" if c.now and c.now != c.name else c.name)
            for c in district.communes
        ]

        def commune_name(value: str, district: Any = district) -> str | None:
            known = commune_named(district, value)
            return known.name if known else None

        communes = _choices(options, current, commune_name)
        groups.append(CommuneGroup(district.name, district.name, tuple(communes)))
    start, end = config.period
    kinds = [(kind, KIND_LABELS[kind]) for kind in KINDS]
    years = [(str(year), str(year)) for year in range(end, start - 1, -1)]
    return {
        "kind": _choices(kinds, values.get("kind", ""), lambda v: v if v in KINDS else None),
        "field": _choices(fields, values.get("field", ""), field_id),
        "district": _choices(districts, values.get("district", ""), district_name),
        "commune": groups,
        "year": _choices(years, values.get("year", ""), lambda v: v if v.isdigit() else None),
        "status": status_choices(values.get("status", ""), account),
    }


def status_choices(current: str, account: Account) -> list[Choice]:
    """The statuses `account` may give: approval (given or taken back) is the chief
    editor's; an editor sees an approved model's status without being able to change it."""
    may_approve = account.may(CHIEF) or current == APPROVED
    offered = [(key, label) for key, label in STATUSES.items() if may_approve or key != APPROVED]
    return _choices(offered, current, lambda v: v if v in STATUSES else None)


def may_set_status(account: Account, before: str, after: str) -> bool:
    """Whether `account` may change a model's status from `before` to `after`."""
    return before == after or account.may(CHIEF) or APPROVED not in (before, after)


@dataclass(frozen=True, slots=True)
class Preview:
    """The model's page as the site shows it: title, fact box, lead picture, text."""

    title: str
    facts: list[tuple[str, str]]
    lead: dict[str, Any] | None
    gallery: list[dict[str, Any]]
    body: str
    approved: bool
    status: str


def preview_of(entry: Entry | None, title: str, body: str, content: Path) -> Preview:
    """`entry`'s page; a text with errors (no entry) shows its title and text alone."""
    if entry is None:
        html = markdown.render_html(body, lambda src: None)
        return Preview(title, [], None, [], html, False, "")
    pictures = dict(entry.body_images)

    def image_url(src: str) -> markdown.ImageRef | None:
        image = pictures.get(src)
        url = picture_url(image.source, content) if image else None
        return markdown.ImageRef(url, image.width, image.height) if image and url else None

    figures = [
        {"url": url, "image": image}
        for image in entry.images
        if (url := picture_url(image.source, content))
    ]
    html = markdown.render_html(entry.body, image_url, model_url=lambda slug: f"/models/{slug}")
    facts = [(row.label, row.value) for row in fact_rows(entry, "site")]
    return Preview(entry.title, facts, figures[0] if figures else None, figures[1:], html,
                   entry.approved, entry.status_label)  # fmt: skip


def picture_url(path: Path, content: Path) -> str | None:
    """Where the workspace serves a picture of the book, for the preview."""
    try:
        relative = path.resolve().relative_to(content.resolve())
    except ValueError:
        return None
    return PICTURES_ROUTE + quote(relative.as_posix())
