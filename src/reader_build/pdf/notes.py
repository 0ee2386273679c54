"""Notes longer than a page: laid out in pieces, continued on the next page, never cut off.

WeasyPrint 70 lays a footnote out whole (``layout_footnote`` gives the footnote
area no bottom limit): a note taller than the page's footnote area is drawn
above the top of the page, and what does not fit is cut off.  It cannot split
a note across pages.  So a note that may be that long is cut, before layout,
into pieces of about a sixth of a page (between paragraphs where it can, else
after a sentence, else after a word), each a ``float: footnote`` of its own:

* the first piece keeps the call, the number and the id (``fn-N``): it is the
  note that must stand on its call's page (``footnote-policy: line``);
* each later piece (class ``fn-cont``, id ``fn-N-2``…) has no call and no
  number; when it does not fit, WeasyPrint moves it, alone, to the next page
  (``footnote-policy: auto``), where it comes first in the note area, before
  the notes of that page;
* a later piece that opens a page's note area shows "N (continued)": the label
  is put in or taken out while the pages are made (pdf/labels.py);
* a later piece that goes on with the paragraph of the piece before is marked
  :data:`GOES_ON`: while the pages are made, the piece before ends with a full line
  (pdf/pieces.py).

Pieces are cut only from notes that could come near a page's height at the
edition's text size, so ordinary notes are laid out as before.

A note of ordinary length can still leave a hole: when its call falls near the foot of a
page and the note does not fit below it, WeasyPrint takes the line with the call to the
next page, and the page ends lines early.  In an edition with ``fill-pages = true`` (whose
style sheet then holds :data:`FILL_PAGES`), the note is cut after the last whole word that
fits in the hole (mid-sentence, as a book continues a note, so that the reader turns the
page), the line with the call stays on its page, and the rest of the note opens the next
page's notes as a later piece ("N (continued)"); the first piece's last line is justified like
the lines before it.  The layout makes the cut while it makes the pages, in its box tree
(pdf/cuts.py), in the rest that :func:`add_spares` prepared for every note; a
:func:`cut_rule` names it, for later layouts.  :func:`cut_notes` makes the same cut in HTML,
for the HTML that ``--emit-html`` writes.
"""
from __future__ import annotations

import re
from html import unescape

from ..config import Edition
from ..ids import next_piece_id, note_id, piece_id

TOKEN = re.compile(r"(<[^>]+>)")
SENTENCE_END = re.compile(r"[.!?;:][”’\")\]]?\s+(?=\S)")
WORD_END = re.compile(r"[ \t\n]+(?=\S)")    # (not a no-break space)
CONT_CLASS = "fn-cont"
FILL_PAGES = "/* reader-build: fill-pages (notes cut where a page ends) */"   # in an edition's CSS
CUT_CLASS = "fn-cut"         # the block whose last line ends where a note was cut: justified
REST_CLASS = "fn-rest"       # the rest of a note cut at a page's end: when it does not fit, it goes on alone
LEADING_BLOCKS = re.compile(r'(?:<span class="fn-(?:p|ul|ol|li|blockquote)(?: [^"]*)?">)*')   # a piece's opening blocks
AGAIN_CLASS = "fn-again"     # a note's list item opened again in the piece after the one where it began
GOES_ON = "data-goes-on"     # a long note's piece that goes on with the paragraph of the piece before
SPARE_CLASS = "fn-spare"     # an empty rest that a note is cut into while the pages are made (pdf/cuts.py)
CUT_RULE = re.compile(r"/\* cut note (\d+) after (\d+) words \((\S+)\) \*/")     # (the last word)
WHOLE_RULE = re.compile(r"/\* keep note (\d+) whole \*/")     # a cut of an earlier layout undone
MEND_RULE = re.compile(r"/\* end piece (fn-\d+(?:-\d+)?) after (\d+) words \((\S+)\) \*/")   # pdf/pieces.py
ENTITY_OR_CHAR = re.compile(r"&#?\w{1,10};|.", re.S)
BLOCK_TAG = re.compile(r"<(?:p|li|div|br|blockquote|ul|ol)\b|<span\b[^>]*\bclass=\"fn-(?:p|li|blockquote|ul|ol)\b")
SHY = "\u00ad"
LINE_HEIGHT = 1.45           # a generous estimate of the notes' leading
NOTE_SIZE = 0.8              # the notes' size, of the text's (print.css: .fn { font-size: 0.8rem })
EM_PER_CHAR = 0.55           # a generous estimate of a character's width, in em
SPLIT_FROM = 0.8             # cut notes estimated at more than this share of a page…
PIECE = 0.15                 # …into pieces of about this share of a page


