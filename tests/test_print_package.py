"""The printing house's package: the interior block, the cover spread and the preflight,
read back with pikepdf, Ghostscript and a real barcode decoder (zxing-cpp)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, Run
from pdfcheck import MM, page_texts
from PIL import Image

from builder.cli import main

SAMPLE_PRINT = "dan-van-kheo-ninh-binh-2021-2025-print.pdf"
SAMPLE_COVER = "dan-van-kheo-ninh-binh-2021-2025-cover.pdf"
ISBN = "978-604-57-1234-4"  # a valid check digit


def _build(book: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(
        main, ["--lang", "en", "build", *args, "--content", str(book), "--out", str(out), "pdf"]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _book(factory: pytest.TempPathFactory, name: str, yaml_tail: str) -> Path:
    book = factory.mktemp(name) / "book"
    shutil.copytree(FIXTURES / "minimal", book)
    with (book / "book.yaml").open("a", encoding="utf-8") as file:
        file.write(yaml_tail)
    return book


@pytest.fixture(scope="module")
def isbn_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal book with an ISBN, a price, a back cover text and thick paper (a spine
    wide enough for its text)."""
    book = _book(
        tmp_path_factory,
        "isbn",
        f"""
colophon: {{publisher: "Nhà xuất bản Thử", isbn: "{ISBN}"}}
print:
  signature: 8
  paper_caliper_mm: 0.3
  spine_text_min_mm: 3
  back_cover_text: "Cuốn sách nhỏ để thử bìa bốn."
  price: "45.000 đồng"
""",
    )
    out = book.parent / "out"
    _build(book, out)
    return out


