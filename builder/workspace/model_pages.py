"""A model as a form: its facts and text edited in the browser, checked and previewed as they
are typed, saved as one commit by its editor; a save over a newer version shows both versions
instead of losing either; a new model started as `builder new` starts it.
"""

from __future__ import annotations

import difflib
import mimetypes
import stat
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from builder.authoring.new_entry import created, entry_text
from builder.book.fields import FIELDS
from builder.book.model import KIND_LABELS, KINDS, BookConfig
from builder.book.place_names import commune_named, district_named, field_named
from builder.load.config import load_config
from builder.load.images import IMAGE_SUFFIXES
from builder.load.reviews import is_slug
from builder.render.templating import TEMPLATES
from builder.util.files import WriteFailed, book_lock
from builder.util.i18n import _
from builder.util.problems import Problems
from builder.workspace import front_matter_edit as edit
from builder.workspace import model_check, model_form
from builder.workspace.accounts import EDITOR, READER, Account, read_accounts
from builder.workspace.changes import Conflict, Write, read_with_version, save, version_of
from builder.workspace.web import NO_STORE, Workspace, page, refused, requires, workspace_of

PRESENCE_SECONDS = 60  # someone whose form sent no heartbeat for this long has left it
SITE_STYLESHEET = TEMPLATES / "site" / "assets" / "style.css"


def _config(workspace: Workspace) -> BookConfig | None:
    """book.yaml read again only when it changed (its time, size and inode): every form, check
    and preview needs it, and reading it costs 10 ms (BookConfig is frozen: shared safely)."""
    try:
        info = (workspace.content / "book.yaml").stat()
        stamp: object = (info.st_mtime_ns, info.st_size, info.st_ino)
    except OSError:
        stamp = None
    kept = workspace.extras.get("book_config")
    if kept is not None and stamp is not None and kept[0] == stamp:
        config: BookConfig | None = kept[1]
        return config
    config = load_config(workspace.content, Problems())
    workspace.extras["book_config"] = (stamp, config)
    return config


def _titles(workspace: Workspace) -> model_check.OtherTitles:
    found: model_check.OtherTitles = workspace.extras.setdefault(
        "other_titles", model_check.OtherTitles()
    )
    return found


def model_file(workspace: Workspace, slug: str) -> Path | None:
    """`content/models/<slug>.md` when `slug` is a model's name and that is a plain file (no
    link, nothing outside the models' folder); else None."""
    if not is_slug(slug):
        return None
    path = workspace.content / "models" / f"{slug}.md"
    try:
        info = path.lstat()
    except OSError:
        return None
    return path if stat.S_ISREG(info.st_mode) else None


def _not_found(request: Request) -> Response:
    return refused(request, 404, _("No such model."))


def _present(workspace: Workspace, slug: str, login: str) -> list[str]:
    """`login` seen on the model's form now; the others seen lately, by their full names."""
    now = time.monotonic()
    seen = workspace.open_forms[slug]
    seen[login] = now
    for who, when in list(seen.items()):
        if now - when > PRESENCE_SECONDS:
            del seen[who]
    accounts = read_accounts(workspace.content)
    return sorted(
        accounts[who].full_name if who in accounts else who for who in seen if who != login
    )


