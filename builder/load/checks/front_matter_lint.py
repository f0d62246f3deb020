"""Front-matter mistakes explained in the editor's terms, where they were typed.

The YAML parser names a mistake where it got lost (often a line later) and in its own words
(“expected <block end>, but found '<scalar>'”). Editors make a handful of mistakes, nearly
all of them visible on one line: a quote left open, quotes inside quotes, Word's curly quotes
used as quotes, a key indented or written with a capital letter, no space after `:`, `: `
inside a value, a bracket left open, a tab, a list without dashes, text after the closing
quote. Each is found here line by line, before the parser, and said with the line quoted,
a caret under the place and the corrected line as the hint.

`fixed()` repairs what is safe: curly quotes used as quotes, a missing space after `:`,
tabs used for indentation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from builder.load import yaml_flow
from builder.util.i18n import _
from builder.util.problems import shown_text

# A key may be quoted (`"title": …`), as YAML allows and JSON writes it.
KEY_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<quote>[\"']?)(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?P=quote):(?P<rest>.*)$"
)
LIST_ITEM = re.compile(r"^[ \t]*- ")
CURLY_OPEN, CURLY_CLOSE = "“", "”"


@dataclass(frozen=True, slots=True)
class Mistake:
    """One mistake: `line` within the front matter (from 0), `column` from 0."""

    line: int
    column: int
    message: str
    hint: str
    blocking: bool = True  # the YAML parser fails on it (else it parses, wrongly)


def mistakes(text: str, list_keys: frozenset[str] = frozenset()) -> list[Mistake]:
    """Every mistake found on the lines of the front matter `text`, at most one a line.

    `list_keys` hold lists (`tags`): their items need dashes. (A key in capitals is left to
    the key check, which names the right one.)
    """
    lines = text.split("\n")
    found = (_line_mistake(lines, number, list_keys) for number in range(len(lines)))
    return [mistake for mistake in found if mistake is not None]


def _line_mistake(lines: list[str], number: int, list_keys: frozenset[str]) -> Mistake | None:
    line = lines[number]
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    if "\t" in line[: len(line) - len(line.lstrip())]:
        return Mistake(
            number, line.index("\t"),
            _("this line is indented with a Tab"),
            _("indent with spaces: {line}").format(line=_untabbed(lines, number))
            if _may_be_nested([*lines[:number], _untabbed(lines, number)], number)
            else _("start the line at the left edge: {line}").format(line=line.strip()),
        )  # fmt: skip
    match = KEY_LINE.match(line)
    if match is None:
        return _not_a_key_line(lines, number)
    key, rest, indent = match["key"], match["rest"], match["indent"]
    column = match.start("rest")  # just after the colon
    if rest and not rest.startswith((" ", "\t")):
        return Mistake(
            number, column,
            _("there is no space after the colon"),
            _("write a space after `:`: {line}").format(line=f"{line[:column]} {rest}"),
        )  # fmt: skip
    if indent and not _may_be_nested(lines, number):
        return Mistake(
            number, 0,
            _("the key `{key}` is indented, but nothing above it opens a group").format(key=key),
            _("start the line at the left edge: {line}").format(line=line.strip()),
        )  # fmt: skip
    if not rest.strip():
        return _list_without_dashes(lines, number, key) if key in list_keys else None
    return _value_mistake(line, number, column + 1, rest.strip(), lines)


def _value_mistake(
    line: str, number: int, start: int, value: str, lines: list[str]
) -> Mistake | None:
    """What is wrong with `value`, which starts at about column `start`."""
    start = line.index(value, start - 1)
    if value.startswith(("&", "*", "!", "|", ">")):
        return None  # anchors, tags and block text: the parser's own check names them
    if value.startswith(CURLY_OPEN) and value.endswith(CURLY_CLOSE) and len(value) > 1:
        inner = value[1:-1]
        return Mistake(
            number, start,
            _("Word's curly quotes “…” are used as the quotes of the value; they would be "
              "printed as part of it"),
            _("use straight quotes around the value: {line}").format(
                line=f'{line[:start]}"{inner}"'),
            blocking=False,
        )  # fmt: skip
    if value.startswith('"'):
        return _quoted_mistake(line, number, start, value, lines)
    if value.startswith("'"):
        return None  # rare in this book's files; the parser's message serves
    if value.startswith(("[", "{")):
        return _bracket_mistake(line, number, start, value, lines)
    colon = value.find(": ")
    if colon >= 0 or value.endswith(":"):
        at = start + (colon if colon >= 0 else len(value) - 1)
        return Mistake(
            number, at,
            _("the value contains `: `, which would start a new key"),
            _("put the value in double quotes: {line}").format(
                line=f'{line[:start]}"{value}"'),
        )  # fmt: skip
    return None


def _quoted_mistake(
    line: str, number: int, start: int, value: str, lines: list[str]
) -> Mistake | None:
    quotes = [
        index for index, char in enumerate(value) if char == '"' and not _escaped(value, index)
    ]
    if len(quotes) == 1:
        lost = _next_key_line(lines, number)
        where = (
            _("the facts cannot be read from line {line} on").format(line=lost + 1)
            if lost is not None
            else _("the facts cannot be read after it")
        )
        return Mistake(
            number, start,
            _("the double quote opened here is never closed ({where})").format(where=where),
            _("close it at the end of the value: {line}").format(line=f'{line.rstrip()}"'),
        )  # fmt: skip
    closing = quotes[1]
    after = value[closing + 1 :].strip()
    if len(quotes) > 2 and value.endswith('"'):
        inner = value[1:-1]
        return Mistake(
            number, start + closing,
            _("the value has quotes inside its quotes"),
            _("write the inner quotes as “…”: {line}").format(
                line=f'{line[:start]}"{_curled(inner)}"'),
        )  # fmt: skip
    if after and not after.startswith("#"):
        return Mistake(
            number, start + closing + 1,
            _("there is text after the closing quote"),
            _("put all of the value inside the quotes: {line}").format(
                line=f'{line[:start]}"{value[1:closing]} {after}"'.replace('""', '"')),
        )  # fmt: skip
    return None


def _bracket_mistake(
    line: str, number: int, start: int, value: str, lines: list[str]
) -> Mistake | None:
    """A bracket left open: by the end of the line and of the facts (brackets may close on a
    later line), counted as YAML reads them (quotes and escapes honoured)."""
    missing = yaml_flow.unclosed(value)
    if not missing or not yaml_flow.unclosed("\n".join([value, *lines[number + 1 :]])):
        return None
    return Mistake(
        number, start,
        _("the bracket opened here is never closed"),
        _("close it at the end of the line: {line}").format(line=f"{line.rstrip()}{missing}"),
    )  # fmt: skip


def _list_without_dashes(lines: list[str], number: int, key: str) -> Mistake | None:
    """`tags:` followed by indented lines that are neither `- item` nor `key: value`."""
    following = number + 1
    while following < len(lines) and not lines[following].strip():
        following += 1
    if following >= len(lines):
        return None
    item = lines[following]
    if not item[:1].isspace() or LIST_ITEM.match(item) or KEY_LINE.match(item):
        return None
    indent = item[: len(item) - len(item.lstrip())]
    return Mistake(
        following, len(indent),
        _("the items of `{key}` are written without dashes").format(key=key),
        _("start each item with a dash: {line}").format(line=f"{indent}- {item.strip()}"),
        blocking=False,
    )  # fmt: skip


def _not_a_key_line(lines: list[str], number: int) -> Mistake | None:
    """A line that is no `key: value`: a list item, the rest of a value, or a mistake."""
    line = lines[number]
    if LIST_ITEM.match(line) or line.strip() == "-":
        return None
    if line[:1].isspace():
        return None  # the continuation of a value, or an item without a dash (said above)
    stripped = line.strip()
    if stripped.startswith("<<"):
        return None  # a merge key: refused by the parser with its own message
    return Mistake(
        number, 0,
        _("this line is not `key: value`"),
        _("write the fact as `key: value`, or delete the line: {line}").format(line=stripped),
    )  # fmt: skip


def _may_be_nested(lines: list[str], number: int) -> bool:
    """An indented key belongs under a key that opens a group (`person:`) or to a list item."""
    indent = len(lines[number]) - len(lines[number].lstrip())
    for above in range(number - 1, -1, -1):
        text = lines[above]
        if not text.strip():
            continue
        above_indent = len(text) - len(text.lstrip())
        if above_indent < indent:
            match = KEY_LINE.match(text)
            return bool(LIST_ITEM.match(text)) or bool(match and not match["rest"].strip())
        if above_indent == indent and (KEY_LINE.match(text) or LIST_ITEM.match(text)):
            continue
    return False


def _next_key_line(lines: list[str], number: int) -> int | None:
    for following in range(number + 1, len(lines)):
        if KEY_LINE.match(lines[following]):
            return following
    return None


def _escaped(text: str, index: int) -> bool:
    slashes = 0
    while index - slashes - 1 >= 0 and text[index - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _curled(text: str) -> str:
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append(CURLY_OPEN if opening else CURLY_CLOSE)
            opening = not opening
        else:
            out.append(char)
    return "".join(out)


def _untabbed(lines: list[str], number: int) -> str:
    """The line with its Tabs as two spaces each, or with no indent at all where nothing
    above it opens a group."""
    line = lines[number]
    stripped = line.lstrip(" \t")
    spaced = line[: len(line) - len(stripped)].replace("\t", "  ") + stripped
    return spaced if _may_be_nested([*lines[:number], spaced], number) else stripped


def fixed(text: str) -> tuple[str, int]:
    """The front matter with the safe repairs made, and how many lines changed."""
    lines = text.split("\n")
    changed = 0
    for number, line in enumerate(lines):
        repaired = _fixed_line(lines, number)
        if repaired != line:
            lines[number] = repaired
            changed += 1
    return "\n".join(lines), changed


def _fixed_line(lines: list[str], number: int) -> str:
    line = lines[number]
    if "\t" in line[: len(line) - len(line.lstrip())]:
        line = _untabbed(lines, number)
    match = KEY_LINE.match(line)
    if match is None:
        return line
    rest = match["rest"]
    if rest and not rest.startswith((" ", "\t")) and not rest.startswith("//"):
        rest = " " + rest
    value = rest.strip()
    if value.startswith(CURLY_OPEN) and value.endswith(CURLY_CLOSE) and len(value) > 1:
        inner = value[1:-1]
        if '"' not in inner:
            rest = rest.replace(value, f'"{inner}"', 1)
    return f"{line[: match.start('rest')]}{rest}"


EXCERPT_WIDTH = 72


def excerpt(line: str, column: int) -> Iterator[str]:
    """The line as typed and a caret under `column` (from 0), for the message; a long line
    is cut to the part around the place. Invisible characters show as escapes (`\\x1b`),
    the caret still under its place."""
    line = line.replace("\t", " ")
    column = len(shown_text(line[:column]))
    line = shown_text(line)
    start = max(0, min(column - EXCERPT_WIDTH // 2, len(line) - EXCERPT_WIDTH))
    shown = line[start : start + EXCERPT_WIDTH]
    before = "…" if start else ""
    after = "…" if start + EXCERPT_WIDTH < len(line) else ""
    yield before + shown + after
    yield " " * (len(before) + column - start) + "^"
