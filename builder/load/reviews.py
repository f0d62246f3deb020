"""The delegates' comments on the draft, one YAML file per model in `content/reviews/`.

`builder comments` adds to these files and never touches a model's own file; editors read
them, and close a comment by setting `status: resolved` (or `builder comments --resolve ID`).
A comment's id is a hash of where it came from and what it says, so importing the same
returned copy twice adds nothing, and an editor's `resolved` survives a second import.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from builder.book.urls import MAX_SLUG
from builder.load.entries import SLUG

# A comment and its parts, read and written by builder/load/review_file.py; used through here.
from builder.load.review_file import KINDS as KINDS
from builder.load.review_file import STATUSES as STATUSES
from builder.load.review_file import BadReviewFile as BadReviewFile
from builder.load.review_file import Comment as Comment
from builder.load.review_file import Reply as Reply
from builder.load.review_file import comment_id as comment_id
from builder.load.review_file import read_review_file, review_file_text
from builder.util import files
from builder.util.errors import BadSlug as BadSlug
from builder.util.errors import UnknownComment as UnknownComment
from builder.util.i18n import _
from builder.util.problems import Problems, shown_path

UNPLACED = "_unplaced"  # comments whose model could not be found: their page or paragraph
# Comments kept per model. A round of 30 delegates who each write 20 comments on a model
# gives 600; 2 000 is past any real round, and keeps a review file near 1.1 MB, which
# `status` reads in about a second on a busy machine (the preview once per change). Past it,
# an import keeps what it has and names the comments it refused: a copy built to flood the
# book cannot make every later `status` slow.
MAX_PER_MODEL = 2_000


class Added(NamedTuple):
    """What `add_comments` did: new comments, those already there, those over the cap."""

    new: int
    already: int
    refused: int


def reviews_folder(content: Path) -> Path:
    return content / "reviews"


def is_slug(name: str) -> bool:
    """Whether `name` is written as the builder writes a model's name (entries.SLUG)."""
    return len(name) <= MAX_SLUG and SLUG.fullmatch(name) is not None


def is_model(content: Path, slug: str) -> bool:
    """Whether `slug` names a model of the book at `content`: `models/<slug>.md` exists."""
    return is_slug(slug) and (content / "models" / f"{slug}.md").is_file()


def review_path(content: Path, slug: str) -> Path:
    """`content/reviews/<slug>.yaml`; BadSlug for a name that is not a slug (nor
    `_unplaced`), or for a file that is a link leading out of the folder."""
    if slug != UNPLACED and not is_slug(slug):
        raise BadSlug(_("“{name}” is not a model's name").format(name=slug[:100]))
    folder = reviews_folder(content)
    path = folder / f"{slug}.yaml"
    if path.is_symlink() and path.resolve().parent != folder.resolve():
        raise BadSlug(
            _("{path} is a link leading out of {folder}/; replace it by the file itself").format(
                path=shown_path(path), folder=shown_path(folder)
            )
        )
    return path


def open_comments(content: Path, memo: ReviewMemo | None = None) -> dict[str, int]:
    """Open comments per model slug (and `_unplaced`), only those with at least one."""
    counts: dict[str, int] = {}
    for slug in review_slugs(content):
        found = comments_for(content, slug, memo)
        count = sum(comment.status == "open" for comment in found)
        if count:
            counts[slug] = count
    return counts


def comments_for(content: Path, slug: str, memo: ReviewMemo | None = None) -> tuple[Comment, ...]:
    """The comments on one model (or `_unplaced`), in file order; none when it has no file."""
    path = review_path(content, slug)
    if not path.is_file():
        return ()
    return memo.read(path) if memo is not None else read_review_file(path)


class ReviewMemo:
    """Review files read once and kept while their (mtime, size) stays the same: the preview
    shows a model's comments on every view, and reads its file again only after a change."""

    def __init__(self) -> None:
        self._kept: dict[Path, tuple[tuple[int, int], tuple[Comment, ...]]] = {}
        self._lock = threading.Lock()

    def read(self, path: Path) -> tuple[Comment, ...]:
        try:
            facts = path.stat()
        except OSError:
            return read_review_file(path)  # it says why
        key = (facts.st_mtime_ns, facts.st_size)
        with self._lock:
            kept = self._kept.get(path)
        if kept is not None and kept[0] == key:
            return kept[1]
        comments = read_review_file(path)
        with self._lock:
            self._kept[path] = (key, comments)
        return comments


def add_comments(content: Path, slug: str, comments: Iterable[Comment]) -> Added:
    """Add `comments` to the model's file, as one step among the runs on the same book.

    A comment already there keeps its status; replies it did not have yet are added to it.
    A file that is not a review file is left untouched (BadReviewFile); past MAX_PER_MODEL
    comments, the new ones are refused and counted.
    """
    path = review_path(content, slug)
    with files.book_lock(content):
        existing = {comment.id: comment for comment in comments_for(content, slug)}
        claimed: set[str] = set()
        added = already = refused = 0
        for comment in comments:
            known = comment.id if comment.id in existing else _alias(comment, existing, claimed)
            if known is not None:
                already += 1
                kept = existing[known]
                replies = (*kept.replies, *(r for r in comment.replies if r not in kept.replies))
                existing[known] = replace(kept, replies=replies)
            elif len(existing) >= MAX_PER_MODEL:
                refused += 1
            else:
                added += 1
                existing[comment.id] = comment
        if added or already:
            _write(content, path, existing.values())
    return Added(added, already, refused)


