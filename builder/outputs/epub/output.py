"""The EPUB 3 edition: the same book model as the PDF, through templates/epub/, packaged by
ebooklib and re-zipped with fixed dates so the same content gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ebooklib import epub
from PIL import Image as PILImage

from builder.book import urls
from builder.book.fields import text_of_book
from builder.book.model import Book, Entry, Image, Page, Part
from builder.book.ordering import districts_alphabetical, group_entries
from builder.outputs.epub.cover_picture import cover_png
from builder.outputs.epub.epub_html import to_epub_xhtml
from builder.outputs.epub.epub_package import ncx_with_page_list, package_with_language
from builder.outputs.epub.epub_pages import marker_id, place_markers
from builder.render import markdown
from builder.render.editions import (
    PLAIN_BUILD,
    BuildOptions,
    Download,
    Handover,
    build_date,
    colophon_rows,
    epub_name,
    print_pdf_name,
)
from builder.render.fonts import book_fonts, characters_beyond_base, screen_subset
from builder.render.templating import environment, words
from builder.util.i18n import _

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

    def render(
        self,
        book: Book,
        target: Path,
        handover: Handover | None = None,
        options: BuildOptions = PLAIN_BUILD,
    ) -> list[Path]:
        pages = handover.print_pages if handover else {}
        starts = handover.page_starts if handover else {}
        if not starts:
            LOG.info(
                _("EPUB: no page-list of the printed book (the PDF was not built in this run)")
            )
        writer = EpubWriter(book, pages, starts)
        path = target / epub_name(book)
        writer.write(path)
        if handover is not None:
            handover.downloads.append(Download(path, "epub"))
        return [path]


class EpubWriter:
    def __init__(
        self,
        book: Book,
        print_pages: dict[str, int],
        page_starts: dict[int, tuple[str, str]] | None = None,
    ) -> None:
        self.book = book
        self.pages = print_pages  # the indexes cite them
        self.starts = page_starts or {}  # the page-break markers and the page-list
        self.env = environment("epub")
        self.env.globals.update(model_file=model_file)

    def write(self, path: Path) -> None:
        documents = self._documents()
        placed = self._placed_starts(documents)
        documents = [self._with_markers(doc, placed) for doc in documents]
        package = epub.EpubBook()
        self._metadata(package)
        nav = epub.EpubItem(
            uid="nav",
            file_name="nav.xhtml",
            media_type=XHTML,
            content=self._nav(documents, placed).encode(),
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
        rewrites = {
            "EPUB/content.opf": lambda opf: package_with_language(opf, "vi"),
            "EPUB/toc.ncx": lambda ncx: ncx_with_page_list(ncx, _page_list(placed)),
        }
        date_time = build_date(self.book).timetuple()[:6]
        path.write_bytes(_repack(buffer.getvalue(), date_time, rewrites))

    # The documents, in the same order as the printed book.
    def _documents(self) -> list[Document]:
        book = self.book
        date = build_date(book)
        titles = words().titles
        docs = [
            self._render("cover.xhtml", "cover.xhtml", titles["cover"], landmark="cover"),
            self._render(
                "titlepage.xhtml",
                "titlepage.xhtml",
                book.config.title,
                year=date.year,
                anchor="nhan-de",
            ),
        ]
        docs += [self._matter(page, "front") for page in book.front_pages]
        docs.append(Document("toc.xhtml", titles["contents"], "", "toc", anchor="muc-luc"))
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
                anchor="thong-tin-xuat-ban",
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
        xhtml = self.env.get_template(template).render(
            book=self.book.config,
            title=title,
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
            anchor=urls.model_anchor(entry.slug),
            entry=entry,
            body=to_epub_xhtml(body, heading_shift=1),
            figures=figures,
        )

    def _placed_starts(self, documents: list[Document]) -> dict[str, list[tuple[int, str]]]:
        """The printed pages' starts by the file that holds them: {file: [(folio, words)]}.
        A page whose anchor has no document of its own (none yet) continues the one before."""
        file_of = {
            doc.anchor: "nav.xhtml" if doc.landmark == "toc" else doc.file_name
            for doc in documents
            if doc.anchor
        }
        placed: dict[str, list[tuple[int, str]]] = {}
        current = ""
        for folio, (anchor, first_words) in sorted(self.starts.items()):
            current = file_of.get(anchor, current)
            if current:
                placed.setdefault(current, []).append((folio, first_words))
        return placed

    def _with_markers(self, doc: Document, placed: dict[str, list[tuple[int, str]]]) -> Document:
        if doc.file_name not in placed:
            return doc
        xhtml = place_markers(doc.xhtml, placed[doc.file_name], doc.anchor)
        return dataclasses.replace(doc, xhtml=xhtml)

    def _nav(self, documents: list[Document], placed: dict[str, list[tuple[int, str]]]) -> str:
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
        nav = self.env.get_template("nav.xhtml").render(
            toc=toc, landmarks=landmarks, page_list=_page_list(placed)
        )
        # The contents' own printed pages: marked in the nav document's table of contents.
        return place_markers(nav, placed["nav.xhtml"], "toc") if "nav.xhtml" in placed else nav

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
        # The characters of the book beyond the base, gathered once for the four subsets.
        text = characters_beyond_base(text_of_book(self.book))
        for font in book_fonts():
            package.add_item(
                epub.EpubItem(
                    uid=f"font-{font.path.stem}",
                    file_name=f"fonts/{font.path.stem}.woff2",
                    media_type="font/woff2",
                    content=screen_subset(font, text).read_bytes(),
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
        if self.starts:  # the page-list cites the print edition: name it (Ace: epub-pagesource)
            source = (
                f"urn:isbn:{isbn}"
                if isbn
                else words().print_edition.format(title=title, file=print_pdf_name(self.book))
            )
            package.add_metadata("DC", "source", source)
            package.add_metadata(None, "meta", source, {"property": "pageBreakSource"})
        for prop, value in accessibility(self.book, bool(self.starts)):
            package.add_metadata(None, "meta", value, {"property": prop})


def _page_list(placed: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str]]:
    """(printed page, its marker in the EPUB) for the nav's page-list and the NCX."""
    return sorted(
        (folio, f"{file_name}#{marker_id(folio)}")
        for file_name, starts in placed.items()
        for folio, _words in starts
    )


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


def _repack(
    data: bytes, date_time: tuple[int, ...], rewrites: dict[str, Callable[[bytes], bytes]]
) -> bytes:
    """The same EPUB with fixed dates and `mimetype` first and stored, for identical bytes;
    the entries named in `rewrites` go through their function."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda name: (name != "mimetype", name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time[:6])  # type: ignore[arg-type]
            stored = name == "mimetype" or name.endswith(ALREADY_COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = source.read(name)
            target.writestr(info, rewrites[name](content) if name in rewrites else content)
    return buffer.getvalue()
