"""Where the PDF may break a word (render/hyphenate.py): no PDF involved."""
from __future__ import annotations

import pytest

from reader_build.render.hyphenate import SHY, Hyphenator, dictionary_for, hyphenate_word


def breaks(html: str) -> str:
    return html.replace(SHY, "|")


@pytest.mark.parametrize("tag, dictionary", [("en", "en_US"), ("en-US", "en_US"), ("en-GB", "en_GB"),
                                             ("en_GB", "en_GB"), ("de", "de"), ("fr-FR", "fr"),
                                             ("xx", None), ("", None)])
def test_the_dictionary_follows_the_language_tag(tag, dictionary):
    assert dictionary_for(tag) == dictionary


def test_american_patterns_for_en_and_british_for_en_gb():
    text = "<p>The military article on Russian negotiations went on.</p>"
    us, gb = breaks(Hyphenator("en").html(text)), breaks(Hyphenator("en-GB").html(text))
    assert "mil|i|tary" in us and "arti|cle" in us and "Rus|sian" in us
    assert "mil|it|ary" in gb and "art|icle" in gb


def test_a_chapter_in_another_language_gets_its_own_patterns():
    assert "mil|it|ary" in breaks(Hyphenator("en").html("<p>military matters</p>", "en-GB"))
    assert SHY not in Hyphenator("en").html("<p>military matters</p>", "xx")


def test_limits_six_letters_three_before_and_three_after():
    assert hyphenate_word("islands", "en_US") == "islands"        # "is-lands": two letters before
    assert hyphenate_word("table", "en_US") == "table"            # five letters
    for word in ("negotiations", "international", "continued", "memorandum", "territories"):
        parts = hyphenate_word(word, "en_US").split(SHY)
        assert len(parts) > 1 and len(parts[0]) >= 3 and len(parts[-1]) >= 3, parts


def test_never_names_urls_numbers_compounds_or_the_last_word():
    h = Hyphenator("en", names=["Habomai", "Moscow (city)"])
    out = breaks(h.html(
        '<p>Negotiations about Habomai and Moscow continued at https://example.com/curilhas '
        'and doi:10.1000/negotiations in 1956x, <span class="ix">negotiations</span>, '
        '<a href="x">negotiations</a>, <code>negotiations</code>, Soviet-Japanese and '
        'McArthurson and the last territories</p>'))
    assert "Habomai" in out and "Moscow" in out and "McArthurson" in out           # names
    assert "Nego|ti|a|tions" in out                                              # not a name
    assert "https://example.com/curilhas" in out and "doi:10.1000/negotiations" in out
    assert '<span class="ix">negotiations</span>' in out and '<a href="x">negotiations</a>' in out
    assert "<code>negotiations</code>" in out and "Soviet-Japanese" in out
    assert out.endswith("territories</p>")                                          # the last word
    assert "con|tin|ued" in out


def test_the_last_word_of_a_note_and_of_a_paragraph_with_a_note():
    out = breaks(Hyphenator("en").html(
        '<p>They argued about the territories.<a class="fn-anchor"></a><span class="fn">'
        '<span class="fn-p">The memorandum concerned territories</span></span></p>'))
    assert "territories.<a" in out and "territories</span>" in out and "mem|o|ran|dum" in out


def test_headings_and_index_are_not_hyphenated_nor_ligatures_split():
    out = Hyphenator("en").html('<h2>International negotiations</h2><section class="index">'
                                '<p>international negotiations</p></section><p lang="xx">international x</p>')
    assert SHY not in out
    # "boycott": a soft hyphen inside Libertine's "tt" ligature loses the glyph's text in the PDF
    assert "t" + SHY + "t" not in hyphenate_word("boycotting", "en_US")
