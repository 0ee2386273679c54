"""A word space before an inline element is set in an inline box of its own in the PDF's HTML
(render.typography.spaces_into_inlines): WeasyPrint otherwise can break a line after its
first word when the element's first word does not fit ("General" alone on a line of a
bibliography entry), or early at a soft hyphen before an index mention."""
from __future__ import annotations

import weasyprint

from reader_build.render.typography import SPACE_BOX, spaces_into_inlines

ENTRY = ("General Headquarters, Supreme Commander for the Allied Powers. 1946. <i>Governmental and "
         "Administrative Separation</i> of Certain Outlying Areas. <a href=\"https://example.org/a/b\">"
         "https://example.org/a/b</a>.")


def test_the_space_gets_a_box_of_its_own_and_the_text_is_unchanged():
    html = "<html><head><style>a <i>x</i></style></head><body><p>" + ENTRY + "</p></body></html>"
    moved = spaces_into_inlines(html)
    assert "1946.<span> </span><i>Governmental" in moved
    assert "Areas.<span> </span><a href=\"https://example.org/a/b\">https" in moved
    assert "<style>a <i>x</i></style>" in moved                    # the head is left alone
    assert moved.replace(SPACE_BOX, " ") == html


def test_an_anchor_an_empty_element_and_a_quotation_keep_their_own_box():
    html = ('<body><p>as <span class="ix" id="m-a-1">Sakhalin</span> on <a class="page-ref" href="#x"></a> '
            'and <q>quoted</q></p></body>')
    moved = spaces_into_inlines(html)
    assert '<span class="ix" id="m-a-1">Sakhalin</span>' in moved and '<a class="page-ref" href="#x"></a>' in moved
    assert "and<span> </span><q>quoted</q>" in moved and moved.replace(SPACE_BOX, " ") == html


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


def test_an_index_mention_keeps_its_anchor_on_its_text_at_every_width():
    """The mention's anchor (its page in the index) stays on the line of its first word."""
    text = ENTRY.replace("<i>Governmental", '<span class="ix" id="m1">Governmental').replace("Separation</i>",
                                                                                           "Separation</span>")
    fixed = spaces_into_inlines("<body>" + text + "</body>")[len("<body>"):-len("</body>")]
    for width in range(200, 422, 6):
        page = f"<html lang=en><body style='font-family:serif;font-size:10pt'><p style='width:{width}pt'>{fixed}</p>"
        document = weasyprint.HTML(string=page).render()
        lines = [line for line in document.pages[0]._page_box.descendants() if type(line).__name__ == "LineBox"]
        first = next(line for line in lines
                     if "Governmental" in "".join(getattr(b, "text", "") or "" for b in line.descendants()))
        assert abs(document.pages[0].anchors["m1"][1] - first.position_y) < 1, width
