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
  ``/W``, ToUnicode and embedded subset (:func:`fonts.add_glyphs`), from the sheet's font of
  the same name, so that the merge (fonts.share_fonts) sees it.  Glyphs of the old folios
  are kept (the merged book's shared subset may then hold a glyph that no page uses).

Only the margin boxes' text objects change: their marked content (``/Span <</MCID n>>``) and
graphics state are outside ``BT``/``ET`` and stay, and so do the structure tree, links,
outline and anchors (the part's own page numbers, from 1).
"""
from __future__ import annotations

import re
import zlib
from io import BytesIO

import pikepdf
from pikepdf import Name

from .fonts import add_glyphs, font_glyphs, original_names

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


def sheet_folios(data: bytes | None, first: int) -> tuple[dict, dict]:
    """(page number -> the folio text objects of that page, font name -> (widths, texts)) of a
    folio sheet numbered from *first* (none without a sheet)."""
    if data is None:
        return {}, {}
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
    return folios, glyphs


def refolio(data: bytes, old_first: int, new_first: int, numbered: list, sheet: tuple,
            originals: dict) -> bytes | None:
    """The part's PDF *data*, laid out from page *old_first*, with the folios of pages from
    *new_first*; None when a folio cannot be put in place exactly (lay the part out again)."""
    folios, glyphs = sheet
    if (new_first - old_first) % 2:
        return None
    with pikepdf.open(BytesIO(data)) as pdf:
        if len(numbered) != len(pdf.pages):
            return None
        wanted: dict = {}                     # (page index, font name) -> {glyph id}
        changed = False
        for index, page in enumerate(pdf.pages):
            if not numbered[index]:
                continue
            old, new, content = folios.get(old_first + index), folios.get(new_first + index), content_stream(page)
            if not old or new is None or len(old) != len(new) or content is None:
                return None
            for before, after in zip(old, new):
                if content.count(before) != 1:
                    return None
                content = content.replace(before, after)
                for name, gids in _glyphs_of(after).items():
                    wanted.setdefault((index, name), set()).update(gids)
            page.obj.Contents.write(compressed(content), filter=Name.FlateDecode)
            changed = True
        if not changed:
            return data
        names = original_names(originals) if wanted else {}
        for (index, name), gids in sorted(wanted.items()):
            font = pdf.pages[index].obj.get("/Resources", {}).get("/Font", {}).get("/" + name)
            widths, texts = glyphs.get(name, ({}, {}))
            if font is None or not gids <= set(widths) or \
                    not add_glyphs(pdf, font, {g: widths[g] for g in gids}, {g: texts[g] for g in gids if g in texts},
                                   names, originals):
                return None
        buffer = BytesIO()
        pdf.save(buffer, deterministic_id=True)
        return buffer.getvalue()


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
