"""Print page starts (reader_build.pdf.pagemap) and the EPUB page-list (reader_build.render.pagebreaks).

* small documents laid out here check :func:`page_starts` against the PDF's text (read with pypdfium2) on
  the hard cases (hyphenation, ``::first-letter``, ``::before``, ``text-transform``,
  footnotes, repeated table headers, blank pages, a page that opens with an image);
* :func:`insert_page_breaks`, :func:`plan_page_breaks` and :func:`page_list_nav` are
  checked on hand-written markup;
* the bundled reader: every page start agrees with the text of page N, the EPUB's
  page-list has one entry per print page (every page, title page to colophon), every
  entry leads to its marker, the text after each marker is the text at the top of that
  print page, and EPUBCheck reports nothing.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import (epub_documents, epubcheck_messages, named_destinations, pdf_page_texts,
                      pdf_reading_texts)

from reader_build.render.pagebreaks import insert_page_breaks, page_list_nav, plan_page_breaks
from reader_build.model import PageStart
from reader_build.pdf.pagemap import page_starts
from reader_build.render.places import normalised_text

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB = "{http://www.idpf.org/2007/ops}"
SEED = Path(__file__).resolve().parents[1] / "data" / "seed-article.txt"


# -- comparing a start with the text of a page --------------------------------------------

def alnum(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def running_head(line: str, page: int) -> bool:
    m = re.fullmatch(r"\s*(\d+)\s{3,}\S.*|\s*\S.*?\s{3,}(\d+)\s*|\s*(\d+)\s*", line)
    return bool(m) and str(page) in m.groups()


def page_top(text: str, page: int) -> str:
    """The page's text without its running head (laid out as pdftotext -layout does)."""
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and running_head(lines[0], page):
        lines = lines[1:]
    return "\n".join(lines)


def _match(expected: str, page: str) -> bool:
    """*page* starts with *expected*, skipping digits of *page* that are note calls."""
    i = 0
    for ch in page:
        if i == len(expected):
            return True
        if ch == expected[i]:
            i += 1
        elif not ch.isdigit():
            return False
    return i == len(expected)


def starts_alike(expected: str, page: str, n: int = 24, skip: str = "") -> bool:
    """The first *n* letters and digits of *expected* open *page*; a start snapped back to
    the start of a hyphenated word may open with only the end of that word."""
    page_chars = alnum(page)
    if skip and page_chars.startswith(alnum(skip)):
        page_chars = page_chars[len(alnum(skip)):]
    words = expected.split()
    first = alnum(words[0]) if words else ""
    want = alnum(expected)
    for cut in range(0, len(first) + 1):
        if cut == len(first) and cut:
            break
        if _match(want[cut:cut + n], page_chars):
            return True
    return False


# -- laying out small documents -------------------------------------------------------------

def paragraphs(count: int, words: int = 90) -> list[str]:
    text = " ".join(line for line in SEED.read_text(encoding="utf-8").splitlines() if len(line) > 300)
    tokens = [t for t in text.split() if "<" not in t and "&" not in t]
    return [" ".join(tokens[i * words:(i + 1) * words]) for i in range(count)]


CSS = """
@page { size: 105mm 148mm; margin: 16mm 12mm 14mm;
        @top-center { content: "Running head " counter(page); font-size: 7pt; } }
@page :blank { @top-center { content: none; } }
html { font: 10pt/1.3 "DejaVu Serif", serif; }
p { margin: 0 0 0.4em; text-align: justify; hyphens: auto; }
.fn { float: footnote; font-size: 7.5pt; footnote-display: block; }
.fn::footnote-call { content: counter(footnote); vertical-align: super; font-size: 6pt; line-height: 0; }
.fn::footnote-marker { content: counter(footnote) ". "; }
p.lead::first-letter { font-size: 2.4em; }
h2::before { content: "\\A7 "; }
.caps { text-transform: uppercase; }
section.chapter { break-before: right; }
table { border-collapse: collapse; width: 100%; }
td, th { font-size: 8pt; vertical-align: top; }
figure { break-before: page; margin: 0; }
figure img { width: 60mm; height: 60mm; }
.colophon { break-before: page; }
a.noteref { font-size: 6pt; vertical-align: super; }
"""

SVG = ("data:image/svg+xml;charset=utf-8,"
       "%3Csvg xmlns='http://www.w3.org/2000/svg' width='100' height='100'%3E"
       "%3Crect width='100' height='100' fill='%23ccc'/%3E%3C/svg%3E")


