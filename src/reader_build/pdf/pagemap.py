"""Where each print page begins: read from the laid-out WeasyPrint ``Document`` (no PDF
read-back), as a place in the source text (render/places.py).

**Reading the layout.** Only the body flow of each page is walked (not the
footnote area, not the margin boxes); the subtrees of generated content
(``::before``, ``::after``, ``::marker``, ``::footnote-call``,
``::footnote-marker``) are skipped and ``::first-letter`` is kept; a table
header repeated at the top of a later page is skipped.  Every rendered
``TextBox`` is aligned with its key element's text one non-space character at
a time, case-folded (``text-transform``), dropping a hyphenation hyphen the
source lacks.  The page starts at its first text (or image): a mid-word start
(after a hyphenated line) is snapped back to the start of the word.
"""
from __future__ import annotations

from typing import Sequence

from ..model import PageStart
from ..render.places import SKIPPED_PSEUDO, Cursor, Tree, align, is_block_key, excerpt_at
from .engine import boxes, flow_children, page_children


def _root_element(document):
    for page in document.pages:
        for child in page_children(page):
            if getattr(child, "element", None) is not None:
                node = child.element
                return node
    return None


def page_starts(document, labels: Sequence[str] | None = None, stats: dict | None = None) -> list[PageStart]:
    """The start of every page of a laid-out WeasyPrint *document*.

    *labels* overrides the printed folio of each page (default: the page number).
    *stats*, when given, receives ``alignment_errors``: rendered characters that
    did not match their source (0 when every box was aligned).  Never raises for
    an odd layout: a page that cannot be read gets no place.
    """
    root = _root_element(document)
    tree = Tree(root) if root is not None else None
    cursors: dict = {}
    seen_headers: set = set()
    starts: list[PageStart] = []

    for number, page in enumerate(document.pages, start=1):
        label = labels[number - 1] if labels and number - 1 < len(labels) else str(number)
        found: list = []                            # [(key, k)] of the page's first content

        def first_at(key, k):
            if not found:
                found.append((key, k))

        def visit(box):
            tag = box.element_tag or ""
            if "::" in tag and tag.endswith(SKIPPED_PSEUDO):
                return
            if isinstance(box, boxes.TableRowGroupBox) and (box.is_header or box.is_footer):
                ident = box.element
                if ident is not None and ident in seen_headers:
                    return                          # a header repeated on a later page
                if ident is not None:
                    seen_headers.add(ident)
            element = box.element
            if isinstance(box, boxes.TextBox):
                if element is None or not box.text or not box.text.strip() or tree is None:
                    return
                if tree.excluded(element):
                    return
                key = tree.key_of(element)
                if key is None:
                    first_at(None, 0)
                    return
                cursor = cursors.setdefault(key, Cursor())
                align(tree.text(key), cursor, box.text, lambda k: first_at(key, k))
                return
            if isinstance(box, boxes.ReplacedBox):
                if element is not None and tree is not None and not tree.excluded(element):
                    key = tree.key_of(element)
                    first_at(key, cursors.setdefault(key, Cursor()).k if key is not None else 0)
                return
            for child in getattr(box, "children", ()) or ():
                visit(child)

        try:
            for child in flow_children(page):
                visit(child)
        except (AttributeError, TypeError, IndexError, KeyError):   # an unexpected box tree
            pass

        if not found or found[0][0] is None:
            starts.append(PageStart(number, None, 0, label))
            continue
        key, k = found[0]
        text = tree.text(key)
        offset = text.snap(text.offset_of(k))
        excerpt = excerpt_at(key, text, offset)
        if is_block_key(key):
            starts.append(PageStart(number, key.get("data-b"), offset, label, excerpt=excerpt))
        else:
            starts.append(PageStart(number, None, offset, label, anchor=key.get("id"), excerpt=excerpt))
    if stats is not None:
        stats["alignment_errors"] = sum(c.errors for c in cursors.values())
    return starts
