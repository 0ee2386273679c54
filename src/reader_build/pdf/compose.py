"""The PDF editions: compose the book's HTML, lay it out until every note sits on
its call's page, fill the indexes with the pages found, and write the PDF.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from .. import __version__
from ..config import Edition, length_mm
from ..diagnostics import Diagnostics
from ..ids import ref_id
from ..render.typography import NO_HYPHENATION, tie_headings, tie_runts
from ..render.html import Target, book_title, inline_html, render_chapter
from ..render.hyphenate import hyphenation_key, hyphenator, keep_words_whole
from ..render.xref import figure_list, fill_page_refs
from ..model import Reader
from ..store.cache import package_hash
from ..render.templates import check_css, pdf_stylesheets, read_css, render_template
from .engine import (figure_rules, fix_rule, keep_notes_rules, ladder_rules, note_cut_rules, short_index_page_rules,
                     stray_breaks)
from .figures import move_figures
from .linebreak import FIRST_FIT
from .notes import FILL_PAGES, add_spares, continued_css, cut_notes, mend_pieces, split_long_notes, strip_spares
from ..language.locale import chapter_language, locale_of
from ..language.typography import keep_ranges
from ..source.citations import crossref_target

WIDE_PAGE_MM = 170
FACES = {"serif": '"Reader Serif"', "sans": '"Reader Sans"'}     # large print: the edition's font



def page_css(reader: Reader, edition: Edition) -> str:
    """The page size, margins, base size and book title of an edition."""
    width, height = edition.page_size
    w, h = length_mm(width), length_mm(height)
    inner, outer = round(w * 0.135, 1), round(w * 0.165, 1)
    top, bottom = round(h * 0.085, 1), round(h * 0.1, 1)
    title = book_title(reader)
    title = title.replace("\\", "\\\\").replace('"', '\\"')
    if edition.sides == "mirrored":
        margins = (f"@page :left {{ margin: {top}mm {inner}mm {bottom}mm {outer}mm; }}\n"
                   f"@page :right {{ margin: {top}mm {outer}mm {bottom}mm {inner}mm; }}")
    else:
        side = round((inner + outer) / 2, 1)
        margins = f"@page {{ margin: {top}mm {side}mm {bottom}mm {side}mm; }}"
    css = (f"@page {{ size: {width} {height}; }}\n{margins}\n"
           f"@page :left {{ @top-center {{ content: \"{title}\"; }} }}\n"
           f"html {{ font-size: {edition.font_size}; }}\n")
    if edition.medium == "large-print":     # large-print.css sets the title on the left and the face
        css += f":root {{ string-set: book-title \"{title}\"; --reader-face: {FACES[edition.font]}; }}\n"
    if not reader.config.hyphenate:
        css += NO_HYPHENATION + "\n"
    return css


@dataclass
class ComposeContext:
    reader: Reader
    edition: Edition
    root: Path
    chapters: list
    toc: list
    bibliography: list
    css: str
    build_date: str
    figures: list = field(default_factory=list)     # the list of figures: id, title_html (render/xref.py)


@dataclass
class PdfResult:
    data: bytes
    pages: int
    anchors: dict
    html: str
    misplaced: list
    passes: int
    warnings: list = field(default_factory=list)
    page_starts: list | None = None   # pagemap.PageStart per page, when the build computed them
    parts: list | None = None         # parallel build: per part, its name, first page, pages, layouts
    openers: list = field(default_factory=list)    # ids that open their page (layout.page_openers)

    @classmethod
    def from_record(cls, record: dict, data: bytes) -> "PdfResult":
        """An edition as the build cache recorded it, without a layout at hand."""
        return cls(data, record["pages"], record["anchors"], "", [], 0, openers=record.get("openers", []))


BLOCKS = ("title", "imprint", "toc", "figures", "bibliography", "indexes", "colophon")
TYPEFACES = {"serif": "Linux Libertine", "sans": "Atkinson Hyperlegible"}    # the packaged faces, by name


@dataclass(frozen=True)
class Part:
    """A piece of the book that is laid out as a document of its own (see parallel.py):
    the chapters *chapters* (ids) and the blocks *blocks* (of :data:`BLOCKS`)."""
    name: str
    chapters: tuple[str, ...] = ()
    blocks: frozenset = frozenset()
    kinds: tuple[str, ...] = ()      # with the "indexes" block: only these indexes (none named: all)


class _PartEdition:
    """The edition as a part's template sees it: the blocks of other parts are left out."""

    def __init__(self, edition: Edition, part: Part):
        self._edition = edition
        self._part = part

    def includes(self, name: str) -> bool:
        if name in BLOCKS and name not in self._part.blocks:
            return False
        return self._edition.includes(name)

    def __getattr__(self, name):
        return getattr(self._edition, name)


