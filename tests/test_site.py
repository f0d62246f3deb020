"""The website: every model reachable, facts shown, Vietnamese order, links that resolve."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, VALID_FRONT_MATTER, Run, write_model
from fontTools.ttLib import TTFont
from lxml import etree
from sitecheck import broken_links, facts, page

from builder.book import urls

VIETNAMESE_LETTERS = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)


@pytest.fixture
def minimal_site(run: Run, tmp_path: Path) -> Path:
    result = run("build", "--content", FIXTURES / "minimal", "--out", tmp_path / "out", "site")
    assert result.exit_code == 0, result.output
    return tmp_path / "out" / "site"


def test_home_page_leads_to_every_model(minimal_site: Path) -> None:
    home = page(minimal_site, "index.html")
    assert home.get("lang") == "vi"
    assert home.findtext(".//h1") == "Sách thử"
    links = set(home.xpath("//a[@class='card-title']/@href"))
    assert links == {urls.model("duong-lang"), urls.model("dan-quan"), urls.model("an-ninh")}
    counts = [" ".join(li.text_content().split()) for li in home.xpath("//ul[@class='counts']/li")]
    assert "Kinh tế 2" in counts and "Năm 2024 1" in counts and "huyện Nho Quan 1" in counts
    assert "Đây là lời giới thiệu" in home.text_content()


def test_model_page_shows_facts_body_images_and_neighbours(minimal_site: Path) -> None:
    model = page(minimal_site, urls.model("duong-lang"))
    shown = facts(model)
    assert shown["Địa bàn"] == "xã Gia Hưng, huyện Gia Viễn (nay là xã Gia Hưng)"
    assert shown["Đơn vị"] == "Chi bộ thôn Đông"
    assert shown["Năm công nhận"] == "2022"
    assert shown["Lĩnh vực"] == "Kinh tế"
    lead = model.xpath("//figure[contains(@class,'lead')]")[0]
    assert lead.xpath(".//img/@alt") == ["Con đường bê tông giữa hai hàng cây"]
    assert lead.xpath(".//img/@width") == ["1000"] and lead.xpath(".//img/@height") == ["625"]
    assert lead.xpath(".//img/@src") == ["../images/duong-960.png"]
    assert lead.xpath(".//source/@srcset") == [
        "../images/duong-480.webp 480w, ../images/duong-960.webp 960w, "
        "../images/duong-1000.webp 1000w"
    ]
    assert "Đường thôn Đông" in lead.findtext("figcaption")
    inline = model.xpath("//div[@class='prose']//figure")[0]
    assert inline.findtext("figcaption") == "Cánh đồng bên đường"
    assert model.xpath("//div[@class='table-wrap']/table//th/text()") == ["Thôn", "Hộ hiến đất"]
    assert model.xpath("//section[@class='footnotes']//li")
    assert model.xpath("//a[@rel='prev']") or model.xpath("//a[@rel='next']")


def test_individual_models_name_their_person(minimal_site: Path) -> None:
    model = page(minimal_site, urls.model("dan-quan"))
    shown = facts(model)
    assert shown["Cá nhân"] == "Nguyễn Văn Thử, Chỉ huy trưởng"
    assert shown["Địa bàn"] == "phường Đông Thành, thành phố Ninh Bình (nay là phường Hoa Lư)"
    assert shown["Loại mô hình"] == "Cá nhân"


def test_lists_are_in_vietnamese_alphabetical_order(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    write_model(book, "dan-van", VALID_FRONT_MATTER.replace("Mô hình hợp lệ", "Dân vận khéo"))
    write_model(book, "ech", VALID_FRONT_MATTER.replace("Mô hình hợp lệ", "Ếch xanh"))
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    listing = page(tmp_path / "o" / "site", urls.listing("field", "kinh-te"))
    titles = listing.xpath("//a[@class='card-title']/text()")
    assert titles == ["An ninh thôn xóm", "Dân vận khéo", "Đường làng sạch đẹp", "Ếch xanh"]
    districts = page(tmp_path / "o" / "site", urls.list_index("district")).xpath("//main//a/text()")
    assert districts == ["huyện Gia Viễn", "huyện Nho Quan", "thành phố Ninh Bình"]  # h < i


def test_every_internal_link_and_image_resolves(minimal_site: Path) -> None:
    assert broken_links(minimal_site) == []


def test_pages_are_correct_under_a_base_url_path(minimal_site: Path) -> None:
    model = page(minimal_site, urls.model("dan-quan"))
    assert model.xpath("//link[@rel='canonical']/@href") == [
        urls.absolute("https://example.org/sach/", urls.model("dan-quan"))
    ]
    assert model.xpath("//meta[@property='og:type']/@content") == ["article"]
    not_found = page(minimal_site, "404.html")
    (stylesheet,) = not_found.xpath("//link[@rel='stylesheet']/@href")
    assert re.fullmatch(r"/sach/assets/style\.[0-9a-f]{10}\.css", stylesheet)
    assert not_found.xpath("//a[@class='brand']/@href") == ["/sach/index.html"]
    sitemap = etree.parse(str(minimal_site / "sitemap.xml"))
    locs = sitemap.xpath(
        "//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    )
    assert "https://example.org/sach/" in locs
    assert urls.absolute("https://example.org/sach/", urls.model("an-ninh")) in locs
    assert not any("404" in loc for loc in locs)


def test_the_atom_feed_lists_every_model(minimal_site: Path) -> None:
    feed = etree.parse(str(minimal_site / "feed.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = feed.xpath("//a:entry/a:id/text()", namespaces=ns)
    assert sorted(ids) == [
        urls.absolute("https://example.org/sach/", urls.model(slug))
        for slug in ("an-ninh", "dan-quan", "duong-lang")
    ]
    assert feed.xpath("/a:feed/a:updated/text()", namespaces=ns) == ["2025-06-01T00:00:00Z"]


def test_no_page_asks_for_anything_outside_the_site(minimal_site: Path) -> None:
    for file in minimal_site.rglob("*.html"):
        text = file.read_text(encoding="utf-8")
        for attribute in re.findall(r'(?:src|href)="([^"]+)"', text):
            if attribute.startswith("http"):
                assert 'rel="canonical"' in text or "feed" in attribute
        assert " style=" not in text  # the Content-Security-Policy allows no inline style
        for script in re.findall(r"<script[^>]*>", text):  # data or our own files only
            assert 'type="application/ld+json"' in script or 'src="assets/search.' in script
    css = next((minimal_site / "assets").glob("style.*.css")).read_text(encoding="utf-8")
    assert not re.search(r"url\(['\"]?(https?:)?//", css)


def test_fonts_served_cover_every_vietnamese_letter(minimal_site: Path) -> None:
    fonts = sorted((minimal_site / "assets" / "fonts").glob("*.woff2"))
    assert [f.name.split(".")[0] for f in fonts] == [
        "CharisSIL-Bold",
        "CharisSIL-BoldItalic",
        "CharisSIL-Italic",
        "CharisSIL-Regular",
    ]
    for font in fonts:
        assert font.stat().st_size < 20_000
        cmap = TTFont(font).getBestCmap()
        letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + "“”–₫"
        assert [ch for ch in letters if ord(ch) not in cmap] == []


def test_raw_html_and_script_links_never_reach_the_page(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    body = (
        'Đoạn văn <script>alert(1)</script> có <b onclick="x()">mã</b>.\n\n'
        "[bấm vào](javascript:alert(1)) và [dữ liệu](data:text/html,hi)\n"
    )
    write_model(book, "doc-hai", VALID_FRONT_MATTER, body)
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    model = page(tmp_path / "o" / "site", urls.model("doc-hai"))
    assert model.xpath("//script[not(@type='application/ld+json')]") == []
    assert model.xpath("//*[@onclick]") == []
    assert not [
        href for href in model.xpath("//a/@href") if href.startswith(("javascript", "data"))
    ]
    assert "<script>alert(1)</script>" in model.xpath("//div[@class='prose']")[0].text_content()


def test_every_page_is_nfc(run: Run, book_copy: Callable[[str], Path], tmp_path: Path) -> None:
    book = book_copy("minimal")
    write_model(book, "to-hop", VALID_FRONT_MATTER, "Nhân dân đo\u0302\u0300ng lòng.\n")
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    for file in (tmp_path / "o" / "site").rglob("*.html"):
        assert unicodedata.is_normalized("NFC", file.read_text(encoding="utf-8")), file


def test_a_summary_keeps_the_space_at_a_line_break(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    write_model(book, "xuong-dong", VALID_FRONT_MATTER, "Một dòng\nhai dòng.\n")
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    model = page(tmp_path / "o" / "site", urls.model("xuong-dong"))
    assert model.xpath("//meta[@name='description']/@content") == ["Một dòng hai dòng."]


def test_pictures_with_the_same_name_get_distinct_names_in_any_order(
    book_copy: Callable[[str], Path],
) -> None:
    """Two pictures called “Ảnh 1.png” in different folders: each output name is unique,
    and does not depend on which entry is loaded first (serve reloads one entry alone)."""
    from builder.load.images import ImageCatalog

    book = book_copy("minimal")
    pictures = []
    for folder in ("xa-a", "xa-b"):
        (book / "images" / folder).mkdir()
        target = book / "images" / folder / "Ảnh 1.png"
        target.write_bytes((book / "images" / "duong.png").read_bytes())
        pictures.append(target)
    forward, backward = ImageCatalog(book), ImageCatalog(book)
    names = [forward.image(path, "ảnh").output_name for path in pictures]
    reversed_names = [backward.image(path, "ảnh").output_name for path in reversed(pictures)]
    assert len(set(names)) == 2 and all(name.startswith("anh-1-") for name in names)
    assert names == list(reversed(reversed_names))
    assert forward.image(book / "images" / "duong.png", "").output_name == "duong.png"


def test_a_model_page_has_one_h1_and_its_sections_below_it_with_table_headers_scoped(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    body = (
        "Mở đầu.\n\n## Cách làm\n\nNội dung.\n\n### Bước một\n\nChi tiết.\n\n"
        "## Kết quả\n\n| Năm | Số hộ |\n|---|--:|\n| 2023 | 12 |\n"
    )
    write_model(book, "doc-hai", VALID_FRONT_MATTER, body)
    assert run("build", "--content", book, "--out", tmp_path / "o", "site").exit_code == 0
    model = page(tmp_path / "o" / "site", urls.model("doc-hai"))
    levels = [int(h.tag[1]) for h in model.xpath("//main//*[self::h1 or self::h2 or self::h3]")]
    assert levels[:4] == [1, 2, 3, 2] and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert model.xpath("//main//h1")[0].text_content() == "Mô hình hợp lệ"
    assert model.xpath("//table//th/@scope") == ["col", "col"]
