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
from reader_build.pdf import engine
from reader_build.pdf.engine import AssetFetcher, lay_out, note_cut_rules
from reader_build.pdf.notes import FILL_PAGES, add_spares, continued_css, cut_notes, cut_rule, last_cuts

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
                      '<span class="fn-continued">3</span><em>five six</em> seven eight.'
                      '</span><span class="fn-p">Nine ten&amp;co eleven</span></span>')


def test_a_cut_in_a_later_paragraph_justifies_that_paragraphs_last_line():
    first, second = _pieces(cut_notes(NOTE, [cut_rule("3", 10, "ten&co")]))
    assert first.startswith('<span class="fn" id="fn-3"')             # the note's block is not the one cut
    assert '<span class="fn-cut fn-p">Nine ten&amp;co</span>' in first
    assert second.endswith('<span class="fn-continued">3</span>eleven</span></span>')


def test_a_cut_at_a_paragraphs_end_falls_between_paragraphs():
    first, second = _pieces(cut_notes(NOTE, [cut_rule("3", 8, "eight.")]))
    assert first.endswith("seven eight.</span></span>") and "fn-cut" not in first
    assert second.startswith('<span class="fn fn-cont fn-rest" id="fn-3-2" data-n="3"><span class="fn-p">'
                             '<span class="fn-continued">3</span>Nine')


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


def test_a_note_cut_again_is_cut_as_its_last_rule_says():
    """A note is cut again shorter (its cut did not keep the call's line on its page) or longer
    (its page's notes ended with it and left a hole): the last rule holds, and the rules kept
    with a part keep only that one."""
    rules = [cut_rule("3", 7, "seven"), cut_rule("3", 2, "two"), cut_rule("3", 4, "four")]
    first, _ = _pieces(cut_notes(NOTE, rules))
    assert first.endswith("three four</em></span></span>")
    first, _ = _pieces(cut_notes(NOTE, rules[:2]))
    assert first.endswith("One two</span></span>")
    other = cut_rule("5", 3, "three")
    assert last_cuts([rules[0], other, "p { x: y }", *rules[1:]]) == [other, "p { x: y }", rules[2]]


def test_a_note_already_in_pieces_is_not_cut():
    html = NOTE + '<span class="fn fn-cont fn-rest" id="fn-3-2" data-n="3">more</span>'
    assert cut_notes(html, [cut_rule("3", 4, "four")]) == html


def test_a_word_that_would_end_the_comment_makes_no_rule():
    assert cut_rule("3", 4, "a*/b") is None and cut_rule("3", 0, "a") is None


# -- cut in the box tree, while the pages are made (pdf/cuts.py) -------------------------------

FETCHER = AssetFetcher({}, {})
CSS = """@page { size: A6; margin: 15mm 12mm; }
body { font: 10pt/1.3 serif; }
p { margin: 0; text-indent: 1em; text-align: justify; widows: 2; orphans: 2; }
.fn { float: footnote; footnote-policy: line; footnote-display: block; font-size: 8pt; text-align: justify; }
.fn::footnote-call { content: attr(data-n); vertical-align: super; font-size: 0.7em; line-height: 0; }
.fn::footnote-marker { content: attr(data-n) " "; }
.fn-p { display: block; } .fn-p:first-child { display: inline; } .fn-p + .fn-p { text-indent: 1em; }
.fn.fn-cont { footnote-policy: auto; } .fn-cont .fn-continued { display: inline; }
.fn.fn-cont::footnote-call { content: none; padding: 0; } .fn.fn-cont::footnote-marker { content: none; }
.fn-continued { display: none; font-style: italic; }
""" + continued_css("{number} (continued)")


def _book(seed: int, fill: bool = True) -> str:
    """Paragraphs whose notes (of one or two paragraphs, one with an italic phrase) often fall
    near a page's foot; with *fill*, a fill-pages edition's HTML (spares, the mark in the CSS)."""
    rnd = random.Random(seed)
    body = []
    for i in range(30):
        note = f'<span class="fn-p">{_sentences(rnd, rnd.randint(1, 3))} <em>{_sentences(rnd, 1)}</em></span>'
        if i % 3 == 0:
            note += f'<span class="fn-p">{_sentences(rnd, rnd.randint(1, 2))}</span>'
        body.append(f'<p data-pi="c.{i}">{_sentences(rnd, rnd.randint(2, 5))}'
                    f'<span class="fn" id="fn-{i + 1}" data-n="{i + 1}">{note}</span> {_sentences(rnd, 1)}</p>')
    html = "".join(body)
    css = CSS + (FILL_PAGES if fill else "")
    return (f"<html lang='en'><head><style>{css}</style></head><body>"
            f"{add_spares(html) if fill else html}</body></html>")


