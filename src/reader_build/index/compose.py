"""The indexes as the writers show them: one HTML part per kind of entry (names, places).

Both the PDF and the EPUB compose their indexes here, from the mentions of the
resolved reader, the page of each mention (the print pages, for the EPUB) and the
link to each mention in the writer's own documents.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..model import Reader
from ..render.html import inline_plain
from ..render.templates import render_template
from ..language.locale import locale_of
from .build import build_index
from .collation import index_order

INDEX_KINDS = ("person", "place")      # the kinds with a title of their own (index-title-KIND)


def section_label(reader: Reader):
    chapter_of = {m.id: m.chapter for m in reader.mentions}
    locale = locale_of(reader)
    titles = {c.id: inline_plain(c.parsed.short, reader.config.language, locale) for c in reader.chapters}
    return lambda mention_id: titles.get(chapter_of.get(mention_id, ""), "")


def index_title(locale, kind: str) -> str:
    if kind in INDEX_KINDS:
        return locale.t(f"index-title-{kind}")
    return locale.t("index-title-other", kind=kind.title())


def index_parts(reader: Reader, root: Path, env, page_of: Callable, href_of: Callable,
                entry_base: dict) -> list[dict]:
    """One part per kind of index entry that has mentions: its kind, title, HTML and head note,
    in the words and the collation of the reader's language."""
    parts = []
    locale = locale_of(reader)
    for kind in reader.authority.kinds():
        groups = build_index(reader.authority, kind, reader.mentions, page_of, href_of, section_label(reader),
                             order=index_order(locale), note_mark=locale.t("index-note-mark"))
        if not groups:
            continue
        title = index_title(locale, kind)
        html = render_template(root, env, "index.html.j2", groups=groups, kind=kind, kind_title=title,
                               entry_base=entry_base, nested=True)
        figures = any(loc.in_figure for group in groups for line in group.lines
                      for loc in line.locators + tuple(x for sub in line.subs for x in sub.locators))
        note = locale.t("index-note") + (" " + locale.t("index-figure-note") if figures else "")
        parts.append({"kind": kind, "title": title, "html": html, "note": note})
    return parts
