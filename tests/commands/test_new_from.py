"""`reader-build new DIR --from FILE.md`: one long Markdown file becomes a project that builds,
cut into chapters at its '#' headings, with every footnote kept where it is called."""
from __future__ import annotations

import json
import tomllib

import pdfplumber

import yaml

from conftest import normalise, pdf_page_texts
from reader_build.cli import main
from reader_build.commands.split import split_markdown

ONE_FILE = """---
author: Mary Example
---
# Letters from the Coast

Written over three summers.[^intro]

# The First Summer

The boats came in late.[^tide] We waited on the pier,
as we had the year before.[^shared]

```
# a comment in code, not a heading
```

The Second Summer {#second}
=================

Storms every week.[^storm] The pier was closed.[^shared]

# The Third Summer

Nothing happened.

[^intro]: This note belongs to the opening.
[^tide]: The tide was low; see the almanac.[^almanac]
[^almanac]: A note called from a note.

    Its second paragraph.

[^storm]: Four storms in August.
[^shared]: Called from two chapters.
"""


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1]), text


def test_split_keeps_every_note_with_its_chapter():
    split = split_markdown(ONE_FILE)
    assert split.title == "Letters from the Coast" and split.meta["author"] == "Mary Example"
    assert [(p.ident, p.title) for p in split.chapters] == [
        ("letters-from-the-coast", "Letters from the Coast"), ("the-first-summer", "The First Summer"),
        ("second", "The Second Summer"), ("the-third-summer", "The Third Summer")]
    assert [p.notes for p in split.chapters] == [["intro"], ["tide", "shared", "almanac"],
                                                 ["storm", "shared"], []]
    first = "\n".join(split.chapters[1].body)
    assert "# a comment in code, not a heading" in first and "    Its second paragraph." in first


def test_new_from_makes_a_project_that_builds(tmp_path, capsys):
    source = tmp_path / "letters.md"
    source.write_text(ONE_FILE, encoding="utf-8")
    target = tmp_path / "letters"
    assert main(["new", str(target), "--from", str(source)]) == 0
    assert "4 chapters" in capsys.readouterr().out
    config = tomllib.loads((target / "reader.toml").read_text())
    assert config == {"title": "Letters from the Coast", "author": "Mary Example"}
    files = sorted((target / "manuscript").glob("*.md"))
    assert [f.name for f in files] == ["01-letters-from-the-coast.md", "02-the-first-summer.md",
                                       "03-second.md", "04-the-third-summer.md"]
    meta, text = front_matter(files[2])
    assert meta == {"id": "second", "title": "The Second Summer"}
    assert "[^storm]: Four storms in August." in text and "[^shared]: Called from two chapters." in text
    assert main(["build", str(target), "-q"]) == 0, capsys.readouterr().err
    manifest = json.loads((target / "build" / "manifest.json").read_text())
    assert manifest["counts"]["chapters"] == 4 and manifest["counts"]["footnotes"] == 6
    pages = " ".join(normalise(p) for p in pdf_page_texts(target / "build" / "print.pdf"))
    assert "A note called from a note." in pages and "Its second paragraph." in pages


def test_new_from_refuses_a_missing_file_or_a_full_folder(tmp_path, capsys):
    assert main(["new", str(tmp_path / "p"), "--from", str(tmp_path / "none.md")]) == 2
    source = tmp_path / "a.md"
    source.write_text("# A\n\nText.\n")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["new", str(tmp_path / "full"), "--from", str(source)]) == 2


def test_a_file_without_headings_is_one_chapter(tmp_path):
    split = split_markdown("Just some text.[^a]\n\n[^a]: A note.\n")
    assert len(split.chapters) == 1 and split.chapters[0].notes == ["a"]


def test_plain_new_asks_nothing_and_builds(tmp_path, capsys):
    target = tmp_path / "fresh"
    assert main(["new", str(target)]) == 0
    assert main(["build", str(target), "-q"]) == 0, capsys.readouterr().err
    assert (target / "build" / "print.pdf").is_file() and (target / "build" / "ebook.epub").is_file()


PANDOC_FILE = """---
title: "A Paper Written for Pandoc"
author:
  - name: Jane Q. Doe
    affiliation: Somewhere
  - John Roe
date: 2024-03-01
lang: en-GB
bibliography: [refs/works.bib]
---

# Introduction

A claim [@doe-2001, p. 4] with a note.[^dup]

[^dup]: The first definition.

[^dup]: The second definition of the same label.
"""


def test_new_from_takes_pandocs_metadata_and_bibliography(tmp_path, capsys):
    source = tmp_path / "paper.md"
    source.write_text(PANDOC_FILE, encoding="utf-8")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "works.bib").write_text(
        "@book{doe-2001,\n  author = {Doe, Jane},\n  title = {A Book},\n  year = {2001},\n}\n", encoding="utf-8")
    target = tmp_path / "paper"
    assert main(["new", str(target), "--from", str(source)]) == 0
    assert "put the works it cites" not in capsys.readouterr().out
    config = tomllib.loads((target / "reader.toml").read_text())
    assert config == {"title": "A Paper Written for Pandoc", "author": "Jane Q. Doe and John Roe",
                      "language": "en-GB", "date": "2024-03-01"}
    assert (target / "bibliography" / "works.bib").read_text() == (tmp_path / "refs" / "works.bib").read_text()
    # the label defined twice keeps both definitions, and the build says so rather than drop one
    chapter = next((target / "manuscript").glob("*.md")).read_text()
    assert "The first definition." in chapter and "The second definition of the same label." in chapter
    assert main(["build", str(target), "-q"]) == 1
    assert "error [note-duplicate]: note [^dup] is defined twice" in capsys.readouterr().err


