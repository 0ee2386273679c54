"""reader.toml for large print: medium = "large-print", its defaults, and the font key."""
from __future__ import annotations

import re

import tinycss2

from conftest import REPO
from reader_build.config import parse_config
from reader_build.diagnostics import Diagnostics
from reader_build.pdf.compose import page_css
from reader_build.render.templates import PACKAGE_STYLES, pdf_stylesheets
from reader_build.source.files import SourceFile


def _parse(edition: str):
    text = f'title = "T"\n[editions.big]\n{edition}\n'
    diags = Diagnostics()
    config = parse_config(SourceFile("reader.toml", text), diags)
    return config, [d.format() for d in diags.items]


def test_large_print_defaults_to_a4_16pt_and_the_serif_face():
    config, messages = _parse('format = "pdf"\nmedium = "large-print"')
    edition = config.edition("big")
    assert messages == []
    assert (edition.medium, edition.page_size, edition.font_size, edition.font) == \
        ("large-print", ("210mm", "297mm"), "16pt", "serif")
    assert pdf_stylesheets(edition.medium) == ("print.css", "large-print.css", "extra.css")


def test_the_sans_face():
    config, messages = _parse('format = "pdf"\nmedium = "large-print"\nfont = "sans"\nfont-size = "18pt"')
    edition = config.edition("big")
    assert messages == [] and edition.font == "sans" and edition.font_size == "18pt"


def test_wrong_values_are_reported_at_their_line():
    _config, messages = _parse('format = "pdf"\nmedium = "large-print"\nfont = "sams"')
    assert messages == ["reader.toml:5:8: error [config-value]: font of edition 'big' must be 'serif' or 'sans' "
                        "(did you mean 'sans'?)"]
    _config, messages = _parse('format = "pdf"\nmedium = "print"\nfont = "sans"')
    assert [m.split(": ", 1)[1].split("]")[0] for m in messages] == ["warning [config-font-ignored"]
    _config, messages = _parse('format = "pdf"\nmedium = "large-print"\nfont-size = "12pt"')
    assert re.match(r"reader\.toml:5:13: warning \[large-print-size\]: .*at least 16pt", messages[0])
    _config, messages = _parse('format = "epub"\nmedium = "large-print"')
    assert "error [config-value]: medium of EPUB edition 'big' must be 'print' or 'screen'" in messages[0]


def test_page_css_sets_the_face_and_title_only_for_large_print():
    from reader_build.config import Edition
    from types import SimpleNamespace
    reader = SimpleNamespace(config=SimpleNamespace(title='A "quoted" *title*', hyphenate=True, language="en",
                                                    strings={}))
    plain = page_css(reader, Edition("p", "pdf"))
    large = page_css(reader, Edition("l", "pdf", medium="large-print", font="sans"))
    assert "--reader-face" not in plain and large.startswith(plain)
    # the title as running heads print it: its words, with the text's quotation marks
    assert '--reader-face: "Reader Sans"' in large and 'string-set: book-title "A \u201cquoted\u201d title"' in large


def _size_declarations(path):
    """(selector, value) of every font-size or font declaration in a stylesheet."""
    rules = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    for rule in rules:
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
            if decl.type == "declaration" and decl.lower_name in ("font-size", "font"):
                yield selector, tinycss2.serialize(decl.value).strip()


def test_the_epub_keeps_the_readers_own_text_size():
    """No rule of the e-book's stylesheets fixes a size in pt or px (body text, notes or
    anything else): sizes are relative, so the reading system's size setting rules."""
    sheets = [PACKAGE_STYLES / "epub.css", REPO / "styles" / "extra-epub.css"]
    found = [(sheet.name, selector, value) for sheet in sheets if sheet.is_file()
             for selector, value in _size_declarations(sheet)]
    assert any(sel.startswith("section.footnotes") or "noteref" in sel for _n, sel, _v in found)
    fixed = [item for item in found if re.search(r"\d(pt|px)\b", item[2])]
    assert fixed == []
