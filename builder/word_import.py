"""`builder import`: Word documents (.docx) into model files, through mammoth's HTML.

Headings become sections, tables Markdown tables, footnotes Markdown footnotes; pictures are
saved in the book's images/ folder. Facts the document states as “Đơn vị: …”, “Địa bàn: …”,
“Năm công nhận: …” (or that can be found: a district's name, a year in the period) fill the
front matter; the rest is left as TODO, which `builder check` reports.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import html
from lxml.html import HtmlElement

from builder.i18n import _
from builder.model import BookConfig
from builder.new_entry import entry_text, free_path
from builder.vietnamese import bare_place_name, slugify

LABELS = {
    "đơn vị": "unit", "đơn vị thực hiện": "unit", "địa bàn": "place", "địa điểm": "place",
    "năm công nhận": "year", "năm": "year", "lĩnh vực": "field",
    "cơ quan công nhận": "recognised_by", "công nhận bởi": "recognised_by",
}  # fmt: skip
TODO_ALT = "TODO: mô tả bức ảnh cho người không nhìn thấy"


@dataclass(slots=True)
class Imported:
    path: Path
    todo: list[str] = field(default_factory=list)


def import_docx(document: Path, content: Path, config: BookConfig) -> Imported:
    import mammoth

    pictures: list[tuple[str, bytes]] = []
    folder = content / "images"

    def save_picture(image: Any) -> dict[str, str]:
        with image.open() as stream:
            data = stream.read()
        extension = {"image/png": ".png", "image/gif": ".gif"}.get(image.content_type, ".jpg")
        taken = {name for name, _data in pictures}
        name = _free_picture_name(folder, slugify(document.stem) or "anh", extension, taken)
        pictures.append((name, data))
        return {"src": f"../images/{name}", "alt": image.alt_text or TODO_ALT}

    _check_unpacked_size(document)
    with document.open("rb") as stream:
        result = mammoth.convert_to_html(
            stream, convert_image=mammoth.images.img_element(save_picture)
        )
    root = html.fragment_fromstring(result.value or "<p></p>", create_parent="div")
    title = _take_title(root) or document.stem
    facts = _take_facts(root)
    body = _markdown(root).strip() + "\n"
    for name, data in pictures:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / name).open("xb") as picture:  # never over a picture already there
            picture.write(data)
    values, todo = _front_matter(facts, f"{title}\n{body}", config)
    path = free_path(content / "models", title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(entry_text(config, title, body=body, **values), encoding="utf-8")
    if TODO_ALT in body:
        todo.append(_("alt text of the pictures"))
    return Imported(path, todo)


# A district's write-up with a dozen photos unpacks to a few MB; a .docx can be built to
# unpack to gigabytes (a “zip bomb”), which would take minutes and all the memory.
MAX_UNPACKED_MB = 200


def _check_unpacked_size(document: Path) -> None:
    try:
        with zipfile.ZipFile(document) as archive:
            size = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # mammoth names what is wrong with it
    if size > MAX_UNPACKED_MB * 1_000_000:
        raise ValueError(
            _("it unpacks to {megabytes} MB; documents of up to {most} MB are supported").format(
                megabytes=size // 1_000_000, most=MAX_UNPACKED_MB
            )
        )


def _free_picture_name(folder: Path, stem: str, extension: str, taken: set[str]) -> str:
    """`stem-N.ext` with the first N that no picture of the book nor of this document has:
    two districts' `bao-cao.docx` must not share pictures."""
    number = len(taken) + 1
    while (name := f"{stem}-{number}{extension}") in taken or (folder / name).exists():
        number += 1
    return name


def _take_title(root: HtmlElement) -> str:
    for element in root:
        text = " ".join(element.text_content().split())
        if text:
            if element.tag in ("h1", "h2", "p"):
                root.remove(element)
                return text
            break
    return ""


def _take_facts(root: HtmlElement) -> dict[str, str]:
    facts: dict[str, str] = {}
    for element in list(root)[:12]:
        if element.tag != "p":
            continue
        label, colon, value = element.text_content().partition(":")
        key = LABELS.get(" ".join(label.split()).casefold())
        if colon and key and value.strip():
            facts[key] = " ".join(value.split())
            root.remove(element)
    return facts


