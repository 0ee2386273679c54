"""The text of one source line as markdown-it's block rules see it: shared by the block rules of
pandoc's Markdown (fenced divs, display math, line blocks and raw TeX)."""

from __future__ import annotations

from markdown_it.rules_block import StateBlock


def block_line(state: StateBlock, line: int) -> str:
    """Line `line` of the block being parsed, without its indent (the block's own offset)."""
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
