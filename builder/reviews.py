"""The delegates' comments on the draft, one YAML file per model in `content/reviews/`.

`builder comments` adds to these files and never touches a model's own file; editors read
them, and close a comment by setting `status: resolved` (or `builder comments --resolve ID`).
A comment's id is a hash of where it came from and what it says, so importing the same
returned copy twice adds nothing, and an editor's `resolved` survives a second import.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from builder import files
from builder.entries import SLUG
from builder.i18n import _
from builder.problems import BuildError, Problem, Problems, shown_path
from builder.urls import MAX_SLUG
from builder.yaml_source import LocatedYaml, YamlProblem, parse_yaml

UNPLACED = "_unplaced"  # comments whose model could not be found: their page or paragraph
STATUSES = ("open", "resolved")
KINDS = (
    "comment",
    "reply",
    "suggestion",
    "note",
    "highlight",
    "underline",
    "strikeout",
    "freetext",
)
Status = Literal["open", "resolved"]
# Comments kept per model. A round of 30 delegates who each write 20 comments on a model
# gives 600; 2 000 is past any real round, and keeps a review file near 1.1 MB, which
# `status` reads in about a second on a busy machine (the preview once per change). Past it,
# an import keeps what it has and names the comments it refused: a copy built to flood the
# book cannot make every later `status` slow.
MAX_PER_MODEL = 2_000

HEADER = """\
# Góp ý của đại biểu về bản dự thảo, do `builder comments` ghi lại từ các bản đã góp ý
# (Word hoặc PDF). Tệp này không phải nội dung sách: sửa bài trong content/models/.
# Khi đã xử lý xong một góp ý, đổi `status: open` thành `status: resolved`
# (hoặc chạy `builder comments --resolve MÃ`). Đừng sửa `id`: nhập lại cùng một tệp
# sẽ nhận ra góp ý đã có nhờ mã đó.
"""


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer to a comment, kept with it (Word's threaded replies)."""

    author: str
    date: str
    text: str


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment, note, mark or suggested change a delegate made on the review copy."""

    id: str
    kind: str  # one of KINDS
    author: str
    date: str  # ISO 8601, as the file gave it
    source: str  # the returned file's name
    where: str  # “đoạn 12”, “trang 34”: where a reader finds it in that file
    text: str = ""
    quoted: str = ""  # the text the comment is about
    old: str = ""  # suggestions (tracked changes): the text deleted …
    new: str = ""  # … and the text inserted
    status: Status = "open"
    replies: tuple[Reply, ...] = ()
    reason: str = ""  # why an unplaced comment is not in its model's file
    # The ids an older builder gave the same comment (not written): importing a copy read
    # before ids held the comment's position finds its comments already there.
    aliases: tuple[str, ...] = field(default=(), compare=False)


def comment_id(
    origin: str, author: str, date: str, anchor: str, quoted: str, text: str, position: str = ""
) -> str:
    """A short stable id: the same comment read twice from the same kind of file gets the
    same id (`origin`: docx or pdf; `anchor`: the model or page it stands at; `position`:
    where in it, so two equal comments at two places stay two)."""
    parts = (origin, author, date, anchor, quoted, text, *((position,) if position else ()))
    key = "\x1f".join(parts)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


class BadReviewFile(BuildError):
    """A review file edited into something unreadable; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class UnknownComment(BuildError):
    """`--resolve` was given an id no review file holds."""


class BadSlug(BuildError):
    """A model's name read from outside (a returned copy, the command line) that cannot name
    a review file: not a slug, or a file that leads out of `content/reviews/`."""


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
    return memo.read(path) if memo is not None else _read(path)


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
            return _read(path)  # it says why
        key = (facts.st_mtime_ns, facts.st_size)
        with self._lock:
            kept = self._kept.get(path)
        if kept is not None and kept[0] == key:
            return kept[1]
        comments = _read(path)
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
        )  # fmt: skip


# --- reading -------------------------------------------------------------------------------

_FIELDS = ("id", "status", "kind", "author", "date", "source", "where", "quoted", "text")
_OPTIONAL = ("old", "new", "replies", "reason")


