"""WeasyPrint, extended: laying out an HTML book, and reading facts back from the boxes.

This is the one module of reader-build that relies on WeasyPrint's internals, and it
works with WeasyPrint :data:`SUPPORTED_VERSION` only: :func:`check_version` makes any
other version a clear error when a build starts, not a wrong book.  Other modules that
read laid-out pages (pdf/pagemap.py) take the page boxes from here (:func:`page_children`,
:func:`flow_children`, :data:`boxes`).

* :class:`AssetFetcher` serves fonts and images from memory and fetches
  nothing else: no network, no file outside the project.
* :func:`lay_out` lays a document out; while its pages are made, :class:`_PageFixer`
  mends a page whose note would fall on the next page, or whose paragraph has a stray
  line break, and resumes at that paragraph's first page.
* :func:`misplaced_notes` finds notes that WeasyPrint put on a later page than
  their call; :func:`keep_notes_rules` computes the CSS (for this layout only)
  that brings them back (see "orphan fix" in the project's design notes).
* in a ``fill-pages`` edition, the page mending also finds a page whose text stops lines
  above its notes because the next line's note did not fit, and cuts that note where the
  page ends, in the box tree (pdf/cuts.py), before it makes the page again;
  :func:`note_cut_rules` finds such pages on a finished layout (pdf/notes.py); a page whose
  text stops short because the next page opens with a figure too tall for the room left has
  the figure moved after the paragraphs that follow it (pdf/figures.py, :func:`figure_rules`);
* :func:`anchor_pages` maps every element id to its page number; :func:`renumber`
  moves the page numbers of a layout without laying it out again; :func:`page_ref_boxes`
  finds where the number of each page reference is drawn (pdf/pagerefs.py).
* While a document is laid out, the note area of a page is measured note by note
  (:func:`_update_note_area`: each note laid out once, not the whole area again for every
  note added), hyphen ladders are mended as the pages are made (:class:`_PageFixer`), and a
  text that fits its line but for its trailing space is given the line
  (:func:`_split_first_line`: WeasyPrint broke it early).  A note area that overflows by a
  rounding error (:data:`ROUNDING`) does not overflow: WeasyPrint took such a note to the next
  page, which at some sizes (A4 at 11pt) was every note.

Font subsets the same on every run: WeasyPrint 70 subsets the fonts it embeds with
HarfBuzz-Subset when ``libharfbuzz-subset0`` is there, and falls back to fontTools, whose
``TTFont.save`` stamps the current time into each font's ``head`` table.
:func:`reproducible_subsets` has WeasyPrint open fonts with ``recalcTimestamp=False`` (the
``modified`` date of the font file is kept, as HarfBuzz-Subset does), so that a build is
byte-identical on a machine without the library.

The WeasyPrint internals used (all of WeasyPrint 70.0):

* ``weasyprint.layout.block``'s ``columns_layout`` and ``block_box_layout`` (replaced during
  :func:`lay_out` only by pdf/columns.py, which lists what it uses: a page of columns is laid
  out once, not twice);
* ``weasyprint.layout.make_all_pages`` (replaced by :func:`_make_all_pages` during
  :func:`lay_out` only, then restored) and ``weasyprint.layout.page.remake_page``;
* ``weasyprint.layout.LayoutContext._update_footnote_area`` (replaced by
  :func:`_update_note_area` during :func:`lay_out` only), with the context's
  ``current_footnote_area`` (its ``height`` and ``max_height``), ``current_page_footnotes``,
  ``page_bottom`` and ``in_column``,
  ``weasyprint.layout.block.block_level_layout`` and
  ``weasyprint.formatting_structure.build.create_anonymous_boxes``, and a box's
  ``copy_with_children``, ``deepcopy``, ``content_box_y``, ``margin_height``, ``max_height``,
  ``min_height`` and a footnote call's ``footnote``;
* ``weasyprint.layout.inline.split_first_line`` (replaced by :func:`_split_first_line` during
  :func:`lay_out` only), with ``weasyprint.text.line_break``'s ``split_first_line``,
  ``create_layout``, ``line_size``, ``first_line_metrics`` and ``Layout.get_first_line``;
* a ``TextBox``'s ``text`` in the box tree (a ladder's word kept whole: :func:`_keep_whole`);
* ``weasyprint.layout.block.iter_line_boxes`` (replaced by :func:`_iter_line_boxes` during
  :func:`lay_out` and :func:`total_fit` only), with the layout context's ``excluded_shapes``,
  a line box's computed ``text_align_all``, ``text_align_last``, ``text_indent``,
  ``white_space`` and ``direction``, and, in pdf/linebreak.py, the inline boxes and text
  boxes of a paragraph (their ``text``, ``style``, ``is_in_normal_flow()`` and
  ``is_floated()``), ``weasyprint.text.line_break``'s ``create_layout``, ``line_size`` and
  ``get_log_attrs`` (Pango's ``is_line_break``), a style's ``font_config``;
* a margin box's computed ``content`` (:func:`numbered_pages`), its text boxes' ``text``,
  ``font_size`` and ``visibility`` (:func:`margin_texts`), a page box's ``content_box_x``,
  ``content_box_y``, ``width`` and ``height`` (:func:`page_areas`);
* the layout context: ``page_maker`` (its page states and remake states),
  ``footnotes``, ``reported_footnotes``, ``broken_out_of_flow``, ``running_elements``,
  ``current_page``, ``get_image_from_uri``;
* ``weasyprint.layout.page.set_page_type_computed_styles``, a page box's ``page_type`` and the
  context's ``style_for`` (:func:`margin_kinds`);
* ``weasyprint.layout.page.make_margin_boxes``, ``weasyprint.layout.background.layout_backgrounds``
  and ``weasyprint.document.Page`` (:func:`renumber`);
* ``weasyprint.pdf.fonts.TTFont`` and ``weasyprint.text.fonts.TTFont`` (replaced for good by a
  ``functools.partial`` of fontTools' ``TTFont`` with ``recalcTimestamp=False``) and
  ``weasyprint.pdf.fonts.harfbuzz_subset``;
* a page reference's box (:func:`page_ref_boxes`): an ``InlineBlockBox`` and its ``TextBox``'s
  ``position_x``, ``position_y`` and ``baseline`` (where WeasyPrint 70's ``draw_text`` sets the
  text matrix), the computed ``width``, ``text_align_all``, ``direction`` and
  ``text_decoration_line``, and the root element's ``iter()`` (the elements it stands in);
* a ``FontConfiguration``'s ``_folder`` (:func:`release`);
* a page's ``FootnoteAreaBox`` and the ``LineBox`` es of its notes and of its text flow, with
  their ``position_y``, ``height`` and ``margin_height()``, a footnote call's box
  (``element_tag`` ending in ``::footnote-call``) and a block's computed ``widows``,
  ``orphans``, ``margin_top`` and ``margin_bottom`` (:func:`note_cut_rules`);
* for the cuts of pdf/cuts.py: a footnote call's ``footnote`` (set and cleared), a note's box
  not yet laid out (its ``children``, ``copy_with_children``, ``TextBox.copy_with_text``, the
  computed ``anchor``, ``text_indent``, ``margin_top``, ``text_align_all`` and
  ``text_align_last`` of style copies), and the context's ``footnotes`` and
  ``reported_footnotes`` lists (the pieces put where the note stood); a note cut again
  (:meth:`_PageFixer._lengthen`) is laid out alone between two pages, in a block formatting
  context opened for it (the context's ``create_block_formatting_context`` and
  ``finish_block_formatting_context``), and a piece's ``rb_cut`` attribute (set by pdf/cuts.py)
  is read on the laid-out box of the note area;
* WeasyPrint's rule (layout/block.py, ``_linebox_layout``) that a page whose last note is
  reported (goes on overleaf) starts no other note, which :func:`_going_on` and
  :func:`_widow_rule` assume;
* for a figure moved (:meth:`_PageFixer._float_figure`): the ``children`` list of the box that
  holds it (reordered in place), a box's ``element`` (WeasyPrint's ElementTree element: its
  parent's children, its ``tag``), and a computed ``text_indent`` (in styles of their own);
* ``Page._page_box`` and the box classes of ``weasyprint.formatting_structure.boxes``
  (``BlockBox``, ``LineBox``, ``TextBox``, ``ReplacedBox``, ``MarginBox``, ``FootnoteAreaBox``,
  ``TableRowGroupBox``) with their ``element``, ``element_tag``, ``style``, ``children``,
  positions and sizes; a box's computed style (``copy()``, ``cascaded``, ``parent_style``).
"""
from __future__ import annotations

import base64
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote

import weasyprint
import functools
import re

import weasyprint.layout as _weasy_layout
import weasyprint.layout.block as _weasy_block
import weasyprint.layout.inline as _weasy_inline
import weasyprint.text.line_break as _weasy_line_break
import weasyprint.pdf.fonts as weasyprint_fonts
import weasyprint.text.fonts as weasyprint_text_fonts
from fontTools.ttLib import TTFont
from weasyprint.document import Page
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.build import create_anonymous_boxes
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.block import block_level_layout
from weasyprint.layout.page import make_margin_boxes, remake_page, set_page_type_computed_styles
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import linebreak

from ..ids import continued_id
from ..store import files
from ..source.project import INLINE_DATA, image_type
from . import columns, labels, pieces
from .cuts import HYPHENATED, Cutter, line_boxes, replace_in, rest_below_start, words_through
from .figures import figure_rule
from .notes import (CUT_RULE, FILL_PAGES, SPARE_CLASS, cut_number, cut_rule, is_continuation,
                    strip_spares, whole_rule)
