"""Loading `book.yaml` into one frozen `BookConfig`, with a problem for every mistake."""

from __future__ import annotations

import datetime
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
from builder.book.vietnamese import slugify
from builder.load.checks import invisible
from builder.load.press_profile import profile_problem
from builder.load.schema import Checked, Field, check_mapping, check_range, suggest_value
from builder.load.source import read_text
from builder.load.web_address import address_problem
from builder.load.yaml_source import YamlProblem, parse_yaml
from builder.util.i18n import _
from builder.util.problems import Problems, shown_path

BOOK_KEYS = {
    "title": Field(str, required=True, example='"100 mô hình “Dân vận khéo”"'),
    "subtitle": Field(str),
    "short_title": Field(str),
    "language": Field(str, required=True, example="vi"),
    "author": Field(str),
    "description": Field(str),
    "keywords": Field(list),
    "period": Field(dict, required=True, example="{start: 2021, end: 2025}"),
    "published": Field(datetime.date, example="2025-12-01"),
    "sample": Field(bool),
    "base_url": Field(str, required=True, example='"https://example.org/sach/"'),
    "colophon": Field(dict),
    "fields": Field(list, required=True),
    "places": Field(list, required=True),
    "site": Field(dict),
    "pdf": Field(dict),
    "print": Field(dict),
    "epub": Field(dict),
    "review": Field(dict, example="{statuses: true, targets: {total: 100}}"),
}
PERIOD_KEYS = {"start": Field(int, True, "2021"), "end": Field(int, True, "2025")}
FIELD_KEYS = {"id": Field(str, True, "kinh-te"), "name": Field(str, True, '"Kinh tế"')}
DISTRICT_KEYS = {
    "name": Field(str, True, '"huyện Gia Viễn"'),
    "later": Field(str),
    "communes": Field(list),
}
COMMUNE_KEYS = {"name": Field(str, True, '"xã Gia Hưng"'), "now": Field(str)}
COLOPHON_KEYS = {
    "publisher": Field(str),
    "responsible_publisher": Field(str),
    "editors": Field(list),
    "print_run": Field(int, example="1000"),
    "size": Field(str),
    "printer": Field(str),
    "registration_number": Field(str),
    "decision_number": Field(str),
    "isbn": Field(str),
    "licence": Field(str),
}
SITE_KEYS = {"models_per_page": Field(int)}
PDF_KEYS = {
    "trim": Field(dict),
    "group_by": Field(str, example="field"),
    "colours": Field(dict, example='{cover_background: "#8e1d1d"}'),
    "colours_print": Field(dict, example='{cover_background: "0 95 85 35"}'),
}
COLOUR_KEYS = {name: Field(str, example='"#8e1d1d"') for name in Colours.__dataclass_fields__}
PRINT_COLOUR_KEYS = {name: Field(str, example='"0 95 85 35"') for name in COLOUR_KEYS}
PRINT_KEYS = {
    "signature": Field(int, example="16"),
    "paper_caliper_mm": Field(float, example="0.1"),
    "cover_bleed_mm": Field(float, example="5"),
    "spine_text_min_mm": Field(float, example="6"),
    "max_ink": Field(int, example="300"),
    "profile": Field(str, example='"in/ISOcoated_v2_300_eci.icc"'),
    "back_cover_text": Field(str),
    "price": Field(str, example='"45.000 đồng"'),
}
REVIEW_KEYS = {
    "statuses": Field(bool, example="true"),
    "words": Field(dict, example="{min: 600, max: 1500}"),
    "targets": Field(dict, example="{total: 100}"),
}
WORDS_KEYS = {"min": Field(int, example="600"), "max": Field(int, example="1500")}
TARGET_KEYS = {
    "total": Field(int, example="100"),
    "fields": Field(dict, example="{kinh-te: 25}"),
    "districts": Field(dict, example='{"huyện Gia Viễn": 10}'),
}
MAX_TARGET = 10_000
TRIM_KEYS = {"width_mm": Field(int, True, "145"), "height_mm": Field(int, True, "205")}
EPUB_KEYS = {"max_image_px": Field(int, example="1600")}


