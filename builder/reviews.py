"""The delegates' comments on the draft, one YAML file per model in `content/reviews/`.

`builder comments` adds to these files and never touches a model's own file; editors read
them, and close a comment by setting `status: resolved` (or `builder comments --resolve ID`).
A comment's id is a hash of where it came from and what it says, so importing the same
returned copy twice adds nothing, and an editor's `resolved` survives a second import.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from builder.i18n import _
from builder.problems import BuildError, Problem, shown_path
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


def comment_id(origin: str, author: str, date: str, anchor: str, quoted: str, text: str) -> str:
    """A short stable id: the same comment read twice from the same kind of file gets the
    same id (`origin`: docx or pdf; `anchor`: the model or page it stands at)."""
    key = "\x1f".join((origin, author, date, anchor, quoted, text))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


class BadReviewFile(BuildError):
    """A review file edited into something unreadable; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class UnknownComment(BuildError):
    """`--resolve` was given an id no review file holds."""


def reviews_folder(content: Path) -> Path:
    return content / "reviews"


def review_path(content: Path, slug: str) -> Path:
    return reviews_folder(content) / f"{slug}.yaml"


def open_comments(content: Path) -> dict[str, int]:
    """Open comments per model slug (and `_unplaced`), only those with at least one."""
    counts: dict[str, int] = {}
    for slug in _slugs(content):
        count = sum(comment.status == "open" for comment in comments_for(content, slug))
        if count:
            counts[slug] = count
    return counts


def comments_for(content: Path, slug: str) -> tuple[Comment, ...]:
    """The comments on one model (or `_unplaced`), in file order; none when it has no file."""
    path = review_path(content, slug)
    if not path.is_file():
        return ()
    return _read(path)


def add_comments(content: Path, slug: str, comments: Iterable[Comment]) -> tuple[int, int]:
    """Add `comments` to the model's file: (how many were new, how many it had already).

    A comment already there keeps its status; replies it did not have yet are added to it.
    """
    existing = {comment.id: comment for comment in comments_for(content, slug)}
    added = already = 0
    for comment in comments:
        if comment.id in existing:
            already += 1
            kept = existing[comment.id]
            replies = (*kept.replies, *(r for r in comment.replies if r not in kept.replies))
            existing[comment.id] = replace(kept, replies=replies)
        else:
            added += 1
            existing[comment.id] = comment
    if added or already:
        _write(review_path(content, slug), existing.values())
    return added, already


def resolve(content: Path, wanted: str) -> tuple[str, Comment]:
    """Mark comment `wanted` resolved: (the slug of its file, the comment)."""
    for slug in _slugs(content):
        comments = comments_for(content, slug)
        for index, comment in enumerate(comments):
            if comment.id == wanted:
                closed = replace(comment, status="resolved")
                _write(
                    review_path(content, slug), (*comments[:index], closed, *comments[index + 1 :])
                )
                return slug, closed
    raise UnknownComment(
        _("no comment has the id `{id}` in {folder}/").format(
            id=wanted, folder=shown_path(reviews_folder(content))
        )
    )


def _slugs(content: Path) -> list[str]:
    folder = reviews_folder(content)
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []


# --- reading -------------------------------------------------------------------------------

_FIELDS = ("id", "status", "kind", "author", "date", "source", "where", "quoted", "text")
_OPTIONAL = ("old", "new", "replies")


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
    data = located.value
    if data is None:
        return ()
    if not isinstance(data, dict) or not isinstance(data.get("comments", []), list):
        raise _bad(
            shown, 1, 1, _("a review file holds `comments:` and a list of comments"),
            _("restore the file from its last saved copy, or import the returned copy again"),
        )  # fmt: skip
    return tuple(
        _comment(item, index, located, shown) for index, item in enumerate(data.get("comments", []))
    )


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
    return data


def _write(path: Path, comments: Iterable[Comment]) -> None:
    """The whole file in one rename, comments by date then id: the same comments give the
    same bytes."""
    ordered = sorted(comments, key=lambda comment: (comment.date, comment.id))
    body = yaml.dump(
        {"comments": [_plain(comment) for comment in ordered]},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(HEADER + body)
        os.chmod(scratch, 0o644)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        raise
