"""Cross-references, links and captions as HTML, for one target (pdf | epub).

``@fig:map`` gives "fig. 1", ``[@fig:a; @fig:b]`` "figs. 1, 2" (three or more in a row:
"figs. 1–3"), ``@Fig:map`` "Fig. 1", ``@tbl:x`` "table 1", ``@note:x`` "n. 51", each
number a link to its target.  ``@page:ID`` gives "p. 36": in a PDF the number is the
page of the target in that very edition (the renderer writes a placeholder, which
:func:`fill_page_refs` fills with the page the layout found, in a box of fixed width);
in the e-book it is the page of the print edition (``Target.page_label``), as in the index.
"""
from __future__ import annotations

import re
from html import escape

from ..source.citations import crossref_target
from ..source.crossref import note_key
from ..source.links import IMAGE_LINK
from .typography import nbsp
from ..source.words import word

PAGE_REF = re.compile(r'(<a class="page-ref" data-target="([^"]*)"[^>]*>)([^<]*)(</a>)')
RAW_HREF = re.compile(r'(<a\b[^<>]*?)\s+href="([^"]*)"')
PLACEHOLDER = "0"


def _numbers(links: list[tuple[int | str, str]]) -> str:
    """"1, 2" or "1–3" (three or more consecutive numbers), each number linked."""
    out, i = [], 0
    while i < len(links):
        j = i
        while (j + 1 < len(links) and isinstance(links[j][0], int) and links[j + 1][0] == links[j][0] + 1):
            j += 1
        if j - i >= 2:
            out.append(f"{_a(*links[i])}\u2013{_a(*links[j])}")
        else:
            out.extend(_a(*link) for link in links[i:j + 1])
        i = j + 1
    return ", ".join(out)


def _a(number, href: str) -> str:
    return f'<a class="xref" href="{escape(href, quote=True)}">{number}</a>'


def crossref_html(reader, chapter, citation, target) -> str:
    """The HTML of one cross-reference (a citation.Citation whose keys are fig:, tbl:, page:, note:)."""
    xref = reader.xref
    groups: list[tuple[str, bool, str, list]] = []      # (kind, capital, prefix, [(number, href)])
    for item in citation.items:
        kind, rest, capital = crossref_target(item.key)
        entry = _entry(reader, chapter, kind, rest, target) or ("??", "")
        if groups and groups[-1][0] == kind and not item.prefix:
            groups[-1][3].append(entry)
        else:
            groups.append((kind, capital, item.prefix, [entry]))
    parts = []
    for kind, capital, prefix, links in groups:
        label = word(xref.words, kind, len(links), capital)
        if kind == "page" and target.name != "pdf" and target.page_label is None:
            # an e-book without a print edition: no pages to name; the link names the place
            titles = ", ".join(_a(escape(_place_title(reader, ident)), href) for ident, href in links)
            parts.append((escape(prefix) + " " if prefix else "") + titles)
            continue
        if kind == "page":
            body = ", ".join(_page_link(number, href, target) for number, href in links)
        else:
            body = _numbers([(number, href) for number, href in links if href] or [("??", "#")])
        parts.append((escape(prefix) + " " if prefix else "") + f"{escape(label)}\u00a0{body}")
    suffix = citation.items[-1].suffix
    html = "; ".join(parts) + (escape(nbsp(", " + suffix if not suffix.startswith(",") else suffix))
                               if suffix else "")
    return f'<span class="crossref">{html}</span>'


def _entry(reader, chapter, kind: str, rest: str, target) -> tuple | None:
    xref = reader.xref
    if kind in ("fig", "tbl"):
        label = xref.labels.get(rest)
        return (label.number, target.href(label.id)) if label else None
    if kind == "note":
        number = xref.notes.get(note_key(chapter.id, rest))
        return (number, target.href(f"fn-{number}")) if number else None
    if kind == "page":
        return (rest, target.href(rest)) if rest in xref.targets else None
    return None


def _place_title(reader, ident: str) -> str:
    """“Heading” or “Chapter title”: the title of the place an id stands in."""
    where = reader.xref.targets.get(ident)
    if where is None:
        return "??"
    chapter = next((c for c in reader.chapters if c.id == where.chapter), None)
    heading = next((h for h in chapter.parsed.headings if h.id == ident), None) if chapter else None
    title = heading.title if heading else (chapter.title if chapter else ident)
    return f"\u201c{title}\u201d"