from ..render.templates import weasyprint_warnings
from ..render.hyphenate import SHY, keep_word_whole, whole_word_rule

SUPPORTED_VERSION = "70.0"
WEASYPRINT_VERSION = weasyprint.__version__
ASSET_BASE = "https://reader.invalid/"
FONT_TYPES = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}
MAX_FIX_PASSES = 6
MAX_PAGE_FIXES = 400          # rules applied while one document's pages are made, at most
MAX_CUTS = 2                  # times one note is cut while the pages are made, at most (pdf/cuts.py)


class AssetFetcher(URLFetcher):
    """Fonts and images from memory, and the images and faces an SVG image carries in data: URLs;
    every other URL is refused."""

    def __init__(self, fonts: dict[str, bytes], images: dict[str, bytes]):
        super().__init__()
        self.fonts = fonts
        self.images = images
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url[:11].lower().startswith(INLINE_DATA):      # an image or a face inside an SVG image
            return data_url(url)
        if url.startswith(ASSET_BASE):
            path = url[len(ASSET_BASE):].split("?")[0].split("#")[0]
            if path.startswith("fonts/") and path[6:] in self.fonts:
                name = path[6:]
                suffix = name[name.rfind("."):].lower()
                return URLFetcherResponse(url, self.fonts[name], {"Content-Type": FONT_TYPES.get(suffix, "font/otf")})
            if path in self.images:
                data = self.images[path]
                return URLFetcherResponse(url, data, {"Content-Type": image_type(data) or "application/octet-stream"})
        self.refused.append(url)
        raise ValueError(f"reader-build fetches nothing from outside the project: {url}")


def data_url(url: str) -> URLFetcherResponse:
    """The content of a ``data:`` URL (RFC 2397), decoded here: nothing is fetched."""
    head, _, payload = url.partition(",")
    mime, *params = head[5:].split(";")
    data = (base64.b64decode(unquote(payload)) if "base64" in params
            else unquote(payload).encode("utf-8"))
    return URLFetcherResponse(url, data, {"Content-Type": mime or "text/plain"})


def check_version() -> str | None:
    """None when the installed WeasyPrint is the one this module extends, else the problem."""
    if WEASYPRINT_VERSION == SUPPORTED_VERSION:
        return None
    return (f"reader-build lays pages out with WeasyPrint {SUPPORTED_VERSION}, and this Python has "
            f"WeasyPrint {WEASYPRINT_VERSION}: install the version it needs (pip install "
            f"weasyprint=={SUPPORTED_VERSION})")


def page_children(page) -> tuple:
    """The boxes of a laid-out page (a ``weasyprint.Page``): the flow, the note area, the margins."""
    return page._page_box.children


def flow_children(page) -> list:
    """The boxes of a laid-out page's text flow, without its note area and margin boxes."""
    return _flow(page._page_box)


@dataclass
class Layout:
    document: weasyprint.Document
    warnings: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)      # the fix rules applied while the pages were made
    context: object | None = None                       # WeasyPrint's layout context, kept for renumber
    html: object | None = None                          # WeasyPrint's HTML document (margin_kinds)
    fonts: object | None = None                         # WeasyPrint's FontConfiguration (release)
    mends: list[str] = field(default_factory=list)      # the long notes' pieces ended with a full line (pdf/pieces.py)


def lay_out(html: str, fetcher: AssetFetcher, fix: list[str] | None = None, **options) -> Layout:
    """Parse and lay out *html*; WeasyPrint's warnings are collected, not logged.

    With *fix* (the fix rules already in *html*'s CSS), pages are mended while they are
    made (:class:`_PageFixer`); the rules that this applied are ``Layout.rules``.
    """
    reproducible_subsets()              # the PDF this layout is written to embeds the same fonts every run
    fixer = _PageFixer(fix, limit=MAX_PAGE_FIXES, cuts=FILL_PAGES in html) if fix is not None else None
    if fixer is None and FILL_PAGES in html:
        html = strip_spares(html)       # no page mending, no note cut: the spares would print
    with weasyprint_warnings() as records:
        _ACTIVE.append(fixer)
        _NOTE_HEIGHTS.append({})
        _FITS.append({} if MEMO_FITS else None)
        labels.begin()
        pieces.begin()
        _weasy_layout.make_all_pages = _make_all_pages
        _weasy_layout.LayoutContext._update_footnote_area = _update_note_area
        _weasy_inline.split_first_line = _split_first_line
        _TOTAL_FIT.append({"fonts": "\n".join(FONT_FACE.findall(html))} if linebreak.FIRST_FIT not in html else None)
        _weasy_block.iter_line_boxes = _iter_line_boxes
        fonts = FontConfiguration()
        try:
            with columns.install():
                document = weasyprint.HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher).render(
                    font_config=fonts, **options)
        finally:
            _ACTIVE.pop()
            _NOTE_HEIGHTS.pop()
            _FITS.pop()
            labels.end()
            mends = pieces.end()
            _TOTAL_FIT.pop()
            if not _ACTIVE:
                _weasy_block.iter_line_boxes = _original_iter_line_boxes
                _weasy_layout.make_all_pages = _original_make_all_pages
                _weasy_layout.LayoutContext._update_footnote_area = _original_update_note_area
                _weasy_inline.split_first_line = _original_split_first_line
    return Layout(document, [record.getMessage() for record in records], fixer.rules if fixer else [],
                  fixer.context if fixer else None, fixer.html if fixer else None, fonts, mends)


def release(layout: Layout | None) -> None:
    """Remove the folder where WeasyPrint put the fonts of *layout* (``weasyprint-*`` in the
    system's temp folder), once its PDF is written: WeasyPrint removes it only when its font
    configuration is collected, which a worker process that ends never does, so that every
    layout left its fonts behind (megabytes each).  A released layout cannot be drawn again."""
    folder = getattr(layout.fonts, "_folder", None) if layout is not None else None
    if folder is not None:
        files.remove_tree(folder)


def renumber(layout: Layout, delta: int) -> bool:
    """Move every page number of *layout* by *delta* (even: the left and right pages stay as
    they are) without laying the pages out again: the margin boxes are made anew from the page
    states that WeasyPrint kept.  False when that cannot be done (the layout kept no states)."""
    context = layout.context
    if delta % 2 or context is None or len(context.page_maker) < len(layout.document.pages) + 1:
        return False
    for _resume_at, _next_page, _right, page_state, _remake in context.page_maker:
        counters = page_state[1]
        if counters.get("page"):
            counters["page"] = [value + delta for value in counters["page"]]
    for i, page in enumerate(layout.document.pages):
        box = page._page_box
        context.current_page = i + 1
        kept = tuple(c for c in box.children if not isinstance(c, boxes.MarginBox))
        box.children = kept + tuple(make_margin_boxes(context, box, context.page_maker[i + 1][3]))
        layout_backgrounds(box, context.get_image_from_uri)
        layout.document.pages[i] = Page(box)
    return True


