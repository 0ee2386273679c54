"""Punctuation of author-date entries: a bracketed ``titleaddon`` (a translation of the title)
stays with its title, as Chicago prints it: “Original title” [Translated title]; any other addon
follows as its own unit; an entry ending in "(483 pp.)" still takes its final period."""
from __future__ import annotations

import re

from reader_build.bibliography.references import BibSettings, load_bibliography
from reader_build.diagnostics import Diagnostics
from reader_build.source.files import SourceFile

BIB = r"""
@article{quoted,
  author = {Funabashi, Yōichi}, title = {Mosukuwa ni kakeru niji},
  titleaddon = {[A rainbow over Moscow]}, journaltitle = {Foresight}, date = {2000-09},
}
@book{italic,
  author = {Koshkin, A. A.}, title = {Rossiya i Yaponiya},
  titleaddon = {[Russia and Japan]}, publisher = {Veche}, date = {2010},
}
@book{plain,
  author = {Doe, Jane}, title = {A Book}, titleaddon = {A facsimile}, date = {2001},
}
"""


def entries() -> dict[str, str]:
    bib = load_bibliography([SourceFile("bibliography/a.bib", BIB)], BibSettings(include_all=True), Diagnostics())
    bib.register([])
    return {k: re.sub(r"<[^>]+>", "", h) for k, h in bib.entries_html()}


def test_a_bracketed_translation_follows_its_title_without_a_period():
    out = entries()
    assert "2000. “Mosukuwa ni kakeru niji” [A rainbow over Moscow]. Foresight, September." in out["quoted"]
    assert "2010. Rossiya i Yaponiya [Russia and Japan]. Veche." in out["italic"]


def test_another_addon_is_a_unit_of_its_own():
    assert "2001. A Book. A facsimile." in entries()["plain"]


def test_a_closing_parenthesis_after_an_abbreviation_still_takes_the_final_period():
    bib = load_bibliography([SourceFile("bibliography/b.bib", r"""
@book{vols, author = {Hasegawa, Tsuyoshi}, title = {The Dispute}, date = {1998},
  note = {Vol. 2: Neither War nor Peace (483 pp.)}}
""")], BibSettings(include_all=True), Diagnostics())
    bib.register([])
    assert dict(bib.entries_html())["vols"].endswith("Vol. 2: Neither War nor Peace (483 pp.).")
