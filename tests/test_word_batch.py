"""A batch of legacy documents (.doc, .odt) starts LibreOffice once for all of them (issue 29,
item 10: one start costs 1–3 s, and a hundred were most of an import's time), and each
document still imports as it does alone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, Run
from test_import_corpus import front_matter, word_book

CORPUS = FIXTURES / "word"


def _counting_soffice(folder: Path, log: Path) -> None:
    real = shutil.which("soffice")
    assert real, "LibreOffice is installed by make test-setup"
    folder.mkdir()
    wrapper = folder / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)


def test_legacy_documents_of_a_batch_share_one_libreoffice_start(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "starts.log"
    _counting_soffice(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("BUILDER_CACHE", str(tmp_path / "cache"))
    documents = []
    for number in range(4):
        for suffix in (".doc", ".odt"):
            copy = tmp_path / f"bao-cao-{number}{suffix}"
            shutil.copyfile(CORPUS / f"khanh-nhac{suffix}", copy)
            documents.append(copy)
    book = word_book(book_copy)
    result = run("import", "--content", book, *documents)
    assert result.exit_code == 0, result.output
    starts = log.read_text().splitlines()
    to_docx = [line for line in starts if "--convert-to docx" in line]
    assert len(to_docx) == 1, starts  # all eight documents in one start
    assert len(to_docx[0].split()) > 8
    assert len(starts) <= 3, starts  # and the diagram's picture converted once, then cached
    models = sorted((book / "models").glob("*.md"))
    assert len(models) == 8
    titles = {str(front_matter(model)["title"]) for model in models}
    assert titles == {"Ngày thứ Bảy cùng dân xã Khánh Nhạc"}
