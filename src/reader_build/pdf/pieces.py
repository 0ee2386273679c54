"""A long note's piece that ends mid-paragraph ends with a full line, while the pages are made.

pdf/notes.py cuts a note longer than a page into pieces before layout, after a paragraph or a
sentence, by a count of characters.  A piece that ends mid-paragraph then ends with a short
line, and the next piece starts on a line of its own: on the page, this reads as a paragraph
break that is not in the note.  So when such a piece first comes into a page's note area
(engine._update_note_area), it is laid out alone, the words of its last line are moved to the
start of the next piece (after its "N (continued)" label), and the line before them, now its
last, is justified like the lines above it (the piece's boxes are cut as pdf/cuts.py cuts a
note).  Two pieces on one page then read as one paragraph; a piece that goes on overleaf ends
with a full line, as a note continued by hand does.

A piece is mended once in a layout, before any page holds the next piece, and a later layout
of the same part mends it alike.  Each mend is recorded as a rule (notes.mend_rule), which the
HTML that ``--emit-html`` writes makes in the HTML (notes.mend_pieces).  Pieces of notes set
ragged right (large print), a last line that holds a note's call, and boxes of a shape this
module does not know are left as they are.
"""
from __future__ import annotations

from typing import Callable

from weasyprint.formatting_structure import boxes

from . import labels
from .cuts import line_boxes, split, words_through
from ..ids import next_piece_id
from .notes import GOES_ON, mend_rule

_MENDED: list[tuple[dict, list]] = []   # per layout under way: ({id(piece): the piece, once looked at}, rules)


def begin() -> None:
    _MENDED.append(({}, []))


def end() -> list[str]:
    """The rules (notes.mend_rule) of the pieces that the layout mended, in the order it did."""
    return _MENDED.pop()[1]


def mend(notes: list, following: Callable[[str], object], lay_out_alone: Callable[[object], object],
         changed: Callable[[object], None]) -> None:
    """Mend each piece among *notes* (a page's note area) that ends mid-paragraph and has not been
    looked at: *following* gives the box of a note by its element's id, *lay_out_alone* lays a
    note out alone in the note area (its laid-out box, or None), *changed* is told of each
    piece whose boxes changed (its measured height no longer holds)."""
    if not _MENDED:
        return
    seen, rules = _MENDED[-1]
    for note in notes:
        if id(note) in seen and seen[id(note)] is note:
            continue
        seen[id(note)] = note
        after = following(next_piece_id(note.element.get("id") or "")) if note.element is not None else None
        if after is None or after.element is None or after.element.get(GOES_ON) is None:
            continue
        own = labels.label_of(note)
        if own is not None:
            own.show(True)           # (cut with its label: the page's labels are set after)
        laid = lay_out_alone(note)
        kept = laid is not None and _mend(note, after, laid)
        if kept:
            changed(note)
            changed(after)
            rule = mend_rule(note.element.get("id"), *kept)
            if rule:
                rules.append(rule)


def _mend(note, after, laid) -> tuple[int, str] | None:
    """Move the words of *note*'s last line (*laid*: the note laid out alone) to the start of
    *after*, the next piece: (the words *note* keeps, the last of them); None when the boxes are
    not as expected (nothing is changed)."""
    lines = line_boxes(laid)
    if len(lines) < 3 or not _same_block(laid, lines[-2], lines[-1]):
        return None
    if lines[-1].style["text_align_all"] != "justify" or _has_call(lines[-1]):
        return None
    kept = words_through(laid, lines, len(lines) - 1)
    label = labels.label_of(after)
    if kept is None or label is None:
        return None
    pieces = split(note, *kept)
    if pieces is None:
        return None
    first, rest = pieces
    moved = _inline(rest)
    if not moved or not _end_with_space(moved):
        return None
    at = 1 if label.shown else 0
    label.parent.children = label.parent.children[:at] + moved + label.parent.children[at:]
    labels.forget(note)
    note.children = first.children
    note.style = first.style             # (justified to its last line, when the cut is in its own lines)
    return kept


def _same_block(laid, one, other) -> bool:
    """Do line boxes *one* and *other* stand in the same block of *laid*?"""
    for block in laid.descendants():
        children = getattr(block, "children", ())
        if any(child is other for child in children):
            return any(child is one for child in children)
    return False


def _has_call(line) -> bool:
    return any((box.element_tag or "").endswith("::footnote-call") for box in line.descendants())


def _inline(children: list) -> list:
    """The inline boxes of the one paragraph that *children* (the rest of a piece cut mid-line)
    hold, out of the blocks, line and paragraph span around them; [] for any other shape."""
    while len(children) == 1:
        box = children[0]
        paragraph = isinstance(box, boxes.InlineBox) and "fn-p" in (box.element.get("class") or "").split() \
            if box.element is not None else False
        if not (isinstance(box, (boxes.BlockBox, boxes.LineBox)) or paragraph):
            break
        children = list(box.children)
    if not children or any(isinstance(box, (boxes.BlockBox, boxes.LineBox)) for box in children):
        return []
    return children


def _end_with_space(moved: list) -> bool:
    """End *moved* with one space, in its last text box, before the next piece's first word;
    False when *moved* does not end with a text box."""
    parent, box = None, moved[-1]
    while isinstance(box, boxes.InlineBox) and box.children:
        parent, box = box, box.children[-1]
    if not isinstance(box, boxes.TextBox):
        return False
    spaced = box.copy_with_text(box.text.rstrip(" ") + " ")
    if parent is None:
        moved[-1] = spaced
    else:
        parent.children = list(parent.children[:-1]) + [spaced]
    return True
