"""Straight quotes made the language's marks (language/typography.py), in running text the
typographer could not pair and in strings reader-build sets itself (the ``typographic``
template filter)."""
from __future__ import annotations

import pytest

from reader_build.language.locale import Typography
from reader_build.language.typography import curly_quotes
from reader_build.render.templates import template_environment

EN = Typography()
RU = Typography(quotes=("\u00ab", "\u00bb", "\u201e", "\u201c"))


@pytest.mark.parametrize("text, expected", [
    ('"The sovereignty of Japan', "\u201cThe sovereignty of Japan"),       # a quotation over paragraphs
    ('of Japan."32', "of Japan.\u201d32"),
    ("Shun'ichi and Japan's islands", "Shun\u2019ichi and Japan\u2019s islands"),
    ("the boys' books", "the boys\u2019 books"),
    ('see "', "see \u201c"),                                                # before an inline element
    ('" and so', "\u201d and so"),                                          # after one
    ("('s)", "(\u2018s)"),
    ("no quotes", "no quotes"),
])
def test_english_quotes_from_their_context(text, expected):
    assert curly_quotes(text, EN) == expected


def test_the_language_chooses_the_marks():
    assert curly_quotes('"Mir" and "Sever"', RU) == "\u00abMir\u00bb and \u00abSever\u00bb"


def test_the_template_filter_sets_generated_strings(tmp_path):
    env = template_environment(tmp_path)
    made = env.from_string('<h1 data-short="{{ s | typographic }}">{{ g | typographic | e }}</h1>').render(
        s="Editor's Introduction", g='the text\'s "Sushio" & more')
    assert made == ('<h1 data-short="Editor\u2019s Introduction">the text\u2019s \u201cSushio\u201d &amp; more</h1>')