def _page_link(ident: str, href: str, target) -> str:
    if target.name == "pdf":
        return (f'<a class="page-ref" data-target="{escape(ident, quote=True)}" '
                f'href="{escape(href, quote=True)}">{PLACEHOLDER}</a>')
    page = target.page_label(ident) if target.page_label else None
    return f'<a class="page-ref" href="{escape(href, quote=True)}">{escape(str(page)) if page else "?"}</a>'


def fill_page_refs(html: str, page_of, reserve=None) -> str:
    """The page references of composed PDF HTML with their numbers (*page_of(id)*; "?" for a
    target this edition leaves out), so that every edition prints its own.

    Each number is set in a box as wide as its figures (``data-digits``; print.css), or as
    *reserve* (id -> digits) keeps, if more: another number of as many figures cannot move a
    line of the page, and a laid-out part is given new numbers without a new layout
    (pdf/pagerefs.py)."""
    reserve = reserve or {}

    def fill(m):
        ident, opening = m.group(2), m.group(1)
        number = str(page_of(ident) or "?")
        opening = opening[:-1] + f' data-digits="{max(int(reserve.get(ident, 0)), len(number))}">'
        return opening + number + m.group(4)
    return PAGE_REF.sub(fill, html)


def page_ref_shape(html: str) -> str:
    """*html* with the numbers of its page references left out: what its layout depends on
    when each number stays within the width the references reserve."""
    return PAGE_REF.sub(lambda m: m.group(1) + m.group(4), html)


def page_ref_numbers(html: str) -> dict[str, str]:
    """id -> the number a page reference of *html* prints (text; none for a counted one)."""
    return {m.group(2): m.group(3) for m in PAGE_REF.finditer(html) if m.group(3)}


def page_ref_ids(html: str) -> list[str]:
    return [m.group(2) for m in PAGE_REF.finditer(html)]


def figure_caption(reader, ident: str, caption_html: str) -> str:
    """"Figure 1. Caption" for a labelled figure; the caption alone otherwise."""
    label = reader.xref.labels.get(ident) if reader.xref and ident else None
    if label is None:
        return caption_html
    words = reader.xref.words
    return (f'<span class="caption-label">{escape(words["figure-title"])}\u00a0{label.number}'
            f'{escape(words["title-separator"])}</span> {caption_html}')


def figure_list(reader, chapters: set) -> list[dict]:
    """The list of figures: the labelled figures of the chapters *chapters*, in order, each
    {"id", "title_html"} ("Figure 1. Caption")."""
    if reader.xref is None:
        return []
    labels = sorted((label for label in reader.xref.labels.values() if label.kind == "fig" and label.chapter in chapters),
                    key=lambda label: label.number)
    return [{"id": label.id, "title_html": figure_caption(reader, label.id, escape(nbsp(label.caption), quote=False))}
            for label in labels]


def table_caption(reader, ident: str, caption_html: str) -> str:
    label = reader.xref.labels.get(ident) if reader.xref and ident else None
    if label is None:
        return caption_html
    words = reader.xref.words
    return (f'<span class="caption-label">{escape(words["table-title"])}\u00a0{label.number}'
            f'{escape(words["title-separator"])}</span> {caption_html}')


def link_href(reader, chapter, href: str, target) -> str | None:
    """Where a link of the manuscript goes in *target*: None for no link."""
    links = reader.xref.links if reader.xref else {}
    resolved = links.get((chapter.id, href), href if reader.xref is None else "")
    if not resolved:
        return None
    if resolved.startswith("#"):
        return target.href(resolved[1:])
    if resolved.startswith(IMAGE_LINK):        # an image no figure shows: as the edition carries it
        return target.image_href(resolved[len(IMAGE_LINK):]) if target.image_href else None
    return resolved


def raw_links(html: str, reader, chapter, target) -> str:
    """The hrefs of sanitised raw HTML, resolved as :func:`link_href` resolves Markdown links
    (an href that goes nowhere is left out)."""
    def one(m):
        href = link_href(reader, chapter, m.group(2), target)
        return m.group(1) if href is None else f'{m.group(1)} href="{escape(href, quote=True)}"'
    return RAW_HREF.sub(one, html)
