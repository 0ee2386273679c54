"""The print edition's pages in the e-book: a page-break marker at the place where each
print page begins (render/places.py), and the navigation ``page-list`` that leads to them.

**Pages without a place.** A blank page, or a page whose first text has no key
element or whose key element is not in the e-book (the contents, the
colophon), gets its marker where the next page's marker goes, in page order,
so one place may hold several markers; pages after the last page that has a
place get theirs at the end of the last document that holds a marker.  A page
that begins a part the e-book has as a document of its own (the title page,
an index) can be given that document's start (:func:`plan_page_breaks`).  So
every page of the print edition is in the page-list, as soon as one has a
place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html import escape
from typing import Iterable, Sequence

from lxml import etree, html

from ..model import PageStart
from .places import EPUB_NS, NOT_PHRASING_PARENTS, XHTML_NS, KeyText, Tree, key_text, local_name


# -- placing the markers in the e-book ------------------------------------------------------

def _parse(xhtml: str):
    """(root, serialise): lxml tree of an (X)HTML document or fragment, and how to write it back."""

    head = xhtml.lstrip()[:200]
    if head.startswith("<?xml") or f'xmlns="{XHTML_NS}"' in xhtml[:2000]:
        parser = etree.XMLParser(resolve_entities=False, remove_blank_text=False)
        try:
            root = etree.fromstring(xhtml.encode("utf-8"), parser)
            return root, "xml"
        except etree.XMLSyntaxError:
            pass
    if re.match(r"(?is)\s*(<!doctype[^>]*>\s*)?<html", xhtml):
        return html.document_fromstring(xhtml), "html-document"
    wrapper = html.fragment_fromstring(f"<div>{xhtml}</div>")
    return wrapper, "html-fragment"


def _serialise(root, kind: str) -> str:

    if kind == "xml":
        etree.cleanup_namespaces(root)
        return etree.tostring(root, encoding="unicode")
    if kind == "html-document":
        return html.tostring(root, encoding="unicode", method="html")
    inner = root.text or ""
    return escape(inner, quote=False) + "".join(
        html.tostring(child, encoding="unicode", method="html") for child in root)


def _marker(root, kind: str, start: PageStart):
    """The empty marker element; its accessible name is the label (aria-label)."""

    if kind == "xml":
        tag = f"{{{XHTML_NS}}}span" if str(root.tag).startswith("{") else "span"
        span = etree.Element(tag, nsmap={"epub": EPUB_NS})
        span.set(f"{{{EPUB_NS}}}type", "pagebreak")
        span.set("role", "doc-pagebreak")
        span.set("id", f"page-{start.label}")
        span.set("aria-label", start.label)
        return span
    label = escape(start.label, quote=True)
    return html.fragment_fromstring(f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" '
                                    f'aria-label="{label}"></span>')


def _insert_at(key, text: KeyText, offset: int, spans: list, parent_of) -> None:
    """Put *spans* (in order) at *offset* of *key*'s text."""
    if offset <= 0 or not text.norm:
        if local_name(key.tag) in NOT_PHRASING_PARENTS:
            parent = parent_of(key)
            if parent is not None:
                at = list(parent).index(key)
                _attach_before(parent, at, spans)
                return
        for span in reversed(spans):
            key.insert(0, span)
        spans[-1].tail = (key.text or "") + (spans[-1].tail or "")
        key.text = None
        return
    if offset >= len(text.norm):
        for span in spans:
            key.append(span)
        return
    seg, raw = text.where[offset]
    owner, which = text.nodes[seg]
    if which == "text" and raw == 0 and owner is not key:
        # the page starts with an inline element (an index mention): the marker goes before it
        node, parent = owner, parent_of(owner)
        while parent is not None and parent is not key and not (parent.text or "").strip() and parent[0] is node:
            node, parent = parent, parent_of(parent)
        if parent is not None:
            _attach_before(parent, list(parent).index(node), spans)
            return
    if which == "text":
        value = owner.text or ""
        owner.text = value[:raw]
        spans[-1].tail = value[raw:] + (spans[-1].tail or "")
        for span in reversed(spans):
            owner.insert(0, span)
    else:
        parent = parent_of(owner)
        value = owner.tail or ""
        owner.tail = value[:raw]
        spans[-1].tail = value[raw:] + (spans[-1].tail or "")
        at = list(parent).index(owner) + 1
        for i, span in enumerate(spans):
            parent.insert(at + i, span)


def _attach_before(parent, at: int, spans: list) -> None:
    for i, span in enumerate(spans):
        parent.insert(at + i, span)


def _body(root):
    for node in root.iter():
        if local_name(node.tag) == "body":
            return node
    return root


