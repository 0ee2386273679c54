"""The torture manuscript (tests/data/torture): Markdown written for other tools, built into
two PDF editions and an EPUB.  Every cross-reference is checked against the PDF's own text
(the page where its target stands), every link against its target, and EPUBCheck has
nothing to say."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import etree

from conftest import epub_documents, named_destinations, normalise, pdf_page_texts
from epubcheck_batch import epubcheck_many

from reader_build.build import build

TORTURE = Path(__file__).resolve().parent.parent / "data" / "torture"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def torture(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("torture") / "reader"
    shutil.copytree(TORTURE, root)
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return {"root": root, "result": result, "texts": {name: [normalise(t) for t in pdf_page_texts(
        root / "build" / f"{name}.pdf")] for name in ("print", "screen")}}


def _page_with(texts: list[str], needle: str) -> int:
    pages = [n for n, text in enumerate(texts, start=1) if needle in text and ". . ." not in text]   # (not the lists)
    assert len(pages) == 1, (needle, pages)
    return pages[0]


def test_it_builds_with_the_repairs_reported(torture):
    codes = {(d.code, d.severity) for d in torture["result"].diagnostics}
    assert ("html-duplicate-id", "warning") in codes
    assert ("html-repaired", "warning") in codes
    messages = [d.format() for d in torture["result"].diagnostics]
    assert "manuscript/01-raw.md:26:1: warning [html-removed]: raw HTML removed: <blink> (unwrapped: its content " \
           "kept)" in messages
    assert "manuscript/01-raw.md:26:1: warning [html-repaired]: raw HTML repaired: text loose in <ul> wrapped, " \
           "<tr> outside a table removed, <td> outside <tr> removed" in messages
    assert not [d for d in torture["result"].diagnostics if d.severity == "error"]


def test_epubcheck_reports_nothing(torture):
    epub = torture["root"] / "build" / "ebook.epub"
    assert epubcheck_many([epub])[epub] == []


@pytest.mark.parametrize("edition", ["print", "screen"])
def test_page_references_give_the_page_of_their_target(torture, edition):
    texts = torture["texts"][edition]
    pdf = torture["root"] / "build" / f"{edition}.pdf"
    destinations = named_destinations(pdf)
    figure = _page_with(texts, "Figure 1. The Kuril Islands and the coast.")
    table = _page_with(texts, "Table 1. The events")
    talks = _page_with(texts, "The London Talks Back to")
    assert destinations["fig:kurils"] == figure and destinations["london-talks"] == talks
    opening = texts[_page_with(texts, "The map (fig. 1)") - 1]
    assert f"The events are in table 1, on p. {table}." in opening
    assert f"See the map on p. {figure}, the London talks on p. {talks} and" in opening


def test_each_pdf_edition_prints_its_own_pages(torture):
    pages = {name: _page_with(texts, "Table 1. The events") for name, texts in torture["texts"].items()}
    assert pages["print"] != pages["screen"]        # chapters open on right-hand pages only in print


@pytest.mark.parametrize("edition", ["print", "screen"])
def test_figures_tables_and_notes_are_numbered(torture, edition):
    text = " ".join(torture["texts"][edition])
    assert "The map (fig. 1) and its sequel figs. 1, 2 are described here; Fig. 1 is the older one." in text
    assert "Figure 2. The coast." in text
    assert "the note n. 1; the other chapter's note is n. 2." in text
    assert "the note n. 1.2" in text.replace(" 2 The second", "2 The second")   # @note:raw/first, note call 2
    assert "the figures are fig. 1 and fig. 2." in text


def test_same_text_headings_get_pandoc_ids(torture):
    ids = set(named_destinations(torture["root"] / "build" / "print.pdf"))
    assert {"raw-foo", "raw-foo-1", "files-foo"} <= ids


def _epub_trees(root: Path) -> dict:
    return {name: etree.fromstring(data) for name, data in epub_documents(root / "build" / "ebook.epub").items()
            if name.endswith(".xhtml")}


def test_epub_links_go_to_the_right_document(torture):
    trees = _epub_trees(torture["root"])
    ids = {name.rsplit("/", 1)[-1]: {e.get("id") for e in tree.iter() if e.get("id")} for name, tree in trees.items()}
    raw = trees["EPUB/01-raw.xhtml"]
    hrefs = [a.get("href") for a in raw.iter(f"{XHTML}a") if a.get("href")]
    assert "02-files.xhtml#london-talks" in hrefs            # [..](02-files.md#london-talks), [..][talks], raw <a>
    assert "02-files.xhtml#files" in hrefs                   # [..](02-files.md)
    assert "02-files.xhtml#fig:coast" in hrefs               # [@fig:kurils; @fig:coast]
    assert not [h for h in hrefs if ".md" in h or h.startswith("/")]
    for href in hrefs:
        if href.startswith(("http", "mailto")):
            continue
        doc, _, fragment = href.partition("#")
        assert fragment in ids[doc or "01-raw.xhtml"], href


def test_epub_page_references_show_the_print_page(torture):
    print_texts = torture["texts"]["print"]
    figure = _page_with(print_texts, "Figure 1. The Kuril Islands and the coast.")
    raw = _epub_trees(torture["root"])["EPUB/01-raw.xhtml"]
    refs = {a.get("href"): "".join(a.itertext()) for a in raw.iter(f"{XHTML}a") if a.get("class") == "page-ref"}
    assert refs["#fig:kurils"] == str(figure)


def test_urls_and_dois_are_percent_encoded(torture):
    docs = epub_documents(torture["root"] / "build" / "ebook.epub")
    bib = docs["EPUB/bibliography.xhtml"].decode()
    assert 'href="https://doi.org/10.1002/(SICI)1096-987X(199803)19:4%3C377::AID-JCC1%3E3.0.CO%3B2-P"' in bib
    # (white space in a .bib URL is BibTeX's line wrapping: dropped; an escape already there is kept)
    assert 'href="https://example.org/apath/with%60ticks%60and%7E%7Cpipes%7C?q=%3Cx%3E"' in bib
    text = normalise(" ".join(torture["texts"]["print"]))
    assert "https://doi.org/10.1002/ (SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P" in text or \
        "https://doi.org/10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P" in text


def test_one_document_layout_gives_the_same_page_references(torture, tmp_path):
    """--emit-html lays the edition out as one document: the page references are filled the same way."""
    root = tmp_path / "reader"
    shutil.copytree(TORTURE, root)
    result = build(root, ["print"], emit_html=True)
    assert result.status == 0
    texts = [normalise(t) for t in pdf_page_texts(root / "build" / "print.pdf")]
    assert texts == torture["texts"]["print"]


@pytest.mark.parametrize("edition", ["print", "screen"])
def test_the_index_lists_figures_in_italics(torture, edition):
    texts = torture["texts"][edition]
    first = _page_with(texts, "Figure 1. The Kuril Islands and the coast.")
    second = _page_with(texts, "Figure 2. The coast.")
    index = texts[_page_with(texts, "Numbers in italics refer to figures.") - 1]
    assert f"Kuril Islands, {first}, {second}" in index       # the caption's mention; figures = ["fig:coast"]


def test_figure_locators_are_italic_in_the_ebook(torture):
    index = etree.fromstring(epub_documents(torture["root"] / "build" / "ebook.epub")["EPUB/index-place.xhtml"])
    line = next(e for e in index.iter(f"{XHTML}li") if e.get("id") == "ix-kurils")
    assert [(a.get("href"), [i.get("class") for i in a]) for a in line.iter(f"{XHTML}a")] == [
        ("01-raw.xhtml#m-raw-2", ["index-figure"]), ("02-files.xhtml#fig:coast", ["index-figure"])]


def test_the_list_of_figures_is_a_part_an_edition_may_include(torture):
    screen, print_ = torture["texts"]["screen"], torture["texts"]["print"]
    listed = [text for text in screen if text.startswith("Figures ")]
    assert len(listed) == 1 and not [text for text in print_ if text.startswith("Figures ")]
    first = _page_with(screen, "Figure 1. The Kuril Islands and the coast.")
    second = _page_with(screen, "Figure 2. The coast.")
    assert re.search(rf"Figure 1\. The Kuril Islands and the coast\.[ .]* {first} Figure 2\. The coast\.[ .]* {second}$",
                     listed[0])
    docs = epub_documents(torture["root"] / "build" / "ebook.epub")
    lof = etree.fromstring(docs["EPUB/00-figures.xhtml"])
    assert [(a.get("href"), "".join(a.itertext())) for a in lof.iter(f"{XHTML}a")] == [
        ("01-raw.xhtml#fig:kurils", "Figure\u00a01. The Kuril Islands and the coast."),
        ("02-files.xhtml#fig:coast", "Figure\u00a02. The coast.")]
