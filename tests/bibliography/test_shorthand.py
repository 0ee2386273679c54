"""biblatex's ``shorthand`` and ``shortauthor`` in the built-in author-date style and in the
CSL data: a work cited by an abbreviation ("FRUS 1955–57, 23:1, doc. 89"), listed under it.

A small synthetic project (two series volumes with shorthands, a body with a short author,
two ordinary works) is checked at the level of the bibliography, then built, and its
citations and reference list are read back from the text of the PDF.
"""
from __future__ import annotations

import pytest

from conftest import normalise, pdf_page_texts, write_project
from reader_build.bibliography.csl_data import to_csl
from reader_build.bibliography.references import BibSettings, load_bibliography
from reader_build.diagnostics import Diagnostics
from reader_build.source.citations import parse_citation
from reader_build.source.files import SourceFile

NBSP = "\u00a0"

BIB = r"""
@book{fr-1957,
  author    = {{United States Department of State}},
  title     = {Foreign Relations of the United States, 1955--1957},
  volume    = {XXIII},
  part      = {1},
  publisher = {Government Printing Office},
  location  = {Washington},
  date      = {1991},
  shorthand = {FRUS 1955--57, 23:1},
}
@book{fr-1949,
  author    = {{United States Department of State}},
  title     = {Foreign Relations of the United States, 1949},
  volume    = {VII},
  part      = {2},
  shorthand = {FRUS 1949, 7:2},
}
@book{dos-1991,
  author    = {{United States Department of State}},
  title     = {A Pamphlet},
  date      = {1991},
}
@book{dos-1991b,
  author    = {{United States Department of State}},
  title     = {Another Pamphlet},
  date      = {1991},
}
@report{un-1956,
  author      = {{United Nations}},
  shortauthor = {{UN}},
  title       = {Yearbook of the United Nations},
  institution = {United Nations},
  date        = {1956},
}
@book{adams-2001,
  author    = {Adams, Anne},
  title     = {A Book on Treaties},
  publisher = {Example Press},
  date      = {2001},
}
"""


def bibliography(*sources: str):
    diags = Diagnostics()
    bib = load_bibliography([SourceFile("bibliography/refs.bib", BIB)], BibSettings(), diags)
    assert not [d for d in diags if d.code != "bib-incomplete"], [d.format() for d in diags]
    bib.register(parse_citation(s) for s in sources)
    return bib


def cite(bib, source: str, html: bool = False) -> str:
    citation = parse_citation(source)
    return bib.cite_html(citation, lambda k: f"#ref-{k}") if html else bib.cite_text(citation)


@pytest.mark.parametrize("source, text", [
    ("[@fr-1957, doc. 89]", f"(FRUS 1955–57, 23:1, doc.{NBSP}89)"),
    ("[@fr-1957]", "(FRUS 1955–57, 23:1)"),
    ("[see @fr-1949, doc. 167; @adams-2001, p. 4]", f"(see FRUS 1949, 7:2, doc.{NBSP}167; Adams 2001, 4)"),
    ("[@fr-1957, doc. 13; @fr-1957, doc. 89]", f"(FRUS 1955–57, 23:1, doc.{NBSP}13; FRUS 1955–57, 23:1, doc.{NBSP}89)"),
    ("[@fr-1957; @dos-1991]", "(FRUS 1955–57, 23:1; United States Department of State 1991b)"),
    ("[-@fr-1957, doc. 89]", f"(FRUS 1955–57, 23:1, doc.{NBSP}89)"),
    ("@fr-1957 [doc. 89]", f"FRUS 1955–57, 23:1 (doc.{NBSP}89)"),
    ("@fr-1957", "FRUS 1955–57, 23:1"),
    ("[@un-1956, p. 3]", "(UN 1956, 3)"),
    ("@un-1956", "UN (1956)"),
])
def test_citations_print_the_shorthand_with_the_locator(source, text):
    bib = bibliography("[@fr-1957]", "[@fr-1949]", "[@dos-1991]", "[@dos-1991b]", "[@un-1956]", "[@adams-2001]")
    assert cite(bib, source) == text


def test_the_shorthand_links_to_its_entry():
    bib = bibliography("[@fr-1957]")
    assert cite(bib, "[@fr-1957, doc. 89]", html=True) == (
        '<span class="citation">(<a class="cite" href="#ref-fr-1957">FRUS 1955–57, 23:1</a>, '
        f'doc.{NBSP}89)</span>')