def insert_page_breaks(xhtml: str, starts: Iterable[PageStart], *, at_start: Iterable[PageStart] = (),
                       at_end: Iterable[PageStart] = ()) -> str:
    """*xhtml* with a page-break marker at each start whose key element is in it.

    *xhtml* is a chapter's (X)HTML: a fragment or a document, as it is given to
    ebooklib (lxml's HTML parser reads it), or a well-formed XHTML document (then
    written back as XML).  Starts whose key element is not in the document are
    ignored; *at_start* and *at_end* are put at the start and the end of the
    body.  The marker is ``<span epub:type="pagebreak" role="doc-pagebreak"
    id="page-N" aria-label="N"/>``; markers at the same place keep their order.
    """
    starts = list(starts)
    at_start, at_end = list(at_start), list(at_end)
    if not starts and not at_start and not at_end:
        return xhtml
    try:
        root, kind = _parse(xhtml)
    except Exception:                                   # not parseable: leave it as it is
        return xhtml
    tree = Tree(root)
    by_key: dict = {}
    ids: dict = {}
    for node in root.iter():
        if not local_name(node.tag):
            continue
        if node.get("data-b") is not None:
            by_key.setdefault(node.get("data-b"), node)
        if node.get("id") is not None:
            ids.setdefault(node.get("id"), node)

    groups: dict = {}
    for start in sorted(starts, key=lambda s: s.page):
        if start.block:
            key = by_key.get(start.block)
        elif start.anchor:
            key = ids.get(start.anchor)
            if key is not None and tree.key_of(key) is not key:
                key = None                      # an id inside a text block is not a key element
        else:
            key = None
        if key is None:
            continue
        text = tree.text(key)
        offset = text.snap(start.offset)
        groups.setdefault((id(key), offset), (key, text, offset, []))[3].append(start)

    # Insert from the end of each text backwards, so that earlier offsets stay valid.
    for key, text, offset, group in sorted(groups.values(), key=lambda g: -g[2]):
        spans = [_marker(root, kind, s) for s in group]
        _insert_at(key, text, offset, spans, tree.parent.get)

    body = _body(root)
    if at_start:
        spans = [_marker(root, kind, s) for s in sorted(at_start, key=lambda s: s.page)]
        _insert_at(body, key_text(body), 0, spans, tree.parent.get)
    if at_end:
        for s in sorted(at_end, key=lambda s: s.page):
            body.append(_marker(root, kind, s))
    return _serialise(root, kind)


@dataclass
class Placement:
    """The markers of one e-book document."""

    inline: list[PageStart] = field(default_factory=list)   # at their key element (maybe retargeted)
    at_start: list[PageStart] = field(default_factory=list)
    at_end: list[PageStart] = field(default_factory=list)


def document_keys(xhtml: str) -> set[str]:
    """The keys (data-b values, "#id" of key elements) of a document."""
    try:
        root, _kind = _parse(xhtml)
    except Exception:
        return set()
    tree = Tree(root)
    keys = set()
    for node in root.iter():
        if not local_name(node.tag):
            continue
        if node.get("data-b") is not None:
            keys.add(node.get("data-b"))
        elif node.get("id") is not None and tree.key_of(node) is node:
            keys.add("#" + node.get("id"))
    return keys


def plan_page_breaks(starts: Sequence[PageStart], documents: Sequence[tuple[str, str]],
                     whole: dict[str, str] | None = None) -> tuple[dict[str, Placement], list[tuple[str, str]]]:
    """Which document gets which marker, and the page-list entries.

    *documents* are (file name, xhtml) in reading order; *whole* maps an anchor
    that stands for a whole document (the print title page -> the e-book's title
    page) to its file: a page that starts at such an anchor gets its marker at
    the start of that document.
    Returns ({file: Placement}, [(href, label)] in page order).  Pages without a
    place in the e-book go where the next placed page goes; pages after the last
    one go at the end of the last document that holds a marker.
    """
    whole = whole or {}
    keys = {name: document_keys(xhtml) for name, xhtml in documents}
    order = [name for name, _ in documents]

    def locate(start: PageStart):
        if start.anchor and start.offset == 0 and whole.get(start.anchor) in keys:
            return whole[start.anchor], "start", start
        key = start.key
        if key is None:
            return None
        for name in order:
            if key in keys[name]:
                return name, "inline", start
        return None

    located = [locate(s) for s in starts]
    placements: dict[str, Placement] = {}
    entries: list[tuple[str, str]] = []
    last_file = None
    for i, start in enumerate(starts):
        where = located[i]
        if where is None:
            where = next((w for w in located[i + 1:] if w is not None), None)
            if where is not None:
                name, kind, target = where
                if kind == "inline":
                    where = (name, kind, replace(target, page=start.page, label=start.label))
                else:
                    where = (name, kind, start)
        if where is None:
            if last_file is None:
                continue                                    # no document at all: no page-list
            where = (last_file, "end", start)
        name, kind, target = where
        if kind == "inline":
            placements.setdefault(name, Placement()).inline.append(target)
        elif kind == "start":
            placements.setdefault(name, Placement()).at_start.append(replace(target, page=start.page,
                                                                          label=start.label))
        else:
            placements.setdefault(name, Placement()).at_end.append(start)
        last_file = name
        entries.append((f"{name}#page-{start.label}", start.label))
    return placements, entries


def page_list_nav(entries: Sequence[tuple[str, str]], title: str = "Page list") -> str:
    """The EPUB navigation page-list: (href, label) per page, in page order; *title* its name."""
    items = "".join(f'<li><a href="{escape(href, quote=True)}">{escape(label, quote=False)}</a></li>'
                    for href, label in entries)
    return (f'<nav xmlns:epub="{EPUB_NS}" epub:type="page-list" role="doc-pagelist" id="page-list" '
            f'aria-label="{escape(title, quote=True)}" hidden=""><ol>{items}</ol></nav>')
