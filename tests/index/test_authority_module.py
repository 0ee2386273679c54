"""The authority file: loading, validation with places, and the variant matcher."""
from __future__ import annotations

import random
import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from reader_build.index.authority import Authority, Entry, fold, load_authority
from reader_build.diagnostics import Diagnostics
from reader_build.source.files import SourceFile

PATH = "manuscript/index.toml"
WRITING = Path(__file__).resolve().parents[2] / "docs" / "writing.md"


def load(*texts: str) -> tuple[Authority, Diagnostics]:
    diags = Diagnostics()
    files = [SourceFile(PATH if i == 0 else f"manuscript/more{i}.toml", t) for i, t in enumerate(texts)]
    return load_authority(files, diags), diags


def codes(diags: Diagnostics) -> list[str]:
    return [d.code for d in diags]


def entry(id: str, *variants: str, kind: str = "person") -> Entry:
    return Entry(id=id, kind=kind, heading=id, sort_key=fold(id), variants=variants)


def found(authority: Authority, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], id) for s, e, id in authority.find(text)]


# -- loading ------------------------------------------------------------------------

def test_the_example_of_the_writing_guide_loads():
    guide = WRITING.read_text(encoding="utf-8").split("## The authority file")[1]
    example = guide.split("```toml\n")[1].split("```")[0]
    authority, diags = load(example.replace('see_also = ["malik"]', "see_also = []"))
    assert list(diags) == []
    assert list(authority.entries) == ["gromyko", "chishima", "kuril-islands", "south-kurils"]
    gromyko = authority.get("gromyko")
    assert gromyko.kind == "person" and gromyko.heading == "Gromyko, Andrei Andreyevich"
    assert gromyko.sort_key == "gromyko andrei"
    assert gromyko.variants == ("Gromyko", "A. A. Gromyko")
    assert gromyko.line == 1 and gromyko.path == PATH
    assert authority.get("chishima").see == "kuril-islands"
    kurils = authority.get("kuril-islands")
    assert kurils.subs == ("south-kurils",)
    south = authority.get("south-kurils")
    assert (south.parent, south.kind, south.parent_heading) == ("kuril-islands", "place", "Kuril Islands")
    assert south.label == "Kuril Islands: southern islands"
    assert south.line == example.splitlines().index("  [[entry.sub]]                      "
                                                    "# sub-entries, indented under their entry") + 1
    assert authority.kinds() == ["person", "place"]
    assert authority.get("nobody") is None


def test_no_files_and_empty_file_give_an_empty_authority():
    diags = Diagnostics()
    assert load_authority([], diags).entries == {} and len(diags) == 0
    authority, diags = load("# nothing yet\n")
    assert authority.entries == {} and len(diags) == 0
    assert authority.find("Gromyko") == [] and authority.kinds() == []


def test_sort_key_folds_accents_and_case_or_uses_sort():
    authority, diags = load('[[entry]]\nid = "osaka"\nkind = "place"\nheading = "Ōsaka"\n'
                            '[[entry]]\nid = "gogh"\nkind = "person"\nheading = "van Gogh, Vincent"\n'
                            'sort = "Gogh, Vincent van"\n')
    assert not diags.has_errors
    assert authority.get("osaka").sort_key == "osaka"
    assert authority.get("gogh").sort_key == "gogh, vincent van"
    assert fold("Łódź Ærø Straße") == "lodz aero strasse"


def test_not_toml_is_reported_with_line_and_column():
    authority, diags = load('[[entry]]\nid = "a"\nkind = \n')
    [d] = list(diags)
    assert (d.code, d.path, d.line, d.col) == ("index-toml", PATH, 3, 8)
    assert "at line" not in d.message
    assert authority.entries == {}


def test_unterminated_string_at_end_of_document():
    _, diags = load('[[entry]]\nid = "a')
    [d] = list(diags)
    assert d.code == "index-toml" and d.line == 2


def test_parser_failures_without_a_place_are_reported():
    """tomllib raises RecursionError (deep nesting) and a bare ValueError (an integer of more
    than 4,300 digits) besides its syntax errors: both are index-toml diagnostics."""
    for text, needle in (("x = " + "[" * 5000 + "\n", "nested too deeply"),
                         ("x = " + "1" * 5000 + "\n", "4300 digits")):
        authority, diags = load(text)
        [d] = list(diags)
        assert (d.code, d.path, d.line) == ("index-toml", PATH, 1) and needle in d.message
        assert authority.entries == {}


