"""Handouts: sections of the reader printed on their own, with the print edition's pages.

A handout is made of the print edition's own pages, taken out of its PDF, so
that folios, note numbers and line breaks are those of the book by
construction.  After them comes a page "Works cited in this handout" (the
bibliography entries of the works cited in the chosen sections), set in the
reader's page size and styles.  :mod:`impose` then places the pages on A4 or
Letter sheets (1-up, 2-up, 4-up or as a saddle-stitched booklet), and a
header line on each sheet names the reader, the edition and the pages.

``reader-build handout`` (commands/handout.py) calls :func:`make_handout_result`; a
full build makes the handouts declared in ``reader.toml`` with :func:`build_handout`,
reusing the print edition's layout.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import Callable

from .. import __version__
from ..config import Edition, Handout, length_mm
from ..diagnostics import Diagnostics, did_you_mean
from .impose import Sheet, impose
from ..ids import ref_id
from ..model import Chapter, Reader
from ..source.tomlplace import element_place, place
from ..render.html import book_title, inline_html
from ..render.templates import pdf_stylesheets, read_css
from ..pdf.engine import AssetFetcher, lay_out, release
from ..pdf.compose import page_css
import pikepdf
from pypdf import PdfReader
from ..config import build_date
from ..store.cache import CACHE_DIR, BuildCache, edition_key
from ..pdf.parallel import build_pdf
from ..pdf.compose import PdfResult
from ..pdf.sections import section_pages
from ..language.locale import locale_of
from ..language.typography import keep_ranges

FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
DEFAULT_FONT_FACES = (
    '@font-face { font-family: "Reader Serif"; src: url(fonts/LinLibertine_R.otf); }\n'
    '@font-face { font-family: "Reader Serif"; src: url(fonts/LinLibertine_RI.otf); font-style: italic; }\n')
NO_RUNNING_HEADS = "\n".join(
    f"@page {sel} {{ @top-left {{ content: none }} @top-center {{ content: none }} "
    f"@top-right {{ content: none }} @bottom-center {{ content: none }} @bottom-right {{ content: none }} }}"
    for sel in ("", ":left", ":right", ":first", "chapter", "chapter:nth(1 of chapter)"))


@dataclass
class HandoutResult:
    data: bytes
    sheets: list[Sheet]
    pages: list[int]             # the print pages, 1-based, in order
    extra_pages: int             # pages after them: "Works cited in this handout"
    cited: list[str]             # bibliography keys on the works-cited page
    header: str                  # the header line, as plain text
    edition: Edition


# --- which pages -----------------------------------------------------------------------

Where = Callable[..., dict]        # (key, element=None) -> {"path", "line", "col"} for a diagnostic


def _nowhere(key: str, element: str | None = None) -> dict:
    """A handout asked for on the command line: no place in reader.toml."""
    return {}


def handout_edition(reader: Reader, handout: Handout, diags: Diagnostics, at: Where = _nowhere) -> Edition | None:
    """The PDF edition whose pages a handout reproduces (the print edition by default)."""
    config = reader.config
    edition = config.edition(handout.edition)
    if edition is None and handout.edition == "print":
        edition = config.print_edition
    if edition is None:
        pdfs = [e.name for e in config.editions if e.is_pdf]
        if not pdfs:
            diags.error("handout-no-print-edition", "the project has no PDF edition, and a handout reproduces "
                        "the pages of one: add [editions.print] to reader.toml", **at("edition"))
        else:
            diags.error("handout-edition-unknown", f"handout '{handout.name}' names edition '{handout.edition}', "
                        f"which the project does not have{did_you_mean(handout.edition, pdfs)}", **at("edition"))
        return None
    if not edition.is_pdf:
        diags.error("handout-edition-not-pdf", f"handout '{handout.name}' names edition '{edition.name}', "
                    "which is not a PDF edition: a handout reproduces printed pages", **at("edition"))
        return None
    return edition


def check_sections(reader: Reader, ids, diags: Diagnostics, at: Where = _nowhere) -> bool:
    """Report every id that is neither a chapter nor a ## section; True when all are known."""
    known = [ident for ident, _title, _chapter in reader.sections()]
    ok = True
    for ident in ids:
        if ident not in known:
            hint = did_you_mean(ident, known)
            if not hint:
                hint = "; the sections are: " + ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
            diags.error("handout-section-unknown", f"there is no chapter or section '{ident}'{hint}",
                        **at("sections", ident))
            ok = False
    return ok


