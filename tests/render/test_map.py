"""The bundled reader's map (issue #23, item 10): a centred frame, labels of at least
7 pt where it is printed smallest, none touching a coastline or another label.

The measuring is done by ``svgfigure.check_figure`` (any SVG figure, any printed width),
on the committed SVG at the print edition's text width, on the copy the e-book ships,
and in the built PDFs themselves (the drawn frame, the figure's box and the printed
labels' sizes, read from the PDF's own drawing and text).
"""
from __future__ import annotations

import base64
import io
import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont

from conftest import REPO
from reader_build.config import length_mm
from reader_build.diagnostics import Diagnostics
from reader_build.pdf.compose import page_css
from reader_build.resolve import load_reader
import svgfigure

MAP = REPO / "manuscript" / "images" / "kuril-islands.svg"
FONTS = REPO / "src" / "reader_build" / "styles" / "fonts"
PT_PER_MM = 72 / 25.4


def libertine(style: str, weight: str) -> Path:
    """The committed face that prints a label (the map carries a cut of it, "Reader Map Serif")."""
    bold = "B" if weight in ("bold", "700", "800", "900") else ""
    italic = "I" if style in ("italic", "oblique") else ""
    return FONTS / f"LinLibertine_R{bold}{italic}.otf"


def text_block_pt(edition_name: str, page_number: int = 1) -> tuple[float, float]:
    """The left and right edges of an edition's text block on a page (points from the
    page's left edge), from the page CSS the tool writes."""
    reader = load_reader(REPO, Diagnostics())
    edition = reader.config.edition(edition_name)
    css = page_css(reader, edition)
    side = ":left " if page_number % 2 == 0 else ":right "
    rule = re.search(r"@page (?:%s)?\{ margin: ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm" % side, css)
    _, right, _, left = (float(v) for v in rule.groups())
    page_width = length_mm(edition.page_size[0])
    return left * PT_PER_MM, (page_width - right) * PT_PER_MM


def svg_width_pt(svg: Path) -> float:
    width = re.search(r'<svg[^>]*\bwidth="([\d.]+)mm"', svg.read_text(encoding="utf-8")).group(1)
    return float(width) * PT_PER_MM


# --- the checker catches what it should --------------------------------------------------

def _svg(tmp_path: Path, body: str, frame: str = '<rect x="10" y="10" width="180" height="80" '
         'fill="none" stroke="#000"/>') -> Path:
    path = tmp_path / "figure.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="200mm" height="100mm" '
                    f'viewBox="0 0 200 100" font-family="Reader Serif">{body}{frame}</svg>',
                    encoding="utf-8")
    return path


ISLAND = '<path fill="#eee" stroke="#444" d="M100 40l20 0 0 20-20 0z"/>'


def test_a_clean_figure_passes(tmp_path):
    svg = _svg(tmp_path, ISLAND + '<text x="40" y="30" font-size="8">Sea</text>'
               '<text x="140" y="80" font-size="8" text-anchor="end">Cape</text>')
    assert svgfigure.check_figure(svg, 200 * PT_PER_MM, libertine) == []


def test_a_label_on_a_coastline_is_found(tmp_path):
    # "Island" starts left of the square and runs into it across its left edge
    svg = _svg(tmp_path, ISLAND + '<text x="98" y="52" font-size="8" text-anchor="middle">Island</text>')
    problems = svgfigure.check_figure(svg, 200 * PT_PER_MM, libertine)
    assert problems == ["figure.svg:1: 'Island' touches a coastline (clearance 0.5 pt)"]


def test_a_label_clear_of_the_coast_by_less_than_the_clearance_is_found(tmp_path):
    # the ink of "Sea" ends 0.1 mm (0.28 pt: 1 unit is 1 mm here) above the island's top
    box = svgfigure.ink_box("Sea", str(libertine("normal", "normal")), 8)
    svg = _svg(tmp_path, ISLAND + f'<text x="102" y="{40 - 0.1 + box[2]:.4f}" font-size="8">Sea</text>')
    assert svgfigure.check_figure(svg, 200 * PT_PER_MM, libertine) == [
        "figure.svg:1: 'Sea' touches a coastline (clearance 0.5 pt)"]
    assert svgfigure.check_figure(svg, 200 * PT_PER_MM, libertine, clearance_pt=0.2) == []


