"""The review round: every model's status, the draft marks of `build`, the final edition of
`build --final` and `publish`, and `builder status`."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from browser import CHROMIUM, CHROMIUM_ARGS, serve
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLE, VALID_FRONT_MATTER, Run, write_model
from lxml import etree
from pdfua import validate
from playwright.sync_api import sync_playwright
from pypdf import PdfReader
from sitecheck import page

from builder.book import urls
from builder.book.model import APPROVED, STATUSES
from builder.book.place_names import district_named
from builder.cli import main
from builder.load import reviews
from builder.load.loader import load_book
from builder.render import markdown

DRAFT = "hien-dat-mo-duong-gia-hung"  # the sample model the tests take out of “approved”
SCREENSHOTS = ROOT / ".cache" / "screenshots"
TOOLS = ROOT / "tests" / "tools" / "node_modules"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def set_status(book: Path, slug: str, status: str) -> Path:
    path = book / "models" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)^status: .*$", f"status: {status}", text, count=1)
    assert changed != text or f"status: {status}" in text
    path.write_text(changed, encoding="utf-8")
    return path


def front_matter(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(data, dict)
    return data


def valid_ids() -> str:
    return ", ".join(f"`{id}` ({label})" for id, label in STATUSES.items())


# The status of a model


def test_an_unknown_status_is_refused_at_its_place_with_the_valid_ids(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("sample")
    write_model(book, "trang-thai-la", VALID_FRONT_MATTER + "status: xong\n")
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert "trang-thai-la.md:8:9: error: `status` cannot be “xong”" in result.stderr
    assert f"hint: valid values: {valid_ids()}" in result.stderr


def test_a_label_typed_instead_of_its_id_is_refused_with_the_id_to_write(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("sample")
    write_model(book, "nhan-tieng-viet", VALID_FRONT_MATTER + 'status: "Chờ duyệt"\n')
    result = run("check", "--content", book)
    assert "nhan-tieng-viet.md:8:9: error: `status` cannot be “Chờ duyệt”" in result.stderr
    assert "hint: write its id: `status: cho-duyet`" in result.stderr


def test_a_book_that_keeps_statuses_refuses_a_model_without_one(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("sample")
    assert yaml.safe_load((book / "book.yaml").read_text(encoding="utf-8"))["review"]["statuses"]
    write_model(book, "chua-co-trang-thai", VALID_FRONT_MATTER)
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert (
        "chua-co-trang-thai.md:2:1: error: the model has no `status`; this book keeps one for "
        "every model" in result.stderr
    )
    assert f"hint: add a line `status: de-xuat` (valid: {valid_ids()})" in result.stderr
    # A book that declares no statuses takes models without one, as before.
    minimal = book_copy("minimal")
    write_model(minimal, "chua-co-trang-thai", VALID_FRONT_MATTER)
    assert run("check", "--content", minimal).exit_code == 0


def test_the_plan_in_book_yaml_names_unknown_fields_and_districts_where_they_stand(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    config = book / "book.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "review:\n  statuses: false\n  words: {min: 900, max: 600}\n  targets:\n"
        '    total: 3\n    fields: {kinh-tee: 2}\n    districts: {"huyện Gia Vien": 1}\n',
        encoding="utf-8",
    )
    lines = config.read_text(encoding="utf-8").split("\n")
    at = {word: next(n for n, line in enumerate(lines, 1) if word in line)
          for word in ("words:", "kinh-tee", "Gia Vien")}  # fmt: skip
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert f"book.yaml:{at['words:']}:10: error: `review.words`: `min` is more than `max`" in (
        result.stderr
    )
    assert f"book.yaml:{at['kinh-tee']}:14: error: unknown field “kinh-tee”" in result.stderr
    assert "hint: did you mean “kinh-te”?" in result.stderr
    assert f"book.yaml:{at['Gia Vien']}:17: error: unknown district “huyện Gia Vien”" in (
        result.stderr
    )


def test_builder_new_writes_a_proposed_model(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("sample")
    result = run("new", "Mô hình mới đề xuất", "--content", book, "--kind", "tap-the",
                 "--field", "kinh-te", "--district", "Gia Viễn", "--year", "2024")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert front_matter(Path(result.stdout.strip()))["status"] == "de-xuat"


def test_builder_import_writes_a_proposed_model_the_check_accepts(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    import docx

    book = book_copy("sample")
    document = docx.Document()
    document.add_heading("Tổ tự quản đường làng ở xã Gia Hưng", 1)
    for fact in ("Đơn vị: Chi bộ thôn Đông", "Địa bàn: xã Gia Hưng, huyện Gia Viễn",
                 "Năm công nhận: 2022", "Lĩnh vực: Kinh tế"):  # fmt: skip
        document.add_paragraph(fact)
    document.add_paragraph("Thôn Đông lập tổ tự quản giữ đường làng sạch đẹp.")
    document.save(str(tmp_path / "bao-cao.docx"))
    result = run("import", "--content", book, tmp_path / "bao-cao.docx")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.splitlines()[0])
    assert front_matter(path)["status"] == "de-xuat"
    checked = run("check", "--content", book)
    assert checked.exit_code == 0, checked.stderr  # TODOs are warnings; the status is there


# The final edition


@pytest.fixture
def book_with_a_draft(book_copy: Callable[[str], Path]) -> Path:
    """The sample with one model awaiting approval, which another (approved) model links to."""
    book = book_copy("sample")
    set_status(book, DRAFT, "cho-duyet")
    linking = book / "models" / "cong-an-vien-thi-tran-me.md"
    text = linking.read_text(encoding="utf-8")
    linking.write_text(text + f"\nXem thêm [mô hình hiến đất]({DRAFT}.md) ở Gia Hưng.\n",
                       encoding="utf-8")  # fmt: skip
    return book


def test_build_final_leaves_out_what_is_not_approved_and_says_so(
    run: Run, book_with_a_draft: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run("build", "--final", "--allow-short", "--content", book_with_a_draft,
                 "--out", out, "site")  # fmt: skip
    assert result.exit_code == 0, result.output
    draft = book_with_a_draft / "models" / f"{DRAFT}.md"
    assert f"left out of the final edition: {draft} (Chờ duyệt)" in result.stderr
    assert result.stderr.count("left out of the final edition: ") == 1
    approved = [p.stem for p in sorted((book_with_a_draft / "models").glob("*.md"))
                if front_matter(p)["status"] == APPROVED]  # fmt: skip
    built = sorted(p.stem for p in (out / "site" / "mo-hinh").glob("*.html"))
    assert built == approved and DRAFT not in built
    # The link to the model left out is its text, with a warning at its line.
    linking = book_with_a_draft / "models" / "cong-an-vien-thi-tran-me.md"
    line = linking.read_text(encoding="utf-8").split("\n").index(
        f"Xem thêm [mô hình hiến đất]({DRAFT}.md) ở Gia Hưng."
    ) + 1  # fmt: skip
    assert (
        f"{linking}:{line}:1: warning: the link to “{DRAFT}.md” leads to a model left out of the "
        "final edition; its text is printed without the link" in result.stderr
    )
    html = page(out / "site", urls.model("cong-an-vien-thi-tran-me"))
    prose = html.xpath("string(//div[@class='prose'])")
    assert "Xem thêm mô hình hiến đất ở Gia Hưng." in " ".join(prose.split())
    assert not [href for href in html.xpath("//a/@href") if DRAFT in href]
    home = page(out / "site", "index.html")
    assert not [href for href in home.xpath("//a/@href") if DRAFT in href]


def test_a_reference_link_to_a_left_out_model_stops_the_final_edition_at_its_line(
    run: Run, book_with_a_draft: Path, tmp_path: Path
) -> None:
    linking = book_with_a_draft / "models" / "chi-bo-bon-tot-khanh-nhac.md"
    text = linking.read_text(encoding="utf-8")
    linking.write_text(text + f"\nXem [mô hình hiến đất][hien-dat].\n\n[hien-dat]: {DRAFT}.md\n",
                       encoding="utf-8")  # fmt: skip
    line = len(text.split("\n")) + 1
    out = tmp_path / "out"
    result = run("build", "--final", "--allow-short", "--content", book_with_a_draft,
                 "--out", out, "site")  # fmt: skip
    assert result.exit_code == 1
    assert (
        f"{linking}:{line}:1: error: the link to “{DRAFT}.md” leads to a model left out of the "
        "final edition" in result.stderr
    )
    assert f"hint: write it as [text]({DRAFT}.md), or remove it" in result.stderr
    assert not out.exists()


def test_build_final_stops_under_the_plan_and_names_what_is_short(
    run: Run, book_with_a_draft: Path, tmp_path: Path
) -> None:
    config = book_with_a_draft / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("kinh-te: 3", "kinh-te: 4"),
                      encoding="utf-8")  # fmt: skip
    models = list((book_with_a_draft / "models").glob("*.md"))
    approved = [p for p in models if front_matter(p)["status"] == APPROVED]
    economic = [p for p in approved if front_matter(p)["field"] == "kinh-te"]
    total = yaml.safe_load(config.read_text(encoding="utf-8"))["review"]["targets"]["total"]
    out = tmp_path / "out"
    result = run("build", "--final", "--content", book_with_a_draft, "--out", out, "site")
    assert result.exit_code == 1
    assert (
        f"error: the book has {len(approved)} approved models; `review.targets.total` asks for "
        f"{total}" in result.stderr
    )
    assert f"error: field “Kinh tế” has {len(economic)} approved models; its target is 4" in (
        result.stderr
    )
    assert "--allow-short" in result.stderr
    assert not out.exists()


def test_publish_refuses_a_book_under_its_target(
    run: Run, book_with_a_draft: Path, tmp_path: Path
) -> None:
    target = tmp_path / "www"
    out = tmp_path / "out"
    result = run("publish", "--content", book_with_a_draft, "--out", out, "--to", target)
    assert result.exit_code == 1
    assert "`review.targets.total` asks for" in result.stderr
    assert not target.exists() and not out.exists()


# The draft build: every model, the drafts marked


@pytest.fixture(scope="module")
def draft_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample with one model awaiting approval, built as `make` builds it."""
    import shutil

    root = tmp_path_factory.mktemp("draft")
    book = root / "book"
    shutil.copytree(SAMPLE, book)
    set_status(book, DRAFT, "cho-duyet")
    out = root / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return book, out


