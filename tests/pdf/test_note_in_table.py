"""A note called in a table cell is set like any other note: wrapped at the page's measure.

A cell of the first column does not wrap (print.css, ``white-space: nowrap``), and a note
called there inherited it: the note was one line thousands of points long, off the page.
"""
from __future__ import annotations

import random

from conftest import lines_past_the_margin, named_destinations, normalise, pdf_page_texts, write_project
from reader_build.build import build

WORDS = "the treaty island peace soviet japan conference delegation sovereignty memorandum".split()


def test_a_long_note_called_in_a_table_cell_wraps_on_its_calls_page(tmp_path):
    rnd = random.Random(3)
    notes = [" ".join(rnd.choice(WORDS) for _ in range(80)) + "." for _ in range(3)]
    text = " ".join(rnd.choice(WORDS) for _ in range(300)) + "."
    root = write_project(tmp_path / "reader", {
        "reader.toml": 'title = "Tables"\n[editions.print]\nformat = "pdf"\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + text + "\n\n"
                             "| Year | Event |\n|------|-------|\n| 1951[^a] | San Francisco[^b] |\n"
                             "| 1956[^c] | Moscow |\n\n" + text + "\n\n"
                             + "\n\n".join(f"[^{k}]: {note}" for k, note in zip("abc", notes)) + "\n",
    })
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    pdf = root / "build" / "print.pdf"
    assert lines_past_the_margin(pdf) == []
    printed = normalise(" ".join(pdf_page_texts(pdf)))
    assert all(normalise(note) in printed for note in notes)
    destinations = named_destinations(pdf)
    assert all(destinations[f"fn-{n}"] == destinations[f"fnref-{n}"] for n in (1, 2, 3))
