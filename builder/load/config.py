"""Loading `book.yaml` into one frozen `BookConfig`, with a problem for every mistake."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from builder.book.isbn import isbn_problem
from builder.book.model import (
    BookConfig,
    Colophon,
    Colours,
    Commune,
    District,
    EpubSettings,
    FieldOfWork,
    PdfSettings,
    PrintColours,
    PrintSettings,
    ReviewSettings,
    Targets,
)
from builder.book.place_names import district_named
from builder.book.settings import (
    BY_KEY,
    PERIOD_SPAN,
    SETTINGS,
    Field,
    checked,
    default,
    retired,
    schema,
)
from builder.book.vietnamese import slugify
from builder.load.checks import invisible
from builder.load.press_profile import profile_problem
from builder.load.schema import Checked, check_mapping, check_range, suggest_value
from builder.load.source import read_text
from builder.load.web_address import address_problem
from builder.load.yaml_source import YamlProblem, parse_yaml
from builder.util.i18n import _
from builder.util.problems import Problems, shown_path

# The schemas of book.yaml's mappings, from its one declaration (builder/book/settings.py).
BOOK_KEYS = schema()
PERIOD_KEYS = schema("period")
FIELD_KEYS = {"id": Field(str, True, "kinh-te"), "name": Field(str, True, '"Kinh tế"')}
DISTRICT_KEYS = {
    "name": Field(str, True, '"huyện Gia Viễn"'),
    "later": Field(str),
    "communes": Field(list),
}
COMMUNE_KEYS = {"name": Field(str, True, '"xã Gia Hưng"'), "now": Field(str)}
COLOPHON_KEYS = schema("colophon")
PDF_KEYS = schema("pdf")
TRIM_KEYS = schema("pdf.trim")
COLOUR_KEYS = schema("pdf.colours")
PRINT_COLOUR_KEYS = schema("pdf.colours_print")
PRINT_KEYS = schema("print")
EPUB_KEYS = schema("epub")
REVIEW_KEYS = schema("review")
WORDS_KEYS = schema("review.words")
TARGET_KEYS = schema("review.targets")


def _check_declared(data: dict[str, Any], group: str, where: Checked) -> dict[str, Any]:
    """`data` (the checked mapping of `group`) without the values out of their declared
    range or choices, each refused with an error at its place."""
    for setting in checked(group):
        if setting.name not in data or setting.type is dict:
            continue
        path, value = tuple(setting.key.split(".")), data[setting.name]
        if setting.choices and value not in setting.choices:
            shown = [str(choice) for choice in setting.choices]
            where.error(
                path,
                _("`{key}` is {value}; it must be {choices}").format(
                    key=setting.key, value=value, choices=_one_of(shown)
                ),
                suggest_value(str(value), shown) if setting.type is str else "",
                code="not-a-choice",
            )
            del data[setting.name]
        elif setting.range and not check_range(where, path, value, *setting.range):
            del data[setting.name]
    return data


def _one_of(choices: list[str]) -> str:
    """`4, 8, 16 or 32`."""
    return _("{some} or {last}").format(some=", ".join(choices[:-1]), last=choices[-1])


def _check_base_url(value: str, where: Checked) -> None:
    """A plain absolute http(s) address of a folder (web_address says what is plain)."""
    problem = address_problem(value)
    if problem is not None:
        where.error(
            ("base_url",),
            _("`base_url` must be the site's web address, like “https://example.org/sach/”"),
            problem,
            code="base-url",
        )
    elif not value.endswith("/"):
        where.error(
            ("base_url",),
            _("`base_url` must end with /"),
            _("write “{value}/”").format(value=value),
            code="base-url",
        )


def load_config(root: Path, problems: Problems) -> BookConfig | None:
    """Read `<root>/book.yaml`; None when it is missing or too broken to use."""
    path = root / "book.yaml"
    shown = shown_path(path)
    if not path.is_file():
        problems.error(
            shown,
            1,
            1,
            _("book.yaml not found"),
            _("every book folder needs a book.yaml; is `{folder}` the right folder?").format(
                folder=root
            ),
            code="no-book-yaml",
        )
        return None
    text = read_text(path, shown, problems)
    if text is None:
        return None
    try:
        located = parse_yaml(text)
    except YamlProblem as exc:
        for each in exc.every:
            problems.error(
                shown, each.position.line, each.position.column, each.message, each.hint,
                code=each.code,
            )  # fmt: skip
        return None
    where = Checked(located, shown, problems)
    errors_before = len(problems.errors)
    invisible.check_front_matter(located, text.split("\n"), shown, problems)
    data = check_mapping(located.value, BOOK_KEYS, (), where, _("book.yaml"))
    _check_declared(data, "", where)
    period = (
        check_mapping(data["period"], PERIOD_KEYS, ("period",), where, "`period`")
        if "period" in data
        else {}
    )
    _check_declared(period, "period", where)
    if {"start", "end"} <= period.keys() and period["start"] > period["end"]:
        where.error(("period",), _("`period` starts after it ends"), code="period")
    elif {"start", "end"} <= period.keys() and period["end"] - period["start"] > PERIOD_SPAN:
        where.error(
            ("period",),
            _("`period` spans {years} years; at most {most}").format(
                years=period["end"] - period["start"], most=PERIOD_SPAN
            ),
            _("a book covers one term, such as 2021 to 2025"),
            code="period",
        )
    if "base_url" in data:
        _check_base_url(data["base_url"], where)
    if data.get("language", "vi") != "vi":
        where.error(
            ("language",),
            _("only Vietnamese books (`language: vi`) are supported"),
            code="not-vietnamese",
        )
    fields = _load_fields(data.get("fields", []), where)
    districts = _load_districts(data.get("places", []), where)
    colophon = check_mapping(
        data.get("colophon", {}), COLOPHON_KEYS, ("colophon",), where, "`colophon`"
    )
    _check_declared(colophon, "colophon", where)
    if colophon.get("isbn"):
        _check_isbn(colophon["isbn"], where)
    for setting in retired():
        if setting.key in data:
            where.warning(
                tuple(setting.key.split(".")),
                _("`{key}` has no effect and is ignored").format(key=setting.key),
                _("remove it from book.yaml"),
                code="retired-key",
            )
    pdf = _load_pdf(data.get("pdf", {}), where)
    printing = _load_print(data.get("print", {}), root, where)
    epub = check_mapping(data.get("epub", {}), EPUB_KEYS, ("epub",), where, "`epub`")
    _check_declared(epub, "epub", where)
    review = _load_review(data.get("review", {}), fields, districts, where)
    if len(problems.errors) > errors_before or not {"title", "base_url"} <= data.keys():
        return None
    base_url = data["base_url"]
    return BookConfig(
        title=data["title"],
        subtitle=data.get("subtitle", ""),
        short_title=data.get("short_title", data["title"]),
        language="vi",
        author=data.get("author", ""),
        description=data.get("description", ""),
        keywords=tuple(str(k) for k in data.get("keywords", [])),
        period=(period.get("start", 0), period.get("end", 0)),
        published=data.get("published"),
        sample=data.get("sample", False),
        base_url=base_url,
        fields=fields,
        districts=districts,
        colophon=Colophon(
            **{k: v for k, v in colophon.items() if k != "editors"},
            editors=tuple(str(e) for e in colophon.get("editors", [])),
        ),
        pdf=pdf,
        print=printing,
        epub=EpubSettings(**epub),
        review=review,
    )


def _load_fields(items: list[Any], where: Checked) -> tuple[FieldOfWork, ...]:
    fields: list[FieldOfWork] = []
    for index, item in enumerate(items):
        data = check_mapping(item, FIELD_KEYS, ("fields", index), where, _("a field"))
        if {"id", "name"} <= data.keys():
            if slugify(data["id"]) != data["id"]:
                where.error(
                    ("fields", index, "id"),
                    _("field id `{id}` is not a slug").format(id=data["id"]),
                    _("use lower-case letters and hyphens, like `{slug}`").format(
                        slug=slugify(data["id"])
                    ),
                    code="field-id-not-slug",
                )
            fields.append(FieldOfWork(data["id"], data["name"]))
    if not fields:
        where.error(("fields",), _("book.yaml lists no fields"), code="no-fields")
    return tuple(fields)


def _load_districts(items: list[Any], where: Checked) -> tuple[District, ...]:
    districts: list[District] = []
    for index, item in enumerate(items):
        path = ("places", index)
        data = check_mapping(item, DISTRICT_KEYS, path, where, _("a place"))
        communes = []
        for number, commune in enumerate(data.get("communes", [])):
            entry = check_mapping(
                commune, COMMUNE_KEYS, (*path, "communes", number), where, _("a commune")
            )
            if "name" in entry:
                communes.append(Commune(entry["name"], entry.get("now", "")))
        if "name" in data:
            districts.append(
                District(
                    data["name"], slugify(data["name"]), data.get("later", ""), tuple(communes)
                )
            )
    if not districts:
        where.error(("places",), _("book.yaml lists no places"), code="no-places")
    return tuple(districts)


def _load_pdf(value: Any, where: Checked) -> PdfSettings:
    data = _check_declared(check_mapping(value, PDF_KEYS, ("pdf",), where, "`pdf`"), "pdf", where)
    trim = (
        check_mapping(data["trim"], TRIM_KEYS, ("pdf", "trim"), where, "`pdf.trim`")
        if "trim" in data
        else {}
    )
    _check_declared(trim, "pdf.trim", where)
    colours = check_mapping(
        data.get("colours", {}), COLOUR_KEYS, ("pdf", "colours"), where, "`pdf.colours`"
    )
    for name, value in colours.items():
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            where.error(
                ("pdf", "colours", name),
                _("colour `{value}` is not like #8e1d1d").format(value=value),
                _("write colours as # and six hexadecimal digits"),
                code="bad-colour",
            )
    return PdfSettings(
        trim.get("width_mm", default("pdf.trim.width_mm")),
        trim.get("height_mm", default("pdf.trim.height_mm")),
        data.get("group_by", default("pdf.group_by")),
        Colours(**colours),
        _load_print_colours(data.get("colours_print", {}), colours, where),
    )


def _load_print_colours(value: Any, screen: dict[str, str], where: Checked) -> PrintColours:
    """CMYK percentages (`"0 95 85 35"`) for the press. A colour set in `pdf.colours`
    without its CMYK has none: the default CMYK belongs to the default RGB colour."""
    path = ("pdf", "colours_print")
    data = check_mapping(value, PRINT_COLOUR_KEYS, path, where, "`pdf.colours_print`")
    colours: dict[str, tuple[float, float, float, float] | None] = {
        name: None for name in screen if name not in data
    }
    for name, text in data.items():
        parts = text.replace(",", " ").split()
        numbers = [float(p) for p in parts if re.fullmatch(r"\d+(\.\d+)?", p)]
        if len(numbers) != 4 or len(parts) != 4 or any(n > 100 for n in numbers):
            where.error(
                (*path, name),
                _("colour `{value}` is not four CMYK percentages").format(value=text),
                _("write cyan, magenta, yellow and black from 0 to 100, like “0 95 85 35”"),
                code="bad-colour",
            )
            continue
        colours[name] = (numbers[0], numbers[1], numbers[2], numbers[3])
    return PrintColours(**colours)


def _check_isbn(isbn: str, where: Checked) -> None:
    problem = isbn_problem(isbn)
    if problem is None:
        return
    kind, detail = problem
    if kind == "form":
        where.error(
            ("colophon", "isbn"),
            _("ISBN `{isbn}` is not an ISBN-13").format(isbn=isbn),
            _("write the 13 digits the publisher assigned, like 978-604-57-1234-5"),
            code="isbn-form",
        )
    else:
        where.error(
            ("colophon", "isbn"),
            _("ISBN `{isbn}` has a wrong check digit").format(isbn=isbn),
            _("its last digit should be {digit}; check the ISBN with the publisher").format(
                digit=detail
            ),
            code="isbn-check-digit",
        )


def _load_print(value: Any, root: Path, where: Checked) -> PrintSettings:
    data = _check_declared(
        check_mapping(value, PRINT_KEYS, ("print",), where, "`print`"), "print", where
    )
    if "profile" in data:
        profile = Path(data["profile"])
        profile = profile if profile.is_absolute() else root / profile
        problem = profile_problem(profile, data["profile"])
        if problem is not None:
            where.error(("print", "profile"), *problem, code="press-profile")
        data["profile"] = profile
    floats = {s.name for s in SETTINGS if s.group == "print" and s.type is float}
    values: dict[str, Any] = {k: float(v) if k in floats else v for k, v in data.items()}
    return PrintSettings(**values)


def _load_review(
    value: Any, fields: tuple[FieldOfWork, ...], districts: tuple[District, ...], where: Checked
) -> ReviewSettings:
    """`review:`: statuses kept or not, the length of a model in words, and the targets of
    the book's plan, per field (by id) and per district (by name, “huyện” may be left out)."""
    data = check_mapping(value, REVIEW_KEYS, ("review",), where, "`review`")
    words = check_mapping(
        data.get("words", {}), WORDS_KEYS, ("review", "words"), where, "`review.words`"
    )
    _check_declared(words, "review.words", where)
    if words.get("max", 0) and words.get("min", 0) > words["max"]:
        where.error(
            ("review", "words"),
            _("`review.words`: `min` is more than `max`"),
            code="min-more-than-max",
        )
    path = ("review", "targets")
    targets = check_mapping(data.get("targets", {}), TARGET_KEYS, path, where, "`review.targets`")
    _check_declared(targets, "review.targets", where)
    by_field = []
    known_fields = {field.id: field for field in fields}
    for name, number in _targets(targets, "fields", where):
        if name not in known_fields:
            where.error(
                (*path, "fields", name),
                _("unknown field “{value}”").format(value=name),
                suggest_value(name, list(known_fields)),
                key=True,
                code="unknown-field",
            )
        else:
            by_field.append((name, number))
    by_district = []
    for name, number in _targets(targets, "districts", where):
        district = district_named(districts, name)
        if district is None:
            where.error(
                (*path, "districts", name),
                _("unknown district “{name}”").format(name=name),
                suggest_value(name, [d.name for d in districts], always_list=True),
                key=True,
                code="unknown-district",
            )
        else:
            by_district.append((district.slug, number))
    return ReviewSettings(
        statuses=data.get("statuses", default("review.statuses")),
        words_min=words.get("min", default("review.words.min")),
        words_max=words.get("max", default("review.words.max")),
        targets=Targets(
            targets.get("total", default("review.targets.total")),
            tuple(by_field),
            tuple(by_district),
        ),
    )


def _targets(targets: dict[str, Any], key: str, where: Checked) -> list[tuple[str, int]]:
    """The `name: number` pairs of `review.targets.<key>` whose number is a count."""
    pairs = []
    for name, number in targets.get(key, {}).items():
        at = ("review", "targets", key, name)
        if not isinstance(number, int) or isinstance(number, bool):
            where.error(
                at,
                _("`{key}` must be a whole number").format(key=".".join(map(str, at))),
                code="wrong-type",
            )
        elif check_range(where, at, number, *(BY_KEY[f"review.targets.{key}"].range or ())):
            pairs.append((str(name), number))
    return pairs
