"""Comments back: returned review copies uploaded and read into `content/reviews/` as
`builder comments` does, each import committed by its uploader; and on a model's page its
comments listed, resolved and answered, each change one commit.

A PDF that lost its named pages is placed through the last build's page map
(`print-pages.json`). The workspace reads it from `<content>/../output` when that folder
exists (where `make` and the command line build), else from the workspace's own
`<content>/.workspace/output`; without a page map such a PDF's comments are placed by their
words, as the command does.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from builder.load import reviews
from builder.load.config import load_config
from builder.load.reviews import UNPLACED, BadReviewFile, Comment, Reply, UnknownComment
from builder.render.editions import book_id
from builder.review_round.comments.comments_import import Imported, import_comments, summary
from builder.util.errors import BuildError, DocumentRefused
from builder.util.files import WriteFailed, book_lock
from builder.util.i18n import _
from builder.util.problems import Problems
from builder.workspace.accounts import EDITOR, READER, Account, workspace_folder
from builder.workspace.changes import version_of
from builder.workspace.upload_files import (
    UploadRefused,
    discard,
    kept_in,
    read_upload,
    safe_name,
    scratch_folder,
    shown_name,
    uploads_in,
)
from builder.workspace.web import Workspace, page, refused, requires, workspace_of

COPY_SUFFIXES = ("docx", "pdf")
COPY_LIMIT = 50 * 1024 * 1024  # bytes of one returned copy (the screen PDF with its pictures)
MOST_FILES = 30
LONGEST_REPLY = 4000  # characters
COMMENT_ID = re.compile(r"^[0-9a-f]{6,64}$")
FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    severity: str = ""  # "", "warning" or "error"


@dataclass(slots=True)
class CommentsImport:
    """What one upload of returned copies did, as the command would print it."""

    lines: list[Line] = field(default_factory=list)
    summary: str = ""
    commit: str | None = None


@dataclass(frozen=True, slots=True)
class PastImport:
    author: str
    when: str
    message: str


def output_folder(content: Path) -> Path:
    """Where the last build is, for its page map: `<content>/../output` when it exists (the
    command line's and `make`'s), else the workspace's own."""
    beside = content.parent / "output"
    return beside if beside.is_dir() else workspace_folder(content) / "output"


@requires(EDITOR)
async def comments_page(request: Request, account: Account) -> Response:
    return _page(request)


def _page(
    request: Request, done: CommentsImport | None = None, error: str = "", status_code: int = 200
) -> Response:
    workspace = workspace_of(request)
    return page(request, "comments.html", status_code=status_code, done=done, error=error,
                past=past_imports(workspace), file_mb=COPY_LIMIT // 2**20,
                most=MOST_FILES)  # fmt: skip


def past_imports(workspace: Workspace, limit: int = 15) -> list[PastImport]:
    """The latest commits that changed the review files, newest first."""
    folder = workspace.repository.relative(reviews.reviews_folder(workspace.content))
    out = workspace.repository.git(
        "log", f"-n{limit}", f"--format=%an{FIELD_SEPARATOR}%aI{FIELD_SEPARATOR}%s", "--", folder,
        check=False,
    )  # fmt: skip
    found = []
    for record in out.splitlines():
        fields = record.split(FIELD_SEPARATOR)
        if len(fields) == 3:
            found.append(PastImport(fields[0], fields[1][:16].replace("T", " "), fields[2]))
    return found


