"""The indexes as the writers show them: one HTML part per kind of entry (names, places).

Both the PDF and the EPUB compose their indexes here, from the mentions of the
resolved reader, the page of each mention (the print pages, for the EPUB) and the
link to each mention in the writer's own documents.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..model import Reader
from ..render.templates import render_template
from .build import build_index

INDEX_TITLES = {"person": "Index of Names", "place": "Index of Places"}
INDEX_NOTE = "Numbers refer to pages; “n” marks a page where the name occurs only in a note."
INDEX_FIGURE_NOTE = " Numbers in italics refer to figures."


def section_label(reader: Reader):
    chapter_of = {m.id: m.chapter for m in reader.mentions}
    titles = {c.id: c.parsed.short for c in reader.chapters}
    return lambda mention_id: titles.get(chapter_of.get(mention_id, ""), "")


def index_parts(reader: Reader, root: Path, env, page_of: Callable, href_of: Callable,
                entry_base: dict) -> list[dict]:
    """One part per kind of index entry that has mentions: its kind, title, HTML and head note."""
    parts = []
    for kind in reader.authority.kinds():
        groups = build_index(reader.authority, kind, reader.mentions, page_of, href_of, section_label(reader))
        if not groups:
            continue
        title = INDEX_TITLES.get(kind, f"Index of {kind.title()}s")
        html = render_template(root, env, "index.html.j2", groups=groups, kind=kind, kind_title=title,
                               entry_base=entry_base, nested=True)
        figures = any(loc.in_figure for group in groups for line in group.lines
                      for loc in line.locators + tuple(x for sub in line.subs for x in sub.locators))
        parts.append({"kind": kind, "title": title, "html": html,
                      "note": INDEX_NOTE + (INDEX_FIGURE_NOTE if figures else "")})
    return parts
