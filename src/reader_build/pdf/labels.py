"""The "N (continued)" label of a note's later piece: shown where the piece opens a page's notes.

A later piece is the next piece of a note longer than a page (pdf/notes.py) or the rest of a
note cut where a page ends (pdf/cuts.py). Each one starts with a label, ``<span
class="fn-continued">``, that print.css sets inline. The label belongs on the page where the
piece comes first in the note area, below the rule, and nowhere else. Which page that is
becomes known only while the pages are made.

Writing a rule after the layout that shows or hides each label, and laying the part out
again, took one layout per page of a long note: each label moves the pieces after it. Some
labels were still wrong after the last layout allowed. Here the label's box is taken out of
every later piece that does not open its page's notes, and put back in the one that does. This
happens each time the layout changes a page's note area (engine._update_note_area), before the
area is measured. So each page's notes are measured, and drawn, with the labels it shows.
"""
from __future__ import annotations

from typing import Callable

from weasyprint.formatting_structure import boxes

from .notes import is_continuation

LABEL_CLASS = "fn-continued"

_LABELS: list[dict] = []    # per layout under way: id(piece) -> (piece, its _Label or None)


class _Label:
    """Where a piece's label box stands in the box tree, and whether it stands there now."""

    __slots__ = ("piece", "parent", "box", "line", "shown")

    def __init__(self, piece, parent, box, line):
        self.piece, self.parent, self.box, self.line, self.shown = piece, parent, box, line, True

    def show(self, shown: bool) -> bool:
        """Put the label in (or take it out); True when that changed the piece."""
        if shown == self.shown:
            return False
        children = [child for child in self.parent.children if child is not self.box]
        self.parent.children = [self.box] + children if shown else children
        self.shown = shown
        return True


def begin() -> None:
    _LABELS.append({})


def end() -> None:
    _LABELS.pop()


def _find(piece) -> "_Label | None":
    """The label of *piece*: the first box of class fn-continued, the box it stands in (as its
    first child) and the line box that holds it."""
    stack = [(piece, None)]
    while stack:
        parent, line = stack.pop()
        line = parent if isinstance(parent, boxes.LineBox) else line
        children = list(getattr(parent, "children", ()))
        for child in children:
            element = getattr(child, "element", None)
            if element is not None and LABEL_CLASS in (element.get("class") or "").split() \
                    and "::" not in (child.element_tag or ""):
                return _Label(piece, parent, child, line) if parent.children[0] is child else None
        stack.extend((child, line) for child in reversed(children))
    return None


def _label(note) -> "_Label | None":
    element = getattr(note, "element", None)
    if not _LABELS or element is None or not is_continuation(element):
        return None
    known = _LABELS[-1]
    found = known.get(id(note))
    if found is None or found[0] is not note:
        found = known[id(note)] = (note, _find(note))
    return found[1]


def label_of(note) -> "_Label | None":
    """The label of *note*, a later piece (None: it has none)."""
    return _label(note)


def forget(note) -> None:
    """Find the label of *note* again when it is next asked for (its boxes were replaced)."""
    if _LABELS:
        _LABELS[-1].pop(id(note), None)


def show_labels(notes: list, changed: Callable[[object], None]) -> None:
    """The label of each later piece among *notes* (a page's note area, in order) shown where
    the piece opens the area, taken out elsewhere; *changed* is given the line box of each label
    put in or taken out (its breaks, chosen with or without the label, must be chosen again)."""
    for n, note in enumerate(notes):
        label = _label(note)
        if label is not None and label.show(n == 0) and label.line is not None:
            changed(label.line)


def label_shown(note) -> bool | None:
    """Does *note* show its label now (None: it has none)?"""
    label = _label(note)
    return None if label is None else label.shown
