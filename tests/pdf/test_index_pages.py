"""The last page of an index holds at least five lines (issue #23, item 6): when fewer spill
over, the entries that end the page before go over with them (pdf/engine.py)."""
from __future__ import annotations

from reader_build.pdf import engine

CSS = """@page { size: 148mm 210mm; margin: 18mm 20mm; }
html { font-size: 9pt; line-height: 1.28; }
.index-body { column-count: 2; column-gap: 5mm; column-fill: balance; }
ul { list-style: none; margin: 0; padding: 0; }
li { padding-left: 1.2em; text-indent: -1.2em; }"""


def index_html(entries: int, rules=()) -> str:
    items = "".join(f'<li data-pi="index-x.{n}">Entry {n}{", a longer gloss that turns over" * (n % 3 == 0)}'
                    f', {n + 3}, {n + 17}</li>' for n in range(1, entries + 1))
    return (f"<html><head><style>{CSS}\n{' '.join(rules)}</style></head><body><section id='index-x'>"
            f"<div class='index-body'><ul>{items}</ul></div></section></body></html>")


def last_page_lines(document) -> int:
    return len(engine.index_lines(document.pages[-1]._page_box))


def test_a_short_last_index_page_is_filled_to_five_lines():
    fetcher = engine.AssetFetcher({}, {})
    found = None
    for entries in range(150, 260, 3):            # an index whose last page has 1 to 4 lines
        document = engine.lay_out(index_html(entries), fetcher).document
        if len(document.pages) > 1 and 0 < last_page_lines(document) < engine.MIN_LAST_PAGE_LINES:
            found = entries, document
            break
    assert found, "no index length left a short last page"
    entries, document = found
    rules = engine.short_index_page_rules(document)
    assert len(rules) == 1 and "break-before: page" in rules[0]
    mended = engine.lay_out(index_html(entries, rules), fetcher).document
    assert len(mended.pages) == len(document.pages)
    assert last_page_lines(mended) >= engine.MIN_LAST_PAGE_LINES
    assert engine.short_index_page_rules(mended) == []
    # every page before the last keeps two columns of lines
    for page in mended.pages[:-1]:
        lefts = {round(line.position_x) for line, _entry in engine.index_lines(page._page_box)}
        assert len({x // 100 for x in lefts}) == 2


def test_a_full_last_page_asks_for_nothing():
    fetcher = engine.AssetFetcher({}, {})
    for entries in (40, 400):
        document = engine.lay_out(index_html(entries), fetcher).document
        if last_page_lines(document) >= engine.MIN_LAST_PAGE_LINES:
            assert engine.short_index_page_rules(document) == []



def test_the_layout_fills_the_last_page_while_it_makes_the_pages():
    """With page mending on (as every build lays a part out), the short last page is filled in
    the same layout: the pages are those of a layout with the rule in its CSS, and the rule is
    among the layout's own, so that the next layout of the part starts from it."""
    fetcher = engine.AssetFetcher({}, {})
    for entries in range(150, 260, 3):
        plain = engine.lay_out(index_html(entries), fetcher).document
        if len(plain.pages) > 1 and 0 < last_page_lines(plain) < engine.MIN_LAST_PAGE_LINES:
            break
    else:
        raise AssertionError("no index length left a short last page")
    rules = engine.short_index_page_rules(plain)
    mended = engine.lay_out(index_html(entries), fetcher, fix=[])
    assert mended.rules == rules
    assert last_page_lines(mended.document) >= engine.MIN_LAST_PAGE_LINES
    from_css = engine.lay_out(index_html(entries, rules), fetcher, fix=rules).document
    lines = [[(round(line.position_x), round(line.position_y)) for line, _entry in engine.index_lines(page._page_box)]
             for page in mended.document.pages]
    assert lines == [[(round(line.position_x), round(line.position_y)) for line, _entry in
                      engine.index_lines(page._page_box)] for page in from_css.pages]


def test_an_index_followed_by_another_is_filled_before_the_next_opens():
    """In one document with two indexes (a book laid out whole), the first index's last page is
    known when the next page holds none of its lines."""
    fetcher = engine.AssetFetcher({}, {})
    for entries in range(150, 260, 3):
        plain = engine.lay_out(index_html(entries), fetcher).document
        if len(plain.pages) > 1 and 0 < last_page_lines(plain) < engine.MIN_LAST_PAGE_LINES:
            break
    html = index_html(entries).replace("</body>", "<section style='break-before: page'><p>After the index.</p>"
                                                  "</section></body>")
    mended = engine.lay_out(html, fetcher, fix=[])
    assert len(mended.rules) == 1 and "break-before: page" in mended.rules[0]
    counts = [len(engine.index_lines(page._page_box)) for page in mended.document.pages]
    assert counts[-1] == 0 and counts[-2] >= engine.MIN_LAST_PAGE_LINES


def grouped_index_html(groups: int, rules=()) -> str:
    """An index of *groups* letters, each a heading and its list, of 1 to 7 entries."""
    out, n = [], 0
    for g in range(groups):
        items = []
        for _ in range(1 + (g * 5) % 7):
            n += 1
            items.append(f'<li data-pi="index-x.{n}">Entry {n}{", a longer gloss that turns over" * (n % 4 == 0)}'
                         f', {n + 3}, {n + 17}</li>')
        out.append(f"<section class='index-group'><h2 class='index-letter' id='letter-{g}' data-pi='index-x.h{g}'>"
                   f"L{g}</h2>"
                   f"<ul>{''.join(items)}</ul></section>")
    css = CSS + "\nh2 { font-size: 1em; margin: 0.7em 0 0.25em; break-after: avoid; }"
    return (f"<html><head><style>{css}\n{' '.join(rules)}</style></head><body><section id='index-x'>"
            f"<div class='index-body'>{''.join(out)}</div></section></body></html>")


def test_an_entry_that_opens_its_letter_is_not_carried_without_its_heading():
    """The entries carried to a short last page never start with a letter's first entry alone:
    its heading would stay at the foot of the page before.  The heading goes with it."""
    fetcher = engine.AssetFetcher({}, {})
    mended_any = 0
    for groups in range(30, 75):
        layout = engine.lay_out(grouped_index_html(groups), fetcher, fix=[])
        if not layout.rules:
            continue
        mended_any += 1
        document = layout.document
        assert last_page_lines(document) >= engine.MIN_LAST_PAGE_LINES
        for page in document.pages:
            headings = {box.element.get("id") for child in engine._flow(page._page_box) for box in child.descendants()
                        if box.element is not None and box.element.tag == "h2" and isinstance(box, engine.boxes.BlockBox)}
            entries = {entry.element for _line, entry in engine.index_lines(page._page_box)}
            for heading in headings:
                group = int(heading.split("-")[1])
                first = 1 + sum(1 + (g * 5) % 7 for g in range(group))
                assert any(e.get("data-pi") == f"index-x.{first}" for e in entries), \
                    f"{groups} letters: the heading of letter {group} stands on a page without its first entry"
    assert mended_any >= 3, "too few of these indexes had a short last page to mend"


class _Entry:
    def __init__(self, element):
        self.element = element


def test_entry_to_carry_takes_the_letter_heading_with_its_first_entry():
    a, b, c, d, heading = (object() for _ in range(5))
    before = [(None, _Entry(a)), (None, _Entry(b)), (None, _Entry(c)), (None, _Entry(d)), (None, _Entry(d))]
    last = [(None, None)] * 3
    assert engine.entry_to_carry(before, last) is d
    assert engine.entry_to_carry(before, last, openers={d: heading}) is heading
    assert engine.entry_to_carry(before, last, openers={c: heading}) is d
    assert engine.entry_to_carry(before, [(None, None)] * 5) is None             # five lines: nothing goes
