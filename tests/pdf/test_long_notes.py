"""Notes longer than a page (pdf/notes.py): continued on the next page, never cut off.

WeasyPrint 70 cannot split a footnote: one taller than the page is drawn above the
page's top edge.  A long note is cut into pieces before layout; the first piece stays
on its call's page, the others follow, and a piece that opens a page's notes says
"N (continued)".
"""
from __future__ import annotations

import random
import re

import pdfplumber
import pypdf
import pytest

import textlayer
from conftest import named_destinations, normalise, pdf_runs, write_project
from reader_build.build import build
from reader_build.config import Edition
from reader_build.pdf.notes import page_capacity, split_long_notes

HEAD = 45                    # pt: the running head and the folio stand above this
WORDS = "the treaty island peace soviet japan conference delegation sovereignty memorandum".split()


def _sentences(rnd: random.Random, count: int) -> str:
    return " ".join(" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 16))).capitalize() + "."
                    for _ in range(count))


def _project(root, font: str = "serif"):
    rnd = random.Random(4)
    long_note = "\n\n    ".join(_sentences(rnd, n) for n in (40, 40, 25))
    body = "\n\n".join(_sentences(rnd, 6) + (f"[^n{i}]" if i % 2 else "") for i in range(14))
    notes = "\n\n".join(f"[^n{i}]: " + (long_note if i == 5 else _sentences(rnd, 1)) for i in range(1, 14, 2))
    write_project(root, {
        "reader.toml": f'title = "Long notes"\n[editions.large]\nformat = "pdf"\nmedium = "large-print"\n'
                       f'font = "{font}"\n[editions.print]\nformat = "pdf"\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + body + "\n\n" + notes + "\n",
    })
    return long_note


@pytest.fixture(scope="module")
def long_notes(tmp_path_factory):
    root = tmp_path_factory.mktemp("long-notes") / "reader"
    note = _project(root, font="sans")
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return {"root": root, "result": result, "note": note}


def _notes_from(pdf, first_words: str) -> str:
    """The notes of the pages of *pdf* from the long note on: on its call's page from its
    *first_words*, on each later page from the "3 (continued)" that opens its notes (the text
    of a page comes before its notes, and the running head above :data:`HEAD` is left out)."""
    out: list[str] = []
    with pdfplumber.open(str(pdf)) as doc:
        texts = [normalise(page.crop((0, HEAD, page.width, page.height)).extract_text()) for page in doc.pages]
    for text in texts:
        if out and "3 (continued)" in text:
            out.append(text.split("3 (continued)", 1)[1])
        elif not out and first_words in text:
            out.append(text[text.index(first_words):])
    return " ".join(" ".join(out).split())


def _page_texts(runs) -> dict[int, str]:
    pages: dict[int, list] = {}
    for run in runs:
        pages.setdefault(run.page, []).append(run.text)
    return {page: normalise(" ".join(texts)) for page, texts in pages.items()}


@pytest.mark.parametrize("edition", ["large", "print"])
def test_a_long_note_is_whole_and_starts_on_its_calls_page(long_notes, edition):
    pdf = long_notes["root"] / "build" / f"{edition}.pdf"
    dest = named_destinations(pdf)
    assert dest["fn-3"] == dest["fnref-3"]
    runs = pdf_runs(pdf)
    height = float(pypdf.PdfReader(str(pdf)).pages[0].mediabox.height)
    assert all(0 <= r.y <= height for r in runs), "text drawn outside the page: a note was cut off"
    text = _notes_from(pdf, " ".join(normalise(long_notes["note"]).split()[:6]))
    # a piece ends where a line ends (pdf/pieces.py), and is never split: every sentence of the
    # note is printed whole, in order, in the notes of the pages
    sentences = re.findall(r"[^.]+\.", normalise(long_notes["note"]))
    assert len(sentences) > 100
    at = 0
    for sentence in sentences:
        found = text.find(sentence.strip(), at)
        assert found >= 0, f"not printed whole, or out of order: {sentence.strip()!r}"
        at = found
    # the other notes stand on their calls' pages, but for a call on a page that the long
    # note's pieces fill (docs/large-print.md: WeasyPrint carries that note on after them)
    runs_by_page = _page_texts(runs)
    filled = {page for page, text in runs_by_page.items() if "3 (continued)" in text}
    for name, page in dest.items():
        if name.startswith("fnref-") and page not in filled:
            assert dest[f"fn-{name[6:]}"] == page, name


