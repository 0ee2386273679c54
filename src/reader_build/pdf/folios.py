"""A laid-out part that only moved, given the folios of its new pages (issue #16; see parallel.py).

A part whose HTML is unchanged and whose first page moves by an even number of pages has the
pages it had, but for the page numbers in its margin boxes.  Its cached PDF is not laid out
again: each numbered page gets, in place of its old folio, the folio that WeasyPrint sets for
the new number, taken from a *folio sheet*: the part's own document (the same styles and
``@page`` rules) with an empty body of one page per number (:func:`sheet_html`), laid out once.

* **The folios of the sheet** (:func:`sheet_folios`): on each page, the text objects
  (``BT`` … ``ET``) that are not on every page of its side; what is on every page (a running
  head that names the book) is not a folio.
* **The splice** (:func:`refolio`): on each page that has a numbered margin box (the layout
  said so: ``numbered``), the sheet's text objects for the old number must be in the content
  stream exactly once each, as WeasyPrint wrote them (same font, size, position, glyphs);
  they are replaced by the sheet's objects for the new number.  The stream is compressed as
  pydyf compresses it (zlib, level 9), so the bytes are those of a layout at the new page.
  Where a folio is not found so (a margin box that also holds a string, a page whose named
  ``@page`` rule sets the folio otherwise), nothing is spliced: the part is laid out again.
* **Fonts**: a glyph that the new folios use and the part's font lacks is added to its
  ``/W`` and ToUnicode (:func:`fonts.declare_glyphs`), from the sheet's font of the same name,
  and the font is marked, so that the merge (fonts.share_fonts) cuts its subset anew with it.
  Glyphs of the old folios are kept (the merged book's shared subset may then hold a glyph that
  no page uses).

* **An odd move** (the part starts on a page of the other side: its left and right pages
  swap) is made on single-sided pages alone: where the sheet's pages of both sides have the
  same content area, the part's text stands where it stood, and every text object of the
  margin boxes of each page (the running heads too, not the folios alone) is replaced by the
  other side's, in the order drawn.  The layout says how many text objects each page's margin
  boxes have (``margins``): a page with one the sheet does not show (a running head that
  names the chapter) is not spliced.  Mirrored pages (the text moves across) are laid out
  again.

Only the margin boxes' text objects change: their marked content (``/Span <</MCID n>>``) and
graphics state are outside ``BT``/``ET`` and stay, and so do the structure tree, links,
outline and anchors (the part's own page numbers, from 1).
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from io import BytesIO

import pikepdf
from pikepdf import Name

from .fonts import declare_glyphs, font_glyphs, original_names

TEXT = re.compile(rb"BT\n.*?\nET", re.S)
FONT = re.compile(rb"/(\S+) [\d.]+ Tf")
GLYPHS = re.compile(rb"<([0-9a-fA-F]*)>")
BODY = re.compile(r"(<body\b[^>]*>).*(</body>)", re.S)
PAGE = '<div style="break-before: page"></div>'


def sheet_html(html: str, pages: int, css: str, marker: str) -> str | None:
    """*html* (a part, with *marker* where its own rules go) with its body emptied: *pages* empty
    pages, laid out with *css* (the rules that number its first page).  None for HTML without a
    ``body`` element (a template of the project's may leave it out): its parts are laid out again."""
    body = BODY.search(html)
    if body is None:
        return None
    inner = "".join([PAGE] * pages)
    return html[:body.start()].replace(marker, css) + body.group(1) + inner + body.group(2) + html[body.end():]


@dataclass
class FolioSheet:
    """What a folio sheet says, by page number: the text objects of each page's folio (those not
    on every page of its side), every text object of its margin boxes in the order drawn, its
    content area (x, y, width, height); and font name -> (widths, texts) of its fonts."""
    folios: dict = field(default_factory=dict)
    every: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    glyphs: dict = field(default_factory=dict)

    def update(self, other: "FolioSheet", start: int, end: int) -> None:
        """Take *other*'s pages from *start* to *end*, and its fonts' glyphs."""
        for mine, theirs in ((self.folios, other.folios), (self.every, other.every), (self.areas, other.areas)):
            mine.update({n: value for n, value in theirs.items() if start <= n <= end})
        for name, (widths, texts) in other.glyphs.items():
            known = self.glyphs.setdefault(name, ({}, {}))
            known[0].update(widths)
            known[1].update(texts)

    def as_record(self) -> dict:
        """The sheet as JSON data (the part cache keeps it: store/parts.py)."""
        pages = {str(n): {"folios": [o.decode("latin-1") for o in self.folios.get(n, ())],
                          "every": [o.decode("latin-1") for o in self.every.get(n, ())],
                          "area": list(self.areas[n]) if n in self.areas else None}
                 for n in sorted(set(self.folios) | set(self.every))}
        glyphs = {name: [[gid, widths[gid], texts.get(gid, "")] for gid in sorted(widths)]
                  for name, (widths, texts) in sorted(self.glyphs.items())}
        return {"pages": pages, "glyphs": glyphs}

    @classmethod
    def from_record(cls, record: dict) -> "FolioSheet":
        sheet = cls()
        for n, page in record.get("pages", {}).items():
            sheet.folios[int(n)] = [o.encode("latin-1") for o in page["folios"]]
            sheet.every[int(n)] = [o.encode("latin-1") for o in page["every"]]
            if page.get("area") is not None:
                sheet.areas[int(n)] = tuple(page["area"])
        sheet.glyphs = {name: ({int(g): w for g, w, _t in rows}, {int(g): t for g, _w, t in rows if t})
                        for name, rows in record.get("glyphs", {}).items()}
        return sheet

    def only(self, pages) -> "FolioSheet":
        """The sheet for the page numbers *pages* alone."""
        wanted = set(pages)
        return FolioSheet(*({n: v for n, v in d.items() if n in wanted} for d in (self.folios, self.every, self.areas)),
                          self.glyphs)


def sheet_folios(data: bytes | None, first: int, areas: list | None = None) -> FolioSheet:
    """The :class:`FolioSheet` of a folio sheet's PDF *data*, numbered from *first*, with the
    content *areas* of its pages (none without a sheet)."""
    if data is None:
        return FolioSheet()
    with pikepdf.open(BytesIO(data)) as pdf:
        objects = [TEXT.findall(content_stream(page) or b"") for page in pdf.pages]
        glyphs: dict = {}
        for page in pdf.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for key in fonts.keys():
                if key[1:] not in glyphs:
                    glyphs[key[1:]] = font_glyphs(fonts[key])
    constant = {}
    for side in (0, 1):
        sets = [set(found) for n, found in enumerate(objects) if (first + n) % 2 == side]
        constant[side] = set.intersection(*sets) if len(sets) > 1 else set()
    folios = {first + n: [o for o in found if o not in constant[(first + n) % 2]] for n, found in enumerate(objects)}
    every = {first + n: list(found) for n, found in enumerate(objects)}
    return FolioSheet(folios, every, {first + n: tuple(area) for n, area in enumerate(areas or ())}, glyphs)


def refolio(data: bytes, old_first: int, new_first: int, numbered: list, sheet: FolioSheet,
            originals: dict, margins: list | None = None) -> bytes | None:
    """The part's PDF *data*, laid out from page *old_first*, with the folios of pages from
    *new_first*; None when a folio cannot be put in place exactly (lay the part out again).

    An odd move (the part's left and right pages swap) is made only where both sides have the
    same content area on every page (single-sided pages: the text stands where it stood): each
    page's margin objects (*margins*: per page, from the layout, see :func:`_other_side`) become
    those of the part's pages of the other side."""
    odd = (new_first - old_first) % 2 == 1
    with pikepdf.open(BytesIO(data)) as pdf:
        pages = len(pdf.pages)
        contents = [content_stream(page) for page in pdf.pages]
        if len(numbered) != pages or None in contents:
            return None
        if odd:
            if not _same_areas(sheet, old_first, new_first, pages, margins):
                return None
            swaps = _other_side(contents, old_first, new_first, numbered, sheet, margins)
            if swaps is None:
                return None
        else:
            swaps = {index: (sheet.folios.get(old_first + index), sheet.folios.get(new_first + index))
                     for index in range(pages) if numbered[index]}
        wanted: dict = {}                     # (page index, font name) -> {glyph id}
        for index, (old, new) in sorted(swaps.items()):
            content = _replaced(contents[index], old, new) if old and new is not None and len(old) == len(new) else None
            if content is None:
                return None
            for after in new:
                for name, gids in _glyphs_of(after).items():
                    wanted.setdefault((index, name), set()).update(gids)
            pdf.pages[index].obj.Contents.write(compressed(content), filter=Name.FlateDecode)
        if not swaps:
            return data
        names = original_names(originals) if wanted else {}
        for (index, name), gids in sorted(wanted.items()):
            font = pdf.pages[index].obj.get("/Resources", {}).get("/Font", {}).get("/" + name)
            widths, texts = sheet.glyphs.get(name, ({}, {}))
            known = font_glyphs(font)[0] if font is not None else {}
            if font is None or not gids <= set(widths) | set(known):
                return None
            new = {g: widths[g] for g in gids if g not in known}
            if new and not declare_glyphs(font, new, {g: texts[g] for g in new if g in texts}, names):
                return None
        buffer = BytesIO()
        pdf.save(buffer, deterministic_id=True)
        return buffer.getvalue()


def _other_side(contents: list, old_first: int, new_first: int, numbered: list, sheet: FolioSheet,
                margins: list) -> dict | None:
    """Page index -> (its margin objects, those it has on the other side) for an odd move.

    *margins*: per page, how many text objects its margin boxes draw, what they show and what
    they would show on the other side (engine.margin_kinds).  A page's margin objects are its
    last text objects (WeasyPrint draws the margin boxes after the page's text), each drawn from
    outside the page's content area.  Those of the other side are taken from the part's own
    pages of that side whose margin boxes show the same (the folio, the sheet's for the old
    number, replaced by the sheet's for the new one): every such page must show the same running
    heads, so that a page given that side shows them too.  None when that does not hold."""
    heads: dict = {}              # (side, what the margin boxes show) -> their objects, None for the folio's
    found: dict = {}
    for index, content in enumerate(contents):
        count, shown, other = margins[index]
        area = sheet.areas.get(old_first + index)
        every = [m.group(0) for m in TEXT.finditer(content)]
        objects = every[len(every) - count:] if count else []
        if len(objects) != count or not all(_outside(o, area) for o in objects):
            return None
        if not numbered[index]:
            if objects or other:              # (the other side would show something there)
                return None
            continue
        folio = sheet.folios.get(old_first + index) or []
        if not folio or any(objects.count(f) != 1 for f in folio):
            return None
        pattern = tuple(None if o in folio else o for o in objects)
        if heads.setdefault(((old_first + index) % 2, shown), pattern) != pattern:
            return None
        found[index] = (objects, other)
    swaps = {}
    for index, (objects, other) in found.items():
        pattern, folio = heads.get(((new_first + index) % 2, other)), sheet.folios.get(new_first + index)
        if pattern is None or folio is None or pattern.count(None) != len(folio):
            return None
        numbers = iter(folio)
        swaps[index] = (objects, [next(numbers) if o is None else o for o in pattern])
    return swaps


TM = re.compile(rb"1 0 0 -1 (-?[\d.]+) (-?[\d.]+) Tm")


def _outside(text_object: bytes, area) -> bool:
    """Is the text object drawn from outside the content *area* (x, y, width, height)?"""
    found = TM.search(text_object)
    if found is None or area is None:
        return False
    x, y = float(found.group(1)), float(found.group(2))
    left, top, width, height = area
    return not (left - 0.01 <= x <= left + width + 0.01 and top - 0.01 <= y <= top + height + 0.01)


def _same_areas(sheet: FolioSheet, old_first: int, new_first: int, pages: int, margins: list | None) -> bool:
    """Do the pages of the part stand in the same content area from *new_first* as from *old_first*?"""
    if margins is None or len(margins) != pages:
        return False
    areas = [(sheet.areas.get(old_first + i), sheet.areas.get(new_first + i)) for i in range(pages)]
    return all(a is not None and a == b for a, b in areas)


def _replaced(content: bytes, old: list, new: list) -> bytes | None:
    """*content* with the text objects *old* (each there once, in this order) replaced, where each
    stands, by those of *new*; None when they are not found so."""
    places = []
    for before in old:
        at = content.find(before)
        if at < 0 or content.find(before, at + 1) >= 0 or (places and at < places[-1][1]):
            return None
        places.append((at, at + len(before)))
    out, last = [], 0
    for (start, end), after in zip(places, new):
        out += [content[last:start], after]
        last = end
    return b"".join(out) + content[last:]


def content_stream(page) -> bytes | None:
    """The page's content stream, decoded (None: not a single stream, as WeasyPrint writes it)."""
    stream = page.obj.get("/Contents")
    return stream.read_bytes() if isinstance(stream, pikepdf.Stream) else None


def compressed(content: bytes) -> bytes:
    """As pydyf compresses a stream (``pydyf.Stream.data``)."""
    compressor = zlib.compressobj(level=9)
    return compressor.compress(content) + compressor.flush()


def _glyphs_of(text_object: bytes) -> dict[str, set]:
    """Font name -> the glyph ids a text object shows (Identity-H: two bytes a glyph)."""
    out: dict = {}
    name = None
    for line in text_object.split(b"\n"):
        font = FONT.match(line)
        if font:
            name = font.group(1).decode("latin-1")
        elif line.endswith(b"TJ") or line.endswith(b"Tj"):
            for run in GLYPHS.findall(line):
                out.setdefault(name, set()).update(int(run[i:i + 4], 16) for i in range(0, len(run) - 3, 4))
    return out
