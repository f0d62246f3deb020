"""The keys of `book.yaml`, declared once: each key's type, default, range or choices, and what
the editors' guide says about it in Vietnamese and English.

The checker (builder/load/config.py) takes its schemas (`schema`) and its range and choice
checks (`checked`) from `SETTINGS`; the model's settings dataclasses (builder/book/model.py)
take their defaults from it (`default`); README's Limits table (`limits_rows`) and the guide's
table of book.yaml keys (`guide_rows`) are derived from it, and tests/test_settings.py fails
when either text says otherwise. Pure data: no YAML, no files read.

A key is dotted (`print.max_ink`); a `dict` key that other keys sit under is a group
(`print`). `required` means required when its group is written (`pdf.trim` needs both sizes).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Language = Literal["vi", "en"]


@dataclass(frozen=True, slots=True)
class Field:
    """One allowed key of a mapping, as the checker (builder/load/schema.py) reads it: for
    book.yaml derived from `SETTINGS`, for a model's front matter from fields.py's table."""

    kind: type
    required: bool = False
    example: str = ""


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of book.yaml."""

    key: str  # dotted: `print.max_ink`
    type: type  # str, int, float, bool, list, dict or datetime.date, as the checker's `Field`
    vi: str  # what the key means, in content/README.md's Vietnamese table
    en: str  # the same in its English table
    default: Any = None  # what the model holds when the key is left out (the model's value)
    required: bool = False  # required in its group, when the group is written
    example: str = ""  # a YAML value, in the checker's hints
    range: tuple[Any, Any] | None = None  # lowest and highest value; the checker refuses others
    choices: tuple[Any, ...] = ()  # the only values accepted
    unit: str = ""  # after a range: `mm`, `%`, `px`
    limit: str = ""  # README's Limits, “supported”: when more than a range or choices (English)
    note: str = ""  # README's Limits: words after the range, `(A6 to A3)`
    beyond: str = "an error at the value"  # README's Limits: what the checker says past it
    shown_default: tuple[str, str] | None = None  # the guide's default (vi, en) when not YAML
    retired: bool = False  # did nothing: still accepted, with a warning, so no book breaks

    @property
    def group(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]


# The years a book, a model or a date may name, and how many years one book may span.
YEARS = (1945, 2100)
PERIOD_SPAN = 25
# Debian's libgs-common: Ghostscript's generic CMYK profile (SWOP-like, not a registered
# printing condition). Ask the printing house for theirs and set `print.profile`.
GHOSTSCRIPT_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
# The book's colours: name, screen colour (CSS), the same for the press (CMYK percentages of
# cyan, magenta, yellow, black; the interior's accent prints in black only), vi, en.
_COLOURS = (
    ("cover_background", "#8e1d1d", (0, 95, 85, 35), "nền bìa", "the cover's background"),
    ("cover_foreground", "#fff8ec", (0, 2, 7, 0), "chữ trên bìa", "the cover's lettering"),
    ("cover_accent", "#d9b35b", (0, 20, 65, 12), "màu nhấn của bìa", "the cover's accent"),
    ("accent", "#8e1d1d", (0, 0, 0, 100), "màu nhấn của tiêu đề", "the headings' accent"),
)
COLOUR_NAMES = tuple(colour[0] for colour in _COLOURS)