def _front_matter(
    facts: dict[str, str], body: str, config: BookConfig
) -> tuple[dict[str, Any], list[str]]:
    todo = []
    place = facts.get("place", "") + " " + body[:2000]
    district = next((d for d in config.districts if bare_place_name(d.name) in place.casefold()),
                    None)  # fmt: skip
    commune = None
    for candidate in [district] if district else config.districts:
        commune = next((c for c in candidate.communes
                        if bare_place_name(c.name) in place.casefold()), None)  # fmt: skip
        if commune:
            district = candidate
            break
    start, end = config.period
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", facts.get("year", "") + " " + body)
             if start <= int(y) <= end]  # fmt: skip
    wanted_field = facts.get("field", "").casefold()
    field_of_work = next(
        (f for f in config.fields
         if wanted_field and (wanted_field in f.name.casefold() or wanted_field == f.id)),
        None,
    )  # fmt: skip
    values: dict[str, Any] = {
        "kind": "tap-the",
        "unit": facts.get("unit", ""),
        "field": field_of_work.id if field_of_work else "TODO",
        "district": district.name if district else "TODO",
        "commune": commune.name if commune else "",
        "year": years[0] if years else "TODO",
        "recognised_by": facts.get("recognised_by", ""),
    }
    for key, label in (("unit", "unit"), ("field", "field"), ("district", "district"),
                       ("year", "year"), ("recognised_by", "recognised_by")):  # fmt: skip
        if values[key] in ("", "TODO"):
            todo.append(label)
    return values, todo


def _markdown(root: HtmlElement) -> str:
    """The subset of HTML mammoth writes, as Markdown."""
    notes: list[str] = []
    blocks = []
    for element in root:
        if element.tag == "ol" and all(li.get("id", "").startswith("footnote-") for li in element):
            for number, item in enumerate(element, start=1):
                for back in item.xpath(".//a[starts-with(@href,'#footnote-ref')]"):
                    back.drop_tree()
                notes.append(f"[^{number}]: {_inline(item).strip()}")
            continue
        blocks.append(_block(element))
    return "\n\n".join(block for block in blocks if block.strip()) + (
        "\n\n" + "\n".join(notes) if notes else ""
    )


def _block(element: HtmlElement) -> str:
    tag = element.tag
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        level = max(2, min(int(tag[1]) + 1, 4))
        return "#" * level + " " + _inline(element).strip()
    if tag in ("ul", "ol"):
        return "\n".join(
            ("- " if tag == "ul" else f"{number}. ") + _inline(item).strip()
            for number, item in enumerate(element.findall("li"), start=1)
        )
    if tag == "table":
        rows = [[" ".join(_inline(cell).split()).replace("|", "\\|") for cell in row]
                for row in element.iter("tr")]  # fmt: skip
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)
    return _inline(element).strip()


def _inline(element: HtmlElement) -> str:
    parts = [_escape(element.text or "")]
    for child in element:
        inner = _inline(child)
        if child.tag in ("strong", "b"):
            parts.append(f"**{inner.strip()}**" if inner.strip() else inner)
        elif child.tag in ("em", "i"):
            parts.append(f"*{inner.strip()}*" if inner.strip() else inner)
        elif child.tag == "img":
            parts.append(f"![{child.get('alt', '')}]({child.get('src', '')})")
        elif (
            child.tag == "sup"
            and child.find("a") is not None
            and "footnote" in (child.find("a").get("href") or "")
        ):
            number = re.sub(r"\D", "", child.find("a").get("href", "")) or "1"
            parts.append(f"[^{number}]")
        elif child.tag == "a" and (address := _web_address(child.get("href", ""))):
            parts.append(f"[{inner}]({address})")
        elif child.tag == "br":
            parts.append("  \n")
        else:
            parts.append(inner)
        parts.append(_escape(child.tail or ""))
    return "".join(parts)


def _web_address(href: str) -> str:
    """A Word hyperlink as a Markdown link destination: web and mail addresses only, with
    spaces, line breaks, brackets and quotes percent-encoded so they cannot end the link."""
    href = href.strip()
    if not re.match(r"(?i)(https?://|mailto:)", href):
        return ""
    return quote(href, safe=":/?#[]@!$&'*+,;=%~-._")


def _escape(text: str) -> str:
    """Characters Markdown would read as markup, written as text."""
    return re.sub(r"([\\*_`\[\]<>])", r"\\\1", text)
