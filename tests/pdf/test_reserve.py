"""The fixed width of page references (data-digits) is a pure function of a part's layouts:
the same layouts, come in any order (the order the workers finish), give the same widths."""
from __future__ import annotations

from itertools import permutations

from reader_build.pdf.reserve import Observation, widths


def _seen(shape: str, number: str, pages: int, first_page: int = 3) -> Observation:
    return Observation.of(shape, {"t": number, "u": "7"}, {"first_page": first_page, "pages": pages,
                                                           "anchors": {"t": pages}})


def test_the_same_layouts_in_any_order_give_the_same_widths():
    layouts = [_seen("s", "9", 4), _seen("s2", "12", 4), _seen("s", "41", 5), _seen("s", "9", 4, first_page=5)]
    found = {tuple(sorted(widths(list(order)).items())) for order in permutations(layouts)}
    assert found == {(("t", 2), ("u", 1))}


def test_a_layout_of_another_shape_between_two_does_not_hide_that_the_numbers_moved_lines():
    # in the order s(9), s2(12), s(41) the last two layouts differ in shape: comparing only the
    # last two would keep no width, and the order s(9), s(41), s2(12) would keep one
    assert widths([_seen("s", "9", 4), _seen("s2", "12", 4), _seen("s", "41", 5)]) == {"t": 2, "u": 1}


def test_numbers_that_do_not_move_lines_keep_no_width():
    assert widths([_seen("s", "9", 4), _seen("s", "41", 4)]) == {}           # same pages and anchors
    assert widths([_seen("s", "9", 4), _seen("s", "41", 5, first_page=4)]) == {}   # other side
    assert widths([_seen("s", "9", 4), _seen("s", "9", 4)]) == {}
