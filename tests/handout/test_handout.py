"""Handouts: the print edition's own pages, on A4 or Letter sheets, checked from the PDFs' text.

The text of each placed page (cropped out of the sheet with pypdfium2) must
contain the whole text of the print page it reproduces: running head, folio,
body and notes with their numbers.  The raw text is read in the order of the
content stream, which placing a page on a sheet does not change.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pypdf
import pytest

from conftest import (REPO, copy_project, named_destinations, normalise, pdf_raw_pages, pdf_region_text,
                      write_project)
from reader_build.cli import main
from reader_build.config import Handout
from reader_build.handout.impose import MM, impose

A5 = (148 * MM, 210 * MM)
WORDS = ("treaty islands delegation memorandum conference ambassador declaration negotiation "
         "settlement protocol envoy ministry archive session draft clause territory").split()


# --- reading PDFs --------------------------------------------------------------------------

def raw_pages(pdf: Path) -> list[str]:
    return pdf_raw_pages(pdf)


def region_text(pdf: Path, sheet_number: int, sheet, box) -> str:
    """Text inside *box* (left, bottom, right, top in PDF points) of a 1-based sheet."""
    left, bottom, right, top = box
    return normalise(pdf_region_text(pdf, sheet_number, (math.floor(left), math.floor(bottom),
                                                         math.ceil(right) + 1, math.ceil(top) + 1)))


def sizes(pdf: Path) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
            for p in pypdf.PdfReader(str(pdf)).pages]


def check_placed_pages(handout: Path, print_pdf: Path, pages: list[int], extra: int, paper: str,
                       nup: int = 1, booklet: bool = False) -> list[str]:
    """Every placed print page's text is on the sheet where impose put it; returns the extra pages' text."""
    print_text = raw_pages(print_pdf)
    sheets = impose(len(pages) + extra, A5, paper, nup=nup, booklet_fold=booklet)
    assert len(pypdf.PdfReader(str(handout)).pages) == len(sheets)
    extra_text = [""] * extra
    seen = []
    for number, sheet in enumerate(sheets, start=1):
        for placed in sheet.placements:
            text = region_text(handout, number, sheet, placed.box)
            if placed.page < len(pages):
                expected = normalise(print_text[pages[placed.page] - 1])
                assert expected and expected in text, \
                    f"sheet {number}: print page {pages[placed.page]} is not reproduced"
                seen.append(pages[placed.page])
            else:
                extra_text[placed.page - len(pages)] = text
    assert sorted(seen) == pages
    return extra_text


def cited_works_shown(text: str, reader, keys) -> set[str]:
    """Which bibliography entries (of *keys*) appear in *text*: their first words, year included."""
    import html as html_lib
    import re
    def start(html: str) -> str:
        return " ".join(normalise(html_lib.unescape(re.sub(r"<[^>]+>", "", html))).split()[:5])
    shown = set()
    for key, html in reader.bibliography.entries_html(keys):
        # in a shorter list, an entry after another by the same author gives the names in full,
        # or a 3-em dash where the whole list gave them
        alone = reader.bibliography.entries_html([key])[0][1]
        if start(html) in text or start(alone) in text:
            shown.add(key)
    return shown


# --- a small generated reader ------------------------------------------------------------------

def paragraphs(tag: str, count: int, note_labels=()) -> str:
    out = []
    for i in range(count):
        words = " ".join(WORDS[(i * 3 + j) % len(WORDS)] for j in range(70))
        note = f"[^{note_labels[i]}]" if i < len(note_labels) else ""
        out.append(f"{tag.capitalize()} paragraph {i + 1} begins here: {words} ends.{note}")
    return "\n\n".join(out)


SMALL = {
    "reader.toml": """
        title = "A Small Reader"

        [handouts.week-1]
        sections = ["beta", "gamma"]
        paper = "letter"
        nup = 2
        """,
    "manuscript/one.md": None,     # filled in below
    "manuscript/two.md": None,
    "bibliography/refs.bib": """
        @book{doe-2001, author = {Doe, Jane}, title = {A Book about Treaties}, publisher = {Example Press},
          location = {London}, year = {2001}}
        @book{roe-1999, author = {Roe, Richard}, title = {Islands in Dispute}, publisher = {Harbour Books},
          location = {Boston}, year = {1999}}
        @book{poe-2010, author = {Poe, Edgar}, title = {The Conference Years}, publisher = {Quill},
          location = {Oxford}, year = {2010}}
        @book{zed-1980, author = {Zed, Zora}, title = {Never Cited Here}, publisher = {Nowhere},
          location = {Paris}, year = {1980}}
        """,
    "styles/extra.css": "#delta { break-before: page; }\n",
}

ONE = f"""---
id: one
title: The First Chapter
---

