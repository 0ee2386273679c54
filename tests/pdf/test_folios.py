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
from reader_build.pdf.engine import AssetFetcher, lay_out, margin_kinds, margin_texts, numbered_pages, page_areas
from reader_build.pdf.folios import FolioSheet, refolio, sheet_folios, sheet_html
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


def _part(folio: str = "counter(page)", css: str = CSS) -> str:
    rnd = random.Random(7)
    body = "".join(f"<p>{' '.join(rnd.choice(WORDS) for _ in range(rnd.randint(40, 90)))}.</p>" for _ in range(30))
    css = css.replace("FOLIO", folio)
    return (f"<html lang='en'><head><style>{css}\n{MARKER}</style></head>"
            f"<body class='book'><h1>Chapter</h1>{body}</body></html>")


def _css(first: int) -> str:
    return f"@page :first {{ counter-reset: page {first}; }}" + ("\nhtml { break-before: left; }" if first % 2 == 0 else "")


def _laid_out(html: str, first: int, margins: bool = False):
    layout = lay_out(html.replace(MARKER, _css(first)), FETCHER, fix=[])
    document = layout.document
    if margins:          # as the worker gives them (parallel._margins)
        kinds = margin_kinds(layout)
        return document.write_pdf(), numbered_pages(document), [
            [count, shown, other] for count, (shown, other) in zip(margin_texts(document), kinds)]
    return document.write_pdf(), numbered_pages(document)


def _sheet(html: str, low: int, high: int) -> FolioSheet:
    document = lay_out(sheet_html(html, high - low + 1, _css(low), MARKER), FETCHER).document
    return sheet_folios(document.write_pdf(), low, page_areas(document))


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


# single-sided pages: the same margins on both sides, the folio outside, the same head on both
SINGLE = """@font-face { font-family: "Reader Serif"; src: url(fonts/LinLibertine_R.otf); }
@page { size: A6; margin: 18mm 12mm; }
@page :left { @top-left { content: FOLIO; font: 9pt/1 "Reader Serif"; }
              @top-center { content: "The Book"; font: 9pt/1 "Reader Serif"; font-variant-caps: small-caps; } }
@page :right { @top-right { content: FOLIO; font: 9pt/1 "Reader Serif"; }
               @top-center { content: "The Book"; font: 9pt/1 "Reader Serif"; font-variant-caps: small-caps; } }
@page chapter:first { @top-left { content: none } @top-right { content: none } @top-center { content: none } }
body { font: 10pt/1.3 "Reader Serif"; font-variant-numeric: oldstyle-nums; }
h1 { page: chapter; }
p { margin: 0; text-indent: 1em; text-align: justify; }"""


@pytest.mark.parametrize("new", [100, 98, 1000])
def test_an_odd_move_of_single_sided_pages_is_the_part_laid_out_at_its_new_page(tmp_path, new):
    """The left and right pages swap: the text stands where it stood, and every object of the
    margin boxes (the head that names the book too) is the other side's."""
    html = _part(css=SINGLE)
    old, numbered, margins = _laid_out(html, 99, margins=True)
    expected, _ = _laid_out(html, new)
    pages = len(_streams(old))
    assert margins[0][0] == 0 and all(m[0] == 2 for m in margins[1:])
    moved = refolio(old, 99, new, numbered, _sheet(html, min(99, new), max(99, new) + pages), FONTS, margins)
    assert moved is not None
    assert _streams(moved) == _streams(expected)
    (tmp_path / "moved.pdf").write_bytes(moved)
    (tmp_path / "expected.pdf").write_bytes(expected)
    assert pdf_page_texts(tmp_path / "moved.pdf") == pdf_page_texts(tmp_path / "expected.pdf")


def test_an_odd_move_of_mirrored_pages_is_laid_out_again():
    """Mirrored margins: the text of a left-hand page stands elsewhere than on a right-hand one."""
    html = _part(css=SINGLE + "\n@page :left { margin-left: 8mm; margin-right: 16mm; }")
    old, numbered, margins = _laid_out(html, 99, margins=True)
    assert refolio(old, 99, 100, numbered, _sheet(html, 99, 100 + len(numbered)), FONTS, margins) is None
    # and the even move of the same part is made
    assert refolio(old, 99, 101, numbered, _sheet(html, 99, 101 + len(numbered)), FONTS, margins) is not None


