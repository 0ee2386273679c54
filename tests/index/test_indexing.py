"""Building the index (locators, sorting, groups, cross-references) and rendering it."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings, strategies as st

from reader_build.index.authority import Authority, Entry, fold, load_authority
from reader_build.diagnostics import Diagnostics
from reader_build.index.build import IndexLine, LetterGroup, Locator, Mention, build_index, sort_words
from reader_build.source.files import SourceFile
from reader_build.language.locale import packaged_locale
from reader_build.render.templates import template_environment



def make(id, heading=None, kind="person", sort=None, **kw) -> Entry:
    heading = heading or id.capitalize()
    return Entry(id=id, kind=kind, heading=heading, sort_key=fold(sort or heading), **kw)


class Book:
    """Mentions placed on pages, in reading order."""

    def __init__(self):
        self.mentions: list[Mention] = []
        self.pages: dict[str, int | None] = {}
        self.sections: dict[str, str] = {}

    def put(self, entry: str, page: int | None, note: int | None = None, section: str = "",
            chapter: str = "ch1") -> str:
        id = f"m-{entry}-{len(self.mentions) + 1}"
        self.mentions.append(Mention(id, entry, chapter, note is not None, note))
        self.pages[id] = page
        self.sections[id] = section
        return id

    def index(self, authority: Authority, kind: str = "person", labels: bool = True) -> list[LetterGroup]:
        return build_index(authority, kind, self.mentions, self.pages.get, lambda m: "#" + m,
                           self.sections.get if labels else None)


def lines(groups: list[LetterGroup]) -> dict[str, IndexLine]:
    out = {}
    for group in groups:
        for line in group.lines:
            out[line.entry.id] = line
            out.update({sub.entry.id: sub for sub in line.subs})
    return out


def labels(line: IndexLine) -> list[str]:
    return [loc.label for loc in line.locators]


def locators_for(*pages, notes=()) -> list[Locator]:
    book = Book()
    for page in pages:
        book.put("gromyko", page, note=1 if page in notes else None)
    return list(lines(book.index(Authority([make("gromyko")])))["gromyko"].locators)


# -- locators -------------------------------------------------------------------------

def test_consecutive_pages_make_a_range():
    assert [loc.label for loc in locators_for(41, 42, 43)] == ["41\u201343"]
    assert [loc.label for loc in locators_for(41, 42)] == ["41\u201342"]
    assert [loc.label for loc in locators_for(41, 43)] == ["41", "43"]
    assert [loc.label for loc in locators_for(141, 142, 143, 199)] == ["141\u2013143", "199"]


def test_a_page_is_listed_once_and_links_to_its_first_mention():
    book = Book()
    first = book.put("gromyko", 41)
    book.put("gromyko", 41)
    book.put("gromyko", 42)
    book.put("gromyko", 41, note=3)
    [loc] = lines(book.index(Authority([make("gromyko")])))["gromyko"].locators
    assert loc == Locator("41\u201342", "#" + first, 41, False)


def test_pages_are_sorted_whatever_the_reading_order():
    assert [loc.label for loc in locators_for(50, 12, 13)] == ["12\u201313", "50"]


def test_note_only_page_and_mixed_page():
    locs = locators_for(12, 20, 20, notes=(12,))
    assert [(loc.label, loc.in_note) for loc in locs] == [("12n", True), ("20", False)]
    book = Book()
    note = book.put("gromyko", 20, note=4)
    book.put("gromyko", 20)
    [loc] = lines(book.index(Authority([make("gromyko")])))["gromyko"].locators
    assert (loc.label, loc.in_note, loc.href) == ("20", False, "#" + note)


def test_note_only_pages_do_not_merge_into_ranges():
    assert [loc.label for loc in locators_for(11, 12, 13, notes=(12,))] == ["11", "12n", "13"]
    assert [loc.label for loc in locators_for(12, 13, notes=(12, 13))] == ["12n", "13n"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1, max_size=25))
def test_every_page_is_covered_exactly_once(placed):
    book = Book()
    for page, in_note in placed:
        book.put("gromyko", page, note=1 if in_note else None)
    locs = lines(book.index(Authority([make("gromyko")])))["gromyko"].locators
    body = {p for p, n in placed if not n}
    covered = []
    for loc in locs:
        if loc.label.endswith("n"):
            covered.append(int(loc.label[:-1]))
            assert loc.in_note and covered[-1] not in body
        else:
            start, _, end = loc.label.partition("\u2013")
            span = range(int(start), int(end or start) + 1)
            assert int(start) == loc.first_page and (not end or int(end) > int(start))
            assert all(p in body for p in span)
            covered.extend(span)
    assert covered == sorted({p for p, _ in placed})


def test_without_pages_locators_are_section_labels_in_reading_order():
    book = Book()
    a = book.put("gromyko", None, section="2.1")
    book.put("gromyko", None, section="2.1")
    b = book.put("gromyko", None, section="1.3")
    c = book.put("gromyko", None, note=5, section="4")
    locs = lines(book.index(Authority([make("gromyko")])))["gromyko"].locators
    assert locs == (Locator("2.1", "#" + a, None, False), Locator("1.3", "#" + b, None, False),
                    Locator("4", "#" + c, None, True))
    book = Book()
    book.put("gromyko", None, chapter="yalta")
    locs = lines(book.index(Authority([make("gromyko")]), labels=False))["gromyko"].locators
    assert [loc.label for loc in locs] == ["yalta"]


# -- entries, sub-entries, cross-references -----------------------------------------

def test_entries_without_mentions_are_omitted_and_other_kinds_ignored():
    authority = Authority([make("gromyko"), make("malik"), make("tokyo", kind="place")])
    book = Book()
    book.put("gromyko", 3)
    book.put("tokyo", 4)
    book.put("unknown-entry", 5)
    assert list(lines(book.index(authority))) == ["gromyko"]
    assert list(lines(book.index(authority, "place"))) == ["tokyo"]
    assert book.index(authority, "nothing") == []


def test_sub_entries_are_sorted_under_their_parent_with_their_own_locators():
    authority = Authority([
        make("kurils", "Kuril Islands", kind="place", subs=("south", "north", "unused")),
        make("south", "southern islands", kind="place", parent="kurils"),
        make("north", "northern islands", kind="place", parent="kurils"),
        make("unused", "unused islands", kind="place", parent="kurils"),
    ])
    book = Book()
    book.put("south", 9)
    book.put("north", 7)
    [group] = book.index(authority, "place")
    [line] = group.lines
    assert line.entry.id == "kurils" and line.locators == ()
    assert [(s.entry.id, labels(s)) for s in line.subs] == [("north", ["7"]), ("south", ["9"])]
    book.put("kurils", 1)
    [line] = book.index(authority, "place")[0].lines
    assert labels(line) == ["1"] and len(line.subs) == 2


def test_see_entries_send_their_mentions_to_the_target():
    authority = Authority([
        make("chishima", "Chishima", kind="place", see="kurils"),
        make("kurils", "Kuril Islands", kind="place"),
        make("karafuto", "Karafuto", kind="place", see="sakhalin"),
        make("sakhalin", "Sakhalin", kind="place"),
    ])
    book = Book()
    book.put("chishima", 5)
    book.put("kurils", 6)
    got = lines(book.index(authority, "place"))
    assert set(got) == {"chishima", "kurils"}          # Sakhalin has no mention: no blind "see"
    assert got["chishima"].locators == () and [e.id for e in got["chishima"].see] == ["kurils"]
    assert labels(got["kurils"]) == ["5\u20136"]


def test_see_also_only_to_entries_with_locators():
    authority = Authority([
        make("gromyko", see_also=("molotov", "malik", "vyshinsky")),
        make("malik"), make("molotov"), make("vyshinsky"),
        make("dulles", see_also=("gromyko",)),
    ])
    book = Book()
    book.put("gromyko", 3)
    book.put("molotov", 4)
    book.put("malik", 4)
    got = lines(book.index(authority))
    assert [e.id for e in got["gromyko"].see_also] == ["malik", "molotov"]     # sorted; no blind refs
    assert [e.id for e in got["dulles"].see_also] == ["gromyko"] and got["dulles"].locators == ()
    assert "vyshinsky" not in got


# -- sorting and letter groups ---------------------------------------------------------

def test_accented_headings_sort_folded():
    authority = Authority([make(i, h, kind="place") for i, h in
                           [("pacific", "Pacific Ocean"), ("osaka", "Ōsaka"), ("okinawa", "Okinawa"),
                            ("odessa", "Odessa"), ("elysee", "Élysée Palace")]])
    book = Book()
    for id in authority.entries:
        book.put(id, 1)
    groups = book.index(authority, "place")
    assert [(g.letter, [line.entry.id for line in g.lines]) for g in groups] == [
        ("E", ["elysee"]), ("O", ["odessa", "okinawa", "osaka"]), ("P", ["pacific"])]


def test_word_by_word_and_sort_keys_with_particles():
    assert sort_words("Kono, Yohei") == ("kono", "yohei")
    assert sort_words("New York") < sort_words("Newark")
    assert sort_words("Kuril-Kamchatka “Trench”") == ("kuril", "kamchatka", "trench")
    authority = Authority([
        make("newark", "Newark", kind="place"), make("new-york", "New York", kind="place"),
        make("konoe", "Konoe, Fumimaro"), make("kono", "Kono, Yohei"),
        make("gogh", "van Gogh, Vincent", sort="Gogh, Vincent van"),
        make("gaulle", "de Gaulle, Charles", sort="Gaulle, Charles de"),
        make("vance", "Vance, Cyrus"),
    ])
    book = Book()
    for id in authority.entries:
        book.put(id, 1)
    assert [line.entry.id for g in book.index(authority, "place") for line in g.lines] == ["new-york", "newark"]
    groups = book.index(authority)
    assert [(g.letter, [line.entry.id for line in g.lines]) for g in groups] == [
        ("G", ["gaulle", "gogh"]), ("K", ["kono", "konoe"]), ("V", ["vance"])]


def test_digits_and_symbols_group_under_hash_first():
    authority = Authority([make("decl", "1956 Joint Declaration", kind="place"),
                           make("ainu", "Ainu lands", kind="place"),
                           make("q", "“Quoted” Place", kind="place")])
    book = Book()
    for id in authority.entries:
        book.put(id, 2)
    assert [(g.letter, [line.entry.id for line in g.lines]) for g in book.index(authority, "place")] == [
        ("#", ["decl"]), ("A", ["ainu"]), ("Q", ["q"])]


# -- rendering -------------------------------------------------------------------------

@pytest.fixture
def env(tmp_path):
    """The package's templates as a project without overrides sees them (its filters and fixed words)."""
    return template_environment(tmp_path, packaged_locale("en"))