{paragraphs("opening", 2)}

## Alpha {{#alpha}}

{paragraphs("alpha", 6, ["a1", "a2", "a3"])} It cites a book [@doe-2001, p. 5].

## Beta {{#beta}}

{paragraphs("beta", 6, ["b1", "b2"])} It cites another [@poe-2010, 12].

[^a1]: First note of alpha. Its source is @roe-1999 [p. 3], defined far below the call.

[^a2]: Second note of alpha, with some words to make it longer than one line of the notes.

[^a3]: Third note of alpha.

[^b1]: First note of beta.

[^b2]: Second note of beta.
"""

TWO = f"""---
id: two
title: The Second Chapter
---

## Gamma {{#gamma}}

{paragraphs("gamma", 4, ["g1"])}

## Delta {{#delta}}

{paragraphs("delta", 3)}

[^g1]: The only note of gamma, citing [@zed-1980].
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from reader_build.build import build
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    files = dict(SMALL, **{"manuscript/one.md": ONE, "manuscript/two.md": TWO})
    root = write_project(tmp_path_factory.mktemp("handout") / "small", files)
    result = build(root, ["print"])
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    sections = {s["id"]: s["pages"]["print"] for s in result.manifest["sections"]}
    reader = load_reader(root, Diagnostics())
    return {"root": root, "pdf": root / "build" / "print.pdf", "sections": sections, "reader": reader,
            "dests": named_destinations(root / "build" / "print.pdf")}


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(["handout", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def span(small, ident) -> list[int]:
    """The pages of a section, as the manifest gives them."""
    first, last = small["sections"][ident]
    return list(range(first, last + 1))


def test_one_up_reproduces_the_print_pages(small, capsys, monkeypatch):
    monkeypatch.chdir(small["root"])
    status, out, err = run(capsys, ".", "--section", "alpha")
    assert status == 0, err
    pages = span(small, "alpha")
    assert len(pages) >= 2
    handout = small["root"] / "build" / "handout-alpha.pdf"
    assert out.strip() == f"wrote build/handout-alpha.pdf, {len(pages) + 1} sheets"
    assert set(sizes(handout)) == {(595.3, 841.9)}
    (works,) = check_placed_pages(handout, small["pdf"], pages, 1, "a4")
    assert works.startswith("Works cited in this handout")
    assert not [p for p in (small["root"] / "build").iterdir() if ".tmp-" in p.name]
    # the notes of those pages, and only those, with the print edition's numbers
    texts = raw_pages(handout)
    notes_here = [int(name[6:]) for name, page in small["dests"].items()
                  if name.startswith("fnref-") and page in pages]
    assert notes_here
    for number in notes_here:
        page = small["dests"][f"fnref-{number}"]
        assert f"{number} " in normalise(texts[pages.index(page)])


def test_header_names_reader_edition_and_pages(small, tmp_path, capsys):
    out_file = tmp_path / "h.pdf"
    status, _out, err = run(capsys, small["root"], "--section", "beta", "--section", "gamma", "-o", out_file,
                            "--quiet")
    assert status == 0, err
    pages = sorted(set(span(small, "beta")) | set(span(small, "gamma")))
    runs = []
    for page in pages:
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    label = "pp. " + ", ".join(f"{a}\u2013{b}" if a != b else str(a) for a, b in runs)
    texts = raw_pages(out_file)
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        flat = normalise(text)
        assert "A Small Reader" in flat and "print edition" in flat and label in flat, flat[:200]
        assert f"{number} / {len(texts)}" in flat


def test_works_cited_lists_exactly_the_works_cited_in_the_sections(small, tmp_path, capsys):
    reader = small["reader"]
    every = ["doe-2001", "roe-1999", "poe-2010", "zed-1980"]
    for section, expected in (("alpha", {"doe-2001", "roe-1999"}),    # roe: in a note defined further down
                              ("beta", {"poe-2010"}),                # not roe, whose note text lies in beta
                              ("two", {"zed-1980"})):
        out_file = tmp_path / f"{section}.pdf"
        assert run(capsys, small["root"], "--section", section, "-o", out_file)[0] == 0
        last = normalise(raw_pages(out_file)[-1])
        assert "Works cited in this handout" in last
        assert cited_works_shown(last, reader, every) == expected, section


def test_a_section_without_citations_has_no_works_cited_page(small, tmp_path, capsys):
    out_file = tmp_path / "delta.pdf"
    assert run(capsys, small["root"], "--section", "delta", "-o", out_file)[0] == 0
    texts = raw_pages(out_file)
    assert len(texts) == len(span(small, "delta"))
    assert not any("Works cited" in t for t in texts)


def test_a_section_ends_before_a_page_that_the_next_heading_opens(small, tmp_path, capsys):
    first, last = small["sections"]["gamma"]                  # as the manifest gives them
    assert small["dests"]["delta"] == last + 1 and last >= first   # delta opens a page (styles/extra.css)
    out_file = tmp_path / "gamma.pdf"
    assert run(capsys, small["root"], "--section", "gamma", "-o", out_file)[0] == 0
    check_placed_pages(out_file, small["pdf"], list(range(first, last + 1)), 1, "a4")
    assert "Delta paragraph" not in " ".join(raw_pages(out_file))


@pytest.mark.parametrize("nup,paper,size", [(2, "letter", (792.0, 612.0)), (4, "a4", (595.3, 841.9))])
def test_n_up(small, tmp_path, capsys, nup, paper, size):
    out_file = tmp_path / f"n{nup}.pdf"
    status, out, _err = run(capsys, small["root"], "--section", "one", "--nup", nup, "--paper", paper,
                            "-o", out_file)
    assert status == 0
    pages = span(small, "one")
    count = len(pages) + 1
    assert set(sizes(out_file)) == {size}
    assert len(sizes(out_file)) == math.ceil(count / nup)
    assert out.strip().endswith(f", {math.ceil(count / nup)} sheets")
    (works,) = check_placed_pages(out_file, small["pdf"], pages, 1, paper, nup=nup)
    assert "Works cited in this handout" in works


def test_booklet(small, tmp_path, capsys):
    out_file = tmp_path / "booklet.pdf"
    status, out, _err = run(capsys, small["root"], "--section", "one", "--section", "gamma", "--booklet",
                            "-o", out_file)
    assert status == 0
    pages = sorted(set(span(small, "one")) | set(span(small, "gamma")))
    count = len(pages) + 1
    padded = math.ceil(count / 4) * 4
    assert len(sizes(out_file)) == padded // 2 and set(sizes(out_file)) == {(841.9, 595.3)}
    assert f"{padded // 4} sheet" in out and "flip on the short edge" in out
    check_placed_pages(out_file, small["pdf"], pages, 1, "a4", booklet=True)
    # blank pages are blank: the halves without a placement hold no text at all
    sheets = impose(count, A5, "a4", booklet_fold=True)
    for number, sheet in enumerate(sheets, start=1):
        halves = {0: (0, 0, sheet.width / 2, sheet.height), 1: (sheet.width / 2, 0, sheet.width, sheet.height)}
        used = {0 if p.x < sheet.width / 2 - 1 else 1 for p in sheet.placements}
        for half in set(halves) - used:
            assert region_text(out_file, number, sheet, halves[half]) == ""


def test_unknown_section_is_an_input_error_with_a_suggestion(small, capsys):
    status, out, err = run(capsys, small["root"], "--section", "alpha", "--section", "betta")
    assert status == 1
    assert "error [handout-section-unknown]: there is no chapter or section 'betta' (did you mean 'beta'" in err
    assert not (small["root"] / "build" / "handout-alpha.pdf.tmp").exists()


def test_wrong_command_lines_exit_2(small, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["handout", str(small["root"]), "--section", "alpha", "--nup", "3"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["handout", str(small["root"])])                 # --section is required
    assert exc.value.code == 2
    status, _out, err = run(capsys, small["root"], "--section", "alpha", "--booklet", "--nup", "4")
    assert status == 2 and "--booklet" in err


def test_handouts_declared_in_reader_toml(small):
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.handout.build import build_handout, handout_edition, handout_path
    from reader_build.pdf.parallel import build_pdf
    reader, root = small["reader"], small["root"]
    (week,) = reader.config.handouts
    diags = Diagnostics()
    edition = handout_edition(reader, week, diags)
    result = build_pdf(reader, edition, root, diags, build_date(reader.config.date))
    data = build_handout(reader, week, root, diags, print_result=result)
    assert data and not diags.has_errors
    assert handout_path(root, week) == root / "build" / "handout-week-1.pdf"
    path = root / "build" / "w.pdf"
    path.write_bytes(data)
    assert set(sizes(path)) == {(792.0, 612.0)}
    pages = sorted(set(span(small, "beta")) | set(span(small, "gamma")))
    check_placed_pages(path, small["pdf"], pages, 1, "letter", nup=2)
    # the same pages without a layout at hand (from the print edition in build/)
    again = root / "build" / "w2.pdf"
    again.write_bytes(build_handout(reader, week, root, Diagnostics()))
    assert raw_pages(again) == raw_pages(path)
    # a handout naming an unknown section: an error that points into reader.toml
    diags = Diagnostics()
    assert build_handout(reader, Handout("bad", ("gama",)), root, diags, print_result=result) is None
    (error,) = diags.errors()
    assert error.code == "handout-section-unknown" and error.path == "reader.toml"
    assert "did you mean 'gamma'" in error.message
    diags = Diagnostics()
    assert build_handout(reader, Handout("e", ("beta",), edition="screen"), root, diags) is None
    assert diags.errors()[0].code == "handout-edition-unknown"


def test_a_section_left_out_of_the_print_edition(minimal, capsys):
    (minimal / "reader.toml").write_text('title = "T"\n[editions.print]\nformat = "pdf"\n'
                                         'include = ["toc", "bibliography"]\n')
    (minimal / "manuscript" / "0-intro.md").write_text("---\nid: introduction\ntitle: Intro\nkind: front\n---\n\n"
                                                       "Some words.\n")
    status, _out, err = run(capsys, minimal, "--section", "introduction")
    assert status == 1 and "error [handout-section-not-printed]" in err


# --- the bundled reader -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_handout(tmp_path_factory):
    """The bundled reader's print edition, laid out once, and a handout of one chapter made from it."""
    from reader_build.config import build_date
    from reader_build.resolve import load_reader
    from reader_build.pdf.sections import section_pages
    from reader_build.diagnostics import Diagnostics
    from reader_build.handout.build import build_handout
    from reader_build.pdf.parallel import build_pdf
    root = copy_project(REPO, tmp_path_factory.mktemp("bundled-handout") / "reader")
    diags = Diagnostics()
    reader = load_reader(root, diags)
    edition = reader.config.print_edition
    result = build_pdf(reader, edition, root, diags, build_date(reader.config.date))
    (root / "build").mkdir(exist_ok=True)
    print_pdf = root / "build" / "print.pdf"
    print_pdf.write_bytes(result.data)
    handout = Handout("sf", ("san-francisco",))
    data = build_handout(reader, handout, root, diags, print_result=result)
    assert data, "\n".join(d.format() for d in diags)
    path = root / "build" / "handout-sf.pdf"
    path.write_bytes(data)
    first, last = section_pages(reader, result.anchors)["san-francisco"]
    return {"root": root, "reader": reader, "print": print_pdf, "handout": path,
            "pages": list(range(first, last + 1)), "dests": named_destinations(print_pdf)}


def test_bundled_handout_keeps_folios_and_note_numbers(bundled_handout):
    h = bundled_handout
    pages = h["pages"]
    assert len(pages) >= 8
    texts = raw_pages(h["handout"])
    extra = len(texts) - len(pages)
    assert extra >= 1
    check_placed_pages(h["handout"], h["print"], pages, extra, "a4")
    # folios: every print page number in the range, on its sheet, as the print edition sets it
    print_text = raw_pages(h["print"])
    for k, page in enumerate(pages):
        if str(page) in print_text[page - 1].split():
            assert str(page) in texts[k].split()
    # note numbers: the notes called on these pages, on the same sheet as in print
    notes = sorted(int(n[6:]) for n, p in h["dests"].items() if n.startswith("fnref-") and p in pages)
    assert len(notes) >= 10
    for number in notes:
        k = pages.index(h["dests"][f"fnref-{number}"])
        assert re.search(rf"(^|\n){number} ", texts[k]), f"note {number} is not at the foot of sheet {k + 1}"
    # and no other notes: the one before the first and the one after the last are elsewhere
    for number in (notes[0] - 1, notes[-1] + 1):
        if f"fnref-{number}" in h["dests"]:
            assert h["dests"][f"fnref-{number}"] not in pages


def test_bundled_handout_header_and_works_cited(bundled_handout):
    h = bundled_handout
    reader = h["reader"]
    pages = h["pages"]
    texts = [normalise(t) for t in raw_pages(h["handout"])]
    label = f"pp. {pages[0]}\u2013{pages[-1]}"
    for text in texts:
        assert f"{reader.config.title} · print edition · {label}" in text
    chapter = next(c for c in reader.chapters if c.id == "san-francisco")
    expected = {item.key for use in chapter.parsed.citations for item in use.citation.items}
    works = " ".join(texts[len(pages):])
    assert "Works cited in this handout" in works
    assert cited_works_shown(works, reader, reader.bibliography.keys()) == expected


def placement_scales(pdf: Path) -> list[list[float]]:
    """Per sheet, the horizontal scale of each form placed on it (the `cm` before each `Do`)."""
    import pikepdf
    scales = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            found, matrix = [], None
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "cm":
                    matrix = [float(v) for v in operands]
                elif str(operator) == "Do" and matrix is not None:
                    found.append(matrix[0])
            scales.append(found)
    return scales


def test_bundled_one_up_handout_fills_the_sheet(bundled_handout):
    """A5 pages on A4 sheets at 141 %: each sheet's first form (the page; the last one is the
    header line, drawn at 100 %) is scaled by √2."""
    scales = placement_scales(bundled_handout["handout"])
    assert len(scales) >= len(bundled_handout["pages"])
    for found in scales:
        assert found[0] == pytest.approx(1.414, abs=0.002) and found[-1] == pytest.approx(1.0)


def test_bundled_handout_first_page_carries_its_folio(bundled_handout):
    """The handout opens on the chapter's opening page, which the book prints without a folio;
    on the handout's sheet its print page number stands in the header line."""
    h = bundled_handout
    first = h["pages"][0]
    print_first = normalise(raw_pages(h["print"])[first - 1])
    assert str(first) not in print_first.split(), "the chapter's opening page now has a folio in print"
    texts = [normalise(t) for t in raw_pages(h["handout"])]
    for k, page in enumerate(h["pages"]):
        assert f"p. {page} · {k + 1} / {len(texts)}" in texts[k], texts[k][-120:]
    for k in range(len(h["pages"]), len(texts)):          # the works cited: no print page
        assert re.search(rf"· print edition · pp\. [0-9–]+ {k + 1} / {len(texts)}", texts[k]) or \
            f"p. " not in texts[k].split("print edition")[-1]


def test_handout_after_a_build_uses_its_pages(small, tmp_path, capsys, monkeypatch):
    """The print edition just built is up to date: the handout takes its pages from build/ and
    lays nothing out."""
    import reader_build.pdf.parallel

    def refuse(*args, **kwargs):
        raise AssertionError("the handout laid the edition out again")
    monkeypatch.setattr(reader_build.pdf.parallel, "build_pdf", refuse)
    out_file = tmp_path / "alpha.pdf"
    status, _out, err = run(capsys, small["root"], "--section", "alpha", "-o", out_file)
    assert status == 0, err
    check_placed_pages(out_file, small["pdf"], span(small, "alpha"), 1, "a4")


def test_handout_without_a_build_lays_out_the_edition(tmp_path, capsys):
    """No build yet: the handout lays the print edition out itself (in parts, filling the part
    cache) and gives the pages that a build gives."""
    files = dict(SMALL, **{"manuscript/one.md": ONE, "manuscript/two.md": TWO})
    root = write_project(tmp_path / "fresh", files)
    out_file = tmp_path / "beta.pdf"
    status, _out, err = run(capsys, root, "--section", "beta", "-o", out_file)
    assert status == 0, err
    assert list((root / "build" / ".cache" / "parts").glob("*.pdf"))
    assert not (root / "build" / "print.pdf").exists()
    texts = [normalise(t) for t in raw_pages(out_file)]
    assert any("Beta" in t for t in texts)
