"""The dots of the table of contents' and the indexes' leaders drawn in runs
(builder.outputs.pdf.layout.leader_runs): the same dots where WeasyPrint puts them, in an
eighth of the text boxes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from weasyprint import HTML
from weasyprint.layout import inline

from builder.outputs.pdf.layout import leader_runs
from builder.outputs.pdf.output import font_faces

# As book.css sets them: a leader after each title, a bold and letter-spaced one among them.
PAGE = """<style>{faces} body {{ font-family: "Charis SIL"; font-size: 10pt; }}
a {{ display: block; padding-right: 9mm; color: black; }}
a::after {{ content: leader(". ") " " attr(data-folio); margin-right: -9mm; }}
.part {{ font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; }}</style>
<a class="part" href="#p" data-folio="1">Phần I. Kinh tế</a>
<a href="#a" data-folio="7">Mô hình “Dân vận khéo” trong xây dựng nông thôn mới</a>
<a href="#b" data-folio="123">Dòng họ đoàn kết, giữ gìn an ninh thôn xóm, giúp đỡ hộ nghèo vươn lên
thoát nghèo bền vững</a>
<a href="#c" data-folio="1000">Đ</a>"""
WORD = re.compile(rb'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)<')


def _written(path: Path) -> tuple[list[tuple[bytes, float, float]], int]:
    """Every word's text and place (pdftotext), and the text-showing operators drawn."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                           check=True).stdout  # fmt: skip
    words = [(text, float(x), float(y)) for x, y, text in WORD.findall(boxes)]
    with pikepdf.open(path) as pdf:
        shown = sum(1 for _, operator in pikepdf.parse_content_stream(pdf.pages[0])
                    if str(operator) in ("Tj", "TJ"))  # fmt: skip
    return words, shown


def test_the_dots_fall_where_weasyprint_puts_them_in_fewer_boxes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader_runs.install()
    ours = inline.handle_leader
    html = PAGE.format(faces=font_faces())
    monkeypatch.setattr(inline, "handle_leader", ours.stock)
    HTML(string=html).write_pdf(tmp_path / "stock.pdf")
    monkeypatch.setattr(inline, "handle_leader", ours)
    HTML(string=html).write_pdf(tmp_path / "runs.pdf")

    stock, stock_shown = _written(tmp_path / "stock.pdf")
    runs, runs_shown = _written(tmp_path / "runs.pdf")
    assert [text for text, _, _ in runs] == [text for text, _, _ in stock]
    dots = [(a, b) for a, b in zip(stock, runs, strict=True) if a[0] == b"."]
    assert len(dots) > 100
    assert max(abs(a[1] - b[1]) + abs(a[2] - b[2]) for a, b in dots) < 0.1
    assert runs_shown * 4 < stock_shown


def test_installing_twice_wraps_once() -> None:
    leader_runs.install()
    installed = inline.handle_leader
    leader_runs.install()
    assert inline.handle_leader is installed
    assert not hasattr(installed.stock, "stock")
