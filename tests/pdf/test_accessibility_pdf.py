"""The print edition is a tagged PDF (PDF/UA-1): language, title, marks, structure, alt text."""
from __future__ import annotations

import pikepdf
import pytest

from conftest import structure_elements


@pytest.fixture(scope="module")
def pdf(bundled):
    with pikepdf.open(bundled["pdf"]) as doc:
        yield doc


def test_language_title_and_marks(pdf):
    root = pdf.Root
    assert str(root.Lang) == "en"
    assert bool(root.MarkInfo.Marked) is True
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    assert str(pdf.docinfo["/Title"]) == "Why There Is No Peace Treaty with Japan"


def test_structure_tree_follows_the_text(pdf):
    elements = list(structure_elements(pdf.Root.StructTreeRoot.K))
    kinds = [str(e.S) for e in elements]
    assert kinds.count("/H1") >= 5            # the chapters, in reading order
    assert "/P" in kinds
    figures = [e for e in elements if str(e.S) == "/Figure"]
    assert figures and all(len(str(f.get("/Alt", ""))) > 40 for f in figures)
