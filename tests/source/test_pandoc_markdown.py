"""Markdown written for pandoc or quarto builds as its writer meant it.

Inline notes (``^[…]``), notes called in notes, definition lists, fenced divs
(``::: {.class}``), bare URLs, TeX math, superscripts and subscripts (``2^10^``, ``H~2~O``), small
capitals (``[text]{.smallcaps}``), and image attributes with bare values (``width=50%``), in
every edition: the PDF (each note on its call's page, in reading order), the EPUB (valid,
its notes in order) and the diagnostics (a citation in an inline note is reported at its
line and column).
"""
from __future__ import annotations

import re

import pytest

import pypdfium2 as pdfium

from conftest import _glyphs, ace_failures, epub_documents, epubcheck_messages, named_destinations, normalise, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.diagnostics import Diagnostics
from reader_build.source.citations import crossref_target
from reader_build.source.files import SourceFile
from reader_build.source.markdown import parse_chapter

CHAPTER = """
---
id: one
title: One
---

A first paragraph with an inline note^[It cites [@doe, p. 3] and has *emphasis*.] and a
labelled note.[^outer] A second inline note^[Short.] ends it.

[^outer]: The outer note, which calls an inline note^[Inside the outer note, with its own
    note.[^deep]] and ends.

[^deep]: The deepest note.

Ambassador
: A diplomat of the highest rank.

Minister
: A diplomat of the second rank.[^dl]

[^dl]: A note in a definition, with a list:

    3. one
    4. two

::: {#box .callout-note}
A paragraph in a div.

::: aside
A nested div, with a fence in code:

```
:::
```
:::

Still in the outer div.
:::

Water is H~2~O, 2^10^ is 1024, and [this phrase]{.smallcaps} is in small capitals.

It cost $5 and $10, and the formula $E = mc^2$ is set apart:

$$
\\int_0^1 x^2\\,dx
$$ {#eq:area}

![The coast at dawn](coast.png){#fig:coast width=50%}

## Sources {#sec-sources}

| Year | Event |
|------|-------|
| 1951 | San Francisco |

: Events {#tbl-events}

![A wave](coast.png){#fig-wave}

![A harbour[^cap] at dusk](coast.png)

![A sketch in WebP](sketch.webp)

[^cap]: A note called in a caption.

See @sec-sources, @tbl-events and [@fig:coast; @fig-wave], as quarto writes them.

The archive is at https://archive.org/details/treaty-papers, not at example.com.

A paragraph after the figure, and a string with no break in it: QXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZWQXZW
at its end.

| Whose woods these are I think I know.
|    His house is in the village though;
|
| My little horse must think it queer

\\noindent A paragraph after the verse, not indented.

\\newpage

\\vspace{2em}

A paragraph that opens a page.

- [ ] Ask the archive for the papers
- [x] Read the treaty[^task]
- [link] stays text, and so does [x] with nothing after it:
- [x]

[^task]: A note called in a task.
"""

BIB = """
@book{doe,
  author = {Doe, Jane},
  title = {A Book},
  year = {2001},
}
"""


def _png(path):
    import zlib, struct
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + b"\x80\x60\x40" * 40 for _ in range(30))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 30, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def pandoc_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("pandoc") / "reader"
    write_project(root, {
        "reader.toml": 'title = "Pandoc Markdown"\n[editions.print]\nformat = "pdf"\nfill-pages = true\n'
                       '[editions.ebook]\nformat = "epub"\n',
        "manuscript/one.md": CHAPTER,
        "bibliography/refs.bib": BIB,
    })
    _png(root / "manuscript" / "coast.png")
    from PIL import Image
    Image.new("RGB", (60, 40), (40, 90, 160)).save(root / "manuscript" / "sketch.webp")
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root, result


def test_notes_are_numbered_in_reading_order_a_note_in_a_note_after_its_parent(pandoc_built):
    root, _ = pandoc_built
    text = normalise(" ".join(pdf_page_texts(root / "build" / "print.pdf")))
    order = ["1 It cites (Doe 2001, 3) and has emphasis.", "2 The outer note, which calls an inline note3 and ends.",
             "3 Inside the outer note, with its own note.4", "4 The deepest note.", "5 Short.",
             "6 A note in a definition, with a list: 3. one 4. two"]
    places = [text.find(note) for note in order]
    assert -1 not in places, [n for n, p in zip(order, places) if p == -1]
    assert places == sorted(places)
    # the calls of notes 3 and 4 are in note 2 and note 3, not in the running text
    assert "labelled note.2 A second inline note5 ends it." in text


