"""The editorial facts of issue #17, checked on the text of the built PDF of the bundled reader.

Each test reads the PDF that the session fixture ``bundled`` (tests/conftest.py) builds once,
and checks that a corrected fact is printed and that the wording it replaced is gone.
"""
from __future__ import annotations

import re

import pytest

from conftest import normalise, pdf_reading_texts


@pytest.fixture(scope="module")
def text(bundled) -> str:
    """The whole PDF, white space collapsed and hyphenation undone."""
    return normalise("\n".join(pdf_reading_texts(bundled["pdf"])))


def _printed(text: str, phrase: str) -> bool:
    """Whether *phrase* is in *text*, read straight on or across a note cut where its page ends
    (fill-pages: the rest opens the next page's notes as "N (continued)")."""
    phrase = normalise(phrase)
    if phrase in text:
        return True
    across = r"(?: | .{0,4000}? \d+ \(continued\) )"
    return re.search(across.join(re.escape(word) for word in phrase.split(" ")), text) is not None


def _has(text: str, *phrases: str) -> None:
    for phrase in phrases:
        assert _printed(text, phrase), f"not printed: {phrase!r}"


def _lacks(text: str, *phrases: str) -> None:
    for phrase in phrases:
        assert normalise(phrase) not in text, f"still printed: {phrase!r}"


# --- 1-5: facts corrected ----------------------------------------------------------------

def test_gromyko_was_first_deputy_already_in_1951(text):
    _has(text, "was First Deputy Foreign Minister from 1949 to 1952, and so already at San Francisco",
         "He was ambassador in London from 1952 to 1953",
         "and Foreign Minister from February 1957")
    _lacks(text, "first deputy by 1956", "foreign minister by 1960")


def test_malik_dates_at_the_un_and_in_london(text):
    _has(text, "permanent representative at the United Nations from 1948 to 1952",
         "From 1953 he was Soviet ambassador in London")


def test_joint_declaration_preamble_lists_khrushchev_among_participants(text):
    _has(text, "does not call him a plenipotentiary",
         "lists him among those who took part in them on the Soviet side")
    _lacks(text, "appears among the Soviet plenipotentiaries")


def test_rules_of_procedure_adopted_on_5_september(text):
    _has(text, "the rules were adopted on the morning of 5 September, at the second session",
         "5 Sept 1951 The conference adopts rules of procedure")
    _lacks(text, "adopted at the opening session on 4 September")


def test_claims_stated_no_more_firmly_than_the_sources_allow(text):
    _has(text, "Its item 2(a), on the return of southern Sakhalin and the adjacent islands, is not in that document",
         "That identification, and what follows, rests only on",
         "rests only on a secondary account",
         "Only an excerpt of it has been seen, so only its gist can be given",
         "has been found only in secondary sources")
    _lacks(text, "is known only from secondary sources")


# --- 6-9: sources cited ------------------------------------------------------------------

def test_notes_that_corrected_the_article_now_cite_a_source(text):
    _has(text, "(“Forbidden Waters” 1956)", "(“The Unmovable Malik” 1955)",
         "(Shen et al. 2005)", "(Kondō 1960)", "(FRUS 1951, 6:1, doc. 735)",
         "Central Intelligence Agency. 1951.",
         "(“Russian Official Affirms Japan Land Deal” 2004)",
         "(“Japan Spurns Russian Initiative” 2004;",
         "President’s Live Television and Radio Dialogue with the Nation",
         "not ready to discuss anything")
    _lacks(text, "Yomiuri")


def test_funabashi_has_his_own_entry(text):
    _has(text, "(Funabashi 2000; on the memoir, see Matsumoto 2012)", "Funabashi Yōichi. 2000.")


def test_peace_treaty_cited_from_the_treaty_series_not_a_mirror(text):
    _has(text, "United Nations Treaty Series, No. 1832", "3 UST (pt. 3) 3169",
         "the volume of the Series has not been verified for this edition")
    _lacks(text, "statengeneraal", "laws-markdown")


def test_no_suffixed_undated_labels_and_frus_has_its_year(text):
    assert not re.search(r"n\.d\.-[a-z]", text)
    _has(text, "FRUS 1955–57, 23:1 = United States Department of State. 1991.",
         "FRUS 1949, 7:2 = United States Department of State. 1976.", "Tanaka (1990)")
    _lacks(text, "Khrushchev (1894–1971) (Fursenko")


