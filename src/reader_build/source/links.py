"""Links of the manuscript, resolved for every edition.

``[t](#id)``, ``[t](other-chapter.md#id)`` and ``[t](other-chapter.md)`` point into the
book: they become ``#id`` (the renderers find the document that holds it).  ``http(s)``
and ``mailto`` links are kept, percent-encoded where they hold characters a URL may not
carry raw.  A link to a local image of the project (``[the map](images/map.png)``) goes
to the first figure of the book that shows it (``#fig-…``); when no figure shows it, it
becomes ``image:PATH`` (PATH relative to the project), which each edition renders in its
own way (render/xref.py, :func:`link_href`), and the image is read with the others.  A
link to any other local file that is not a chapter of the book, to a place outside the
project, to an id no chapter defines, or an invalid URL is an error at its place.  The
same holds for ``href`` in raw HTML.

The result is a table (chapter id, href as written) -> href to use ("" = no link), and
the images that links carry into the book (:class:`LinkedImage`).
"""
from __future__ import annotations

import html
import posixpath
import re
from bisect import bisect_right
from dataclasses import dataclass
from urllib.parse import unquote

from ..diagnostics import Diagnostics, did_you_mean
from ..model import ParsedChapter
from .anchors import figure_images
from ..ids import slugify
from .urls import EXTERNAL_SCHEMES, encode_url, scheme_of, url_problem

RAW_HREF = re.compile(r'<a\s[^<>]*?href="([^"]*)"')
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
IMAGE_LINK = "image:"        # the resolved href of a link to an image that no figure shows


@dataclass(frozen=True)
class LinkedImage:
    """An image of the project that a link carries into the book (no figure shows it)."""
    path: str           # relative to the project
    src: str            # as the first link wrote it
    label: str          # the text of the first link to it (its file name when it has none)
    chapter_path: str   # the place of the first link
    line: int
    col: int | None


class LinkResolver:
    def __init__(self, chapters: list[ParsedChapter], targets: dict, diags: Diagnostics):
        self.by_path = {c.path: c.id for c in chapters}
        self.targets = targets            # id -> anchors.Target
        self.diags = diags
        self.table: dict[tuple[str, str], str] = {}
        self.figures: dict[str, str] = {}             # image path -> id of the first figure showing it
        for chapter in chapters:
            for src, ident in figure_images(chapter):
                path = next((i.path for i in chapter.images if i.src == src and i.path), None)
                if path:
                    self.figures.setdefault(path, ident)
        self.images: dict[str, LinkedImage] = {}      # path -> the image, as its first link names it
        # headings by the slug of their title, as written in a single file (GitHub's and pandoc's
        # #what-is-flutter): a made id carries its chapter's id before it
        self.slugs: dict[str, list] = {}
        for target in targets.values():
            if target.kind == "heading" and target.id.startswith(target.chapter + "-"):
                self.slugs.setdefault(target.id[len(target.chapter) + 1:], []).append(target)

    def resolve(self, chapter: ParsedChapter, href: str, line: int, col: int | None, raw: bool = False,
                label: str = "") -> str:
        """*raw*: an href of raw HTML, as the sanitiser wrote it (entities escaped); *label*: the
        link's text."""
        key = (chapter.id, href)
        if key not in self.table:
            self.table[key] = self._resolve(chapter, html.unescape(href) if raw else href, line, col, label)
        return self.table[key]

    def _error(self, code: str, message: str, chapter: ParsedChapter, line: int, col: int | None) -> str:
        self.diags.error(code, message, chapter.path, line, col)
        return ""

    def _resolve(self, chapter: ParsedChapter, href: str, line: int, col: int | None, label: str) -> str:
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
            if other is None and target.lower().endswith(IMAGE_SUFFIXES):
                return self._image(chapter, href, unquote(path), target, (line, col), label)
            if other is None:
                return self._error("link-local-file", f"link {href!r} points to {target}, which is not a chapter "
                                   "of the book; link to a chapter file (other.md#id), an image of the project "
                                   "or an http(s) URL", chapter, line, col)
            if not fragment:
                return f"#{other}"
            return self._to_id(chapter, fragment, href, line, col, other)
        if not fragment:
            return ""
        return self._to_id(chapter, fragment, href, line, col, None)

    def _image(self, chapter, href: str, src: str, target: str, place: tuple, label: str) -> str:
        """A link to an image: to the figure that shows it, else the image carried into the book."""
        line, col = place
        if target == ".." or target.startswith("../"):
            return self._error("link-local-file", f"link {href!r} points to an image outside the project; copy "
                               "it into the project", chapter, line, col)
        if target in self.figures:
            return f"#{self.figures[target]}"
        if target not in self.images:
            label = " ".join(label.split()) or posixpath.basename(target)
            self.images[target] = LinkedImage(target, src, label, chapter.path, line, col)
        return IMAGE_LINK + target

    def _to_id(self, chapter, fragment: str, href: str, line: int, col, in_chapter: str | None) -> str:
        target = self.targets.get(fragment) or self._heading(fragment, in_chapter or chapter.id)
        if target is None:
            titled = self._titled(fragment)
            if titled:
                return self._error("link-unknown-target", f"link {href!r}: headings of {len(titled)} chapters "
                                   "have this title; link to one by its id: "
                                   + ", ".join(f"#{t.id} ({t.path})" for t in titled), chapter, line, col)
            return self._error("link-unknown-target", f"link {href!r}: no place of the book has the id "
                               f"'{fragment}'{did_you_mean(fragment, list(self.targets))}", chapter, line, col)
        if in_chapter is not None and target.chapter != in_chapter:
            self.diags.warning("link-other-chapter", f"link {href!r}: '{fragment}' is in {target.path}, not in "
                               "the file named; the link goes there", chapter.path, line, col)
        return f"#{target.id}"

    def _titled(self, fragment: str) -> list:
        """The headings whose title's slug *fragment* is (as written, or made a slug)."""
        return self.slugs.get(fragment) or self.slugs.get(slugify(fragment)) or []

    def _heading(self, fragment: str, chapter_id: str):
        """The heading that *fragment* names by its title's slug: the one in *chapter_id*, else the
        only one in the book."""
        found = self._titled(fragment)
        here = [t for t in found if t.chapter == chapter_id]
        return here[0] if here else found[0] if len(found) == 1 else None


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


def _link_text(children, at: int) -> str:
    """The text of the link that opens at children[at]."""
    text, depth = [], 0
    for child in children[at:]:
        depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if depth == 0:
            break
        if child.type in ("text", "code_inline"):
            text.append(child.content)
        elif child.type == "image":
            text.append(child.content or "")
    return "".join(text)


def resolve_links(chapters: list[ParsedChapter], targets: dict, diags: Diagnostics) -> tuple[dict, dict]:
    """Every link of every chapter (Markdown and raw HTML): (chapter id, href) -> href to use; and
    the images that links carry into the book: path -> :class:`LinkedImage`."""
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
                for n, child in enumerate(tok.children or ()):
                    hrefs = [child.attrGet("href") or ""] if child.type == "link_open" else (
                        RAW_HREF.findall(child.content) if child.type == "html_inline" else [])
                    for href in hrefs:
                        at = _place(tok.content, href, at)
                        resolver.resolve(chapter, href, *place(at), raw=child.type == "html_inline",
                                         label=_link_text(tok.children, n) if child.type == "link_open" else "")
                        at += 1
    return resolver.table, resolver.images
