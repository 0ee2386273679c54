"""The EPUB 3 edition (ebooklib): one XHTML document per chapter, pop-up notes,
linked citations, the bibliography and the indexes as documents of their own,
navigation with landmarks (and a page-list when a print edition gives pages),
byte-identical from run to run.
"""
from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from ebooklib import epub

from .. import __version__
from . import a11y
from ..ids import index_id, note_id, noteref_id, ref_id
from ..render.html import Target, book_title, inline_html, inline_plain, render_chapter
from ..model import PageStart, Reader
from ..render.pagebreaks import insert_page_breaks, plan_page_breaks
from .writer import Writer
from ..index.compose import INDEX_KINDS, index_parts
from ..render.typography import NO_HYPHENATION
from ..render.xref import figure_list
from ..render.cjkfallback import FALLBACK, fallback_font
from ..source.anchors import figure_images
from ..language.locale import chapter_language, locale_of
from ..language.typography import keep_ranges
from ..render.templates import read_css, render_template, template_environment

FONT_MEDIA = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}
IMAGE_MEDIA = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}


def image_files(paths) -> dict[str, str]:
    """path in the project -> file name in the e-book: letters, digits, '.', '_', '-' and '/'
    only (EPUBCheck warns of spaces and other characters in a container's file names, PKG-010)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for path in sorted(paths):
        name = re.sub(r"[^A-Za-z0-9._/-]", "_", path)
        stem, dot, suffix = name.rpartition(".") if "." in name.rsplit("/", 1)[-1] else (name, "", "")
        n = 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}{dot}{suffix}"
        taken.add(name)
        names[path] = name
    return names


@dataclass
class EpubResult:
    data: bytes
    files: dict            # id -> document file name


def _modified(build_date: str) -> datetime:
    if build_date:
        try:
            value = datetime.fromisoformat(build_date.replace("Z", "+00:00"))
            return value.astimezone(timezone.utc) if value.tzinfo else value
        except ValueError:
            pass
    return datetime(2000, 1, 1, tzinfo=timezone.utc)


def _identifier(reader: Reader) -> str:
    if reader.config.identifier:
        return reader.config.identifier
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "reader-build:" + reader.config.title))


def _page_source(reader: Reader, build_date: str) -> str:
    """pageBreakSource: the print edition, named as its colophon names it."""
    config = reader.config
    edition = config.print_edition
    locale = locale_of(reader)
    parts = [book_title(reader, subtitle=True), locale.t("page-source-edition", edition=edition.name if edition else "print")]
    if build_date:
        parts.append(build_date[:10])
    parts.append(locale.t("page-source-sources", sources=reader.source_hash[:12]))
    return ", ".join(parts)


def _document(book, file_name: str, title: str, body: str, lang: str, css) -> epub.EpubHtml:
    item = epub.EpubHtml(uid="doc-" + re.sub(r"[^A-Za-z0-9_-]", "-", file_name.rsplit(".", 1)[0]),
                         file_name=file_name, title=title, lang=lang)
    item.content = f"<html><head><title>{escape(title)}</title></head><body>{body}</body></html>"
    item.add_item(css)
    book.add_item(item)
    return item


class _DocumentMap:
    """Which document of the e-book holds which id."""

    BIBLIOGRAPHY = "bibliography.xhtml"

    def __init__(self, reader: Reader):
        self.ids: dict[str, str] = {}
        self.chapters: dict[str, str] = {}
        for n, chapter in enumerate(reader.chapters, start=1):
            name = f"{n:02d}-{chapter.id}.xhtml"
            self.chapters[chapter.id] = name
            self.ids[chapter.id] = name
            self.ids.update({heading.id: name for heading in chapter.parsed.headings})
            self.ids.update({mention.id: name for mention in chapter.parsed.mentions})
            for number in chapter.all_note_numbers:
                self.ids[note_id(number)] = self.ids[noteref_id(number)] = name
        if reader.xref is not None:       # every id a link or cross-reference may point to
            for ident, target in reader.xref.targets.items():
                self.ids.setdefault(ident, self.chapters[target.chapter])
        for chapter in reader.chapters:                  # figures without a label: links to images
            for _src, ident in figure_images(chapter.parsed):
                self.ids.setdefault(ident, self.chapters[chapter.id])
        for kind in INDEX_KINDS:
            self.ids[index_id(kind)] = f"{index_id(kind)}.xhtml"
        # an image that a link shows and no figure does: a page of its own, outside the reading order
        # (EPUB allows no hyperlink to an image itself, RSC-011)
        linked = sorted(reader.xref.images) if reader.xref is not None else []
        self.image_pages = {path: f"image-{n}.xhtml" for n, path in enumerate(linked, start=1)}
        self.image_files = image_files(reader.images)

    def file_of(self, ident: str) -> str:
        if ident.startswith("ref-"):
            return self.BIBLIOGRAPHY
        return self.ids.get(ident, "")

    def target(self, chapter_id: str, print_pages: dict | None) -> Target:
        """How the chapter *chapter_id* links: to its own ids in place, to others in their documents;
        page references (@page:) are labelled with the print page."""
        here = self.chapters[chapter_id]
        return Target("epub", file_of=lambda ident: "" if self.ids.get(ident) == here else self.file_of(ident),
                      bib_file=self.BIBLIOGRAPHY, image_base="",
                      page_label=print_pages.get if print_pages else None, image_href=self.image_pages.get,
                      image_file=self.image_files.get)


@dataclass
class _Making:
    """The e-book being made: ebooklib's book, its stylesheet, its documents in reading order."""
    book: epub.EpubBook
    root: Path
    env: object
    lang: str
    locale: object
    css: epub.EpubItem | None = None
    spine: list = field(default_factory=list)
    toc: list = field(default_factory=list)

    def render(self, template: str, **context) -> str:
        return render_template(self.root, self.env, template, **context)

    def add(self, file_name: str, title: str, body: str, lang: str | None = None,
            linear: bool = True) -> epub.EpubHtml:
        doc = _document(self.book, file_name, title, body, lang or self.lang, self.css)
        doc.is_linear = linear
        self.spine.append(doc)
        return doc

    def landmark(self, kind: str, doc: epub.EpubHtml, title: str) -> None:
        if not any(g.get("type") == kind for g in self.book.guide):
            self.book.guide.append({"type": kind, "href": doc.file_name, "title": title})


