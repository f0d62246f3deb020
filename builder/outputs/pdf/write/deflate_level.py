"""The deflate level of the streams WeasyPrint writes, chosen per write and per stream.

pydyf, WeasyPrint's PDF writer, compresses every stream it writes (the pages' content, the
font programs, the object streams) at zlib's level 9. A book's units are written so, then
joined (`pdf_join`): the join throws each unit's font subsets and object streams away
(`font_union`, qpdf's own object streams) and passes the pages' content on as it is. At
level 9 that was 1.3 s of the 20 s of CPU of a 100-model build.

`fast()` deflates the writes made inside it at `FAST` (`pdf_writing` writes both editions
and every unit so): what the join throws away costs least. pydyf's `zlib` is replaced once
by a stand-in that reads the level from a context variable (one value a thread), so a
write outside `fast()`, in any thread, deflates at pydyf's own level 9, whatever ran
before it.
The pages' content, which the editions keep, is deflated at `CONTENT` by
`deflate_contents` (a finisher's part): at level 1 the screen edition of 100 models took
2 888 kB, at level 6 2 556 kB, for 0.14 s more of CPU over the 7.8 MB of its content.
"""

from __future__ import annotations

import contextlib
import contextvars
import zlib
from collections.abc import Iterator
from typing import Any

from builder.outputs.pdf.write.pydyf_pages import page_dictionaries, referenced

FAST = 1  # zlib's quickest level: for what the join throws away (9 took five times as long)
CONTENT = 6  # zlib's own default: for the pages' content, which the editions keep
_LEVEL: contextvars.ContextVar[int | None] = contextvars.ContextVar("deflate_level", default=None)


@contextlib.contextmanager
def fast() -> Iterator[None]:
    """The streams pydyf writes in this block (this thread's) deflated at level `FAST`."""
    _install()
    token = _LEVEL.set(FAST)
    try:
        yield
    finally:
        _LEVEL.reset(token)


class _LevelledZlib:
    """pydyf's view of `zlib`: its level unless a `fast()` block chose one."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = zlib.Z_DEFAULT_COMPRESSION, *args: Any, **kwargs: Any) -> Any:
        chosen = _LEVEL.get()
        return zlib.compressobj(level if chosen is None else chosen, *args, **kwargs)

    @staticmethod
    def compress(data: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION, **kwargs: Any) -> bytes:
        chosen = _LEVEL.get()
        return zlib.compress(data, level if chosen is None else chosen, **kwargs)


def _install() -> None:
    import pydyf

    if not isinstance(pydyf.zlib, _LevelledZlib):
        pydyf.zlib = _LevelledZlib()


def deflate_contents(pdf: Any) -> None:
    """A WeasyPrint finisher's part: every page's content streams of `pdf` (pydyf's, not yet
    written) deflated here at level `CONTENT`, and written as they are."""
    import pydyf

    for page in page_dictionaries(pdf):
        contents = page["Contents"]
        for reference in contents if isinstance(contents, pydyf.Array) else [contents]:
            stream = referenced(pdf, reference)
            if not stream.compress:
                continue
            data = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
            stream.stream = [zlib.compress(data, CONTENT)]
            stream.compress = False
            stream.extra["Filter"] = "/FlateDecode"