def _boxes_texts(document) -> list[str]:
    return [" ".join(box.text for box in page._page_box.descendants() if getattr(box, "text", None))
            for page in document.pages]


@pytest.mark.parametrize("seed", [2, 3])      # (books whose holes take four cuts or more)
def test_holes_are_filled_while_the_pages_are_made(seed):
    """The layout that finds a hole cuts the note and makes the page again.  (On these small
    pages WeasyPrint often leaves a note off its call's page; mending that moves lines to the
    next page again, and a few holes are left for the next layout: pdf/parallel.py.)"""
    plain = lay_out(_book(seed, fill=False), FETCHER, fix=[])
    holes = note_cut_rules(plain.document)
    assert len(holes) >= 8, "the test book should leave holes above its notes"
    filled = lay_out(_book(seed), FETCHER, fix=[])
    cuts = [rule for rule in filled.rules if rule.startswith("/* cut note")]
    assert len(cuts) >= 4, filled.rules
    assert len(note_cut_rules(filled.document)) <= len(holes) / 2
    pages = _boxes_texts(filled.document)
    for rule in cuts:      # its rest is printed once, with its label (on the next page: test above)
        number = re.search(r"cut note (\d+)", rule).group(1)
        assert sum(bool(re.search(rf"(?<!\d){number}\s+\(continued\)", text.replace("\u2060", ""))) for text in pages) == 1


@pytest.mark.parametrize("seed", [1, 2])
def test_cuts_given_from_the_start_give_the_same_pages(seed):
    """A later layout of the part (the rules kept with it) makes the same cuts before its first
    page, and gets the same pages, with no rule more."""
    html = _book(seed)
    first = lay_out(html, FETCHER, fix=[])
    again = lay_out(html.replace("</style>", "\n".join(first.rules) + "</style>"), FETCHER, fix=first.rules)
    assert again.rules == []
    assert _boxes_texts(again.document) == _boxes_texts(first.document)


def test_the_pieces_of_a_cut_note_hold_its_words_once(tmp_path):
    """Cut in the box tree, every note's words are printed once, in order, at most in two runs."""
    html = _book(1)
    layout = lay_out(html, FETCHER, fix=[])
    path = tmp_path / "cut.pdf"
    layout.document.write_pdf(path)
    text = normalise(" ".join(pdf_page_texts(path)))
    text = re.sub(r"\d+ \(continued\) ", "", text).replace("\u00ad", "")
    notes = re.findall(r'<span class="fn" id="fn-\d+" data-n="\d+">(.*?)</span></span>(?=<span class="fn fn-c)',
                       html.split("<body>")[1])
    assert len(notes) == 30
    runs = 0
    for note in notes:
        words = normalise(re.sub(r"<[^>]+>", " ", note)).split()
        start = text.find(" ".join(words[:4]))
        assert start >= 0
        head = max(n for n in range(4, len(words) + 1) if text.find(" ".join(words[:n]), start) == start)
        if head < len(words):
            runs += 1
            assert text.find(" ".join(words[head:]), start) > start, f"lost after {words[head - 1]!r}"
    assert runs >= sum(rule.startswith("/* cut note") for rule in layout.rules) > 0


def test_a_fill_pages_edition_is_laid_out_once_per_part(cut_project, tmp_path):
    """fill-pages costs no layout: each edition takes as many layouts as without it (in the
    large-print one, a note is cut on a chapter's first page, whose rest would fit below its
    start: it goes on overleaf all the same, and no layout is made again for it)."""
    import json
    filled = json.loads((cut_project["root"] / "build" / "manifest.json").read_text())
    root = tmp_path / "reader"
    _project(root, fill="false")
    assert build(root).status == 0
    plain = json.loads((root / "build" / "manifest.json").read_text())
    layouts = {e["name"]: e["layouts"] for e in filled["editions"]}
    without = {e["name"]: e["layouts"] for e in plain["editions"]}
    assert layouts == without


