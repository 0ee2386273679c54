"""Pandoc's fenced divs: ``::: {#id .class}`` or ``::: name`` … ``:::``.

A fence of three or more colons with attributes (``{…}``) or a name opens a div; a bare
fence closes the innermost one, as in pandoc, so divs nest whatever the fences' lengths.
The div's content is Markdown.  Its tokens are ``div_open`` / ``div_close`` with the
attributes' id and classes (a name is a class), which every target renders as a ``<div>``
(a quarto ``callout-note`` is a div with that class).  A div never closed ends with its
parent (the document, a list item, a quotation).
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from .blocklines import block_line

FENCE = re.compile(r":{3,}")
OPENING = re.compile(r":{3,}\s*(?:\{([^{}]*)\}|([^\s:{}][^\s{}]*))\s*:*\s*$")
CLOSING = re.compile(r":{3,}\s*$")
ATTR = re.compile(r'#([^\s#.]+)|\.([^\s#.]+)|([\w-]+)=(?:"[^"]*"|\S+)')


def div_attrs(braced: str | None, name: str | None) -> list[tuple[str, str]]:
    """(name, value) attributes of an opening fence: its id and classes (a bare name is a class)."""
    if name:
        return [("class", name)]
    ident, classes = "", []
    for m in ATTR.finditer(braced or ""):
        if m.group(1):
            ident = ident or m.group(1)
        elif m.group(2):
            classes.append(m.group(2))
    attrs = [("id", ident)] if ident else []
    return attrs + ([("class", " ".join(classes))] if classes else [])


def _fenced_div(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    opening = OPENING.match(block_line(state, start))
    if not opening:
        return False
    if silent:
        return True
    depth, line, fence = 1, start, None
    while True:
        line += 1
        if line >= end:
            break
        text = block_line(state, line)
        if text and state.sCount[line] < state.blkIndent:
            break                                   # the parent (a list item) ends here
        if state.sCount[line] - state.blkIndent >= 4:
            continue
        code = re.match(r"(`{3,}|~{3,})", text)
        if code and (fence is None or code.group(1)[0] == fence[0] and len(code.group(1)) >= len(fence)):
            fence = None if fence else code.group(1)
            continue
        if fence or not FENCE.match(text):
            continue
        if CLOSING.match(text):
            depth -= 1
            if depth == 0:
                break
        elif OPENING.match(text):
            depth += 1
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "div"
    state.lineMax = line
    token = state.push("div_open", "div", 1)
    token.markup = ":::"
    token.block = True
    token.map = [start, line]
    for name, value in div_attrs(opening.group(1), opening.group(2)):
        token.attrSet(name, value)
    state.md.block.tokenize(state, start + 1, line)
    token = state.push("div_close", "div", -1)
    token.markup = ":::"
    token.block = True
    state.parentType, state.lineMax = old_parent, old_max
    state.line = min(line + 1, end)
    return True


def fenced_divs_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("fence", "fenced_div", _fenced_div, {"alt": ["paragraph", "reference", "list"]})
