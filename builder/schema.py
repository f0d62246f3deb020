"""A small declarative checker for YAML mappings: known keys, required keys, value types.

Every problem names the key's place in the file and, for a misspelt key, the nearest
known one ("did you mean `district`?").
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.problems import Problems
from builder.yaml_source import Key, LocatedYaml

_TYPE_NAMES: dict[type, str] = {
    str: "text",
    int: "a whole number, like 2023",
    bool: "true or false",
    list: "a list (lines starting with `- `, or [a, b])",
    dict: "a group of `key: value` lines",
    datetime.date: "a date written YYYY-MM-DD",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One allowed key of a mapping."""

    kind: type
    required: bool = False
    example: str = ""


@dataclass(frozen=True, slots=True)
class Checked:
    """Where a mapping lives, so nested checks can report precisely."""

    yaml: LocatedYaml
    shown: Path
    problems: Problems

    def error(self, path: Key, message: str, hint: str = "", *, key: bool = False) -> None:
        where = self.yaml.key_at(path) if key else self.yaml.at(path)
        self.problems.error(self.shown, where.line, where.column, message, hint)

    def warning(self, path: Key, message: str, hint: str = "") -> None:
        where = self.yaml.at(path)
        self.problems.warning(self.shown, where.line, where.column, message, hint)


def check_mapping(
    value: Any, fields: Mapping[str, Field], path: Key, where: Checked, what: str
) -> dict[str, Any]:
    """The keys of `value` that are known and of the right type; problems for the rest."""
    if not isinstance(value, dict):
        where.error(path, f"{what} must be {_TYPE_NAMES[dict]}")
        return {}
    good: dict[str, Any] = {}
    meant: set[str] = set()
    for key, item in value.items():
        spec = fields.get(key)
        if spec is None:
            hint = _suggest(key, fields)
            where.error((*path, key), f"unknown key `{key}` in {what}", hint, key=True)
            meant.update(name for name in fields if hint == f"did you mean `{name}`?")
            continue
        if item is None or item == "":
            if spec.required:
                where.error((*path, key), f"`{key}` is empty", _example(key, spec))
            continue
        if not _is_kind(item, spec.kind):
            where.error(
                (*path, key), f"`{key}` must be {_TYPE_NAMES[spec.kind]}", _example(key, spec)
            )
            continue
        good[key] = str(item).strip() if spec.kind is str else item
    for key, spec in fields.items():
        if spec.required and key not in value and key not in meant:
            where.error(path, f"missing required key `{key}` in {what}", _example(key, spec))
    return good


def _is_kind(item: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(item, int) and not isinstance(item, bool)
    if kind is str:
        return isinstance(item, str | int | float) and not isinstance(item, bool)
    if kind is datetime.date:
        return isinstance(item, datetime.date) and not isinstance(item, datetime.datetime)
    return isinstance(item, kind)


def _suggest(key: str, fields: Mapping[str, Field]) -> str:
    close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return "known keys: " + ", ".join(f"`{name}`" for name in fields)


def _example(key: str, spec: Field) -> str:
    return f"for example `{key}: {spec.example}`" if spec.example else ""


def suggest_value(value: str, choices: list[str], *, always_list: bool = False) -> str:
    """A hint naming the closest valid value, or listing them all."""
    listed = "valid values: " + ", ".join(f"“{choice}”" for choice in choices)
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.75)
    if close:
        return f"did you mean “{close[0]}”?" + (f" {listed}" if always_list else "")
    return listed
