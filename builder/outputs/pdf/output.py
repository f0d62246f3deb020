"""The printed book: a screen edition (tagged PDF/UA-1, links, bookmarks) and a print
edition (PDF/X-4, 3 mm bleed, crop marks, no links), laid out in units on every core and
joined (`parallel_layout`, `pdf_join`), or in one WeasyPrint layout.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import logging
import re
import tempfile
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import zxingcpp

from builder.book import urls
from builder.book.model import Book, Cmyk, Entry, Image, Page
from builder.book.ordering import districts_alphabetical, group_entries
from builder.outputs.pdf.layout import figure_placement, leader_runs, parallel_layout, pdf_units
from builder.outputs.pdf.layout.page_map import (
    COLOPHON,
    colophon_last,
    cover_pages,
    model_pages,
    page_starts,
)
from builder.outputs.pdf.layout.unit_cache import UnitCache
from builder.outputs.pdf.paged_html import footnotes_at_call_sites
from builder.outputs.pdf.press import preflight
from builder.outputs.pdf.press.cover_spread import cover_size, render_cover
from builder.outputs.pdf.press.print_colour import (
    PressSharesAhead,
    Rgb,
    pictures_to_cmyk,
    press_colours,
)
from builder.outputs.pdf.press.print_package import finish_for_press, finish_opened, padding
from builder.outputs.pdf.progress import layout_progress
from builder.outputs.pdf.write.font_union import ready_faces
from builder.outputs.pdf.write.interior_from_screen import interior_in_place
from builder.outputs.pdf.write.pdf_join import join
from builder.outputs.pdf.write.pdf_writing import (
    BOOK_ID_KEY,
    document_id_from,
    write_interior,
    write_screen,
)
from builder.render import markdown
from builder.render.editions import (
    PLAIN_BUILD,
    PREFLIGHT_NAME,
    BuildOptions,
    Download,
    Handover,
    book_id,
    build_date,
    colophon_rows,
    cover_pdf_name,
    print_pdf_name,
    screen_pdf_name,
    write_page_map,
)
from builder.render.fonts import book_fonts
from builder.render.templating import environment
from builder.util.cache import code_version
from builder.util.errors import BuildError
from builder.util.i18n import _
from builder.util.parallel import (
    ForkedAhead,
    ForkedTask,
    cores,
    forked_map,
    run_forked,
    shares_of,
)
from builder.util.render_cache import render_cache

if TYPE_CHECKING:
    from pikepdf import Pdf

LOG = logging.getLogger("builder")
INTERIOR_BLEED_MM = 3  # book.css `@page { bleed }`


@dataclass(frozen=True, slots=True)
class PrintedEntry:
    entry: Entry
    html: str
    figures: tuple[dict[str, Any], ...]
    qr: str


class PdfOutput:
    name: ClassVar[str] = "pdf"

    def __init__(self, *, in_units: bool = True) -> None:
        # In units on every core (`parallel_layout`); the whole book in one WeasyPrint
        # layout otherwise, or where processes cannot be forked.
        self.in_units = in_units
        self._host: ForkedAhead[_UnitsJob, Written | Whole] | None = None

    @contextlib.contextmanager
    def loading_ahead(self) -> Iterator[None]:
        """While the block runs, a child loads WeasyPrint (most of a second), and `render`
        in the block has it lay the units out: the builder enters it before it loads and
        checks the book, which that second then overlaps."""
        if not self.in_units:
            yield
            return
        with _layout_host() as host:
            self._host = host
            try:
                yield
            finally:
                self._host = None

    def render(
        self,
        book: Book,
        target: Path,
        handover: Handover | None = None,
        options: BuildOptions = PLAIN_BUILD,
    ) -> list[Path]:
        screen = target / screen_pdf_name(book)
        jobs = options.jobs or cores()
        # The units are laid out from a child forked ahead (`loading_ahead`) or now, which
        # loads WeasyPrint while this process makes the book's HTML.
        loaded, self._host = self._host, None  # a child lays out one book
        if loaded is not None:
            ahead: contextlib.AbstractContextManager[Any] = nullcontext(loaded)
        else:
            ahead = _layout_host() if self.in_units else nullcontext()
        with layout_progress(self.name), ahead as host:
            html = book_html(book, draft=options.for_review)
            units_job = _UnitsJob(html, book, target, jobs)
            written = host.run(units_job) if host is not None else Whole.ASKED
            package = _package(book, target, html)
            if written is Whole.FRONT_MATTER_MOVED:
                LOG.info(_("pdf: the table of contents changed length; laying the book out whole"))
            if isinstance(written, Whole):
                written = _render_whole(html, package, screen)
        laid_out, cover_checks = written
        starts = _colophon_last(laid_out.starts, book, laid_out.interior_pages)
        checked = _preflight(book, package, laid_out, cover_checks, strict=options.strict)
        if handover is not None:
            handover.print_pages.update(laid_out.model_pages)
            handover.page_starts.update(starts)
            handover.downloads += [
                Download(screen, "pdf-screen"),
                Download(package.interior, "pdf-print"),
            ]  # not the cover spread: it is for the printing house only
        return [screen, package.interior, package.cover, checked,
                write_page_map(laid_out.model_pages, target)]  # fmt: skip


@dataclass(frozen=True, slots=True)
class _UnitsJob:
    """What the child laying out the units is handed (pickled, if it was forked before the
    book was loaded: 2 ms at 100 models)."""

    html: str
    book: Book
    target: Path
    jobs: int


def _layout_host() -> ForkedAhead[_UnitsJob, Written | Whole]:
    return ForkedAhead(_load_for_layout, _in_units,
                       _("laying out the PDF failed: {reason}"))  # fmt: skip


def _load_for_layout() -> None:
    """WeasyPrint loaded (`parallel_layout.load_weasyprint`), then the join's typefaces
    made ready (`font_union.ready_faces`), by the child that will lay out the units, while
    this process makes the book's HTML (which takes longer than both)."""
    parallel_layout.load_weasyprint()
    ready_faces(_font_files(), UnitCache.of_build().folder)


