"""The PDF edition, checked from the PDF itself: text per page, destinations, outline, fonts."""
from __future__ import annotations

import re

import pypdf
import pytest

from conftest import named_destinations, normalise, pdf_fonts, pdf_page_texts


@pytest.fixture(scope="module")
def pages(bundled):
    return pdf_page_texts(bundled["pdf"])


@pytest.fixture(scope="module")
def dests(bundled):
    return named_destinations(bundled["pdf"])


def _note_texts(root):
    """Every note's opening words, in number order, from the sources."""
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.render.html import Target, render_chapter
    reader = load_reader(root, Diagnostics())
    notes = {}
    for chapter in reader.chapters:
        html = render_chapter(reader, chapter, Target("pdf")).body
        for number, body in re.findall(r'<span class="fn" id="fn-(\d+)" data-n="\d+">(.*?)</span>(?=[^<]*(?:<|$))',
                                       html):
            text = re.sub(r"<[^>]+>", "", body)
            notes[int(number)] = normalise(text)
    return reader, notes


def test_every_note_stands_on_the_page_of_its_call(bundled, pages, dests):
    reader, notes = _note_texts(bundled["root"])
    assert len(notes) == reader.note_count >= 45
    wrong = []
    for number, text in notes.items():
        call_page = dests[f"fnref-{number}"]
        words = " ".join(text.split()[:6])
        page_text = normalise(pages[call_page - 1])
        if f"{number} {words}"[:40] not in page_text:
            wrong.append((number, call_page, words))
    assert not wrong, f"notes not on their call's page: {wrong[:5]}"


def test_note_numbers_run_through_the_reader(bundled, dests):
    reader, notes = _note_texts(bundled["root"])
    assert sorted(notes) == list(range(1, reader.note_count + 1))
    call_pages = [dests[f"fnref-{n}"] for n in sorted(notes)]
    assert call_pages == sorted(call_pages)


def test_table_of_contents_gives_the_pages_where_chapters_begin(bundled, pages, dests):
    manifest = bundled["manifest"]
    toc_page = dests["toc"]
    toc = pages[toc_page - 1]
    chapters = [s for s in manifest["sections"] if s["id"] in dests and s["id"] in
                {"introduction", "chronology", "opening", "san-francisco", "dulles-khrushchev"}]
    assert len(chapters) == 5
    for section in chapters:
        page = dests[section["id"]]
        title_start = section["title"][:20]
        line = next((l for l in toc.splitlines() if normalise(l).startswith(normalise(title_start)[:15])), None)
        assert line is not None, f"{section['title']} missing from the contents"
        assert line.rstrip().endswith(str(page)), (line, page)
        assert normalise(section["title"])[:20] in normalise(pages[page - 1]), "title not on its page"
        assert section["pages"]["print"][0] == page


def test_outline_lists_every_chapter_and_section(bundled):
    reader = pypdf.PdfReader(str(bundled["pdf"]))

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield normalise(item.title)
    outline = list(titles(reader.outline))
    for section in bundled["manifest"]["sections"]:
        assert normalise(section["title"]).replace("\u2019", "'") in [t.replace("\u2019", "'") for t in outline]
    assert "Bibliography" in outline and "Index of Names" in outline and "Index of Places" in outline


def test_every_font_is_embedded(bundled):
    fonts = pdf_fonts(bundled["pdf"])
    assert fonts
    for font in fonts:
        assert font["embedded"] and font["subset"] and font["unicode"], font
    assert any("Reader-Serif" in font["name"] for font in fonts)


def test_document_metadata(bundled):
    reader = pypdf.PdfReader(str(bundled["pdf"]))
    info = reader.metadata
    assert info.title == "Why There Is No Peace Treaty with Japan"
    assert "Koshkin" in (info.author or "")
    assert reader.trailer["/Root"].get("/Lang") == "en"


def test_running_heads_and_folios(bundled, pages, dests):
    """No head or folio on a chapter's opening page; heads and folios on the pages after it."""
    start, end = bundled["manifest"]["sections"][[s["id"] for s in bundled["manifest"]["sections"]]
                                                  .index("san-francisco")]["pages"]["print"]
    opening = pages[start - 1].strip().splitlines()
    assert normalise(opening[0]).startswith("Separate San Francisco")
    for page in range(start + 1, end + 1):
        head = normalise(pages[page - 1].strip().splitlines()[0])
        if page % 2 == 1:      # right-hand page: chapter, then folio
            assert head == f"San Francisco, 1951 {page}", head
        else:                  # left-hand page: folio, then the reader's title
            assert head.lower() == f"{page} why there is no peace treaty with japan", head
    assert start % 2 == 1, "chapters open on a right-hand page"


def test_no_traceback_style_layout_warnings(bundled):
    assert bundled["result"].stats["print"]["misplaced_notes"] == 0
