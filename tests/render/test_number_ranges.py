"""A range of numbers ("361–80", "(1909–1989)") is never cut at its dash in the parts that are
set ragged, the bibliography and the indexes, where WeasyPrint breaks lines after any en dash."""
from __future__ import annotations

import re

from conftest import pdf_page_texts, write_project
from reader_build.build import build
from reader_build.language.typography import keep_ranges


def test_ranges_in_the_text_of_html_are_kept_whole():
    html = 'Affairs 74 (3): 361–80. (1909–1989) <a href="#x–1">1–2</a> 1–2–3, a–b, 12a–13b, 1945–'
    assert keep_ranges(html) == (
        'Affairs 74 (3): <span class="nobr">361–80</span>. (<span class="nobr">1909–1989</span>) '
        '<a href="#x–1"><span class="nobr">1–2</span></a> 1–2–3, a–b, <span class="nobr">12a–13b</span>, 1945–')
    assert keep_ranges("no dash") == "no dash"


def test_no_line_of_the_bibliography_ends_inside_a_range(tmp_path):
    # titles of every length, so that many a range falls at a line's end
    words = "Harbours Straits Islands Currents Fisheries Treaties Borders Archipelagos".split()
    entries = "".join(
        f"@article{{w{n}, author = {{Author{n}, Ann}}, title = {{{' '.join(words[:1 + n % 8])} of {'x' * (n % 13)}}},"
        f" journal = {{Pacific Affairs}}, volume = {{{n + 1}}}, number = {{{n % 4 + 1}}}, pages = {{{100 + n}--{130 + n}}},"
        f" date = {{{1950 + n}}}}}\n" for n in range(60))
    root = write_project(tmp_path / "p", {
        "reader.toml": 'title = "Ranges"\n[bibliography]\nall = true\n[editions.print]\nformat = "pdf"\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\nText.\n",
        "bibliography/refs.bib": entries,
    })
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    pages = pdf_page_texts(root / "build" / "print.pdf")
    first = next(n for n, page in enumerate(pages) if page.strip().startswith("Bibliography\n"))
    bibliography = "\n".join(pages[first:])
    assert bibliography.count("Author") == 60
    cut = [line for line in bibliography.splitlines() if re.search(r"\d–\s*$", line)]
    assert not cut, cut
