"""Golden files for the intermediate HTML of small cases: what the PDF lays out and what the
EPUB holds, for a note inside a list, a citation inside a note, an index mention in a heading,
a figure and a table (see README.md here; rewrite with --save-golden-files)."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from reader_build.config import build_date
from reader_build.diagnostics import Diagnostics
from reader_build.epub.book import build_epub
from reader_build.render.html import Target, render_chapter
from reader_build.resolve import load_reader

HERE = Path(__file__).resolve().parent
CASES = sorted(p.name for p in (HERE / "cases").iterdir() if p.is_dir())


@pytest.fixture
def case_project(tmp_path, request):
    name = request.param
    root = tmp_path / name
    shutil.copytree(HERE / "project", root)
    shutil.copy(HERE / "cases" / name / "chapter.md", root / "manuscript" / "case.md")
    diags = Diagnostics()
    reader = load_reader(root, diags)
    assert reader is not None and not diags.has_errors, [d.format() for d in diags]
    return name, root, reader


def _compare(request, path: Path, made: str) -> None:
    if request.config.getoption("--save-golden-files"):
        path.write_text(made, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path.name}: run pytest with --save-golden-files"
    assert made == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case_project", CASES, indirect=True)
def test_pdf_html(case_project, request):
    name, _root, reader = case_project
    (chapter,) = reader.chapters
    made = render_chapter(reader, chapter, Target("pdf")).body.strip() + "\n"
    _compare(request, HERE / "cases" / name / "expected.pdf.html", made)


@pytest.mark.parametrize("case_project", CASES, indirect=True)
def test_epub_xhtml(case_project, request):
    name, root, reader = case_project
    edition = next(e for e in reader.config.editions if not e.is_pdf)
    data = build_epub(reader, edition, root, Diagnostics(), build_date(reader.config.date)).data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        document = next(n for n in zf.namelist() if n.endswith("-case.xhtml"))
        made = zf.read(document).decode("utf-8")
    _compare(request, HERE / "cases" / name / "expected.epub.xhtml", made)
