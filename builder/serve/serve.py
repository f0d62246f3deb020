"""`builder serve`: the website on 127.0.0.1, rebuilt on every save, the open page reloaded.

A save that breaks an entry keeps the last good site browsable and shows the problems on the
page (and in the terminal). The pages are rebuilt first and the page reloads at once; the
search index follows in the background. Pictures and fonts come from the cache, so an edit
to one model is visible in a fraction of a second on a 100-model book.

Each serve process writes its site into a folder of its own under `.cache/`, locked while it
lives: two previews of two books never share pages, and a serve killed with `kill -9` leaves
a folder the next one removes. The server answers only GET and HEAD for files the last build
wrote, only to a browser that asks for 127.0.0.1 or localhost (a web page elsewhere cannot
read the preview through DNS rebinding), and anything malformed with one line in the
terminal, never a traceback. Each model's preview links to its print preview (“Xem bản in”,
builder.outputs.pdf.page_preview): its pages as the book prints them, laid out on demand.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import mimetypes
import os
import re
import signal
import stat
import sys
import threading
import time
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from types import FrameType

from builder.book import urls
from builder.book.model import STATUSES, Book
from builder.load import reviews
from builder.load.loader import LoadMemo, load_book
from builder.outputs.pdf.page_preview import PREVIEW_ROUTE, PrintPreviews, preview_address
from builder.outputs.site.output import PageMemo, SiteWriter
from builder.outputs.site.site_search import IndexRun
from builder.render.editions import PAGE_MAP_NAME
from builder.render.templating import TEMPLATES, environment
from builder.review_round.book_status import book_status
from builder.util.cache import cache_path
from builder.util.errors import BuildError
from builder.util.folder_swap import staged
from builder.util.i18n import _, ngettext
from builder.util.problems import shown_path

Snapshot = tuple[tuple[str, int, int], ...]  # every watched file: name, mtime (ns), size
RELOAD_SCRIPT = '<script src="/__livereload.js"></script></body>'
SEARCH_FOLDER = "pagefind"  # written by the search index in the background, never pruned
STATUS_PAGE = "/__tinh-trang"  # where the book stands: editors only, never published


@dataclass(slots=True)
class Preview:
    """The preview's state: where the site is, which build it is, what went wrong."""

    content: Path
    folder: Path  # the site is written into folder/site
    version: int = 0
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the problems that stop the build
    seconds: float = 0.0
    building_since: float | None = None  # time.monotonic() while a rebuild runs
    lock: threading.Lock = field(default_factory=threading.Lock)
    memo: LoadMemo = field(default_factory=LoadMemo)  # unchanged files are not read again
    pages: PageMemo = field(default_factory=PageMemo)  # nor unchanged pages rendered again
    review_files: reviews.ReviewMemo = field(default_factory=reviews.ReviewMemo)  # parsed once
    pictures: dict[str, tuple[str, ...]] = field(default_factory=dict)  # image: its files
    templates: Snapshot = ()
    search: IndexRun | None = None
    book: Book | None = None  # the last good build's book, for the print previews
    # “Xem bản in”: the page map of the last full build gives each model's first folio
    prints: PrintPreviews = field(
        default_factory=lambda: PrintPreviews(Path("output", PAGE_MAP_NAME))
    )

    def rebuild(self, report: Callable[[str], None], state: Snapshot | None = None) -> bool:
        """Load what changed, render the pages whose inputs changed, then the search index
        in the background (the page reloads before it is ready). `state` is the watcher's
        view of the files, so unchanged ones are not even looked at again."""
        started = time.perf_counter()
        self.building_since = time.monotonic()
        try:
            with self.lock:
                writer = self._build(report, state)
                if writer is None:
                    return False
                self.seconds = time.perf_counter() - started
                self.version += 1
        finally:
            self.building_since = None
        milliseconds, count = round(self.seconds * 1000), len(self.problems)
        report(
            ngettext(
                "rebuilt in {milliseconds} ms with {count} warning",
                "rebuilt in {milliseconds} ms with {count} warnings",
                count,
            ).format(milliseconds=milliseconds, count=count)
            if count
            else _("rebuilt in {milliseconds} ms").format(milliseconds=milliseconds)
        )
        threading.Thread(target=self._index, args=(writer, self.version), daemon=True).start()
        return True

    def _build(self, report: Callable[[str], None], state: Snapshot | None) -> SiteWriter | None:
        """The site written (under the lock), or None with the problems reported."""
        state = watched_state(watch_roots(self)) if state is None else state
        self.memo.files_seen = {name: (name, mtime, size) for name, mtime, size in state}
        templates = tuple(item for item in state if item[0].startswith(str(TEMPLATES)))
        if templates != self.templates:  # a template may change every page
            self.templates, self.pages = templates, PageMemo()
        loaded = load_book(self.content, self.memo)
        messages = [str(problem) for problem in loaded.problems]
        self.errors = [str(problem) for problem in loaded.problems.errors]
        if loaded.book is not None:
            self.stop_search()
            writer = SiteWriter(loaded.book, self.folder, with_search=False, memo=self.pages)
            try:
                writer.write()
            except (BuildError, OSError) as exc:
                self.pages = PageMemo()  # some pages may be half written: all of them next time
                self.errors = [f"{_('error')}: {exc}"]
                messages += self.errors
            else:
                self._remove_unwritten(writer)
                self.problems, self.book = messages, loaded.book
                return writer
        self.problems = messages
        self.version += 1
        report("\n".join([*messages, _("the last good version stays on the page")]))
        return None

    def _remove_unwritten(self, writer: SiteWriter) -> None:
        """Delete what the last build did not write (a removed model's page, a year's list
        nobody is in any more, their pictures): the preview answers 404 for them, as the
        published site would. A page unchanged since the build before is in `written`
        too; a picture is kept while an entry still shows it."""
        for name, picture in writer.pictures.items():
            self.pictures[name] = tuple(variant.name for variant in picture.variants)
        site = self.folder / "site"
        keep = {path.relative_to(site).as_posix() for path in writer.written}
        keep |= {
            f"images/{file}"
            for image in writer.book.images
            for file in self.pictures.get(image.output_name, ())
        }
        for folder, _folders, files in os.walk(site, topdown=False):
            relative = Path(folder).relative_to(site).as_posix()
            if relative == SEARCH_FOLDER or relative.startswith(SEARCH_FOLDER + "/"):
                continue
            for name in files:
                path = name if relative == "." else f"{relative}/{name}"
                if path not in keep:
                    Path(folder, name).unlink(missing_ok=True)
                    self.pages.keys.pop(path, None)  # written again if it comes back
            if relative != "." and not os.listdir(folder):
                with contextlib.suppress(OSError):
                    os.rmdir(folder)

    def _index(self, writer: SiteWriter, version: int) -> None:
        with self.lock:  # the record pages are shared with the next build
            if version != self.version:  # a newer build came meanwhile and indexes again
                return
            run = self.search = writer.start_search_index()
        if run is None:  # no record changed since the shards were indexed
            return
        with contextlib.suppress(BuildError):  # stopped by a newer build
            run.finish()

    def stop_search(self) -> None:
        if self.search is not None:
            self.search.stop()
            self.search = None

    def status_page(self) -> str:
        """/__tinh-trang: where the book stands (`builder status`), for the editors only."""
        with self.lock:  # the memo is the rebuild's too
            try:
                found = book_status(self.content, self.memo, self.review_files)
            except BuildError as exc:  # a damaged review file
                found, problem = None, str(exc)
            else:
                problem = _("book.yaml has errors: see the terminal")
        if found is None:
            return _editor_page("editor-problem.html", problem=problem)
        title = self.memo.config[1].title if self.memo.config and self.memo.config[1] else ""
        return _editor_page("editor-status.html", status=found, statuses=STATUSES, title=title)

    def comments_panel(self, slug: str) -> str:
        """The delegates' open comments on one model, put beside its preview."""
        problem = ""
        try:
            found = reviews.comments_for(self.content, slug, self.review_files)
        except BuildError as exc:  # a damaged review file, or a link leading out of reviews/
            found, problem = (), str(exc)
        opened = [comment for comment in found if comment.status == "open"]
        file = shown_path(reviews.reviews_folder(self.content) / f"{slug}.yaml")
        return _editor_page("preview-comments.html", comments=opened, problem=problem, file=file)

    def print_link(self, slug: str) -> str:
        """“Xem bản in”: the link to the model's print preview, put beside its preview."""
        folio = self.prints.folio(slug)
        return _editor_page("preview-print-link.html", href=preview_address(slug), folio=folio)

    def print_pdf(self, slug: str) -> bytes:
        """The model's pages as the book prints them; KeyError for a model not in the book."""
        book = self.book
        if book is None:
            raise KeyError(slug)
        return self.prints.pdf(book, slug, self.templates)

    def status(self) -> dict[str, object]:
        """What /__status tells the open page: a rebuild that hangs (a file that never
        finishes reading) shows as `building` for ever, not as all well."""
        since = self.building_since
        return {
            "version": self.version,
            "problems": self.problems,
            "errors": self.errors,
            "building": since is not None,
            "building_seconds": None if since is None else round(time.monotonic() - since, 1),
        }


