"""One embedded subset per font face in a merged PDF (see merge.py).

Each part of a PDF edition is laid out as a document of its own, so each part embeds its own
subset of every font it uses: merged, the book would carry one font object per face and part.
WeasyPrint 70 subsets with RETAIN_GIDS (with HarfBuzz and with fontTools alike), so the glyph
ids in every part's content streams are the original font's glyph ids.  :func:`share_fonts`
therefore groups the Type0 fonts of the merged pages (and of their form XObjects) by the
original font file they were cut from, and replaces each group of two or more with ONE font:
a subset of the original holding the union of the glyphs the group uses, one /W widths array
and one ToUnicode CMap.  The content streams need no change.  A font whose original is not
among the build's fonts (a system fallback) is left as it is.  Everything is iterated in a
fixed order, and fontTools does not stamp the time, so the bytes are the same on every run.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from io import BytesIO

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont, woff2
from pikepdf import Array, Dictionary, Name

_HEX = re.compile(rb"<([0-9a-fA-F]+)>")
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")     # a bfchar entry: its text may be empty
_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)


@dataclass
class _Face:
    """The Type0 fonts cut from one original font file, and where the pages name them."""
    original: str
    fonts: dict = field(default_factory=dict)          # objgen -> font dictionary, in page order
    uses: list = field(default_factory=list)           # (font resource dictionary, key, objgen)


CARRIED_FACE = re.compile(rb"data:font/[\w.+-]+;base64,([A-Za-z0-9+/=\s]+)")


def carried_faces(images: dict) -> dict[str, bytes]:
    """The faces that the project's SVG images carry in ``data:`` URLs (a map's labels), as
    WeasyPrint decodes them (WOFF and WOFF2 to OpenType): name -> bytes, so that a face shown in
    several parts is embedded once in the merged book, as the project's own fonts are."""
    faces: dict[str, bytes] = {}
    for name in sorted(images):
        data = images[name]
        if b"<svg" not in data[:4096] or b"data:font/" not in data:
            continue
        for n, found in enumerate(CARRIED_FACE.finditer(data)):
            try:
                face = base64.b64decode(re.sub(rb"\s+", b"", found.group(1)))
                faces[f"{name}#face-{n}"] = _decoded(face)
            except (binascii.Error, ValueError, OSError, AssertionError, KeyError):
                continue            # a face WeasyPrint cannot read either: left as each part embeds it
    return faces


def _decoded(face: bytes) -> bytes:
    """*face* as WeasyPrint 70 decodes a web font (text/fonts.py): WOFF through fontTools,
    WOFF2 by ``woff2.decompress``, anything else as it is."""
    if face[:4] == b"wOFF":
        font = TTFont(BytesIO(face), recalcTimestamp=False)
        font.flavor = font.flavorData = None
        out = BytesIO()
        font.save(out)
        return out.getvalue()
    if face[:4] == b"wOF2":
        out = BytesIO()
        woff2.decompress(BytesIO(face), out)
        return out.getvalue()
    return face


def share_fonts(pdf: pikepdf.Pdf, originals: dict, subsets=None) -> int:
    """Give every face of *pdf* cut from one of *originals* (file name -> bytes) a single
    embedded subset; returns the number of font dictionaries replaced.  *subsets* (with
    ``get(key)`` and ``put(key, data)``: store.parts.PartCache) keeps the subsets cut, by the
    original and the glyphs: a rebuild whose book uses the same glyphs cuts none."""
    names = _original_names(originals)
    faces: dict[str, _Face] = {}
    found: dict = {}                    # objgen -> the original it is cut from (a font is used on many pages)
    for resources, key, font in _font_uses(pdf):
        if font.objgen not in found or font.objgen == (0, 0):
            found[font.objgen] = names.get(_embedded_name(font)) if _shareable(font) else None
        original = found[font.objgen]
        if original is None:
            continue
        face = faces.setdefault(original, _Face(original))
        face.fonts.setdefault(font.objgen, font)
        face.uses.append((resources, key, font.objgen))
    replaced = 0
    for original in sorted(faces):
        face = faces[original]
        if len(face.fonts) < 2 and not any(DECLARED in font for font in face.fonts.values()):
            continue
        shared = _shared_font(pdf, list(face.fonts.values()), originals[original], subsets)
        if shared is None:
            continue
        for resources, key, _objgen in face.uses:
            resources[key] = shared
        replaced += len(face.fonts)
    return replaced