def anchor_pages(document) -> dict[str, int]:
    """Every element id -> its (1-based) page number; an element whose text runs on to a
    later page (WeasyPrint gives its id on each page) also has that page, under
    ``continued_id(id)`` (the index lists a name broken by a page turn on both pages)."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor not in pages:
                pages[anchor] = number
            elif number > pages[anchor]:
                pages[continued_id(anchor)] = number
    return pages


def page_areas(document) -> list[tuple]:
    """Per page, its content area (x, y, width, height): where its text stands (pdf/folios.py)."""
    return [(box.content_box_x(), box.content_box_y(), box.width, box.height)
            for box in (page._page_box for page in document.pages)]


def margin_texts(document) -> list[int]:
    """Per page, how many text objects its margin boxes draw (WeasyPrint draws a text box with
    something but white space in it, and not in a font of no size)."""
    return [sum(1 for child in page._page_box.children if isinstance(child, boxes.MarginBox)
                for box in child.descendants() if isinstance(box, boxes.TextBox) and box.text.strip()
                and box.style["font_size"] >= 1e-6 and box.style["visibility"] == "visible")
            for page in document.pages]


MARGIN_BOXES = tuple(f"@{edge}-{place}" for edge, places in (
    ("top", ("left-corner", "left", "center", "right", "right-corner")),
    ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
    ("left", ("top", "middle", "bottom")), ("right", ("top", "middle", "bottom"))) for place in places)


def margin_kinds(layout: Layout) -> list[tuple[str, str]] | None:
    """Per page, what its margin boxes show (their computed ``content``: ``counter(page)``,
    ``string(chapter)`` …) and what they would show were the page on the other side; None for a
    layout that kept no context (pdf/folios.py: an odd move)."""
    context, html = layout.context, layout.html
    if context is None or html is None:
        return None
    kinds = []
    for page in layout.document.pages:
        kind = page._page_box.page_type
        other = kind._replace(side="left" if kind.side == "right" else "right")
        if context.style_for(other) is None:
            set_page_type_computed_styles(other, html, context.style_for)
        kinds.append((_margin_kind(context, kind), _margin_kind(context, other)))
    return kinds


def _margin_kind(context, kind) -> str:
    shown = []
    for name in MARGIN_BOXES:
        style = context.style_for(kind, name)
        if style is not None and style["content"] not in ("normal", "inhibit", "none"):
            shown.append(f"{name}: {style['content']!r}")
    return "; ".join(shown)


SIDES = frozenset({"left", "right", "recto", "verso"})


def breaks_to_a_side(document) -> bool:
    """Does a box of *document* (but the root) ask to start or end on a page of one side
    (``break-before: right`` …)?  Then its pages depend on the side of its first page."""
    return any(box.element_tag != "html" and (box.style["break_before"] in SIDES or box.style["break_after"] in SIDES)
               for page in document.pages for child in page._page_box.children
               for box in child.descendants() if isinstance(box, boxes.BlockLevelBox))


def numbered_pages(document) -> list[bool]:
    """Per page: has it a margin box whose content shows the page number (``counter(page)``,
    ``counters(page, …)``)?  Those are the folios that pdf/folios.py sets anew."""
    def numbered(box) -> bool:
        content = box.style["content"]
        return isinstance(content, (list, tuple)) and any(
            kind in ("counter()", "counters()") and value and value[0] == "page" for kind, value in content)
    return [any(isinstance(child, boxes.MarginBox) and numbered(child) for child in page._page_box.children)
            for page in document.pages]


def page_openers(document) -> list[str]:
    """The ids that open their page: no line or image of the text before them stands above them
    there (a section that ends where the next heading opens a page ends on the page before)."""
    found = []
    for page in document.pages:
        if not page.anchors:
            continue
        first_bottom = min((box.position_y + box.height for child in flow_children(page) for box in child.descendants()
                            if isinstance(box, (boxes.LineBox, boxes.ReplacedBox))), default=None)
        found += [ident for ident, place in page.anchors.items()
                  if first_bottom is None or first_bottom > place[1] + 0.5]
    return sorted(found)


PAGE_REF_CLASS = "page-ref"
KEPT_ATTRIBUTES = ("class", "lang", "dir", "style")      # what selects a page reference's style


@dataclass(frozen=True)
class PageRefBox:
    """Where a page reference's number (``a.page-ref``, render/xref.py) is drawn: its page
    (0-based), the origin of its text (as WeasyPrint writes it in the ``Tm`` of the text
    object), its target, the number, the elements it stands in (:func:`page_ref_chain`), and
    whether another number can take its place without a new layout (*fixed*: a box of fixed
    width, the number at its start, no decoration, one text box)."""
    page: int
    x: float
    y: float
    target: str
    text: str
    chain: tuple
    fixed: bool


def page_ref_boxes(document) -> list[PageRefBox]:
    """Every page reference's number in *document*, in page order."""
    found = []
    parents: dict | None = None
    for number, page in enumerate(document.pages):
        for box in _page_ref_boxes(page._page_box):
            if parents is None:
                root = page._page_box.children[0].element
                parents = {child: parent for parent in root.iter() for child in parent}
            texts = [b for b in box.descendants() if isinstance(b, boxes.TextBox)]
            if not texts:
                continue
            text = texts[0]
            style = box.style
            decoration = text.style["text_decoration_line"]
            fixed = (isinstance(box, boxes.InlineBlockBox) and style["width"] != "auto" and len(texts) == 1
                     and style["text_align_all"] in ("start", "left") and style["direction"] == "ltr"
                     and (not decoration or decoration == "none"))
            found.append(PageRefBox(number, text.position_x, text.position_y + text.baseline,
                                    box.element.get("data-target", ""), "".join(t.text for t in texts),
                                    page_ref_chain(box.element, parents), fixed))
    return found


def _page_ref_boxes(box):
    if box.element_tag == "a" and PAGE_REF_CLASS in (box.element.get("class") or "").split():
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _page_ref_boxes(child)


def page_ref_chain(element, parents: dict) -> tuple:
    """The elements from below ``body`` down to *element*, each as (tag, attributes): what its
    style depends on, but for its siblings (see pdf/pagerefs.py)."""
    chain = []
    while element is not None and element.tag not in ("body", "html"):
        attributes = tuple((k, v) for k, v in sorted(element.attrib.items()) if k in KEPT_ATTRIBUTES)
        chain.append((element.tag, attributes))
        element = parents.get(element)
    return tuple(reversed(chain))


def note_pages(document) -> tuple[dict, dict]:
    """(call page, note page) by note element, 0-based."""
    call_page: dict = {}
    note_page: dict = {}
    for i, page in enumerate(document.pages):
        for child in page._page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                for box in child.descendants():
                    if box.element is not None and box.element_tag == "span":
                        note_page.setdefault(box.element, i)
            elif not isinstance(child, boxes.MarginBox):
                for box in child.descendants():
                    tag = box.element_tag or ""
                    if tag.endswith("::footnote-call") and not is_continuation(box.element):
                        call_page.setdefault(box.element, i)
    return call_page, note_page


def misplaced_notes(document) -> list[tuple[int, str]]:
    """(0-based page of the call, note id) for every note not on its call's page."""
    call_page, note_page = note_pages(document)
    out = []
    for element, page in call_page.items():
        if note_page.get(element) != page:
            out.append((page, element.get("id") or "?"))
    return sorted(out)


def fix_rule(key: str, prop: str, value) -> str:
    """The CSS of one fix rule, for the paragraph numbered *key* (``data-pi``)."""
    return f'[data-pi="{key}"] {{ {prop}: {value} !important; }}'


def keep_notes_rules(document) -> list[str]:
    """CSS rules that move the lines before each misplaced note so that it fits.

    For each page whose note went on, take the paragraph Q that ends the page:
    when Q starts on that page, break before it; otherwise ask for enough
    widows that Q's part on that page moves on with it.
    """
    first_page: dict = {}
    for i, page in enumerate(document.pages):
        for child in flow_children(page):
            for box in child.descendants():
                if isinstance(box, boxes.BlockBox) and box.element is not None:
                    first_page.setdefault(box.element, i)
    rules = []
    for page_index in sorted({page for page, _note in misplaced_notes(document)}):
        block = _last_line_block_of(document.pages[page_index]._page_box)
        key = block.element.get("data-pi") if block is not None else None
        if not key:
            continue
        if first_page.get(block.element) == page_index:
            rules.append(fix_rule(key, "break-before", "page"))
        else:
            lines = sum(_lines_of(later._page_box, block.element) for later in document.pages[page_index:])
            rules.append(fix_rule(key, "widows", max(lines, 2)))
    return rules


def stray_breaks(document) -> list[str]:
    """Paragraphs with a line that ends far short of the measure although more follows.

    WeasyPrint 70 sometimes breaks a justified line right after a hyphenated word
    fragment ("Amer-/ican/ drafters"); such a paragraph is laid out again
    without automatic hyphenation.
    """
    found: list[str] = []
    for page in document.pages:
        for box in _stray_paragraphs(page._page_box):
            if box.element.get("data-pi") not in found:
                found.append(box.element.get("data-pi"))
    return found


# -- a text that fits but for its trailing space ---------------------------------------------
#
# WeasyPrint (70) measures the first line of a text with its trailing space
# (``split_first_line``, step 2): a text that ends with a word space and fits the line only
# without it (the text before an inline element: "… 1946. <i>Title</i>", "… the latest
# version <span class=ix>…") is taken not to fit, and then broken early, after its first word
# or at its first soft hyphen.  A space at the end of a line is not set, so such a text fits:
# it is given the line (and the element after it goes to the next line, as WeasyPrint decides
# when its first word does not fit).

_original_split_first_line = _weasy_line_break.split_first_line
NARROWEST_GLYPH = 0.2        # of the font size: no text is narrower per character


# A text with no space that fits its line is laid out once per layout, not once per try: multi-column
# boxes (the indexes) lay out each column twice, and an index's locators are short texts of their own.
# The memo lives as long as one lay_out call, whose fonts its Pango layouts use.
MEMO_FITS = True
_FITS: list = []     # per lay_out call under way: (text, style, ...) -> (style, a result that fits)


def _split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True,
                      minimum=False):
    """``split_first_line``, with a text that fits but for its trailing spaces kept whole."""
    memo = _FITS[-1] if _FITS and max_width is not None and " " not in text else None   # (a space: justified)
    if memo is not None:
        key = (text, id(style), justification_spacing, is_line_start, minimum)
        known = memo.get(key)
        if known is not None and known[0] is style and known[1][3] <= max_width:
            return known[1]
    result = _original_split_first_line(text, style, context, max_width, justification_spacing,
                                        is_line_start, minimum)
    if memo is not None and result[2] is None and result[3] <= max_width:
        memo[key] = (style, result)
    if (result[2] is None or minimum or max_width is None or not text.endswith(" ")
            or style["white_space"] not in ("normal", "pre-line")):
        return result
    words = text.rstrip(" ")
    rest = text.encode()[result[2]:].decode(errors="ignore").rstrip(" ")
    if not words or len(rest) * NARROWEST_GLYPH * style["font_size"] > max_width - result[3]:
        return result                    # what the line left out cannot fit in the room it left
    layout = _weasy_line_break.create_layout(text, style, context, max_width, justification_spacing)
    first_line, resume_index = layout.get_first_line()
    if resume_index is not None:
        return result
    bare = _weasy_line_break.create_layout(words, style, context, max_width, justification_spacing)
    width, _height = _weasy_line_break.line_size(bare.get_first_line()[0], style)
    if width > max_width:
        return result
    return _weasy_line_break.first_line_metrics(first_line, text, layout, None, True, style)


# -- total-fit line breaking -----------------------------------------------------------
#
# The breaks of each justified paragraph are chosen all at once (pdf/linebreak.py) when
# WeasyPrint starts laying it out, and given to WeasyPrint by closing, in the paragraph's
# text, every break opportunity that was not chosen.