def test_duplicate_id_names_both_lines():
    text = ('[[entry]]\nid = "kono"\nkind = "person"\nheading = "Kōno, Yōhei"\n\n'
            '[[entry]]\nid = "kono"\nkind = "place"\nheading = "Kono"\n')
    authority, diags = load(text)
    [d] = list(diags)
    assert (d.code, d.line) == ("index-duplicate-id", 7)
    assert f"{PATH}:1" in d.message
    assert authority.get("kono").kind == "person"


def test_duplicate_id_across_files():
    a = '[[entry]]\nid = "kono"\nkind = "person"\nheading = "Kono"\n'
    _, diags = load(a, "\n" + a)
    [d] = list(diags)
    assert d.code == "index-duplicate-id" and d.path == "manuscript/more1.toml" and d.line == 3
    assert f"{PATH}:1" in d.message


def test_variant_conflict_names_both_entries_and_lines():
    text = ('[[entry]]\nid = "kono"\nkind = "person"\nheading = "Kōno"\nvariants = ["Kono", "Kōno"]\n'
            '[[entry]]\nid = "kono-bay"\nkind = "place"\nheading = "Kono Bay"\n'
            'variants = ["Kono Bay", "Kono"]\n')
    authority, diags = load(text)
    [d] = list(diags)
    assert (d.code, d.line) == ("index-variant-conflict", 10)
    assert "'kono'" in d.message and "'kono-bay'" in d.message and f"{PATH}:1" in d.message
    assert found(authority, "Kono and Kono Bay") == [("Kono", "kono"), ("Kono Bay", "kono-bay")]


def test_unknown_references_with_did_you_mean():
    text = ('[[entry]]\nid = "gromyko"\nkind = "person"\nheading = "Gromyko"\n'
            'see_also = ["mallik"]\n'
            '[[entry]]\nid = "malik"\nkind = "person"\nheading = "Malik"\n'
            '[[entry]]\nid = "chishima"\nkind = "place"\nheading = "Chishima"\nsee = "kuril"\n')
    authority, diags = load(text)
    assert codes(diags) == ["index-unknown-ref", "index-unknown-ref"]
    first, second = diags
    assert first.line == 5 and "'mallik'" in first.message and "did you mean 'malik'" in first.message
    assert second.line == 14 and "'kuril'" in second.message
    assert authority.get("gromyko").see_also == () and authority.get("chishima").see is None


@pytest.mark.parametrize("body, line, needle", [
    ('id = "a"\nkind = "person"\n', 1, "no heading"),
    ('id = "a"\nheading = "A"\n', 1, "no kind"),
    ('id = "a"\nkind = "persn"\nheading = "A"\n', 3, "did you mean 'person'"),
    ('id = "a"\nkind = "person"\nheading = "A"\nvariants = "A"\n', 5, "variants of 'a' must be a list"),
    ('id = "a"\nkind = "person"\nheading = "A"\nvariants = ["A", ""]\n', 5, "non-empty strings"),
    ('id = "a"\nkind = "person"\nheading = 3\n', 4, "heading of 'a' must be a non-empty string"),
    ('id = "a"\nkind = "person"\nheading = "A"\nvarients = ["A"]\n', 5, "did you mean 'variants'"),
    ('id = "a"\nkind = "person"\nheading = "A"\nsee = 3\n', 5, "see of 'a'"),
    ('id = "a b"\nkind = "person"\nheading = "A"\n', 2, "letters, digits"),
    ('kind = "person"\nheading = "A"\n', 1, "has no id"),
])
def test_bad_entries(body, line, needle):
    _, diags = load("[[entry]]\n" + body)
    bad = [d for d in diags if d.code == "index-bad-entry"]
    assert bad, list(diags)
    assert bad[0].line == line and needle in bad[0].message, bad[0]


def test_bad_sub_entries():
    text = ('[[entry]]\nid = "kurils"\nkind = "place"\nheading = "Kuril Islands"\n'
            '  [[entry.sub]]\n  id = "south"\n  kind = "person"\n  heading = "south"\n'
            '  [[entry.sub]]\n  id = "north"\n  heading = "north"\n  sub = []\n')
    authority, diags = load(text)
    assert [(d.code, d.line) for d in diags] == [("index-bad-entry", 7), ("index-bad-entry", 12)]
    assert "a sub-entry cannot have sub-entries" in diags.items[1].message
    assert authority.get("kurils").subs == ("south", "north")
    assert authority.get("south").kind == "place"


