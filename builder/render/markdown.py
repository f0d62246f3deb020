"""Markdown bodies: one configured parser, rendering to HTML, and what the checks need.

Raw HTML is escaped (html=False) and markdown-it refuses javascript:/data: links; a
paragraph holding only an image becomes a <figure> with its title as caption.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from builder.book.model import Image
from builder.book.vietnamese import slugify
from builder.util.render_cache import render_cache

ImageUrl = Callable[[str], "ImageRef | None"]


@dataclass(frozen=True, slots=True)
class ImageRef:
    """How an output shows one body image."""

    url: str
    width: int
    height: int
    lazy: bool = True  # loading="lazy" is for browsers; EPUB and print want plain images
    srcset: str = ""  # resized variants of the fallback format
    webp_srcset: str = ""  # the same sizes in WebP, offered first
    sizes: str = ""


@dataclass(frozen=True, slots=True)
class BodyLink:
    href: str  # as the parser normalised it (percent-encoded)
    line: int  # 0-based line within the body


WEB_LINK = re.compile(r"(?i)^(?:https?://[^/\s]|mailto:)")
# Another model of the book, by its file name: `hien-dat.md`, `../models/hien-dat.md`.
MODEL_LINK = re.compile(r"^(?:\./|\.\./models/|models/)?([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")


def linked_model(href: str) -> str | None:
    """The slug of the model `href` names, or None."""
    match = MODEL_LINK.match(href)
    return match.group(1) if match else None


def is_web_link(href: str) -> bool:
    """A web or mail address, or a place in the same text (`#…`, footnotes)."""
    return bool(WEB_LINK.match(href)) or href.startswith("#")


def body_links(tokens: Sequence[Token]) -> list[BodyLink]:
    """Every link the body makes, with its line."""
    return [
        BodyLink(str(child.attrs.get("href", "")), line)
        for line, child in _inline_tokens(tokens)
        if child.type == "link_open"
    ]


def _inline_tokens(tokens: Sequence[Token]) -> Iterator[tuple[int, Token]]:
    """(line, token) of every inline token of the body: links, images, text…"""
    for token in tokens:
        if token.type == "inline" and token.children:
            line = token.map[0] if token.map else 0
            for child in token.children:
                yield line, child


@dataclass(frozen=True, slots=True)
class BodyImage:
    src: str
    alt: str
    line: int  # 0-based line within the body


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=slugify)
    md.core.ruler.push("figures", _mark_figures)
    md.core.ruler.push("alignment_classes", _alignment_classes)
    md.core.ruler.push("header_scope", _header_scope)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    md.add_render_rule("footnote_anchor", _render_footnote_backref)
    return md


def render_html(
    body: str,
    image_url: ImageUrl,
    doc_id: str | None = None,
    model_url: Callable[[str], str] | None = None,
) -> str:
    """The body as HTML; `image_url` maps a Markdown image source to what the output shows,
    `model_url` a linked model's slug to where the output has it.

    `doc_id` makes footnote ids unique when several bodies share one document.
    """
    env: dict[str, Any] = {"image_url": image_url}
    if model_url is not None:
        env["model_url"] = model_url
    if doc_id:
        env["docId"] = doc_id
    return str(parser().render(body, env))


def render_body(
    body: str,
    images: tuple[tuple[str, Image], ...],
    url_for: Callable[[Image], str | ImageRef],
    doc_id: str | None = None,
    *,
    lazy: bool = True,
    model_url: Callable[[str], str] | None = None,
) -> str:
    """An entry's body as HTML, its pictures where `url_for` puts them (an address, or a
    full ImageRef with responsive variants), its links to other models where `model_url`
    puts them. Kept in the render cache by content."""
    found = dict(images)
    shown = {src: url_for(image) for src, image in images}
    links = model_url("{slug}") if model_url else ""  # the same rule for every slug
    inputs = ("html", body, repr(sorted(shown.items())), doc_id or "", str(lazy), links)
    return render_cache().text(
        inputs, lambda: _render_body(body, found, shown, doc_id, lazy, model_url)
    )


def _render_body(
    body: str,
    found: dict[str, Image],
    shown_as: dict[str, str | ImageRef],
    doc_id: str | None,
    lazy: bool,
    model_url: Callable[[str], str] | None = None,
) -> str:

    def image_url(src: str) -> ImageRef | None:
        image = found.get(src)
        if image is None:
            return None
        shown = shown_as[src]
        if isinstance(shown, ImageRef):
            return shown
        return ImageRef(shown, image.width, image.height, lazy)

    return render_html(body, image_url, doc_id, model_url)


def parse(body: str) -> list[Token]:
    return parser().parse(body, {})


def body_images(tokens: Sequence[Token]) -> list[BodyImage]:
    """Every image the body shows, with its line."""
    return [
        BodyImage(str(child.attrs.get("src", "")), child.content, line)
        for line, child in _inline_tokens(tokens)
        if child.type == "image"
    ]


def first_paragraph(tokens: Sequence[Token]) -> str:
    """Plain text of the first paragraph that is not a lone image (the default summary)."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and not token.hidden:
            inline = tokens[index + 1]
            text = "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in inline.children or []
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            if text.strip():
                return " ".join(text.split())
    return ""


