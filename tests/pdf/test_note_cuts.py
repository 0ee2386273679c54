"""Holes above the notes filled (issue #23, item 3; pdf/notes.py, engine.note_cut_rules).

When a note's call falls near the foot of a page and the note does not fit below it,
WeasyPrint takes the line with the call to the next page, and the page's text stops lines
short of its notes.  reader-build then cuts that note where the page ends: the call's line
stays, the note starts on its page, and its rest opens the next page's notes as
"N (continued)".  Measured from the PDF's text layer, as benchmarks/typography.py does.
"""
from __future__ import annotations

import random
import re

import pytest

import textlayer
from conftest import named_destinations, normalise, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.pdf.notes import cut_notes, cut_rule

WORDS = ("the treaty island peace soviet japan conference delegation sovereignty memorandum "
         "archipelago negotiation ambassador declaration minister agreement").split()


def _sentences(rnd: random.Random, count: int) -> str:
    return " ".join(" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 14))).capitalize() + "."
                    for _ in range(count))


def _project(root, seed: int = 7, fill: str = "true") -> dict[str, str]:
    """A chapter of 24 paragraphs; every other one calls a note of four to eight sentences
    (with this seed, WeasyPrint alone leaves holes above the notes on several pages); its two
    PDF editions with ``fill-pages = {fill}``."""
    rnd = random.Random(seed)
    paragraphs, notes = [], {}
    for i in range(24):
        text = _sentences(rnd, rnd.randint(3, 7))
        if i % 2:
            notes[f"n{i}"] = _sentences(rnd, rnd.randint(4, 8))
            text += f"[^n{i}] " + _sentences(rnd, 1)
        paragraphs.append(text)
    write_project(root, {
        "reader.toml": f'title = "Cut notes"\n[editions.print]\nformat = "pdf"\nfill-pages = {fill}\n'
                       f'[editions.large]\nformat = "pdf"\nmedium = "large-print"\nfill-pages = {fill}\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + "\n\n".join(paragraphs) + "\n\n"
                             + "\n\n".join(f"[^{key}]: {text}" for key, text in notes.items()) + "\n",
    })
    return notes


@pytest.fixture(scope="module")
def cut_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("note-cuts") / "reader"
    notes = _project(root)
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return {"root": root, "notes": notes}


def _holes(pdf) -> list[int]:
    """The pages (1-based) whose text stops more than 2.5 lines above their notes, but a
    chapter's last page (textlayer.holes_above_notes)."""
    layer = textlayer.read(pdf)
    holes = []
    ends = textlayer.chapter_ends(layer)
    for page in range(1, layer.pages + 1):
        body = [line for line in layer.body(page) if not line.text.strip().isdigit()]
        notes = layer.notes(page)
        if body and notes and page not in ends:
            gap = min(l.top for l in notes) - max(l.bottom for l in body)
            if gap > (textlayer.HOLE_LINES + 1) * textlayer._pitch(body):
                holes.append(page)
    return holes


def _continued_pages(pdf) -> list[tuple[int, str]]:
    """(page, note number) of each page whose notes open with "N (continued)"."""
    pages = pdf_page_texts(pdf)
    return [(i, m.group(1)) for i, text in enumerate(pages, start=1)
            for m in re.finditer(r"(\d+) \(continued\)", text)]


def test_the_page_where_a_note_is_cut_is_full(cut_project):
    pdf = cut_project["root"] / "build" / "print.pdf"
    continued = _continued_pages(pdf)
    assert continued, "no note was cut: the project no longer makes the case this test is about"
    holes = _holes(pdf)
    assert not [page - 1 for page, _number in continued if page - 1 in holes]


def test_cutting_notes_leaves_fewer_holes(cut_project, tmp_path):
    """The same chapter in editions without fill-pages has more pages with holes above their
    notes, and no note cut."""
    root = tmp_path / "reader"
    _project(root, fill="false")
    result = build(root, ["print"])
    assert result.status == 0
    pdf = root / "build" / "print.pdf"
    uncut, cut = _holes(pdf), _holes(cut_project["root"] / "build" / "print.pdf")
    assert len(cut) < len(uncut), (cut, uncut)
    assert not _continued_pages(pdf)


@pytest.mark.parametrize("edition", ["print", "large"])
def test_a_cut_note_starts_on_its_calls_page_and_goes_on_overleaf(cut_project, edition):
    pdf = cut_project["root"] / "build" / f"{edition}.pdf"
    dest = named_destinations(pdf)
    numbers = sorted(int(key[3:]) for key in dest if re.fullmatch(r"fn-\d+", key))
    assert numbers and all(dest[f"fn-{n}"] == dest[f"fnref-{n}"] for n in numbers)
    continued = _continued_pages(pdf)
    assert continued, "no note was cut: the project no longer makes the case this test is about"
    for page, number in continued:        # the piece overleaf follows the note's start
        assert dest[f"fn-{number}"] == page - 1


