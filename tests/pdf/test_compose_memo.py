"""The chapters' bodies kept between builds (pdf.compose.gather with a memo, the part cache in a
build): a chapter whose HTML and settings are unchanged is not typeset again, and anything that
changes its typography (its text, the names the hyphenation leaves whole) makes it again."""
from __future__ import annotations

import pytest

from conftest import MINIMAL, write_project

CHAPTER = """
    ---
    id: one
    title: The Only Chapter
    ---

    A long paragraph about Wallenstein and the international negotiations that followed the
    conference, with extraordinarily complicated considerations.[^a]

    [^a]: A note about the negotiations.
    """

AUTHORITY = """
    [[entry]]
    id = "wallenstein"
    kind = "person"
    heading = "Wallenstein, Albrecht"
    variants = ["Wallenstein", "negotiations"]
    """


class Memo(dict):
    def record(self, key):
        return self.get(key)

    def keep(self, key, record):
        self[key] = record


def _bodies(root, memo):
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.compose import gather
    from reader_build.resolve import load_reader
    diags = Diagnostics()
    reader = load_reader(root, diags)
    assert not diags.has_errors, [d.format() for d in diags.sorted()]
    ctx = gather(reader, reader.config.edition("print"), root, diags, build_date(reader.config.date), memo)
    return [chapter["body"] for chapter in ctx.chapters]


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "reader", {**MINIMAL, "reader.toml": MINIMAL["reader.toml"] + 'language = "en-US"\n',
                                                "manuscript/one.md": CHAPTER})


def test_an_unchanged_chapter_is_not_typeset_again(project, monkeypatch):
    import reader_build.pdf.compose as compose
    memo = Memo()
    first = _bodies(project, memo)
    assert len(memo) == 1 and "\u00ad" in first[0]          # hyphenated once, and kept
    assert _bodies(project, None) == first                    # the same as without a memo

    def not_again(html):
        raise AssertionError("typeset again")
    monkeypatch.setattr(compose, "tie_runts", not_again)
    assert _bodies(project, memo) == first


def test_what_changes_a_body_makes_it_again(project):
    memo = Memo()
    first = _bodies(project, memo)
    chapter = project / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("complicated", "tangled"), encoding="utf-8")
    edited = _bodies(project, memo)
    assert len(memo) == 2 and "tangled" in edited[0].replace("\u00ad", "") and edited != first
    # a name of the index is never hyphenated: the authority file changes the body
    assert "Wallenstein" not in edited[0]
    write_project(project, {"manuscript/index.toml": AUTHORITY})
    named = _bodies(project, memo)
    assert len(memo) == 3 and named == _bodies(project, None)
    assert "Wallenstein" in named[0]


def test_a_damaged_record_is_made_again(project):
    memo = Memo()
    first = _bodies(project, memo)
    for key in memo:
        memo[key] = {"body": 3}
    assert _bodies(project, memo) == first
