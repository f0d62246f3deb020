"""The front matter of a model, declared once: every key's type, whether it is required, its
place in the fact box and its label there, what `builder new` writes for it, and what the
editors' guide (content/README.md) says about it.

The checker (`MODEL_KEYS`), the font subsets (`text_of_entry`), `builder new` and the fact
boxes of the site, the EPUB and the PDF all read `FIELDS`; tests/test_fields.py fails when the
guide's two tables of keys disagree with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, is_dataclass
from dataclasses import fields as dataclass_fields
from typing import Any, Literal, NamedTuple

from builder.book.model import Book, Entry
from builder.book.settings import Field

Output = Literal["site", "epub", "pdf"]
OUTPUTS: tuple[Output, ...] = ("site", "epub", "pdf")


class FactRow(NamedTuple):
    """One line of a fact box. `link` names the list page the value belongs to as a
    (kind, slug) pair, e.g. `("field", "kinh-te")` or `("year", "2022")`; the site's
    template turns it into an address, the books show the value alone."""

    label: str
    value: str
    link: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class FrontMatterField:
    """One key of a model's front matter."""

    key: str
    type: type  # str, int, list or dict, as the checker's `Field`
    required: bool
    vi: str  # what the key means, in content/README.md's Vietnamese table
    en: str  # the same in its English table
    example: str = ""  # a YAML value, in the guide and in the checker's hints
    example_in_hints: bool = True  # False: the checker's messages stay without one, as before
    required_when: tuple[str, str] | None = None  # (key, value); entries.py checks it
    is_id: bool = False  # the value is an id (`tap-the`, `kinh-te`), written without quotes
    placeholder: object = None  # what `builder new` writes when not given; None: no line
    as_given: bool = True  # `Entry.<key>` holds the value (a list as a tuple of text)
    text: bool | None = None  # the reader sees these words; None: decided by `type`
    label: str = ""  # reader-facing, in the fact box
    fact: int | None = None  # place in the fact box; None: not in it
    outputs: tuple[Output, ...] = OUTPUTS  # which fact boxes show it
    value: Callable[[Entry], str] | None = None  # the fact as shown; default: `Entry.<key>`
    link: Callable[[Entry], tuple[str, str]] | None = None  # the list page it belongs to

    @property
    def is_text(self) -> bool:
        """Whether `Entry.<key>` holds words readers see (the font subsets must cover them);
        ids and names taken from book.yaml are counted elsewhere."""
        if self.text is not None:
            return self.text
        return self.type in (str, list, dict) and not self.is_id

    def shown(self, entry: Entry) -> str:
        if self.value is not None:
            return self.value(entry)
        value = getattr(entry, self.key)
        if isinstance(value, tuple):
            return ", ".join(str(item) for item in value)
        return "" if value is None else str(value)


def _person(entry: Entry) -> str:
    if entry.person is None:
        return ""
    return ", ".join(part for part in (entry.person.name, entry.person.role) if part)


