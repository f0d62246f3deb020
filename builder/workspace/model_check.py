"""The check of a model's unsaved text, as `builder check` would report it once saved.

The text is written as `models/<slug>.md` of a scratch folder whose `images` leads to the
book's, and loaded by the loader's own `load_entry` with the book's config and pictures; the
titles of the book's other models are known beforehand, so a title used twice is named too.
Each problem is then placed where the form shows it: at a fact's input, or at a line of the
body's textarea.
"""

from __future__ import annotations

import re
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder.book.fields import BY_KEY
from builder.book.model import BookConfig, Entry
from builder.load.entries import AcrossEntries, load_entry, read_markdown
from builder.load.images import ImageCatalog
from builder.load.schema import Checked
from builder.util.problems import Problem, Problems
from builder.workspace.front_matter_edit import ModelFile

# Problems about a missing key are placed at the start of the front matter: said at the
# input of the key they name.
MISSING = {"missing-person": "person_name", "missing-status": "status"}
NAMED_KEY = re.compile(r"`(\w+)`")


@dataclass(slots=True)
class OtherTitles:
    """The other models' titles, each file read again only when it changed."""

    files: dict[Path, tuple[tuple[int, int], Any, Checked]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def across(self, content: Path, slug: str) -> AcrossEntries:
        """An AcrossEntries that has seen every model's title but `slug`'s."""
        titles = AcrossEntries()
        with self.lock:
            paths = sorted((content / "models").glob("*.md"))
            for path in paths:
                if path.stem == slug:
                    continue
                known = self._read(path)
                if known is not None:
                    titles.add(*known)
            for gone in self.files.keys() - set(paths):
                del self.files[gone]
        return titles

    def _read(self, path: Path) -> tuple[Any, Checked] | None:
        try:
            info = path.stat()
        except OSError:
            return None
        signature = (info.st_mtime_ns, info.st_size)
        kept = self.files.get(path)
        if kept is None or kept[0] != signature:
            parsed = read_markdown(path, Problems())
            if parsed is None or not isinstance(parsed.yaml.value, dict):
                self.files.pop(path, None)
                return None
            kept = (signature, parsed.yaml.value.get("title"), parsed.where)
            self.files[path] = kept
        return kept[1], kept[2]


@dataclass(frozen=True, slots=True)
class CheckResult:
    problems: tuple[Problem, ...]
    entry: Entry | None  # None when the text has errors


def check_text(
    content: Path, config: BookConfig, slug: str, text: str, titles: OtherTitles
) -> CheckResult:
    """What the loader says of `text` as the model `slug`, its problems named as
    `models/<slug>.md` like the terminal names them from the book's folder."""
    across = titles.across(content, slug)
    problems = Problems()
    with tempfile.TemporaryDirectory(prefix="workspace-check-") as scratch:
        root = Path(scratch)
        (root / "models").mkdir()
        if (content / "images").is_dir():
            (root / "images").symlink_to((content / "images").resolve())
        path = root / "models" / f"{slug}.md"
        path.write_text(text, encoding="utf-8")
        entry = load_entry(path, config, ImageCatalog(content.resolve()), across, problems)
    shown = Path("models", f"{slug}.md")
    named = tuple(
        replace(problem, path=shown) if problem.path.name == path.name else problem
        for problem in problems
    )
    return CheckResult(named, entry)


def placed(problems: tuple[Problem, ...], model: ModelFile | None) -> dict[str, Any]:
    """The problems as the form shows them: by input (`fields`), by line of the body's
    textarea (`body`, lines from 1) and the rest (`other`)."""
    fields: dict[str, list[dict[str, Any]]] = {}
    body: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for problem in problems:
        item = {
            "message": problem.message,
            "hint": problem.hint,
            "severity": problem.severity,
            "code": problem.code,
            "line": problem.line,
            "column": problem.column,
            "text": problem.shown(code=True),
        }
        key = _input_of(problem, model)
        if key is not None:
            fields.setdefault(key, []).append(item)
        elif model is not None and problem.line >= model.body_line:
            body.append({**item, "line": problem.line - model.body_line + 1})
        else:
            other.append(item)
    return {"fields": fields, "body": body, "other": other}


def _input_of(problem: Problem, model: ModelFile | None) -> str | None:
    if problem.code in MISSING:
        return MISSING[problem.code]
    if problem.code == "missing-key":
        named = NAMED_KEY.search(problem.message)
        if named and named.group(1) in BY_KEY:
            return named.group(1)
    if model is None or problem.line >= model.body_line:
        return None
    key = model.key_at(problem.line)
    if key == "person":
        return "person_name"
    return key if key in BY_KEY else None
