"""Publishing a built site: into a folder a web server serves, or onto a git branch
(like `mkdocs gh-deploy`) without touching the working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from builder.i18n import _
from builder.problems import BuildError
from builder.publish import replace_folder


def to_folder(site: Path, target: Path) -> None:
    """Replace `target` with a copy of `site`, whole: a reader never sees half a site."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        shutil.copytree(site, staging, dirs_exist_ok=True)
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
        git("--work-tree", str(site.absolute()), "add", "--all", ".")
        tree = git("write-tree")
        parent = subprocess.run(
            ["git", "-C", str(repository), "rev-parse", "--verify", "--quiet",
             f"refs/heads/{branch}"], capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
        if parent and git("rev-parse", f"{parent}^{{tree}}") == tree:
            return parent  # nothing changed: no empty commit
        commit = git("commit-tree", tree, *(["-p", parent] if parent else []), "-m", message)
        git("update-ref", f"refs/heads/{branch}", commit)
        return commit
