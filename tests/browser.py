"""A real browser on a real server: the built site served on a loopback port (gzip, like a
production server) and driven in Debian's Chromium through Playwright."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page

from builder.book import urls

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml",
                    "application/xml", "application/atom+xml")  # fmt: skip


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip for text, as nginx's `gzip on` would serve them."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "application/javascript",
        ".woff2": "font/woff2",
        ".webp": "image/webp",
        ".pagefind": "application/octet-stream",
    }

    mount = "/"  # where the site is served: `/`, or a path like `/dan-van-kheo/`
    error_page = False  # answer a missing address with the site's 404.html, as nginx would

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        status = 200
        path: Path | None = None
        if self.path.startswith(self.mount):
            path = Path(self.translate_path("/" + self.path.removeprefix(self.mount)))
            if path.is_dir():
                path = path / "index.html"
        if path is None or not path.is_file():
            if not self.error_page:
                self.send_error(404)
                return None
            status, path = 404, Path(self.directory) / "404.html"
        body = path.read_bytes()
        kind = self.guess_type(str(path))
        if kind.startswith(COMPRESSED_TYPES) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, mtime=0)
            self.send_response(status)
            self.send_header("Content-Encoding", "gzip")
        else:
            self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


@contextlib.contextmanager
def serve(folder: Path, mount: str = "/", *, error_page: bool = False) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 at the path `mount` and yield its base URL; with
    `error_page`, a missing address gets the site's 404.html (nginx's `error_page 404`)."""
    handler = type("Handler", (SiteHandler,), {"mount": mount, "error_page": error_page})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{mount}"
    finally:
        server.shutdown()
        server.server_close()


FINISHED = re.compile(r"^(Tìm thấy|Không tìm thấy)")


CARDS = """cards => cards.map(card => ({
    href: card.querySelector("a").pathname.split("/").slice(-2).join("/"),
    title: card.querySelector("a").textContent,
    excerpt: card.querySelector(".excerpt").innerHTML,
}))"""


def search(
    page: Page, base: str, query: str, *, every: bool = True, **filters: str
) -> list[dict[str, str]]:
    """Type `query` on the search page; the results as shown: href, title and excerpt
    (all of them, asking for more, or with `every` False the first page of them)."""
    page.goto(base + urls.SEARCH)
    for name, value in filters.items():
        page.select_option(f"select[name={name}]", value)
    page.fill("#q", query)
    # A search starts by putting its query in the address (and "Đang tìm…" in the status):
    # only then is a finished status this query's, not the filter's search before it.
    wanted = {"q": [query], **{name: [value] for name, value in filters.items()}}
    page.wait_for_url(lambda address: parse_qs(urlsplit(address).query) == wanted)
    # Locators, not wait_for_function: the site's Content-Security-Policy forbids the eval
    # that a string predicate needs, and the tests run with that policy in force.
    page.locator("#search-status", has_text=FINISHED).wait_for()
    while every and page.locator("#search-more").is_visible():
        shown = page.locator("#search-results .card").count()
        page.click("#search-more")
        page.locator("#search-results .card").nth(shown).wait_for()
    return page.eval_on_selector_all("#search-results .card", CARDS)
