"""``--emit-html``: the one PDF path also writes the book as one HTML document, and a
WeasyPrint render of that document with reader-build's line breaking (pdf/engine.total_fit:
the breaks of each justified paragraph chosen at once) gives the pages of the edition the
build made: the same words on every page, and the same lines but where WeasyPrint 70 breaks a
line early before an inline element, which the build's layout mends
(pdf/engine._split_first_line).  Without it, WeasyPrint breaks lines first-fit, as an edition
with ``line-breaking = "first-fit"`` does."""
from __future__ import annotations

import re
import shutil

import pypdf
import pytest
import weasyprint

from conftest import copy_project


def _texts(pdf) -> list[str]:
    # small capitals share one glyph for both cases: compare the text case-insensitively
    return [re.sub(r"\s+", " ", page.extract_text()).strip().casefold() for page in pypdf.PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def emitted(bundled, tmp_path_factory):
    from reader_build.build import build
    root = copy_project(bundled["root"], tmp_path_factory.mktemp("emit") / "reader")
    shutil.copytree(bundled["root"] / "build" / ".cache", root / "build" / ".cache")
    result = build(root, ["print"], emit_html=True)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root, result


def test_emit_html_reuses_the_layouts_of_the_build(emitted, bundled):
    root, result = emitted
    # every part was laid out by the build before: --emit-html lays out nothing again
    assert result.stats["print"]["layouts"] == 0
    assert (root / "build" / "print.pdf").read_bytes() == bundled["pdf"].read_bytes()


def _render(html, path):
    from reader_build.pdf.engine import total_fit
    with total_fit():
        weasyprint.HTML(filename=str(html), base_url=str(html.parent)).write_pdf(path)
    return _texts(path)


def _words(text: str) -> str:
    """The text of a page with its hyphenated line ends joined: its words, wherever its lines end."""
    return re.sub(r"[\u2010-] ", "", text).replace("\u00ad", "")


def test_a_render_of_the_emitted_html_gives_the_same_pages(emitted, tmp_path):
    root, _result = emitted
    html = root / "build" / "print.html"
    assert html.is_file()
    built = _texts(root / "build" / "print.pdf")
    rendered = _render(html, tmp_path / "plain.pdf")
    assert len(rendered) == len(built)
    assert [n for n, (a, b) in enumerate(zip(built, rendered), start=1) if _words(a) != _words(b)] == []


def test_with_the_engines_line_mending_the_render_gives_the_very_lines_of_the_build(emitted, tmp_path, monkeypatch):
    """What differs in a plain render is WeasyPrint's early line breaks, and nothing else."""
    import weasyprint.layout.inline

    from reader_build.pdf import engine
    root, _result = emitted
    monkeypatch.setattr(weasyprint.layout.inline, "split_first_line", engine._split_first_line)
    built = _texts(root / "build" / "print.pdf")
    rendered = _render(root / "build" / "print.html", tmp_path / "mended.pdf")
    assert [n for n, (a, b) in enumerate(zip(built, rendered), start=1) if a != b] == []
