"""The website's anchors for `make bench`: the same synthetic book written as a Hugo project
and as an MkDocs project, with the same pages as ours (home, one page per model, the front
and back pages, lists by field, district and year, a 404 page, a feed and a sitemap).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from builder.book.vietnamese import slugify

HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"
LISTS = (("field", "linh-vuc"), ("district", "dia-ban"), ("year", "nam"))  # key, our folder


@dataclass(frozen=True, slots=True)
class Source:
    """One Markdown file of the book: its front matter (parsed) and its body."""

    slug: str
    meta: dict[str, object]
    body: str


def read_source(path: Path) -> Source:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return Source(path.stem, yaml.safe_load(front), body)


def read_book(book: Path) -> tuple[dict[str, object], list[Source], list[Source]]:
    """book.yaml, the models and the pages of a synthetic book."""
    config = yaml.safe_load((book / "book.yaml").read_text(encoding="utf-8"))
    models = [read_source(p) for p in sorted((book / "models").glob("*.md"))]
    pages = [read_source(p) for p in sorted((book / "pages").glob("*.md"))]
    return config, models, pages


def _front(meta: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def _field_names(config: dict[str, object]) -> dict[str, str]:
    fields = config["fields"]
    assert isinstance(fields, list)
    return {field["id"]: field["name"] for field in fields}


def _pictures(model: Source) -> list[dict[str, str]]:
    images = model.meta.get("images") or []
    assert isinstance(images, list)
    return images


def hugo_project(book: Path, target: Path) -> Path:
    """A Hugo site of the book in `target`. Each model with a picture is a page bundle, so
    the single layout resizes it with Hugo's own image processing to the widths and formats
    ours makes (480/960/1600 px, WebP and JPEG, quality 80, Lanczos)."""
    config, models, pages = read_book(book)
    fields = _field_names(config)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(HUGO_LAYOUTS, target / "layouts")
    (target / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "baseURL": config["base_url"],
                "languageCode": "vi",
                "title": config["title"],
                "uglyURLs": True,  # mo-hinh/<slug>.html, as ours
                "removePathAccents": True,
                "disableKinds": ["section"],  # we make no list of a folder as such
                "outputs": {"home": ["HTML", "RSS"], "taxonomy": ["HTML"], "term": ["HTML"]},
                "taxonomies": {key: folder for key, folder in LISTS},
                "imaging": {"quality": 80, "resampleFilter": "Lanczos"},
            },
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    content = target / "content"
    (content / "mo-hinh").mkdir(parents=True)
    (content / "trang").mkdir()
    foreword = next((p for p in pages if p.meta.get("order") == 1), pages[0])
    (content / "_index.md").write_text(
        _front({"title": config["title"]}) + foreword.body, encoding="utf-8"
    )
    for page in pages:
        meta = {"title": page.meta["title"], "weight": page.meta.get("order", 0)}
        (content / "trang" / f"{page.slug}.md").write_text(
            _front(meta) + page.body, encoding="utf-8"
        )
    for model in models:
        meta: dict[str, object] = {
            "title": model.meta["title"],
            "unit": model.meta["unit"],
            "commune": model.meta.get("commune", ""),
            "linh-vuc": [fields[str(model.meta["field"])]],
            "dia-ban": [model.meta["district"]],
            "nam": [str(model.meta["year"])],
        }
        pictures = _pictures(model)
        if pictures:
            bundle = content / "mo-hinh" / model.slug
            bundle.mkdir()
            meta["pictures"] = [
                {"src": Path(p["src"]).name, "alt": p["alt"], "caption": p.get("caption", "")}
                for p in pictures
            ]
            for picture in pictures:
                shutil.copy2(book / "models" / picture["src"], bundle)
            page_file = bundle / "index.md"
        else:
            page_file = content / "mo-hinh" / f"{model.slug}.md"
        page_file.write_text(_front(meta) + model.body, encoding="utf-8")
    return target


def mkdocs_project(book: Path, target: Path) -> Path:
    """An MkDocs site of the book in `target`: the default `mkdocs` theme, its built-in search
    plugin, automatic navigation, and the lists by field, district and year written as pages
    (MkDocs has no taxonomies). Pictures are shown as they are: MkDocs does not resize."""
    config, models, pages = read_book(book)
    fields = _field_names(config)
    shutil.rmtree(target, ignore_errors=True)
    docs = target / "docs"
    for folder in ("mo-hinh", "trang", "images", *(f for _, f in LISTS)):
        (docs / folder).mkdir(parents=True)
    (target / "mkdocs.yml").write_text(
        yaml.safe_dump(
            {
                "site_name": config["title"],
                "site_url": config["base_url"],
                "use_directory_urls": False,  # mo-hinh/<slug>.html, as ours
                "theme": {"name": "mkdocs", "locale": "vi"},
                "plugins": ["search"],
                "markdown_extensions": ["tables", "footnotes"],
            },
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    foreword = next((p for p in pages if p.meta.get("order") == 1), pages[0])
    everything = "".join(f"- [{m.meta['title']}](mo-hinh/{m.slug}.md)\n" for m in models)
    (docs / "index.md").write_text(
        f"# {config['title']}\n\n{foreword.body}\n\n{everything}", encoding="utf-8"
    )
    for page in pages:
        (docs / "trang" / f"{page.slug}.md").write_text(
            _front({"title": page.meta["title"]}) + f"# {page.meta['title']}\n\n{page.body}",
            encoding="utf-8",
        )
    groups: dict[tuple[str, str], list[Source]] = {}
    for model in models:
        figures = ""
        for picture in _pictures(model):
            name = Path(picture["src"]).name
            shutil.copy2(book / "images" / name, docs / "images" / name)
            figures += f'\n![{picture["alt"]}](../images/{name} "{picture.get("caption", "")}")\n'
        facts = (
            f"**{model.meta['unit']}** · {fields[str(model.meta['field'])]} · "
            f"{model.meta.get('commune', '')}, {model.meta['district']} · {model.meta['year']}"
        )
        (docs / "mo-hinh" / f"{model.slug}.md").write_text(
            _front(model.meta) + f"# {model.meta['title']}\n\n{facts}\n{figures}\n{model.body}",
            encoding="utf-8",
        )
        for key, folder in LISTS:
            value = fields[str(model.meta[key])] if key == "field" else str(model.meta[key])
            groups.setdefault((folder, value), []).append(model)
    for (folder, value), members in groups.items():
        links = "".join(f"- [{m.meta['title']}](../mo-hinh/{m.slug}.md)\n" for m in members)
        (docs / folder / f"{slugify(value)}.md").write_text(
            f"# {value}\n\n{links}", encoding="utf-8"
        )
    return target


def pandoc_sources(book: Path, target: Path) -> list[Path]:
    """The models for Pandoc's EPUB writer, each with its picture in the body (Pandoc does
    not read ours from the front matter), so both EPUBs carry the same pictures."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "models").mkdir(parents=True)
    (target / "images").symlink_to((book / "images").resolve())
    written = []
    for path in sorted((book / "models").glob("*.md")):
        model = read_source(path)
        figures = "".join(
            f'\n![{p["alt"]}]({p["src"]} "{p.get("caption", "")}")\n' for p in _pictures(model)
        )
        title = f"# {model.meta['title']}\n"
        out = target / "models" / path.name
        out.write_text(_front(model.meta) + title + figures + model.body, encoding="utf-8")
        written.append(out)
    return written
