"""The EPUB 3 edition (ebooklib): one XHTML document per chapter, pop-up notes,
linked citations, the bibliography and the indexes as documents of their own,
navigation with landmarks (and a page-list when a print edition gives pages),
byte-identical from run to run.
"""
from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from ebooklib import epub

from .. import __version__
from . import a11y
from ..render.html import Target, inline_html, ref_id, render_chapter
from ..model import Reader
from ..pdf.pagemap import PageStart, insert_page_breaks, page_list_nav, plan_page_breaks
from ..pdf.compose import INDEX_TITLES, index_parts
from ..render.templates import read_css, render_template, template_environment

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML_NS = "http://www.w3.org/1999/xhtml"
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FONT_MEDIA = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}
IMAGE_MEDIA = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif"}


class _FixedZip(zipfile.ZipFile):
    """A zip file whose members all carry one fixed date, in the order written."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_ZIP_DATE)
            info.compress_type = compress_type if compress_type is not None else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type=compress_type, compresslevel=compresslevel)


class _Writer(epub.EpubWriter):
    """ebooklib's writer with ``xml:lang`` on the package, fixed zip dates and our
    own page-list (ebooklib's ``epub3_pages`` stays off: it would list every element
    with an ``epub:type`` and an id, note references included)."""

    page_list: list = []           # (href, label) of the print pages, in order

    def _get_nav(self, item):
        """ebooklib's nav, with the landmarks hidden from the reading flow and our page-list."""
        from lxml import etree
        data = super()._get_nav(item)
        tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
        for nav in tree.iter("{%s}nav" % XHTML_NS, "nav"):
            if nav.get("{http://www.idpf.org/2007/ops}type") == "landmarks":
                nav.set("hidden", "")
        body = tree.find(f"{{{XHTML_NS}}}body")
        if body is None:
            body = tree.find("body")
        if body is not None and self.page_list:
            nav = etree.fromstring(page_list_nav(self.page_list))
            if not str(body.tag).startswith("{"):            # ebooklib's tree without a namespace
                for node in nav.iter():
                    node.tag = etree.QName(node).localname
            body.append(nav)
            etree.cleanup_namespaces(tree)
        return etree.tostring(tree, pretty_print=True, encoding="utf-8", xml_declaration=True)

    def _write_opf_file(self, root):
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def write(self):
        self.out = _FixedZip(self.file_name, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
        self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()


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
    title = config.title + (f": {config.subtitle}" if config.subtitle else "")
    parts = [title, f"edition \u201c{edition.name if edition else 'print'}\u201d"]
    if build_date:
        parts.append(build_date[:10])
    parts.append(f"sources {reader.source_hash[:12]}")
    return ", ".join(parts)


def _document(book, file_name: str, title: str, body: str, lang: str, css) -> epub.EpubHtml:
    item = epub.EpubHtml(uid="doc-" + re.sub(r"[^A-Za-z0-9_-]", "-", file_name.rsplit(".", 1)[0]),
                         file_name=file_name, title=title, lang=lang)
    item.content = f"<html><head><title>{escape(title)}</title></head><body>{body}</body></html>"
    item.add_item(css)
    book.add_item(item)
    return item


def build_epub(reader: Reader, edition, root: Path, diags, build_date: str = "",
               print_pages: dict | None = None, page_starts: list[PageStart] | None = None) -> EpubResult:
    """Build the EPUB; *print_pages* (id -> page) labels index locators with print pages,
    *page_starts* (of the print edition, :func:`reader_build.pagemap.page_starts`) give the
    page-break markers and the page-list."""
    env = template_environment(root)
    config = reader.config
    lang = config.language
    book = epub.EpubBook()
    book.set_identifier(_identifier(reader))
    book.set_title(config.title)
    book.set_language(lang)
    if config.author:
        book.add_author(config.author)
    if config.editor:
        book.add_metadata("DC", "contributor", config.editor)
    if config.publisher:
        book.add_metadata("DC", "publisher", config.publisher)
    if config.subtitle:
        book.add_metadata("DC", "description", config.subtitle)
    if build_date:
        book.add_metadata("DC", "date", build_date[:10])

    css_text = "\n".join(text for name in ("epub.css", "extra-epub.css")
                         for found in [read_css(root, name, diags)] if found for text in [found[1]])
    css = epub.EpubItem(uid="style", file_name="style/epub.css", media_type="text/css", content=css_text)
    book.add_item(css)
    for name, data in sorted(reader.fonts.items()):
        suffix = name[name.rfind("."):].lower()
        if f"fonts/{name}" in css_text:
            book.add_item(epub.EpubItem(uid=f"font-{re.sub(r'[^A-Za-z0-9]', '-', name)}", file_name=f"fonts/{name}",
                                        media_type=FONT_MEDIA.get(suffix, "font/otf"), content=data))
    for path, data in sorted(reader.images.items()):
        suffix = path[path.rfind("."):].lower()
        book.add_item(epub.EpubItem(uid="img-" + re.sub(r"[^A-Za-z0-9]", "-", path), file_name=path,
                                    media_type=IMAGE_MEDIA.get(suffix, "application/octet-stream"), content=data))

    # Which document holds which id.
    files: dict[str, str] = {}
    chapter_files = {}
    for n, chapter in enumerate(reader.chapters, start=1):
        name = f"{n:02d}-{chapter.id}.xhtml"
        chapter_files[chapter.id] = name
        files[chapter.id] = name
        for heading in chapter.parsed.headings:
            files[heading.id] = name
        for mention in chapter.parsed.mentions:
            files[mention.id] = name
        for number in chapter.all_note_numbers:
            files[f"fn-{number}"] = name
            files[f"fnref-{number}"] = name
    bib_file = "bibliography.xhtml"
    for kind in ("person", "place"):
        files[f"index-{kind}"] = f"index-{kind}.xhtml"

    def file_of(ident: str) -> str:
        if ident.startswith("ref-"):
            return bib_file.split("/")[-1]
        target = files.get(ident)
        return target.split("/")[-1] if target else ""

    spine = []
    toc = []
    title_body = render_template(root, env, "epub-title.xhtml.j2", reader=config, version=__version__)
    title_doc = _document(book, "00-title.xhtml", config.title, title_body, lang, css)
    spine.append(title_doc)
    book.guide.append({"type": "title-page", "href": title_doc.file_name, "title": "Title page"})
    first_body = None
    for chapter in reader.chapters:
        target = Target("epub", file_of=lambda ident, here=chapter_files[chapter.id]:
                        "" if files.get(ident) == here else file_of(ident),
                        bib_file="bibliography.xhtml", image_base="")
        body = render_chapter(reader, chapter, target)
        notes = list(target.notes)
        html = render_template(root, env, "epub-chapter.xhtml.j2", chapter=chapter.parsed,
                               title_html=inline_html(chapter.parsed.title), body=body, notes=notes)
        html = a11y.language_spans(html, lang)
        doc = _document(book, chapter_files[chapter.id], chapter.parsed.title, html, lang, css)
        spine.append(doc)
        sections = [epub.Link(f"{doc.file_name}#{h.id}", h.title, h.id)
                    for h in chapter.parsed.headings if h.level == 2]
        link = epub.Link(doc.file_name, chapter.parsed.title, chapter.id)
        toc.append((epub.Section(chapter.parsed.title, doc.file_name), sections) if sections else link)
        if chapter.parsed.kind == "chapter" and first_body is None:
            first_body = doc
    if first_body is not None:
        book.guide.append({"type": "text", "href": first_body.file_name, "title": "Start of the text"})

    entries = reader.bibliography.entries_html(None)
    if entries and edition.includes("bibliography"):
        body = a11y.language_spans(render_template(root, env, "epub-bibliography.xhtml.j2",
                                   entries=[{"id": ref_id(k), "html": h} for k, h in entries]), lang)
        doc = _document(book, bib_file, "Bibliography", body, lang, css)
        spine.append(doc)
        toc.append(epub.Link(doc.file_name, "Bibliography", "bibliography"))
        book.guide.append({"type": "bibliography", "href": doc.file_name, "title": "Bibliography"})

    if edition.includes("indexes"):
        pages = print_pages or {}
        page_of = (lambda mid: pages.get(mid)) if print_pages else (lambda mid: None)
        href_of = lambda mid: f"{file_of(mid)}#{mid}"  # noqa: E731
        entry_base = {kind: f"index-{kind}.xhtml" for kind in INDEX_TITLES}
        for part in index_parts(reader, root, env, page_of, href_of, entry_base):
            name = f"index-{part['kind']}.xhtml"
            body = render_template(root, env, "epub-index.xhtml.j2", part=part,
                                   pages_from_print=bool(print_pages))
            doc = _document(book, name, part["title"], body, lang, css)
            spine.append(doc)
            toc.append(epub.Link(doc.file_name, part["title"], f"index-{part['kind']}"))
            if not any(g.get("type") == "index" for g in book.guide):
                book.guide.append({"type": "index", "href": doc.file_name, "title": "Index"})

    page_entries = []
    if page_starts:
        whole = {"title-page": title_doc.file_name}
        whole.update({f"index-{kind}": f"index-{kind}.xhtml" for kind in INDEX_TITLES})
        placements, page_entries = plan_page_breaks(page_starts, [(d.file_name, d.content) for d in spine], whole)
        for doc in spine:
            placed = placements.get(doc.file_name)
            if placed:
                doc.content = insert_page_breaks(doc.content, placed.inline, at_start=placed.at_start,
                                                 at_end=placed.at_end)

    has_index = any(d.file_name.startswith("index-") for d in spine)
    for namespace, name, value, others in a11y.metadata(
            reader, has_index=has_index, print_pages=bool(page_entries),
            page_source=_page_source(reader, build_date) if page_entries else ""):
        book.add_metadata(namespace, name, value, others)

    book.toc = toc
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav()
    book.add_item(nav)
    book.spine = [title_doc, "nav"] + spine[1:]
    out = io.BytesIO()
    writer = _Writer(out, book, {"epub3_pages": False, "mtime": _modified(build_date),
                                 "landmark_title": "Landmarks", "epub2_guide": True})
    writer.page_list = page_entries
    writer.process()
    writer.write()
    return EpubResult(out.getvalue(), files)
