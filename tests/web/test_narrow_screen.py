"""On a phone's screen (360 CSS pixels), nothing of the web edition or the e-book is wider than
the screen: a table wider than the screen scrolls in a region of its own, which the keyboard
can reach and which is named by the table's caption; a long code line and a long address
wrap.  Checked in Debian's Chromium, with axe-core on the page."""
from __future__ import annotations

import zipfile

import pytest

from conftest import write_project
from reader_build.build import build
from web_helpers import axe_script, in_browser, page_url

CHAPTER = """
---
id: trade
title: Trade figures
---

The figures of the decade, as the ministry printed them.

| Year | Exports to the United States of America | Imports from the People's Republic of China | Balance | Tonnage | Ships | Ports | Sources |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 1951 | 1,234,567,890 | 2,345,678,901 | -1,111,111,011 | 12,345,678 | 1,234 | 23 | Ministry of International Trade and Industry |
| 1952 | 1,334,567,890 | 2,445,678,901 | -1,111,111,011 | 12,345,678 | 1,234 | 23 | https://www.example.org/a/very/long/path/to/the/statistics/tables/1952.html |

Table: Trade of Japan, 1951–1952 {#tbl:trade}

| Word | Gloss |
| --- | --- |
| Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt | a long word |

```
a code line that is very long and goes on and on and on and on and on and on and on and on and on and on
```

See https://www.example.org/another/very/long/address/that/goes/on/and/on/and/on/without/a/space.
"""

# every element that reaches past the right edge of the screen, but for those inside a region
# that scrolls on its own
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.getBoundingClientRect().right <= width + 1) continue;
    let up = el.parentElement, scrolls = false;
    while (up) { if (getComputedStyle(up).overflowX !== 'visible') { scrolls = true; break; } up = up.parentElement; }
    if (!scrolls) out.push(el.tagName.toLowerCase() + '.' + el.className);
  }
  return [document.scrollingElement.scrollWidth, width, out];
}"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("narrow") / "reader", {
        "reader.toml": 'title = "Narrow screens"\n[editions.web]\nformat = "html"\n'
                       '[editions.ebook]\nformat = "epub"\n',
        "manuscript/trade.md": CHAPTER,
    })
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    book = root / "build" / "epub"
    with zipfile.ZipFile(root / "build" / "ebook.epub") as epub:
        epub.extractall(book)
    return root


def _narrow(tab, url: str, axe_options: str = "{resultTypes: ['violations']}") -> None:
    tab.set_viewport_size({"width": 360, "height": 740})
    tab.goto(url)
    scroll_width, width, out = tab.evaluate(OVERFLOWING)
    assert out == [] and scroll_width <= width, (scroll_width, width, out)
    regions = tab.locator("div.table-wrap")
    assert regions.count() == 2
    # the wide table scrolls inside its region, which the keyboard reaches and which has a name
    wide = regions.nth(0)
    assert wide.evaluate("e => e.scrollWidth > e.clientWidth")
    assert wide.get_attribute("tabindex") == "0" and wide.get_attribute("role") == "region"
    assert wide.get_attribute("aria-label") == "Trade of Japan, 1951–1952"
    assert regions.nth(1).get_attribute("aria-label") == "Table"
    tab.keyboard.press("Tab")
    focused = tab.evaluate("() => document.activeElement.className")
    for _ in range(20):
        if focused == "table-wrap":
            break
        tab.keyboard.press("Tab")
        focused = tab.evaluate("() => document.activeElement.className")
    assert focused == "table-wrap"
    tab.add_script_tag(content=axe_script())
    result = tab.evaluate(f"axe.run(document, {axe_options})")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []


def test_the_web_page_is_no_wider_than_a_phone(project):
    site = project / "build" / "web"
    chapter = next(p.name for p in site.glob("*trade*.html"))
    in_browser(lambda tab: _narrow(tab, page_url(site, chapter)))


def test_the_ebook_page_is_no_wider_than_a_phone(project):
    chapter = next((project / "build" / "epub").rglob("*trade*.xhtml"))
    # a chapter of an e-book is one file of the book, which has its landmarks in its navigation
    # document: axe's rule that each page has a main landmark is for web pages
    options = "{resultTypes: ['violations'], rules: {'landmark-one-main': {enabled: false}}}"
    in_browser(lambda tab: _narrow(tab, chapter.as_uri(), options))


def test_the_pdf_has_no_scrolling_region(project):
    # print has no use for it: the PDF's tables are set to the measure (tests/render/test_wide_content.py)
    (project / "reader.toml").write_text('title = "Narrow screens"\n[editions.print]\nformat = "pdf"\n'
                                         '[editions.web]\nformat = "html"\n', encoding="utf-8")
    result = build(project, ["print"], emit_html=True)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    html = (project / "build" / "print.html").read_text(encoding="utf-8")
    assert "<table" in html and "table-wrap" not in html
