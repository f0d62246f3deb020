"""The dots of a leader drawn in runs of text, not one text box per dot.

The table of contents and the indexes lead each title to its page number with
`content: leader(". ")` (book.css, `pdf_units.LITERAL_FOLIOS`). WeasyPrint lays such a
line out, then fills the gap with copies of the ". " box, each at its own place counted
from the line's end (so that the dots of every line stand in columns), and draws every copy
apart: some thirty a line, 3 000 in the table of contents of a hundred models. That was
half of the time of laying out and writing the table of contents and each index, the last
units of a build (0.3 s of 0.6 s for the table of contents alone).

Once WeasyPrint has placed the copies, every RUN of them from the line's end become one box
at the place of the run's leftmost, holding the same text RUN times. The written font's
advances are rounded (0.003 pt a dot at the book's size, 0.012 pt in the letter-spaced
part titles), so a run's last dot falls at most RUN times that from its copy's place: the
columns stay straight to 0.1 pt (0.03 mm), where one run a line would bend them by 0.3 pt.
Runs of 8 take 0.38 s where copies took 0.53 s and one run 0.34 s.

It replaces one name in `weasyprint.layout.inline` (WeasyPrint 69–70: `handle_leader`),
for every layout once `install()` has run; `test_leader_runs` fails if WeasyPrint changes
how it fills a leader.
"""

from __future__ import annotations

import math
from typing import Any

RUN = 8  # dots a box


def install() -> None:
    """Every later WeasyPrint layout in this process (and its children) draws its leaders
    in runs; installing it again changes nothing."""
    from weasyprint.layout import inline

    if hasattr(inline.handle_leader, "stock"):
        return
    stock = inline.handle_leader

    def handle_leader(context: Any, line: Any, containing_block: Any) -> None:
        stock(context, line, containing_block)
        if line.style["direction"] == "ltr":
            _in_runs(context, line)

    handle_leader.stock = stock  # type: ignore[attr-defined]
    inline.handle_leader = handle_leader


def _in_runs(context: Any, line: Any) -> None:
    from weasyprint.layout import leader

    _, box = leader.leader_index(line)
    if box is None or len(box.children) < 2:
        return
    copies = box.children  # from the line's end leftwards
    runs: list[Any] = []
    made: dict[int, Any] = {}  # length → a run of that many, to copy
    for start in range(0, len(copies), RUN):
        group = copies[start : start + RUN]
        if len(group) not in made:
            made[len(group)] = _run(context, group[-1], len(group))
            if made[len(group)] is None:
                return
        run = made[len(group)].copy()
        run.position_x, run.position_y = group[-1].position_x, group[-1].position_y
        runs.append(run)
    box.children = tuple(runs)


def _run(context: Any, copy: Any, times: int) -> Any:
    """A text box of `copy`'s text `times` over, laid out by Pango; None if it cannot."""
    from weasyprint.layout import inline

    run, _, _ = inline.split_text_box(context, copy.copy_with_text(copy.text * times), math.inf, 0)
    return run
