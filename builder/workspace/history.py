"""Every change made in the workspace as one git commit in the book's repository, by its author.

The book's repository is the one the content folder is in; a content folder outside any is made
one (`git init`) when the workspace starts. The workspace's own folder (accounts, the session
key) is kept out of it. Commits name the logged-in person as author and the workspace as
committer, so `git log` answers "who changed this"; a version is restored as a new commit,
never by rewriting history. Writes and their commit happen under the book's lock, so two saves
never interleave their `git add` and `git commit`.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from builder.workspace.accounts import FOLDER, Account

COMMITTED = re.compile(r"^\[[^\]]*?([0-9a-f]{7,64})\]", re.MULTILINE)  # `[main 1a2b3c4] …`
COMMITTER = ("Không gian biên tập", "workspace@localhost")
FIELD_SEPARATOR = "\x1f"
RECORD_SEPARATOR = "\x1e"


class HistoryError(RuntimeError):
    """git failed; the message is git's own last line."""


@dataclass(frozen=True, slots=True)
class Version:
    commit: str
    author: str
    email: str
    when: str  # ISO 8601
    message: str


@dataclass(frozen=True, slots=True)
class Repository:
    root: Path  # the repository's top folder
    content: Path  # the book folder, inside `root`

    def git(self, *args: str, check: bool = True) -> str:
        env = {
            **os.environ,
            "GIT_COMMITTER_NAME": COMMITTER[0],
            "GIT_COMMITTER_EMAIL": COMMITTER[1],
            "GIT_AUTHOR_NAME": COMMITTER[0],
            "GIT_AUTHOR_EMAIL": COMMITTER[1],
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C.UTF-8",
        }
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        if check and done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["?"]
            raise HistoryError(last[0])
        return done.stdout

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def commit(self, paths: list[Path], message: str, author: Account) -> str | None:
        """The changes of `paths` (written, or removed) committed as `author`; None when
        nothing changed. Call it under the book's lock, right after the write. Two git
        processes (add, commit): every save waits for the one before it under the lock, so
        each process saved is time saved for everyone (20 editors at once measured it)."""
        names = [self.relative(path) for path in paths]
        self.git("add", "--all", "--", *names)
        done = self.git(
            "-c", "commit.gpgsign=false", "commit", "--no-verify", "--no-status", "-m", message,
            "--author", f"{author.full_name} <{author.name}@workspace>", "--", *names,
            check=False,
        )  # fmt: skip
        made = COMMITTED.search(done)
        if made is None:
            if "nothing" in done or "no changes" in done:
                return None  # the files were already so
            raise HistoryError(done.strip().splitlines()[-1] if done.strip() else "git commit")
        return made.group(1)

    def log(self, path: Path, limit: int = 200) -> list[Version]:
        """The versions of `path`, newest first (following renames)."""
        fmt = FIELD_SEPARATOR.join(("%H", "%an", "%ae", "%aI", "%s")) + RECORD_SEPARATOR
        out = self.git(
            "log", f"-n{limit}", "--follow", f"--format={fmt}", "--", self.relative(path),
            check=False,
        )  # fmt: skip
        versions = []
        for record in out.split(RECORD_SEPARATOR):
            fields = record.strip("\n").split(FIELD_SEPARATOR)
            if len(fields) == 5:
                versions.append(Version(*fields))
        return versions

    def text_at(self, commit: str, path: Path) -> str | None:
        """`path` as it was in `commit`, or None when it did not exist there."""
        data = self.bytes_at(commit, path)
        return data.decode("utf-8", "replace") if data is not None else None

    def bytes_at(self, commit: str, path: Path) -> bytes | None:
        """`path`'s bytes as they were in `commit`, or None when it did not exist there."""
        if not is_commit(commit):
            return None
        done = subprocess.run(
            ["git", "-C", str(self.root), "show", f"{commit}:{self.relative(path)}"],
            capture_output=True, check=False,
        )  # fmt: skip
        return done.stdout if done.returncode == 0 else None


def is_commit(name: str) -> bool:
    """Whether `name` is written as a commit's id (7 to 64 hexadecimal digits, lower case):
    nothing else reaches git as a revision, so no option and no `a..b`."""
    return 7 <= len(name) <= 64 and all(c in "0123456789abcdef" for c in name)


def open_repository(content: Path) -> Repository:
    """The repository the book is in, made when there is none; the workspace's folder and the
    lock file kept out of it (`.git/info/exclude`)."""
    content = content.resolve()
    found = subprocess.run(
        ["git", "-C", str(content), "rev-parse", "--show-toplevel"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if found.returncode == 0:
        root = Path(found.stdout.strip()).resolve()
    else:
        root = content
        subprocess.run(["git", "-C", str(root), "init", "--quiet"], check=True)
    repository = Repository(root, content)
    _exclude(repository)
    return repository


def keep_out_of_git(repository: Repository, folder: Path) -> None:
    """`folder` (the workspace's build outputs) left out of the book's repository when it lies
    inside it, so `git status` and the workspace's commits never see the built files."""
    real = folder.resolve()
    if real != repository.root and real.is_relative_to(repository.root):
        _exclude_lines(repository, [f"/{real.relative_to(repository.root).as_posix()}/"])


def _exclude(repository: Repository) -> None:
    inside = repository.content.relative_to(repository.root).as_posix()
    prefix = "" if inside == "." else f"/{inside}"
    _exclude_lines(repository, [f"{prefix}/{FOLDER}/", f"{prefix}/.builder.lock"])


def _exclude_lines(repository: Repository, wanted: list[str]) -> None:
    git_dir = Path(repository.git("rev-parse", "--absolute-git-dir").strip())
    exclude = git_dir / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    have = exclude.read_text(encoding="utf-8").splitlines() if exclude.is_file() else []
    missing = [line for line in wanted if line not in have]
    if missing:
        with exclude.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in missing))
