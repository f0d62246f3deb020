"""No command destroys what it did not write: `--out` and `publish --to` accept only a new,
empty or builder-made folder; `publish --branch` only a branch of its own; builds killed
halfway leave nothing that the next build does not clean."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLE, Run

from builder.publish.destinations import MARKER


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def _one_line_refusal(stderr: str) -> str:
    assert "Traceback" not in stderr
    refusals = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(refusals) == 1, stderr
    return refusals[0]


def test_publish_refuses_a_folder_of_files_it_did_not_write(run: Run, tmp_path: Path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "thesis.docx").write_bytes(b"two years of work")
    (www / "photos").mkdir()
    (www / "photos" / "a.jpg").write_bytes(b"jpeg")
    before = _tree(www)
    result = run("publish", "--content", FIXTURES / "minimal", "--out", tmp_path / "o",
                 "--to", www)  # fmt: skip
    assert result.exit_code == 1
    assert _one_line_refusal(result.stderr) == (
        f"error: publishing failed: {www} holds files the builder did not write "
        "(photos, thesis.docx); empty it, or choose a new folder"
    )
    assert _tree(www) == before
    assert not (tmp_path / "o").exists()  # refused before building, not after


def test_publish_force_replaces_an_old_copy_of_the_site(run: Run, tmp_path: Path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "index.html").write_text("published by an older builder", encoding="utf-8")
    result = run("publish", "--content", FIXTURES / "minimal", "--out", tmp_path / "o",
                 "--to", www, "--force")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (www / MARKER).is_file()
    assert "older builder" not in (www / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("book", "{target} is or holds the book {book}, which the builder would delete; "
                 "choose a folder of its own, such as output/"),
        ("parent", "{target} is or holds the book {book}, which the builder would delete; "
                   "choose a folder of its own, such as output/"),
        ("project", "{target} is or holds the book {book}, which the builder would delete; "
                    "choose a folder of its own, such as output/"),
        ("root", "{target} is or holds the root of the disk, which the builder would delete; "
                 "choose a folder of its own, such as output/"),
        ("inside", "{target} is inside the book {book}; choose a folder outside it"),
        ("output", "{target} is inside {out}; choose a folder outside it"),
        ("symlink", "{target} is a symbolic link; give the folder itself"),
        ("file", "{target} is a file, not a folder; give a folder"),
    ],
)  # fmt: skip
def test_publish_refuses_the_book_the_project_and_what_is_not_a_folder(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, expected: str
) -> None:
    project = tmp_path / "project"
    book = project / "content"
    shutil.copytree(FIXTURES / "minimal", book)
    out = project / "output"
    (project / "notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "afile.txt").write_text("keep me too", encoding="utf-8")
    (tmp_path / "link").symlink_to(book)
    target = {
        "book": book, "parent": tmp_path, "project": Path("."), "root": Path("/"),
        "inside": book / "site", "output": out / "site", "symlink": tmp_path / "link",
        "file": tmp_path / "afile.txt",
    }[where]  # fmt: skip
    before = _tree(tmp_path)
    monkeypatch.chdir(project)  # `run` starts at the repository's root: start here instead
    from click.testing import CliRunner

    from builder.cli import main

    # --force is no way around any of these
    args = ["publish", "--content", str(book), "--out", str(out), "--to", str(target), "--force"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1
    message = expected.format(target=target, book=book, out=out)
    assert _one_line_refusal(result.stderr) == f"error: publishing failed: {message}"
    assert _tree(tmp_path) == before
    assert (tmp_path / "link").is_symlink()


@pytest.mark.parametrize("where", ["book", "project", "strangers"])
def test_build_refuses_to_replace_what_it_did_not_write(
    run: Run, book_copy: Callable[[str], Path], tmp_path: Path, where: str
) -> None:
    book = book_copy("minimal")
    strangers = tmp_path / "documents"
    strangers.mkdir()
    (strangers / "letter.txt").write_text("dear…", encoding="utf-8")
    target = {"book": book, "project": Path("."), "strangers": strangers}[where]
    before = _tree(tmp_path)
    result = run("build", "--content", book, "--out", target, "site")
    assert result.exit_code == 1
    assert _one_line_refusal(result.stderr) == "error: " + {
        "book": f"{book} is or holds the book {book}, which the builder would delete; choose a "
                "folder of its own, such as output/",
        "project": ". is or holds the current folder, which the builder would delete; choose a "
                   "folder of its own, such as output/",
        "strangers": f"{strangers} holds files the builder did not write (letter.txt); empty "
                     "it, or choose a new folder",
    }[where]  # fmt: skip
    assert "build stopped" in result.stderr
    assert _tree(tmp_path) == before


def test_an_output_folder_of_an_older_builder_is_still_replaced(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "epub").exit_code == 0
    (out / MARKER).unlink()  # as builders before the marker left it
    lines = (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    (out / "SHA256SUMS").write_text(
        "".join(f"{line}\n" for line in lines if MARKER not in line), encoding="utf-8"
    )
    result = run("build", "--content", FIXTURES / "minimal", "--out", out, "site")
    assert result.exit_code == 0, result.output
    assert (out / MARKER).is_file() and (out / "site" / "index.html").is_file()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def _project_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "editor@example.org")
    _git(repo, "config", "user.name", "Editor")
    (repo / "README.md").write_text("the project", encoding="utf-8")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "-q", "-m", "Start the book")
    return repo


@pytest.mark.parametrize(
    ("branch", "expected"),
    [
        ("main", "branch main is checked out: publishing would replace the project's files "
                 "with the site; publish to a branch of its own, such as gh-pages"),
        ("notes", "branch notes holds 1 commit the builder did not make; publish to a branch "
                  "of its own, such as gh-pages"),
    ],
)  # fmt: skip
def test_publish_refuses_a_branch_that_is_not_the_sites_own(
    run: Run, tmp_path: Path, branch: str, expected: str
) -> None:
    repo = _project_repo(tmp_path)
    _git(repo, "branch", "notes")
    heads = _git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    result = run("publish", "--content", FIXTURES / "minimal", "--out", tmp_path / "o",
                 "--branch", branch, "--repo", repo)  # fmt: skip
    assert result.exit_code == 1
    assert _one_line_refusal(result.stderr) == f"error: publishing failed: {expected}"
    assert "git push" not in result.stdout
    assert _git(repo, "for-each-ref", "--format=%(refname) %(objectname)") == heads
    assert _git(repo, "status", "--porcelain") == ""


def test_leftovers_of_killed_builds_are_cleaned_but_not_those_of_living_ones(
    run: Run, tmp_path: Path
) -> None:
    dead_staging = tmp_path / ".out.new-k1ll3d"
    dead_retired = tmp_path / ".out.old-k1ll3d"
    living = tmp_path / ".out.new-l1v1ng"
    for folder in (dead_staging, dead_retired, living):
        (folder / "site").mkdir(parents=True)
    (tmp_path / ".out.lock").write_text("", encoding="utf-8")
    handle = os.open(living, os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)  # as a build still rendering holds its staging folder
    try:
        result = run("build", "--content", FIXTURES / "minimal", "--out", tmp_path / "out", "site")
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == [".out.new-l1v1ng", "out"]
    finally:
        os.close(handle)


def test_a_kill_9_in_the_middle_of_a_build_is_cleaned_by_the_next(tmp_path: Path) -> None:
    import signal
    import sys
    import time

    out = tmp_path / "out"
    command = [sys.executable, "-m", "builder", "build", "--content", str(FIXTURES / "minimal"),
               "--out", str(out), "pdf"]  # fmt: skip
    build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.new-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert list(tmp_path.glob(".out.new-*")), "the build was killed before it staged anything"
    done = subprocess.run([*command[:-1], "epub"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_symlink_inside_the_output_is_not_followed(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "epub").exit_code == 0
    outside = tmp_path / "system"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "passwd").write_text("root:x:0:0", encoding="utf-8")
    (out / "system").symlink_to(outside)
    assert run("build", "--content", FIXTURES / "minimal", "--out", out, "site").exit_code == 0
    assert not (out / "system").exists()
    assert "passwd" not in (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert (outside / "deep" / "passwd").is_file()


def _processes_running(marker: str) -> list[int]:
    """The processes whose command line holds `marker` (a build's forked workers keep the
    command line of the build that forked them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in words and state != "Z":
            found.append(int(entry.name))
    return found


def test_a_kill_9_during_the_pdf_layout_leaves_no_worker_behind(tmp_path: Path) -> None:
    """Killed while its units are laid out, a build takes its workers with it: none is left
    laying out pages, and none keeps the staging folder locked."""
    import signal
    import sys
    import time

    out = tmp_path / "out"
    command = [sys.executable, "-m", "builder", "build", "--content", str(SAMPLE),
               "--out", str(out), "pdf"]  # fmt: skip
    build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_processes_running(str(out))) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)  # the build, its layout child, and two unit workers
    assert len(_processes_running(str(out))) >= 4, "no unit worker was seen"
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 3  # the sample's layout alone takes longer
    while _processes_running(str(out)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_running(str(out)) == []
    done = subprocess.run([*command[:-1], "epub"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
