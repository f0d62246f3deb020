"""The book laid out in units (`pdf_units`) on every core: one forked process per unit, at
most `jobs` at a time, in the book's order.

A unit's pages do not depend on the units before it, only its folios and the side it starts
on do; so every unit paginates at once, tells this process its page count, and waits there
for the count of folios before it (`pagination_hook`) before it makes its margin boxes and
writes. The table of contents is paginated first with placeholder numbers, only to count
its pages; the indexes start once every other unit is paginated, with their literal page
numbers; the table of contents is laid out again last, with its literal numbers, and must
keep its count (otherwise `FrontMatterMoved`: the caller lays the book out in one pass).

A unit laid out before with the same HTML and files (`unit_cache`) is not laid out again: its
pagination and written pages come from the cache, so a build after one model changed lays out
that model, and the table of contents and the indexes if their numbers moved.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from builder.outputs.pdf.layout.page_map import PAGE_ANCHORS
from builder.outputs.pdf.layout.pdf_units import Unit, leading_pages
from builder.outputs.pdf.layout.unit_cache import KeptUnit, UnitCache
from builder.outputs.pdf.layout.unit_layout import (
    SharedStyle,
    UnitJob,
    UnitPages,
    UnitWritten,
    lay_out_unit,
    written_variant,
)
from builder.outputs.pdf.weasyprint_loading import import_weasyprint
from builder.outputs.pdf.write.pdf_writing import shell_for_book
from builder.util.errors import BuildError
from builder.util.i18n import _
from builder.util.parallel import start_child

LOG = logging.getLogger("builder")


class FrontMatterMoved(Exception):
    """The table of contents' pages changed with its literal page numbers."""


@dataclass(frozen=True, slots=True)
class BookLayout:
    """The units written, and where things fall in the book they make."""

    screen_units: tuple[Path, ...]
    folios: tuple[tuple[int, dict[int, int]], ...]  # each unit's, for the join (`pdf_join`)
    shell: Path  # the print interior's PDF/X-4 parts (`interior_from_screen`)
    cover_pages: int  # the screen edition's pages before the half title
    interior_pages: int  # laid out from the half title on, before any signature padding
    model_pages: dict[str, int]  # `page_map.model_pages`
    starts: dict[int, tuple[str, str]]  # `page_map.page_starts`
    colophon_last: bool
    continues: tuple[bool, ...]  # each unit's: whether it continues a part (`pdf_join`)
    numbers: tuple[tuple[int, ...], ...]  # each unit's: the page numbers it prints (`pdf_join`)


@dataclass(slots=True)
class _Book:
    """What the parent knows so far."""

    units: tuple[Unit, ...]
    counted_unit: int | None = None  # the table of contents: counted first
    counted: UnitPages | None = None
    paginated: dict[int, UnitPages] = field(default_factory=dict)
    written: dict[int, UnitWritten] = field(default_factory=dict)

    def pages_of(self, unit: int) -> UnitPages | None:
        if unit == self.counted_unit and unit not in self.paginated:
            return self.counted
        return self.paginated.get(unit)

    def befores(self) -> list[int]:
        """The folios before each unit, as far as the units before it are paginated (and one
        past the last unit): read once for a pass over many units, not once per unit (at
        1 000 models, seconds of this process's time in a build after an edit)."""
        found, before = [], 0
        for index, unit in enumerate(self.units):
            found.append(before)
            pages = self.pages_of(index)
            if pages is None:
                return found
            before += pages.folios(unit.kind, before)
        return [*found, before]

    def folios_before(self, unit: int, befores: list[int] | None = None) -> int | None:
        befores = self.befores() if befores is None else befores
        return befores[unit] if unit < len(befores) else None

    def counted_from(self, unit: int, befores: list[int] | None = None) -> int:
        """The unit's page counter's value before its first page in the book."""
        before = self.folios_before(unit, befores) or 0
        return before - leading_pages(self.units[unit].kind, before)

    def folios(self) -> dict[str, int]:
        """{anchor: folio} of every unit paginated so far."""
        found: dict[str, int] = {}
        befores = self.befores()
        for unit, pages in sorted(self.paginated.items()):
            first = self.counted_from(unit, befores) - pages.cover_pages + 1
            for anchor, index in pages.anchors.items():
                found.setdefault(anchor, first + index)
        return found


@dataclass(frozen=True, slots=True)
class _Job:
    unit: int
    count_only: bool
    ready: Callable[[_Book], bool]
    html: Callable[[_Book], str]


