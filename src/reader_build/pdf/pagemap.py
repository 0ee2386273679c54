"""Where each print page begins, and the same places in the e-book.

:func:`page_starts` reads the laid-out WeasyPrint ``Document`` (no PDF read-back)
and gives, for every page, the place in the source where its text begins;
:func:`insert_page_breaks` puts an ``epub:type="pagebreak"`` marker at that place
in an e-book document, and :func:`page_list_nav` writes the navigation
``page-list`` that leads to the markers.

**Places.** A place is a *key element* and an offset in its text.  The key
element of a piece of text is its nearest ancestor (or itself) with a
``data-b`` attribute, the text blocks that both renderings share (paragraphs,
headings, table cells, tight list items, figure captions); text that is in no
such block belongs to its nearest ancestor with an ``id`` (a chapter's
section, whose title has no ``data-b``; a figure; a bibliography entry; an
index entry; the bibliography and index sections).  The *text* of a key
element is its text content minus the text of nested key elements, minus note
bodies (``span.fn`` in the PDF, ``aside`` in the e-book) and note calls
(``a.noteref``: in the PDF the first call is generated content, repeated calls
are excluded on both sides alike), with soft hyphens removed and white space
collapsed (runs of space, tab, CR, LF become one space; leading white space is
dropped).  The offset is an index into that text.  Index mention spans and
links are transparent.

**Reading the layout.** Only the body flow of each page is walked (not the
footnote area, not the margin boxes); the subtrees of generated content
(``::before``, ``::after``, ``::marker``, ``::footnote-call``,
``::footnote-marker``) are skipped and ``::first-letter`` is kept; a table
header repeated at the top of a later page is skipped.  Every rendered
``TextBox`` is aligned with its key element's text one non-space character at
a time, case-folded (``text-transform``), dropping a hyphenation hyphen the
source lacks.  The page starts at its first text (or image): a mid-word start
(after a hyphenated line) is snapped back to the start of the word.

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

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
SKIPPED_PSEUDO = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")
HYPHENS = {"-", "\u2010", "\u2011", "\u00ad"}
NOT_PHRASING_PARENTS = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "select",
                        "optgroup", "datalist", "menu", "hgroup", "html", "head"}
EXCLUDED_TAGS = {"aside", "script", "style", "head", "title", "template"}
EXCLUDED_CLASSES = {"fn", "noteref", "footnotes"}


@dataclass(frozen=True)
class PageStart:
    """Where a print page begins.

    ``block`` is the ``data-b`` of the text block where the page's text begins;
    when that text is in no block, ``anchor`` is the id of its key element (a
    chapter section for a page that opens with the chapter title, a figure, a
    bibliography or index entry).  ``offset`` indexes the key element's text (see
    the module's documentation).  A page with no text, or whose text has no key
    element, has neither.  ``label`` is the printed folio; ``excerpt`` the first
    words from the start (empty for a page that opens with a figure's image).
    """

    page: int                   # 1-based
    block: str | None
    offset: int
    label: str
    anchor: str | None = None
    excerpt: str = field(default="", compare=False)    # the first words of the page (for messages)

    @property
    def key(self) -> str | None:
        """``data-b`` value or ``#id``: the key element's name in any rendering."""
        if self.block:
            return self.block
        if self.anchor:
            return "#" + self.anchor
        return None


# -- the text of a key element (shared by both renderings) --------------------------------

def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""                                   # comment or processing instruction
    return tag.rsplit("}", 1)[-1].lower()


def _excluded(element) -> bool:
    tag = _local(element.tag)
    if not tag or tag in EXCLUDED_TAGS:
        return True
    classes = (element.get("class") or "").split()
    if any(c in EXCLUDED_CLASSES for c in classes):
        return True
    kind = element.get("{%s}type" % EPUB_NS) or element.get("epub:type") or ""
    return any(k in ("footnote", "footnotes", "endnote", "endnotes", "pagebreak") for k in kind.split())


def _is_block_key(element) -> bool:
    return element.get("data-b") is not None


@dataclass
class _KeyText:
    """The text of one key element: its normalised string and, per character, the
    raw text node it comes from."""

    norm: str = ""
    nodes: list = field(default_factory=list)       # (element, "text" | "tail") per segment
    where: list = field(default_factory=list)       # per norm char: (segment index, raw index)
    nonspace: list = field(default_factory=list)    # norm indexes of the characters aligned (not spaces)

    def offset_of(self, k: int) -> int:
        """Offset of the k-th non-space character (the end when k is past the last)."""
        return self.nonspace[k] if k < len(self.nonspace) else len(self.norm)

    def snap(self, offset: int) -> int:
        """Back to the start of the word that holds *offset*."""
        offset = max(0, min(offset, len(self.norm)))
        while offset > 0 and offset < len(self.norm) and not self.norm[offset - 1].isspace():
            offset -= 1
        return offset


def key_text(element, nested: bool = False) -> _KeyText:
    """The text of *element* as a key element (works on lxml and ElementTree trees);
    with *nested*, the text of nested key elements is included."""
    id_keyed = not _is_block_key(element)
    out = _KeyText()
    chars: list[str] = []
    pending_space = False

    def add(owner, which: str, text: str) -> None:
        nonlocal pending_space
        seg = len(out.nodes)
        out.nodes.append((owner, which))
        for i, ch in enumerate(text):
            if ch == "\u00ad":
                continue
            if ch in " \t\n\r\f":
                if chars:
                    pending_space = True
                continue
            if pending_space:
                chars.append(" ")
                out.where.append((seg, i))          # a collapsed space points at the next character
                pending_space = False
            if not ch.isspace():                    # a no-break space is text, but not aligned
                out.nonspace.append(len(chars))
            chars.append(ch)
            out.where.append((seg, i))

    def nested_key(child) -> bool:
        if nested:
            return False
        if _is_block_key(child):
            return True
        return id_keyed and child.get("id") is not None

    def walk(node) -> None:
        if node.text and _local(node.tag):
            add(node, "text", node.text)
        for child in node:
            if _local(child.tag) and not _excluded(child) and not nested_key(child):
                walk(child)
            if child.tail:
                add(child, "tail", child.tail)

    walk(element)
    out.norm = "".join(chars)
    return out


def excerpt_at(key, text: _KeyText, offset: int, length: int = 60) -> str:
    """The text of the document from *offset* of *key*'s text on, nested key elements
    included (what a reader sees after a marker placed there)."""
    full = key_text(key, nested=True)
    if offset <= 0:
        return full.norm[:length].strip()
    if offset >= len(text.norm):
        return ""
    seg, raw = text.where[offset]
    node = text.nodes[seg]
    for i, (fseg, fraw) in enumerate(full.where):
        if full.nodes[fseg] == node and fraw == raw:
            return full.norm[i:i + length].strip()
    return text.norm[offset:offset + length]


def normalised_text(element) -> str:
    """The normalised text of *element* as a key element."""
    return key_text(element).norm


class _Tree:
    """Parent pointers and key elements of one tree."""

    def __init__(self, root):
        self.parent = {}
        for node in root.iter():
            for child in node:
                self.parent[child] = node
        self._keys: dict = {}
        self._texts: dict = {}

    def excluded(self, element) -> bool:
        node = element
        while node is not None:
            if _excluded(node):
                return True
            node = self.parent.get(node)
        return False

    def key_of(self, element):
        """Nearest ancestor-or-self with data-b, else nearest with an id (None: neither)."""
        if element in self._keys:
            return self._keys[element]
        node, with_id = element, None
        found = None
        while node is not None:
            if _is_block_key(node):
                found = node
                break
            if with_id is None and node.get("id") is not None:
                with_id = node
            node = self.parent.get(node)
        found = found if found is not None else with_id
        self._keys[element] = found
        return found

    def text(self, key) -> _KeyText:
        if key not in self._texts:
            self._texts[key] = key_text(key)
        return self._texts[key]


# -- reading the layout ---------------------------------------------------------------------

@dataclass
class _Cursor:
    k: int = 0                  # next non-space character of the key text to match
    pending: str = ""           # case-folded rendered characters not yet matched (ß -> SS)
    errors: int = 0


def _align(text: _KeyText, cursor: _Cursor, rendered: str, on_first) -> None:
    """Advance *cursor* over *rendered*; call on_first(k) at the first matched character."""
    source = text.norm
    chars = [c for c in rendered if not c.isspace() and c != "\u00ad"]
    for i, ch in enumerate(chars):
        if cursor.k >= len(text.nonspace):
            if not (ch in HYPHENS and i == len(chars) - 1):
                cursor.errors += 1
            continue
        want = source[text.nonspace[cursor.k]].casefold()
        got = cursor.pending + ch.casefold()
        if got == want:
            on_first(cursor.k)
            cursor.k += 1
            cursor.pending = ""
        elif want.startswith(got):
            on_first(cursor.k)
            cursor.pending = got
        elif ch in HYPHENS and i == len(chars) - 1:
            cursor.pending = ""                     # the hyphen of a hyphenated line
        else:
            cursor.pending = ""
            for ahead in range(1, 4):               # resynchronise on a small gap
                j = cursor.k + ahead
                if j < len(text.nonspace) and source[text.nonspace[j]].casefold() == ch.casefold():
                    cursor.errors += 1
                    on_first(j)
                    cursor.k = j + 1
                    break
            else:
                cursor.errors += 1


def _root_element(document):
    for page in document.pages:
        for child in page._page_box.children:
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
    from weasyprint.formatting_structure import boxes

    root = _root_element(document)
    tree = _Tree(root) if root is not None else None
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
                cursor = cursors.setdefault(key, _Cursor())
                _align(tree.text(key), cursor, box.text, lambda k: first_at(key, k))
                return
            if isinstance(box, boxes.ReplacedBox):
                if element is not None and tree is not None and not tree.excluded(element):
                    key = tree.key_of(element)
                    first_at(key, cursors.setdefault(key, _Cursor()).k if key is not None else 0)
                return
            for child in getattr(box, "children", ()) or ():
                visit(child)

        try:
            for child in page._page_box.children:
                if isinstance(child, (boxes.FootnoteAreaBox, boxes.MarginBox)):
                    continue
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
        if _is_block_key(key):
            starts.append(PageStart(number, key.get("data-b"), offset, label, excerpt=excerpt))
        else:
            starts.append(PageStart(number, None, offset, label, anchor=key.get("id"), excerpt=excerpt))
    if stats is not None:
        stats["alignment_errors"] = sum(c.errors for c in cursors.values())
    return starts


# -- placing the markers in the e-book ------------------------------------------------------

def _parse(xhtml: str):
    """(root, serialise): lxml tree of an (X)HTML document or fragment, and how to write it back."""
    from lxml import etree, html

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
    from lxml import etree, html

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
    from lxml import etree

    if kind == "xml":
        tag = f"{{{XHTML_NS}}}span" if str(root.tag).startswith("{") else "span"
        span = etree.Element(tag, nsmap={"epub": EPUB_NS})
        span.set(f"{{{EPUB_NS}}}type", "pagebreak")
        span.set("role", "doc-pagebreak")
        span.set("id", f"page-{start.label}")
        span.set("aria-label", start.label)
        return span
    from lxml import html                        # lxml's HTML parser keeps the name "epub:type"
    label = escape(start.label, quote=True)
    return html.fragment_fromstring(f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" '
                                    f'aria-label="{label}"></span>')


def _insert_at(key, text: _KeyText, offset: int, spans: list, parent_of) -> None:
    """Put *spans* (in order) at *offset* of *key*'s text."""
    if offset <= 0 or not text.norm:
        if _local(key.tag) in NOT_PHRASING_PARENTS:
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
        if _local(node.tag) == "body":
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
    tree = _Tree(root)
    by_key: dict = {}
    ids: dict = {}
    for node in root.iter():
        if not _local(node.tag):
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
    tree = _Tree(root)
    keys = set()
    for node in root.iter():
        if not _local(node.tag):
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