def _read(path: Path) -> tuple[Comment, ...]:
    shown = shown_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(
            shown, 1, 1, _("cannot read this review file ({reason})").format(reason=exc)
        ) from exc
    try:
        located = parse_yaml(text)
    except YamlProblem as exc:
        raise _bad(shown, exc.position.line, exc.position.column, exc.message, exc.hint) from exc
    except ValueError as exc:  # a date that does not exist, unquoted: `2025-02-30`
        line, column = _impossible_value(text)
        raise _bad(
            shown, line, column, _("this date does not exist ({reason})").format(reason=exc),
            _("write the date as the calendar has it, e.g. 2025-02-28"),
        ) from exc  # fmt: skip
    data = located.value
    if data is None:
        return ()
    if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
        raise _bad(
            shown, 1, 1, _("a review file holds `comments:` and a list of comments"),
            _("this file is not one `builder comments` wrote: move it out of reviews/, or "
              "restore it from its last saved copy"),
        )  # fmt: skip
    return tuple(
        _comment(item, index, located, shown) for index, item in enumerate(data["comments"])
    )


def _impossible_value(text: str) -> tuple[int, int]:
    """Where the first value YAML reads but cannot make (an impossible date) stands."""
    constructor = yaml.constructor.SafeConstructor()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1, 1
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.MappingNode):
            stack[:0] = [value for pair in node.value for value in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack[:0] = list(node.value)
        else:
            try:
                constructor.construct_object(node, deep=True)
            except (ValueError, yaml.YAMLError):
                return node.start_mark.line + 1, node.start_mark.column + 1
    return 1, 1


def _comment(item: Any, index: int, located: LocatedYaml, shown: Path) -> Comment:
    def problem(key: tuple[str | int, ...], message: str, hint: str = "") -> BadReviewFile:
        where = located.at(("comments", index, *key))
        return _bad(shown, where.line, where.column, message, hint)

    if not isinstance(item, dict):
        raise problem((), _("each comment is a set of `key: value` lines starting with `- id:`"))
    unknown = [key for key in item if key not in (*_FIELDS, *_OPTIONAL)]
    if unknown:
        raise problem(
            (unknown[0],), _("unknown key `{key}` in a comment").format(key=unknown[0]),
            _("a comment has: {keys}").format(keys=", ".join((*_FIELDS, *_OPTIONAL))),
        )  # fmt: skip
    if not item.get("id"):
        raise problem((), _("this comment has no `id`"), _("import the returned copy again"))
    status = item.get("status", "open")
    if status not in STATUSES:
        raise problem(
            ("status",), _("`status` is `{value}`").format(value=status),
            _("write `status: open` or `status: resolved`"),
        )  # fmt: skip
    replies = item.get("replies") or []
    if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
        raise problem(("replies",), _("`replies` is a list of `author`, `date`, `text`"))
    dates: list[tuple[tuple[str | int, ...], Any]] = [(("date",), item.get("date"))]
    dates += [(("replies", number, "date"), r.get("date")) for number, r in enumerate(replies)]
    for key, value in dates:
        if not isinstance(value, str | datetime.date | None):
            raise problem(
                key, _("`date` is `{value}`, not a date").format(value=value),
                _("write it as 2026-01-05, or leave it as the import wrote it"),
            )  # fmt: skip
    return Comment(
        id=_text(item["id"]),
        kind=_text(item.get("kind", "comment")),
        author=_text(item.get("author")),
        date=_text(item.get("date")),
        source=_text(item.get("source")),
        where=_text(item.get("where")),
        text=_text(item.get("text")),
        quoted=_text(item.get("quoted")),
        old=_text(item.get("old")),
        new=_text(item.get("new")),
        status=status,
        replies=tuple(
            Reply(_text(r.get("author")), _text(r.get("date")), _text(r.get("text")))
            for r in replies
        ),
        reason=_text(item.get("reason")),
    )


def _text(value: Any) -> str:
    """A value as the editor sees it; YAML turns an unquoted date into a datetime."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _bad(shown: Path, line: int, column: int, message: str, hint: str = "") -> BadReviewFile:
    return BadReviewFile(Problem(shown, line, column, message, "error", hint))


# --- writing -------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as `|` blocks, which an editor reads as they were written."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_text)


def _plain(comment: Comment) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(comment, name) for name in _FIELDS}
    if comment.old or comment.new:
        data["old"], data["new"] = comment.old, comment.new
    if comment.replies:
        data["replies"] = [
            {"author": r.author, "date": r.date, "text": r.text} for r in comment.replies
        ]
    if comment.reason:
        data["reason"] = comment.reason
    return data


def _write(content: Path, path: Path, comments: Iterable[Comment]) -> None:
    """The whole file in one rename, comments by date then id: the same comments give the
    same bytes. Only `reviews/` itself is ever made, never the book's folder above it."""
    ordered = sorted(comments, key=lambda comment: (comment.date, comment.id))
    body = yaml.dump(
        {"comments": [_plain(comment) for comment in ordered]},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    folder = reviews_folder(content)
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except OSError as exc:
        raise files.WriteFailed(folder, exc) from exc
    files.write_whole(path, HEADER + body)