def test_every_note_is_on_its_calls_page(pandoc_built):
    root, _ = pandoc_built
    destinations = named_destinations(root / "build" / "print.pdf")
    calls = {k[len("fnref-"):]: v for k, v in destinations.items() if re.fullmatch(r"fnref-\d+", k)}
    assert sorted(calls, key=int) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert {n: p for n, p in calls.items() if destinations.get(f"fn-{n}") != p} == {}


def test_the_epub_has_its_notes_in_order_and_is_valid(pandoc_built):
    root, _ = pandoc_built
    epub = root / "build" / "ebook.epub"
    chapter = next(v.decode() for k, v in epub_documents(epub).items() if k.endswith("one.xhtml"))
    assert re.findall(r'<aside[^>]* id="fn-(\d+)"', chapter) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert re.search(r'<figcaption[^>]*>A harbour<a class="noteref"[^>]*href="#fn-7">7</a> at dusk</figcaption>',
                     chapter)
    assert '<a class="noteref" epub:type="noteref" role="doc-noteref" id="fnref-3" href="#fn-3">3</a>' in chapter
    assert re.search(r"<dl>\s*<dt>Ambassador</dt>\s*<dd>", chapter)
    assert '<div id="box" class="callout-note">' in chapter and '<div class="aside">' in chapter
    assert re.search(r"<pre[^>]*><code>:::\n?</code></pre>\s*</div>\s*<p[^>]*>Still in the outer div.</p>\s*</div>",
                     chapter)
    assert 'Water is H<sub>2</sub>O, 2<sup>10</sup> is 1024, and <span class="smallcaps">this phrase</span>' in chapter
    assert '<span class="math">E = mc^2</span>' in chapter and "$5 and $10" in chapter
    assert re.search(r'<div id="eq:area" class="math math-display">\\int_0\^1 x\^2\\,dx</div>', chapter)
    assert re.search(r'<figure class="figure" id="fig:coast">.*?<img [^>]*style="width: 50%"/>'
                     r'<figcaption[^>]*>.*The coast at dawn</figcaption>', chapter)
    opf = next(v.decode() for k, v in epub_documents(epub).items() if k.endswith(".opf"))
    assert re.search(r'<item [^>]*href="[^"]*sketch.webp"[^>]*media-type="image/webp"|'
                     r'<item [^>]*media-type="image/webp"[^>]*href="[^"]*sketch.webp"', opf)
    assert epubcheck_messages(epub) == []


def test_ace_finds_no_violation(pandoc_built, tmp_path):
    """Notes in notes, definition lists, divs, verse and math pass Ace by DAISY, as the bundled reader does."""
    root, _ = pandoc_built
    assert ace_failures(root / "build" / "ebook.epub", tmp_path) == []


def test_math_is_printed_as_its_source_with_one_warning(pandoc_built):
    root, result = pandoc_built
    warnings = [d for d in result.diagnostics if d.code == "math-as-tex"]
    first = next(n for n, line in enumerate(CHAPTER.lstrip("\n").splitlines(), 1) if "$E = mc^2$" in line)
    assert [(d.path, d.line) for d in warnings] == [("manuscript/one.md", first)]
    text = normalise(" ".join(pdf_page_texts(root / "build" / "print.pdf")))
    assert "It cost $5 and $10, and the formula E = mc^2 is set apart:" in text
    assert "\\int_0^1 x^2\\,dx" in text


def test_a_word_longer_than_the_line_stays_inside_the_margins(pandoc_built):
    """It is broken where the line ends (overflow-wrap), never set past the margin."""
    root, _ = pandoc_built
    document = pdfium.PdfDocument(str(root / "build" / "print.pdf"))
    lines = set()
    for page in document:
        width = page.get_width()
        glyphs = _glyphs(page.get_textpage())
        if not any(g.text == "Q" for g in glyphs):
            continue
        text_right = max(g.right for g in glyphs if g.text not in "QXZW")
        word = [g for g in glyphs if g.text in "QXZW"]
        assert max(g.right for g in word) <= text_right + 1 < width
        lines |= {round(g.bottom) for g in word}
    assert len(lines) >= 2                  # the string is on two lines or more


def test_quartos_cross_references_name_their_targets(pandoc_built):
    root, _ = pandoc_built
    pdf = root / "build" / "print.pdf"
    page = named_destinations(pdf)["sec-sources"]
    text = normalise(" ".join(pdf_page_texts(pdf)))
    assert f"See p. {page}, table 1 and figs. 1, 2, as quarto writes them." in text
    assert "Figure 2. A wave" in text and "Table 1. Events" in text


