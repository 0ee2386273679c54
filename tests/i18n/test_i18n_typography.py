"""Quotation marks, dashes and spaces follow the language of each paragraph and span."""
from __future__ import annotations

import pytest

from reader_build.diagnostics import Diagnostics
from reader_build.render.html import inline_html
from reader_build.language.locale import load_locale, typography_for
from reader_build.source.markdown import markdown

NBSP, NNBSP = "\u00a0", "\u202f"


def texts(source: str, lang: str) -> list[str]:
    """The text of each paragraph of *source*, parsed as a chapter in *lang*."""
    locale = load_locale(lang)
    env = {"lang": lang, "typography": lambda tag: typography_for(tag, locale)}
    tokens = markdown().parse(source, env)
    return ["".join(c.content for c in t.children) for t in tokens if t.type == "inline"]


@pytest.mark.parametrize("lang, expected", [
    ("en", "“a ‘b’ c”"),
    ("ru", "«a „b“ c»"),
    ("de", "„a ‚b‘ c“"),
    ("fr", f"«{NNBSP}a “b” c{NNBSP}»"),
    ("es", "«a “b” c»"),
    ("it", "«a “b” c»"),
    ("ja", "「a 『b』 c」"),
    ("pl", "„a «b» c”"),
    ("cs", "„a ‚b‘ c“"),
])
def test_quotes_are_the_languages(lang, expected):
    assert texts("""x "a 'b' c" y""", lang) == [f"x {expected} y"]


def test_an_apostrophe_stays_an_apostrophe():
    assert texts("l'homme don't", "fr") == ["l’homme don’t"]
    assert texts("l'homme don't", "ru") == ["l’homme don’t"]


def test_russian_dashes():
    [text] = texts("Москва -- столица. Годы 1955--1956. -- Да, --- сказал он", "ru")
    assert text == f"Москва{NBSP}— столица. Годы 1955–1956.{NBSP}— Да,{NBSP}— сказал он"
    assert texts("-- Да, -- сказал он.", "ru") == [f"— Да,{NBSP}— сказал он."]


def test_english_dashes_are_as_before():
    assert texts("a -- b --- c 1955--56", "en") == ["a – b — c 1955–56"]


def test_german_spaced_dash_is_an_en_dash_tied_to_the_word_before():
    assert texts("Er kam -- spät.", "de") == [f"Er kam{NBSP}– spät."]


def test_french_spaces_before_high_punctuation():
    [text] = texts("Quoi ? Non! Voici : un; deux. À 10:30, voir http://example.org", "fr")
    assert text == (f"Quoi{NNBSP}? Non{NNBSP}! Voici{NNBSP}: un{NNBSP}; deux. À 10:30, voir http://example.org")


@pytest.mark.parametrize("lang, source, expected", [
    ("ru", "Он жил в доме и с семьёй", f"Он жил в{NBSP}доме и{NBSP}с{NBSP}семьёй"),
    ("cs", "Byl v Praze a k ránu", f"Byl v{NBSP}Praze a{NBSP}k{NBSP}ránu"),
    ("pl", "Był w domu i z nami", f"Był w{NBSP}domu i{NBSP}z{NBSP}nami"),
    ("en", "He was in a house", "He was in a house"),
])
def test_short_words_are_tied_to_the_next(lang, source, expected):
    assert texts(source, lang) == [expected]


def test_a_span_switches_the_quotes_and_keeps_its_lang():
    [text] = texts('He wrote [Он "сказал"]{lang=ru} and "this".', "en")
    assert text == "He wrote Он «сказал» and “this”."
    tokens = markdown().parse('He wrote [Он "сказал"]{lang=ru}.', {"lang": "en"})
    spans = [t for t in tokens[1].children if t.type == "span_open"]
    assert spans[0].attrGet("lang") == "ru"


def test_a_paragraph_switches_language():
    paragraphs = texts('Er sagte "ja".\n\n{lang=fr}\nIl dit "oui" !\n\nUnd "nein".', "de")
    assert paragraphs == ["Er sagte „ja“.", f"Il dit «{NNBSP}oui{NNBSP}»{NNBSP}!", "Und „nein“."]


def test_a_russian_quote_in_an_english_reader_without_markup_stays_english():
    assert texts('The title "Россия и Япония".', "en") == ["The title “Россия и Япония”."]


def test_titles_follow_the_language():
    ru = load_locale("ru")
    assert inline_html('О "договоре" -- и', "ru", ru) == f"О «договоре»{NBSP}— и"
    assert inline_html('On "peace" -- and') == "On “peace” – and"



def test_japanese_quotes_pair_without_spaces():
    assert texts('山田は"島は\'われわれの\'ものだ"と書いた。\n\n次の"段落"。', "ja") == [
        "山田は「島は『われわれの』ものだ」と書いた。", "次の「段落」。"]


def test_a_chapter_in_another_language(tmp_path):
    from conftest import write_project
    from reader_build.build import load_reader
    from reader_build.pdf.compose import gather
    root = write_project(tmp_path / "p", {
        "reader.toml": 'title = "T"\n',
        "manuscript/one.md": '---\nid: one\ntitle: "Ein \\"Titel\\""\nlang: de\n---\n\nEr sagte "ja".\n'})
    diags = Diagnostics()
    reader = load_reader(root, diags)
    assert not diags.items
    ctx = gather(reader, reader.config.editions[0], root, diags, "")
    [chapter] = ctx.chapters
    assert chapter["lang"] == "de" and chapter["title_html"] == "Ein „Titel“"
    assert "Er sagte\u00a0„ja“." in chapter["body"]       # German quotes; the short last word tied


def test_cyrillic_initials_are_tied_to_the_name():
    from reader_build.render.typography import nbsp
    assert nbsp("писал А. А. Кошкин и Дж. Ф. Даллес") == f"писал А.{NBSP}А.{NBSP}Кошкин и Дж.{NBSP}Ф.{NBSP}Даллес"