# -- finding the fonts ----------------------------------------------------------------

def _font_uses(pdf: pikepdf.Pdf):
    """(font resource dictionary, key, font) for every font of every page and form XObject."""
    seen: set = set()
    for page in pdf.pages:
        yield from _resource_fonts(page.obj.get("/Resources"), seen)


def _resource_fonts(resources, seen: set):
    if not isinstance(resources, Dictionary):
        return
    if resources.is_indirect:
        if resources.objgen in seen:
            return
        seen.add(resources.objgen)
    fonts = resources.get("/Font")
    if isinstance(fonts, Dictionary):
        for key in sorted(fonts.keys()):
            yield fonts, key, fonts[key]
    xobjects = resources.get("/XObject")
    if isinstance(xobjects, Dictionary):
        for key in sorted(xobjects.keys()):
            xobject = xobjects[key]
            if xobject.get("/Subtype") != Name.Form or xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            yield from _resource_fonts(xobject.get("/Resources"), seen)


def _descendant(font):
    descendants = font.get("/DescendantFonts")
    return descendants[0] if isinstance(descendants, Array) and len(descendants) else None


def _font_file(descriptor):
    for key in ("/FontFile2", "/FontFile3"):
        if key in descriptor:
            return key, descriptor[key]
    return None, None


def _shareable(font) -> bool:
    """A Type0 font with Identity-H encoding and an Identity CID to glyph map: its character
    codes are the glyph ids of the embedded font."""
    if not isinstance(font, Dictionary) or not font.is_indirect or font.get("/Subtype") != Name.Type0:
        return False
    child = _descendant(font)
    if child is None or font.get("/Encoding") != Name("/Identity-H") or "/ToUnicode" not in font:
        return False
    if child.get("/Subtype") == Name.CIDFontType2 and child.get("/CIDToGIDMap") != Name.Identity:
        return False
    return _font_file(child.get("/FontDescriptor", Dictionary()))[1] is not None


def _face_name(font: TTFont):
    table = font.get("name") if "name" in font else None
    if table is None:
        return None
    ps = table.getDebugName(6)
    return ("ps", ps) if ps else ("family", table.getDebugName(1), table.getDebugName(2))


def _embedded_name(font):
    _key, stream = _font_file(_descendant(font).FontDescriptor)
    try:
        return _face_name(TTFont(BytesIO(stream.read_bytes()), lazy=True, recalcTimestamp=False))
    except Exception:           # noqa: BLE001 - a font fontTools cannot read is left as it is
        return None


def _original_names(originals: dict) -> dict:
    """The face name of every original font file -> its file name (the first, by name)."""
    names: dict = {}
    for file_name in sorted(originals):
        try:
            name = _face_name(TTFont(BytesIO(originals[file_name]), lazy=True, recalcTimestamp=False))
        except Exception:       # noqa: BLE001 - not a font (or a collection): never matched
            continue
        if name is not None:
            names.setdefault(name, file_name)
    return names


# -- the shared font ------------------------------------------------------------------

def _widths(child) -> dict:
    """Glyph id -> width, from a CID font's /W array (both of its forms)."""
    out: dict = {}
    items = list(child.get("/W", ()))
    i = 0
    while i < len(items):
        first = int(items[i])
        if i + 1 < len(items) and isinstance(items[i + 1], Array):
            for n, width in enumerate(items[i + 1]):
                out[first + n] = float(width)
            i += 2
        elif i + 2 < len(items):
            for gid in range(first, int(items[i + 1]) + 1):
                out[gid] = float(items[i + 2])
            i += 3
        else:
            break
    return out


def _hex_text(value: bytes) -> str:
    return bytes.fromhex(value.decode()).decode("utf-16-be", "replace")


_ARRAY_TEXT = re.compile(rb"<([0-9a-fA-F]*)>")