def _pt(length: str) -> float:
    m = re.match(r"^([\d.]+)(mm|cm|in|pt|px)$", length)
    if not m:
        return 0.0
    return float(m.group(1)) * {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72, "pt": 1, "px": 0.75}[m.group(2)]


def page_capacity(edition: Edition) -> int:
    """About how many characters of note text fill a page's text area (the margins of
    compose.page_css), at the notes' size: :data:`NOTE_SIZE` of the edition's text size
    (print.css), the text size itself in large print (large-print.css)."""
    size = (_pt(edition.font_size) or 10.5) * (1.0 if edition.medium == "large-print" else NOTE_SIZE)
    width = _pt(edition.page_size[0]) * (1 - 0.135 - 0.165)
    height = _pt(edition.page_size[1]) * (1 - 0.085 - 0.1)
    return int(height / (size * LINE_HEIGHT)) * int(width / (size * EM_PER_CHAR))


def split_long_notes(html: str, edition: Edition) -> str:
    """*html* (a chapter's body) with every note that may be near a page long cut into pieces."""
    capacity = page_capacity(edition)
    if capacity <= 0:
        return html
    return _each_note(html, capacity)


def _each_note(html: str, capacity: int) -> str:
    out, pos = [], 0
    for start, end, number, body in _notes(html):
        out.append(html[pos:start])
        if len(_text(body).replace(SHY, "")) > SPLIT_FROM * capacity:
            pieces, going_on = _cut(body, int(PIECE * capacity))
            out.append(_pieces_html(number, pieces, going_on=going_on))
        else:
            out.append(html[start:end])
        pos = end
    out.append(html[pos:])
    return "".join(out)


def _notes(html: str):
    """(start, end, number, body) of each top-level ``<span class="fn">``, its spans balanced."""
    for m in re.finditer(r'<span class="fn" id="fn-(\d+)" data-n="\d+">', html):
        depth, i = 1, m.end()
        for tag in re.finditer(r"<(/?)span\b[^>]*>", html[m.end():]):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                i = m.end() + tag.start()
                yield m.start(), i + len("</span>"), m.group(1), html[m.end():i]
                break


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _cut(body: str, size: int) -> tuple[list[str], set[int]]:
    """*body* cut into pieces of at least *size* characters of text, between paragraphs where a
    paragraph ends past *size*, else after a sentence, else after a word; each piece's open
    elements are closed at its end and opened again (without their ids) at the next piece's
    start.  Also the indexes of the pieces that go on with the paragraph of the piece before."""
    pieces: list[str] = []
    going_on: set[int] = set()
    current: list[str] = []
    stack: list[tuple[str, str]] = []       # (tag name, opening tag without id)
    count = 0
    for token in TOKEN.split(body):
        if not token:
            continue
        if token.startswith("<"):
            current.append(token)
            _track(stack, token)
            if count >= size and token == "</span>" and not stack:     # a paragraph of the note has ended
                pieces.append("".join(current))
                current, count = [], 0
            continue
        while count + len(token) > size:
            m = _piece_end(token, size - count, count + len(token) > 2 * size)
            if m is None:
                break
            current.append(token[:m])
            pieces.append("".join(current) + "".join(f"</{name}>" for name, _ in reversed(stack)))
            going_on.add(len(pieces))
            current, count, token = [opening for _, opening in stack], 0, token[m:]
        current.append(token)
        count += len(token)
    rest = "".join(current)
    if pieces and not _text(rest).strip():
        pieces[-1] += rest
        going_on.discard(len(pieces))
    else:
        pieces.append(rest)
    return [piece.strip() for piece in pieces], going_on


def _piece_end(text: str, at_least: int, any_word: bool) -> int | None:
    """Where a piece ends in *text*: after the first sentence that ends at or after *at_least*;
    when there is none and *any_word* (the piece would be over two pieces long: a note of
    long sentences, or of one), after the first word there."""
    found = _sentence_end(text, at_least)
    if found is None and any_word:
        found = next((m.end() for m in WORD_END.finditer(text) if m.end() >= at_least), None)
    return found


