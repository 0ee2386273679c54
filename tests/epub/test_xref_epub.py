"""Cross-references in an e-book without a print edition (no pages to name: the link names
the place), and in a PDF edition that leaves out the chapter a page reference points to."""
from __future__ import annotations

from lxml import etree

from conftest import MINIMAL, epub_documents, pdf_page_texts, write_project

from reader_build.build import build

XHTML = "{http://www.w3.org/1999/xhtml}"
INTRO = "---\nid: introduction\ntitle: Introduction\nkind: front\n---\n\n## Where It Began {#began}\n\nText.[^i]\n\n[^i]: A note.\n"
ONE = "---\nid: one\ntitle: One\n---\n\nSee @page:began, @note:introduction/i and [the start](introduction.md) [@doe-2001].\n"


def _project(tmp_path, toml):
    files = dict(MINIMAL)
    files.update({"reader.toml": 'title = "T"\n' + toml, "manuscript/introduction.md": INTRO, "manuscript/one.md": ONE})
    return write_project(tmp_path / "p", files)


def test_without_a_print_edition_the_page_reference_names_the_place(tmp_path):
    root = _project(tmp_path, '[editions.ebook]\nformat = "epub"\n')
    assert build(root).status == 0
    doc = etree.fromstring(epub_documents(root / "build" / "ebook.epub")["EPUB/02-one.xhtml"])
    links = {a.get("href"): "".join(a.itertext()) for a in doc.iter(f"{XHTML}a")}
    assert links["01-introduction.xhtml#began"] == "\u201cWhere It Began\u201d"
    assert links["01-introduction.xhtml#fn-1"] == "1"
    assert links["01-introduction.xhtml#introduction"] == "the start"


def test_an_edition_without_the_target_prints_a_question_mark_and_warns(tmp_path):
    root = _project(tmp_path, '[editions.print]\nformat = "pdf"\ninclude = ["title", "toc", "bibliography"]\n')
    result = build(root)
    assert result.status == 0
    warned = [d for d in result.diagnostics if d.code == "xref-page-missing"]
    assert [(d.path, d.line, d.col) for d in warned] == [("manuscript/one.md", 6, 5)]
    assert "See p. ?," in " ".join(" ".join(t.split()) for t in pdf_page_texts(root / "build" / "print.pdf"))
