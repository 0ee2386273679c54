"""Pandoc's grid tables (source/grid_tables.py): a table in every edition, with its head, its
columns' alignment, cells of several lines, and a note, a citation and a caption as a pipe
table has them; a grid with a spanning cell is printed as written, with a warning at its line."""
from __future__ import annotations

import re

import pytest

from conftest import epub_documents, epubcheck_messages, normalise, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.source.markdown import markdown

CHAPTER = """
---
id: fruit
title: Fruit
---

Before the tables.

+---------------+--------+----------------------+
| Fruit         | Price  | Advantages[^a]       |
+:==============+=======:+:====================:+
| Bananas       | 1.34   | - built-in wrapper   |
|               |        | - bright colour      |
+---------------+--------+----------------------+
| Oranges, a    | 2.10   | cures scurvy         |
| long name     |        |                      |
|               |        | and tasty [@doe]     |
+---------------+--------+----------------------+

Table: Fruit and prices {#tbl:fruit}

+--------+--------+
| Apples | Pears  |
+--------+--------+

+-------+-------+
| spans two     |
+-------+-------+

After the tables, see @tbl:fruit.

[^a]: A note in a grid table's head.
"""


def _tokens(text: str):
    return markdown().parse(text.split("---\n", 2)[2], {})


def test_a_grid_table_gives_the_tokens_of_a_pipe_table():
    tokens = _tokens(CHAPTER.lstrip("\n"))
    kinds = [t.type for t in tokens]
    first = kinds.index("table_open")
    assert kinds[first:first + 4] == ["table_open", "thead_open", "tr_open", "th_open"]
    heads = [t for t in tokens[first:kinds.index("thead_close")] if t.type == "th_open"]
    assert [t.attrGet("style") for t in heads] == ["text-align:left", "text-align:right", "text-align:center"]
    cells = [t.content for t in tokens[kinds.index("tbody_open"):kinds.index("table_close")] if t.type == "inline"]
    assert cells == ["Bananas", "1.34", "\u2022\u00a0built-in wrapper\\\n\u2022\u00a0bright colour",
                     "Oranges, a long name", "2.10", "cures scurvy\\\nand tasty [@doe]"]
    second = kinds.index("table_open", first + 1)
    assert kinds[second:second + 3] == ["table_open", "tbody_open", "tr_open"]      # no head
    kept = kinds.index("grid_table_kept")
    assert tokens[kept + 1].type == "code_block" and "| spans two     |" in tokens[kept + 1].content
    rows = [t for t in tokens[first:kinds.index("table_close")] if t.type == "tr_open"]
    lines = CHAPTER.lstrip("\n").split("---\n", 2)[2].splitlines()
    assert [lines[t.map[0]].split("|")[1].strip() for t in rows] == ["Fruit", "Bananas", "Oranges, a"]


def test_not_a_grid_table():
    for text in ("+ a list item\n+ another\n", "+---+\n", "+---+\nno border below\n", "+===+\n| a |\n+===+\n"):
        assert "table_open" not in [t.type for t in markdown().parse(text, {})], text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("grid") / "reader", {
        "reader.toml": 'title = "Grid Tables"\n[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
        "manuscript/01-fruit.md": CHAPTER,
        "bibliography/refs.bib": "@book{doe, author = {Doe, Jane}, title = {A Book}, publisher = {P}, year = {2001}}\n",
    })
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root, result


def test_the_pdf_sets_the_table_and_keeps_the_spanning_grid_as_written(built):
    root, result = built
    pages = [normalise(p) for p in pdf_page_texts(root / "build" / "print.pdf")]
    page = next(p for p in pages if "Before the tables." in p)
    assert "Table 1. Fruit and prices" in page
    assert re.search(r"Bananas\s+1\.34\s+\u2022 built-in wrapper", page)
    assert "cures scurvy" in page and "and tasty (Doe 2001)" in page
    assert re.search(r"Apples\s+Pears", page)
    assert "| spans two |" in page                       # as written
    assert "After the tables, see table 1." in page
    assert page.endswith("1 A note in a grid table's head.")      # at the foot of the call's page
    kept = [d for d in result.diagnostics if d.code == "grid-table-kept"]
    line = CHAPTER.lstrip("\n").splitlines().index("| spans two     |")         # the line above it
    assert [(d.path, d.line) for d in kept] == [("manuscript/01-fruit.md", line)]


def test_the_epub_has_the_table_and_is_valid(built):
    root, _ = built
    epub = root / "build" / "ebook.epub"
    chapter = next(v.decode() for k, v in epub_documents(epub).items() if k.endswith("fruit.xhtml"))
    table = chapter[chapter.index("<table"):chapter.index("</table>")]
    assert "<thead>" in table and "<caption>" in table
    assert re.search(r'<th class="align-right"[^>]*>Price</th>', table)
    assert re.search(r'<td class="align-center"[^>]*>cures scurvy<br/>\s*and tasty', table)
    assert epubcheck_messages(epub) == []