def synthetic_html() -> str:
    paras = paragraphs(40)
    body = ['<section class="chapter" id="one"><h1>The First Chapter</h1>']
    n, chapter = 0, "one"

    def block(tag, text, cls=""):
        nonlocal n
        n += 1
        attr = f' class="{cls}"' if cls else ""
        return f'<{tag} data-b="{chapter}-{n}"{attr}>{text}</{tag}>'

    for i, para in enumerate(paras[:14]):
        words = para.split()
        if i == 0:
            body.append(block("p", para, "lead"))
            continue
        if i % 4 == 1:
            words.insert(20, '<span class="fn">A note in the body of the page, which must not count.</span>')
        if i % 4 == 2:
            words.insert(12, '<span class="caps">shouted words</span>')
            words.insert(30, '<a class="noteref noteref-again" href="#fn-1">1</a>')
        if i % 4 == 3:
            words.insert(8, "<em>" + " ".join(words[8:12]) + "</em>")
            del words[9:13]
            words.insert(25, "extra\u00adordinarily")
        if i % 5 == 4:
            body.append(block("h2", "A section heading"))
        body.append(block("p", " ".join(words)))
    body.append("</section>")
    body.append('<section class="chapter" id="two"><h1>The Second Chapter</h1>')
    n, chapter = 0, "two"
    body.append(block("p", paras[15]))
    rows = []
    for i in range(40):
        rows.append(f"<tr>{block('td', f'{1900 + i}')}{block('td', ' '.join(paras[16].split()[i:i + 9]))}</tr>")
    body.append(f"<table><thead><tr>{block('th', 'date')}{block('th', 'event')}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")
    body.append(f'<figure id="fig-two-1"><img src="{SVG}" alt="a grey square"/>'
                f'{block("figcaption", "A grey square, for a figure at the top of a page.")}</figure>')
    for para in paras[17:22]:
        body.append(block("p", para))
    body.append("</section>")
    body.append('<div class="colophon"><p>Set in DejaVu Serif.</p></div>')
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><style>{CSS}</style></head>'
            f'<body>{"".join(body)}</body></html>')


def synthetic_top(text: str) -> str:
    return re.sub(r"^\s*Running head \d+\s*", "", text.strip("\n"))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    import weasyprint
    html = synthetic_html()
    document = weasyprint.HTML(string=html).render()
    pdf = tmp_path_factory.mktemp("pagemap") / "synthetic.pdf"
    document.write_pdf(pdf)
    stats = {}
    starts = page_starts(document, stats=stats)
    return {"html": html, "document": document, "pdf": pdf, "starts": starts, "stats": stats,
            "pages": pdf_page_texts(pdf)}


def test_synthetic_every_box_aligns(synthetic):
    assert synthetic["stats"]["alignment_errors"] == 0
    assert len(synthetic["starts"]) == len(synthetic["document"].pages) >= 12
    assert [s.label for s in synthetic["starts"]] == [str(n) for n in range(1, len(synthetic["starts"]) + 1)]


def test_synthetic_starts_agree_with_pdftotext(synthetic):
    wrong = []
    for start, text in zip(synthetic["starts"], synthetic["pages"]):
        top = synthetic_top(text)
        if start.key is None:
            if top.strip() and "DejaVu" not in top:         # only blank pages and the colophon
                wrong.append((start.page, "no start", top[:40]))
            continue
        if start.anchor == "fig-two-1":                     # the image, then its caption
            if alnum(start.excerpt) not in alnum(top):
                wrong.append((start.page, start.excerpt[:30], top[:40]))
            continue
        skip = "date event" if (start.block or "").startswith("two-") and start.block != "two-1" else ""
        if not starts_alike(start.excerpt, top, skip=skip):
            wrong.append((start.page, start.excerpt[:30], top[:40]))
    assert not wrong, wrong


