"""The bibliography engine: .bib loading and diagnostics, LaTeX decoding, names,
citations and reference lists in every style, golden outputs, and robustness.

Golden files live in tests/data/bib/golden/; regenerate them with
``READER_BUILD_SAVE_GOLDEN=1 pytest tests/bibliography/test_bibliography.py`` and review the diff.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pybtex.database import Person

from reader_build.bibliography import names as N
from reader_build.bibliography.references import (BibSettings, Bibliography, load_bibliography,
                                       unknown_key_diagnostic)
from reader_build.source.citations import Citation, CiteItem, parse_citation
from reader_build.diagnostics import Diagnostics
from reader_build.bibliography.latex import render_html, to_plain, to_rich
from reader_build.source.files import SourceFile

DATA = Path(__file__).resolve().parents[1] / "data" / "bib"
GOLDEN = DATA / "golden"
NBSP = "\u00a0"
STYLES = ["author-date", "plain", "unsrt", "alpha", "unsrtalpha"]
BAD_OUTPUT = re.compile(r"\\|[{}]|None|\.\.(?!\.)|,\.|\.,\.|\(\s*\)|\[\s*\]|\s[,.;:](?!\d)|^\s|\s$")


def load(*texts: str | tuple[str, str], style: str = "author-date", include_all: bool = False):
    diags = Diagnostics()
    files = [SourceFile(*t) if isinstance(t, tuple) else SourceFile(f"bibliography/f{n}.bib", t)
             for n, t in enumerate(texts)]
    return load_bibliography(files, BibSettings(style, include_all), diags), diags


def load_file(name: str, style: str = "author-date", include_all: bool = False):
    return load((f"bibliography/{name}", (DATA / name).read_text(encoding="utf-8")),
                style=style, include_all=include_all)


def cite(bib: Bibliography, source: str, html: bool = False) -> str:
    citation = parse_citation(source)
    assert citation is not None, source
    return bib.cite_html(citation, lambda k: f"#ref-{k}") if html else bib.cite_text(citation)


def codes(diags: Diagnostics) -> list[str]:
    return [d.code for d in diags]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("READER_BUILD_SAVE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with READER_BUILD_SAVE_GOLDEN=1"
    assert text.splitlines() == path.read_text(encoding="utf-8").splitlines()


def assert_clean(html: str, where: str = "") -> None:
    text = re.sub(r"<[^>]+>", "", html)
    assert not BAD_OUTPUT.search(text), f"{where}: {text!r}"
    ET.fromstring(f"<div>{html}</div>")          # well-formed XHTML, no named entities


# --- LaTeX decoding ------------------------------------------------------------------
@pytest.mark.parametrize("latex, text", [
    (r'{\"o}', "ö"), (r"\'{e}", "é"), (r"{\=o}", "ō"), (r"\v{s}", "š"), (r"\v s", "š"),
    (r"{\c{C}}etinkaya", "Çetinkaya"), (r"Aks{\i}n", "Aksın"), (r"\'{\i}", "í"), (r"{\ss}", "ß"),
    (r"\oe uvre", "œuvre"), (r"{\o}", "ø"), (r"Ma{\l}gorzata", "Małgorzata"), (r"{\aa}", "å"),
    (r"\k{a}", "ą"), (r"\H{o}", "ő"), (r"\u{a}", "ă"), (r"\~n", "ñ"), (r"\^{e}", "ê"), (r"\`a", "à"),
    ("1736--1739", "1736–1739"), ("a---b", "a—b"), (r"\&", "&"), (r"\%", "%"), (r"\$", "$"),
    ("Angew.~Chem.", f"Angew.{NBSP}Chem."), ("{NATO} and {UN}", "NATO and UN"),
    (r"\textsuperscript{2}", "2"), (r"\emph{Realpolitik}", "Realpolitik"), (r"\TeX book", "TeXbook"),
    (r"{\TeX}: The Program", "TeX: The Program"), (r"\mkbibquote{Intention}", "“Intention”"),
    ("``quoted''", "“quoted”"), ("Goethe's", "Goethe’s"), ("'t Hooft", "’t Hooft"),
    (r"\textregistered", "®"), (r"$\alpha$-decay", "α-decay"), (r"x$^2$", "x2"),
    (r"methodology\hyphen independent", "methodology-independent"), (r"baez\slash online", "baez/online"),
    (r"\foo{kept}", "kept"), (r"\noopsort{1973b}1973", "1973"), (r"unbalanced }brace {", "unbalanced brace "),
    ("\\", ""), (r"\url{http://x.org/a_b%20c}", "http://x.org/a_b%20c"),
])
def test_latex_decoding(latex, text):
    assert str(to_rich(latex)) == text


@pytest.mark.parametrize("latex, text", [
    ("a~b", "a\u00a0b"), ("1--2", "1–2"), ("a---b", "a—b"), ("a  b", "a b"), ("a\tb", "a b"),
    ("a\nb", "a b"), ('"x"', "“x”"), ("`x'", "‘x’"), ("{A}b", "Ab"), ("$x$", "x"), ("a\\&b", "a&b"),
])
def test_each_tex_character_still_read_as_tex(latex, text):
    # one character the parser reads as TeX is enough for a value to be parsed
    assert str(to_rich(latex)) == text


@pytest.mark.parametrize("latex, html", [
    (r"\emph{De Anima} and \textit{x}", "<i>De Anima</i> and <i>x</i>"),
    (r"{\em emphasised} not", "<i>emphasised</i> not"),
    (r"x\textsuperscript{2}", "x<sup>2</sup>"),
    (r"\textbf{b} \textsc{Sc}", "<b>b</b> Sc"),
    (r"\url{http://x.org/?a=1&b=2}", '<a href="http://x.org/?a=1&amp;b=2">http://x.org/?a=1&amp;b=2</a>'),
    (r"\href{https://x.org}{the \emph{site}}", '<a href="https://x.org">the <i>site</i></a>'),
    (r"\url{javascript:alert(1)}", "javascript:alert(1)"),
    ("<script> & co", "&lt;script&gt; &amp; co"),
])
def test_latex_to_html(latex, html):
    assert render_html(to_rich(latex)) == html


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.characters(blacklist_characters="{}\\$~`'\"-\t\n\r"), max_size=60)
       .filter(lambda t: "  " not in t))
def test_a_value_without_tex_reads_as_the_parser_reads_it(text):
    # a value with nothing TeX in it is taken as it is (not parsed character by
    # character): the same text and HTML as the parser gives (a group forces the parser)
    assert str(to_rich(text)) == str(to_rich("{" + text + "}"))
    assert render_html(to_rich(text)) == render_html(to_rich("{" + text + "}"))
    assert to_plain(text) == to_plain("{" + text + "}")


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=60) | st.lists(st.sampled_from(list("\\{}$^_~-'\"`a ") +
                                                       ["\\emph", "\\url", "\\'", "\\v", "\\ss", "$\\"]),
                                       max_size=30).map("".join))
def test_latex_decoding_never_fails(text):
    render_html(to_rich(text))
    to_plain(text)


# --- names -----------------------------------------------------------------------
@pytest.mark.parametrize("name, inverted, normal, short", [
    ("Hasegawa, Tsuyoshi", "Hasegawa, Tsuyoshi", "Tsuyoshi Hasegawa", "Hasegawa"),
    ("Tsuyoshi Hasegawa", "Hasegawa, Tsuyoshi", "Tsuyoshi Hasegawa", "Hasegawa"),
    ("van Beethoven, Ludwig", "Beethoven, Ludwig van", "Ludwig van Beethoven", "Beethoven"),
    ("Jean de la Fontaine", "Fontaine, Jean de la", "Jean de la Fontaine", "Fontaine"),
    ("King, Jr, Martin Luther", "King, Martin Luther, Jr", "Martin Luther King Jr", "King"),
    ("{Ministry of Foreign Affairs of Japan}", "Ministry of Foreign Affairs of Japan",
     "Ministry of Foreign Affairs of Japan", "Ministry of Foreign Affairs of Japan"),
    (r"{\"O}zkal, Erhan", "Özkal, Erhan", "Erhan Özkal", "Özkal"),
    (r"V{\'a}zques{ de }Parga, Luis", "Vázques de Parga, Luis", "Luis Vázques de Parga", "Vázques de Parga"),
    ("Aristotle", "Aristotle", "Aristotle", "Aristotle"),
])
def test_name_forms(name, inverted, normal, short):
    person = Person(name)
    assert N.inverted(person, False) == inverted
    assert N.normal(person) == normal
    assert N.short(person, False) == short


def test_useprefix_keeps_the_particle_in_front():
    person = Person("de Gaulle, Charles")
    assert N.inverted(person, True) == "de Gaulle, Charles"
    assert N.short(person, True) == "de Gaulle"
    assert N.sort_name(person, True) < N.sort_name(Person("Fontaine, Jean"), False)


def test_name_lists():
    two = [Person("Baez, John C."), Person("Lauda, Aaron D.")]
    assert N.inverted_list(two, False) == f"Baez, John C., and Aaron D.{NBSP}Lauda"
    assert N.short_list(two, False) == "Baez and Lauda"
    three = two + [Person("Ito, Ken")]
    assert N.inverted_list(three, False) == f"Baez, John C., Aaron D.{NBSP}Lauda, and Ken Ito"
    assert N.short_list(three, False) == "Baez, Lauda, and Ito"
    assert N.short_list(three + [Person("Abe, Jun")], False) == "Baez et al."
    others = [Person("Ito, Ken"), Person("others")]
    assert N.inverted_list(others, False) == "Ito, Ken, et al."
    assert N.short_list(others, False) == "Ito et al."
    many = [Person(f"Name{n}, A.") for n in range(12)]
    assert N.inverted_list(many, False).endswith(f"A.{NBSP}Name6, et al.")
    assert N.normal(Person("Gromyko, A. A.")) == f"A.{NBSP}A.{NBSP}Gromyko"
    assert N.inverted(Person("Gromyko, A. A."), False) == f"Gromyko, A.{NBSP}A."


@pytest.mark.parametrize("raw, label, text", [
    ("1998", "1998", "1998"), ("1991-03", "1991", "March 1991"), ("2004-10-27", "2004", "October 27, 2004"),
    ("1984/1986", "1984–1986", "1984"), ("1988/", "1988–", "1988"), ("1968-05-19/1968-05-25", "1968", "May 19, 1968"),
    ("1969-XX", "1969", "1969"), ("1991-03-XX", "1991", "March 1991"),      # EDTF's unspecified month, day
])
def test_dates(raw, label, text):
    from pybtex.database import Entry
    entry = Entry("book", fields={"date": raw})
    assert N.year_label(entry) == label
    assert N.date_text(N.parse_date(raw)) == text


# --- citations in the author-date style ---------------------------------------------
@pytest.fixture(scope="module")
def reader_bib():
    bib, diags = load_file("reader.bib")
    sources = ["[@hasegawa-1998]", "[see @hara-1998, pp. 4-6; @kimura-2008, chap. 2]",
               "[@kimura-2008b]", "@mofa-1992", "[@anonymous]"]
    bib.register(parse_citation(s) for s in sources)
    return bib


@pytest.mark.parametrize("source, text", [
    ("[@hasegawa-1998]", "(Hasegawa 1998)"),
    ("[@hasegawa-1998, p. 112]", "(Hasegawa 1998, 112)"),
    ("[see @hara-1998, pp. 4-6; @kimura-2008, chap. 2]", f"(see Hara 1998, 4–6; Kimura 2008b, chap.{NBSP}2)"),
    ("@hasegawa-1998", "Hasegawa (1998)"),
    ("@hasegawa-1998 [p. 112]", "Hasegawa (1998, 112)"),
    ("[-@hasegawa-1998]", "(1998)"),
    ("[-@hasegawa-1998, p. 3]", "(1998, 3)"),
    ("[@hara-1998, doc. 101]", f"(Hara 1998, doc.{NBSP}101)"),
    ("[@hara-1998, p. 33, emphasis added]", "(Hara 1998, 33, emphasis added)"),
    ("[@hara-1998 and passim]", "(Hara 1998 and passim)"),
    ("[@kimura-2008; @kimura-2008b]", "(Kimura 2008b, 2008a)"),
    ("[@kimura-2008, p. 3; @kimura-2008b]", "(Kimura 2008b, 3; 2008a)"),
    ("[@group; @trio; @duo]", "(Ito et al. 2001; Ito, Sato, and Abe 2003; Ito and Sato 2003)"),
    ("[@mofa-1992]", "(Ministry of Foreign Affairs of Japan 1992)"),
    ("[@anonymous]", "(The Anonymous Chronicle 1850)"),
    ("[@nodate]", "(Nakamura n.d.)"),
    ("[@gaulle; @beethoven; @king]", "(de Gaulle 1954; Beethoven 1910; King 1964)"),
    ("[@HASEGAWA-1998]", "(Hasegawa 1998)"),
    ("[@nope, p. 3]", "(?nope, 3)"),
    ("[@hara-1998; @nope]", "(Hara 1998; ?nope)"),
])
def test_author_date_citations(reader_bib, source, text):
    assert cite(reader_bib, source) == text


def test_author_date_citation_html(reader_bib):
    assert cite(reader_bib, "[@hasegawa-1998, p. 112]", html=True) == (
        '<span class="citation">(<a class="cite" href="#ref-hasegawa-1998">Hasegawa 1998</a>, 112)</span>')
    assert cite(reader_bib, "@hasegawa-1998 [p. 112]", html=True) == (
        '<span class="citation">Hasegawa (<a class="cite" href="#ref-hasegawa-1998">1998</a>, 112)</span>')
    assert cite(reader_bib, "[see @hara-1998, pp. 4-6; @kimura-2008, chap. 2]", html=True) == (
        '<span class="citation">(see <a class="cite" href="#ref-hara-1998">Hara 1998</a>, 4–6; '
        f'<a class="cite" href="#ref-kimura-2008">Kimura 2008b</a>, chap.{NBSP}2)</span>')
    assert cite(reader_bib, "[@anonymous]", html=True) == (
        '<span class="citation">(<a class="cite" href="#ref-anonymous"><i>The Anonymous Chronicle</i> '
        '1850</a>)</span>')
    assert cite(reader_bib, "[@nope]", html=True) == (
        '<span class="citation">(<span class="cite-missing">?nope</span>)</span>')


def test_prefix_and_suffix_typography(reader_bib):
    assert cite(reader_bib, '[see "the" @hara-1998, p. 3, it\'s -- so]') == "(see “the” Hara 1998, 3, it’s – so)"


def test_citation_html_is_escaped(reader_bib):
    citation = Citation((CiteItem("hara-1998", prefix="<b>&", suffix="<i>"), CiteItem("<x>")))
    html = reader_bib.cite_html(citation, lambda k: f'#"{k}"')
    assert "&lt;b&gt;&amp; " in html and "&lt;i&gt;" in html and "?&lt;x&gt;" in html
    assert 'href="#&quot;hara-1998&quot;"' in html
    ET.fromstring(html)


def test_link_targets_use_the_bib_key(reader_bib):
    assert 'href="#ref-hasegawa-1998"' in cite(reader_bib, "[@Hasegawa-1998]", html=True)


def test_year_suffixes_agree_between_citations_and_list(reader_bib):
    entries = dict(reader_bib.entries_html())
    assert "Kimura, Hiroshi. 2008a. <i>Another Book" in entries["kimura-2008b"]
    assert "2008b. <i>The Kurillian Knot" in entries["kimura-2008"]
    assert cite(reader_bib, "[@kimura-2008b]") == "(Kimura 2008a)"


def test_reference_list_order_and_content(reader_bib):
    keys = [k for k, _ in reader_bib.entries_html()]
    assert keys == ["anonymous", "hara-1998", "hasegawa-1998", "kimura-2008b", "kimura-2008", "mofa-1992"]
    html = dict(reader_bib.entries_html())["hasegawa-1998"]
    assert html == ("Hasegawa, Tsuyoshi. 1998. <i>The Northern Territories Dispute and Russo-Japanese "
                    "Relations</i>. 2 vols. Berkeley: University of California, International and Area Studies.")


def test_entries_html_for_given_keys(reader_bib):
    assert [k for k, _ in reader_bib.entries_html(["mofa-1992", "HARA-1998", "unknown"])] == ["hara-1998", "mofa-1992"]
    assert [k for k, _ in reader_bib.entries_html(["king"])] == ["king"]


def test_include_all_lists_every_entry():
    bib, _ = load_file("reader.bib", include_all=True)
    bib.register([])
    assert len(bib.entries_html()) == len(bib.keys())
    keys = [k for k, _ in bib.entries_html()]
    assert keys.index("beethoven") < keys.index("gaulle") < keys.index("fontaine") < keys.index("king")


# --- numeric and alpha styles ---------------------------------------------------------
def test_numeric_styles_follow_citation_order():
    bib, _ = load_file("reader.bib", style="unsrt")
    bib.register([parse_citation("[@kimura-2008]"), parse_citation("[see @hara-1998, pp. 4-6; @hasegawa-1998]")])
    assert cite(bib, "[@hasegawa-1998, p. 112]") == f"[3, p.{NBSP}112]"
    assert cite(bib, "[see @hara-1998, pp. 4-6; @kimura-2008, chap. 2]") == f"[see 2, pp.{NBSP}4–6; 1, chap.{NBSP}2]"
    assert cite(bib, "[@kimura-2008; @hara-1998]") == "[1, 2]"
    assert cite(bib, "@hasegawa-1998") == "Hasegawa [3]"
    assert [k for k, _ in bib.entries_html()] == ["kimura-2008", "hara-1998", "hasegawa-1998"]
    assert dict(bib.entries_html())["kimura-2008"].startswith('<span class="bib-label">[1]</span> Hiroshi Kimura.')
    assert cite(bib, "[@hasegawa-1998]", html=True) == (
        '<span class="citation">[<a class="cite" href="#ref-hasegawa-1998">3</a>]</span>')


def test_plain_style_sorts_by_author():
    bib, _ = load_file("reader.bib", style="plain")
    bib.register([parse_citation("[@kimura-2008; @hara-1998; @hasegawa-1998]")])
    assert [k for k, _ in bib.entries_html()] == ["hara-1998", "hasegawa-1998", "kimura-2008"]
    assert cite(bib, "[@kimura-2008]") == "[3]"


def test_alpha_style_labels():
    bib, _ = load_file("reader.bib", style="alpha")
    bib.register([parse_citation("[@hasegawa-1998; @kimura-2008; @kimura-2008b; @mofa-1992]")])
    assert cite(bib, "[@hasegawa-1998]") == "[Has98]"
    assert cite(bib, "[@kimura-2008; @kimura-2008b]") == "[Kim08b, Kim08a]"
    assert re.fullmatch(r"\[Min\w*92\]", cite(bib, "[@mofa-1992]"))      # pybtex's label for a corporate name


# --- golden outputs: every entry type, every style ------------------------------------------
@pytest.mark.parametrize("name", ["types", "reader"])
@pytest.mark.parametrize("style", STYLES)
def test_golden_entries(name, style):
    bib, diags = load_file(f"{name}.bib", style=style, include_all=True)
    bib.register([])
    entries = bib.entries_html()
    assert len(entries) == len(bib.keys())
    for key, html in entries:
        assert_clean(html, key)
    check_golden(f"{name}.{style}", "".join(f"{key}\n    {html}\n" for key, html in entries))


def test_golden_biblatex_examples():
    bib, _ = load_file("biblatex-examples.bib", include_all=True)
    bib.register([])
    check_golden("biblatex-examples.author-date",
                 "".join(f"{key}\n    {html}\n" for key, html in bib.entries_html()))


def test_entry_type_details():
    bib, _ = load_file("types.bib", include_all=True)
    bib.register([])
    html = dict(bib.entries_html())
    assert "Translated by Bob Brown and Carol Green. 2nd ed. 2 vols." in html["book"]
    assert ("“The Kuril Islands: Russo-Japanese Frontier in the Pacific.” <i>The Russian Review</i>, "
            "n.s. 34 (2): 201–203.") in html["article"]
    assert "In <i>Distant Neighbors</i>, edited by Hiroshi Kimura, Ken Ito, and Jun Abe, 55–78." in html["incollection"]
    assert "Vol. 1, pt. 2 of <i>" in html["volume"] and "15 vols." not in html["volume"]
    assert "Colli, Giorgio, and Mazzino Montinari, eds. 1980–1988." in html["mvbook"]
    assert "PhD diss., Uppsala Universitet." in html["thesis"] and html["thesis"].startswith("Geer, Ingrid de.")
    assert "Master’s thesis, Hokkaido University." in html["mastersthesis"]
    assert "Technical report 99-02. Amherst, Mass.: University of Massachusetts." in html["report"]
    assert 'href="https://arxiv.org/abs/hep-th/9603067"' in html["eprint"]
    assert "Accessed October 1, 2006." in html["online"]
    assert html["legal"].startswith("<i>Joint Declaration")
    assert html["unknowntype"].startswith("Doe, Jane. 2021. <i>Islands</i>.")
    assert "<i>Asahi Shimbun</i>, October 19." in html["newspaper"]
    assert "“Talks Resume in Moscow?” <i>" in html["newspaper"]


def test_latex_in_entries():
    bib, _ = load_file("reader.bib", include_all=True)
    bib.register([])
    html = dict(bib.entries_html())["latex"]
    assert html.startswith("Größer, Jürgen, Emil Škoda, José Niño, and Małgorzata Łukasz. 1999. <i>Æsthetics of NATO")
    assert "<i>Realpolitik</i>" in html and "1945–1991 — a Review &amp; œuvre\u00a0no. 3" in html
    assert "x<sup>2</sup>" in html
    assert '<a href="https://example.org/a_b%20c">' in html


# --- the large real-world test: biblatex's own example database ----------------------------
@pytest.mark.parametrize("style", STYLES)
def test_biblatex_examples_every_entry_formats(style):
    bib, diags = load_file("biblatex-examples.bib", style=style)
    assert not [d for d in diags if d.severity == "error"]
    keys = bib.keys()
    assert len(keys) == 92
    trial = [parse_citation(f"[see @{key}, pp. 3-4]") for key in keys]
    trial += [parse_citation(f"@{key} [chap. 2]") for key in keys]
    trial += [parse_citation(f"[-@{key}]") for key in keys]
    assert all(trial)
    bib.register(trial)
    entries = bib.entries_html()
    assert sorted(k for k, _ in entries) == sorted(keys)
    for key, html in entries:
        assert_clean(html, key)
        assert len(re.sub(r"<[^>]+>", "", html)) > 20, key
    for citation in trial:
        html = bib.cite_html(citation, lambda k: f"#ref-{k}")
        assert_clean(html, citation.items[0].key)
        assert "cite-missing" not in html
        text = bib.cite_text(citation)
        assert text and not BAD_OUTPUT.search(text), text


# --- loading and diagnostics ---------------------------------------------------------------
def test_syntax_error_has_line_and_column():
    text = "@book{good, title = {A}}\n\n@book{bad,\n  title = {B},\n  year = 19 99,\n}\n@book{after, title={C}}\n"
    bib, diags = load(("bibliography/x.bib", text))
    errors = [d for d in diags if d.code == "bib-syntax"]
    assert errors and errors[0].path == "bibliography/x.bib"
    assert (errors[0].line, errors[0].col) == (5, 13)
    assert bib.has("good") and bib.has("after")


def test_unclosed_entry_is_reported_where_it_starts():
    _, diags = load("@book{a, title={x}}\n@book{b,\n  title = {unclosed\n")
    [error] = [d for d in diags if d.code == "bib-syntax"]
    assert "starts on line 2" in error.message


def test_duplicate_key_names_both_places():
    _, diags = load(("bibliography/a.bib", "\n@book{hara, title={A}}\n"),
                    ("bibliography/b.bib", "@book{x, title={X}}\n\n@article{Hara, title={B}}\n"))
    [dup] = [d for d in diags if d.code == "bib-duplicate-key"]
    assert dup.severity == "error" and (dup.path, dup.line) == ("bibliography/b.bib", 3)
    assert "bibliography/a.bib:2" in dup.message and "'Hara'" in dup.message


def test_empty_file_warns():
    _, diags = load(("bibliography/empty.bib", ""), ("bibliography/comments.bib", "% nothing\n"))
    assert [(d.code, d.severity, d.path) for d in diags] == [
        ("bib-empty", "warning", "bibliography/empty.bib"), ("bib-empty", "warning", "bibliography/comments.bib")]


def test_unknown_style_suggests():
    bib, diags = load("@book{a, title={A}, year=2000}", style="autor-date")
    [d] = list(diags)
    assert d.code == "bib-style-unknown" and d.severity == "error" and "'author-date'" in d.message
    bib.register([parse_citation("[@a]")])
    assert cite(bib, "[@a]") == "(A 2000)"


def test_unknown_key_diagnostic_suggests_nearest():
    bib, _ = load_file("reader.bib")
    d = unknown_key_diagnostic("hasegawa-1989", bib, "manuscript/01.md", 4, 7)
    assert (d.code, d.severity, d.path, d.line, d.col) == ("cite-unknown", "error", "manuscript/01.md", 4, 7)
    assert d.message.startswith("unknown citation key 'hasegawa-1989' (did you mean 'hasegawa-1998'")
    assert bib.suggest("kimura2008")[0] == "kimura-2008"
    assert unknown_key_diagnostic("zzz", bib).message == "unknown citation key 'zzz'"


def test_unused_and_incomplete_warnings():
    text = ("@book{a, author={A, B}, title={T}, year=2000}\n"
            "@article{b, author={C, D}, title={U}}\n"
            "\n@book{unused, title={V}, year=1}\n")
    bib, diags = load(("bibliography/x.bib", text))
    bib.register([parse_citation("[@a; @b]")])
    bib.check({"a", "b"}, diags)
    unused = [d for d in diags if d.code == "cite-unused"]
    assert [(d.severity, d.line) for d in unused] == [("warning", 4)] and "'unused'" in unused[0].message
    incomplete = [d for d in diags if d.code == "bib-incomplete"]
    assert [(d.line, d.message) for d in incomplete] == [
        (2, "entry 'b' (@article) has no 'date' or 'year' and no 'journaltitle' or 'journal': "
            "its reference will be incomplete")]


def test_crossref_parents_and_set_members_count_as_used():
    bib, diags = load_file("biblatex-examples.bib")
    bib.check({"westfahl:space", "stdmodel"}, diags)
    unused = {d.message.split("'")[1] for d in diags if d.code == "cite-unused"}
    assert "westfahl:frontier" not in unused and "glashow" not in unused and "aksin" in unused


def test_location_of_entries():
    bib, _ = load_file("reader.bib")
    assert bib.location("hasegawa-1998") == ("bibliography/reader.bib", 4)
    assert bib.location("Hara-1998") == ("bibliography/reader.bib", 14)
    assert bib.location("nothing") == ("", 0)


def test_strings_macros_and_crossref():
    first = "@string{pup = {Princeton University Press}}\n@collection{c, editor={Ed, Ann}, title={Big Book}, " \
            "subtitle={Sub}, publisher=pup, location={Princeton}, year=1990}\n"
    second = "@incollection{ch, author={Au, Bo}, title={Chapter}, crossref={c}, pages={1--2}}\n" \
             "@book{b, title={Uses a macro}, publisher=pup, year=1991}\n"
    bib, diags = load(first, second, include_all=True)
    bib.register([])
    assert not list(diags)
    html = dict(bib.entries_html())
    assert html["ch"] == ("Au, Bo. 1990. “Chapter.” In <i>Big Book: Sub</i>, edited by Ann Ed, 1–2. "
                          "Princeton: Princeton University Press.")
    assert "Princeton University Press" in html["b"]


def test_crossref_problems_are_warnings():
    _, diags = load("@book{a, title={A}, crossref={nope}}\n@book{l1, title={L}, crossref={l2}}\n"
                    "@book{l2, title={M}, crossref={l1}}\n")
    assert sorted(codes(diags)) == ["bib-crossref-loop", "bib-crossref-missing"]


def test_other_input_problems():
    text = "@book{a, title={A}, title={B}, journal=undefinedmacro, author={A, B, C, D}}\n"
    bib, diags = load(text, include_all=True)
    assert sorted(codes(diags)) == ["bib-duplicate-field", "bib-name", "bib-undefined-string"]
    bib.register([])
    assert_clean(bib.entries_html()[0][1])


def test_a_written_et_al_is_read_as_and_others():
    """"K. A. Olive et al." (common in files made by hand) is a name "Olive, K. A. et" with
    the family name "al." to BibTeX; it is read as BibTeX's "and others", with a warning."""
    text = ("@article{pdg, author = {K. A. Olive et al.}, title = {Review}, journal = {J}, year = {2014}}\n"
            "@techreport{nist, author = {M.J. Berger et.al.}, title = {Tables}, institution = {NIST}, year = {2005}}\n"
            "@book{two, editor = {Doe, Jane and Roe, Ann, et al.}, title = {T}, publisher = {P}, year = {2001}}\n"
            "@book{metal, author = {Metal, Al and Petal, Et}, title = {M}, publisher = {P}, year = {2002}}\n")
    bib, diags = load(text, include_all=True)
    found = [d for d in diags if d.code == "bib-et-al"]
    assert [(d.line, "'author'" in d.message or "'editor'" in d.message) for d in found] == [(1, True), (2, True), (3, True)]
    assert "write {K. A. Olive and others}" in found[0].format()
    bib.register([])
    html = {k: to_plain(v.replace("<i>", "").replace("</i>", "")) for k, v in bib.entries_html()}
    assert html["pdg"].startswith("Olive, K. A., et al. 2014."), html["pdg"]
    assert html["nist"].startswith("Berger, M.J., et al. 2005."), html["nist"]
    assert html["two"].startswith("Doe, Jane, Ann Roe, et al., eds. 2001."), html["two"]
    assert html["metal"].startswith("Metal, Al, and Et Petal. 2002."), html["metal"]


