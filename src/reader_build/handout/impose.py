"""Imposition: where each page of a handout goes on the sheets of paper.

Pure arithmetic, no I/O.  Lengths are PDF points (1/72 in); coordinates have
their origin at the lower-left corner of the sheet, as in PDF.  Pages are
numbered from 0 in the order of the handout; ``None`` stands for a blank.

* 1-up: each page scaled to fill a portrait sheet (A5 on A4: 141 %), the
  header line in the foot margin of the page as placed;
* n-up (2 or 4): pages in reading order, two side by side on a landscape
  sheet or 2 × 2 on a portrait one, scaled to fit below a header band;
* booklet (saddle stitch): the page count padded with blanks to a multiple
  of 4, two pages on each side of a landscape sheet, meeting at the fold.
  Print both sides, flipping on the short edge, then fold the stack in half.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MM = 72 / 25.4
PAPER = {
    "a4": (210 * MM, 297 * MM),     # 595.28 × 841.89
    "letter": (612.0, 792.0),
}
MARGIN = 8 * MM          # kept free at every edge of an n-up sheet
HEADER_BAND = 9 * MM     # room for the header line above the pages of an n-up sheet
HEADER_HEIGHT = 4 * MM   # the header line itself
HEADER_GAP = 4 * MM      # between the header line and the pages below it
GUTTER = 6 * MM          # between the pages of an n-up sheet
BOOKLET_FOOT = 7 * MM    # distance of a booklet page's header line from the sheet's bottom edge
BOOKLET_OUTER = 0.165    # the outer margin of the reader's pages, as a share of their width
FOOT_LINE = 0.025        # 1-up: the header line's distance from the page's bottom edge, as a share of its height
                         # (the reader's pages keep 10 % of their height free below the text: pdf/compose.py)


@dataclass(frozen=True)
class Placement:
    """One page drawn on a sheet: lower-left corner (x, y) and scale."""

    page: int
    x: float
    y: float
    scale: float
    width: float          # the placed (scaled) size
    height: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) on the sheet."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)


@dataclass(frozen=True)
class HeaderBox:
    """Where a header line goes: a box on the sheet and the alignment of its text."""

    x: float
    y: float              # bottom of the box
    width: float
    height: float
    align: str = "left"   # "left" | "right" | "center" | "justify" (title left, sheet number right)
    pages: tuple[int, ...] = ()   # the pages (of the handout, from 0) whose print folios the line names


@dataclass(frozen=True)
class Sheet:
    """One side of a sheet of paper: one page of the handout PDF."""

    width: float
    height: float
    placements: tuple[Placement, ...]
    headers: tuple[HeaderBox, ...] = ()

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def pages(self) -> list[int]:
        return [p.page for p in self.placements]


def paper_size(paper: str, landscape: bool = False) -> tuple[float, float]:
    width, height = PAPER[paper]
    return (height, width) if landscape else (width, height)


def padded_count(count: int, multiple: int = 4) -> int:
    """*count* rounded up to a multiple of *multiple* (at least one multiple)."""
    return max(multiple, math.ceil(count / multiple) * multiple)


def booklet_order(count: int) -> list[tuple[tuple[int | None, int | None], tuple[int | None, int | None]]]:
    """Per physical sheet, from the outside in: ((front left, front right), (back left, back right)).

    With n pages padded to a multiple of 4, sheet i carries on its front
    pages n-1-2i and 2i, on its back 2i+1 and n-2-2i.  Padding pages (the
    last ones) are ``None``.  Turned over on its short edge, the back's left
    half lies behind the front's right half, so that page 2i+1 follows 2i.
    """
    n = padded_count(count)

    def real(page: int) -> int | None:
        return page if page < count else None

    return [((real(n - 1 - 2 * i), real(2 * i)), (real(2 * i + 1), real(n - 2 - 2 * i)))
            for i in range(n // 4)]


def booklet_reading_order(order) -> list[int | None]:
    """The pages as a reader meets them in the folded booklet: the check of :func:`booklet_order`.

    Folding the stack, the right halves of the fronts are the first half of
    the booklet (outer sheet first), and the left halves of the fronts come
    back in the second half, innermost sheet first; each back half lies
    behind the front half it shares a place with after turning the sheet.
    """
    first, second = [], []
    for (front_left, front_right), (back_left, back_right) in order:
        first += [front_right, back_left]             # a leaf of the first half, both sides
        second = [back_right, front_left] + second    # the matching leaf of the second half
    return first + second


def _fit(page_w: float, page_h: float, box_w: float, box_h: float) -> float:
    return min(1.0, box_w / page_w, box_h / page_h)


def _header_band(left: float, right: float, top: float, pages: tuple[int, ...]) -> HeaderBox:
    """A header line spanning left..right whose box sits HEADER_GAP above *top*."""
    return HeaderBox(left, top + HEADER_GAP, right - left, HEADER_HEIGHT, "justify", pages)


def one_up(count: int, page_size: tuple[float, float], paper: str) -> list[Sheet]:
    """Each page as large as the sheet allows (its own margins become the sheet's), with the
    header line in its foot margin, as wide as its text block."""
    pw, ph = page_size
    sw, sh = paper_size(paper)
    scale = min(sw / pw, sh / ph)
    w, h = pw * scale, ph * scale
    x, y = (sw - w) / 2, (sh - h) / 2
    side = BOOKLET_OUTER * w
    foot = max(y + FOOT_LINE * h, MARGIN)
    sheets = []
    for page in range(count):
        placed = Placement(page, x, y, scale, w, h)
        header = HeaderBox(x + side, foot, w - 2 * side, HEADER_HEIGHT, "justify", (page,))
        sheets.append(Sheet(sw, sh, (placed,), (header,)))
    return sheets


def n_up(count: int, page_size: tuple[float, float], paper: str, nup: int) -> list[Sheet]:
    if nup not in (2, 4):
        raise ValueError(f"nup must be 1, 2 or 4, not {nup}")
    cols, rows = 2, nup // 2
    pw, ph = page_size
    sw, sh = paper_size(paper, landscape=(nup == 2))
    avail_w = sw - 2 * MARGIN - (cols - 1) * GUTTER
    avail_h = sh - 2 * MARGIN - HEADER_BAND - (rows - 1) * GUTTER
    scale = _fit(pw, ph, avail_w / cols, avail_h / rows)
    w, h = pw * scale, ph * scale
    block_w = cols * w + (cols - 1) * GUTTER
    block_h = rows * h + (rows - 1) * GUTTER
    left = (sw - block_w) / 2
    bottom = MARGIN + (sh - 2 * MARGIN - HEADER_BAND - block_h) / 2
    top = bottom + block_h
    sheets = []
    for first in range(0, count, nup):
        placements = []
        for slot, page in enumerate(range(first, min(first + nup, count))):
            col, row = slot % cols, slot // cols
            x = left + col * (w + GUTTER)
            y = top - (row + 1) * h - row * GUTTER
            placements.append(Placement(page, x, y, scale, w, h))
        pages = tuple(p.page for p in placements)
        sheets.append(Sheet(sw, sh, tuple(placements), (_header_band(left, left + block_w, top, pages),)))
    return sheets


def booklet(count: int, page_size: tuple[float, float], paper: str) -> list[Sheet]:
    """Two sides per physical sheet; pages meet at the fold, headers at the outer foot."""
    pw, ph = page_size
    sw, sh = paper_size(paper, landscape=True)
    half = sw / 2
    scale = _fit(pw, ph, half, sh)
    w, h = pw * scale, ph * scale
    y = (sh - h) / 2
    outer = BOOKLET_OUTER * w           # the header lines up with the text block's outer edge
    header_w = w - 2 * outer

    def side(left: int | None, right: int | None) -> Sheet:
        placements, headers = [], []
        if left is not None:
            placements.append(Placement(left, half - w, y, scale, w, h))
            headers.append(HeaderBox(half - w + outer, BOOKLET_FOOT, header_w, HEADER_HEIGHT, "left", (left,)))
        if right is not None:
            placements.append(Placement(right, half, y, scale, w, h))
            headers.append(HeaderBox(half + outer, BOOKLET_FOOT, header_w, HEADER_HEIGHT, "right", (right,)))
        return Sheet(sw, sh, tuple(placements), tuple(headers))

    sheets = []
    for front, back in booklet_order(count):
        sheets.append(side(*front))
        sheets.append(side(*back))
    return sheets


def impose(count: int, page_size: tuple[float, float], paper: str = "a4", *, nup: int = 1,
           booklet_fold: bool = False) -> list[Sheet]:
    """The sheets (PDF pages) of a handout of *count* pages of *page_size* points."""
    if paper not in PAPER:
        raise ValueError(f"paper must be one of {', '.join(PAPER)}, not {paper!r}")
    if count < 1:
        return []
    if booklet_fold:
        return booklet(count, page_size, paper)
    if nup == 1:
        return one_up(count, page_size, paper)
    return n_up(count, page_size, paper, nup)
