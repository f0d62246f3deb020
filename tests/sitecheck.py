"""Reading a built site back: parsed pages and a checker for every internal link."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html
from lxml.html import HtmlElement


def page(site: Path, path: str) -> HtmlElement:
    return html.fromstring((site / path).read_bytes())


def facts(model: HtmlElement) -> dict[str, str]:
    """The fact box of a model page as {label: value}."""
    labels = [dt.text_content() for dt in model.xpath("//aside[@class='facts']//dt")]
    values = [" ".join(dd.text_content().split()) for dd in model.xpath("//aside//dd")]
    return dict(zip(labels, values, strict=True))


def broken_links(site: Path) -> list[str]:
    """Every relative href/src in the site's HTML that names no file (or no fragment)."""
    broken = []
    ids: dict[Path, set[str]] = {}
    for file in sorted(site.rglob("*.html")):
        if file.name == "404.html":
            continue  # links there are absolute paths for any depth; checked separately
        tree = page(site, file.relative_to(site).as_posix())
        for srcset in tree.xpath("//@srcset"):
            for candidate in srcset.split(","):
                link = candidate.split()[0]
                if not (file.parent / unquote(link)).resolve().is_file():
                    broken.append(f"{file.relative_to(site)}: srcset {link}")
        for element, attribute, link, _ in tree.iterlinks():
            if attribute not in ("href", "src") or (
                element.tag == "link"
                and (element.get("rel") in ("canonical", "alternate") and "://" in link)
            ):
                continue
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                broken.append(f"{file.relative_to(site)}: external {link}")
                continue
            target = (file.parent / unquote(parts.path)).resolve() if parts.path else file
            if not target.is_file():
                broken.append(f"{file.relative_to(site)}: {link}")
            elif parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(html.fromstring(target.read_bytes()).xpath("//@id"))
                if parts.fragment not in ids[target]:
                    broken.append(f"{file.relative_to(site)}: {link} (no such id)")
    return broken