def test_the_note_continues_with_a_marker_on_the_next_pages(long_notes):
    pdf = long_notes["root"] / "build" / "large.pdf"
    dest = named_destinations(pdf)
    texts = _page_texts(pdf_runs(pdf))
    marked = [page for page, text in texts.items() if "3 (continued)" in text]
    assert len(marked) >= 2
    assert marked[0] == dest["fnref-3"] + 1
    assert marked == list(range(marked[0], marked[0] + len(marked)))
    assert "3 (continued)" not in texts[dest["fnref-3"]]


def _lines_of_note(pdf, number: str, following: str) -> list[dict]:
    """The lines of note *number* in the notes of *pdf* (print: smaller than the text), from
    the line that starts with its number to the line that starts with the *following* note's."""
    out: list[dict] = []
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            for line in page.extract_text_lines(return_chars=True):
                if line["top"] <= HEAD or max(c["size"] for c in line["chars"]) > 9.5:
                    continue
                if not out and line["text"].startswith(number + " "):
                    out.append(line)
                elif out and line["text"].startswith(following + " "):
                    return out
                elif out:
                    out.append(line)
    return out


def test_a_piece_that_goes_on_mid_paragraph_ends_with_a_full_line(long_notes):
    """The long note's pieces end where a sentence ends (pdf/notes.py), mostly mid-paragraph;
    each such piece ends with a full, justified line (pdf/pieces.py), so that the note reads on
    as one paragraph from piece to piece, on a page and overleaf.  Its only short lines are
    the ends of its three paragraphs (before pdf/pieces.py, 13 more: one per piece)."""
    lines = _lines_of_note(long_notes["root"] / "build" / "print.pdf", "3", "4")
    assert len(lines) > 100
    measure = max(line["x1"] - line["x0"] for line in lines)
    short = [line["text"] for line in lines if line["x1"] - line["x0"] < 0.9 * measure]
    assert len(short) == 3, short
    assert [text.endswith(".") for text in short] == [True] * 3


def test_a_render_of_the_emitted_html_gives_the_pages_of_the_build(tmp_path):
    """--emit-html writes the long note's pieces as the layout ended them (notes.mend_pieces):
    a render of that HTML has the words of the build on every page."""
    from test_emit_html import _render, _texts, _words
    root = tmp_path / "reader"
    _project(root, font="sans")
    result = build(root, ["print"], emit_html=True)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    built = _texts(root / "build" / "print.pdf")
    rendered = _render(root / "build" / "print.html", tmp_path / "plain.pdf")
    assert len(rendered) == len(built)
    assert [n for n, (a, b) in enumerate(zip(built, rendered), start=1) if _words(a) != _words(b)] == []


def test_the_sans_face_is_the_committed_font(long_notes):
    fonts = {r.font for r in pdf_runs(long_notes["root"] / "build" / "large.pdf")}
    assert fonts and all("Reader-Sans" in f for f in fonts), fonts


def test_pieces_keep_the_text_and_balance_their_elements():
    rnd = random.Random(1)
    body = "".join(f'<span class="fn-p">{_sentences(rnd, 30)} <em id="m{i}">x. y</em> z.</span>' for i in range(4))
    html = f'<p>Call<a class="fn-anchor" id="fnref-7"></a><span class="fn" id="fn-7" data-n="7">{body}</span> after.</p>'
    edition = Edition("lp", "pdf", page_size=("148mm", "210mm"), font_size="16pt", medium="large-print")
    out = split_long_notes(html, edition)
    pieces = re.findall(r'<span class="fn[^"]*" id="(fn-7[-\d]*)"', out)
    assert pieces[0] == "fn-7" and len(pieces) >= 3
    assert pieces[1:] == [f"fn-7-{k}" for k in range(2, len(pieces) + 1)]
    plain = re.sub(r"<[^>]+>", "", re.sub(r'<span class="fn-continued">.*?</span>', "", out))
    assert re.sub(r"\s+", "", plain) == re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    assert out.count("<span") == out.count("</span>") and out.count("<em") == out.count("</em>")
    for i in range(4):
        assert out.count(f'id="m{i}"') == 1