def parse_to_unicode(data: bytes) -> dict:
    """Glyph id -> text, from a ToUnicode CMap's bfchar and bfrange sections.  A text may be
    empty (``<048f> <>``): WeasyPrint writes one for a mark that a cluster's first glyph speaks for
    (the acute of "e\u0301" shaped as two glyphs), so entries are read as pairs, never as a stream of
    values that an empty one would put out of step."""
    out: dict = {}
    for kind, body in _SECTION.findall(data):
        if kind == b"bfchar":
            for code, text in _PAIR.findall(body):
                out[int(code, 16)] = _hex_text(text)
            continue
        for line in body.splitlines():
            values = _HEX.findall(line.partition(b"[")[0])
            if len(values) < 2 or (len(values) < 3 and b"[" not in line):
                continue
            low, high = int(values[0], 16), int(values[1], 16)
            if b"[" in line:
                texts = _ARRAY_TEXT.findall(line[line.index(b"["):])
                for n, text in enumerate(texts[:high - low + 1]):
                    out[low + n] = _hex_text(text)
            else:
                start = bytes.fromhex(values[2].decode())
                for n in range(high - low + 1):
                    last = int.from_bytes(start[-2:], "big") + n
                    out[low + n] = (start[:-2] + last.to_bytes(2, "big")).decode("utf-16-be", "replace")
    return out


def to_unicode_cmap(mapping: dict) -> bytes:
    """A ToUnicode CMap (as WeasyPrint writes it) for glyph id -> text."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>".encode() for gid, text in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _kept_subset(original: bytes, gids: list[int], subsets) -> bytes | None:
    """:func:`_subset`, taken from *subsets* when it was cut before (the same original, glyphs
    and options give the same bytes)."""
    if subsets is None:
        return _subset(original, gids)
    h = hashlib.sha256(b"subset 1\0")          # (the options of _subset: change with them)
    h.update(hashlib.sha256(original).digest() + b"\0" + ",".join(map(str, gids)).encode())
    key = "font-" + h.hexdigest()
    data = subsets.get(key)
    if data is None:
        data = _subset(original, gids)
        if data is not None:
            subsets.put(key, data)
    return data


def _subset(original: bytes, gids: list[int]) -> bytes | None:
    options = subset.Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
                             hinting=False, desubroutinize=True)
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=gids)
    try:
        font = TTFont(BytesIO(original), recalcTimestamp=False)
        subsetter.subset(font)
        font.flavor = None              # a WOFF original is embedded as the font it wraps
        buffer = BytesIO()
        font.save(buffer)
    except Exception:           # noqa: BLE001 - a font fontTools cannot subset keeps its subsets
        return None
    return buffer.getvalue()


def _same_glyphs(original: bytes, every: list[dict]) -> bool:
    """Are the glyph ids of the parts the original font's (every width of every font as the
    original's advance width)?  Else the subsets were not cut from it with their ids kept."""
    try:
        font = TTFont(BytesIO(original), lazy=True, recalcTimestamp=False)
        order, metrics, scale = font.getGlyphOrder(), font["hmtx"].metrics, 1000 / font["head"].unitsPerEm
    except Exception:           # noqa: BLE001 - a font without metrics is not shared
        return False
    return all(gid < len(order) and abs(metrics[order[gid]][0] * scale - width) <= 1
               for widths in every for gid, width in widths.items())


def _agreed(known: str | None, text: str) -> str:
    """The text of a glyph that two parts map differently: the first part's, but the lower
    case where they differ only in case (one small capital set for "T" in one part and "t" in
    another, by ``all-small-caps``), so that it does not depend on the order of the parts."""
    if known is None or known == text:
        return text
    if known.lower() == text.lower():
        return known.lower()
    return known


def _w_array(widths: dict) -> Array:
    out = Array()
    run: list = []
    for gid in sorted(widths):
        if not run or gid != run[-1][0] + 1:
            if run:
                out.extend([run[0][0], Array([w for _, w in run])])
            run = []
        run.append((gid, widths[gid]))
    if run:
        out.extend([run[0][0], Array([w for _, w in run])])
    return out


def _number(value: float):
    return int(value) if float(value).is_integer() else value


