"""Figures that float past a paragraph so that the page before them is full (pdf/figures.py).

A figure too tall for what is left of a page goes on to the next page, and WeasyPrint ends the
page where the figure would have begun.  In a ``fill-pages`` edition the text that follows the
figure fills the page instead, as LaTeX floats a figure; the EPUB keeps the manuscript's order.
"""
from __future__ import annotations

import random
import re

import pytest

import textlayer
from conftest import epub_documents, named_destinations, normalise, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.pdf.figures import figure_rule, move_figures, unsettled

WORDS = ("the treaty island peace soviet japan conference delegation sovereignty memorandum "
         "archipelago negotiation ambassador declaration minister agreement").split()
TALL = ('<svg xmlns="http://www.w3.org/2000/svg" width="380" height="400" viewBox="0 0 100 104">'
        '<rect width="100" height="104" fill="#369"/></svg>')


def _paragraph(rnd: random.Random, sentences: int, mark: str = "") -> str:
    text = " ".join(" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 14))).capitalize() + "."
                    for _ in range(sentences))
    return f"{mark}{text}"


@pytest.fixture(scope="module")
def floats(tmp_path_factory):
    """Eight tall figures, each after a different length of text, in two editions: with and
    without fill-pages."""
    rnd = random.Random(5)
    blocks = []
    for k in range(8):
        blocks += [_paragraph(rnd, rnd.randint(2, 9)) for _ in range(rnd.randint(1, 3))]
        blocks.append(f'![Figure {k}](images/tall.svg "A tall figure, number {k}."){{#fig:f{k}}}')
        blocks.append(_paragraph(rnd, 6, f"After{k} "))
        blocks.append(_paragraph(rnd, 3))
    root = write_project(tmp_path_factory.mktemp("floats") / "reader", {
        "reader.toml": 'title = "Floats"\n[editions.print]\nformat = "pdf"\nfill-pages = true\n'
                       '[editions.plain]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + "\n\n".join(blocks) + "\n",
    })
    (root / "manuscript" / "images").mkdir()
    (root / "manuscript" / "images" / "tall.svg").write_text(TALL)
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root


def _holes_before_figures(pdf, figures: int = 8) -> list[int]:
    """The figures (their numbers) whose page comes after a page of the chapter whose text
    stops more than HOLE_LINES lines above the foot of the text block."""
    layer = textlayer.read(pdf)
    dest = named_destinations(pdf)
    bodies = {page: [l for l in layer.body(page) if not l.text.strip().isdigit()] for page in range(1, layer.pages + 1)}
    foot = max(max((l.bottom for l in lines), default=0) for lines in bodies.values())
    pitch = textlayer._pitch([l for lines in bodies.values() for l in lines])
    holes = []
    for k in range(figures):
        before = bodies.get(dest[f"fig:f{k}"] - 1) or []
        if before and foot - max(l.bottom for l in before) > textlayer.HOLE_LINES * pitch:
            holes.append(k)
    return holes


def test_without_fill_pages_a_tall_figure_leaves_a_hole(floats):
    assert _holes_before_figures(floats / "build" / "plain.pdf"), "the project no longer makes the case"


def test_with_fill_pages_the_text_after_a_figure_fills_the_page(floats):
    assert _holes_before_figures(floats / "build" / "print.pdf") == []


def test_a_figure_moves_past_the_paragraph_after_it_in_the_pdf_only(floats):
    pdf = floats / "build" / "print.pdf"
    text = normalise(" ".join(pdf_page_texts(pdf)))
    moved = [k for k in range(8) if text.find(f"After{k} ") < text.find(f"A tall figure, number {k}.")]
    assert moved, "no figure was moved"
    plain = normalise(" ".join(pdf_page_texts(floats / "build" / "plain.pdf")))
    assert all(plain.find(f"A tall figure, number {k}.") < plain.find(f"After{k} ") for k in range(8))
    documents = epub_documents(floats / "build" / "ebook.epub")
    epub = normalise(" ".join(re.sub(r"<[^>]+>", " ", data.decode()) for name, data in sorted(documents.items())
                              if name.endswith(".xhtml")))
    assert all(epub.find(f"A tall figure, number {k}.") < epub.find(f"After{k} ") for k in range(8))


def test_the_figure_is_where_the_cross_reference_says(floats):
    """The figure's anchor (which @fig references and the list of figures give) is on the page
    that shows the figure's caption."""
    pdf = floats / "build" / "print.pdf"
    dest = named_destinations(pdf)
    for k in range(8):
        page = dest[f"fig:f{k}"]
        assert f"A tall figure, number {k}." in normalise(pdf_page_texts(pdf, page, page)[0])


FIGURE = '<figure class="figure" id="fig:a"><img src="a.svg" alt="A"/><figcaption>A.</figcaption></figure>\n'