def test_a_piece_that_goes_on_with_the_paragraph_before_is_marked():
    """A piece that starts mid-paragraph is marked data-goes-on (its piece before is given a
    full last line while the pages are made: pdf/pieces.py); one that starts a paragraph is not."""
    rnd = random.Random(2)
    paragraphs = [_sentences(rnd, 60) for _ in range(3)]
    body = "".join(f'<span class="fn-p">{text}</span>' for text in paragraphs)
    html = f'<p>Call<a class="fn-anchor" id="fnref-7"></a><span class="fn" id="fn-7" data-n="7">{body}</span></p>'
    out = split_long_notes(html, Edition("print", "pdf", page_size=("148mm", "210mm"), font_size="11pt"))
    later = re.findall(r'<span class="fn fn-cont" id="fn-7-\d+" data-n="7"( data-goes-on="")?>'
                       r'<span class="fn-p"><span class="fn-continued">7</span>([^<]{40})', out)
    assert len(later) >= 6
    opening = {text[:40] for text in paragraphs}
    assert [bool(goes_on) for goes_on, start in later] == [start not in opening for goes_on, start in later]
    assert any(goes_on for goes_on, _start in later) and not all(goes_on for goes_on, _start in later)


def test_a_piece_that_goes_on_in_a_list_item_has_its_label_in_the_item():
    """A piece cut mid-item opens the list and the item again; its "continued" label stands in the
    item (where pdf/labels.py can take it out, and pdf/pieces.py puts the words moved to it), and
    the item's first line does not hang, as a new item's does (fn-again)."""
    rnd = random.Random(3)
    items = "".join(f'<span class="fn-li"><span class="fn-li-mark">\u2022\u00a0</span>{_sentences(rnd, 50)}</span>'
                    for _ in range(2))
    html = f'<p>Call<span class="fn" id="fn-7" data-n="7"><span class="fn-ul">{items}</span></span></p>'
    out = split_long_notes(html, Edition("print", "pdf", page_size=("148mm", "210mm"), font_size="11pt"))
    later = re.findall(r'<span class="fn fn-cont" id="fn-7-\d+" data-n="7"[^>]*>(.{0,120})', out)
    assert len(later) >= 3
    label = '<span class="fn-continued">7</span>'
    for start in later:                  # in the item, before any of its text
        assert start.startswith(tuple(f'<span class="fn-ul"><span class="{item}">{label}'
                                      for item in ("fn-li", "fn-li fn-again"))), start
    assert any('<span class="fn-li fn-again">' + label in start for start in later)


def test_an_ordinary_note_is_left_as_it_is():
    edition = Edition("print", "pdf")
    html = '<p>a<span class="fn" id="fn-1" data-n="1"><span class="fn-p">A short note.</span></span></p>'
    assert split_long_notes(html, edition) == html
    assert page_capacity(edition) > 1000


def _short_pages(pdf) -> list[int]:
    """The pages, but a chapter's last, whose lowest line of text (body or notes) stops more than
    three lines above the lowest line of the fullest page: pages left short."""
    layer = textlayer.read(pdf)
    ends = textlayer.chapter_ends(layer)
    lowest: dict[int, float] = {}
    for line in layer.lines:
        if line.text.strip() and not line.text.strip().isdigit():
            lowest[line.page] = max(lowest.get(line.page, 0.0), line.bottom)
    pitch = textlayer._pitch(layer.body())
    foot = max(lowest.values())
    return [page for page, bottom in sorted(lowest.items())
            if page not in ends and layer.body(page) and bottom < foot - 3 * pitch]


def test_no_page_before_a_long_notes_call_is_left_short(long_notes):
    # The later pieces of a long note go on to the next page alone (footnote-policy: auto):
    # with the call's line going with them, the line was taken from page to page, and two
    # pages before it held three lines and one
    pdf = long_notes["root"] / "build" / "print.pdf"
    assert _short_pages(pdf) == []


def _one_sentence_note(seed: int, words: int, number: int) -> tuple[str, str]:
    """(a note of one sentence of *words* words, a paragraph that calls it as note *number*)."""
    rnd = random.Random(seed)
    sentence = " ".join(rnd.choice(WORDS) for _ in range(words)).capitalize() + "."
    return sentence, (f'<p>Call<span class="fn" id="fn-{number}" data-n="{number}"><span class="fn-p">'
                      f'{sentence}</span></span> on.</p>')