def pages_of_models(pdf: Path, out: Path) -> dict[str, list[int]]:
    """The screen PDF's page indexes of each model, from the print page map and the pages'
    labels (their printed folios)."""
    starts = json.loads((out / "print-pages.json").read_text(encoding="utf-8"))
    labels = {label: index for index, label in enumerate(PdfReader(pdf).page_labels)}
    opening = sorted(starts.values())
    found = {}
    for anchor, first in starts.items():
        if anchor.startswith("mo-hinh-"):
            after = next(folio for folio in [*opening, 10**6] if folio > first)
            folios = [folio for folio in range(first, after) if str(folio) in labels]
            found[anchor.removeprefix("mo-hinh-")] = [labels[str(folio)] for folio in folios]
    return found


def test_the_draft_build_marks_the_pages_of_the_draft_and_only_them(
    draft_build: tuple[Path, Path],
) -> None:
    book, out = draft_build
    pdf = out / "dan-van-kheo-ninh-binh-2021-2025.pdf"
    done = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True)
    texts = [" ".join(text.split()) for text in done.stdout.decode("utf-8").split("\f")]
    by_model = pages_of_models(pdf, out)
    assert len(by_model) == len(list((book / "models").glob("*.md")))
    marked = {index for index, text in enumerate(texts) if "BẢN THẢO" in text}
    assert marked == set(by_model[DRAFT]) and len(marked) > 1
    assert all("BẢN THẢO · Chờ duyệt" in texts[index] for index in marked)
    # The marks are margin boxes: artifacts, so the tagged screen edition stays clean.
    assert [finding.rule_id for finding in validate(str(pdf)).findings] == []


