"""Notes longer than a page: laid out in pieces, continued on the next page, never cut off.

WeasyPrint 70 lays a footnote out whole (``layout_footnote`` gives the footnote
area no bottom limit): a note taller than the page's footnote area is drawn
above the top of the page, and what does not fit is cut off.  It cannot split
a note across pages.  So a note that may be that long is cut, before layout,
into pieces of about a third of a page (between paragraphs where it can, else
after a sentence), each a ``float: footnote`` of its own:

* the first piece keeps the call, the number and the id (``fn-N``): it is the
  note that must stand on its call's page (``footnote-policy: line``);
* each later piece (class ``fn-cont``, id ``fn-N-2``…) has no call and no
  number; when it does not fit, WeasyPrint moves it to the next page, where it
  comes first in the note area, before the notes of that page;
* a later piece that opens a page's note area shows "N (continued)": after a
  layout, :func:`continued_rules` writes the rule that shows it, and the page
  is laid out again (as for the other fix rules).

Pieces are cut only from notes that could come near a page's height at the
edition's text size, so ordinary notes are laid out as before.
"""
from __future__ import annotations

import re


from ..config import Edition

TOKEN = re.compile(r"(<[^>]+>)")
SENTENCE_END = re.compile(r"[.!?;:][”’\")\]]?\s+(?=\S)")
CONT_CLASS = "fn-cont"
LINE_HEIGHT = 1.45           # a generous estimate of the notes' leading
EM_PER_CHAR = 0.55           # a generous estimate of a character's width, in em
SPLIT_FROM = 0.8             # cut notes estimated at more than this share of a page…
PIECE = 0.3                  # …into pieces of about this share of a page


def _pt(length: str) -> float:
    m = re.match(r"^([\d.]+)(mm|cm|in|pt|px)$", length)
    if not m:
        return 0.0
    return float(m.group(1)) * {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72, "pt": 1, "px": 0.75}[m.group(2)]


def page_capacity(edition: Edition) -> int:
    """About how many characters of note text at the edition's text size fill a page's text area
    (the margins of compose.page_css)."""
    size = _pt(edition.font_size) or 10.5
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
        if len(_text(body)) > SPLIT_FROM * capacity:
            pieces = _cut(body, int(PIECE * capacity))
            out.append(_pieces_html(number, pieces))
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


def _cut(body: str, size: int) -> list[str]:
    """*body* cut into pieces of at least *size* characters of text, between paragraphs where a
    paragraph ends past *size*, else after a sentence; each piece's open elements are closed at
    its end and opened again (without their ids) at the next piece's start."""
    pieces: list[str] = []
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
        while count + len(token) > size and (m := _sentence_end(token, size - count)):
            current.append(token[:m])
            pieces.append("".join(current) + "".join(f"</{name}>" for name, _ in reversed(stack)))
            current, count, token = [opening for _, opening in stack], 0, token[m:]
        current.append(token)
        count += len(token)
    rest = "".join(current)
    if pieces and not _text(rest).strip():
        pieces[-1] += rest
    else:
        pieces.append(rest)
    return [p.strip() for p in pieces]


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


def _pieces_html(number: str, pieces: list[str]) -> str:
    out = [f'<span class="fn" id="fn-{number}" data-n="{number}">{pieces[0]}</span>']
    for k, piece in enumerate(pieces[1:], start=2):
        label = f'<span class="fn-continued">{number} (continued)\u2002</span>'
        if piece.startswith('<span class="fn-p">'):
            piece = '<span class="fn-p">' + label + piece[len('<span class="fn-p">'):]
        else:
            piece = label + piece
        out.append(f'<span class="fn {CONT_CLASS}" id="fn-{number}-{k}" data-n="{number}">{piece}</span>')
    return "".join(out)


def is_continuation(element) -> bool:
    """Is *element* a later piece of a note (see the module's docstring)?"""
    return CONT_CLASS in (element.get("class") or "").split()
