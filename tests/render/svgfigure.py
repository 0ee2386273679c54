"""Measure the labels and the frame of an SVG figure (a map) at the size it is printed.

``check_figure(svg, printed_width_pt, fonts)`` reads any SVG figure and returns a list of
problems (empty when the figure is good); ``fonts(style, weight)`` gives the font file (a
path) or the font's bytes, e.g. ``embedded_faces(svg)`` for an SVG that carries its faces:

- a label printed smaller than ``min_size_pt``;
- a label whose ink box (grown by ``clearance_pt``) crosses the outline of a filled
  shape — a coastline: every ``<path>``/``<polygon>`` drawn with a fill;
- two labels whose ink boxes (grown by ``label_gap_pt``) overlap;
- a label that leaves the viewBox;
- a frame (the largest ``<rect>`` with ``fill="none"`` and a stroke) that is not centred
  in the viewBox: its left and right margins, and its top and bottom margins, differ by
  more than ``centre_tolerance_pt``.

A label's ink box is measured with the real outlines and advance widths of the font that
prints it (fontTools, the committed font files), honouring ``text-anchor``, ``font-size``,
``font-style``, ``font-weight`` and ``letter-spacing`` (inherited from the ancestors) and
every ``transform`` on the way up (matrix, translate, scale, rotate, skewX, skewY).
Kerning is not applied: the boxes are at most a hair wider than the ink.
"""
from __future__ import annotations

import base64
import io
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

SVG_NS = "{http://www.w3.org/2000/svg}"
INHERITED = ("font-size", "font-style", "font-weight", "text-anchor", "letter-spacing", "fill")
Matrix = tuple[float, float, float, float, float, float]       # a b c d e f, as in SVG
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Label:
    text: str
    size: float                  # font size in user units
    quad: tuple                  # the ink box's four corners in user units (after transforms)
    scale: float                 # the transform's linear scale (a size in units times it)
    line: int                    # the source line of the <text>, when known

    def printed_size(self, pt_per_unit: float) -> float:
        return self.size * self.scale * pt_per_unit


@dataclass(frozen=True)
class Figure:
    viewbox: tuple[float, float, float, float]
    labels: list
    outlines: list               # polylines (lists of points) of every filled shape
    frame: tuple | None          # x0, y0, x1, y1 of the neat line, in user units


# --- transforms -----------------------------------------------------------------------

def multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def parse_transform(text: str | None) -> Matrix:
    m = IDENTITY
    for name, args in re.findall(r"([a-zA-Z]+)\s*\(([^)]*)\)", text or ""):
        v = [float(t) for t in re.split(r"[\s,]+", args.strip()) if t]
        if name == "matrix":
            step = tuple(v)
        elif name == "translate":
            step = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale":
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate":
            r = math.radians(v[0])
            cx, cy = (v[1], v[2]) if len(v) == 3 else (0, 0)
            rot = (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0, 0)
            step = multiply(multiply((1, 0, 0, 1, cx, cy), rot), (1, 0, 0, 1, -cx, -cy))
        elif name == "skewX":
            step = (1, 0, math.tan(math.radians(v[0])), 1, 0, 0)
        elif name == "skewY":
            step = (1, math.tan(math.radians(v[0])), 0, 1, 0, 0)
        else:
            raise ValueError(f"unknown transform {name!r}")
        m = multiply(m, step)
    return m


# --- path data --------------------------------------------------------------------------

