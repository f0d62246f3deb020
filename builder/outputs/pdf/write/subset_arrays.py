"""The glyph arrays of WeasyPrint's typeface subsetting made without parsing C.

WeasyPrint subsets each face of a PDF with HarfBuzz, and hands it the glyph ids in an array
of a new length every time (`ffi.new(f"hb_codepoint_t[{n}]", …)`: twice a face, with the
count of glyphs used and the highest id). cffi parses every new type string with pycparser,
2 ms each: a book laid out in a hundred units paid about a second of CPU for it. A type of
that one form is made here from the element's pointer type, as cffi itself makes an array
type once it has parsed one, and kept as cffi keeps the types it parsed.

This leans on two names cffi keeps to itself (`FFI._parsed_types`, `FFI._backend`); where
they are missing (another cffi), nothing changes and cffi parses as before.
"""

from __future__ import annotations

import re
from typing import Any

_GLYPH_ARRAY = re.compile(r"hb_codepoint_t\[(\d+)\]\Z")


class _Types(dict[Any, Any]):
    """cffi's table of parsed types, which makes a glyph array's type when asked for one it
    lacks; any other type it lacks is cffi's to parse (the KeyError cffi expects)."""

    def __init__(self, parsed: dict[Any, Any], pointer: Any, new_array_type: Any) -> None:
        super().__init__(parsed)
        self.pointer = pointer
        self.new_array_type = new_array_type

    def __missing__(self, cdecl: Any) -> Any:
        found = _GLYPH_ARRAY.match(cdecl) if isinstance(cdecl, str) else None
        if found is None:
            raise KeyError(cdecl)
        made = self[cdecl] = (self.new_array_type(self.pointer, int(found[1])), False)
        return made


def glyph_arrays_without_parsing() -> None:
    """From now on in this process (and the processes it forks), WeasyPrint's glyph arrays
    take no parsing."""
    from weasyprint.text.ffi import ffi

    parsed = getattr(ffi, "_parsed_types", None)
    new_array_type = getattr(getattr(ffi, "_backend", None), "new_array_type", None)
    if isinstance(parsed, _Types) or not isinstance(parsed, dict) or new_array_type is None:
        return
    ffi._parsed_types = _Types(parsed, ffi.typeof("hb_codepoint_t *"), new_array_type)