def _in_units(job: _UnitsJob) -> Written | Whole:
    units = pdf_units.cut(job.html)
    if len(units) < 2:
        return Whole.ONE_UNIT
    package = _package(job.book, job.target, job.html)
    return _render_in_units(units, package, job.target / screen_pdf_name(job.book), job.jobs)


def _package(book: Book, target: Path, html: str) -> PrintPackage:
    return PrintPackage(book, target, hashlib.sha256(html.encode()).hexdigest()[:32].encode())


@dataclass(frozen=True, slots=True)
class PrintPackage:
    """What the printing house gets: the interior block and the cover spread."""

    book: Book
    target: Path
    identifier: bytes

    @property
    def interior(self) -> Path:
        return self.target / print_pdf_name(self.book)

    @property
    def cover(self) -> Path:
        return self.target / cover_pdf_name(self.book)


@dataclass(frozen=True, slots=True)
class LaidOut:
    """Where things fall in the written book (`page_map`)."""

    cover_pages: int  # the screen edition's pages before the half title
    interior_pages: int  # from the half title on, before the signatures' blank pages
    model_pages: dict[str, int]
    starts: dict[int, tuple[str, str]]
    colophon_last: bool


Written = tuple[LaidOut, list[preflight.Line]]  # where things fall; the cover's preflight


class Whole(enum.Enum):
    """Why the book is laid out in one pass."""

    ASKED = "asked"  # PdfOutput(in_units=False)
    ONE_UNIT = "one unit"  # a book without parts
    FRONT_MATTER_MOVED = "front matter moved"  # `parallel_layout.FrontMatterMoved`


