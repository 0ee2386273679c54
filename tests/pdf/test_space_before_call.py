"""A note call written after a space ("word [^1]", common in manuscripts from a word
processor) follows its word with no space, and leaves every line inside the margins.

With a space on both sides of the out-of-flow note, the total-fit line breaking
(pdf/linebreak.py) lost its place in the paragraph: one line ran past the margin and the
text that ran off the page was lost.
"""
from __future__ import annotations

import random

import pytest

from conftest import epub_documents, lines_past_the_margin, named_destinations, normalise, pdf_page_texts, write_project
from reader_build.build import build

WORDS = "the treaty island peace soviet japan conference delegation sovereignty memorandum".split()


@pytest.fixture(scope="module")
def spaced(tmp_path_factory):
    rnd = random.Random(8)
    paragraphs, notes = [], []
    for i in range(12):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(60, 160))]
        at = rnd.randint(5, len(words) - 5)
        words[at] += f" [^n{i}]"                          # the space before the call
        if i % 3 == 0:
            words[at + 2] += "\n^[an inline note, after a line's end]"
        paragraphs.append(" ".join(words).capitalize() + ".")
        notes.append(f"[^n{i}]: " + " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 60))) + ".")
    root = write_project(tmp_path_factory.mktemp("space-before-call") / "reader", {
        "reader.toml": 'title = "Spaces"\n[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + "\n\n".join(paragraphs) + "\n\n"
                             + "\n\n".join(notes) + "\n",
    })
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    return root, paragraphs


def test_no_line_runs_past_the_margin(spaced):
    root, _ = spaced
    assert lines_past_the_margin(root / "build" / "print.pdf") == []


def test_every_word_is_printed_and_the_call_follows_its_word(spaced):
    root, paragraphs = spaced
    text = normalise(" ".join(pdf_page_texts(root / "build" / "print.pdf")))
    for paragraph in paragraphs:
        words = [w for w in paragraph.replace("\n", " ").split() if not w.startswith(("[^", "^["))]
        assert " ".join(words[:6]) in text
    assert " [^" not in text
    chapter = next(v.decode() for k, v in epub_documents(root / "build" / "ebook.epub").items() if k.endswith("one.xhtml"))
    assert ' <a class="noteref"' not in chapter


def test_every_note_is_on_its_calls_page(spaced):
    root, _ = spaced
    destinations = named_destinations(root / "build" / "print.pdf")
    calls = {k[len("fnref-"):]: v for k, v in destinations.items() if k.startswith("fnref-")}
    assert len(calls) == 16
    assert {n: p for n, p in calls.items() if destinations.get(f"fn-{n}") != p} == {}
