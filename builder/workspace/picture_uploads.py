"""Pictures uploaded on a model's page: checked by their content as `check` checks them, saved
in `content/images/` under the name the Word import would give them (`<slug>-<hash>.<ext>`),
committed by their uploader, and answered with the Markdown the form inserts in the body.

The picture's bytes decide what it is (Pillow reads them; the name's ending is never
trusted) and the server makes its name: nothing of the uploaded file's name reaches the
disk. A picture `check` refuses (not a picture, too large, a thin strip) is refused here at
once, so it never enters the book; one that would print blurred is kept and the answer says
so, as `check` will.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from builder.authoring.new_entry import made_folder
from builder.authoring.word.word_markdown import escape
from builder.authoring.word.word_pictures import FILE_NAME
from builder.load.checks.invisible import clean_title
from builder.load.config import load_config
from builder.load.images import (
    PRINT_DPI,
    ImageCatalog,
    ImageProblem,
    placed_width_mm,
    print_resolution,
)
from builder.load.reviews import is_model
from builder.util.files import WriteFailed, book_lock, create_new
from builder.util.i18n import _
from builder.util.problems import Problems
from builder.workspace.accounts import EDITOR, Account
from builder.workspace.upload_files import UploadRefused, discard, read_upload, scratch_folder
from builder.workspace.web import Workspace, page, requires, workspace_of

PICTURE_LIMIT = 25 * 1024 * 1024  # bytes: a phone's largest photo is about 15 MB
KEPT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}  # what the book shows
LONGEST_ALT = 400  # characters
LONGEST_CAPTION = 300


@dataclass(frozen=True, slots=True)
class Saved:
    name: str  # in content/images/
    markdown: str
    problems: tuple[tuple[str, str], ...]  # (message, hint), as `check` will say them
    new: bool  # False: the same picture was already in the book


@requires(EDITOR)
async def picture_form(request: Request, account: Account) -> Response:
    """The upload form the model page's script puts in `#model-pictures`."""
    slug = request.path_params["slug"]
    if not is_model(workspace_of(request).content, slug):
        return JSONResponse({"error": _("No such model.")}, status_code=404)
    return page(request, "partials/model_pictures.html", slug=slug)


@requires(EDITOR)
async def upload_picture(request: Request, account: Account) -> Response:
    workspace = workspace_of(request)
    slug = request.path_params["slug"]
    if not is_model(workspace.content, slug):
        return _refused(UploadRefused(_("No such model."), 404))
    form = await request.form()
    upload = form.get("picture")
    try:
        if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
            raise UploadRefused(_("Choose a picture to upload."))
        alt = checked_alt(form.get("alt"))
        caption = checked_caption(form.get("caption"))
        data = await read_upload(upload, PICTURE_LIMIT)
        saved = await run_in_threadpool(save_picture, workspace, slug, data, alt, caption, account)
    except UploadRefused as refusal:
        return _refused(refusal)
    except WriteFailed as exc:
        return _refused(UploadRefused(str(exc), 507))
    message = (
        _("Saved as {name}; the picture was put in the text at the cursor.")
        if saved.new
        else _("This picture was already in the book as {name}; it was put in the text.")
    ).format(name=saved.name)
    return JSONResponse({
        "name": saved.name,
        "markdown": saved.markdown,
        "message": message,
        "problems": [{"message": m, "hint": h} for m, h in saved.problems],
    })  # fmt: skip


def _refused(refusal: UploadRefused) -> JSONResponse:
    problems = [{"message": refusal.message, "hint": refusal.hint}]
    return JSONResponse(
        {"error": refusal.message, "problems": problems}, status_code=refusal.status
    )


def checked_alt(given: object) -> str:
    """The alt text, one line; UploadRefused when empty, too long or a file's name."""
    alt = clean_title(given) if isinstance(given, str) else ""
    if not alt:
        raise UploadRefused(
            _("Describe the picture for readers who cannot see it (the alt text is required).")
        )
    if len(alt) > LONGEST_ALT:
        raise UploadRefused(
            _("The description is {length} characters long; at most {most}.").format(
                length=len(alt), most=LONGEST_ALT
            )
        )
    if FILE_NAME.search(alt):
        raise UploadRefused(
            _("“{alt}” is a file's name, not a description: say what the picture shows.").format(
                alt=alt
            )
        )
    return alt


