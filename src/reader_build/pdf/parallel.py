"""A PDF edition laid out in parts, in worker processes, and merged (merge.py).

The parts: the title part (title page and imprint: it names the sources' hash,
which any edit changes), the front part (contents), each chapter, the back part
(bibliography, indexes) and the colophon (it names the sources' hash too).  Each is a full HTML document from the same template and styles
(:func:`pdf.compose` with *part*), laid out with the fix loops of the
one-document build.  What crosses parts:

* **Folios.** ``@page :first { counter-reset: page N }``, N from the page
  counts of the parts before.  Where a part opens on a right-hand page (mirrored
  margins) the merge puts a blank page before it when N would be even; a part
  that starts on a left-hand page gets ``html { break-before: left }``.
* **Scheduling.** Parts go to the workers in book order with the first page the
  page counts known so far give (else those of the last build, else estimates).
  A part whose first page, contents or index pages turn out different is laid
  out again, with the fix rules found, once the parts it depends on are done.
* **Links** to another part are written ``href="xref:ID"`` and made named
  destinations after the merge; the contents get their numbers as ``data-page``,
  the indexes theirs from :func:`index.compose.index_parts` with the pages of all parts.
* **Page references** (``@page:``, render/xref.py): each number is text in a box of fixed
  width (as many figures as it has), so a part's layout depends on how many figures its
  numbers have, not on the numbers (:meth:`_Schedule.shape`).  A part is laid out with the
  pages the layouts so far give; once the pages of its targets are known, the numbers are
  put in place in its laid-out pages (pagerefs.py), not by a new layout.  A number that
  gains a figure changes the shape: the part is laid out again; should that move its lines,
  its numbers keep a fixed width from then on (:meth:`_Schedule.steady`), so the rounds end.
  A part whose styles do not set the numbers in such boxes (pagerefs.py cannot splice them)
  is keyed with its numbers and laid out again when they change (:meth:`_Schedule.learn`).
* **Cache** (*cache_dir*): a part laid out for the same HTML (but for the numbers of its
  page references), styles, side of its first page (left or right), fonts, images and tool
  version is reused; the last build's page counts, anchors and fix rules are remembered per
  edition.
* **Parts that only moved** (:meth:`_Schedule.move`): a part laid out, or taken from the
  cache, at another first page of the same side than the one it has in the end, or with
  other numbers in its page references, is not laid out again: its folios are set from a
  folio sheet (folios.py) and its numbers put in place (pagerefs.py), in the workers, the
  same way in a build from scratch and in a rebuild.  An odd move (the sides swap) is made
  so too where the pages are single-sided (the text stands where it stood, and the running
  heads of the other side are the part's own: folios.py); with mirrored pages a part laid out
  for one side is not the part for the other (the cache key names the side), but there every
  part that opens on a right-hand page keeps its side, a blank page before it taking up the move.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path

from ..config import Edition, length_mm
from ..diagnostics import Diagnostics, ReaderError
from ..store import files
from ..store.cache import cache_write_failed, package_hash
from ..store.output import raise_if_interrupted
from ..store.parts import PartCache
from .failures import Stranded, layout_ran_out_of_memory, memory_available, memory_cap, out_of_memory
from .failures import room_for_threads
from .failures import worker_died
from .merge import ID, Merger, PartPdf, book_anchors, book_page_starts, first_pages, link_out, orphans
from ..model import Reader
from ..index.compose import index_parts
from .engine import WEASYPRINT_VERSION
from .compose import BLOCKS, ComposeContext, Part, PdfResult, compose, gather, new_fix_rules, pdf_options
from .compose import html_with_rules, written_html
from .figures import unsettled
from ..language.locale import locale_of
from ..render.templates import template_environment
from .notes import FILL_PAGES, last_cuts
from .engine import MAX_FIX_PASSES, AssetFetcher, anchor_pages, lay_out, misplaced_notes, renumber
from .engine import label_rules
from .engine import breaks_to_a_side, margin_kinds, margin_texts, numbered_pages, page_areas, page_openers
from .engine import page_ref_boxes, release
from .folios import FolioSheet, refolio, sheet_folios, sheet_html
from .fonts import carried_faces
from .pagemap import page_starts
from .pagerefs import digit_table, refs_from, refs_of, renumber_refs, renumbered, sheet_html as digit_sheet_html
from .reserve import Observation, widths
from ..render.xref import page_ref_ids, page_ref_numbers, page_ref_shape

MARKER = "/* reader-build: part rules */"
MAX_ROUNDS = 4              # layouts of one part in one build, at most
MERGE_AHEAD_SPARE = 2**30   # memory the system must have to spare for a part to be merged ahead
FORMAT = 6                  # of a cached part (2: with its page openers; 3: sealed records; 4: kept when it moves;
                            # 5: page references given as text, renumbered in place; 6: with its orphans)
TITLE, FRONT, BIBLIOGRAPHY, COLOPHON, BOOK = "(title)", "(front)", "(bibliography)", "(colophon)", "(book)"
TITLE_BLOCKS = frozenset({"title", "imprint"})            # the title part: title page and its verso
FRONT_BLOCKS = frozenset({"toc", "figures"})              # the front part: contents, figures
# The contents of a part cannot count pages of other documents (target-counter): the
# numbers are given as data-page.
TOC_CSS = 'nav.toc .toc-list a[data-page]::after { content: leader(". ") attr(data-page); }'


@dataclass
class _Task:
    name: str
    html: str                 # with MARKER where the part's CSS and fix rules go
    rules: list
    first_page: int
    variant: str | None
    want_starts: bool
    settled: str | None = None   # a JSON file: part name -> its first page, once the parts before are done
    sheet: int = 0               # > 0: not the part, but its folio sheet of so many pages (folios.py)
    refolio: tuple | None = None  # not a layout: (PDF, its first page, numbered pages, folio sheet, margins) to move
    sided: bool = True           # are its left and right pages set apart (mirrored)?
    renumber: tuple | None = None  # and/or: (page references, digit table, target -> number) to renumber


# -- in the worker -------------------------------------------------------------------

_ASSETS: dict = {}


def _init_worker(fonts: dict, images: dict, started=None) -> None:
    # Workers leave interruptions to the parent: Ctrl-C sent to the whole process group is
    # ignored here (the parent stops and cleans up), SIGTERM ends a worker quietly.
    if multiprocessing.parent_process() is not None:      # a worker, not the in-process path
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # the parent forked this worker with both signals blocked (_Pool.submit): one sent to the
        # group since then is delivered now, to these handlers, not to the parent's
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _ASSETS["fonts"], _ASSETS["images"], _ASSETS["started"] = fonts, images, started


def _lay_out_part(task: _Task) -> dict:
    """Lay out one part until its notes stand on their call's page; its PDF and facts."""
    if _ASSETS.get("started") is not None:      # which worker lays out which part (should it die)
        _ASSETS["started"].put((os.getpid(), task.name))
    fetcher = AssetFetcher(_ASSETS["fonts"], _ASSETS["images"])
    if task.sheet:
        sheet = sheet_html(task.html, task.sheet, part_css(task.first_page), MARKER)
        if sheet is None:
            return {"data": None, "areas": []}
        layout = lay_out(sheet, fetcher)
        try:
            return {"data": layout.document.write_pdf(**pdf_options(task.variant)), "areas": page_areas(layout.document)}
        finally:
            release(layout)
    if task.refolio is not None or task.renumber is not None:
        return {"data": _placed(task)}
    rules, passes, fixes, first = list(task.rules), 0, 0, task.first_page
    layout = None
    movable = True            # (the page references are numbered after the layout: pagerefs.py)
    while True:        # until the notes settle: the only such loop
        html = html_with_rules(task.html, rules)             # words kept whole, notes cut
        release(layout)                  # (the layout before, if any: its fonts)
        layout = lay_out(html.replace(MARKER, part_css(first) + "\n" + "\n".join(rules), 1), fetcher, fix=rules)
        passes += 1
        rules.extend(layout.rules)
        document = layout.document
        misplaced = misplaced_notes(document)
        fixes += 1
        new = new_fix_rules(document, rules, misplaced, cuts=FILL_PAGES in task.html) if fixes <= MAX_FIX_PASSES else []
        rules = last_cuts(unsettled(task.html, rules, new) + new)
        settled = _settled_first_page(task)
        if settled not in (None, first) and not new and movable and renumber(layout, settled - first):
            first = settled        # the same pages, numbered from where the parts before end
        elif settled not in (None, first) and passes <= MAX_ROUNDS and (task.sided or (settled - first) % 2 == 0):
            # (single-sided pages that moved by an odd number: their folios are set after the layout)
            # the parts before are done and this one starts elsewhere: lay it out again now
            first, fixes = settled, fixes - (not new)
            continue
        if not new:
            break
    data = document.write_pdf(**pdf_options(task.variant))
    settled = _settled_first_page(task)
    if settled not in (None, first) and movable and renumber(layout, settled - first):
        # the parts before were done meanwhile: writing again costs less than a new layout
        first = settled
        data = document.write_pdf(**pdf_options(task.variant))
    data, refs, table = _canonical_refs(task, document, data, fetcher)
    bookmarks = [[(level, label, (0.75 * x, 0.75 * (page.height - y)), state)
                  for level, label, (x, y), state in page.bookmarks] for page in document.pages]
    starts = None
    if task.want_starts:       # the EPUB's page-list (the parent has checked that pagemap is there)
        starts = [asdict(s) for s in page_starts(document, [str(first + i) for i in range(len(bookmarks))])]
    facts = {"pages": len(document.pages), "anchors": anchor_pages(document), "openers": page_openers(document),
            "numbered": numbered_pages(document), "rules": rules, "labels": label_rules(document), "mends": layout.mends,
            "passes": passes,
            "margins": _margins(layout),
            "misplaced": [list(m) for m in misplaced], "warnings": layout.warnings,
            "refused": fetcher.refused, "bookmarks": bookmarks, "starts": starts, "data": data, "first_page": first,
            "refs": refs, "digits": table, "orphans": orphans(data) if task.variant == "pdf/ua-1" else None}
    release(layout)
    return facts


