"""Citation syntax: parse_citation and the markdown-it rule (citations_plugin)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from reader_build.source.citations import (Citation, CiteItem, _Brackets, citations_plugin, parse_citation,
                                    split_locator)


def make_md() -> MarkdownIt:
    return (MarkdownIt("commonmark").use(footnote_plugin).use(attrs_plugin, spans=True)
            .use(citations_plugin))


MD = make_md()


def tokens_of(text: str, kind: str = "citation"):
    found = []

    def walk(tokens):
        for token in tokens:
            if token.type == kind:
                found.append(token)
            if token.children:
                walk(token.children)
    walk(MD.parse(text))
    return found


def cites(text: str) -> list[Citation]:
    return [t.meta["citation"] for t in tokens_of(text)]


def keys(text: str) -> list[str]:
    return [item.key for c in cites(text) for item in c.items]


# --- parse_citation: every syntax form ------------------------------------------
@pytest.mark.parametrize("source, items, narrative", [
    ("[@hasegawa-1998]", [CiteItem("hasegawa-1998")], False),
    ("[@hasegawa-1998, p. 112]", [CiteItem("hasegawa-1998", locator="p. 112")], False),
    ("[@hara-1998, pp. 4-6]", [CiteItem("hara-1998", locator="pp. 4-6")], False),
    ("[see @hara-1998, pp. 4-6; @kimura-2008, chap. 2]",
     [CiteItem("hara-1998", "see", "pp. 4-6"), CiteItem("kimura-2008", locator="chap. 2")], False),
    ("[see @a; also @b]", [CiteItem("a", "see"), CiteItem("b", "also")], False),
    ("[-@hasegawa-1998]", [CiteItem("hasegawa-1998", suppress_author=True)], False),
    ("[-@a, p. 3]", [CiteItem("a", locator="p. 3", suppress_author=True)], False),
    ("[@a, doc. 101]", [CiteItem("a", locator="doc. 101")], False),
    ("[@a, § 4]", [CiteItem("a", locator="§ 4")], False),
    ("[@a, p. 33, emphasis added]", [CiteItem("a", locator="p. 33", suffix=", emphasis added")], False),
    ("[@a, pp. 33-35, 38-39 and passim]", [CiteItem("a", locator="pp. 33-35, 38-39", suffix="and passim")], False),
    ("[@a, 33]", [CiteItem("a", locator="33")], False),
    ("[@a, and elsewhere]", [CiteItem("a", locator="and elsewhere")], False),
    ("[@a and passim]", [CiteItem("a", suffix="and passim")], False),
    ("[@a p. 12]", [CiteItem("a", locator="p. 12")], False),
    ("[@a,\n  p. 12]", [CiteItem("a", locator="p. 12")], False),
    ("@hasegawa-1998", [CiteItem("hasegawa-1998")], True),
    ("@hasegawa-1998 [p. 112]", [CiteItem("hasegawa-1998", locator="p. 112")], True),
    ("@a [chap. 2]", [CiteItem("a", locator="chap. 2")], True),
    ("@{odd key!}", [CiteItem("odd key!")], True),
])
def test_parse_citation_forms(source, items, narrative):
    citation = parse_citation(source)
    assert citation is not None
    assert list(citation.items) == items
    assert citation.narrative is narrative
    assert (citation.offset, citation.length) == (0, len(source))


@pytest.mark.parametrize("key", ["a", "hara-1998", "doe:2000", "doe.2000", "doe_2000", "doe/2000",
                                 "_private", "1998hara", "Ñandú:2001/b.x", "Кимура-2008", "長谷川1998",
                                 "a.b-c_d/e:f"])
def test_key_characters(key):
    assert parse_citation(f"[@{key}]").items[0].key == key
    assert keys(f"As @{key} argues.") == [key]


@pytest.mark.parametrize("text, key", [
    ("as @hara-1998.", "hara-1998"), ("as @hara-1998: yes", "hara-1998"),
    ("see @hara-1998, too", "hara-1998"), ("(@hara-1998)", "hara-1998"),
    ("@hara-1998's view", "hara-1998"), ("as @doe:2000/x.", "doe:2000/x"),
    ("by @a_b_, yes", "a_b"), ("end @x--", "x"),
])
def test_trailing_punctuation_is_not_part_of_the_key(text, key):
    assert keys(text) == [key]


@pytest.mark.parametrize("source", ["[x]", "[see @a; no key here]", "[]", "[@]", "[@-]", "@",
                                    "[foo@bar.org]", "[^note]", "plain", "[@a] tail", "[@a](http://x)"])
def test_not_citations(source):
    assert parse_citation(source) is None


def test_split_locator():
    assert split_locator("p. 33") == ("p.", "33", "")
    assert split_locator("pp. 4-6, emphasis added") == ("pp.", "4-6", ", emphasis added")
    assert split_locator("Chap. IV") == ("Chap.", "IV", "")
    assert split_locator("chapter 3") == ("chapter", "3", "")
    assert split_locator("vol. 2, pt. 1") == ("vol.", "2", ", pt. 1")
    assert split_locator("p. 33n2") == ("p.", "33n2", "")
    assert split_locator("somewhere") == ("", "", "somewhere")
    assert split_locator("page") == ("", "", "page")
    assert split_locator("pagex 3") == ("", "", "pagex 3")


@pytest.mark.parametrize("text, locator, suffix", [
    ("[@k, 12, emphasis added]", "12", ", emphasis added"),        # a bare page, then a comment
    ("[@k, 12-14, my emphasis]", "12-14", ", my emphasis"),
    ("[@k, 12, 14]", "12, 14", ""),                                # two pages, not a page and a comment
    ("[@k, 12, 14, and passim]", "12, 14", ", and passim"),
    ("[@k, 12]", "12", ""),
    ("[@k, xii, n. 4]", "xii, n. 4", ""),                          # no digit first: kept whole
])
def test_bare_page_and_suffix(text, locator, suffix):
    item = parse_citation(text).items[0]
    assert (item.locator, item.suffix) == (locator, suffix)


# --- the markdown-it rule ---------------------------------------------------------
def test_tokens_carry_source_and_offsets():
    text = "Text [@a, p. 3] then @b [chap. 2] and [-@c]."
    found = tokens_of(text)
    assert [t.content for t in found] == ["[@a, p. 3]", "@b [chap. 2]", "[-@c]"]
    for token in found:
        citation = token.meta["citation"]
        assert text[citation.offset:citation.offset + citation.length] == token.content


def test_escaped_at_sign_is_text():
    assert keys(r"write \@home and [see \@x]") == []
    assert "@home" in MD.render(r"write \@home")


@pytest.mark.parametrize("text", ["mail foo@bar.org now", "x@y", "[write to foo@bar.org]",
                                  "<foo@bar.org>", "user@example.com.", "word@key", "3@4",
                                  "example.com/@user", "a.@b", "`@code` and `[@code]`",
                                  "```\n@fenced [@code]\n```"])
def test_no_citation_in_addresses_code_and_words(text):
    assert keys(text) == []


def test_email_link_still_works():
    assert 'href="mailto:foo@bar.org"' in MD.render("<foo@bar.org>")


def test_footnotes_keep_working_and_may_cite():
    text = "Signed.[^s] And [@a].\n\n[^s]: The note cites [@b, p. 365] and @c.\n"
    assert keys(text) == ["a", "b", "c"]
    html = MD.render(text)
    assert 'class="footnote-ref"' in html and "footnote-item" in html


def test_inline_footnote_may_cite():
    assert keys("Text.^[See @a, p. 3, and [@b].]") == ["a", "b"]


def test_citations_inside_emphasis():
    assert keys("*see @a* and **[@b, p. 2]** and _@c_") == ["a", "b", "c"]
    html = MD.render("*see [@a]*")
    assert "<em>see <span class=\"citation\"" in html


def test_next_to_links_and_images():
    text = "[text](http://x.org) [@a] [@b][^1] ![alt @z](img.png) [link @y](http://y.org)\n\n[^1]: n"
    assert keys(text) == ["a", "b"]
    html = MD.render(text)
    assert '<a href="http://x.org">text</a>' in html
    assert '<img src="img.png" alt="alt @z"' in html
    assert '<a href="http://y.org">link @y</a>' in html


def test_link_right_after_citation():
    assert keys("[@a](http://x.org)") == []
    assert '<a href="http://x.org">@a</a>' in MD.render("[@a](http://x.org)")
    assert keys("See [@a] [there](http://x.org).") == ["a"]


def test_attribute_spans_are_not_citations():
    html = MD.render("[the minister]{ix=kono} and [Washington]{.noix} [@a]")
    assert keys("[the minister]{ix=kono} and [Washington]{.noix} [@a]") == ["a"]
    assert '<span ix="kono">the minister</span>' in html
    assert '<span class="noix">Washington</span>' in html


def test_editorial_brackets_stay_text():
    assert keys("the [Soviet] delegation [sic] and \\[Gromyko\\]") == []
    assert "the [Soviet] delegation" in MD.render("the [Soviet] delegation")


def test_narrative_locator_bracket_only_when_it_is_one():
    assert [c.items[0].locator for c in cites("@a [p. 3] x")] == ["p. 3"]
    assert [(c.narrative, c.items[0].key) for c in cites("@a [@b] x")] == [(True, "a"), (False, "b")]
    assert cites("@a [link](http://x)")[0].length == 2
    assert cites("@a[^1]\n\n[^1]: n")[0].length == 2


def test_default_rendering_escapes():
    html = MD.render("[see <b> @a & co]")
    assert '<span class="citation" data-cites="a">[see &lt;b&gt; @a &amp; co]</span>' in html


def test_citation_spanning_lines():
    assert cites("[see @a,\np. 3; @b]")[0].items == (CiteItem("a", "see", "p. 3"), CiteItem("b"))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(list("@[]-;,.p 3ab_:/\\`^(){}*\n!<>") + ["[@", "; @", "p. "]),
                max_size=40).map("".join) | st.text(max_size=40))
def test_any_text_parses_and_offsets_match(text):
    for token in tokens_of(text):
        citation = token.meta["citation"]
        assert citation.items and all(item.key for item in citation.items)
        assert token.content.startswith(("[", "@"))
    parse_citation(text)


def _scan_from(src: str, start: int, end: int) -> int:
    """The ']' matching the '[' at *start*, scanning from it alone (what _Brackets must find)."""
    depth, i = 0, start
    while i < end:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            run = len(src[i:end]) - len(src[i:end].lstrip("`"))
            close = src.find("`" * run, i + run, end)
            i = close + run if close != -1 else i + run
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(list("[]`\\a ") + ["``", "[@a]"]), max_size=40).map("".join),
       st.randoms(use_true_random=False))
def test_brackets_matched_in_one_pass_are_those_of_a_scan_from_each(src, rnd):
    """One _Brackets answers for every '[' of a paragraph, in any order, what a scan from
    that '[' alone finds (escapes and code spans included, unmatched ones too)."""
    end = rnd.randint(0, len(src))
    starts = [i for i in range(end) if src[i] == "["]
    rnd.shuffle(starts)
    brackets = _Brackets(src, end)
    for start in starts:
        assert brackets.closing(start) == _scan_from(src, start, end)
