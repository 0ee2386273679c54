"""Assembling a book from parts laid out as separate PDFs (see parallel.py).

Where each part goes (:func:`first_pages`, with the blank pages before it), its
anchors and page starts in the book's numbers, and the merge with pikepdf, which
rebuilds across the parts what the one-document build gets from WeasyPrint:

* the pages, in order, with a truly blank page (no folio, no head, no content)
  where a part must start on a right-hand page;
* one name tree of named destinations (WeasyPrint's destination arrays are
  direct objects: their page is mapped to the page just copied);
* links to other parts, written ``href="xref:ID"`` (:func:`link_out`) and kept
  by WeasyPrint as URI actions, turned into ``/Dest (ID)``;
* the outline, nested from the bookmark levels of every page as WeasyPrint
  nests them (``make_page_bookmark_tree`` in weasyprint/anchors.py);
* document information, XMP metadata, /Lang, and for tagged PDF (PDF/UA-1)
  one structure tree: the elements of every part under one Document element,
  the parent tree renumbered (pages' /StructParents, annotations'
  /StructParent), /MarkInfo and /ViewerPreferences /DisplayDocTitle.
"""
from __future__ import annotations

from ..model import PageStart
from .fonts import share_fonts

import re
import warnings
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, String

XREF = "xref:"
ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'href="#([^"]+)"')
CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")


def first_pages(parts: list, counts: dict, opens_right) -> tuple[dict, dict]:
    """(first page, blank pages before) of every part, by name; *opens_right(part)*: must the
    part start on a right-hand (odd) page?"""
    starts, blanks, page = {}, {}, 1
    for part in parts:
        blanks[part.name] = 1 if page % 2 == 0 and opens_right(part) else 0
        page += blanks[part.name]
        starts[part.name] = page
        page += counts[part.name]
    return starts, blanks


def book_anchors(parts: list, results: dict, starts: dict) -> dict:
    """Every id -> its page in the book, from the parts' own anchors (results: name -> result)."""
    anchors: dict = {}
    for part in parts:
        for ident, page in results.get(part.name, {}).get("anchors", {}).items():
            anchors.setdefault(ident, starts[part.name] - 1 + page)
    return anchors


def book_page_starts(parts: list, ordered: list[dict], starts: dict, blanks: dict) -> list | None:
    """pagemap.PageStart of every page of the book (a blank page has no place)."""
    out = []
    for part, result in zip(parts, ordered):
        if result.get("starts") is None:
            return None
        for n in range(blanks[part.name]):
            page = starts[part.name] - blanks[part.name] + n
            out.append(PageStart(page, None, 0, str(page)))
        out += [PageStart(**dict(start, page=starts[part.name] - 1 + start["page"])) for start in result["starts"]]
    return out


@dataclass
class PartPdf:
    data: bytes
    blanks_before: int = 0
    # per page: [(level, label, (x, y) in PDF user space, state)], as in WeasyPrint's page.bookmarks
    bookmarks: list = field(default_factory=list)


@dataclass
class Merged:
    data: bytes
    pages: int
    problems: list[str] = field(default_factory=list)