def checked_caption(given: object) -> str:
    caption = clean_title(given) if isinstance(given, str) else ""
    if len(caption) > LONGEST_CAPTION:
        raise UploadRefused(
            _("The caption is {length} characters long; at most {most}.").format(
                length=len(caption), most=LONGEST_CAPTION
            )
        )
    return caption


def save_picture(
    workspace: Workspace, slug: str, data: bytes, alt: str, caption: str, author: Account
) -> Saved:
    """Check `data` as `check` will, then save it in images/ and commit it by `author`."""
    content = workspace.content
    suffix = KEPT.get(picture_kind(data))
    if suffix is None:
        raise UploadRefused(
            _("This file is not a picture the book can show."),
            415,
            _("use JPEG, PNG, WebP or GIF"),
        )
    config = load_config(content, Problems())
    if config is None:
        raise UploadRefused(_("book.yaml cannot be read: run the check to see why."), 500)
    name = picture_name(slug, data, suffix)
    scratch = scratch_folder(content, "picture-")
    try:
        checked = scratch / name
        checked.write_bytes(data)
        image = ImageCatalog(scratch, pictures=()).image(checked, alt)
    except ImageProblem as problem:
        raise UploadRefused(problem.message, 422, problem.hint) from problem
    finally:
        discard(scratch)
    problems = []
    trim = config.pdf.trim_width_mm
    dpi = print_resolution(image, trim)
    if dpi < PRINT_DPI:
        pixels = math.ceil(placed_width_mm(image, trim) / 25.4 * PRINT_DPI)
        problems.append((
            _("image “{name}” would print at {dpi} dpi ({needed} needed)").format(
                name=name, dpi=dpi, needed=PRINT_DPI),
            _("use a larger picture, at least {pixels} pixels wide").format(pixels=pixels),
        ))  # fmt: skip
    folder = content / "images"
    with book_lock(content):
        made_folder(folder)
        path, new = _stored(folder, slug, data, suffix)
        workspace.repository.commit([path], f"Thêm ảnh {path.name} cho {slug}", author)
    return Saved(path.name, picture_markdown(path.name, alt, caption), tuple(problems), new)


def picture_kind(data: bytes) -> str:
    """JPEG, PNG, … from the bytes (only the header is read); "" for what is no picture."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as picture:
                return picture.format or ""
    except PILImage.DecompressionBombError:
        raise UploadRefused(
            _("This picture has too many pixels to lay out."),
            422,
            _("scale it down in an image editor (3 000 pixels a side is plenty)"),
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return ""


def picture_name(slug: str, data: bytes, suffix: str, length: int = 8) -> str:
    """`<slug>-<hash><suffix>`, as the Word import names a picture (word_pictures.py)."""
    return f"{slug}-{hashlib.sha256(data).hexdigest()[:length]}{suffix}"


def _stored(folder: Path, slug: str, data: bytes, suffix: str) -> tuple[Path, bool]:
    """The picture's file in `folder`, written whole unless the same bytes are already
    there; never over another picture. Call it under the book's lock."""
    for length in (8, 16, 64):
        path = folder / picture_name(slug, data, suffix, length)
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            return path, False
        if create_new(path, data):
            return path, True
    raise UploadRefused(_("A different picture already has this name."), 409)


def picture_markdown(name: str, alt: str, caption: str) -> str:
    """The body's picture line, as the book's models write one: `![alt](../images/x.jpg)`,
    with the caption as its title."""
    title = ' "' + caption.replace("\\", "\\\\").replace('"', '\\"') + '"' if caption else ""
    return f"![{escape(alt)}](../images/{name}{title})"


routes = [
    Route("/models/{slug}/pictures", picture_form, methods=["GET"]),
    Route("/models/{slug}/pictures", upload_picture, methods=["POST"]),
]
