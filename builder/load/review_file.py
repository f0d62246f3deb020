"""A review file's text (`content/reviews/<slug>.yaml`): the comments it holds read with
every problem at its place (path:line:column, never a traceback), and written back so the
same comments give the same bytes. Where the files are and who may write them:
builder/load/reviews.py.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from builder.load.yaml_source import LocatedYaml, YamlProblem, parse_yaml
from builder.util.errors import BadReviewFile as BadReviewFile
from builder.util.i18n import _
from builder.util.problems import Problem, shown_path

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


# --- reading -------------------------------------------------------------------------------

_FIELDS = ("id", "status", "kind", "author", "date", "source", "where", "quoted", "text")
_OPTIONAL = ("old", "new", "replies", "reason")


def read_review_file(path: Path) -> tuple[Comment, ...]:
    shown = shown_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(
            shown, 1, 1, _("cannot read this review file ({reason})").format(reason=exc),
            code="unreadable-file",
        ) from exc  # fmt: skip
    try:
        located = parse_yaml(text)
    except YamlProblem as exc:
        raise _bad(
            shown, exc.position.line, exc.position.column, exc.message, exc.hint, code=exc.code
        ) from exc
    data = located.value
    if data is None:
        return ()
    if not isinstance(data, dict) or not isinstance(data.get("comments"), list):
        raise _bad(
            shown, 1, 1, _("a review file holds `comments:` and a list of comments"),
            _("this file is not one `builder comments` wrote: move it out of reviews/, or "
              "restore it from its last saved copy"),
            code="review-file-form",
        )  # fmt: skip
    return tuple(
        _comment(item, index, located, shown) for index, item in enumerate(data["comments"])
    )


def _comment(item: Any, index: int, located: LocatedYaml, shown: Path) -> Comment:
    def problem(
        key: tuple[str | int, ...], message: str, hint: str = "", *, code: str
    ) -> BadReviewFile:
        where = located.at(("comments", index, *key))
        return _bad(shown, where.line, where.column, message, hint, code=code)

    if not isinstance(item, dict):
        raise problem(
            (),
            _("each comment is a set of `key: value` lines starting with `- id:`"),
            code="review-file-form",
        )
    unknown = [key for key in item if key not in (*_FIELDS, *_OPTIONAL)]
    if unknown:
        raise problem(
            (unknown[0],), _("unknown key `{key}` in a comment").format(key=unknown[0]),
            _("a comment has: {keys}").format(keys=", ".join((*_FIELDS, *_OPTIONAL))),
            code="unknown-key",
        )  # fmt: skip
    if not item.get("id"):
        raise problem(
            (), _("this comment has no `id`"), _("import the returned copy again"),
            code="missing-key",
        )  # fmt: skip
    status = item.get("status", "open")
    if status not in STATUSES:
        raise problem(
            ("status",), _("`status` is `{value}`").format(value=status),
            _("write `status: open` or `status: resolved`"),
            code="unknown-status",
        )  # fmt: skip
    replies = item.get("replies") or []
    if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
        raise problem(
            ("replies",),
            _("`replies` is a list of `author`, `date`, `text`"),
            code="review-file-form",
        )
    dates: list[tuple[tuple[str | int, ...], Any]] = [(("date",), item.get("date"))]
    dates += [(("replies", number, "date"), r.get("date")) for number, r in enumerate(replies)]
    for key, value in dates:
        if not isinstance(value, str | datetime.date | None):
            raise problem(
                key, _("`date` is `{value}`, not a date").format(value=value),
                _("write it as 2026-01-05, or leave it as the import wrote it"),
                code="review-date",
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


def _bad(
    shown: Path, line: int, column: int, message: str, hint: str = "", *, code: str
) -> BadReviewFile:
    return BadReviewFile(Problem(shown, line, column, message, "error", hint, code=code))


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


def review_file_text(comments: Iterable[Comment]) -> str:
    """The file's text, comments by date then id."""
    ordered = sorted(comments, key=lambda comment: (comment.date, comment.id))
    body = yaml.dump(
        {"comments": [_plain(comment) for comment in ordered]},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return HEADER + body