# In the order the guide lists them and `builder new` writes them. The fact box has its own
# order (`fact`), the same in every output: who, where, in what field and of what kind, when,
# recognised by whom, then the keywords.
FIELDS: tuple[FrontMatterField, ...] = (
    FrontMatterField(
        "title", str, True, example='"Hiến đất mở đường"',
        vi="Tên mô hình. Không được trùng với tên mô hình khác (không phân biệt chữ hoa, "
        "chữ thường).",
        en="The model's title. No two models may share a title (upper/lower case does not "
        "count).",
    ),
    FrontMatterField(
        "kind", str, True, example="tap-the", is_id=True,
        label="Loại mô hình", fact=50, value=lambda entry: entry.kind_label,
        vi="Loại mô hình: `tap-the` (tập thể) hoặc `ca-nhan` (cá nhân).",
        en="Kind of model: `tap-the` (collective) or `ca-nhan` (individual).",
    ),
    FrontMatterField(
        "unit", str, True, example='"Chi bộ thôn Đông"',
        placeholder="TODO: đơn vị thực hiện (chi bộ, Ban Công tác Mặt trận, tổ dân quân…)",
        label="Đơn vị", fact=20,
        vi="Tập thể thực hiện, hoặc đơn vị công tác của cá nhân.",
        en="The group that carried out the model, or the individual's workplace.",
    ),
    FrontMatterField(
        "person", dict, False, example="{name: Nguyễn Văn A, role: Trưởng thôn}",
        required_when=("kind", "ca-nhan"), as_given=False,
        placeholder={"name": "TODO: họ và tên", "role": "TODO: chức vụ"},
        label="Cá nhân", fact=10, value=_person,
        vi="Cá nhân điển hình, gồm `name` (họ tên, bắt buộc) và `role` (chức vụ, không bắt "
        "buộc).",
        en="The individual: `name` (full name, required) and `role` (position, optional).",
    ),
    FrontMatterField(
        "field", str, True, example="kinh-te", is_id=True, as_given=False,
        label="Lĩnh vực", fact=40, value=lambda entry: entry.field.name,
        link=lambda entry: ("field", entry.field.id),
        vi="Lĩnh vực; phải là một lĩnh vực khai báo trong `book.yaml`. Viết mã (`kinh-te`) "
        'hoặc tên (`"Kinh tế"`) đều được.',
        en="Field of work; must be one declared in `book.yaml`. Write its id (`kinh-te`) or "
        'its name (`"Kinh tế"`).',
    ),
    FrontMatterField(
        "district", str, True, example='"huyện Gia Viễn"', as_given=False, text=False,
        label="Địa bàn", fact=30, value=lambda entry: entry.place.label,
        link=lambda entry: ("district", entry.place.district.slug),
        vi="Huyện/thành phố nơi thực hiện mô hình, theo tên gọi giai đoạn 2021–2024; phải có "
        "trong `places` của `book.yaml`.",
        en="District or city where the model took place, by its 2021–2024 name; must be in "
        "`places` in `book.yaml`.",
    ),
    FrontMatterField(
        "commune", str, False, example='"xã Gia Hưng"', as_given=False, text=False,
        vi="Xã/phường/thị trấn; phải nằm trong danh sách xã của huyện đó trong `book.yaml`.",
        en="Commune, ward or township; must be in that district's list in `book.yaml`.",
    ),  # shown with its district, as “Địa bàn”
    FrontMatterField(
        "year", int, True, example="2023",
        label="Năm công nhận", fact=70, link=lambda entry: ("year", str(entry.year)),
        vi="Năm được công nhận; phải nằm trong giai đoạn của sách (`period`: 2021–2025).",
        en="Year the model was recognised; must be inside the book's period (`period`: "
        "2021–2025).",
    ),
    FrontMatterField(
        "started", int, False, example="2020", label="Năm bắt đầu", fact=60,
        vi="Năm bắt đầu thực hiện; không được sau `year`.",
        en="Year the model began; not after `year`.",
    ),
    FrontMatterField(
        "recognised_by", str, False, example='"Ban Thường vụ Huyện ủy Gia Viễn"',
        example_in_hints=False, placeholder="TODO: cơ quan công nhận",
        label="Cơ quan công nhận", fact=80,
        vi="Cấp, cơ quan công nhận.",
        en="The body that recognised the model.",
    ),
    FrontMatterField(
        "summary", str, False, example='"368 hộ dân tự nguyện hiến 12.800 m² đất…"',
        example_in_hints=False, placeholder="TODO: một hoặc hai câu tóm tắt mô hình.",
        as_given=False,
        vi="Tóm tắt 1–3 câu, dùng để giới thiệu mô hình (mô tả trang cho công cụ tìm kiếm, "
        "mạng xã hội, bản tin). Nếu bỏ trống, công cụ lấy **đoạn văn đầu tiên** của bài.",
        en="A 1–3 sentence summary used to introduce the model (page description for search "
        "engines, social media, the news feed). If left out, the tool uses the **first "
        "paragraph** of the text.",
    ),
    FrontMatterField(
        "images", list, False, as_given=False, text=False,  # counted with the book's pictures
        vi="Danh sách ảnh (xem bảng tiếp theo). Ảnh đầu tiên hiện lớn ở đầu bài, các ảnh sau "
        "hiện ở mục “Hình ảnh” cuối bài.",
        en="List of pictures (see the next table). The first is shown large at the top; the "
        "others in a “Hình ảnh” section at the end.",
    ),
    FrontMatterField(
        "tags", list, False, example='["hiến đất", "nông thôn mới"]', example_in_hints=False,
        placeholder=[], label="Từ khóa", fact=90,
        vi="Từ khóa, hiện trong khung thông tin của mô hình; trang web còn dùng để tìm kiếm.",
        en="Keywords, shown in the model's fact box; the website's search uses them too.",
    ),
    FrontMatterField(
        "status", str, False, example="da-duyet", is_id=True, placeholder="de-xuat",
        vi="Bài đang ở bước nào của vòng biên tập: `de-xuat` (đề xuất), `dang-bien-tap` (đang "
        "biên tập), `cho-duyet` (chờ duyệt) hoặc `da-duyet` (đã duyệt). Bắt buộc khi `book.yaml` "
        "có `review: {statuses: true}`; chỉ bài `da-duyet` vào bản chính thức.",
        en="Where the entry stands in the editing round: `de-xuat` (proposed), `dang-bien-tap` "
        "(being edited), `cho-duyet` (awaiting approval) or `da-duyet` (approved). Required when "
        "`book.yaml` has `review: {statuses: true}`; only `da-duyet` entries go into the final "
        "edition.",
    ),
    FrontMatterField(
        "editor", str, False, example='"Nguyễn Thị Lan"', example_in_hints=False,
        vi="Người biên tập phụ trách bài (chỉ hiện trong `builder status`, không in ra sách).",
        en="The editor who handles the entry (shown by `builder status` only, never printed).",
    ),
)  # fmt: skip

