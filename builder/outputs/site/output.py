"""The website: one HTML page per model, list pages, statistics, search, downloads, feed
and sitemap.

Links between pages are relative, so the site works under any `base_url` path and from a
folder opened straight from disk; canonical, Open Graph, JSON-LD, feed and sitemap
addresses are absolute, built from `base_url`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from builder.book import urls
from builder.book.fields import text_of_book, text_of_entry
from builder.book.model import Book, Entry, Image, Page, Part
from builder.book.ordering import districts_alphabetical, group_entries
from builder.book.vietnamese import format_number, sort_key
from builder.outputs.site.charts import bar_chart
from builder.outputs.site.site_images import SIZES, Responsive, responsive
from builder.outputs.site.site_images import prepare as prepare_pictures
from builder.outputs.site.site_record import SiteRecord, digest, site_record
from builder.outputs.site.site_search import (
    IndexRun,
    RecordPages,
    SearchRecord,
    record,
    shard_count,
    shards,
)
from builder.render import markdown
from builder.render.editions import PLAIN_BUILD, BuildOptions, Download, Handover, build_date
from builder.render.fonts import book_fonts, characters_beyond_base, screen_subset
from builder.render.templating import TEMPLATES, environment, words
from builder.util.folder_swap import link_or_copy

T = TypeVar("T")


def model_path(entry: Entry) -> str:
    return urls.model(entry.slug)


def page_path(page: Page) -> str:
    return urls.page(page.slug)


@dataclass(frozen=True, slots=True)
class Listing:
    """A list page: all models of one field, district or year."""

    kind: str  # field, district or year
    path: str
    title: str
    heading: str
    entries: tuple[Entry, ...]


class SiteOutput:
    name: ClassVar[str] = "site"

    def render(
        self,
        book: Book,
        target: Path,
        handover: Handover | None = None,
        options: BuildOptions = PLAIN_BUILD,
    ) -> list[Path]:
        record = site_record(options.previous)
        return SiteWriter(book, target, handover=handover, record=record).write()


@dataclass(slots=True)
class PageMemo:
    """What each page was last rendered from, kept by `builder serve` between builds: a
    page whose inputs are the same objects as last time is not rendered again. The loader
    hands back the very same Entry for an unchanged file, so most comparisons are `is`."""

    keys: dict[str, object] = field(default_factory=dict)
    characters: dict[int, tuple[Entry, frozenset[str]]] = field(default_factory=dict)
    pictures: dict[int, Image] = field(default_factory=dict)  # variants known to be cached
    records: dict[int, tuple[Entry, SearchRecord]] = field(default_factory=dict)
    search_pages: list[RecordPages] = field(default_factory=list)  # one per shard

    def records_of(self, book: Book) -> list[SearchRecord]:
        """The search records, each entry's made again only when it changed."""
        self.records = _per_entry(self.records, book, lambda e: record(e, model_path(e)))
        return [item for _entry, item in self.records.values()]

    def pictures_to_prepare(self, book: Book) -> list[Image]:
        new = [image for image in book.images if self.pictures.get(id(image)) is not image]
        self.pictures.update((id(image), image) for image in new)
        return new

    def characters_of(self, book: Book) -> str:
        """The characters the book shows (what the font subsets cover), each entry's
        counted again only when it changed."""
        self.characters = _per_entry(
            self.characters, book, lambda entry: frozenset(text_of_entry(entry))
        )
        found = set(book.text_around_entries).union(*(c for _e, c in self.characters.values()))
        return "".join(sorted(found))


def _as_listed(entry: Entry) -> tuple[object, ...]:
    """What list pages, the home page and the feed show of an entry: an edit elsewhere in
    it (its text, its pictures) leaves them as they are."""
    return (entry.slug, entry.title, entry.place.label, entry.year, entry.unit,
            entry.field.id, entry.summary)  # fmt: skip


def _per_entry(
    known: dict[int, tuple[Entry, T]], book: Book, make: Callable[[Entry], T]
) -> dict[int, tuple[Entry, T]]:
    """`make(entry)` for each entry of the book, reusing what `known` has for the very same
    Entry object (the loader hands back the same one for an unchanged file)."""
    found = {}
    for entry in book.entries:
        seen = known.get(id(entry))
        found[id(entry)] = seen if seen and seen[0] is entry else (entry, make(entry))
    return found