def handout_pages(reader: Reader, result, ids) -> list[int]:
    """The print pages (1-based, in order, each once) that hold the sections *ids* (a section
    ends on the page where the next one begins, unless the next heading opens that page)."""
    table = _section_table(reader, result)
    pages: set[int] = set()
    for ident in ids:
        first, last = table[ident]
        pages.update(range(first, last + 1))
    return sorted(pages)


def page_label(pages: list[int], locale=None) -> str:
    """'p. 7', 'pp. 21–32' or 'pp. 5–6, 21–32' (the words of *locale*, a language.locale.Locale)."""
    if not pages:
        return ""
    runs: list[list[int]] = []
    for page in pages:
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    text = ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in runs)
    locale = locale or locale_of(None)
    return locale.t("page" if len(pages) == 1 else "pages") + " " + text


# --- which works ------------------------------------------------------------------------

def _note_call_lines(chapter: Chapter) -> dict[int, int]:
    """Local note id -> line of its call in the chapter file (a note called from a note: that note's call)."""
    def calls(tokens):
        for tok in tokens:
            if tok.type == "inline":
                line = (tok.map[0] + 1) if tok.map else None
                for child in tok.children or ():
                    if child.type == "footnote_ref":
                        yield child.meta["id"], line

    lines: dict[int, int] = {}
    for local, line in calls(chapter.parsed.tokens):
        if line is not None:
            lines.setdefault(local, line)
    for _ in range(4):                       # notes called from notes, a few levels deep
        for note in chapter.parsed.notes:
            if note.local_id in lines:
                for local, _line in calls(note.tokens):
                    lines.setdefault(local, lines[note.local_id])
    return lines


def cited_keys(reader: Reader, ids) -> list[str]:
    """Bibliography keys cited in the chapters or ## sections *ids*, notes included, in order."""
    keys: dict[str, None] = {}
    wanted = set(ids)
    for chapter in reader.chapters:
        heads = [h for h in chapter.parsed.headings if h.level == 2]
        spans = []                           # (first line, line after) of the wanted parts
        if chapter.id in wanted:
            spans.append((0, float("inf")))
        for n, heading in enumerate(heads):
            if heading.id in wanted:
                spans.append((heading.line, heads[n + 1].line if n + 1 < len(heads) else float("inf")))
        if not spans:
            continue
        call_line = _note_call_lines(chapter)
        for use in chapter.parsed.citations:
            line = use.line if use.in_note is None else call_line.get(use.in_note, use.line)
            if any(a <= line < b for a, b in spans):
                for item in use.citation.items:
                    keys.setdefault(item.key, None)
    return [k for k in keys if reader.bibliography.has(k)]


# --- what is drawn ----------------------------------------------------------------------

def _reader_css(reader: Reader, edition: Edition, root: Path, diags: Diagnostics) -> str:
    parts = []
    for name in pdf_stylesheets(edition.medium):
        found = read_css(root, name, diags, reader.tree)
        if found:
            parts.append(found[1])
    return "\n".join(parts)


def _font_faces(css: str, reader: Reader) -> str:
    faces = "\n".join(FONT_FACE.findall(css))
    if not faces and "LinLibertine_R.otf" in reader.fonts:
        faces = DEFAULT_FONT_FACES
    return faces


def _render(reader: Reader, html: str) -> bytes:
    layout = lay_out(html, AssetFetcher(reader.fonts, reader.images))
    try:
        return layout.document.write_pdf()
    finally:
        release(layout)


