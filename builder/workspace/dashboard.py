"""The dashboard: `builder status` as a page — counts by status, the plan's targets, and each
model's problems, length, pictures, editor and open comments, filtered as the editor asks."""

from __future__ import annotations

import threading

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from builder.book.model import STATUSES
from builder.load.loader import LoadMemo
from builder.load.reviews import BadReviewFile, ReviewMemo
from builder.review_round.book_status import BookStatus, ModelStatus, book_status
from builder.util.i18n import _
from builder.workspace.accounts import READER, Account
from builder.workspace.web import Workspace, page, requires, workspace_of

FILTERS = ("status", "district", "field", "editor")
_STATUS_LOCK = threading.Lock()  # one memo, read by one request at a time


def current_status(workspace: Workspace) -> BookStatus | None:
    """The book's status, through memos kept for the workspace's life: only the files
    changed since the last look are read again."""
    with _STATUS_LOCK:
        memo = workspace.extras.setdefault("load_memo", LoadMemo())
        kept = workspace.extras.setdefault("review_memo", ReviewMemo())
        return book_status(workspace.content, memo, kept)


@requires(READER)
async def dashboard(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    try:
        status = await run_in_threadpool(current_status, workspace)
    except BadReviewFile as exc:
        return page(request, "dashboard.html", status=None, error=str(exc.problem))
    if status is None:
        return page(request, "dashboard.html", status=None,
                    error=_("book.yaml cannot be read: run the check to see why."))  # fmt: skip
    chosen = {key: request.query_params.get(key, "") for key in FILTERS}
    mine = request.query_params.get("mine") == "1"
    entries = [e for e in status.entries if _matches(e, chosen, account.full_name if mine else "")]
    choices = {
        "status": [(key, label) for key, label in STATUSES.items()],
        "district": sorted({(e.district, e.district) for e in status.entries if e.district}),
        "field": sorted({(e.field, e.field) for e in status.entries if e.field}),
        "editor": sorted({(e.editor, e.editor) for e in status.entries if e.editor}),
    }
    return page(request, "dashboard.html", status=status, entries=entries, chosen=chosen,
                mine=mine, choices=choices, statuses=STATUSES)  # fmt: skip


def _matches(entry: ModelStatus, chosen: dict[str, str], editor: str) -> bool:
    if editor and entry.editor != editor:
        return False
    return all(not wanted or getattr(entry, key) == wanted for key, wanted in chosen.items())


routes = [Route("/", dashboard, methods=["GET"])]