def _render_in_units(
    units: tuple[pdf_units.Unit, ...], package: PrintPackage, screen: Path, jobs: int
) -> Written | Whole:
    """The book laid out in units on `jobs` cores and joined, and the cover spread's
    preflight; or FRONT_MATTER_MOVED when its front matter would not keep its pages (the
    caller lays it out whole)."""
    base_url = str(package.book.root.resolve())
    with tempfile.TemporaryDirectory(prefix="builder-pdf-") as folder:
        try:
            book = parallel_layout.lay_out(units, base_url, Path(folder), package.identifier, jobs,
                                           UnitCache.of_build())  # fmt: skip
        except parallel_layout.FrontMatterMoved:
            return Whole.FRONT_MATTER_MOVED

        # In a child: a join holds every object of the book (about 0.8 GB at 1 000
        # models), and this process's memory would not shrink after it. The screen
        # edition is saved, then made the print interior there, without reading it again.
        # The cover spread needs only the page count, so it is made beside them.
        def editions() -> None:
            identity = {BOOK_ID_KEY: book_id(package.book.config)}
            pages = range(book.cover_pages, book.cover_pages + book.interior_pages)
            table, settings = _press_table(package.book), package.book.config.print
            failure = _("writing the print PDF failed: {reason}")
            with (
                _failing_as(_("joining the PDF's units failed: {reason}")),
                PressSharesAhead(screen, pages, table, settings.profile, failure) as press,
            ):
                join(book.screen_units, screen, _font_files(), identity, book.folios,
                     package.identifier, book.continues, UnitCache.of_build().folder,
                     book.numbers, then=partial(_interior_file, book, package, press))  # fmt: skip

        with (
            _cover_task(package, book.interior_pages) as cover,
            _pictures_task(units, book.screen_units, package),
        ):
            run_forked(editions, _("joining the PDF's units failed: {reason}"))
    laid_out = LaidOut(book.cover_pages, book.interior_pages, book.model_pages, book.starts,
                       book.colophon_last)  # fmt: skip
    return laid_out, cover.result or []


def _pictures_task(
    units: tuple[pdf_units.Unit, ...], written: tuple[Path, ...], package: PrintPackage
) -> ForkedTask[None]:
    """The pictures of the units written converted for the press in a child, beside the
    join (`print_colour.pictures_to_cmyk`), which has the cores first: the build waits on
    it, and on the pictures only after it; only the units with a picture are opened."""
    sources = [path for unit, path in zip(units, written, strict=True) if "<img" in unit.body]
    profile = package.book.config.print.profile
    return ForkedTask(lambda: pictures_to_cmyk(sources, profile),
                      _("writing the print PDF failed: {reason}"), behind=True)  # fmt: skip


def _interior_file(
    book: parallel_layout.BookLayout, package: PrintPackage, press: PressSharesAhead,
    joined: Pdf,
) -> None:  # fmt: skip
    """`_interior_from_units`, its failure said as the print PDF's."""
    with _failing_as(_("writing the print PDF failed: {reason}")):
        _interior_from_units(book, package, press, joined)


class _Said(BuildError):
    """A failure already said as the step it happened in (`_failing_as`)."""


@contextlib.contextmanager
def _failing_as(message: str) -> Iterator[None]:
    """A failure in the block said in `message` (its `{reason}` filled in), unless a step
    inside it already said it in its own."""
    try:
        yield
    except _Said:
        raise
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        raise _Said(message.format(reason=reason)) from exc


def _interior_from_units(
    book: parallel_layout.BookLayout, package: PrintPackage, press: PressSharesAhead,
    joined: Pdf,
) -> None:  # fmt: skip
    """The print interior from the joined screen edition (`joined`, as the join holds it
    once it saved it), finished for the press. The press colours of the screen's pages
    start on every core at once (`press`, forked before the join), reading the saved file;
    the interior is made from `joined` meanwhile, in place."""
    table, settings = _press_table(package.book), package.book.config.print
    press.start()
    with interior_in_place(joined, book.shell, book.cover_pages) as pdf:
        blank = padding(book.interior_pages, settings.signature)
        finish_opened(pdf, package.interior, press.results(), table=table,
                      profile=settings.profile, bleed_mm=INTERIOR_BLEED_MM,
                      blank_pages=blank)  # fmt: skip


