"""Nothing runs past the page's edge: long links, tables with long cells or many columns.

A PDF cannot scroll: text set past the margin is text lost.  A URL longer than the line (in
the text, in a note, in a table cell, after a link's name in print) breaks where the line ends; a
table whose cells are too wide at their words' widths breaks them too, rather than push its
last columns off the page.  A chronology's short first column still keeps each date on one
line.
"""
from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from conftest import _glyphs, epub_documents, normalise, pdf_page_texts, write_project
from reader_build.build import build

URL = "https://example.org/averyveryveryverylongpathsegmentwithoutanybreaks_at_all_whatsoever/index.html"
COLUMNS = 12

CHAPTER = f"""
---
id: wide
title: Wide
---

A paragraph with a long link {URL} in it, and a named [link with a name]({URL}) too.[^n]

| Source | Where |
|---|---|
| {URL} | The archive |
| A short one | {URL} |

| Date | Event |
|---|---|
| 8 September 1951 | The treaty is signed at San Francisco, in the War Memorial Opera House, by the delegations of forty-nine states. |

| {" | ".join(f"Heading {i}" for i in range(COLUMNS))} |
|{"---|" * COLUMNS}
| {" | ".join(f"cell{i}" for i in range(COLUMNS))} |

[^n]: See {URL} for it.
"""


@pytest.fixture(scope="module")
def wide_built(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("wide") / "reader", {
        "reader.toml": 'title = "Wide"\n[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
        "manuscript/wide.md": CHAPTER,
    })
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root


def _pages(root):
    document = pdfium.PdfDocument(str(root / "build" / "print.pdf"))
    return [(page.get_width(), _glyphs(page.get_textpage())) for page in document]


def test_nothing_is_set_past_the_margins(wide_built):
    """On every page of the chapter, every glyph of the text stands between the left and right
    edges of its justified lines, and every cell of the twelve columns is printed."""
    texts = [normalise(text) for text in pdf_page_texts(wide_built / "build" / "print.pdf")]
    first = next(n for n, text in enumerate(texts) if "A paragraph with a long link" in text)
    last = next(n for n, text in enumerate(texts) if "1 See https" in text)
    pages = _pages(wide_built)
    # the measure: the width of the paragraph's first line, justified
    glyphs = pages[first][1]
    text = "".join(g.text for g in glyphs)
    a = glyphs[text.index("Aparagraph")]
    measure = max(g.right for g in glyphs if abs(g.bottom - a.bottom) < 1) - a.left
    checked = 0
    for n in range(first, last + 1):
        width, glyphs = pages[n]
        body = [g for g in glyphs if g.text.isalnum()]
        left = min(g.left for g in body)              # (text overflows to the right, never to the left)
        outside = [g.text for g in glyphs if g.right > left + measure + 1]
        assert outside == [], (n, "".join(outside))
        checked += 1
    # every heading of the twelve columns is printed (inside the edges, as checked above), if
    # broken: its capital H, the only one but for "House", opens each
    assert sum(g.text == "H" for n in range(first, last + 1) for g in pages[n][1]) == COLUMNS + 1
    assert checked >= 1


def test_a_url_breaks_at_the_lines_end_and_keeps_its_characters(wide_built):
    """Broken across lines, the URL loses no character and gains no hyphen; the link keeps
    the whole address."""
    texts = pdf_page_texts(wide_built / "build" / "print.pdf")
    flat = re.sub(r"\s+", "", "".join(texts))
    # the text, the named link's address printed after its name (a page cannot be clicked), a
    # cell and the note (the other cell's text reads interleaved with its row's, as a text
    # layer reads table rows)
    assert flat.count(URL) >= 4 and f"linkwithaname({URL})too" in flat
    import pypdf
    uris = [annot.get_object()["/A"]["/URI"] for page in pypdf.PdfReader(str(wide_built / "build" / "print.pdf")).pages
            for annot in page.get("/Annots") or () if "/URI" in annot.get_object().get("/A", {})]
    assert uris and set(uris) == {URL}


def test_a_short_first_column_keeps_each_date_on_one_line(wide_built):
    texts = pdf_page_texts(wide_built / "build" / "print.pdf")
    page = next(text for text in texts if "The treaty is signed" in text)
    assert re.search(r"8\s+September\s+1951", page)
    line = next(line for line in page.splitlines() if "1951" in line)
    assert "September" in line and "8" in line


def test_the_epub_keeps_the_links_whole(wide_built):
    chapter = next(v.decode() for k, v in epub_documents(wide_built / "build" / "ebook.epub").items()
                   if k.endswith("wide.xhtml"))
    assert f'href="{URL}"' in chapter
    text = re.sub(r"<[^>]+>", "", chapter)
    assert text.count(URL) >= 3 and "link with a name too" in text     # (no address printed: a link)