def test_unsafe_urls_and_markup_are_neutralised():
    text = ("@misc{x, author={<script>alert(1)</script>}, title={A & B <i>}, "
            "url={javascript:alert(1)}, doi={10.1/\"><x>}}\n")
    bib, _ = load(text, include_all=True)
    bib.register([])
    html = bib.entries_html()[0][1]
    assert "<script" not in html and "javascript:" not in html.split("href")[0] + "".join(
        re.findall(r'href="([^"]*)"', html))
    assert 'href="https://doi.org/10.1/%22%3E%3Cx%3E"' in html      # percent-encoded, as a URL must be
    ET.fromstring(f"<div>{html}</div>")


# --- robustness: any text is a bibliography or diagnostics, never an exception --------------
BIB_PIECES = st.sampled_from(list('@{}",=#\\ \n~-$^_%&aAb1ç\'`.;:/()[]') + [
    "@article{", "@book{k,", "author = ", "title", " and ", "date = {", "crossref = {", "@string{",
    "year", '{\\"o}', "\\emph{", "others", "entryset", "@set{", "options = {useprefix}", "von ", "Jr,",
    "@comment{", "@preamble{", "}}", "2001-13-45", "1984/"])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.text(), st.lists(BIB_PIECES, max_size=50).map("".join),
                 st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
       st.sampled_from(STYLES))
