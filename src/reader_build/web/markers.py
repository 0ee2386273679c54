"""Print pages in the web edition: a marker where each page of the print edition
begins (placed as the EPUB places its page-breaks, :mod:`reader_build.pdf.pagemap`),
the list of pages, the redirect pages ``page/N/`` and the map that lets
``any-page.html#page-N`` find its page; and ids on the text blocks, so that
search results can link to the paragraph where the words stand.
"""
from __future__ import annotations

import json
from html import escape
import re

from ..model import PageStart
from ..render.pagebreaks import insert_page_breaks, plan_page_breaks
from .pages import CONTENTS_FILE, TITLE_FILE, Page

SAFE_LABEL = re.compile(r"^[A-Za-z0-9]+$")
EPUB_MARKER = re.compile(r'<span epub:type="pagebreak" role="doc-pagebreak" id="page-([^"]*)" aria-label="[^"]*">'
                         r"</span>")
MARKER = re.compile(r'<span class="pagebreak" [^<>]*></span>')
ADJACENT = re.compile(r'<span class="pagebreak" [^<>]*></span>(?:\s*<span class="pagebreak" [^<>]*></span>)+')
BLOCK_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?)?\sdata-b="([^"]+)"')


def plan_markers(pages: list[Page], starts: list[PageStart] | None):
    """({file: Placement}, [(href, label)] in page order) for the print page *starts*."""
    if not starts:
        return {}, []
    whole = {"title-page": TITLE_FILE, "toc": CONTENTS_FILE}
    whole.update({f"index-{p.name[len('index-'):-len('.html')]}": p.name for p in pages if p.kind == "index"})
    documents = [(p.name, p.content) for p in pages if p.kind != "search"]
    return plan_page_breaks(starts, documents, whole)


def _web_marker(match: re.Match, title) -> str:
    label = match.group(1)
    # Named by its title: axe-core refuses aria-label on a doc-pagebreak span (a role DPUB-ARIA 1.1 deprecates).
    return (f'<span class="pagebreak" role="doc-pagebreak" id="page-{label}" title="{escape(title(label), quote=True)}" '
            f'data-page="{label}"></span>')


def _join(match: re.Match) -> str:
    """Markers with nothing between them (print pages with no text of their own here): each keeps
    its id, the first shows "2–3", the others show nothing."""
    spans = MARKER.findall(match.group(0))
    labels = [re.search(r'data-page="([^"]*)"', span).group(1) for span in spans]
    first = spans[0].replace(' data-page="', f' data-shown="{labels[0]}\u2013{labels[-1]}" data-page="', 1)
    rest = [span.replace('class="pagebreak"', 'class="pagebreak joined"', 1) for span in spans[1:]]
    return "".join([first] + rest)


def place_markers(pages: list[Page], placements: dict, title) -> None:
    """Put the page markers into the pages' HTML (in place); *title* gives a marker's title
    from its print page label (the locale's "Page {label}")."""
    for page in pages:
        placed = placements.get(page.name)
        if placed:
            html = insert_page_breaks(page.content, placed.inline, at_start=placed.at_start, at_end=placed.at_end)
            page.content = ADJACENT.sub(_join, EPUB_MARKER.sub(lambda m: _web_marker(m, title), html))


def block_ids(html: str) -> str:
    """Every text block (``data-b``) that has no id gets ``id="b-…"``."""
    def add(match: re.Match) -> str:
        attrs = match.group(2) or ""
        if re.search(r'\sid="', attrs):
            return match.group(0)
        return f'<{match.group(1)}{attrs} id="b-{match.group(3)}" data-b="{match.group(3)}"'
    return BLOCK_TAG.sub(add, html)


def page_map_script(page_list: list[tuple[str, str]]) -> bytes:
    """pages.js: which file holds each print page (for ``#page-N`` on any page)."""
    table = {label: href.split("#", 1)[0] for href, label in page_list}
    return ("window.READER_PAGES = " + json.dumps(table, ensure_ascii=False, separators=(",", ":"))
            + ";\n").encode()


def redirect_pages(page_list: list[tuple[str, str]], render) -> dict[str, bytes]:
    """``page/N/index.html`` for every print page: it opens the place where page N begins.
    *render(label, href)* gives the HTML (from web-redirect.html.j2)."""
    files = {}
    for href, label in page_list:
        if SAFE_LABEL.match(label):
            files[f"page/{label}/index.html"] = render(label, "../../" + href).encode()
    return files
