"""Turning one Markdown file into an `Entry` (a model) or a `Page`, checking every fact."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it.token import Token

from builder.book import urls
from builder.book.fields import MODEL_KEYS, as_given
from builder.book.model import (
    INDIVIDUAL,
    KINDS,
    STATUSES,
    BookConfig,
    Entry,
    FieldOfWork,
    Image,
    Page,
    Person,
    Place,
)
from builder.book.place_names import commune_named, district_named, field_named
from builder.book.settings import YEARS
from builder.book.vietnamese import slugify
from builder.load.checks import entry_warnings, front_matter_lint, invisible, text_checks
from builder.load.images import (
    ImageCatalog,
    ImageProblem,
)
from builder.load.schema import Checked, Field, Parsed, check_mapping, check_range, suggest_value
from builder.load.source import SourceFile, read_text, split_front_matter
from builder.load.yaml_source import Key, LocatedYaml, YamlProblem, parse_yaml
from builder.render import markdown
from builder.util.i18n import _, ngettext
from builder.util.problems import Problems, shown_path

PERSON_KEYS = {"name": Field(str, True, '"Nguyễn Văn A"'), "role": Field(str)}
IMAGE_KEYS = {
    "src": Field(str, True, "../images/anh.jpg"),
    "alt": Field(str),
    "caption": Field(str),
    "credit": Field(str),
}
LIST_KEYS = frozenset(key for key, spec in MODEL_KEYS.items() if spec.kind is list)
PAGE_KEYS = {
    "title": Field(str, True, '"Lời giới thiệu"'),
    "order": Field(int, True, "1"),
    "back": Field(bool),
}
PAGE_ORDER = (0, 999)
MAX_TITLE = 300  # characters; the longest sample title is about 90
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(slots=True)
class AcrossEntries:
    """Titles seen so far, to report a title used twice even when other facts are wrong,
    and the tone placement styles met, to report a book that mixes them."""

    seen: dict[str, Path] = field(default_factory=dict)
    tones: text_checks.ToneStyles = field(default_factory=text_checks.ToneStyles)

    def add(self, title: Any, where: Checked) -> None:
        if not isinstance(title, str) or not title.strip():
            return
        folded = invisible.without_invisible(unicodedata.normalize("NFC", title)).strip().casefold()
        if folded in self.seen:
            where.error(
                ("title",),
                _("title “{title}” is used twice").format(title=title.strip()),
                _("{file} has the same title; make each title unique").format(
                    file=self.seen[folded]
                ),
                code="duplicate-title",
            )
        else:
            self.seen[folded] = where.shown


def read_markdown(path: Path, problems: Problems) -> Parsed | None:
    shown = shown_path(path)
    text = read_text(path, shown, problems)
    if text is None:
        return None
    source = split_front_matter(text, shown, problems)
    if source is None:
        return None
    lines = text.split("\n")
    mistakes = front_matter_lint.mistakes(source.front_matter, LIST_KEYS)
    try:
        located = parse_yaml(source.front_matter, source.front_matter_line)
    except YamlProblem as exc:
        if not any(mistake.blocking for mistake in mistakes):
            for each in exc.every:
                at = each.position
                line = lines[at.line - 1] if at.line <= len(lines) else ""
                excerpt = tuple(front_matter_lint.excerpt(line, at.column - 1))
                problems.error(
                    shown, at.line, at.column, each.message, each.hint, excerpt, code=each.code
                )
            return None
    else:
        if not mistakes:
            return _parsed(located, source, lines, shown, problems)
    for mistake in mistakes:  # the editor's mistakes, said where they were typed
        number = source.front_matter_line + mistake.line
        problems.error(
            shown, number, mistake.column + 1, mistake.message, mistake.hint,
            tuple(front_matter_lint.excerpt(lines[number - 1], mistake.column)),
            code="front-matter-typing",
        )  # fmt: skip
    return None


def _parsed(
    located: LocatedYaml, source: SourceFile, lines: list[str], shown: Path, problems: Problems
) -> Parsed:
    if located.value is None:
        located.value = {}
        located.values[()] = located.at(())
    invisible.check_front_matter(located, lines, shown, problems)
    invisible.check_body(source.body, source.body_line, shown, problems)
    return Parsed(source, located, Checked(located, shown, problems))


def load_entry(
    path: Path, config: BookConfig, catalog: ImageCatalog, titles: AcrossEntries, problems: Problems
) -> Entry | None:
    parsed = read_markdown(path, problems)
    if parsed is None:
        return None
    where = parsed.where
    _check_slug(path, where)
    errors_before = len(problems.errors)
    if isinstance(parsed.yaml.value, dict):
        titles.add(parsed.yaml.value.get("title"), where)
    data = check_mapping(parsed.yaml.value, MODEL_KEYS, (), where, _("the front matter"))
    title = data.get("title", "")
    if len(title) > MAX_TITLE:
        where.error(
            ("title",),
            ngettext(
                "the title is {length} character long; at most {most}",
                "the title is {length} characters long; at most {most}",
                len(title),
            ).format(length=len(title), most=MAX_TITLE),
            _("keep the name of the model short; tell the story in the text"),
            code="title-too-long",
        )
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        where.error(
            ("kind",),
            _("`kind` cannot be “{kind}”").format(kind=kind),
            suggest_value(kind, list(KINDS)),
            code="unknown-kind",
        )
    _check_status(data.get("status"), config, where)
    person = _person(data, where)
    field_of_work = _field(data.get("field"), config, where)
    place = _place(data, config, where)
    year = data.get("year")
    start, end = config.period
    if year is not None and not start <= year <= end:
        where.error(
            ("year",),
            _("year {year} is outside the book's period {start}–{end}").format(
                year=year, start=start, end=end
            ),
            code="year-outside-period",
        )
    started = data.get("started")
    if started is not None and not check_range(where, ("started",), started, *YEARS):
        started = None
    if started is not None and year is not None and started > year:
        where.error(
            ("started",),
            _("`started` ({started}) is after `year` ({year})").format(started=started, year=year),
            code="started-after-year",
        )
    images = _front_matter_images(data.get("images", []), path, catalog, where)
    tokens = markdown.parse(parsed.source.body)
    body_images = _body_images(parsed.source, tokens, path, catalog, problems)
    links = _body_links(parsed.source, tokens, problems)
    entry_warnings.warn_low_resolution(images, body_images, config, parsed)
    entry_warnings.warn_raw_html(parsed.source, problems)
    entry_warnings.warn_todo(parsed)
    text_checks.check_legacy_encoding(parsed.source, problems)
    text_checks.check_quotes(parsed.source, problems, tokens)
    titles.tones.add(parsed.source)
    if not markdown.has_text(tokens):
        problems.error(
            where.shown,
            parsed.source.body_line - 1,
            1,
            _("the entry has no text"),
            _("write the model's story below the closing `---`"),
            code="no-text",
        )
    if len(problems.errors) > errors_before or field_of_work is None or place is None:
        return None
    return Entry(
        slug=path.stem,
        field=field_of_work,
        place=place,
        summary=data.get("summary") or markdown.first_paragraph(tokens),
        body=parsed.source.body,
        source=where.shown,
        person=person,
        images=images,
        body_images=body_images,
        links=links,
        **as_given(data),  # title, kind, unit, year, started, recognised_by, tags…
    )


def load_page(
    path: Path, catalog: ImageCatalog, titles: AcrossEntries, problems: Problems
) -> Page | None:
    parsed = read_markdown(path, problems)
    if parsed is None:
        return None
    _check_slug(path, parsed.where)
    errors_before = len(problems.errors)
    if isinstance(parsed.yaml.value, dict):
        titles.add(parsed.yaml.value.get("title"), parsed.where)
    data = check_mapping(parsed.yaml.value, PAGE_KEYS, (), parsed.where, _("the front matter"))
    if "order" in data:
        check_range(parsed.where, ("order",), data["order"], *PAGE_ORDER)
    tokens = markdown.parse(parsed.source.body)
    body_images = _body_images(parsed.source, tokens, path, catalog, problems)
    links = _body_links(parsed.source, tokens, problems)
    if len(problems.errors) > errors_before:
        return None
    return Page(
        path.stem,
        data["title"],
        data["order"],
        parsed.source.body,
        parsed.where.shown,
        data.get("back", False),
        body_images,
        links,
    )


def _check_slug(path: Path, where: Checked) -> None:
    if not SLUG.match(path.stem):
        where.problems.error(
            where.shown,
            1,
            1,
            _("file name “{name}” is not a slug (it becomes the page's address)").format(
                name=path.name
            ),
            _("rename it to {name}.md").format(name=slugify(path.stem) or "mo-hinh"),
            code="file-name-not-slug",
        )
    elif len(path.stem) > urls.MAX_SLUG:
        where.problems.error(
            where.shown, 1, 1,
            _("the file name is {length} characters long; at most {most}").format(
                length=len(path.stem), most=urls.MAX_SLUG
            ),
            _("rename it to {name}.md: the name is the page's address, printed in the QR "
              "code").format(name=urls.short_slug(path.stem)), code="file-name-too-long",
        )  # fmt: skip


def _check_status(status: str | None, config: BookConfig, where: Checked) -> None:
    """A status is one of the ids of `STATUSES`; a book that keeps statuses needs one in
    every model, so a book never mixes entries that say where they stand and ones that do
    not. A label typed instead of its id (“Đã duyệt”) is named with the id to write."""
    valid = ", ".join(f"`{id}` ({label})" for id, label in STATUSES.items())
    if status is None:
        if config.review.statuses:
            where.error(
                (),
                _("the model has no `status`; this book keeps one for every model"),
                _("add a line `status: de-xuat` (valid: {valid})").format(valid=valid),
                code="missing-status",
            )
        return
    if status in STATUSES:
        return
    meant = slugify(status)
    where.error(
        ("status",),
        _("`status` cannot be “{status}”").format(status=status),
        _("write its id: `status: {id}`").format(id=meant)
        if meant in STATUSES
        else _("valid values: {valid}").format(valid=valid),
        code="unknown-status",
    )


def _person(data: dict[str, Any], where: Checked) -> Person | None:
    if "person" not in data:
        if data.get("kind") == INDIVIDUAL:
            where.error(
                (),
                _("an individual model (`kind: ca-nhan`) needs `person`"),
                _("add `person: {name: …, role: …}`"),
                code="missing-person",
            )
        return None
    person = check_mapping(data["person"], PERSON_KEYS, ("person",), where, "`person`")
    return Person(person["name"], person.get("role", "")) if "name" in person else None


def _field(value: str | None, config: BookConfig, where: Checked) -> FieldOfWork | None:
    if value is None:
        return None
    known = field_named(config.fields, value)
    if known is not None:
        return known
    where.error(
        ("field",),
        _("unknown field “{value}”").format(value=value),
        suggest_value(value, [known.id for known in config.fields]),
        code="unknown-field",
    )
    return None


def _place(data: dict[str, Any], config: BookConfig, where: Checked) -> Place | None:
    name = data.get("district")
    if name is None:
        return None
    district = district_named(config.districts, name)
    if district is None:
        where.error(
            ("district",),
            _("unknown district “{name}”").format(name=name),
            suggest_value(name, [d.name for d in config.districts], always_list=True),
            code="unknown-district",
        )
        return None
    commune_name = data.get("commune")
    if commune_name is None:
        return Place(district)
    commune = commune_named(district, commune_name)
    if commune is not None:
        return Place(district, commune)
    where.error(
        ("commune",),
        _("unknown commune “{commune}” in {district}").format(
            commune=commune_name, district=district.name
        ),
        _("{suggestion}; add new communes to `places` in book.yaml").format(
            suggestion=suggest_value(commune_name, [c.name for c in district.communes])
        ),
        code="unknown-commune",
    )
    return None


def _front_matter_images(
    items: list[Any], path: Path, catalog: ImageCatalog, where: Checked
) -> tuple[Image, ...]:
    images = []
    for index, item in enumerate(items):
        key: Key = ("images", index)
        data = check_mapping(item, IMAGE_KEYS, key, where, _("an image"))
        if "src" not in data:
            continue
        if not data.get("alt"):
            where.error(
                key,
                _("image has no `alt` text"),
                _("add `alt:` describing the picture for readers who cannot see it"),
                code="image-no-alt",
            )
        try:
            found = catalog.find(data["src"], path.parent)
            image = catalog.image(
                found, data.get("alt", ""), data.get("caption", ""), data.get("credit", "")
            )
        except ImageProblem as exc:
            where.error((*key, "src"), exc.message, exc.hint, code=exc.code)
            continue
        images.append(image)
    return tuple(images)


def _body_links(
    source: SourceFile, tokens: list[Token], problems: Problems
) -> tuple[tuple[str, int], ...]:
    """The models the body links to, as (slug, line); an error for any link that is neither
    a web address nor a model (a file of the build machine would become a `file://` link in
    the PDF, and the EPUB would fail its check). Whether the models exist is checked once
    the whole book is loaded."""
    models = []
    lines = source.body.split("\n")
    for link in markdown.body_links(tokens):
        line = source.body_line + link.line
        if markdown.is_web_link(link.href):
            continue
        if slug := markdown.linked_model(link.href):
            models.append((slug, line))
            continue
        typed = unquote(link.href)
        text = lines[link.line] if link.line < len(lines) else ""
        column = text.find("](" + typed) + 3 if ("](" + typed) in text else 1
        problems.error(
            source.path, line, column,
            _("the link “{href}” leads neither to a web page nor to a model of the book").format(
                href=typed
            ),
            _("write a web address (https://…) or another model's file name, like "
              "hien-dat-mo-duong.md"), code="bad-link",
        )  # fmt: skip
    return tuple(models)


def _body_images(
    source: SourceFile, tokens: list[Token], path: Path, catalog: ImageCatalog, problems: Problems
) -> tuple[tuple[str, Image], ...]:
    found: dict[str, Image] = {}
    lines = source.body.split("\n")
    for ref in markdown.body_images(tokens):
        line = source.body_line + ref.line
        text = lines[ref.line] if ref.line < len(lines) else ""
        column = text.find("](" + ref.src) + 3 if ref.src and ("](" + ref.src) in text else 1
        if not ref.alt.strip():
            problems.error(
                source.path,
                line,
                max(text.find("!["), 0) + 1,
                _("image has no alt text"),
                _("describe the picture between the brackets: ![what it shows](…)"),
                code="image-no-alt",
            )
        try:
            image_path = catalog.find(ref.src, path.parent)
            found[ref.src] = catalog.image(image_path, ref.alt)
        except ImageProblem as exc:
            problems.error(source.path, line, column, exc.message, exc.hint, code=exc.code)
    return tuple(found.items())
