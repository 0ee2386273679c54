"""The web edition of a reader in another language: every fixed word of the site (page
titles, navigation, notes, search page, print pages, the words web.js shows) is in the
reader's language, and no English fixed word is left."""
from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from conftest import REPO, copy_project
from reader_build.build import build
from reader_build.language.locale import load_locale, placeholders, reference_strings
from web_helpers import html_files, in_browser, page_url

WEB = '\n[editions.web]\nformat = "html"\n'
RU = load_locale("ru")
# The English strings the web edition prints of its own.
WEB_KEYS = [k for k in reference_strings() if k.startswith("web-")] + [
    "contents", "bibliography", "notes", "index-title-person", "index-note-epub-links", "edited-by"]


def english_fragments() -> set[str]:
    """The literal parts of the English web strings (between placeholders), of two letters or more."""
    fragments = set()
    for key in WEB_KEYS:
        text = reference_strings()[key]
        for name in placeholders(text):
            text = text.replace("{" + name + "}", "\0")
        fragments |= {part.strip(" .,:;()“”") for part in text.split("\0")}
    return {f for f in fragments if re.search(r"[A-Za-z]{2}", f)}


@pytest.fixture(scope="module")
def ru_site(tmp_path_factory):
    """The Russian example reader with a print edition (print pages in the margin) and a web edition."""
    root = copy_project(REPO / "tests" / "data" / "ru-reader", tmp_path_factory.mktemp("ru-web") / "reader")
    toml = root / "reader.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[handouts.", WEB + "\n[handouts.", 1), encoding="utf-8")
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    return root / "build" / "web"


def shown_text(doc) -> str:
    """What a reader sees or hears of a page: its text and its titles, labels and placeholders,
    without the text marked as English in the manuscript."""
    for element in doc.xpath('//*[@lang and not(self::html)]'):
        if not element.get("lang").startswith("ru"):
            element.drop_tree()
    for element in doc.xpath("//script"):
        element.drop_tree()
    attrs = doc.xpath("//@title | //@aria-label | //@placeholder | //@alt")
    return " ".join([doc.text_content()] + [str(a) for a in attrs])


def test_every_page_is_russian_with_russian_fixed_words(ru_site):
    names = html_files(ru_site)
    assert {"index.html", "contents.html", "bibliography.html", "search.html"} <= set(names)
    assert any(n.startswith("page/") for n in names)                   # print page redirects
    english = english_fragments()
    assert {"Contents", "Skip to the text", "Previous", "Next", "Print pages", "Search"} <= english
    for name in names:
        doc = lxml_html.fromstring((ru_site / name).read_bytes())
        assert doc.get("lang") == "ru", name
        text = shown_text(doc)
        left = sorted(f for f in english if re.search(r"(?<![A-Za-z])" + re.escape(f) + r"(?![A-Za-z])", text))
        assert not left, f"{name} shows the English {left}"


def test_the_russian_words_are_where_they_belong(ru_site):
    def doc(name):
        return lxml_html.fromstring((ru_site / name).read_bytes())

    contents = doc("contents.html")
    assert contents.xpath("string(//h1)") == "Содержание" == RU.t("contents")
    assert contents.xpath("string(//title)").startswith("Содержание · ")
    assert contents.xpath("string(//h2[@id='page-list-title'])") == "Страницы печатного издания"
    assert contents.xpath("string(//a[@class='skip-link'])") == "Перейти к тексту"
    assert [a.text_content() for a in contents.xpath("//nav[@class='site-nav']//a")][0] == "Содержание"
    assert "Поиск" in [a.text_content() for a in contents.xpath("//nav[@class='site-nav']//a")]
    assert contents.xpath("string(//input[@id='site-q']/@placeholder)") == "Поиск"
    assert contents.xpath("string(//form[@role='search']/button)") == "Найти"
    chapter_name = next(n for n in html_files(ru_site) if re.match(r"\d\d-", n))
    chapter = doc(chapter_name)
    assert chapter.xpath("string(//h2[@class='notes-title'])") == "Примечания"
    assert chapter.xpath("string(//a[@rel='prev']/span)") == "Назад"
    assert chapter.xpath("string(//a[@rel='next']/span)") == "Далее"
    assert chapter.xpath("string(//p[@class='chapter-pages'])").startswith("Страницы печатного издания: ")
    assert chapter.xpath("//span[@class='pagebreak' or starts-with(@class, 'pagebreak ')]/@title")[0].startswith(
        "Страница ")
    assert "Числа на полях" in chapter.xpath("string(//footer)")
    assert doc("bibliography.html").xpath("string(//h1)") == RU.t("bibliography")
    title = doc("index.html")
    assert "Начать чтение" in title.xpath("string(//p[@class='title-links'])")
    assert title.xpath("string(//p[@class='book-editor'])") == RU.t("edited-by", editor="И. И. Иванов")
    search = doc("search.html")
    assert search.xpath("string(//h1)") == "Поиск"
    assert search.xpath("string(//label[@for='q'])") == "Слова для поиска"
    assert "нужен JavaScript" in search.xpath("string(//p[@class='needs-script'])")
    redirect = doc(next(n for n in html_files(ru_site) if n.startswith("page/")))
    assert redirect.xpath("string(//h1)").startswith("Страница ")
    assert "печатного издания" in redirect.xpath("string(//main//a)")


def test_the_words_of_the_script_come_from_the_page_in_russian(ru_site):
    doc = lxml_html.fromstring((ru_site / "search.html").read_bytes())
    strings = json.loads(doc.xpath("string(//script[@id='reader-strings'])"))
    assert strings["note"] == "Примечание {number}" and strings["in-text"] == "В тексте"
    assert {"places-one", "places-few", "places-many", "places-other"} <= set(strings)
    raw = (ru_site / "search.html").read_text(encoding="utf-8")
    assert '"note-close": "Закрыть примечание"' in raw                  # as letters: the fonts' subsets hold them
    search_index = (ru_site / "search-index.js").read_text(encoding="utf-8")
    assert ", примечание 1\"" in search_index and ", note " not in search_index


def test_the_script_speaks_russian_in_the_browser(ru_site):
    in_browser(lambda page: russian_search_and_note(ru_site, page))


def russian_search_and_note(ru_site, page) -> None:
    page.goto(page_url(ru_site, "search.html?q=Громыко"))
    page.wait_for_selector(".search-results li")
    status = page.inner_text("#search-status")
    assert re.fullmatch(r"\d+ мест(о|а)? в тексте, \d+ в указателе по запросу «Громыко»\.", status), status
    headings = page.locator("#search-results h2").all_inner_texts()
    assert headings == ["В указателе", "В тексте"]
    assert re.search(r"\(Указатель имён, \d+ упоминани[еяй]\)", page.inner_text(".search-entries li")), \
        page.inner_text(".search-entries li")
    chapter = next(n for n in html_files(ru_site) if re.match(r"\d\d-", n))
    page.goto(page_url(ru_site, chapter))
    page.locator("a.noteref").first.click()
    popover = page.locator(".note-popover")
    assert popover.get_attribute("aria-label").startswith("Примечание ")
    assert popover.locator(".popover-more").inner_text() == "Показать среди примечаний"
    assert popover.locator(".popover-close").get_attribute("aria-label") == "Закрыть примечание"