def test_synthetic_special_pages(synthetic):
    starts = synthetic["starts"]
    by_page = {s.page: s for s in starts}
    assert starts[0] == PageStart(1, None, 0, "1", anchor="one")           # the chapter title
    chapter_two = [s for s in starts if s.anchor == "two"]
    assert len(chapter_two) == 1 and chapter_two[0].offset == 0
    blank = [s.page for s in starts if s.key is None and not synthetic_top(synthetic["pages"][s.page - 1])]
    assert blank and all(synthetic["pages"][p - 1].strip() == "" for p in blank)
    assert by_page[blank[0] + 1].anchor == "two"                          # a blank verso before chapter two
    figure = [s for s in starts if s.anchor == "fig-two-1"]
    assert len(figure) == 1 and figure[0].offset == 0 and figure[0].excerpt.startswith("A grey square")
    assert starts[-1].key is None                                         # the colophon has no key
    header_repeated = [s.page for s in starts
                       if synthetic_top(synthetic["pages"][s.page - 1]).split()[:2] == ["date", "event"]]
    assert len(header_repeated) >= 2                                      # the table runs over pages
    assert all(by_page[p].block not in ("two-2", "two-3") for p in header_repeated)


def test_synthetic_mid_word_starts_snap_to_the_word(synthetic):
    document_html = etree.HTML(synthetic["html"])
    blocks = {el.get("data-b"): el for el in document_html.iter() if el.get("data-b")}
    for start in synthetic["starts"]:
        if start.block:
            text = normalised_text(blocks[start.block])
            assert start.offset == 0 or text[start.offset - 1] == " ", start
            assert text[start.offset:].startswith(start.excerpt)


def test_page_starts_of_an_empty_document():
    import weasyprint
    document = weasyprint.HTML(string="<html><body></body></html>").render()
    assert page_starts(document) == [PageStart(1, None, 0, "1")]


# -- placing markers ------------------------------------------------------------------------

CHAPTER = """<section class="chapter" id="c" epub:type="chapter" role="doc-chapter">
<h1 class="chapter-title" id="c-title">Title</h1>
<p data-b="c-1">Soviet&#8211;Japanese <em>relations</em> were re&#173;stored<a class="noteref" \
epub:type="noteref" role="doc-noteref" id="fnref-1" href="#fn-1">1</a> by <span class="ix" \
id="m-c-1">Gromyko</span> and others.</p>
<ul data-b="c-2x"><li data-b="c-2">a tight item</li></ul>
</section>
<section class="footnotes"><aside id="fn-1" epub:type="footnote">1. A note.</aside></section>"""


def markers(html: str) -> list[str]:
    return re.findall(r'<span epub:type="pagebreak" role="doc-pagebreak" id="page-(\w+)" aria-label="\1"></span>',
                      html)


def test_insert_page_breaks_at_offsets():
    text = normalised_text(etree.HTML(CHAPTER.replace("epub:type", "data-t")).xpath("//p")[0])
    assert text == "Soviet\u2013Japanese relations were restored by Gromyko and others."
    starts = [PageStart(3, "c-1", text.index("restored"), "3"), PageStart(4, "c-1", text.index("Gromyko"), "4"),
              PageStart(5, "c-1", text.index("others"), "5"), PageStart(6, "c-2", 0, "6"),
              PageStart(7, "unknown-1", 0, "7")]
    out = insert_page_breaks(CHAPTER, starts)
    assert markers(out) == ["3", "4", "5", "6"]
    marker = '<span epub:type="pagebreak" role="doc-pagebreak" id="page-{0}" aria-label="{0}"></span>'
    assert "were " + marker.format(3) + "re\u00adstored" in out
    # before the mention that opens the page, so that the index's link to it lands after the marker
    assert marker.format(4) + '<span class="ix" id="m-c-1">Gromyko' in out
    assert "and " + marker.format(5) + "others." in out
    assert '<li data-b="c-2">' + marker.format(6) + "a tight" in out


def test_insert_page_breaks_snaps_and_keeps_order():
    text = "Soviet\u2013Japanese relations were restored by Gromyko and others."
    mid = text.index("stored")                              # a start inside "restored"
    out = insert_page_breaks(CHAPTER, [PageStart(9, "c-1", mid, "9"), PageStart(8, "c-1", mid, "8")])
    assert markers(out) == ["8", "9"]
    assert 'aria-label="9"></span>re\u00adstored' in out


def test_insert_page_breaks_skips_note_calls():
    text = "Soviet\u2013Japanese relations were restored by Gromyko and others."
    out = insert_page_breaks(CHAPTER, [PageStart(2, "c-1", text.index("by"), "2")])
    assert '>1</a> <span epub:type="pagebreak" role="doc-pagebreak" id="page-2" aria-label="2"></span>by ' in out


