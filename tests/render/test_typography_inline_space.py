"""A word space before an inline element is moved into it in the PDF's HTML (render.typography.
spaces_into_inlines): WeasyPrint otherwise can break a line after its first word when the
element's first word does not fit ("General" alone on a line of a bibliography entry)."""
from __future__ import annotations

import weasyprint

from reader_build.render.typography import spaces_into_inlines

ENTRY = ("General Headquarters, Supreme Commander for the Allied Powers. 1946. <i>Governmental and "
         "Administrative Separation</i> of Certain Outlying Areas. <a href=\"https://example.org/a/b\">"
         "https://example.org/a/b</a>.")


def test_the_space_goes_inside_a_formatting_element_and_the_text_is_unchanged():
    html = "<html><head><style>a <i>x</i></style></head><body><p>" + ENTRY + "</p></body></html>"
    moved = spaces_into_inlines(html)
    assert "1946.<i> Governmental" in moved and "Areas.<a href=\"https://example.org/a/b\"> https" in moved
    assert "<style>a <i>x</i></style>" in moved                    # the head is left alone
    strip = lambda s: s.replace("<i>", "").replace("<i> ", " ")    # noqa: E731
    assert strip(moved.split("<body>")[1]).replace(" ", "") == strip(html.split("<body>")[1]).replace(" ", "")


def test_an_anchor_an_empty_element_and_a_quotation_keep_their_space_outside():
    html = ('<body><p>as <span class="ix" id="m-a-1">Sakhalin</span> on <a class="page-ref" href="#x"></a> '
            'and <q>quoted</q> and <a class="noteref" id="fnref-3" href="#fn-3">3</a></p></body>')
    assert spaces_into_inlines(html) == html


def _first_lines(html: str, width: int) -> list[str]:
    page = f"<html lang=en><body style='font-family:serif;font-size:10pt'><p style='width:{width}pt;" \
           f"text-align:justify'>{html}</p></body></html>"
    document = weasyprint.HTML(string=page).render()
    lines = ["".join(getattr(b, "text", "") or "" for b in line.descendants())
             for line in document.pages[0]._page_box.descendants() if type(line).__name__ == "LineBox"]
    return [line for line in lines if line.strip()]


def test_no_line_is_broken_after_its_first_word_at_any_width():
    """Laid out at every width from 200 to 420 pt, the first line always holds more than one word
    (without the move, WeasyPrint 70 set "General" alone at some widths)."""
    fixed = spaces_into_inlines("<body>" + ENTRY + "</body>")[len("<body>"):-len("</body>")]
    lone = [width for width in range(200, 422, 2) if len(_first_lines(fixed, width)[0].split()) < 2]
    assert lone == []