_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def path_polylines(d: str, steps: int = 8) -> list[list[tuple[float, float]]]:
    """The path's subpaths as polylines (curves flattened; arcs by their chord)."""
    tokens = _TOKEN.findall(d)
    out, cur = [], []
    x = y = sx = sy = 0.0
    i, cmd = 0, None
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                if cur:
                    cur.append((sx, sy))
                    out.append(cur)
                cur, (x, y) = [], (sx, sy)
                continue
        n = _ARGS[cmd.upper()]
        v = [float(t) for t in tokens[i:i + n]]
        i += n
        rel = cmd.islower()
        up = cmd.upper()
        if up == "H":
            v = [v[0] + (x if rel else 0), y]
        elif up == "V":
            v = [x, v[0] + (y if rel else 0)]
        elif up == "A":
            v = [v[5] + (x if rel else 0), v[6] + (y if rel else 0)]
        elif rel:
            v = [t + (x if k % 2 == 0 else y) for k, t in enumerate(v)]
        if up == "M":
            if len(cur) > 1:
                out.append(cur)
            cur = [(v[0], v[1])]
            sx, sy = v[0], v[1]
            cmd = "l" if rel else "L"       # further pairs are line-tos
        elif up in "CSQT" and len(v) >= 4:
            ctrl = [(x, y)] + [(v[k], v[k + 1]) for k in range(0, len(v), 2)]
            cur.extend(_bezier(ctrl, steps)[1:])
        else:
            cur.append((v[-2], v[-1]))
        x, y = v[-2], v[-1]
    if len(cur) > 1:
        out.append(cur)
    return out


def _bezier(ctrl, steps):
    pts = []
    for k in range(steps + 1):
        t = k / steps
        p = list(ctrl)
        while len(p) > 1:
            p = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in zip(p, p[1:])]
        pts.append(p[0])
    return pts


# --- fonts ------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _font(source: str | bytes):
    """A font from its file's path, or from its bytes (a face embedded in the SVG)."""
    font = TTFont(io.BytesIO(source) if isinstance(source, bytes) else source)
    return font, font.getBestCmap(), font.getGlyphSet(), font["head"].unitsPerEm


@lru_cache(maxsize=None)
def _glyph(path: str | bytes, char: str):
    font, cmap, glyphs, _ = _font(path)
    name = cmap.get(ord(char), ".notdef")
    pen = BoundsPen(glyphs)
    glyphs[name].draw(pen)
    return glyphs[name].width, pen.bounds


def ink_box(text: str, font_path: str | bytes, size: float, letter_spacing: float = 0.0):
    """(advance, x0, y0, x1, y1) of the string's ink, in the units of ``size``, y up."""
    upem = _font(font_path)[3]
    pen_x, box = 0.0, None
    for char in text:
        advance, bounds = _glyph(font_path, char)
        if bounds:
            b = (pen_x + bounds[0] * size / upem, bounds[1] * size / upem,
                 pen_x + bounds[2] * size / upem, bounds[3] * size / upem)
            box = b if box is None else (min(box[0], b[0]), min(box[1], b[1]),
                                         max(box[2], b[2]), max(box[3], b[3]))
        pen_x += advance * size / upem + letter_spacing
    if text:
        pen_x -= letter_spacing
    return (pen_x,) + (box or (0.0, 0.0, 0.0, 0.0))


def _weight(value: str) -> str:
    return {"400": "normal", "700": "bold"}.get(value, value)


def embedded_faces(svg: Path):
    """The ``fonts`` of an SVG that carries its faces (``@font-face`` rules with a base64
    ``data:`` URL in its ``<style>``): ``fonts(style, weight)`` gives the face's bytes."""
    faces = {}
    for rule in re.findall(r"@font-face\s*\{([^}]*)\}", svg.read_text(encoding="utf-8")):
        data = re.search(r"url\(\s*[\"']?data:[^;,]*;base64,([A-Za-z0-9+/=]+)", rule)
        if data:
            style = re.search(r"font-style\s*:\s*(\w+)", rule)
            weight = re.search(r"font-weight\s*:\s*(\w+)", rule)
            key = (style.group(1) if style else "normal", _weight(weight.group(1) if weight else "normal"))
            faces[key] = base64.b64decode(data.group(1))

    def fonts(style: str, weight: str) -> bytes:
        weight = _weight(weight)
        return faces.get((style, weight)) or faces.get((style, "normal")) or faces[("normal", "normal")]
    return fonts


# --- reading the figure -----------------------------------------------------------------

def _length(value: str | None, size: float = 0.0) -> float:
    if not value or value == "normal":
        return 0.0
    if value.endswith("em"):
        return float(value[:-2]) * size
    return float(re.sub(r"(px|pt)$", "", value))


def _style(el, parent: dict) -> dict:
    props = dict(parent)
    for key in INHERITED:
        if el.get(key) is not None:
            props[key] = el.get(key)
    for decl in (el.get("style") or "").split(";"):
        if ":" in decl:
            key, value = (s.strip() for s in decl.split(":", 1))
            if key in INHERITED:
                props[key] = value
    return props


