"""Places in the text of the book, shared by the print and the e-book renderings.

A place is a *key element* and an offset in its text.  The key element of a piece of
text is its nearest ancestor (or itself) with a ``data-b`` attribute, the text blocks
that both renderings share (paragraphs, headings, table cells, tight list items, figure
captions); text that is in no such block belongs to its nearest ancestor with an ``id``
(a chapter's section, whose title has no ``data-b``; a figure; a bibliography entry; an
index entry; the bibliography and index sections).  The *text* of a key element is its
text content minus the text of nested key elements, minus note bodies (``span.fn`` in
the PDF, ``aside`` in the e-book) and note calls (``a.noteref``: in the PDF the first
call is generated content, repeated calls are excluded on both sides alike), with soft
hyphens removed and white space collapsed (runs of space, tab, CR, LF become one space;
leading white space is dropped).  The offset is an index into that text.  Index mention
spans and links are transparent.

The PDF side (pdf/pagemap.py) finds where each print page begins as such a place; the
e-book side (epub/pagebreaks.py) puts a page-break marker at the same place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
SKIPPED_PSEUDO = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")
HYPHENS = {"-", "\u2010", "\u2011", "\u00ad"}
INVISIBLE = "\u00ad\u200b\u2060"    # soft hyphen, zero-width space, word joiner: no text of their own
NOT_PHRASING_PARENTS = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "select",
                        "optgroup", "datalist", "menu", "hgroup", "html", "head"}
EXCLUDED_TAGS = {"aside", "script", "style", "head", "title", "template"}
EXCLUDED_CLASSES = {"fn", "noteref", "footnotes"}



def local_name(tag) -> str:
    if not isinstance(tag, str):
        return ""                                   # comment or processing instruction
    return tag.rsplit("}", 1)[-1].lower()


def _excluded(element) -> bool:
    tag = local_name(element.tag)
    if not tag or tag in EXCLUDED_TAGS:
        return True
    classes = (element.get("class") or "").split()
    if any(c in EXCLUDED_CLASSES for c in classes):
        return True
    kind = element.get("{%s}type" % EPUB_NS) or element.get("epub:type") or ""
    return any(k in ("footnote", "footnotes", "endnote", "endnotes", "pagebreak") for k in kind.split())


def is_block_key(element) -> bool:
    return element.get("data-b") is not None


@dataclass
class KeyText:
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


def key_text(element, nested: bool = False) -> KeyText:
    """The text of *element* as a key element (works on lxml and ElementTree trees);
    with *nested*, the text of nested key elements is included."""
    id_keyed = not is_block_key(element)
    out = KeyText()
    chars: list[str] = []
    pending_space = False

    def add(owner, which: str, text: str) -> None:
        nonlocal pending_space
        seg = len(out.nodes)
        out.nodes.append((owner, which))
        for i, ch in enumerate(text):
            if ch in INVISIBLE:
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
        if is_block_key(child):
            return True
        return id_keyed and child.get("id") is not None

    def walk(node) -> None:
        if node.text and local_name(node.tag):
            add(node, "text", node.text)
        for child in node:
            if local_name(child.tag) and not _excluded(child) and not nested_key(child):
                walk(child)
            if child.tail:
                add(child, "tail", child.tail)

    walk(element)
    out.norm = "".join(chars)
    return out


def excerpt_at(key, text: KeyText, offset: int, length: int = 60) -> str:
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


class Tree:
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
            if is_block_key(node):
                found = node
                break
            if with_id is None and node.get("id") is not None:
                with_id = node
            node = self.parent.get(node)
        found = found if found is not None else with_id
        self._keys[element] = found
        return found

    def text(self, key) -> KeyText:
        if key not in self._texts:
            self._texts[key] = key_text(key)
        return self._texts[key]


# -- reading the layout ---------------------------------------------------------------------

@dataclass
class Cursor:
    k: int = 0                  # next non-space character of the key text to match
    pending: str = ""           # case-folded rendered characters not yet matched (ß -> SS)
    errors: int = 0


def align(text: KeyText, cursor: Cursor, rendered: str, on_first) -> None:
    """Advance *cursor* over *rendered*; call on_first(k) at the first matched character."""
    source = text.norm
    # no soft hyphen, nor the zero-width space WeasyPrint adds to a lone space that carries word-spacing
    chars = [c for c in rendered if not c.isspace() and c not in INVISIBLE]
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
