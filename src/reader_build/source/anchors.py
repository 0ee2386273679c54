"""Every place of the book that a link or a cross-reference can point to, and raw HTML
made ready for every edition.

:func:`prepare_raw_html` sanitises and repairs each raw HTML block and tag of a chapter
once (sanitize.py, htmlrepair.py), and renames an ``id`` that is already taken in the
book (``x`` becomes ``x-1``, with a warning): the tokens it gives back hold the cleaned
HTML.  :func:`collect_targets` then lists the ids a chapter defines: its own id, its
headings, spans and blocks with ``{#id}``, figures, and the ids of its raw HTML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..diagnostics import Diagnostics
from ..model import ParsedChapter
from .htmlrepair import describe, repair
from .sanitize import content_dropping_tag, sanitize_html

RAW_ID = re.compile(r'(<[A-Za-z][^<>]*?\sid=")([^"]*)(")')
# ids that reader-build gives to what it makes: never taken by an id in the manuscript
GENERATED = re.compile(r"^(fn-\d+|fnref-\d+|m-.*|ref-.*|fig-.*-\d+|index-.*|toc|title-page|bibliography|colophon)$")


@dataclass(frozen=True)
class Target:
    id: str
    chapter: str        # id of the chapter that holds it
    kind: str           # chapter | heading | span | block | figure | table | html
    path: str
    line: int


def _line(tok, fallback: int) -> int:
    return tok.map[0] + 1 if tok.map else fallback


class _RawHtml:
    """Raw HTML of one chapter after another: cleaned, ids made unique in the book."""

    def __init__(self, taken: set, diags: Diagnostics):
        self.taken = taken
        self.diags = diags

    def renamed_ids(self, html: str, path: str, line: int) -> str:
        def one(m):
            ident = m.group(2)
            if ident not in self.taken and not GENERATED.match(ident):
                self.taken.add(ident)
                return m.group(0)
            n, new = 1, f"{ident}-1"
            while new in self.taken:
                n += 1
                new = f"{ident}-{n}"
            self.taken.add(new)
            self.diags.warning("html-duplicate-id", f"raw HTML id '{ident}' is already used in the book; "
                               f"this one is renamed '{new}'", path, line, 1)
            return m.group(1) + new + m.group(3)
        return RAW_ID.sub(one, html)

    def tokens(self, tokens, path: str, fallback: int) -> tuple:
        out = []
        for tok in tokens:
            line = _line(tok, fallback)
            if tok.type == "html_block":
                clean, repairs = repair(sanitize_html(tok.content)[0])
                if repairs:
                    self.diags.warning("html-repaired", "raw HTML repaired: " + describe(repairs), path, line, 1)
                tok = tok.copy(content=self.renamed_ids(clean, path, line) + "\n")
            elif tok.type == "inline" and any(c.type == "html_inline" for c in tok.children or ()):
                # (a <script> tag stays as written: the renderer drops the text up to its end tag)
                children = [c.copy(content=self.renamed_ids(sanitize_html(c.content, balance=False)[0], path, line))
                            if c.type == "html_inline" and not content_dropping_tag(c.content) else c
                            for c in tok.children]
                tok = tok.copy(children=children)
            out.append(tok)
        return tuple(out)


def _explicit_ids(chapter: ParsedChapter) -> set:
    ids = {chapter.id} | {h.id for h in chapter.headings}
    for tok, _line_no in _walk(chapter):
        if tok.type not in ("html_block", "html_inline") and tok.attrGet("id"):
            ids.add(tok.attrGet("id"))
    return ids


def _walk(chapter: ParsedChapter):
    """(token, line) for every block and inline token of the chapter, its notes included."""
    groups = [(chapter.tokens, 1)] + [(note.tokens, note.line) for note in chapter.notes]
    for tokens, fallback in groups:
        line = fallback
        for tok in tokens:
            line = _line(tok, line)
            yield tok, line
            for child in tok.children or ():
                yield child, line


def prepare_raw_html(chapters: list[ParsedChapter], diags: Diagnostics) -> list[ParsedChapter]:
    """The chapters with their raw HTML cleaned and its duplicate ids renamed."""
    taken: set = set()
    for chapter in chapters:
        taken |= _explicit_ids(chapter)
    raw = _RawHtml(taken, diags)
    out = []
    for chapter in chapters:
        if not any(tok.type in ("html_block", "html_inline") for tok, _line_no in _walk(chapter)):
            out.append(chapter)
            continue
        notes = tuple(replace(note, tokens=raw.tokens(note.tokens, chapter.path, note.line)) for note in chapter.notes)
        out.append(replace(chapter, tokens=raw.tokens(chapter.tokens, chapter.path, 1), notes=notes))
    return out


def figure_images(chapter: ParsedChapter) -> list[tuple[str, str]]:
    """(image src as written, figure id) of the chapter's figures, in reading order: an image alone
    in a paragraph of the body, with its ``{#id}`` or ``fig-CHAPTER-N`` (as render/html.py names it)."""
    found, tokens = [], chapter.tokens
    for n, tok in enumerate(tokens[:-1]):
        inline = tokens[n + 1]
        if tok.type == "paragraph_open" and inline.type == "inline" and inline.children \
                and len(inline.children) == 1 and inline.children[0].type == "image":
            image = inline.children[0]
            found.append((image.attrGet("src") or "", image.attrGet("id") or f"fig-{chapter.id}-{len(found) + 1}"))
    return found


def collect_targets(chapter: ParsedChapter) -> list[Target]:
    """The ids the chapter defines, in reading order (its notes last)."""
    found = [Target(chapter.id, chapter.id, "chapter", chapter.path, 1)]
    found += [Target(h.id, chapter.id, "heading", chapter.path, h.line) for h in chapter.headings]
    headings = {h.id for h in chapter.headings}
    for tok, line in _walk(chapter):
        if tok.type in ("html_block", "html_inline"):
            found += [Target(m.group(2), chapter.id, "html", chapter.path, line) for m in RAW_ID.finditer(tok.content)]
            continue
        ident = tok.attrGet("id")
        if not ident or ident in headings or tok.type == "heading_open":
            continue
        kind = {"image": "figure", "span_open": "span", "table_open": "table"}.get(tok.type, "block")
        found.append(Target(ident, chapter.id, kind, chapter.path, line))
    return found