# Sane ranges (README, Limits): past them a build takes minutes and gigabytes, or breaks.
YEARS = (1945, 2100)
MAX_PERIOD_YEARS = 25
TRIM_WIDTH_MM = (90, 300)  # from A6 to A3
TRIM_HEIGHT_MM = (120, 420)
EPUB_IMAGE_PX = (320, 4000)
PRINT_RUN = (1, 10_000_000)  # copies
PER_PAGE = (0, 1000)  # models on one list page of the site; 0: all on one
SIGNATURES = (4, 8, 16, 32)  # pages per folded sheet the printing houses fold
PRINT_RANGES: dict[str, tuple[float, float]] = {
    "paper_caliper_mm": (0.04, 0.3),  # thin bible paper to thick uncoated board
    "cover_bleed_mm": (3, 10),
    "spine_text_min_mm": (3, 30),
    "max_ink": (200, 400),
}


def _check_base_url(value: str, where: Checked) -> None:
    """A plain absolute http(s) address of a folder (web_address says what is plain)."""
    problem = address_problem(value)
    if problem is not None:
        where.error(
            ("base_url",),
            _("`base_url` must be the site's web address, like “https://example.org/sach/”"),
            problem,
        )
    elif not value.endswith("/"):
        where.error(
            ("base_url",),
            _("`base_url` must end with /"),
            _("write “{value}/”").format(value=value),
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
    period = (
        check_mapping(data["period"], PERIOD_KEYS, ("period",), where, "`period`")
        if "period" in data
        else {}
    )
    in_range = [check_range(where, ("period", key), period[key], *YEARS) for key in period]
    if {"start", "end"} <= period.keys() and period["start"] > period["end"]:
        where.error(("period",), _("`period` starts after it ends"))
    elif (
        len(in_range) == 2 and all(in_range) and period["end"] - period["start"] > MAX_PERIOD_YEARS
    ):
        where.error(
            ("period",),
            _("`period` spans {years} years; at most {most}").format(
                years=period["end"] - period["start"], most=MAX_PERIOD_YEARS
            ),
            _("a book covers one term, such as 2021 to 2025"),
        )
    if "published" in data:
        first, last = datetime.date(YEARS[0], 1, 1), datetime.date(YEARS[1], 12, 31)
        check_range(where, ("published",), data["published"], first, last)
    if "base_url" in data:
        _check_base_url(data["base_url"], where)
    if data.get("language", "vi") != "vi":
        where.error(("language",), _("only Vietnamese books (`language: vi`) are supported"))
    fields = _load_fields(data.get("fields", []), where)
    districts = _load_districts(data.get("places", []), where)
    colophon = check_mapping(
        data.get("colophon", {}), COLOPHON_KEYS, ("colophon",), where, "`colophon`"
    )
    if colophon.get("isbn"):
        _check_isbn(colophon["isbn"], where)
    if "print_run" in colophon:
        check_range(where, ("colophon", "print_run"), colophon["print_run"], *PRINT_RUN)
    site = check_mapping(data.get("site", {}), SITE_KEYS, ("site",), where, "`site`")
    if "models_per_page" in site:
        check_range(where, ("site", "models_per_page"), site["models_per_page"], *PER_PAGE)
    pdf = _load_pdf(data.get("pdf", {}), where)
    printing = _load_print(data.get("print", {}), root, where)
    epub = check_mapping(data.get("epub", {}), EPUB_KEYS, ("epub",), where, "`epub`")
    if "max_image_px" in epub:
        check_range(where, ("epub", "max_image_px"), epub["max_image_px"], *EPUB_IMAGE_PX)
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
                )
            fields.append(FieldOfWork(data["id"], data["name"]))
    if not fields:
        where.error(("fields",), _("book.yaml lists no fields"))
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
        where.error(("places",), _("book.yaml lists no places"))
    return tuple(districts)


