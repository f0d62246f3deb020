"""`builder import`: Word documents, made here with python-docx, into model files."""

from __future__ import annotations

import io
import re
import shutil
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
    assert "to fill in: alt text of the pictures" in result.stdout
    text = path.read_text(encoding="utf-8")
    assert 'title: "Đổi mới sinh hoạt chi bộ ở xã Gia Hưng"' in text
    assert 'unit: "Chi bộ thôn Đông"' in text and "field: Kinh tế" in text
    assert 'district: "huyện Gia Viễn"' in text and 'commune: "xã Gia Hưng"' in text
    assert "year: 2022" in text
    assert "## Bối cảnh" in text and "## Cách làm" in text
    assert "Thôn Đông có **1.200** hộ dân, sống chủ yếu bằng nghề \\*trồng lúa\\*." in text
    assert "- Họp dân công khai.\n- Cán bộ đi trước." in text
    assert "| Năm | Số hộ |\n|---|---|\n| 2022 | 120 |" in text
    assert "![TODO: mô tả bức ảnh" in text
    pictures = list((book / "images").glob("doi-moi-sinh-hoat-chi-bo-o-xa-gia-hung-*.png"))
    assert len(pictures) == 1 and f"../images/{pictures[0].name}" in text
    assert "place: xã Gia Hưng, huyện Gia Viễn (from “Địa bàn: xã Gia Hưng, huyện Gia Viễn”)" in (
        result.stdout
    )
    assert "Lĩnh vực" not in text  # the facts' lines are in the front matter, not twice
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
    # The commune in the title and a year in a table are no statement of the facts.
    assert "to fill in: unit, field, district, year (see" in result.stdout
    text = (book / "models" / "doi-moi-sinh-hoat-chi-bo-o-xa-gia-hung.md").read_text("utf-8")
    assert 'district: "TODO"' in text and "year: TODO" in text
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
    assert f"{fake}: error: it is not a Word document (.docx, .doc) nor an OpenDocument " in (
        result.stderr
    )
    assert "0 imported (0 with warnings), 1 refused" in result.stderr