def test_insert_page_breaks_at_anchors_and_document_ends():
    out = insert_page_breaks(CHAPTER, [PageStart(1, None, 0, "1", anchor="c")],
                             at_start=[PageStart(0, None, 0, "0")], at_end=[PageStart(99, None, 0, "99")])
    assert markers(out) == ["0", "1", "99"]
    assert re.search(r'role="doc-chapter"><span [^>]*id="page-1"[^>]*></span>\s*<h1', out)
    assert out.rstrip().endswith('aria-label="99"></span>')


def test_insert_page_breaks_ids_inside_blocks_are_not_places():
    out = insert_page_breaks(CHAPTER, [PageStart(1, None, 0, "1", anchor="m-c-1")])
    assert markers(out) == []


def test_insert_page_breaks_before_a_list():
    html = '<section id="s"><ul id="l"><li>one</li></ul></section>'
    out = insert_page_breaks(html, [PageStart(1, None, 0, "1", anchor="l")])
    assert '<section id="s"><span epub:type="pagebreak"' in out and '</span><ul id="l">' in out


def test_insert_page_breaks_in_xhtml():
    doc = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
           'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title></head>'
           '<body><p data-b="x-1">one two three</p></body></html>')
    out = insert_page_breaks(doc, [PageStart(2, "x-1", 4, "2")])
    tree = etree.fromstring(out.encode())
    span = tree.find(f".//{XHTML}span")
    assert span.get(f"{EPUB}type") == "pagebreak" and span.get("aria-label") == "2"
    assert span.tail == "two three" and 'xmlns:epub' not in out.split("<body>")[1]


def test_insert_page_breaks_never_raises():
    assert insert_page_breaks("", [PageStart(1, "a", 0, "1")]) == ""
    assert insert_page_breaks("<p data-b='a'>x</p>", []) == "<p data-b='a'>x</p>"
    assert markers(insert_page_breaks("<p data-b='a'>x</p>", [PageStart(1, "a", 999, "1")])) == ["1"]


def test_plan_page_breaks_places_pages_without_a_place():
    docs = [("title.xhtml", "<section><h1>T</h1></section>"),
            ("one.xhtml", '<section id="one"><h1 id="one-title">One</h1><p data-b="one-1">a b c</p></section>'),
            ("two.xhtml", '<section id="two"><p data-b="two-1">d e f</p></section>')]
    starts = [PageStart(1, None, 0, "1", anchor="title-page"), PageStart(2, None, 0, "2"),
              PageStart(3, None, 0, "3", anchor="toc"), PageStart(4, None, 0, "4", anchor="one"),
              PageStart(5, "one-1", 2, "5"), PageStart(6, None, 0, "6"), PageStart(7, "two-1", 0, "7"),
              PageStart(8, None, 0, "8", anchor="colophon")]
    placements, entries = plan_page_breaks(starts, docs, {"title-page": "title.xhtml"})
    assert [label for _href, label in entries] == [str(n) for n in range(1, 9)]
    assert entries[0] == ("title.xhtml#page-1", "1")
    assert [s.label for s in placements["title.xhtml"].at_start] == ["1"]
    assert [(s.label, s.anchor) for s in placements["one.xhtml"].inline][:3] == [("2", "one"), ("3", "one"),
                                                                               ("4", "one")]
    assert [(s.label, s.block) for s in placements["two.xhtml"].inline] == [("6", "two-1"), ("7", "two-1")]
    assert [s.label for s in placements["two.xhtml"].at_end] == ["8"]
    html = insert_page_breaks(docs[1][1], placements["one.xhtml"].inline)
    assert markers(html) == ["2", "3", "4", "5"]


def test_page_list_nav():
    nav = page_list_nav([("01-a.xhtml#page-1", "1"), ("01-a.xhtml#page-ii", "ii & <x>")])
    tree = etree.fromstring(nav)
    assert tree.get(f"{EPUB}type") == "page-list" and tree.get("role") == "doc-pagelist"
    assert tree.get("hidden") == ""
    links = tree.findall(".//a")
    assert [(a.get("href"), a.text) for a in links] == [("01-a.xhtml#page-1", "1"), ("01-a.xhtml#page-ii", "ii & <x>")]


# -- the bundled reader ---------------------------------------------------------------------

def _has_page_list(epub: Path) -> bool:
    with zipfile.ZipFile(epub) as zf:
        return any(b'epub:type="page-list"' in zf.read(n) for n in zf.namelist() if n.endswith("nav.xhtml"))