def _sentence_end(text: str, at_least: int) -> int | None:
    """The end (after its space) of the first sentence of *text* that ends at or after *at_least*."""
    for m in SENTENCE_END.finditer(text):
        if m.end() >= at_least:
            return m.end()
    return None


def _track(stack: list, token: str) -> None:
    if token.startswith("</"):
        if stack:
            stack.pop()
        return
    if token.endswith("/>") or re.match(r"<(br|img|wbr)\b", token):
        return
    name = re.match(r"<([a-zA-Z0-9]+)", token)
    if name:
        stack.append((name.group(1), re.sub(r'\s+id="[^"]*"', "", token)))


def _pieces_html(number: str, pieces: list[str], cut_class: bool | None = None,
                 going_on: set[int] = frozenset()) -> str:
    """The pieces of note *number*; *cut_class*: None for the pieces of a long note, else whether
    the first piece of a note cut at a page's end (:func:`cut_notes`) ends mid-paragraph;
    *going_on*: the indexes of the pieces (of a long note) that go on with the paragraph of the
    piece before (marked :data:`GOES_ON`, for pdf/pieces.py)."""
    classes = f"fn {CUT_CLASS}" if cut_class else "fn"
    out = [f'<span class="{classes}" id="{note_id(number)}" data-n="{number}">{pieces[0]}</span>']
    for k, piece in enumerate(pieces[1:], start=2):
        label = continued_label(number)
        opening = LEADING_BLOCKS.match(piece).group(0)    # the label stands in the innermost of them
        lead = opening
        if k - 1 in going_on:          # (a list item that goes on: its first line does not hang)
            lead = lead.replace('<span class="fn-li">', f'<span class="fn-li {AGAIN_CLASS}">')
        piece = lead + label + piece[len(opening):]
        classes = f"fn {CONT_CLASS} {REST_CLASS}" if cut_class is not None else f"fn {CONT_CLASS}"
        goes_on = f' {GOES_ON}=""' if k - 1 in going_on else ""
        out.append(f'<span class="{classes}" id="{piece_id(number, k)}" data-n="{number}"{goes_on}>{piece}</span>')
    return "".join(out)


def add_spares(html: str) -> str:
    """*html* (a chapter's body) with a spare after each note not in pieces already: the empty
    rest, "N (continued)", that pdf/cuts.py cuts the note into where a page ends."""
    out, pos = [], 0
    for start, end, number, _body in _notes(html):
        if f'id="{piece_id(number, 2)}"' in html:
            continue
        out.append(html[pos:end])
        out.append(_spare(number))
        pos = end
    out.append(html[pos:])
    return "".join(out)


def _spare(number: str) -> str:
    return (f'<span class="fn {CONT_CLASS} {REST_CLASS} {SPARE_CLASS}" id="{piece_id(number, 2)}" data-n="{number}">'
            f'{continued_label(number)}</span>')


def continued_label(number: str) -> str:
    """The label of a note's later piece: its number, which :func:`continued_css` puts in the words
    of the book's language ("12 (continued)")."""
    return f'<span class="fn-continued">{number}</span>'


def continued_css(words: str) -> str:
    """The style that sets a later piece's label as *words* say (the locale's ``note-continued``,
    "{number} (continued)"), followed by an en space."""
    before, _, after = words.partition("{number}")

    def string(text: str) -> str:
        return '"' + "".join(f"\\{ord(ch):x} " if ch in '"\\\n' or ord(ch) > 126 else ch for ch in text) + '"'
    rules = [f".fn-continued::before {{ content: {string(before)}; }}"] if before else []
    return "\n".join(rules + [f".fn-continued::after {{ content: {string(after + chr(0x2002))}; }}"])


SPARE = re.compile(rf'<span class="fn {CONT_CLASS} {REST_CLASS} {SPARE_CLASS}" id="fn-\d+-2" data-n="\d+">'
                   r'<span class="fn-continued">\d+</span></span>')


def strip_spares(html: str) -> str:
    """*html* without the spares of :func:`add_spares`: for the HTML that ``--emit-html`` writes
    (where the notes are cut in the HTML: :func:`cut_notes`), and for a layout that mends no
    page (engine.lay_out without ``fix``), which cuts no note."""
    return SPARE.sub("", html)


def is_continuation(element) -> bool:
    """Is *element* a later piece of a note (see the module's docstring)?"""
    return CONT_CLASS in (element.get("class") or "").split()