def _render_whole(html: str, package: PrintPackage, screen: Path) -> Written:
    """The book in one WeasyPrint layout, both editions written from it."""
    from weasyprint import HTML

    leader_runs.install()
    base_url = str(package.book.root.resolve())
    # A figure too tall for the rest of its page moves below the text that fills the gap
    # (issue 13): a second layout, only when one does.
    html, document = figure_placement.lay_out(
        html, lambda html: HTML(string=html, base_url=base_url).render()
    )
    cover = cover_pages(document)
    pages = len(document.pages) - cover
    interior = package.interior.with_name(package.interior.name + ".part")

    # One layout, two editions, written side by side on two cores: the print files in a
    # forked copy of the layout, the screen edition here. Without fork, the print files are
    # written first and the screen one from a fresh layout, since a written document keeps
    # traces of its writing.
    def print_files() -> None:
        write_interior(document.copy(document.pages[cover:]), interior, package.identifier)
        _finish_interior(interior, package, pages)

    with _cover_task(package, pages) as spread:
        task = ForkedTask(print_files, _("writing the print PDF failed: {reason}"))
        with task:
            fresh = document if task.forked else HTML(string=html, base_url=base_url).render()
            write_screen(fresh, screen, package.identifier,
                         book_id=book_id(package.book.config))  # fmt: skip
    laid_out = LaidOut(
        cover, pages, model_pages(document, cover), page_starts(document, cover),
        colophon_last(document),
    )  # fmt: skip
    return laid_out, spread.result or []


def _finish_interior(interior: Path, package: PrintPackage, pages: int) -> None:
    """The written interior (`interior`, removed) finished for the press: whole signatures,
    press colours, marks."""
    settings = package.book.config.print
    finish_for_press(interior, package.interior, table=_press_table(package.book),
                     profile=settings.profile, bleed_mm=INTERIOR_BLEED_MM,
                     blank_pages=padding(pages, settings.signature))  # fmt: skip


def _cover_task(package: PrintPackage, pages: int) -> ForkedTask[list[preflight.Line]]:
    """The cover spread made and checked in a child, for an interior of `pages` pages
    before its signatures are completed; the join or the editions' writing, which it runs
    beside, have the cores first (`behind`)."""
    return ForkedTask(
        lambda: _cover_spread(package, pages),
        _("writing the cover spread failed: {reason}"),
        behind=True,
    )


def _cover_spread(package: PrintPackage, laid_out: int) -> list[preflight.Line]:
    """The cover spread for the spine of the finished interior, and its preflight lines."""
    book = package.book
    settings = book.config.print
    pages = laid_out + padding(laid_out, settings.signature)
    size = cover_size(book, pages)
    written = package.cover.with_name(package.cover.name + ".part")
    date_iso = build_date(book).strftime("%Y-%m-%dT%H:%M:%SZ")
    with document_id_from(package.identifier + b"-cover"):
        render_cover(book, size, font_faces(), date_iso, written, package.identifier + b"c")
    finish_for_press(written, package.cover, table=_press_table(book), profile=settings.profile,
                     bleed_mm=size.bleed,
                     folds_mm=(size.trim_width, size.trim_width + size.spine))  # fmt: skip
    return [
        *preflight.check_file(
            package.cover, (size.width, size.trim_height), size.bleed, settings.max_ink
        ),
        *preflight.cover_lines(
            package.cover, book, pages, size.spine, size.spine >= settings.spine_text_min_mm
        ),
    ]


def _press_table(book: Book) -> dict[Rgb, Cmyk]:
    return press_colours(book.config.pdf.colours, book.config.pdf.colours_print)