@pytest.fixture(scope="module")
def paged(bundled, tmp_path_factory):
    """The bundled reader's print layout and its page starts, and an EPUB with the page-list:
    the bundled build's own when the build passes the starts to the EPUB, else one made here
    from the same layout."""
    from reader_build.config import build_date
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.epub.book import build_epub
    from reader_build.pdf.parallel import build_pdf
    root = bundled["root"]
    diags = Diagnostics()
    reader = load_reader(root, diags)
    date = build_date(reader.config.date)
    # The book laid out as one document (a single part), whose HTML is laid out here once more
    # to read its boxes: the same pages as the bundled build's merged parts.
    result = build_pdf(reader, reader.config.print_edition, root, diags, date, jobs=1, whole=True, emit_html=True)
    from conftest import named_destinations
    dests = named_destinations(bundled["pdf"])
    assert result.pages == bundled["manifest"]["editions"][0]["pages"]
    assert {k: v for k, v in result.anchors.items() if k in dests} == \
        {k: v for k, v in dests.items() if k in result.anchors}, "the layout differs from the bundled build's"
    stats = {}
    from reader_build.pdf.engine import AssetFetcher, lay_out
    starts = page_starts(lay_out(result.html, AssetFetcher(reader.fonts, reader.images)).document, stats=stats)
    epub = bundled["epub"]
    if not _has_page_list(epub):
        made = build_epub(reader, reader.config.edition("ebook"), root, diags, date, result.anchors,
                          page_starts=starts)
        epub = tmp_path_factory.mktemp("paged") / "ebook.epub"
        epub.write_bytes(made.data)
    docs = epub_documents(epub)
    trees = {name.rsplit("/", 1)[-1]: etree.fromstring(data, etree.XMLParser(resolve_entities=False))
             for name, data in docs.items() if name.endswith(".xhtml")}
    return {"root": root, "reader": reader, "result": result, "starts": starts, "stats": stats, "epub": epub,
            "docs": docs,
            "trees": trees, "pages": pdf_reading_texts(bundled["pdf"]), "dests": named_destinations(bundled["pdf"])}


def test_bundled_page_starts_align_without_error(paged):
    assert paged["stats"]["alignment_errors"] == 0
    assert len(paged["starts"]) == len(paged["pages"]) == paged["result"].pages


def test_bundled_page_starts_agree_with_pdftotext(paged):
    wrong = []
    mid_word = 0
    for start, text in zip(paged["starts"], paged["pages"]):
        top = page_top(text, start.page)
        if start.key is None:
            if top.strip():
                wrong.append((start.page, "no start", top[:40]))
            continue
        if start.anchor and start.anchor.startswith(("fig-", "fig:")):
            # opens with the map, whose labels pdftotext reads first; then the caption
            if alnum(start.excerpt)[:40] not in alnum(top):
                wrong.append((start.page, start.excerpt[:30], "caption not on the page"))
            continue
        skip = ""
        if start.block and start.block.startswith("chronology-") and [w.lower() for w in top.split()[:2]] == ["date", "event"]:
            skip = "date event"                        # the table header repeated on the page
        if not starts_alike(start.excerpt, top, skip=skip):
            wrong.append((start.page, start.excerpt[:30], top[:40]))
        elif not alnum(top).startswith(alnum(start.excerpt.split()[0])) and not skip:
            mid_word += 1
    assert not wrong, wrong
    assert mid_word >= 1                               # some page begins inside a hyphenated word


def _skip_text(node) -> bool:
    classes = (node.get("class") or "").split()
    kind = node.get(f"{EPUB}type") or ""
    return (node.tag in (f"{XHTML}aside", f"{XHTML}head") or "noteref" in classes or "footnotes" in classes
            or kind == "pagebreak")


def _stream(node):
    yield ("element", node)
    if node.text and not callable(node.tag):
        yield ("text", node.text)
    for child in node:
        if not callable(child.tag) and not _skip_text(child):
            yield from _stream(child)
        elif not callable(child.tag):
            yield ("element", child)
        if child.tail:
            yield ("text", child.tail)


def text_after(tree, element, limit: int = 400) -> str:
    out, on = [], False
    for kind, value in _stream(tree):
        if kind == "element" and value is element:
            on = True
        elif on and kind == "text":
            out.append(value)
            if sum(len(s) for s in out) > limit:
                break
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _page_list(paged):
    nav = paged["trees"]["nav.xhtml"]
    lists = [n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB}type") == "page-list"]
    assert len(lists) == 1
    return lists[0]


