"""The imprint on the verso of the title page (issue #23, item 9): edition, date, sources,
rights and typeface, the colophon's data, read from page 2 of the PDF's text."""
from __future__ import annotations

import pytest

from conftest import normalise, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.diagnostics import Diagnostics
from reader_build.resolve import load_reader

FILES = {
    "reader.toml": """
        title = "A Reader with an Imprint"
        subtitle = "Texts and notes"
        editor = "Ada Example"
        publisher = "Example University Press"
        rights = "© 2026 Example University Press. Licensed under CC BY 4.0."
        date = "2026-03-14"

        [editions.print]
        format = "pdf"

        [editions.bare]
        format = "pdf"
        include = ["title", "toc", "colophon"]
        """,
    "manuscript/one.md": """
        ---
        id: one
        title: The First Chapter
        ---

        A paragraph of the first chapter, citing a book [@doe-2001, p. 5].
        """,
    "bibliography/refs.bib": """
        @book{doe-2001, author = {Doe, Jane}, title = {A Book}, publisher = {Example Press},
          location = {London}, year = {2001}}
        """,
}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("imprint") / "reader", FILES)
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    reader = load_reader(root, Diagnostics())
    return {"root": root, "hash": reader.source_hash,
            "print": [normalise(t) for t in pdf_page_texts(root / "build" / "print.pdf")],
            "bare": [normalise(t) for t in pdf_page_texts(root / "build" / "bare.pdf")]}


def test_the_imprint_is_on_the_verso_of_the_title(books):
    title, imprint, contents = books["print"][:3]
    assert "A Reader with an Imprint" in title and "Edition" not in title
    assert "A Reader with an Imprint: Texts and notes" in imprint
    assert "Edited by Ada Example" in imprint
    assert "Example University Press" in imprint
    assert "© 2026 Example University Press. Licensed under CC BY 4.0." in imprint
    assert f"Edition \"print\", 2026-03-14. Sources {books['hash'][:12]}." in imprint
    assert "Typeset by reader-build" in imprint and "in Linux Libertine." in imprint
    assert contents.startswith("Contents")          # the contents still open on p. 3, a right-hand page


def test_the_colophon_keeps_the_same_data(books):
    colophon = books["print"][-1]
    assert f"Sources {books['hash'][:12]}." in colophon and "in Linux Libertine." in colophon


def test_an_edition_that_leaves_the_imprint_out(books):
    """`include` without "imprint": p. 2 is blank again, as the contents open a right-hand page."""
    title, blank, contents = books["bare"][:3]
    assert "A Reader with an Imprint" in title
    assert blank.strip() == ""
    assert contents.startswith("Contents")
