"""Citation wording of the author–date style in the reader's language (Russian, German, English)."""
from __future__ import annotations

import html
import re

import pytest

from conftest import write_project
from reader_build.build import load_reader
from reader_build.diagnostics import Diagnostics

BIB = """
    @book{two,
      author = {Doe, Jane and Roe, Richard},
      title = {Two Authors},
      location = {Berlin}, publisher = {Verlag},
      date = {2001},
      pagetotal = {320},
    }
    @book{three,
      author = {Ash, Anna and Birch, Boris and Cedar, Clara},
      title = {Three Authors},
      date = {2002},
    }
    @book{many,
      author = {One, A. and Two, B. and Three, C. and Four, D.},
      title = {Many Authors},
      date = {2003},
    }
    @collection{edited,
      editor = {Ed, Erna},
      title = {An Edited Volume},
      edition = {2},
      date = {2004},
    }
    @incollection{part,
      author = {Part, Paula},
      title = {A Chapter},
      booktitle = {The Book},
      editor = {Ed, Erna},
      pages = {10--20},
      date = {2005},
    }
    @online{site,
      author = {Web, Wanda},
      title = {A Page},
      date = {2004-10-27},
      url = {https://example.org/page},
      urldate = {2020-03-05},
    }
    @book{undated,
      author = {Nodate, Nora},
      title = {Without a Date},
    }
    """

CHAPTER = """
    ---
    id: one
    title: One
    ---

    A [@two, p. 5]. B [@three]. C [@many]. D [@undated]. E [@edited]. F [@part].
    """


def reader_in(tmp_path, lang: str):
    root = write_project(tmp_path / lang, {"reader.toml": f'title = "T"\nlanguage = "{lang}"\n',
                                           "manuscript/one.md": CHAPTER, "bibliography/refs.bib": BIB})
    diags = Diagnostics()
    reader = load_reader(root, diags)
    return reader


def citations(reader) -> list[str]:
    return [reader.bibliography.cite_text(use.citation) for use in reader.chapters[0].parsed.citations]


def references(reader, keys=None) -> dict[str, str]:
    return {key: re.sub(r"<[^>]+>", "", html.unescape(text)) for key, text in reader.bibliography.entries_html(keys)}


def test_russian_citations(tmp_path):
    reader = reader_in(tmp_path, "ru")
    assert citations(reader) == ["(Doe и Roe 2001, 5)", "(Ash, Birch и Cedar 2002)", "(One и\u00a0др. 2003)",
                                 "(Nodate б.\u00a0г.)", "(Ed 2004)", "(Part 2005)"]
    refs = references(reader)
    assert refs["two"].startswith("Doe, Jane и Richard Roe. 2001.")
    assert "320 с." in refs["two"]
    assert refs["edited"].startswith("Ed, Erna, ред. 2004.") and "2-е изд." in refs["edited"]
    assert "В кн.: The Book, под ред. Erna Ed, 10–20" in refs["part"]
    assert "«A Chapter»." in refs["part"]
    assert refs["undated"].startswith("Nodate, Nora. б.\u00a0г.")


def test_german_citations(tmp_path):
    reader = reader_in(tmp_path, "de")
    assert citations(reader) == ["(Doe und Roe 2001, 5)", "(Ash, Birch und Cedar 2002)", "(One u.\u00a0a. 2003)",
                                 "(Nodate o.\u00a0J.)", "(Ed 2004)", "(Part 2005)"]
    refs = references(reader)
    assert refs["two"].startswith("Doe, Jane und Richard Roe. 2001.") and "320 S." in refs["two"]
    assert refs["edited"].startswith("Ed, Erna, Hrsg. 2004.") and "2. Aufl." in refs["edited"]
    assert "In The Book, hrsg. von Erna Ed, 10–20" in refs["part"]
    assert "„A Chapter“." in refs["part"]


def test_english_citations_are_as_before(tmp_path):
    reader = reader_in(tmp_path, "en")
    assert citations(reader) == ["(Doe and Roe 2001, 5)", "(Ash, Birch, and Cedar 2002)", "(One et al. 2003)",
                                 "(Nodate n.d.)", "(Ed 2004)", "(Part 2005)"]
    refs = references(reader)
    assert refs["two"].startswith("Doe, Jane, and Richard Roe. 2001.") and "320 pp." in refs["two"]
    assert refs["edited"].startswith("Ed, Erna, ed. 2004.") and "2nd ed." in refs["edited"]
    assert "“A Chapter.”" in refs["part"]


def test_japanese_names_are_joined_by_a_mark_without_spaces(tmp_path):
    reader = reader_in(tmp_path, "ja")
    assert citations(reader)[:2] == ["(Doe・Roe 2001, 5)", "(Ash, Birch・Cedar 2002)"]


@pytest.mark.parametrize("lang, published, accessed", [
    ("ru", "27 октября 2004", "Дата обращения: 5 марта 2020"),
    ("de", "27. Oktober 2004", "Zugriff am 5. März 2020"),
    ("es", "27 de octubre de 2004", "Consultado el 5 de marzo de 2020"),
    ("ja", "2004年10月27日", "閲覧日 2020年3月5日"),
    ("en", "October 27, 2004", "Accessed March 5, 2020"),
])
def test_dates_in_references_are_in_the_language(tmp_path, lang, published, accessed):
    site = references(reader_in(tmp_path, lang), ["site"])["site"]
    assert published in site and accessed in site, site


def test_thesis_and_roles_in_german(tmp_path):
    root = write_project(tmp_path / "de", {
        "reader.toml": 'title = "T"\nlanguage = "de"\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\nA [@thesis; @intro].\n",
        "bibliography/refs.bib": """
            @thesis{thesis, author = {Doe, Jane}, title = {Eine Arbeit}, type = {phdthesis},
                    institution = {Universität Wien}, date = {2010}}
            @book{intro, author = {Roe, Rita}, title = {Ein Buch}, introduction = {Poe, Paul}, date = {2011}}
            """})
    refs = references(load_reader(root, Diagnostics()))
    assert "Diss., Universität Wien" in refs["thesis"]
    assert "Mit einer Einleitung von Paul Poe" in refs["intro"]