def test_a_layout_that_mends_nothing_prints_no_spare():
    """A fill-pages edition's HTML laid out without page mending (no cut is made) prints no
    "N (continued)" of the spares it holds, and every note once."""
    html = _book(1)
    layout = lay_out(html, FETCHER)
    text = " ".join(_boxes_texts(layout.document)).replace("\u2060", "")
    assert "(continued)" not in text
    assert layout.rules == []


CUT_CSS = """
@page { size: 105mm 148mm; margin: 12mm 10mm; @footnote { margin-top: 0.8em; max-height: 85%; } }
body { font-size: 10pt; line-height: 1.35; }
p { text-align: justify; margin: 0; }
.fn { float: footnote; footnote-display: block; font-size: 8pt; line-height: 1.3; text-align: justify; }
.fn::footnote-call { content: attr(data-n); vertical-align: super; font-size: 0.66em; line-height: 0; }
.fn::footnote-marker { content: attr(data-n) ". "; }
"""
COMPOUNDS = ("post-war well-known Soviet-Japanese so-called peace-treaty long-standing "
             "https://example.org/archive/documents/treaty-of-san-francisco-full-text.html").split()


def test_a_line_that_ends_inside_a_word_is_not_counted_as_two_words():
    """A line of a note may end inside a word: after the hyphen of "post-war", or inside a URL
    broken at its hyphens.  The cut rule counts that word once, as the cut itself does (in the
    box tree, and in the HTML for --emit-html), so that every cut the layout asks for is made."""
    rnd = random.Random(3)
    notes = []
    for n in range(1, 9):
        words = [rnd.choice(COMPOUNDS) if rnd.random() < 0.35 else rnd.choice(WORDS) for _ in range(70)]
        notes.append(f'<p>Text {n}<span class="fn" id="fn-{n}" data-n="{n}">{" ".join(words)}.</span> more.</p>')
    html = f"<html lang='en'><head><style>{CUT_CSS}</style></head><body>{''.join(notes)}</body></html>"
    document = lay_out(html, AssetFetcher({}, {})).document
    inside, checked = 0, 0
    for page in document.pages:
        area = next((c for c in page._page_box.children if type(c).__name__ == "FootnoteAreaBox"), None)
        for note in area.children if area is not None else ():
            lines = [box for box in note.descendants() if type(box).__name__ == "LineBox"]
            for fit in range(2, len(lines) - 1):
                room = lines[fit - 1].position_y + lines[fit - 1].height - note.position_y + 0.3 * lines[0].height + 0.01
                rule = engine._cut_of(note, room)
                assert rule is not None
                cut = cut_notes(html, [rule])
                assert cut != html, f"{rule} was not made"
                checked += 1
                end = "".join(box.text for box in lines[fit - 1].descendants() if type(box).__name__ == "TextBox")
                inside += end.rstrip().endswith("-")
    assert checked >= 20 and inside >= 3, (checked, inside)


def _short_cut_book(note_sentences: int) -> tuple[str, list[str]]:
    """A paragraph calling note 1 (of *note_sentences* sentences), then one whose first word
    calls note 2, then text with no note; and note 1's words."""
    rnd = random.Random(5)
    note = _sentences(rnd, note_sentences)
    body = [f'<p data-pi="c.0">{_sentences(rnd, 2)}<span class="fn" id="fn-1" data-n="1"><span class="fn-p">'
            f'{note}</span></span> {_sentences(rnd, 1)}</p>',
            f'<p data-pi="c.1">Then<span class="fn" id="fn-2" data-n="2"><span class="fn-p">{_sentences(rnd, 2)}'
            f'</span></span> {_sentences(rnd, 2)}</p>']
    body += [f'<p data-pi="c.{i}">{_sentences(rnd, 4)}</p>' for i in range(2, 14)]
    html = add_spares("".join(body))
    return f"<html lang='en'><head><style>{CSS + FILL_PAGES}</style></head><body>{html}</body></html>", note.split()


def _page_holes(document) -> list[int]:
    pages = [page._page_box for page in document.pages]
    return [i for i, (page, after) in enumerate(zip(pages, pages[1:])) if engine._hole(page, after)]


