"""`builder publish`: to a folder or a git branch, never a book that fails its check."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import FIXTURES, Run, write_model

from builder.book import urls


def test_publish_to_a_folder_replaces_it_whole(run: Run, tmp_path: Path) -> None:
    www = tmp_path / "www"
    args = ("publish", "--content", FIXTURES / "minimal", "--out", tmp_path / "o", "--to", www)
    assert run(*args).exit_code == 0  # a new folder
    (www / "old.html").write_text("a page of an earlier publish", encoding="utf-8")
    result = run(*args)  # a folder the builder wrote: replaced whole
    assert result.exit_code == 0, result.output
    assert (www / "index.html").is_file() and (www / "pagefind" / "0" / "pagefind.js").is_file()
    assert not (www / "old.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "www"]


def test_publish_to_a_branch_leaves_the_working_tree_alone(run: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "notes.txt").write_text("work in progress", encoding="utf-8")
    args = ("publish", "--content", FIXTURES / "minimal", "--out", tmp_path / "o",
            "--branch", "gh-pages", "--repo", repo)  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "send it with: git push origin gh-pages" in result.stdout
    files = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "gh-pages"],
                           capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    assert "index.html" in files and ".nojekyll" in files and urls.model("an-ninh") in files
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert status.strip() == "?? notes.txt"
    first = _git(repo, "rev-parse", "gh-pages")
    assert run(*args).exit_code == 0  # a second publish adds to the branch's history
    assert _git(repo, "rev-list", "--count", "gh-pages") in ("1", "2")
    assert first in _git(repo, "rev-list", "gh-pages").split()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def test_a_book_that_fails_its_check_is_not_published(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    book = book_copy("minimal")
    write_model(book, "hong", 'title: "Hỏng"')
    result = run("publish", "--content", book, "--out", tmp_path / "o", "--to", tmp_path / "www")
    assert result.exit_code == 1
    assert not (tmp_path / "www").exists()


def test_publish_needs_one_destination(run: Run) -> None:
    assert run("publish").exit_code == 2