def build_epub(reader: Reader, edition, root: Path, diags, build_date: str = "",
               print_pages: dict | None = None, page_starts: list[PageStart] | None = None) -> EpubResult:
    """Build the EPUB; *print_pages* (id -> page) labels index locators with print pages,
    *page_starts* (of the print edition, :func:`reader_build.pdf.pagemap.page_starts`) give the
    page-break markers and the page-list."""
    locale = locale_of(reader)
    making = _Making(_new_book(reader, build_date), root, template_environment(root, locale, reader.tree), reader.config.language,
                     locale)
    making.css = _add_assets(making.book, reader, root, diags)
    documents = _DocumentMap(reader)
    title_doc = making.add("00-title.xhtml", book_title(reader),
                           making.render("epub-title.xhtml.j2", reader=reader.config, version=__version__))
    making.landmark("title-page", title_doc, locale.t("title-page"))
    _add_figure_list(making, reader, edition, documents)
    _add_chapters(making, reader, documents, print_pages)
    if edition.includes("bibliography"):
        _add_bibliography(making, reader)
    if edition.includes("indexes"):
        _add_indexes(making, reader, documents, print_pages)
    _add_image_pages(making, reader, documents)
    _add_fallback_font(making, reader)
    page_entries = _add_page_breaks(making, page_starts, title_doc) if page_starts else []
    has_index = any(d.file_name.startswith("index-") for d in making.spine)
    for namespace, name, value, others in a11y.metadata(
            reader, has_index=has_index, print_pages=bool(page_entries),
            page_source=_page_source(reader, build_date) if page_entries else ""):
        making.book.add_metadata(namespace, name, value, others)
    return EpubResult(_write(making, title_doc, build_date, page_entries), documents.ids)