_original_iter_line_boxes = _weasy_block.iter_line_boxes
_TOTAL_FIT: list = []         # per lay_out call under way: {id(line box): line box, ...}, None: first fit
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def _iter_line_boxes(context, box, position_y, bottom_space, skip_stack, containing_block, absolute_boxes,
                     fixed_boxes, first_letter_style, first_line_style):
    """WeasyPrint's ``iter_line_boxes``, with a justified paragraph's breaks chosen first."""
    planned = _TOTAL_FIT[-1] if _TOTAL_FIT else None
    style = box.style
    if (planned is not None and skip_stack is None and id(box) not in planned and first_letter_style is None
            and first_line_style is None and not context.excluded_shapes and style["text_align_all"] == "justify"
            and style["white_space"] in ("normal", "pre-line") and style["direction"] == "ltr"
            and isinstance(containing_block.width, (int, float))):
        measure = planned.get("measure")
        if measure is None:
            measure = planned["measure"] = linebreak.measure_for(planned["fonts"])
            measure.start(context)
        planned[id(box)] = box
        planned.setdefault("texts", {})[id(box)] = [(text, text.text) for text in box.descendants()
                                                    if isinstance(text, boxes.TextBox)]
        width = containing_block.width
        indent = style["text_indent"]
        indent = indent.value * width / 100 if indent.unit == "%" else indent.value
        linebreak.plan(box, width - indent, width, measure)
    return _original_iter_line_boxes(context, box, position_y, bottom_space, skip_stack, containing_block,
                                     absolute_boxes, fixed_boxes, first_letter_style, first_line_style)


def _plan_again(block) -> None:
    """Have the lines of *block* (a paragraph whose indent changed) chosen again when it is laid
    out next: its text as it was before its breaks were chosen."""
    for line in block.children:
        _plan_line_again(line)


def _plan_line_again(line) -> None:
    """Have the breaks of *line* (a paragraph's line box before layout) chosen again when it is
    laid out next (its text as it was before)."""
    planned = _TOTAL_FIT[-1] if _TOTAL_FIT else None
    if planned is None:
        return
    for text, original in planned.get("texts", {}).pop(id(line), ()):
        text.text = original
    planned.pop(id(line), None)


@contextlib.contextmanager
def total_fit():
    """Total-fit line breaking for the WeasyPrint renders made inside, as :func:`lay_out` has it:
    to render the HTML that ``--emit-html`` writes with the lines of the build."""
    _TOTAL_FIT.append({"fonts": None})
    saved = _weasy_block.iter_line_boxes
    _weasy_block.iter_line_boxes = _iter_line_boxes
    try:
        yield
    finally:
        _TOTAL_FIT.pop()
        _weasy_block.iter_line_boxes = saved


# -- the note area, measured note by note ------------------------------------------------
#
# WeasyPrint (70) lays the whole note area of a page out again each time a note is added to
# it or taken back from it: a page with k notes costs k(k+1)/2 note layouts before its last
# one, about half the layout time of an annotated text.  The notes are blocks stacked with no
# vertical margin between them (print.css gives a note none), so the area is as tall as the
# sum of theirs: each note is laid out once, alone, in an area like the page's, and its
# height is kept for the rest of the layout.  A note with a margin at its top or bottom (its
# own, or one of its content's that would collapse with a neighbour's) is measured the old
# way, with the whole area, as is an area that holds anything else.

_original_update_note_area = _weasy_layout.LayoutContext._update_footnote_area
ROUNDING = 1e-6               # px: a note that overflows its area by less ends where the area ends
_NOTE_HEIGHTS: list = []      # per lay_out call under way: (note, width) -> (note, height or None)


def _laid_alone(context, area, note):
    """A copy of the note *area* holding *note* alone, laid out."""
    alone = create_anonymous_boxes(area.copy_with_children([note]).deepcopy())
    return block_level_layout(context, alone, -float("inf"), None, area.page)[0]


def _note_height(context, area, note) -> float | None:
    """The height of *note* laid out alone in a copy of the note *area*; None when its
    margins could meet a neighbour's (then only the whole area tells the height)."""
    key = (id(note), id(area.style), area.page.width, labels.label_shown(note))
    kept = _NOTE_HEIGHTS[-1].get(key)
    if kept is not None and kept[0] is note:
        return kept[1]
    laid = _laid_alone(context, area, note)
    height = None
    if len(laid.children) == 1:
        child = laid.children[0]
        height = child.margin_height()
        top = laid.content_box_y()
        if (child.margin_top or child.margin_bottom or child.position_y != top or
                laid.height != max(min(max(0, top + height - top), laid.max_height), laid.min_height)):
            height = None
    _NOTE_HEIGHTS[-1][key] = (note, height)
    return height


def _update_note_area(self):
    """``LayoutContext._update_footnote_area``, with the notes measured one by one: the same
    height, page bottom and overflow as WeasyPrint's, from each note laid out once.  The rest
    of a note cut where a page ends (pdf/cuts.py) does not fit below the note's start: it goes
    on overleaf, as it was cut to."""
    pieces.mend(self.current_page_footnotes, functools.partial(_note_by_id, self),
                functools.partial(_note_laid_alone, self), _forget_height)
    labels.show_labels(self.current_page_footnotes, _plan_line_again)
    overflow = _measured_note_area(self)
    return overflow or rest_below_start(self.current_page_footnotes)


def _note_by_id(context, wanted: str):
    """The box of the note whose element has the id *wanted*, wherever the layout holds it now."""
    for notes in (context.current_page_footnotes, context.reported_footnotes, context.footnotes):
        for note in notes:
            if note.element is not None and note.element.get("id") == wanted:
                return note
    return None


def _note_laid_alone(context, note):
    """*note* laid out alone in a copy of the page's note area (its box), or None."""
    laid = _laid_alone(context, context.current_footnote_area, note)
    return laid.children[0] if len(laid.children) == 1 else None


def _forget_height(note) -> None:
    """Measure *note* again when its height is next asked for (its boxes changed)."""
    if _NOTE_HEIGHTS:
        known = _NOTE_HEIGHTS[-1]
        for key in [key for key in known if key[0] == id(note)]:
            del known[key]


def _measured_note_area(self):
    area, notes = self.current_footnote_area, self.current_page_footnotes
    heights = [_note_height(self, area, note) for note in notes] if _NOTE_HEIGHTS else [None]
    if None in heights or not notes:
        overflow = _original_update_note_area(self)
        # WeasyPrint 70 finds the area overflowing when its last note ends where the area ends
        # but for a rounding error in the last bit (A4 at 11pt: every note of the bundled
        # reader), and takes the note, and its call's line, to the next page.  The notes overflow
        # the area only when it is as tall as its max-height lets it be.
        return overflow and area.height >= area.max_height - ROUNDING
    if area.height != "auto" and not self.in_column:
        self.page_bottom += area.margin_height()
    area.children = notes
    top = area.content_box_y()
    bottom = top
    for height in heights:
        bottom += height
    area.height = max(min(max(0, bottom - top), area.max_height), area.min_height)
    if not self.in_column:
        self.page_bottom -= area.margin_height()
    return bottom > area.position_y + area.margin_height() - area.margin_bottom + ROUNDING


# -- mending pages while they are made ---------------------------------------------------
#
# The fix rules (a note kept on its call's page, no stray line break) used to cost a
# whole second layout.  Each rule changes only the paragraph it names, so nothing before
# that paragraph's first page: the pages can be mended as they are made.  When a page
# shows a problem, the rule is applied to the paragraph's computed style, and the layout
# resumes at the paragraph's first page from the state WeasyPrint kept for it.  The pages
# are those that the same rules, given as CSS from the start, make (which is how a later
# build that remembers them lays the book out).  What this misses, misplaced_notes and
# stray_breaks still find on the finished layout.

_original_make_all_pages = _weasy_layout.make_all_pages
_ACTIVE: list = []            # the _PageFixer of each lay_out call under way (None: no mending)


def _make_all_pages(context, root_box, html, pages):
    """WeasyPrint's ``make_all_pages`` for the first pagination, with each page checked by the fixer."""
    fixer = _ACTIVE[-1] if _ACTIVE else None
    if fixer is None or pages:       # not ours, or WeasyPrint's later repagination of made pages
        if fixer is not None and fixer.cutter is not None:
            fixer.cutter.mirror(context.footnotes)
        yield from _original_make_all_pages(context, root_box, html, pages)
        return
    fixer.context, fixer.html = context, html
    made: list = []
    starts: list = []                # the context's state at the start of each page
    context.rendered_notes = []
    if fixer.cuts:                   # notes cut where a page ends (pdf/cuts.py), the known cuts first
        fixer.cutter = Cutter(root_box, context.footnotes)
        fixer.cutter.apply_rules(fixer.given)
        replace_in(context.footnotes, fixer.cutter.take_replacements())
    order = {id(note): n for n, note in enumerate(context.footnotes)}     # document order
    index = 0
    while True:
        # WeasyPrint 70 may carry a note over that was laid on a page before the notes it
        # carried already (it reports the page's last notes to make room for a line): the
        # notes carried to a page come in the order of the text (pieces of a long note).
        context.reported_footnotes.sort(key=lambda note: order.get(id(note), len(order)))
        del starts[index:]
        starts.append((list(context.footnotes), list(context.reported_footnotes), dict(context.broken_out_of_flow),
                       len(context.rendered_notes)))
        remake_state = context.page_maker[index][-1]
        remake_state.update(content_changed=False, pages_wanted=False, anchors=[], content_lookups=[])
        page, resume_at = remake_page(index, context, root_box, html)
        del made[index:]
        made.append(page)
        last = resume_at is None and not context.reported_footnotes
        back = fixer.check(root_box, made, index, last)
        if fixer.cutter is not None:
            _cut_in(fixer.cutter.take_replacements(), starts, order)
        if back is not None:
            footnotes, reported, broken, notes = starts[back]
            context.footnotes[:] = footnotes
            context.reported_footnotes = list(reported)
            context.broken_out_of_flow = dict(broken)
            del context.rendered_notes[notes:]
            for by_page in context.running_elements.values():
                for number in [n for n in by_page if n > back]:
                    del by_page[number]
            fixer.forget(back)
            index = back
            continue
        index += 1
        if last:
            context.page_maker = context.page_maker[:index + 1]
            context.broken_out_of_flow.clear()
            context.reported_footnotes.clear()
            break
    yield from made



