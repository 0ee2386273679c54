"""The web edition in a real browser (Debian's Chromium through Playwright), opened
from disk (file://) as a student would open a downloaded copy."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import normalise, pdf_page_texts
from web_helpers import axe_script, browser, html_files, page, page_url, site  # noqa: F401  (fixtures)

CHAPTER = "04-san-francisco.html"


def in_view(tab, selector: str) -> bool:
    return tab.eval_on_selector(selector, """el => { const r = el.getBoundingClientRect();
        return r.bottom > 0 && r.top >= -1 && r.top < window.innerHeight; }""")


def target_id(tab) -> str:
    return tab.evaluate("decodeURIComponent(location.hash.slice(1))")


def test_a_click_on_a_note_call_shows_the_note_and_escape_closes_it(site, page):
    page.goto(page_url(site, CHAPTER))
    call = page.locator("a.noteref").first
    number = call.inner_text()
    note_text = normalise(page.locator(f"#fn-{number}").inner_text())
    call.click()
    popover = page.locator(".note-popover")
    assert popover.is_visible()
    assert popover.get_attribute("role") == "dialog" and popover.get_attribute("aria-label") == f"Note {number}"
    shown = normalise(popover.inner_text())
    assert note_text.split(" ", 1)[1][:60] in shown                        # the note's own text
    assert page.evaluate("document.activeElement.classList.contains('note-popover')")
    assert call.get_attribute("aria-expanded") == "true"
    assert target_id(page) == ""                                           # it opened in place
    page.keyboard.press("Escape")
    assert popover.count() == 0
    assert page.evaluate("document.activeElement.id") == f"fnref-{number}"  # focus back on the call


def test_a_note_opens_from_the_keyboard_and_its_close_button_works(site, page):
    page.goto(page_url(site, CHAPTER))
    call = page.locator("a.noteref").nth(2)
    call.focus()
    page.keyboard.press("Enter")
    assert page.locator(".note-popover").is_visible()
    # Tab moves through the note's own links (its citations) to the close button, within the note
    for _ in range(12):
        if page.evaluate("document.activeElement.className") == "popover-close":
            break
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('.note-popover')")
    assert page.evaluate("document.activeElement.className") == "popover-close"
    page.keyboard.press("Enter")
    assert page.locator(".note-popover").count() == 0
    assert page.evaluate("document.activeElement.id") == call.get_attribute("id")


def test_search_finds_gromyko_and_the_result_opens_the_mention(site, page):
    page.goto(page_url(site, "index.html"))
    page.fill("#site-q", "Gromyko")
    page.press("#site-q", "Enter")
    page.wait_for_selector(".search-results li")
    entry = page.locator(".search-entries a").first
    assert entry.inner_text().startswith("Gromyko") and entry.get_attribute("href") == "index-person.html#ix-gromyko"
    results = page.locator(".search-results li")
    assert results.count() >= 5
    assert all("gromyko" in t.lower() for t in results.all_inner_texts())
    results.nth(3).locator("a").click()
    page.wait_for_load_state()
    mention = target_id(page)
    assert mention.startswith("m-")
    assert "gromyko" in page.locator(f"[id='{mention}']").inner_text().lower()
    assert in_view(page, f"[id='{mention}']")


def test_searching_a_name_offers_its_index_entry_and_a_phrase_narrows(site, page):
    page.goto(page_url(site, "search.html?q=kuril"))
    page.wait_for_selector(".search-entries a")
    assert any("Kuril" in t for t in page.locator(".search-entries a").all_inner_texts())
    wide = page.locator(".search-results li").count()
    page.goto(page_url(site, "search.html?q=kuril+shikotan"))
    page.wait_for_selector("#search-status:not(:empty)")
    assert 0 < page.locator(".search-results li").count() < wide


def test_page_36_lands_at_the_start_of_print_page_36(site, page, bundled):
    texts = [normalise(t) for t in pdf_page_texts(bundled["pdf"])]
    for address in ("index.html#page-36", "contents.html#page-36", "page/36/index.html"):
        page.goto(page_url(site, address))
        page.wait_for_selector("#page-36")
        page.wait_for_function("location.hash === '#page-36'")
        assert in_view(page, "#page-36"), address
        following = page.evaluate("""() => {
            const marker = document.getElementById('page-36');
            const walker = document.createTreeWalker(document.getElementById('main'), NodeFilter.SHOW_TEXT);
            walker.currentNode = marker; let text = '';
            while (walker.nextNode() && text.length < 80) {
              if (!walker.currentNode.parentElement.closest('a.noteref')) text += walker.currentNode.data; }
            return text; }""")
        words = " ".join(normalise(following).split()[:5])
        assert words in texts[35] and words not in texts[34], (address, words)


def test_an_index_locator_lands_on_its_mention(site, page):
    page.goto(page_url(site, "index-person.html"))
    locator = page.locator("#ix-gromyko a.index-loc").first
    label = locator.inner_text()
    locator.click()
    page.wait_for_load_state()
    mention = target_id(page)
    assert mention.startswith("m-") and in_view(page, f"[id='{mention}']")
    assert "gromyko" in page.locator(f"[id='{mention}']").inner_text().lower()
    shown_page = page.evaluate("""id => { const m = document.getElementById(id);
        const marks = [...document.querySelectorAll('.pagebreak')].filter(
            p => p.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);
        return marks.length ? marks[marks.length - 1].dataset.page : null; }""", mention)
    assert shown_page == re.split(r"[\u2013-]", label)[0]


def shots_folder(tmp_path) -> Path:
    folder = Path(os.environ.get("READER_BUILD_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", [360, 1280])
def test_the_pages_read_at_360_and_1280_pixels(site, browser, tmp_path, width):
    """Screenshots (in $READER_BUILD_SHOTS when set); nothing wider than the screen; the text font
    loaded; sidenotes beside the text on the wide screen, none on the phone."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    folder = shots_folder(tmp_path)
    shown = ("index.html", "contents.html", CHAPTER, "index-person.html", "search.html?q=Gromyko")
    for name in [n for n in html_files(site) if not n.startswith("page/")] + ["search.html?q=Gromyko"]:
        tab.goto(page_url(site, name))
        tab.evaluate("document.fonts.ready.then(() => true)")
        if name in shown:
            tab.screenshot(path=str(folder / f"{re.sub(r'[^A-Za-z0-9]+', '-', name)}-{width}.png"))
        assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), name
        assert tab.evaluate("document.fonts.check('1em \"Reader Serif\"')"), name
    tab.goto(page_url(site, CHAPTER))
    tab.wait_for_timeout(200)
    boxes = tab.evaluate("[...document.querySelectorAll('.sidenote')].map(s => s.getBoundingClientRect())"
                         ".map(r => [r.left, r.top, r.bottom, r.right])")
    main_right = tab.evaluate("document.querySelector('.chapter-text').getBoundingClientRect().right")
    if width >= 1280:
        assert len(boxes) > 10
        assert all(b[0] >= main_right for b in boxes) and all(b[3] <= width for b in boxes)
        assert all(a[2] <= b[1] for a, b in zip(boxes, boxes[1:]))         # never overlapping
    else:
        assert all(b[3] - b[0] == 0 for b in boxes)
    context.close()