# In the order the checker lists known keys and the guide lists them.
SETTINGS: tuple[Setting, ...] = (
    Setting("title", str, required=True, example='"100 mô hình “Dân vận khéo”"',
            vi="Tên sách.", en="The book's title."),
    Setting("subtitle", str, default="", vi="Tên phụ.", en="The subtitle."),
    Setting("short_title", str, default="",
            vi="Tên ngắn, hiện ở đầu mỗi trang web; bỏ trống thì dùng `title`.",
            en="Short title, shown at the top of every web page; left out, `title` is used."),
    Setting("language", str, required=True, example="vi", vi="Luôn là `vi`.",
            en="Always `vi`."),
    Setting("author", str, default="", vi="Cơ quan biên soạn.", en="The compiling body."),
    Setting("description", str, default="", vi="Mô tả sách.",
            en="A description of the book."),
    Setting("keywords", list, default=(), vi="Từ khóa của sách.", en="The book's keywords."),
    Setting("period", dict, required=True, example="{start: 2021, end: 2025}",
            limit=f"years from {YEARS[0]} to {YEARS[1]}, spanning at most {PERIOD_SPAN} years",
            vi=f"Giai đoạn của sách, nhiều nhất {PERIOD_SPAN} năm; `year` của mô hình phải "
            "nằm trong đó.",
            en=f"The book's period, at most {PERIOD_SPAN} years; every model's `year` must be "
            "inside it."),
    Setting("period.start", int, required=True, example="2021", range=YEARS,
            vi="Năm đầu.", en="The first year."),
    Setting("period.end", int, required=True, example="2025", range=YEARS,
            vi="Năm cuối.", en="The last year."),
    Setting("published", datetime.date, example="2025-12-01",
            range=(datetime.date(YEARS[0], 1, 1), datetime.date(YEARS[1], 12, 31)),
            vi="Ngày xuất bản, dạng `2025-12-01`.", en="Publication date, written `2025-12-01`."),
    Setting("sample", bool, default=False,
            vi="`true` khi nội dung còn là mẫu thử (trang web hiện dòng ghi chú “Nội dung "
            "mẫu…”). Đặt `false` hoặc bỏ đi khi dùng nội dung thật.",
            en="`true` while the content is still sample material (the website shows a note "
            "“Nội dung mẫu…”). Set it to `false` or remove it for the real book."),
    Setting("base_url", str, required=True, example='"https://example.org/sach/"',
            limit="`http(s)://host[:port]/path/` ending in `/`: letters without accents, "
            "digits, `- . _ ~ / : %` (`%` only in `%20`-style codes); no user name, `?`, `#`, "
            "quotes, `< >`, `\\` or spaces",
            beyond="an error at the value, with a hint naming the character or part to remove",
            vi="Địa chỉ trang web khi đưa lên mạng.",
            en="The website's address once it is online."),
    Setting("colophon", dict, vi="Thông tin xuất bản; mục để trống thì không in.",
            en="Publishing details; empty ones are not printed."),
    Setting("colophon.publisher", str, default="", vi="Nhà xuất bản.", en="The publisher."),
    Setting("colophon.responsible_publisher", str, default="",
            vi="Người chịu trách nhiệm xuất bản.", en="Who answers for the publication."),
    Setting("colophon.editors", list, default=(), vi="Ban biên tập.", en="The editors."),
    Setting("colophon.print_run", int, example="1000", range=(1, 10_000_000),
            vi="Số bản in.", en="Copies printed."),
    Setting("colophon.size", str, default="", vi="Khổ sách, như in ở trang xi-nê.",
            en="The book's size, as the colophon prints it."),
    Setting("colophon.printer", str, default="", vi="Nơi in.", en="The printer."),
    Setting("colophon.registration_number", str, default="", vi="Số đăng ký xuất bản.",
            en="The publication's registration number."),
    Setting("colophon.decision_number", str, default="", vi="Số quyết định xuất bản.",
            en="The number of the decision to publish."),
    Setting("colophon.isbn", str, default="",
            limit="an ISBN-13 (978/979, 13 digits, hyphens allowed) with the right check digit",
            beyond="an error at the value, with the right check digit",
            vi="Mã ISBN-13.", en="The ISBN-13."),
    Setting("colophon.licence", str, default="", vi="Giấy phép, ghi chú bản quyền.",
            en="The licence or copyright note."),
    Setting("fields", list, required=True, vi="Các lĩnh vực (xem trên).",
            en="The fields (see above)."),
    Setting("places", list, required=True, vi="Các địa bàn (xem mục 8).",
            en="The places (see section 8)."),
    Setting("site", dict, retired=True,
            vi="Không còn tác dụng (từng chứa `models_per_page`, chưa bao giờ được dùng); "
            "công cụ bỏ qua và cảnh báo. Hãy xóa.",
            en="No effect (it held `models_per_page`, which was never used); ignored with a "
            "warning. Remove it."),
    Setting("pdf", dict, vi="Thiết lập cho bản PDF.", en="Settings for the PDF."),
    Setting("pdf.trim", dict, vi="Khổ sách theo mm.", en="The page size in mm."),
    Setting("pdf.trim.width_mm", int, default=145, required=True, example="145",
            range=(90, 300), unit="mm", note="(A6 to A3)",
            vi="Chiều rộng trang.", en="The page's width."),
    Setting("pdf.trim.height_mm", int, default=205, required=True, example="205",
            range=(120, 420), unit="mm", note="(A6 to A3)",
            vi="Chiều cao trang.", en="The page's height."),
    Setting("pdf.group_by", str, default="field", example="field",
            choices=("field", "district", "year"),
            vi="Chia các phần của sách theo lĩnh vực, huyện hoặc năm.",
            en="Parts of the book by field, district or year."),
    Setting("pdf.colours", dict, example='{cover_background: "#8e1d1d"}',
            vi="Màu bìa và màu nhấn, dạng `\"#8e1d1d\"`.",
            en="The cover and accent colours, written `\"#8e1d1d\"`."),
    *(Setting(f"pdf.colours.{name}", str, default=screen, example='"#8e1d1d"',
              vi=f"Màu {vi}.", en=f"The colour of {en}.")
      for name, screen, _press, vi, en in _COLOURS),
    Setting("pdf.colours_print", dict, example='{cover_background: "0 95 85 35"}',
            limit="four percentages 0–100 (`\"0 95 85 35\"`) per colour",
            vi="Cùng các màu đó cho nhà in, dạng CMYK phần trăm `\"0 95 85 35\"`.",
            en="The same colours for the press, as CMYK percentages `\"0 95 85 35\"`."),
    *(Setting(f"pdf.colours_print.{name}", str, default=press, example='"0 95 85 35"',
              vi=f"Màu {vi} cho nhà in.", en=f"The colour of {en} for the press.")
      for name, _screen, press, vi, en in _COLOURS),
    Setting("print", dict, vi="Gói in cho nhà in.", en="The printing house's package."),
    Setting("print.signature", int, default=16, example="16", choices=(4, 8, 16, 32),
            unit="pages", vi="Số trang một tay sách.", en="Pages per folded sheet."),
    Setting("print.paper_caliper_mm", float, default=0.1, example="0.1", range=(0.04, 0.3),
            unit="mm", note="(one leaf)", vi="Độ dày một tờ giấy.",
            en="One leaf's thickness."),
    Setting("print.cover_bleed_mm", float, default=5.0, example="5", range=(3, 10),
            unit="mm", vi="Lề xén của bìa.", en="The cover's bleed."),
    Setting("print.spine_text_min_mm", float, default=6.0, example="6", range=(3, 30),
            unit="mm", vi="Gáy hẹp hơn thì không in chữ.",
            en="A narrower spine carries no text."),
    Setting("print.max_ink", int, default=300, example="300", range=(200, 400), unit="%",
            vi="Tổng lượng mực tối đa.", en="The total ink limit."),
    Setting("print.profile", str, default=GHOSTSCRIPT_CMYK,
            example='"in/ISOcoated_v2_300_eci.icc"',
            shown_default=("hồ sơ CMYK chung của Ghostscript",
                           "Ghostscript's generic CMYK profile"),
            limit="a CMYK ICC profile (its header read at `check`: `acsp` signature, a "
            "plausible size, colour space `CMYK`)",
            beyond="an error at the value: not a file, not an ICC profile, or a profile for RGB",
            vi="Tệp ICC của nhà in.", en="The printing house's ICC file."),
    Setting("print.back_cover_text", str, default="", vi="Lời giới thiệu ở bìa 4.",
            en="The text of the back cover."),
    Setting("print.price", str, default="", example='"45.000 đồng"',
            vi="Giá bìa; để trống thì in “Sách không bán”.",
            en="The cover price; empty: “Sách không bán”."),
    Setting("epub", dict, vi="Thiết lập cho bản EPUB.", en="Settings for the EPUB."),
    Setting("epub.max_image_px", int, default=1600, example="1600", range=(320, 4000),
            unit="pixels", vi="Cỡ ảnh tối đa.", en="The largest picture size."),
    Setting("review", dict, example="{statuses: true, targets: {total: 100}}",
            vi="Vòng lấy ý kiến (xem mục 14).", en="The review round (see section 14)."),
    Setting("review.statuses", bool, default=False, example="true",
            vi="`true`: mọi mô hình phải có `status`.",
            en="`true`: every model must have a `status`."),
    Setting("review.words", dict, example="{min: 600, max: 1500}",
            vi="Độ dài nên có của một bài, tính bằng chữ.",
            en="The length a model's text should have, in words."),
    Setting("review.words.min", int, default=0, example="600", range=(0, 100_000),
            vi="Ít nhất.", en="At least."),
    Setting("review.words.max", int, default=0, example="1500", range=(0, 100_000),
            vi="Nhiều nhất; 0: không giới hạn.", en="At most; 0: no limit."),
    Setting("review.targets", dict, example="{total: 100}",
            vi="Chỉ tiêu số mô hình đã duyệt; 0 hoặc bỏ trống: không có chỉ tiêu.",
            en="Approved models the plan asks for; 0 or left out: no target."),
    Setting("review.targets.total", int, default=0, example="100", range=(0, 10_000),
            vi="Tổng số.", en="In all."),
    Setting("review.targets.fields", dict, default=(), example="{kinh-te: 25}",
            range=(0, 10_000), vi="Theo mã lĩnh vực.", en="By field id."),
    Setting("review.targets.districts", dict, default=(), example='{"huyện Gia Viễn": 10}',
            range=(0, 10_000), vi="Theo tên huyện.", en="By district name."),
)  # fmt: skip