def _cut_in(replaced: list, starts: list, order: dict) -> None:
    """Put the pieces of the notes cut (or the notes made whole) while a page was checked in the
    states kept for each page (a later page made again starts from one of them) and in the
    notes' order."""
    for old, new in replaced:
        for k, box in enumerate(new):
            order[id(box)] = order.get(id(old[0]), len(order)) + k / 2
    for footnotes, reported, _broken, _notes in starts:
        replace_in(footnotes, replaced)
        replace_in(reported, replaced)


class _PageFixer:
    """The problems of each page as it is made, and the rule that mends each (as
    :func:`keep_notes_rules` and :func:`stray_breaks` find them on a finished layout)."""

    def __init__(self, known: list[str], limit: int, cuts: bool = False):
        self.known = set(known)       # in the CSS already, or applied: never applied again
        self.given = list(known)      # the rules in the CSS, in their order (the last cut of a note holds)
        self.cuts = cuts              # fill-pages: holes above the notes filled by cutting a note
        self.cutter: Cutter | None = None
        self.cut_rules: dict[str, str] = {}      # note number -> the rule of its cut, made in this layout
        self.cuts_of: Counter = Counter()         # note number -> how often this layout cut it
        self.rules: list[str] = []
        self.limit = limit
        self.first_page: dict = {}    # paragraph element -> index of its first page
        self.pending = None           # (paragraph, page index): a widows rule waiting for the paragraph's end
        self.originals = None         # paragraph element -> its boxes in the box tree
        self.context = None           # WeasyPrint's layout context (for renumber)
        self.html = None              # WeasyPrint's HTML document (for margin_kinds)
        self.origins: dict = {}       # id of a style given to a box -> (that style, the one it copied)
        self.has_index = None         # does the document hold an index (``.index-body``)?
        self.index_lines: dict = {}   # page index -> its index lines (index_lines), once made

    def forget(self, back: int) -> None:
        self.first_page = {e: i for e, i in self.first_page.items() if i < back}
        self.index_lines = {i: lines for i, lines in self.index_lines.items() if i < back}
        self.pending = None

    def check(self, root_box, pages: list, index: int, last: bool) -> int | None:
        """After page *index* is made: the index of the page to make again from, or None."""
        page = pages[index]
        for box in _paragraphs(page):
            self.first_page.setdefault(box.element, index)
        if len(self.rules) >= self.limit:
            return None
        if self.cutter is not None:
            for number in self.cutter.stale(page, index):      # a cut that kept no line: made whole
                self.cutter.uncut(number)
                if number in self.cut_rules:     # (a cut of an earlier layout stays among its rules)
                    rule = self.cut_rules.pop(number)
                    self.rules.remove(rule)
                    if self.cuts_of[number] < MAX_CUTS:      # the page moved: it may be cut again
                        self.known.discard(rule)
                return index
            if index > 0:
                back = self._fill_hole(root_box, pages[index - 1], page, index - 1)
                if back is not None:
                    return back
                if self._float_figure(root_box, pages[index - 1], page):
                    return index - 1     # (the hole is at the foot of the page before: made again)
        back = self._fill_last_index_page(root_box, pages, index, last)
        if back is not None:
            return back
        if self.pending is not None:
            element, at = self.pending
            if last or not any(box.element is element for box in _paragraphs(page)):
                # the paragraph has ended: move all of its lines from page `at` on
                lines = sum(_lines_of(p, element) for p in pages[at:index + 1])
                return self._widows(root_box, element, lines)
            return None
        for box in _stray_paragraphs(page):
            start = self.first_page.get(box.element, index)
            if self._apply(root_box, box.element, "hyphens", "manual"):
                return start
        for element in dict.fromkeys(box.element for box in _paragraphs(page)):
            start = self.first_page.get(element, index)
            if self._mend_ladder(root_box, element, [line for made in pages[start:index + 1]
                                                     for line in _lines(made, element)]):
                return start
        if not _has_misplaced_note(page):
            return None
        block = _last_line_block_of(page)
        if block is None or not block.element.get("data-pi"):
            return None
        if self.first_page.get(block.element) == index:
            return index if self._apply(root_box, block.element, "break_before", "page") else None
        if last:
            return self._widows(root_box, block.element, _lines_of(page, block.element))
        self.pending = (block.element, index)
        return None

    def _fill_last_index_page(self, root_box, pages: list, index: int, last: bool) -> int | None:
        """An index whose last page holds fewer than :data:`MIN_LAST_PAGE_LINES` lines takes
        the entries that end the page before over with them (:func:`short_index_page_rules`),
        in the box tree, as soon as its last page is made: that page and the one before are
        made again (the index from the rule in its CSS would cost a second layout of it all).
        The last page is known when the document ends, or when a page holds no index lines
        after one that does (the next index opens a page of its own)."""
        if self.has_index is None:
            self.has_index = any("index-body" in (element.get("class") or "").split()
                                 for element in root_box.element.iter())
        if not self.has_index or index == 0:
            return None
        here = self._index_lines(pages, index)
        at = index - 1 if here and last else index - 2 if not here and index > 1 else None
        if at is None or not self._index_lines(pages, at + 1):
            return None
        element = entry_to_carry(self._index_lines(pages, at), self._index_lines(pages, at + 1),
                                 openers=letter_openers(pages[at]))
        if element is None or not self._apply(root_box, element, "break_before", "page"):
            return None
        return at

    def _index_lines(self, pages: list, index: int) -> list:
        """:func:`index_lines` of page *index*, found once for each page made."""
        if index not in self.index_lines:
            self.index_lines[index] = index_lines(pages[index])
        return self.index_lines[index]

    def _fill_hole(self, root_box, page, after, at: int) -> int | None:
        """Cut the note that leaves a hole above *page*'s notes (:func:`note_cut_rules`) in the
        box tree (pdf/cuts.py); the page (page *at*) is then made again: its index.  When *page*'s
        notes end with a note cut already, whose rest goes on overleaf, no later note can start
        on *page* (WeasyPrint puts a note on a page only when none of its notes goes on): that
        note is cut later instead (:meth:`_lengthen`).  When the call's line would take the
        paragraph's next line with it, and that line calls a note too, the paragraph may leave
        its last line overleaf (``widows: 1``): it is made again from its first page."""
        going_on = _going_on(page, after)
        if going_on is not None:
            return at if self._lengthen(page, after, at, going_on) else None
        rule = _note_cut(page, after, self.cuts_of)
        if rule is None or rule in self.known:
            return None
        found = CUT_RULE.fullmatch(rule)
        if found is None:                # the paragraph's last line may stand alone overleaf
            widowed = WIDOWS_RULE.fullmatch(rule)
            element = next((box.element for box in _paragraphs(after)
                            if box.element.get("data-pi") == widowed.group(1)), None)
            if element is None or not self._apply(root_box, element, "widows", 1):
                return None
            return min(self.first_page.get(element, at), at)
        self.known.add(rule)             # (tried once: a cut that cannot be made is not tried again)
        if not self.cutter.cut_note(found.group(1), int(found.group(2)), found.group(3)):
            return None
        self._record_cut(found.group(1), rule, at)
        return at

    def _record_cut(self, number: str, rule: str, at: int) -> None:
        """Keep *rule*, the cut of note *number* made in this layout for page *at*, in place of
        this layout's earlier cut of that note, if any."""
        self.known.add(rule)
        self.cutter.cut_for[number] = at
        if number in self.cut_rules:
            self.rules.remove(self.cut_rules.pop(number))
        self.rules.append(rule)
        self.cut_rules[number] = rule
        self.cuts_of[number] += 1

    def _lengthen(self, page, after, at: int, piece) -> bool:
        """Cut again, later, the note whose first piece *piece* ends the notes of *page* (page
        *at*): its first piece as tall as itself and the hole above the notes together; or make
        it whole again when all of it fits there (its rest would be too short to cut off), so
        that the notes after it may start on *page*."""
        number = piece.element.get("data-n")
        found = _hole(page, after)
        if found is None or number not in self.cutter.cut:
            return False
        note = self.cutter.cut[number][0]
        self.context.create_block_formatting_context()      # (between pages: WeasyPrint has none open)
        try:
            laid = _laid_alone(self.context, _note_area(page), note)
        finally:
            self.context.finish_block_formatting_context()
        if len(laid.children) != 1:
            return False
        room = piece.margin_height() + found[0]
        whole = laid.children[0]
        old_words, old_word = self.cutter.words[number]
        if whole.margin_height() <= room - SAFETY * found[1]:
            rule = whole_rule(number)
            if rule in self.known:
                return False
            self.cutter.uncut(number)
            self.known.add(rule)
            if number in self.cut_rules:            # (a cut of this layout: its rule goes)
                self.rules.remove(self.cut_rules.pop(number))
            if any(cut_number(given) == number for given in self.given):
                self.rules.append(rule)             # (a cut of an earlier layout is undone by a rule)
            self.cuts_of[number] += 1
            return True
        rule = _cut_of(whole, room)
        cut = CUT_RULE.fullmatch(rule) if rule is not None else None
        if cut is None or int(cut.group(2)) <= old_words or rule in self.known:
            return False
        self.cutter.uncut(number)
        if not self.cutter.cut_note(number, int(cut.group(2)), cut.group(3)):
            self.cutter.cut_note(number, old_words, old_word)      # (as it was)
            self.cutter.cut_for[number] = at
            return False
        self._record_cut(number, rule, at)
        return True

    def _float_figure(self, root_box, page, after) -> bool:
        """Move the figure that opens *after*, and leaves a hole at the foot of *page*, after
        the paragraph that follows it (pdf/figures.py), in the box tree: that paragraph's
        lines fill the hole.  The paragraph that now follows the figure takes its indent, as
        print.css's ``figure + p`` would give it, and the paragraph moved takes the indent of the
        one that followed it.  The figure goes on past the next paragraph when it still does
        not fit (each move is a rule: a later layout makes it in the HTML)."""
        found = _figure_hole(page, after)
        if found is None or not found[2]:
            return False
        figure, following = found[0], found[2][0]
        rule = figure_rule(figure.element.get("id") or "", following.get("data-pi"))
        if rule is None or rule in self.known or not self._move_after(root_box, figure.element, following):
            return False
        self.known.add(rule)
        self.rules.append(rule)
        return True

    def _move_after(self, root_box, figure, paragraph) -> bool:
        for box in root_box.descendants():
            children = getattr(box, "children", None)
            if not isinstance(children, list):
                continue
            at = next((i for i, child in enumerate(children) if child.element is figure
                       and isinstance(child, boxes.BlockBox)), None)
            if at is None:
                continue
            if at + 1 >= len(children) or children[at + 1].element is not paragraph:
                return False
            moved, text = children[at], children[at + 1]
            children[at:at + 2] = [text, moved]
            later = children[at + 2] if at + 2 < len(children) else None
            if later is not None and isinstance(later, boxes.BlockBox) and later.element is not None \
                    and later.element.tag == "p":
                indents = text.style["text_indent"], later.style["text_indent"]
                for block, indent in ((text, indents[1]), (later, indents[0])):
                    self._indent(block, indent)
                    _plan_again(block)
            return True
        return False

    def _indent(self, block, value) -> None:
        """Give *block* (and its boxes that inherit it) the text-indent *value*."""
        copies: dict = {}
        own = block.style
        _own_style(block, "text_indent", value, copies, self.origins)
        for inner in block.descendants():
            if inner is not block and _inherits_from(inner.style, own, "text_indent", self.origins):
                _own_style(inner, "text_indent", value, copies, self.origins)

    def _widows(self, root_box, element, lines: int) -> int | None:
        self.pending = None
        if self._apply(root_box, element, "widows", max(lines, 2)):
            return self.first_page.get(element, 0)
        return None

    def _mend_ladder(self, root_box, element, lines: list) -> bool:
        """Keep whole the word that makes a ladder of *lines* (the paragraph *element*'s so far):
        its soft hyphens are taken out of the box tree, as render.hyphenate.keep_words_whole takes
        them out of the HTML, so that the pages are those the rule gives from the start."""
        word = _ladder_word(lines)
        rule = word and whole_word_rule(element.get("data-pi"), word)
        if not rule or rule in self.known:
            return False
        self.known.add(rule)
        self.rules.append(rule)
        for box in self._originals(root_box).get(element, ()):
            _keep_whole(box, element, word)
        return True

    def _originals(self, root_box) -> dict:
        """The box tree that every page is made from, by paragraph."""
        if self.originals is None:
            self.originals = {}
            for box in root_box.descendants():
                if isinstance(box, boxes.BlockBox) and box.element is not None and box.element.get("data-pi"):
                    self.originals.setdefault(box.element, []).append(box)
        return self.originals

    def _apply(self, root_box, element, name: str, value) -> bool:
        """Give *element*'s boxes (and, for hyphens, the boxes inside that inherit it) the rule's
        value, in styles of their own: WeasyPrint shares one computed style among siblings."""
        rule = fix_rule(element.get("data-pi"), name.replace("_", "-"), value)
        if rule in self.known:
            return False
        self.known.add(rule)
        self.rules.append(rule)
        copies: dict = {}
        for box in self._originals(root_box).get(element, ()):
            if box.element_tag != element.tag:
                continue
            own = box.style
            _own_style(box, name, value, copies, self.origins)
            if name == "hyphens":
                for inner in box.descendants():
                    if inner is not box and _inherits_from(inner.style, own, name, self.origins):
                        _own_style(inner, name, value, copies, self.origins)
        return True