def merge(parts: list[PartPdf], tagged: bool = False, fonts: dict | None = None, subsets=None) -> Merged:
    """The parts as one PDF; *fonts* (file name -> bytes): the fonts the parts were laid out
    with, of which each face is embedded once (see fonts.py; *subsets*: the subsets kept)."""
    out = pikepdf.Pdf.new()
    problems: list[str] = []
    sources = [pikepdf.open(BytesIO(part.data)) for part in parts]
    try:
        names = NameTree.new(out)
        struct = _StructMerger(out) if tagged else None
        offsets = []
        for part, src in zip(parts, sources):
            for _ in range(part.blanks_before):
                _blank_page(out, src.pages[0])
            offset = len(out.pages)
            offsets.append(offset)
            with warnings.catch_warnings():      # the named destinations are copied below
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                out.pages.extend(src.pages)
            page_of = {page.objgen: out.pages[offset + i].obj for i, page in enumerate(src.pages)}
            _copy_names(src, names, page_of, problems)
            if struct is not None:
                struct.add(src, out.pages[offset:offset + len(src.pages)], problems)
        known = set(names.keys())
        for page in out.pages:
            _resolve_xrefs(page, known, problems)
        out.Root.Names = Dictionary(Dests=names.obj)
        _outline(out, parts, offsets)
        first = sources[0]
        for key in CATALOG_KEYS:
            if key in first.Root:
                out.Root[key] = _copy(out, first, first.Root[key])
        if first.trailer.get("/Info") is not None:
            out.trailer.Info = _copy(out, first, first.trailer.Info)
        if struct is not None:
            struct.finish()
            out.Root.MarkInfo = Dictionary(Marked=True)
            out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        if fonts:
            share_fonts(out, fonts, subsets)
        version = max((src.pdf_version for src in sources), key=lambda v: tuple(int(x) for x in v.split(".")))
        buffer = BytesIO()
        out.save(buffer, min_version=version, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return Merged(buffer.getvalue(), len(out.pages), problems)
    finally:
        for src in sources:
            src.close()
        out.close()


def _copy(out: pikepdf.Pdf, src: pikepdf.Pdf, obj):
    if isinstance(obj, (Dictionary, Array, pikepdf.Stream)):
        return out.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))
    return obj


def _blank_page(out: pikepdf.Pdf, like: pikepdf.Page) -> None:
    box = [float(v) for v in like.obj.MediaBox]
    page = out.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))
    for key in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if key in like.obj:
            page.obj[key] = Array([float(v) for v in like.obj[key]])


def _copy_names(src: pikepdf.Pdf, names: NameTree, page_of: dict, problems: list[str]) -> None:
    tree = src.Root.get("/Names", {}).get("/Dests") if "/Names" in src.Root else None
    if tree is None:
        return
    for name, dest in NameTree(tree).items():
        if isinstance(dest, Dictionary):
            dest = dest.D
        page = page_of.get(dest[0].objgen) if len(dest) else None
        if page is None:
            problems.append(f"destination {name!r} points to no page of its part")
            continue
        if name not in names:          # an id given twice: the first one wins, as in one document
            names[name] = Array([page] + list(dest[1:]))


def link_out(html: str, elsewhere: set) -> str:
    """In a part's HTML, ``href="#ID"`` to an id of another part (*elsewhere*) becomes
    ``href="xref:ID"``, which WeasyPrint keeps as a URI (``#ID`` it would drop)."""
    own = set(ID.findall(html))
    return _HREF.sub(lambda m: f'href="{XREF}{m.group(1)}"' if m.group(1) not in own and m.group(1) in elsewhere
                     else m.group(0), html)


def _resolve_xrefs(page: pikepdf.Page, known: set, problems: list[str]) -> None:
    for annot in page.obj.get("/Annots", ()):
        action = annot.get("/A")
        if action is None or action.get("/S") != Name.URI:
            continue
        uri = str(action.get("/URI", ""))
        if not uri.startswith(XREF):
            continue
        target = unquote(uri[len(XREF):])
        if target not in known:
            problems.append(f"link to #{target}, which is in no part")
            continue
        del annot["/A"]
        annot.Dest = String(target)
        if "/Contents" in annot:          # tagged PDF: WeasyPrint writes the target as the link's text
            annot.Contents = String(target)


# -- outline ------------------------------------------------------------------------

