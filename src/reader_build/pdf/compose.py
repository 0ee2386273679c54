"""The PDF editions: compose the book's HTML, lay it out until every note sits on
its call's page, fill the indexes with the pages found, and write the PDF.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from .. import __version__
from ..config import Edition
from ..diagnostics import Diagnostics
from ..render.html import Target, inline_html, ref_id, render_chapter
from ..index.build import build_index
from ..index.collation import index_order
from ..model import Reader
from ..language.locale import chapter_language, locale_of
from ..render.templates import check_css, read_css, render_template, template_environment

INDEX_KINDS = ("person", "place")      # the kinds with a title of their own (index-title-KIND)
WIDE_PAGE_MM = 170


def _mm(length: str) -> float:
    m = re.match(r"^([\d.]+)(mm|cm|in|pt|px)$", length)
    if not m:
        return 148.0
    value, unit = float(m.group(1)), m.group(2)
    return value * {"mm": 1, "cm": 10, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}[unit]


def page_css(reader: Reader, edition: Edition) -> str:
    """The page size, margins, base size and book title of an edition."""
    width, height = edition.page_size
    w, h = _mm(width), _mm(height)
    inner, outer = round(w * 0.135, 1), round(w * 0.165, 1)
    top, bottom = round(h * 0.085, 1), round(h * 0.1, 1)
    title = reader.config.title.replace("\\", "\\\\").replace('"', '\\"')
    if edition.sides == "mirrored":
        margins = (f"@page :left {{ margin: {top}mm {inner}mm {bottom}mm {outer}mm; }}\n"
                   f"@page :right {{ margin: {top}mm {outer}mm {bottom}mm {inner}mm; }}")
    else:
        side = round((inner + outer) / 2, 1)
        margins = f"@page {{ margin: {top}mm {side}mm {bottom}mm {side}mm; }}"
    return (f"@page {{ size: {width} {height}; }}\n{margins}\n"
            f"@page :left {{ @top-center {{ content: \"{title}\"; }} }}\n"
            f"html {{ font-size: {edition.font_size}; }}\n")


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


@dataclass
class PdfResult:
    data: bytes
    pages: int
    anchors: dict
    html: str
    misplaced: list
    passes: int
    layout: object | None = None      # layout.Layout, when this run laid the pages out
    warnings: list = field(default_factory=list)
    page_starts: list | None = None   # pagemap.PageStart per page, when the build computed them
    parts: list | None = None         # parallel build: per part, its name, first page, pages, layouts
    openers: list = field(default_factory=list)    # ids that open their page (layout.page_openers)

    @classmethod
    def from_record(cls, record: dict, data: bytes) -> "PdfResult":
        """An edition as the build cache recorded it, without a layout at hand."""
        return cls(data, record["pages"], record["anchors"], "", [], 0, openers=record.get("openers", []))


BLOCKS = ("title", "toc", "bibliography", "indexes", "colophon")


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


def section_label(reader: Reader):
    chapter_of = {m.id: m.chapter for m in reader.mentions}
    titles = {c.id: c.parsed.short for c in reader.chapters}
    return lambda mention_id: titles.get(chapter_of.get(mention_id, ""), "")


def index_title(locale, kind: str) -> str:
    if kind in INDEX_KINDS:
        return locale.t(f"index-title-{kind}")
    return locale.t("index-title-other", kind=kind.title())


def index_parts(reader: Reader, root: Path, env, page_of, href_of, entry_base: dict) -> list[dict]:
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
        parts.append({"kind": kind, "title": title, "html": html, "note": locale.t("index-note")})
    return parts


def gather(reader: Reader, edition: Edition, root: Path, diags: Diagnostics, build_date: str) -> ComposeContext:
    """Everything of the book except the layout-dependent parts (index pages)."""
    target = Target("pdf")
    lang = reader.config.language
    chapters = []
    toc = []
    for chapter in reader.chapters:
        parsed = chapter.parsed
        if parsed.kind == "front" and not _front_included(edition, parsed.id):
            continue
        body = render_chapter(reader, chapter, target)
        chapter_lang = chapter_language(parsed, lang)
        title_html = inline_html(parsed.title, chapter_lang, locale_of(reader))
        chapters.append({"id": parsed.id, "kind": parsed.kind, "title_html": title_html,
                         "short": parsed.short, "body": body, "lang": "" if chapter_lang == lang else chapter_lang})
        toc.append({"id": parsed.id, "kind": parsed.kind, "level": 1, "title_html": title_html})
        for heading in parsed.headings:
            if heading.level == 2:
                toc.append({"id": heading.id, "kind": parsed.kind, "level": 2,
                            "title_html": inline_html(heading.title, chapter_lang, locale_of(reader))})
    bibliography = []
    if edition.includes("bibliography"):
        bibliography = [{"id": ref_id(key), "html": html}
                        for key, html in reader.bibliography.entries_html(None)]
        if bibliography:
            toc.append({"id": "bibliography", "kind": "back", "level": 1,
                        "title_html": escape(locale_of(reader).t("bibliography"))})
    css_parts = []
    for name in ("print.css", "extra.css"):
        found = read_css(root, name, diags)
        if found:
            path, text = found
            check_css(path, text, diags)
            css_parts.append(text)
    return ComposeContext(reader, edition, root, chapters, toc, bibliography, "\n".join(css_parts), build_date)


def _front_included(edition: Edition, chapter_id: str) -> bool:
    if chapter_id in ("introduction", "chronology"):
        return edition.includes(chapter_id)
    return True


def compose(ctx: ComposeContext, env, indexes: list[dict], fix_css: str = "", part: Part | None = None,
            toc_pages: dict | None = None) -> str:
    """The HTML of the whole book, or (*part*) of one part of it.

    A part has only its own chapters and blocks; its contents list every entry
    of the book, with the page numbers *toc_pages* (id -> page) as ``data-page``.
    """
    toc = list(ctx.toc)
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
        css=ctx.css, fix_css=fix_css, build_date=ctx.build_date, version=__version__,
        source_hash=ctx.reader.source_hash, wide=_mm(ctx.edition.page_size[0]) >= WIDE_PAGE_MM, part=part)
    return number_paragraphs(html)


def number_paragraphs(html: str) -> str:
    """Give every ``<p>`` and ``<li>`` a data-pi attribute, so that a layout fix can address it."""
    counter = iter(range(1, 10_000_000))
    return re.sub(r"<(p|li)(?=[\s>])", lambda m: f'<{m.group(1)} data-pi="{next(counter)}"', html)


def new_fix_rules(document, rules: list[str], misplaced: list) -> list[str]:
    """The rules this layout asks for that *rules* lack: notes kept on their call's page
    (layout.keep_notes_rules, when notes are *misplaced*), no stray line breaks."""
    from .engine import fix_rule, keep_notes_rules, stray_breaks
    new = [r for r in keep_notes_rules(document) if r not in rules] if misplaced else []
    new += [rule for key in stray_breaks(document) if (rule := fix_rule(key, "hyphens", "manual")) not in rules]
    return new


def pdf_options(variant: str | None) -> dict:
    options = {"pdf_variant": variant} if variant else {}
    if variant == "pdf/ua-1":
        options["pdf_tags"] = True
    return options


def build_pdf(reader: Reader, edition: Edition, root: Path, diags: Diagnostics, build_date: str = "",
              fix_rules: list[str] | None = None) -> PdfResult:
    from .engine import MAX_FIX_PASSES, AssetFetcher, anchor_pages, lay_out, misplaced_notes
    env = template_environment(root, locale_of(reader))
    ctx = gather(reader, edition, root, diags, build_date)
    fetcher = AssetFetcher(reader.fonts, reader.images)
    want_index = edition.includes("indexes")
    rules: list[str] = list(fix_rules or [])

    def indexes_for(pages: dict | None) -> list[dict]:
        if not want_index:
            return []
        page_of = (lambda mid: pages.get(mid)) if pages is not None else (lambda mid: None)
        return index_parts(reader, root, env, page_of, lambda mid: f"#{mid}", {})

    indexes = indexes_for(None)
    passes = 0
    layout = None
    html = ""
    index_pages = None          # the mention pages that the indexes in `indexes` show
    while True:
        html = compose(ctx, env, indexes, "\n".join(rules))
        layout = None           # let the previous layout go before the next one (peak memory)
        layout = lay_out(html, fetcher, fix=rules)
        passes += 1
        if layout.rules:        # mended while the pages were made: CSS from now on, and in the HTML
            rules.extend(layout.rules)
            html = compose(ctx, env, indexes, "\n".join(rules))
        misplaced = misplaced_notes(layout.document)
        new = new_fix_rules(layout.document, rules, misplaced) if passes <= MAX_FIX_PASSES else []
        pages = anchor_pages(layout.document)
        mention_pages = {m.id: pages.get(m.id) for m in reader.mentions}
        stale = bool(want_index and reader.mentions and mention_pages != index_pages)
        if stale:               # fill the indexes with the pages found so far
            indexes = indexes_for(pages)
            index_pages = mention_pages
        if new:
            rules.extend(new)
            continue
        if stale and passes <= MAX_FIX_PASSES + 2:
            continue
        break
    for url in fetcher.refused:
        diags.error("fetch-refused", f"the styles ask for {url!r}, which is not a file of the project")
    if misplaced:
        diags.warning("note-misplaced", f"edition '{edition.name}': {len(misplaced)} note(s) could not be kept "
                      "on the page of their call")
    data = layout.document.write_pdf(**pdf_options(edition.pdf_variant))
    from .engine import page_openers
    return PdfResult(data, len(layout.document.pages), anchor_pages(layout.document), html, misplaced,
                     passes, layout, layout.warnings, openers=page_openers(layout.document))
