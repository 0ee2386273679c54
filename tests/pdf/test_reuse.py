"""Issue #16: an edit moves the later parts; the rebuild from the part cache must give the book a
build from scratch gives, and a part that only moved is not laid out again (pdf/parallel.py,
pdf/folios.py, store/parts.py).

The book: the bundled reader, print edition (mirrored margins: every chapter opens on a right-hand
page, so the later parts move by an even number of pages and keep their sides).
"""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import REPO, copy_project, normalise, pdf_page_texts

FIRST = "01-introduction.md"
LAST = "05-dulles-khrushchev.md"
ADDED = " ".join(["This paragraph was added to the first chapter so that every later chapter moves."] * 12)


def _print_pdf(root, cache, edition: str = "print", jobs: int = 2):
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    from reader_build.resolve import load_reader
    diags = Diagnostics()
    reader = load_reader(root, diags)
    result = build_pdf(reader, reader.config.edition(edition), root, diags, build_date(reader.config.date),
                       jobs=jobs, cache_dir=cache)
    assert not diags.has_errors, "\n".join(d.format() for d in diags.sorted())
    return result


def _append(path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + text + "\n", encoding="utf-8")


def _remove_long_paragraphs(path, count: int = 6) -> None:
    """The first *count* long paragraphs of the chapter's text that call no note, taken out."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    long = [i for i, b in enumerate(blocks)
            if len(b) > 400 and "[^" not in b and not b.startswith(("#", "|", "!", ":", "{"))][:count]
    path.write_text("\n\n".join(b for i, b in enumerate(blocks) if i not in long), encoding="utf-8")


# The edits: (what, how).  Two pages added to the first chapter: every later part moves by two
# pages; one page added: the next chapter gains a blank verso before it; long paragraphs taken out:
# the later parts move back; a sentence added to the last chapter: nothing before it moves.
EDITS = {
    "two pages early": lambda root: _append(root / "manuscript" / FIRST, "\n\n".join([ADDED] * 5)),
    "one page early": lambda root: _append(root / "manuscript" / FIRST, "\n\n".join([ADDED] * 2)),
    "paragraphs out early": lambda root: _remove_long_paragraphs(root / "manuscript" / FIRST),
    "a sentence late": lambda root: _append(root / "manuscript" / LAST, "One sentence was added to the last chapter."),
}


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("reuse-first")
    root = copy_project(REPO, base / "reader")
    return root, base / "parts", _print_pdf(root, base / "parts")


@pytest.fixture(scope="module", params=sorted(EDITS))
def moved(request, first_build, tmp_path_factory):
    first_root, first_cache, before = first_build
    base = tmp_path_factory.mktemp("reuse")
    root = copy_project(first_root, base / "reader")
    shutil.copytree(first_cache, base / "parts")
    EDITS[request.param](root)
    rebuilt = _print_pdf(root, base / "parts")                      # incremental: the first build's cache
    clean = _print_pdf(root, base / "fresh")                        # from scratch: no cache
    (base / "rebuilt.pdf").write_bytes(rebuilt.data)
    (base / "clean.pdf").write_bytes(clean.data)
    return {"edit": request.param, "before": before, "rebuilt": rebuilt, "clean": clean, "root": root,
            "cache": base / "parts", "rebuilt_pdf": base / "rebuilt.pdf", "clean_pdf": base / "clean.pdf"}


def _firsts(result) -> dict:
    return {p["name"]: p["first_page"] for p in result.parts}


def _with_page_references(root) -> set[str]:
    """The chapters whose text names a page (``@page:``): when the page of the target moves, their
    numbers change, and they are given them without a new layout (pdf/pagerefs.py)."""
    return {re.sub(r"^\d+-", "", path.stem) for path in (root / "manuscript").glob("*.md")
            if "@page:" in path.read_text(encoding="utf-8")}


def test_the_later_parts_move_by_an_even_number_of_pages(moved):
    before, after = _firsts(moved["before"]), _firsts(moved["rebuilt"])
    if "early" not in moved["edit"]:            # a sentence in the last chapter: nothing before it moves
        assert all(after[n] == before[n] for n in after if not n.startswith("(")), (before, after)
        return
    names = [n for n in after if not n.startswith("(") and after[n] != before[n]]
    assert len(names) >= 3, names           # every chapter after the first
    assert all((after[n] - before[n]) % 2 == 0 for n in names)
    assert moved["rebuilt"].pages != moved["before"].pages


def test_the_rebuild_gives_the_pdf_of_a_build_from_scratch(moved):
    rebuilt, clean = moved["rebuilt"], moved["clean"]
    assert rebuilt.pages == clean.pages
    assert {p["name"]: (p["first_page"], p["pages"], p["blank_before"]) for p in rebuilt.parts} == \
        {p["name"]: (p["first_page"], p["pages"], p["blank_before"]) for p in clean.parts}
    texts, expected = pdf_page_texts(moved["rebuilt_pdf"]), pdf_page_texts(moved["clean_pdf"])
    differing = [n for n, (a, b) in enumerate(zip(texts, expected), start=1) if normalise(a) != normalise(b)]
    assert not differing, f"pages whose text differs from a build from scratch: {differing}"
    assert rebuilt.anchors == clean.anchors
    assert rebuilt.page_starts == clean.page_starts          # the EPUB's page-list and its labels
    assert rebuilt.data == clean.data                        # links, outline, structure tree, fonts: all of it
    if moved["edit"] == "one page early":                    # a blank verso gained or lost
        blanks = {p["name"]: p["blank_before"] for p in moved["before"].parts}
        assert any(p["blank_before"] != blanks[p["name"]] for p in rebuilt.parts), rebuilt.parts


def test_the_parts_that_only_move_are_not_laid_out_again(moved):
    layouts = {p["name"]: p["layouts"] for p in moved["rebuilt"].parts}
    edited = "dulles-khrushchev" if "late" in moved["edit"] else "introduction"
    assert layouts[edited] > 0
    before, after = _firsts(moved["before"]), _firsts(moved["rebuilt"])
    names = [n for n in after if after[n] != before[n] and n != edited]
    # the contents and the indexes list pages: their text changes when pages move; the colophon
    # names the sources' hash, which any edit changes
    only_moved = [n for n in names if n not in ("(front)", "(colophon)") and not n.startswith("(index")]
    assert all(layouts[n] == 0 for n in only_moved), {n: layouts[n] for n in only_moved}
    if "early" in moved["edit"]:
        assert {"opening", "(bibliography)"} <= set(only_moved), names
        # a chapter whose text names the page of a target that moved is given the new number
        # without a new layout (the map's chapter refers to its own page too)
        referring = _with_page_references(moved["root"]) - {edited}
        assert {"chronology", "san-francisco", "dulles-khrushchev"} <= referring
        assert all(layouts[n] == 0 for n in referring), {n: layouts[n] for n in referring}


def test_a_rebuild_with_nothing_changed_lays_nothing_out_and_gives_the_same_pdf(moved):
    again = _print_pdf(moved["root"], moved["cache"])
    assert all(p["layouts"] == 0 for p in again.parts), again.parts
    assert again.data == moved["rebuilt"].data


# --- single-sided pages: a part that moves by an odd number of pages -------------------------

@pytest.fixture(scope="module")
def screen_moved(tmp_path_factory):
    """The screen edition (single-sided: no blank pages, so one page added to the first chapter
    moves every later part by one page), built, edited, rebuilt, and built from scratch."""
    base = tmp_path_factory.mktemp("reuse-screen")
    root = copy_project(REPO, base / "reader")
    before = _print_pdf(root, base / "parts", "screen")
    odd = None
    for paragraphs in (1, 2, 3, 4):
        trial = copy_project(root, base / f"trial{paragraphs}")
        _append(trial / "manuscript" / FIRST, "\n\n".join([ADDED] * paragraphs))
        shutil.copytree(base / "parts", base / f"parts{paragraphs}")
        rebuilt = _print_pdf(trial, base / f"parts{paragraphs}", "screen")
        if (rebuilt.pages - before.pages) % 2:
            odd = trial, rebuilt, base / f"parts{paragraphs}"
            break
    assert odd is not None, "no edit moved the later parts by an odd number of pages"
    trial, rebuilt, cache = odd
    clean = _print_pdf(trial, base / "fresh", "screen")
    (base / "rebuilt.pdf").write_bytes(rebuilt.data)
    (base / "clean.pdf").write_bytes(clean.data)
    return {"before": before, "rebuilt": rebuilt, "clean": clean, "root": trial, "cache": cache,
            "rebuilt_pdf": base / "rebuilt.pdf", "clean_pdf": base / "clean.pdf"}


def test_single_sided_parts_that_move_by_an_odd_number_are_not_laid_out_again(screen_moved):
    before, after = _firsts(screen_moved["before"]), _firsts(screen_moved["rebuilt"])
    layouts = {p["name"]: p["layouts"] for p in screen_moved["rebuilt"].parts}
    odd = [n for n in after if (after[n] - before[n]) % 2 and n != "introduction"]
    assert {"chronology", "opening", "san-francisco", "dulles-khrushchev", "(bibliography)"} <= set(odd), odd
    # (the contents and indexes list pages, the colophon names the sources' hash: laid out again;
    # "opening" has one numbered page, so no page of the other side to take its running heads from)
    only_moved = [n for n in odd if n not in ("(front)", "(colophon)", "opening") and not n.startswith("(index")]
    assert len(only_moved) >= 4
    assert all(layouts[n] == 0 for n in only_moved), {n: layouts[n] for n in only_moved}


def test_the_single_sided_rebuild_gives_the_pdf_of_a_build_from_scratch(screen_moved):
    rebuilt, clean = screen_moved["rebuilt"], screen_moved["clean"]
    assert [(p["name"], p["first_page"], p["pages"]) for p in rebuilt.parts] == \
        [(p["name"], p["first_page"], p["pages"]) for p in clean.parts]
    texts, expected = pdf_page_texts(screen_moved["rebuilt_pdf"]), pdf_page_texts(screen_moved["clean_pdf"])
    assert [n for n, (a, b) in enumerate(zip(texts, expected), start=1) if normalise(a) != normalise(b)] == []
    assert rebuilt.anchors == clean.anchors and rebuilt.page_starts == clean.page_starts
    assert rebuilt.data == clean.data


def test_the_folio_sheets_are_kept_and_a_page_number_is_laid_out_once(tmp_path, monkeypatch):
    """An edit moves the later parts by two pages and is then taken back: the second rebuild
    needs the folios of pages that the first one laid out already (the part cache keeps them),
    so it lays out no folio sheet, and gives the book of the first build."""
    from reader_build.pdf import parallel
    sheets = []
    real = parallel.sheet_html
    monkeypatch.setattr(parallel, "sheet_html", lambda html, pages, css, marker: (
        sheets.append(pages) if pages else None) or real(html, pages, css, marker))
    root = copy_project(REPO, tmp_path / "reader")
    chapter = root / "manuscript" / FIRST
    original = chapter.read_text(encoding="utf-8")
    first = _print_pdf(root, tmp_path / "parts", jobs=1)          # (in this process: the sheets are seen)
    _append(chapter, "\n\n".join([ADDED] * 5))
    sheets.clear()
    moved = _print_pdf(root, tmp_path / "parts", jobs=1)
    assert sheets and moved.pages == first.pages + 2
    chapter.write_text(original, encoding="utf-8")
    sheets.clear()
    back = _print_pdf(root, tmp_path / "parts", jobs=1)
    assert sheets == []
    assert back.data == first.data


def test_folio_sheets_laid_out_ahead_on_an_idle_worker_give_the_book_of_a_build_from_scratch(tmp_path, monkeypatch):
    """Two workers: while the last layouts run (the indexes), a worker that would wait lays out
    the folio sheet of the parts that will move (parallel._Schedule.sheet_ahead), and the moves
    take their folios from it.  The book is the one a build from scratch gives."""
    from reader_build.pdf import parallel
    ahead = []
    real = parallel._Schedule.sheet_ahead

    def counted(self, pool):
        real(self, pool)
        ahead.append(len(self.ahead))
    monkeypatch.setattr(parallel._Schedule, "sheet_ahead", counted)
    root = copy_project(REPO, tmp_path / "reader")
    _print_pdf(root, tmp_path / "parts")
    _append(root / "manuscript" / FIRST, "\n\n".join([ADDED] * 5))
    ahead.clear()
    rebuilt = _print_pdf(root, tmp_path / "parts")
    assert max(ahead, default=0) > 0, "no folio sheet was laid out ahead"
    assert rebuilt.data == _print_pdf(root, tmp_path / "fresh").data
