"""A queued job's page: its progress lines as they come (server-sent events) and its result."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from builder.util.i18n import _
from builder.workspace.accounts import READER, Account
from builder.workspace.jobs import Job, JobQueue
from builder.workspace.web import Workspace, page, refused, requires, workspace_of


def job_queue(workspace: Workspace) -> JobQueue:
    jobs: JobQueue = workspace.extras["jobs"]
    return jobs


def _job(request: Request) -> Job | None:
    number = request.path_params["number"]
    return job_queue(workspace_of(request)).get(number)


@requires(READER)
async def job_page(request: Request, account: Account) -> Response:
    job = _job(request)
    if job is None:
        return refused(request, 404, _("No such job (finished jobs are kept for an hour)."))
    return page(request, "job.html", job=job)


@requires(READER)
async def job_state(request: Request, account: Account) -> Response:
    job = _job(request)
    if job is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse(job.as_json())


@requires(READER)
async def job_events(request: Request, account: Account) -> Response:
    """The job's lines as server-sent events, then one `done` event with its state."""
    job = _job(request)
    if job is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    jobs = job_queue(workspace_of(request))

    async def events() -> AsyncIterator[str]:
        sent = 0
        while True:
            finished = await asyncio.to_thread(jobs.wait, job, 1.0)
            lines = job.lines[sent:]
            sent += len(lines)
            for line in lines:
                yield f"data: {json.dumps(line, ensure_ascii=False)}\n\n"
            if finished:
                yield f"event: done\ndata: {json.dumps(job.state)}\n\n"
                return
            if await request.is_disconnected():
                return

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})  # fmt: skip


routes = [
    Route("/jobs/{number:int}", job_page, methods=["GET"]),
    Route("/jobs/{number:int}/state", job_state, methods=["GET"]),
    Route("/jobs/{number:int}/events", job_events, methods=["GET"]),
]