def _editor_page(template: str, **values: object) -> str:
    return environment("site").get_template(template).render(**values)


def watched_state(paths: list[Path]) -> Snapshot:
    """Every file's name, modification time and size: any save changes it. A file an
    editor removes while we look (a swap file) is simply not there."""
    state = []
    for root in paths:
        for folder, _folders, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    state.append((path, info.st_mtime_ns, info.st_size))
    return tuple(sorted(state))


def watch_roots(preview: Preview) -> list[Path]:
    return [preview.content, TEMPLATES]


def watch(
    preview: Preview,
    report: Callable[[str], None],
    stop: threading.Event,
    interval: float = 0.2,
    seen: Snapshot | None = None,
) -> None:
    """Rebuild whenever a file under content/ or templates/ changes (polled: no extra
    dependency, and it works the same on every file system). `seen` is the state the last
    build used; taken now when not given."""
    roots = watch_roots(preview)
    seen = watched_state(roots) if seen is None else seen
    while not stop.wait(interval):
        now = watched_state(roots)
        if now != seen:
            seen = now
            preview.rebuild(report, now)


class RequestRefused(Exception):
    """A request answered with an error status and a one-line reason."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


MAX_TARGET = 2048  # characters of a request target: the site's addresses are far shorter
MAX_NAME = 255  # bytes of one part of a path: no file system holds a longer name
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a method name (RFC 9110)
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def request_path(target: str) -> tuple[str, str]:
    """The decoded path a request target asks for, and its raw form; `RequestRefused` (400 or
    414) when the target is malformed: bad percent-encoding, not UTF-8, a control
    character (NUL), a `.` or `..` part, or too long."""
    if len(target) > MAX_TARGET:
        raise RequestRefused(HTTPStatus.REQUEST_URI_TOO_LONG, _("the address is too long"))
    raw = target.split("?", 1)[0].split("#", 1)[0]
    malformed = RequestRefused(HTTPStatus.BAD_REQUEST, _("the address is malformed"))
    if not raw.startswith("/") or BAD_PERCENT.search(raw):
        raise malformed
    try:  # the request line was read as Latin-1: these are its bytes
        path = urllib.parse.unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        raise malformed from None
    if any(unicodedata.category(character) == "Cc" for character in path):
        raise RequestRefused(HTTPStatus.BAD_REQUEST, _("the address holds a control character"))
    parts = path.split("/")
    if any(part in (".", "..") for part in parts):
        raise malformed
    if any(len(part.encode()) > MAX_NAME for part in parts):
        raise RequestRefused(HTTPStatus.REQUEST_URI_TOO_LONG, _("the address is too long"))
    return path, raw


class PreviewServer(http.server.ThreadingHTTPServer):
    """The preview on 127.0.0.1, one thread per request."""

    request_queue_size = 128  # the default 5 drops connections under a few dozen clients

    def __init__(self, preview: Preview, port: int, log: Callable[[str], None]) -> None:
        super().__init__(("127.0.0.1", port), PreviewHandler)
        self.preview = preview
        self.log = log
        bound = self.server_address[1]
        names = ("127.0.0.1", "localhost")
        self.hosts = frozenset(
            [f"{name}:{bound}" for name in names] + (list(names) if bound == 80 else [])
        )

    def handle_error(self, request: object, client_address: object) -> None:
        """One line in the terminal instead of the standard traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the browser went away (a reload, a closed tab)
        address = client_address[0] if isinstance(client_address, tuple) else client_address
        self.log(
            _("serve: could not answer {client}: {reason}").format(
                client=address, reason=printable(repr(error))
            )
        )


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    timeout = 30  # a client that sends nothing does not hold a thread for ever
    site_path = raw_path = "/"

    def log_message(self, format: str, *args: object) -> None:
        pass  # every request is not worth a line; refusals are (see send_error)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False  # answered already (400, 414, 431, 505)
        try:
            self._check()
        except RequestRefused as refusal:
            self.send_error(refusal.status, refusal.reason)
            return False
        return True

    def _check(self) -> None:
        """Only GET and HEAD, one Host header that names this server, a clean path."""
        if self.request_version == "HTTP/0.9":  # no headers, so no Host: no browser sends it
            raise RequestRefused(HTTPStatus.BAD_REQUEST, _("the request is malformed"))
        if not TOKEN.fullmatch(self.command):
            raise RequestRefused(HTTPStatus.BAD_REQUEST, _("the method is malformed"))
        if self.command not in ("GET", "HEAD"):
            raise RequestRefused(HTTPStatus.METHOD_NOT_ALLOWED, _("only GET and HEAD are answered"))
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            raise RequestRefused(HTTPStatus.BAD_REQUEST, _("the request needs one Host header"))
        if hosts[0].strip().lower() not in self.server.hosts:
            raise RequestRefused(
                HTTPStatus.MISDIRECTED_REQUEST,
                _("this server answers only to {hosts}").format(
                    hosts=", ".join(sorted(self.server.hosts))
                ),
            )
        self.site_path, self.raw_path = request_path(self.path)

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        preview = self.server.preview
        if self.site_path == "/__status":
            self._send(json.dumps(preview.status()).encode(), "application/json", with_body)
            return
        if self.site_path == STATUS_PAGE:
            self._send(preview.status_page().encode(), "text/html; charset=utf-8", with_body)
            return
        if self.site_path.startswith(PREVIEW_ROUTE) and self.site_path.endswith(".pdf"):
            self._print_preview(self.site_path[len(PREVIEW_ROUTE) : -len(".pdf")], with_body)
            return
        if self.site_path == "/__livereload.js":
            script = (TEMPLATES / "site" / "assets" / "livereload.js").read_bytes()
            self._send(script, "text/javascript; charset=utf-8", with_body)
            return
        site = preview.folder / "site"
        path = site.joinpath(*[part for part in self.site_path.split("/") if part])
        try:
            if path.is_dir():
                if not (path / "index.html").is_file():
                    raise FileNotFoundError(path)  # no folder listings
                if not self.site_path.endswith("/"):  # relative links need the slash
                    self._redirect("/" + "/".join(p for p in self.raw_path.split("/") if p) + "/")
                    return
                path = path / "index.html"
            if not os.path.realpath(path).startswith(os.path.realpath(site) + os.sep):
                raise FileNotFoundError(path)
            data = path.read_bytes()
        except OSError:  # not there, or removed by a rebuild meanwhile
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if path.suffix == ".html":
            page = data.decode("utf-8", "replace")
            if self.site_path == "/" + urls.model(path.stem):
                editor = preview.print_link(path.stem) + preview.comments_panel(path.stem)
                page = page.replace("</body>", editor + "</body>", 1)
            page = page.replace("</body>", RELOAD_SCRIPT, 1)
            self._send(page.encode(), "text/html; charset=utf-8", with_body)
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._send(data, kind, with_body)

    def _print_preview(self, slug: str, with_body: bool) -> None:
        try:
            data = self.server.preview.print_pdf(slug)
        except KeyError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        except (BuildError, OSError) as exc:
            self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc))
            return
        self._send(data, "application/pdf", with_body)

    def _send(self, body: bytes, kind: str, with_body: bool = True) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A short plain-text answer; a refused request also gets one line in the terminal
        (a missing page does not: browsers ask for /favicon.ico on their own)."""
        status = HTTPStatus(code)
        reason = message or status.phrase
        if status != HTTPStatus.NOT_FOUND:
            request = printable(getattr(self, "requestline", ""))
            self.server.log(f'{self.client_address[0]} "{request}": {code} {printable(reason)}')
        body = f"{code} {status.phrase}\n{reason}\n".encode()
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # a status line, even before the request's own
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, HEAD")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)


def printable(text: str, limit: int = 200) -> str:
    """`text` safe to print on a terminal: control characters (an escape sequence sent by
    a client) written as \\xNN, and at most `limit` characters."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def make_server(
    preview: Preview, port: int, log: Callable[[str], None] = _to_stderr
) -> PreviewServer:
    """The preview's server on 127.0.0.1:`port` (0: any free port), not started."""
    return PreviewServer(preview, port, log)


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A folder for this serve process alone under `.cache/`, locked while it lives and
    removed when it stops; folders of serve processes that died are removed first (the
    same locked staging folders as builds use: builder.util.folder_swap)."""
    with staged(cache_path("serve")) as staging:
        (staging.folder / "site").mkdir()
        yield staging.folder


def serve_until_stopped(
    server: PreviewServer, preview: Preview, report: Callable[[str], None], seen: Snapshot
) -> None:
    """Answer requests and rebuild on every save until Ctrl-C, SIGTERM or SIGHUP."""
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, report, stop, 0.2, seen), daemon=True)
    watcher.start()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # ends serve_forever below, and the scratch folder with it

    signals = (signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.signal(number, interrupt) for number in signals}
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        stop.set()
        server.server_close()
        preview.stop_search()  # not under the lock: a rebuild that hangs must not stop Ctrl-C
