"""The book's title and subtitle are Markdown, as a chapter's title is: emphasis is printed as
emphasis, and where no markup may go (metadata, the EPUB's navigation, running heads, <title>)
the words stand alone, with the typography of the text, never an asterisk."""
from __future__ import annotations

import re
import zipfile

import pdfplumber

from conftest import MINIMAL, pdf_raw_pages, write_project

from reader_build.build import build

TOML = '''title = "Notes on *Moby-Dick*"
subtitle = "A reading -- with *Ishmael*"
'''


def _project(tmp_path):
    files = dict(MINIMAL)
    files["reader.toml"] = TOML
    text = "\n\n".join(["The whale's wake, long and white, " * 12] * 12)
    files["manuscript/one.md"] = ("---\nid: one\ntitle: \"The *Pequod*'s Log\"\n---\n\n" + text
                                  + " It cites a book [@doe-2001].\n")
    root = write_project(tmp_path / "p", files)
    result = build(root, editions=["print", "ebook"])
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root


def test_title_markup_is_emphasis_in_print_and_gone_from_the_text_layer(tmp_path):
    root = _project(tmp_path)
    pdf = root / "build" / "print.pdf"
    pages = pdf_raw_pages(pdf)
    assert not any("*" in page for page in pages)
    with pdfplumber.open(str(pdf)) as document:
        words = document.pages[0].extract_words(extra_attrs=["fontname"])
    fonts = {w["text"]: w["fontname"] for w in words}
    assert "Italic" in fonts["Moby-Dick"] and "Italic" not in fonts["Notes"]
    assert "Italic" not in fonts["Ishmael"]          # emphasis in the italic subtitle: upright
    heads = [page.splitlines()[0] for page in pages[4:] if page.strip()]
    assert any("Notes on Moby-Dick" in head for head in heads), heads      # a left page's running head


def test_the_ebook_names_the_book_and_its_chapters_without_markup(tmp_path):
    root = _project(tmp_path)
    with zipfile.ZipFile(root / "build" / "ebook.epub") as epub:
        texts = {name: epub.read(name).decode("utf-8") for name in epub.namelist()
                 if name.endswith((".opf", ".xhtml", ".ncx"))}
    opf = next(text for name, text in texts.items() if name.endswith(".opf"))
    assert "<dc:title>Notes on Moby-Dick</dc:title>" in opf
    assert "A reading \u2013 with Ishmael" in opf
    nav = next(text for name, text in texts.items() if name.endswith("nav.xhtml"))
    assert ">The Pequod\u2019s Log</a>" in nav
    assert not [name for name, text in texts.items() if re.search(r"<(title|text|dc:title)>[^<]*\*", text)]
    title_page = next(text for name, text in texts.items() if name.endswith("00-title.xhtml"))
    assert "Notes on <em>Moby-Dick</em>" in title_page