def lay_out(
    units: tuple[Unit, ...], base_url: str, folder: Path, identifier: bytes, jobs: int,
    cache: UnitCache | None = None,
) -> BookLayout:  # fmt: skip
    """Lay out and write every unit into `folder`, or take it from `cache`; BuildError when
    one fails."""
    toc = next((unit for unit in units if unit.kind == "toc"), None)
    book = _Book(units, toc.index if toc is not None else None)
    numbered = [unit.index for unit in units if unit.needs_other_folios]
    at_once = [unit.index for unit in units if not unit.needs_other_folios]
    others = [unit.index for unit in units if unit is not toc]

    def all_paginated(indexes: list[int]) -> Callable[[_Book], bool]:
        return lambda book: all(index in book.paginated for index in indexes)

    queue: list[_Job] = []
    if toc is not None:  # counted first, with placeholder numbers
        queue.append(_Job(toc.index, True, lambda book: True, lambda book: toc.html(None)))
    queue += [_Job(i, False, lambda book: True, _html_of(units[i])) for i in at_once]
    queue += [_Job(i, False, all_paginated(at_once), _numbered_html_of(units[i]))
              for i in numbered if units[i] is not toc]  # fmt: skip
    if toc is not None:
        queue.append(_Job(toc.index, False, all_paginated(others), _numbered_html_of(toc)))
    kept = _Kept(book, cache or UnitCache(None), folder, base_url)
    unit_job = partial(_unit_job, kept=kept)
    style = SharedStyle.parse(units[0].style, base_url)
    if "fork" in multiprocessing.get_all_start_methods():
        gc.freeze()  # what the workers inherit is not theirs to collect
        _run_forked(queue, book, unit_job, jobs, kept, style)
    else:
        _run_here(queue, book, unit_job, style)
    shell_for_book(_shell(folder), identifier)
    if kept.restored:
        LOG.info(_("pdf: {kept} of {units} units kept from an earlier build, {laid} laid out")
                 .format(kept=len(kept.restored), units=len(units),
                         laid=len(units) - len(kept.restored)))  # fmt: skip
    return _layout(book, folder)


def load_weasyprint() -> None:
    """WeasyPrint (with its Pango bindings) takes most of a second to import; imported
    here, before the first fork, every worker and every later child (the join, the print
    files) has it without paying that second again. Its typefaces are made ready with the
    book's stylesheet (`SharedStyle`)."""
    import_weasyprint()


def _load_for_the_join() -> None:
    """fontTools' subsetter, for the join forked from this process after the layout
    (`font_union`): imported while the workers lay out, not before they start (unless the
    typefaces were made ready before, `output._load_for_layout`)."""
    import fontTools.subset  # noqa: F401


def _html_of(unit: Unit) -> Callable[[_Book], str]:
    """The HTML of a unit that prints no number of another unit's page."""
    return lambda book: unit.html({})


def _numbered_html_of(unit: Unit) -> Callable[[_Book], str]:
    """The HTML of the table of contents or an index, with the page numbers it prints."""
    return lambda book: unit.html(book.folios())


def _layout(book: _Book, folder: Path) -> BookLayout:
    front = book.paginated[0]
    counted = book.counted_unit
    if counted is not None and book.counted is not None \
            and book.counted.pages != book.paginated[counted].pages:  # fmt: skip
        raise FrontMatterMoved
    folios, befores = book.folios(), book.befores()
    starts: dict[int, tuple[str, str]] = {}
    for unit, written in sorted(book.written.items()):
        before = befores[unit]
        starts.update((before + local, start) for local, start in written.starts.items())
    indexes = range(len(book.units))
    return BookLayout(
        screen_units=tuple(_screen(folder, i) for i in indexes),
        folios=tuple((book.counted_from(i, befores), book.written[i].folios) for i in indexes),
        shell=_shell(folder),
        cover_pages=front.cover_pages,
        interior_pages=befores[len(book.units)],
        model_pages={a: page for a, page in folios.items() if a.startswith(PAGE_ANCHORS)},
        starts=starts,
        colophon_last=book.written[len(book.units) - 1].colophon_last,
        continues=tuple(unit.kind == "model" for unit in book.units),
        numbers=tuple(unit.printed(folios) for unit in book.units),
    )


def _screen(folder: Path, unit: int) -> Path:
    return folder / f"unit-{unit:03d}-screen.pdf"