AUTHORITY_TOML = '''
[[entry]]
id = "gromyko"
kind = "person"
heading = "Gromyko, Andrei"
gloss = "Soviet deputy foreign minister"
variants = ["Gromyko"]
see_also = ["kurils", "malik"]

[[entry]]
id = "malik"
kind = "person"
heading = "Malik, Yakov <& Co>"
variants = ["Malik"]

[[entry]]
id = "chishima"
kind = "place"
heading = "Chishima"
see = "south"

[[entry]]
id = "kurils"
kind = "place"
heading = "Kuril Islands"
variants = ["Kuril Islands"]
see_also = ["gromyko"]

  [[entry.sub]]
  id = "south"
  heading = "southern islands"
  variants = ["South Kurils"]
'''


def render(env, kind, **context):
    diags = Diagnostics()
    authority = load_authority([SourceFile("manuscript/index.toml", AUTHORITY_TOML)], diags)
    assert list(diags) == []
    book = Book()
    text = "Gromyko and Malik on the Kuril Islands, the South Kurils; Gromyko again"
    page = iter([41, 41, 42, 43, 44])
    for start, end, id in authority.find(text):
        book.put(id, next(page), note=7 if text[end:].startswith(" again") else None)
    groups = book.index(authority, kind)
    title = {"person": "Index of Names", "place": "Index of Places"}[kind]
    html = env.get_template("index.html.j2").render(groups=groups, kind=kind, kind_title=title, **context)
    return html, ET.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{html}</div>')


