"""The Vietnamese text checker in `builder check`, and `check --fix`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import VALID_FRONT_MATTER, Run, write_model


def test_text_typed_in_tcvn3_or_vni_is_named(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    write_model(book, "tcvn3", VALID_FRONT_MATTER, "Nh©n d©n x· Gia H­ng ®· hiÕn ®Êt.\n")
    write_model(book, "vni", VALID_FRONT_MATTER.replace("Mô hình hợp lệ", "VNI"),
                "Nhaân daân xaõ Gia Höng ñaõ hieán ñaát.\n")  # fmt: skip
    result = run("check", "--content", book)
    assert result.exit_code == 1
    assert "tcvn3.md:10:1: error: “Nh©n” looks like text typed in the old TCVN3 (ABC) encoding" in (
        result.stderr
    )
    assert "vni.md:10:25: error: “ñaõ” looks like text typed in the old VNI encoding" in (
        result.stderr
    )
    assert "Unikey: Công cụ chuyển mã" in result.stderr


def test_mixed_tone_placement_reports_the_minority(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    write_model(book, "moi", VALID_FRONT_MATTER, "Hòa giải, hòa thuận, thủy lợi, khỏe mạnh.\n")
    write_model(book, "cu", VALID_FRONT_MATTER.replace("Mô hình hợp lệ", "Cũ"),
                "Quý vị hoà giải xong.\n")  # fmt: skip
    result = run("check", "--content", book)
    assert (
        "cu.md:10:8: warning: “hoà” puts the tone mark the old way; the book mostly uses "
        "the new (“hòa”, “thủy”)" in result.stderr
    )
    assert "Quý" not in result.stderr  # qu- is an onset: “quý” is right in both styles
    assert "moi.md" not in result.stderr


def test_straight_quotes_are_reported_and_fix_curls_them_and_normalises(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    body = 'Tinh thần "dân biết, dân bàn" được giữ.\n\n![Ảnh](../images/duong.png "Chú thích")\n'
    path = write_model(book, "ngoac", VALID_FRONT_MATTER, body.replace("ầ", "a\u0302\u0300"))
    before = run("check", "--content", book)
    assert 'ngoac.md:10:11: warning: straight quotes "…": Vietnamese text uses “…”' in before.stderr
    assert before.stderr.count("straight quotes") == 1  # not the picture's title
    fixed = run("check", "--fix", "--content", book)
    assert f"fixed {path}: Unicode NFC, 2 straight quotes curled" in fixed.stderr
    text = path.read_text(encoding="utf-8")
    assert "Tinh thần “dân biết, dân bàn” được giữ." in text
    assert '"Chú thích")' in text and 'title: "Mô hình hợp lệ"' in text
    assert "warning" not in run("check", "--content", book).stderr


def test_fix_leaves_addresses_and_code_alone(run: Run, book_copy: Callable[[str], Path]) -> None:
    book = book_copy("minimal")
    untouched = (
        '[tra cứu](https://example.org/tim?q="dan+van") và <https://example.org/a"b>\n\n'
        'Xem www.example.org/"x" hoặc `lệnh "x"`.\n\n'
        '    mã "thụt lề" giữ nguyên\n\n'
        '[ref]: https://example.org/"r" "Tiêu đề"\n\n'
        '```\nkhối "mã"\n```\n'
    )
    body = f'Câu "một".\n\n{untouched}\nCâu "hai" ([nguồn](https://example.org/"n")).\n'
    path = write_model(book, "dia-chi", VALID_FRONT_MATTER, body)
    before = run("check", "--content", book)
    assert before.stderr.count("straight quotes") == 2  # the two sentences, nothing else
    fixed = run("check", "--fix", "--content", book)
    assert f"fixed {path}: 4 straight quotes curled" in fixed.stderr
    text = path.read_text(encoding="utf-8")
    assert "Câu “một”." in text and 'Câu “hai” ([nguồn](https://example.org/"n")).' in text
    assert untouched in text


def test_fix_does_not_write_through_a_symlink(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    outside = tmp_path / "elsewhere.md"
    original = f'---\n{VALID_FRONT_MATTER.strip()}\n---\n\nCâu "ngoài sách".\n'
    outside.write_text(original, encoding="utf-8")
    (book / "models" / "lien-ket.md").symlink_to(outside)
    run("check", "--fix", "--content", book)
    assert outside.read_text(encoding="utf-8") == original
    assert (book / "models" / "lien-ket.md").is_symlink()


def test_names_and_words_of_other_languages_are_not_old_encodings(
    run: Run, book_copy: Callable[[str], Path]
) -> None:
    book = book_copy("minimal")
    body = (
        "Bác sĩ Müller từ Zürich và kỹ sư Søren Gödel đến thăm; họ nói “Schöne Grüße aus "
        "München”. Chị Noëlle người España kể về garçon naïve ở Tür für über.\n\n"
        "Đoàn khách Pháp dự lễ Noël, hát “Ô Tannenbaum”; chú Jürgen ghi chép bằng tiếng Đức.\n"
    )
    write_model(book, "ngoai-ngu", VALID_FRONT_MATTER, body)
    result = run("check", "--content", book)
    assert "encoding" not in result.stderr, result.stderr
    assert result.exit_code == 0, result.stderr
