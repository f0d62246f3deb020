"""The table `make bench` prints, its targets, and its copy in docs/performance.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.bench.measure import Timing

DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass(frozen=True, slots=True)
class Target:
    text: str
    met: Callable[[Timing, Timing | None], bool]


def at_most_times(limit: float) -> Target:
    return Target(
        f"≤ {limit:g}×",
        lambda ours, anchor: anchor is not None and ours.wall <= limit * anchor.wall,
    )


def under_ms(limit: float) -> Target:
    return Target(f"< {limit:g} ms", lambda ours, anchor: ours.wall * 1000 < limit)


def under_s(limit: float) -> Target:
    return Target(f"< {limit:g} s", lambda ours, anchor: ours.wall < limit)


def p95_under_s(limit: float) -> Target:
    return Target(f"p95 < {limit:g} s", lambda ours, anchor: ours.wall < limit)


def peak_under_mb(limit: float) -> Target:
    return Target(f"peak < {limit / 1024:g} GB", lambda ours, anchor: ours.peak_mb < limit)


def total_under_mb(limit: float) -> Target:
    return Target(f"total < {limit / 1024:g} GB", lambda ours, anchor: ours.total_mb < limit)


def all_of(*targets: Target) -> Target:
    return Target(", ".join(t.text for t in targets),
                  lambda ours, anchor: all(t.met(ours, anchor) for t in targets))  # fmt: skip


# (models, what, anchor) → target, from issue 8 (the PDF's: issue 18; the import's: 29).
TARGETS = {
    (1000, "site", "Hugo"): at_most_times(1.0),
    (1000, "site", "MkDocs"): at_most_times(0.125),
    (10000, "site", "Hugo"): total_under_mb(2048),  # issue 31: the whole process tree
    (1000, "site-same", "Hugo-again"): at_most_times(1.0),  # issue 31
    (1000, "site-edit", "Hugo-again"): at_most_times(1.0),
    (1000, "serve", None): under_ms(100),
    (100, "pdf", "WeasyPrint"): at_most_times(0.6),  # issue 31 (issue 18: 0.7×)
    (1000, "pdf", "WeasyPrint"): all_of(
        at_most_times(0.7), peak_under_mb(1024), total_under_mb(2048)
    ),
    (100, "pdf-edit", "ours-full"): at_most_times(0.25),  # issue 31
    (1000, "pdf-edit", "ours-full"): at_most_times(0.25),
    (100, "epub", "Pandoc"): at_most_times(1.0),
    (100, "import", "LibreOffice-doc"): under_s(60),  # issue 29: “well under a minute”
    (100, "workspace", None): p95_under_s(1.0),  # save-to-preview, 20 editors at once
    (100, "workspace-paced", None): p95_under_s(1.0),  # the same at a pace
}


@dataclass(frozen=True, slots=True)
class Row:
    models: int
    output: str  # "site", "serve", "pdf", "epub", "workspace": the key of TARGETS
    what: str
    ours: Timing
    anchor_key: str | None = None
    anchor_name: str = "—"
    anchor: Timing | None = None

    @property
    def target(self) -> Target | None:
        return TARGETS.get((self.models, self.output, self.anchor_key))

    def cells(self) -> list[str]:
        ratio = f"{self.ours.wall / self.anchor.wall:.2f}×" if self.anchor else "—"
        target = self.target
        verdict = (
            "" if target is None else "met" if target.met(self.ours, self.anchor) else "NOT met"
        )
        return [
            f"{self.models:,}".replace(",", " "),
            self.what,
            timing(self.ours),
            self.anchor_name,
            timing(self.anchor) if self.anchor else "—",
            ratio,
            target.text if target else "",
            verdict,
        ]


def seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def timing(t: Timing) -> str:
    mark = " †" if t.disturbed else ""
    total = f" ({t.total_mb:.0f} MB)" if t.total_mb > t.peak_mb + 0.5 else ""
    return f"{seconds(t.wall)} / {seconds(t.cpu)} / {t.peak_mb:.0f} MB{total}{mark}"


DISTURBED = (
    "† Other processes used more than a quarter of a core on average during this measurement "
    "(`/proc/stat`): its time is not reliable; run `make bench` again on an idle machine."
)


HEADER = [
    "models", "what", "ours: wall / CPU / peak (total)", "anchor",
    "anchor: wall / CPU / peak (total)",
    "ours ÷ anchor (wall)", "target", "",
]  # fmt: skip


def table(rows: list[Row]) -> str:
    lines = [HEADER, ["---"] * len(HEADER), *(row.cells() for row in rows)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def write_doc(block: str, doc: Path = DOC) -> None:
    """Replace what stands between the markers in docs/performance.md with `block`."""
    text = doc.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{doc}: the markers {START} and {END} are missing")
    doc.write_text(pattern.sub(lambda _: f"{START}\n{block}\n{END}", text), encoding="utf-8")