def _inherits_from(style, ancestor, name: str, origins: dict | None = None) -> bool:
    """Does *style* take *name* from *ancestor* (no style between them sets it)?  *origins*
    (:func:`_own_style`) names the style each copy was made from: a box given a style of its own
    twice (a paragraph a figure passes twice) has boxes inside whose styles still descend from
    the style it first had."""
    ancestors = {id(ancestor)}
    while origins and id(ancestor) in origins:
        ancestor = origins[id(ancestor)][1]
        ancestors.add(id(ancestor))
    while style is not None:
        if id(style) in ancestors:
            return True
        if name in getattr(style, "cascaded", {}):
            return False
        style = style.parent_style
    return False


def _own_style(box, name: str, value, copies: dict, origins: dict | None = None) -> None:
    """Give *box* a copy of its style with *name* set to *value* (*copies*: the copies made so
    far in this change, shared by the boxes that shared a style).  *origins*, when given, keeps
    (copy, the style it was made from) by the copy's id, for the layout's time."""
    key = id(box.style)
    if key not in copies:
        style = box.style.copy()
        style[name] = value
        copies[key] = (box.style, style)       # the old style kept alive: ids stay unique
        if origins is not None:
            origins[id(style)] = (style, box.style)
    box.style = copies[key][1]


def _flow(page):
    return [c for c in page.children if not isinstance(c, (boxes.FootnoteAreaBox, boxes.MarginBox))]


def _paragraphs(page):
    """The blocks of *page* that are numbered paragraphs (``data-pi``)."""
    for child in _flow(page):
        for box in child.descendants():
            if isinstance(box, boxes.BlockBox) and box.element is not None and box.element.get("data-pi"):
                yield box


def _boxes_of(page, element):
    for child in _flow(page):
        for box in child.descendants():
            if box.element is element and isinstance(box, boxes.BlockBox):
                yield box


def _lines(page, element) -> list:
    return [line for box in _boxes_of(page, element) for line in box.children if isinstance(line, boxes.LineBox)]


def _keep_whole(box, element, word: str) -> None:
    """Take the soft hyphens of *word* out of the text of *box* (of the paragraph *element*, in
    the box tree) and of its notes; a numbered element inside it is a paragraph of its own."""
    if isinstance(box, boxes.TextBox):
        box.text = keep_word_whole(box.text, word)
    for child in getattr(box, "children", ()):
        inner = child.element
        if inner is not None and inner is not element and inner.get("data-pi") is not None:
            continue
        _keep_whole(child, element, word)
        if child.footnote is not None:
            _keep_whole(child.footnote, element, word)


def _lines_of(page, element) -> int:
    return sum(sum(isinstance(b, boxes.LineBox) for b in box.children) for box in _boxes_of(page, element))


def _has_misplaced_note(page) -> bool:
    calls, notes = set(), set()
    for child in page.children:
        if isinstance(child, boxes.FootnoteAreaBox):
            notes.update(b.element for b in child.descendants() if b.element is not None and b.element_tag == "span")
        elif not isinstance(child, boxes.MarginBox):
            calls.update(b.element for b in child.descendants()
                         if (b.element_tag or "").endswith("::footnote-call") and not is_continuation(b.element))
    return bool(calls - notes)


def _last_line_block_of(page):
    """The block that holds the page's last body line (the last block with lines, in box order)."""
    owner = None
    for child in _flow(page):
        for box in child.descendants():
            if isinstance(box, boxes.BlockBox) and box.element is not None \
                    and any(isinstance(b, boxes.LineBox) for b in box.children):
                owner = box
    return owner


def _stray_paragraphs(page) -> list:
    """As :func:`stray_breaks`, for one page being made."""
    found = []
    for box in _paragraphs(page):
        lines = [b for b in box.children if isinstance(b, boxes.LineBox)]
        for line in lines[:-1]:
            inline = [c for c in line.children if getattr(c, "width", None) is not None]
            if inline and max(c.position_x + c.margin_width() for c in inline) - box.content_box_x() < 0.55 * box.width:
                found.append(box)
                break
    return found


LADDER = 3                   # this many hyphenated line ends in a row make a ladder


def _line_ends(line) -> tuple[str, str]:
    """The text that ends a line box and the text that starts it."""
    texts = [box.text.replace(linebreak.WJ, "") for box in line.descendants() if isinstance(box, boxes.TextBox)]
    texts = [text for text in texts if text]
    return (texts[-1], texts[0]) if texts else ("", "")


