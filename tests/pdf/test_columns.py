"""Columns laid out once (pdf/columns.py): every page of a multi-column box that overflows takes
its measured columns instead of laying them out again, and the pages are the same as
WeasyPrint's own, text box by text box; columns holding a float or a footnote are laid out
again, as WeasyPrint does."""
from __future__ import annotations

import weasyprint

from reader_build.pdf import columns

ENTRIES = "".join(
    f'<p class="e">Entry {n} <i>(a gloss of some length, {n})</i>, '
    + ", ".join(f'<a href="#t{k}">{k}</a>' for k in range(n, n + 12)) + "</p>"
    for n in range(1, 140))
CSS = ("@page { size: 120mm 160mm; margin: 12mm } body { font-size: 9pt } "
       ".cols { column-count: 2; column-gap: 5mm; column-fill: balance } p { margin: 0 0 2pt; text-indent: -1em; "
       "padding-left: 1em } h2 { break-after: avoid }")


def _boxes(document) -> list[list[tuple]]:
    pages = []
    for page in document.pages:
        found = []
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if type(box).__name__ == "TextBox":
                found.append((box.text, round(box.position_x, 3), round(box.position_y, 3)))
            stack.extend(getattr(box, "children", ()))
        pages.append(sorted(found))
    return pages


def _render(html: str, kept: bool):
    document = weasyprint.HTML(string=html)
    if not kept:
        return document.render()
    with columns.install():
        return document.render()


def _html(body: str) -> str:
    return f"<html><head><style>{CSS}</style></head><body><h1>Index</h1><div class='cols'>{body}</div></body></html>"


def test_the_columns_kept_give_the_pages_of_weasyprint():
    html = _html("<h2>A</h2>" + ENTRIES)
    plain = _render(html, kept=False)
    before = dict(columns.STATS)
    mine = _render(html, kept=True)
    assert len(plain.pages) == len(mine.pages) >= 4
    assert _boxes(mine) == _boxes(plain)
    assert columns.STATS["kept"] - before["kept"] >= 2 * (len(plain.pages) - 2)     # both columns of the full pages


def test_columns_with_a_float_or_a_footnote_are_laid_out_again():
    float_ = '<p class="e"><span style="float: left; width: 8mm; height: 8mm; background: #ccc"></span>A float.</p>'
    note = '<p class="e">A note<span style="float: footnote">The note.</span> in the columns.</p>'
    for extra in (float_, note):
        html = _html(ENTRIES[:len(ENTRIES) // 4] + extra * 30 + ENTRIES[:len(ENTRIES) // 4])
        plain = _render(html, kept=False)
        mine = _render(html, kept=True)
        assert _boxes(mine) == _boxes(plain)