def test_bundled_page_list_lists_every_print_page(paged):
    page_list = _page_list(paged)
    assert page_list.get("role") == "doc-pagelist" and page_list.get("hidden") is not None
    entries = [(a.get("href"), a.text) for a in page_list.iter(f"{XHTML}a")]
    assert [label for _href, label in entries] == [str(n) for n in range(1, paged["result"].pages + 1)]
    for href, label in entries:
        name, _, fragment = href.partition("#")
        assert fragment == f"page-{label}"
        found = paged["trees"][name].xpath("//*[@id=$i]", i=fragment)
        assert len(found) == 1, href
        marker = found[0]
        assert marker.tag == f"{XHTML}span" and marker.get(f"{EPUB}type") == "pagebreak"
        assert marker.get("role") == "doc-pagebreak" and marker.get("aria-label") == label
        assert len(marker) == 0 and not (marker.text or "").strip()
    all_markers = [n for tree in paged["trees"].values() for n in tree.iter(f"{XHTML}span")
                   if n.get(f"{EPUB}type") == "pagebreak"]
    assert len(all_markers) == len(entries)


def test_bundled_text_after_each_marker_is_the_top_of_its_page(paged):
    trees = paged["trees"]
    entries = [(a.get("href"), a.text) for a in _page_list(paged).iter(f"{XHTML}a")]
    dests, pages = paged["dests"], len(paged["pages"])
    first_chapter = dests[paged["reader"].chapters[0].id]
    not_in_ebook = set(range(dests["toc"], first_chapter)) if "toc" in dests else set()
    if "colophon" in dests:
        not_in_ebook |= set(range(dests["colophon"], pages + 1))
    if "imprint" in dests:
        not_in_ebook.add(dests["imprint"])                    # the title's verso, print only
    wrong = []
    for (href, label), start, text in zip(entries, paged["starts"], paged["pages"]):
        name, _, fragment = href.partition("#")
        tree = trees[name]
        marker = tree.xpath("//*[@id=$i]", i=fragment)[0]
        after = text_after(tree, marker)
        top = page_top(text, start.page)
        if not top.strip() or start.page in not_in_ebook:
            # a blank page, or one the e-book does not have (the contents, the colophon): its
            # marker sits with the next page's, or at the very end
            following = marker.getnext()
            assert (following is not None and following.get(f"{EPUB}type") == "pagebreak"
                    and not (marker.tail or "").strip()) or not after, (label, after[:40])
            continue
        if marker.getparent().tag == f"{XHTML}figure":
            caption = marker.getparent().find(f"{XHTML}figcaption")
            if alnum(element_text(caption))[:40] not in alnum(top):
                wrong.append((label, "caption not on the page"))
            continue
        n = 24
        if name.startswith("index-") and marker.getparent().tag == f"{XHTML}body":
            # the e-book's index opens with its own note ("pages of the print edition")
            n = len(alnum(element_text(next(tree.iter(f"{XHTML}h1")))))
        skip = ""
        cell = marker.getparent()
        if cell.tag == f"{XHTML}td":
            head = cell.getparent().getparent().getparent().find(f"{XHTML}thead")
            skip = element_text(head) if head is not None else ""
        if not starts_alike(after, top, n=n, skip=skip):
            wrong.append((label, after[:30], top[:40]))
    assert not wrong, wrong


def element_text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def test_bundled_epub_names_the_source_of_its_pages(paged):
    opf = next(data for name, data in paged["docs"].items() if name.endswith(".opf")).decode()
    m = re.search(r'<meta property="pageBreakSource">([^<]+)</meta>', opf)
    assert m and "print" in m.group(1) and paged["reader"].config.title in m.group(1)


def test_bundled_epub_with_the_page_list_passes_epubcheck(paged):
    messages = epubcheck_messages(paged["epub"])
    assert messages == [], [(m["ID"], m["message"], m["locations"][:1]) for m in messages][:10]


def test_no_page_list_without_print_pages(paged, tmp_path):
    from reader_build.diagnostics import Diagnostics
    from reader_build.epub.book import build_epub
    reader = paged["reader"]
    made = build_epub(reader, reader.config.edition("ebook"), paged["root"], Diagnostics(), "")
    epub = tmp_path / "plain.epub"
    epub.write_bytes(made.data)
    docs = epub_documents(epub)
    assert not _has_page_list(epub)
    assert not any(b'"pagebreak"' in data for data in docs.values())
    assert not any(b"pageBreakSource" in data for data in docs.values())


def test_the_build_itself_writes_the_page_list(bundled):
    assert _has_page_list(bundled["epub"])
