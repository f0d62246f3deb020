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

# The key spec is declared with the model's fields (book layer); the checks read it here.
from builder.book.settings import Field as Field
from builder.load.source import SourceFile
from builder.load.yaml_source import Key, LocatedYaml
from builder.util.i18n import N_, _
from builder.util.problems import Problems

_TYPE_NAMES: dict[type, str] = {
    str: N_("text"),
    int: N_("a whole number, like 2023"),
    float: N_("a number, like 0.1"),
    bool: N_("true or false"),
    list: N_("a list (lines starting with `- `, or [a, b])"),
    dict: N_("a group of `key: value` lines"),
    datetime.date: N_("a date written YYYY-MM-DD"),
}


@dataclass(frozen=True, slots=True)
class Checked:
    """Where a mapping lives, so nested checks can report precisely."""

    yaml: LocatedYaml
    shown: Path
    problems: Problems

    def error(
        self, path: Key, message: str, hint: str = "", *, key: bool = False, code: str
    ) -> None:
        where = self.yaml.key_at(path) if key else self.yaml.at(path)
        self.problems.error(self.shown, where.line, where.column, message, hint, code=code)

    def warning(self, path: Key, message: str, hint: str = "", *, code: str) -> None:
        where = self.yaml.at(path)
        self.problems.warning(self.shown, where.line, where.column, message, hint, code=code)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A file read and split, with its front matter parsed and located."""

    source: SourceFile
    yaml: LocatedYaml
    where: Checked


def check_mapping(
    value: Any, fields: Mapping[str, Field], path: Key, where: Checked, what: str
) -> dict[str, Any]:
    """The keys of `value` that are known and of the right type; problems for the rest."""
    if not isinstance(value, dict):
        where.error(
            path,
            _("{what} must be {kind}").format(what=what, kind=_(_TYPE_NAMES[dict])),
            code="not-a-mapping",
        )
        return {}
    good: dict[str, Any] = {}
    meant: set[str] = set()
    for key, item in value.items():
        spec = fields.get(key)
        if spec is None:
            hint = _suggest(key, fields)
            where.error(
                (*path, key),
                _("unknown key `{key}` in {what}").format(key=key, what=what),
                hint,
                key=True,
                code="unknown-key",
            )
            meant.update(name for name in fields if hint == _did_you_mean(name))
            continue
        if item is None or item == "":
            if spec.required:
                where.error(
                    (*path, key),
                    _("`{key}` is empty").format(key=key),
                    _example(key, spec),
                    code="empty-value",
                )
            continue
        if not _is_kind(item, spec.kind):
            where.error(
                (*path, key),
                _("`{key}` must be {kind}").format(key=key, kind=_(_TYPE_NAMES[spec.kind])),
                _example(key, spec),
                code="wrong-type",
            )
            continue
        good[key] = _as_written(item, spec.kind, (*path, key), where.yaml)
    for key, spec in fields.items():
        if spec.required and key not in value and key not in meant:
            where.error(
                path,
                _("missing required key `{key}` in {what}").format(key=key, what=what),
                _example(key, spec),
                code="missing-key",
            )
    return good


def _as_written(item: Any, kind: type, path: Key, located: LocatedYaml) -> Any:
    """The value, with numbers in text facts as the editor typed them: `price: 45.000`
    stays “45.000” (read as a number it would be 45.0), `0123` keeps its zero."""
    if kind is str:
        return located.texts.get(path, str(item)).strip()
    if kind is list:
        return [located.texts.get((*path, index), part) for index, part in enumerate(item)]
    return item


def check_range(
    where: Checked, path: Key, value: float | datetime.date, low: Any, high: Any
) -> bool:
    """Whether `value` is from `low` to `high`; an error at its place if not."""
    if low <= value <= high:
        return True
    where.error(
        path,
        _("`{key}` is {value}; it must be from {low} to {high}").format(
            key=".".join(map(str, path)), value=value, low=low, high=high
        ),
        code="out-of-range",
    )
    return False


def _is_kind(item: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(item, int) and not isinstance(item, bool)
    if kind is float:
        return isinstance(item, int | float) and not isinstance(item, bool)
    if kind is str:
        return isinstance(item, str | int | float) and not isinstance(item, bool)
    if kind is datetime.date:
        return isinstance(item, datetime.date) and not isinstance(item, datetime.datetime)
    return isinstance(item, kind)


def _suggest(key: str, fields: Mapping[str, Field]) -> str:
    close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
    if close:
        return _did_you_mean(close[0])
    return _("known keys: {keys}").format(keys=", ".join(f"`{name}`" for name in fields))


def _did_you_mean(key: str) -> str:
    return _("did you mean `{key}`?").format(key=key)


def _example(key: str, spec: Field) -> str:
    if not spec.example:
        return ""
    return _("for example `{key}: {example}`").format(key=key, example=spec.example)


def suggest_value(value: str, choices: list[str], *, always_list: bool = False) -> str:
    """A hint naming the closest valid value, or listing them all."""
    listed = _("valid values: {values}").format(
        values=", ".join(f"“{choice}”" for choice in choices)
    )
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.75)
    if close:
        meant = _("did you mean “{value}”?").format(value=close[0])
        return f"{meant} {listed}" if always_list else meant
    return listed