def test_small_overlapping_rotated_and_stray_labels_are_found(tmp_path):
    svg = _svg(tmp_path, '<text x="20" y="30" font-size="2">tiny</text>'
               '<text x="40" y="60" font-size="8">Alpha</text>'
               '<text x="48" y="62" font-size="8">Beta</text>'
               '<text x="196" y="50" font-size="8" text-anchor="middle" '
               'transform="rotate(90 196 50)">Edge</text>'
               '<g transform="translate(150 0)"><text x="50" y="30" font-size="8">Out</text></g>')
    problems = svgfigure.check_figure(svg, 200 * PT_PER_MM, libertine)
    assert "figure.svg:1: 'tiny' is printed at 5.67 pt (at least 7 pt)" in problems
    assert "figure.svg:1: 'Alpha' and 'Beta' overlap" in problems
    # rotated a quarter turn about its anchor, "Edge" runs down, its ink off the right edge
    assert "figure.svg:1: 'Edge' leaves the viewBox" in problems
    assert "figure.svg:1: 'Out' leaves the viewBox" in problems


def test_an_off_centre_frame_is_found(tmp_path):
    svg = _svg(tmp_path, "", '<rect x="14" y="10" width="180" height="80" fill="none" stroke="#000"/>')
    assert svgfigure.check_figure(svg, 200 * PT_PER_MM, libertine) == [
        "figure.svg: the frame is off-centre: margins left 39.69 pt, right 17.01 pt"]


def test_path_data_flattens_relative_and_absolute_commands():
    polys = svgfigure.path_polylines("M10 10l5 0v5h-5zM20 20L30 20C30 25 25 30 20 30z", steps=2)
    assert polys[0] == [(10, 10), (15, 10), (15, 15), (10, 15), (10, 10)]
    assert polys[1][:2] == [(20, 20), (30, 20)] and polys[1][-1] == (20, 20)


# --- the bundled map -------------------------------------------------------------------

def test_map_labels_and_frame_at_the_print_width():
    """Printed at the A5 text width, every label is 7 pt or more and clear of the
    coastlines and of each other, and the frame is centred in the drawing."""
    left, right = text_block_pt("print")
    width = min(svg_width_pt(MAP), right - left)
    assert 290 < width < 300        # the figure spans the A5 text block (103.6 mm)
    assert svgfigure.check_figure(MAP, width, libertine) == []


def test_map_measured_with_the_faces_it_carries():
    """The same, measured with the faces embedded in the map rather than the committed files."""
    left, right = text_block_pt("print")
    width = min(svg_width_pt(MAP), right - left)
    assert svgfigure.check_figure(MAP, width, svgfigure.embedded_faces(MAP)) == []
    fig = svgfigure.read_figure(MAP, svgfigure.embedded_faces(MAP))
    same = svgfigure.read_figure(MAP, libertine)
    assert [lab.quad for lab in fig.labels] == [lab.quad for lab in same.labels]


def test_map_keeps_its_hierarchy():
    """The names of the land stay larger than their other forms, which are italic."""
    fig = svgfigure.read_figure(MAP, libertine)
    sizes = {lab.text: lab.size for lab in fig.labels}
    for name, other in (("Kunashir", "Kunashiri-tō"), ("Iturup", "Etorofu-tō"),
                        ("Shikotan", "Shikotan-tō"), ("Habomai Islands", "Habomai guntō"),
                        ("Sakhalin", "Karafuto"), ("Urup", "Uruppu-tō")):
        assert sizes[name] > sizes[other], name
    assert re.search(r'font-style="italic">Kunashiri-tō<', MAP.read_text(encoding="utf-8"))
    assert sizes["Hokkaido"] == max(sizes.values())