def _bookmark_tree(pages: list[list]) -> list:
    """WeasyPrint's nesting of bookmarks (weasyprint/anchors.py, make_page_bookmark_tree) over
    every page of the book: [(label, (page index, x, y), children, state)]."""
    root: list = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    for number, bookmarks in enumerate(pages):
        for level, label, (x, y), state in bookmarks:
            if level > previous:
                skipped.append(level - previous - 1)
            else:
                temp = level
                while temp < previous:
                    temp += 1 + skipped.pop()
                if temp > previous:
                    skipped.append(temp - previous - 1)
            previous = level
            depth = level - sum(skipped)
            children: list = []
            last_by_depth[depth - 1].append((label, (number, x, y), children, state))
            del last_by_depth[depth:]
            last_by_depth.append(children)
    return root


def _outline(out: pikepdf.Pdf, parts: list[PartPdf], offsets: list[int]) -> None:
    pages: list[list] = [[] for _ in range(len(out.pages))]
    for part, offset in zip(parts, offsets):
        for i, bookmarks in enumerate(part.bookmarks):
            pages[offset + i] = list(bookmarks)
    tree = _bookmark_tree(pages)
    if not tree:
        return

    def items(subtrees):
        made = []
        for label, (number, x, y), children, state in subtrees:
            dest = Array([out.pages[number].obj, Name.XYZ, x, y, 0])
            item = OutlineItem(label, dest)
            item.is_closed = state == "closed"
            item.children.extend(items(children))
            made.append(item)
        return made

    with out.open_outline() as outline:
        outline.root.extend(items(tree))


# -- structure tree -----------------------------------------------------------------

class _StructMerger:
    """The structure trees of the parts under one Document element, with one parent tree."""

    def __init__(self, out: pikepdf.Pdf):
        self.out = out
        self.document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
        self.nums = Array()
        self.next_key = 0
        self.role_map = Dictionary()

    def add(self, src: pikepdf.Pdf, pages: list, problems: list[str]) -> None:
        if "/StructTreeRoot" not in src.Root:
            problems.append("a part has no structure tree")
            return
        root = self.out.copy_foreign(src.Root.StructTreeRoot)   # same copier as the pages: /Pg maps
        old = {root.objgen}                  # the part's root and Document element, left behind
        for kid in _items(root.get("/K")):
            elements = [kid]
            if kid.get("/S") == Name.Document:     # WeasyPrint's own Document element: take its children
                old.add(kid.objgen)
                elements = _items(kid.get("/K"))
            for element in elements:
                if isinstance(element, Dictionary):
                    element.P = self.document
                self.document.K.append(element)
        if "/RoleMap" in root:
            for key, value in root.RoleMap.items():
                self.role_map[key] = value
        offset = self.next_key
        largest, seen = -1, set()
        for key, value in _number_tree_items(root.get("/ParentTree")):
            self.nums.append(key + offset)
            self.nums.append(value)
            largest = max(largest, key)
            for element in _items(value):
                self._reattach(element, old, seen)
        self.next_key = offset + largest + 1
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annot in page.obj.get("/Annots", ()):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset

    def _reattach(self, element, old: set, seen: set) -> None:
        """WeasyPrint 70 leaves some NonStruct elements out of the tree's /K, with the Document
        element as their /P: they get the book's Document, or the part's root stays reachable."""
        while isinstance(element, Dictionary) and element.objgen not in seen and element.get("/P") is not None:
            seen.add(element.objgen)
            if element.P.objgen in old:
                element.P = self.document
                return
            element = element.P

    def finish(self) -> None:
        tree = self.out.make_indirect(Dictionary(Nums=self.nums))
        root = Dictionary(Type=Name.StructTreeRoot, K=Array([self.document]), ParentTree=tree,
                          ParentTreeNextKey=self.next_key)
        if len(self.role_map):
            root.RoleMap = self.role_map
        root = self.out.make_indirect(root)
        self.document.P = root
        self.out.Root.StructTreeRoot = root


def _items(value) -> list:
    return [value] if isinstance(value, Dictionary) else list(value or ())


def _number_tree_items(node):
    """(key, value) of a number tree, leaves in order."""
    if node is None:
        return
    if "/Nums" in node:
        nums = node.Nums
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", ()):
        yield from _number_tree_items(kid)