def test_a_cut_note_loses_no_word(cut_project):
    """Every note is printed whole: at most in two runs of its words (its start on one page,
    its rest among the next page's notes), in order."""
    text = normalise(" ".join(pdf_page_texts(cut_project["root"] / "build" / "print.pdf")))
    text = re.sub(r"\d+ \(continued\) ", "", text).replace("\u00ad", "")
    text = re.sub(r"(\w)[\u2010-] ?(\w)", r"\1\2", text)         # words broken at line ends, joined
    cuts = 0
    for note in cut_project["notes"].values():
        words = normalise(note).split()
        start = text.find(" ".join(words[:4]))
        assert start >= 0
        head = max(n for n in range(4, len(words) + 1) if text.find(" ".join(words[:n]), start) == start)
        if head < len(words):
            cuts += 1
            assert text.find(" ".join(words[head:]), start) > start, f"lost after {words[head - 1]!r}"
    assert cuts


NOTE = ('<span class="fn" id="fn-3" data-n="3"><span class="fn-p">One two <em id="m-1">three'
        ' four five six</em> seven eight.</span><span class="fn-p">Nine ten&amp;co eleven</span></span>')


def _pieces(html: str) -> tuple[str, str]:
    first, second = re.fullmatch(r'(<span class="fn[^"]*" id="fn-3" data-n="3">.*?</span>)'
                                 r'(<span class="fn fn-cont fn-rest" id="fn-3-2" data-n="3">.*</span>)', html).groups()
    return first, second


def test_a_note_is_cut_after_the_ruled_word_and_its_elements_balanced():
    first, second = _pieces(cut_notes(NOTE, [cut_rule("3", 4, "four")]))
    assert first == ('<span class="fn fn-cut" id="fn-3" data-n="3"><span class="fn-p">One two '
                     '<em id="m-1">three four</em></span></span>')
    assert second == ('<span class="fn fn-cont fn-rest" id="fn-3-2" data-n="3"><span class="fn-p">'
                      '<span class="fn-continued">3 (continued)\u2002</span><em>five six</em> seven eight.'
                      '</span><span class="fn-p">Nine ten&amp;co eleven</span></span>')


def test_a_cut_in_a_later_paragraph_justifies_that_paragraphs_last_line():
    first, second = _pieces(cut_notes(NOTE, [cut_rule("3", 10, "ten&co")]))
    assert first.startswith('<span class="fn" id="fn-3"')             # the note's block is not the one cut
    assert '<span class="fn-cut fn-p">Nine ten&amp;co</span>' in first
    assert second.endswith('<span class="fn-continued">3 (continued)\u2002</span>eleven</span></span>')


def test_a_cut_at_a_paragraphs_end_falls_between_paragraphs():
    first, second = _pieces(cut_notes(NOTE, [cut_rule("3", 8, "eight.")]))
    assert first.endswith("seven eight.</span></span>") and "fn-cut" not in first
    assert second.startswith('<span class="fn fn-cont fn-rest" id="fn-3-2" data-n="3"><span class="fn-p">'
                             '<span class="fn-continued">3 (continued)\u2002</span>Nine')


def test_soft_hyphens_do_not_part_words():
    note = NOTE.replace("three", "th\u00adree")
    first, _ = _pieces(cut_notes(note, [cut_rule("3", 3, "three")]))
    assert first.endswith("th\u00adree</em></span></span>")


@pytest.mark.parametrize("rules", [
    [cut_rule("3", 4, "five")],               # the word is not where the rule says: no cut
    [cut_rule("4", 4, "four")],               # another note
    [cut_rule("3", 11, "eleven")],            # nothing would follow
    ["/* cut note 3 after four words (four) */"],
])
def test_a_cut_that_does_not_match_leaves_the_note_whole(rules):
    assert cut_notes(NOTE, rules) == NOTE


def test_a_note_cut_again_is_cut_shorter():
    first, _ = _pieces(cut_notes(NOTE, [cut_rule("3", 7, "seven"), cut_rule("3", 2, "two"), cut_rule("3", 4, "four")]))
    assert first.endswith("One two</span></span>")


def test_a_note_already_in_pieces_is_not_cut():
    html = NOTE + '<span class="fn fn-cont fn-rest" id="fn-3-2" data-n="3">more</span>'
    assert cut_notes(html, [cut_rule("3", 4, "four")]) == html


def test_a_word_that_would_end_the_comment_makes_no_rule():
    assert cut_rule("3", 4, "a*/b") is None and cut_rule("3", 0, "a") is None
