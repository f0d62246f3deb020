"""The immutable book model every output renders: frozen dataclasses and tuples only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from builder.book.settings import GHOSTSCRIPT_CMYK as GHOSTSCRIPT_CMYK
from builder.book.settings import default


class _Pickled:
    """Pickled as a call of its constructor. The checked models kept in .cache/ are pickles,
    and dataclasses' own unpickling of frozen, slotted objects looks up their fields for
    every object: 26 000 of them made reading 1 000 checked models take 0.3 s."""

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()  # a dataclass's fields, in the order of __init__

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (type(self), tuple(getattr(self, name) for name in self.__match_args__))


# A model's `kind`, spelled here only: a collective's model or one person's.
COLLECTIVE: Final = "tap-the"
INDIVIDUAL: Final = "ca-nhan"
KINDS = (COLLECTIVE, INDIVIDUAL)
Kind = Literal["tap-the", "ca-nhan"]
KIND_LABELS: dict[str, str] = {COLLECTIVE: "Tập thể", INDIVIDUAL: "Cá nhân"}


# A model's status in the review round (book.yaml `review.statuses`): id → label.
STATUSES: dict[str, str] = {
    "de-xuat": "Đề xuất",
    "dang-bien-tap": "Đang biên tập",
    "cho-duyet": "Chờ duyệt",
    "da-duyet": "Đã duyệt",
}
APPROVED = "da-duyet"


@dataclass(frozen=True, slots=True)
class FieldOfWork(_Pickled):
    """One of the book's fields (lĩnh vực), e.g. `kinh-te` / “Kinh tế”."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Commune(_Pickled):
    name: str
    now: str = ""


@dataclass(frozen=True, slots=True)
class District(_Pickled):
    """A district as named in the book's period, with what became of it."""

    name: str
    slug: str
    later: str = ""
    communes: tuple[Commune, ...] = ()


@dataclass(frozen=True, slots=True)
class Place(_Pickled):
    """Where a model happened: district, maybe commune."""

    district: District
    commune: Commune | None = None

    @property
    def label(self) -> str:
        """`xã Gia Hưng, huyện Gia Viễn (nay là xã Gia Hưng)`; a district alone carries what
        became of it: `huyện Hoa Lư (từ ngày 1 tháng 1 năm 2025 hợp nhất …)`."""
        if self.commune is None:
            later = self.district.later
            return f"{self.district.name} ({later})" if later else self.district.name
        text = f"{self.commune.name}, {self.district.name}"
        return f"{text} (nay là {self.commune.now})" if self.commune.now else text


@dataclass(frozen=True, slots=True)
class Person(_Pickled):
    name: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class Image(_Pickled):
    """A picture in the book: its file, and the unique name it gets in every output."""

    source: Path
    output_name: str
    width: int
    height: int
    alt: str
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True)
class Entry(_Pickled):
    """One “Dân vận khéo” model: facts from the front matter and its Markdown body."""

    slug: str
    title: str
    kind: Kind
    unit: str
    field: FieldOfWork
    place: Place
    year: int
    summary: str
    body: str  # Markdown, NFC
    source: Path
    person: Person | None = None
    started: int | None = None
    recognised_by: str = ""
    images: tuple[Image, ...] = ()
    body_images: tuple[tuple[str, Image], ...] = ()  # Markdown src → image
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, int], ...] = ()  # models the body links to: (slug, line)
    status: str = ""  # a key of STATUSES; "" in a book that declares no statuses
    editor: str = ""

    @property
    def approved(self) -> bool:
        """Whether the entry goes into the final edition: approved, or in a book that keeps
        no statuses (every entry of it is final)."""
        return self.status in ("", APPROVED)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, "")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class Page:
    """Front or back matter: foreword, introduction, afterword."""

    slug: str
    title: str
    order: int
    body: str
    source: Path
    back: bool = False
    body_images: tuple[tuple[str, Image], ...] = ()
    links: tuple[tuple[str, int], ...] = ()  # models the body links to: (slug, line)


@dataclass(frozen=True, slots=True)
class Colophon:
    """What the colophon page prints; empty values are left out, never printed empty."""

    publisher: str = default("colophon.publisher")
    responsible_publisher: str = default("colophon.responsible_publisher")
    editors: tuple[str, ...] = default("colophon.editors")
    print_run: int | None = default("colophon.print_run")
    size: str = default("colophon.size")
    printer: str = default("colophon.printer")
    registration_number: str = default("colophon.registration_number")
    decision_number: str = default("colophon.decision_number")
    isbn: str = default("colophon.isbn")
    licence: str = default("colophon.licence")


@dataclass(frozen=True, slots=True)
class Colours:
    """The book's colours (CSS colour values): the cover and the accent of headings."""

    cover_background: str = default("pdf.colours.cover_background")
    cover_foreground: str = default("pdf.colours.cover_foreground")
    cover_accent: str = default("pdf.colours.cover_accent")
    accent: str = default("pdf.colours.accent")


Cmyk = tuple[float, float, float, float]  # percentages of cyan, magenta, yellow, black