def plain_text(body: str) -> str:
    """The words of a body without markup: what search indexes (kept in the render cache)."""
    return render_cache().text(("plain", body), lambda: _plain_text(body))


def _plain_text(body: str) -> str:
    words: list[str] = []
    for token in parse(body):
        if token.type == "inline":
            words.extend(
                child.content
                for child in token.children or []
                if child.type in ("text", "code_inline")
            )
    return " ".join(" ".join(words).split())


def has_text(tokens: Sequence[Token]) -> bool:
    return any(token.type == "inline" and token.content.strip() for token in tokens)


def _mark_figures(state: StateCore) -> None:
    tokens = state.tokens
    for index in range(len(tokens) - 2):
        opening, inline, closing = tokens[index : index + 3]
        if (
            opening.type == "paragraph_open"
            and closing.type == "paragraph_close"
            and inline.children
            and [c.type for c in inline.children if c.content.strip() or c.type == "image"]
            == ["image"]
        ):
            opening.hidden = closing.hidden = True
            for child in inline.children:
                if child.type == "image":
                    child.meta["figure"] = True


def _alignment_classes(state: StateCore) -> None:
    """Table cell alignment as classes (`align-right`), not style attributes: the site's
    Content-Security-Policy allows no inline style."""
    for token in state.tokens:
        style = token.attrs.get("style") if token.type in ("th_open", "td_open") else None
        if isinstance(style, str) and style.startswith("text-align:"):
            del token.attrs["style"]
            token.attrSet("class", "align-" + style.removeprefix("text-align:"))


def _header_scope(state: StateCore) -> None:
    """`<th scope="col">`: a Markdown table's header cells are its first row, each the
    header of its column; said outright for screen readers and the PDF's /Scope."""
    for token in state.tokens:
        if token.type == "th_open":
            token.attrSet("scope", "col")


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    if alt.strip().startswith("TODO"):  # `builder import`'s placeholder: check warns of it
        alt = ""
    src = str(token.attrs.get("src", ""))
    title = str(token.attrs.get("title", ""))
    ref: ImageRef | None = env["image_url"](src) if "image_url" in env else None
    escape = _escape
    if ref is None:
        return f'<span class="missing-image">[{escape(alt)}]</span>'
    lazy = ' loading="lazy" decoding="async"' if ref.lazy else ""
    srcset = f' srcset="{escape(ref.srcset)}" sizes="{escape(ref.sizes)}"' if ref.srcset else ""
    img = (
        f'<img src="{escape(ref.url)}"{srcset} alt="{escape(alt)}" width="{ref.width}" '
        f'height="{ref.height}"{lazy}>'
    )
    if ref.webp_srcset:
        source = (
            f'<source type="image/webp" srcset="{escape(ref.webp_srcset)}" '
            f'sizes="{escape(ref.sizes)}">'
        )
        img = f"<picture>{source}{img}</picture>"
    if token.meta.get("figure"):
        caption = f"<figcaption>{escape(title)}</figcaption>" if title else ""
        return f'<figure class="figure">{img}{caption}</figure>\n'
    return img


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A link to another model goes where this output has that model; `check` refused every
    other link that is not a web address."""
    token = tokens[idx]
    slug = linked_model(str(token.attrs.get("href", "")))
    if slug is not None and "model_url" in env:
        token.attrSet("href", env["model_url"](slug))
    return str(self.renderToken(tokens, idx, options, env))


def _render_table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="table-wrap">\n' + self.renderToken(tokens, idx, options, env)


def _render_table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _render_footnote_backref(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The way back from a note: “↑”, a glyph the book's typeface has (unlike ↩)."""
    ident = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    if tokens[idx].meta["subId"] > 0:
        ident += ":" + str(tokens[idx].meta["subId"])
    return (
        f' <a href="#fnref{ident}" class="footnote-backref" '
        f'aria-label="Quay lại chỗ chú thích">↑</a>'
    )


def _escape(text: Any) -> str:
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )
