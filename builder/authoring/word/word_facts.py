"""The facts of an imported Word document: only what its labelled lines state.

A district writes “Địa bàn: xã Khánh Nhạc, huyện Yên Khánh” or a two-column table of the same;
the label decides the fact, and a place is matched on its whole name against book.yaml's
`places`. What no labelled line states stays TODO: running text may offer a guess, which the
import writes as a YAML comment beside the TODO, never as the value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from builder.book.model import COLLECTIVE, INDIVIDUAL, BookConfig, Commune, District
from builder.book.vietnamese import bare_place_name, fold, slugify

# Labels as editors type them, folded (no marks, lower case, single spaces, no spaces
# around “/”), and the fact each states.
LABELS = {
    "ten mo hinh": "title", "ten mo hinh dan van kheo": "title",
    "don vi": "unit", "don vi thuc hien": "unit", "don vi ap dung": "unit",
    "tap the thuc hien": "unit", "co quan, don vi": "unit",
    "dia ban": "place", "dia ban thuc hien": "place", "dia diem": "place",
    "dia ban ap dung": "place",
    "xa": "commune", "phuong": "commune", "thi tran": "commune", "xa/phuong": "commune",
    "xa/phuong/thi tran": "commune", "xa/thi tran": "commune", "phuong/xa": "commune",
    "huyen": "district", "thanh pho": "district", "thi xa": "district",
    "huyen/thanh pho": "district", "huyen/thi xa/thanh pho": "district",
    "huyen/thanh pho/thi xa": "district", "huyen/thi xa": "district",
    "linh vuc": "field", "linh vuc thuc hien": "field",
    "nam cong nhan": "year", "nam duoc cong nhan": "year", "nam": "year",
    "bat dau tu nam": "started", "nam bat dau": "started", "bat dau thuc hien tu nam": "started",
    "thoi gian bat dau": "started", "bat dau": "started",
    "co quan cong nhan": "recognised_by", "cong nhan boi": "recognised_by",
    "cap cong nhan": "recognised_by", "don vi cong nhan": "recognised_by",
    "nguoi thuc hien": "person", "ho va ten": "person", "ho ten": "person",
    "ca nhan": "person", "chuc vu": "role",
}  # fmt: skip
_NUMBERING = re.compile(r"^\s*(?:[-–•+*]|\d{1,2}[.)]|[a-zđ][.)])\s*", re.IGNORECASE)
_DISTRICT_PREFIXES = ("huyện", "thành phố", "thị xã", "quận")
_COMMUNE_PREFIXES = ("xã", "phường", "thị trấn")


@dataclass(frozen=True, slots=True)
class Fact:
    """A labelled line: the fact it states, its value, and the line as the document has it."""

    key: str
    value: str
    line: str
    label: str


@dataclass(slots=True)
class Facts:
    """What the front matter gets, what was found where, and what is left to fill in."""

    values: dict[str, Any] = field(default_factory=dict)
    found: list[tuple[str, str, str]] = field(default_factory=list)  # key, value, line
    todo: list[str] = field(default_factory=list)
    guesses: dict[str, str] = field(default_factory=dict)  # key: a YAML comment
    unclear: list[Fact] = field(default_factory=list)  # labelled, but not understood
    used: list[Fact] = field(default_factory=list)  # lines the front matter now holds whole


def normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def label_key(label: str) -> str | None:
    folded = fold(normal(_NUMBERING.sub("", label)))
    folded = re.sub(r"\s*/\s*", "/", folded).strip(" *():")
    return LABELS.get(folded)


def labelled(text: str) -> Fact | None:
    """“Đơn vị thực hiện: Chi bộ thôn Đông” as a fact; None for any other line."""
    line = normal(text)
    label, colon, value = line.partition(":")
    if not colon or len(label) > 40:
        return None
    key = label_key(label)
    value = value.strip().strip(".;").strip()
    if key is None or not value:
        return None
    return Fact(key, value, line, label.strip())


def take_facts(root: HtmlElement) -> list[Fact]:
    """The labelled lines of the document (paragraphs, and tables of two columns whose rows
    are label and value), taken out of it: the front matter holds them from now on."""
    facts: list[Fact] = []
    for element in list(root):
        if element.tag == "p":
            lines = _lines(element)
            found = [labelled(line) for line in lines]
            if found and all(found):
                facts.extend(fact for fact in found if fact)
                root.remove(element)
        elif element.tag == "table":
            rows = [[normal(c.text_content()) for c in row.xpath("./td|./th")]
                    for row in element.iter("tr")]  # fmt: skip
            pairs = [row for row in rows if any(row)]
            if pairs and all(len(row) == 2 and label_key(row[0]) for row in pairs):
                for label, value in pairs:
                    fact = labelled(f"{label.rstrip(':')}: {value}")
                    if fact:
                        facts.append(Fact(fact.key, fact.value, f"{label} | {value}", label))
                root.remove(element)
    return facts


def _lines(element: HtmlElement) -> list[str]:
    """A paragraph's lines: Word's line breaks (<br>) separate them."""
    parts = [element.text or ""]
    for child in element.iter():
        if child is element:
            continue
        if child.tag == "br":
            parts.append("\n")
        elif child.text and child.tag not in ("sup",):
            parts.append(child.text)
        parts.append(child.tail or "")
    return [line for line in "".join(parts).split("\n") if line.strip()]


def front_matter(facts: list[Fact], config: BookConfig, text: str) -> Facts:
    """The front matter's values from the labelled facts; TODO for what none states."""
    result = Facts()
    given: dict[str, Fact] = {}
    for fact in facts:
        given.setdefault(fact.key, fact)  # the first line wins, as a reader reads it
    _unit_and_people(given, result)
    _place(given, config, result)
    _years(given, config, result)
    wanted = given.get("field")
    chosen = None
    if wanted:
        chosen = next((f for f in config.fields
                       if slugify(wanted.value) in (slugify(f.name), f.id)), None)  # fmt: skip
        _record(result, wanted, "field", chosen.name if chosen else None)
    result.values["field"] = chosen.name if chosen else "TODO"  # the name, as the book has it
    result.values.setdefault("kind", COLLECTIVE)
    for key in ("unit", "field", "district", "year"):
        if result.values.get(key) in (None, "", "TODO"):
            result.todo.append(key)
            result.values[key] = "TODO"
    _guess(text, config, result)
    return result


def _record(result: Facts, fact: Fact, key: str, value: object) -> None:
    if value in (None, ""):
        result.unclear.append(fact)
        return
    result.found.append((key, str(value), fact.line))
    shown = " ".join(str(v) for v in result.values.values() if isinstance(v, str | int))
    if set(_words(fact.value)) <= set(_words(shown + " " + str(value))):
        result.used.append(fact)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", normal(text).casefold())


def _unit_and_people(given: dict[str, Fact], result: Facts) -> None:
    for key in ("title", "unit", "recognised_by"):
        if key in given:
            result.values[key] = given[key].value
            _record(result, given[key], key, given[key].value)
    if "person" in given:
        person = {"name": given["person"].value}
        if "role" in given:
            person["role"] = given["role"].value
        result.values["person"] = person
        result.values["kind"] = INDIVIDUAL
        _record(result, given["person"], "person.name", person["name"])
        if "role" in given:
            _record(result, given["role"], "person.role", person["role"])


def _years(given: dict[str, Fact], config: BookConfig, result: Facts) -> None:
    start, end = config.period
    for key, lowest in (("year", start), ("started", 1945)):
        if key not in given:
            continue
        years = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", given[key].value)}
        value = years.pop() if len(years) == 1 else None
        if value is not None and not lowest <= value <= end:
            value = None
        if value is not None:
            result.values[key] = value
        _record(result, given[key], key, value)


def _place(given: dict[str, Fact], config: BookConfig, result: Facts) -> None:
    districts: list[District] = []
    communes: list[tuple[District, Commune]] = []
    for key in ("place", "district", "commune"):
        if key not in given:
            continue
        prefixes = {"district": _DISTRICT_PREFIXES, "commune": _COMMUNE_PREFIXES}.get(key, ())
        found_d, found_c = places_named(given[key].value, config, prefixes)
        districts += [d for d in found_d if d not in districts]
        communes += [c for c in found_c if c not in communes]
    district: District | None = None
    commune: Commune | None = None
    in_districts = [c for c in communes if not districts or c[0] in districts]
    if len({c for _d, c in in_districts}) == 1:
        district, commune = in_districts[0]
    elif districts and not communes:
        district = districts[0]  # addresses go from small to large: the district comes first
    elif districts and len(in_districts) == 0:
        district = districts[0]  # the commune is not one of this district's: left out
    for key in ("place", "district", "commune"):
        if key in given:
            shown = ", ".join(p.name for p in (commune, district) if p) if key == "place" else (
                (district.name if district else "") if key == "district"
                else (commune.name if commune else ""))  # fmt: skip
            _record(result, given[key], key, shown or None)
    result.values["district"] = district.name if district else "TODO"
    if commune:
        result.values["commune"] = commune.name


def places_named(
    value: str, config: BookConfig, prefixes: tuple[str, ...] = ()
) -> tuple[list[District], list[tuple[District, Commune]]]:
    """The districts and communes `value` names by their whole name (“huyện Yên Khánh”), or
    a part of it names alone (“Yên Khánh”); “tỉnh Ninh Bình” is no “thành phố Ninh Bình”."""
    districts: list[District] = []
    communes: list[tuple[District, Commune]] = []
    for part in re.split(r"\s*[,;–]\s*|\s+-\s+", normal(value).casefold().strip(". ")):
        if not part or part.startswith("tỉnh "):
            continue
        candidates = [part, *(f"{prefix} {part}" for prefix in prefixes)]
        for district in config.districts:
            if _names(district.name, part, candidates) and district not in districts:
                districts.append(district)
            for commune in district.communes:
                if _names(commune.name, part, candidates):
                    communes.append((district, commune))
    return districts, communes


def _names(name: str, part: str, candidates: list[str]) -> bool:
    whole = normal(name).casefold()
    if _whole(whole, part):
        return True
    return part == bare_place_name(whole) or any(c == whole for c in candidates)


def _whole(name: str, text: str) -> bool:
    """Whether `text` holds `name` as whole words: “camera” holds no “thị trấn Me”."""
    return bool(re.search(rf"(?<!\w){re.escape(normal(name).casefold())}(?!\w)", text))


def _guess(text: str, config: BookConfig, result: Facts) -> None:
    """Running text's hints for facts no line states: a comment beside the TODO."""
    folded = normal(text).casefold()
    if result.values.get("district") == "TODO":
        named = [d.name for d in config.districts if _whole(d.name, folded)]
        if named:
            result.guesses["district"] = "văn bản có nhắc: " + ", ".join(named)
    if result.values.get("year") == "TODO":
        start, end = config.period
        near = re.findall(r"công nhận[^.\n]{0,80}?(?<!\d)(20\d\d)(?!\d)", folded)
        near += re.findall(r"(?<![\d–-])(20\d\d)(?![\d–-])[^.\n\d]{0,30}công nhận", folded)
        years = sorted({int(y) for y in near if start <= int(y) <= end})
        if years:
            result.guesses["year"] = "văn bản có nhắc “công nhận … " + ", ".join(
                str(y) for y in years) + "”"  # fmt: skip
