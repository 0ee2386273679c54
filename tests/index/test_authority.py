"""Checks on the authority file of the index, manuscript/index.toml.

Standard library and tomllib only. Variants are matched the way the index matches them:
case-sensitive, as whole words (no word character directly before or after).
"""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUTHORITY = ROOT / "manuscript" / "index.toml"
MANUSCRIPT = ROOT / "manuscript"

KINDS = {"person", "place"}

# People in §2 of the research fact sheet ("People named in the article") whom the
# article names. Each must have an entry of kind "person" under this id.
FACT_SHEET_PEOPLE = [
    "gromyko",      # A. A. Gromyko
    "dulles",       # J. Dulles
    "khrushchev",   # N. S. Khrushchev
    "hatoyama",     # Ichiro Hatoyama
    "shigemitsu",   # Mamoru Shigemitsu
    "matsumoto",    # Shunichi Matsumoto
    "malik",        # Ya. A. Malik
    "kono",         # Ichiro Kono
    "kishi",        # Nobusuke Kishi
    "koizumi",      # Junichiro Koizumi
    "lavrov",       # S. V. Lavrov
    "putin",        # V. Putin
    "tikhvinsky",   # S. L. Tikhvinsky
    "macarthur",    # General MacArthur
    "roosevelt",    # Roosevelt
    "stalin",       # Stalin
    "churchill",    # Churchill
    "truman",       # Truman (in "the Truman administration")
    "allison",      # Allison
]


def _load():
    with AUTHORITY.open("rb") as fh:
        return tomllib.load(fh)


def _entries():
    """Every entry and sub-entry as (entry, parent-or-None)."""
    out = []
    for entry in _load().get("entry", []):
        out.append((entry, None))
        for sub in entry.get("sub", []):
            out.append((sub, entry))
    return out


def _by_id():
    return {e["id"]: (e, parent) for e, parent in _entries()}


def _kind(entry, parent):
    return entry.get("kind", parent["kind"] if parent else None)


def _word_re(text):
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")


def _manuscript_text():
    """All chapters, with each run of white space (line breaks inside a paragraph,
    the indentation of note continuations) folded to one space, as in the output."""
    files = sorted(MANUSCRIPT.glob("*.md"))
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    return re.sub(r"\s+", " ", text.replace("&nbsp;", " "))


def test_parses():
    data = _load()
    assert isinstance(data.get("entry"), list) and data["entry"]


def test_ids_unique_including_subentries():
    seen, dupes = set(), []
    for entry, _ in _entries():
        assert "id" in entry, f"entry without id: {entry.get('heading')!r}"
        if entry["id"] in seen:
            dupes.append(entry["id"])
        seen.add(entry["id"])
    assert not dupes, f"duplicate ids: {dupes}"


def test_ids_well_formed():
    bad = [e["id"] for e, _ in _entries() if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e["id"])]
    assert not bad, f"ids should be lower-case letters, digits and hyphens: {bad}"


def test_every_entry_has_kind_heading_and_variants_or_see():
    problems = []
    for entry, parent in _entries():
        eid = entry["id"]
        # Sub-entries take the kind of their entry; if they state one, it must agree.
        if parent is None and entry.get("kind") not in KINDS:
            problems.append(f"{eid}: kind {entry.get('kind')!r}")
        if parent is not None and entry.get("kind", parent.get("kind")) != parent.get("kind"):
            problems.append(f"{eid}: sub-entry kind differs from its entry")
        if _kind(entry, parent) not in KINDS:
            problems.append(f"{eid}: no valid kind")
        if not str(entry.get("heading", "")).strip():
            problems.append(f"{eid}: no heading")
        has_variants = bool(entry.get("variants"))
        has_see = bool(entry.get("see"))
        if not (has_variants or has_see):
            problems.append(f"{eid}: neither variants nor see")
        if has_see and (has_variants or entry.get("sub")):
            problems.append(f"{eid}: a see entry should be a bare cross-reference")
        if has_variants and not all(isinstance(v, str) and v.strip() for v in entry["variants"]):
            problems.append(f"{eid}: empty or non-string variant")
    assert not problems, "\n".join(problems)


def test_see_and_see_also_targets_exist():
    ids = _by_id()
    missing = []
    for entry, _ in _entries():
        if "see" in entry and entry["see"] not in ids:
            missing.append(f"{entry['id']}: see -> {entry['see']}")
        for target in entry.get("see_also", []):
            if target not in ids:
                missing.append(f"{entry['id']}: see_also -> {target}")
            if target == entry["id"]:
                missing.append(f"{entry['id']}: see_also points to itself")
        if entry.get("see") == entry["id"]:
            missing.append(f"{entry['id']}: see points to itself")
    assert not missing, "\n".join(missing)


def test_see_targets_are_not_see_entries():
    ids = _by_id()
    chains = [
        f"{e['id']} -> {e['see']}"
        for e, _ in _entries()
        if "see" in e and e["see"] in ids and "see" in ids[e["see"]][0]
    ]
    assert not chains, f"cross-references to cross-references: {chains}"


def test_no_variant_claimed_twice():
    owner, clashes = {}, []
    for entry, _ in _entries():
        for variant in entry.get("variants", []):
            if variant in owner and owner[variant] != entry["id"]:
                clashes.append(f"{variant!r}: {owner[variant]} and {entry['id']}")
            elif variant in owner:
                clashes.append(f"{variant!r} listed twice in {entry['id']}")
            owner[variant] = entry["id"]
    assert not clashes, "\n".join(clashes)


def test_every_variant_occurs_in_the_manuscript():
    text = _manuscript_text()
    assert text, "no manuscript/*.md files found"
    absent = []
    for entry, _ in _entries():
        if entry.get("see"):
            continue
        for variant in entry.get("variants", []):
            if not _word_re(variant).search(text):
                absent.append(f"{entry['id']}: {variant!r}")
    assert not absent, "variants found nowhere in manuscript/*.md:\n" + "\n".join(absent)


@pytest.mark.parametrize("eid", FACT_SHEET_PEOPLE)
def test_fact_sheet_people_have_entries(eid):
    ids = _by_id()
    assert eid in ids, f"no entry {eid!r}"
    entry, parent = ids[eid]
    assert _kind(entry, parent) == "person"
    assert entry.get("variants"), f"{eid} has no variants"