@dataclass(frozen=True, slots=True)
class PrintColours:
    """The book's colours for the press, in CMYK percentages, one for each of `Colours`.

    None: the colour was given only in RGB (`pdf.colours`), so the print files keep it in
    DeviceRGB and the preflight names it. The defaults go with the default `Colours`; the
    interior's accent prints in black, so the interior needs one plate only.
    """

    cover_background: Cmyk | None = default("pdf.colours_print.cover_background")
    cover_foreground: Cmyk | None = default("pdf.colours_print.cover_foreground")
    cover_accent: Cmyk | None = default("pdf.colours_print.cover_accent")
    accent: Cmyk | None = default("pdf.colours_print.accent")


@dataclass(frozen=True, slots=True)
class PdfSettings:
    trim_width_mm: float = default("pdf.trim.width_mm")
    trim_height_mm: float = default("pdf.trim.height_mm")
    group_by: Literal["field", "district", "year"] = default("pdf.group_by")
    colours: Colours = field(default_factory=Colours)
    colours_print: PrintColours = field(default_factory=PrintColours)


@dataclass(frozen=True, slots=True)
class PrintSettings:
    """The printing house's package (`print:` in book.yaml): the interior's signatures, the
    cover spread's spine and bleed, the press profile and the preflight's ink limit."""

    signature: int = default("print.signature")
    paper_caliper_mm: float = default("print.paper_caliper_mm")
    cover_bleed_mm: float = default("print.cover_bleed_mm")
    spine_text_min_mm: float = default("print.spine_text_min_mm")
    max_ink: int = default("print.max_ink")
    profile: Path = default("print.profile")
    back_cover_text: str = default("print.back_cover_text")
    price: str = default("print.price")  # empty: the back cover says the book is not for sale


@dataclass(frozen=True, slots=True)
class Targets:
    """How many models the book's plan asks for (`review.targets`): in all, per field (by
    id) and per district (by slug); 0 or absent: no target."""

    total: int = default("review.targets.total")
    fields: tuple[tuple[str, int], ...] = default("review.targets.fields")
    districts: tuple[tuple[str, int], ...] = default("review.targets.districts")


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    """The editing round (`review:` in book.yaml): whether every model states its status,
    the length a model should have, and the plan's targets."""

    statuses: bool = default("review.statuses")
    words_min: int = default("review.words.min")
    words_max: int = default("review.words.max")  # 0: no upper bound
    targets: Targets = field(default_factory=Targets)


@dataclass(frozen=True, slots=True)
class EpubSettings:
    max_image_px: int = default("epub.max_image_px")


@dataclass(frozen=True, slots=True)
class BookConfig:
    """Everything `book.yaml` says."""

    title: str
    language: str
    period: tuple[int, int]
    base_url: str
    fields: tuple[FieldOfWork, ...]
    districts: tuple[District, ...]
    subtitle: str = default("subtitle")
    short_title: str = default("short_title")
    author: str = default("author")
    description: str = default("description")
    keywords: tuple[str, ...] = default("keywords")
    published: datetime.date | None = default("published")
    sample: bool = default("sample")
    colophon: Colophon = field(default_factory=Colophon)
    pdf: PdfSettings = field(default_factory=PdfSettings)
    print: PrintSettings = field(default_factory=PrintSettings)
    epub: EpubSettings = field(default_factory=EpubSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)

    @property
    def slug(self) -> str:
        """The book's file name stem: `dan-van-kheo-ninh-binh-2021-2025`."""
        from builder.book.vietnamese import slugify

        return slugify(self.short_title or self.title) or "book"

    @property
    def base_path(self) -> str:
        """The path part of `base_url`, always starting and ending with `/`."""
        rest = self.base_url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path if path.endswith("/") else path + "/"


@dataclass(frozen=True, slots=True)
class Part:
    """A group of entries in book order: one field, district or year."""

    slug: str
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Book:
    """The whole book, in reading order. Outputs read it and never change it."""

    config: BookConfig
    root: Path
    parts: tuple[Part, ...]
    pages: tuple[Page, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for part in self.parts for entry in part.entries)

    @property
    def front_pages(self) -> tuple[Page, ...]:
        return tuple(page for page in self.pages if not page.back)

    @property
    def back_pages(self) -> tuple[Page, ...]:
        return tuple(page for page in self.pages if page.back)

    @property
    def text_around_entries(self) -> str:
        """The book's strings other than its entries' (config, pictures, pages)."""
        config = self.config
        parts = [
            config.title,
            config.subtitle,
            config.short_title,
            config.author,
            config.description,
            *config.keywords,
            *config.colophon.editors,
            config.colophon.publisher,
            config.colophon.responsible_publisher,
            config.colophon.size,
            config.colophon.printer,
            config.colophon.licence,
        ]
        parts += [field.name for field in config.fields]
        for district in config.districts:
            parts += [district.name, district.later]
            parts += [text for commune in district.communes for text in (commune.name, commune.now)]
        for image in self.images:
            parts += [image.alt, image.caption, image.credit]
        parts += [text for page in self.pages for text in (page.title, page.body)]
        return "".join(parts)

    @property
    def images(self) -> tuple[Image, ...]:
        """Every image once, in order of first use."""
        seen: dict[str, Image] = {}
        for entry in self.entries:
            for image in (*entry.images, *(img for _, img in entry.body_images)):
                seen.setdefault(image.output_name, image)
        for page in self.pages:
            for _, image in page.body_images:
                seen.setdefault(image.output_name, image)
        return tuple(seen.values())