@pytest.fixture(scope="module")
def bad_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 72 ppi picture and an accent colour given only in RGB."""
    book = _book(tmp_path_factory, "bad", 'pdf: {colours: {accent: "#1d4e8e"}}\n')
    Image.new("RGB", (300, 200), (40, 120, 60)).save(book / "images" / "duong.png")
    out = book.parent / "out"
    _build(book, out)
    return book, out


def _all_pdfs(folder: Path) -> list[Path]:
    return [p for p in folder.glob("*.pdf") if p.name.endswith(("-print.pdf", "-cover.pdf"))]


def test_the_interior_has_no_cover_whole_signatures_and_the_colophon_last(
    sample_output: Path,
) -> None:
    texts = page_texts(sample_output / SAMPLE_PRINT)
    assert len(texts) % 16 == 0
    assert texts[0] == "100 mô hình “Dân vận khéo” tiêu biểu tỉnh Ninh Bình"  # the half title
    assert "Chịu trách nhiệm xuất bản" in texts[-1]  # the colophon
    assert texts[-2] == ""  # padding goes before it


def test_folios_count_from_the_half_title(sample_output: Path) -> None:
    import json

    texts = page_texts(sample_output / SAMPLE_PRINT)
    pages = json.loads((sample_output / "print-pages.json").read_text())
    for anchor, page in pages.items():
        if anchor.startswith("mo-hinh-"):
            assert texts[page - 1].endswith(f" {page}"), anchor


def test_the_spread_is_two_trims_and_the_spine_wide(sample_output: Path) -> None:
    interior = len(pikepdf.open(sample_output / SAMPLE_PRINT).pages)
    with pikepdf.open(sample_output / SAMPLE_COVER) as pdf:
        page = pdf.pages[0].obj
        trim = [float(v) / MM for v in page.TrimBox]
        bleed = [float(v) / MM for v in page.BleedBox]
    spine = interior / 2 * 0.1
    assert abs((trim[2] - trim[0]) - (2 * 145 + spine)) < 0.1
    assert abs((bleed[2] - bleed[0]) - (2 * 145 + spine + 2 * 5)) < 0.1
    assert abs((trim[3] - trim[1]) - 205) < 0.1


def test_the_spine_follows_the_page_count_and_caliper(isbn_book: Path) -> None:
    interior = len(pikepdf.open(isbn_book / "sach-thu-print.pdf").pages)
    assert interior % 8 == 0
    with pikepdf.open(isbn_book / "sach-thu-cover.pdf") as pdf:
        trim = [float(v) / MM for v in pdf.pages[0].obj.TrimBox]
    assert abs((trim[2] - trim[0]) - (2 * 145 + interior / 2 * 0.3)) < 0.1
    text = page_texts(isbn_book / "sach-thu-cover.pdf")[0]
    assert "Sách thử" in text and "Giá: 45.000 đồng" in text  # the spine, the price


def test_the_barcode_decodes_to_the_isbn(isbn_book: Path, tmp_path: Path) -> None:
    import zxingcpp

    subprocess.run(["pdftoppm", "-png", "-r", "300", "-singlefile",
                    str(isbn_book / "sach-thu-cover.pdf"), str(tmp_path / "cover")],
                   check=True)  # fmt: skip
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "cover.png"))
    assert [(b.format.name, b.text) for b in found] == [("EAN13", ISBN.replace("-", ""))]


def test_a_book_without_an_isbn_says_not_for_sale_and_has_no_barcode(
    sample_output: Path,
) -> None:
    assert "Sách không bán" in page_texts(sample_output / SAMPLE_COVER)[0]


def test_no_device_rgb_anywhere_in_either_print_file(sample_output: Path) -> None:
    from builder.outputs.pdf.press.preflight import walk

    for path in _all_pdfs(sample_output):
        with pikepdf.open(path) as pdf:
            found = walk(pdf)
            assert "/DeviceRGB" not in found.spaces, path.name
            assert not {"rg", "RG"} & found.operators.keys()
            assert set(found.images) <= {"/DeviceCMYK", "/DeviceGray"}
            assert found.interpolated == 0
            raw = b"".join(
                o.read_raw_bytes() if isinstance(o, pikepdf.Stream) else b""
                for o in pdf.objects
                if not (isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image")
            )
            assert b"/DeviceRGB" not in raw


def test_the_cover_colours_are_device_cmyk_from_book_yaml(sample_output: Path) -> None:
    with pikepdf.open(sample_output / SAMPLE_COVER) as pdf:
        fills = [
            [round(float(x), 2) for x in i.operands]
            for i in pikepdf.parse_content_stream(pdf.pages[0])
            if str(i.operator) == "scn"
        ]
    assert [0.0, 0.95, 0.85, 0.35] in fills  # cover_background "0 95 85 35"


def test_body_text_is_on_the_black_plate_only(sample_output: Path, tmp_path: Path) -> None:
    import json

    first_model = min(v for k, v in json.loads((sample_output / "print-pages.json").read_text())
                      .items() if k.startswith("mo-hinh-"))  # fmt: skip
    with pikepdf.open(sample_output / SAMPLE_PRINT) as pdf:
        page = next(
            number
            for number, p in enumerate(pdf.pages, start=1)
            if number > first_model
            and {"Tj", "TJ"} & (ops := {str(i.operator) for i in pikepdf.parse_content_stream(p)})
            and "Do" not in ops
        )  # a page of body text, without pictures or QR code
    subprocess.run(["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-r50", "-sDEVICE=tiffsep",
                    f"-dFirstPage={page}", f"-dLastPage={page}",
                    f"-sOutputFile={tmp_path}/p.tif", str(sample_output / SAMPLE_PRINT)],
                   check=True)  # fmt: skip
    inked = {}
    for plate in ("Cyan", "Magenta", "Yellow", "Black"):
        image = Image.open(tmp_path / f"p({plate}).tif").convert("L")
        inked[plate] = image.getextrema()[0] < 250  # separations: white is no ink
    assert inked == {"Cyan": False, "Magenta": False, "Yellow": False, "Black": True}


def test_ink_stays_under_the_limit_on_every_page(sample_output: Path) -> None:
    from builder.outputs.pdf.press.ink_coverage import max_ink_on_pages

    for path in _all_pdfs(sample_output):
        with pikepdf.open(path) as pdf:
            count = len(pdf.pages)
        assert max(max_ink_on_pages(path, range(1, count + 1)).values()) <= 300, path.name


def test_crop_marks_lie_outside_the_bleed_box(sample_output: Path) -> None:
    for path in _all_pdfs(sample_output):
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                left, bottom, right, top = (float(v) for v in page.obj.BleedBox)
                media = [float(v) for v in page.obj.MediaBox]
                assert media[0] < left and media[1] < bottom and media[2] > right
                marks = pikepdf.parse_content_stream(page.obj.Contents[-1])
                points = [
                    (float(i.operands[0]), float(i.operands[1]))
                    for i in marks
                    if str(i.operator) in ("m", "l")
                ]
                assert len(points) >= 16
                widths = [float(i.operands[0]) for i in marks if str(i.operator) == "w"]
                assert widths == [0.25]
                for x, y in points:
                    assert not (left < x < right and bottom < y < top), (path.name, x, y)


def test_the_preflight_passes_on_the_sample(sample_output: Path) -> None:
    report = (sample_output / "preflight.txt").read_text(encoding="utf-8")
    lines = [line for line in report.splitlines() if line.startswith("[")]
    assert len(lines) == 14
    assert all(line.startswith("[pass]") for line in lines), report


def test_the_preflight_names_a_low_resolution_picture_and_an_rgb_colour(
    bad_book: tuple[Path, Path],
) -> None:
    report = (bad_book[1] / "preflight.txt").read_text(encoding="utf-8")
    failed = [line for line in report.splitlines() if line.startswith("[FAIL]")]
    assert [line.split(": ")[1] for line in failed] == ["colour spaces", "picture resolution"]
    assert "sach-thu-print.pdf" in failed[0] and "DeviceRGB: 0" not in failed[0]


def test_strict_build_fails_on_a_failing_preflight(
    run: Run, bad_book: tuple[Path, Path], tmp_path: Path
) -> None:
    result = run("--lang", "en", "build", "--strict", "--content", bad_book[0], "--out",
                 tmp_path / "o", "pdf")  # fmt: skip
    assert result.exit_code == 1
    assert not (tmp_path / "o").exists()


def test_check_refuses_a_wrong_isbn_check_digit_at_its_line(run: Run, tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "minimal", book)
    with (book / "book.yaml").open("a", encoding="utf-8") as file:
        file.write('colophon: {isbn: "978-604-57-1234-5"}\n')
    line = len((book / "book.yaml").read_text(encoding="utf-8").splitlines())
    result = run("--lang", "en", "check", "--content", book)
    assert result.exit_code == 1
    assert f"book.yaml:{line}:" in result.output + result.stderr
    assert "ISBN `978-604-57-1234-5` has a wrong check digit" in result.output + result.stderr


def test_print_settings_are_range_checked(run: Run, tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "minimal", book)
    with (book / "book.yaml").open("a", encoding="utf-8") as file:
        file.write("print: {signature: 12, max_ink: 500}\n"
                   'pdf: {colours_print: {accent: "0 0 0 120"}}\n')  # fmt: skip
    result = run("--lang", "en", "check", "--content", book)
    shown = result.output + result.stderr
    assert "`print.signature` is 12; it must be 4, 8, 16 or 32" in shown
    assert "`print.max_ink` is 500; it must be from 200 to 400" in shown
    assert "colour `0 0 0 120` is not four CMYK percentages" in shown


def test_the_ean13_modules_follow_the_specification() -> None:
    from builder.book.isbn import check_digit
    from builder.outputs.pdf.press.barcode import modules

    assert check_digit("978604571234") == 4
    bars = modules("9786045712344")
    assert len(bars) == 95 and bars.startswith("101") and bars.endswith("101")
    assert bars[45:50] == "01010"
