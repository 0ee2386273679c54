"""Page references given new numbers in a laid-out part, without a new layout (issue #16).

A page reference (``@page:``, render/xref.py) prints the page of its target.  In a PDF its
number is set in a box of a fixed width (``a.page-ref[data-digits]`` in print.css: as wide as
that many figures, the number at its start), so that the layout of a part does not depend on
the numbers it prints, only on how many figures each has.  When pages move, a part whose
numbers change is therefore not laid out again: each number's text object in the content
stream is given the glyphs of the new number.

* **Where a number is** (:func:`engine.page_ref_boxes`): the page and the origin of its text,
  which WeasyPrint writes as the text matrix (``1 0 0 -1 x y Tm``) of the text object, and the
  elements it stands in (its *chain*: from below ``body`` to the ``a`` element).
* **The glyphs of the figures** (:func:`sheet_html`, :func:`digit_table`): a *digit sheet*, the
  part's own document (its styles) whose body holds, for every chain of the part, the ten
  figures each in a page reference of that chain, laid out once.  Each figure's text object
  gives its font and its ``TJ`` entry (glyph id and adjustment, as WeasyPrint writes them).
* **The splice** (:func:`renumber_refs`): a number's ``TJ`` must be exactly the one the sheet
  gives for its figures, in the font the sheet gives (else the part is laid out again); it is
  replaced by that of the new number.  Every font that shows a number is given the glyphs of all
  ten figures in its ``/W`` and ToUnicode (:func:`fonts.declare_glyphs`), whichever numbers
  it shows, and marked so that the merge cuts its embedded subset anew from the original
  (fonts.share_fonts): the merged book is then the same whatever numbers the part was first
  laid out with, and the same as a build from scratch.

A part is spliced right after its layout too, with the numbers it was laid out with (the
*canonical* form): its ``TJ`` and fonts are then those that any later splice gives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from io import BytesIO

import pikepdf

from .folios import BODY, compressed, content_stream
from .fonts import declare_glyphs, font_glyphs, original_names

DIGITS = "0123456789"
# a text object's matrix, font and glyphs, as WeasyPrint 70 writes a text box of one font
TEXT_BOX = re.compile(rb"1 0 0 -1 (-?[\d.]+) (-?[\d.]+) Tm\n/(\S+) (-?[\d.]+) Tf\n\[([^\]\n]*)\] TJ")
ENTRY = re.compile(r"<([0-9a-f]+)>(-?\d+)?")
NEAR = 1e-3                     # of a CSS pixel: the same origin


@dataclass(frozen=True)
class Ref:
    """A page reference's number in a laid-out part (a JSON-friendly engine.PageRefBox)."""
    page: int
    x: float
    y: float
    target: str
    text: str
    chain: int                  # index into the part's chains
    fixed: bool

    def as_list(self) -> list:
        return [self.page, self.x, self.y, self.target, self.text, self.chain, self.fixed]


def refs_of(boxes, chains: list) -> list[Ref]:
    """The part's page reference boxes (engine.PageRefBox) as :class:`Ref`, their chains indexed in
    *chains* (a sorted list of the distinct chains)."""
    index = {chain: n for n, chain in enumerate(chains)}
    return [Ref(b.page, b.x, b.y, b.target, b.text, index[b.chain], b.fixed) for b in boxes]


def refs_from(records) -> list[Ref]:
    return [Ref(int(p), float(x), float(y), str(t), str(s), int(c), bool(f)) for p, x, y, t, s, c, f in records or ()]


def sheet_html(html: str, chains: list, marker: str) -> str | None:
    """The digit sheet of a part: *html* with its own rules (*marker*) left out and a body that
    holds, in each of *chains*, a page reference for each figure.  None for HTML without a
    ``body`` element."""
    body = BODY.search(html)
    if body is None:
        return None
    inner = _tree(sorted(chain for chain in chains if chain))
    return html[:body.start()].replace(marker, "") + body.group(1) + inner + body.group(2) + html[body.end():]


def _tree(chains: list) -> str:
    """Nested HTML for *chains* (sorted; a chain: ((tag, attributes), ...)), the chains that share
    their first elements sharing them; the last element of each is given once per figure, with
    the figure as its text."""
    out, i = [], 0
    while i < len(chains):
        head = chains[i][0]
        if len(chains[i]) == 1:
            out.append(" ".join(f'<{head[0]}{_attributes(head[1])} data-digits="1" data-target="">{d}</{head[0]}>'
                                for d in DIGITS))
            i += 1
            continue
        j = i
        while j < len(chains) and len(chains[j]) > 1 and chains[j][0] == head:
            j += 1
        out.append(f"<{head[0]}{_attributes(head[1])}>" + _tree([c[1:] for c in chains[i:j]]) + f"</{head[0]}>")
        i = j
    return " ".join(out)


def _attributes(attributes) -> str:
    return "".join(f' {name}="{escape(str(value), quote=True)}"' for name, value in attributes)


