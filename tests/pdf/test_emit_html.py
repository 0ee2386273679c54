"""``--emit-html``: the one PDF path also writes the book as one HTML document, and a plain
WeasyPrint render of that document gives the pages of the edition the build made."""
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


def test_a_plain_render_of_the_emitted_html_gives_the_same_pages(emitted, tmp_path):
    root, _result = emitted
    html = root / "build" / "print.html"
    assert html.is_file()
    plain = tmp_path / "plain.pdf"
    weasyprint.HTML(filename=str(html), base_url=str(html.parent)).write_pdf(plain)
    built = _texts(root / "build" / "print.pdf")
    rendered = _texts(plain)
    assert len(rendered) == len(built)
    different = [n for n, (a, b) in enumerate(zip(built, rendered), start=1) if a != b]
    assert different == []
