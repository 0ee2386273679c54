"""Figures moved past a paragraph so that a page is full (``fill-pages``).

WeasyPrint keeps a figure whole (print.css: ``break-inside: avoid``): a figure that does not fit
in what is left of a page goes on to the next one, and the page's text stops where the figure
would have begun, lines short of the notes or of the page's foot.  A book set by hand, or by
LaTeX, lets the figure float instead: the text that follows it fills the page, and the figure
heads the next.

In an edition with ``fill-pages = true``, when a page's text stops more than
engine.HOLE_LINES lines short because the next page opens with a figure too tall for the
room left, the figure is moved after the paragraph that follows it.  The layout does it while
it makes the pages, in its box tree (engine._PageFixer._float_figure), and goes on past the
next paragraph when the figure still does not fit; each move is a :func:`figure_rule`, which
:func:`move_figures` makes in the HTML of a later layout and of ``--emit-html``.  What the
layout misses, engine.figure_rules finds on the finished layout (the figure then goes past as
many paragraphs as the hole needs lines).  A figure floats past paragraphs only: never past a
heading, a list or a quotation, and never out of its section.  Cross-references and the list of figures give the page where
the figure stands.  The EPUB and the web edition keep every figure where the manuscript has it.
"""
from __future__ import annotations

import re
from html import escape

FIGURE_RULE = re.compile(r'/\* figure (\S+) after \[data-pi="([^"\s]+)"\] \*/')


def figure_rule(figure_id: str, key: str) -> str | None:
    """The rule that moves the figure *figure_id* after the paragraph numbered *key* (one of
    the paragraphs that follow it, with nothing else between them); None when the id cannot be
    written in a CSS comment."""
    if not re.fullmatch(r"[^\s*]+", figure_id or "") or not re.fullmatch(r'[^\s"*]+', key or ""):
        return None
    return f'/* figure {figure_id} after [data-pi="{key}"] */'


def move_figures(html: str, rules) -> str:
    """*html* with each figure that a rule among *rules* names moved after its paragraph, in the
    order of the rules (a figure moved twice goes past two paragraphs).  A rule whose figure is
    not followed by that paragraph changes nothing."""
    for rule in rules:
        found = FIGURE_RULE.fullmatch(rule.strip())
        if found:
            html = _moved(html, found.group(1), found.group(2))
    return html


def _moved(html: str, figure_id: str, key: str) -> str:
    start = re.search(r'<figure\b[^>]*\sid="' + re.escape(escape(figure_id, quote=True)) + r'"[^>]*>', html)
    if start is None:
        return html
    end = html.find("</figure>", start.end())
    if end < 0:
        return html
    end += len("</figure>")
    close = end
    while True:                 # past the paragraphs that follow it, up to the one named
        paragraph = PARAGRAPH.match(html, close)
        close = html.find("</p>", paragraph.end()) if paragraph else -1
        if close < 0:
            return html
        close += len("</p>")
        if paragraph.group(1) == key:
            return html[:start.start()] + html[end:close].lstrip() + "\n" + html[start.start():end] + html[close:]


PARAGRAPH = re.compile(r'\s*<p\b[^>]*\sdata-pi="([^"]*)"[^>]*>')


KEEP_RULE = re.compile(r'\[data-pi="([^"]+)"\] \{ (?:break-before|widows): ')     # engine.fix_rule's, for a note


def unsettled(html: str, rules: list[str], new: list[str]) -> list[str]:
    """*rules* without those that keep a note on its call's page (``break-before``, ``widows``:
    engine.keep_notes_rules) for a paragraph that comes after a figure that a rule among *new*
    moves: they were made for pages that the move changes, and left a hole where the next
    layout would need none (it makes them again where they are still wanted)."""
    starts = [html.find(f' id="{escape(found.group(1), quote=True)}"') for rule in new
              if (found := FIGURE_RULE.fullmatch(rule.strip()))]
    starts = [start for start in starts if start >= 0]
    if not starts:
        return rules
    first = min(starts)

    def made_after(rule: str) -> bool:
        found = KEEP_RULE.match(rule)
        return bool(found) and html.find(f'data-pi="{found.group(1)}"') > first
    return [rule for rule in rules if not made_after(rule)]