def works_cited_pdf(reader: Reader, edition: Edition, keys: list[str], css: str) -> bytes | None:
    """The page(s) "Works cited in this handout", in the edition's page size and styles."""
    entries = reader.bibliography.entries_html(keys)
    if not entries:
        return None
    items = "\n".join(f'<li class="bib-entry" id="{ref_id(key)}">{keep_ranges(html)}</li>' for key, html in entries)
    title = locale_of(reader).t("handout-works-cited")
    single = replace(edition, sides="single")
    html = f"""<!DOCTYPE html>
<html lang="{escape(reader.config.language)}"><head><meta charset="utf-8"/>
<title>{escape(title)}</title>
<style>
{page_css(reader, single)}
{css}
{NO_RUNNING_HEADS}
section.handout-works-cited {{ break-before: auto; }}
section.handout-works-cited h1.chapter-title {{ margin-top: 6mm; string-set: none; bookmark-level: none; }}
</style></head>
<body class="edition-{escape(edition.name)} medium-{escape(edition.medium)} sides-single handout">
<section class="chapter kind-back bibliography handout-works-cited">
<h1 class="chapter-title">{escape(title)}</h1>
<ul class="bib-list">
{items}
</ul>
</section>
</body></html>"""
    return _render(reader, html)


def header_text(reader: Reader, edition: Edition, pages: list[int]) -> tuple[str, str]:
    """(plain text, HTML) of the header line."""
    locale = locale_of(reader)
    title = book_title(reader)
    rest = f" · {locale.t('handout-edition', edition=edition.name)} · {page_label(pages, locale)}"
    return title + rest, f"<i>{inline_html(reader.config.title, reader.config.language, locale)}</i>{escape(rest)}"


def folio_label(box, folios: list[int], locale) -> str:
    """The print pages of a header line's pages ('p. 7', 'pp. 7–8'); the works-cited pages have none."""
    return page_label([folios[p] for p in box.pages if p < len(folios)], locale)


def _header_boxes(sheet: Sheet, number: int, total: int, header_html: str, folio) -> list[str]:
    """The header line(s) of one sheet: the handout's header, each line with the print folios of its pages."""
    boxes = []
    for box in sheet.headers:
        top = sheet.height - box.y - box.height
        style = f"left: {box.x:.2f}pt; top: {top:.2f}pt; width: {box.width:.2f}pt; height: {box.height:.2f}pt"
        label = escape(folio(box))
        if box.align == "justify":          # the header on the left; folio and sheet number on the right
            right = f"{label} · {number} / {total}" if label else f"{number} / {total}"
            room = 40 + 4 * len(label)
            narrow = style.replace(f"width: {box.width:.2f}pt", f"width: {max(box.width - room, 0):.2f}pt")
            boxes.append(f'<div class="h" style="{narrow}"><span class="t">{header_html}</span></div>'
                         f'<div class="h right" style="{style}">{right}</div>')
        else:                               # the folio at the outer end, as on a book's page
            text = (f"{label} · {header_html}" if box.align == "left" else f"{header_html} · {label}") \
                if label else header_html
            boxes.append(f'<div class="h {box.align}" style="{style}"><span class="t">{text}</span></div>')
    return boxes