def _shell(folder: Path) -> Path:
    return folder / "interior-shell.pdf"


def _unit_job(job: _Job, *, kept: _Kept) -> UnitJob:
    return UnitJob(
        job.unit, kept.book.units[job.unit].kind, kept.html(job), kept.base_url, job.count_only,
        _screen(kept.folder, job.unit), _shell(kept.folder) if _writes_shell(job) else None,
    )  # fmt: skip


def _writes_shell(job: _Job) -> bool:
    return job.unit == 0 and not job.count_only


@dataclass(slots=True)
class _Kept:
    """The jobs' units in the cache: their HTML and key, what was kept, what to keep."""

    book: _Book
    cache: UnitCache
    folder: Path
    base_url: str
    htmls: dict[int, tuple[str, str]] = field(default_factory=dict)  # id(job): html, key
    restored: set[int] = field(default_factory=set)  # units whose written pages were kept

    def html(self, job: _Job) -> str:
        return self._of(job)[0]

    def key(self, job: _Job) -> str:
        return self._of(job)[1]

    def _of(self, job: _Job) -> tuple[str, str]:
        if id(job) not in self.htmls:
            html = job.html(self.book)
            unit = self.book.units[job.unit]
            key = self.cache.key(unit.style + html, unit.kind, self.base_url)
            self.htmls[id(job)] = (html, key)
        return self.htmls[id(job)]

    def pages(self, job: _Job) -> UnitPages | None:
        return self.cache.pages(self.key(job))

    def restore(self, job: _Job, before: int) -> bool:
        """The unit's written files put in place from the cache, if it has them."""
        pages = self.book.paginated[job.unit]
        kind = self.book.units[job.unit].kind
        found = self.cache.written(self.key(job), written_variant(kind, before, pages.pages))
        if found is None or (found.shell is None) == _writes_shell(job):
            return False
        _screen(self.folder, job.unit).write_bytes(found.screen)
        if found.shell is not None:
            _shell(self.folder).write_bytes(found.shell)
        _done(self.book, job, found.written)
        self.restored.add(job.unit)
        return True

    def keep(self, job: _Job, result: UnitPages | UnitWritten, before: int | None = None) -> None:
        """Keep a unit's pagination, or its written pages laid out after `before` folios."""
        if isinstance(result, UnitPages):
            self.cache.keep_pages(self.key(job), result)
            return
        if before is None:
            return
        pages = self.book.paginated[job.unit]
        shell = _shell(self.folder).read_bytes() if _writes_shell(job) else None
        kept = KeptUnit(result, _screen(self.folder, job.unit).read_bytes(), shell)
        variant = written_variant(self.book.units[job.unit].kind, before, pages.pages)
        self.cache.keep_written(self.key(job), variant, kept)


def _done(book: _Book, job: _Job, result: Any) -> None:
    if job.count_only:
        book.counted = result
    else:
        book.written[job.unit] = result


def _run_here(queue: list[_Job], book: _Book, unit_job: Callable[[_Job], UnitJob],
              style: SharedStyle) -> None:  # fmt: skip
    """Where processes cannot be forked: the units one after the other, in this process
    (in the book's order, every unit's folios are known when it is paginated)."""
    for job in queue:
        assert job.ready(book), job

        def folios_before(pages: UnitPages, unit: int = job.unit) -> int:
            book.paginated[unit] = pages
            before = book.folios_before(unit)
            assert before is not None
            return before

        _done(book, job, lay_out_unit(unit_job(job), folios_before, style))


def _from_cache(queue: list[_Job], pending: list[_Job], laid_out: list[_Job], kept: _Kept
                ) -> None:  # fmt: skip
    """Take what the cache has: the pagination of the units at the head of `queue` (then
    `pending`), the written pages of `pending` units once their folios are known (otherwise
    they go to `laid_out`)."""
    book = kept.book
    while True:
        befores = book.befores()
        for job in list(pending):
            before = book.folios_before(job.unit, befores)
            if before is not None:
                pending.remove(job)
                if not kept.restore(job, before):
                    laid_out.append(job)
        if not (queue and queue[0].ready(book)):
            return
        pages = kept.pages(queue[0])
        if pages is None:
            return
        job = queue.pop(0)
        if job.count_only:
            book.counted = pages
        else:
            book.paginated[job.unit] = pages
            pending.append(job)