def _preflight(
    book: Book, package: PrintPackage, laid_out: LaidOut, cover_checks: list[preflight.Line],
    *, strict: bool,
) -> Path:  # fmt: skip
    """`preflight.txt` beside the print files (the cover spread's lines are `cover_checks`);
    failing lines are warnings, or with `strict` an error that stops the build."""
    settings = book.config.print
    interior_pages = laid_out.interior_pages + padding(laid_out.interior_pages, settings.signature)
    trim = (book.config.pdf.trim_width_mm, book.config.pdf.trim_height_mm)
    lines = [
        *preflight.check_file(package.interior, trim, INTERIOR_BLEED_MM, settings.max_ink),
        *preflight.interior_lines(
            package.interior, interior_pages, settings.signature, laid_out.colophon_last
        ),
        *cover_checks,
    ]
    path = package.target / PREFLIGHT_NAME
    path.write_text(preflight.report(book, lines), encoding="utf-8")
    failed = [f"{line.file}: {line.label}: {line.value}" for line in lines if not line.passed]
    if failed and strict:
        raise BuildError(
            _("the preflight of the print files failed ({path}): {lines}").format(
                path=PREFLIGHT_NAME, lines="; ".join(failed)
            )
        )
    for line in failed:
        LOG.warning(_("preflight: {line}").format(line=line))
    return path


def _colophon_last(
    starts: dict[int, tuple[str, str]], book: Book, laid_out: int
) -> dict[int, tuple[str, str]]:
    """The starts with the colophon on the print interior's last page, after the blank
    pages that complete its last signature (`finish_for_press`)."""
    blank = padding(laid_out, book.config.print.signature)
    if blank and starts.get(laid_out, ("",))[0] == COLOPHON:
        starts = dict(starts)
        starts[laid_out + blank] = starts.pop(laid_out)
    return starts


def book_html(book: Book, *, draft: bool = False) -> str:
    """The whole book as one HTML document for WeasyPrint; with `draft`, every page says
    “BẢN DỰ THẢO” (`build --for-review`)."""
    config = book.config
    env = environment("pdf")
    date = build_date(book)
    districts = districts_alphabetical(book.entries, config)
    codes = qr_codes(book)
    return env.get_template("book.html").render(
        book=config,
        css=book_css(book),
        font_faces=font_faces(),
        variant="book",
        draft=draft,
        date_iso=date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        year=date.year,
        front_pages=[printed_page(page) for page in book.front_pages],
        back_pages=[printed_page(page) for page in book.back_pages],
        parts=[
            {
                "slug": part.slug,
                "title": part.title,
                "entries": [
                    printed_entry(book, entry, codes[entry.slug]) for entry in part.entries
                ],
            }
            for part in book.parts
        ],
        by_district=districts,
        by_year=group_entries(book.entries, config, "year"),
        colophon=colophon_rows(book),
    )


def book_css(book: Book) -> str:
    """The book's stylesheet (templates/pdf/book.css) with its trim size and colours."""
    config = book.config
    return (
        environment("pdf")
        .get_template("book.css")
        .render(
            trim_width=config.pdf.trim_width_mm,
            trim_height=config.pdf.trim_height_mm,
            colours=config.pdf.colours,
            cover_foreground=config.pdf.colours.cover_foreground,
            cover_accent=config.pdf.colours.cover_accent,
            short_title=config.short_title,
            cmyk_profile=_press_profile(config.print.profile).as_uri(),
        )
    )


def printed_entry(book: Book, entry: Entry, qr: str | None = None) -> PrintedEntry:
    """A model as the book prints it; `qr`, the code of its address, is made if not given."""
    figures = tuple({"url": image.source.as_uri(), "image": image} for image in entry.images)
    if qr is None:
        qr = _qr_code(book.config.base_url, entry.slug)
    return PrintedEntry(entry, printed_body(entry), figures, qr)


