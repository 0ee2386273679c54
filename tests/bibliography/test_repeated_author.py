"""Chicago's 3-em dash for an author repeated from the entry above, and corporate names
kept whole in the reference list (issue #23, item 5)."""
from __future__ import annotations

import re

from reader_build.bibliography.references import BibSettings, load_bibliography
from reader_build.diagnostics import Diagnostics
from reader_build.source.files import SourceFile

DASH = "\u2014" * 3
BIB = r"""
@book{hara-1998, author = {Hara, Kimie}, title = {Japanese-Soviet Relations}, publisher = {Routledge},
  location = {London}, year = {1998}}
@article{hara-2001, author = {Hara, Kimie}, title = {Fifty Years from San Francisco},
  journaltitle = {Pacific Affairs}, volume = {74}, number = {3}, pages = {361--382}, year = {2001}}
@book{hara-ed-2005, editor = {Hara, Kimie}, title = {Islands in Dispute}, publisher = {Routledge},
  location = {London}, year = {2005}}
@book{hara-jukes-2009, author = {Hara, Kimie and Jukes, Geoffrey}, title = {Northern Territories},
  publisher = {Routledge}, location = {London}, year = {2009}}
@book{state-1976, author = {{United States Department of State}}, title = {Foreign Relations, 1949},
  publisher = {GPO}, location = {Washington}, year = {1976}}
@book{state-1991, author = {{United States Department of State}}, title = {Foreign Relations, 1955--1957},
  publisher = {GPO}, location = {Washington}, year = {1991}}
@book{frus, author = {{United States Department of State}}, title = {Foreign Relations, 1951},
  shorthand = {FRUS 1951}, publisher = {GPO}, location = {Washington}, year = {1977}}
"""


def entries(dash: bool = True, keys=None) -> list[str]:
    settings = BibSettings("author-date", include_all=True, repeated_author_dash=dash)
    bib = load_bibliography([SourceFile("bibliography/refs.bib", BIB)], settings, Diagnostics())
    return [html for _key, html in bib.entries_html(keys)]


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_a_repeated_author_is_a_three_em_dash():
    listed = [plain(h) for h in entries()]
    hara = [e for e in listed if "Hara" in e or e.startswith(DASH)]
    assert hara[0].startswith("Hara, Kimie. 1998.")
    assert hara[1].startswith(f"{DASH}. 2001. “Fifty Years")
    assert hara[2].startswith(f"{DASH}, ed. 2005. Islands in Dispute")      # the same name as editor
    assert hara[3].startswith("Hara, Kimie, and Geoffrey Jukes. 2009.")    # other names: in full


def test_a_repeated_corporate_author_is_a_dash_but_a_shorthand_leads_its_entry():
    listed = [plain(h) for h in entries()]
    state = [e for e in listed if "Department of State" in e or "Foreign Relations" in e]
    assert state[0].startswith("FRUS 1951 = United States Department of State. 1977.")
    assert state[1].startswith("United States Department of State. 1976.")
    assert state[2].startswith(f"{DASH}. 1991.")


def test_the_dash_follows_the_list_it_is_in():
    """A list of some entries only (a handout's works cited): the first of an author's is in full."""
    (only,) = entries(keys=["hara-2001"])
    assert plain(only).startswith("Hara, Kimie. 2001.")


def test_the_option_off_gives_names_in_full():
    listed = [plain(h) for h in entries(dash=False)]
    assert not [e for e in listed if DASH in e]
    assert sum(e.startswith("Hara, Kimie.") for e in listed) == 2


def test_a_corporate_name_is_marked_to_break_between_words_only():
    listed = entries()
    marked = [h for h in listed if '<span class="bib-corporate">United States Department of State</span>' in h]
    assert len(marked) == 2                    # in full twice (the shorthand's entry and the first); a dash once
    assert not [h for h in listed if '<span class="bib-corporate">Hara' in h]     # persons are not bodies


def test_the_dash_is_marked_to_be_drawn_as_one_rule():
    listed = entries()
    assert sum(f'<span class="bib-repeated">{DASH}</span>' in h for h in listed) == 3
