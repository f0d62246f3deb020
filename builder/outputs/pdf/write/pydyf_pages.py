"""The pages of a PDF pydyf is about to write, as a WeasyPrint finisher sees them."""

from __future__ import annotations

from typing import Any


def page_dictionaries(pdf: Any) -> list[Any]:
    """The page dictionaries of `pdf` (a `pydyf.PDF`), in order: its page tree's /Kids is
    the number, generation and "R" of each page in turn."""
    return [pdf.objects[number] for number in pdf.pages["Kids"][0::3]]


def referenced(pdf: Any, reference: bytes) -> Any:
    """The object of `pdf` a pydyf reference (`b"12 0 R"`) names."""
    return pdf.objects[int(reference.split()[0])]
