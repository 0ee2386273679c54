"""Links of the manuscript, resolved for every edition.

``[t](#id)``, ``[t](other-chapter.md#id)`` and ``[t](other-chapter.md)`` point into the
book: they become ``#id`` (the renderers find the document that holds it).  ``http(s)``
and ``mailto`` links are kept, percent-encoded where they hold characters a URL may not
carry raw.  A link to a local file that is not a chapter of the book, to a place outside
the project, to an id no chapter defines, or an invalid URL is an error at its place.
The same holds for ``href`` in raw HTML.

The result is a table (chapter id, href as written) -> href to use ("" = no link).
"""
from __future__ import annotations

import html
import posixpath
import re
from bisect import bisect_right
from urllib.parse import unquote

from ..diagnostics import Diagnostics, did_you_mean
from ..model import ParsedChapter
from .urls import EXTERNAL_SCHEMES, encode_url, scheme_of, url_problem

RAW_HREF = re.compile(r'<a\s[^<>]*?href="([^"]*)"')


class LinkResolver:
    def __init__(self, chapters: list[ParsedChapter], targets: dict, diags: Diagnostics):
        self.by_path = {c.path: c.id for c in chapters}
        self.targets = targets            # id -> anchors.Target
        self.diags = diags
        self.table: dict[tuple[str, str], str] = {}

    def resolve(self, chapter: ParsedChapter, href: str, line: int, col: int | None, raw: bool = False) -> str:
        """*raw*: an href of raw HTML, as the sanitiser wrote it (entities escaped)."""
        key = (chapter.id, href)
        if key not in self.table:
            self.table[key] = self._resolve(chapter, html.unescape(href) if raw else href, line, col)
        return self.table[key]

    def _error(self, code: str, message: str, chapter: ParsedChapter, line: int, col: int | None) -> str:
        self.diags.error(code, message, chapter.path, line, col)
        return ""

    def _resolve(self, chapter: ParsedChapter, href: str, line: int, col: int | None) -> str:
        href = href.strip()
        if not href:
            return ""
        scheme = scheme_of(href)
        if scheme:
            if scheme not in EXTERNAL_SCHEMES:
                self.diags.warning("link-scheme", f"link {href!r}: only http, https and mailto links leave the "
                                   "book; its text is printed without the link", chapter.path, line, col)
                return ""
            url = encode_url(href)
            problem = url_problem(url)
            if problem:
                return self._error("link-invalid-url", f"link {href!r} is not a valid URL: {problem}",
                                   chapter, line, col)
            return url
        if href.startswith("//"):
            return self._error("link-invalid-url", f"link {href!r} names no scheme: write https:{href}",
                               chapter, line, col)
        path, _, fragment = href.partition("#")
        fragment = unquote(fragment)
        if path:
            if path.startswith("/"):
                return self._error("link-local-file", f"link {href!r} points to a file outside the book; link "
                                   "to a chapter file (other.md#id) or to an http(s) URL", chapter, line, col)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(chapter.path), unquote(path)))
            other = self.by_path.get(target)
            if other is None:
                return self._error("link-local-file", f"link {href!r} points to {target}, which is not a chapter "
                                   "of the book; link to a chapter file (other.md#id) or to an http(s) URL",
                                   chapter, line, col)
            if not fragment:
                return f"#{other}"
            return self._to_id(chapter, fragment, href, line, col, other)
        if not fragment:
            return ""
        return self._to_id(chapter, fragment, href, line, col, None)

    def _to_id(self, chapter, fragment: str, href: str, line: int, col, in_chapter: str | None) -> str:
        target = self.targets.get(fragment)
        if target is None:
            return self._error("link-unknown-target", f"link {href!r}: no place of the book has the id "
                               f"'{fragment}'{did_you_mean(fragment, list(self.targets))}", chapter, line, col)
        if in_chapter is not None and target.chapter != in_chapter:
            self.diags.warning("link-other-chapter", f"link {href!r}: '{fragment}' is in {target.path}, not in "
                               "the file named; the link goes there", chapter.path, line, col)
        return f"#{fragment}"


def _place(content: str, href: str, start: int) -> int:
    """Offset of a link's destination in the inline *content* (best effort)."""
    for probe in (href, unquote(href), "](", "<a"):
        found = content.find(probe, start)
        if found >= 0:
            return found
    return max(0, content.find("[", start))


def _places(inline):
    """offset -> (line, col) in an inline token's content."""
    starts = [0] + [m.end() for m in re.finditer("\n", inline.content)]
    first = (inline.map[0] if inline.map else 0) + 1

    def place(offset: int) -> tuple[int, int]:
        index = bisect_right(starts, offset) - 1
        return first + index, offset - starts[index] + 1
    return place


def resolve_links(chapters: list[ParsedChapter], targets: dict, diags: Diagnostics) -> dict:
    """Every link of every chapter (Markdown and raw HTML): (chapter id, href) -> href to use."""
    resolver = LinkResolver(chapters, targets, diags)
    for chapter in chapters:
        groups = [(chapter.tokens, 1)] + [(note.tokens, note.line) for note in chapter.notes]
        for tokens, fallback in groups:
            for tok in tokens:
                line = tok.map[0] + 1 if tok.map else fallback
                if tok.type == "html_block":
                    for href in RAW_HREF.findall(tok.content):
                        resolver.resolve(chapter, href, line, 1, raw=True)
                if tok.type != "inline":
                    continue
                place, at = _places(tok), 0
                for child in tok.children or ():
                    hrefs = [child.attrGet("href") or ""] if child.type == "link_open" else (
                        RAW_HREF.findall(child.content) if child.type == "html_inline" else [])
                    for href in hrefs:
                        at = _place(tok.content, href, at)
                        resolver.resolve(chapter, href, *place(at), raw=child.type == "html_inline")
                        at += 1
    return resolver.table
