"""Laying out an HTML book with WeasyPrint, and reading facts back from the boxes.

* :class:`AssetFetcher` serves fonts and images from memory and fetches
  nothing else: no network, no file outside the project.
* :func:`misplaced_notes` finds notes that WeasyPrint put on a later page than
  their call; :func:`keep_notes_rules` computes the CSS (for this layout only)
  that brings them back (see "orphan fix" in the project's design notes).
* :func:`anchor_pages` maps every element id to its page number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .project import image_type
from .styles import weasyprint_warnings

ASSET_BASE = "https://reader.invalid/"
FONT_TYPES = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}
MAX_FIX_PASSES = 6


class AssetFetcher(URLFetcher):
    """Fonts and images from memory; every other URL is refused."""

    def __init__(self, fonts: dict[str, bytes], images: dict[str, bytes]):
        super().__init__()
        self.fonts = fonts
        self.images = images
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(ASSET_BASE):
            path = url[len(ASSET_BASE):].split("?")[0].split("#")[0]
            if path.startswith("fonts/") and path[6:] in self.fonts:
                name = path[6:]
                suffix = name[name.rfind("."):].lower()
                return URLFetcherResponse(url, self.fonts[name], {"Content-Type": FONT_TYPES.get(suffix, "font/otf")})
            if path in self.images:
                data = self.images[path]
                return URLFetcherResponse(url, data, {"Content-Type": image_type(data) or "application/octet-stream"})
        self.refused.append(url)
        raise ValueError(f"reader-build fetches nothing from outside the project: {url}")


@dataclass
class Layout:
    document: weasyprint.Document
    warnings: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.document.pages)


def lay_out(html: str, fetcher: AssetFetcher, **options) -> Layout:
    """Parse and lay out *html*; WeasyPrint's warnings are collected, not logged."""
    with weasyprint_warnings() as records:
        document = weasyprint.HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher).render(
            font_config=FontConfiguration(), **options)
    return Layout(document, [record.getMessage() for record in records])


def anchor_pages(document) -> dict[str, int]:
    """Every element id -> its (1-based) page number."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def _flow_children(page):
    return [c for c in page._page_box.children
            if not isinstance(c, (boxes.FootnoteAreaBox, boxes.MarginBox))]


def note_pages(document) -> tuple[dict, dict]:
    """(call page, note page) by note element, 0-based."""
    call_page: dict = {}
    note_page: dict = {}
    for i, page in enumerate(document.pages):
        for child in page._page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                for box in child.descendants():
                    if box.element is not None and box.element_tag == "span":
                        note_page.setdefault(box.element, i)
            elif not isinstance(child, boxes.MarginBox):
                for box in child.descendants():
                    tag = box.element_tag or ""
                    if tag.endswith("::footnote-call"):
                        call_page.setdefault(box.element, i)
    return call_page, note_page


def misplaced_notes(document) -> list[tuple[int, str]]:
    """(0-based page of the call, note id) for every note not on its call's page."""
    call_page, note_page = note_pages(document)
    out = []
    for element, page in call_page.items():
        if note_page.get(element) != page:
            out.append((page, element.get("id") or "?"))
    return sorted(out)


def _last_line_block(page):
    """The block element that holds the last body line of *page*."""
    last = None
    for child in _flow_children(page):
        for box in child.descendants():
            if isinstance(box, boxes.LineBox):
                last = box
    if last is None:
        return None
    return last


def _block_of_line(page, line):
    for child in _flow_children(page):
        for box in child.descendants():
            if isinstance(box, boxes.BlockBox) and line in getattr(box, "children", ()):
                return box
    return None


def keep_notes_rules(document) -> list[str]:
    """CSS rules that move the lines before each misplaced note so that it fits.

    For each page whose note went on, take the paragraph Q that ends the page:
    when Q starts on that page, break before it; otherwise ask for enough
    widows that Q's part on that page moves on with it.
    """
    misplaced = misplaced_notes(document)
    rules = []
    first_page: dict = {}
    for i, page in enumerate(document.pages):
        for child in _flow_children(page):
            for box in child.descendants():
                if isinstance(box, boxes.BlockBox) and box.element is not None:
                    first_page.setdefault(box.element, i)
    done = set()
    for page_index, _note in misplaced:
        if page_index in done:
            continue
        done.add(page_index)
        page = document.pages[page_index]
        line = _last_line_block(page)
        block = _block_of_line(page, line) if line is not None else None
        if block is None or block.element is None:
            continue
        key = block.element.get("data-pi")
        if not key:
            continue
        selector = f'[data-pi="{key}"]'
        if first_page.get(block.element) == page_index:
            rules.append(f"{selector} {{ break-before: page !important; }}")
        else:
            lines = 0
            for later in document.pages[page_index:]:
                for child in _flow_children(later):
                    for box in child.descendants():
                        if isinstance(box, boxes.BlockBox) and box.element is block.element:
                            lines += sum(1 for b in box.children if isinstance(b, boxes.LineBox))
            rules.append(f"{selector} {{ widows: {max(lines, 2)} !important; }}")
    return rules




def stray_breaks(document) -> list[str]:
    """Paragraphs with a line that ends far short of the measure although more follows.

    WeasyPrint 70 sometimes breaks a justified line right after a hyphenated word
    fragment ("Amer-/ican/ drafters"); such a paragraph is laid out again
    without automatic hyphenation.
    """
    found = []
    for page in document.pages:
        for child in _flow_children(page):
            for box in child.descendants():
                if not isinstance(box, boxes.BlockBox) or box.element is None:
                    continue
                key = box.element.get("data-pi")
                if not key or key in found:
                    continue
                lines = [b for b in box.children if isinstance(b, boxes.LineBox)]
                for line in lines[:-1]:
                    inline = [c for c in line.children if getattr(c, "width", None) is not None]
                    if not inline:
                        continue
                    right = max(c.position_x + c.margin_width() for c in inline)
                    used = right - box.content_box_x()
                    if used < 0.55 * box.width:
                        found.append(key)
                        break
    return found