BY_KEY = {setting.key: setting for setting in SETTINGS}
GROUPS = frozenset(setting.group for setting in SETTINGS)


def default(key: str) -> Any:
    """The model's value of `key` when book.yaml leaves it out."""
    return BY_KEY[key].default


def schema(group: str = "") -> dict[str, Field]:
    """The keys the checker accepts in `group` (`""`: the top of book.yaml)."""
    return {
        setting.name: Field(setting.type, setting.required, setting.example)
        for setting in SETTINGS
        if setting.group == group
    }


def retired() -> Iterator[Setting]:
    """The settings still accepted though they do nothing: the checker warns at each."""
    return (setting for setting in SETTINGS if setting.retired)


def checked(group: str = "") -> Iterator[Setting]:
    """The settings of `group` whose value has a range or choices to check."""
    for setting in SETTINGS:
        if setting.group == group and (setting.range or setting.choices):
            yield setting


# The derived texts: README's Limits and the guide's table.


def _number(value: object) -> str:
    """`10 000 000`, `0.04`: as README writes numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", " ") if value >= 10_000 else str(value)
    return str(value)


def _or(items: tuple[Any, ...], word: str) -> str:
    shown = [_number(item) for item in items]
    return f"{', '.join(shown[:-1])} {word} {shown[-1]}"


def _supported(setting: Setting) -> str:
    if setting.limit:
        return setting.limit
    if setting.choices:
        text = _or(setting.choices, "or")
    else:
        assert setting.range is not None
        text = "–".join(_number(end) for end in setting.range)
    return " ".join(part for part in (text, setting.unit, setting.note) if part)


def limits_rows() -> list[str]:
    """README's Limits rows for the keys of book.yaml, in declaration order."""
    rows = []
    for setting in SETTINGS:
        if setting.limit or setting.range or setting.choices:
            if setting.type is datetime.date:
                continue  # dates have their own row
            rows.append(f"| `{setting.key}` | {_supported(setting)} | {setting.beyond} |")
    return rows


