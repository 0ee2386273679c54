"""Issue #16: a page added to the first chapter moves every later part; the rebuild from the part
cache must give the book a build from scratch gives (pdf/parallel.py, store/parts.py).

The book: the bundled reader, print edition (mirrored margins: every chapter opens on a right-hand
page, so the later parts move by an even number of pages and keep their sides).
"""
from __future__ import annotations

import re

import pytest

from conftest import REPO, copy_project, normalise, pdf_page_texts

FIRST = "01-introduction.md"
ADDED = " ".join(["This paragraph was added to the first chapter so that every later chapter moves."] * 12)


def _print_pdf(root, cache):
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    from reader_build.resolve import load_reader
    diags = Diagnostics()
    reader = load_reader(root, diags)
    result = build_pdf(reader, reader.config.edition("print"), root, diags, build_date(reader.config.date),
                       jobs=2, cache_dir=cache)
    assert not diags.has_errors, "\n".join(d.format() for d in diags.sorted())
    return result


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    base = tmp_path_factory.mktemp("reuse")
    root = copy_project(REPO, base / "reader")
    before = _print_pdf(root, base / "parts")
    chapter = root / "manuscript" / FIRST
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n" + "\n\n".join([ADDED] * 5) + "\n",
                       encoding="utf-8")
    rebuilt = _print_pdf(root, base / "parts")                      # incremental: the first build's cache
    clean = _print_pdf(root, base / "fresh")                        # from scratch: no cache
    (base / "rebuilt.pdf").write_bytes(rebuilt.data)
    (base / "clean.pdf").write_bytes(clean.data)
    return {"before": before, "rebuilt": rebuilt, "clean": clean, "root": root, "cache": base / "parts",
            "rebuilt_pdf": base / "rebuilt.pdf", "clean_pdf": base / "clean.pdf"}


def _moved_parts(moved) -> list[str]:
    """The parts after the first chapter that start on another page than before (not the contents,
    the indexes or the colophon, which change with the pages of the others)."""
    before = {p["name"]: p for p in moved["before"].parts}
    return [p["name"] for p in moved["rebuilt"].parts
            if not p["name"].startswith("(") and p["first_page"] != before[p["name"]]["first_page"]]


def test_the_later_parts_move_by_an_even_number_of_pages(moved):
    before = {p["name"]: p for p in moved["before"].parts}
    after = {p["name"]: p for p in moved["rebuilt"].parts}
    names = _moved_parts(moved)
    assert len(names) >= 3, names           # every chapter after the first
    assert all((after[n]["first_page"] - before[n]["first_page"]) % 2 == 0 for n in names)
    assert moved["rebuilt"].pages > moved["before"].pages


def test_the_rebuild_gives_the_pdf_of_a_build_from_scratch(moved):
    rebuilt, clean = moved["rebuilt"], moved["clean"]
    assert rebuilt.pages == clean.pages
    assert {p["name"]: (p["first_page"], p["pages"]) for p in rebuilt.parts} == \
        {p["name"]: (p["first_page"], p["pages"]) for p in clean.parts}
    texts, expected = pdf_page_texts(moved["rebuilt_pdf"]), pdf_page_texts(moved["clean_pdf"])
    differing = [n for n, (a, b) in enumerate(zip(texts, expected), start=1) if normalise(a) != normalise(b)]
    assert not differing, f"pages whose text differs from a build from scratch: {differing}"
    assert rebuilt.anchors == clean.anchors
    assert rebuilt.data == clean.data


def _with_page_references(root) -> set[str]:
    """The chapters whose text names a page (``@page:``): when the page of the target moves, their
    text changes, and they are laid out again."""
    return {re.sub(r"^\d+-", "", path.stem) for path in (root / "manuscript").glob("*.md")
            if "@page:" in path.read_text(encoding="utf-8")}


def test_the_parts_that_only_move_are_not_laid_out_again(moved):
    layouts = {p["name"]: p["layouts"] for p in moved["rebuilt"].parts}
    names = _moved_parts(moved)
    referring = _with_page_references(moved["root"])
    assert layouts["introduction"] > 0
    unchanged = [n for n in names if n not in referring]
    assert unchanged, names
    assert all(layouts[n] == 0 for n in unchanged), {n: layouts[n] for n in unchanged}
    # the bibliography and the colophon move too, unchanged: not laid out again either
    before = {p["name"]: p["first_page"] for p in moved["before"].parts}
    after = {p["name"]: p["first_page"] for p in moved["rebuilt"].parts}
    for name in ("(bibliography)", "(colophon)"):
        assert after[name] != before[name] and layouts[name] == 0, (name, before[name], after[name])
    # a chapter whose text names the page of a target that moved is laid out again: its text changed
    assert all(layouts[n] > 0 for n in names if n in referring)


def test_a_rebuild_with_nothing_changed_lays_nothing_out_and_gives_the_same_pdf(moved, tmp_path):
    again = _print_pdf(moved["root"], moved["cache"])
    assert all(p["layouts"] == 0 for p in again.parts), again.parts
    assert again.data == moved["rebuilt"].data