def test_the_list_opens_each_such_entry_with_its_shorthand_and_sorts_it_there():
    bib = bibliography("[@fr-1957]", "[@fr-1949]", "[@dos-1991]", "[@dos-1991b]", "[@un-1956]", "[@adams-2001]")
    entries = bib.entries_html()
    assert [k for k, _ in entries] == ["adams-2001", "fr-1949", "fr-1957", "un-1956", "dos-1991b", "dos-1991"]
    html = dict(entries)
    corporate = '<span class="bib-corporate">United States Department of State</span>'
    assert html["fr-1957"].startswith(f"FRUS 1955–57, 23:1 = {corporate}. 1991. "
                                      "<i>Foreign Relations of the United States, 1955–1957</i>. Vol. XXIII, pt. 1.")
    assert html["fr-1949"].startswith(f"FRUS 1949, 7:2 = {corporate}. n.d. ")
    # the year suffixes belong to the works cited by author and year only
    assert f"{corporate}. 1991a. <i>Another Pamphlet" in html["dos-1991b"]
    assert '<span class="bib-repeated">———</span>. 1991b. <i>A Pamphlet' in html["dos-1991"]     # the same body: the 3-em dash
    # a short author is for citations; the list gives the name in full
    assert html["un-1956"].startswith("<span class=\"bib-corporate\">United Nations</span>. 1956. ")


def test_sortshorthand_orders_the_entry():
    text = BIB.replace("shorthand = {FRUS 1949, 7:2},", "shorthand = {FRUS 1949, 7:2},\n  sortshorthand = {ZZZ},")
    diags = Diagnostics()
    bib = load_bibliography([SourceFile("bibliography/refs.bib", text)], BibSettings(), diags)
    bib.register(parse_citation(s) for s in ("[@fr-1949]", "[@fr-1957]", "[@adams-2001]"))
    assert [k for k, _ in bib.entries_html()] == ["adams-2001", "fr-1957", "fr-1949"]


def test_csl_items_carry_shorthand_and_short_author():
    bib = bibliography()
    frus = to_csl("fr-1957", bib.data.entries["fr-1957"])
    assert frus["citation-label"] == "FRUS 1955–57, 23:1"
    assert frus["custom"] == {"shorthand": "FRUS 1955–57, 23:1"}
    un = to_csl("un-1956", bib.data.entries["un-1956"])
    assert un["author"] == [{"literal": "United Nations"}]
    assert un["custom"] == {"shortauthor": [{"literal": "UN"}]}
    plain = to_csl("adams-2001", bib.data.entries["adams-2001"])
    assert "citation-label" not in plain and "custom" not in plain


PROJECT = {
    "reader.toml": """
        title = "Shorthands"

        [editions.print]
        format = "pdf"
        """,
    "manuscript/one.md": """
        ---
        id: one
        title: Documents
        ---

        The instruction is printed in the series [@fr-1957, doc. 89], and so is the
        earlier telegram [see @fr-1949, doc. 167]. @fr-1957 [doc. 13] gives the frontier of 1855.
        The roster of members is in the yearbook [@un-1956, p. 3]; a general account is
        @adams-2001 [p. 4].
        """,
    "bibliography/refs.bib": BIB,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from reader_build.build import build
    root = write_project(tmp_path_factory.mktemp("shorthand") / "reader", PROJECT)
    result = build(root, jobs=1)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return normalise(" ".join(pdf_page_texts(root / "build" / "print.pdf")))


def test_the_built_pdf_cites_by_shorthand(built):
    for phrase in ("printed in the series (FRUS 1955–57, 23:1, doc. 89)",
                   "the earlier telegram (see FRUS 1949, 7:2, doc. 167)",
                   "FRUS 1955–57, 23:1 (doc. 13) gives the frontier",
                   "in the yearbook (UN 1956, 3)", "Adams (2001, 4)"):
        assert normalise(phrase) in built, phrase
    assert "United States Department of State 1991" not in built


def test_the_built_pdf_lists_the_entries_under_their_shorthands(built):
    listing = built[built.index("Adams, Anne. 2001."):]
    assert listing.index("FRUS 1949, 7:2 = United States Department of State.") \
        < listing.index("FRUS 1955–57, 23:1 = United States Department of State. 1991.") \
        < listing.index("United Nations. 1956.")