def read_figure(svg: Path, fonts) -> Figure:
    """``fonts(style, weight)`` gives the font file that prints a label."""
    lines = {}
    root = ET.parse(svg).getroot()
    for number, text in enumerate(svg.read_text(encoding="utf-8").splitlines(), 1):
        for m in re.finditer(r"<text\b[^>]*>([^<]*)<", text):
            lines.setdefault(m.group(1), number)
    vb = [float(t) for t in re.split(r"[\s,]+", root.get("viewBox").strip())]
    labels, outlines, rects = [], [], []
    _walk(root, IDENTITY, {"font-size": "16"}, fonts, lines, labels, outlines, rects)
    frames = [r for r in rects if r[1] == "none" and r[2]]
    frame = max(frames, key=lambda r: (r[0][2] - r[0][0]) * (r[0][3] - r[0][1]))[0] if frames else None
    return Figure(tuple(vb), labels, outlines, frame)


def _walk(el, ctm, props, fonts, lines, labels, outlines, rects):
    ctm = multiply(ctm, parse_transform(el.get("transform")))
    props = _style(el, props)
    tag = el.tag.replace(SVG_NS, "")
    filled = (el.get("fill") or props.get("fill") or "black") != "none"
    if tag == "text":
        labels.append(_label(el, ctm, props, fonts, lines))
        return
    if tag == "path" and filled:
        for poly in path_polylines(el.get("d", "")):
            outlines.append([apply(ctm, *p) for p in poly])
    elif tag in ("polygon", "polyline") and filled:
        nums = [float(t) for t in re.split(r"[\s,]+", el.get("points", "").strip()) if t]
        poly = [apply(ctm, nums[k], nums[k + 1]) for k in range(0, len(nums) - 1, 2)]
        outlines.append(poly + poly[:1] if tag == "polygon" else poly)
    elif tag == "rect":
        x, y = float(el.get("x", 0)), float(el.get("y", 0))
        w, h = float(el.get("width", 0)), float(el.get("height", 0))
        (x0, y0), (x1, y1) = apply(ctm, x, y), apply(ctm, x + w, y + h)
        rects.append(((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
                      el.get("fill", "black"), el.get("stroke") not in (None, "none")))
    for child in el:
        _walk(child, ctm, props, fonts, lines, labels, outlines, rects)


def _label(el, ctm, props, fonts, lines) -> Label:
    text = "".join(el.itertext())
    size = _length(props["font-size"])
    spacing = _length(props.get("letter-spacing"), size)
    font = fonts(props.get("font-style", "normal"), props.get("font-weight", "normal"))
    advance, x0, y0, x1, y1 = ink_box(text, font if isinstance(font, bytes) else str(font), size, spacing)
    x, y = float(el.get("x", 0)), float(el.get("y", 0))
    shift = {"middle": advance / 2, "end": advance}.get(props.get("text-anchor", "start"), 0.0)
    corners = [(x - shift + cx, y - cy) for cx, cy in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    quad = tuple(apply(ctm, *p) for p in corners)
    scale = math.sqrt(abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]))
    return Label(text, size, quad, scale, lines.get(text, 0))


# --- geometry ---------------------------------------------------------------------------

def grow(quad, amount: float):
    """The quad (a rectangle, possibly rotated) grown by ``amount`` on every side."""
    cx = sum(p[0] for p in quad) / 4
    cy = sum(p[1] for p in quad) / 4
    (ax, ay), (bx, by), _, (dx, dy) = quad
    u = _unit(bx - ax, by - ay)
    v = _unit(dx - ax, dy - ay)
    out = []
    for px, py in quad:
        su = 1 if (px - cx) * u[0] + (py - cy) * u[1] > 0 else -1
        sv = 1 if (px - cx) * v[0] + (py - cy) * v[1] > 0 else -1
        out.append((px + amount * (su * u[0] + sv * v[0]), py + amount * (su * u[1] + sv * v[1])))
    return tuple(out)


def _unit(x, y):
    n = math.hypot(x, y) or 1.0
    return x / n, y / n


