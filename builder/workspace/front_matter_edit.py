"""A model's file as the workspace's form edits it: the facts the form shows, and the text a
save writes.

A save never reformats what the editor did not change: the file is cut into the lines of
each front-matter key, only the keys whose values changed are written again (as `builder new`
writes them: text in double quotes, ids and years bare), a key added goes to its place in the
order of `FIELDS`, a key emptied is removed, the body is the form's, and then what
`check --fix` does is done (`fixed_text`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from builder.authoring.new_entry import _line as builder_new_line
from builder.book.fields import BY_KEY, FIELDS, FrontMatterField
from builder.book.model import INDIVIDUAL
from builder.load.checks.text_checks import fixed_text
from builder.load.yaml_source import YamlProblem, parse_yaml

# The keys the form edits (pictures are edited in their own section), person as two inputs.
FORM_KEYS = tuple(spec.key for spec in FIELDS if spec.key != "images")
PERSON_PARTS = ("name", "role")
TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")
# What YAML would read as something else than the text written bare: written in quotes.
BARE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NOT_BARE = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})


@dataclass(frozen=True, slots=True)
class Segment:
    """Lines of the front matter: one key's (its line and the indented ones under it), or
    lines that are no key's (comments, blank lines)."""

    key: str | None
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A model file cut where the form needs it."""

    opening: str  # the `---` line as written
    segments: tuple[Segment, ...]
    closing: str
    body: str  # everything after the closing line
    values: dict[str, Any] | None  # the front matter read as YAML; None: it cannot be
    whole: str  # the text it was cut from

    @property
    def lead(self) -> str:
        """The blank lines between the closing `---` and the text: kept out of the textarea
        (a browser drops a textarea's first newline) and put back on saving."""
        return self.body[: len(self.body) - len(self.body.lstrip("\n"))]

    @property
    def text_of_body(self) -> str:
        """The body as the form's textarea shows it."""
        return self.body[len(self.lead) :]

    @property
    def body_line(self) -> int:
        """The file's line number of the textarea's first line."""
        head = sum(len(segment.lines) for segment in self.segments)
        return head + 3 + self.lead.count("\n")

    def key_at(self, line: int) -> str | None:
        """The front-matter key whose lines hold the file's `line`."""
        number = 2
        for segment in self.segments:
            if number <= line < number + len(segment.lines):
                return segment.key
            number += len(segment.lines)
        return None


def cut(text: str) -> ModelFile | None:
    """`text` cut into front matter and body; None when it has no closed front matter."""
    lines = text.split("\n")
    if not lines or lines[0].lstrip("\ufeff").strip() != "---":
        return None
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if closing is None:
        return None
    head = lines[1:closing]
    segments: list[Segment] = []
    for line in head:
        key = TOP_KEY.match(line)
        continues = line[:1] in (" ", "\t", "-") and segments and segments[-1].key is not None
        if key:
            segments.append(Segment(key.group(1), (line,)))
        elif continues:
            segments[-1] = Segment(segments[-1].key, (*segments[-1].lines, line))
        else:
            segments.append(Segment(None, (line,)))
    try:
        located = parse_yaml("\n".join(head), 2)
        values = located.value if isinstance(located.value, dict) else None
    except YamlProblem:
        values = None
    if values is None and not any(line.strip() for line in head):
        values = {}
    body = "\n".join(lines[closing + 1 :])
    return ModelFile(lines[0], tuple(segments), lines[closing], body, values, text)


def shown(key: str, value: Any) -> str:
    """A fact as the form's input shows it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(str(item) for item in value.values())
    return str(value)


def form_values(model: ModelFile) -> dict[str, str]:
    """Every input of the form, filled from the file: `person_name` and `person_role` for
    the person."""
    values = model.values or {}
    found = {key: shown(key, values.get(key)) for key in FORM_KEYS if key != "person"}
    person = values.get("person")
    for part in PERSON_PARTS:
        item = person.get(part) if isinstance(person, dict) else None
        found[f"person_{part}"] = "" if item is None else str(item)
    return found


def changed_facts(model: ModelFile, form: Mapping[str, str]) -> dict[str, object | None]:
    """The facts `form` changes, by key, each its new value (None: the key removed). A key the
    form does not send is left as it is; so is `person` unless the model is an individual's."""
    before = form_values(model)
    values = model.values or {}
    changes: dict[str, object | None] = {}
    for key in FORM_KEYS:
        if key == "person" or key not in form:
            continue
        tidy = _text if key == "summary" else _one_line
        given = tidy(form[key])
        if given == tidy(before[key]):
            continue
        changes[key] = _value(BY_KEY[key], given)
    kind = changes.get("kind", values.get("kind"))
    parts = {part: form.get(f"person_{part}") for part in PERSON_PARTS}
    if kind == INDIVIDUAL and any(value is not None for value in parts.values()):
        person = {
            part: _one_line(value if value is not None else before[f"person_{part}"])
            for part, value in parts.items()
        }
        if any(person[part] != _one_line(before[f"person_{part}"]) for part in PERSON_PARTS):
            kept = {part: value for part, value in person.items() if value}
            changes["person"] = kept or None
    if "tags" in changes and changes["tags"] == values.get("tags", []) and "tags" in values:
        del changes["tags"]  # only the spacing around the commas differs
    return changes


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _value(spec: FrontMatterField, given: str) -> object | None:
    if not given:
        return None
    if spec.type is list:
        return [item.strip() for item in given.split(",") if item.strip()]
    if spec.type is int and given.isdigit() and given.isascii():
        return int(given)
    return given


def key_lines(spec: FrontMatterField, value: object) -> tuple[str, ...]:
    """`key: value` as `builder new` writes it; a value typed where an id or a number goes is
    quoted unless YAML reads it back as the same text (a form cannot smuggle in a line)."""
    bare = spec.is_id or spec.type is not str
    if isinstance(value, str) and bare and (not BARE.match(value) or value in NOT_BARE
                                            or spec.type is int):  # fmt: skip
        return (f"{spec.key}: {json.dumps(value, ensure_ascii=False)}",)
    return tuple(builder_new_line(spec, value).split("\n"))


def edited_text(model: ModelFile, changes: Mapping[str, object | None], body: str | None) -> str:
    """The file with `changes` made (key → new value, None removes it) and `body` (as the
    textarea sent it; None: unchanged), then fixed as `check --fix` fixes it."""
    segments = list(model.segments)
    for key, value in changes.items():
        new = () if value is None else key_lines(BY_KEY[key], value)
        at = next((i for i, segment in enumerate(segments) if segment.key == key), None)
        if at is not None:
            segments[at] = Segment(key, new)
        elif new:
            segments.insert(_place_for(key, segments), Segment(key, new))
    head = [line for segment in segments for line in segment.lines]
    text_body = model.body if body is None else model.lead + _lines_of(body)
    text = "\n".join([model.opening, *head, model.closing, text_body])
    return fixed_text(text)[0]


def _place_for(key: str, segments: list[Segment]) -> int:
    """Where a key the file does not have goes: before the first key that FIELDS puts after
    it, else after the last key the file has."""
    order = [spec.key for spec in FIELDS]
    later = set(order[order.index(key) + 1 :])
    for index, segment in enumerate(segments):
        if segment.key in later:
            return index
    keyed = [index for index, segment in enumerate(segments) if segment.key is not None]
    return keyed[-1] + 1 if keyed else len(segments)


def _lines_of(body: str) -> str:
    """The textarea's text with `\\n` line ends, ending with one."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    return text if not text or text.endswith("\n") else text + "\n"


def body_changed(model: ModelFile, body: str | None) -> bool:
    return body is not None and _lines_of(body) != _lines_of(model.text_of_body)


def fixed_whole(text: str) -> str:
    """A whole file as typed, with `\\n` line ends, fixed as `check --fix` fixes it."""
    return fixed_text(text.replace("\r\n", "\n").replace("\r", "\n"))[0]


def what_changed(before: str, after: str) -> list[str]:
    """The keys whose values differ between two texts of a model, then `body`: what a
    commit message names. A change the facts do not show (spacing) is `text`."""
    if before == after:
        return []
    old, new = cut(before), cut(after)
    if old is None or new is None or old.values is None or new.values is None:
        return ["text"]
    keys = [spec.key for spec in FIELDS]
    keys += sorted((old.values.keys() | new.values.keys()) - set(keys))
    found = [key for key in keys if old.values.get(key) != new.values.get(key)]
    if old.body != new.body:
        found.append("body")
    return found or ["text"]


def status_of(text: str) -> str:
    model = cut(text)
    return str((model.values or {}).get("status") or "") if model else ""


def title_of(text: str) -> str:
    model = cut(text)
    return str((model.values or {}).get("title") or "") if model else ""