def test_an_odd_move_takes_the_running_heads_of_the_other_side_from_the_part_itself(tmp_path):
    """A right-hand head that names the chapter (a string of the text, which the sheet lacks): the
    part's own right-hand pages show it, and a left-hand page that becomes a right-hand one gets it."""
    html = _part(css=CSS + "\n@page chapter:first { @top-left { content: none } }")
    old, numbered, margins = _laid_out(html, 99, margins=True)
    expected, _ = _laid_out(html, 100)
    moved = refolio(old, 99, 100, numbered, _sheet(html, 99, 100 + len(numbered)), FONTS, margins)
    assert moved is not None
    assert _streams(moved) == _streams(expected)
    (tmp_path / "moved.pdf").write_bytes(moved)
    texts = pdf_page_texts(tmp_path / "moved.pdf")
    assert "Chapter" in texts[1] and "The Book" in texts[2]        # p. 101 is now a right-hand page
    assert refolio(old, 99, 100, numbered, _sheet(html, 99, 100 + len(numbered)), FONTS) is None   # (no margins said)


def test_an_odd_move_of_a_page_that_would_show_a_folio_on_the_other_side_is_laid_out_again():
    """The opening page (``chapter:first``) hides its head and folio on a right-hand page, not on a
    left-hand one: moved to a left-hand page, it would show a folio that no page of the part shows."""
    html = _part()
    old, numbered, margins = _laid_out(html, 99, margins=True)
    assert margins[0][0] == 0 and "@top-left" in margins[0][2]
    assert refolio(old, 99, 100, numbered, _sheet(html, 99, 100 + len(numbered)), FONTS, margins) is None


def test_an_odd_move_with_heads_that_change_within_the_part_is_laid_out_again():
    """A head that names the section: the part's pages of one side do not all show the same, so a
    page given that side could show another."""
    rnd = random.Random(3)
    sections = "".join(f"<h2>Section {n}</h2>" + "".join(
        f"<p>{' '.join(rnd.choice(WORDS) for _ in range(80))}.</p>" for _ in range(6)) for n in range(5))
    css = CSS.replace("FOLIO", "counter(page)") + "\n@page chapter:first { @top-left { content: none } }"
    html = (f"<html lang='en'><head><style>{css}\nh2 {{ string-set: ch content(); }}"
            f"\n{MARKER}</style></head><body class='book'><h1>Chapter</h1>{sections}</body></html>")
    old, numbered, margins = _laid_out(html, 99, margins=True)
    assert len(numbered) > 8 and not margins[0][2]          # (the opening page shows nothing on either side)
    assert refolio(old, 99, 100, numbered, _sheet(html, 99, 100 + len(numbered)), FONTS, margins) is None
    # the same part with one head for the whole chapter is moved
    html = html.replace("h2 { string-set: ch content(); }", "")
    old, numbered, margins = _laid_out(html, 99, margins=True)
    assert refolio(old, 99, 100, numbered, _sheet(html, 99, 100 + len(numbered)), FONTS, margins) is not None


def test_a_part_without_folios_is_kept_as_it_is():
    html = _part("none").replace("counter(page)", "none")
    old, numbered = _laid_out(html, 99)
    assert not any(numbered)
    assert refolio(old, 99, 101, numbered, _sheet(html, 99, 104), FONTS) == old


def test_html_without_a_body_gives_no_sheet_and_its_part_is_not_spliced():
    html = _part()
    old, numbered = _laid_out(html, 99)
    assert sheet_html("<p>no body element</p>", 4, _css(1), MARKER) is None
    assert sheet_folios(None, 1) == FolioSheet()
    assert refolio(old, 99, 101, numbered, sheet_folios(None, 1), FONTS) is None
