"""`reader-build index suggest` on a generated book of many chapters and several hundred pages."""
from __future__ import annotations

import random
import tomllib

import pytest

from conftest import write_project
from reader_build.cli import main

PEOPLE = [("Edmund", "R", "Halloway"), ("Margaret", "L", "Quennell"), ("Tobias", "K", "Ferrand"),
          ("Agnes", "M", "Delacourt"), ("Victor", "P", "Marchbank"), ("Lydia", "S", "Wetherby")]
TITLES = ["King", "President", "General", "Mr", "Bishop"]
CITIES = ["Corvallon", "Brightmere", "Ostrava Nova", "Kelderwick", "Pellamy"]
RIVERS = ["Tessaly", "Wendle"]
ISLANDS = ["Marrow", "Sable"]
MODIFIER = "Vardak"                       # an adjective: always before a lower-case noun
FILLER = ("the harvest was poor that year and the roads were closed for weeks while letters "
          "went unanswered and the old quarrel over the mills began again with fresh bitterness").split()


def _sentence(rng: random.Random) -> str:
    """One sentence of plain prose, with or without a name in it."""
    first, initial, last = rng.choice(PEOPLE)
    city, river, island = rng.choice(CITIES), rng.choice(RIVERS), rng.choice(ISLANDS)
    filler = " ".join(rng.sample(FILLER, 9))
    forms = [
        f"{rng.choice(TITLES)} {last} said that {filler}.",
        f"In those days {first} {initial}. {last} wrote that {filler}.",
        f"It was {initial}. {last} who noticed that {filler}.",
        f"Everyone knew {last}'s view: {filler}.",
        f"The envoy travelled to the city of {city}, where {filler}.",
        f"Trade in {city} grew, though {filler}.",
        f"Boats on the {river} River carried grain, and {filler}.",
        f"Storms kept the fishermen of {island} Island at home while {filler}.",
        f"The {MODIFIER} fleet sailed at dawn, and {filler}.",
        f"Rumours of {MODIFIER} soldiers spread while {filler}.",
        f"Meanwhile {filler}.",
        f"After that {filler}, and nobody spoke of it.",
    ]
    return rng.choice(forms)


def generated_book(chapters: int = 14, paragraphs: int = 80) -> dict[str, str]:
    """About 14 × 80 paragraphs of five sentences: some 90,000 words, 300 A5 pages and more."""
    rng = random.Random(1889)
    files = {"reader.toml": 'title = "A Generated History"\n',
             "manuscript/index.toml": '[[entry]]\nid = "pellamy"\nkind = "place"\nheading = "Pellamy"\n'
                                      'variants = ["Pellamy"]\n'}
    for n in range(1, chapters + 1):
        body = "\n\n".join(" ".join(_sentence(rng) for _ in range(5)) for _ in range(paragraphs))
        files[f"manuscript/{n:02d}-chapter.md"] = f"---\nid: chapter-{n}\ntitle: Chapter {n}\n---\n\n{body}\n"
    return files


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return write_project(tmp_path_factory.mktemp("suggest") / "book", generated_book())


def test_the_generated_book_is_long(book):
    words = sum(len(p.read_text().split()) for p in (book / "manuscript").glob("*.md"))
    assert words > 80_000                # several hundred A5 pages at ~280 words a page


def test_suggestions_make_sense(book, capsys):
    authority = (book / "manuscript" / "index.toml").read_bytes()
    assert main(["index", "suggest", str(book)]) == 0
    assert "draft entries" in capsys.readouterr().out
    assert (book / "manuscript" / "index.toml").read_bytes() == authority
    text = (book / "manuscript" / "index-suggestions.toml").read_text()
    entries = {e["heading"]: e for e in tomllib.loads(text)["entry"]}
    for first, initial, last in PEOPLE:        # one entry per person, with every form grouped in it
        entry = entries[f"{last}, {first} {initial}."]
        assert entry["kind"] == "person"
        assert set(entry["variants"]) == {f"{first} {initial}. {last}", f"{initial}. {last}", last}
    for city in CITIES:
        if city != "Pellamy":                  # in the authority file already
            assert entries[city]["kind"] == "place", entries[city]
    for river in RIVERS:
        assert entries[f"{river} River"]["kind"] == "place"
    for island in ISLANDS:
        assert entries[f"{island} Island"]["kind"] == "place"
    assert "Pellamy" not in entries and MODIFIER not in entries          # known; an adjective
    assert set(entries) == ({f"{last}, {first} {initial}." for first, initial, last in PEOPLE}
                            | set(CITIES[:-1]) | {f"{r} River" for r in RIVERS} | {f"{i} Island" for i in ISLANDS})
    variants = [v for e in entries.values() for v in e["variants"]]
    assert len(variants) == len(set(variants))
    assert "# kind: person (" in text and "first at manuscript/01-chapter.md:" in text


def test_merged_suggestions_leave_no_unmatched_name(book, tmp_path, capsys):
    """The drafts are valid authority entries: once merged, check finds no unknown name."""
    import shutil
    copy = tmp_path / "book"
    shutil.copytree(book, copy)
    (copy / "manuscript" / "index-suggestions.toml").unlink(missing_ok=True)
    assert main(["index", "suggest", str(copy)]) == 0
    drafts = (copy / "manuscript" / "index-suggestions.toml").read_text()
    assert main(["check", str(copy), "--verbose"]) == 0        # the drafts file is not read
    assert "[index-unmatched-name]" in capsys.readouterr().out
    (copy / "manuscript" / "drafts-merged.toml").write_text(drafts)
    assert main(["check", str(copy), "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "[index-unmatched-name]" not in out and "[index-" not in out.replace("[index-entry-unused]", "")


def test_never_overwrites_and_min(book, capsys):
    target = book / "manuscript" / "index-suggestions.toml"
    target.write_text("# my edits\n")
    assert main(["index", "suggest", str(book)]) == 1
    assert "exists already" in capsys.readouterr().err and target.read_text() == "# my edits\n"
    assert main(["index", "suggest", str(book), "--force", "--min", "100000"]) == 0
    assert "[[entry]]" not in target.read_text()
    assert main(["index", "suggest", str(book), "--force", "--min", "0"]) == 2