def _load_pdf(value: Any, where: Checked) -> PdfSettings:
    data = check_mapping(value, PDF_KEYS, ("pdf",), where, "`pdf`")
    trim = check_mapping(
        data.get("trim", {"width_mm": 145, "height_mm": 205}),
        TRIM_KEYS,
        ("pdf", "trim"),
        where,
        "`pdf.trim`",
    )
    check_range(where, ("pdf", "trim", "width_mm"), trim.get("width_mm", 145), *TRIM_WIDTH_MM)
    check_range(where, ("pdf", "trim", "height_mm"), trim.get("height_mm", 205), *TRIM_HEIGHT_MM)
    group_by = data.get("group_by", "field")
    if group_by not in ("field", "district", "year"):
        where.error(
            ("pdf", "group_by"),
            _("`group_by` cannot be `{value}`").format(value=group_by),
            _("use field, district or year"),
        )
        group_by = "field"
    colours = check_mapping(
        data.get("colours", {}), COLOUR_KEYS, ("pdf", "colours"), where, "`pdf.colours`"
    )
    for name, value in colours.items():
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            where.error(
                ("pdf", "colours", name),
                _("colour `{value}` is not like #8e1d1d").format(value=value),
                _("write colours as # and six hexadecimal digits"),
            )
    return PdfSettings(
        trim.get("width_mm", 145),
        trim.get("height_mm", 205),
        group_by,
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
        )
    else:
        where.error(
            ("colophon", "isbn"),
            _("ISBN `{isbn}` has a wrong check digit").format(isbn=isbn),
            _("its last digit should be {digit}; check the ISBN with the publisher").format(
                digit=detail
            ),
        )


def _load_print(value: Any, root: Path, where: Checked) -> PrintSettings:
    data = check_mapping(value, PRINT_KEYS, ("print",), where, "`print`")
    if "signature" in data and data["signature"] not in SIGNATURES:
        where.error(
            ("print", "signature"),
            _("`print.signature` is {value}; it must be 4, 8, 16 or 32").format(
                value=data["signature"]
            ),
        )
        del data["signature"]
    for key, (low, high) in PRINT_RANGES.items():
        if key in data and not check_range(where, ("print", key), data[key], low, high):
            del data[key]
    if "profile" in data:
        profile = Path(data["profile"])
        profile = profile if profile.is_absolute() else root / profile
        problem = profile_problem(profile, data["profile"])
        if problem is not None:
            where.error(("print", "profile"), *problem)
        data["profile"] = profile
    floats = ("paper_caliper_mm", "cover_bleed_mm", "spine_text_min_mm")
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
    for key, number in words.items():
        check_range(where, ("review", "words", key), number, 0, 100_000)
    if words.get("max", 0) and words.get("min", 0) > words["max"]:
        where.error(("review", "words"), _("`review.words`: `min` is more than `max`"))
    path = ("review", "targets")
    targets = check_mapping(data.get("targets", {}), TARGET_KEYS, path, where, "`review.targets`")
    if "total" in targets:
        check_range(where, (*path, "total"), targets["total"], 0, MAX_TARGET)
    by_field = []
    known_fields = {field.id: field for field in fields}
    for name, number in _targets(targets, "fields", where):
        if name not in known_fields:
            where.error(
                (*path, "fields", name),
                _("unknown field “{value}”").format(value=name),
                suggest_value(name, list(known_fields)),
                key=True,
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
            )
        else:
            by_district.append((district.slug, number))
    return ReviewSettings(
        statuses=data.get("statuses", False),
        words_min=words.get("min", 0),
        words_max=words.get("max", 0),
        targets=Targets(targets.get("total", 0), tuple(by_field), tuple(by_district)),
    )


def _targets(targets: dict[str, Any], key: str, where: Checked) -> list[tuple[str, int]]:
    """The `name: number` pairs of `review.targets.<key>` whose number is a count."""
    pairs = []
    for name, number in targets.get(key, {}).items():
        at = ("review", "targets", key, name)
        if not isinstance(number, int) or isinstance(number, bool):
            where.error(at, _("`{key}` must be a whole number").format(key=".".join(map(str, at))))
        elif check_range(where, at, number, 0, MAX_TARGET):
            pairs.append((str(name), number))
    return pairs
