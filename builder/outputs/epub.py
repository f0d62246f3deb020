"""The EPUB 3 edition: the same book model as the PDF, through templates/epub/, packaged by
ebooklib and re-zipped with fixed dates so the same content gives the same bytes.
"""

from __future__ import annotations

import io
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ebooklib import epub
from PIL import Image as PILImage

from builder import markdown
from builder.cache import cache_dir
from builder.cover import cover_png
from builder.editions import Download, Handover, build_date, colophon_rows, epub_name
from builder.epub_html import to_epub_xhtml
from builder.fonts import book_fonts, screen_subset
from builder.i18n import _
from builder.model import Book, Entry, Image, Page, Part
from builder.ordering import districts_alphabetical, group_entries
from builder.templating import environment, words

LOG = logging.getLogger("builder")
XHTML = "application/xhtml+xml"
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".webp": "image/webp"}  # fmt: skip


def model_file(entry: Entry) -> str:
    return _model_file(entry.slug)


def _model_file(slug: str) -> str:
    return f"m-{slug}.xhtml"


@dataclass(frozen=True, slots=True)
class Document:
    """One XHTML file of the package, in reading order."""

    file_name: str
    title: str
    xhtml: str
    landmark: str = ""
    anchor: str = ""  # its id in the printed book, for the page-list
    part: Part | None = None  # a part opener's part, whose models the contents list


class EpubOutput:
    name: ClassVar[str] = "epub"

    def render(self, book: Book, target: Path, handover: Handover | None = None) -> list[Path]:
        pages = handover.print_pages if handover else {}
        if not pages:
            LOG.info(
                _("EPUB: no page-list of the printed book (the PDF was not built in this run)")
            )
        writer = EpubWriter(book, pages)
        path = target / epub_name(book)
        writer.write(path)
        if handover is not None:
            handover.downloads.append(Download(path, "epub"))
        return [path]