def _margins(layout) -> list | None:
    """Per page, what its margin boxes draw and show, and would show on the other side (folios.py:
    an odd move); None for pages that depend on the side of the first (a break to a right-hand page)."""
    kinds = margin_kinds(layout)
    if kinds is None or breaks_to_a_side(layout.document):
        return None
    return [[count, shown, other] for count, (shown, other) in zip(margin_texts(layout.document), kinds)]


_SHEETS: dict = {}            # digit sheet HTML -> its digit table (pagerefs.py), in this process


def _canonical_refs(task: _Task, document, data: bytes, fetcher: AssetFetcher) -> tuple:
    """The part's PDF with its page references in their canonical form (pagerefs.py), the
    references (as lists; None when they cannot be given new numbers without a new layout) and
    the digit table of their chains."""
    boxes = page_ref_boxes(document) if 'class="page-ref"' in task.html else []
    if not boxes:
        return data, [], {}
    chains = sorted({box.chain for box in boxes})
    sheet = digit_sheet_html(task.html, chains, MARKER)
    if sheet is not None and sheet not in _SHEETS:
        layout = lay_out(sheet, fetcher)
        _SHEETS[sheet] = digit_table(layout.document.write_pdf(**pdf_options(task.variant)),
                                     page_ref_boxes(layout.document), chains)
        release(layout)
    table = _SHEETS.get(sheet, {})
    refs = refs_of(boxes, chains)
    canonical = renumber_refs(data, refs, table, {}, _ASSETS["fonts"], canonical=True) if table else None
    if canonical is None:
        return data, None, {}
    return canonical, [ref.as_list() for ref in refs], table


def _placed(task: _Task) -> bytes | None:
    """A laid-out part moved (new folios: folios.py) and/or given new page numbers in its page
    references (pagerefs.py); None when that cannot be done exactly (lay it out again)."""
    data = None
    if task.refolio is not None:
        data, old, numbered, sheet, margins = task.refolio
        data = refolio(data, old, task.first_page, numbered, sheet, _ASSETS["fonts"], margins)
        if data is None:
            return None
    if task.renumber is not None:
        pdf, records, table, numbers = task.renumber
        data = renumber_refs(data if data is not None else pdf, refs_from(records), table, numbers, _ASSETS["fonts"])
    return data


def _settled_first_page(task: _Task) -> int | None:
    try:
        return json.loads(Path(task.settled).read_text(encoding="utf-8")).get(task.name) if task.settled else None
    except (OSError, ValueError):
        return None


# -- the cache -----------------------------------------------------------------------

