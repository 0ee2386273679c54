"""Hyphen ladders (issue #23, item 1): no more than two hyphenated lines in a row.  Total-fit
line breaking (pdf/linebreak.py, the default) never chooses a third.  With first-fit breaking
(``line-breaking = "first-fit"``, or a paragraph the line breaker leaves to WeasyPrint), when a
layout finds a ladder, the word broken at the end of its third line is kept whole, while the
pages are made (pdf/engine._PageFixer), as misplaced notes are mended; what that misses,
pdf/engine.ladder_rules finds on the finished layout, and the part is laid out again."""
from __future__ import annotations

import pyphen
import pytest

from conftest import write_project
from reader_build.build import build
import textlayer

from reader_build.pdf import engine
from reader_build.pdf.linebreak import FIRST_FIT
from reader_build.render.hyphenate import SHY, keep_words_whole, whole_word_rule

WORDS = ("internationalization representation establishment considerable negotiations administrative "
         "intergovernmental comprehensive responsibilities extraordinary understanding institutional").split()


def paragraph_html(rules=(), first_fit: bool = True) -> str:
    dictionary = pyphen.Pyphen(lang="en_US")
    text = " ".join(dictionary.inserted(w, hyphen=SHY) for w in WORDS * 4)
    mark = FIRST_FIT if first_fit else ""
    html = (f"<style>{mark} @page {{ size: 80mm 200mm; margin: 5mm }} p {{ text-align: justify; hyphens: manual; "
            f'font-size: 10pt }}}}</style><p data-pi="t.1">{text}</p><p data-pi="t.2">{text}</p>')
    return keep_words_whole(html, rules)


def longest_run(document) -> int:
    longest = 0
    for page in document.pages:
        for box in engine._paragraphs(page._page_box):
            run = 0
            for line in (b for b in box.children if isinstance(b, engine.boxes.LineBox)):
                end = [t.text for t in line.descendants() if isinstance(t, engine.boxes.TextBox)][-1]
                run = run + 1 if end.endswith(engine.HYPHENATED) else 0
                longest = max(longest, run)
    return longest


def test_ladders_are_mended_one_word_at_a_time_until_none_is_left():
    fetcher = engine.AssetFetcher({}, {})
    rules: list[str] = []
    document = engine.lay_out(paragraph_html(), fetcher).document
    assert longest_run(document) >= 3                      # long words on a narrow measure: ladders
    for _round in range(40):
        new = [r for r in engine.ladder_rules(document) if r not in rules]
        if not new:
            break
        assert all(r.startswith('/* whole word [data-pi="t.') for r in new)
        rules += new
        document = engine.lay_out(paragraph_html(rules), fetcher).document
    assert longest_run(document) <= 2
    assert rules                                            # the ladders were mended by keeping words whole


def test_total_fit_makes_no_ladder_and_needs_no_mending():
    """The same paragraphs, whose first-fit lines make ladders (above): one layout, no ladder,
    no rule, and hyphens where they help."""
    fetcher = engine.AssetFetcher({}, {})
    laid = engine.lay_out(paragraph_html(first_fit=False), fetcher, fix=[])
    assert 1 <= longest_run(laid.document) <= 2
    assert laid.rules == [] and engine.ladder_rules(laid.document) == []


def test_a_word_kept_whole_loses_its_soft_hyphens_in_its_paragraph_only():
    html = (f'<p data-pi="a.1">ne{SHY}go{SHY}ti{SHY}a{SHY}tions</p>'
            f'<p data-pi="a.2">the ne{SHY}go{SHY}ti{SHY}a{SHY}tions and re{SHY}ne{SHY}go{SHY}ti{SHY}a{SHY}tions</p>')
    kept = keep_words_whole(html, [whole_word_rule("a.2", "negotiations")])
    assert kept == (f'<p data-pi="a.1">ne{SHY}go{SHY}ti{SHY}a{SHY}tions</p>'
                    f'<p data-pi="a.2">the negotiations and re{SHY}ne{SHY}go{SHY}ti{SHY}a{SHY}tions</p>')


LONG = " ".join(["The", *WORDS[:6], "of", *WORDS[6:], "were"] * 3)


@pytest.fixture(scope="module")
def long_text(tmp_path_factory):
    """A generated reader of long words: eight pages of paragraphs that start at every offset."""
    paragraphs = "\n\n".join(LONG[k:] + " in the end." for k in range(0, 240, 9))
    root = write_project(tmp_path_factory.mktemp("ladders") / "reader", {
        "reader.toml": 'title = "Ladders"\n[editions.print]\nformat = "pdf"\n',
        "manuscript/one.md": f"---\nid: one\ntitle: Ladders\n---\n\n{paragraphs}\n"})
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return textlayer.read(root / "build" / "print.pdf")


def test_a_generated_long_text_has_no_ladder(long_text):
    assert long_text.pages >= 5
    assert textlayer.hyphenated_share(long_text) > 0.1          # it is hyphenated, often
    assert textlayer.ladders(long_text) == []


def test_a_word_is_kept_whole_in_the_paragraph_not_in_the_rule_that_names_it():
    """The whole book's HTML (--emit-html) carries the rules in its style sheet, before the text."""
    rule = whole_word_rule("a.1", "negotiations")
    html = f'<style>{rule}</style><p data-pi="a.1">the ne{SHY}go{SHY}ti{SHY}a{SHY}tions</p>'
    assert keep_words_whole(html, [rule]) == f'<style>{rule}</style><p data-pi="a.1">the negotiations</p>'


def _page_texts(document) -> list[str]:
    return ["".join(box.text for box in page._page_box.descendants() if isinstance(box, engine.boxes.TextBox))
            for page in document.pages]


def test_the_layout_mends_ladders_as_it_makes_the_pages_and_gives_the_pages_of_its_rules():
    """One layout, no ladder left, and the very pages a layout with the same rules given from the
    start makes (which is how a rebuild that remembers them lays the part out)."""
    fetcher = engine.AssetFetcher({}, {})
    mended = engine.lay_out(paragraph_html(), fetcher, fix=[])
    assert longest_run(mended.document) <= 2
    words = [rule for rule in mended.rules if rule.startswith("/* whole word")]
    assert len(words) >= 2                                   # ladders were there, and mended
    assert engine.ladder_rules(mended.document) == []
    again = engine.lay_out(paragraph_html(words), fetcher, fix=list(mended.rules))
    assert _page_texts(again.document) == _page_texts(mended.document)
    assert again.rules == []


def test_a_word_kept_whole_in_a_paragraph_is_kept_whole_in_its_notes_too_and_nowhere_else():
    html = (f'<p data-pi="a.1">the ne{SHY}go{SHY}ti{SHY}a{SHY}tions<span class="fn">on ne{SHY}go{SHY}ti{SHY}a{SHY}tions'
            f'</span></p><h2>Ne{SHY}go{SHY}ti{SHY}a{SHY}tions</h2><p data-pi="a.2">ne{SHY}go{SHY}ti{SHY}a{SHY}tions</p>')
    kept = keep_words_whole(html, [whole_word_rule("a.1", "negotiations")])
    assert kept == (f'<p data-pi="a.1">the negotiations<span class="fn">on negotiations</span></p>'
                    f'<h2>Ne{SHY}go{SHY}ti{SHY}a{SHY}tions</h2><p data-pi="a.2">ne{SHY}go{SHY}ti{SHY}a{SHY}tions</p>')
