"""GitHub's task lists: a list item that opens with ``[ ]`` or ``[x]`` is a task.

pandoc (``task_lists``) and GitHub print a box there, ticked or not, not the brackets.  The
brackets become a ``task_box`` token (``meta["done"]``) before the item's text; the item gets
the class ``task-item`` and its list ``task-list``, so that a stylesheet can drop the bullet.
The inline token's ``content`` is left as written, so that the places of what follows
(citations, index spans) still point into the source.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

TASK = re.compile(r"\[([ xX])\][ \t]+")


def _list_open(tokens: list[Token], item: int) -> int | None:
    """The index of the list that opens the list item at *item*."""
    level = tokens[item].level - 1
    for i in range(item - 1, -1, -1):
        if tokens[i].level == level and tokens[i].type in ("bullet_list_open", "ordered_list_open"):
            return i
    return None


def _add_class(tok: Token, name: str) -> None:
    classes = (tok.attrGet("class") or "").split()
    if name not in classes:
        tok.attrSet("class", " ".join(classes + [name]))


def _task_boxes(state: StateCore) -> None:
    tokens = state.tokens
    for i in range(2, len(tokens)):
        inline = tokens[i]
        if (inline.type != "inline" or tokens[i - 1].type != "paragraph_open"
                or tokens[i - 2].type != "list_item_open" or not inline.children):
            continue
        first = inline.children[0]
        m = TASK.match(first.content) if first.type == "text" else None
        if m is None or len(inline.children) == 1 and not first.content[m.end():].strip():
            continue                      # "[x]" with nothing after it is text, as on GitHub
        first.content = first.content[m.end():]
        box = Token("task_box", "", 0)
        box.meta["done"] = m.group(1) != " "
        inline.children.insert(0, box)
        _add_class(tokens[i - 2], "task-item")
        parent = _list_open(tokens, i - 2)
        if parent is not None:
            _add_class(tokens[parent], "task-list")


def tasklists_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "task_boxes", _task_boxes)
