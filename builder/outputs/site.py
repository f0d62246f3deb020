"""The website: one HTML page per model, list pages, front matter, feed and sitemap.

Links between pages are relative, so the site works under any `base_url` path and
from a folder opened straight from disk; canonical, Open Graph, feed and sitemap
addresses are absolute, built from `base_url`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from builder import markdown
from builder.fonts import book_fonts, cache_dir, screen_subset
from builder.load import group_entries
from builder.model import Book, Entry, Image, Page, Part
from builder.publish import build_date
from builder.templating import TEMPLATES, environment
from builder.vietnamese import bare_place_name, sort_key


def model_path(entry: Entry) -> str:
    return f"mo-hinh/{entry.slug}.html"


def page_path(page: Page) -> str:
    return f"trang/{page.slug}.html"


@dataclass(frozen=True, slots=True)
class Listing:
    """A list page: all models of one field, district or year."""

    path: str
    title: str
    heading: str
    entries: tuple[Entry, ...]


class SiteOutput:
    name: ClassVar[str] = "site"

    def render(self, book: Book, target: Path) -> list[Path]:
        return SiteWriter(book, target / "site").write()


class SiteWriter:
    def __init__(self, book: Book, folder: Path) -> None:
        self.book = book
        self.folder = folder
        self.env = environment("site")
        self.env.globals.update(model_path=model_path, page_path=page_path)
        self.written: list[Path] = []
        self.listings = _listings(book)
        self.indexes = {
            kind: tuple(item for item in self.listings if item.path.startswith(kind))
            for kind in ("linh-vuc/", "dia-ban/", "nam/")
        }

    def write(self) -> list[Path]:
        self._copy_assets()
        entries = self.book.entries
        common = {"book": self.book.config, "indexes": self.indexes, "pages": self.book.pages}
        self._page(
            "index.html",
            "index.html",
            title="",
            **common,
            parts=self.book.parts,
            foreword=self._foreword(),
            total=len(entries),
            foreword_summary=self._foreword_summary(),
        )
        for number, entry in enumerate(entries):
            self._page(
                model_path(entry),
                "model.html",
                **common,
                title=entry.title,
                description=entry.summary,
                entry=entry,
                og_type="article",
                og_image=_absolute(self.book, f"images/{entry.images[0].output_name}")
                if entry.images
                else "",
                body=self._body(entry.body, entry.body_images, 1),
                figures=[self._figure(image, 1) for image in entry.images],
                previous=entries[number - 1] if number else None,
                next=entries[number + 1] if number + 1 < len(entries) else None,
            )
        for page in self.book.pages:
            self._page(
                page_path(page),
                "page.html",
                **common,
                title=page.title,
                page=page,
                body=self._body(page.body, page.body_images, 1),
            )
        for listing in self.listings:
            self._page(listing.path, "listing.html", **common, title=listing.title, listing=listing)
        for kind, heading in (
            ("linh-vuc/", "Lĩnh vực"),
            ("dia-ban/", "Địa bàn"),
            ("nam/", "Năm công nhận"),
        ):
            self._page(
                kind + "index.html",
                "indexes.html",
                **common,
                title=heading,
                heading=heading,
                listings=self.indexes[kind],
            )
        self._page(
            "404.html",
            "404.html",
            **common,
            title="Không tìm thấy trang",
            root=self.book.config.base_path,
            canonical_path=None,
        )
        self._xml("sitemap.xml", paths=[p for p in self._html_paths() if p != "404.html"])
        self._xml(
            "feed.xml",
            entries=sorted(entries, key=lambda e: (-e.year, sort_key(e.title))),
            updated=build_date(self.book),
        )
        return self.written

    def _page(self, path: str, template: str, **context: Any) -> None:
        depth = path.count("/")
        context.setdefault("root", "../" * depth)
        canonical_path = context.pop("canonical_path", "" if path == "index.html" else path)
        context.setdefault("description", self.book.config.description)
        context.setdefault("og_type", "website")
        context.setdefault("og_image", "")
        html = self.env.get_template(template).render(
            canonical=None if canonical_path is None else _absolute(self.book, canonical_path),
            **context,
        )
        self._save(path, html)

    def _xml(self, name: str, **context: Any) -> None:
        xml = self.env.get_template(name).render(
            book=self.book.config, absolute=lambda path: _absolute(self.book, path), **context
        )
        self._save(name, xml)

    def _save(self, path: str, text: str) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.written.append(target)

    def _html_paths(self) -> list[str]:
        return [p.relative_to(self.folder).as_posix() for p in self.written if p.suffix == ".html"]

    def _body(self, body: str, images: tuple[tuple[str, Image], ...], depth: int) -> str:
        return markdown.render_body(body, images, lambda image: self._image_url(image, depth))

    def _image_url(self, image: Image, depth: int) -> str:
        return "../" * depth + f"images/{image.output_name}"

    def _figure(self, image: Image, depth: int) -> dict[str, Any]:
        return {"url": self._image_url(image, depth), "image": image}

    def _foreword(self) -> Page | None:
        front = self.book.front_pages
        return front[0] if front else None

    def _foreword_summary(self) -> str:
        foreword = self._foreword()
        return markdown.first_paragraph(markdown.parse(foreword.body)) if foreword else ""

    def _copy_assets(self) -> None:
        assets = self.folder / "assets"
        (assets / "fonts").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATES / "site" / "assets" / "style.css", assets / "style.css")
        self.written.append(assets / "style.css")
        for font in book_fonts():
            target = assets / "fonts" / f"{font.path.stem}.woff2"
            shutil.copyfile(screen_subset(font, cache_dir()), target)
            self.written.append(target)
        (self.folder / "images").mkdir(exist_ok=True)
        for image in self.book.images:
            target = self.folder / "images" / image.output_name
            shutil.copyfile(image.source, target)
            self.written.append(target)


def _listings(book: Book) -> tuple[Listing, ...]:
    config = book.config
    entries = book.entries
    listings: list[Listing] = []

    def add(prefix: str, parts: tuple[Part, ...], heading: str) -> None:
        for part in parts:
            listings.append(Listing(f"{prefix}{part.slug}.html", part.title, heading, part.entries))

    add("linh-vuc/", group_entries(entries, config, "field"), "Lĩnh vực")
    districts = sorted(
        group_entries(entries, config, "district"),
        key=lambda part: sort_key(bare_place_name(part.title)),
    )
    add("dia-ban/", tuple(districts), "Địa bàn")
    add("nam/", group_entries(entries, config, "year"), "Năm công nhận")
    return tuple(listings)


def _absolute(book: Book, path: str) -> str:
    return book.config.base_url + path
