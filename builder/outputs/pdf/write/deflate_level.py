"""The deflate level of the streams WeasyPrint writes, chosen per write.

pydyf, WeasyPrint's PDF writer, compresses every stream it writes (the pages' content, the
font programs, the object streams) at zlib's level 9. A book's units are written so, then
joined (`pdf_join`): the join passes the pages' content on as it is and throws each unit's
font subsets away (`font_union`). At level 9 that was 1.3 s of the 20 s of CPU of a
100-model build (35 MB deflated), at level 1 0.27 s, and the editions grow by less than
1 % (the screen edition 2 509 kB → 2 526 kB, the print interior 3 210 kB → 3 227 kB).

`fast()` deflates the writes made inside it at `FAST` (`pdf_writing` writes both editions
and every unit so). pydyf's `zlib` is replaced once by a stand-in that reads the level
from a context variable (one value a thread), so a write outside `fast()`, in any thread,
deflates at pydyf's own level 9, whatever ran before it.
"""

from __future__ import annotations

import contextlib
import contextvars
import zlib
from collections.abc import Iterator
from typing import Any

FAST = 1  # zlib's quickest level; 9 took five times as long for 0.7 % less
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
