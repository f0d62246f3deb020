"""Where YAML's brackets (`[ ] { }`) open and close, read as YAML reads them.

A bracket inside a quoted text (`"a [b"`, `'it''s ['`), in a comment or in the middle of a
plain text (`title: a[1]`) is no bracket; a double quote escaped by a backslash (`"a\\"b"`)
does not end its text, and an apostrophe inside a word (`it's`) opens none. The front
matter's lint (an unclosed bracket) and the parser's depth guard both count with this.
"""

from __future__ import annotations

from collections.abc import Iterator

OPENING = "[{"
CLOSING = "]}"


def brackets(text: str) -> Iterator[tuple[int, str]]:
    """(index in `text`, bracket) for every bracket YAML reads as one."""
    depth, quote, index = 0, "", 0
    while index < len(text):
        char = text[index]
        if quote == '"':
            if char == "\\":
                index += 2  # the escaped character, whatever it is
                continue
            if char == '"':
                quote = ""
        elif quote == "'":
            if char == "'" and text[index + 1 : index + 2] == "'":
                index += 2  # '' is one apostrophe inside single quotes
                continue
            if char == "'":
                quote = ""
        elif char == "#" and (index == 0 or text[index - 1] in " \t\n"):
            end = text.find("\n", index)
            if end < 0:
                return
            index = end
            continue
        elif char in "\"'" and _starts_value(text, index, depth):
            quote = char
        elif char in OPENING and (depth or _starts_value(text, index, depth)):
            depth += 1
            yield index, char
        elif char in CLOSING and depth:
            depth -= 1
            yield index, char
        index += 1


def unclosed(text: str) -> str:
    """The brackets `text` leaves open, as the closing ones that would end them (`]}`)."""
    opened: list[str] = []
    for _index, char in brackets(text):
        if char in OPENING:
            opened.append("]" if char == "[" else "}")
        else:
            opened.pop()
    return "".join(reversed(opened))


def _starts_value(text: str, index: int, depth: int) -> bool:
    """Whether a value may begin at `index`: after `key: `, `- `, or at the start of the
    line; inside brackets also right after `[`, `{`, `,` or `:`."""
    before = index - 1  # the character before, spaces skipped (never a whole line)
    while before >= 0 and text[before] in " \t":
        before -= 1
    if before < 0 or text[before] == "\n":
        return True
    if depth and text[before] in "[{,:":
        return True
    return before < index - 1 and text[before] in ":-?"
