"""Every front-matter mistake an editor makes is explained where it was typed, in plain
words, with the line quoted and the corrected line as the hint; `check --fix` repairs the
safe ones exactly and leaves the others byte for byte."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT

FACTS = [
    'title: "Hiến đất mở đường"',
    "kind: tap-the",
    'unit: "Chi bộ thôn Đông"',
    "field: kinh-te",
    'district: "huyện Gia Viễn"',
    "year: 2023",
    'recognised_by: "Huyện ủy Gia Viễn"',
    'tags: ["hiến đất", "nông thôn mới"]',
]
LINE = {fact.split(":")[0]: number for number, fact in enumerate(FACTS, start=2)}


def _facts(**changed: str) -> list[str]:
    """The valid facts with some lines replaced (a key given as None is dropped)."""
    return [changed.get(fact.split(":")[0], fact) for fact in FACTS]


# (name, front matter lines, the file line of the mistake, what --fix makes of the facts:
#  None when it must leave the file as it is)
CASES: list[tuple[str, list[str], int, list[str] | None]] = [
    ("unclosed quote, title", _facts(title='title: "Hiến đất mở đường'), LINE["title"], None),
    ("unclosed quote, unit", _facts(unit='unit: "Chi bộ thôn Đông'), LINE["unit"], None),
    ("unclosed quote, last line", _facts(tags='tags: "hiến đất'), LINE["tags"], None),
    ("quotes in quotes, recognised_by",
     _facts(recognised_by='recognised_by: "Ban "Thường vụ" Huyện ủy"'),
     LINE["recognised_by"], None),
    ("quotes in quotes, title", _facts(title='title: "Mô hình "Dân vận khéo" ở xã"'),
     LINE["title"], None),
    ("curly quotes as quotes, title", _facts(title="title: “Giữ nghề truyền thống”"),
     LINE["title"], _facts(title='title: "Giữ nghề truyền thống"')),
    ("curly quotes as quotes, unit", _facts(unit="unit: “Chi bộ thôn Đông”"), LINE["unit"],
     _facts()),
    ("indented key, year", _facts(year="  year: 2023"), LINE["year"], None),
    ("indented key, kind", _facts(kind="   kind: tap-the"), LINE["kind"], None),
    ("no space after colon, year", _facts(year="year:2023"), LINE["year"], _facts()),
    ("no space after colon, field", _facts(field="field:kinh-te"), LINE["field"], _facts()),
    ("colon in an unquoted value, title", _facts(title="title: Mô hình: dân vận khéo"),
     LINE["title"], None),
    ("colon in an unquoted value, unit", _facts(unit="unit: Chi bộ: thôn Đông"), LINE["unit"],
     None),
    ("unclosed [", _facts(tags='tags: ["hiến đất", "nông thôn mới"'), LINE["tags"], None),
    ("unclosed {", _facts(kind="kind: ca-nhan", tags="person: {name: Nguyễn Văn A"),
     LINE["tags"], None),
    ("tab before a key", _facts(year="\tyear: 2023"), LINE["year"], _facts()),
    ("tab in a group", [*_facts(kind="kind: ca-nhan"), "person:", "\tname: Nguyễn Văn A"],
     len(FACTS) + 3, [*_facts(kind="kind: ca-nhan"), "person:", "  name: Nguyễn Văn A"]),
    ("duplicate key, year", [*FACTS, "year: 2024"], len(FACTS) + 2, None),
    ("duplicate key, title", [*FACTS[:3], 'title: "Khác"', *FACTS[3:]], 5, None),
    ("list without dashes", [*FACTS[:-1], "tags:", "  hiến đất", "  nông thôn mới"],
     len(FACTS) + 2, None),
    ("list without dashes, in the middle", ["tags:", "  hiến đất", *FACTS[:-1]], 3, None),
    ("key twice in other case", [*FACTS, 'Title: "Hiến đất"'], len(FACTS) + 2, None),
    ("key in capitals", _facts(year="Year: 2023"), LINE["year"], None),
    ("text after the closing quote, title", _facts(title='title: "Hiến đất" mở đường'),
     LINE["title"], None),
    ("text after the closing quote, unit", _facts(unit='unit: "Chi bộ" thôn Đông'),
     LINE["unit"], None),
    ("line that is not a fact", [*FACTS[:4], "Lĩnh vực kinh tế", *FACTS[4:]], 6, None),
]  # fmt: skip

PARSER_WORDS = re.compile(
    r"block|scalar|mapping|stream|token|sequence|<|YAML syntax|cú pháp YAML", re.IGNORECASE
)


def _write(book: Path, facts: list[str]) -> Path:
    path = book / "models" / "mo-hinh.md"
    path.write_text("---\n" + "\n".join(facts) + "\n---\n\nNội dung bài viết.\n", encoding="utf-8")
    return path


def _check(book: Path, *args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "BUILDER_LANG"}
    command = [sys.executable, "-m", "builder", *(["--lang", lang] if lang else []), "check",
               "--content", str(book), *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=ROOT,
                          env=env, check=False)  # fmt: skip


def _first_problem(stderr: str, path: Path) -> tuple[int, str, str]:
    """(line, message with its quoted line, hint) of the first problem of `path`."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(str(path)))
    line = int(lines[start][len(str(path)) + 1 :].split(":")[0])
    block = [lines[start]]
    for following in lines[start + 1 :]:
        if not following.startswith("    "):
            break
        block.append(following)
    hint = next((text for text in block if text.strip().startswith(("hint:", "gợi ý:"))), "")
    return line, "\n".join(block), hint