def digit_table(data: bytes, boxes, chains: list) -> dict:
    """The glyphs of the figures, from a digit sheet's PDF *data* and its page reference boxes
    (engine.PageRefBox, their ``text`` a figure, their chain one of *chains*): ``digits``: per
    chain (its index, as text), figure -> [font, glyph id, adjustment]; ``glyphs``: font ->
    [[glyph id, width, text], ...] for the glyphs of the figures."""
    index = {chain: n for n, chain in enumerate(chains)}
    digits: dict = {}
    glyphs: dict = {}
    with pikepdf.open(BytesIO(data)) as pdf:
        contents = {}
        for box in boxes:
            if box.page not in contents:
                contents[box.page] = content_stream(pdf.pages[box.page]) or b""
            found = _text_box(contents[box.page], box.x, box.y)
            if found is None or len(box.text) != 1 or box.chain not in index:
                continue
            font, tj = found.group(3).decode("latin-1"), found.group(5).decode("latin-1")
            entry = ENTRY.fullmatch(tj)
            if entry is None:
                continue
            digits.setdefault(str(index[box.chain]), {})[box.text] = [font, entry.group(1), entry.group(2)]
        for page in pdf.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for key in fonts.keys():
                name = key[1:]
                if name in glyphs:
                    continue
                widths, texts = font_glyphs(fonts[key])
                used = {int(e[1], 16) for chain in digits.values() for e in chain.values() if e[0] == name}
                glyphs[name] = [[gid, widths[gid], texts.get(gid, "")] for gid in sorted(used) if gid in widths]
    return {"digits": digits, "glyphs": {k: v for k, v in glyphs.items() if v}}


def _text_box(content: bytes, x: float, y: float):
    """The one text object of *content* drawn from (*x*, *y*), or None."""
    found = [m for m in TEXT_BOX.finditer(content)
             if abs(float(m.group(1)) - x) < NEAR and abs(float(m.group(2)) - y) < NEAR]
    return found[0] if len(found) == 1 else None


def tj_of(number: str, figures: dict) -> str | None:
    """The ``TJ`` WeasyPrint writes for *number*, each figure's entry from *figures* (figure ->
    [font, glyph id, adjustment]); None for a character without an entry."""
    if any(c not in figures for c in number):
        return None
    out = "<"
    for c in number:
        _font, gid, adjustment = figures[c]
        out += gid + (f">{adjustment}<" if adjustment is not None else "")
    return out[:-1] if out.endswith("<") else out + ">"


def renumber_refs(data: bytes, refs: list[Ref], table: dict, numbers: dict, originals: dict,
                  canonical: bool = False) -> bytes | None:
    """The part's PDF *data* with each page reference showing its number of *numbers* (target ->
    number; a target not there keeps its number); with *canonical*, every number is written
    anew and every font of a number is given the ten figures even if no number changes.  None
    when a number cannot be put in place exactly (lay the part out again)."""
    changes = [(ref, numbers.get(ref.target, ref.text)) for ref in refs]
    if not canonical and all(new == ref.text for ref, new in changes):
        return data
    digits = table.get("digits", {})
    glyphs = {name: ({g: w for g, w, _t in rows}, {g: t for g, _w, t in rows})
              for name, rows in table.get("glyphs", {}).items()}
    with pikepdf.open(BytesIO(data)) as pdf:
        fonts: dict = {}                            # font objgen -> (font, its name)
        for page_number in sorted({ref.page for ref in refs}):
            if page_number >= len(pdf.pages):
                return None
            page = pdf.pages[page_number]
            content = content_stream(page)
            if content is None:
                return None
            edits = []
            for ref, new in changes:
                if ref.page != page_number:
                    continue
                figures = digits.get(str(ref.chain), {})
                found = _text_box(content, ref.x, ref.y)
                old_tj, new_tj = tj_of(ref.text, figures), tj_of(new, figures)
                if (not ref.fixed or found is None or old_tj is None or new_tj is None
                        or found.group(5).decode("latin-1") != old_tj):
                    return None
                name = found.group(3).decode("latin-1")
                if any(figures[c][0] != name for c in ref.text + new) or name not in glyphs:
                    return None
                font = page.obj.get("/Resources", {}).get("/Font", {}).get("/" + name)
                if font is None:
                    return None
                fonts[font.objgen] = (font, name)
                edits.append((found.start(5), found.end(5), new_tj.encode("latin-1")))
            for start, end, text in sorted(edits, reverse=True):
                content = content[:start] + text + content[end:]
            if edits:
                page.obj.Contents.write(compressed(content), filter=pikepdf.Name.FlateDecode)
        names = original_names(originals)
        for objgen in sorted(fonts):
            font, name = fonts[objgen]
            widths, texts = glyphs[name]
            if not declare_glyphs(font, widths, texts, names):
                return None
        buffer = BytesIO()
        pdf.save(buffer, deterministic_id=True)
        return buffer.getvalue()


def renumbered(refs: list[Ref], numbers: dict) -> list[Ref]:
    """*refs* as they stand once given *numbers*."""
    return [Ref(r.page, r.x, r.y, r.target, numbers.get(r.target, r.text), r.chain, r.fixed) for r in refs]
