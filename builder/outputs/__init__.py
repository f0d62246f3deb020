"""The one small interface every output format implements, and the registry of formats."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar, Protocol

from builder.book.model import Book
from builder.render.editions import PLAIN_BUILD, BuildOptions, Handover


class Output(Protocol):
    """Renders the whole book into `target` (a fresh folder) and returns what it wrote.

    `handover` carries what outputs built before it in the same run made for it (the print
    page map, the books the site offers); an output reads the model, `builder.render.editions` and
    the handover, never another output.
    """

    name: ClassVar[str]

    def render(
        self,
        book: Book,
        target: Path,
        handover: Handover | None = None,
        options: BuildOptions = PLAIN_BUILD,
    ) -> list[Path]: ...


# Every output by name → "module:Class", in the order `build all` runs them: adding an output
# is one line here. The PDF first: the EPUB and the site cite its page numbers when it is built
# with them. A module is imported only when its output is named (`build pdf` has no use for
# the site's or the Word copy's libraries, a tenth of a second before the PDF can start).
OUTPUTS = {
    "pdf": "builder.outputs.pdf.output:PdfOutput",
    "epub": "builder.outputs.epub.output:EpubOutput",
    "site": "builder.outputs.site.output:SiteOutput",
    "review": "builder.outputs.review.output:ReviewOutput",
}
OUTPUT_NAMES = tuple(OUTPUTS)

# Built only when named (`builder build review`), never by `build all` or `make`: the review
# copy is made when a review round starts, not with every build.
ON_REQUEST = ("review",)


def output_named(name: str) -> Output:
    """One output, importing only its own module; KeyError for a name not in OUTPUTS."""
    module, _, cls = OUTPUTS[name].partition(":")
    output: Output = getattr(importlib.import_module(module), cls)()
    return output


@contextlib.contextmanager
def loading_ahead(outputs: Iterable[Output]) -> Iterator[None]:
    """While the block runs (the builder loading and checking the book), the outputs that
    can load their libraries ahead do so beside it (`PdfOutput.loading_ahead`: WeasyPrint,
    in a child that lays the units out later)."""
    with contextlib.ExitStack() as ahead:
        for output in outputs:
            loading = getattr(output, "loading_ahead", None)
            if loading is not None:
                ahead.enter_context(loading())
        yield


def available_outputs() -> dict[str, Output]:
    """Every output by name, in OUTPUT_NAMES's order."""
    return {name: output_named(name) for name in OUTPUT_NAMES}


def chosen_outputs(names: tuple[str, ...]) -> list[str]:
    """The outputs `build NAMES…` makes, in build order: none named or `all` means every
    output but those built on request; those named besides `all` are added."""
    everything = OUTPUT_NAMES
    wanted = set(names)
    if not names or "all" in wanted:
        wanted |= {name for name in everything if name not in ON_REQUEST}
    return [name for name in everything if name in wanted]
