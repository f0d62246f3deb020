"""Builds: the review copy for delegates, the PDF, the EPUB, the printing house's package and
the website, each built by the one job queue (one at a time, its progress streamed to its
page), the results to download; publishing for the chief editor, its refusals listed.

What runs is `build_runs` (the steps of `builder build` and `builder publish`); where the
files go and how they are served, `build_runs` and `built_files`.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from builder.util.i18n import _
from builder.workspace.accounts import CHIEF, EDITOR, READER, Account
from builder.workspace.build_runs import (
    EDITIONS,
    FINAL,
    KINDS,
    BuildFailed,
    BuildRequest,
    edition_folder,
    output_root,
    publish_target,
    run_build,
    run_publish,
)
from builder.workspace.built_files import (
    attachment,
    built_files,
    media_type,
    served_file,
    site_built,
)
from builder.workspace.history import keep_out_of_git
from builder.workspace.job_pages import job_queue
from builder.workspace.jobs import Job, Progress
from builder.workspace.web import NO_STORE, Workspace, page, refused, requires, workspace_of

JOB_KINDS = ("build", "publish")


@requires(READER)
async def builds_page(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    root = output_root(workspace.content)
    files = await run_in_threadpool(_files_of_editions, root)
    jobs = [job for job in job_queue(workspace).listed() if job.kind in JOB_KINDS]
    return page(request, "builds.html", kinds=list(KINDS.values()), jobs=jobs[:20],
                files=files, states=_state_labels(), target=publish_target(),
                final_folder=edition_folder(workspace.content, FINAL))  # fmt: skip


@requires(EDITOR)
async def queue_build(request: Request, account: Account) -> Response:
    form = await request.form()
    kind = KINDS.get(str(form.get("kind", "")))
    if kind is None:
        return refused(request, 400, _("There is no such build."))
    final = form.get("edition") == FINAL
    if final and not account.may(CHIEF):
        return refused(request, 403, _("Only the chief editor builds the final edition."))
    build = BuildRequest(kind, final=final, allow_short=final and form.get("allow_short") == "1")
    workspace = workspace_of(request)
    title = (_("{build}, final edition") if final else _("{build}, draft")).format(
        build=_(kind.label)
    )

    def run(progress: Progress) -> Any:
        return run_build(workspace.content, build, progress)

    job = _submit(workspace, "build", title, account, run)
    return RedirectResponse(f"/builds/jobs/{job.id}", status_code=303)


@requires(CHIEF)
async def publish(request: Request, account: Account) -> Response:
    form = await request.form()
    allow_short = form.get("allow_short") == "1"
    workspace = workspace_of(request)

    def run(progress: Progress) -> Any:
        root = workspace.repository.root
        return run_publish(workspace.content, root, allow_short, progress)

    job = _submit(workspace, "publish", _("Publish the book"), account, run)
    return RedirectResponse(f"/builds/jobs/{job.id}", status_code=303)


def _submit(workspace: Workspace, kind: str, title: str, account: Account, run: Any) -> Job:
    """Queue `run`; a BuildFailed's list of problems kept for the job's page."""
    problems: list[str] = []

    def guarded(progress: Progress) -> Any:
        keep_out_of_git(workspace.repository, output_root(workspace.content))
        try:
            return run(progress)
        except BuildFailed as exc:
            problems.extend(exc.problems)
            raise

    job = job_queue(workspace).submit(kind, title, account.name, guarded)
    workspace.extras.setdefault("build_problems", {})[job.id] = problems
    return job


@requires(READER)
async def build_job_page(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    job = job_queue(workspace).get(request.path_params["number"])
    if job is None or job.kind not in JOB_KINDS:
        return refused(request, 404, _("No such job (finished jobs are kept for an hour)."))
    problems = workspace.extras.get("build_problems", {}).get(job.id, [])
    built = job.result if job.state == "done" else None
    files, site = [], False
    if built is not None:
        root = output_root(workspace.content)
        kinds = {"print" if name == "pdf" else name for name in built.outputs} | set(built.outputs)
        files = [f for f in await run_in_threadpool(built_files, root, built.edition)
                 if f.kind in kinds]  # fmt: skip
        site = "site" in built.outputs and site_built(root, built.edition)
    return page(request, "build_job.html", job=job, built=built, problems=problems,
                files=files, site=site, states=_state_labels())  # fmt: skip


@requires(READER)
async def download(request: Request, account: Account) -> Response:
    root = output_root(workspace_of(request).content)
    path = served_file(root, request.path_params["name"])
    if path is None:
        return refused(request, 404, _("There is no such file (build it first)."))
    return FileResponse(path, media_type=media_type(path),
                        headers={"Content-Disposition": attachment(path.name),
                                 "Cache-Control": "private, no-cache"})  # fmt: skip


@requires(READER)
async def print_package(request: Request, account: Account) -> Response:
    """The printing house's files of an edition in one zip, made when asked."""
    edition = request.path_params["edition"]
    root = output_root(workspace_of(request).content)
    found = built_files(root, edition) if edition in EDITIONS else []
    files = [f for f in found if f.kind == "print"]
    if not files:
        return refused(request, 404, _("There is no such file (build it first)."))
    with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as handle:
        zip_path = Path(handle.name)
    await run_in_threadpool(_zip, root, [f.address for f in files], zip_path)
    stem = next((f.name.removesuffix("-print.pdf") for f in files if f.name.endswith("-print.pdf")),
                edition)  # fmt: skip
    package = _("Print package")
    name = f"{package} – {stem}.zip"
    return FileResponse(zip_path, media_type="application/zip",
                        headers={"Content-Disposition": attachment(name), **NO_STORE},
                        background=BackgroundTask(zip_path.unlink, missing_ok=True))  # fmt: skip


def _zip(root: Path, addresses: list[str], target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for address in addresses:
            path = served_file(root, address)
            if path is not None:
                archive.write(path, path.name)


@requires(READER)
async def site_page(request: Request, account: Account) -> Response:
    """The website as built, to look at before publishing: `/site/draft/…`, `/site/final/…`."""
    root = output_root(workspace_of(request).content)
    address = request.path_params["path"]
    if address.endswith("/") or address in EDITIONS:
        address = address.rstrip("/") + "/index.html"
    edition, _slash, rest = address.partition("/")
    path = served_file(root, f"{edition}/site/{rest}") if rest else None
    if path is None:
        return refused(request, 404, _("There is no such page (build the website first)."))
    return FileResponse(path, media_type=media_type(path), headers={"Cache-Control": "no-cache"})


def _files_of_editions(root: Path) -> dict[str, dict[str, Any]]:
    return {
        edition: {"files": built_files(root, edition), "site": site_built(root, edition)}
        for edition in EDITIONS
    }


def _state_labels() -> dict[str, str]:
    return {"queued": _("waiting"), "running": _("running"), "done": _("done"),
            "failed": _("failed")}  # fmt: skip


routes = [
    Route("/builds", builds_page, methods=["GET"]),
    Route("/builds", queue_build, methods=["POST"]),
    Route("/publish", publish, methods=["POST"]),
    Route("/builds/jobs/{number:int}", build_job_page, methods=["GET"]),
    Route("/builds/files/{name:path}", download, methods=["GET"]),
    Route("/builds/package/{edition}", print_package, methods=["GET"]),
    Route("/site/{path:path}", site_page, methods=["GET"]),
]
