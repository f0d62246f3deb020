"""The editors' guide names the workspace's buttons and pages as the pages show them: every
bold name in its section 15 (Vietnamese) is a text of the workspace's catalogue, so a button
renamed in the code fails here until the guide says the new name."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po
from conftest import ROOT

GUIDE = ROOT / "content" / "README.md"
CATALOGUE = ROOT / "builder" / "locale" / "vi" / "LC_MESSAGES" / "builder.po"
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
# Bold words that stress, not name: the language button is not translated (it is its own name)
EMPHASIS = {"Không gian biên tập", "Tiếng Việt", "hai bản cạnh nhau", "ngay dưới ô",
            "như trang web sẽ hiện", "mở mô hình mới", "both versions side by side",
            "right under its box", "as the website will show it", "open the new model",
            "write its description", "bắt buộc"}  # fmt: skip


def _section(title: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n## ", start)
    nxt = text.find("\n### ", start + 1)
    ends = [i for i in (end, nxt) if i != -1]
    return text[start : min(ends) if ends else len(text)]


def test_the_guide_names_the_buttons_the_pages_show() -> None:
    with CATALOGUE.open("rb") as source:
        shown = {m.string for m in read_po(source, locale="vi") if isinstance(m.string, str)}
    both = (_section("### 15. Làm việc trên trình duyệt"),
            _section("### 15. Working in the browser"))  # fmt: skip
    names = {name for part in both for name in re.findall(r"\*\*([^*]+)\*\*", part)}
    names = {n for n in names if not n.endswith(".")} - EMPHASIS  # run-in headings, stress
    vietnamese = {n for n in names if VIETNAMESE.search(n.casefold())}
    missing = sorted(n for n in vietnamese if n not in shown and n.rstrip(":") + ":" not in shown)
    assert not missing, f"the guide names buttons the workspace does not show: {missing}"
    assert len(vietnamese) >= 20
