"""Imposition arithmetic: page order on the sheets and where each page goes (no PDF involved)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from reader_build.handout.impose import (MM, PAPER, booklet_order, booklet_reading_order, impose, padded_count,
                                 paper_size)

A5 = (148 * MM, 210 * MM)
A4_W, A4_H = PAPER["a4"]


def flat(order):
    return [page for sheet in order for side in sheet for page in side]


# --- booklet page order -------------------------------------------------------------------

def test_padding_to_a_multiple_of_four():
    assert [padded_count(n) for n in (1, 2, 3, 4, 5, 8, 9, 10, 12, 13)] == [4, 4, 4, 4, 8, 8, 12, 12, 12, 16]


def test_booklet_of_eight_pages():
    # sheet 1 (outside): front 8|1, back 2|7; sheet 2 (inside): front 6|3, back 4|5
    assert booklet_order(8) == [((7, 0), (1, 6)), ((5, 2), (3, 4))]


def test_booklet_of_ten_pages_is_padded_to_twelve_with_blanks_at_the_end():
    order = booklet_order(10)
    assert len(order) == 3                                   # 12 pages = 3 sheets
    assert order == [((None, 0), (1, None)),                 # pages 11 and 12 are blank:
                     ((9, 2), (3, 8)),                       # the back cover and the inside back cover
                     ((7, 4), (5, 6))]
    assert sorted(p for p in flat(order) if p is not None) == list(range(10))
    assert flat(order).count(None) == 2


@pytest.mark.parametrize("count", [8, 10])
def test_folded_booklet_reads_in_order(count):
    assert booklet_reading_order(booklet_order(count)) == list(range(count)) + [None] * (padded_count(count) - count)


@given(st.integers(min_value=1, max_value=200))
def test_booklet_properties(count):
    order = booklet_order(count)
    n = padded_count(count)
    assert len(order) == n // 4
    pages = flat(order)
    assert sorted(p for p in pages if p is not None) == list(range(count))     # every page once
    assert pages.count(None) == n - count                      # blanks only for the padding
    (front_left, front_right), _back = order[0]
    assert front_right == 0                                   # the cover is the first page,
    assert front_left == (n - 1 if n == count else None)      # the back cover the last (or a blank)
    for (fl, fr), (bl, br) in order:
        # a leaf: the back's left half lies behind the front's right half, and they are consecutive
        assert fr is not None
        assert bl == (fr + 1 if fr + 1 < count else None)
        # the two halves of each side add up to n - 1 (they face each other once folded)
        assert all(a + b == n - 1 for a, b in ((fl, fr), (bl, br)) if a is not None and b is not None)
    (_, _), (centre_left, centre_right) = order[-1]
    if centre_left is not None and centre_right is not None:
        assert (centre_left, centre_right) == (n // 2 - 1, n // 2)   # the centre spread
    assert booklet_reading_order(order) == list(range(count)) + [None] * (n - count)


# --- placements ----------------------------------------------------------------------------

def inside(sheet, box, slack=0.01):
    left, bottom, right, top = box
    return left >= -slack and bottom >= -slack and right <= sheet.width + slack and top <= sheet.height + slack


def test_one_up_scales_an_a5_page_to_fill_an_a4_sheet():
    sheets = impose(3, A5, "a4")
    assert len(sheets) == 3
    for k, sheet in enumerate(sheets):
        assert (sheet.width, sheet.height) == (A4_W, A4_H) and not sheet.landscape
        (placed,) = sheet.placements
        assert placed.page == k
        assert placed.scale == pytest.approx(1.414, abs=0.002)       # A5 to A4: 141 %
        assert inside(sheet, placed.box)
        assert placed.width == pytest.approx(A4_W, abs=1 * MM) and placed.height == pytest.approx(A4_H, abs=0.1)
        (header,) = sheet.headers
        assert header.pages == (k,)
        # the header line sits in the page's foot margin (10 % of its height), clear of the text
        # block and of the sheet's edge, within the text block's width
        assert 5 * MM <= header.y and header.y + header.height < placed.y + 0.1 * placed.height
        assert placed.x < header.x and header.x + header.width < placed.x + placed.width


def test_one_up_scales_down_a_page_larger_than_the_sheet():
    big = (210 * MM, 297 * MM)                                # an A4 page fills A4 and shrinks on Letter
    (sheet,) = impose(1, big, "a4")
    assert sheet.placements[0].scale == pytest.approx(1.0)
    (sheet,) = impose(1, big, "letter")
    assert sheet.placements[0].scale < 1 and inside(sheet, sheet.placements[0].box)


def test_letter_paper():
    for sheet in impose(2, A5, "letter"):
        assert (sheet.width, sheet.height) == (612, 792)
        assert inside(sheet, sheet.placements[0].box)
    big = (210 * MM, 297 * MM)                                # an A4 page must shrink to fit Letter
    (sheet,) = impose(1, big, "letter")
    assert sheet.placements[0].scale < 1 and inside(sheet, sheet.placements[0].box)
    assert paper_size("letter", landscape=True) == (792, 612)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_two_up_on_landscape_sheets(paper):
    sheets = impose(5, A5, paper, nup=2)
    assert len(sheets) == 3
    assert [s.pages for s in sheets] == [[0, 1], [2, 3], [4]]
    for sheet in sheets:
        assert sheet.landscape and {sheet.width, sheet.height} == set(PAPER[paper])
        for placed in sheet.placements:
            assert inside(sheet, placed.box) and placed.scale < 1
        (header,) = sheet.headers
        assert header.y > max(p.box[3] for p in sheet.placements)
        assert header.pages == tuple(sheet.pages)
    left, right = sheets[0].placements
    assert left.box[2] < right.box[0]                         # side by side, not overlapping
    assert left.y == right.y


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_four_up_on_portrait_sheets(paper):
    sheets = impose(9, A5, paper, nup=4)
    assert len(sheets) == 3 and [len(s.placements) for s in sheets] == [4, 4, 1]
    for sheet in sheets:
        assert not sheet.landscape and (sheet.width, sheet.height) == PAPER[paper]
        assert all(inside(sheet, p.box) for p in sheet.placements)
    a, b, c, d = sheets[0].placements                         # reading order: rows, left to right
    assert a.y == b.y > c.y == d.y and a.x == c.x < b.x == d.x
    assert a.box[2] < b.box[0] and c.box[3] < a.box[1]


def test_booklet_sheets_meet_at_the_fold():
    sheets = impose(10, A5, "a4", booklet_fold=True)
    assert len(sheets) == 6                                   # 3 sheets, both sides
    assert [s.pages for s in sheets] == [[0], [1], [9, 2], [3, 8], [7, 4], [5, 6]]
    for sheet in sheets:
        assert sheet.landscape and (sheet.width, sheet.height) == (A4_H, A4_W)
        assert len(sheet.headers) == len(sheet.placements)    # blanks stay blank, without a header
        assert sorted(p for h in sheet.headers for p in h.pages) == sorted(sheet.pages)
        for placed in sheet.placements:
            assert inside(sheet, placed.box)
            assert placed.scale == 1.0                         # A5 is half of A4: full size
    left, right = sheets[2].placements
    assert left.box[2] == pytest.approx(A4_H / 2) == right.box[0]
    letter = impose(4, A5, "letter", booklet_fold=True)
    assert all(p.scale < 1 and inside(s, p.box) for s in letter for p in s.placements)


def test_bad_arguments():
    with pytest.raises(ValueError):
        impose(3, A5, "a3")
    with pytest.raises(ValueError):
        impose(3, A5, "a4", nup=3)
    assert impose(0, A5, "a4") == []