def headers_pdf(reader: Reader, sheets: list[Sheet], header_html: str, faces: str,
                folios: list[int] = ()) -> bytes | None:
    """One page per sheet, each with its header line(s) where :mod:`impose` put them; a line names
    the print folios (*folios*: the print page of each handout page) of the pages it belongs to,
    so that a page whose folio the book leaves out (a chapter's opening) still carries its number."""
    if not any(sheet.headers for sheet in sheets):
        return None
    total = len(sheets)
    locale = locale_of(reader)
    folios = list(folios)
    pages = []
    for number, sheet in enumerate(sheets, start=1):
        boxes = _header_boxes(sheet, number, total, header_html, lambda box: folio_label(box, folios, locale))
        pages.append(f'<div class="sheet" style="width: {sheet.width:.2f}pt; height: {sheet.height - 1:.2f}pt">'
                     + "".join(boxes) + "</div>")
    width, height = sheets[0].width, sheets[0].height      # impose gives every sheet one size
    html = f"""<!DOCTYPE html>
<html lang="{escape(reader.config.language)}"><head><meta charset="utf-8"/><style>
{faces}
@page {{ size: {width:.3f}pt {height:.3f}pt; margin: 0; }}
html {{ font-family: "Reader Serif", serif; font-size: 7.5pt; color: #444; }}
body {{ margin: 0; }}
.sheet {{ position: relative; overflow: hidden; break-after: page; }}
.sheet:last-child {{ break-after: auto; }}
.h {{ position: absolute; line-height: 1; white-space: nowrap; }}
.h .t {{ display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }}
.h.right {{ text-align: right; }}
</style></head><body>{"".join(pages)}</body></html>"""
    return _render(reader, html)


def assemble(print_pdf: bytes, pages: list[int], extra: bytes | None, sheets: list[Sheet],
             headers: bytes | None, title: str, language: str = "") -> bytes:
    """Place the print pages (and the works-cited pages) on the sheets, headers on top.

    Each page goes on its sheet whole, as a form XObject (content streams are
    not parsed or rewritten); its link annotations, which point into the whole
    book, are left behind.
    """
    out = pikepdf.new()
    sources: list = []

    def forms_of(data: bytes, numbers=None) -> list:
        pdf = pikepdf.open(io.BytesIO(data))
        sources.append(pdf)
        chosen = [pdf.pages[n - 1] for n in numbers] if numbers is not None else list(pdf.pages)
        return [out.copy_foreign(pikepdf.Page(page).as_form_xobject()) for page in chosen]

    try:
        forms = forms_of(print_pdf, pages) + (forms_of(extra) if extra else [])
        header_forms = forms_of(headers) if headers else []
        for number, sheet in enumerate(sheets):
            out.add_blank_page(page_size=(sheet.width, sheet.height))
            page = out.pages[-1]
            drawn = [(forms[p.page], p.box) for p in sheet.placements]
            if header_forms and sheet.headers:
                drawn.append((header_forms[number], (0, 0, sheet.width, sheet.height)))
            for k, (form, box) in enumerate(drawn):      # named in order: the same bytes every time
                name = pikepdf.Name(f"/P{k}")
                page.add_resource(form, pikepdf.Name.XObject, name)
                placing = page.calc_form_xobject_placement(form, name, pikepdf.Rectangle(*box), allow_expand=True)
                page.contents_add(b"q\n" + placing + b"\nQ\n")
        out.docinfo["/Title"] = title
        if language:
            out.Root.Lang = pikepdf.String(language)
        out.docinfo["/Creator"] = f"reader-build {__version__}"
        out.docinfo["/Producer"] = f"reader-build {__version__}"
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    finally:
        out.close()
        for pdf in sources:
            pdf.close()


# --- the whole handout ------------------------------------------------------------------