def _ladder_word(lines: list, longest: int = LADDER - 1) -> str | None:
    """The word to keep whole where more than *longest* of a paragraph's *lines* in a row end
    in a soft hyphen: the one broken at the end of the next line (None: no ladder)."""
    run = 0
    for n, line in enumerate(lines[:-1]):
        end, _start = _line_ends(line)
        run = run + 1 if end.endswith(HYPHENATED) else 0
        if run > longest:
            head = re.findall(r"[^\W\d_][^\s]*$", end[:-len(HYPHENATED)].replace(SHY, "")) or [""]
            tail = re.match(r"[^\W\d_]*", _line_ends(lines[n + 1])[1].lstrip().replace(SHY, "")).group(0)
            return head[0] + tail if head[0] and tail else None
    return None


def ladder_rules(document, longest: int = LADDER - 1) -> list[str]:
    """Rules that mend hyphen ladders: in each paragraph, where more than *longest* lines in a
    row end in a soft hyphen, the word broken at the end of the next line is kept whole
    (:func:`render.hyphenate.whole_word_rule`), one word per ladder and layout.  (The layout
    mends them as it makes the pages, :class:`_PageFixer`; this finds what it could not.)"""
    lines: dict = {}
    for page in document.pages:
        for box in _paragraphs(page._page_box):
            lines.setdefault(box.element, []).extend(b for b in box.children if isinstance(b, boxes.LineBox))
    rules = []
    for element, found in lines.items():
        word = _ladder_word(found, longest)
        if word:
            rules.append(whole_word_rule(element.get("data-pi"), word))
    return rules


MIN_LAST_PAGE_LINES = 5      # an index's last page holds at least this many lines


def index_lines(page) -> list:
    """The line boxes of an index's entries on *page* (inside ``.index-body``), in box order,
    each with the entry (``li`` with ``data-pi``) it belongs to."""
    found = []

    def walk(box, body: bool, entry):
        element = box.element
        if element is not None and isinstance(box, boxes.BlockBox):
            body = body or "index-body" in (element.get("class") or "").split()
            if element.tag == "li" and element.get("data-pi"):
                entry = box
        if isinstance(box, boxes.LineBox):
            if body and entry is not None:
                found.append((box, entry))
            return
        for child in getattr(box, "children", ()):
            walk(child, body, entry)
    for child in _flow(page):
        walk(child, False, None)
    return found


def short_index_page_rules(document, minimum: int = MIN_LAST_PAGE_LINES) -> list[str]:
    """Rules that give an index's last page at least *minimum* lines: when fewer spill over,
    the entries that end the page before go over with them (``break-before: page`` on the
    first of them; the columns of each page are balanced by the style sheet)."""
    per_page = [index_lines(page._page_box) for page in document.pages]
    rules = []
    for n in range(1, len(per_page)):
        ends_here = n + 1 == len(per_page) or not per_page[n + 1]
        element = entry_to_carry(per_page[n - 1], per_page[n], minimum,
                                 letter_openers(document.pages[n - 1]._page_box)) if ends_here else None
        if element is not None:
            rules.append(fix_rule(element.get("data-pi"), "break-before", "page"))
    return rules


def entry_to_carry(before: list, last: list, minimum: int = MIN_LAST_PAGE_LINES, openers=None):
    """The entry (its element) that opens the page *last* of an index instead, so that that
    page holds *minimum* lines at least; None when it does, or when no entry can go (never
    the first of the page *before*: all would go).  *before*, *last*: :func:`index_lines`.
    The first of a letter's entries goes with the letter's heading (*openers*, from
    :func:`letter_openers`): the heading opens the page instead, not left alone at the foot
    of the page before."""
    if not last or not before or len(last) >= minimum:
        return None
    entries = list(dict.fromkeys(entry.element for _line, entry in before))
    wanted, moved = minimum - len(last), 0
    for element in reversed(entries[1:]):
        moved += sum(1 for _line, entry in before if entry.element is element)
        if moved >= wanted:
            return (openers or {}).get(element, element)
    return None


def letter_openers(page) -> dict:
    """The first entry of each list on *page* that follows an index's letter heading
    (``.index-letter``, numbered with ``data-pi`` as the entries are) -> that heading."""
    found = {}

    def walk(box):
        before = None
        for child in getattr(box, "children", ()):
            element = child.element if isinstance(child, boxes.BlockBox) else None
            if element is not None and element.tag in ("ul", "ol") and before is not None \
                    and "index-letter" in (before.get("class") or "").split() and before.get("data-pi"):
                first = next(iter(element), None)
                if first is not None:
                    found[first] = before
            before = element
            walk(child)
    for child in _flow(page):
        walk(child)
    return found


HIDE_CONTINUED = " .fn-continued { display: none !important; }"


def label_rules(document) -> list[str]:
    """For the HTML that ``--emit-html`` writes: the rules that hide the "continued" label of
    each later piece of a note that does not open its page's notes, as the layout left it out
    (pdf/labels.py). Never given to a layout: there the labels are set while the pages are made."""
    rules = []
    for page in document.pages:
        for child in page._page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                rules += [f'#{note.element.get("id")}{HIDE_CONTINUED}' for note in child.children[1:]
                          if getattr(note, "element", None) is not None and is_continuation(note.element)]
    return rules


HOLE_LINES = 2.5             # text that stops more lines than this above the notes leaves a hole
# A note is cut for a smaller room than that: the room measured here, from the last line's box to
# the note area's, leaves out the space above the rule and the leading of the two lines, about a
# line, which the page shows as part of the gap (tests/pdf/textlayer.py measures from the text).
# Half a line less, not a whole one: cutting for every small room moves more pages, and on a long
# chapter left as many holes elsewhere as it filled (benchmarks/RESULTS.md, 2026-12-07).
CUT_HOLE_LINES = HOLE_LINES - 0.5
NOTE_LINES_KEPT = 2          # a note's piece on the next page has at least this many lines
FIRST_PIECE_LINES = 1        # and the piece on its call's page this many: as TeX cuts a note, one
                             # line of it at the page's foot is a lesser fault than a hole above it
SAFETY = 0.02                # of a note line: the room a cut leaves unused, for rounding (0.05 left a
                             # hole where two note lines missed by 0.1 px)


def note_cut_rules(document) -> list[str]:
    """Rules that fill the holes that notes leave (see pdf/notes.py): where a page's text stops
    more than :data:`CUT_HOLE_LINES` lines short because the line with a note's call went on to the
    next page with its note, the note is cut after the last whole word that fits in the hole
    (:func:`notes.cut_rule`), so that the call's line stays on its page with the note's start;
    or its paragraph may leave its last line alone overleaf (:func:`_widow_rule`)."""
    rules = []
    pages = [page._page_box for page in document.pages]
    for page, after in zip(pages, pages[1:]):
        rule = _note_cut(page, after)
        if rule is not None:
            rules.append(rule)
    return rules


def figure_rules(document) -> list[str]:
    """Rules that fill the holes that figures leave (see pdf/figures.py): where a page's text
    stops more than :data:`HOLE_LINES` lines short because the next page opens with a figure
    taller than the room left, the figure goes after as many of the paragraphs that follow it
    as have the lines to fill the hole (all of them, up to the first thing that is not one)."""
    rules = []
    pages = [page._page_box for page in document.pages]
    for page, after in zip(pages, pages[1:]):
        found = _figure_hole(page, after)
        if found is None:
            continue
        figure, wanted, last = found[0], found[1], None
        for following in found[2]:
            if wanted <= 0:
                break
            last = following
            wanted -= sum(_lines_of(later, following) for later in pages)
        rule = figure_rule(figure.element.get("id") or "", last.get("data-pi")) if last is not None else None
        if rule is not None:
            rules.append(rule)
    return rules


def _figure_hole(page, after) -> tuple | None:
    """(the box of the figure that opens *after*, too tall for the hole at the foot of *page*;
    that hole, in lines; the paragraphs that follow the figure, up to the first thing that is
    not one), or None when *page* has no such hole."""
    found = _hole(page, after)
    figure, parent = _opening_figure(page, after) if found is not None else (None, None)
    if figure is None or parent is None or figure.margin_height() <= found[0]:
        return None
    siblings = list(parent.element)
    # what follows the figure is read from the boxes laid out, where a move made in this layout
    # (_PageFixer._float_figure) stands, and past them from the elements, which it leaves as they are
    laid = [child.element for child in parent.children]
    at = next((i for i, box in enumerate(parent.children) if box is figure), None)
    if at is not None and at + 1 < len(laid) and laid[at + 1] in siblings:
        start = siblings.index(laid[at + 1])
    else:
        start = next((i for i, child in enumerate(siblings) if child is figure.element), len(siblings)) + 1
    paragraphs = []
    for following in siblings[start:]:
        if following is figure.element:
            continue
        if following.tag != "p" or not following.get("data-pi"):
            break
        paragraphs.append(following)
    return figure, found[0] / found[1], paragraphs


def _hole(page, after) -> tuple[float, float] | None:
    """(the room left at the foot of *page*, above its notes or above its foot when it has none;
    the pitch of its lines) when that room is more than :data:`HOLE_LINES` lines and the page
    *after* goes on with the same text (no forced break opens it)."""
    lines = _flow_lines(page)
    if not lines or not _flow(after) or _opens_anew(page, after):
        return None
    heights = sorted(line.height for line in lines)
    pitch = heights[len(heights) // 2]
    area = _note_area(page)
    top = area.position_y if area is not None and area.children else page.content_box_y() + page.height
    bottom = max(box.position_y + box.margin_height() for child in _flow(page) for box in child.descendants()
                 if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)))
    hole = top - bottom
    return (hole, pitch) if pitch > 0 and hole > HOLE_LINES * pitch else None


