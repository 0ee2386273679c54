"""Every key of reader.toml does what docs/config.md says: each test changes one key and finds
its effect in what the build makes (the book's HTML, the e-book's metadata, the parsed handouts)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from conftest import MINIMAL, write_project
from reader_build import config as config_module
from reader_build.config import build_date
from reader_build.diagnostics import Diagnostics
from reader_build.epub.book import build_epub
from reader_build.pdf.compose import compose, gather, page_css, pdf_options
from reader_build.pdf.linebreak import FIRST_FIT
from reader_build.pdf.notes import FILL_PAGES
from reader_build.render.templates import template_environment
from reader_build.resolve import load_reader

DOCS = Path(__file__).resolve().parents[2] / "docs" / "config.md"
SECOND = """
---
id: two
title: The Second Chapter
---

Another paragraph.
"""


def _reader(tmp_path, toml: str, extra: dict | None = None):
    files = dict(MINIMAL, **{"reader.toml": toml}, **(extra or {}))
    root = write_project(tmp_path / "p", files)
    diags = Diagnostics()
    reader = load_reader(root, diags)
    assert reader is not None and not diags.has_errors, [d.format() for d in diags]
    return reader, root


def _book_html(tmp_path, toml: str, edition: str | None = None, extra: dict | None = None) -> str:
    reader, root = _reader(tmp_path, toml, extra)
    chosen = reader.config.edition(edition) if edition else reader.config.print_edition
    ctx = gather(reader, chosen, root, Diagnostics(), build_date(reader.config.date))
    return compose(ctx, template_environment(root), [])


def _opf(tmp_path, toml: str) -> str:
    reader, root = _reader(tmp_path, toml)
    edition = next(e for e in reader.config.editions if not e.is_pdf)
    data = build_epub(reader, edition, root, Diagnostics(), build_date(reader.config.date)).data
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        return zf.read(next(n for n in zf.namelist() if n.endswith(".opf"))).decode()


def test_every_key_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for table in (config_module.TOP_KEYS, config_module.EDITION_KEYS, config_module.HANDOUT_KEYS,
                  config_module.BIB_KEYS):
        for key in table:
            assert f"| `{key}` |" in text or key in ("bibliography", "editions", "handouts"), key


@pytest.mark.parametrize("key, value, seen", [
    ("subtitle", "A Second Line", "A Second Line"),
    ("author", "Jane Q. Editor", "Jane Q. Editor"),
    ("byline", "attributed to Somebody", "attributed to Somebody"),
    ("editor", "Ann Other", "Edited by Ann Other"),
])
def test_title_page_keys(tmp_path, key, value, seen):
    html = _book_html(tmp_path, f'title = "T"\n{key} = "{value}"\n')
    assert seen in html
    assert seen not in _book_html(tmp_path / "plain", 'title = "T"\n')


def test_title_and_language(tmp_path):
    html = _book_html(tmp_path, 'title = "A Title Of Its Own"\nlanguage = "de"\n')
    assert '<html lang="de">' in html and "<title>A Title Of Its Own</title>" in html


def test_date_is_the_build_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html = _book_html(tmp_path, 'title = "T"\ndate = "2024-03-05"\n')
    assert 'content="2024-03-05T00:00:00Z"' in html and "2024-03-05." in html


def test_identifier_publisher_and_rights_reach_the_ebook(tmp_path):
    opf = _opf(tmp_path, 'title = "T"\nidentifier = "urn:isbn:9780000000002"\npublisher = "Small Press"\n'
                         'rights = "CC BY 4.0"\n')
    assert "urn:isbn:9780000000002" in opf
    assert re.search(r"<dc:publisher[^>]*>Small Press</dc:publisher>", opf)
    assert re.search(r"<dc:rights[^>]*>CC BY 4.0</dc:rights>", opf)


def test_rights_in_the_colophon(tmp_path):
    assert "CC BY 4.0" in _book_html(tmp_path, 'title = "T"\nrights = "CC BY 4.0"\n')


def test_chapters_give_the_order(tmp_path):
    extra = {"manuscript/zz.md": SECOND}
    natural = _book_html(tmp_path, 'title = "T"\n', extra=extra)
    assert natural.index("The Only Chapter") < natural.index("The Second Chapter")
    listed = _book_html(tmp_path / "o", 'title = "T"\nchapters = ["zz.md", "one.md"]\n', extra=extra)
    assert listed.index("The Second Chapter") < listed.index("The Only Chapter")


def test_hyphenate_false_turns_hyphenation_off(tmp_path):
    reader, _root = _reader(tmp_path, 'title = "T"\nhyphenate = false\n')
    assert "hyphens: manual !important" in page_css(reader, reader.config.print_edition)
    reader, _root = _reader(tmp_path / "on", 'title = "T"\n')
    assert "hyphens: manual !important" not in page_css(reader, reader.config.print_edition)


def test_bibliography_style_and_all(tmp_path):
    extra = {"bibliography/more.bib": "@book{roe-1999, author = {Roe, Rick}, title = {Uncited}, year = {1999}}\n"}
    html = _book_html(tmp_path, 'title = "T"\n[bibliography]\nstyle = "plain"\n', extra=extra)
    assert "[1" in html and "Uncited" not in html
    html = _book_html(tmp_path / "all", 'title = "T"\n[bibliography]\nall = true\n', extra=extra)
    assert "Uncited" in html


@pytest.mark.parametrize("table, check", [
    ('format = "epub"', lambda r: not r.config.edition("x").is_pdf),
    ('page-size = "a4"', lambda r: "size: 210mm 297mm" in page_css(r, r.config.edition("x"))),
    ('font-size = "12pt"', lambda r: "font-size: 12pt" in page_css(r, r.config.edition("x"))),
    ('margins = "single"', lambda r: "@page :right { margin" not in page_css(r, r.config.edition("x"))),
    ('include = ["toc"]', lambda r: not r.config.edition("x").includes("bibliography")),
    ('pdf-variant = "pdf/ua-1"', lambda r: pdf_options(r.config.edition("x").pdf_variant)["pdf_tags"]),
])
def test_edition_keys(tmp_path, table, check):
    reader, _root = _reader(tmp_path, f'title = "T"\n[editions.x]\n{table}\n')
    assert check(reader)


def test_fill_pages_marks_the_editions_style_sheet(tmp_path):
    """fill-pages = true puts its mark in the edition's style sheet, where the layout reads it
    (and where it is part of every part's cache key); tests/pdf/test_note_cuts.py lays it out."""
    html = _book_html(tmp_path, 'title = "T"\n[editions.x]\nformat = "pdf"\nfill-pages = true\n', "x")
    assert FILL_PAGES in html
    assert FILL_PAGES not in _book_html(tmp_path / "off", 'title = "T"\n[editions.x]\nformat = "pdf"\n', "x")


def _config_values(tmp_path, toml: str) -> list:
    """The config-value problems that loading a project with this reader.toml reports."""
    root = write_project(tmp_path / "p", dict(MINIMAL, **{"reader.toml": toml}))
    diags = Diagnostics()
    load_reader(root, diags)
    return [d for d in diags if d.code == "config-value"]


def test_fill_pages_is_for_pdf_editions_only(tmp_path):
    (error,) = _config_values(tmp_path, 'title = "T"\n[editions.x]\nformat = "epub"\nfill-pages = true\n')
    assert "fill-pages" in error.message and (error.line, error.col) == (4, 14)


def test_line_breaking_first_fit_marks_the_editions_style_sheet(tmp_path):
    """line-breaking = "first-fit" puts its mark in the edition's style sheet, where the layout
    reads it; total fit is the default (tests/pdf/test_line_breaking.py lays both out)."""
    html = _book_html(tmp_path, 'title = "T"\n[editions.x]\nformat = "pdf"\nline-breaking = "first-fit"\n', "x")
    assert FIRST_FIT in html
    assert FIRST_FIT not in _book_html(tmp_path / "on", 'title = "T"\n[editions.x]\nformat = "pdf"\n', "x")


@pytest.mark.parametrize("table, words", [
    ('format = "pdf"\nline-breaking = "best"', ("'total-fit'", "'first-fit'")),
    ('format = "epub"\nline-breaking = "first-fit"', ("PDF editions only",)),
])
def test_line_breaking_values(tmp_path, table, words):
    (error,) = _config_values(tmp_path, f'title = "T"\n[editions.x]\n{table}\n')
    assert "line-breaking" in error.message and all(word in error.message for word in words)
    assert (error.line, error.col) == (4, 17)


LINKED = """
---
id: one
title: One
---

See [the Yalta agreement](https://avalon.law.yale.edu/wwii/yalta.asp) (and [the text](https://example.org/t))
at [example.org](https://example.org/x), or https://example.com/plain, or [write](mailto:ed@example.org).
"""


@pytest.mark.parametrize("medium, given, printed", [
    ("print", None, True), ("large-print", None, True), ("screen", None, False),
    ("print", "false", False), ("screen", "true", True)])
def test_link_urls_prints_a_links_address_after_its_text(tmp_path, medium, given, printed):
    toml = f'title = "T"\n[editions.x]\nformat = "pdf"\nmedium = "{medium}"\n'
    toml += f"link-urls = {given}\n" if given else ""
    html = _book_html(tmp_path, toml, "x", {"manuscript/one.md": LINKED})
    text = re.sub(r"<[^>]*>", "", html)
    shown = ["the Yalta agreement (https://avalon.law.yale.edu/wwii/yalta.asp)",
             "the text [https://example.org/t])", "write (ed@example.org)"]
    assert all((line in text) == printed for line in shown), text
    assert "example.org (" not in text and "plain (" not in text     # an address shown already: nothing more


def test_link_urls_is_for_pdf_editions_only(tmp_path):
    (error,) = _config_values(tmp_path, 'title = "T"\n[editions.x]\nformat = "epub"\nlink-urls = true\n')
    assert "link-urls" in error.message and "PDF editions only" in error.message
    assert (error.line, error.col) == (4, 13)


def test_medium_and_include_shape_the_book(tmp_path):
    html = _book_html(tmp_path, 'title = "T"\n[editions.x]\nmedium = "screen"\ninclude = ["title"]\n', "x")
    assert "medium-screen" in html and 'id="toc"' not in html and 'class="title-page"' in html


def test_handout_keys(tmp_path):
    reader, _root = _reader(tmp_path, 'title = "T"\n[handouts.week]\nsections = ["one"]\npaper = "letter"\n'
                                      'booklet = true\nnup = 2\nedition = "print"\n')
    (handout,) = reader.config.handouts
    assert (handout.sections, handout.paper, handout.booklet, handout.nup, handout.edition) == \
        (("one",), "letter", True, 2, "print")


def test_a_part_that_does_nothing_is_not_accepted(tmp_path):
    (problem,) = _config_values(tmp_path, 'title = "T"\n[editions.x]\ninclude = ["map"]\n')
    assert "map" in problem.message and problem.line == 3


def test_authorship_attributed_reaches_the_metadata(tmp_path):
    toml = 'title = "T"\nauthor = "A. Writer"\nauthorship = "attributed"\n'
    assert '<meta name="author" content="attributed to A. Writer"/>' in _book_html(tmp_path, toml)
    opf = _opf(tmp_path / "e", toml)
    assert re.search(r'<meta[^>]*property="role"[^>]*scheme="marc:relators"[^>]*>att</meta>', opf) or \
        re.search(r'<meta[^>]*scheme="marc:relators"[^>]*property="role"[^>]*>att</meta>', opf), opf
    plain = _opf(tmp_path / "c", 'title = "T"\nauthor = "A. Writer"\n')
    assert ">att<" not in plain
