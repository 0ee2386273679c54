"""The promise, tested: any project that builds with exit 0 gives an EPUB on which EPUBCheck
reports no error and no warning.

Hypothesis makes two-chapter manuscripts out of what CommonMark and the pandoc extensions
allow: links of every form (to ids, to the other chapter file, reference definitions,
autolinks, URLs with characters a URL may not carry raw, local files that are not in the
book), raw HTML blocks and inline tags (orphaned, misnested, unknown, with duplicate ids),
entities, nested lists and quotes, tables, headings of the same text, cross-references and
text in many scripts.  Every example that builds (exit 0) is checked; EPUBCheck runs once,
in one JVM, over all of them.  The examples are derandomised; READER_BUILD_EXAMPLES=N
explores N random ones.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import write_project
from epubcheck_batch import epubcheck_many

from reader_build.build import build

EXPLORE = int(os.environ.get("READER_BUILD_EXAMPLES", "0"))
PNG = (Path(__file__).resolve().parent.parent / "data" / "torture" / "manuscript" / "map.png").read_bytes()

WORDS = ["Peace", "treaty", "Ἀθῆναι", "Москва", "東京", "القاهرة", "ירושלים", "नमस्ते", "ภาษาไทย", "🙂", "Zürich",
         "naïve", "a\u0301", "x", "Foo", "&", "<", ">", "*", "_", "`", "\\", "'", '"', "--", "...", "    "]
LINKS = [
    "[to one](#one)", "[to a heading](#one-foo)", "[to the other](two.md#two-foo)", "[other file](two.md)",
    "[to a span](#sp)", "[a raw id](#raw)", "<https://example.com/a_b?c=d&e=f>", "[web](https://example.com/a b)",
    "[web](<https://example.com/a b>)", "[tick](https://example.com/`q`)", "[slash](https://example.com/a\\\\b)",
    "[doi](https://doi.org/10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P)",
    "[mail](mailto:editor@example.org)", "[ref link][r1]", "[collapsed][]", "[r1]", "[ü](https://bücher.example/ä)",
    "[empty]()", "[pct](https://example.com/%zz%41)", "[q](https://example.com/?q=<x>&y=\"z\")",
]
BAD_LINKS = ["[x](/url)", "[x](foo)", "[x](uri3)", "[x](#nowhere)", "[x](http://)", "[x](ftp://example.com)"]
REF_DEFS = ["[r1]: two.md#two-foo \"Title\"", "[collapsed]: https://example.com/c", "[r1]: <https://example.com/d e>"]
RAW_BLOCKS = [
    '<div id="raw" class="box"><p>raw <b>block</b></p></div>', '<div id="raw">again</div>', "<tr><td>orphan</td></tr>",
    "<table><tr><td>a</td><td>b</td></tr></table>", "<ul>loose<li>item</li></ul>", "<dl><dd>only</dd></dl>",
    "<figure><figcaption>c</figcaption>x<figcaption>d</figcaption></figure>", "<blink>unknown</blink>",
    "<custom-el>custom</custom-el>", '<p lang="de" dir="rtl">Text</p>', '<h2 id="sp">raw heading</h2>',
    "<script>alert(1)</script>", "<!-- a comment -->", '<a href="two.md#two-foo">raw link</a>',
    '<a href="#raw">raw self</a>', "<ruby>漢<rt>kan</rt></ruby>", "<ruby>漢<rp>(</rp></ruby>", "<div>\n\n*md*\n\n</div>",
    "<p>one<p>two", "<table><caption>c</caption><caption>d</caption><tr><th colspan=0>x</th></tr></table>",
    '<del datetime="yesterday">gone</del>', "<hr>", "<br>", '<img src="map.png" alt="m">', "<svg><rect/></svg>",
]
RAW_INLINE = ["<b>", "</b>", "<i>", "</i>", "<span id=\"raw\">", "</span>", "<div>", "</div>", "<a href=\"#one\">", "</a>",
              "<sup>", "</sup>", "<br>", "<td>", "<li>", "<q cite=\"https://example.com/a b\">", "</q>", "<wbr>",
              "<bdo dir=\"rtl\">", "</bdo>", "<tt>", "<font color=red>"]
ENTITIES = ["&amp;", "&nbsp;", "&copy;", "&#x1F600;", "&#0;", "&#xD800;", "&bogus;", "&#65;", "&ne;", "&lt;b&gt;"]
XREFS = ["@fig:map", "[@fig:map; @fig:map]", "@Fig:map", "@tbl:t", "@page:sp", "@page:one-foo", "@note:n",
         "@note:two/n", "@note:one/n", "[see @page:raw]"]


def _inline():
    piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(LINKS), st.sampled_from(RAW_INLINE),
                      st.sampled_from(ENTITIES), st.sampled_from(XREFS), st.sampled_from(["[sp]{.c}", "**b**", "*i*", "`c`"]))
    return st.lists(piece, min_size=1, max_size=8).map(" ".join)


def _block():
    inline = _inline()
    return st.one_of(
        inline,
        inline.map(lambda t: "## " + t.replace("\n", " ")),
        st.just("## Foo"), st.just("## Foo"),
        st.sampled_from(RAW_BLOCKS),
        st.sampled_from(REF_DEFS),
        st.tuples(inline, inline).map(lambda p: f"- {p[0]}\n  - {p[1]}\n    > {p[0]}\n    > > {p[1]}"),
        st.tuples(inline, inline).map(lambda p: f"> {p[0]}\n>\n> 1. {p[1]}\n> 2. x"),
        st.tuples(inline, inline).map(lambda p: f"| a | b |\n|---|:-:|\n| {p[0].replace('|', '')} | "
                                                f"{p[1].replace('|', '')} |"),
        st.just("| y |\n|---|\n| 1 |\n\nTable: Events"),
        st.just('![A map](map.png "Another map.")'),
    )


CHAPTER = st.lists(_block(), min_size=1, max_size=7).map("\n\n".join)
MAYBE_BAD = st.sampled_from([""] * 4 + BAD_LINKS)
# what the generated text refers to: defined once, in the first chapter
TARGETS = ('![A map](map.png "The map."){#fig:map}\n\n| y |\n|---|\n| 1 |\n\nTable: Events {#tbl:t}\n\n'
           'A [span]{#sp} and <span id="raw">raw</span>.')


def _project(root: Path, one: str, two: str, bad: str) -> Path:
    write_project(root, {
        "reader.toml": 'title = "Property"\n[editions.ebook]\nformat = "epub"\n',
        "bibliography/refs.bib": "",
        "manuscript/one.md": f"---\nid: one\ntitle: One\n---\n\n## Foo\n\n{TARGETS}\n\n{one}\n\n{bad}\n\nA note.[^n]\n\n"
                             "[^n]: The note.\n",
        "manuscript/two.md": f"---\nid: two\ntitle: Two\n---\n\n## Foo\n\n{two}\n\nOther.[^n]\n\n[^n]: Its note.\n",
    })
    (root / "manuscript" / "map.png").write_bytes(PNG)
    return root


def test_exit_0_means_epubcheck_reports_nothing(tmp_path):
    built: dict[Path, str] = {}
    failed = []

    @settings(max_examples=EXPLORE or 15, deadline=None, derandomize=not EXPLORE, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(one=CHAPTER, two=CHAPTER, bad=MAYBE_BAD)
    def build_one(one, two, bad):
        root = _project(Path(tempfile.mkdtemp(dir=tmp_path)) / "p", one, two, bad)
        result = build(root)
        if result.status == 0:
            built[root / "build" / "ebook.epub"] = f"--- one.md\n{one}\n{bad}\n--- two.md\n{two}"
        else:
            failed.append([d.code for d in result.diagnostics if d.severity == "error"])
            assert bad, f"{failed[-1]}\n--- one.md\n{one}\n--- two.md\n{two}"

    build_one()
    assert len(built) >= 5, f"too few examples built: {len(built)}, errors {failed}"
    reports = epubcheck_many(sorted(built))
    problems = {built[epub]: [f"{m['ID']} {m['message']} {[(l.get('path'), l.get('line')) for l in m['locations']]}"
                              for m in messages] for epub, messages in reports.items() if messages}
    assert not problems, "\n\n".join(f"{source}\n=> {messages}" for source, messages in problems.items())
