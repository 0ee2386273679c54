"""The note area measured note by note (pdf/engine.py): WeasyPrint lays the whole area out again
for every note added to a page; the engine lays each note out once and adds the heights.  The
pages must be those WeasyPrint's own measure gives, with notes of every length, with notes that
do not fit (carried to the next page) and with notes that have margins (measured the old way)."""
from __future__ import annotations

import random

import pytest
import weasyprint

from reader_build.pdf import engine

from conftest import pdf_page_texts

CSS = """
@page { size: 105mm 148mm; margin: 12mm 10mm;
        @footnote { margin-top: 0.8em; padding-top: 0.3em; border-top: 0.4pt solid black; max-height: 70%; } }
body { font-size: 10pt; line-height: 1.35; }
p { text-align: justify; margin: 0; text-indent: 1em; }
.fn { float: footnote; footnote-display: block; font-size: 8pt; line-height: 1.3; margin: 0; }
.fn::footnote-call { content: attr(data-n); vertical-align: super; font-size: 0.66em; line-height: 0; }
.fn::footnote-marker { content: attr(data-n) ". "; }
.fn-p { display: block; }
.fn-p:first-child { display: inline; }
"""

WORDS = ("treaty islands frontier delegation conference ratified memorandum negotiation sovereignty "
         "archive minister declaration article the a of and in to was by for with on that").split()


def _book(seed: int, notes_css: str = "") -> str:
    """A text with 60 notes of every length, from one line to more than a page's worth."""
    rng = random.Random(seed)
    paragraphs, n = [], 0
    for _ in range(40):
        words = [rng.choice(WORDS) for _ in range(rng.randint(20, 90))]
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            n += 1
            length = rng.choice((6, 12, 25, 40, 80, 160)) if n % 17 else 420
            parts = [" ".join(rng.choice(WORDS) for _ in range(length // 2))] * (2 if length > 30 else 1)
            note = "".join(f'<span class="fn-p">{part}.</span>' for part in parts)
            at = rng.randint(1, len(words) - 1)
            words[at] += f'<span class="fn" id="fn-{n}" data-n="{n}">{note}</span>'
        paragraphs.append("<p>" + " ".join(words) + ".</p>")
    return (f"<html lang='en'><head><style>{CSS}{notes_css}</style></head><body>"
            + "\n".join(paragraphs) + "</body></html>")


def _pages(html: str, tmp_path, name: str, monkeypatch, measured: bool) -> list[str]:
    if not measured:      # WeasyPrint's own measure of the whole area, for every note
        monkeypatch.setattr(engine, "_update_note_area", engine._original_update_note_area)
    layout = engine.lay_out(html, engine.AssetFetcher({}, {}), fix=[])
    monkeypatch.undo()
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(layout.document.write_pdf())
    return pdf_page_texts(pdf)


@pytest.mark.parametrize("seed", [1, 2])
def test_notes_measured_one_by_one_give_weasyprints_pages(seed, tmp_path, monkeypatch):
    html = _book(seed)
    measured = _pages(html, tmp_path, "measured", monkeypatch, True)
    whole = _pages(html, tmp_path, "whole", monkeypatch, False)
    assert len(measured) > 10
    assert measured == whole
    # the book has pages with several notes, and a note too long for its page
    assert max(sum(f"{n}. " in page for n in range(1, 80)) for page in measured) >= 3


def test_notes_with_margins_are_measured_with_the_whole_area(tmp_path, monkeypatch):
    html = _book(3, ".fn { margin: 3pt 0 2pt; } .fn-p + .fn-p { margin-top: 2pt; }")
    measured = _pages(html, tmp_path, "measured", monkeypatch, True)
    whole = _pages(html, tmp_path, "whole", monkeypatch, False)
    assert measured == whole


def test_each_note_is_laid_out_once_while_its_page_is_made(monkeypatch):
    """The point of the measure: a page of k notes costs k note layouts, not k(k+1)/2."""
    html = _book(4)
    alone = []
    original = engine.block_level_layout

    def counted(context, box, *args, **kwargs):
        alone.append(id(box.children[0]) if box.children else None)
        return original(context, box, *args, **kwargs)

    monkeypatch.setattr(engine, "block_level_layout", counted)
    layout = engine.lay_out(html, engine.AssetFetcher({}, {}), fix=[])
    notes = html.count('class="fn"')
    pages = len(layout.document.pages)
    assert alone, "the notes were not measured one by one"
    # once per note, and again only where a note is carried to another page (a new area)
    assert len(alone) <= notes + 2 * pages


ROUNDING_CSS = """
@page { size: A4; margin: 25.2mm 28.4mm 29.7mm 34.6mm;
        @footnote { margin-top: 0.9em; padding-top: 0.35em; border-top: 0.4pt solid black; max-height: 85%; } }
html { font-size: 11pt; line-height: 1.38; }
body { margin: 0; }
p { text-align: justify; margin: 0; text-indent: 1em; }
.fn { float: footnote; footnote-policy: line; footnote-display: block; font-size: 8.4pt; line-height: 1.3; }
.fn::footnote-call { content: attr(data-n); vertical-align: super; font-size: 0.66em; line-height: 0; }
.fn::footnote-marker { content: attr(data-n) ". "; }
"""


def test_a_note_that_ends_where_its_area_ends_stays_on_its_page():
    """WeasyPrint 70 finds a note area overflowing when its last note ends where the area ends
    but for a rounding error in the last bit of a float.  With print.css's note area on A4 at
    11pt this happens to every note: each goes to the next page with its call's line, and the
    page-mending that keeps notes on their call's page breaks page after page (a 35-page book
    took 222).  The engine takes an overflow for what it is: a note area taller than its
    max-height lets it be."""
    rng = random.Random(5)
    paragraphs = []
    for n in range(1, 31):
        words = [rng.choice(WORDS) for _ in range(rng.randint(40, 120))]
        note = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
        words[rng.randint(1, len(words) - 1)] += f'<span class="fn" id="fn-{n}" data-n="{n}">{note}</span>'
        paragraphs.append("<p>" + " ".join(words) + ".</p>")
    html = f"<html lang='en'><head><style>{ROUNDING_CSS}</style></head><body>" + "\n".join(paragraphs) + "</body></html>"
    plain = weasyprint.HTML(string=html).render()
    assert len(engine.misplaced_notes(plain)) > 20, "WeasyPrint alone should fall into the rounding trap here"
    layout = engine.lay_out(html, engine.AssetFetcher({}, {}), fix=[])
    # (one note left for the build's next layout, as at any size: WeasyPrint's footnote-policy)
    assert len(engine.misplaced_notes(layout.document)) <= 1
    assert len(layout.document.pages) <= 9 < len(plain.pages)
