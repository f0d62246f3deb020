"""The old-encoding check (TCVN3/ABC, VNI) names garbled Vietnamese and leaves French,
German and physics alone: their letters and signs are the same Latin-1 ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.load.checks.text_checks import check_legacy_encoding
from builder.load.source import SourceFile
from builder.util.problems import Problems

FRENCH = (
    "Les élèves ont étudié la géométrie en août, ils ont dû refaire l’exercice. Le goût du "
    "maïs, une naïve aïeule, Noël à l’île, la flûte, l’ambiguë Zoë, c’est sûr et mûr."
)
GERMAN = "Größe, Übung, Müller aus Zürich, Straße, Äpfel öffnen, schön über für Mädchen, Köln."
PHYSICS = (
    "Δv = a·t, λ = 500 nm, µ = 4π·10⁻⁷ H/m, Ω, ±0,5 %, 3 × 10⁸ m/s, 25 °C, ½·m·v², "
    "d = 12 µm, C = 10 µF, x−1, ¬p, §3, m·s⁻¹, a×b."
)
# Typed with an old font and pasted as Unicode: “Nhân dân xã Gia Hưng đã hiến đất.”
TCVN3 = "Nh©n d©n x· Gia H\xadng ®· hiÕn ®Êt."
VNI = "Nhaân daân xaõ Gia Höng ñaõ hieán ñaát."


def flagged(body: str) -> list[str]:
    problems = Problems()
    check_legacy_encoding(SourceFile(Path("x.md"), "", 1, body, 10), problems)
    return [problem.message for problem in problems if problem.code == "old-encoding"]


@pytest.mark.parametrize("body", [FRENCH, GERMAN, PHYSICS, f"{FRENCH}\n\n{PHYSICS}\n{GERMAN}"])
def test_other_languages_and_physics_are_not_old_encodings(body: str) -> None:
    assert flagged(body) == []


@pytest.mark.parametrize(
    ("body", "word", "encoding"),
    [
        (TCVN3, "Nh©n", "TCVN3 (ABC)"),
        (VNI, "ñaõ", "VNI"),
        # garbled text after physics or French is named at its own first word
        (f"{PHYSICS}\n{TCVN3}", "Nh©n", "TCVN3 (ABC)"),
        (f"{FRENCH}\n{VNI}", "ñaõ", "VNI"),
    ],
)
def test_garbled_vietnamese_is_named(body: str, word: str, encoding: str) -> None:
    [message] = flagged(body)
    assert f"“{word}”" in message
    assert encoding in message
