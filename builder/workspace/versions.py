"""What one version of a model changed against the one before it: the facts whose values
changed (labelled as the fact box labels them) and the text's lines added and removed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from builder.book.fields import BY_KEY
from builder.book.model import APPROVED
from builder.load.source import split_front_matter
from builder.util.i18n import N_
from builder.util.problems import Problems

LineKind = Literal["same", "added", "removed", "skipped"]
CONTEXT = 1  # unchanged lines shown around a change
# Keys the fact box does not show, so FIELDS has no label for them.
LABELS = {
    "title": N_("Title"),
    "commune": N_("Commune"),
    "summary": N_("Summary"),
    "images": N_("Pictures"),
    "status": N_("Status"),
    "editor": N_("Editor"),
}


@dataclass(frozen=True, slots=True)
class ModelText:
    """A version's text cut into its facts (None: they cannot be read) and its body."""

    facts: dict[str, Any] | None
    body: str

    @property
    def title(self) -> str:
        value = (self.facts or {}).get("title")
        return value if isinstance(value, str) else ""

    @property
    def approved(self) -> bool:
        return (self.facts or {}).get("status") == APPROVED


@dataclass(frozen=True, slots=True)
class FactChange:
    key: str
    label: str  # from FIELDS, or N_ from LABELS (translate it), or the key itself
    before: str  # "" when the fact was not there
    after: str


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: LineKind
    text: str


def read_model(text: str) -> ModelText:
    source = split_front_matter(text, Path("model.md"), Problems())
    if source is None:
        return ModelText(None, text)
    try:
        facts = yaml.safe_load(source.front_matter)
    except yaml.YAMLError:
        return ModelText(None, source.body)
    return ModelText(facts if isinstance(facts, dict) else None, source.body)


def fact_changes(before: ModelText, after: ModelText) -> list[FactChange]:
    """The facts whose values differ, in FIELDS's order, then keys FIELDS does not know."""
    old, new = before.facts or {}, after.facts or {}
    keys = [key for key in BY_KEY if key in old or key in new]
    keys += sorted((set(old) | set(new)) - set(BY_KEY), key=str)
    changes = []
    for key in keys:
        if old.get(key) == new.get(key):
            continue
        label = BY_KEY[key].label if key in BY_KEY else ""
        changes.append(FactChange(str(key), label or LABELS.get(key, str(key)),
                                  _shown(old.get(key)), _shown(new.get(key))))  # fmt: skip
    return changes


def body_diff(before: str, after: str) -> list[DiffLine]:
    """The lines (paragraphs) of `after` against `before`: changes with CONTEXT unchanged
    lines around them; each longer unchanged stretch one "skipped" line (its count)."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    lines: list[DiffLine] = []
    groups = list(matcher.get_grouped_opcodes(CONTEXT))
    shown_to = 0  # lines of `old` accounted for
    for group in groups:
        first = group[0][1]
        if first > shown_to:
            lines.append(DiffLine("skipped", str(first - shown_to)))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", line) for line in old[i1:i2]]
                continue
            lines += [DiffLine("removed", line) for line in old[i1:i2]]
            lines += [DiffLine("added", line) for line in new[j1:j2]]
        shown_to = group[-1][2]
    if groups and shown_to < len(old):
        lines.append(DiffLine("skipped", str(len(old) - shown_to)))
    return [line for line in lines if line.kind != "same" or line.text.strip()]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, list):
        return " · ".join(_shown(item) for item in value)
    return str(value)
