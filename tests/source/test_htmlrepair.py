"""Raw HTML repairs (htmlrepair.py) and URL encoding (urls.py), one case each: the output is
well-formed XML and each repair is reported."""
from __future__ import annotations

import pytest
from lxml import etree

from reader_build.source.htmlrepair import describe, repair
from reader_build.source.sanitize import sanitize_html, unwrapped
from reader_build.source.urls import doi_url, encode_url, url_problem


def _clean(fragment: str, phrasing: bool = False) -> tuple[str, str]:
    html, repairs = repair(sanitize_html(fragment)[0] if not phrasing else fragment, phrasing)
    etree.fromstring(f"<div>{html}</div>")            # well-formed
    return html, describe(repairs)


@pytest.mark.parametrize("fragment, phrasing, expected, reported", [
    ("<tr><td>orphan</td></tr>", False, "orphan", "<tr> outside a table removed, <td> outside <tr> removed"),
    ("<td>cell</td>", False, "cell", "<td> outside <tr> removed"),
    ("<li>item</li>", False, "item", "<li> outside a list unwrapped"),
    ("a <div>block</div> b", True, "a block b", "<div> not allowed in a paragraph unwrapped"),
    ("<ul>loose<li>x</li></ul>", False, "<ul><li>loose</li><li>x</li></ul>", "text loose in <ul> wrapped"),
    ("<p>one<p>two", False, "<p>one</p><p>two</p><p></p>", ""),
    ("<b>bold <i>both</b> end</i>", True, "<b>bold <i>both</i></b><i> end</i>", ""),
    ("<figure><figcaption>a</figcaption>x<figcaption>b</figcaption>y</figure>", False,
     "<figure><figcaption>a</figcaption>x<div>b</div>y</figure>", "<figcaption> not allowed in <figure> unwrapped"),
    ("<dl><dd>d</dd></dl>", False, "<div><div>d</div></div>", "<dl> incomplete, unwrapped"),
    ("<dl><dt>t</dt><dd>d</dd></dl>", False, "<dl><dt>t</dt><dd>d</dd></dl>", ""),
    ("<ruby>漢<rp>(</rp></ruby>", False, "<span>漢</span>", "<ruby> incomplete, unwrapped"),
    ("<span>x<hr>y</span>", True, "<span>xy</span>", "<hr> not allowed in <span> removed"),
    ("<a href='#a'>one <a href='#b'>two</a></a>", True, '<a href="#a">one </a><a href="#b">two</a>', ""),
])
def test_each_repair(fragment, phrasing, expected, reported):
    html, described = _clean(fragment, phrasing)
    assert html == expected
    assert described == reported


def test_unknown_elements_are_unwrapped_and_reported():
    html, removed = sanitize_html("<blink>text</blink><custom-el>more</custom-el>")
    assert html == "textmore" and removed == ["blink", "custom-el"]
    assert unwrapped("blink") and not unwrapped("script") and not unwrapped("img")


@pytest.mark.parametrize("attr", ['dir="sideways"', 'lang="not a tag"', 'colspan="0"', 'datetime="yesterday"'])
def test_attribute_values_epub_would_reject_are_dropped(attr):
    html, removed = sanitize_html(f"<td {attr}>x</td>")
    assert html == "<td>x</td>" and removed


def test_control_characters_never_reach_the_xhtml():
    html, _ = repair("a\x01b\x0bc")
    assert html == "abc"


@pytest.mark.parametrize("url, encoded", [
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/a`b\\c", "https://example.com/a%60b%5Cc"),
    ("https://example.com/%7E%zz", "https://example.com/%7E%25zz"),
    ("https://example.com/ä?q=ü#frag", "https://example.com/%C3%A4?q=%C3%BC#frag"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
])
def test_urls_are_percent_encoded(url, encoded):
    assert encode_url(url) == encoded
    assert url_problem(encode_url(url)) is None


def test_a_doi_with_angle_brackets_and_semicolons():
    doi = "10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P"
    assert doi_url(doi) == "https://doi.org/10.1002/(SICI)1096-987X(199803)19:4%3C377::AID-JCC1%3E3.0.CO%3B2-P"
    assert doi_url("https://doi.org/" + doi) == doi_url("doi:" + doi) == doi_url(doi)


@pytest.mark.parametrize("url", ["http://", "https://exa mple.com/", "https://example.com:99999/", "mailto:nobody"])
def test_invalid_urls(url):
    assert url_problem(url)