def _new_book(reader: Reader, build_date: str) -> epub.EpubBook:
    """An ebooklib book with the reader's metadata."""
    config = reader.config
    book = epub.EpubBook()
    book.set_identifier(_identifier(reader))
    locale = locale_of(reader)
    book.set_title(book_title(reader))
    book.set_language(config.language)
    if config.author:
        # MARC relator "att": an attributed name (EPUB 3 creator role)
        book.add_author(config.author, role="att" if config.authorship == "attributed" else None)
    for name, value in (("contributor", config.editor), ("publisher", config.publisher), ("rights", config.rights),
                        ("description", inline_plain(config.subtitle, config.language, locale) if config.subtitle else ""),
                        ("date", build_date[:10])):
        if value:
            book.add_metadata("DC", name, value)
    return book


def _add_assets(book: epub.EpubBook, reader: Reader, root: Path, diags) -> epub.EpubItem:
    """The stylesheet, the fonts it uses and the images; the stylesheet's item."""
    css_text = "\n".join(text for name in ("epub.css", "extra-epub.css")
                         for found in [read_css(root, name, diags, reader.tree)] if found for text in [found[1]])
    if not reader.config.hyphenate:
        css_text += "\n" + NO_HYPHENATION + "\n"
    css = epub.EpubItem(uid="style", file_name="style/epub.css", media_type="text/css", content=css_text)
    book.add_item(css)
    for name, data in sorted(reader.fonts.items()):
        suffix = name[name.rfind("."):].lower()
        if f"fonts/{name}" in css_text:
            book.add_item(epub.EpubItem(uid=f"font-{re.sub(r'[^A-Za-z0-9]', '-', name)}", file_name=f"fonts/{name}",
                                        media_type=FONT_MEDIA.get(suffix, "font/otf"), content=data))
    names = image_files(reader.images)
    for path, data in sorted(reader.images.items()):
        suffix = path[path.rfind("."):].lower()
        book.add_item(epub.EpubItem(uid="img-" + re.sub(r"[^A-Za-z0-9]", "-", names[path]), file_name=names[path],
                                    media_type=IMAGE_MEDIA.get(suffix, "application/octet-stream"), content=data))
    return css


def _add_fallback_font(making: _Making, reader: Reader) -> None:
    """The packaged CJK fallback, cut to the characters of the book that no font of the
    stylesheet covers (epub/fallback.py); nothing when there are none."""
    found = fallback_font(making.css.content, reader.fonts, [d.content for d in making.spine], f"../fonts/{FALLBACK}")
    if found is not None:
        rules, data = found
        making.css.content += "\n" + rules
        making.book.add_item(epub.EpubItem(uid="font-cjk-fallback", file_name=f"fonts/{FALLBACK}",
                                           media_type="font/otf", content=data))


def _add_figure_list(making: _Making, reader: Reader, edition, documents: _DocumentMap) -> None:
    """The list of figures, when the edition includes it."""
    figures = figure_list(reader, {c.id for c in reader.chapters}) if edition.includes("figures") else []
    if not figures:
        return
    title = reader.xref.words["list-of-figures"]
    items = "".join(f'<li><a href="{escape(documents.file_of(f["id"]) + "#" + f["id"], quote=True)}">'
                    f'{f["title_html"]}</a></li>' for f in figures)
    body = (f'<nav class="list-of-figures" role="doc-toc" aria-labelledby="lof-title"><h1 id="lof-title">'
            f'{escape(title)}</h1><ol>{items}</ol></nav>')
    making.add("00-figures.xhtml", title, body)
    making.toc.append(epub.Link("00-figures.xhtml", title, "list-of-figures"))