@requires(EDITOR)
async def upload_copies(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    uploads = uploads_in(await request.form(), "copies")
    if not uploads:
        return _page(request, error=_("Choose one or more returned copies."), status_code=400)
    if len(uploads) > MOST_FILES:
        return _page(request, error=_("At most {most} files at once.").format(most=MOST_FILES),
                     status_code=413)  # fmt: skip
    folder = scratch_folder(workspace.content, "comments-")
    try:
        done = CommentsImport()
        waiting: list[tuple[str, Path]] = []
        for number, upload in enumerate(uploads, start=1):
            shown = shown_name(upload.filename)
            name = safe_name(upload.filename, COPY_SUFFIXES, f"ban-gop-y-{number}")
            try:
                if name is None:
                    raise UploadRefused(_("it is neither a Word document (.docx) nor a PDF"))
                data = await read_upload(upload, COPY_LIMIT)
            except UploadRefused as refusal:
                done.lines.append(_line(shown, _("error"), refusal.message))
                continue
            waiting.append((shown, kept_in(folder, number, name, data)))
        await run_in_threadpool(import_copies, workspace, waiting, account, done)
    finally:
        discard(folder)
    return _page(request, done)


def import_copies(
    workspace: Workspace, waiting: list[tuple[str, Path]], author: Account, done: CommentsImport
) -> None:
    """Each returned copy read into the review files (a refusal is one line, the others go
    on), then the changed review files committed by `author`."""
    content = workspace.content
    config = load_config(content, Problems())
    if config is None:
        done.lines.append(Line(_("book.yaml cannot be read: run the check to see why."), "error"))
        return
    folder = reviews.reviews_folder(content)
    before = _versions(folder)
    results: list[Imported] = []
    for shown, path in waiting:
        try:
            result = import_comments(content, path, output_folder(content),
                                     (config.title, book_id(config)))  # fmt: skip
        except (DocumentRefused, WriteFailed) as exc:
            done.lines.append(_line(shown, _("error"), str(exc)))
            continue
        except BadReviewFile as exc:  # a review file broken by hand: left untouched
            done.lines.append(Line(str(exc.problem), "error"))
            continue
        except BuildError as exc:
            done.lines.append(_line(shown, _("error"), str(exc)))
            continue
        results.append(result)
        for warning in result.warnings:
            done.lines.append(_line(shown, _("warning"), warning))
        for slug, count in sorted(result.refused.items()):
            reason = _(
                "{file} already holds {most} comments, the most kept per model: {count} new "
                "ones were not imported; delete the resolved ones from it and import again"
            ).format(file=f"reviews/{slug}.yaml", most=reviews.MAX_PER_MODEL, count=count)
            done.lines.append(_line(shown, _("error"), reason))
        found = _("{document}: {found} comments, {added} new").format(
            document=shown, found=result.found, added=result.found - result.already
        )
        done.lines.append(Line(found))
    done.summary = summary(results)
    strays = sum(result.strays for result in results)
    if strays:
        stray_line = _(
            "{count} comments name a model this book does not have (renamed or removed?): "
            "kept in {file} with the reason"
        ).format(count=strays, file=f"reviews/{UNPLACED}.yaml")
        done.lines.append(Line(stray_line, "warning"))
    changed = [path for path, version in _versions(folder).items() if before.get(path) != version]
    if changed:
        with book_lock(content):
            message = f"Nhập góp ý: {len(waiting)} bản trả về"
            done.commit = workspace.repository.commit(changed, message, author)


def _versions(folder: Path) -> dict[Path, str]:
    return {path: version_of(path) for path in sorted(folder.glob("*.yaml"))}


def _line(document: str, severity: str, reason: str) -> Line:
    text = _("{document}: {severity}: {reason}").format(
        document=document, severity=severity, reason=reason
    )
    return Line(text, "error" if severity == _("error") else "warning")


# --- a model's comments ----------------------------------------------------------------------


@requires(READER)
async def model_comments(request: Request, account: Account) -> Response:
    """The model's comments as a piece of page, which the model page's script shows."""
    return _comments_fragment(request, account)


def _comments_fragment(
    request: Request, account: Account, error: str = "", status_code: int = 200
) -> Response:
    content = workspace_of(request).content
    slug = request.path_params["slug"]
    if not reviews.is_model(content, slug):
        return refused(request, 404, _("No such model."))
    try:
        found = reviews.comments_for(content, slug)
    except BadReviewFile as exc:
        found, error = (), str(exc.problem)
    ordered = sorted(found, key=lambda comment: (comment.status != "open", comment.date))
    return page(request, "partials/model_comments.html", status_code=status_code, slug=slug,
                comments=ordered, open_count=sum(c.status == "open" for c in found),
                may_edit=account.may(EDITOR), error=error)  # fmt: skip


def _comment_of(request: Request) -> tuple[str, Comment] | None:
    """(slug, comment) the address names, when the comment is in that model's file."""
    content = workspace_of(request).content
    slug, wanted = request.path_params["slug"], request.path_params["id"]
    if not COMMENT_ID.fullmatch(wanted) or not reviews.is_model(content, slug):
        return None
    try:
        found = reviews.comments_for(content, slug)
    except BadReviewFile:
        return None
    return next(((slug, c) for c in found if c.id == wanted), None)


@requires(EDITOR)
async def resolve_comment(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    named = _comment_of(request)
    if named is None:
        return refused(request, 404, _("No such comment on this model."))
    slug, comment = named

    def resolve() -> None:
        reviews.resolve(workspace.content, comment.id)
        with book_lock(workspace.content):
            workspace.repository.commit(
                [reviews.review_path(workspace.content, slug)],
                f"Đã xử lý góp ý {comment.id} ({slug})", account,
            )  # fmt: skip

    try:
        await run_in_threadpool(resolve)
    except (UnknownComment, WriteFailed) as exc:
        return _answer(request, account, str(exc), 409)
    return _answer(request, account)


@requires(EDITOR)
async def reply_to_comment(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    named = _comment_of(request)
    if named is None:
        return refused(request, 404, _("No such comment on this model."))
    slug, comment = named
    given = (await request.form()).get("text")
    text = given.strip().replace("\r\n", "\n") if isinstance(given, str) else ""
    if not text:
        return _answer(request, account, _("Write the reply first."), 400)
    if len(text) > LONGEST_REPLY:
        return _answer(request, account, _("The reply is {length} characters long; at most "
                       "{most}.").format(length=len(text), most=LONGEST_REPLY), 400)  # fmt: skip
    when = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    reply = Reply(account.full_name, when.isoformat().replace("+00:00", "Z"), text)

    def answer() -> None:
        reviews.add_reply(workspace.content, slug, comment.id, reply)
        with book_lock(workspace.content):
            workspace.repository.commit(
                [reviews.review_path(workspace.content, slug)],
                f"Trả lời góp ý {comment.id} ({slug})", account,
            )  # fmt: skip

    try:
        await run_in_threadpool(answer)
    except (UnknownComment, WriteFailed) as exc:
        return _answer(request, account, str(exc), 409)
    return _answer(request, account)


def _answer(request: Request, account: Account, error: str = "", status: int = 200) -> Response:
    """The comments again for the page's script (which asks with `X-Fragment`); a form sent
    without the script goes back to the model's page, or sees why not."""
    if request.headers.get("x-fragment") == "1":
        return _comments_fragment(request, account, error, status)
    if error:
        return refused(request, status, error)
    slug = request.path_params["slug"]
    return RedirectResponse(f"/models/{slug}#model-comments", status_code=303)


routes = [
    Route("/comments", comments_page, methods=["GET"]),
    Route("/comments", upload_copies, methods=["POST"]),
    Route("/models/{slug}/comments", model_comments, methods=["GET"]),
    Route("/models/{slug}/comments/{id}/resolve", resolve_comment, methods=["POST"]),
    Route("/models/{slug}/comments/{id}/reply", reply_to_comment, methods=["POST"]),
]
