"""The parse cache (store/parsed.py): a rebuild parses only the chapters whose text changed,
replays the diagnostics of the others, and gives what a build from scratch gives; a damaged
entry is dropped with a warning and parsed again; an edit to the authority file parses every
chapter again; only the entries of the chapters read are kept."""
from __future__ import annotations

import shutil

import pytest

from conftest import write_project
from reader_build import resolve
from reader_build.build import build

FILES = {
    "reader.toml": 'title = "Cached"\n[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
    "manuscript/index.toml": """
        [[entry]]
        id = "tokyo"
        kind = "place"
        heading = "Tokyo"
        variants = ["Tokyo"]
        """,
    "manuscript/01-one.md": """
        ---
        id: one
        title: One
        colour: blue
        ---

        Tokyo first.[^a] An unknown key in the front matter is a warning.[^b]

        [^a]: Cites @doe.

        [^b]: Its text.
        """,
    "manuscript/02-two.md": """
        ---
        id: two
        title: Two
        ---

        Tokyo again, and a third paragraph.
        """,
    "manuscript/03-three.md": """
        ---
        id: three
        title: Three
        ---

        A chapter that names no place.
        """,
    "bibliography/refs.bib": "@book{doe, author = {Doe, Jane}, title = {A Book}, publisher = {P}, year = {2001}}\n",
}


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "reader", FILES)


@pytest.fixture
def parsed(monkeypatch):
    """The chapters parsed (their paths), build after build."""
    seen: list[str] = []
    real = resolve.parse_chapter
    monkeypatch.setattr(resolve, "parse_chapter", lambda src, *a: seen.append(src.path) or real(src, *a))
    return seen


def _found(result):
    return sorted((d.code, d.path, d.line) for d in result.diagnostics)


def _entries(root):
    return sorted(p.name for p in (root / "build" / ".cache" / "parsed").glob("*.pickle"))


def test_a_rebuild_parses_the_edited_chapter_only_and_equals_a_build_from_scratch(project, parsed, tmp_path):
    first = build(project)
    assert first.status == 0 and "front-matter-key" in {d.code for d in first.diagnostics}
    parsed.clear()
    two = project / "manuscript" / "02-two.md"
    two.write_text(two.read_text().replace("a third paragraph", "a third paragraph, with Tokyo once more"))
    again = build(project)
    assert again.status == 0 and parsed == ["manuscript/02-two.md"]
    assert ("front-matter-key", "manuscript/01-one.md", 4) in _found(again)      # replayed, not parsed
    assert len(_entries(project)) == 3                       # the old entry of 02-two.md is gone
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("build"))
    scratch = build(fresh)
    assert _found(again) == _found(scratch)                  # the warnings of the chapters not parsed, replayed
    for name in ("print.pdf", "ebook.epub"):
        assert (project / "build" / name).read_bytes() == (fresh / "build" / name).read_bytes()


def test_a_damaged_entry_is_dropped_and_parsed_again(project, parsed):
    assert build(project).status == 0
    entries = sorted((project / "build" / ".cache" / "parsed").glob("*.pickle"))
    assert len(entries) == 3
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[:-20])                       # truncated
    parsed.clear()
    (project / "manuscript" / "03-three.md").write_text(
        (project / "manuscript" / "03-three.md").read_text() + "\nOne more line.\n")
    again = build(project)
    damaged = [d for d in again.diagnostics if d.code == "cache-damaged"]
    assert len(damaged) == 1 and damaged[0].path.startswith("build/.cache/parsed/")
    assert len(parsed) == 2 and "manuscript/03-three.md" in parsed


def test_an_edited_authority_file_parses_every_chapter_again(project, parsed):
    build(project)
    parsed.clear()
    index = project / "manuscript" / "index.toml"
    index.write_text(index.read_text().replace('variants = ["Tokyo"]', 'variants = ["Tokyo", "Edo"]'))
    build(project)
    assert sorted(parsed) == ["manuscript/01-one.md", "manuscript/02-two.md", "manuscript/03-three.md"]
