"""A part that only moved gets the folios of its new pages without a new layout (pdf/folios.py).

A part laid out from page 99, given the folios of a folio sheet, must be the part laid out from
page 101 (or 97): the same content streams, the same text on every page, fonts that hold the
new digits.  Where a folio cannot be put in place exactly, nothing is spliced.
"""
from __future__ import annotations

import random
from io import BytesIO

import pikepdf
import pytest

from conftest import REPO, pdf_page_texts
from reader_build.pdf.engine import AssetFetcher, lay_out, numbered_pages
from reader_build.pdf.folios import refolio, sheet_folios, sheet_html
from reader_build.pdf.fonts import font_glyphs

FONTS = {p.name: p.read_bytes() for p in (REPO / "src" / "reader_build" / "styles" / "fonts").glob("LinLibertine_R*.otf")}
FETCHER = AssetFetcher(FONTS, {})
MARKER = "/* part rules */"
WORDS = "the treaty island peace soviet japan conference delegation sovereignty memorandum".split()
CSS = """@font-face { font-family: "Reader Serif"; src: url(fonts/LinLibertine_R.otf); }
@page { size: A6; margin: 18mm 12mm; }
@page :left { @top-left { content: counter(page); font: 9pt/1 "Reader Serif"; }
              @top-center { content: "The Book"; font: 9pt/1 "Reader Serif"; } }
@page :right { @top-right { content: FOLIO; font: 9pt/1 "Reader Serif"; }
               @top-center { content: string(ch); font: 9pt/1 "Reader Serif"; font-style: italic; } }
@page chapter:first { @top-right { content: none } @top-center { content: none } }
body { font: 10pt/1.3 "Reader Serif"; font-variant-numeric: oldstyle-nums; }
h1 { string-set: ch content(); page: chapter; }
p { margin: 0; text-indent: 1em; text-align: justify; }"""


def _part(folio: str = "counter(page)") -> str:
    rnd = random.Random(7)
    body = "".join(f"<p>{' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(40, 90)))}.</p>" for _ in range(30))
    css = CSS.replace("FOLIO", folio)
    return (f"<html lang='en'><head><style>{css}\n{MARKER}</style></head>"
            f"<body class='book'><h1>Chapter</h1>{body}</body></html>")


def _css(first: int) -> str:
    return f"@page :first {{ counter-reset: page {first}; }}" + ("\nhtml { break-before: left; }" if first % 2 == 0 else "")


def _laid_out(html: str, first: int):
    document = lay_out(html.replace(MARKER, _css(first)), FETCHER).document
    return document.write_pdf(), numbered_pages(document)


def _sheet(html: str, low: int, high: int) -> tuple:
    data = lay_out(sheet_html(html, high - low + 1, _css(low), MARKER), FETCHER).document.write_pdf()
    return sheet_folios(data, low)


def _streams(data: bytes) -> list[bytes]:
    with pikepdf.open(BytesIO(data)) as pdf:
        return [page.obj.Contents.read_bytes() for page in pdf.pages]


def _digits(data: bytes) -> str:
    """The text of the glyphs of the folio font (the regular face) of the PDF's first page."""
    with pikepdf.open(BytesIO(data)) as pdf:
        texts = set()
        for page in pdf.pages:
            for key, font in page.obj.Resources.Font.items():
                texts |= set(font_glyphs(font)[1].values())
    return "".join(sorted(t for t in texts if t.isdigit()))


@pytest.mark.parametrize("new", [101, 97, 1099])
def test_a_moved_part_is_the_part_laid_out_at_its_new_page(tmp_path, new):
    html = _part()
    old, numbered = _laid_out(html, 99)
    expected, _ = _laid_out(html, new)
    pages = len(_streams(old))
    assert pages >= 4 and numbered[0] is False and all(numbered[1:])     # the opening page has no folio
    sheet = _sheet(html, min(99, new), max(99, new) + pages)
    moved = refolio(old, 99, new, numbered, sheet, FONTS)
    assert moved is not None
    assert _streams(moved) == _streams(expected)
    (tmp_path / "moved.pdf").write_bytes(moved)
    (tmp_path / "expected.pdf").write_bytes(expected)
    texts = pdf_page_texts(tmp_path / "moved.pdf")
    assert texts == pdf_page_texts(tmp_path / "expected.pdf")
    assert str(new + 1) in texts[1] and str(new + pages - 1) in texts[-1]
    assert set(_digits(expected)) <= set(_digits(moved))    # the new digits are in the part's font


def test_a_folio_that_is_not_the_sheets_is_not_spliced():
    """A folio that holds a string too ("101 · Chapter") is not the sheet's (whose pages have no
    string): the part is laid out again rather than given a wrong folio."""
    html = _part('counter(page) " · " string(ch)')
    old, numbered = _laid_out(html, 99)
    sheet = _sheet(html, 99, 101 + len(numbered))
    assert refolio(old, 99, 101, numbered, sheet, FONTS) is None


def test_an_odd_move_is_laid_out_again():
    html = _part()
    old, numbered = _laid_out(html, 99)
    sheet = _sheet(html, 99, 100 + len(numbered))
    assert refolio(old, 99, 100, numbered, sheet, FONTS) is None


def test_a_part_without_folios_is_kept_as_it_is():
    html = _part("none").replace("counter(page)", "none")
    old, numbered = _laid_out(html, 99)
    assert not any(numbered)
    assert refolio(old, 99, 101, numbered, _sheet(html, 99, 104), FONTS) == old


def test_html_without_a_body_gives_no_sheet_and_its_part_is_not_spliced():
    html = _part()
    old, numbered = _laid_out(html, 99)
    assert sheet_html("<p>no body element</p>", 4, _css(1), MARKER) is None
    assert sheet_folios(None, 1) == ({}, {})
    assert refolio(old, 99, 101, numbered, sheet_folios(None, 1), FONTS) is None