def test_map_carries_the_faces_of_its_labels():
    """A browser or a reading system shows an SVG <img> without the page's fonts: the map
    carries its own cut of the book's face, with every character its labels use."""
    svg = MAP.read_text(encoding="utf-8")
    family = re.search(r'<svg[^>]*font-family="\'([^\']+)\'', svg).group(1)
    faces = {}
    for rule in re.findall(r"@font-face\{([^}]*)\}", svg):
        assert re.search(r'font-family:"([^"]+)"', rule).group(1) == family
        style = re.search(r"font-style:(\w+)", rule).group(1)
        data = base64.b64decode(re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", rule).group(1))
        faces[style] = TTFont(io.BytesIO(data)).getBestCmap()
    assert set(faces) == {"normal", "italic"}
    for label in svgfigure.read_figure(MAP, libertine).labels:
        style = "italic" if re.search(rf'font-style="italic">{re.escape(label.text)}<', svg) else "normal"
        missing = {c for c in label.text if ord(c) not in faces[style]}
        assert not missing, (label.text, missing)


def test_map_frame_has_equal_margins():
    left, right, top, bottom = svgfigure.frame_margins(svgfigure.read_figure(MAP, libertine))
    assert left == right == top == bottom


# --- the built editions ----------------------------------------------------------------

def _figure_boxes(page):
    """The map's drawing box (its white ground, the whole viewBox) and its frame (the
    stroked rectangle over the sea), or None on a page without them."""
    rects = [r for r in page.rects if r["width"] > 100]
    grounds = [r for r in rects if r["fill"] and tuple(r["non_stroking_color"] or ()) == (1, 1, 1)]
    frames = [r for r in rects if r["stroke"] and not r["fill"]]
    if not grounds or not frames:
        return None
    return grounds[0], frames[-1]


def _map_page(pdf: pdfplumber.PDF):
    pages = [p for p in pdf.pages if "Okhotsk" in "".join(c["text"] for c in p.chars)
             and _figure_boxes(p)]
    assert len(pages) == 1
    return pages[0]


def _printed_size(char) -> float:
    """A character's printed size; a quarter-turned character's is its box's width."""
    return char["size"] if char["upright"] else char["x1"] - char["x0"]


@pytest.mark.parametrize("edition", ["print", "large-print"])
def test_map_centred_in_the_pdf(bundled, edition):
    with pdfplumber.open(bundled["root"] / "build" / f"{edition}.pdf") as pdf:
        page = _map_page(pdf)
        ground, frame = _figure_boxes(page)
        assert ground["x0"] < frame["x0"] < frame["x1"] < ground["x1"]
        left, right = text_block_pt(edition, page.page_number)
        # the figure's box is centred on the text block
        assert abs((ground["x0"] - left) - (right - ground["x1"])) < 0.5
        # the frame is centred in the figure's box, across and down
        assert abs((frame["x0"] - ground["x0"]) - (ground["x1"] - frame["x1"])) < 0.25
        assert abs((frame["top"] - ground["top"]) - (ground["bottom"] - frame["bottom"])) < 0.25
        labels = [c for c in page.chars if c["text"].strip()
                  and ground["x0"] <= c["x0"] and c["x1"] <= ground["x1"]
                  and ground["top"] <= c["top"] and c["bottom"] <= ground["bottom"]]
    assert len(labels) > 300
    assert min(_printed_size(c) for c in labels) >= 7.0
    # the committed checker agrees at the width the PDF prints the drawing
    assert svgfigure.check_figure(MAP, ground["width"], libertine) == []


def test_map_in_the_ebook_is_the_centred_one(bundled):
    """The e-book ships the same drawing; at its own width (the most a reading system
    gives it) its labels are 7 pt or more and its frame centred."""
    with zipfile.ZipFile(bundled["epub"]) as z:
        name = next(n for n in z.namelist() if n.endswith("kuril-islands.svg"))
        data = z.read(name)
    assert data == MAP.read_bytes()
    assert svgfigure.check_figure(MAP, svg_width_pt(MAP), libertine) == []