QR_SHARE = 250  # codes; fewer are made in this process, more are shared out between cores


def qr_codes(book: Book) -> dict[str, str]:
    """{slug: the QR code of the model's web address, as an SVG data URI}. A code takes
    about 1 ms (zxing-cpp's encoder tries the eight masks in C++; segno took 7 ms in
    Python): they are kept in the cache by address, and many new ones made on every core."""
    base_url = book.config.base_url
    version = code_version("qr-codes")
    key = {
        entry.slug: hashlib.sha256(
            version + _model_address(base_url, entry.slug).encode()
        ).hexdigest()
        for entry in book.entries
    }
    store = render_cache()
    found = {slug: kept.decode() for slug in key if (kept := store.get(key[slug])) is not None}
    new = [slug for slug in key if slug not in found]
    shares = [tuple(new[i] for i in share) for share in shares_of(len(new), QR_SHARE)]
    made = [item for share in forked_map(partial(_qr_codes, base_url), shares) for item in share]
    store.put([(key[slug], code.encode()) for slug, code in made])
    return {**found, **dict(made)}


def _qr_codes(base_url: str, slugs: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(slug, _qr_code(base_url, slug)) for slug in slugs]


def _model_address(base_url: str, slug: str) -> str:
    return urls.absolute(base_url, urls.model(slug))


def _qr_code(base_url: str, slug: str) -> str:
    """The QR code of the model's web address (error correction M, no quiet zone: the
    facts box leaves it room) as an SVG data URI: one path, each run of dark modules in a
    row a line one module wide. WeasyPrint reads a path command by command, in Python: a
    run as a filled rectangle (five commands) took 14.5 ms a code, as a line (two) 8.1 ms;
    one dashed line a row, 8.8 ms (an element costs more than commands)."""
    code = zxingcpp.create_barcode(
        _model_address(base_url, slug), zxingcpp.BarcodeFormat.QRCode, ec_level="M"
    )
    image: Any = code.to_image(add_quiet_zones=False)  # a buffer, 0 dark and 255 light
    modules = memoryview(image)
    height, width = modules.shape or (0, 0)
    rows = modules.tobytes()
    path = "".join(
        f"M{run.start() - y * width} {y}.5h{len(run.group())}"
        for y in range(height)
        for run in _DARK.finditer(rows, y * width, (y + 1) * width)
    )
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
           f'<path d="{path}" fill="none" stroke="#000" stroke-width="1"/></svg>')  # fmt: skip
    return "data:image/svg+xml," + quote(svg)


_DARK = re.compile(rb"\x00+")  # a run of dark modules in a row of the code's image


def printed_body(entry: Entry | Page) -> str:
    """A model's or page's body as the book prints it: footnotes at their calls."""
    body = markdown.render_body(entry.body, entry.body_images, _file_url, entry.slug, lazy=False,
                                model_url=_model_anchor)  # fmt: skip
    return footnotes_at_call_sites(body, entry.slug)


def printed_page(page: Page) -> dict[str, Any]:
    return {"slug": page.slug, "title": page.title, "html": printed_body(page)}


def _model_anchor(slug: str) -> str:
    """A link to another model: its first page in the same document (`mo-hinh-<slug>`)."""
    return "#" + urls.model_anchor(slug)


def _file_url(image: Image) -> str:
    return image.source.as_uri()


def _press_profile(profile: Path) -> Path:
    if not profile.is_file():
        raise BuildError(
            _(
                "the press colour profile {path} is missing: run `make setup` "
                "(it installs Debian's libgs-common)"
            ).format(path=profile)
        )
    return profile


def _font_files() -> list[Path]:
    return [font.path for font in book_fonts()]


def font_faces() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "Charis SIL"; font-weight: {font.weight}; '
        f'font-style: {font.style}; src: url("{font.path.as_uri()}"); }}'
        for font in book_fonts()
    )
