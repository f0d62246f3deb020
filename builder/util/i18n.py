"""Messages in the editor's language: Vietnamese by default, English with `--lang en`.

The English text in the code is the gettext message id; `builder/locale/vi/LC_MESSAGES/
builder.po` holds the Vietnamese. The catalogue is read with Babel's PO reader, so there is
no compiled `.mo` file to keep in step (what it read is kept in the cache, by the file's
bytes). `make messages` extracts the ids again (`pybabel extract`) and merges them into the
catalogue; a test fails when a message has no translation.

Messages are translated when they are made: `_("unknown key `{key}`").format(key=key)`.
Texts defined before the language is known (module constants) are marked with `N_` and
translated where they are used.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from builder.util.cache import cache_path, code_version
from builder.util.paths import LOCALES

LANGUAGES = ("vi", "en")
DEFAULT = "vi"

_chosen: str | None = None
# One request's language in the workspace, where each person chose theirs: it wins over the
# process's, inside that request only (a context variable follows the request's thread).
_request_language: ContextVar[str | None] = ContextVar("request_language", default=None)


def set_language(language: str | None) -> None:
    """Use `language` from now on; None goes back to BUILDER_LANG or Vietnamese."""
    global _chosen
    _chosen = language


def use_language_here(language: str | None) -> None:
    """Use `language` in the current context only (one web request), not the whole process."""
    _request_language.set(language)


def language() -> str:
    chosen = _request_language.get() or _chosen or os.environ.get("BUILDER_LANG", DEFAULT)
    return chosen if chosen in LANGUAGES else DEFAULT


@cache
def _catalogue(language: str) -> dict[object, object]:
    """The translations of `language`: read from its .po file by Babel once, then kept in
    the cache as JSON by the file's bytes (Babel's import and its reading of the file took
    0.06 s of every command). JSON, not pickle: every command reads it from the `.cache` of
    the folder it runs in, and reading JSON runs no code."""
    path = LOCALES / language / "LC_MESSAGES" / "builder.po"
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    digest = hashlib.sha256(code_version("messages") + data).hexdigest()[:24]
    kept = cache_path("messages") / f"{language}-{digest}.json"
    with contextlib.suppress(OSError, ValueError, TypeError):  # missing or damaged: read again
        return _from_json(json.loads(kept.read_bytes()))
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(data), locale=language)
    messages: dict[object, object] = {
        message.id: message.string
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }
    pairs = [[_as_json(key), _as_json(value)] for key, value in messages.items()]
    _keep(kept, json.dumps(pairs, ensure_ascii=False).encode())
    return messages


def _as_json(value: object) -> object:
    """A message id or translation (a string, or a tuple of plural forms) as JSON holds it."""
    return list(value) if isinstance(value, tuple) else value


def _from_json(pairs: object) -> dict[object, object]:
    """The catalogue from its JSON form: [[id, translation], …], plural forms as lists."""
    if not isinstance(pairs, list):
        raise ValueError("not a catalogue")
    found: dict[object, object] = {}
    for key, value in pairs:
        if not all(isinstance(part, str) for part in [*_parts(key), *_parts(value)]):
            raise ValueError("not a catalogue")
        found[tuple(key) if isinstance(key, list) else key] = (
            tuple(value) if isinstance(value, list) else value
        )
    return found


def _parts(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _keep(path: Path, data: bytes) -> None:
    """Kept whole (another name, then renamed) or not at all: a cache that cannot be written
    is no error. (Not `util.files`, whose errors speak through this module.)"""
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(data)
        os.replace(scratch, path)
    except OSError:
        with contextlib.suppress(OSError):
            scratch.unlink()


def _(message: str) -> str:
    """`message` in the chosen language (itself when it has no translation)."""
    translated = _catalogue(language()).get(message)
    return translated if isinstance(translated, str) and translated else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` (Vietnamese has one form; English two)."""
    translated = _catalogue(language()).get((singular, plural))
    if isinstance(translated, tuple) and translated and isinstance(translated[0], str):
        return translated[0] or (singular if count == 1 else plural)
    return singular if count == 1 else plural


def N_(message: str) -> str:
    """Marks a text for the catalogue without translating it yet."""
    return message
