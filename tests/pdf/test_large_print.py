"""The large-print medium (styles/large-print.css): large print throughout, measured on the PDF.

The bundled reader's ``large-print`` edition (medium = "large-print", 16 pt on A4) is
read back from its PDF: the size of every word as drawn, the line ends, the place of
the folios, the faces; every note on its call's page.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import Run, named_destinations, pdf_runs, pdf_words

SIZE = 16.0          # the bundled reader's large-print font-size
HYPHENS = "-\u2010\u00ad"


@pytest.fixture(scope="module")
def large(bundled) -> dict:
    pdf = bundled["root"] / "build" / "large-print.pdf"
    edition = next(e for e in bundled["manifest"]["editions"] if e["name"] == "large-print")
    return {"pdf": pdf, "root": bundled["root"], "runs": pdf_runs(pdf), "pages": edition["pages"]}


def test_at_least_99_percent_of_words_at_the_edition_size(large):
    words = [(page, word, size) for page, word, size in pdf_words(large["pdf"])]
    small = [(page, word, size) for page, word, size in words if size < SIZE - 0.05]
    assert len(words) > 15000
    assert len(small) / len(words) < 0.01, small[:40]
    # what is smaller is only the map's labels (SVG text, the figure's own sizes)
    destinations = named_destinations(large["pdf"])
    map_page = destinations["fig:kurils"]
    assert {page for page, _w, _s in small} <= {map_page}


def test_notes_note_numbers_heads_and_folios_are_large(large):
    """The words of the notes, the note numbers in the text and at the notes, the running
    heads and the folios are drawn at the edition's size or larger."""
    destinations = named_destinations(large["pdf"])
    page = destinations["fnref-24"]
    on_page = [r for r in large["runs"] if r.page == page]
    sizes = {r.text.strip(): r.size for r in on_page}
    calls = [r for r in on_page if re.fullmatch(r"24\.?", r.text.strip())]   # the call, the note's number
    assert len(calls) >= 2 and min(r.size for r in calls) >= SIZE
    assert sizes.get(str(page), 0) >= SIZE * 1.2          # the folio, larger than the text
    assert min(r.size for r in on_page) >= SIZE


def _lines(pdf: Path) -> list[tuple[int, str, str]]:
    """(page, line, next line) as pypdf reads the text."""
    out = []
    for number, page in enumerate(pypdf.PdfReader(str(pdf)).pages, start=1):
        lines = [line.rstrip() for line in page.extract_text().split("\n")]
        out += [(number, a, b) for a, b in zip(lines, lines[1:])]
    return out


def _source_text(root: Path) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted((root / "manuscript").glob("*.md"))]
    parts += [p.read_text(encoding="utf-8") for p in sorted((root / "manuscript").glob("*.toml"))]
    parts += [p.read_text(encoding="utf-8") for p in sorted((root / "bibliography").glob("*.bib"))]
    return re.sub(r"\s+", " ", " ".join(parts))


def test_no_line_ends_in_a_hyphen_that_is_not_in_the_source(large):
    source = _source_text(large["root"])
    checked = 0
    for page, line, following in _lines(large["pdf"]):
        if not line or line[-1] not in HYPHENS or not following.strip():
            continue
        checked += 1
        assert line[-1] == "-", f"page {page}: a hyphen added by hyphenation: {line[-40:]!r}"
        joined = line.split()[-1] + following.split()[0]
        joined = joined.strip("()[];,.")                  # a URL in parentheses ends "…/);"
        word = re.sub(r"^\W+|[\W]+$", "", joined.split("/")[-1]) or joined
        assert word in source, f"page {page}: {line[-30:]!r} / {following[:20]!r}: {word!r} is not in the source"
    assert checked >= 1        # compound words such as "post-war" still break after their hyphen


def test_every_note_is_on_its_calls_page(large, bundled):
    destinations = named_destinations(large["pdf"])
    calls = {k[len("fnref-"):]: v for k, v in destinations.items() if k.startswith("fnref-")}
    assert len(calls) > 80
    misplaced = {n: (p, destinations.get(f"fn-{n}")) for n, p in calls.items() if destinations.get(f"fn-{n}") != p}
    assert not misplaced
    codes = [d.code for d in bundled["result"].diagnostics]
    assert "note-misplaced" not in codes


def test_line_spacing_is_at_least_1_3(large):
    """Between two lines that start at the left edge of the text, one after the other, the
    baselines are at least 1.3 times the size apart."""
    by_page = defaultdict(list)
    for run in large["runs"]:
        if abs(run.size - SIZE) < 0.05:
            by_page[run.page].append(run)
    gaps = []
    for page, runs in by_page.items():
        left = min(r.x for r in runs)
        starts = sorted({round(r.y, 1) for r in runs if abs(r.x - left) < 0.5}, reverse=True)
        gaps += [a - b for a, b in zip(starts, starts[1:])]
    assert len(gaps) > 500
    assert min(gaps) >= 1.3 * SIZE - 0.05


def test_no_italic_face_outside_the_map_and_no_small_capitals(large):
    destinations = named_destinations(large["pdf"])
    map_page = destinations["fig:kurils"]
    italic = {r.page for r in large["runs"] if "Italic" in r.font}
    assert italic <= {map_page}
    # small capitals drawn as such would read in lower case where the source has capitals
    text = " ".join(r.text for r in large["runs"])
    assert "USSR" in text and "Why There Is No Peace Treaty with Japan" in text


def _lowest_lines(pdf: Path) -> dict:
    """Each page's lowest line of text, as a Run, read with pdfplumber: it places the text
    of a form XObject (an SVG figure's labels) where it is drawn on the page, where pypdf's
    runs give it in the figure's own coordinates."""
    lines = {}
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            chars = [c for c in page.chars if c["text"].strip()]
            if not chars:
                continue
            bottom = max(c["bottom"] for c in chars)
            line = sorted((c for c in chars if c["bottom"] > bottom - 1), key=lambda c: c["x0"])
            lines[number] = Run(number, "".join(c["text"] for c in line), round(max(c["size"] for c in line), 2),
                                round(line[0]["x0"], 2), round(page.height - bottom, 2), line[0]["fontname"])
    return lines


def test_folios_in_the_same_place_on_every_page(large):
    """The page number is on every page but the title page, the imprint on its verso, the
    colophon and the blank pages before a chapter (which carry nothing), at the foot,
    right-aligned at one place, larger."""
    runs = large["runs"]
    places = {}
    blank = 0
    assert "Typeset by reader-build" in " ".join(r.text for r in runs if r.page == 2)    # the imprint
    lowest_lines = _lowest_lines(large["pdf"])
    for page in range(3, large["pages"] + 1):
        lowest = lowest_lines.get(page)
        blank += lowest is None
        if lowest is None or (page == large["pages"] and lowest.text.strip() != str(page)):
            continue             # a blank page; the colophon page has no folio
        assert lowest.text.strip() == str(page), f"page {page}: {lowest.text!r} is lowest"
        assert lowest.size >= SIZE
        places[page] = lowest
    assert len(places) == large["pages"] - 3 - blank
    assert len({round(r.y, 1) for r in places.values()}) == 1
    # right-aligned at one place: the starts differ only by the width of a digit or two
    assert max(r.x for r in places.values()) - min(r.x for r in places.values()) < 1.5 * SIZE
