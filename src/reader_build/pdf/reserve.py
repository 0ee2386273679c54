"""Which page references keep a fixed width (``data-digits``, render/xref.py), as a pure
function of a part's layouts.

A part with page references to other parts (``@page:``) is laid out with the numbers
known at the time, then again with better ones.  When two of its layouts from HTML of the
same shape (the same text but for those numbers), on pages of the same side, differ in
their numbers *and* in their pages or anchors, the numbers moved its lines: from then on
each of its references is set in a box as wide as the most figures it had, so that the
next numbers cannot change the layout again.

Which layouts a part gets depends on the order in which the workers finish (what is known
when it is sent).  The choice made here does not: it looks at every pair of the part's
layouts, not at the last two in the order they came in, so the same layouts in any order
give the same widths.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Observation:
    """One layout of a part, as far as the choice is concerned."""
    shape: str              # digest of its HTML without the numbers of its page references
    side: int               # its first page modulo 2
    numbers: tuple          # ((id, number as printed), ...), sorted
    layout: str             # its page count and anchors, as one comparable string

    @classmethod
    def of(cls, shape: str, numbers: dict, result: dict) -> "Observation":
        return cls(shape, result["first_page"] % 2, tuple(sorted(numbers.items())),
                   json.dumps([result["pages"], result["anchors"]], sort_keys=True))


def widths(observations) -> dict[str, int]:
    """id -> figures to keep, from every two *observations* (in any order) whose numbers moved
    the lines; empty when no two did."""
    kept: dict[str, int] = {}
    for a, b in combinations(sorted(set(observations), key=_order), 2):
        if not a.numbers or (a.shape, a.side) != (b.shape, b.side) or a.numbers == b.numbers or a.layout == b.layout:
            continue
        old = dict(a.numbers)
        for ident, number in b.numbers:
            kept[ident] = max(kept.get(ident, 0), len(number), len(old.get(ident, "")))
    return kept


def _order(observation: Observation) -> tuple:
    return observation.shape, observation.side, observation.numbers, observation.layout