NS = "{http://www.w3.org/1999/xhtml}"


def test_rendered_index_is_xml_with_the_agreed_structure(env):
    bases = {"person": "index-names.xhtml", "place": "index-places.xhtml"}
    html, root = render(env, "person", entry_base=bases)
    section = root.find(f"{NS}section")
    assert section.get("id") == "index-person" and section.get("class") == "index"
    assert section.find(f"{NS}h2").text == "Index of Names"
    groups = section.findall(f"{NS}section[@class='index-group']")
    assert [g.find(f"{NS}h3[@class='index-letter']").text for g in groups] == ["G", "M"]
    gromyko = root.find(f".//{NS}li[@id='ix-gromyko']")
    assert "".join(gromyko.itertext()) == ("Gromyko, Andrei (Soviet deputy foreign minister), 41, 44n. "
                                           "See also Kuril Islands; Malik, Yakov <& Co>")
    assert [a.get("href") for a in gromyko.findall(f"{NS}a[@class='index-loc']")] == ["#m-gromyko-1",
                                                                                      "#m-gromyko-5"]
    xrefs = gromyko.findall(f".//{NS}a[@class='index-xref']")
    assert [a.get("href") for a in xrefs] == ["index-places.xhtml#ix-kurils", "index-names.xhtml#ix-malik"]
    malik = root.find(f".//{NS}li[@id='ix-malik']")
    assert malik.find(f"{NS}span[@class='index-heading']").text == "Malik, Yakov <& Co>"
    assert "&lt;&amp; Co&gt;" in html


