"""Click's own words (usage, help, errors) speak the editor's language, like our messages."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from conftest import ROOT

from builder.cli import click_messages


def builder(*args: str, language: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m builder ARGS` as an editor runs it: BUILDER_LANG unset unless given."""
    env = {key: value for key, value in os.environ.items() if key != "BUILDER_LANG"}
    if language is not None:
        env["BUILDER_LANG"] = language
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_the_group_help_is_vietnamese_by_default() -> None:
    result = builder("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Cách dùng: python -m builder [OPTIONS] COMMAND [ARGS]...")
    for text in ("Tùy chọn:", "Lệnh:", "Hiện hướng dẫn này rồi thoát.", "Hiện phiên bản",
                 "Tạo trang web, bản PDF và bản EPUB", "Kiểm tra mọi bài"):  # fmt: skip
        assert text in result.stdout, text
    assert "Options:" not in result.stdout


@pytest.mark.parametrize(
    "args", [("--lang", "en", "--help"), ("--help", "--lang", "en"), ("--lang=en", "-h")]
)
def test_the_group_help_is_english_with_lang_en_in_any_order(args: tuple[str, ...]) -> None:
    result = builder(*args)
    assert result.returncode == 0, result.stderr
    for text in ("Usage:", "Options:", "Commands:", "Show this message and exit.",
                 "Build the website, PDF and EPUB", "Check every entry"):  # fmt: skip
        assert text in result.stdout, text


def test_the_environment_chooses_english_too() -> None:
    result = builder("check", "--help", language="en")
    assert "Treat warnings as errors." in result.stdout


def test_a_command_help_is_vietnamese_by_default_and_english_on_request() -> None:
    vietnamese = builder("check", "--help")
    assert vietnamese.returncode == 0
    assert "Cách dùng: python -m builder check [OPTIONS]" in vietnamese.stdout
    assert "Kiểm tra mọi bài và báo mọi lỗi dưới dạng tệp:dòng:cột." in vietnamese.stdout
    assert "Coi cảnh báo là lỗi." in vietnamese.stdout
    assert "[mặc định: content]" in " ".join(vietnamese.stdout.split())
    english = builder("--lang", "en", "check", "--help")
    assert "Check every entry and report all problems as path:line:column." in english.stdout
    assert "[default: content]" in english.stdout


def test_a_usage_error_is_vietnamese_by_default_and_english_on_request() -> None:
    vietnamese = builder("check", "--nope")
    assert vietnamese.returncode == 2
    assert vietnamese.stderr == (
        "Cách dùng: python -m builder check [OPTIONS]\n"
        "Xem hướng dẫn bằng 'python -m builder check --help'.\n\n"
        "Lỗi: Không có tùy chọn '--nope'.\n"
    )
    english = builder("--lang", "en", "check", "--nope")
    assert english.returncode == 2
    assert "Error: No such option '--nope'." in english.stderr
    assert "Try 'python -m builder check --help' for help." in english.stderr


def test_a_missing_argument_is_named_in_the_chosen_language() -> None:
    vietnamese = builder("new")
    assert vietnamese.returncode == 2
    assert "Lỗi: Thiếu đối số 'TITLE'." in vietnamese.stderr
    english = builder("--lang", "en", "new")
    assert english.returncode == 2
    assert "Error: Missing argument 'TITLE'." in english.stderr


def test_a_wrong_choice_and_a_wrong_number_are_explained_in_vietnamese() -> None:
    result = builder("build", "docx")
    assert result.returncode == 2
    choices = "[all|pdf|epub|site|review]..."
    assert f"Lỗi: Giá trị không hợp lệ cho '{choices}': 'docx' không phải là " in result.stderr
    result = builder("serve", "--port", "tám")
    assert result.returncode == 2
    assert "'tám' không phải là số hợp lệ" in result.stderr


def test_lang_is_read_only_before_the_command_name() -> None:
    assert click_messages.language_in(["--lang", "en", "check"]) == "en"
    assert click_messages.language_in(["--help", "--lang=en"]) == "en"
    assert click_messages.language_in(["--lang", "fr"]) is None  # Click refuses it itself
    assert click_messages.language_in(["new", "--lang", "en"]) is None  # the title's business


def _listed_ids() -> set[str | tuple[str, str]]:
    """The Click ids click_messages.py marks (N_ and ngettext literals)."""
    tree = ast.parse(Path(click_messages.__file__).read_text(encoding="utf-8"))
    found: set[str | tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "N_":
                found.add(texts[0])
            elif node.func.id == "ngettext":
                found.add((texts[0], texts[1]))
    return found


def test_every_click_message_we_translate_is_still_one_of_clicks() -> None:
    """A Click upgrade that rewords a message would silently show it in English."""
    clicks: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        Path(click.__file__).parent,
        method_map=[("**.py", "python")],
        keywords={"_": None, "ngettext": (1, 2)},
    ):
        clicks.add(message if isinstance(message, str) else (message[0], message[1]))
    clicks.add("required")  # Click translates it as `_(extra["required"])`: no literal there
    ours = _listed_ids()
    assert len(ours) > 25
    assert ours <= clicks, sorted(map(str, ours - clicks))