FORCED_BREAKS = frozenset(("page", "left", "right", "recto", "verso"))


def _first_new_boxes(page, after):
    """(box, its parent box) of the boxes that open *after* (the page that follows *page*),
    outermost first, from the first whose element does not go on from *page*."""
    seen = {box.element for child in _flow(page) for box in child.descendants() if box.element is not None}
    flow = _flow(after)
    box, parent = (flow[0] if flow else None), None
    while box is not None:
        if box.element not in seen:
            yield box, parent
        children = [child for child in getattr(box, "children", ()) if not isinstance(child, boxes.MarginBox)]
        box, parent = (children[0] if children else None), box


def _opens_anew(page, after) -> bool:
    """Does a forced page break open *after*, the page that follows *page*?"""
    return any(box.style["break_before"] in FORCED_BREAKS for box, _parent in _first_new_boxes(page, after))


def _opening_figure(page, after) -> tuple:
    """(the box of the figure that opens *after*, the page that follows *page*; the box it
    stands in), or (None, None)."""
    box, parent = next(_first_new_boxes(page, after), (None, None))
    if isinstance(box, boxes.BlockBox) and box.element_tag == "figure" and parent is not None \
            and parent.element is not None:
        return box, parent
    return None, None


def _note_area(page):
    return next((c for c in page.children if isinstance(c, boxes.FootnoteAreaBox)), None)


def _flow_lines(page) -> list:
    return [line for child in _flow(page) for line in line_boxes(child)]


def _note_cut(page, after, shorter: Counter | None = None) -> str | None:
    """The cut rule that fills *page*'s hole above its notes, if a note of the page *after* it
    made that hole (None otherwise); *shorter* tells by how many lines to cut a note shorter
    than it seems to fit (a cut that did not keep the call's line on *page*: a second try).
    Where the call's line would go on all the same (:func:`_widowed`), the rule that lets its
    paragraph leave its last line alone overleaf (:func:`_widow_rule`)."""
    lines = _flow_lines(page)
    later = _flow_lines(after)
    area, next_area = _note_area(page), _note_area(after)
    if not lines or not later or next_area is None or not next_area.children or _going_on(page, after):
        return None              # (no later note starts on a page whose last note goes on)
    last = lines[-1]
    pitch = last.height
    has_notes = area is not None and bool(area.children)
    top = area.position_y if has_notes else page.content_box_y() + page.height
    hole = top - (last.position_y + last.height)
    if pitch <= 0 or hole <= CUT_HOLE_LINES * pitch:
        return None
    notes = {child.element: child for child in next_area.children if child.element is not None}
    first_top = later[0].position_y - _gap_between(page, last, after, later[0])
    for line in later:
        used = line.position_y + line.height - first_top
        if used > hole:
            return None
        for call in _calls(line):
            note = notes.get(call.element)
            if note is None:
                continue
            extra = 0 if has_notes else next_area.margin_height() - next_area.height
            widowed = _widowed(after, line)
            kept = _kept_with(after, line, page, 1 if widowed else None)   # lines that must stay with the call's line
            if kept:
                used = kept[-1].position_y + kept[-1].height - first_top
            if widowed:
                return _widow_rule(after, line, note, hole - used - extra)
            room = hole - used - extra
            less = (shorter or {}).get(note.element.get("data-n"), 0)
            return _cut_of(note, room, less) if room > 0 else None
    return None


def _going_on(page, after):
    """The box of the first piece of a note cut while the pages were made (pdf/cuts.py) that ends
    *page*'s notes, its rest opening the notes of *after* (the next page); or None."""
    area, next_area = _note_area(page), _note_area(after)
    if area is None or not area.children or next_area is None or not next_area.children:
        return None
    piece, rest = area.children[-1], next_area.children[0]
    if not getattr(piece, "rb_cut", False) or piece.element is None or rest.element is None:
        return None
    number = piece.element.get("data-n")
    classes = (rest.element.get("class") or "").split()
    return piece if SPARE_CLASS in classes and rest.element.get("data-n") == number else None


WIDOWS_RULE = re.compile(r'\[data-pi="([^"]+)"\] \{ widows: 1 !important; \}')


def _widow_rule(after, line, note, room: float) -> str | None:
    """The rule that lets the paragraph of *line* (the first line of the page *after* with a
    note's call) leave its last line alone overleaf, when the call's line would otherwise go
    on with it (:func:`_widowed`: that last line calls a note too, which cannot start on *page*
    once this one is cut), and the note starts in *room* (the hole above *page*'s notes, below
    *line* and the lines kept with it), whole or cut.  A widow line is a lesser fault than a page
    that stops lines short."""
    block = _owner(after, line)
    if block is None or block.element is None or not block.element.get("data-pi"):
        return None
    fits = room > 0 and (note.margin_height() <= room or _cut_of(note, room) is not None)
    rule = fix_rule(block.element.get("data-pi"), "widows", 1)
    return rule if fits and WIDOWS_RULE.fullmatch(rule) else None


def _owner(page, line):
    """The block of *page* whose line *line* is."""
    for child in _flow(page):
        for block in child.descendants():
            if any(box is line for box in getattr(block, "children", ())):
                return block
    return None


def _line_boxes(block) -> list:
    return [box for box in block.children if isinstance(box, boxes.LineBox)]


def _gap_between(page, last, after, first) -> float:
    """The space between *page*'s last line *last* and *after*'s first line *first*, were they on
    one page: the collapsed margins of their paragraphs (a page break drops them), or nothing
    when *first* goes on with *last*'s paragraph or with a paragraph begun before it."""
    above, below = _owner(page, last), _owner(after, first)
    if above is None or below is None or below.element is None or below.element is above.element:
        return 0
    if _lines_of(page, below.element) or below.children[0] is not first:
        return 0

    def px(value) -> float:
        return value.value if getattr(value, "unit", None) == "px" else 0
    return max(px(above.style["margin_bottom"]), px(below.style["margin_top"]), 0)


def _kept_with(page, line, before, widows: int | None = None) -> list:
    """The lines after *line* (on *page*) that must go with it to the page *before* when it
    goes there: the rest of its paragraph when fewer than ``widows`` lines of it (or *widows*)
    would be left behind, or as many as ``orphans`` wants (a paragraph's first lines on a page)."""
    block = _owner(page, line)
    if block is None:
        return []
    lines = _line_boxes(block)
    at = lines.index(line)
    following = lines[at + 1:]
    if len(following) < (block.style["widows"] if widows is None else widows):
        return following
    earlier = _lines_of(before, block.element) if block.element is not None else 0
    short = block.style["orphans"] - (earlier + at + 1)
    return following[:short] if short > 0 else []


def _calls(line) -> list:
    """The boxes of the calls of notes in *line* (not of a note's later pieces)."""
    return [box for box in line.descendants()
            if (box.element_tag or "").endswith("::footnote-call") and not is_continuation(box.element)]


def _widowed(page, line) -> bool:
    """Would *line* (with a note's call) go on to the next page even with its note cut?  Once a
    note's later piece is carried over, the page ends before the next line with a call; if
    fewer than ``widows`` lines of the paragraph would follow that break, WeasyPrint takes
    lines back with it, as far as *line*."""
    block = _owner(page, line)
    if block is None:
        return False
    lines = _line_boxes(block)
    rest = lines[lines.index(line) + 1:]
    at = next((i for i, later in enumerate(rest) if _calls(later)), None)
    return at is not None and block.style["widows"] - (len(rest) - at) > at


def _cut_of(note, room: float, less: int = 0) -> str | None:
    """The rule that cuts *note* (its box, laid out whole) after the last whole word of its
    lines that fit in *room* (*less* lines fewer); None when fewer than :data:`FIRST_PIECE_LINES`
    lines would stand on the call's page, or fewer than :data:`NOTE_LINES_KEPT` on the next."""
    number = note.element.get("data-n")
    lines = line_boxes(note)
    classes = set((note.element.get("class") or "").split())
    if not number or not lines or {"fn-cont", "fn-cut"} & classes or getattr(note, "rb_cut", False):
        return None              # (a later piece, or a note cut already: each layout costs time)
    safety = SAFETY * lines[0].height
    fit = sum(1 for line in lines if line.position_y + line.height - note.position_y <= room - safety)
    fit = min(fit, len(lines) - NOTE_LINES_KEPT) - less   # (the hole filled within a line or two)
    if fit < FIRST_PIECE_LINES:
        return None
    found = words_through(note, lines, fit)
    return cut_rule(number, *found) if found else None


def reproducible_subsets() -> None:
    """Have WeasyPrint open fonts with ``recalcTimestamp=False`` (idempotent): to subset them, and
    to decode a WOFF font (``weasyprint.text.fonts``, which saved it with the time of the build)."""
    for module in (weasyprint_fonts, weasyprint_text_fonts):
        current = module.TTFont
        if not (isinstance(current, functools.partial) and current.keywords.get("recalcTimestamp") is False):
            module.TTFont = functools.partial(TTFont, recalcTimestamp=False)


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint found HarfBuzz-Subset (else it subsets with fontTools)."""
    return weasyprint_fonts.harfbuzz_subset is not None
