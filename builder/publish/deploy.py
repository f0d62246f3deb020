"""Publishing a built site: into a folder a web server serves, or onto a git branch
(like `mkdocs gh-deploy`) without touching the working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from builder.publish.destinations import check_destination, mark
from builder.util.errors import BuildError
from builder.util.folder_swap import staged, turn
from builder.util.i18n import _, ngettext

# Every commit `to_branch` makes carries this line; a branch holding other commits is refused.
TRAILER = "Published-by: dan-van-kheo-builder"


def to_folder(site: Path, target: Path, book: Path, out_dir: Path, *, force: bool = False) -> None:
    """Replace `target` with a copy of `site`, whole: a reader never sees half a site.

    `target` must be a folder the builder may replace (see `destinations`); `force` accepts
    one holding files it did not mark (a copy of the site published by an older builder).
    """
    check_destination(target, book, others=(out_dir,), force=force)
    absolute = Path(os.path.abspath(target))
    with staged(absolute) as staging:
        shutil.copytree(site, staging.folder, dirs_exist_ok=True, symlinks=True)
        mark(staging.folder)
        with turn(absolute):
            staging.swap_in()


def to_branch(site: Path, repository: Path, branch: str, message: str) -> str:
    """Commit the site as the whole tree of `branch` (created if needed); return the commit.

    Uses a private index, so the working tree and the current branch are left alone.
    Nothing is pushed: `git push origin <branch>` does that.
    """
    (site / ".nojekyll").touch()  # GitHub Pages: serve files as they are
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}

        def git(*args: str) -> str:
            done = subprocess.run(["git", "-C", str(repository), *args], env=env,
                                  capture_output=True, text=True, check=False)  # fmt: skip
            if done.returncode != 0:
                raise BuildError(
                    _("git {command} failed: {reason}").format(
                        command=args[0], reason=done.stderr.strip()
                    )
                )
            return done.stdout.strip()

        git("rev-parse", "--git-dir")
        git("check-ref-format", "--branch", branch)
        _check_branch(git, branch)
        git("--work-tree", str(site.absolute()), "add", "--all", ".")
        tree = git("write-tree")
        parent = subprocess.run(
            ["git", "-C", str(repository), "rev-parse", "--verify", "--quiet",
             f"refs/heads/{branch}"], capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
        if parent and git("rev-parse", f"{parent}^{{tree}}") == tree:
            return parent  # nothing changed: no empty commit
        commit = git("commit-tree", tree, *(["-p", parent] if parent else []),
                     "-m", message, "-m", TRAILER)  # fmt: skip
        git("update-ref", f"refs/heads/{branch}", commit)
        return commit


def _check_branch(git: Callable[..., str], branch: str) -> None:
    """Refuse a branch that is checked out (its work tree would then lose every file of the
    project) or that holds commits the builder did not make."""
    checked_out = [
        line.removeprefix("branch refs/heads/")
        for line in git("worktree", "list", "--porcelain").splitlines()
        if line.startswith("branch refs/heads/")
    ]
    if branch in checked_out:
        raise BuildError(
            _("branch {branch} is checked out: publishing would replace the project's files "
              "with the site; publish to a branch of its own, such as gh-pages").format(
                branch=branch)
        )  # fmt: skip
    if not git("branch", "--list", branch):
        return
    messages = git("log", "--format=%B%x00", f"refs/heads/{branch}").split("\0")
    foreign = [
        text for text in (message.strip() for message in messages)
        if text and TRAILER not in text and text not in _OLD_MESSAGES
    ]  # fmt: skip
    if foreign:
        raise BuildError(
            ngettext(
                "branch {branch} holds {count} commit the builder did not make; publish to a "
                "branch of its own, such as gh-pages",
                "branch {branch} holds {count} commits the builder did not make; publish to a "
                "branch of its own, such as gh-pages",
                len(foreign),
            ).format(branch=branch, count=len(foreign))
        )  # fmt: skip


# How builders before the trailer named their commits (English and Vietnamese).
_OLD_MESSAGES = ("Publish the website", "Xuất bản trang web")
