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

:class:`Merger` copies the parts in one fixed order, and may copy those whose pages are done
while others are still laid out (merging ahead): the file is the same bytes either way.
"""
from __future__ import annotations

from ..model import PageStart
from .fonts import share_fonts

import re
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
    # where the structure elements left out of the part's tree hang (:func:`orphans`); None: not known
    orphans: list | None = None


@dataclass
class Merged:
    data: bytes
    pages: int
    problems: list[str] = field(default_factory=list)


def merge(parts: list[PartPdf], tagged: bool = False, fonts: dict | None = None, subsets=None) -> Merged:
    """The parts as one PDF; *fonts* (file name -> bytes): the fonts the parts were laid out
    with, of which each face is embedded once (see fonts.py; *subsets*: the subsets kept)."""
    with Merger(tagged, fonts, subsets) as merger:
        return merger.finish(parts)


@dataclass
class _Added:
    """One part copied into the book: its source (open until the book is written), its pages,
    named destinations, structure and the links to other parts on its pages."""
    data: bytes
    src: pikepdf.Pdf
    pages: list
    names: dict
    struct: dict | None
    xrefs: list
    problems: list


class Merger:
    """The book made of its parts, one :meth:`add` at a time, then :meth:`finish`.

    A build adds the parts whose pages are done while the workers lay out the others (see
    parallel.py), so that little is left to do once the last one is.  Parts are added in their
    *creation order* (:meth:`finish`'s *order*), each copying its objects into the book; a part
    added before whose PDF is not the one it ends with is dropped, with every part added after
    it (what they copied is left unreferenced: not written).  The book's objects are so made in
    one order whatever was added when, and the file is the same bytes: pikepdf's object streams
    keep their objects in the order they were made."""

    def __init__(self, tagged: bool = False, fonts: dict | None = None, subsets=None):
        self.out = pikepdf.Pdf.new()
        self.fonts, self.subsets = fonts, subsets
        self.struct = _StructMerger(self.out) if tagged else None
        self.added: list[_Added] = []
        self.dropped: list[pikepdf.Pdf] = []

    def __enter__(self) -> "Merger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for src in [added.src for added in self.added] + self.dropped:
            src.close()
        self.added, self.dropped = [], []
        self.out.close()

    def add(self, part: PartPdf) -> None:
        """Copy the next part of the creation order into the book."""
        src = pikepdf.open(BytesIO(part.data))
        problems: list[str] = []
        pages = [self.out.copy_foreign(page.obj) for page in src.pages]
        names: dict[str, Array] = {}
        _copy_names(src, names, {page.objgen: copied for page, copied in zip(src.pages, pages)}, problems)
        struct = self.struct.add(src, pages, problems, part.orphans) if self.struct is not None else None
        xrefs = [annot for page in pages for annot in _xref_annots(page)]
        self.added.append(_Added(part.data, src, pages, names, struct, xrefs, problems))

    def keep(self, count: int) -> None:
        """Drop every part added after the first *count*."""
        for added in self.added[count:]:
            if self.struct is not None:
                self.struct.next_key = min(self.struct.next_key, added.struct["offset"])
            self.dropped.append(added.src)     # (closed with the book: what it lent may be unwritten)
        del self.added[count:]

    def current(self, data_of, order: list[int]) -> int:
        """How many of the parts added are still those of *order* (*data_of(index)*: the PDF a
        part has now, or None); the others are dropped."""
        count = 0
        while count < min(len(self.added), len(order)):
            data = data_of(order[count])
            if data is None or (self.added[count].data is not data and self.added[count].data != data):
                break
            count += 1
        self.keep(count)
        return count

    def finish(self, parts: list[PartPdf], order: list[int] | None = None) -> Merged:
        """The book: *parts* in book order, added in *order* (indices into *parts*; default:
        book order), those added already kept where they are still the same."""
        order = list(range(len(parts))) if order is None else order
        for index in order[self.current(lambda index: parts[index].data, order):]:
            self.add(parts[index])
        added = [None] * len(parts)
        for index, record in zip(order, self.added):
            added[index] = record
        out, problems, names = self.out, [], {}
        offsets = []
        for part, record in zip(parts, added):
            for _ in range(part.blanks_before):
                _blank_page(out, record.src.pages[0])
            offsets.append(len(out.pages))
            for page in record.pages:
                out.pages.append(pikepdf.Page(page))
            for name, dest in record.names.items():
                names.setdefault(name, dest)      # an id given twice: the first one wins, as in one document
            problems += record.problems
        for record in added:
            for annot in record.xrefs:
                _resolve_xref(annot, names, problems)
        out.Root.Names = Dictionary(Dests=_name_tree(out, names))
        _outline(out, parts, offsets)
        first = added[0].src
        for key in CATALOG_KEYS:
            if key in first.Root:
                out.Root[key] = _copy(out, first, first.Root[key])
        if first.trailer.get("/Info") is not None:
            out.trailer.Info = _copy(out, first, first.trailer.Info)
        if self.struct is not None:
            self.struct.finish([record.struct for record in added])
            out.Root.MarkInfo = Dictionary(Marked=True)
            out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        if self.fonts:
            share_fonts(out, self.fonts, self.subsets)
        version = max((record.src.pdf_version for record in added), key=lambda v: tuple(int(x) for x in v.split(".")))
        buffer = BytesIO()
        out.save(buffer, min_version=version, deterministic_id=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return Merged(buffer.getvalue(), len(out.pages), problems)


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


def _copy_names(src: pikepdf.Pdf, names: dict, page_of: dict, problems: list[str]) -> None:
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


def _name_key(name: str) -> bytes:
    """The bytes a name tree is sorted by: the string as the PDF holds it (PDFDocEncoding, or
    UTF-16BE with its byte-order mark)."""
    try:
        return name.encode("pdfdoc")
    except UnicodeEncodeError:
        return b"\xfe\xff" + name.encode("utf-16-be")


def _name_tree(out: pikepdf.Pdf, names: dict, fanout: int = 32):
    """A balanced name tree of *names* (name -> destination), built at once: inserting them one
    by one into a :class:`pikepdf.NameTree` costs a search of the tree for each."""
    keys = sorted(names, key=_name_key)
    level = []
    for i in range(0, len(keys), fanout):
        chunk = keys[i:i + fanout]
        pairs = Array()
        for key in chunk:
            pairs.append(String(key))
            pairs.append(names[key])
        level.append((chunk[0], chunk[-1], Dictionary(Names=pairs)))
    if len(level) <= 1:
        return out.make_indirect(level[0][2] if level else Dictionary(Names=Array()))
    while len(level) > fanout:
        level = [(group[0][0], group[-1][1], Dictionary(Kids=Array(_limited(out, group))))
                 for group in (level[i:i + fanout] for i in range(0, len(level), fanout))]
    return out.make_indirect(Dictionary(Kids=Array(_limited(out, level))))


def _limited(out: pikepdf.Pdf, nodes: list) -> list:
    """The nodes below the root of a name tree, each indirect with its /Limits."""
    made = []
    for first, last, node in nodes:
        node.Limits = Array([String(first), String(last)])
        made.append(out.make_indirect(node))
    return made


def link_out(html: str, elsewhere: set) -> str:
    """In a part's HTML, ``href="#ID"`` to an id of another part (*elsewhere*) becomes
    ``href="xref:ID"``, which WeasyPrint keeps as a URI (``#ID`` it would drop)."""
    own = set(ID.findall(html))
    return _HREF.sub(lambda m: f'href="{XREF}{m.group(1)}"' if m.group(1) not in own and m.group(1) in elsewhere
                     else m.group(0), html)


def _xref_annots(page) -> list:
    """The annotations of *page* that link to another part (``xref:ID``, see :func:`link_out`)."""
    found = []
    for annot in page.get("/Annots", ()):
        action = annot.get("/A")
        if action is not None and action.get("/S") == Name.URI and str(action.get("/URI", "")).startswith(XREF):
            found.append(annot)
    return found


def _resolve_xref(annot, known, problems: list[str]) -> None:
    target = unquote(str(annot.A.URI)[len(XREF):])
    if target not in known:
        problems.append(f"link to #{target}, which is in no part")
        return
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
        self.next_key = 0

    def add(self, src: pikepdf.Pdf, pages: list, problems: list[str], orphans: list | None = None) -> dict:
        """Copy the part's structure tree (its *pages* copied already, by the same copier: /Pg
        maps); the part's keys in the parent tree follow those of the parts added before."""
        record = {"offset": self.next_key, "kids": [], "roles": [], "nums": []}
        if "/StructTreeRoot" not in src.Root:
            problems.append("a part has no structure tree")
            return record
        root = self.out.copy_foreign(src.Root.StructTreeRoot)
        old = {root.objgen}                  # the part's root and Document element, left behind
        for kid in _items(root.get("/K")):
            elements = [kid]
            if kid.get("/S") == Name.Document:     # WeasyPrint's own Document element: take its children
                old.add(kid.objgen)
                elements = _items(kid.get("/K"))
            for element in elements:
                if isinstance(element, Dictionary):
                    element.P = self.document
                record["kids"].append(element)
        if "/RoleMap" in root:
            record["roles"] = list(root.RoleMap.items())
        offset = self.next_key
        largest, seen, values = -1, set(), {}
        for key, value in _number_tree_items(root.get("/ParentTree")):
            record["nums"].append((key + offset, value))
            largest = max(largest, key)
            if orphans is None:          # not known: every marked element, up to where it hangs
                for element in _items(value):
                    self._reattach(element, old, seen)
            else:
                values[key] = value
        for key, index in orphans or ():
            elements = _items(values.get(key))
            if index < len(elements):
                self._reattach(elements[index], old, seen)
        self.next_key = offset + largest + 1
        for page in pages:
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + offset
            for annot in page.get("/Annots", ()):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        return record

    def _reattach(self, element, old: set, seen: set) -> None:
        """WeasyPrint 70 leaves some NonStruct elements out of the tree's /K, with the Document
        element as their /P: they get the book's Document, or the part's root stays reachable."""
        while isinstance(element, Dictionary) and element.objgen not in seen and element.get("/P") is not None:
            seen.add(element.objgen)
            if element.P.objgen in old:
                element.P = self.document
                return
            element = element.P

    def finish(self, records: list[dict]) -> None:
        """The book's structure tree: the parts' elements in book order (*records*), the parent
        tree's keys in their order."""
        role_map = Dictionary()
        for record in records:
            self.document.K.extend(record["kids"])
            for key, value in record["roles"]:
                role_map[key] = value
        nums = Array()
        for key, value in sorted((item for record in records for item in record["nums"]), key=lambda kv: kv[0]):
            nums.append(key)
            nums.append(value)
        tree = self.out.make_indirect(Dictionary(Nums=nums))
        root = Dictionary(Type=Name.StructTreeRoot, K=Array([self.document]),
                          ParentTree=tree, ParentTreeNextKey=self.next_key)
        if len(role_map):
            root.RoleMap = role_map
        root = self.out.make_indirect(root)
        self.document.P = root
        self.out.Root.StructTreeRoot = root


def orphans(data: bytes) -> list[list[int]]:
    """The structure elements of a part's tree that hang from its root or its Document element
    without being among their kids (WeasyPrint 70 leaves some NonStruct elements so): for each,
    [parent-tree key, index] of one marked element below it.  Found where the part is laid out,
    so that the merge walks up from these alone (:meth:`_StructMerger._reattach`)."""
    with pikepdf.open(BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return []
        old, kids = {root.objgen}, set()
        for kid in _items(root.get("/K")):
            kids.add(kid.objgen)
            if kid.get("/S") == Name.Document:
                old.add(kid.objgen)
                kids.update(element.objgen for element in _items(kid.get("/K")) if isinstance(element, Dictionary))
        found, seen, tops = [], set(), set()
        for key, value in _number_tree_items(root.get("/ParentTree")):
            for index, element in enumerate(_items(value)):
                while isinstance(element, Dictionary) and element.objgen not in seen and element.get("/P") is not None:
                    seen.add(element.objgen)
                    if element.P.objgen in old:
                        if element.objgen not in kids and element.objgen not in tops:
                            tops.add(element.objgen)
                            found.append([key, index])
                        break
                    element = element.P
        return found


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

