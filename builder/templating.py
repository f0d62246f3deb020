"""The Jinja environment shared by every output: autoescaped, strict, with Vietnamese filters."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from builder.vietnamese import format_long_date, format_number

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=4)
def environment(folder: str) -> Environment:
    """Templates of one output (`templates/<folder>/`), autoescaped for HTML and XML."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / folder),
        autoescape=select_autoescape(["html", "xml", "xhtml"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = format_number
    env.filters["longdate"] = format_long_date
    return env