def test_frus_is_cited_by_its_short_form_with_the_document(text):
    _has(text, "(FRUS 1955–57, 23:1, docs. 89 and 101)", "(FRUS 1955–57, 23:1, doc. 13)",
         "(FRUS 1951, 6:1, doc. 735)", "(FRUS 1949, 7:2, doc. 167)",
         "(FRUS 1955–57, 23:1, doc. 89) is document 89 of volume XXIII, part 1")
    _lacks(text, "United States Department of State 1991", "United States Department of State n.d.",
           "United States Department of State 1976")


def test_hara_cold_war_frontiers_is_dated_2007(text):
    # listed after Hara's 1998 and 2001 works: the 3-em dash stands for the author
    _has(text, "rests only on Hara (2007)", "Hara Kimie. 1998.", "\u2014\u2014\u2014. 2007. Cold War Frontiers in the Asia-Pacific")
    _lacks(text, "Hara n.d.", "Hara (n.d.)")


def test_putin_2005_wording_is_not_claimed_from_the_kremlin_transcript(text):
    _has(text, "according to a press report, to a question from a resident of Sakhalin (Savka n.d.)",
         "The edition has not been able to read the answer in that transcript",
         "Savka, Olga. n.d. “Putin Firmly Defends Russia’s Sovereignty for Kurile Islands")


# --- 10-12: introduction, conventions, chronology --------------------------------------

def test_introduction_claims_no_more_than_it_can_show(text):
    _has(text, "It is apparently a machine translation of a Russian text",
         "A Russian text has been found elsewhere",
         "does not decide between 2011 and 2013",
         "the next paragraph speaks of “the next anniversary”")
    _lacks(text, "The treaties are cited from their official texts",
           "The notes stop at what the documents show",
           "Every date has been checked")


def test_conventions_state_the_normalization_and_the_article_9_source(text):
    _has(text, "Straight quotation marks are printed as curly ones",
         "Five slips of spacing in the scrape have been mended without notice",
         "Japanese_Joint_Declaration_of_1956); that text")


def test_chronology_adds_shimoda_un_admission_and_gromyko(text):
    _has(text, "7 Feb 1855 Treaty of Shimoda",
         "18 Dec 1956 Japan is admitted to the United Nations",
         "Feb 1957 Gromyko becomes Soviet foreign minister")


# --- 14: consistency ---------------------------------------------------------------------

def test_one_spelling_of_sergei_and_of_fulfill(text):
    _has(text, "Lavrov, Sergei Viktorovich", "Tikhvinsky, Sergei Leonidovich")
    assert not re.search(r"\bSergey\b", text)
    assert not re.search(r"\bfulfil\b", text)


def test_khrushchev_gloss(text):
    _has(text, "First Secretary of the CPSU 1953–64; Chairman of the Council of Ministers 1958–64")


# --- 15: names in the bibliography --------------------------------------------------------

def test_japanese_names_family_first_and_western_names_given_name_first(text):
    _has(text, "Hara Kimie. 1998.", "Funabashi Yōichi. 2000.", "Matsumoto Shun’ichi. 2012.",
         "Kimura Hiroshi. 2000.", "Translated by Mark Ealey.", "Edited by Shelagh Furness and Clive Schofield.")
    _lacks(text, "Ealey Mark", "Furness Shelagh", "Schofield Clive")


# --- 5: CAC-302 in the index ---------------------------------------------------------------

def test_the_index_attributes_cac_302_to_hara(text):
    _has(text, "Blakeslee, George H. (State Department expert; according to Hara, author of a paper on the "
               "Kuril Islands of 28 Dec 1944 [CAC-302])")          # no nested parentheses in a gloss


# --- 6-7: one source per correcting note ---------------------------------------------------

def test_each_correcting_note_names_its_source(text):
    _has(text,
         "According to Clark (2009), Nishimura Kumao",                               # 04:128
         "a secondary Japanese chronology on a private website",                     # 05:94
         "as Time reported at the time (“The Unmovable Malik” 1955)",                # 05:96
         "on 8 December (Japanese treaty record 1956)",                              # 05:156
         "It entered into force on 23 June 1960, as the United States Embassy in Tokyo recalled",  # 05:166
         "(“Russian Official Affirms Japan Land Deal” 2004); an undated Russian-language radio report",  # 05:182
         "(“Japan Spurns Russian Initiative” 2004;",                                 # 05:184
         "(Kondō 1960)", "“The World and Japan” (GRIPS and the University of Tokyo)")  # 05:170
    _lacks(text, "Ministry of Foreign Affairs of the Russian Federation 1992, 994")