def note_cuts(rules) -> dict[str, tuple[int, str]]:
    """Note number -> (words, last word) of the cut that *rules* name for it: a note cut again
    (shorter, when its cut did not keep the call's line on its page; longer, when the notes of
    its page ended with it and left a hole) is cut as the last of its rules says."""
    cuts = {}
    for rule in rules:
        found = CUT_RULE.fullmatch(rule.strip())
        if found:
            cuts[found.group(1)] = (int(found.group(2)), found.group(3))
        elif found := WHOLE_RULE.fullmatch(rule.strip()):
            cuts.pop(found.group(1), None)
    return cuts


def cut_number(rule: str) -> str | None:
    """The number of the note that *rule* cuts or keeps whole (None: not such a rule)."""
    found = CUT_RULE.fullmatch(rule.strip()) or WHOLE_RULE.fullmatch(rule.strip())
    return found.group(1) if found else None


def last_cuts(rules: list[str]) -> list[str]:
    """*rules* with only the last rule that cuts each note or keeps it whole (:func:`note_cuts`),
    in their order; a rule that keeps a note whole, with no cut before it, goes too."""
    last, cut = {}, set()
    for at, rule in enumerate(rules):
        number = cut_number(rule)
        if number is not None:
            last[number] = at
            if CUT_RULE.fullmatch(rule.strip()):
                cut.add(number)
    return [rule for at, rule in enumerate(rules)
            if (number := cut_number(rule)) is None
            or (last[number] == at and (number in cut or not WHOLE_RULE.fullmatch(rule.strip())))]


def whole_rule(number: str) -> str:
    """The rule that undoes the cuts of note *number* that the rules before it name."""
    return f"/* keep note {number} whole */"


def cut_rule(number: str, words: int, last_word: str) -> str | None:
    """The rule that cuts note *number* after its first *words* words, the last of which is
    *last_word* (a check: the cut is made only where the HTML has that word there); None
    when the word cannot be written in a CSS comment."""
    if not re.fullmatch(r"\S+", last_word) or "*/" in last_word or words < 1:
        return None
    return f"/* cut note {number} after {words} words ({last_word}) */"


def mend_rule(piece: str, words: int, last_word: str) -> str | None:
    """The rule that records how pdf/pieces.py ended the piece whose id is *piece*: after its
    first *words* words, the last of which is *last_word* (the rest went to the next piece), for
    the HTML that ``--emit-html`` writes (:func:`mend_pieces`); None as for :func:`cut_rule`."""
    if not re.fullmatch(r"\S+", last_word) or "*/" in last_word or words < 1:
        return None
    return f"/* end piece {piece} after {words} words ({last_word}) */"


def mend_pieces(html: str, rules) -> str:
    """*html* with the pieces of long notes ended as the :func:`mend_rule` among *rules* say, in
    their order: the words after the rule's move to the start of the next piece, after its
    label, and the block where the piece now ends is justified to its last line (:data:`CUT_CLASS`)."""
    for rule in rules:
        found = MEND_RULE.fullmatch(rule.strip())
        if found:
            html = _mend_piece(html, found.group(1), int(found.group(2)), found.group(3))
    return html


def _mend_piece(html: str, piece: str, words: int, last_word: str) -> str:
    own, following = _span(html, piece), _span(html, next_piece_id(piece))
    if own is None or following is None or f'{GOES_ON}=""' not in html[following[0]:following[1]]:
        return html
    cut = _cut_after_words(html[own[1]:own[2]], words, last_word)
    label = html.find('<span class="fn-continued">', following[1])
    label_end = html.find("</span>", label) + len("</span>") if label >= 0 else -1
    if cut is None or not 0 <= label < following[2]:
        return html
    first, rest, on_note = cut
    lead = LEADING_BLOCKS.match(rest).group(0)
    depth = lead.count("<span")          # (the next piece has these blocks open, its label in them)
    if depth and rest.endswith("</span>" * depth):
        rest = rest[len(lead):-len("</span>") * depth]
    tag = html[own[0]:own[1]]
    return (html[:own[0]] + (_add_class(tag, CUT_CLASS) if on_note else tag) + first + html[own[2]:label_end]
            + rest.rstrip() + " " + html[label_end:])