def test_a_figure_rule_moves_the_figure_after_its_paragraph():
    html = FIGURE + '<p data-pi="s.1">One.</p>\n<p data-pi="s.2">Two.</p>\n<h2>Next</h2>\n'
    once = move_figures(html, [figure_rule("fig:a", "s.1")])
    assert once == '<p data-pi="s.1">One.</p>\n' + FIGURE.rstrip("\n") + '\n<p data-pi="s.2">Two.</p>\n<h2>Next</h2>\n'
    twice = move_figures(html, [figure_rule("fig:a", "s.1"), figure_rule("fig:a", "s.2")])
    assert twice.index("Two.") < twice.index("<figure") < twice.index("<h2>")
    assert move_figures(html, [figure_rule("fig:a", "s.2")]) == twice        # past both at once
    # a rule whose paragraph does not follow the figure (an edit took it away, or put a heading
    # between) changes nothing
    assert move_figures(html, [figure_rule("fig:a", "s.9")]) == html
    headed = html.replace('<p data-pi="s.2">', '<h3>Sub</h3><p data-pi="s.2">')
    assert move_figures(headed, [figure_rule("fig:a", "s.2")]) == headed


def test_a_rule_that_keeps_a_note_after_a_moved_figure_is_made_again():
    html = '<p data-pi="s.1">A.</p>' + FIGURE + '<p data-pi="s.2">B.</p><p data-pi="s.3">C.</p>'
    before = '[data-pi="s.1"] { break-before: page !important; }'
    after = '[data-pi="s.3"] { widows: 4 !important; }'
    ladder = '/* whole word [data-pi="s.3"] treaty */'
    assert unsettled(html, [before, after, ladder], [figure_rule("fig:a", "s.2")]) == [before, ladder]
    assert unsettled(html, [before, after, ladder], []) == [before, after, ladder]


@pytest.fixture(scope="module")
def short_paragraphs(tmp_path_factory):
    """Tall figures each followed by paragraphs of two or three lines: a hole above a figure
    takes more than one of them to fill, so the figure goes past two or more."""
    rnd = random.Random(11)
    blocks = []
    for k in range(6):
        blocks += [_paragraph(rnd, rnd.randint(3, 9)) for _ in range(2)]
        blocks.append(f'![Figure {k}](images/tall.svg "A tall figure, number {k}."){{#fig:f{k}}}')
        blocks += [_paragraph(rnd, 2, f"Short{k}x{j} ") for j in range(6)]
    root = write_project(tmp_path_factory.mktemp("short") / "reader", {
        "reader.toml": 'title = "Floats"\n[editions.print]\nformat = "pdf"\nfill-pages = true\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + "\n\n".join(blocks) + "\n",
    })
    (root / "manuscript" / "images").mkdir()
    (root / "manuscript" / "images" / "tall.svg").write_text(TALL)
    result = build(root, emit_html=True)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root


def test_a_figure_goes_past_as_many_short_paragraphs_as_the_hole_needs(short_paragraphs):
    pdf = short_paragraphs / "build" / "print.pdf"
    assert _holes_before_figures(pdf, 6) == []
    text = normalise(" ".join(pdf_page_texts(pdf)))
    passed = {k: sum(text.find(f"Short{k}x{j} ") < text.find(f"A tall figure, number {k}.") for j in range(6))
              for k in range(6)}
    assert max(passed.values()) >= 2, passed       # the case: a figure that went past two paragraphs
    html = (short_paragraphs / "build" / "print.html").read_text(encoding="utf-8")
    assert max(len(re.findall(rf'/\* figure fig:f{k} after ', html)) for k in range(6)) >= 2


def test_a_paragraph_a_figure_went_past_keeps_its_indent(short_paragraphs):
    """Each "Short" paragraph opens indented, as a paragraph after a paragraph does, but the one
    that comes right after the figure where the figure now stands (print.css: figure + p)."""
    pdf = short_paragraphs / "build" / "print.pdf"
    layer = textlayer.read(pdf)
    lines = [line for line in layer.body() if not line.text.strip().isdigit()]
    left = {page: min(line.x0 for line in lines if line.page == page) for page in {line.page for line in lines}}
    text = normalise(" ".join(pdf_page_texts(pdf)))
    for k in range(6):
        figure_at = text.find(f"A tall figure, number {k}.")
        for j in range(6):
            first = next(line for line in lines if line.text.startswith(f"Short{k}x{j}"))
            after_figure = text.find(f"Short{k}x{j} ") > figure_at and (
                j == 0 or text.find(f"Short{k}x{j - 1} ") < figure_at)
            indented = first.x0 - left[first.page] > 3       # (the margins are mirrored)
            assert indented != after_figure, (k, j, first.x0 - left[first.page], after_figure)
