"""What a real .bib file and a real manuscript put in a citation reach the page as written:
"\\&" is an ampersand and a braced word keeps its case in a style that changes case
(CSL styles get citeproc-js's markup, not HTML); the words of a citation ("see", "pp.
33--35", quotation marks) get the dashes and quotation marks of text; a note made of a
citation starts with a capital; two note calls side by side are set "5,6", not "56".
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from conftest import epub_documents, epubcheck_messages, normalise, pdf_page_texts, write_project
from reader_build.bibliography.csl_data import to_csl
from reader_build.bibliography.load import parse_files
from reader_build.build import build
from reader_build.diagnostics import Diagnostics
from reader_build.source.files import SourceFile
from reader_build.source.markdown import parse_chapter

BIB = r"""
@incollection{smith,
  author    = {Smith, Ann},
  title     = {The {Cold War} and the \emph{Pacific}: A {Re-examination} of {DNA}},
  booktitle = {Essays on {Asia} \& the {West}},
  publisher = {Routledge \& Kegan Paul},
  address   = {London},
  year      = {2019},
  pages     = {25--50},
}
@article{doe,
  author  = {Doe, Jane},
  title   = {Less than 5 < 6 and {\"U}ber},
  journal = {Journal of Things \& Stuff},
  year    = {2018},
  volume  = {3},
}
"""

CHAPTER = """
---
id: one
title: One
---

A chapter in a volume [see @smith, pp. 33--35 and passim]. A second citation with a
quotation in its suffix [@doe, 12, "emphasis added"]. Then two calls side by side
[@doe, 14].^[An editorial note right after a citation's note.] The end of the paragraph.[^a][^b]

[^a]: A first note.

[^b]: A second note, called right after the first.
"""


def test_csl_items_carry_citeproc_markup_not_html():
    data, _ = parse_files([SourceFile("bibliography/refs.bib", BIB)], Diagnostics())
    smith = to_csl("smith", data.entries["smith"])
    assert smith["container-title"] == ('Essays on <span class="nocase">Asia</span> & the '
                                        '<span class="nocase">West</span>')
    assert smith["title"] == ('The <span class="nocase">Cold War</span> and the <i>Pacific</i>: '
                              'A <span class="nocase">Re-examination</span> of <span class="nocase">DNA</span>')
    assert smith["publisher"] == "Routledge & Kegan Paul"
    doe = to_csl("doe", data.entries["doe"])
    assert doe["title"] == "Less than 5 < 6 and Über"     # {\"U}: a special character, not a case guard


def test_citation_words_get_the_dashes_and_quotes_of_text():
    parsed = parse_chapter(SourceFile("manuscript/one.md", CHAPTER.lstrip()), None, Diagnostics())
    items = [item for use in parsed.citations for item in use.citation.items]
    assert items[0].prefix == "see" and items[0].locator == "pp. 33–35" and items[0].suffix == "and passim"
    assert (items[1].locator, items[1].suffix) == ("12", ", “emphasis added”"), items[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("cites") / "p", {
        "reader.toml": 'title = "Cites"\nlanguage = "en-US"\n[bibliography]\n'
                       'style = "chicago-notes-bibliography"\n'
                       '[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
        "manuscript/one.md": CHAPTER,
        "bibliography/refs.bib": BIB,
    })
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    return root / "build"


def test_the_pdf_prints_the_citations_as_written(built):
    text = normalise(" ".join(pdf_page_texts(built / "print.pdf")))
    assert "&amp;" not in text and "Essays on Asia & the West" in text, text
    assert '"The Cold War and the Pacific: A Re-examination of DNA,"' in text, text    # braces kept the case
    assert "33–35 and passim" in text and "33--35" not in text, text
    assert '12, "emphasis added."' in text, text
    assert re.search(r"“emphasis\s+added\.”", " ".join(pdf_page_texts(built / "print.pdf")))   # curly
    assert re.search(r"\b1 See Ann Smith,", text), text          # the note starts a sentence
    assert "see Ann Smith" not in text


def test_side_by_side_note_calls_are_set_apart(built):
    text = normalise(" ".join(pdf_page_texts(built / "print.pdf")))
    # the citation starts a line of the source: its period follows the word, no space between
    assert re.search(r"side by side\.3,4 The end of the paragraph\.5,6", text), text


def test_the_epub_marks_the_second_call_and_is_valid(built):
    epub = built / "ebook.epub"
    docs = epub_documents(epub)
    chapter = next(v for k, v in docs.items() if k.endswith(".xhtml") and b"side by side" in v)
    tree = etree.fromstring(chapter)
    calls = tree.xpath("//*[local-name()='a'][contains(concat(' ', @class, ' '), ' noteref ')]")
    after = [a.text for a in calls if "noteref-after" in a.get("class").split()]
    assert after == ["4", "6"], [(a.text, a.get("class")) for a in calls]
    css = next(v for k, v in docs.items() if k.endswith(".css") and b"noteref" in v).decode()
    assert 'a.noteref-after::before { content: ","; }' in css
    assert epubcheck_messages(epub) == []