GUIDE = {
    "vi": ("Có", "Không", "Có, khi có `{group}`", "hoặc"),
    "en": ("Yes", "No", "Yes, with `{group}`", "or"),
}


def _shown_default(setting: Setting, language: Language) -> str:
    if setting.shown_default is not None:
        return setting.shown_default[0 if language == "vi" else 1]
    value = setting.default
    if value is None or value in ("", ()) or setting.type in (list, dict):
        return ""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, tuple):
        return '`"' + " ".join(_number(part) for part in value) + '"`'
    if isinstance(value, str) and not setting.choices:
        return f'`"{value}"`'
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def _bounds(setting: Setting, language: Language) -> str:
    unit = f" {setting.unit}" if setting.unit and setting.unit != "pages" else ""
    if setting.choices:
        return _or(setting.choices, GUIDE[language][3]) + unit
    if setting.range and setting.type is not datetime.date:
        return "–".join(_number(end) for end in setting.range) + unit
    return ""


def guide_rows(language: Language) -> list[str]:
    """The rows of content/README.md's table of book.yaml keys, in declaration order."""
    yes, no, yes_with, _word = GUIDE[language]
    rows = []
    for setting in SETTINGS:
        if setting.required:
            required = yes_with.format(group=setting.group) if setting.group else yes
        else:
            required = no
        meaning = setting.vi if language == "vi" else setting.en
        shown = _shown_default(setting, language) or "—"
        cells = (f"`{setting.key}`", required, meaning, shown, _bounds(setting, language) or "—")
        rows.append("| " + " | ".join(cells) + " |")
    return rows