def _shared_font(pdf: pikepdf.Pdf, fonts: list, original: bytes, subsets=None):
    """One Type0 font for *fonts* (cut from *original*), or None if it cannot be made."""
    every = [_widths(_descendant(font)) for font in fonts]
    if not _same_glyphs(original, every):
        return None
    widths = {gid: width for each in reversed(every) for gid, width in each.items()}
    texts: dict = {}
    for font in fonts:
        for gid, text in parse_to_unicode(font.ToUnicode.read_bytes()).items():
            texts[gid] = _agreed(texts.get(gid), text)
    gids = sorted({0, *widths, *texts})
    data = _kept_subset(original, gids, subsets)
    if data is None:
        return None
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
    name = Name("/" + tag + "+" + str(fonts[0].BaseFont).split("+", 1)[-1])
    child = _descendant(fonts[0])
    new_child = Dictionary({k: v for k, v in child.items()})
    new_child.BaseFont = name
    new_child.FontDescriptor = pdf.make_indirect(_descriptor(pdf, child.FontDescriptor, name, data, widths))
    new_child.W = _w_array({gid: _number(w) for gid, w in widths.items()})
    shared = Dictionary({k: v for k, v in fonts[0].items() if k != DECLARED})
    shared.BaseFont = name
    shared.DescendantFonts = Array([pdf.make_indirect(new_child)])
    shared.ToUnicode = pdf.make_indirect(pikepdf.Stream(pdf, to_unicode_cmap(texts)))
    return pdf.make_indirect(shared)


def _descriptor(pdf: pikepdf.Pdf, old, name: Name, data: bytes, widths: dict) -> Dictionary:
    """The font descriptor of the shared font: the first part's, with the new font file, its
    name, its bounding box widened to the widest glyph and (PDF 1.4) its CIDSet."""
    file_key, old_file = _font_file(old)
    stream = pikepdf.Stream(pdf, data)
    if "/Subtype" in old_file:
        stream.Subtype = old_file.Subtype          # /OpenType, as WeasyPrint embeds CFF fonts
    if file_key == "/FontFile2":
        stream.Length1 = len(data)
    descriptor = Dictionary({k: v for k, v in old.items() if k != "/CIDSet"})
    descriptor[file_key] = pdf.make_indirect(stream)
    descriptor.FontName = name
    bbox = [float(v) for v in descriptor.get("/FontBBox", [0, 0, 0, 0])]
    bbox[2] = max([bbox[2], *widths.values()])
    descriptor.FontBBox = Array([_number(v) for v in bbox])
    if "/CIDSet" in old:
        bits = bytearray(max(widths, default=0) // 8 + 1)
        for gid in widths:
            bits[gid // 8] |= 0x80 >> (gid % 8)
        descriptor.CIDSet = pdf.make_indirect(pikepdf.Stream(pdf, bytes(bits)))
    return descriptor


# -- a part given more glyphs (folios.py, pagerefs.py) -------------------------------

def original_names(originals: dict) -> dict:
    """The face name of every original font file -> its file name."""
    return _original_names(originals)


def font_glyphs(font) -> tuple[dict, dict]:
    """(glyph id -> width, glyph id -> text) of a Type0 font (empty for another kind)."""
    if not isinstance(font, Dictionary) or font.get("/Subtype") != Name.Type0 or _descendant(font) is None:
        return {}, {}
    texts = parse_to_unicode(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}
    return _widths(_descendant(font)), texts


DECLARED = Name("/ReaderBuildDeclared")   # a part's font given glyphs in /W alone (pagerefs.py)


def declare_glyphs(font, widths: dict, texts: dict, names: dict) -> bool:
    """Give the Type0 *font* the glyphs of *widths* (glyph id -> width) in its /W and its
    ToUnicode CMap (with their *texts*), but not in its embedded subset: the font is marked, and
    :func:`share_fonts` cuts its subset anew from its original, alone or with the other parts'.
    False for a font that cannot be so cut (not cut from one of the originals, by face name
    through *names*: :func:`original_names`)."""
    if not _shareable(font) or names.get(_embedded_name(font)) is None:
        return False
    child = _descendant(font)
    known = _widths(child)
    new = {gid: width for gid, width in widths.items() if gid not in known}
    if new:
        known.update(new)
        mapping = parse_to_unicode(font.ToUnicode.read_bytes())
        mapping.update({gid: text for gid, text in texts.items() if gid in new and text})
        child.W = _w_array({gid: _number(w) for gid, w in known.items()})
        font.ToUnicode.write(to_unicode_cmap(mapping))
    font[DECLARED] = True
    return True
