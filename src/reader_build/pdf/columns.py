"""A page of columns laid out once, not twice.

WeasyPrint 70 (``layout/column.py``, ``columns_layout``) lays out each page of a multi-column
box twice: once to measure (every column at the page's full height, to learn whether the
content fits or has to be balanced), then again to make the columns it keeps.  When the
content overflows the page, as on every page of an index but its last, the second layout of a
column is the first one over again: the same content from the same place, the same height and
the same width, only further right.  So the first layout of each column is kept
(:func:`_block_box_layout`, keyed by where the column starts, its bottom and its width), and
the second takes it, moved to its column's place.  The ×20 reader's index of places (11 pages)
is laid out in 5.2 s rather than 6.0 s (benchmarks/RESULTS.md): the engine's memo of line fits
already made the second layout of a line cheap.

A column is kept only when taking it cannot differ from laying it out again:

* it holds nothing that WeasyPrint keeps a note of outside the box tree (a footnote, a float,
  an absolutely positioned box, a running element, a box broken out of the flow): the first
  layout's record of those is removed before the second;
* its first block was placed whole with another after it, so that whether the page was empty
  (which WeasyPrint passes differently to the two layouts) played no part
  (:func:`_first_placed_whole`).

Anything else is laid out again, as WeasyPrint does.  Installed by engine.lay_out for the
time of a layout (:func:`install`), like the engine's other replacements; the WeasyPrint
internals used are ``weasyprint.layout.block``'s ``columns_layout`` and ``block_box_layout``
(the first looks the second up in that module on each call), a column box's ``is_column``,
and a box's ``translate``, ``children``, ``footnote``, ``is_floated()``, ``is_in_normal_flow()``
and computed ``position``.
"""
from __future__ import annotations

import contextlib
from math import inf

import weasyprint.layout.block as _weasy_block

_original_columns_layout = _weasy_block.columns_layout
_original_block_box_layout = _weasy_block.block_box_layout

_MEMOS: list[dict] = []          # one per columns_layout running (columns may nest)
STATS = {"kept": 0, "laid": 0}   # columns taken from the first layout, columns laid out again


def _columns_layout(context, box, *args, **kwargs):
    _MEMOS.append({})
    try:
        return _original_columns_layout(context, box, *args, **kwargs)
    finally:
        _MEMOS.pop()


def _frozen(skip_stack):
    if skip_stack is None:
        return None
    return tuple(sorted((key, _frozen(value)) for key, value in skip_stack.items()))


def _pure(box, context) -> bool:
    """Does *box* hold nothing that layout records outside the box tree?"""
    stack = [box]
    while stack:
        node = stack.pop()
        if (getattr(node, "footnote", None) is not None or getattr(node, "note", None) is not None
                or node.style["position"] in ("absolute", "fixed") or node.is_floated()
                or node in context.broken_out_of_flow):
            return False
        stack.extend(getattr(node, "children", ()))
    return True


def _first_placed_whole(box) -> bool:
    """Was the column's first block placed whole, with another after it?  Down the chain of
    first children, some box has two blocks in the flow or more (its first was then placed
    whole: had it not fitted, it would have been cut and ended the column)."""
    while True:
        placed = [child for child in getattr(box, "children", ()) if child.is_in_normal_flow()]
        if len(placed) >= 2 and not any(type(child).__name__ == "LineBox" for child in placed):
            return True
        if len(placed) != 1:
            return False
        box = placed[0]


def _block_box_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                      absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style, first_line_style,
                      discard=False, max_lines=None):
    args = (context, box, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes,
            fixed_boxes, adjoining_margins, first_letter_style, first_line_style)
    if not _MEMOS or not box.is_column or discard or max_lines is not None or bottom_space == inf:
        return _original_block_box_layout(*args, discard=discard, max_lines=max_lines)
    memo = _MEMOS[-1]
    key = (_frozen(skip_stack), bottom_space, box.position_y, box.width)
    if adjoining_margins is None:            # the layout of the columns kept (column.py passes None)
        kept = memo.pop(key, None)
        if kept is not None:
            result, x = kept
            result[0].translate(box.position_x - x, 0)
            STATS["kept"] += 1
            return result
        STATS["laid"] += 1
        return _original_block_box_layout(*args, discard=discard, max_lines=max_lines)
    result = _original_block_box_layout(*args, discard=discard, max_lines=max_lines)   # a measure
    new_box = result[0]
    if (new_box is not None and not absolute_boxes and not fixed_boxes and _first_placed_whole(new_box)
            and _pure(new_box, context)):
        memo[key] = (result, box.position_x)
    else:
        memo.pop(key, None)
    return result


_DEPTH = [0]


@contextlib.contextmanager
def install():
    """Columns measured and kept as one layout, for the time of the ``with`` block (which may
    nest: a layout inside a layout)."""
    _weasy_block.columns_layout = _columns_layout
    _weasy_block.block_box_layout = _block_box_layout
    _DEPTH[0] += 1
    try:
        yield
    finally:
        _DEPTH[0] -= 1
        if not _DEPTH[0]:
            _weasy_block.columns_layout = _original_columns_layout
            _weasy_block.block_box_layout = _original_block_box_layout