def _hash(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


# -- planning ------------------------------------------------------------------------

def plan_parts(ctx: ComposeContext, indexes: list, whole: bool = False) -> list[Part]:
    """The title part, the front part, one part per chapter, the back part, and the colophon apart
    (it names the sources' hash, which changes with any edit; it starts on any page:
    ``break-before: page``; so does the imprint, which is why the title part is apart).
    With *whole*, or when the edition has none of these, the whole book is one part."""
    edition = ctx.edition
    if whole:
        return [Part(BOOK, chapters=tuple(c["id"] for c in ctx.chapters), blocks=frozenset(BLOCKS))]
    parts = []
    if edition.includes("title"):
        parts.append(Part(TITLE, blocks=TITLE_BLOCKS))
    if edition.includes("toc") or (edition.includes("figures") and ctx.figures):
        parts.append(Part(FRONT, blocks=FRONT_BLOCKS))
    parts += [Part(chapter["id"], chapters=(chapter["id"],)) for chapter in ctx.chapters]
    # the bibliography and each index open a page of their own (section.chapter): a part each, so
    # that the bibliography is laid out with the chapters and the indexes side by side at the end
    if ctx.bibliography:
        parts.append(Part(BIBLIOGRAPHY, blocks=frozenset({"bibliography"})))
    parts += [Part(f"(index-{index['kind']})", blocks=frozenset({"indexes"}), kinds=(index["kind"],))
              for index in indexes]
    if edition.includes("colophon"):
        parts.append(Part(COLOPHON, blocks=frozenset({"colophon"})))
    return parts or plan_parts(ctx, indexes, whole=True)


def _package_template(env, name: str) -> bool:
    """Is the template *name* the package's (not a project's own)?  Its source is found, not
    compiled: a template with an error is reported where it is used."""
    try:
        _source, filename, _uptodate = env.loader.get_source(env, name)
    except Exception:           # noqa: BLE001 - not found or not readable: as a project's own
        return False
    return Path(filename or "").resolve().is_relative_to(Path(__file__).resolve().parent.parent)


def _opens_right(edition: Edition, part: Part) -> bool:
    """Does the part open on a right-hand page? In print.css chapters, the bibliography and the
    indexes do (``break-before: right``) when the margins are mirrored, and so do the contents;
    the colophon does not, and the title part opens the book."""
    mirrored = edition.sides == "mirrored" and edition.medium != "screen"
    return mirrored and part.name not in (COLOPHON, TITLE)


def part_css(first_page: int) -> str:
    css = f"@page :first {{ counter-reset: page {first_page}; }}"
    if first_page % 2 == 0:                  # a left-hand page (single-sided editions only)
        css += "\nhtml { break-before: left; }"
    return css


def estimate_pages(part: Part, html: str, edition: Edition, toc_entries: int) -> int:
    """A first guess of a part's page count, for a build that remembers none (about 2100
    characters a page of A5 at 10.5pt; indexes and bibliography are denser)."""
    if "title" in part.blocks:
        return 2 if edition.includes("imprint") else 1
    if "toc" in part.blocks:
        return -(-toc_entries // 28) if edition.includes("toc") else 1
    text = len(re.sub(r"\s+", " ", re.sub(r"<style.*?</style>|<[^>]+>", "", html, flags=re.S)))
    width, height = length_mm(edition.page_size[0]), length_mm(edition.page_size[1])
    size = float(re.sub(r"[^\d.]", "", edition.font_size) or 10.5)
    per_page = 0.118 * (width * 0.7) * (height * 0.815) * (10.5 / size) ** 2
    if "indexes" in part.blocks:
        per_page *= 0.57
    return max(1, round(text / per_page + 0.3))


class _Composer:
    """The parts' HTML; only the contents and the indexes change with the pages found."""

    def __init__(self, reader: Reader, ctx: ComposeContext, root: Path):
        self.reader, self.ctx, self.root = reader, ctx, root
        self.env = template_environment(root, locale_of(reader), reader.tree)
        self.want_index = ctx.edition.includes("indexes")
        self.chapter_of = {m.id: m.chapter for m in reader.mentions}
        self.chapter_of.update({h.id: c.id for c in reader.chapters for h in c.parsed.headings})
        if reader.xref is not None:            # every target of a link or @page: reference
            self.chapter_of.update({ident: t.chapter for ident, t in reader.xref.targets.items()})
        # the page references (@page:) of each chapter: id -> the chapter of its target.  Each is
        # given the page found there: the HTML of its chapter changes with the pages found ("paged")
        included = {c["id"] for c in ctx.chapters}
        self.refs = {c["id"]: {ident: where for ident in page_ref_ids(c["body"])
                               if (where := self.chapter_of.get(ident)) in included} for c in ctx.chapters}
        self.paged: set = set()                # chapters with page references (see plan)
        self.reserve: dict[str, dict] = {}     # part -> {id: digits} (see _Schedule.steady)
        self.fixed: dict[str, str] = {}        # parts without contents or indexes: their HTML
        self.composed: dict[str, tuple] = {}   # chapters with page references: (their pages, their HTML)
        self.package_template = _package_template(self.env, "book.html.j2")
        self.heads: list | None = None         # the kind and title of each index
        self.ids: dict[str, set] = {}

    def plan(self, parts: list[Part]) -> None:
        self.paged = {chapter for part in parts for chapter in part.chapters if self.refs.get(chapter)}

    def referred(self, part: Part) -> list:
        """The targets of the part's page references, sorted."""
        return sorted({ident for chapter in part.chapters for ident in self.refs.get(chapter, {})})

    def targets(self, part: Part) -> dict:
        """id -> chapter: the targets of the part's page references that other parts lay out."""
        return {ident: where for chapter in part.chapters for ident, where in self.refs.get(chapter, {}).items()
                if where not in part.chapters}

    def indexes(self, page_of) -> list[dict]:
        if not self.want_index:
            return []
        return index_parts(self.reader, self.root, self.env, page_of, lambda mid: f"#{mid}", {})

    def whole_book(self, anchors: dict, rules: list[str]) -> str:
        """The HTML of the whole book as one document, with the pages found and every part's fix
        rules: a plain WeasyPrint render of it gives the pages of the merged parts."""
        indexes = self.indexes(lambda ident: anchors.get(ident))
        reserve: dict = {}
        for kept in self.reserve.values():
            reserve.update({ident: max(digits, reserve.get(ident, 0)) for ident, digits in kept.items()})
        html = compose(self.ctx, self.env, indexes, "\n".join(dict.fromkeys(rules)), page_of=anchors.get,
                       reserve=reserve)
        return written_html(html, rules)

    def compose_all(self, parts: list[Part], anchors: dict, starts: dict, back: bool = True) -> dict[str, str]:
        """Every part's HTML (without *back*, all but the part with the indexes, the costly one to
        compose); where a page is not known, the first page of its chapter stands in."""
        def page_of(ident):
            if ident in anchors:
                return anchors[ident]
            if ident.startswith("index-"):
                return starts.get(f"({ident.split('-')[0]}-{ident.split('-')[1]})", 1)
            if ident.startswith("bibliography"):
                return starts.get(BIBLIOGRAPHY, 1)
            return starts.get(self.chapter_of.get(ident, ident), 1)
        back = back or not self.ids            # the first time, every part: the ids of each are needed
        if back or self.heads is None:
            indexes = self.indexes(page_of)
            self.heads = [{"kind": i["kind"], "title": i["title"]} for i in indexes]
        else:
            indexes = self.heads               # what the contents list of the indexes
        toc_pages = {item["id"]: page_of(item["id"]) for item in self.ctx.toc + self.ctx.figures}
        toc_pages.update({f"index-{i['kind']}": page_of(f"index-{i['kind']}") for i in indexes})
        included = {c["id"] for c in self.ctx.chapters}

        def ref_page_of(ident):           # a page reference to a chapter this edition leaves out: none
            return page_of(ident) if self.chapter_of.get(ident) in included else None
        htmls = {}
        for part in parts:
            if part.name in self.fixed or not (back or "indexes" not in part.blocks):
                htmls.update({part.name: self.fixed[part.name]} if part.name in self.fixed else {})
                continue
            # a chapter's HTML changes only with the pages of its references (and, in a project's
            # own book template, maybe with the contents' pages): composed once per pages
            key = None if part.blocks & {"toc", "figures", "indexes"} else (
                tuple((ident, ref_page_of(ident)) for ident in self.referred(part)),
                tuple(sorted((self.reserve.get(part.name) or {}).items())),
                None if self.package_template else tuple(sorted(toc_pages.items())))
            if key is not None and self.composed.get(part.name, (None,))[0] == key:
                htmls[part.name] = self.composed[part.name][1]
                continue
            htmls[part.name] = compose(self.ctx, self.env, indexes, TOC_CSS + "\n" + MARKER, part, toc_pages,
                                       ref_page_of, self.reserve.get(part.name))
            if key is not None:
                self.composed[part.name] = (key, None)       # its HTML, once its links are made
        if not self.ids:
            self.ids = {name: set(ID.findall(html)) for name, html in htmls.items()}
        every = set().union(*self.ids.values())
        for part in parts:
            if part.name not in self.fixed and part.name in htmls:
                kept = self.composed.get(part.name)
                if kept is not None and kept[1] is not None:
                    continue                   # composed before, links and all
                htmls[part.name] = link_out(htmls[part.name], every - self.ids[part.name])
                if kept is not None:
                    self.composed[part.name] = (kept[0], htmls[part.name])
                if not part.blocks & {"toc", "indexes"} and not self.paged & set(part.chapters):
                    self.fixed[part.name] = htmls[part.name]
        return htmls


# -- the build -----------------------------------------------------------------------

class _Schedule:
    """The parts of one edition, laid out in book order until their pages settle.

    Each round: what the layouts done so far say (page counts, first pages, anchors), the HTML
    of every part with those pages, and which parts to lay out (again) now."""

    def __init__(self, edition: Edition, parts: list[Part], composer: "_Composer", cache: "PartCache | None",
                 tool: str, memory: dict, estimates: dict):
        self.edition, self.parts, self.composer, self.cache, self.tool = edition, parts, composer, cache, tool
        self.order = {p.name: i for i, p in enumerate(parts)}
        # mirrored pages: a part laid out from a left-hand page is not the part from a right-hand one
        self.sided = edition.sides == "mirrored" and edition.medium != "screen"
        listed = [i for i, p in enumerate(parts) if p.chapters or p.blocks & {"bibliography", "indexes"}]
        self.last_listed = listed[-1] if listed else len(parts) - 1
        self.remembered_anchors: dict = dict(memory.get("anchors", {}))
        self.known_rules: dict = dict(memory.get("rules", {}))
        self.remembered = {p.name: memory.get("counts", {}).get(p.name) for p in parts}
        self.estimates = estimates
        self.results: dict[str, tuple[str, dict, bool]] = {}   # name -> (key, result, made in this build)
        self.laid_from: dict[str, str] = {}     # name -> shape of the HTML its result was laid out from
        self.shapes: dict[str, str] = {}
        self.running: dict = {}                 # future -> (part name, HTML)
        self.submitted: dict[str, int] = {}
        self.memo: dict[str, str] = {}
        self.layouts = 0
        self.counts = self.starts = self.blanks = self.anchors = self.htmls = self.keys = None
        self.busy: set = set()
        self.done: set = set()
        self.numbers: dict[str, dict] = {}      # name -> the numbers of its page references, as laid out
        self.observed: dict[str, list] = {}     # name -> reserve.Observation of each of its layouts
        self.remembered_reserve = {name: dict(kept) for name, kept in composer.reserve.items()}
        # shapes of HTML whose page references cannot be given new numbers after the layout (a
        # project's styles that do not set them in boxes of fixed width): their numbers are keyed
        self.unfixed: set = set(memory.get("unfixed", ()))
        # shapes of HTML whose pages depend on the side of the first page (a break to a right-hand
        # page inside the part): keyed with that side even in a single-sided edition
        self.two_sided: set = set(memory.get("two_sided", ()))
        self.part_of = {chapter: p for p in parts for chapter in p.chapters}    # chapter id -> its part
        self.known: list = []
        self.merger: Merger | None = None       # the book, merged ahead while the workers lay out
        self.creation = creation_order(parts)
        self.moving: set = set()                # parts to be moved or renumbered (move): not merged ahead
        # pieces of folio sheets laid out while a worker would wait (sheet_ahead): future -> (the
        # sheet's cache key, the piece's first page, the first and last pages it gives)
        self.ahead: dict = {}
        self.ahead_of: tuple = ()               # the parts sheet_ahead last looked at

    def digest(self, html: str) -> str:        # the strings of unchanged parts recur: hashed once
        if html not in self.memo:
            self.memo[html] = _hash(html)
        return self.memo[html]

    def shape(self, html: str) -> str:
        """The digest of *html* without the numbers of its page references to other parts: the
        same shape, the same page count (as long as these numbers keep their width)."""
        if html not in self.shapes:
            self.shapes[html] = _hash(page_ref_shape(html))
        return self.shapes[html]

    def key(self, html: str, first_page: int) -> str:
        """The cache key of a part laid out from *html* at *first_page*.  Its pages are the same at
        every first page of the same side (folios.py sets the folios of a part that moved) and for
        any numbers of its page references (pagerefs.py gives it new ones), unless its styles do
        not set them in boxes of fixed width."""
        shape = self.shape(html)
        side = f"side {first_page % 2}" if self.sided or shape in self.two_sided else "either side"
        return _hash(self.tool, self.digest(html) if shape in self.unfixed else shape, side)

    def learn(self, html: str, result: dict) -> None:
        """Can the page references of the part laid out from *html* be given new numbers?"""
        if result.get("refs") is None:
            self.unfixed.add(self.shape(html))
        if result.get("margins") is None:
            self.two_sided.add(self.shape(html))

    def run(self, pool: "_Pool") -> None:
        loaded = False
        while True:
            if self.running and (len(self.running) >= pool.jobs or not loaded):    # wait for a part to be done
                self.collect(pool)
            self.survey()
            pool.publish({p.name: self.starts[p.name] for n, p in enumerate(self.parts) if self.known[n]})
            loaded = self.dispatch(pool)
            if not self.running and not loaded:
                break
            if not loaded:
                self.sheet_ahead(pool)

    def merge_ahead(self) -> bool:
        """Copy into the book (merge.Merger) the next part of the creation order whose pages are
        done: laid out from its HTML as it is, at its first page, which is known for good.  Done
        while the workers lay out; a part that changes after all is copied again at the end.
        False when there is nothing to do now."""
        merger = self.merger
        if merger is None or self.keys is None:
            return False
        # the book merged ahead is held beside the workers (some 70 times its parts' PDFs): with
        # little memory to spare, the workers keep it, and the book is merged once they are done
        if (spare := memory_available()) is not None and spare < MERGE_AHEAD_SPARE:
            return False
        try:
            count = merger.current(self.merged_data, self.creation)
            if count == len(self.creation) or (data := self.merged_data(self.creation[count])) is None:
                return False
            result = self.results[self.parts[self.creation[count]].name][1]
            merger.add(PartPdf(data, orphans=result.get("orphans")))
            return True
        except Exception:     # (pikepdf's errors among others) merged again at the end, which says what is wrong
            self.merger = None
            merger.close()
            return False

    def merged_data(self, index: int) -> bytes | None:
        """The PDF of part *index* as the book will have it, or None if that may still change."""
        part = self.parts[index]
        name = part.name
        if name not in self.results or name in self.busy or name in self.moving or not self.known[index]:
            return None
        key, result, _made = self.results[name]
        if key != self.keys.get(name) or result["first_page"] != self.starts[name]:
            return None
        return result["data"]

    def collect(self, pool: "_Pool") -> None:
        done = pool.wait(self.running, self.merge_ahead)   # (several at once: taken in book order)
        for future in sorted(done, key=lambda f: self.order[self.running[f][0]]):
            name, html = self.running.pop(future)
            result = pool.result(future, name)
            self.learn(html, result)
            self.steady(name, html, result)
            self.results[name] = (self.key(html, result["first_page"]), result, True)
            self.moving.discard(name)
            self.laid_from[name] = self.shape(html)
            self.numbers[name] = page_ref_numbers(html)
            self.known_rules[self.digest(html)] = result["rules"]
            self.layouts += result["passes"]

    def survey(self) -> None:
        """Page counts, first pages, anchors and the parts' HTML, from the layouts done so far."""
        parts, results = self.parts, self.results
        self.counts = _counts(parts, results, self.remembered, self.estimates)
        self.starts, self.blanks = first_pages(parts, self.counts, lambda part: _opens_right(self.edition, part))
        self.busy = {name for name, _html in self.running.values()}
        self.anchors = {**self.remembered_anchors,
                        **book_anchors(parts, {n: r[1] for n, r in results.items()}, self.starts)}
        self.done = {name for name in results if name not in self.busy}
        # the indexes list the pages of the chapters: composed and laid out once those are done
        # (a part that holds chapters and indexes, as the whole book does, is composed whole)
        back_ready = all(q.name in self.done for q in parts if q.chapters) or \
            any(q.chapters and "indexes" in q.blocks for q in parts)
        self.htmls = self.composer.compose_all(parts, self.anchors, self.starts, back=back_ready)
        self.keys = {name: self.key(html, self.starts[name]) for name, html in self.htmls.items()}
        self.known = [all(self.final(q) for q in parts[:n]) for n in range(len(parts))]

    def final(self, q: Part) -> bool:
        """Is the page count of *q* known for good?  Laid out as it is now; or from the same
        HTML at a first page of the same parity (the same pages, other folios)."""
        if q.name not in self.results:
            return False
        if q.blocks & {"toc", "indexes"}:
            return q.name in self.done   # they change with every page found: their last count
        if q.name in self.done and self.results[q.name][0] == self.keys.get(q.name):
            return True
        # (while it is laid out again elsewhere, too: the count stays)
        return (q.name in self.htmls and self.laid_from.get(q.name) == self.shape(self.htmls[q.name])
                and (self.results[q.name][1]["first_page"] % 2 == self.starts[q.name] % 2
                     or not self.sided and self.results[q.name][1].get("margins") is not None))

    def dispatch(self, pool: "_Pool") -> bool:
        """Give the workers the parts to lay out now; True when a part came from the cache."""
        loaded = False
        for part in self.parts:
            name = part.name
            if not self.due(part):
                continue
            hit = self.cache.load(self.keys[name]) if self.cache else None
            if hit is not None:
                self.learn(self.htmls[name], hit)
                self.steady(name, self.htmls[name], hit)
                self.results[name], loaded = (self.keys[name], hit, False), True
                self.laid_from[name] = self.shape(self.htmls[name])
                self.numbers[name] = page_ref_numbers(self.htmls[name])
                self.submitted[name] = self.submitted.get(name, 0) + 1
                continue
            if len(self.running) >= pool.jobs or loaded:
                continue
            self.submitted[name] = self.submitted.get(name, 0) + 1
            html = self.htmls[name]
            # the rules found for this HTML; else, as the one-document loop keeps its rules when the
            # contents or indexes change, those of the part's last layout in this build
            rules = self.known_rules.get(self.digest(html),
                                         self.results[name][1]["rules"] if name in self.results else [])
            task = _Task(name, html, rules, self.starts[name], self.edition.pdf_variant, True, pool.settled,
                         sided=self.sided)
            self.running[pool.submit(task)] = (name, html)
        return loaded

    def due(self, part: Part) -> bool:
        """Is *part* to be laid out now (or taken from the cache)?"""
        name = part.name
        if name not in self.htmls or name in self.busy:
            return False
        if name in self.results:
            if self.results[name][0] == self.keys[name]:
                return False
            # laid out already: again once its first page (for the contents: the first page of
            # every part it lists, so of the last one) is known; but a part whose layout holds at
            # any first page it may get (its side cannot change) at once: it is moved to its page
            # after the layout (folios.py)
            if not self.known[self.last_listed if "toc" in part.blocks else self.order[name]] and \
                    ("toc" in part.blocks or not self.movable(part)):
                return False
            # with page references to other parts, whose page count holds: once the pages of their
            # targets are known (a count that does not hold is found first, with the pages known so far)
            if self.final(part) and not all(self.known[self.order[self.part_of[where].name]] and
                                            self.final(self.part_of[where])
                                            for where in set(self.composer.targets(part).values())):
                return False
        return self.submitted.get(name, 0) < MAX_ROUNDS + 2 * bool(self.composer.targets(part))

    def movable(self, part: Part) -> bool:
        """Does a layout of *part* hold at whatever first page it gets in the end?  With mirrored
        pages, when it opens on a right-hand page; with single-sided ones, unless its pages depend
        on the side of the first (then refolio may still refuse a move: it is laid out again)."""
        if self.sided:
            return _opens_right(self.edition, part)
        return self.shape(self.htmls[part.name]) not in self.two_sided

    def steady(self, name: str, html: str, result: dict) -> None:
        """Did the numbers of the part's page references move its lines?  Then each number keeps,
        from now on, the width of the most figures it had (fill_page_refs's *reserve*), so that the
        next numbers, wrong or right, cannot change the layout again.  The widths are a pure
        function of all the part's layouts so far (reserve.py), whatever order they came in; with
        those the last build remembered."""
        numbers = page_ref_numbers(html)
        if not numbers:
            return
        self.observed.setdefault(name, []).append(Observation.of(self.shape(html), numbers, result))
        kept = dict(self.remembered_reserve.get(name, {}))
        for ident, digits in widths(self.observed[name]).items():
            kept[ident] = max(kept.get(ident, 0), digits)
        if kept:
            self.composer.reserve[name] = kept

    def move(self, pool: "_Pool") -> None:
        """The parts laid out (or taken from the cache) at another first page of the side they have
        now, or with other numbers in their page references: their folios are set anew from a folio
        sheet (folios.py) and their numbers put in place (pagerefs.py), in the workers, not laid out
        again; a part for which that cannot be done is laid out again at its page."""
        placing: dict = {}                       # name -> (moved, {target: its new number})
        for part in self.parts:
            name = part.name
            if name not in self.results or name not in self.keys or self.results[name][0] != self.keys[name]:
                continue
            result = self.results[name][1]
            final = page_ref_numbers(self.htmls[name])
            numbers = {r[3]: final[r[3]] for r in result.get("refs") or () if r[3] in final and final[r[3]] != r[4]}
            if result["first_page"] != self.starts[name] or numbers:
                placing[name] = (result["first_page"] != self.starts[name], numbers)
        self.moving = set(placing)               # (merged once they are moved: merge_ahead)
        sheets = {}
        for names in self.by_head([name for name, (moved, _numbers) in placing.items() if moved]).values():
            sheet = self.sheet(pool, names)
            sheets.update({name: sheet for name in names})
        again, futures = [], {}
        for name, (moved, numbers) in placing.items():
            result = self.results[name][1]
            old, new = result["first_page"], self.starts[name]
            refolio = None
            if moved:
                pages = range(min(old, new), max(old, new) + result["pages"])
                refolio = (result["data"], old, result.get("numbered") or [], sheets[name].only(pages),
                           result.get("margins"))
            renumber = (result["data"], result["refs"], result["digits"], numbers) if numbers else None
            task = _Task(name, "", [], new, self.edition.pdf_variant, False, refolio=refolio, renumber=renumber)
            futures[pool.submit(task)] = (name, numbers)
        for future, (name, numbers) in futures.items():
            key, old, made = self.results[name]
            pool.wait({future}, self.merge_ahead)
            data = pool.result(future, name)["data"]
            if data is None:
                again.append(name)
            else:           # (the layouts made in this build stay counted)
                self.results[name] = (key, dict(moved_result(old, data, self.starts[name], numbers),
                                                passes=old["passes"] if made else 0), True)
                self.moving.discard(name)
        for name in again:
            html = self.htmls[name]
            task = _Task(name, html, self.known_rules.get(self.digest(html), self.results[name][1]["rules"]),
                         self.starts[name], self.edition.pdf_variant, True, sided=self.sided)
            self.running[pool.submit(task)] = (name, html)
        while self.running:
            self.collect(pool)

    def by_head(self, names: list[str]) -> dict[str, list[str]]:
        """*names* by the head of their HTML: parts of the same styles share a folio sheet (all,
        as a rule)."""
        grouped: dict = {}
        for name in names:
            grouped.setdefault(sheet_html(self.htmls[name], 0, "", MARKER) or "", []).append(name)
        return grouped

    def sheet_key(self, names: list[str]) -> str:
        return "sheet-" + _hash(self.tool, sheet_html(self.htmls[names[0]], 0, "", MARKER) or "")

    def missing_pages(self, names: list[str], sheet: FolioSheet) -> list[int]:
        """The pages that the parts *names* had and have now, which *sheet* lacks."""
        wanted = {first + n for name in names for first in (self.results[name][1]["first_page"], self.starts[name])
                  for n in range(self.results[name][1]["pages"])}
        return sorted(n for n in wanted if n not in sheet.every)

    def submit_pieces(self, pool: "_Pool", names: list[str], missing: list[int], count: int) -> list[tuple]:
        """The folio sheet's pages *missing* laid out in *count* pieces or more (one per run of
        pages): (future, the piece's first page, the first and last page it gives).  A piece
        starts two pages early (its first page, ``:first``, may be styled apart) and has three
        pages of each side at least."""
        runs: list = []                               # runs of missing pages, one piece each at most
        for n in missing:
            if runs and n <= runs[-1][1] + 6:
                runs[-1][1] = n
            else:
                runs.append([n, n])
        size = -(-len(missing) // count) if missing else 1
        pieces = []
        for low, high in runs:
            for start in range(low, high + 1, max(size, 1)):
                first, end = (start - 2 if start > 2 else start), min(high, start + size - 1)
                task = _Task("(folios)", self.htmls[names[0]], [], first, self.edition.pdf_variant, False,
                             sheet=max(end - first + 1, 6))
                pieces.append((pool.submit(task), first, start, end))
        return pieces

    def sheet_ahead(self, pool: "_Pool") -> None:
        """Lay out, on a worker that has nothing else to do, the folio sheet of the parts that will
        move (:meth:`move`) and whose first page is known for good: once the parts before the
        indexes are done, the indexes, laid out last, often keep one worker busy alone.  In small
        pieces, two per worker, that the workers take as they come free; :meth:`sheet` takes
        them, and lays out what they lack."""
        idle = pool.jobs - len(self.running)
        if self.ahead or pool.jobs < 2 or self.cache is None or not self.running or idle < 1:
            return
        names = tuple(part.name for n, part in enumerate(self.parts)
                      if self.known[n] and part.name in self.results and part.name not in self.busy
                      and self.results[part.name][0] == self.keys.get(part.name)
                      and self.results[part.name][1]["first_page"] != self.starts[part.name])
        if names == self.ahead_of:
            return
        self.ahead_of = names
        for group in self.by_head(list(names)).values():
            key = self.sheet_key(group)
            record = self.cache.record(key)
            missing = self.missing_pages(group, FolioSheet.from_record(record) if record else FolioSheet())
            for future, first, start, end in self.submit_pieces(pool, group, missing, 2 * pool.jobs) if missing else ():
                self.ahead[future] = (key, first, start, end)

    def take_pieces(self, pool: "_Pool", sheet: FolioSheet, pieces: list[tuple]) -> None:
        """Put in *sheet* the folios of each piece of :meth:`submit_pieces`, once it is laid out."""
        for future, first, start, end in pieces:
            pool.wait({future}, self.merge_ahead)
            piece = pool.result(future, "(folios)")
            sheet.update(sheet_folios(piece["data"], first, piece.get("areas")), start, end)

    def sheet(self, pool: "_Pool", names: list[str]) -> FolioSheet:
        """The folio sheet (folios.py) of the pages that the parts *names* had and have now: those
        the part cache does not keep (by the parts' styles) and no piece laid out ahead
        (:meth:`sheet_ahead`) gives, laid out in pieces, one per worker."""
        key = self.sheet_key(names)
        record = self.cache.record(key) if self.cache else None
        sheet = FolioSheet.from_record(record) if record else FolioSheet()
        ahead = [(future, *place[1:]) for future, place in self.ahead.items() if place[0] == key]
        for future, *_place in ahead:
            del self.ahead[future]
        self.take_pieces(pool, sheet, ahead)
        missing = self.missing_pages(names, sheet)
        pieces = self.submit_pieces(pool, names, missing, pool.jobs) if missing else []
        self.take_pieces(pool, sheet, pieces)
        if (pieces or ahead) and self.cache is not None:
            self.cache.keep(key, sheet.as_record())
        return sheet

    def finish(self) -> None:
        """The HTML and keys of every part (the back part too), as they stand at the end."""
        if len(self.htmls) < len(self.parts):
            self.htmls = self.composer.compose_all(self.parts, self.anchors, self.starts)
            self.keys = {name: self.key(html, self.starts[name]) for name, html in self.htmls.items()}


def build_pdf(reader: Reader, edition: Edition, root: Path, diags: Diagnostics, build_date: str = "",
              jobs: int | None = None, cache_dir: Path | None = None, *, whole: bool = False,
              emit_html: bool = False) -> PdfResult:
    """The edition laid out in parts by *jobs* worker processes (default: one per core; 1: in this
    process) and merged.  *passes* counts the layouts made, *parts* tells per part its first page,
    page count and layouts; with *emit_html*, *html* is the whole book as one document (see
    :meth:`_Composer.whole_book`); with *whole*, the book is laid out as a single part.

    Parts are given to the workers in book order, each with the first page that the page counts
    known so far (else remembered, else estimated) give it.  A part whose first page, contents or
    index pages turn out different is laid out again, with the fix rules it found, once every
    part before it is done (the contents: once every part is done).
    """
    cache = PartCache(cache_dir, diags, root) if cache_dir is not None else None
    ctx = gather(reader, edition, root, diags, build_date, cache)
    composer = _Composer(reader, ctx, root)
    parts = plan_parts(ctx, composer.indexes(lambda mid: None), whole=whole)
    composer.plan(parts)
    assets = _hash(*(x for name in sorted(reader.fonts) for x in (name, reader.fonts[name])),
                   *(x for name in sorted(reader.images) for x in (name, reader.images[name])))
    # (the tool's code, not its version alone: a layout made by other code is not reused)
    tool = _hash(FORMAT, package_hash(), WEASYPRINT_VERSION, edition.pdf_variant, assets, True)
    memory = cache.memory(edition.name) if cache else {}
    if memory.get("tool") != tool:      # what other code found (its fix rules): a build from scratch
        memory = {}
    # the widths kept for page numbers that moved lines in the last build: its pages again at once
    composer.reserve = {str(name): {str(i): int(d) for i, d in kept.items()}
                        for name, kept in memory.get("reserve", {}).items() if isinstance(kept, dict)}
    estimates = {}
    if any(memory.get("counts", {}).get(p.name) is None for p in parts):
        htmls = composer.compose_all(parts, dict(memory.get("anchors", {})), {})
        estimates = {p.name: estimate_pages(p, htmls[p.name], edition, len(ctx.toc) + 2) for p in parts
                     if memory.get("counts", {}).get(p.name) is None}
    schedule = _Schedule(edition, parts, composer, cache, tool, memory, estimates)
    pool = _Pool(jobs, reader, edition.name, diags)
    schedule.merger = Merger(edition.pdf_variant == "pdf/ua-1", {**carried_faces(reader.images), **reader.fonts},
                             cache) if pool.jobs > 1 and memory_cap() is None else None
    try:
        try:
            schedule.run(pool)
            schedule.move(pool)
        finally:
            pool.close()
        schedule.finish()
        for name in (p.name for p in parts if schedule.results[p.name][0] != schedule.keys[p.name]):
            diags.warning("parallel-unsettled", f"edition '{edition.name}': the pages of part {name} did not "
                          "settle; its folios or page references may be wrong")
        assembled = _assemble(schedule, diags, emit_html)
    finally:
        if schedule.merger is not None:
            schedule.merger.close()
    return assembled or build_pdf(
        reader, edition, root, diags, build_date, jobs=1, cache_dir=cache_dir, whole=True, emit_html=emit_html)


def _assemble(schedule: _Schedule, diags: Diagnostics, emit_html: bool) -> PdfResult | None:
    """The merged PDF of the laid-out parts, its diagnostics, and the part cache brought up to
    date; None when its parts cannot be merged into one tagged PDF (lay the book out whole)."""
    parts, results, starts, blanks, edition = (schedule.parts, schedule.results, schedule.starts,
                                               schedule.blanks, schedule.edition)
    anchors = book_anchors(parts, {n: r[1] for n, r in results.items()}, starts)
    ordered = [results[p.name][1] for p in parts]
    tagged = edition.pdf_variant == "pdf/ua-1"
    reader = schedule.composer.reader
    merger = schedule.merger or Merger(tagged, {**carried_faces(reader.images), **reader.fonts}, schedule.cache)
    try:
        merged = merger.finish([PartPdf(r["data"], blanks[p.name], r["bookmarks"], r.get("orphans"))
                                for p, r in zip(parts, ordered)], schedule.creation)
    finally:
        merger.close()
        schedule.merger = None
    if tagged and merged.problems and len(parts) > 1:
        diags.warning("parallel-fallback", f"edition '{edition.name}' is laid out as one document: its parts "
                      f"could not be merged into one tagged PDF ({'; '.join(merged.problems[:3])})")
        return None
    for problem in merged.problems:
        diags.warning("parallel-merge", f"edition '{edition.name}': {problem}")
    for url in dict.fromkeys(url for r in ordered for url in r["refused"]):
        diags.error("fetch-refused", f"the styles ask for {url!r}, which is not a file of the project")
    misplaced = [(starts[p.name] - 1 + page, note) for p, r in zip(parts, ordered) for page, note in r["misplaced"]]
    if misplaced:
        diags.warning("note-misplaced", f"edition '{edition.name}': {len(misplaced)} note(s) could not be kept "
                      "on the page of their call")
    if schedule.cache is not None:
        for p in parts:
            key, result, made = results[p.name]
            if made and key == schedule.keys[p.name]:
                schedule.cache.store(key, result)
        schedule.cache.remember(edition.name, {
            "tool": schedule.tool, "counts": schedule.counts, "anchors": anchors, "keys": sorted(schedule.keys.values()),
            "reserve": schedule.composer.reserve, "unfixed": sorted(schedule.unfixed),
            "two_sided": sorted(schedule.two_sided),
            "rules": {_hash(schedule.htmls[p.name]): results[p.name][1]["rules"] for p in parts}})
    info = [{"name": p.name, "first_page": starts[p.name], "pages": r["pages"], "blank_before": blanks[p.name],
             "layouts": r["passes"] if results[p.name][2] else 0} for p, r in zip(parts, ordered)]
    html = schedule.composer.whole_book(anchors, [rule for r in ordered for rule in r["rules"] + r.get("labels", []) + r.get("mends", [])]) if emit_html else ""
    return PdfResult(merged.data, merged.pages, anchors, html, misplaced, schedule.layouts,
                     [w for r in ordered for w in r["warnings"]],
                     page_starts=book_page_starts(parts, ordered, starts, blanks), parts=info,
                     openers=sorted({ident for r in ordered for ident in r.get("openers", ())}))


def creation_order(parts: list[Part]) -> list[int]:
    """The order in which the parts are copied into the book (merge.Merger): the chapters first,
    in book order, whose pages are done early; then the parts that list pages (contents,
    indexes) or move with every page before them (title, bibliography, colophon)."""
    early = [i for i, p in enumerate(parts) if p.chapters and not p.blocks & (FRONT_BLOCKS | {"indexes"})]
    return early + [i for i in range(len(parts)) if i not in set(early)]


def moved_result(result: dict, data: bytes, first: int, numbers: dict | None = None) -> dict:
    """A part's *result* as it stands from page *first*, with its PDF *data* (folios.py) and the
    *numbers* of its page references (pagerefs.py): no layout."""
    starts = result.get("starts")
    if starts is not None:
        starts = [dict(start, label=str(first - 1 + start["page"])) for start in starts]
    refs = result.get("refs")
    if refs and numbers:
        refs = [ref.as_list() for ref in renumbered(refs_from(refs), numbers)]
    return dict(result, data=data, first_page=first, starts=starts, passes=0, refs=refs)


def _counts(parts: list[Part], results: dict, remembered: dict, estimates: dict) -> dict:
    """Page counts: laid out, else remembered, else estimated (scaled by how the estimates of the
    chapters laid out so far compare with their page counts)."""
    done = [p.name for p in parts if p.name in results and p.name in estimates and not p.blocks]
    scale = (sum(results[n][1]["pages"] for n in done) / sum(estimates[n] for n in done)) if done else 1
    return {p.name: results[p.name][1]["pages"] if p.name in results else remembered[p.name]
            or max(1, round(estimates[p.name] * (1 if p.blocks else scale))) for p in parts}


class _Pool:
    """Worker processes (started at the first part to lay out), or this process for jobs=1."""

    def __init__(self, jobs: int | None, reader: Reader, edition: str = "", diags: Diagnostics | None = None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        # memory capped (ulimit -v): even one part is laid out in a worker, whose death (the layout's
        # libraries abort when memory runs out) the build survives to report
        self.inline = self.jobs == 1 and memory_cap() is None
        self.assets = (reader.fonts, reader.images)
        self.reader, self.edition, self.diags = reader, edition, diags if diags is not None else Diagnostics()
        self.executor = None
        self.stranded = Stranded()         # fails the futures should a thread of the pool not start
        self.started = None                # (pid, part) from each worker as it begins a part
        self.processes: dict = {}          # pid -> the worker process
        self.began: dict = {}              # pid -> the part it began last
        self.finished: set = set()         # parts laid out (and not begun again since)
        self.folder = self.settled = None
        self.published = None
        if self.jobs > 1:
            try:
                self.folder = files.make_temporary_folder()
                self.settled = os.path.join(self.folder, "settled.json")
            except OSError as exc:        # the workers learn the first pages at the end only
                cache_write_failed(self.diags, exc, exc.filename or "the system temp folder")

    def publish(self, settled: dict) -> None:
        """Tell the workers the first pages that are known for good (a scratch file: should it
        fail, they are laid out again later)."""
        if self.settled and settled != self.published:
            try:
                files.write_text(self.settled, json.dumps(settled), kind="temp")
                self.published = settled
            except OSError as exc:
                cache_write_failed(self.diags, exc, str(self.folder))

    def submit(self, task: _Task) -> Future:
        if self.inline:
            _init_worker(*self.assets)
            future: Future = Future()
            try:
                future.set_result(_lay_out_part(task))
            except (MemoryError, SystemError) as exc:
                if not layout_ran_out_of_memory(exc):
                    raise
                future.set_exception(MemoryError(str(exc)))
            return future
        if self.executor is None:
            if memory_cap() is not None and not room_for_threads():
                raise ReaderError(out_of_memory(self.reader, self.edition, task.name))
            # fork: the workers start at once with everything imported, and the main module is not
            # run again (forkserver and spawn would run `python -m reader_build` anew in each worker)
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            context = multiprocessing.get_context(method)
            self.started = context.SimpleQueue()
            self.stranded.install()
            self.executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context,
                                                initializer=_init_worker, initargs=(*self.assets, self.started))
            # The workers are forked at the first submit (all of them, with fork). Ctrl-C or SIGTERM
            # sent to the whole group while they start would reach a worker that still has this
            # process's handlers: they are blocked until the workers are forked (a signal for this
            # process waits, and is handled, when they are unblocked here).
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                return self.stranded.track(self.executor.submit(_lay_out_part, task))
            except RuntimeError:          # "can't start new thread": no memory left for its stack
                raise ReaderError(out_of_memory(self.reader, self.edition, task.name)) from None
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                self.processes = {p.pid: p for p in multiprocessing.active_children()}
        try:
            return self.stranded.track(self.executor.submit(_lay_out_part, task))
        except BrokenProcessPool:               # a worker died since the last part was done
            part, exitcode = self.casualty(task.name)
            raise ReaderError(worker_died(self.reader, self.edition, part, exitcode)) from None

    def result(self, future: Future, name: str) -> dict:
        """The part laid out; a worker that died or a layout out of memory ends the build."""
        try:
            result = future.result()
            self.drain()                   # (the queue must not fill up)
            self.finished.add(name)
            return result
        except BrokenProcessPool:
            part, exitcode = self.casualty(name)
            raise ReaderError(worker_died(self.reader, self.edition, part, exitcode)) from None
        except (MemoryError, SystemError) as exc:
            if not layout_ran_out_of_memory(exc):
                raise
            raise ReaderError(out_of_memory(self.reader, self.edition, name)) from None

    def casualty(self, name: str) -> tuple[str, int | None]:
        """The part whose worker died, and how it ended (the pool ends the other workers with
        SIGTERM); *name*, a part that was running, when the dead worker cannot be told.  Workers
        ended by a signal sent to the whole group (Ctrl-C, SIGTERM) whose exception this process
        lost (raised in a finaliser) are the user's interruption, not a death."""
        raise_if_interrupted()
        self.drain()
        for process in self.processes.values():
            process.join(timeout=5)
        dead = [(self.began.get(pid), p.exitcode) for pid, p in self.processes.items()
                if p.exitcode not in (0, None, -signal.SIGTERM)]
        known = [(part, code) for part, code in dead if part is not None and part not in self.finished]
        return known[0] if known else (name, dead[0][1] if dead else None)

    def drain(self) -> None:
        while self.started is not None and not self.started.empty():
            pid, part = self.started.get()
            self.began[pid] = part
            self.finished.discard(part)

    @staticmethod
    def wait(futures, idle=None) -> set:
        """The futures done, once one is; meanwhile *idle()*, as long as it finds work (each
        call short: a result is taken at most one call late)."""
        while idle is not None:
            done = wait(futures, timeout=0).done
            if done:
                return done
            if not idle():
                break
        return wait(futures, return_when=FIRST_COMPLETED).done

    def close(self) -> None:
        if self.executor is not None:
            broken = self.stranded.failed
            try:
                self.executor.shutdown(cancel_futures=True)
            except RuntimeError:          # its thread could not be started (out of memory)
                broken = True
            for process in self.processes.values() if broken else ():    # nor will it end the workers
                process.terminate()                                     # it started: they wait for parts
                process.join(timeout=5)
            self.started.close()
        self.stranded.uninstall()
        if self.folder:
            files.remove_tree(self.folder)