def test_verse_keeps_its_lines_and_raw_tex_starts_a_page(pandoc_built):
    root, result = pandoc_built
    chapter = next(v.decode() for k, v in epub_documents(root / "build" / "ebook.epub").items()
                   if k.endswith("one.xhtml"))
    assert re.search(r'<p class="line-block"[^>]*>(?:<span [^>]*/>)?Whose woods these are I think I know.<br/>\s*'
                     r'\u00a0\u00a0\u00a0His house is in the village though;<br/>\s*<br/>\s*'
                     r'My little horse must think it queer</p>', chapter)
    assert re.search(r'<p class="noindent"[^>]*>A paragraph after the verse, not indented.</p>', chapter)
    assert "vspace" not in chapter
    skipped = [d for d in result.diagnostics if d.code == "tex-ignored"]
    assert [(d.line, "vspace" in d.message) for d in skipped] == [(CHAPTER.lstrip("\n").splitlines().index("\\vspace{2em}") + 1, True)]
    pages = [normalise(p) for p in pdf_page_texts(root / "build" / "print.pdf")]
    before = next(n for n, p in enumerate(pages) if "not indented." in p)
    after = next(n for n, p in enumerate(pages) if "A paragraph that opens a page." in p)
    # the paragraph opens its page: only the running head ("One 7", "8 Pandoc Markdown") comes before it
    head = pages[after].split("A paragraph that opens a page.")[0].split()
    assert after == before + 1 and str(after + 1) in head and set(head) <= {"One", "Pandoc", "Markdown", str(after + 1)}
    assert "My little horse must think it queer" in pages[before]


@pytest.mark.parametrize("key, found", [
    ("fig:map", ("fig", "fig:map", False)), ("Fig:map", ("fig", "fig:map", True)),
    ("page:san-francisco", ("page", "san-francisco", False)), ("note:ch/x", ("note", "ch/x", False)),
    ("fig-map", ("fig", "fig-map", False)), ("Tbl-events", ("tbl", "tbl-events", True)),
    ("sec-intro", ("page", "sec-intro", False)),
    ("sec:intro", ("page", "sec:intro", False)), ("Sec:intro", ("page", "sec:intro", True)),
    ("doe-2001", None), ("fig", None), ("fig-", None), ("figure-1", None), ("page-2", None)])
def test_crossref_keys(key, found):
    assert crossref_target(key) == found


def test_a_bare_url_is_a_link(pandoc_built):
    root, _ = pandoc_built
    chapter = next(v.decode() for k, v in epub_documents(root / "build" / "ebook.epub").items()
                   if k.endswith("one.xhtml"))
    assert ('<a class="external" href="https://archive.org/details/treaty-papers"><span class="url">'
            'https://archive.org/details/treaty-papers</span></a>, not at example.com.') in chapter
    import pypdf
    uris = {annot.get_object()["/A"]["/URI"] for page in pypdf.PdfReader(str(root / "build" / "print.pdf")).pages
            for annot in page.get("/Annots") or () if "/URI" in annot.get_object().get("/A", {})}
    assert "https://archive.org/details/treaty-papers" in uris and not any("example.com" in u for u in uris)


def test_a_task_list_prints_boxes_not_brackets(pandoc_built):
    """GitHub's (and pandoc's) task lists: a box, ticked or not, with its state named for a
    screen reader in the reader's language; brackets that open no task stay text."""
    root, _ = pandoc_built
    chapter = next(v.decode() for k, v in epub_documents(root / "build" / "ebook.epub").items()
                   if k.endswith("one.xhtml"))
    items = re.findall(r"<li[^>]*>(.*?)</li>", chapter[chapter.index("task-list"):], re.S)
    assert items[0].startswith('<span class="task-box task-to-do" role="img" aria-label="not done"/> Ask the archive')
    assert items[1].startswith('<span class="task-box task-done" role="img" aria-label="done"/> Read the treaty<a')
    assert items[2].startswith("[link] stays text") and items[3].strip() == "[x]"
    pages = [normalise(p) for p in pdf_page_texts(root / "build" / "print.pdf")]
    page = next(n for n, p in enumerate(pages) if "Ask the archive" in p)
    assert "[ ] Ask" not in pages[page] and "[x] Read" not in pages[page] and "Read the treaty8" in pages[page]
    assert "8 A note called in a task." in pages[page]
    # each box is drawn just left of its item's first letter, on its line; a tick is drawn
    # inside the second box only
    doc = pdfium.PdfDocument(str(root / "build" / "print.pdf"))
    glyphs = _glyphs(doc[page].get_textpage())
    text = "".join(g.text for g in glyphs)
    paths = [obj.get_bounds() for obj in doc[page].get_objects(max_depth=4) if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH]
    for word in ("Ask", "Read"):
        first = glyphs[text.index(word)]
        beside = [(l, b, r, t) for l, b, r, t in paths
                  if first.left - 20 < l and r < first.left and b < first.top and t > first.bottom]
        assert beside, word
        ask = beside if word == "Ask" else ask
    assert len(beside) > len(ask)


