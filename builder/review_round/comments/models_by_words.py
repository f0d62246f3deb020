"""Which model a page of a returned PDF shows, found by its words, for a PDF whose page
numbers say nothing about the book: it lost both the book's named pages and its page labels
(joined with pdfunite, a few pages saved by another program, the PDF a word processor
prints from the review .docx).

Vietnamese words are syllables, and most of them are in every model (“dân”, “vận”, “xã”),
so texts are compared by runs of three words, each weighing more the fewer models hold it.
A page goes to a model only when that model holds most of the page's weight, far more than
any other, and a good share of its runs; otherwise to none, and the caller leaves the
comment unplaced, named by its page: never a guess. Texts are compared in NFC, casefolded,
word by word (letters and digits) whatever the lines, punctuation, soft hyphens and Markdown
marks between them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

RUN = 3  # words in a run
SHARE_MIN = 0.5  # of the page's weight the chosen model must hold …
LEAD_MIN = 2.0  # … this many times more than the next model …
COVER_MIN = 0.25  # … and this share of the page's runs (an index names titles among others)
RUNS_MIN = 3  # runs the chosen model must hold: a page of two words says nothing
JUDGED_MIN = 12  # runs a page needs before its words may disown a model (a photo's page has few)
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of `text`, in NFC and casefolded, without what stands between them."""
    return WORD.findall(unicodedata.normalize("NFC", text.replace("\u00ad", "")).casefold())


def runs(text: str) -> set[int]:
    """The runs of RUN words of `text`, each as a hash (a set of ints stays small)."""
    found = words(text)
    return {hash(" ".join(found[i : i + RUN])) for i in range(len(found) - RUN + 1)}


class ModelsByWords:
    """The models' texts (slug → front matter and Markdown), indexed by the runs of the
    `texts` to place (pages and marked words), so that memory follows what is asked."""

    def __init__(self, models: Mapping[str, str], texts: Iterable[str]) -> None:
        wanted: set[int] = set()
        for text in texts:
            wanted |= runs(text)
        self._holders: dict[int, list[str]] = defaultdict(list)
        for slug, text in models.items():
            for run in runs(text) & wanted:
                self._holders[run].append(slug)
        self._models = len(models)

    def model_of(self, page: str, marked: str = "") -> str | None:
        """The slug of the model `page` belongs to, the words `marked` on it agreeing; None
        when the words do not say clearly."""
        by_page = self.model_of_text(page)
        by_marks = self._holding_all(marked)
        if not by_marks:  # too short to say, or not a model's words (a running head)
            return by_page
        if by_page in by_marks:
            return by_page
        if by_page is None and len(by_marks) == 1:
            return next(iter(by_marks))
        return None  # the page and the marked words disagree, or both are unclear

    def model_of_text(self, text: str) -> str | None:
        """The model that clearly holds `text`, or None."""
        found = runs(text)
        scores: dict[str, float] = defaultdict(float)
        held: dict[str, int] = defaultdict(int)
        total = 0.0
        for run in found:
            holders = self._holders.get(run, ())
            if not holders:
                continue
            weight = math.log(1 + self._models / len(holders))
            total += weight
            for slug in holders:
                scores[slug] += weight
                held[slug] += 1
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        clear = (
            score >= SHARE_MIN * total
            and score >= LEAD_MIN * runner_up
            and held[best] >= max(RUNS_MIN, COVER_MIN * len(found))
        )
        return best if clear else None

    def disowns(self, slug: str, text: str) -> bool:
        """Whether `text` says enough to tell, and little of it is `slug`'s (a page the
        book's names place in a model, when some names were lost)."""
        found = runs(text)
        held = sum(slug in self._holders.get(run, ()) for run in found)
        return len(found) >= JUDGED_MIN and held < COVER_MIN * len(found)

    def _holding_all(self, marked: str) -> set[str]:
        """The models holding every run of `marked`; none when it has no run."""
        holding: set[str] | None = None
        for run in runs(marked):
            holders = set(self._holders.get(run, ()))
            holding = holders if holding is None else holding & holders
            if not holding:
                return set()
        return holding or set()