@pytest.mark.parametrize("sentences, kept_whole", [(3, True), (12, False)])
def test_a_note_that_goes_on_from_a_page_with_a_hole_is_cut_later(sentences, kept_whole, monkeypatch):
    """A cut made for pages that have moved since (an earlier layout's, or one made before a page
    above was made again) can leave a note's first piece short.  No later note can start on that
    page (WeasyPrint puts a note on a page only when none of its notes goes on overleaf), so the
    page's text stops at the next call, far above the notes.  The layout cuts that note again,
    later, to fill the page; or keeps it whole when all of it fits there."""
    html, words = _short_cut_book(sentences)
    short = cut_rule("1", 6, words[5])
    given = html.replace("</style>", short + "</style>")
    layout = lay_out(given, FETCHER, fix=[short])
    assert _page_holes(layout.document) == []
    texts = _boxes_texts(layout.document)
    if kept_whole:
        assert layout.rules[0] == "/* keep note 1 whole */"
        assert " ".join(words[-3:]) in texts[0].replace("\u2060", "").replace("  ", " ")
    else:
        longer = [found for rule in layout.rules if (found := re.fullmatch(r"/\* cut note 1 after (\d+) .*", rule))]
        assert len(longer) == 1 and int(longer[0].group(1)) > 6 * 5
        assert sum(bool(re.search(r"(?<!\d)1\s+\(continued\)", text.replace("\u2060", ""))) for text in texts) == 1
    # a later layout, given the rules, makes the same pages (the last cut of a note holds)
    rules = last_cuts([short] + layout.rules)
    again = lay_out(html.replace("</style>", "\n".join(rules) + "</style>"), FETCHER, fix=rules)
    assert _boxes_texts(again.document) == texts and again.rules == []
    # without the later cut, the page keeps its hole: the test book shows the case
    monkeypatch.setattr(engine, "_going_on", lambda page, after: None)
    assert _page_holes(lay_out(given, FETCHER, fix=[short]).document) == [0]


def _two_call_book(seed: int) -> str:
    """Paragraphs of which every other ends with two calls a line apart: a note of three to six
    sentences, then, eight or so words on, a short one that ends the paragraph."""
    rnd = random.Random(seed)
    body, n = [], 0
    for i in range(30):
        text = _sentences(rnd, rnd.randint(2, 4))
        if rnd.random() < 0.5:
            first, second = n + 1, n + 2
            n += 2
            text += (f'<span class="fn" id="fn-{first}" data-n="{first}"><span class="fn-p">'
                     f'{_sentences(rnd, rnd.randint(3, 6))}</span></span> '
                     + " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(6, 10)))
                     + f'.<span class="fn" id="fn-{second}" data-n="{second}"><span class="fn-p">'
                     f'{_sentences(rnd, rnd.randint(1, 2))}</span></span>')
        body.append(f'<p data-pi="c.{i}">{text}</p>')
    html = add_spares("".join(body))
    return f"<html lang='en'><head><style>{CSS + FILL_PAGES}</style></head><body>{html}</body></html>"


@pytest.mark.parametrize("seed", [0, 7])
def test_a_paragraphs_last_line_goes_overleaf_alone_rather_than_leave_a_hole(seed, monkeypatch):
    """The call's line is the last but one of its paragraph, and the last line calls a note
    too.  Once the first note is cut, the second cannot start on the page (its page's last note
    goes on), so the last line goes overleaf, and ``widows: 2`` takes the call's line with it:
    the page stops lines above its notes.  The paragraph may then leave its last line alone
    overleaf (``widows: 1``), a lesser fault; every note still starts on its call's page."""
    layout = lay_out(_two_call_book(seed), FETCHER, fix=[])
    assert [rule for rule in layout.rules if "widows: 1 " in rule]
    assert _page_holes(layout.document) == []
    assert engine.misplaced_notes(layout.document) == []
    monkeypatch.setattr(engine, "_widow_rule", lambda *args: None)
    assert _page_holes(lay_out(_two_call_book(seed), FETCHER, fix=[]).document) != []