def _run_forked(
    queue: list[_Job], book: _Book, unit_job: Callable[[_Job], UnitJob], jobs: int,
    kept: _Kept, style: SharedStyle,
) -> None:  # fmt: skip
    """The units on `jobs` workers forked once, each laying out one unit after another
    (a process forked for each unit cost a tenth of a second of the kernel's and Python's
    time at a hundred units, and started with cold caches)."""
    context = multiprocessing.get_context("fork")
    idle: list[tuple[Connection, Any]] = []
    running: dict[Connection, tuple[_Job, Any]] = {}
    waiting: dict[Connection, int] = {}  # paginated units waiting for their folios
    pending: list[_Job] = []  # paginated from the cache, their folios not yet known
    laid_out: list[_Job] = []  # paginated from the cache, their pages not kept
    workers: list[Any] = []
    # The worker that counted the table of contents' pages, kept for its last layout: that
    # starts as soon as the indexes are paginated, beside their writing, in a process whose
    # caches hold the table of contents (a fresh one took half as long again).
    reserved: list[tuple[Connection, Any]] = []
    loaded = False
    told: dict[int, int] = {}  # the folios before each unit, as sent to its worker
    try:
        while True:
            while True:  # start what can start: kept units are taken, not laid out
                _from_cache(queue, pending, laid_out, kept)
                if reserved and queue and _last_of_toc(queue[0], book) \
                        and queue[0].ready(book):  # fmt: skip
                    ours, process = reserved.pop()
                    job = queue.pop(0)
                    ours.send(unit_job(job))
                    running[ours] = (job, process)
                    continue
                if len(running) >= jobs:
                    break
                if laid_out:
                    job = laid_out.pop(0)
                elif queue and queue[0].ready(book):
                    job = queue.pop(0)
                else:
                    break
                if not idle:
                    ours, theirs = context.Pipe()
                    process = context.Process(target=_work, args=(theirs, os.getpid(), style),
                                              daemon=True)  # fmt: skip
                    process.start()
                    theirs.close()
                    workers.append(process)
                    idle.append((ours, process))
                ours, process = idle.pop()
                ours.send(unit_job(job))
                running[ours] = (job, process)
            if not running:
                if queue or pending or laid_out:
                    raise BuildError(_("the PDF's units could not be scheduled"))
                break
            if not loaded:
                _load_for_the_join()
                loaded = True
            for connection in wait(list(running)):
                assert isinstance(connection, Connection)
                job, process = running[connection]
                try:
                    kind, payload = connection.recv()
                except EOFError:
                    kind, payload = "failed", (_("the worker stopped"), "")
                if kind == "failed":
                    reason, details = payload
                    LOG.debug("%s", details)
                    raise BuildError(_("laying out the PDF failed: {reason}").format(reason=reason))
                if kind == "paginated":
                    book.paginated[job.unit] = payload
                    kept.keep(job, payload)
                    waiting[connection] = job.unit
                    continue
                _done(book, job, payload)
                kept.keep(job, payload, told.get(job.unit))
                del running[connection]
                if job.count_only and jobs > 1:
                    reserved.append((connection, process))
                else:
                    idle.append((connection, process))
            befores = book.befores()
            for connection, unit in list(waiting.items()):
                before = book.folios_before(unit, befores)
                if before is not None:
                    connection.send(before)
                    told[unit] = before
                    del waiting[connection]
    finally:
        for connection, _process in [*idle, *reserved]:
            with contextlib.suppress(OSError):
                connection.send(None)
        for process in workers:
            if process.is_alive() and any(process is p for _job, p in running.values()):
                process.terminate()
            process.join()


def _last_of_toc(job: _Job, book: _Book) -> bool:
    """Whether `job` is the table of contents' last layout, with its literal numbers."""
    return job.unit == book.counted_unit and not job.count_only


def _work(connection: Connection, parent: int, style: SharedStyle) -> None:
    """A worker: lay out each job the parent sends until it sends None, asking the parent
    for the folios before the unit at pagination."""
    start_child(parent)

    def folios_before(pages: UnitPages) -> int:
        connection.send(("paginated", pages))
        before: int = connection.recv()
        return before

    try:
        while (job := connection.recv()) is not None:
            connection.send(("done", lay_out_unit(job, folios_before, style)))
    except BaseException as exc:  # report, then leave with a failure code
        with contextlib.suppress(OSError):
            connection.send(("failed", (str(exc) or type(exc).__name__, traceback.format_exc())))
        connection.close()
        os._exit(1)
    connection.close()
    os._exit(0)
