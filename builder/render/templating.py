"""The Jinja environment shared by every output: autoescaped, strict, with Vietnamese filters."""

from __future__ import annotations

import contextlib
import os
import re
from functools import cache, lru_cache
from typing import Any

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket

from builder.book import urls
from builder.book.fields import fact_rows
from builder.book.vietnamese import format_long_date, format_number
from builder.util.cache import cache_path, code_version
from builder.util.paths import TEMPLATES as TEMPLATES


class _CompiledTemplates(FileSystemBytecodeCache):
    """The templates as compiled by an earlier process (`.cache/templates/`): Jinja checks
    each one's source; the file names carry this module's and Jinja's versions, since the
    environment's options shape the code. Compiling the site's templates took 0.13 s of every
    build. A cache that cannot be written is no error."""

    def __init__(self) -> None:
        version = code_version("templates").hex()[:16]
        super().__init__(str(cache_path("templates")), f"{version}-%s.cache")

    def load_bytecode(self, bucket: Bucket) -> None:
        """A damaged file is a miss (Jinja reads its checksum with pickle, unguarded)."""
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)


@lru_cache(maxsize=4)
def environment(folder: str) -> Environment:
    """Templates of one output (`templates/<folder>/`, then the shared `templates/shared/`),
    autoescaped for HTML and XML."""
    env = Environment(
        loader=FileSystemLoader([TEMPLATES / folder, TEMPLATES / "shared"]),
        autoescape=select_autoescape(["html", "xml", "xhtml"], ["css"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_CompiledTemplates(),
    )
    env.filters["number"] = format_number
    env.filters["longdate"] = format_long_date
    env.filters["roman"] = roman
    env.filters["css_string"] = css_string
    env.filters["balance"] = balanced_lines
    env.filters["keep_last_words"] = keep_last_words
    env.filters["shift_headings"] = shift_headings
    env.globals["fact_rows"] = fact_rows  # the fact box of a model, the same in every output
    env.globals["urls"] = urls  # the website's addresses (the PDF prints them in QR codes)
    return env


@lru_cache(maxsize=1)
def words() -> Any:
    """The reader-facing words of templates/shared/words.j2, for the text an output hands
    to a template (chart titles, document titles): `words().titles["stats"]`."""
    return environment("shared").get_template("words.j2").module


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def shift_headings(html: str, by: int = 1) -> str:
    """Rendered Markdown with its headings `by` levels lower (`<h2>` → `<h3>`, at most h6):
    a body's `##` sections sit under the model's own title, one level deeper in the book
    (part h1, model h2, sections h3) than on the model's web page (model h1, sections h2).
    Markdown bodies cannot hold raw tags, so every `<hN` is a heading the renderer made."""
    return _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + by, 6)}", html)


def keep_last_words(text: str) -> str:
    """The last two words joined by a no-break space, so a line of the contents or an index
    never ends with one short syllable alone (Vietnamese words are syllables)."""
    head, space, last = text.rstrip().rpartition(" ")
    return f"{head}\u00a0{last}" if space and head else text


def balanced_lines(text: str, line_chars: int = 28) -> list[str]:
    """`text` in as few lines of at most about `line_chars` as it needs, of nearly equal
    length, never breaking inside “quotes”.

    Display titles (covers, title pages) look best balanced; greedy wrapping leaves a
    lone word on the last line.
    """
    words = text.split()
    count = -(-len(text) // line_chars)
    if count <= 1 or len(words) <= 1:
        return [text]
    inside = []
    depth = 0
    for word in words:
        depth += word.count("“") - word.count("”")
        inside.append(depth > 0)

    @cache  # each (start, lines) once: without it a 200-character title took minutes
    def best(start: int, lines: int) -> tuple[int, list[str]]:
        rest = words[start:]
        if lines == 1 or len(rest) <= 1:
            return len(" ".join(rest)), [" ".join(rest)]
        options = []
        for end in range(start + 1, len(words)):
            if inside[end - 1]:
                continue  # a break here would split a quotation
            head = " ".join(words[start:end])
            width, tail = best(end, lines - 1)
            options.append((max(len(head), width), [head, *tail]))
        if not options:
            return len(" ".join(rest)), [" ".join(rest)]
        return min(options, key=lambda option: option[0])

    return best(0, count)[1]


def roman(number: int) -> str:
    """`4` → `IV`: part numbers, as Vietnamese books number them."""
    values = (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    text = ""
    for value, letters in values:
        count, number = divmod(number, value)
        text += letters * count
    return text


def css_string(text: str) -> str:
    """A CSS string literal holding `text` exactly."""
    escaped = "".join(ch if ch.isalnum() or ch in " –-.,()" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'