def test_a_zero_width_space_at_a_line_end_is_no_word(monkeypatch):
    """WeasyPrint sets a lone space that carries word spacing (between two inline elements of a
    justified line) as a space and a zero-width space.  At a line's end that was counted as a
    word, so that the cut's word count was one too many and the cut was never made (the bundled
    reader's n. 101 left a hole on p. 52)."""
    from weasyprint.formatting_structure import boxes
    from reader_build.pdf.cuts import words_through
    rnd = random.Random(3)
    words = [rnd.choice(WORDS) for _ in range(60)]
    html = (f"<html lang='en'><head><style>{CSS}</style></head><body><p>Text<span class='fn' id='fn-1' "
            f"data-n='1'><span class='fn-p'>{' '.join(words)}</span></span> more.</p></body></html>")
    note = engine._note_area(lay_out(html, FETCHER).document.pages[0]._page_box).children[0]
    lines = [box for box in note.descendants() if isinstance(box, boxes.LineBox)]
    expected = [words_through(note, lines, fit) for fit in range(1, len(lines))]
    assert all(found and words[found[0] - 1] == found[1] for found in expected)
    for line in lines[:-1]:         # as WeasyPrint sets a lone space at each line's end
        last = [box for box in line.descendants() if isinstance(box, boxes.TextBox)][-1]
        last.text = last.text.rstrip() + " \u200b"
    assert [words_through(note, lines, fit) for fit in range(1, len(lines))] == expected


@pytest.mark.parametrize("seed", [10, 14])
def test_one_line_of_a_note_may_stand_at_a_pages_foot_rather_than_a_hole(seed, monkeypatch):
    """Where the hole above the notes has room for one line of the next note and no more, that
    line is set there and the rest (two lines or more) goes on overleaf, as TeX cuts a note:
    a single line of a note at the page's foot is a lesser fault than a page lines short."""
    from weasyprint.formatting_structure import boxes
    layout = lay_out(_book(seed), FETCHER, fix=[])
    assert _page_holes(layout.document) == []
    assert engine.misplaced_notes(layout.document) == []
    firsts, rests = [], []
    for page in layout.document.pages:
        area = engine._note_area(page._page_box)
        for piece in (area.children if area is not None else ()):
            lines = sum(isinstance(box, boxes.LineBox) for box in piece.descendants())
            if getattr(piece, "rb_cut", False):
                firsts.append(lines)
            elif "fn-cont" in (piece.element.get("class") or "").split():
                rests.append(lines)
    assert 1 in firsts and min(rests) >= engine.NOTE_LINES_KEPT, (firsts, rests)
    monkeypatch.setattr(engine, "FIRST_PIECE_LINES", 2)
    assert _page_holes(lay_out(_book(seed), FETCHER, fix=[]).document) != []


PAGE_REF_CSS = CUT_CSS + """
a.page-ref { display: inline-block; width: 2ch; white-space: nowrap; }
"""


def test_a_page_reference_in_a_note_is_not_counted_as_a_line():
    """A page reference prints its number in a box of fixed width (an inline-block, with a line
    box of its own inside).  That line is part of the note's line it stands in: the cut counts
    the note's lines and words as the page shows them, and every cut it asks for is made."""
    rnd = random.Random(5)
    notes = []
    for n in range(1, 9):
        words = [rnd.choice(WORDS) for _ in range(70)]
        for at in sorted(rnd.sample(range(5, 65), 3), reverse=True):
            words[at:at] = ["(see p.", f'<a class="page-ref" href="#fn-1" data-digits="2">{rnd.randint(10, 99)}</a>)']
        notes.append(f'<p>Text {n}<span class="fn" id="fn-{n}" data-n="{n}">{" ".join(words)}.</span> more.</p>')
    html = f"<html lang='en'><head><style>{PAGE_REF_CSS}</style></head><body>{''.join(notes)}</body></html>"
    document = lay_out(html, AssetFetcher({}, {})).document
    checked = 0
    for page in document.pages:
        area = next((c for c in page._page_box.children if type(c).__name__ == "FootnoteAreaBox"), None)
        for note in area.children if area is not None else ():
            lines = [box for box in note.children[0].children if type(box).__name__ == "LineBox"] \
                if type(note.children[0]).__name__ != "LineBox" else \
                [box for box in note.children if type(box).__name__ == "LineBox"]
            assert engine.line_boxes(note) == lines
            for fit in range(1, len(lines) - 1):
                room = lines[fit - 1].position_y + lines[fit - 1].height - note.position_y + 0.3 * lines[0].height + 0.01
                rule = engine._cut_of(note, room)
                assert rule is not None
                shown = "".join(box.text for box in lines[fit - 1].descendants() if type(box).__name__ == "TextBox")
                last = re.search(r"\((.*)\) \*/", rule).group(1)
                assert shown.replace("\u2060", "").rstrip().endswith(last), (rule, shown)
                assert cut_notes(html, [rule]) != html, f"{rule} was not made"
                checked += 1
    assert checked >= 20, checked