def test_single_tables_instead_of_arrays_and_unknown_tables():
    _, diags = load('[entry]\nid = "a"\nkind = "person"\nheading = "A"\n')
    assert codes(diags) == ["index-bad-entry"] and "[[entry]]" in diags.items[0].message
    _, diags = load('[[entry]]\nid = "a"\nkind = "place"\nheading = "A"\n[entry.sub]\nid = "b"\nheading = "B"\n')
    assert codes(diags) == ["index-bad-entry"] and "[[entry.sub]]" in diags.items[0].message
    _, diags = load('entry = 3\n')
    assert codes(diags) == ["index-bad-entry"] and diags.items[0].line == 1
    _, diags = load('[[entries]]\nid = "a"\n')
    assert codes(diags) == ["index-bad-entry"] and "did you mean 'entry'" in diags.items[0].message
    assert diags.items[0].line == 1


def test_a_see_entry_may_have_variants_and_circles_are_errors():
    text = ('[[entry]]\nid = "chishima"\nkind = "place"\nheading = "Chishima"\nsee = "kurils"\n'
            'variants = ["Chishima"]\n'
            '[[entry]]\nid = "kurils"\nkind = "place"\nheading = "Kuril Islands"\n')
    authority, diags = load(text)
    assert list(diags) == []
    assert found(authority, "the Chishima chain") == [("Chishima", "chishima")]
    text = ('[[entry]]\nid = "a"\nkind = "place"\nheading = "A"\nsee = "b"\n'
            '[[entry]]\nid = "b"\nkind = "place"\nheading = "B"\nsee = "a"\n')
    _, diags = load(text)
    assert codes(diags) == ["index-bad-entry"] and "circle: a → b → a" in diags.items[0].message


def test_a_see_to_a_cross_reference_is_a_warning():
    text = ('[[entry]]\nid = "a"\nkind = "place"\nheading = "A"\nsee = "b"\n'
            '[[entry]]\nid = "b"\nkind = "place"\nheading = "B"\nsee = "c"\n'
            '[[entry]]\nid = "c"\nkind = "place"\nheading = "C"\n')
    _, diags = load(text)
    [d] = list(diags)
    assert d.severity == "warning" and d.line == 5 and 'see = "c"' in d.message


def test_lines_without_array_headers_fall_back_to_the_id_lines():
    text = ('entry = [\n  { id = "a", kind = "person", heading = "A" },\n'
            '  { id = "a", kind = "person", heading = "A again" },\n]\n')
    _, diags = load(text)
    [d] = list(diags)
    assert d.code == "index-duplicate-id" and d.line == 3


def _toml_value(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


values = st.one_of(st.text(max_size=6), st.integers(), st.booleans(),
                   st.lists(st.one_of(st.text(max_size=6), st.integers()), max_size=3))
tables = st.dictionaries(st.sampled_from(["id", "kind", "heading", "sort", "gloss", "variants", "see",
                                          "see_also", "colour"]), values, max_size=7)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(tables, st.lists(tables, max_size=2)), max_size=5))
def test_loading_never_raises(entries):
    lines = []
    for table, subs in entries:
        lines.append("[[entry]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
        for sub in subs:
            lines.append("[[entry.sub]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in sub.items()]
    authority, diags = load("\n".join(lines) + "\n")
    for e in authority.entries.values():
        assert e.heading and e.kind and all(s in authority.entries for s in e.subs)
        assert e.see is None or e.see in authority.entries
    authority.find("some text with A and B in it")


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='[]="\n ={}.,#ideknsubhgarvt', max_size=80))
def test_loading_garbage_never_raises(text):
    load(text)


# -- the matcher -------------------------------------------------------------------

def test_whole_words_only_with_unicode_boundaries():
    authority = Authority([entry("kono", "Kono", "Kōno"), entry("konoe", "Konoe")])
    assert found(authority, "Kono met Konoe.") == [("Kono", "kono"), ("Konoe", "konoe")]
    assert found(authority, "xKono Kono2 Kono_ Kōnoe Ōkōno") == []
    assert found(authority, "(Kōno)") == [("Kōno", "kono")]