def test_axe_finds_no_violation_on_any_page(site, page):
    script = axe_script()
    found = {}
    names = [n for n in html_files(site) if not n.startswith("page/")]     # page/N/ leaves at once
    for name in names + [CHAPTER + "#popover"]:
        page.goto(page_url(site, name.replace("#popover", "")))
        if name.endswith("#popover"):
            page.locator("a.noteref").first.click()
        page.add_script_tag(content=script)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        if violations:
            found[name] = violations
    assert found == {}


def test_without_javascript_every_note_and_every_locator_is_reachable(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    tab = context.new_page()
    targets: dict[str, set] = {}
    for name in html_files(site):
        if name.startswith("page/"):
            continue
        tab.goto(page_url(site, name))
        hrefs = tab.eval_on_selector_all("a.noteref, a.fn-back, a.index-loc, a.index-xref",
                                         "links => links.map(a => a.getAttribute('href'))")
        for href in hrefs:
            file, ident = href.split("#", 1)
            targets.setdefault(file or name, set()).add(ident)
    assert sum(len(v) for v in targets.values()) > 300
    for name, idents in targets.items():
        tab.goto(page_url(site, name))
        hidden = tab.evaluate("""ids => ids.filter(id => { const el = document.getElementById(id);
            return !el || !(el.offsetWidth || el.offsetHeight || el.getClientRects().length); })""", sorted(idents))
        assert hidden == [], name
    tab.goto(page_url(site, CHAPTER))
    tab.locator("a.noteref").first.click()
    assert target_id(tab).startswith("fn-") and in_view(tab, f"[id='{target_id(tab)}']")
    tab.goto(page_url(site, "search.html"))
    assert tab.locator(".needs-script").is_visible()
    context.close()


def test_the_print_stylesheet_leaves_out_the_site_around_the_text(site, page):
    page.goto(page_url(site, CHAPTER))
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator(".pager").is_visible()
    assert page.locator("section.footnotes").is_visible() and page.locator(".chapter-title").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('a.noteref')).color") == "rgb(0, 0, 0)"
