"""Cross-references, links and ids as `check` sees them: each error at its place, with the
nearest labels; pandoc-style unique heading ids; the reserved prefixes never citations."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, write_project

from reader_build.build import load_reader
from reader_build.diagnostics import Diagnostics

FRONT = "---\nid: {id}\ntitle: {title}\n---\n\n"


def _load(tmp_path: Path, one: str, two: str = "", toml: str = "") -> tuple:
    files = dict(MINIMAL)
    files["manuscript/one.md"] = FRONT.format(id="one", title="One") + one
    if two:
        files["manuscript/two.md"] = FRONT.format(id="two", title="Two") + two
    if toml:
        files["reader.toml"] = MINIMAL["reader.toml"] + toml
    root = write_project(tmp_path / "p", files)
    diags = Diagnostics()
    reader = load_reader(root, diags)
    return reader, [d for d in diags if d.code != "cite-unused"]


def _only(diags, code):
    found = [d for d in diags if d.code == code]
    assert len(found) == 1, [d.format() for d in diags]
    return found[0]


FIGURES = '![A map](map.png "The map."){#fig:map}\n\n![A coast](map.png "The coast."){#fig:coast}\n\n'


@pytest.fixture
def png() -> bytes:
    return (Path(__file__).resolve().parent.parent / "data" / "torture" / "manuscript" / "map.png").read_bytes()


def _with_map(tmp_path, png, one, two=""):
    (tmp_path / "p" / "manuscript").mkdir(parents=True, exist_ok=True)
    (tmp_path / "p" / "manuscript" / "map.png").write_bytes(png)
    return _load(tmp_path, one, two)


def test_labels_are_numbered_and_not_citations(tmp_path, png):
    reader, diags = _with_map(tmp_path, png, FIGURES + "See @fig:coast, [@fig:map; @fig:coast] and @Fig:map.\n\n"
                              "| a |\n|---|\n| 1 |\n\nTable: Events {#tbl:events}\n\nIn @tbl:events.\n")
    assert diags == []
    labels = reader.xref.labels
    assert (labels["fig:map"].number, labels["fig:coast"].number, labels["tbl:events"].number) == (1, 2, 1)
    assert reader.cited_keys == ()


def test_unknown_label_is_an_error_at_the_reference_with_the_nearest(tmp_path, png):
    _reader, diags = _with_map(tmp_path, png, FIGURES + "Text, then\nthe reference @fig:mpa here.\n")
    d = _only(diags, "xref-unknown")
    assert (d.path, d.line, d.col) == ("manuscript/one.md", 11, 15)
    assert "fig:map" in d.message and "did you mean" in d.message


def test_a_label_defined_twice_names_both_places(tmp_path, png):
    _reader, diags = _with_map(tmp_path, png, FIGURES, '![Again](map.png "Again."){#fig:map}\n')
    d = _only(diags, "duplicate-id")
    assert d.path == "manuscript/two.md" and "manuscript/one.md:6" in d.message


def test_a_citation_mixed_with_a_cross_reference_is_an_error(tmp_path, png):
    _reader, diags = _with_map(tmp_path, png, FIGURES + "See [@fig:map; @doe-2001].\n")
    assert _only(diags, "xref-mixed").line == 10


@pytest.mark.parametrize("text, message", [
    ("@note:nope and a note.[^a]\n\n[^a]: The note.\n", "no note of this chapter has the label 'nope'"),
    ("@note:two/b\n", "no note of chapter 'two' has the label 'b'"),
    ("@page:nowhere\n", "no place of the book has the id 'nowhere'"),
    ("@tbl:x\n", "no table has the label 'tbl:x'"),
])
def test_unknown_targets_of_each_kind(tmp_path, text, message):
    _reader, diags = _load(tmp_path, text, "Text.[^a]\n\n[^a]: A note.\n")
    assert message in _only(diags, "xref-unknown").message


def test_notes_and_pages_resolve_across_files(tmp_path):
    reader, diags = _load(tmp_path, "See @note:two/a and @page:there.[^x]\n\n[^x]: Mine, see @note:x.\n",
                          "A [target]{#there}.[^a]\n\n[^a]: A note.\n")
    assert diags == []
    assert reader.xref.notes[("two", "a")] == 2 and reader.xref.targets["there"].chapter == "two"
    assert reader.xref.page_refs == frozenset({"there"})


def test_headings_of_the_same_text_get_pandoc_ids(tmp_path):
    reader, diags = _load(tmp_path, "## Foo\n\n## Foo\n\n## Foo {#one-foo-1}\n\n## Foo\n")
    assert diags == []
    assert [h.id for h in reader.chapters[0].parsed.headings] == ["one-foo", "one-foo-2", "one-foo-1", "one-foo-3"]


def test_explicit_duplicate_ids_stay_errors(tmp_path):
    _reader, diags = _load(tmp_path, "## A {#same}\n\n## B {#same}\n")
    assert _only(diags, "duplicate-id").line == 8


@pytest.mark.parametrize("link, code, col", [      # col: where the link's destination begins
    ("[x](foo)", "link-local-file", 10),
    ("[x](/url)", "link-local-file", 10),
    ("[x](../outside.md#a)", "link-local-file", 10),
    ("[x](#nope)", "link-unknown-target", 10),
    ("[x](two.md#nope)", "link-unknown-target", 10),
    ("[x](http://)", "link-invalid-url", 10),
    ("[x](https://example.com:99999/)", "link-invalid-url", 10),
    ("[x](ftp://example.com/file)", "link-scheme", 10),
    ('<a href="uri3">raw</a>', "link-local-file", 15),
])
def test_bad_links_are_errors_at_their_place(tmp_path, link, code, col):
    _reader, diags = _load(tmp_path, f"Some\ntext {link} end.\n", "## Here {#here}\n")
    d = _only(diags, code)
    assert (d.line, d.col) == (7, col), d.format()


def test_good_links_resolve(tmp_path):
    reader, diags = _load(tmp_path, "[a](two.md#here) [b](two.md) [c](#one) [d](https://example.com/a`b\\\\c) "
                          "[e](mailto:ed@example.org) [f][ref] <span id=\"raw-id\">s</span> [g](#raw-id)\n\n"
                          "[ref]: two.md#here\n", "## Here {#here}\n")
    assert diags == []
    links = {href: to for (chapter, href), to in reader.xref.links.items()}
    assert links["two.md#here"] == "#here" and links["two.md"] == "#two" and links["#raw-id"] == "#raw-id"
    assert links["https://example.com/a%60b%5Cc"] == "https://example.com/a%60b%5Cc"     # (markdown-it encodes)


def test_links_to_a_heading_by_the_slug_of_its_title_resolve(tmp_path):
    """Markdown written as one file links to its headings by their titles' slugs (GitHub's and
    pandoc's #what-is-it), without the chapter's id that reader-build puts before a made id:
    the heading of the linking chapter first, else the only one in the book."""
    reader, diags = _load(tmp_path, "## § What is it?\n\n## Common\n\n[a](#what-is-it) [b](#-what-is-it) "
                          "[c](#common) [d](#only_there) [e](two.md#common) [f](#twice-1)\n",
                          "## Only there\n\n## Common\n\n## Twice\n\n## Twice\n\n[g](#common)\n")
    assert diags == []
    links = {(chapter, href): to for (chapter, href), to in reader.xref.links.items()}
    assert links["one", "#what-is-it"] == links["one", "#-what-is-it"] == "#one-what-is-it"
    assert links["one", "#common"] == "#one-common" and links["two", "#common"] == "#two-common"
    assert links["one", "two.md#common"] == "#two-common"
    assert links["one", "#only_there"] == "#two-only-there" and links["one", "#twice-1"] == "#two-twice-1"


def test_links_to_headings_in_other_alphabets_resolve_by_their_slugs(tmp_path):
    """A heading in Cyrillic, in Greek or with a letter Unicode does not decompose (ß, ø) gets
    a readable id, and a link that names it as pandoc writes it (the title, lower case,
    hyphens for spaces) finds it; two such titles get two ids, not "section" twice."""
    reader, diags = _load(tmp_path, "## Курилы и Хоккайдо\n\n## Объединённые нации\n\n## Fußnote\n\n"
                          "## Ελληνικά\n\n[a](#курилы-и-хоккайдо) [b](#объединённые-нации) [c](#fußnote) "
                          "[d](#ελληνικά)\n", "Text.\n")
    assert diags == []
    from urllib.parse import unquote
    links = {unquote(href): to for (chapter, href), to in reader.xref.links.items() if chapter == "one"}
    assert links == {"#курилы-и-хоккайдо": "#one-kurily-i-khokkaido", "#объединённые-нации": "#one-obedinennye-natsii",
                     "#fußnote": "#one-fussnote", "#ελληνικά": "#one-ellinika"}


def test_a_slug_that_names_headings_of_two_other_chapters_is_no_guess(tmp_path):
    files = dict(MINIMAL)
    for n, (name, text) in enumerate([("one", "[x](#common)\n"), ("two", "## Common\n"), ("three", "## Common\n")]):
        files[f"manuscript/{n}-{name}.md"] = FRONT.format(id=name, title=name.title()) + text
    diags = Diagnostics()
    load_reader(write_project(tmp_path / "p", files), diags)
    d = _only(diags, "link-unknown-target")
    assert (d.path, d.line) == ("manuscript/0-one.md", 6)
    assert "#two-common (manuscript/1-two.md), #three-common (manuscript/2-three.md)" in d.message


def test_words_come_from_reader_toml(tmp_path):
    reader, diags = _load(tmp_path, "Text.\n", toml='[crossref]\nfig = "Abb."\nfigure-title = "Abbildung"\n')
    assert diags == []
    assert reader.xref.words["fig"] == "Abb." and reader.xref.words["figs"] == "figs."


def test_unknown_word_in_reader_toml(tmp_path):
    _reader, diags = _load(tmp_path, "Text.\n", toml='[crossref]\nfigs = "Abb."\nfgure = "x"\n')
    assert "'fgure'" in _only(diags, "config-unknown-key").message