def _form_of(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _candidate(model: edit.ModelFile, form: dict[str, str]) -> tuple[str, dict[str, Any], bool]:
    """The file `form` would save, the facts it changes, and whether it changes the body."""
    changes = edit.changed_facts(model, form)
    body = form.get("body")
    body_changed = edit.body_changed(model, body)
    if not changes and not body_changed:
        return model.whole, changes, body_changed
    text = edit.edited_text(model, changes, body if body_changed else None)
    return text, changes, body_changed


def _checked(workspace: Workspace, slug: str, text: str) -> model_check.CheckResult:
    config = _config(workspace)
    if config is None:
        return model_check.CheckResult((), None)
    return model_check.check_text(workspace.content, config, slug, text, _titles(workspace))


def _preview(
    workspace: Workspace, slug: str, text: str, result: model_check.CheckResult | None = None
) -> str:
    """The model's page for the preview pane: a whole document, for an iframe's srcdoc
    (`result`: the text's check, when the caller has it already)."""
    model = edit.cut(text)
    result = result or _checked(workspace, slug, text)
    values = edit.form_values(model) if model else {}
    body = model.text_of_body if model else text
    shown = model_form.preview_of(result.entry, values.get("title", slug), body,
                                  workspace.content)  # fmt: skip
    return workspace.templates.get_template("model-preview.html").render(preview=shown)


def _form_page(request: Request, account: Account, slug: str, path: Path, **extra: Any) -> Response:
    workspace = workspace_of(request)
    text, version = read_with_version(path)
    model = edit.cut(text)
    config = _config(workspace)
    if model is None or model.values is None or config is None:
        return page(request, "model.html", slug=slug, model=None, text=text,
                    version=version, others=_present(workspace, slug, account.name),
                    editable=account.may(EDITOR), **extra)  # fmt: skip
    values = edit.form_values(model)
    result = _checked(workspace, slug, text)
    return page(
        request, "model.html", slug=slug, model=model, values=values,
        body=model.text_of_body, version=version,
        choices=model_form.form_choices(config, values, account),
        kind_labels=KIND_LABELS, problems=model_check.placed(result.problems, model),
        todo={key for key, value in values.items() if value.strip().startswith("TODO")},
        preview=_preview(workspace, slug, text, result), fields=[spec.key for spec in FIELDS],
        others=_present(workspace, slug, account.name), editable=account.may(EDITOR),
        **extra,
    )  # fmt: skip


@requires(READER)
async def model_page(request: Request, account: Account) -> Response:
    slug = request.path_params["slug"]
    path = model_file(workspace_of(request), slug)
    if path is None:
        return _not_found(request)
    saved = request.query_params.get("saved") == "1"
    return await run_in_threadpool(_form_page, request, account, slug, path, saved=saved)


@requires(EDITOR)
async def save_model(request: Request, account: Account) -> Response:
    """The form saved: only what it changes written, as one commit by `account`. The whole
    file (`whole_text`) is what a file whose facts cannot be read, or a conflict page,
    sends."""
    workspace = workspace_of(request)
    slug = request.path_params["slug"]
    path = model_file(workspace, slug)
    if path is None:
        return _not_found(request)
    form = _form_of(await request.form())
    text = path.read_text(encoding="utf-8", errors="replace")
    model = edit.cut(text)
    if version_of(path) != form.get("version", ""):
        return _conflict(request, slug, path, form, model)
    if "whole_text" in form or model is None or model.values is None:
        new_text = edit.fixed_whole(form.get("whole_text", text))
    else:
        new_text = _candidate(model, form)[0]
    what = edit.what_changed(text, new_text)
    if not what:
        return RedirectResponse(f"/models/{slug}?saved=1", status_code=303)
    if not model_form.may_set_status(account, edit.status_of(text), edit.status_of(new_text)):
        return refused(request, 403, _("Only the chief editor approves a model or takes "
                                        "its approval back."))  # fmt: skip
    title = edit.title_of(new_text) or edit.title_of(text) or slug
    message = _("Edit model {title}: {changes}").format(title=title, changes=", ".join(what))
    write = Write(path, new_text.encode("utf-8"), form["version"])
    try:
        await run_in_threadpool(save, workspace.content, workspace.repository, [write],
                                message, account)  # fmt: skip
    except Conflict:
        return _conflict(request, slug, path, form, model)
    return RedirectResponse(f"/models/{slug}?saved=1", status_code=303)


def _conflict(
    request: Request, slug: str, path: Path, form: dict[str, str], model: edit.ModelFile | None
) -> Response:
    """Theirs (the file now) beside yours (what the form would have saved), the lines that
    differ marked, and yours kept in a form that saves it over the newer version."""
    theirs, version = read_with_version(path)
    if "whole_text" in form or model is None or model.values is None:
        yours = edit.fixed_whole(form.get("whole_text", ""))
    else:
        yours = _candidate(model, form)[0]
    mine, other = _marked(yours.split("\n"), theirs.split("\n"))
    return page(request, "conflict.html", status_code=409, slug=slug, theirs=other,
                yours=mine, yours_text=yours, version=version)  # fmt: skip


def _marked(
    yours: list[str], theirs: list[str]
) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Each side's lines with whether the other side lacks it."""
    matcher = difflib.SequenceMatcher(None, yours, theirs, autojunk=False)
    mine = [(line, True) for line in yours]
    other = [(line, True) for line in theirs]
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            mine[block.a + offset] = (yours[block.a + offset], False)
            other[block.b + offset] = (theirs[block.b + offset], False)
    return mine, other


@requires(EDITOR)
async def check_model(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    slug = request.path_params["slug"]
    path = model_file(workspace, slug)
    if path is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    form = _form_of(await request.form())

    def run() -> dict[str, Any]:
        model = edit.cut(path.read_text(encoding="utf-8", errors="replace"))
        if model is None or model.values is None:
            text = edit.fixed_whole(form.get("whole_text", ""))
        else:
            text = _candidate(model, form)[0]
        result = _checked(workspace, slug, text)
        return model_check.placed(result.problems, edit.cut(text))

    return JSONResponse(await run_in_threadpool(run), headers=NO_STORE)


@requires(READER)
async def preview_model(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    slug = request.path_params["slug"]
    path = model_file(workspace, slug)
    if path is None:
        return _not_found(request)
    form = _form_of(await request.form())

    def run() -> str:
        text = path.read_text(encoding="utf-8", errors="replace")
        model = edit.cut(text)
        if model is not None and model.values is not None:
            text = _candidate(model, form)[0]
        return _preview(workspace, slug, text)

    return HTMLResponse(await run_in_threadpool(run), headers=NO_STORE)


@requires(READER)
async def presence(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    slug = request.path_params["slug"]
    if model_file(workspace, slug) is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse({"others": _present(workspace, slug, account.name)}, headers=NO_STORE)


@requires(EDITOR)
async def new_model_form(request: Request, account: Account) -> Response:
    return _new_page(request, {}, {})


def _new_page(
    request: Request, given: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    config = _config(workspace_of(request))
    if config is None:
        return refused(request, 500, _("book.yaml cannot be read: run the check to see why."))
    start, end = config.period
    return page(request, "model-new.html", status_code=status_code, given=given, errors=errors,
                kinds=[(k, KIND_LABELS[k]) for k in KINDS],
                fields=[(f.id, f.name) for f in config.fields], districts=config.districts,
                years=list(range(end, start - 1, -1)))  # fmt: skip


@requires(EDITOR)
async def new_model(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    config = _config(workspace)
    if config is None:
        return refused(request, 500, _("book.yaml cannot be read: run the check to see why."))
    given = {key: str(value).strip() for key, value in (await request.form()).items()}
    errors: dict[str, str] = {}
    title = given.get("title", "")
    if not title:
        errors["title"] = _("Give the model's title.")
    kind = given.get("kind", "")
    if kind not in KINDS:
        errors["kind"] = _("Choose the kind of model.")
    field = field_named(config.fields, given.get("field", ""))
    if field is None:
        errors["field"] = _("Choose a field of book.yaml.")
    district = district_named(config.districts, given.get("district", ""))
    commune = None
    if district is None:
        errors["district"] = _("Choose a district of book.yaml.")
    elif given.get("commune"):
        commune = commune_named(district, given["commune"])
        if commune is None:
            errors["commune"] = _("This commune is not in that district.")
    start, end = config.period
    year = int(given["year"]) if given.get("year", "").isdigit() else 0
    if not start <= year <= end:
        errors["year"] = _("Choose a year from {start} to {end}.").format(start=start, end=end)
    if errors or field is None or district is None:
        return _new_page(request, given, errors, status_code=422)
    text = entry_text(config, title, kind=kind, field=field.id, district=district.name,
                      commune=commune.name if commune else "", year=year)  # fmt: skip

    def make() -> Path:
        with book_lock(workspace.content):
            path = created(workspace.content / "models", title, text)
            message = _("New model {title}").format(title=title)
            workspace.repository.commit([path], message, account)
            return path

    try:
        path = await run_in_threadpool(make)
    except WriteFailed as exc:
        return refused(request, 500, str(exc))
    return RedirectResponse(f"/models/{path.stem}", status_code=303)


@requires(READER)
async def preview_stylesheet(request: Request, account: Account) -> Response:
    """The site's stylesheet, so the preview looks as the site will."""
    css = SITE_STYLESHEET.read_text(encoding="utf-8")
    return Response(css, media_type="text/css", headers=NO_STORE)


@requires(READER)
async def preview_picture(request: Request, account: Account) -> Response:
    """A picture of the book for the preview: a picture file inside the book folder, never
    the workspace's own folder nor anything a link leads to outside the book."""
    content = workspace_of(request).content.resolve()
    wanted = Path(request.path_params["path"])
    if wanted.is_absolute() or ".." in wanted.parts or wanted.parts[:1] in ((".workspace",),
                                                                           (".git",)):  # fmt: skip
        return Response(status_code=404)
    path = (content / wanted).resolve()
    if not path.is_relative_to(content) or path.suffix.lower() not in IMAGE_SUFFIXES:
        return Response(status_code=404)
    if not path.is_file():
        return Response(status_code=404)
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Response(path.read_bytes(), media_type=kind, headers=NO_STORE)


routes = [
    Route("/models/new", new_model_form, methods=["GET"]),
    Route("/models/new", new_model, methods=["POST"]),
    Route("/preview/site.css", preview_stylesheet, methods=["GET"]),
    Route("/preview/pictures/{path:path}", preview_picture, methods=["GET"]),
    Route("/models/{slug}", model_page, methods=["GET"]),
    Route("/models/{slug}", save_model, methods=["POST"]),
    Route("/models/{slug}/check", check_model, methods=["POST"]),
    Route("/models/{slug}/preview", preview_model, methods=["POST"]),
    Route("/models/{slug}/presence", presence, methods=["POST"]),
]