def test_a_note_in_an_alt_text_that_no_page_prints_is_an_error():
    text = "---\nid: a\ntitle: A\n---\n\nSee ![a map[^m]](map.png) here.\n\n[^m]: Lost.\n"
    diags = Diagnostics()
    parse_chapter(SourceFile("manuscript/a.md", text), None, diags)
    assert [(d.code, d.line) for d in diags.errors()] == [("note-in-alt", 6)]


@pytest.mark.parametrize("title, codes", [
    ('"A Title[^t]"', [("note-in-title", 3)]),          # one error, not also "defined but never called"
    ('"A Title [see @doe-2001, p. 3]"', [("cite-in-title", 3)]),
    ('"Notes @doe-2001 wrote"', [("cite-in-title", 3)]),
    ('"Write to ed@example.org [^t]"', [("note-in-title", 3)]),   # an address is no citation
    ('"The *Pequod*"\nshort: "Pequod[^t]"', [("note-in-title", 4)]),
])
def test_a_note_or_citation_in_a_front_matter_title_is_an_error_at_the_title(title, codes):
    """A chapter's title is outside its text: a note called there, or a work cited there, would print
    as written (reader-build 0.1 said the note was 'never called')."""
    defined = "[^t]: A note.\n\n" if "[^t]" in title else ""
    text = f"---\nid: a\ntitle: {title}\n---\n\nText.[^u]\n\n{defined}[^u]: Another.\n"
    diags = Diagnostics()
    parse_chapter(SourceFile("manuscript/a.md", text), None, diags)
    assert [(d.code, d.line) for d in diags.errors()] == codes


def test_a_citation_in_an_inline_note_is_reported_at_its_place():
    text = ("---\nid: a\ntitle: A\n---\n\nFirst line,\nthen a call^[With a key [@nobody] and "
            "more [@other].] here.\n")
    diags = Diagnostics()
    parsed = parse_chapter(SourceFile("manuscript/a.md", text), None, diags)
    assert [(n.label, n.line) for n in parsed.notes] == [("^0", 7)]
    uses = [(u.citation.items[0].key, u.line, u.col, u.in_note) for u in parsed.citations]
    assert uses == [("nobody", 7, 25, 0), ("other", 7, 44, 0)]


def test_a_table_in_a_note_keeps_its_rows_and_an_empty_heading_is_left_out(tmp_path):
    """A page sets no table in a note: the PDF sets each row on a line of its own, its cells
    spaced apart (not run together as "ab12"); the e-book keeps the table.  A heading with no
    text ('#' alone, common in converted files) is left out, with a warning, rather than
    making an empty heading and a contents line with no title."""
    root = write_project(tmp_path / "reader", {
        "reader.toml": 'title = "Tables"\n[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
        "manuscript/one.md": """
            ---
            id: one
            title: One
            ---

            A paragraph with a note.[^t]

            #

            ## Kept

            The end.

            [^t]: A note with a table:

                | Year | Event |
                |------|-------|
                | 1951 | San Francisco |
                | 1956 | Moscow |

                and a paragraph after it.
            """,
    })
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    assert [(d.code, d.line) for d in result.diagnostics if d.code.startswith("heading")] == [("heading-empty", 8)]
    text = pdf_page_texts(root / "build" / "print.pdf")
    page = next(p for p in text if "A note with a table" in p)
    rows = [line.split() for line in page.splitlines()]
    assert ["Year", "Event"] in rows and ["1951", "San", "Francisco"] in rows and ["1956", "Moscow"] in rows
    contents = next(p for p in text if "Kept" in p and "One" in p)
    assert re.search(r"One\W+\d+\s+Kept\W+\d+", normalise(contents)), contents
    chapter = next(v.decode() for k, v in epub_documents(root / "build" / "ebook.epub").items()
                   if k.endswith("one.xhtml"))
    assert re.search(r"<table[^>]*>.*<td>1951</td>.*</table>", chapter, re.S)
    assert not re.search(r"<h\d[^>]*>\s*</h\d>", chapter) and "Kept</h2>" in chapter
    assert epubcheck_messages(root / "build" / "ebook.epub") == []
