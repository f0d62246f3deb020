"""A model's history: every version (one git commit each, by the person who made it), what a
version changed — its facts before and after, its text's lines added and removed — and a
version restored as a new commit, never by rewriting history.

Approval is the chief editor's: a desk editor may not restore over an approved model, nor
bring back a version that was approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from builder.load.reviews import is_slug
from builder.util.i18n import _
from builder.workspace.accounts import CHIEF, EDITOR, READER, Account
from builder.workspace.changes import Conflict, Write, save, version_of
from builder.workspace.dates import format_moment, parse_moment
from builder.workspace.history import Version, is_commit
from builder.workspace.versions import body_diff, fact_changes, read_model
from builder.workspace.web import Workspace, page, refused, requires, workspace_of


@dataclass(frozen=True, slots=True)
class ShownVersion:
    """A version as the pages list it."""

    commit: str
    author: str
    when: str  # “ngày 7 tháng 12 năm 2026, 09:15”
    message: str
    current: bool  # the newest: what the file holds now (unless changed outside git)

    @property
    def short(self) -> str:
        return self.commit[:10]


def _model_path(workspace: Workspace, slug: str) -> Path | None:
    return workspace.content / "models" / f"{slug}.md" if is_slug(slug) else None


def _shown(versions: list[Version]) -> list[ShownVersion]:
    return [
        ShownVersion(v.commit, v.author, _when(v.when), v.message, index == 0)
        for index, v in enumerate(versions)
    ]


def _when(iso: str) -> str:
    moment = parse_moment(iso)
    return format_moment(moment) if moment else iso


def _not_found(request: Request) -> Response:
    return refused(request, 404, _("There is no such model or version."))


async def _versions(request: Request) -> tuple[Path, list[Version]] | None:
    workspace = workspace_of(request)
    path = _model_path(workspace, request.path_params["slug"])
    if path is None:
        return None
    versions = await run_in_threadpool(workspace.repository.log, path)
    return (path, versions) if versions else None


def _find(versions: list[Version], commit: str) -> int | None:
    if not is_commit(commit):
        return None
    return next((i for i, v in enumerate(versions) if v.commit.startswith(commit)), None)


@requires(READER)
async def history_page(request: Request, account: Account) -> Response:
    found = await _versions(request)
    if found is None:
        return _not_found(request)
    path, versions = found
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return page(request, "history.html", slug=request.path_params["slug"],
                title=read_model(text).title or path.stem, versions=_shown(versions),
                version=version_of(path),
                restored=request.query_params.get("restored", ""))  # fmt: skip


@requires(READER)
async def version_page(request: Request, account: Account) -> Response:
    found = await _versions(request)
    if found is None:
        return _not_found(request)
    path, versions = found
    index = _find(versions, request.path_params["commit"])
    if index is None:
        return _not_found(request)
    repository = workspace_of(request).repository
    after = read_model(repository.text_at(versions[index].commit, path) or "")
    older = versions[index + 1].commit if index + 1 < len(versions) else None
    before = read_model((repository.text_at(older, path) or "") if older else "")
    return page(request, "version.html", slug=request.path_params["slug"],
                title=after.title or before.title or path.stem,
                shown=_shown(versions)[index], first=older is None,
                facts=fact_changes(before, after), diff=body_diff(before.body, after.body),
                unreadable=after.facts is None, version=version_of(path))  # fmt: skip


@requires(EDITOR)
async def restore(request: Request, account: Account) -> Response:
    found = await _versions(request)
    if found is None:
        return _not_found(request)
    path, versions = found
    index = _find(versions, request.path_params["commit"])
    workspace = workspace_of(request)
    data = (
        workspace.repository.bytes_at(versions[index].commit, path) if index is not None else None
    )
    if index is None or data is None:
        return _not_found(request)
    old = read_model(data.decode("utf-8", "replace"))
    now = read_model(path.read_text(encoding="utf-8") if path.is_file() else "")
    if (old.approved or now.approved) and not account.may(CHIEF):
        return refused(request, 403, _("This model, or the version to restore, is approved; "
                                       "approval is the chief editor's, so only the chief "
                                       "editor may restore it."))  # fmt: skip
    form = await request.form()
    expected = str(form.get("version") or version_of(path))
    title = old.title or now.title or path.stem
    message = _("Restore the version of {when} of {title}").format(
        when=_when(versions[index].when), title=title
    )
    write = Write(path, data, expected)
    try:
        await run_in_threadpool(save, workspace.content, workspace.repository, [write], message,
                                account)  # fmt: skip
    except Conflict:
        reason = _("The model changed since you opened its history: open the history again "
                   "and choose the version again.")  # fmt: skip
        return refused(request, 409, reason)
    slug = request.path_params["slug"]
    return RedirectResponse(f"/models/{slug}/history?restored={versions[index].commit[:10]}",
                            status_code=303)  # fmt: skip


routes = [
    Route("/models/{slug}/history", history_page, methods=["GET"]),
    Route("/models/{slug}/history/{commit}", version_page, methods=["GET"]),
    Route("/models/{slug}/history/{commit}/restore", restore, methods=["POST"]),
]