def test_the_draft_build_shows_a_banner_on_the_drafts_site_page(
    draft_build: tuple[Path, Path],
) -> None:
    book, out = draft_build
    for path in sorted((book / "models").glob("*.md")):
        banners = page(out / "site", urls.model(path.stem)).xpath("//*[@class='draft-banner']")
        assert bool(banners) == (front_matter(path)["status"] != APPROVED), path.stem
    with serve(out / "site") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            view = browser.new_page(viewport={"width": 375, "height": 800})
            view.goto(base + urls.model(DRAFT))
            banner = view.locator(".draft-banner")
            assert banner.is_visible()
            text = " ".join(banner.inner_text().split())
            assert text.startswith("Bản thảo: mô hình này chưa được duyệt (tình trạng: chờ duyệt)")
            box, title = banner.bounding_box(), view.locator("h1").bounding_box()
            assert box and title and box["y"] + box["height"] <= title["y"]  # above the title
            colours = banner.evaluate("b => [getComputedStyle(b).backgroundColor, "
                                      "getComputedStyle(b).color]")  # fmt: skip
            assert colours[0] != colours[1]
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            view.screenshot(path=str(SCREENSHOTS / "draft-banner-375.png"))
            view.goto(base + urls.model("cong-an-vien-thi-tran-me"))
            assert view.locator(".draft-banner").count() == 0
            checked = browser.new_context(bypass_csp=True).new_page()  # to let axe-core in
            checked.goto(base + urls.model(DRAFT))
            checked.add_script_tag(path=str(TOOLS / "axe-core" / "axe.min.js"))
            result = checked.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert [violation["id"] for violation in result["violations"]] == []
        finally:
            browser.close()
    validated = subprocess.run(
        ["java", "-jar", str(TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"), "--errors-only",
         str(out / "site" / urls.model(DRAFT))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert validated.returncode == 0, validated.stderr
    # What serve shows the editors is never in a built site.
    for path in (out / "site").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "__tinh-trang" not in text and 'class="builder-comments"' not in text, path


def test_the_draft_build_notes_the_draft_in_its_epub_document(
    draft_build: tuple[Path, Path],
) -> None:
    book, out = draft_build
    with zipfile.ZipFile(out / "dan-van-kheo-ninh-binh-2021-2025.epub") as archive:
        for path in sorted((book / "models").glob("*.md")):
            document = etree.fromstring(archive.read(f"EPUB/m-{path.stem}.xhtml"))
            notes = document.xpath("//x:p[@class='draft-note']", namespaces=XHTML)
            assert bool(notes) == (path.stem == DRAFT), path.stem
            if notes:
                assert notes[0].xpath("string()").startswith("BẢN THẢO – mô hình này chưa")


def test_a_copy_for_review_says_so_on_every_page(tmp_path: Path, run: Run) -> None:
    out = tmp_path / "out"
    result = run("build", "--for-review", "--content", FIXTURES / "minimal", "--out", out, "pdf")
    assert result.exit_code == 0, result.output
    pdf = next(path for path in out.glob("*.pdf") if not path.stem.endswith(("-print", "-cover")))
    done = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True)
    texts = [text for text in done.stdout.decode("utf-8").split("\f") if text.strip()]
    labels = PdfReader(pdf).page_labels
    inside = [text for text, label in zip(texts, labels, strict=True) if label.isdigit()]
    assert inside and all("BẢN DỰ THẢO" in text for text in inside)
    assert "BẢN THẢO" not in " ".join(texts)  # every model of the minimal book is final


# builder status


@pytest.fixture
def book_in_progress(book_copy: Callable[[str], Path]) -> Path:
    """The sample, its models spread over every status, one TODO, and comments."""
    book = book_copy("sample")
    paths = sorted((book / "models").glob("*.md"))
    for number, path in enumerate(paths):
        set_status(book, path.stem, list(STATUSES)[number % len(STATUSES)])
    todo = paths[1]
    text = re.sub(r"(?m)^recognised_by: .*$", 'recognised_by: "TODO: cơ quan công nhận"',
                  todo.read_text(encoding="utf-8"), count=1)  # fmt: skip
    assert "TODO" in text
    todo.write_text(text, encoding="utf-8")
    for slug, count, closed in ((paths[0].stem, 2, 1), (reviews.UNPLACED, 1, 0)):
        comments = [
            reviews.Comment(id=f"{slug[:4]}{number}", kind="comment", author="Đại biểu",
                            date="2026-12-01", source="gop-y.docx", where=f"đoạn {number}",
                            text=f"Góp ý {number}",
                            status="resolved" if number < closed else "open")
            for number in range(count + closed)
        ]  # fmt: skip
        reviews.add_comments(book, slug, comments)
    return book


def test_builder_status_json_counts_what_the_content_says(run: Run, book_in_progress: Path) -> None:
    result = run("status", "--json", "--content", book_in_progress)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    config = yaml.safe_load((book_in_progress / "book.yaml").read_text(encoding="utf-8"))
    book = load_book(book_in_progress).book
    assert book is not None
    paths = sorted((book_in_progress / "models").glob("*.md"))
    facts = {path.stem: front_matter(path) for path in paths}
    assert found["models"] == len(paths)
    assert found["by_status"] == {
        s: sum(f["status"] == s for f in facts.values()) for s in STATUSES
    }
    approved = {slug for slug, f in facts.items() if f["status"] == APPROVED}
    targets = {(row["kind"], row["key"]): row for row in found["targets"]}
    assert targets["total", ""] == {"kind": "total", "key": "", "name": "", "models": len(paths),
                                    "approved": len(approved),
                                    "target": config["review"]["targets"]["total"]}  # fmt: skip
    fields = Counter(f["field"] for f in facts.values())
    for field in config["fields"]:
        row = targets["field", field["id"]]
        assert row["models"] == fields[field["id"]]
        assert row["approved"] == sum(facts[s]["field"] == field["id"] for s in approved)
        assert row["target"] == config["review"]["targets"]["fields"].get(field["id"], 0)
    districts = {slug: district_named(book.config.districts, str(f["district"]))
                 for slug, f in facts.items()}  # fmt: skip
    for place in config["places"]:
        district = district_named(book.config.districts, place["name"])
        assert district is not None
        row = targets["district", district.slug]
        assert row["models"] == sum(d == district for d in districts.values())
        assert row["approved"] == sum(districts[s] == district for s in approved)
        wanted = {district_named(book.config.districts, name): number for name, number
                  in config["review"]["targets"]["districts"].items()}  # fmt: skip
        assert row["target"] == wanted.get(district, 0)
    words = config["review"]["words"]
    assert (found["words_min"], found["words_max"]) == (words["min"], words["max"])
    comments = {paths[0].stem: 2}
    for entry in found["entries"]:
        path = book_in_progress / "models" / f"{entry['slug']}.md"
        fact = facts[entry["slug"]]
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        count = len(markdown.plain_text(body).split())
        pictures = len(fact.get("images") or []) + len(
            {ref.src for ref in markdown.body_images(markdown.parse(body))}
        )
        assert entry == {
            "file": str(path), "slug": path.stem, "title": fact["title"],
            "status": fact["status"], "status_label": STATUSES[str(fact["status"])],
            "editor": fact.get("editor", ""), "field": book.config.fields[
                [f["id"] for f in config["fields"]].index(fact["field"])].name,
            "district": districts[path.stem].name,  # type: ignore[union-attr]
            "errors": 0, "warnings": 0, "todos": int(path == paths[1]), "words": count,
            "length": "short" if count < words["min"] else "long" if count > words["max"] else "",
            "pictures": pictures, "open_comments": comments.get(path.stem, 0),
        }  # fmt: skip
    assert found["unplaced_comments"] == 1
    assert (found["book_errors"], found["book_warnings"]) == (0, 0)


def test_builder_status_shows_the_same_in_a_table(run: Run, book_in_progress: Path) -> None:
    table = run("status", "--content", book_in_progress).stdout.split("\n")
    found = json.loads(run("status", "--json", "--content", book_in_progress).stdout)
    for id, label in STATUSES.items():
        assert any(re.fullmatch(rf"{label}\s+{found['by_status'][id]}", row) for row in table)
    total = next(row for row in found["targets"] if row["kind"] == "total")
    missing = total["target"] - total["approved"]
    expected = (rf"in all\s+{total['models']}\s+{total['approved']}\s+{total['target']}\s+"
                rf"{missing} to go")  # fmt: skip
    assert any(re.fullmatch(expected, row) for row in table)
    first = found["entries"][0]
    assert any(row.startswith(first["slug"]) and first["status_label"] in row for row in table)


def test_builder_status_names_models_with_errors_too(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("sample")
    write_model(book, "loi-nam", VALID_FRONT_MATTER.replace("2023", "2030") + "status: de-xuat\n")
    result = run("status", "--json", "--content", book)
    assert result.exit_code == 0, result.output
    entry = next(e for e in json.loads(result.stdout)["entries"] if e["slug"] == "loi-nam")
    assert (entry["errors"], entry["status"], entry["title"]) == (1, "de-xuat", "Mô hình hợp lệ")


# serve


@pytest.fixture
def served_book(book_in_progress: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    import threading

    from conftest import empty_folder

    from builder.serve.serve import Preview, make_server

    folder = tmp_path / "serve"
    empty_folder(folder)
    state = Preview(book_in_progress, folder)
    assert state.rebuild(lambda message: None)
    server = make_server(state, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield book_in_progress, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_serve_shows_the_status_page_and_the_open_comments_beside_a_model(
    served_book: tuple[Path, str], run: Run
) -> None:
    import urllib.request

    book, base = served_book
    found = json.loads(run("status", "--json", "--content", book).stdout)
    with urllib.request.urlopen(base + "__tinh-trang", timeout=10) as response:
        status = etree.HTML(response.read().decode("utf-8"))
    rows = status.xpath("//h2[.='Từng mô hình']/following-sibling::table[1]/tbody/tr")
    assert len(rows) == found["models"]
    shown = {row.xpath("string(td[1]//small)"): row.xpath("string(td[2])") for row in rows}
    assert shown == {entry["file"]: entry["status_label"] or "–" for entry in found["entries"]}
    commented = sorted((book / "models").glob("*.md"))[0].stem
    with urllib.request.urlopen(base + urls.model(commented), timeout=10) as response:
        model = etree.HTML(response.read().decode("utf-8"))
    items = model.xpath("//aside[@class='builder-comments']/ol/li")
    open_texts = [c.text for c in reviews.comments_for(book, commented) if c.status == "open"]
    assert [" ".join(li.xpath("string(p[2])").split()) for li in items] == open_texts