class SiteWriter:
    def __init__(
        self,
        book: Book,
        target: Path,
        *,
        with_search: bool = True,
        memo: PageMemo | None = None,
        handover: Handover | None = None,
        record: SiteRecord | None = None,
    ) -> None:
        self.book = book
        self.memo = memo
        self.record = None if memo is not None else record  # serve keeps its own, in memory
        self._page_files: list[str] = []  # the pictures the page being rendered shows
        self.with_search = with_search
        self.target = target
        self.folder = target / "site"
        self.env = environment("site")
        self.env.globals.update(model_path=model_path, page_path=page_path, urls=urls)
        self.written: list[Path] = []
        self._entry_digests: dict[int, str] = {}
        self.listings = _listings(book)
        self.indexes = {
            kind: tuple(item for item in self.listings if item.kind == kind)
            for kind in urls.LIST_KINDS
        }
        handover = handover or Handover()
        self.print_pages = handover.print_pages
        self.pictures: dict[str, Responsive] = {}
        self.assets: dict[str, str] = {"favicon.svg": "favicon.svg"}
        self.downloads = self._downloads(handover.downloads)

    def write(self) -> list[Path]:
        """Every page; the search index is made by Pagefind meanwhile, on the other core.
        With the record of the last build into the same folder, a page (or the index) made
        from the same inputs is linked from there instead."""
        search, kept_shards = None, []
        if self.with_search:
            groups = shards(self.book.entries, model_path)
            to_index = []
            for number, group in enumerate(groups):
                if self.record is not None:  # a record is made from its entry alone
                    records_digest = digest(tuple(self._entry_key(entry) for entry in group))
                    if self.record.search_unchanged(number, records_digest, self._search_folder):
                        kept_shards.append(number)
                        continue
                to_index.append((number, [record(e, model_path(e)) for e in group]))
            if to_index:  # started first: an edit's build waits for it, not for the links
                search = self.start_search_index(to_index, len(groups))
        kept_index = []
        try:
            if self.record is not None:
                for number in kept_shards:
                    kept_index += self.record.link_search(number, self._search_folder)
            self._copy_assets()
            if self.memo is not None:
                prepare_pictures(self.memo.pictures_to_prepare(self.book))
            elif self.record is None or self.record.previous is None:
                prepare_pictures(self.book.images)  # else made one by one, if any is new
            self._write_pages()
        except BaseException:
            if search is not None:
                search.stop()
            raise
        if search is not None:
            self.written += search.finish()
        self.written += kept_index
        if self.record is not None:
            self.record.save(self.folder)
        return self.written

    def _write_pages(self) -> None:
        entries = self.book.entries
        self._site_inputs = (
            self.book.config, self.book.pages, tuple(self.assets.items()),
            tuple((item.path, item.title, len(item.entries)) for item in self.listings),
            tuple((item["file"], item["size"]) for item in self.downloads),  # the sizes shown
            max(self.print_pages.values(), default=0),  # the home page's numberOfPages
        )  # fmt: skip
        self._site_key = digest(self._site_inputs) if self.record is not None else ""
        common = {"book": self.book.config, "indexes": self.indexes, "pages": self.book.pages,
                  "has_downloads": bool(self.downloads)}  # fmt: skip
        listed = {id(entry): _as_listed(entry) for entry in entries}
        if not self._unchanged(
            urls.HOME, [(p.slug, [listed[id(e)] for e in p.entries]) for p in self.book.parts]
        ):
            self._page(
                urls.HOME,
                "index.html",
                title="",
                **common,
                parts=self.book.parts,
                foreword=self._foreword(),
                total=len(entries),
                foreword_summary=self._foreword_summary(),
                jsonld=self._book_jsonld(),
            )
        for number, entry in enumerate(entries):
            previous = entries[number - 1] if number else None
            following = entries[number + 1] if number + 1 < len(entries) else None
            print_page = self.print_pages.get(urls.model_anchor(entry.slug))
            neighbours = [(e.slug, e.title) if e else None for e in (previous, following)]
            if self._unchanged(model_path(entry), (self._entry_key(entry), neighbours, print_page)):
                continue
            self._page(
                model_path(entry), "model.html", **common,
                title=entry.title, description=entry.summary, entry=entry, og_type="article",
                og_image=self._picture_address(entry.images[0]) if entry.images else "",
                body=self._body(entry.body, entry.body_images),
                figures=[self._figure(image) for image in entry.images],
                print_page=print_page, previous=previous, next=following,
                jsonld=self._entry_jsonld(entry),
            )  # fmt: skip
        for page in self.book.pages:
            if self._unchanged(page_path(page), page):
                continue
            self._page(
                page_path(page),
                "page.html",
                **common,
                title=page.title,
                page=page,
                body=self._body(page.body, page.body_images),
            )
        for listing in self.listings:
            if not self._unchanged(listing.path, [listed[id(e)] for e in listing.entries]):
                self._page(
                    listing.path, "listing.html", **common, title=listing.title, listing=listing
                )
        self._write_book_pages(common)  # the counts and lists are part of _site_inputs
        paths = [p for p in self._html_paths() if p != urls.NOT_FOUND]
        if not self._unchanged(urls.SITEMAP, tuple(paths)):
            self._xml(urls.SITEMAP, "sitemap.xml", paths=paths)
        if not self._unchanged(urls.FEED, [listed[id(e)] for e in entries]):
            self._xml(
                urls.FEED,
                "feed.xml",
                entries=sorted(entries, key=lambda e: (-e.year, sort_key(e.title))),
                updated=build_date(self.book),
            )

    def _write_book_pages(self, common: dict[str, Any]) -> None:
        """The pages made from the book as a whole: only its counts and lists change them."""
        first, *others = self._book_page_paths()  # kept or written together, in this order
        if self._unchanged(first, "book-wide pages"):
            if self.memo is not None:  # a record links the others with the first
                self.written += [self.folder / path for path in others]
            return
        entries = self.book.entries
        text = words()
        for kind, heading in (("field", text.by_field), ("district", text.by_district),
                              ("year", text.by_year)):  # fmt: skip
            self._page(
                urls.list_index(kind),
                "indexes.html",
                **common,
                title=heading,
                heading=heading,
                listings=self.indexes[kind],
            )
        self._page(
            urls.STATS,
            "stats.html",
            **common,
            title=text.titles["stats"],
            total=len(entries),
            charts=self._charts(),
        )
        self._page(
            urls.SEARCH,
            "search.html",
            **common,
            title=text.titles["search"],
            filters=self._search_filters(),
            shards=shard_count(len(entries)),
        )
        if self.downloads:
            self._page(
                urls.DOWNLOADS,
                "downloads.html",
                **common,
                title=text.titles["downloads"],
                total=len(entries),
                downloads=self.downloads,
            )
        self._page(
            urls.NOT_FOUND,
            "404.html",
            **common,
            title=text.titles["not_found"],
            root=self.book.config.base_path,
            canonical_path=None,
        )
        if self.record is not None:
            self.record.now_extras[first] = others

    def _book_page_paths(self) -> list[str]:
        """The pages `_write_book_pages` writes, in its order."""
        paths = [urls.list_index(kind) for kind in urls.LIST_KINDS] + [urls.STATS, urls.SEARCH]
        return paths + ([urls.DOWNLOADS] if self.downloads else []) + [urls.NOT_FOUND]

    @property
    def _search_folder(self) -> Path:
        return self.folder / "pagefind"

    def start_search_index(
        self, to_index: list[tuple[int, list[SearchRecord]]] | None = None, count: int = 0
    ) -> IndexRun | None:
        """Pagefind started on the shards `to_index` (number, records); without them (`builder
        serve`), on the shards of the memo's record pages that changed since they were last
        indexed. None when there is nothing to index."""
        if self.memo is None:
            jobs = []
            for number, group in to_index or []:
                pages = RecordPages()
                pages.update(group)
                jobs.append((number, pages))
            return IndexRun(jobs, self._search_folder, count)
        groups = shards(self.memo.records_of(self.book), lambda item: item.url)
        if len(groups) != len(self.memo.search_pages):  # the records are shared out anew
            for pages in self.memo.search_pages:
                pages.cleanup()
            self.memo.search_pages = [RecordPages() for _group in groups]
        for pages, group in zip(self.memo.search_pages, groups, strict=True):
            pages.update(group)
        jobs = [(n, pages) for n, pages in enumerate(self.memo.search_pages) if not pages.indexed]
        if not jobs:
            return None
        return IndexRun(jobs, self._search_folder, len(groups), keep_pages=True)

    def _entry_key(self, entry: Entry) -> object:
        """What stands for an entry in what a page is made from: the entry itself for
        `serve`'s memo (compared in memory), its digest for a record (made once a build:
        its page and its search shard both need it)."""
        if self.record is None:
            return entry
        found = self._entry_digests.get(id(entry))
        if found is None:
            found = self._entry_digests[id(entry)] = digest(entry)
        return found

    def _unchanged(self, path: str, inputs: object) -> bool:
        """True when `path` was written from these same inputs (and the same book-wide
        ones) by the last build into this folder: it is kept as it is."""
        self._page_files = []
        if self.record is not None:
            kept = self.record.keep(path, digest((inputs, self._site_key)), self.folder)
            self.written += kept or []
            return kept is not None
        if self.memo is None:
            return False
        key = (inputs, self._site_inputs)
        if self.memo.keys.get(path) == key:
            self.written.append(self.folder / path)
            return True
        self.memo.keys[path] = key
        return False

    def _page(self, path: str, template: str, **context: Any) -> None:
        context.setdefault("root", urls.root_of(path))
        canonical_path = context.pop("canonical_path", path)
        context.setdefault("description", self.book.config.description)
        context.setdefault("og_type", "website")
        context.setdefault("og_image", "")
        context.setdefault("jsonld", None)
        html = self.env.get_template(template).render(
            canonical=None if canonical_path is None else self._absolute(canonical_path),
            **context,
        )
        self._save(path, html)

    def _xml(self, path: str, template: str, **context: Any) -> None:
        xml = self.env.get_template(template).render(
            book=self.book.config, absolute=self._absolute, **context
        )
        self._save(path, xml)

    def _save(self, path: str, text: str) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.written.append(target)
        if self.record is not None:
            self.record.now_extras[path] = sorted(set(self._page_files))

    def _absolute(self, path: str) -> str:
        return urls.absolute(self.book.config.base_url, path)

    def _picture_address(self, image: Image) -> str:
        return self._absolute(urls.image(self._picture(image).fallback.name))

    def _html_paths(self) -> list[str]:
        return [p.relative_to(self.folder).as_posix() for p in self.written if p.suffix == ".html"]

    # Pictures: every page showing one sits one folder deep (models and pages).
    def _picture(self, image: Image) -> Responsive:
        if image.output_name not in self.pictures:
            picture, written = responsive(image, self.folder / "images")
            self.pictures[image.output_name] = picture
            self.written += written
        picture = self.pictures[image.output_name]
        self._page_files += [urls.image(variant.name) for variant in picture.variants]
        return picture

    def _image_ref(self, image: Image) -> markdown.ImageRef:
        picture = self._picture(image)
        folder = urls.root_of(urls.model("")) + urls.image("")
        return markdown.ImageRef(
            folder + picture.fallback.name, image.width, image.height, lazy=True,
            srcset=picture.srcset(folder, picture.fallback.mime),
            webp_srcset=picture.srcset(folder, "image/webp"), sizes=SIZES,
        )  # fmt: skip

    def _body(self, body: str, images: tuple[tuple[str, Image], ...]) -> str:
        return markdown.render_body(body, images, self._image_ref, model_url=_model_link)

    def _figure(self, image: Image) -> dict[str, Any]:
        ref = self._image_ref(image)
        return {"ref": ref, "image": image}

    def _foreword(self) -> Page | None:
        front = self.book.front_pages
        return front[0] if front else None

    def _foreword_summary(self) -> str:
        foreword = self._foreword()
        return markdown.first_paragraph(markdown.parse(foreword.body)) if foreword else ""

    def _charts(self) -> list[Any]:
        """One chart per list page kind, from the same listings the list pages show."""

        def rows(kind: str) -> list[tuple[str, int, str]]:
            return [(item.title, len(item.entries), item.path) for item in self.indexes[kind]]

        text = words()
        return [
            bar_chart("theo-nam", text.charts["year"], text.year_filter, rows("year")),
            bar_chart("theo-linh-vuc", text.charts["field"], text.by_field, rows("field")),
            bar_chart("theo-dia-ban", text.charts["district"], text.by_district, rows("district")),
        ]

    def _search_filters(self) -> list[tuple[str, str, list[str]]]:
        """The search page's filters: the values the list pages show, in their order."""
        text = words()
        return [
            ("field", text.by_field, [item.title for item in self.indexes["field"]]),
            ("district", text.by_district, [item.title for item in self.indexes["district"]]),
            (
                "year",
                text.year_filter,
                [str(item.entries[0].year) for item in self.indexes["year"]],
            ),
        ]

    def _downloads(self, offered: list[Download]) -> list[dict[str, str]]:
        """The books built in this same run (they told the handover), offered from the site;
        their descriptions are the templates' (`downloads` in templates/shared/words.j2)."""
        described = words().downloads
        return [
            {"file": item.file.name, "href": urls.download(item.file.name),
             **described[item.kind],
             "size": f"{format_number(round(item.file.stat().st_size / 1e6, 1))} MB"}
            for item in sorted(offered, key=lambda item: list(described).index(item.kind))
        ]  # fmt: skip

    def _book_jsonld(self) -> dict[str, Any]:
        config = self.book.config
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "Book", "name": config.title,
            "inLanguage": "vi", "url": config.base_url, "numberOfPages": None,
            "description": config.description,
        }  # fmt: skip
        if config.author:
            data["author"] = {"@type": "Organization", "name": config.author}
        if config.colophon.publisher:
            data["publisher"] = {"@type": "Organization", "name": config.colophon.publisher}
        if config.colophon.isbn:
            data["isbn"] = config.colophon.isbn
        if config.published:
            data["datePublished"] = config.published.isoformat()
        pages = max(self.print_pages.values(), default=0)
        data["numberOfPages"] = pages or None
        return {key: value for key, value in data.items() if value}

    def _entry_jsonld(self, entry: Entry) -> dict[str, Any]:
        config = self.book.config
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "Article", "headline": entry.title,
            "inLanguage": "vi", "url": self._absolute(model_path(entry)),
            "description": entry.summary, "about": entry.field.name,
            "contentLocation": {"@type": "Place", "name": entry.place.label},
            "isPartOf": {"@type": "Book", "name": config.title, "url": config.base_url},
            "keywords": ", ".join(entry.tags),
        }  # fmt: skip
        if config.author:
            data["author"] = {"@type": "Organization", "name": config.author}
        if config.published:
            data["datePublished"] = config.published.isoformat()
        if entry.images:
            data["image"] = self._picture_address(entry.images[0])
        return {key: value for key, value in data.items() if value}

    def _copy_assets(self) -> None:
        """Fonts, stylesheet and script under names that carry a hash of their content, so a
        server may cache them for a year (see the README's nginx snippet)."""
        assets = self.folder / "assets"
        (assets / "fonts").mkdir(parents=True, exist_ok=True)
        (self.folder / "images").mkdir(parents=True, exist_ok=True)
        css = (TEMPLATES / "site" / "assets" / "style.css").read_text(encoding="utf-8")
        # Gathered once for the four subsets; serve counts only the entries that changed.
        text = self.memo.characters_of(self.book) if self.memo else text_of_book(self.book)
        text = characters_beyond_base(text)  # each subset's key reads it: once, not four times
        for font in book_fonts():
            data = screen_subset(font, text).read_bytes()
            name = f"{font.path.stem}.{_digest(data)}.woff2"
            css = css.replace(f"fonts/{font.path.stem}.woff2", f"fonts/{name}")
            self.assets[f"fonts/{font.path.stem}.woff2"] = f"fonts/{name}"
            self._write_asset(f"fonts/{name}", data)
        script = (TEMPLATES / "site" / "assets" / "search.js").read_bytes()
        for source, data in (("style.css", css.encode()), ("search.js", script)):
            stem, suffix = source.split(".")
            self.assets[source] = f"{stem}.{_digest(data)}.{suffix}"
            self._write_asset(self.assets[source], data)
        self._write_asset(
            "favicon.svg", (TEMPLATES / "site" / "assets" / "favicon.svg").read_bytes()
        )
        self.env.globals["asset"] = self.assets
        for item in self.downloads:
            target = self.folder / item["href"]
            target.parent.mkdir(exist_ok=True)
            link_or_copy(self.target / item["file"], target)
            self.written.append(target)

    def _write_asset(self, name: str, data: bytes) -> None:
        target = self.folder / "assets" / name
        target.write_bytes(data)
        self.written.append(target)


def _model_link(slug: str) -> str:
    """A body's link to another model: bodies are shown one folder deep (models, pages)."""
    return urls.root_of(urls.model("")) + urls.model(slug)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _listings(book: Book) -> tuple[Listing, ...]:
    config = book.config
    entries = book.entries
    listings: list[Listing] = []

    def add(kind: str, parts: tuple[Part, ...], heading: str) -> None:
        for part in parts:
            path = urls.listing(kind, part.slug)
            listings.append(Listing(kind, path, part.title, heading, part.entries))

    text = words()
    add("field", group_entries(entries, config, "field"), text.by_field)
    add("district", districts_alphabetical(entries, config), text.by_district)
    add("year", group_entries(entries, config, "year"), text.by_year)
    return tuple(listings)