class EpubWriter:
    def __init__(self, book: Book, print_pages: dict[str, int]) -> None:
        self.book = book
        self.pages = print_pages
        self.env = environment("epub")
        self.env.globals.update(model_file=model_file)

    def write(self, path: Path) -> None:
        documents = self._documents()
        package = epub.EpubBook()
        self._metadata(package)
        nav = epub.EpubItem(
            uid="nav",
            file_name="nav.xhtml",
            media_type=XHTML,
            content=self._nav(documents).encode(),
        )
        nav.properties = ["nav"]
        spine = [
            nav if doc.landmark == "toc" else self._document_item(number, doc)
            for number, doc in enumerate(documents)
        ]
        for item in spine:
            package.add_item(item)
        self._resources(package)
        package.toc = self._ncx_toc(documents)
        package.add_item(epub.EpubNcx())
        package.spine = spine
        buffer = io.BytesIO()
        epub.write_epub(buffer, package, {
            "epub3_pages": False, "epub3_landmark": False, "raise_exceptions": True,
            "mtime": build_date(self.book), "play_order": {"enabled": False},
        })  # fmt: skip
        path.write_bytes(_repack(buffer.getvalue(), build_date(self.book).timetuple()[:6]))

    # The documents, in the same order as the printed book.
    def _documents(self) -> list[Document]:
        book = self.book
        date = build_date(book)
        titles = words().titles
        docs = [
            self._render("cover.xhtml", "cover.xhtml", titles["cover"], landmark="cover"),
            self._render("titlepage.xhtml", "titlepage.xhtml", book.config.title, year=date.year),
        ]
        docs += [self._matter(page, "front") for page in book.front_pages]
        docs.append(Document("toc.xhtml", titles["contents"], "", landmark="toc"))
        for number, part in enumerate(book.parts, start=1):
            docs.append(self._render(
                f"part-{part.slug}.xhtml", "part.xhtml", part.title, part=part, number=number,
                landmark="bodymatter" if number == 1 else "", anchor=f"phan-{part.slug}",
                body_type="bodymatter",
            ))  # fmt: skip
            docs += [self._model(entry) for entry in part.entries]
        districts = districts_alphabetical(book.entries, book.config)
        years = group_entries(book.entries, book.config, "year")
        for anchor, heading, groups in (
            ("chi-muc-dia-ban", words().index_by_district, districts),
            ("chi-muc-nam", words().index_by_year, years),
        ):
            docs.append(
                self._render(
                    f"{anchor}.xhtml",
                    "index.xhtml",
                    heading,
                    anchor=anchor,
                    heading=heading,
                    groups=groups,
                    pages=self.pages,
                    body_type="backmatter",
                )
            )
        docs += [self._matter(page, "back") for page in book.back_pages]
        docs.append(
            self._render(
                "colophon.xhtml",
                "colophon.xhtml",
                words().colophon_heading,
                colophon=colophon_rows(book),
                body_type="backmatter",
            )
        )
        return docs

    def _render(
        self,
        file_name: str,
        template: str,
        title: str,
        landmark: str = "",
        anchor: str = "",
        **context: Any,
    ) -> Document:
        context.setdefault("body_type", "")
        page_number = self.pages.get(anchor) if anchor else None
        xhtml = self.env.get_template(template).render(
            book=self.book.config,
            title=title,
            page_number=page_number,
            anchor=anchor,
            **context,
        )
        return Document(file_name, title, xhtml, landmark, anchor, context.get("part"))

    def _matter(self, page: Page, where: str) -> Document:
        body = markdown.render_body(
            page.body, page.body_images, _package_url, page.slug, lazy=False, model_url=_model_file
        )
        return self._render(
            f"{where}-{page.slug}.xhtml",
            "matter.xhtml",
            page.title,
            anchor=f"trang-{page.slug}",
            page={"slug": page.slug, "title": page.title, "html": to_epub_xhtml(body)},
            section_type="foreword" if where == "front" else "afterword",
            body_type="frontmatter" if where == "front" else "backmatter",
        )

    def _model(self, entry: Entry) -> Document:
        body = markdown.render_body(
            entry.body, entry.body_images, _package_url, entry.slug, lazy=False,
            model_url=_model_file,
        )  # fmt: skip
        figures = [{"url": f"images/{image.output_name}", "image": image} for image in entry.images]
        return self._render(
            model_file(entry),
            "model.xhtml",
            entry.title,
            anchor=f"mo-hinh-{entry.slug}",
            entry=entry,
            body=to_epub_xhtml(body),
            figures=figures,
        )

    def _nav(self, documents: list[Document]) -> str:
        toc = []
        for doc in documents:
            if doc.part:
                children = [{"href": model_file(e), "title": e.title} for e in doc.part.entries]
                toc.append({"href": doc.file_name, "title": doc.title, "children": children})
            elif not doc.file_name.startswith(("m-", "cover", "toc", "titlepage")):
                toc.append({"href": doc.file_name, "title": doc.title, "children": []})
        landmarks = [
            {
                "type": doc.landmark,
                "href": doc.file_name if doc.landmark != "toc" else "nav.xhtml#toc",
                "title": doc.title,
            }
            for doc in documents
            if doc.landmark
        ]
        file_of = {doc.anchor: doc.file_name for doc in documents if doc.anchor}
        page_list = sorted(
            (number, f"{file_of[anchor]}#trang-in-{number}")
            for anchor, number in self.pages.items()
            if anchor in file_of
        )
        return self.env.get_template("nav.xhtml").render(
            toc=toc, landmarks=landmarks, page_list=page_list
        )

    def _ncx_toc(self, documents: list[Document]) -> list[Any]:
        toc: list[Any] = []
        for doc in documents:
            if doc.part:
                links = [epub.Link(model_file(e), e.title, f"m-{e.slug}") for e in doc.part.entries]
                toc.append((epub.Section(doc.title, doc.file_name), links))
            elif not doc.file_name.startswith(("m-", "toc")):
                toc.append(epub.Link(doc.file_name, doc.title, doc.file_name.split(".")[0]))
        return toc

    def _document_item(self, number: int, doc: Document) -> epub.EpubItem:
        item = epub.EpubItem(
            uid=f"doc-{number:03d}",
            file_name=doc.file_name,
            media_type=XHTML,
            content=doc.xhtml.encode(),
        )
        item.properties = []
        return item

    def _resources(self, package: epub.EpubBook) -> None:
        css = self.env.get_template("book.css").render()
        package.add_item(
            epub.EpubItem(
                uid="css", file_name="style/book.css", media_type="text/css", content=css.encode()
            )
        )
        text = self.book.text  # every string of the book, gathered once for the four subsets
        for font in book_fonts():
            package.add_item(
                epub.EpubItem(
                    uid=f"font-{font.path.stem}",
                    file_name=f"fonts/{font.path.stem}.woff2",
                    media_type="font/woff2",
                    content=screen_subset(font, cache_dir(), text).read_bytes(),
                )
            )
        limit = self.book.config.epub.max_image_px
        for image in self.book.images:
            package.add_item(
                epub.EpubItem(
                    uid=f"img-{image.output_name.replace('.', '-')}",
                    file_name=f"images/{image.output_name}",
                    media_type=MEDIA_TYPES[Path(image.output_name).suffix],
                    content=_scaled(image, limit),
                )
            )
        package.set_cover("images/cover.png", cover_png(self.book.config), create_page=False)

    def _metadata(self, package: epub.EpubBook) -> None:
        config = self.book.config
        isbn = config.colophon.isbn.replace("-", "").replace(" ", "")
        identifier = (
            f"urn:isbn:{isbn}"
            if isbn
            else f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, config.base_url + config.slug)}"
        )
        package.set_identifier(identifier)
        title = f"{config.title}{' – ' + config.subtitle if config.subtitle else ''}"
        package.set_title(title)
        package.set_language("vi")
        if config.author:
            package.add_author(config.author)
        if config.colophon.publisher:
            package.add_metadata("DC", "publisher", config.colophon.publisher)
        if config.description:
            package.add_metadata("DC", "description", config.description)
        if config.published:
            package.add_metadata("DC", "date", config.published.isoformat())
        for subject in (*config.keywords, *(field.name for field in config.fields)):
            package.add_metadata("DC", "subject", subject)
        if config.colophon.licence:
            package.add_metadata("DC", "rights", config.colophon.licence)
        for prop, value in accessibility(self.book, bool(self.pages)):
            package.add_metadata(None, "meta", value, {"property": prop})


