"""The EPUB under DAISY Ace (the real checker, in Debian's Chromium) and its page-list
against the printed pages: the sample book and a generated 100-model book."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from bench.synthetic import make_book
from conftest import ROOT, SAMPLE
from lxml import etree
from test_epub import assert_valid

ACE = ROOT / "tests" / "tools" / "node_modules" / ".bin" / "ace-puppeteer"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}  # fmt: skip


def build(content: Path, out: Path) -> Path:
    from click.testing import CliRunner

    from builder.cli import main

    args = ["build", "--content", str(content), "--out", str(out), "pdf", "epub"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(SAMPLE, tmp_path_factory.mktemp("sample") / "out")


@pytest.fixture(scope="module")
def hundred(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hundred")
    book = make_book(root / "book", 100, words=40, image_every=25)
    return build(book, root / "out")


def epub_of(out: Path) -> Path:
    [epub] = out.glob("*.epub")
    return epub


def ace_violations(epub: Path, report_dir: Path) -> list[str]:
    """Every violation DAISY Ace reports, as `file: impact rule: description`."""
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium"}
    command = [str(ACE), "--silent", "--force", "--outdir", str(report_dir), str(epub)]
    done = subprocess.run(command, env=env, cwd=report_dir.parent, capture_output=True,
                          text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    return [
        f"{checked['earl:testSubject']['url']}: {found['earl:test']['earl:impact']} "
        f"{found['earl:test']['dct:title']}: {found['earl:result'].get('dct:description', '')}"
        for checked in report["assertions"]
        for found in checked["assertions"]
        if found["earl:result"]["earl:outcome"] == "fail"
    ]


def read(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(f"EPUB/{name}"))


def test_ace_finds_nothing_in_the_sample_book(sample: Path, tmp_path: Path) -> None:
    assert ace_violations(epub_of(sample), tmp_path / "ace") == []


def test_ace_finds_nothing_in_a_hundred_model_book(hundred: Path, tmp_path: Path) -> None:
    assert ace_violations(epub_of(hundred), tmp_path / "ace") == []


def test_epubcheck_finds_nothing_in_a_hundred_model_book(hundred: Path) -> None:
    assert_valid(epub_of(hundred))


def test_the_package_names_its_language_and_the_printed_source(sample: Path) -> None:
    opf = read(epub_of(sample), "content.opf")
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    [source] = opf.xpath("//dc:source/text()", namespaces=NS)
    assert source.endswith("-print.pdf)")  # the sample book has no ISBN: the print edition
    assert opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS) == [source]


def test_every_epub_type_has_its_aria_role(sample: Path) -> None:
    roles = {"chapter": "doc-chapter", "part": "doc-part", "foreword": "doc-foreword",
             "colophon": "doc-colophon", "index": "doc-index", "pagebreak": "doc-pagebreak",
             "footnote": "doc-footnote", "noteref": "doc-noteref"}  # fmt: skip
    seen = set()
    with zipfile.ZipFile(epub_of(sample)) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            root = etree.fromstring(archive.read(name))
            for element in root.xpath("//x:body//*[@epub:type]", namespaces=NS):
                kind = element.get("{http://www.idpf.org/2007/ops}type")
                if kind in roles:
                    seen.add(kind)
                    assert element.get("role") == roles[kind], (name, kind)
    assert seen >= {"chapter", "part", "foreword", "colophon", "index", "pagebreak"}


def test_headings_go_book_part_model_section(sample: Path) -> None:
    epub = epub_of(sample)
    part = read(epub, "part-kinh-te.xhtml")
    assert part.xpath("//x:h1/text()", namespaces=NS) == ["Kinh tế"]
    model = read(epub, "m-du-lich-cong-dong-truong-yen.xhtml")
    levels = [h.tag.split("}")[1] for h in model.xpath("//x:h1|//x:h2|//x:h3", namespaces=NS)]
    assert levels[0] == "h2" and set(levels[1:]) == {"h3"}
    assert "Bối cảnh" in model.xpath("//x:h3/text()", namespaces=NS)


def flat(text: str) -> str:
    """Text compared without spaces and case: the print edition breaks lines and sets some
    in capitals."""
    return "".join(text.split()).casefold()


def words_after_markers(epub: Path) -> dict[int, str]:
    """{printed page: the text that follows its marker in the EPUB}."""
    following: dict[int, str] = {}
    with zipfile.ZipFile(epub) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith(".xhtml"):
                continue
            root = etree.fromstring(archive.read(name))
            [body] = root.xpath("//x:body", namespaces=NS)
            markers = root.xpath("//x:span[@epub:type='pagebreak']", namespaces=NS)
            for marker in markers:
                marker.text = "\ue000"
            parts = "".join(body.itertext()).split("\ue000")
            for number, marker in enumerate(markers, start=1):
                following[int(marker.get("aria-label"))] = "".join(parts[number:])
    return following


def print_page_lines(pdf: Path, folio: int) -> list[str]:
    done = subprocess.run(["pdftotext", "-f", str(folio), "-l", str(folio), str(pdf), "-"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    # Folios and the contents' page numbers are not text the EPUB has.
    return [line for line in done.stdout.splitlines() if line.strip() and not line.isdigit()]


def starts_the_page(following: str, lines: list[str]) -> bool:
    """The words after a marker begin in the page's first printed line of text, or in the
    second one when the first is a running head."""
    needle = flat(" ".join(following.split()[:3]))
    for first in lines[:2]:
        joined = flat(" ".join(lines[lines.index(first) :][:3]))
        at = joined.find(needle)
        if 0 <= at < len(flat(first)):
            return True
    return False


def print_pdf(out: Path) -> Path:
    [pdf] = out.glob("*-print.pdf")
    return pdf


def page_count(pdf: Path) -> int:
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(done.stdout.split("Pages:")[1].split()[0])


@pytest.mark.parametrize("book", ["sample", "hundred"])
def test_the_page_list_holds_every_printed_page_with_text(
    book: str, request: pytest.FixtureRequest
) -> None:
    out = request.getfixturevalue(book)
    epub, pdf = epub_of(out), print_pdf(out)
    nav = read(epub, "nav.xhtml")
    listed = [
        (int(a.text), a.get("href"))
        for a in nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    ]
    with_text = [n for n in range(1, page_count(pdf) + 1) if print_page_lines(pdf, n)]
    assert [number for number, _href in listed] == with_text
    assert set(words_after_markers(epub)) == set(with_text)  # each entry has its marker
    ncx = read(epub, "toc.ncx")
    targets = ncx.xpath("//ncx:pageTarget", namespaces=NS)
    assert [(int(t.get("value")), t.find("ncx:content", NS).get("src")) for t in targets] == listed
    count = ncx.xpath("//ncx:meta[@name='dtb:totalPageCount']/@content", namespaces=NS)
    assert count == [str(len(listed))]


@pytest.mark.parametrize("book", ["sample", "hundred"])
def test_each_marker_stands_where_its_printed_page_begins(
    book: str, request: pytest.FixtureRequest
) -> None:
    out = request.getfixturevalue(book)
    following = words_after_markers(epub_of(out))
    # The half title (page 1) repeats the title page's title: the EPUB has no text of its own
    # for it, its marker stands right before the title page's.
    pages = sorted(following)[1:]
    sampled = [pages[round(i * (len(pages) - 1) / 19)] for i in range(20)]
    wrong = {
        folio: (following[folio][:60], print_page_lines(print_pdf(out), folio)[:2])
        for folio in sampled
        if not starts_the_page(following[folio], print_page_lines(print_pdf(out), folio))
    }
    assert wrong == {}


def test_markers_are_hidden_from_sight_but_not_from_screen_readers(sample: Path) -> None:
    with zipfile.ZipFile(epub_of(sample)) as archive:
        css = archive.read("EPUB/style/book.css").decode()
    assert "pagebreak" not in css  # no rule hides them: they are empty, so show nothing
    model = read(epub_of(sample), "m-du-lich-cong-dong-truong-yen.xhtml")
    markers = model.xpath("//x:span[@epub:type='pagebreak']", namespaces=NS)
    assert markers and all(not "".join(m.itertext()) and m.get("aria-label") for m in markers)
    assert all(m.get("hidden") is None and m.get("aria-hidden") is None for m in markers)
