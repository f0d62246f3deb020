"""The website in a real headless Chromium, served on a loopback port: search, accessibility
(axe-core), HTML validity (the Nu Html Checker), requests, weight, JavaScript off, screenshots.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, search, serve
from conftest import ROOT, SAMPLE, VALID_FRONT_MATTER, Run, empty_folder, write_model
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from builder.book import urls
from builder.book.vietnamese import fold
from builder.load.loader import load_book
from builder.outputs.site.site_search import records

TOOLS = ROOT / "tests" / "tools" / "node_modules"
SCREENSHOTS = ROOT / ".cache" / "screenshots"
PAGE_TYPES = {
    "home": "index.html",
    "model": urls.model("hien-dat-mo-duong-gia-hung"),
    "list": urls.listing("field", "kinh-te"),
    "index of lists": urls.list_index("district"),
    "front page": urls.page("loi-gioi-thieu"),
    "statistics": urls.STATS,
    "search": urls.SEARCH + "?q=duong",
    "downloads": urls.DOWNLOADS,
    "not found": "404.html",
}


@pytest.fixture(scope="module")
def site(sample_output: Path) -> Iterator[str]:
    with serve(sample_output / "site") as base:
        yield base


def slugs_containing(phrase: str) -> set[str]:
    """Models whose text holds `phrase`, tone marks and đ folded: what search must find."""
    book = load_book(SAMPLE).book
    assert book is not None
    url_of = {e.slug: urls.model(e.slug) for e in book.entries}
    folded = fold(phrase)
    return {
        r.url for r in records(book, url_of)
        if re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", fold(r.text))
    }  # fmt: skip


@pytest.mark.parametrize("query", ["dan van kheo", "Dân vận khéo", "hoa lu", "Hoa Lư"])
def test_a_phrase_without_or_with_tone_marks_finds_all_its_models(
    browser: Browser, site: str, query: str
) -> None:
    page = browser.new_page()
    expected = slugs_containing(query)
    assert expected, "the sample book should contain the phrase"
    found = [r["href"] for r in search(page, site, query)]
    assert expected <= set(found)
    assert found[0] in expected  # a page with the whole phrase comes first


def test_duong_finds_duong_with_d_stroke_and_shows_it_accented(browser: Browser, site: str) -> None:
    page = browser.new_page()
    expected = slugs_containing("đường")
    results = search(page, site, "duong")
    assert expected <= {r["href"] for r in results}
    first = next(r for r in results if r["href"] in expected)
    assert re.search(r"<mark>[“(]?[Đđ]ường", first["excerpt"]), first["excerpt"]
    assert "<mark>dường" not in first["excerpt"]


def test_filters_narrow_the_results(browser: Browser, site: str) -> None:
    page = browser.new_page()
    results = search(page, site, "dan", field="Văn hóa – xã hội")
    book = load_book(SAMPLE).book
    assert book is not None
    in_field = {urls.model(e.slug) for e in book.entries if e.field.name == "Văn hóa – xã hội"}
    assert results and {r["href"] for r in results} <= in_field


def test_an_exact_accented_match_ranks_above_a_folded_one(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path, browser: Browser
) -> None:
    book = book_copy("minimal")
    write_model(
        book,
        "hoa-giai",
        VALID_FRONT_MATTER.replace("Mô hình hợp lệ", "Tổ hòa giải"),
        "Tổ hòa giải ở thôn hòa giải mọi việc.\n",
    )
    write_model(
        book,
        "hoa-no",
        VALID_FRONT_MATTER.replace("Mô hình hợp lệ", "Vườn hoa"),
        "Vườn hoa nở hoa quanh năm.\n",
    )
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    page = browser.new_page()
    with serve(tmp_path / "o" / "site") as base:
        assert search(page, base, "hòa")[0]["href"] == urls.model("hoa-giai")
        assert search(page, base, "hoa")[0]["href"] == urls.model("hoa-no")


def test_excerpts_cannot_inject_markup(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path, browser: Browser
) -> None:
    book = book_copy("minimal")
    write_model(
        book,
        "doc-hai",
        VALID_FRONT_MATTER,
        'Chữ <img src=x onerror="window.hacked=1"> đường <b>đậm</b>.\n',
    )
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    page = browser.new_page()
    with serve(tmp_path / "o" / "site") as base:
        results = search(page, base, "duong")
        assert any("&lt;img" in r["excerpt"] for r in results)
        assert page.evaluate("window.hacked") is None
        assert page.locator("#search-results img").count() == 0


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_accessibility_violations(browser: Browser, site: str, name: str) -> None:
    page = browser.new_context(bypass_csp=True).new_page()  # to let axe-core in
    page.goto(site + PAGE_TYPES[name])
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(TOOLS / "axe-core" / "axe.min.js"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == []


def test_every_page_is_valid_html(sample_output: Path) -> None:
    pages = sorted(str(p) for p in (sample_output / "site").rglob("*.html"))
    checked = subprocess.run(
        ["java", "-jar", str(TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"),
         "--errors-only", "--format", "json", *pages],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    assert [(m.get("url", "").split("/site/")[-1], m["message"]) for m in messages] == []


def test_no_request_leaves_the_loopback_address(browser: Browser, site: str) -> None:
    seen: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: seen.append(request.url))
    for path in PAGE_TYPES.values():
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
    assert seen and [url for url in seen if not url.startswith(site)] == []


def _transfer(page: Page, url: str, action: Callable[[], Any] | None = None) -> dict[str, int]:
    sizes: dict[str, int] = {}

    def count(response: Any) -> None:
        sizes[response.url] = int(response.headers.get("content-length", 0))

    page.on("response", count)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if action:
        sizes.clear()
        action()
        page.wait_for_load_state("networkidle")
    page.remove_listener("response", count)
    return sizes


def test_a_model_page_weighs_under_60_kb_without_images(browser: Browser, site: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    sizes = _transfer(page, site + PAGE_TYPES["model"])
    weight = sum(size for url, size in sizes.items()
                 if not url.endswith((".jpg", ".png", ".webp")))  # fmt: skip
    assert weight < 60_000, sizes


def test_first_search_transfer_is_reported(browser: Browser, site: str) -> None:
    """Pagefind's fixed cost (its 68 KB WebAssembly) keeps the first search near 100 KB:
    this records the figure (see the issue note) and guards against growth."""
    page = browser.new_page()
    sizes = _transfer(
        page,
        site + urls.SEARCH,
        lambda: (page.fill("#q", "dan van kheo"), page.wait_for_timeout(1500)),
    )
    total = sum(sizes.values())
    (SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "first-search-bytes.txt").write_text(f"{total}\n{json.dumps(sizes, indent=1)}")
    assert total < 160_000, sizes


def test_the_content_security_policy_blocks_inline_script(browser: Browser, site: str) -> None:
    page = browser.new_page()
    page.goto(site + PAGE_TYPES["model"])
    with pytest.raises(PlaywrightError, match="violates the following Content Security Policy"):
        page.add_script_tag(content="document.body.dataset.injected = 'yes'")
    assert page.get_attribute("body", "data-injected") is None


def test_the_site_works_with_javascript_off(browser: Browser, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "index.html")
    page.click("text=Kinh tế >> nth=0")
    assert page.url.endswith(urls.listing("field", "kinh-te"))
    page.click(".card-title >> nth=0")
    assert f"/{urls.MODEL_FOLDER}/" in page.url and page.locator("aside.facts").count() == 1
    page.goto(site + urls.SEARCH)
    assert "cần bật JavaScript" in page.locator("#search-status").inner_text()
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", ["home", "model", "search"])
def test_screenshots(browser: Browser, site: str, name: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site + PAGE_TYPES[name])
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page scrolls sideways"


@pytest.mark.parametrize("name", ["home", "model", "search"])
def test_lighthouse_mobile_scores_100_in_every_category(site: str, name: str) -> None:
    """Lighthouse 12 (npm), mobile profile, with Debian's Chromium through CHROME_PATH; the
    search page as a visitor opens it from the menu."""
    command = [
        "node", str(TOOLS / "lighthouse" / "cli" / "index.js"),
        site + PAGE_TYPES[name].split("?")[0],
        "--output=json", "--output-path=stdout", "--quiet",
        "--only-categories=performance,accessibility,best-practices,seo",
        "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS),
    ]  # fmt: skip
    report = subprocess.run(command, capture_output=True, text=True, check=True,
                            env={**os.environ, "CHROME_PATH": CHROMIUM})  # fmt: skip
    result = json.loads(report.stdout)
    scores = {key: round(category["score"] * 100) for key, category in result["categories"].items()}
    assert scores == {"performance": 100, "accessibility": 100, "best-practices": 100, "seo": 100}


def test_serve_reloads_the_open_page_and_shows_a_broken_save_in_vietnamese(
    browser: Browser, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """builder serve in a real browser: a save appears without touching the page; a save
    that breaks the entry shows the (Vietnamese) problem over the last good page."""
    import threading

    from builder.serve.serve import Preview, make_server, watch, watch_roots, watched_state
    from builder.util import i18n

    i18n.set_language("vi")
    book = book_copy("minimal")
    preview = Preview(book, tmp_path / "serve")
    empty_folder(preview.folder)
    seen = watched_state(watch_roots(preview))
    assert preview.rebuild(lambda message: None)
    server = make_server(preview, 0)
    stop = threading.Event()
    for target, args in ((server.serve_forever, ()),
                         (watch, (preview, lambda m: None, stop, 0.05, seen))):  # fmt: skip
        threading.Thread(target=target, args=args, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/" + urls.model("duong-lang"))
        model = book / "models" / "duong-lang.md"
        text = model.read_text(encoding="utf-8")
        model.write_text(text.replace("\n## ", "\nCâu vừa thêm khi xem trước.\n\n## ", 1), "utf-8")
        page.get_by_text("Câu vừa thêm khi xem trước.").wait_for(timeout=10_000)
        model.write_text(text.replace("year: 2022", "year: 2030"), encoding="utf-8")
        box = page.locator("#builder-problems")
        box.wait_for(timeout=10_000)
        assert "lỗi: năm 2030 nằm ngoài giai đoạn của sách" in box.inner_text()
        assert page.get_by_text("Câu vừa thêm khi xem trước.").is_visible()  # the last good page
        model.write_text(text, encoding="utf-8")
        box.wait_for(state="detached", timeout=10_000)
    finally:
        page.close()
        stop.set()
        server.shutdown()
        server.server_close()
        i18n.set_language(None)


@pytest.mark.parametrize("mount", ["/", "/dan-van-kheo/"])
def test_the_404_page_loads_its_css_at_the_root_and_under_a_path(
    browser: Browser, run: Run, book_copy: Callable[[str], Path], tmp_path: Path, mount: str
) -> None:
    """A server answers any missing address, at any depth, with 404.html: its links can
    only be absolute, from the path of `base_url` (where the book says the site lives)."""
    book = book_copy("minimal")
    config = book / "book.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            '"https://example.org/sach/"', f'"https://example.org{mount}"'
        ),
        encoding="utf-8",
    )
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response", lambda r: failed.append(r.url) if r.status >= 400 and r.url != address else None
    )
    with serve(tmp_path / "o" / "site", mount, error_page=True) as base:
        address = base + "mo-hinh/khong-co/trang.html"
        response = page.goto(address)
        page.wait_for_load_state("networkidle")
        assert response is not None and response.status == 404
        assert page.locator("h1").text_content() == "Không tìm thấy trang"
        assert page.evaluate("document.styleSheets.length") >= 1
        # the site's stylesheet is applied: the body is set in the book's typeface
        assert "Charis" in page.evaluate("getComputedStyle(document.body).fontFamily")
        assert failed == []
        page.get_by_role("link", name="Về trang chủ").click()
        page.wait_for_load_state()
        assert page.url == base + "index.html"
