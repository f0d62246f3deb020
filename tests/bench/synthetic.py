"""Synthetic books of any size for the benchmarks: realistic Vietnamese text drawn from the
shipped sample models, tables, footnotes and one picture per `image_every` models.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

from builder.load.loader import load_book

SAMPLE = Path(__file__).resolve().parents[2] / "content"


def sentences() -> list[str]:
    """Sentences of the sample models' bodies (no headings, tables or footnotes)."""
    found: list[str] = []
    for path in sorted((SAMPLE / "models").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for line in body.splitlines():
            if line and not line.startswith(("#", "|", "[^", "!", "-", "1.", "2.", "3.")):
                text = re.sub(r"\[\^\w+\]", "", line)
                found += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 40]
    return found


def make_book(target: Path, models: int, words: int = 800, image_every: int = 10) -> Path:
    """Write a book of `models` entries into `target` and return it."""
    rng = random.Random(models)
    if target.exists():
        shutil.rmtree(target)
    (target / "models").mkdir(parents=True)
    (target / "images").mkdir()
    shutil.copytree(SAMPLE / "pages", target / "pages")
    config = (SAMPLE / "book.yaml").read_text(encoding="utf-8")
    (target / "book.yaml").write_text(config, encoding="utf-8")
    sample = load_book(SAMPLE).book
    assert sample is not None, "the sample book must be clean"
    places = [(d.name, c.name) for d in sample.config.districts for c in d.communes]
    fields = [f.id for f in sample.config.fields]
    pool = sentences()
    for number in range(models):
        district, commune = places[number % len(places)]
        image = ""
        if number % image_every == 0:
            name = f"anh-{number:05d}.jpg"
            _picture(target / "images" / name, rng)
            image = (
                f'images:\n  - src: "../images/{name}"\n    alt: "Ảnh minh họa mô hình số '
                f'{number + 1}"\n    caption: "Ảnh minh họa số {number + 1}"\n'
            )
        front = (
            f'---\ntitle: "Mô hình số {number + 1}: {rng.choice(pool)[:60].rstrip(".,")}"\n'
            f'kind: tap-the\nunit: "Chi bộ thôn {number + 1}"\nfield: {fields[number % 4]}\n'
            f'district: "{district}"\ncommune: "{commune}"\nyear: {2021 + number % 5}\n{image}'
            "status: da-duyet\n---\n"  # the sample's book.yaml keeps a status for every model
        )
        (target / "models" / f"mo-hinh-{number + 1:05d}.md").write_text(
            front + _body(rng, pool, words), encoding="utf-8"
        )
    return target


def _body(rng: random.Random, pool: list[str], words: int) -> str:
    sections = ["Bối cảnh", "Cách làm", "Kết quả", "Bài học kinh nghiệm"]
    text, count = [], 0
    for index, heading in enumerate(sections):
        text.append(f"\n## {heading}\n")
        while count < words * (index + 1) / len(sections):
            paragraph = " ".join(rng.choice(pool) for _ in range(3))
            count += len(paragraph.split())
            text.append(paragraph + "\n")
        if heading == "Kết quả":
            text.append(
                "| Năm | Số hộ tham gia | Kinh phí (triệu đồng) |\n|---|---|---|\n"
                + "".join(
                    f"| {y} | {rng.randint(50, 900)} | {rng.randint(10, 999)},5 |\n"
                    for y in range(2021, 2026)
                )
            )
    text.insert(2, "Số liệu do xã cung cấp[^1].\n")
    text.append("\n[^1]: Báo cáo tổng kết của Ban Dân vận.\n")
    return "\n".join(text)


def _picture(path: Path, rng: random.Random) -> None:
    image = Image.new("RGB", (1600, 1067), (rng.randint(60, 200), rng.randint(90, 200), 120))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, 1500), rng.randint(0, 1000)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
        draw.ellipse((x, y, x + rng.randint(80, 500), y + rng.randint(80, 400)), fill=colour)
    image.save(path, quality=82)