# A model's place in the editing round, in order (`status:`), with its label in outputs and
# messages; only approved models go into the final edition (`build --final`, `publish`).

BY_KEY = {spec.key: spec for spec in FIELDS}
# What the checker accepts: `check_mapping` reads it; entries.py adds the checks across keys.
MODEL_KEYS = {
    spec.key: Field(spec.type, spec.required, spec.example if spec.example_in_hints else "")
    for spec in FIELDS
}
TEXT_KEYS = tuple(spec.key for spec in FIELDS if spec.is_text)
_IN_FACT_BOX = sorted((spec for spec in FIELDS if spec.fact is not None), key=lambda s: s.fact or 0)


def fact_rows(entry: Entry, output: Output) -> list[FactRow]:
    """The fact box of `entry` in `output`, in the declared order; empty facts left out."""
    rows = []
    for spec in _IN_FACT_BOX:
        if output not in spec.outputs:
            continue
        value = spec.shown(entry)
        if value:
            link = spec.link(entry) if spec.link else None
            rows.append(FactRow(spec.label, value, link))
    return rows


def as_given(data: dict[str, Any]) -> dict[str, Any]:
    """The checked front matter's values the `Entry` keeps as they are, by key."""
    values: dict[str, Any] = {}
    for spec in FIELDS:
        if not spec.as_given:
            continue
        value = data.get(spec.key)
        if spec.type is list:
            values[spec.key] = tuple(str(item) for item in value or ())
        elif value is None:
            values[spec.key] = "" if spec.type is str else None
        else:
            values[spec.key] = value
    return values


def entry_strings(entry: Entry) -> Iterator[str]:
    """Every string of the entry's text fields (`TEXT_KEYS`), nested ones too."""
    for key in TEXT_KEYS:
        yield from _strings(getattr(entry, key))


def text_of_entry(entry: Entry) -> str:
    """Every string of the entry a reader sees, run together (for font subsets): the body
    and each text field this table declares."""
    return "".join([entry.body, *entry_strings(entry)])


def text_of_book(book: Book) -> str:
    """Every string the book shows, run together: what a font subset must cover."""
    return book.text_around_entries + "".join(text_of_entry(entry) for entry in book.entries)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)
    elif is_dataclass(value) and not isinstance(value, type):
        for item in dataclass_fields(value):
            yield from _strings(getattr(value, item.name))
