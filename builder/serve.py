"""`builder serve`: the website on 127.0.0.1, rebuilt on every save, the open page reloaded.

A save that breaks an entry keeps the last good site browsable and shows the problems on the
page (and in the terminal). The pages are rebuilt first and the page reloads at once; the
search index follows in the background. Pictures and fonts come from the cache, so an edit
to one model is visible in a fraction of a second on a 100-model book.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from builder.i18n import _, ngettext
from builder.load import LoadMemo, load_book
from builder.outputs.site import PageMemo, SiteWriter
from builder.problems import BuildError
from builder.site_search import IndexRun
from builder.templating import TEMPLATES

Snapshot = tuple[tuple[str, int, int], ...]  # every watched file: name, mtime (ns), size
RELOAD_SCRIPT = '<script src="/__livereload.js"></script></body>'


@dataclass(slots=True)
class Preview:
    """The preview's state: where the site is, which build it is, what went wrong."""

    content: Path
    folder: Path  # the site is written into folder/site
    version: int = 0
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the problems that stop the build
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    memo: LoadMemo = field(default_factory=LoadMemo)  # unchanged files are not read again
    pages: PageMemo = field(default_factory=PageMemo)  # nor unchanged pages rendered again
    templates: Snapshot = ()
    search: IndexRun | None = None

    def rebuild(self, report: Callable[[str], None], state: Snapshot | None = None) -> bool:
        """Load what changed, render the pages whose inputs changed, then the search index
        in the background (the page reloads before it is ready). `state` is the watcher's
        view of the files, so unchanged ones are not even looked at again."""
        started = time.perf_counter()
        with self.lock:
            state = watched_state(watch_roots(self)) if state is None else state
            self.memo.files_seen = {name: (name, mtime, size) for name, mtime, size in state}
            templates = tuple(item for item in state if item[0].startswith(str(TEMPLATES)))
            if templates != self.templates:  # a template may change every page
                self.templates, self.pages = templates, PageMemo()
            loaded = load_book(self.content, self.memo)
            messages = [str(problem) for problem in loaded.problems]
            self.errors = [str(problem) for problem in loaded.problems.errors]
            if loaded.book is None:
                self.problems = messages
                self.version += 1
                report("\n".join([*messages, _("the last good version stays on the page")]))
                return False
            if self.search is not None:
                self.search.stop()
                self.search = None
            writer = SiteWriter(loaded.book, self.folder, with_search=False, memo=self.pages)
            writer.write()
            self.problems = messages
            self.seconds = time.perf_counter() - started
            self.version += 1
        milliseconds = round(self.seconds * 1000)
        report(
            ngettext(
                "rebuilt in {milliseconds} ms with {count} warning",
                "rebuilt in {milliseconds} ms with {count} warnings",
                len(messages),
            ).format(milliseconds=milliseconds, count=len(messages))
            if messages
            else _("rebuilt in {milliseconds} ms").format(milliseconds=milliseconds)
        )
        threading.Thread(target=self._index, args=(writer, self.version), daemon=True).start()
        return True

    def _index(self, writer: SiteWriter, version: int) -> None:
        with self.lock:  # the record pages are shared with the next build
            if version != self.version:  # a newer build came meanwhile and indexes again
                return
            run = self.search = writer.start_search_index()
        with contextlib.suppress(BuildError):  # stopped by a newer build
            run.finish()


def watched_state(paths: list[Path]) -> Snapshot:
    """Every file's name, modification time and size: any save changes it."""
    state = []
    for root in paths:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                info = path.stat()
                state.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(state)


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


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/__status"):
            body = json.dumps({"version": self.preview.version,
                               "problems": self.preview.problems,
                               "errors": self.preview.errors}).encode()  # fmt: skip
            self._send(body, "application/json")
            return
        if self.path == "/__livereload.js":
            script = (TEMPLATES / "site" / "assets" / "livereload.js").read_bytes()
            self._send(script, "application/javascript")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_text(encoding="utf-8").replace("</body>", RELOAD_SCRIPT, 1)
            self._send(page.encode(), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def make_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    site = preview.folder / "site"
    handler = type("Handler", (PreviewHandler,), {"preview": preview})
    return http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(site))
    )


def reset(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
