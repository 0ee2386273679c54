"""Pandoc's grid tables, which CommonMark lacks::

    +---------------+--------+----------------------+
    | Fruit         | Price  | Advantages           |
    +:==============+=======:+======================+
    | Bananas       | $1.34  | - built-in wrapper   |
    |               |        | - bright colour      |
    +---------------+--------+----------------------+

The columns are where the ``+`` of the table's first line are; a line of ``=`` closes the head
(a table without one has no head); colons in that line (or in the first line, without a head)
align the columns as in a pipe table.  A cell may take several lines: they are joined into one
text, and a list or a new paragraph inside it starts a new line (a cell holds text, as a pipe
table's cells do: ``- a`` becomes "• a").  The tokens are those of a pipe table, so everything
after the parse (captions, notes in cells, the PDF's table classes, the e-book) treats both alike.

A grid that is not regular (a cell spanning rows or columns, a line that does not reach the
table's edge) is kept as it was written, in a code block, with a ``grid_table_kept`` token that
the parser reports as a warning: nothing is lost, and the editor is told why.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from .blocklines import block_line

BORDER = re.compile(r"^\+(?:[-=:]+\+)+$")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+")


def _columns(border: str) -> list[int]:
    return [n for n, c in enumerate(border) if c == "+"]


def _aligns(border: str, columns: list[int]) -> list[str]:
    out = []
    for a, b in zip(columns, columns[1:]):
        seg = border[a + 1:b]
        left, right = seg.startswith(":"), seg.endswith(":")
        out.append("center" if left and right else "left" if left else "right" if right else "")
    return out


def _cell_text(lines: list[str]) -> str:
    """A cell's lines as one inline text: a list item or a new paragraph starts a new line."""
    pieces: list[str] = []
    gap = False
    for raw in lines:
        line = raw.strip()
        if not line:
            gap = bool(pieces)
            continue
        item = LIST_ITEM.match(line)
        if item:
            mark = item.group().strip()
            line = ("\u2022" if mark in "-*+" else mark) + "\u00a0" + line[item.end():]
        if pieces and (gap or item):
            pieces.append("\\\n" + line)         # a hard break
        elif pieces:
            pieces.append(" " + line)
        else:
            pieces.append(line)
        gap = False
    return "".join(pieces)


def _parse(lines: list[str]) -> tuple[list[tuple[int, list[str]]], int, list[str]] | None:
    """(rows: the index in *lines* of each row's first line and its cell texts; the number of head
    rows; the columns' aligns), or None when the grid is not regular."""
    columns = _columns(lines[0])
    if _columns(lines[-1]) != columns:
        return None
    rows: list[tuple[int, list[str]]] = []
    head = 0
    aligns = _aligns(lines[0], columns)
    cells: list[list[str]] = [[] for _ in columns[1:]]
    row_start = 1
    for at, line in enumerate(lines[1:], start=1):
        if BORDER.match(line):
            if _columns(line) != columns or not any(cells):
                return None
            rows.append((row_start, [_cell_text(c) for c in cells]))
            cells = [[] for _ in columns[1:]]
            row_start = at + 1
            if "=" in line:
                if head:
                    return None                 # one head only
                head = len(rows)
                aligns = _aligns(line, columns)
            continue
        if len(line) != columns[-1] + 1 or any(line[c] != "|" for c in columns):
            return None                         # a spanning cell, a ragged line
        for n, (a, b) in enumerate(zip(columns, columns[1:])):
            cells[n].append(line[a + 1:b])
    return rows, head, aligns


def _grid_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = block_line(state, start).rstrip()
    if not BORDER.match(first) or "=" in first:
        return False
    lines = [first]
    line = start + 1
    while line < end:
        text = block_line(state, line).rstrip()
        if not text or text[0] not in "+|" or state.sCount[line] < state.sCount[start]:
            break
        lines.append(text)
        line += 1
    if len(lines) < 3 or not BORDER.match(lines[-1]):
        return False
    if silent:
        return True
    parsed = _parse(lines)
    if parsed is None:
        token = state.push("grid_table_kept", "", 0)
        token.map = [start, line]
        token = state.push("code_block", "code", 0)
        token.content = "\n".join(lines) + "\n"
        token.map = [start, line]
        state.line = line
        return True
    rows, head, aligns = parsed
    token = state.push("table_open", "table", 1)
    token.map = [start, line]
    for n, (offset, row) in enumerate(rows):
        at = start + offset
        if n == 0 and head:
            state.push("thead_open", "thead", 1).map = [start, start + 1]
        if n == head:
            state.push("tbody_open", "tbody", 1).map = [at, line]
        kind = "th" if n < head else "td"
        state.push("tr_open", "tr", 1).map = [at, at + 1]
        for text, align in zip(row, aligns):
            token = state.push(f"{kind}_open", kind, 1)
            if align:
                token.attrs = {"style": f"text-align:{align}"}
            token = state.push("inline", "", 0)
            token.content = text
            token.map = [at, at + 1]
            token.children = []
            state.push(f"{kind}_close", kind, -1)
        state.push("tr_close", "tr", -1)
        if n == head - 1:
            state.push("thead_close", "thead", -1)
    if head < len(rows):
        state.push("tbody_close", "tbody", -1)
    state.push("table_close", "table", -1)
    state.line = line
    return True


def grid_tables_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("table", "grid_table", _grid_table)
