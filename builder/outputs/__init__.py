"""The one small interface every output format implements, and the registry of formats."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol

from builder.editions import Handover
from builder.model import Book


class Output(Protocol):
    """Renders the whole book into `target` (a fresh folder) and returns what it wrote.

    `handover` carries what outputs built before it in the same run made for it (the print
    page map, the books the site offers); an output reads the model, `builder.editions` and
    the handover, never another output.
    """

    name: ClassVar[str]

    def render(self, book: Book, target: Path, handover: Handover | None = None) -> list[Path]: ...


# Built only when named (`builder build review`), never by `build all` or `make`: the review
# copy is made when a review round starts, not with every build.
ON_REQUEST = ("review",)


def available_outputs() -> dict[str, Output]:
    """Output formats by name, in the order `build all` runs them, then those built on request."""
    from builder.outputs.epub import EpubOutput
    from builder.outputs.pdf import PdfOutput
    from builder.outputs.review import ReviewOutput
    from builder.outputs.site import SiteOutput

    # The PDF first: the EPUB and the site cite its page numbers when it is built with them.
    outputs: list[Output] = [PdfOutput(), EpubOutput(), SiteOutput(), ReviewOutput()]
    return {output.name: output for output in outputs}


def chosen_outputs(names: tuple[str, ...]) -> list[str]:
    """The outputs `build NAMES…` makes, in build order: none named or `all` means every
    output but those built on request; those named besides `all` are added."""
    everything = list(available_outputs())
    wanted = set(names)
    if not names or "all" in wanted:
        wanted |= {name for name in everything if name not in ON_REQUEST}
    return [name for name in everything if name in wanted]