def test_pandocs_markdown_title_prints_as_markdown(tmp_path):
    """pandoc reads a title as Markdown, and so does reader.toml: the title page shows the
    emphasis, never the asterisks."""
    source = tmp_path / "odyssey.md"
    source.write_text('---\ntitle: "The *Odyssey*: **A** Reading"\nsubtitle: "With `notes` and [maps](https://x.org)"\n'
                      "---\n\n# One\n\nText.\n", encoding="utf-8")
    target = tmp_path / "odyssey"
    assert main(["new", str(target), "--from", str(source)]) == 0
    config = tomllib.loads((target / "reader.toml").read_text())
    assert config["title"] == "The *Odyssey*: **A** Reading"
    assert main(["build", str(target), "-q", "--edition", "print"]) == 0
    with pdfplumber.open(str(target / "build" / "print.pdf")) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["fontname"])
    assert "*" not in " ".join(w["text"] for w in words)
    fonts = {w["text"].strip(":"): w["fontname"] for w in words}
    assert "Italic" in fonts["Odyssey"] and "Bold" in fonts["A"] and "Italic" not in fonts["Reading"]
    assert "With notes and maps" in " ".join(w["text"] for w in words)


def test_chapter_ids_start_with_a_letter_whatever_the_titles_alphabet(tmp_path, capsys):
    """Titles that open with a number ("1905: …", "1. Introduction"), or are in Cyrillic, in
    Greek or in German, give ids that a build accepts, each readable and each its own."""
    source = tmp_path / "book.md"
    source.write_text("# 1905: The Treaty\n\nText.\n\n# 1. Introduction\n\nMore.\n\n# Курилы\n\nЕщё.\n\n"
                      "# Ελληνικά\n\nΚείμενο.\n\n# Die Fußnote\n\nText.\n\n# 1956\n\nYear.\n\n# 1956\n\nAgain.\n",
                      encoding="utf-8")
    assert main(["new", str(tmp_path / "book"), "--from", str(source)]) == 0
    ids = [front_matter(path)[0]["id"] for path in sorted((tmp_path / "book" / "manuscript").glob("*.md"))]
    assert ids == ["chapter-1905-the-treaty", "chapter-1-introduction", "kurily", "ellinika", "die-fussnote",
                   "chapter-1956", "chapter-1956-2"]
    capsys.readouterr()
    assert main(["check", str(tmp_path / "book")]) == 0, capsys.readouterr()


CROSSREF_FILE = """---
title: A Paper for pandoc-crossref
lang: en-US
bibliography: refs.bib
csl: chicago-author-date.csl
nocite: |
  @*
abstract: |
  What the paper *finds*, in brief.
---

# Introduction {#sec:intro}

As @roe-2020 shows, and as @sec:methods explains.[^m]

## Scope {#sec:scope}

The scope, on the page @page:sec:intro begins.

# Methods {#sec:methods}

Back to @sec:intro and @sec:scope.

[^m]: A note that points to @sec:methods too.

# References {-}

::: {#refs}
:::
"""


def test_new_from_keeps_pandoc_crossrefs_ids_and_style(tmp_path, capsys):
    """pandoc-crossref's section ids (``{#sec:intro}``, which a chapter id cannot be) become the
    chapters' ids with their references; ``csl`` names the style, ``nocite: @*`` lists every
    work, and the chapter that only places pandoc's reference list is left out."""
    source = tmp_path / "paper.md"
    source.write_text(CROSSREF_FILE, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(
        "@book{roe-2020, author = {Roe, Jane}, title = {A Book}, publisher = {P}, year = {2020}}\n"
        "@book{extra, author = {Extra, Ed}, title = {Not Cited}, publisher = {P}, year = {2021}}\n",
        encoding="utf-8")
    target = tmp_path / "paper"
    assert main(["new", str(target), "--from", str(source)]) == 0
    config = tomllib.loads((target / "reader.toml").read_text())
    assert config["bibliography"] == {"style": "chicago-author-date", "all": True}
    chapters = sorted((target / "manuscript").glob("*.md"))
    assert [front_matter(p)[0]["id"] for p in chapters] == ["abstract", "sec-intro", "sec-methods"]
    assert front_matter(chapters[0])[0] == {"id": "abstract", "title": "Abstract", "kind": "front"}
    assert "What the paper *finds*, in brief." in chapters[0].read_text(encoding="utf-8")
    chapters = chapters[1:]
    intro = chapters[0].read_text(encoding="utf-8")
    assert "as @sec-methods explains" in intro and "@page:sec-intro begins" in intro
    assert "A note that points to @sec-methods too." in intro
    assert "{#sec:scope}" in intro and "@sec:scope" in chapters[1].read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["build", str(target), "-q", "--edition", "print"]) == 0, capsys.readouterr().err
    pdf = target / "build" / "print.pdf"
    pages = [normalise(p) for p in pdf_page_texts(pdf)]
    intro_page = next(n for n, p in enumerate(pages, 1) if p.startswith("Introduction As"))
    methods_page = next(n for n, p in enumerate(pages, 1) if "Methods Back to" in p)
    text = " ".join(pages)
    assert f"as p. {methods_page} explains" in text and f"on the page p. {intro_page} begins" in text
    assert f"Back to p. {intro_page} and p. {intro_page}." in text       # a section: its heading's page
    assert "Roe, Jane. 2020. A Book." in text and "Extra, Ed. 2021. Not Cited." in text
    assert "Abstract What the paper finds, in brief." in text
    assert "References" not in text