def test_decomposed_text_matches_a_composed_variant():
    authority = Authority([entry("kono", "Kōno")])
    text = "Ko\u0304no and Ko\u0304noe"
    assert authority.find(text) == [(0, 5, "kono")]


def test_possessives_and_apostrophes():
    authority = Authority([entry("tsushima", "Tsushima"), entry("shin", "Shin")])
    assert found(authority, "Tsushima's harbour, Tsushima’s, the Tsushima' straits") == [
        ("Tsushima", "tsushima")] * 3
    assert found(authority, "Shin'ichi and Shin’ichi, but Shin.") == [("Shin", "shin")]


def test_longest_variant_first():
    authority = Authority([
        Entry("kurils", "place", "Kuril Islands", "kuril islands", variants=("Kuril Islands", "Kurils")),
        Entry("south", "place", "southern islands", "southern islands",
              variants=("South Kuril Islands", "South Kurils"), parent="kurils")])
    text = "The South Kuril Islands are not the Kuril Islands; South Kurils, Kurils."
    assert found(authority, text) == [("South Kuril Islands", "south"), ("Kuril Islands", "kurils"),
                                      ("South Kurils", "south"), ("Kurils", "kurils")]
    # a longer variant that would end inside a word gives way to a shorter one
    assert found(authority, "South Kurilsk") == []
    assert found(authority, "Kuril Islandsmen") == []


def test_case_sensitive():
    authority = Authority([entry("china", "China")])
    assert found(authority, "china, CHINA and China") == [("China", "china")]


def test_spaces_in_variants_match_any_white_space():
    authority = Authority([entry("gromyko", "A. A. Gromyko", "Gromyko")])
    text = "A.\u00a0A.\u00a0Gromyko said; A. A.\nGromyko wrote; A.  A. Gromyko"
    assert [id for _, id in found(authority, text)] == ["gromyko"] * 3
    assert found(authority, text)[0][0] == "A.\u00a0A.\u00a0Gromyko"


def test_variants_ending_in_punctuation():
    authority = Authority([entry("us", "U.S."), entry("ussr", "USSR")])
    assert found(authority, "the U.S. and the USSR.") == [("U.S.", "us"), ("USSR", "ussr")]


def test_kinds_in_order():
    authority = Authority([entry("a", kind="place"), entry("b", kind="term"), entry("c")])
    assert authority.kinds() == ["person", "place", "term"]


def _oracle(tokens: list[str], variants: dict[tuple[str, ...], str]) -> list[tuple[str, str]]:
    out, i = [], 0
    longest = max((len(v) for v in variants), default=0)
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i:i + n])
            if key in variants:
                out.append((" ".join(key), variants[key]))
                i += n
                break
        else:
            i += 1
    return out


words = st.text(alphabet="abcKō", min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(words, min_size=1, max_size=3), min_size=1, max_size=8),
       st.lists(st.one_of(words, st.sampled_from(["12", "x-y"])), max_size=30))
def test_matches_agree_with_a_word_level_greedy_matcher(variant_words, tokens):
    variants = {}
    for i, ws in enumerate(variant_words):
        variants.setdefault(tuple(ws), f"e{i}")
    authority = Authority([entry(id, " ".join(v)) for v, id in variants.items()])
    assert found(authority, " ".join(tokens)) == _oracle(tokens, variants)


def test_two_megabytes_of_text():
    rng = random.Random(7)
    letters = string.ascii_letters
    entries = [entry(f"e{i}", *(" ".join("".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
                                          for _ in range(rng.randint(1, 3))) for _ in range(3)))
               for i in range(800)]
    authority = Authority(entries)
    variants = [v for e in entries for v in e.variants]
    pieces, size = [], 0
    while size < 2_000_000:
        pieces.append(rng.choice(variants) if rng.random() < 0.05 else
                      "".join(rng.choice(letters) for _ in range(rng.randint(1, 10))))
        size += len(pieces[-1]) + 1
    text = " ".join(pieces)
    result = authority.find(text)
    assert len(result) >= pieces.count(pieces[0]) and all(s < e for s, e, _ in result)
    assert all(a[1] <= b[0] for a, b in zip(result, result[1:]))
    assert re.sub(r"\s+", " ", text[result[0][0]:result[0][1]]) in authority.get(result[0][2]).variants
