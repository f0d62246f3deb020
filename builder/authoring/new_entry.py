"""`builder new`: a new model file with complete front matter and the four sections.

The model's name is chosen and its file created in one step under the book's lock
(`created`), so runs at once (`new`, `import`) never share a name; the file is written whole.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from builder.book import urls
from builder.book.fields import BY_KEY, FIELDS, FrontMatterField
from builder.book.model import BookConfig
from builder.book.vietnamese import slugify
from builder.render.templating import TEMPLATES
from builder.util.files import WriteFailed, create_new


def free_path(models: Path, title: str) -> Path:
    """`models/<slug>.md` for `title`; a taken slug gets -2, -3…: nothing is overwritten."""
    slug = urls.short_slug(slugify(title) or "mo-hinh")
    path = models / f"{slug}.md"
    number = 2
    while path.exists() or path.is_symlink():
        path = models / f"{slug}-{number}.md"
        number += 1
    return path


def created(models: Path, title: str, text: str) -> Path:
    """`text` written whole as a new model file named after `title`, never over another;
    call it under `files.book_lock`. WriteFailed names the file when the disk refuses."""
    made_folder(models)
    while not create_new(path := free_path(models, title), text):
        pass  # taken since `free_path` looked (by a run that did not lock): the next one
    return path


def made_folder(folder: Path) -> None:
    """`folder` made if missing; WriteFailed names it when the disk refuses."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailed(folder, exc) from exc


def entry_text(config: BookConfig, title: str, *, body: str = "", **given: object) -> str:
    """A model file: the facts given (by front-matter key), TODO for the others that
    builder/book/fields.py gives a placeholder, the body or the four sections."""
    unknown = sorted(given.keys() - BY_KEY.keys())
    if unknown:
        raise TypeError(f"entry_text() got unknown front-matter keys: {', '.join(unknown)}")
    given["title"] = title
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )  # fmt: skip
    return env.get_template("new-model.md").render(front_matter=front_matter(given), body=body)


def front_matter(given: dict[str, object]) -> list[str]:
    """The front matter's lines, in the order of FIELDS: each key given, or its placeholder;
    a key required only with another's value (`person` with `kind: ca-nhan`) only then."""
    lines = []
    for spec in FIELDS:
        if spec.required_when:
            other, wanted = spec.required_when
            if given.get(other) != wanted:
                continue
        value = given.get(spec.key) or spec.placeholder
        if value is None or value == "":
            continue
        lines.append(_line(spec, value))
    return lines


def _line(spec: FrontMatterField, value: object) -> str:
    """`key: value` in YAML: text in double quotes (JSON is YAML), ids and numbers as they
    are, a mapping as indented `key: value` lines."""
    if isinstance(value, dict):
        return "\n".join([f"{spec.key}:", *(f"  {k}: {_quoted(v)}" for k, v in value.items())])
    if isinstance(value, list) or (isinstance(value, str) and spec.type is str and not spec.is_id):
        return f"{spec.key}: {_quoted(value)}"
    return f"{spec.key}: {value}"


def _quoted(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