def _alias(comment: Comment, existing: dict[str, Comment], claimed: set[str]) -> str | None:
    """The id an older builder gave `comment`, when the file has it and no other comment of
    this import took it (two comments that shared an old id each keep their own now)."""
    for alias in comment.aliases:
        if alias in existing and alias not in claimed:
            claimed.add(alias)
            return alias
    return None


def resolve(content: Path, wanted: str) -> tuple[str, Comment]:
    """Mark comment `wanted` resolved: (the slug of its file, the comment)."""
    with files.book_lock(content):
        for slug in review_slugs(content):
            comments = comments_for(content, slug)
            for index, comment in enumerate(comments):
                if comment.id == wanted:
                    closed = replace(comment, status="resolved")
                    changed = (*comments[:index], closed, *comments[index + 1 :])
                    _write(content, review_path(content, slug), changed)
                    return slug, closed
    raise UnknownComment(
        _("no comment has the id `{id}` in {folder}/").format(
            id=wanted, folder=shown_path(reviews_folder(content))
        )
    )


def add_reply(content: Path, slug: str, wanted: str, reply: Reply) -> Comment:
    """`reply` added to comment `wanted` of the model's file (an editor answering in the
    workspace), kept with it like a Word reply: a later import of the copy keeps it."""
    path = review_path(content, slug)
    with files.book_lock(content):
        comments = comments_for(content, slug)
        for index, comment in enumerate(comments):
            if comment.id == wanted:
                answered = replace(comment, replies=(*comment.replies, reply))
                _write(content, path, (*comments[:index], answered, *comments[index + 1 :]))
                return answered
    raise UnknownComment(
        _("no comment has the id `{id}` in {folder}/").format(
            id=wanted, folder=shown_path(reviews_folder(content))
        )
    )


def move(content: Path, old: str, new: str) -> Added:
    """`builder comments --move OLD NEW`: the comments of OLD's review file (a model renamed
    to NEW) added to NEW's, and OLD's file removed, under the book's lock. Run again after an
    interruption, it adds nothing twice (the ids are the same) and removes the old file."""
    for name in (old, new):
        if not is_slug(name):
            raise BadSlug(_("“{name}” is not a model's name").format(name=name[:100]))
    if old == new:
        raise BadSlug(_("give two different models"))
    if not is_model(content, new):
        raise BadSlug(
            _("{path} does not exist: --move takes the model's new name").format(
                path=shown_path(content / "models" / f"{new}.md")
            )
        )
    source = review_path(content, old)
    if not source.is_file():
        raise BadSlug(_("{path} does not exist").format(path=shown_path(source)))
    with files.book_lock(content):
        moving = comments_for(content, old)
        existing = {comment.id: comment for comment in comments_for(content, new)}
        fresh = [comment for comment in moving if comment.id not in existing]
        if len(existing) + len(fresh) > MAX_PER_MODEL:
            raise BadSlug(
                _("{count} comments in one review file are more than the {most} kept per "
                  "model").format(count=len(existing) + len(fresh), most=MAX_PER_MODEL)
            )  # fmt: skip
        existing.update((comment.id, comment) for comment in fresh)
        _write(content, review_path(content, new), existing.values())
        try:
            source.unlink()
        except OSError as exc:
            raise files.WriteFailed(source, exc) from exc
    return Added(len(fresh), len(moving) - len(fresh), 0)


def review_slugs(content: Path) -> list[str]:
    """The names of the review files (`_unplaced` too), without those no slug can be."""
    folder = reviews_folder(content)
    if not folder.is_dir():
        return []
    return sorted(
        path.stem for path in folder.glob("*.yaml") if path.stem == UNPLACED or is_slug(path.stem)
    )


def stale_review_files(content: Path, models: Iterable[str]) -> list[Path]:
    """Review files whose name is no model of the book (renamed or removed): the comments
    in them show nowhere, so `check` and `status` name them."""
    folder = reviews_folder(content)
    if not folder.is_dir():
        return []
    slugs = set(models)
    return sorted(
        path
        for path in folder.glob("*.yaml")
        if path.stem != UNPLACED and path.stem not in slugs and not path.name.startswith(".")
    )


def check_review_files(content: Path, models: Iterable[str], problems: Problems) -> None:
    """A warning at each review file no model reads (`builder check`)."""
    for path in stale_review_files(content, models):
        problems.warning(
            shown_path(path), 1, 1,
            _("this review file is of “{name}”, which is no model of the book (renamed or "
              "removed?): its comments show nowhere").format(name=path.stem),
            _("move them to the model's new name with `builder comments --move {name} NEW`, "
              "or delete the file").format(name=path.stem),
            code="stray-review-file",
        )  # fmt: skip


def _write(content: Path, path: Path, comments: Iterable[Comment]) -> None:
    """The whole file in one rename (review_file_text). Only `reviews/` itself is ever made,
    never the book's folder above it."""
    text = review_file_text(comments)
    folder = reviews_folder(content)
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except OSError as exc:
        raise files.WriteFailed(folder, exc) from exc
    files.write_whole(path, text)