def _add_chapters(making: _Making, reader: Reader, documents: _DocumentMap, print_pages: dict | None) -> None:
    first_body = None
    for chapter in reader.chapters:
        rendered = render_chapter(reader, chapter, documents.target(chapter.id, print_pages))
        chapter_lang = chapter_language(chapter.parsed, making.lang)
        html = making.render("epub-chapter.xhtml.j2", chapter=chapter.parsed,
                             title_html=inline_html(chapter.parsed.title, chapter_lang, making.locale),
                             body=rendered.body, notes=rendered.notes)
        title = inline_plain(chapter.parsed.title, chapter_lang, making.locale)     # (front matter: Markdown)
        doc = making.add(documents.chapters[chapter.id], title,
                         a11y.language_spans(html, chapter_lang), lang=chapter_lang)
        sections = [epub.Link(f"{doc.file_name}#{h.id}", h.title, h.id)
                    for h in chapter.parsed.headings if h.level == 2]
        link = epub.Link(doc.file_name, title, chapter.id)
        making.toc.append((epub.Section(title, doc.file_name), sections) if sections else link)
        if chapter.parsed.kind == "chapter" and first_body is None:
            first_body = doc
    if first_body is not None:
        making.landmark("text", first_body, making.locale.t("start-of-text"))


def _add_bibliography(making: _Making, reader: Reader) -> None:
    entries = reader.bibliography.entries_html(None)
    if not entries:
        return
    body = making.render("epub-bibliography.xhtml.j2", entries=[{"id": ref_id(k), "html": keep_ranges(h)} for k, h in entries])
    title = making.locale.t("bibliography")
    doc = making.add(_DocumentMap.BIBLIOGRAPHY, title, a11y.language_spans(body, making.lang))
    making.toc.append(epub.Link(doc.file_name, title, "bibliography"))
    making.landmark("bibliography", doc, title)


def _add_indexes(making: _Making, reader: Reader, documents: _DocumentMap, print_pages: dict | None) -> None:
    """The indexes, each locator linked to its mention and labelled with its print page."""
    pages = print_pages or {}
    entry_base = {kind: f"{index_id(kind)}.xhtml" for kind in INDEX_KINDS}
    for part in index_parts(reader, making.root, making.env, lambda mid: pages.get(mid),
                            lambda mid: f"{documents.file_of(mid)}#{mid}", entry_base):
        body = making.render("epub-index.xhtml.j2", part=part, pages_from_print=bool(print_pages))
        doc = making.add(f"{index_id(part['kind'])}.xhtml", part["title"], body)
        making.toc.append(epub.Link(doc.file_name, part["title"], index_id(part["kind"])))
        making.landmark("index", doc, making.locale.t("index"))


def _add_image_pages(making: _Making, reader: Reader, documents: _DocumentMap) -> None:
    """A page (not in the reading order) for each image that a link shows and no figure does:
    the image, with the text of the link as its heading and alt text."""
    for path, name in documents.image_pages.items():
        label = reader.xref.images[path].label
        body = making.render("epub-image.xhtml.j2", label=label, src=documents.image_files[path])
        making.add(name, label, body, linear=False)


def _add_page_breaks(making: _Making, page_starts: list[PageStart], title_doc) -> list:
    """A page-break marker where each print page begins; the page-list's entries."""
    whole = {"title-page": title_doc.file_name}
    whole.update({index_id(kind): f"{index_id(kind)}.xhtml" for kind in INDEX_KINDS})
    placements, page_entries = plan_page_breaks(page_starts, [(d.file_name, d.content) for d in making.spine], whole)
    for doc in making.spine:
        placed = placements.get(doc.file_name)
        if placed:
            doc.content = insert_page_breaks(doc.content, placed.inline, at_start=placed.at_start,
                                             at_end=placed.at_end)
    return page_entries


def _write(making: _Making, title_doc, build_date: str, page_entries: list) -> bytes:
    """The EPUB's bytes: the same from run to run."""
    book = making.book
    book.toc = making.toc
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [title_doc, "nav"] + making.spine[1:]
    out = io.BytesIO()
    writer = Writer(out, book, {"epub3_pages": False, "mtime": _modified(build_date),
                                "landmark_title": making.locale.t("landmarks"), "epub2_guide": True})
    writer.page_list = page_entries
    writer.page_list_title = making.locale.t("page-list")
    writer.process()
    writer.write()
    return out.getvalue()
