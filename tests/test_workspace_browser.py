"""The workspace in a real browser (Debian's Chromium through Playwright) against a real server
(`builder workspace`, uvicorn, in its own process): an office's day from account to conflict,
every page checked by axe-core and photographed at phone and desktop widths."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from workspace_server import Server, running_workspace
from workspace_support import PASSWORD

TOOLS = ROOT / "tests" / "tools" / "node_modules"
SCREENSHOTS = ROOT / ".cache" / "screenshots" / "workspace"
WIDTHS = {"phone": 390, "desktop": 1280}
NEW_EDITOR = ("minh", "Đỗ Văn Minh", "mat-khau-cua-minh")
TITLE = "Tổ tự quản đường làng thôn Hạ"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_workspace(tmp_path_factory.mktemp("workspace"), language="vi") as running:
        yield running


def _context(browser: Browser, width: int = 1280) -> BrowserContext:
    # bypass_csp lets axe-core in; the pages' own scripts run as under the real policy
    return browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)


def _login(context: BrowserContext, server: Server, login: str, password: str = PASSWORD) -> Page:
    page = context.new_page()
    page.goto(server.base + "/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(server.base + "/")
    return page


def _axe(page: Page) -> list[tuple[str, list[object]]]:
    page.add_script_tag(path=str(TOOLS / "axe-core" / "axe.min.js"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def _photo(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _picture() -> bytes:
    image = Image.new("RGB", (2400, 1600), (90, 140, 70))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _git_authors(content: Path) -> list[tuple[str, str]]:
    out = subprocess.run(
        ["git", "-C", str(content), "log", "--format=%an\t%s"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [tuple(line.split("\t", 1)) for line in out.splitlines()]  # type: ignore[misc]


def test_an_offices_day_in_the_browser(browser: Browser, server: Server) -> None:
    # The chief editor makes an account for a new editor.
    chief = _context(browser)
    page = _login(chief, server, "truongban")
    page.goto(server.base + "/accounts")
    login, name, password = NEW_EDITOR
    page.fill("#new-login", login)
    page.fill("#new-name", name)
    page.select_option("#new-role", "bien-tap-vien")
    page.fill("#new-password", password)
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text(login)

    # The new editor logs in and starts a model through the form.
    editor = _context(browser)
    mine = _login(editor, server, login, password)
    mine.goto(server.base + "/models/new")
    mine.fill("#n-title", TITLE)
    mine.select_option("#f-kind", "tap-the")
    mine.select_option("#f-district", index=1)
    mine.select_option("#n-field", index=1)
    mine.select_option("#n-year", "2023")
    mine.click("#new-model button[type=submit]")
    mine.wait_for_url(re.compile(r"/models/[a-z0-9-]+$"))
    slug = mine.url.rsplit("/", 1)[1]
    model_url = mine.url
    assert (server.content / "models" / f"{slug}.md").is_file()
    expect(mine.locator(".field.todo").first).to_be_visible()  # its TODO facts are marked

    # A check message appears at its field as the editor types.
    mine.fill("#f-started", "2030")  # after the year it was recognised
    expect(mine.locator("#p-started")).to_contain_text("2030", timeout=10_000)
    mine.fill("#f-started", "2021")
    expect(mine.locator("#p-started")).not_to_contain_text("2030", timeout=10_000)

    # A picture, uploaded and placed in the text.
    picture = server.content.parent / "anh.jpg"
    picture.write_bytes(_picture())
    mine.set_input_files("#picture-file", str(picture))
    mine.fill("#picture-alt", "Bà con thôn Hạ cùng đổ bê tông đường làng")
    mine.click("form.picture-upload button[type=submit]")
    expect(mine.locator("#body")).to_have_value(re.compile(r"\.\./images/"), timeout=15_000)

    # The TODO facts filled, then saved.
    mine.fill("#f-unit", "Tổ tự quản thôn Hạ")
    mine.fill("#f-recognised_by", "Ban Thường vụ Huyện ủy")
    mine.fill("#f-summary", "Thôn Hạ tự quản con đường làng, mỗi hộ một ngày công mỗi tháng.")
    body = mine.input_value("#body").replace(
        "TODO: tình hình địa phương trước khi có mô hình.",
        "Đường làng thôn Hạ xuống cấp, mùa mưa lầy lội.",
    )
    mine.fill("#body", body)
    mine.click("#model-form button[type=submit]")
    mine.wait_for_url(re.compile(r"saved=1"))
    saved = (server.content / "models" / f"{slug}.md").read_text(encoding="utf-8")
    assert "Tổ tự quản thôn Hạ" in saved and "../images/" in saved

    # A Word document imported: the new model opens with its TODO facts marked.
    mine.goto(server.base + "/import")
    mine.set_input_files("#documents", str(FIXTURES / "word" / "gia-hung.docx"))
    mine.click("main form button[type=submit]")
    mine.wait_for_url(re.compile(r"/jobs/\d+"))
    opened = mine.locator(".import-result a[href^='/models/']").first
    expect(opened).to_be_visible(timeout=60_000)
    opened.click()
    mine.wait_for_url(re.compile(r"/models/[a-z0-9-]+$"))
    expect(mine.locator(".field.todo").first).to_be_visible()

    # A second editor edits the same model meanwhile: the later save gets both versions.
    other = _context(browser)
    theirs = _login(other, server, "hoa")
    theirs.goto(model_url)
    mine.goto(model_url)
    mine.fill("#f-unit", "Tổ tự quản đường làng thôn Hạ")
    mine.click("#model-form button[type=submit]")
    mine.wait_for_url(re.compile(r"saved=1"))
    theirs.fill("#f-unit", "Tổ dân quân thôn Hạ")
    theirs.click("#model-form button[type=submit]")
    expect(theirs.locator("h1")).to_contain_text("người khác")
    expect(theirs.locator("main")).to_contain_text("Tổ tự quản đường làng thôn Hạ")
    expect(theirs.locator("main")).to_contain_text("Tổ dân quân thôn Hạ")
    text = (server.content / "models" / f"{slug}.md").read_text(encoding="utf-8")
    assert "Tổ tự quản đường làng thôn Hạ" in text and "Tổ dân quân thôn Hạ" not in text

    # The chief editor approves the model.
    page.goto(model_url)
    page.select_option("#f-status", "da-duyet")
    page.click("#model-form button[type=submit]")
    page.wait_for_url(re.compile(r"saved=1"))
    assert "status: da-duyet" in (server.content / "models" / f"{slug}.md").read_text("utf-8")

    # … and builds the PDF, then downloads it.
    page.goto(server.base + "/builds")
    page.click("form.builds button[value=pdf]")
    page.wait_for_url(re.compile(r"/builds/jobs/\d+"))
    link = page.locator("main a[href$='.pdf']").first
    expect(link).to_be_visible(timeout=180_000)
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"

    # Each step is in git, by its author.
    authors = _git_authors(server.content)
    by = {author for author, _subject in authors}
    assert {name, "Trần Văn Chính"} <= by
    assert sum(author == name for author, _subject in authors) >= 4  # new, picture, save, import
    assert "Lê Thị Hoa" not in by  # the refused save wrote nothing
    for context in (chief, editor, other):
        context.close()


PAGES = {
    "login": "/login",
    "dashboard": "/",
    "accounts": "/accounts",
    "new model": "/models/new",
    "model": "/models/hien-dat-mo-duong-gia-hung",
    "import": "/import",
    "comments": "/comments",
    "builds": "/builds",
    "history": "/models/hien-dat-mo-duong-gia-hung/history",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_has_no_accessibility_violations(
    browser: Browser, server: Server, name: str
) -> None:
    for width_name, width in WIDTHS.items():
        context = _context(browser, width)
        page = context.new_page() if name == "login" else _login(context, server, "truongban")
        page.goto(server.base + PAGES[name])
        page.wait_for_load_state("networkidle")
        _photo(page, f"{name.replace(' ', '-')}-{width_name}")
        assert _axe(page) == [], (name, width_name)
        context.close()


def test_a_version_and_a_job_page_have_no_accessibility_violations(
    browser: Browser, server: Server
) -> None:
    """The pages reached from others: a version of a model, a build's progress and result."""
    context = _context(browser)
    page = _login(context, server, "lan")
    page.goto(server.base + PAGES["history"])
    page.locator("main a[href*='/history/']").first.click()
    page.wait_for_load_state("networkidle")
    _photo(page, "version-desktop")
    assert _axe(page) == []
    page.goto(server.base + "/builds")
    page.click("form.builds button[value=epub]")
    page.wait_for_url(re.compile(r"/builds/jobs/\d+"))
    expect(page.locator("main a[href$='.epub']").first).to_be_visible(timeout=120_000)
    _photo(page, "build-job-desktop")
    assert _axe(page) == []
    context.close()


def test_the_pages_do_not_scroll_sideways_on_a_phone(browser: Browser, server: Server) -> None:
    context = _context(browser, 390)
    page = _login(context, server, "lan")
    for name, path in PAGES.items():
        if name == "login":
            continue
        page.goto(server.base + path)
        page.wait_for_load_state("networkidle")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 392, (name, wide)
    context.close()
