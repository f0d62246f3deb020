"""Warnings about an entry that is valid but not ready: HTML shown as typed, TODO left,
pictures too small for print."""

from __future__ import annotations

import math
import re
from typing import Any

from builder.book.model import BookConfig, Image
from builder.load.images import PRINT_DPI, placed_width_mm, print_resolution
from builder.load.schema import Parsed
from builder.load.source import SourceFile, body_lines
from builder.load.yaml_source import Key
from builder.util.i18n import _
from builder.util.problems import Problems

RAW_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
TODO_ALT = re.compile(r"!\[\s*TODO")  # a picture whose alt text is still the placeholder
UNSAFE_LINK = re.compile(r"\]\(\s*(javascript|vbscript|data|file):", re.IGNORECASE)


def warn_raw_html(source: SourceFile, problems: Problems) -> None:
    """HTML and script links in the text are shown as typed, never run: say so."""
    for number, line, in_code in body_lines(source.body):
        if in_code:
            continue
        where = source.body_line + number
        if match := RAW_HTML.search(line):
            problems.warning(
                source.path,
                where,
                match.start() + 1,
                _("HTML `{tag}` will be shown as typed, not used").format(tag=match.group(0)[:40]),
                _("write Markdown instead: **bold**, *italic*, ![picture](…)"),
                code="raw-html",
            )
        if match := UNSAFE_LINK.search(line):
            problems.warning(
                source.path,
                where,
                match.start() + 3,
                _("a `{scheme}:` link is not allowed and is shown as text").format(
                    scheme=match.group(1)
                ),
                _("link to a web address (https://…) or to another page of the book"),
                code="unsafe-link",
            )


def warn_todo(parsed: Parsed) -> None:
    """Placeholders left by `builder new` or `builder import`: the book is not ready. A fact
    whose TODO is already an error (`year: TODO` is no year) is not named twice."""
    problems = parsed.where.problems
    erring = {(p.line, p.column) for p in problems.items
              if p.severity == "error" and p.path == parsed.where.shown}  # fmt: skip
    for path, position in parsed.yaml.values.items():
        value: Any = parsed.yaml.value
        for key in path:
            value = value[key]
        if (position.line, position.column) in erring:
            continue
        if isinstance(value, str) and value.strip().startswith("TODO"):
            dotted = ".".join(str(k) for k in path)
            parsed.where.problems.warning(
                parsed.where.shown, position.line, position.column,
                _("`{key}` still says TODO").format(key=dotted), _("fill it in or remove it"),
                code="todo",
            )  # fmt: skip
    for number, line in enumerate(parsed.source.body.split("\n")):
        where = parsed.source.body_line + number
        for alt in TODO_ALT.finditer(line):
            parsed.where.problems.warning(
                parsed.where.shown, where, alt.start() + 1,
                _("a picture's alt text still says TODO"),
                _("describe the picture between the brackets: ![what it shows](…)"), code="todo",
            )  # fmt: skip
        if line.strip().startswith("TODO") or TODO_ALT.sub("", line).find("TODO:") >= 0:
            parsed.where.problems.warning(
                parsed.where.shown, where, TODO_ALT.sub("", line).find("TODO") + 1,
                _("the text still says TODO"), _("write this part of the model's story"),
                code="todo",
            )  # fmt: skip


def warn_low_resolution(
    images: tuple[Image, ...],
    body_images: tuple[tuple[str, Image], ...],
    config: BookConfig,
    parsed: Parsed,
) -> None:
    trim = config.pdf.trim_width_mm
    placed: list[tuple[Key, Image]] = [
        (("images", n, "src"), image) for n, image in enumerate(images)
    ]
    lines = parsed.source.body.split("\n")
    for src, image in body_images:
        line = next((n for n, text in enumerate(lines) if f"]({src}" in text), 0)
        placed.append((("#body", line), image))
    for key, image in placed:
        dpi = print_resolution(image, trim)
        if dpi >= PRINT_DPI:
            continue
        message = _("image “{name}” would print at {dpi} dpi ({needed} needed)").format(
            name=image.source.name, dpi=dpi, needed=PRINT_DPI
        )
        pixels = math.ceil(placed_width_mm(image, trim) / 25.4 * PRINT_DPI)
        hint = _("use a larger picture, at least {pixels} pixels wide").format(pixels=pixels)
        if key[0] == "#body":
            line_number = parsed.source.body_line + int(key[1])
            column = lines[int(key[1])].find("](") + 3 if lines else 1
            parsed.where.problems.warning(
                parsed.where.shown, line_number, column, message, hint, code="low-resolution"
            )
        else:
            parsed.where.warning(key, message, hint, code="low-resolution")