def _span(html: str, piece: str) -> tuple[int, int, int] | None:
    """(start of the opening tag, its end, start of the closing tag) of the note span *piece*."""
    opening = re.search(rf'<span class="[^"]*\bfn\b[^"]*" id="{re.escape(piece)}"[^>]*>', html)
    if opening is None:
        return None
    depth = 1
    for tag in re.finditer(r"<(/?)span\b[^>]*>", html[opening.end():]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return opening.start(), opening.end(), opening.end() + tag.start()
    return None


def cut_notes(html: str, rules) -> str:
    """*html* with every note that a :func:`cut_rule` among *rules* names cut in two pieces
    (see the module's docstring); a note already in pieces, or whose text does not have the
    rule's word where the rule says, is left whole."""
    cuts = note_cuts(rules)
    if not cuts:
        return html
    out, pos = [], 0
    for start, end, number, body in _notes(html):
        if number not in cuts or f'id="{piece_id(number, 2)}"' in html:
            continue
        cut = _cut_after_words(body, *cuts[number])
        if cut is None:
            continue
        out.append(html[pos:start])
        out.append(_pieces_html(number, [cut[0], cut[1]], cut_class=cut[2]))
        pos = end
    out.append(html[pos:])
    return "".join(out)


def _cut_after_words(body: str, words: int, last_word: str) -> tuple[str, str, bool] | None:
    """*body* cut after its *words*-th word (words as a layout's lines show them: a block's start
    or end parts words), when that word is *last_word*: (first piece, second piece, whether the
    note's own block ends the first piece mid-paragraph).  The elements open at the cut are
    closed at the first piece's end and opened again (without ids) in the second; the innermost
    block among them is marked :data:`CUT_CLASS`.  A cut at a paragraph's end falls between
    paragraphs."""
    tokens = [t for t in TOKEN.split(body) if t]
    stack: list[tuple[str, str, int, bool]] = []        # (name, opening without id, token index, block?)
    count, in_word, word = 0, False, []
    for i, token in enumerate(tokens):
        if token.startswith("<"):
            closing = token.startswith("</")
            block = (stack[-1][3] if stack else False) if closing else bool(BLOCK_TAG.match(token))
            if block and in_word:
                in_word = False
                if count == words:                # the word ends a paragraph of the note
                    if "".join(word) != last_word:
                        return None
                    if closing:
                        stack.pop()
                        return _pieces_at(tokens, i + 1, 0, stack, justify=False)
                    return _pieces_at(tokens, i, 0, stack, justify=False)
            if closing:
                if stack:
                    stack.pop()
            elif not (token.endswith("/>") or re.match(r"<(br|img|wbr)\b", token)):
                name = re.match(r"<([a-zA-Z0-9]+)", token)
                if name:
                    stack.append((name.group(1), re.sub(r'\s+id="[^"]*"', "", token), i, block))
            continue
        for m in ENTITY_OR_CHAR.finditer(token):
            char = unescape(m.group(0))
            if char == SHY:
                continue
            if char.isspace():
                if in_word and count == words:
                    if "".join(word) != last_word:
                        return None
                    return _pieces_at(tokens, i, m.start(), stack, justify=True)
                in_word = False
                continue
            if not in_word:
                in_word, count, word = True, count + 1, []
            word.append(char)
    return None


def _pieces_at(tokens: list[str], i: int, at: int, stack: list, justify: bool) -> tuple[str, str, bool] | None:
    """The two pieces of a note's *tokens* cut at character *at* of token *i* (the white space
    there is dropped), with *stack* the elements open there; None when nothing follows."""
    first = tokens[:i] + ([tokens[i][:at]] if i < len(tokens) else [])
    rest = ([tokens[i][at:].lstrip()] if i < len(tokens) else []) + tokens[i + 1:]
    if not _text("".join(rest)).strip():
        return None
    on_note = False
    if justify:                  # the block whose last line now ends mid-sentence (not the first
        blocks = [entry for entry in stack if entry[3] and entry[2] > 0]     # paragraph: it runs in)
        if blocks:
            first[blocks[-1][2]] = _add_class(first[blocks[-1][2]], CUT_CLASS)
        else:
            on_note = True
    first += [f"</{name}>" for name, *_ in reversed(stack)]
    second = [opening for _, opening, *_ in stack] + rest
    return "".join(first).strip(), "".join(second).strip(), on_note


def _add_class(tag: str, name: str) -> str:
    if re.search(r'\bclass="', tag):
        return re.sub(r'\bclass="', f'class="{name} ', tag, count=1)
    return re.sub(r"^<(\w+)", rf'<\1 class="{name}"', tag)
