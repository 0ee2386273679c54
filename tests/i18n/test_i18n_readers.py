"""A small reader built in each shipped language: its PDF holds that language's fixed words
and quotation marks and no English fixed word; the Russian example reader's EPUB is valid
and marks its languages."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from conftest import REPO, copy_project, epub_documents, epubcheck_messages, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.language.locale import load_locale, shipped_languages

# A sentence with a quotation (and one nested in it), a person and a place, in each language.
SAMPLES = {
    "en": ("The treaty", 'Smith wrote "the islands are \'ours\' now" in Boston.', "Smith, John", "Boston"),
    "ru": ("Договор", 'Смирнов писал: "острова теперь \'наши\'" в Москве.', "Смирнов, Иван", "Москве"),
    "de": ("Der Vertrag", 'Schmidt schrieb "die Inseln sind jetzt \'unsere\'" in Berlin.', "Schmidt, Hans", "Berlin"),
    "fr": ("Le traité", 'Dupont écrivit "les îles sont \'nôtres\' maintenant" à Lyon.', "Dupont, Jean", "Lyon"),
    "es": ("El tratado", 'García escribió "las islas son \'nuestras\' ahora" en Sevilla.', "García, Juan", "Sevilla"),
    "it": ("Il trattato", 'Rossi scrisse "le isole sono \'nostre\' adesso" a Roma.', "Rossi, Mario", "Roma"),
    # Japanese has no spaces between words: the place is marked for the index explicitly
    "ja": ("条約", '山田は"島は今や\'われわれの\'ものだ"と[東京]{ix=place}で書いた。', "山田", "東京"),
    "cs": ("Smlouva", 'Novák napsal "ostrovy jsou teď \'naše\'" v Brně.', "Novák, Jan", "Brně"),
    "pl": ("Traktat", 'Kowalski pisał "wyspy są teraz \'nasze\'" w Krakowie.', "Kowalski, Jan", "Krakowie"),
}

ENGLISH_FIXED = ["Contents", "Bibliography", "Index of Names", "Index of Places", "Numbers refer to pages",
                 "marks a page", "Edited by", "Edition “", "Typeset by", "See also", "n.d.",
                 " and ", "et al."]


def project_in(root, lang: str):
    title, sentence, person, place = SAMPLES[lang]
    surname = person.split(",")[0]
    return write_project(root, {
        "reader.toml": f'title = "{title}"\nlanguage = "{lang}"\neditor = "{person}"\ndate = "2026-12-01"\n\n'
                       '[editions.print]\nformat = "pdf"\n',
        "manuscript/one.md": f"""
            ---
            id: one
            title: "{title}"
            ---

            {sentence} [@book; @pair; @undated]

            {surname}.[^1]

            [^1]: {surname} [@book, 7].
            """,
        "manuscript/index.toml": f"""
            [[entry]]
            id = "person"
            kind = "person"
            heading = "{person}"
            variants = ["{surname}"]
            see_also = ["other"]

            [[entry]]
            id = "other"
            kind = "person"
            heading = "{surname}-{surname}"
            variants = ["{surname}-{surname}"]

            [[entry]]
            id = "place"
            kind = "place"
            heading = "{place}"
            variants = ["{place}"]
            """,
        "bibliography/refs.bib": f"""
            @book{{book, author = {{{person}}}, title = {{{title}}}, date = {{2001}}, location = {{{place}}},
                   publisher = {{{surname}}}}}
            @book{{pair, author = {{{person} and {surname}-{surname}, A.}}, title = {{{title} 2}}, date = {{2002}}}}
            @book{{undated, author = {{{surname}-{surname}, B.}}, title = {{{title} 3}}}}
            """,
    })


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    out = {}
    for lang in shipped_languages():
        root = project_in(tmp_path_factory.mktemp(lang) / "reader", lang)
        # the sentence mentions the other entry so that "see also" is printed
        chapter = root / "manuscript" / "one.md"
        surname = SAMPLES[lang][2].split(",")[0]
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{surname}-{surname}.\n", encoding="utf-8")
        result = build(root)
        assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
        out[lang] = "\n".join(pdf_page_texts(root / "build" / "print.pdf"))
    return out


@pytest.mark.parametrize("lang", shipped_languages())
def test_the_pdf_speaks_the_language(built, lang):
    text = built[lang]
    flat = re.sub(r"\s+", " ", text)
    locale = load_locale(lang)
    for key in ("contents", "bibliography", "index-title-person", "index-title-place", "index-see-also"):
        assert locale.t(key) in flat, (lang, key)
    assert locale.t("edited-by", editor=SAMPLES[lang][2]).split("{")[0].strip() in flat
    opening, closing, inner_open, inner_close = (q.strip() for q in locale.typography.quotes)
    assert opening in text and closing in text and inner_open in text and inner_close in text
    assert '"' not in text and "'" not in text
    if lang != "en":
        left = [word for word in ENGLISH_FIXED if word in flat]
        assert not left, f"{lang}: English fixed words left: {left}"
        assert locale.strings["cite-and"] in flat and locale.strings["cite-no-date"].replace("\u00a0", " ") in flat


def test_the_english_reader_keeps_its_words(built):
    flat = re.sub(r"\s+", " ", built["en"])
    for words in ("Contents", "Bibliography", "Index of Names", "Index of Places", "Edited by Smith, John",
                  "Numbers refer to pages", "“the islands are ‘ours’ now”", "Smith and Smith-Smith"):
        assert words in flat, words


# --- the Russian example project -------------------------------------------------------

@pytest.fixture(scope="module")
def russian(tmp_path_factory) -> dict:
    root = copy_project(REPO / "tests" / "data" / "ru-reader", tmp_path_factory.mktemp("ru") / "reader")
    result = build(root, emit_html=True)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return {"root": root, "result": result}


def test_the_russian_example_builds_without_a_message(russian):
    codes = [d.code for d in russian["result"].diagnostics]
    assert codes == ["bib-incomplete"]          # the entry without a date, there on purpose


def test_the_russian_pdf(russian):
    joined = "\n".join(pdf_page_texts(russian["root"] / "build" / "print.pdf"))
    text = re.sub(r"\s+", " ", re.sub(r"\u2010\s*\n\s*", "", joined))       # words broken at line ends, whole
    for words in ("Содержание", "Библиография", "Указатель имён", "Указатель мест", "«острый вопрос о „северных",
                  "Москве, а в Вашингтоне1 — и", "(Кошкин 2006, с. 12)", "Кузнецов, Иванов и Смирнов 2001",
                  "(Андреев б. г.)", "Издание «print»", "“The islands were a bargaining chip.”"):
        assert words in text, words
    html = (russian["root"] / "build" / "print.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in html and '<span lang="en">' in html     # hyphenation follows the span


def test_the_russian_epub_passes_epubcheck(russian):
    assert epubcheck_messages(russian["root"] / "build" / "ebook.epub") == []


def test_the_russian_epub_marks_its_languages(russian):
    docs = epub_documents(russian["root"] / "build" / "ebook.epub")
    opf = ET.fromstring(docs["EPUB/content.opf"])
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert opf.get(xml_lang) == "ru"
    assert opf.find(".//{http://purl.org/dc/elements/1.1/}language").text == "ru"
    chapter = next(v for k, v in docs.items() if k.endswith("-vvedenie.xhtml")).decode()
    root = ET.fromstring(chapter)
    assert root.get("lang") == "ru" and root.get(xml_lang) == "ru"
    spans = [(s.get("lang"), "".join(s.itertext())) for s in root.iter("{http://www.w3.org/1999/xhtml}span")]
    assert ("en", "“The islands were a bargaining chip.”") in spans
    nav = docs["EPUB/nav.xhtml"].decode()
    for words in ("<h2>Ориентиры</h2>", ">Титульный лист</a>", ">Начало текста</a>", 'aria-label="Список страниц"'):
        assert words in nav, words
    assert "Назад к тексту" in chapter and 'aria-label="Примечания"' in chapter
    summary = re.search(r'property="schema:accessibilitySummary">([^<]*)<', docs["EPUB/content.opf"].decode())
    assert summary and "Это издание" in summary.group(1)
