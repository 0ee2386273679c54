"""A handout made from the large-print edition (edition = "large-print" in [handouts.X]):
its own pages, with their folios and note numbers, at the edition's size."""
from __future__ import annotations

import re

import pypdf
import pytest

from conftest import named_destinations, pdf_runs
from reader_build.build import load_reader, section_pages
from reader_build.config import Handout
from reader_build.diagnostics import Diagnostics
from reader_build.handout.build import build_handout, edition_pages


@pytest.fixture(scope="module")
def lp_handout(bundled):
    """The san-francisco chapter, as a handout of the bundled reader's large-print edition
    (the pages of the session's build, read back from build/)."""
    root = bundled["root"]
    diags = Diagnostics()
    reader = load_reader(root, diags)
    edition = reader.config.edition("large-print")
    result = edition_pages(reader, edition, root, diags)
    data = build_handout(reader, Handout("lp", ("san-francisco",), edition="large-print"), root, diags,
                         results={"large-print": result})
    assert data, "\n".join(d.format() for d in diags.items)
    path = root / "build" / "handout-lp-test.pdf"
    path.write_bytes(data)
    first, last = section_pages(reader, result.anchors, result.openers)["san-francisco"]
    large = root / "build" / "large-print.pdf"
    return {"handout": path, "large": large, "pages": list(range(first, last + 1)),
            "dests": named_destinations(large)}


def test_the_handout_keeps_the_large_print_folios_and_note_numbers(lp_handout):
    h = lp_handout
    pages = h["pages"]
    assert len(pages) >= 10
    runs = pdf_runs(h["handout"])
    by_sheet: dict[int, list] = {}
    for run in runs:
        by_sheet.setdefault(run.page, []).append(run)
    for k, page in enumerate(pages, start=1):
        texts = [r.text.strip() for r in by_sheet[k]]
        assert str(page) in texts, f"sheet {k} lacks the folio {page}"
        folio = next(r for r in by_sheet[k] if r.text.strip() == str(page))
        assert folio.size >= 16, "the folio is no longer large"
    notes = sorted(int(n[6:]) for n, p in h["dests"].items() if n.startswith("fnref-") and p in pages)
    assert len(notes) >= 10
    for number in notes:
        k = pages.index(h["dests"][f"fnref-{number}"]) + 1
        markers = [r for r in by_sheet[k] if re.fullmatch(rf"{number}\.?", r.text.strip())]
        assert len(markers) >= 2 and min(r.size for r in markers) >= 16, f"note {number} on sheet {k}"


def test_the_handout_pages_are_the_editions_pages(lp_handout):
    h = lp_handout
    handout = pypdf.PdfReader(str(h["handout"]))
    large = pypdf.PdfReader(str(h["large"]))
    for k, page in enumerate(h["pages"]):
        words = large.pages[page - 1].extract_text().split()
        assert " ".join(words[:12]) in " ".join(handout.pages[k].extract_text().split())
