"""Shared helpers: fixture books copied into a temporary folder, and the CLI run in-process."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from builder.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "content"

Run = Callable[..., Result]

# Messages are Vietnamese by default; most tests read them in English (`--lang en`), and
# tests/test_messages.py checks the Vietnamese catalogue and output.
os.environ["BUILDER_LANG"] = "en"


@pytest.fixture(autouse=True)
def messages_in_english() -> None:
    """Each test starts with the language BUILDER_LANG gives: a CLI run with `--lang vi`
    in an earlier test must not leave later in-process code speaking Vietnamese."""
    from builder.util import i18n

    i18n.set_language(None)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `builder ARGS` from the repository root, as a user would."""
    monkeypatch.chdir(ROOT)

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def book_copy(tmp_path: Path) -> Callable[[str], Path]:
    """A fresh copy of `tests/fixtures/<name>` (or `sample`, the shipped book) to change freely."""

    def copy(name: str) -> Path:
        source = SAMPLE if name == "sample" else FIXTURES / name
        target = tmp_path / name
        shutil.copytree(source, target)
        return target

    return copy


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample book built once, with every output, as `make` builds it."""
    out = tmp_path_factory.mktemp("sample") / "output"
    result = CliRunner().invoke(main, ["build", "--content", str(SAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def empty_folder(folder: Path) -> None:
    """`folder`, made empty (a preview's scratch folder, as `builder serve` starts one)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def write_model(book: Path, slug: str, front_matter: str, body: str = "Nội dung.\n") -> Path:
    """Write `models/<slug>.md` with the given front matter lines."""
    path = book / "models" / f"{slug}.md"
    path.write_text(f"---\n{front_matter.strip()}\n---\n\n{body}", encoding="utf-8")
    return path


VALID_FRONT_MATTER = """
title: "Mô hình hợp lệ"
kind: tap-the
unit: "Chi bộ thôn"
field: kinh-te
district: "huyện Gia Viễn"
year: 2023
"""


def table_after(text: str, heading: str) -> list[str]:
    """The rows of the first Markdown table after `heading` in `text`, without its head."""
    lines = text[text.index(heading) :].splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven through Playwright (never a downloaded browser)."""
    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