def test_rendered_sub_entries_and_see_lines(env):
    html, root = render(env, "place")
    kurils = root.find(f".//{NS}li[@id='ix-kurils']")
    [sub] = kurils.findall(f"{NS}ul[@class='index-subentries']/{NS}li[@class='index-entry index-subentry']")
    assert sub.get("id") == "ix-south" and "".join(sub.itertext()) == "southern islands, 43"
    see_also = kurils.find(f"{NS}ul/{NS}li[@class='index-subentry index-see-also']")
    assert "".join(see_also.itertext()) == "See also Gromyko, Andrei"
    assert see_also.find(f"{NS}a").get("href") == "#ix-gromyko"          # no entry_base: same document
    chishima = root.find(f".//{NS}li[@id='ix-chishima']")
    assert "".join(chishima.itertext()) == "Chishima, see Kuril Islands: southern islands"
    assert chishima.find(f".//{NS}a").get("href") == "#ix-south"


def test_rendering_an_empty_index(env):
    html = env.get_template("index.html.j2").render(groups=[], kind="place", kind_title="Index of Places")
    root = ET.fromstring(f"<div>{html}</div>")
    assert root.find("section/h2").text == "Index of Places" and root.find("section/section") is None


def test_rendering_needs_its_variables(env):
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("index.html.j2").render(groups=[], kind="place")


def test_nested_index_leaves_heading_and_id_to_the_page_around_it(env):
    """In the book and the e-book the index sits in a section with its own heading and id: the
    template adds neither a second heading nor a second element with that id (its own id is the
    same in both, for the page-list)."""
    html = env.get_template("index.html.j2").render(groups=[], kind="place", kind_title="Index of Places",
                                                    nested=True)
    root = ET.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{html}</div>')
    section = root.find(f"{NS}section")
    assert section.get("id") == "index-place-entries" and section.find(f"{NS}h2") is None
