"""Word in: districts' documents uploaded in a batch and imported as `builder import` does,
as one queued job whose page shows each file's progress, then what each model took from its
document and what is left to fill in.

The files wait in a private scratch folder under names the server cleans (the uploaded
name is kept readable, since a document without a title lends its name to the model, but it
never carries a folder). A document refused is one line, and the batch goes on; the models
and pictures made are one commit by the uploader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from builder.authoring.word.word_import import (
    DocumentRefused,
    Imported,
    WriteFailed,
    converted_together,
    import_document,
    report_lines,
)
from builder.book.model import BookConfig
from builder.load.config import load_config
from builder.util.files import book_lock, plain_reason
from builder.util.i18n import _, ngettext
from builder.util.problems import Problems
from builder.workspace.accounts import EDITOR, Account
from builder.workspace.job_pages import job_queue
from builder.workspace.jobs import Progress
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
from builder.workspace.web import Workspace, page, requires, workspace_of

WORD_SUFFIXES = ("docx", "doc", "odt")
FILE_LIMIT = 20 * 1024 * 1024  # bytes of one document (a report with photos: a few MB)
BATCH_LIMIT = 50 * 1024 * 1024  # bytes of one batch (the request itself stops at 60 MB)
MOST_FILES = 30
PICTURE_LINK = re.compile(r"\]\(\.\./images/([^)\s/\\\"]+)")


@dataclass(frozen=True, slots=True)
class ImportedFile:
    """One document of a batch: its model and report, or why it was refused."""

    document: str  # its name as uploaded, cleaned for showing
    slug: str = ""
    lines: tuple[str, ...] = ()  # facts with their lines, warnings, what is left to fill in
    refused: str = ""


@dataclass(frozen=True, slots=True)
class ImportBatch:
    files: tuple[ImportedFile, ...]
    commit: str | None


@dataclass(frozen=True, slots=True)
class Waiting:
    """A document saved in the scratch folder, or refused before it got there."""

    document: str
    path: Path | None
    refused: str = ""


@requires(EDITOR)
async def import_page(request: Request, account: Account) -> Response:
    return _page(request)


def _page(request: Request, error: str = "", status_code: int = 200) -> Response:
    jobs = [job for job in job_queue(workspace_of(request)).listed() if job.kind == "import"]
    return page(request, "import.html", status_code=status_code, jobs=jobs[:15], error=error,
                file_mb=FILE_LIMIT // 2**20, batch_mb=BATCH_LIMIT // 2**20,
                most=MOST_FILES)  # fmt: skip


@requires(EDITOR)
async def start_import(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    uploads = uploads_in(await request.form(), "documents")
    if not uploads:
        return _page(request, _("Choose one or more Word documents."), 400)
    if len(uploads) > MOST_FILES:
        return _page(request, _("At most {most} files at once.").format(most=MOST_FILES), 413)
    folder = scratch_folder(workspace.content, "import-")
    waiting: list[Waiting] = []
    total = 0
    try:
        for number, upload in enumerate(uploads, start=1):
            shown = shown_name(upload.filename)
            name = safe_name(upload.filename, WORD_SUFFIXES, f"tai-lieu-{number}")
            if name is None:
                reason = _("it is not a Word document (.docx, .doc or .odt)")
                waiting.append(Waiting(shown, None, reason))
                continue
            try:
                data = await read_upload(upload, FILE_LIMIT)
            except UploadRefused as refusal:
                waiting.append(Waiting(shown, None, refusal.message))
                continue
            total += len(data)
            if total > BATCH_LIMIT:
                raise UploadRefused(
                    _("These files together are larger than {megabytes} MB: send them in "
                      "smaller batches.").format(megabytes=BATCH_LIMIT // 2**20),
                    413,
                )  # fmt: skip
            waiting.append(Waiting(shown, kept_in(folder, number, name, data)))
    except UploadRefused as refusal:
        discard(folder)
        return _page(request, refusal.message, refusal.status)
    except BaseException:
        discard(folder)
        raise
    title = ngettext("Word in: {count} file", "Word in: {count} files", len(waiting)).format(
        count=len(waiting)
    )

    def run(progress: Progress) -> ImportBatch:
        try:
            return import_batch(workspace, waiting, folder, account, progress)
        finally:
            discard(folder)

    job = job_queue(workspace).submit("import", title, account.name, run)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def import_batch(
    workspace: Workspace,
    waiting: list[Waiting],
    scratch: Path,
    author: Account,
    progress: Progress,
) -> ImportBatch:
    """Each document imported in turn (a refusal is one line, the batch goes on), then the
    new models and pictures committed together by `author`."""
    content = workspace.content
    config = load_config(content, Problems())
    if config is None:
        raise RuntimeError(_("book.yaml cannot be read: run the check to see why."))
    done: list[ImportedFile] = []
    written: list[Path] = []
    warned = 0
    together = converted_together([item.path for item in waiting if item.path], scratch)
    for number, item in enumerate(waiting, start=1):
        step = f"{number}/{len(waiting)} {item.document}"
        converted = together.get(item.path) if item.path else None
        result = _import_one(item, content, config, scratch / f"work-{number:02d}", converted)
        if isinstance(result, Refusal):
            progress(_("{step}: refused: {reason}").format(step=step, reason=result.reason))
            done.append(ImportedFile(item.document, refused=result.reason))
            if result.stop:
                rest = ", ".join(other.document for other in waiting[number:])
                if rest:
                    progress(
                        _("stopped: the book cannot be written; not tried: {documents}").format(
                            documents=rest
                        )
                    )
                break
            continue
        slug = result.path.stem
        progress(_("{step}: imported as {model}").format(step=step, model=f"models/{slug}.md"))
        written += [result.path, *_pictures_of(result.path, content)]
        warned += bool(result.warnings)
        done.append(ImportedFile(item.document, slug, tuple(report_lines(result)[1:])))
    imported = sum(1 for item in done if item.slug)
    commit = None
    if written:
        with book_lock(content):
            commit = workspace.repository.commit(written, f"Nhập từ Word: {imported} tệp", author)
    progress(
        _("{imported} imported ({warned} with warnings), {refused} refused").format(
            imported=imported, warned=warned, refused=len(waiting) - imported
        )
    )
    return ImportBatch(tuple(done), commit)


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str
    stop: bool = False  # the book cannot be written: the next documents would fail alike


def _import_one(
    item: Waiting, content: Path, config: BookConfig, scratch: Path, converted: Path | None
) -> Imported | Refusal:
    """The document's import, or why it was refused (one line, translated)."""
    if item.path is None:
        return Refusal(item.refused)
    scratch.mkdir(mode=0o700)
    try:
        return import_document(item.path, content, config, scratch, converted)
    except DocumentRefused as exc:
        return Refusal(str(exc))
    except WriteFailed as exc:
        return Refusal(str(exc), stop=True)
    except OSError as exc:  # reading it, or the scratch folder's disk
        return Refusal(_("cannot read or convert it: {reason}").format(reason=plain_reason(exc)))
    except Exception as exc:  # a damaged document: say which, go on with the rest
        return Refusal(_("cannot read it as a Word document ({reason})").format(reason=exc))


def _pictures_of(model: Path, content: Path) -> list[Path]:
    """The pictures of content/images/ the new model shows (the import saved them)."""
    text = model.read_text(encoding="utf-8")
    folder = content / "images"
    found = {folder / name for name in PICTURE_LINK.findall(text)}
    return sorted(path for path in found if path.is_file() and path.parent == folder)


routes = [
    Route("/import", import_page, methods=["GET"]),
    Route("/import", start_import, methods=["POST"]),
]
