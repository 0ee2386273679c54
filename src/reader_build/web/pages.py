"""The pages of the web edition, each as an HTML fragment of its own template:
the title page, the contents, one page per chapter (its notes at its end), the
bibliography, the indexes and the search page.

Which file holds which id is settled first (:func:`plan_files`), so that every
link (a note, a citation, an index locator, a cross-reference) points to the
page that holds its target.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..model import Reader
from ..index.compose import INDEX_KINDS, index_parts
from ..ids import ref_id
from ..language.locale import locale_of
from ..language.typography import keep_ranges
from ..render.html import Target, book_title, inline_html, inline_plain, render_chapter
from ..render.templates import render_template

TITLE_FILE = "index.html"
CONTENTS_FILE = "contents.html"
BIBLIOGRAPHY_FILE = "bibliography.html"
SEARCH_FILE = "search.html"


@dataclass
class Page:
    name: str                    # file name, relative to the site's folder
    kind: str                    # title | contents | chapter | bibliography | index | search
    title: str                   # plain text
    content: str                 # the HTML of <main>
    chapter: str = ""            # chapter id (chapter pages)
    prev: dict | None = None     # {href, title}
    next: dict | None = None
    scripts: list = field(default_factory=list)


@dataclass
class FilePlan:
    chapters: dict               # chapter id -> file name
    ids: dict                    # every id that links may target -> file name

    def file_of(self, ident: str) -> str:
        if ident.startswith("ref-"):
            return BIBLIOGRAPHY_FILE
        return self.ids.get(ident, "")

    def href(self, ident: str) -> str:
        return f"{self.file_of(ident)}#{ident}"


def index_file(kind: str) -> str:
    return f"index-{kind}.html"


def plan_files(reader: Reader) -> FilePlan:
    """The file of every chapter, and of every id a link may point to."""
    chapters: dict[str, str] = {}
    ids: dict[str, str] = {"title-page": TITLE_FILE, "toc": CONTENTS_FILE, "bibliography": BIBLIOGRAPHY_FILE}
    for n, chapter in enumerate(reader.chapters, start=1):
        name = f"{n:02d}-{chapter.id}.html"
        chapters[chapter.id] = name
        ids[chapter.id] = name
        for heading in chapter.parsed.headings:
            ids[heading.id] = name
        for mention in chapter.parsed.mentions:
            ids[mention.id] = name
        for number in chapter.all_note_numbers:
            ids[f"fn-{number}"] = name
            ids[f"fnref-{number}"] = name
        for i, _image in enumerate(chapter.parsed.images, start=1):
            ids.setdefault(f"fig-{chapter.id}-{i}", name)
    if reader.xref is not None:       # every id a link or cross-reference may point to
        for ident, target in reader.xref.targets.items():
            ids.setdefault(ident, chapters[target.chapter])
    for kind in INDEX_KINDS:
        ids[f"index-{kind}"] = index_file(kind)
    return FilePlan(chapters, ids)


def _page_range(anchors: dict, chapter_id: str) -> str:
    first, last = anchors.get(chapter_id), anchors.get(f"end-{chapter_id}")
    if first is None:
        return ""
    return str(first) if last is None or last == first else f"{first}\u2013{last}"


def chapter_pages(reader: Reader, root: Path, env, plan: FilePlan, anchors: dict) -> list[Page]:
    pages = []
    for chapter in reader.chapters:
        here = plan.chapters[chapter.id]
        target = Target("web", file_of=lambda ident, here=here: "" if plan.file_of(ident) == here
                        else plan.file_of(ident), bib_file=BIBLIOGRAPHY_FILE, image_base="",
                        image_href=quote)        # the image itself: the site carries every image
        rendered = render_chapter(reader, chapter, target)
        content = render_template(root, env, "web-chapter.html.j2", chapter=chapter.parsed,
                                  title_html=inline_html(chapter.parsed.title), body=rendered.body,
                                  notes=rendered.notes, pages=_page_range(anchors, chapter.id))
        title = inline_plain(chapter.parsed.title, reader.config.language, locale_of(reader))
        pages.append(Page(here, "chapter", title, content, chapter=chapter.id))
    return pages


def back_pages(reader: Reader, edition, root: Path, env, plan: FilePlan, anchors: dict) -> list[Page]:
    """The bibliography and the indexes, as the edition includes them."""
    pages = []
    entries = reader.bibliography.entries_html(None)
    if entries and edition.includes("bibliography"):
        content = render_template(root, env, "web-bibliography.html.j2",
                                  entries=[{"id": ref_id(k), "html": keep_ranges(h)} for k, h in entries])
        pages.append(Page(BIBLIOGRAPHY_FILE, "bibliography", locale_of(reader).t("bibliography"), content))
    if edition.includes("indexes"):
        page_of = (lambda mid: anchors.get(mid)) if anchors else (lambda mid: None)
        entry_base = {kind: index_file(kind) for kind in INDEX_KINDS}
        for part in index_parts(reader, root, env, page_of, plan.href, entry_base):
            name = index_file(part["kind"])
            content = render_template(root, env, "web-index.html.j2", part=part, pages_from_print=bool(anchors))
            pages.append(Page(name, "index", part["title"], content))
    return pages


def contents_items(reader: Reader, plan: FilePlan, anchors: dict, back: list[Page]) -> list[dict]:
    """The entries of the contents: chapters, their ## sections, and the back pages."""
    items = []
    for chapter in reader.chapters:
        name = plan.chapters[chapter.id]
        items.append({"href": name, "title_html": inline_html(chapter.parsed.title), "level": 1,
                      "pages": anchors.get(chapter.id, "")})
        for heading in chapter.parsed.headings:
            if heading.level == 2:
                items.append({"href": f"{name}#{heading.id}", "title_html": inline_html(heading.title),
                              "level": 2, "pages": anchors.get(heading.id, "")})
    for page in back:
        anchor = "bibliography" if page.kind == "bibliography" else page.name[:-len(".html")]
        items.append({"href": page.name, "title_html": escape(page.title), "level": 1,
                      "pages": anchors.get(anchor, "")})
    return items