def accessibility(book: Book, page_list: bool) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata, derived from what the book really contains."""
    has_images = bool(book.images)
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "index",
        "displayTransformability",
    ]
    if has_images and all(image.alt.strip() for image in book.images):
        features.append("alternativeText")
    if page_list:
        features += ["printPageNumbers", "pageBreakMarkers", "pageNavigation"]
    modes = ["textual", "visual"] if has_images else ["textual"]
    sentences = words().accessibility
    summary = (
        sentences["always"]
        + (sentences["images"] if has_images else "")
        + (sentences["page_list"] if page_list else "")
    ).strip()
    return [
        *(("schema:accessMode", mode) for mode in modes),
        ("schema:accessModeSufficient", "textual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
    ]


def _package_url(image: Image) -> str:
    return f"images/{image.output_name}"


def _scaled(image: Image, limit: int) -> bytes:
    """The picture at most `limit` pixels on its long side (phones need no 5 MB photos)."""
    if max(image.width, image.height) <= limit:
        return image.source.read_bytes()
    with PILImage.open(image.source) as picture:
        picture.thumbnail((limit, limit), PILImage.Resampling.LANCZOS)
        buffer = io.BytesIO()
        if image.output_name.endswith(".jpg"):
            picture.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
        else:
            picture.save(buffer, picture.format or "PNG", optimize=True)
        return buffer.getvalue()


ALREADY_COMPRESSED = (".jpg", ".png", ".gif", ".webp", ".woff2")


def _repack(data: bytes, date_time: tuple[int, ...]) -> bytes:
    """The same EPUB with fixed dates and `mimetype` first and stored, for identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda name: (name != "mimetype", name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time[:6])  # type: ignore[arg-type]
            stored = name == "mimetype" or name.endswith(ALREADY_COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return buffer.getvalue()
