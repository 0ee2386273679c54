"""A text that fits its line but for its trailing word space (pdf/engine._split_first_line).

WeasyPrint 70 measures the first line of a text with its trailing space, so the text before an
inline element ("… 1946. <i>Title</i>") that fits only without that space was broken early:
after its first word ("General" alone on a line of a bibliography entry), or at a soft hyphen
before an index mention.  The engine gives such a text its line."""
from __future__ import annotations

import weasyprint
import weasyprint.layout.inline

from reader_build.pdf import engine
from reader_build.pdf.linebreak import FIRST_FIT

ENTRY = ("General Headquarters, Supreme Commander for the Allied Powers. 1946. <i>Governmental and "
         "Administrative Separation</i> of Certain Outlying Areas. <a href=\"https://example.org/a/b\">"
         "https://example.org/a/b</a>.")
SHY = "\u00ad"


def _page(html: str, width: int, align: str = "justify", first_fit: bool = False) -> str:
    mark = f"<style>{FIRST_FIT}</style>" if first_fit else ""
    return (f"<html lang=en>{mark}<body style='font-family:serif;font-size:10pt'><p style='width:{width}pt;"
            f"text-align:{align};hyphens:manual'>{html}</p></body></html>")


def _lines(document) -> list:
    return [line for line in document.pages[0]._page_box.descendants() if type(line).__name__ == "LineBox"]


def _texts(document) -> list[str]:
    texts = ["".join(getattr(b, "text", "") or "" for b in line.descendants()) for line in _lines(document)]
    return [text for text in texts if text.strip()]


def _engine(html: str, width: int, first_fit: bool = False):
    return engine.lay_out(_page(html, width, first_fit=first_fit), engine.AssetFetcher({}, {})).document


def test_no_line_is_broken_after_its_first_word_at_any_width():
    """Laid out at every width from 200 to 420 pt, the first line always holds more than one word."""
    lone = [width for width in range(200, 422, 2) if len(_texts(_engine(ENTRY, width))[0].split()) < 2]
    assert lone == []


def test_weasyprint_alone_still_breaks_those_lines_early():
    """Why the engine's patch is there (drop it when WeasyPrint measures without the space)."""
    lone = [width for width in range(200, 422, 2)
            if len(_texts(weasyprint.HTML(string=_page(ENTRY, width)).render())[0].split()) < 2]
    assert lone


def test_a_line_before_an_inline_element_holds_every_word_that_fits():
    """The first line ends with "1946." (the italic title goes to the next line, whole), not at a
    soft hyphen earlier: each line is as full as the measure allows, when WeasyPrint breaks the
    lines (first fit: total fit fills them as evenly as it can instead)."""
    text = ENTRY.replace("Headquarters", f"Head{SHY}quar{SHY}ters").replace("Commander", f"Com{SHY}mand{SHY}er")
    for width in range(200, 422, 2):
        texts = _texts(_engine(text, width, first_fit=True))
        wider = _texts(_engine(text, width + 400, first_fit=True))
        # the first line is the longest prefix of words that a wide enough line starts with
        first = texts[0].replace(SHY, "").replace("\u2010", "").strip()
        assert wider[0].replace(SHY, "").startswith(first), width
        # the line with the next word (or, broken at a soft hyphen, the rest of the word) is too long
        joint = "" if texts[0].endswith("\u2010") else " "
        following = texts[1].split()[0]
        natural = weasyprint.HTML(string=_page(first + joint + following.replace(SHY, ""), width + 400, "left")).render()
        assert len(_texts(natural)) == 1
        box = max(_lines(natural), key=lambda line: line.width)
        assert box.width > width * 96 / 72 - 0.5, width        # the next word did not fit


def test_an_index_mention_keeps_its_anchor_on_its_text_at_every_width():
    """The mention's anchor (its page in the index) stays on the line of its first word."""
    text = ENTRY.replace("<i>Governmental", '<span class="ix" id="m1">Governmental').replace(
        "Separation</i>", "Separation</span>")
    for width in range(200, 422, 6):
        document = _engine(text, width)
        first = next(line for line in _lines(document)
                     if "Governmental" in "".join(getattr(b, "text", "") or "" for b in line.descendants()))
        assert abs(document.pages[0].anchors["m1"][1] - first.position_y) < 1, width


def test_weasyprint_is_patched_only_during_a_layout():
    original = weasyprint.layout.inline.split_first_line
    engine.lay_out(_page("One line.", 300), engine.AssetFetcher({}, {}))
    assert weasyprint.layout.inline.split_first_line is original
    assert original is not engine._split_first_line