def test_a_note_of_one_long_sentence_is_cut_into_pieces():
    # a note with no sentence end where a piece should end is cut after a word
    sentence, html = _one_sentence_note(2, 700, 4)
    edition = Edition("print", "pdf", page_size=("148mm", "210mm"), font_size="11pt")
    out = split_long_notes(html, edition)
    pieces = re.findall(r'<span class="fn[^"]*" id="fn-4[-\d]*" data-n="4"[^>]*>(.*?)</span></span>', out)
    assert len(pieces) >= 4
    size = 0.3 * page_capacity(edition)
    texts = [re.sub(r"<[^>]+>", "", re.sub(r'<span class="fn-continued">.*?</span>', "", p)) for p in pieces]
    assert all(len(t) <= 2.5 * size for t in texts), [len(t) for t in texts]
    assert " ".join(" ".join(t.split()) for t in texts) == sentence       # every word, once, in order


def _one_sentence_project(root):
    rnd = random.Random(13)
    paragraphs, notes = [], []
    for i in range(16):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(40, 110))]
        if i % 2 == 0:
            words[rnd.randrange(len(words))] += f"[^n{i}]"
            length = 380 if i % 4 == 0 else rnd.randint(4, 30)         # a long note of one sentence
            notes.append(f"[^n{i}]: " + " ".join(rnd.choice(WORDS) for _ in range(length)).capitalize() + ".")
        paragraphs.append(" ".join(words).capitalize() + ".")
    write_project(root, {
        "reader.toml": 'title = "One sentence"\n[editions.print]\nformat = "pdf"\nfill-pages = true\n'
                       'font-size = "11pt"\npage-size = "a5"\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + "\n\n".join(paragraphs) + "\n\n"
                             + "\n\n".join(notes) + "\n",
    })
    return [n.split(": ", 1)[1] for n in notes]


def test_long_notes_of_one_sentence_stand_on_their_calls_pages(tmp_path):
    # found by building generated manuscripts: such notes were left whole, and a note of 0.8 of a
    # page went to the page after its call's (note-misplaced), leaving its call's page empty
    notes = _one_sentence_project(tmp_path)
    result = build(tmp_path, jobs=1)
    assert result.status == 0
    assert not [d for d in result.diagnostics if d.code == "note-misplaced"]
    pdf = tmp_path / "build" / "print.pdf"
    dest = named_destinations(pdf)
    calls = [name[len("fnref-"):] for name in dest if name.startswith("fnref-")]
    assert len(calls) == 8 and all(dest[f"fn-{n}"] == dest[f"fnref-{n}"] for n in calls)
    text = normalise(" ".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages))
    text = re.sub(r"\b\d+ \(continued\) ", "", text.replace("\u00ad", "").replace("- ", ""))
    for note in notes:
        assert " ".join(note.split()[-12:]) in text
    assert _short_pages(pdf) == []


def test_a_note_of_half_a_page_is_left_whole():
    # the estimate is of the notes' own size (0.8 of the text's, print.css): a note of about
    # 330 words fills less than half an A4 page at 12pt and is laid out whole; cut into pieces,
    # its later pieces went on to the next page whenever the note did not fit below its call,
    # and no note called after it on that page could stay there
    _note, html = _one_sentence_note(3, 330, 2)
    a4 = Edition("print", "pdf", page_size=("210mm", "297mm"), font_size="12pt")
    assert split_long_notes(html, a4) == html
    large = Edition("large", "pdf", page_size=("210mm", "297mm"), font_size="18pt", medium="large-print")
    assert 'id="fn-2-2"' in split_long_notes(html, large)     # notes at the text's size: cut


def test_the_continued_label_is_in_the_language_of_the_book(tmp_path):
    """The "12 (continued)" label is the locale's ``note-continued``: a French book says "12 (suite)",
    and a project's own words (reader.toml [strings]) win."""
    root = tmp_path / "reader"
    _project(root)
    toml = root / "reader.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('title = "Long notes"\n',
                                                             'title = "Long notes"\nlanguage = "fr"\n'), encoding="utf-8")
    result = build(root, ["print"])
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    texts = [normalise(t) for t in textlayer_pages(root / "build" / "print.pdf")]
    assert any(re.search(r"\b3 \(suite\)", t) for t in texts), texts
    assert not any("(continued)" in t for t in texts)
    toml.write_text(toml.read_text(encoding="utf-8") + '[strings]\nnote-continued = "Note {number}, suite :"\n',
                    encoding="utf-8")
    assert build(root, ["print"]).status == 0
    texts = [normalise(t) for t in textlayer_pages(root / "build" / "print.pdf")]
    assert any("Note 3, suite :" in t for t in texts) and not any("(suite)" in t for t in texts)


def textlayer_pages(pdf) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages]