def contents_page(reader: Reader, root: Path, env, plan: FilePlan, anchors: dict, back: list[Page],
                  page_list: list) -> Page:
    content = render_template(root, env, "web-contents.html.j2", toc=contents_items(reader, plan, anchors, back),
                              page_list=page_list)
    return Page(CONTENTS_FILE, "contents", locale_of(reader).t("contents"), content)


def title_page(reader: Reader, root: Path, env, plan: FilePlan) -> Page:
    first = next((c for c in reader.chapters if c.parsed.kind == "chapter"), None) or (
        reader.chapters[0] if reader.chapters else None)
    link = {"href": plan.chapters[first.id], "title": first.title} if first else None
    content = render_template(root, env, "web-title.html.j2", reader=reader.config, first=link)
    return Page(TITLE_FILE, "title", book_title(reader), content)


def search_page(reader: Reader, root: Path, env, back: list[Page]) -> Page:
    indexes = [{"href": p.name, "title": p.title} for p in back if p.kind == "index"]
    content = render_template(root, env, "web-search.html.j2", indexes=indexes)
    return Page(SEARCH_FILE, "search", locale_of(reader).t("web-search"), content, scripts=["search-index.js"])


def link_neighbours(pages: list[Page]) -> None:
    """Previous and next along the reading order (title, contents, chapters, back pages)."""
    flow = [p for p in pages if p.kind != "search"]
    for before, after in zip(flow, flow[1:]):
        before.next = {"href": after.name, "title": after.title}
        after.prev = {"href": before.name, "title": before.title}


def site_nav(pages: list[Page]) -> list[dict]:
    """The links of every page's header."""
    wanted = ("contents", "bibliography", "index", "search")
    return [{"href": p.name, "title": p.title} for kind in wanted for p in pages if p.kind == kind]
