"""The website's addresses never change by accident: they are printed in the books' QR codes.
Every other test builds addresses through `builder.book.urls`; this one pins them as published."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from conftest import FIXTURES, Run
from lxml import html
from PIL import Image

from builder.book import urls


def test_the_published_address_scheme() -> None:
    assert urls.model("hien-dat-mo-duong") == "mo-hinh/hien-dat-mo-duong.html"
    assert urls.page("loi-gioi-thieu") == "trang/loi-gioi-thieu.html"
    assert urls.listing("field", "kinh-te") == "linh-vuc/kinh-te.html"
    assert urls.listing("district", "huyen-gia-vien") == "dia-ban/huyen-gia-vien.html"
    assert urls.listing("year", "2023") == "nam/2023.html"
    assert [urls.list_index(kind) for kind in urls.LIST_KINDS] == [
        "linh-vuc/index.html", "dia-ban/index.html", "nam/index.html",
    ]  # fmt: skip
    assert (urls.HOME, urls.STATS, urls.SEARCH, urls.DOWNLOADS, urls.NOT_FOUND) == (
        "index.html", "thong-ke.html", "tim-kiem.html", "tai-ve.html", "404.html",
    )  # fmt: skip
    assert urls.image("anh.960.webp") == "images/anh.960.webp"
    assert urls.download("sach.pdf") == "tai-ve/sach.pdf"
    assert urls.absolute("https://example.org/sach/", urls.HOME) == "https://example.org/sach/"
    assert urls.absolute("https://example.org/sach/", urls.model("x")) == (
        "https://example.org/sach/mo-hinh/x.html"
    )


@pytest.mark.parametrize(
    ("source", "target", "link"),
    [
        ("index.html", "mo-hinh/x.html", "mo-hinh/x.html"),
        ("mo-hinh/x.html", "images/a.jpg", "../images/a.jpg"),
        ("linh-vuc/kinh-te.html", "linh-vuc/index.html", "index.html"),
        ("mo-hinh/x.html", "index.html", "../index.html"),
    ],
)
def test_relative_links_are_the_shortest(source: str, target: str, link: str) -> None:
    assert urls.relative(source, target) == link
    assert urls.root_of(source) == "../" * source.count("/")


def test_every_page_the_site_writes_is_named_by_the_address_book(run: Run, tmp_path: Path) -> None:
    """The pages on disk are the addresses `urls` gives (nothing else makes a page name),
    and every link between them resolves."""
    from builder.load.loader import load_book

    out = tmp_path / "o"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "site").exit_code == 0
    site = out / "site"
    book = load_book(FIXTURES / "minimal").book
    assert book is not None
    expected = {urls.HOME, urls.STATS, urls.SEARCH, urls.NOT_FOUND}
    expected |= {urls.model(entry.slug) for entry in book.entries}
    expected |= {urls.page(page.slug) for page in book.pages}
    expected |= {urls.list_index(kind) for kind in urls.LIST_KINDS}
    expected |= {urls.listing("field", part.slug) for part in book.parts}
    expected |= {urls.listing("year", str(entry.year)) for entry in book.entries}
    expected |= {urls.listing("district", entry.place.district.slug) for entry in book.entries}
    written = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert written == expected
    for name in written - {urls.NOT_FOUND}:  # the 404 page links from the server's root
        for href in html.parse(str(site / name)).xpath("//a/@href"):
            if "://" in href or href.startswith(("#", "mailto:")):
                continue
            target = (site / name).parent / href.split("#")[0].split("?")[0]
            assert target.resolve().is_file(), f"{name}: {href}"


def test_the_qr_codes_and_the_sitemap_point_to_the_address_book(run: Run, tmp_path: Path) -> None:
    from weasyprint import HTML

    from builder.load.loader import load_book
    from builder.outputs.pdf.output import book_html

    out = tmp_path / "o"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "site").exit_code == 0
    book = load_book(FIXTURES / "minimal").book
    assert book is not None
    base = book.config.base_url
    sitemap = (out / "site" / urls.SITEMAP).read_text(encoding="utf-8")
    feed = (out / "site" / urls.FEED).read_text(encoding="utf-8")
    for entry in book.entries:
        assert f"<loc>{urls.absolute(base, urls.model(entry.slug))}</loc>" in sitemap
        assert urls.absolute(base, urls.model(entry.slug)) in feed
    # The printed codes, drawn as the book draws them, read back as a phone's camera would.
    codes = re.findall(r'<img class="qr" src="([^"]+)"', book_html(book))
    assert len(codes) == len(book.entries)
    page = "".join(f'<img src="{code}" style="width: 40mm; margin: 10mm">' for code in codes)
    HTML(string=page).write_pdf(tmp_path / "codes.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "codes.pdf"),
                    str(tmp_path / "codes")], check=True)  # fmt: skip
    read = zxingcpp.read_barcodes(Image.open(tmp_path / "codes.png"))
    addresses = sorted(urls.absolute(base, urls.model(entry.slug)) for entry in book.entries)
    assert sorted(code.text for code in read if code.format == zxingcpp.BarcodeFormat.QRCode) \
        == addresses  # fmt: skip
    assert all(code.ec_level == "M" for code in read)
