"""A laid-out part gets new numbers in its page references without a new layout (pdf/pagerefs.py).

A part laid out with "p. 28" and given 36 must be the part laid out with "p. 36": the same
content streams, the same fonts, the same text on every page, in every style a reference can
stand in (running text, italics, a note, a table cell).  A part whose styles do not set the
numbers in boxes of fixed width is not spliced: its pages are laid out again, and still print
the right numbers.
"""
from __future__ import annotations

import random
import re
from io import BytesIO

import pikepdf
import pytest

from conftest import REPO, normalise, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.pdf.engine import AssetFetcher, lay_out, page_ref_boxes
from reader_build.pdf.fonts import share_fonts
from reader_build.pdf.pagerefs import (digit_table, refs_of, renumber_refs, renumbered, sheet_html, tj_of)
from reader_build.render.xref import PAGE_REF, fill_page_refs

FONTS = {p.name: p.read_bytes() for p in (REPO / "src" / "reader_build" / "styles" / "fonts").glob("LinLibertine_R*.otf")}
FETCHER = AssetFetcher(FONTS, {})
MARKER = "/* part rules */"
WORDS = "the treaty island peace soviet japan conference delegation sovereignty memorandum".split()
PRINT_CSS = "\n".join(line for line in (REPO / "src" / "reader_build" / "styles" / "print.css").read_text().splitlines()
                      if line.startswith("a.page-ref"))
CSS = """@font-face { font-family: "Reader Serif"; src: url(fonts/LinLibertine_R.otf); }
@font-face { font-family: "Reader Serif"; font-style: italic; src: url(fonts/LinLibertine_RI.otf); }
@page { size: A6; margin: 18mm 12mm; @bottom-center { content: counter(page); font: 9pt/1 "Reader Serif"; } }
body { font: 10pt/1.3 "Reader Serif"; font-variant-numeric: oldstyle-nums; }
p { margin: 0; text-indent: 1em; text-align: justify; hyphens: auto; }
aside.note p { font-size: 8pt; text-indent: 0; }
td { font-size: 9pt; }
td a.page-ref[data-digits] { font-variant-numeric: lining-nums tabular-nums; }
a { color: inherit; text-decoration: none; }
"""


def _ref(target: str) -> str:
    return f'p.\u00a0<a class="page-ref" data-target="{target}" href="#{target}">0</a>'


def _part(numbers: dict) -> str:
    rnd = random.Random(11)

    def words(n):
        return " ".join(rnd.choice(WORDS) for _ in range(n))
    blocks = []
    for n in range(18):
        blocks.append(f"<p>{words(50)} see {_ref('a')}, {words(12)} <em>and in italics {_ref('b')}</em> "
                      f"{words(30)}.</p>")
        if n % 5 == 2:
            blocks.append(f"<aside class='note'><p>{words(20)}, shown on {_ref('a')} and {_ref('c')}.</p></aside>")
        if n % 7 == 3:
            blocks.append(f"<table><tr><td>{words(3)}</td><td>{_ref('c')}</td></tr></table>")
    html = (f"<html lang='en'><head><style>{CSS}\n{PRINT_CSS}\n{MARKER}</style></head>"
            f"<body class='book'>{''.join(blocks)}<p id='a'>a</p><p id='b'>b</p><p id='c'>c</p></body></html>")
    return fill_page_refs(html, numbers.get)


def _laid_out(html: str) -> tuple[bytes, list, dict]:
    """The part's PDF in its canonical form, its references and its digit table (as the worker
    makes them: parallel._canonical_refs)."""
    document = lay_out(html.replace(MARKER, ""), FETCHER).document
    boxes = page_ref_boxes(document)
    chains = sorted({box.chain for box in boxes})
    sheet = lay_out(sheet_html(html, chains, MARKER), FETCHER).document
    table = digit_table(sheet.write_pdf(), page_ref_boxes(sheet), chains)
    refs = refs_of(boxes, chains)
    data = renumber_refs(document.write_pdf(), refs, table, {}, FONTS, canonical=True)
    assert data is not None
    return data, refs, table


def _merged(data: bytes) -> bytes:
    with pikepdf.open(BytesIO(data)) as pdf:
        assert share_fonts(pdf, FONTS) >= 2           # each font of a number, cut anew
        del pdf.trailer.ID                            # (as the merge makes a new file)
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _streams(data: bytes) -> list[bytes]:
    with pikepdf.open(BytesIO(data)) as pdf:
        return [page.obj.Contents.read_bytes() for page in pdf.pages]


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> dict:
    before = {"a": 28, "b": 143, "c": 7}
    after = {"a": 36, "b": 152, "c": 9}
    return {"before": _laid_out(_part(before)), "after": _laid_out(_part(after)),
            "dir": tmp_path_factory.mktemp("pagerefs"), "numbers": {k: str(v) for k, v in after.items()}}


def test_every_style_of_reference_is_found(parts):
    _data, refs, table = parts["before"]
    assert len(refs) >= 18 * 2 + 4 * 2 + 3
    assert all(ref.fixed for ref in refs)
    assert len(table["digits"]) >= 4          # running text, italics, the note, the table cell
    assert all(set(figures) == set("0123456789") for figures in table["digits"].values())
    # oldstyle and lining figures, roman and italic: not the same glyphs
    assert len({tuple(f["3"][1:2]) for f in table["digits"].values()}) >= 3