def test_any_text_never_raises(text, style):
    bib, diags = load(text, style=style, include_all=True)
    assert all(d.path for d in diags if d.code.startswith("bib-") and d.code != "bib-style-unknown")
    bib.register([Citation((CiteItem(k, locator="p. 3"),)) for k in bib.keys()])
    for key in bib.keys():
        bib.cite_html(Citation((CiteItem(key),), narrative=True), lambda k: "#" + k)
        bib.cite_text(Citation((CiteItem(key, "see", "pp. 1-2"), CiteItem("missing"))))
    for _, html in bib.entries_html():
        ET.fromstring(f"<div>{html}</div>")
    bib.check(set(bib.keys()[:1]), diags)


def test_author_date_is_a_pybtex_style_plugin():
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin
    from pybtex.style.formatting import BaseStyle

    style_class = find_plugin("pybtex.style.formatting", "author-date")
    assert issubclass(style_class, BaseStyle)
    data = parse_string((DATA / "reader.bib").read_text(encoding="utf-8"), "bibtex")
    formatted = list(style_class().format_bibliography(data))
    assert formatted[0].key == "anonymous"
    assert formatted[0].text.render_as("text") == "The Anonymous Chronicle. 1850. London: Murray."


def test_citing_before_register_and_registering_again():
    bib, _ = load_file("reader.bib")
    assert cite(bib, "[@kimura-2008]") == "(Kimura 2008)"
    bib.register([parse_citation("[@kimura-2008; @kimura-2008b]")])
    assert cite(bib, "[@kimura-2008]") == "(Kimura 2008b)"
    bib.register([parse_citation("[@kimura-2008]")])
    assert cite(bib, "[@kimura-2008]") == "(Kimura 2008)"
    assert [k for k, _ in bib.entries_html()] == ["kimura-2008"]
