"""Where each chapter and section of the reader stands in a laid-out edition."""
from __future__ import annotations

from ..model import Reader


def section_pages(reader: Reader, anchors: dict, openers=()) -> dict[str, list[int]]:
    """First and last page of every chapter and ## section: a section ends on the page where the
    next begins, or on the page before when the next heading opens its page (*openers*)."""
    openers = set(openers)
    result = {}
    for chapter in reader.chapters:
        start = anchors.get(chapter.id)
        end = anchors.get(f"end-{chapter.id}", start)
        if start is None:
            continue
        result[chapter.id] = [start, end]
        heads = [h for h in chapter.parsed.headings if h.level == 2]
        for n, heading in enumerate(heads):
            first = anchors.get(heading.id)
            if first is None:
                continue
            following = anchors.get(heads[n + 1].id) if n + 1 < len(heads) else None
            if following is not None and following > first and heads[n + 1].id in openers:
                following -= 1
            last = end if following is None else max(first, following)
            result[heading.id] = [first, last]
    return result