def test_a_renumbered_part_is_the_part_laid_out_with_the_new_numbers(parts):
    data, refs, table = parts["before"]
    expected, _refs, _table = parts["after"]
    spliced = renumber_refs(data, refs, table, parts["numbers"], FONTS)
    assert spliced is not None
    assert _streams(spliced) == _streams(expected)
    # the fonts as the merge embeds them (one subset per face, cut anew: fonts.share_fonts)
    assert _merged(spliced) == _merged(expected)


def test_the_new_numbers_are_the_text_of_the_pages(parts):
    data, refs, table = parts["before"]
    path = parts["dir"] / "spliced.pdf"
    path.write_bytes(_merged(renumber_refs(data, refs, table, parts["numbers"], FONTS)))   # (as merged)
    text = " ".join(normalise(t) for t in pdf_page_texts(path))
    numbers = re.findall(r"p\. (\d+)", text)
    assert len(numbers) == len(refs)
    assert set(numbers) == {"36", "152", "9"}
    assert [ref.text for ref in renumbered(refs, parts["numbers"])].count("36") == numbers.count("36")


def test_a_number_not_drawn_as_the_table_says_is_not_spliced(parts):
    data, refs, table = parts["before"]
    wrong = [type(ref)(ref.page, ref.x, ref.y, ref.target, "99" if ref.text == "28" else ref.text, ref.chain, ref.fixed)
             for ref in refs]
    assert renumber_refs(data, wrong, table, parts["numbers"], FONTS) is None
    moved = [type(ref)(ref.page, ref.x + 3, ref.y, ref.target, ref.text, ref.chain, ref.fixed) for ref in refs]
    assert renumber_refs(data, moved, table, parts["numbers"], FONTS) is None


def test_the_weasyprint_form_of_a_number():
    figures = {"2": ["F", "0014", "0"], "8": ["F", "001a", "0"], "5": ["F", "0017", None], "6": ["F", "0018", None]}
    assert tj_of("28", figures) == "<0014>0<001a>0"
    assert tj_of("56", figures) == "<00170018>"
    assert tj_of("?", figures) is None


def test_nested_chains_share_their_elements():
    html = "<html><head><style>/* m */</style></head><body><p>text</p></body></html>"
    a = (("section", (("class", "chapter"),)), ("p", ()), ("a", (("class", "page-ref"),)))
    b = (("section", (("class", "chapter"),)), ("p", ()), ("em", ()), ("a", (("class", "page-ref"),)))
    sheet = sheet_html(html, [a, b], "/* m */")
    assert sheet.count("<section") == 1 and sheet.count("<p>") == 1 and sheet.count("<em>") == 1
    assert sheet.count('class="page-ref"') == 20 and "text" not in sheet


# --- a project whose styles do not set page references in boxes --------------------------

def _chapter(number: int, blocks: dict) -> str:
    rnd = random.Random(number)
    body = [" ".join(rnd.choice(WORDS) for _ in range(70)).capitalize() + "." for _ in range(24)]
    for at, text in sorted(blocks.items(), reverse=True):
        body.insert(at, text)
    return f"---\nid: c{number}\ntitle: Chapter {number}\n---\n\n" + "\n\n".join(body) + "\n"


INLINE = {
    "reader.toml": 'title = "Inline"\nlanguage = "en"\n[editions.print]\nformat = "pdf"\n',
    "manuscript/01.md": _chapter(1, {3: "Onward is on @page:t2, in the next chapter."}),
    "manuscript/02.md": _chapter(2, {4: "Backward is on @page:t1.", 18: "Here is [Targettwo]{#t2}."}),
    "manuscript/03.md": _chapter(3, {2: "Here is [Targetone]{#t1}."}),
    "styles/extra.css": "a.page-ref[data-digits] { display: inline; font-variant-numeric: normal; }\n",
}


def _printed(root) -> tuple[dict, dict]:
    texts = [normalise(t) for t in pdf_page_texts(root / "build" / "print.pdf")]
    printed = {m.group(1): int(m.group(2)) for t in texts for m in re.finditer(r"(Onward|Backward) is on p\. (\d+)", t)}
    pages = {w: n for n, t in enumerate(texts, start=1) for w in ("Targetone", "Targettwo") if w in t}
    return printed, pages


def test_references_set_otherwise_still_print_the_right_pages(tmp_path):
    root = write_project(tmp_path / "reader", INLINE)
    result = build(root)
    assert result.status == 0 and not [d for d in result.diagnostics if d.code.startswith("parallel")]
    printed, pages = _printed(root)
    assert printed == {"Onward": pages["Targettwo"], "Backward": pages["Targetone"]}
    # the target of "Backward" moves: its chapter is laid out again (no splice), and is right
    with open(root / "manuscript" / "01.md", "a", encoding="utf-8") as fh:
        fh.write("\n\n" + "\n\n".join(["Added text that moves every later page. " * 12] * 6) + "\n")
    result = build(root)
    assert result.status == 0 and not [d for d in result.diagnostics if d.code.startswith("parallel")]
    printed, moved = _printed(root)
    assert moved != pages
    assert printed == {"Onward": moved["Targettwo"], "Backward": moved["Targetone"]}
