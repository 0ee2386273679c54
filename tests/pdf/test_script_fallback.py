"""Greek and Cyrillic in a large-print edition set in the sans face (Atkinson Hyperlegible has
neither): they are set in the book's serif (Linux Libertine), never in a font of the machine,
and the glyph check has nothing to say."""
from __future__ import annotations

from conftest import normalise, pdf_fonts, pdf_page_texts, write_project

from reader_build.build import build

FILES = {
    "reader.toml": """
        title = "Scripts in Large Print"
        language = "en"

        [editions.large]
        format = "pdf"
        medium = "large-print"
        font = "sans"
        page-size = "a4"
        font-size = "16pt"
        """,
    "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\nGreek λόγος and Cyrillic мир in a sans text [@doe].\n",
    "bibliography/refs.bib": "@book{doe, author = {Doe, Jane}, title = {A Book}, year = {2001}}\n",
}


def test_greek_and_cyrillic_fall_back_to_the_book_serif(tmp_path):
    root = write_project(tmp_path / "reader", FILES)
    result = build(root)
    assert result.status == 0
    assert not [d for d in result.diagnostics if d.code == "glyph-missing"]
    text = normalise(" ".join(pdf_page_texts(root / "build" / "large.pdf")))
    assert "Greek λόγος and Cyrillic мир in a sans text" in text
    names = {font["name"].split("+")[-1] for font in pdf_fonts(root / "build" / "large.pdf")}
    assert names and all(name.startswith(("Reader-Sans", "Reader-Serif")) for name in names), names
    assert any(name.startswith("Reader-Serif") for name in names)