def gather(reader: Reader, edition: Edition, root: Path, diags: Diagnostics, build_date: str,
           memo=None) -> ComposeContext:
    """Everything of the book except the layout-dependent parts (index pages).  *memo* (with
    ``record(key)`` and ``keep(key, record)``: store.parts.PartCache) keeps each chapter's body as
    the typography made it from its HTML: a rebuild does that again only for chapters that changed."""
    target = Target("pdf", link_urls=edition.prints_link_urls)
    lang = reader.config.language
    large = edition.medium == "large-print"
    hyphenate = hyphenator(reader, large)
    settings = _hash_of("body", package_hash(), hyphenation_key(reader, large), repr(edition))
    chapters = []
    toc = []
    for chapter in reader.chapters:
        parsed = chapter.parsed
        if parsed.kind == "front" and not _front_included(edition, parsed.id):
            continue
        chapter_lang = chapter_language(parsed, lang)
        html = render_chapter(reader, chapter, target).body
        key = "body-" + _hash_of(settings, chapter_lang, html)
        kept = memo.record(key) if memo is not None else None
        if kept is not None and isinstance(kept.get("body"), str):
            body = kept["body"]
        else:
            body = split_long_notes(hyphenate(tie_runts(tie_headings(html)), chapter_lang), edition)
            if edition.fill_pages:        # a note is cut while the pages are made: see pdf/cuts.py
                body = add_spares(body)
            if memo is not None:
                memo.keep(key, {"body": body})
        title_html = inline_html(parsed.title, chapter_lang, locale_of(reader))
        chapters.append({"id": parsed.id, "kind": parsed.kind, "title_html": title_html,
                         "short": parsed.short, "body": body, "lang": "" if chapter_lang == lang else chapter_lang})
        toc.append({"id": parsed.id, "kind": parsed.kind, "level": 1, "title_html": title_html})
        for heading in parsed.headings:
            if heading.level == 2:
                toc.append({"id": heading.id, "kind": parsed.kind, "level": 2,
                            "title_html": inline_html(heading.title, chapter_lang, locale_of(reader))})
    _check_page_refs(reader, edition, {c["id"] for c in chapters}, diags)
    bibliography = []
    if edition.includes("bibliography"):
        bibliography = [{"id": ref_id(key), "html": keep_ranges(html)}
                        for key, html in reader.bibliography.entries_html(None)]
        if bibliography:
            toc.append({"id": "bibliography", "kind": "back", "level": 1,
                        "title_html": escape(locale_of(reader).t("bibliography"))})
    css_parts = []
    for name in pdf_stylesheets(edition.medium):
        found = read_css(root, name, diags, reader.tree)
        if found:
            path, text = found
            check_css(path, text, diags)
            css_parts.append(text)
    css_parts.append(continued_css(locale_of(reader).t("note-continued")))
    if edition.fill_pages:                # (in the HTML: in the parts' cache keys, read by the layout)
        css_parts.append(FILL_PAGES)
    if edition.line_breaking == "first-fit":      # (lines filled one at a time: an address breaks
        css_parts.append(FIRST_FIT + "\np .url, .fn .url { overflow-wrap: normal; }")   # where it allows)
    figures = figure_list(reader, {c["id"] for c in chapters}) if edition.includes("figures") else []
    return ComposeContext(reader, edition, root, chapters, toc, bibliography, "\n".join(css_parts), build_date,
                          figures)


