"""`builder import`: Word documents, made here with python-docx, into model files."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import docx
from conftest import Run
from docx.shared import Cm
from PIL import Image


def _word_document(path: Path, *, facts: bool = True, picture: bool = True) -> Path:
    document = docx.Document()
    document.add_heading("Đổi mới sinh hoạt chi bộ ở xã Gia Hưng", 1)
    if facts:
        document.add_paragraph("Đơn vị: Chi bộ thôn Đông")
        document.add_paragraph("Địa bàn: xã Gia Hưng, huyện Gia Viễn")
        document.add_paragraph("Năm công nhận: 2022")
        document.add_paragraph("Lĩnh vực: Kinh tế")
    document.add_heading("Bối cảnh", 2)
    paragraph = document.add_paragraph("Thôn Đông có ")
    paragraph.add_run("1.200").bold = True
    paragraph.add_run(" hộ dân, sống chủ yếu bằng nghề *trồng lúa*.")
    document.add_heading("Cách làm", 2)
    document.add_paragraph("Họp dân công khai.", style="List Bullet")
    document.add_paragraph("Cán bộ đi trước.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Năm", (0, 1): "Số hộ", (1, 0): "2022",
                                (1, 1): "120"}.items():  # fmt: skip
        table.cell(row, column).text = text
    if picture:
        buffer = io.BytesIO()
        Image.new("RGB", (900, 600), (120, 160, 120)).save(buffer, "PNG")
        buffer.seek(0)
        document.add_picture(buffer, width=Cm(10))
    document.save(str(path))
    return path


def test_a_word_document_becomes_a_model_that_check_accepts(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    source = _word_document(tmp_path / "Báo cáo mô hình.docx")
    result = run("import", "--content", book, source)
    assert result.exit_code == 0, result.output
    path = book / "models" / "doi-moi-sinh-hoat-chi-bo-o-xa-gia-hung.md"
    assert result.stdout.splitlines()[0] == str(path)
    assert "to fill in: recognised_by, alt text of the pictures" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert 'title: "Đổi mới sinh hoạt chi bộ ở xã Gia Hưng"' in text
    assert 'unit: "Chi bộ thôn Đông"' in text and "field: kinh-te" in text
    assert 'district: "huyện Gia Viễn"' in text and 'commune: "xã Gia Hưng"' in text
    assert "year: 2022" in text
    assert "## Bối cảnh" in text and "## Cách làm" in text
    assert "Thôn Đông có **1.200** hộ dân, sống chủ yếu bằng nghề \\*trồng lúa\\*." in text
    assert "- Họp dân công khai.\n- Cán bộ đi trước." in text
    assert "| Năm | Số hộ |\n|---|---|\n| 2022 | 120 |" in text
    assert "![TODO: mô tả bức ảnh" in text
    assert (book / "images" / "bao-cao-mo-hinh-1.png").is_file()
    checked = run("check", "--content", book)
    assert checked.exit_code == 0, checked.stderr  # valid, with TODO warnings to fill in
    assert "still says TODO" in checked.stderr


def test_facts_the_document_does_not_give_are_flagged(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    source = _word_document(tmp_path / "khong-thong-tin.docx", facts=False, picture=False)
    result = run("import", "--content", book, source)
    assert result.exit_code == 0
    # The commune in the title gives the district; the year comes from the text.
    assert "to fill in: unit, field, recognised_by" in result.stdout
    text = (book / "models" / "doi-moi-sinh-hoat-chi-bo-o-xa-gia-hung.md").read_text("utf-8")
    assert 'district: "huyện Gia Viễn"' in text and "year: 2022" in text
    checked = run("check", "--content", book)
    assert checked.exit_code == 1
    assert "error: unknown field “TODO”" in checked.stderr
    assert "warning: `unit` still says TODO" in checked.stderr


def test_a_file_that_is_not_a_word_document_is_named(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    fake = tmp_path / "gia.docx"
    fake.write_text("không phải Word", encoding="utf-8")
    result = run("import", "--content", book, fake)
    assert result.exit_code == 1
    assert f"{fake}: error: cannot read it as a Word document" in result.stderr