@pytest.mark.parametrize(("name", "facts", "line", "repaired"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_explained_where_it_was_typed(
    book_copy: Callable[[str], Path],
    name: str,
    facts: list[str],
    line: int,
    repaired: list[str] | None,
) -> None:
    book = book_copy("minimal")
    path = _write(book, facts)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    vietnamese = _check(book)
    english = _check(book, lang="en")
    assert vietnamese.returncode == english.returncode == 1
    assert "Traceback" not in vietnamese.stderr + english.stderr
    vi_line, vi_text, vi_hint = _first_problem(vietnamese.stderr, shown)
    en_line, en_text, en_hint = _first_problem(english.stderr, shown)
    assert vi_line == en_line == line, vietnamese.stderr
    assert ": lỗi: " in vi_text and "gợi ý:" in vi_hint, vietnamese.stderr
    assert ": error: " in en_text and "hint:" in en_hint, english.stderr
    vi_message = vi_text.split(": lỗi: ", 1)[1].split("\n")[0]
    en_message = en_text.split(": error: ", 1)[1].split("\n")[0]
    assert vi_message != en_message and vi_hint != en_hint  # said in Vietnamese
    for text in (vi_text, en_text):
        assert not PARSER_WORDS.search(text), text
    before = path.read_bytes()
    _check(book, "--fix", lang="en")
    after = path.read_text(encoding="utf-8")
    if repaired is None:
        assert path.read_bytes() == before
    else:
        assert after == "---\n" + "\n".join(repaired) + "\n---\n\nNội dung bài viết.\n"


def test_the_quoted_line_and_the_corrected_line_are_shown(
    book_copy: Callable[[str], Path],
) -> None:
    book = book_copy("minimal")
    path = _write(book, _facts(recognised_by='recognised_by: "Ban "Thường vụ" Huyện ủy"'))
    result = _check(book, lang="en")
    assert (
        f"{path}:8:21: error: the value has quotes inside its quotes\n"
        '    8 | recognised_by: "Ban "Thường vụ" Huyện ủy"\n'
        "      |                     ^\n"
        '    hint: write the inner quotes as “…”: recognised_by: "Ban “Thường vụ” Huyện ủy"\n'
    ) in result.stderr
