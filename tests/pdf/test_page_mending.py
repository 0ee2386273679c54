"""Pages mended while they are made, and pages renumbered without a new layout (layout.py).

A fix rule (a note kept on its call's page, no stray line break) is applied while WeasyPrint
makes the pages: the layout resumes at the first page of the paragraph that the rule names.
The pages must be those that the same rules, given as CSS from the start, make; and
``renumber`` must give the pages a layout starting at another page number would give.
"""
from __future__ import annotations

import random

import pytest

from conftest import REPO, copy_project, pdf_page_texts
from reader_build.pdf.engine import AssetFetcher, lay_out, misplaced_notes, renumber, stray_breaks

FETCHER = AssetFetcher({}, {})
WORDS = "the treaty island peace soviet japan conference delegation sovereignty memorandum".split()
CSS = """@page { size: A6; margin: 15mm 12mm; @bottom-center { content: counter(page) " · " string(ch); } }
@page :first { counter-reset: page START; }
body { font: 10pt/1.3 serif; } h1 { string-set: ch content(); font-size: 12pt; }
p { margin: 0; text-indent: 1em; text-align: justify; hyphens: auto; widows: 2; orphans: 2; }
.fn { float: footnote; footnote-policy: line; font-size: 8pt; hyphens: manual; }"""


def _book(seed: int, start: int = 1, paragraphs: int = 40, extra_css: str = "") -> str:
    rnd = random.Random(seed)

    def words(low, high):
        return " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(low, high)))
    body = "".join(f"<p data-pi='{i}'>{words(30, 90)}<span class='fn'>{words(10, 30)}</span> {words(4, 10)}.</p>"
                   for i in range(paragraphs))
    css = CSS.replace("START", str(start)) + "\n" + extra_css
    return f"<html lang='en'><head><style>{css}</style></head><body><h1>Chapter</h1>{body}</body></html>"


def _texts(document, tmp_path, name: str) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    document.write_pdf(path)
    return pdf_page_texts(path)


def _boxes_texts(document) -> list[str]:
    """Each page's text as WeasyPrint laid it out (no PDF needed)."""
    return [" ".join(box.text for box in page._page_box.descendants() if getattr(box, "text", None))
            for page in document.pages]


@pytest.mark.parametrize("seed", [1, 2, 5])      # (books with notes off their call's page)
def test_mended_pages_are_those_of_the_rules_given_as_css(seed):
    """Applying each rule while the pages are made gives the pages that the same rules, in the
    stylesheet from the start, give: the rule reached only its own paragraph, although WeasyPrint
    shares one computed style among sibling paragraphs."""
    html = _book(seed)
    plain = lay_out(html, FETCHER)
    assert misplaced_notes(plain.document), "the test book should have notes off their call's page"
    mended = lay_out(html, FETCHER, fix=[])
    assert mended.rules, "no rule was applied while the pages were made"
    assert all(rule.startswith('[data-pi="') for rule in mended.rules)
    as_css = lay_out(html.replace("</style>", "\n".join(mended.rules) + "</style>"), FETCHER)
    assert _boxes_texts(mended.document) == _boxes_texts(as_css.document)
    assert misplaced_notes(mended.document) == misplaced_notes(as_css.document)


def test_rules_already_in_the_css_are_not_applied_again():
    html = _book(2)
    first = lay_out(html, FETCHER, fix=[])
    again = lay_out(html.replace("</style>", "\n".join(first.rules) + "</style>"), FETCHER, fix=first.rules)
    assert again.rules == []
    assert _boxes_texts(again.document) == _boxes_texts(first.document)


def test_without_fix_nothing_is_mended():
    layout = lay_out(_book(1), FETCHER)
    assert layout.rules == []


def test_bundled_reader_is_mended_in_one_layout(tmp_path):
    """The bundled reader's print edition: its first layout used to leave notes off their call's
    page and paragraphs with a stray line break; mended, one layout has none, and it is the
    layout of the same rules given as CSS."""
    from reader_build.config import build_date
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.index.compose import index_parts
    from reader_build.pdf.compose import compose, gather, html_with_rules
    from reader_build.render.templates import template_environment
    root = copy_project(REPO, tmp_path / "reader")
    diags = Diagnostics()
    reader = load_reader(root, diags)
    edition = reader.config.edition("print")
    ctx = gather(reader, edition, root, diags, build_date(reader.config.date))
    env = template_environment(root)
    indexes = index_parts(reader, root, env, lambda mid: None, lambda mid: f"#{mid}", {})
    fetcher = AssetFetcher(reader.fonts, reader.images)
    html = compose(ctx, env, indexes, "")
    plain = lay_out(html, fetcher)
    assert misplaced_notes(plain.document) or stray_breaks(plain.document)
    del plain
    mended = lay_out(html, fetcher, fix=[])
    assert mended.rules and misplaced_notes(mended.document) == []
    # the rules given from the start: as CSS, the words that a ladder rule keeps whole and the
    # figures moved (in the HTML: compose.html_with_rules), and the notes a cut rule cuts (in the
    # box tree before the first page: pdf/cuts.py)
    as_css = lay_out(html_with_rules(compose(ctx, env, indexes, "\n".join(mended.rules)), mended.rules), fetcher,
                     fix=mended.rules)
    assert as_css.rules == []
    assert _boxes_texts(mended.document) == _boxes_texts(as_css.document)


@pytest.mark.parametrize("delta", [2, 10, -2])
def test_renumber_gives_the_pages_of_a_layout_from_that_page(tmp_path, delta):
    """The folios (margin boxes with counter(page) and string()) of a layout renumbered by an
    even *delta* are those of a layout whose first page is that much later; the body is the same."""
    start = 5
    layout = lay_out(_book(4, start, paragraphs=12), FETCHER, fix=[])
    assert renumber(layout, delta)
    fresh = lay_out(_book(4, start + delta, paragraphs=12), FETCHER, fix=[])
    moved, expected = _texts(layout.document, tmp_path, "moved"), _texts(fresh.document, tmp_path, "fresh")
    assert moved == expected
    assert f"{start + delta} · Chapter" in moved[0]
    assert f"{start + delta + len(expected) - 2} · Chapter" in moved[-2]


def test_renumber_refuses_an_odd_shift_and_a_layout_without_states():
    layout = lay_out(_book(4, 5, paragraphs=4), FETCHER, fix=[])
    assert not renumber(layout, 1)            # left and right pages would swap: lay out again
    assert not renumber(lay_out(_book(4, 5, paragraphs=4), FETCHER), 2)