def make_handout_result(reader: Reader, handout: Handout, root: Path, diags: Diagnostics,
                        results: dict | None = None, at: Where = _nowhere) -> HandoutResult | None:
    """The handout's pages imposed on sheets, or None after errors (reported into *diags*,
    placed by *at* in reader.toml); *results* are PDF editions already laid out, by name."""
    edition = handout_edition(reader, handout, diags, at)
    if edition is None or not check_sections(reader, handout.sections, diags, at):
        return None
    if handout.booklet and handout.nup == 4:
        diags.error("handout-options", f"handout '{handout.name}': a booklet has two pages on each side of a "
                    "sheet; leave out nup = 4", **at("nup"))
        return None
    result = (results or {}).get(edition.name)
    if result is None:
        result = edition_pages(reader, edition, root, diags)
    missing = [s for s in handout.sections if s not in _section_table(reader, result)]
    for ident in missing:
        diags.error("handout-section-not-printed", f"section '{ident}' is not part of the '{edition.name}' "
                    "edition (see include = […] in reader.toml)", **at("sections", ident))
    if missing:
        return None
    pages = handout_pages(reader, result, handout.sections)
    keys = cited_keys(reader, handout.sections)
    css = _reader_css(reader, edition, root, diags)
    extra = works_cited_pdf(reader, edition, keys, css) if keys else None
    extra_count = 0
    if extra:
        extra_count = len(PdfReader(io.BytesIO(extra)).pages)
    page_size = tuple(length_mm(v) * 72 / 25.4 for v in edition.page_size)
    sheets = impose(len(pages) + extra_count, page_size, handout.paper,
                    nup=1 if handout.booklet else handout.nup, booklet_fold=handout.booklet)
    text, html = header_text(reader, edition, pages)
    headers = headers_pdf(reader, sheets, html, _font_faces(css, reader), pages)
    data = assemble(result.data, pages, extra, sheets, headers, f"{text} ({locale_of(reader).t('handout')})",
                    reader.config.language)
    return HandoutResult(data, sheets, pages, extra_count, keys, text, edition)


def edition_pages(reader: Reader, edition: Edition, root: Path, diags: Diagnostics):
    """The edition's pages (a pdf.PdfResult): those in build/ when the last build made them from
    these sources, else laid out now in parts, with the part cache of the builds."""
    date = build_date(reader.config.date)
    build_dir = root / "build"
    cached = BuildCache(build_dir, diags).load(edition.name, edition_key(reader.source_hash, edition, date),
                                        build_dir / f"{edition.name}.pdf")
    if cached:
        return PdfResult.from_record(*cached)
    return build_pdf(reader, edition, root, diags, date, cache_dir=build_dir / CACHE_DIR / "parts")


def _section_table(reader: Reader, result) -> dict:
    return section_pages(reader, result.anchors, getattr(result, "openers", ()))


def config_places(reader: Reader, handout: Handout) -> Where:
    """Where the keys of ``[handouts.NAME]`` stand in reader.toml (the table's place for a key
    left out; an element's own place in an array), found in reader.toml's text as read."""
    text = reader.sources.config_file.text if reader.sources is not None else None
    if text is None:
        return _nowhere
    table = ("handouts", handout.name)

    def at(key: str, element: str | None = None) -> dict:
        if element is not None:
            line, col = element_place(text, (*table, key), element)
        else:
            line, col = place(text, (*table, key))
        return {"path": "reader.toml", "line": line, "col": col}
    return at


def file_name(name: str) -> str:
    """A handout's name or first section, safe as part of a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-") or "handout"


def handout_path(root: Path, handout: Handout) -> Path:
    """Where a handout declared in reader.toml is written: build/handout-NAME.pdf."""
    return Path(root) / "build" / f"handout-{file_name(handout.name)}.pdf"


def build_handout(reader: Reader, handout_config: Handout, root: Path, diags: Diagnostics,
                  print_result=None, *, results: dict | None = None) -> bytes | None:
    """The PDF of a handout declared in reader.toml (``[handouts.NAME]``), or None after errors.

    *print_result* is the :class:`~reader_build.pdf.PdfResult` of the print
    edition (``reader.config.print_edition``) and *results* those of any PDF
    editions by name, when the caller has laid them out already; the handout's
    edition is laid out here only when neither has it.  Problems are reported
    into *diags*, placed at the handout's table in reader.toml.
    """
    known = dict(results or {})
    if print_result is not None and reader.config.print_edition is not None:
        known.setdefault(reader.config.print_edition.name, print_result)
    made = make_handout_result(reader, handout_config, Path(root), diags, known,
                               config_places(reader, handout_config))
    return made.data if made else None