def _inside(quad, p) -> bool:
    sign = 0
    for a, b in zip(quad, quad[1:] + quad[:1]):
        cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        if cross:
            if sign and (cross > 0) != (sign > 0):
                return False
            sign = cross
    return True


def _segments_cross(p, q, r, s) -> bool:
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    d1, d2 = orient(r, s, p), orient(r, s, q)
    d3, d4 = orient(p, q, r), orient(p, q, s)
    return (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0)


def quad_touches_polyline(quad, poly) -> bool:
    quad = tuple(quad)
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    box = (min(xs), min(ys), max(xs), max(ys))
    edges = list(zip(quad, quad[1:] + quad[:1]))
    for a, b in zip(poly, poly[1:]):
        if max(a[0], b[0]) < box[0] or min(a[0], b[0]) > box[2] or \
                max(a[1], b[1]) < box[1] or min(a[1], b[1]) > box[3]:
            continue
        if _inside(quad, a) or _inside(quad, b):
            return True
        if any(_segments_cross(a, b, e0, e1) for e0, e1 in edges):
            return True
    return False


def quads_overlap(q1, q2) -> bool:
    """Separating-axis test for two convex quads."""
    for quad in (q1, q2):
        for a, b in zip(quad, quad[1:] + quad[:1]):
            nx, ny = a[1] - b[1], b[0] - a[0]
            p1 = [nx * x + ny * y for x, y in q1]
            p2 = [nx * x + ny * y for x, y in q2]
            if max(p1) <= min(p2) or max(p2) <= min(p1):
                return False
    return True


# --- the check --------------------------------------------------------------------------

def check_figure(svg: Path, printed_width_pt: float, fonts, *, min_size_pt: float = 7.0,
                 clearance_pt: float = 0.5, label_gap_pt: float = 0.3,
                 centre_tolerance_pt: float = 0.25) -> list[str]:
    fig = read_figure(svg, fonts)
    vx, vy, vw, vh = fig.viewbox
    k = printed_width_pt / vw                       # points per user unit
    problems = []
    where = f"{svg.name}:"
    for lab in fig.labels:
        size = lab.printed_size(k)
        if size < min_size_pt - 1e-6:
            problems.append(f"{where}{lab.line}: '{lab.text}' is printed at {size:.2f} pt "
                            f"(at least {min_size_pt:g} pt)")
        xs, ys = [p[0] for p in lab.quad], [p[1] for p in lab.quad]
        if min(xs) < vx or min(ys) < vy or max(xs) > vx + vw or max(ys) > vy + vh:
            problems.append(f"{where}{lab.line}: '{lab.text}' leaves the viewBox")
        grown = grow(lab.quad, clearance_pt / k)
        if any(quad_touches_polyline(grown, poly) for poly in fig.outlines):
            problems.append(f"{where}{lab.line}: '{lab.text}' touches a coastline "
                            f"(clearance {clearance_pt:g} pt)")
    for i, a in enumerate(fig.labels):
        for b in fig.labels[i + 1:]:
            if quads_overlap(grow(a.quad, label_gap_pt / k / 2), grow(b.quad, label_gap_pt / k / 2)):
                problems.append(f"{where}{a.line}: '{a.text}' and '{b.text}' overlap")
    problems.extend(_frame_problems(fig, k, centre_tolerance_pt, where))
    return problems


def frame_margins(fig: Figure) -> tuple[float, float, float, float]:
    """Left, right, top and bottom margins of the frame in the viewBox (user units)."""
    vx, vy, vw, vh = fig.viewbox
    x0, y0, x1, y1 = fig.frame
    return x0 - vx, vx + vw - x1, y0 - vy, vy + vh - y1


def _frame_problems(fig: Figure, k: float, tolerance_pt: float, where: str) -> list[str]:
    if fig.frame is None:
        return []
    left, right, top, bottom = frame_margins(fig)
    out = []
    if abs(left - right) * k > tolerance_pt:
        out.append(f"{where} the frame is off-centre: margins left {left * k:.2f} pt, "
                   f"right {right * k:.2f} pt")
    if abs(top - bottom) * k > tolerance_pt:
        out.append(f"{where} the frame is off-centre: margins top {top * k:.2f} pt, "
                   f"bottom {bottom * k:.2f} pt")
    return out