def _hash_of(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def _check_page_refs(reader: Reader, edition: Edition, included: set, diags: Diagnostics) -> None:
    """A page reference (@page:) to a place in a chapter that the edition leaves out prints "?"."""
    xref = reader.xref
    for chapter in reader.chapters if xref is not None and edition.name else ():
        if chapter.id not in included:
            continue
        for use in chapter.parsed.crossrefs:
            for item in use.citation.items:
                kind, ident, _capital = crossref_target(item.key) or ("", "", False)
                where = xref.chapter_of(ident) if kind == "page" else None
                if where is not None and where not in included:
                    diags.warning("xref-page-missing", f"edition '{edition.name}' leaves out '{where}', where "
                                  f"@page:{ident} points: it prints 'p. ?'", chapter.parsed.path, use.line, use.col)


def _front_included(edition: Edition, chapter_id: str) -> bool:
    if chapter_id in ("introduction", "chronology"):
        return edition.includes(chapter_id)
    return True


def typeface(edition: Edition) -> str:
    """The name of the text face an edition is set in (imprint and colophon)."""
    return TYPEFACES["sans" if edition.medium == "large-print" and edition.font == "sans" else "serif"]


def compose(ctx: ComposeContext, env, indexes: list[dict], fix_css: str = "", part: Part | None = None,
            toc_pages: dict | None = None, page_of=None, reserve=None) -> str:
    """The HTML of the whole book, or (*part*) of one part of it.

    A part has only its own chapters and blocks; its contents list every entry
    of the book, with the page numbers *toc_pages* (id -> page) as ``data-page``.
    The page references (``@page:``) get their numbers from *page_of* (id -> page);
    *reserve*: see :func:`render.xref.fill_page_refs`.
    """
    toc = list(ctx.toc)
    indexes = [dict(index, html=keep_ranges(index["html"])) if "html" in index else index for index in indexes]
    for index in indexes:
        toc.append({"id": f"index-{index['kind']}", "kind": "back", "level": 1, "title_html": escape(index["title"])})
    edition, chapters, bibliography = ctx.edition, ctx.chapters, ctx.bibliography
    if part is not None:
        edition = _PartEdition(ctx.edition, part)
        chapters = [c for c in ctx.chapters if c["id"] in part.chapters]
        if "bibliography" not in part.blocks:
            bibliography = []
        if "indexes" not in part.blocks:
            indexes = []
        elif part.kinds:
            indexes = [index for index in indexes if index["kind"] in part.kinds]
        if toc_pages is not None:
            toc = [dict(item, page=toc_pages[item["id"]]) if item["id"] in toc_pages else item for item in toc]
    html = render_template(
        ctx.root, env, "book.html.j2",
        reader=ctx.reader.config, edition=edition, chapters=chapters, toc=toc,
        bibliography=bibliography, indexes=indexes, page_css=page_css(ctx.reader, ctx.edition),
        figures=[dict(f, page=toc_pages[f["id"]]) if toc_pages and f["id"] in toc_pages else f for f in ctx.figures],
        figures_title=ctx.reader.xref.words["list-of-figures"] if ctx.reader.xref else "Figures",
        css=ctx.css, fix_css=fix_css, build_date=ctx.build_date, version=__version__,
        source_hash=ctx.reader.source_hash, typeface=typeface(ctx.edition), wide=length_mm(ctx.edition.page_size[0]) >= WIDE_PAGE_MM, part=part)
    if page_of is not None:
        html = fill_page_refs(html, page_of, reserve)
    return number_paragraphs(html)


def number_paragraphs(html: str) -> str:
    """Give every ``<p>`` and ``<li>`` a ``data-pi`` attribute, so that a layout fix can address it;
    and each letter heading of an index (``.index-letter``), which an index's short last page
    may take over with its first entry (engine.entry_to_carry).

    The key is the id of the nearest ``<section>`` or ``<nav>`` opened before it, and the
    paragraph's rank after that: a paragraph has the same key in the HTML of its part and
    in the HTML of the whole book (``--emit-html``), so fix rules found in one hold in the other.
    """
    counts: dict[str, int] = {}
    section = ""

    def number(m: re.Match) -> str:
        nonlocal section
        tag = m.group(1) or m.group(2)
        if tag in ("section", "nav"):
            found = re.search(r'\sid="([^"]*)"', m.group(0))
            section = found.group(1) if found else section
            return m.group(0)
        counts[section] = counts.get(section, 0) + 1
        return f'<{tag} data-pi="{section}.{counts[section]}"'
    return re.sub(r"<(section|nav)\b[^>]*>|<(p|li|h[2-6](?= class=\"index-letter\"))(?=[\s>])", number, html)


def new_fix_rules(document, rules: list[str], misplaced: list, cuts: bool = True) -> list[str]:
    """The rules this layout asks for that *rules* lack: notes kept on their call's page
    (layout.keep_notes_rules, when notes are *misplaced*), no stray line breaks, no index page of
    fewer than five lines (layout.short_index_page_rules), no hyphen ladder (layout.ladder_rules:
    a word kept whole, in the HTML: see :func:`render.hyphenate.keep_words_whole`), no hole above
    the notes (engine.note_cut_rules, with *cuts*: a note cut in two, in the HTML: see
    :func:`notes.cut_notes`)."""
    new = [r for r in keep_notes_rules(document) if r not in rules] if misplaced else []
    new += [rule for key in stray_breaks(document) if (rule := fix_rule(key, "hyphens", "manual")) not in rules]
    new += [rule for rule in short_index_page_rules(document) if rule not in rules and rule not in new]
    new += [rule for rule in ladder_rules(document) if rule not in rules and rule not in new]
    if cuts:
        new += [rule for rule in note_cut_rules(document) if rule not in rules and rule not in new]
        new += [rule for rule in figure_rules(document) if rule not in rules and rule not in new]
    return new


def html_with_rules(html: str, rules: list[str]) -> str:
    """*html* as the fix rules that act on the HTML want it: the words a ladder rule keeps whole
    (render.hyphenate.keep_words_whole).  The notes a cut rule cuts are cut by the layout, in
    its box tree (pdf/cuts.py)."""
    return move_figures(keep_words_whole(html, rules), rules)


def written_html(html: str, rules: list[str]) -> str:
    """*html* as ``--emit-html`` writes it: as :func:`html_with_rules` gives it, with the notes a
    cut rule cuts cut in the HTML (notes.cut_notes) instead of by the layout, and the pieces of
    long notes ended as the layout ended them (notes.mend_pieces)."""
    return mend_pieces(cut_notes(strip_spares(html_with_rules(html, rules)), rules), rules)


def pdf_options(variant: str | None) -> dict:
    options = {"pdf_variant": variant} if variant else {}
    if variant == "pdf/ua-1":
        options["pdf_tags"] = True
    return options