def _with_footnote(path: Path, anchor: str, note: str) -> Path:
    """A Word document whose paragraph `anchor` carries footnote 1 reading `note`.
    python-docx cannot write footnotes, so the part is added to the package by hand, as Word
    stores it (word/footnotes.xml, its relationship and content type)."""
    import zipfile

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_heading("Tổ hòa giải thôn Bắc", 1)
    paragraph = document.add_paragraph(anchor)
    run = paragraph.add_run()
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), "1")
    run._r.append(reference)
    document.add_paragraph("Đoạn tiếp theo.")
    document.save(str(path))
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f'</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p>'
        "</w:footnote></w:footnotes>"
    )
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/footnotes.xml"] = footnotes.encode()
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.footnotes+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_footnotes_of_a_word_document_become_markdown_footnotes(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    source = _with_footnote(
        tmp_path / "hoa-giai.docx", "Thôn có 12 vụ việc được hòa giải.", "Số liệu năm 2023."
    )
    result = run("import", "--content", book, source)
    assert result.exit_code == 0, result.output
    text = (book / "models" / "to-hoa-giai-thon-bac.md").read_text(encoding="utf-8")
    reference = re.search(r"Thôn có 12 vụ việc được hòa giải\.\[\^(\w+)\]", text)
    assert reference, text
    assert f"[^{reference.group(1)}]: Số liệu năm 2023." in text
    errors = [line for line in run("check", "--content", book).stderr.splitlines()
              if ": error: " in line]  # fmt: skip
    # only the facts left to fill in
    assert errors and all("TODO" in line or "`year`" in line for line in errors)


def test_two_districts_documents_of_the_same_name_keep_their_own_pictures(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    first, second = tmp_path / "gia-vien", tmp_path / "yen-khanh"
    first.mkdir(), second.mkdir()
    _word_document(first / "Báo cáo.docx")
    document = docx.Document()
    document.add_heading("Mô hình của huyện Yên Khánh", 1)
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (200, 40, 40)).save(buffer, "PNG")
    buffer.seek(0)
    document.add_picture(buffer, width=Cm(10))
    document.save(str(second / "Báo cáo.docx"))
    assert run("import", "--content", book, first / "Báo cáo.docx").exit_code == 0
    (kept,) = (book / "images").glob("doi-moi-*.png")
    kept_bytes = kept.read_bytes()
    result = run("import", "--content", book, second / "Báo cáo.docx")
    assert result.exit_code == 0, result.output
    assert kept.read_bytes() == kept_bytes
    (other,) = (book / "images").glob("mo-hinh-cua-huyen-yen-khanh-*.png")
    text = (book / "models" / "mo-hinh-cua-huyen-yen-khanh.md").read_text(encoding="utf-8")
    assert f"../images/{other.name}" in text and kept.name not in text
    # The same document again: a second model file, but no second copy of its picture.
    assert run("import", "--content", book, second / "Báo cáo.docx").exit_code == 0
    assert len(list((book / "images").glob("mo-hinh-cua-huyen-yen-khanh-*.png"))) == 1


def test_a_word_zip_bomb_is_refused_in_seconds(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """A small .docx whose text unpacks to 300 MB is named, not read (it took minutes)."""
    import zipfile

    book = book_copy("minimal")
    bomb = tmp_path / "bom.docx"
    source = _word_document(tmp_path / "that.docx", picture=False)
    with zipfile.ZipFile(source) as real, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in real.infolist():
            data = real.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<!--" + b" " * 300_000_000 + b"--></w:body>")
            out.writestr(item, data)
    assert bomb.stat().st_size < 2_000_000
    models = sorted((book / "models").iterdir())
    result = run("import", "--content", book, bomb)
    assert result.exit_code == 1
    assert (
        f"{bomb}: error: its text unpacks to 300 MB; documents of up to 20 MB of text are supported"
    ) in result.stderr
    assert sorted((book / "models").iterdir()) == models


def test_a_word_hyperlink_cannot_break_out_of_its_markdown_link(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    book = book_copy("minimal")
    document = docx.Document()
    document.add_heading("Liên kết từ Word", 1)
    paragraph = document.add_paragraph("Xem ")
    target = 'https://example.org/a b)\n\n# Tiêu đề chen vào\n<script>"'
    relation = paragraph.part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run_element = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "trang này"
    run_element.append(text)
    link.append(run_element)
    paragraph._p.append(link)
    path = tmp_path / "lien-ket.docx"
    document.save(str(path))
    assert run("import", "--content", book, path).exit_code == 0
    written = (book / "models" / "lien-ket-tu-word.md").read_text(encoding="utf-8")
    body = written.split("\n---\n", 1)[1]
    assert "# Tiêu đề chen vào" not in body and "<script>" not in body
    assert "[trang này](https://example.org/a%20b%29%0A%0A#%20Ti" in body


def test_one_bad_document_never_stops_the_batch(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """A missing path, a password-protected file and an empty document are each refused with
    their reason; the good one is imported; the summary counts them; exit 1."""
    book = book_copy("minimal")
    protected = tmp_path / "mat-khau.docx"  # an encrypted OOXML file is an OLE compound file
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000
                          + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100)  # fmt: skip
    empty = tmp_path / "trong.docx"
    docx.Document().save(str(empty))
    good = _word_document(tmp_path / "tot.docx", picture=False)
    result = run("import", "--content", book, tmp_path / "khong-co.docx", protected, empty, good)
    assert result.exit_code == 1
    assert f"{tmp_path / 'khong-co.docx'}: error: no such file" in result.stderr
    assert f"{protected}: error: it is protected by a password" in result.stderr
    assert f"{empty}: error: it has no text" in result.stderr
    assert "1 imported (1 with warnings), 3 refused" in result.stderr
    assert (book / "models" / "doi-moi-sinh-hoat-chi-bo-o-xa-gia-hung.md").is_file()


def test_places_are_matched_on_whole_names_only(book_copy: Callable[[str], Path]) -> None:
    from builder.authoring.word.word_facts import front_matter, labelled, places_named
    from builder.load.config import load_config
    from builder.util.problems import Problems

    config = load_config(book_copy("sample"), Problems())
    assert config is not None
    for text in ("camera an ninh", "some visitors call it home"):
        assert places_named(text, config) == ([], [])
    fact = labelled("Địa bàn: xã Khánh Nhạc, huyện Yên Khánh, tỉnh Ninh Bình")
    assert fact is not None
    found = front_matter([fact], config, "giai đoạn 2021–2025 … năm 2024 được công nhận")
    assert found.values["district"] == "huyện Yên Khánh"
    assert found.values["commune"] == "xã Khánh Nhạc"
    assert found.values["year"] == "TODO"  # no labelled line states it: a comment at most
    assert "2024" in found.guesses["year"]


def test_a_picture_whose_content_is_not_its_ending_fails_check(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    """An EMF saved under a .png name (as the import once did) fails check, not build."""
    from conftest import FIXTURES, VALID_FRONT_MATTER, write_model

    book = book_copy("minimal")
    (book / "images" / "so-do.png").write_bytes(
        (FIXTURES / "word" / "sources" / "so-do.emf").read_bytes()
    )
    write_model(book, "so-do", VALID_FRONT_MATTER, "![Sơ đồ](../images/so-do.png)\n")
    checked = run("check", "--content", book)
    assert checked.exit_code == 1
    assert "so-do.png" in checked.stderr and "error" in checked.stderr


def test_the_alt_text_placeholder_is_a_warning_and_an_error_with_strict(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    from conftest import VALID_FRONT_MATTER, write_model

    book = book_copy("minimal")
    write_model(book, "anh", VALID_FRONT_MATTER,
                "Nội dung.\n\n![TODO: mô tả bức ảnh](../images/duong.png)\n")  # fmt: skip
    checked = run("check", "--content", book)
    assert "warning: a picture's alt text still says TODO" in checked.stderr
    assert run("check", "--strict", "--content", book).exit_code == 1


def test_a_converted_metafile_is_kept_for_the_next_import(
    book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """The second import of a document with a WMF diagram needs no LibreOffice: the PNG is
    kept by content in .cache/metafiles/ (here LibreOffice is out of reach the second time)."""
    import os
    import subprocess
    import sys

    from conftest import FIXTURES, ROOT

    cache = tmp_path / "cache"
    env = {**os.environ, "BUILDER_LANG": "en", "BUILDER_CACHE": str(cache)}
    command = [sys.executable, "-m", "builder", "import"]
    source = FIXTURES / "word" / "khanh-nhac.docx"  # its diagram is a WMF
    first, second = book_copy("minimal"), tmp_path / "second"
    shutil.copytree(first, second)
    done = subprocess.run([*command, "--content", str(first), str(source)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list((cache / "metafiles").glob("*.png"))
    env["PATH"] = "/nonexistent"  # no soffice to be found
    done = subprocess.run([*command, "--content", str(second), str(source)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "could not be converted" not in done.stdout + done.stderr
    assert sorted(p.name for p in (first / "images").glob("*.png")) == sorted(
        p.name for p in (second / "images").glob("*.png")
    )
