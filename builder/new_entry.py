"""`builder new`: a new model file with complete front matter and the four sections."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from builder.model import BookConfig
from builder.templating import TEMPLATES
from builder.vietnamese import slugify


def free_path(models: Path, title: str) -> Path:
    """`models/<slug>.md` for `title`; a taken slug gets -2, -3…: nothing is overwritten."""
    slug = slugify(title) or "mo-hinh"
    path = models / f"{slug}.md"
    number = 2
    while path.exists():
        path = models / f"{slug}-{number}.md"
        number += 1
    return path


def entry_text(
    config: BookConfig,
    title: str,
    *,
    kind: str,
    field: str,
    district: str,
    commune: str = "",
    year: int | str,
    unit: str = "",
    recognised_by: str = "",
    body: str = "",
) -> str:
    """A model file: the facts given, TODO for the others, the body or the four sections."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )  # fmt: skip
    env.filters["yaml"] = lambda value: json.dumps(value, ensure_ascii=False)  # JSON is YAML
    return env.get_template("new-model.md").render(
        title=title, kind=kind, field=field, district=district, commune=commune, year=year,
        unit=unit, recognised_by=recognised_by, body=body,
    )  # fmt: skip
