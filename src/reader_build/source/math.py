"""TeX math as pandoc reads it; reader-build prints it as its TeX source (``math-as-tex``).

Inline math is mdit-py-plugins' dollarmath (``$x$`` with no space inside the dollars and no
digit after the closing one, so "$5 and $10" stays text).  Display math is this module's
block rule: ``$$ … $$`` on one line or several, and the closing ``$$`` may carry pandoc's
attributes (``$$ {#eq:energy}`` or quarto's ``{#eq-energy}``): the formula gets that id.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.dollarmath import dollarmath_plugin

from .blocklines import block_line

CLOSE = re.compile(r"(.*?)\$\$\s*(?:\{\s*#([^\s{}]+)[^{}]*\})?\s*$", re.S)


def _display_math(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = block_line(state, start)
    if not first.startswith("$$"):
        return False
    parts, line, closed = [], start, CLOSE.match(first[2:])
    if not closed:
        parts.append(first[2:])
        while not closed:
            line += 1
            if line >= end:
                return False                       # never closed: the dollars stay text
            text = block_line(state, line)
            if not text.strip() and state.sCount[line] < state.blkIndent:
                return False
            closed = CLOSE.match(text)
            if not closed:
                parts.append(text)
    if silent:
        return True
    parts.append(closed.group(1))
    token = state.push("math_block", "div", 0)
    token.block = True
    token.content = "\n".join(part.strip() for part in parts).strip()
    token.markup = "$$"
    token.map = [start, line + 1]
    if closed.group(2):
        token.attrSet("id", closed.group(2))
    state.line = line + 1
    return True


def math_plugin(md: MarkdownIt) -> None:
    dollarmath_plugin(md, allow_space=False, allow_digits=False, allow_labels=False)
    md.block.ruler.at("math_block", _display_math, {"alt": ["paragraph", "reference", "list"]})
