"""Any page size and type size keeps notes on their call's page.

WeasyPrint 70 takes a note to the next page when its area seems to overflow by a rounding
error (pdf/engine.py, ``ROUNDING``).  With print.css on A4 at 11pt this happened to every
note, and the page mending that keeps notes on their call's page then broke page after page:
a reader of 46 pages came out at 222, most of them holding three lines.  These editions are
the common choices of a press: A4, US Letter and A5, at 10 to 12 points.
"""
from __future__ import annotations

import json
import random
import statistics

import pytest

import textlayer
from conftest import named_destinations, write_project
from reader_build.build import build

WORDS = ("the treaty island peace soviet japan conference delegation sovereignty memorandum "
         "archipelago negotiation ambassador declaration minister agreement").split()
SIZES = [("a4", "11pt"), ("a4", "10pt"), ("a4", "12pt"), ("letter", "11pt"), ("a5", "10.5pt"), ("a5", "11pt")]


def _sentences(rnd: random.Random, count: int) -> str:
    return " ".join(" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 14))).capitalize() + "."
                    for _ in range(count))


@pytest.fixture(scope="module")
def sized(tmp_path_factory):
    root = tmp_path_factory.mktemp("page-sizes") / "reader"
    rnd = random.Random(11)
    paragraphs, notes = [], []
    for i in range(30):
        paragraphs.append(_sentences(rnd, rnd.randint(3, 6)) + f"[^n{i}] " + _sentences(rnd, 1))
        notes.append(f"[^n{i}]: " + _sentences(rnd, rnd.randint(1, 3)))
    editions = "".join(f'[editions.{size}-{points.replace(".", "-")}]\nformat = "pdf"\npage-size = "{size}"\n'
                       f'font-size = "{points}"\n' for size, points in SIZES)
    write_project(root, {
        "reader.toml": f'title = "Page sizes"\n{editions}',
        "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\n" + "\n\n".join(paragraphs) + "\n\n"
                             + "\n\n".join(notes) + "\n",
    })
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root, result


@pytest.mark.parametrize("size, points", SIZES)
def test_every_note_is_on_its_calls_page_at_any_size(sized, size, points):
    root, _result = sized
    pdf = root / "build" / f"{size}-{points.replace('.', '-')}.pdf"
    destinations = named_destinations(pdf)
    calls = {k[len("fnref-"):]: v for k, v in destinations.items() if k.startswith("fnref-")}
    assert len(calls) == 30
    assert {n: (p, destinations.get(f"fn-{n}")) for n, p in calls.items() if destinations.get(f"fn-{n}") != p} == {}


def test_no_edition_reports_a_misplaced_note(sized):
    _root, result = sized
    assert "note-misplaced" not in [d.code for d in result.diagnostics]


def test_a_bigger_page_holds_more_text(sized):
    """Every page is full up to its notes: the A4 editions take fewer pages than the A5 ones,
    and the larger type more pages than the smaller."""
    root, _result = sized
    editions = {e["name"]: e["pages"] for e in json.loads((root / "build" / "manifest.json").read_text())["editions"]}
    pages = {(size, points): editions[f"{size}-{points.replace('.', '-')}"] for size, points in SIZES}
    assert pages["a4", "10pt"] <= pages["a4", "11pt"] <= pages["a4", "12pt"] < pages["a5", "10.5pt"] <= pages["a5", "11pt"]
    assert pages["letter", "11pt"] < pages["a5", "10.5pt"]


@pytest.mark.parametrize("size, points", SIZES)
def test_notes_are_set_at_four_fifths_of_the_edition_size(sized, size, points):
    """The edition's font-size sets every size (docs/config.md): the notes at 0.8 of it, as the
    bundled reader's 8.4pt notes under 10.5pt text, not at 8.4pt whatever the text size."""
    root, _result = sized
    layer = textlayer.read(root / "build" / f"{size}-{points.replace('.', '-')}.pdf")
    text = float(points[:-2])
    assert layer.body_size == pytest.approx(text, abs=0.05)
    notes = [line.size for page in range(1, layer.pages + 1) for line in layer.notes(page)]
    assert len(notes) >= 30
    assert statistics.median(notes) == pytest.approx(0.8 * text, abs=0.05)


@pytest.fixture(scope="module", params=[("letter", "11pt"), ("a5", "12pt")])
def bundled_resized(request, tmp_path_factory):
    """The bundled reader's print edition (fill-pages) on another page, at another size: a tall
    figure, notes with page references and notes of every length fall on other pages there."""
    import re

    from conftest import REPO, copy_project
    size, points = request.param
    root = copy_project(REPO, tmp_path_factory.mktemp(f"resized-{size}") / "reader")
    toml = root / "reader.toml"
    text = toml.read_text(encoding="utf-8")
    block = re.search(r"(?ms)^\[editions\.print\]\n.*?(?=^\[)", text).group(0)
    resized = re.sub(r'(?m)^page-size = .*$', f'page-size = "{size}"', block)
    resized = re.sub(r'(?m)^font-size = .*$', f'font-size = "{points}"', resized)
    assert resized != block and "fill-pages = true" in resized
    toml.write_text(text.replace(block, resized), encoding="utf-8")
    result = build(root, ["print"])
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return root / "build" / "print.pdf", result


def test_the_bundled_reader_at_another_size_has_no_hole_above_its_notes(bundled_resized):
    pdf, result = bundled_resized
    holes, with_notes = textlayer.holes_above_notes(textlayer.read(pdf))
    assert with_notes >= 20 and holes == 0, f"{holes} of {with_notes}"
    assert "note-misplaced" not in [d.code for d in result.diagnostics]
    destinations = named_destinations(pdf)
    calls = {k[len("fnref-"):]: v for k, v in destinations.items() if k.startswith("fnref-")}
    assert {n: (p, destinations.get(f"fn-{n}")) for n, p in calls.items() if destinations.get(f"fn-{n}") != p} == {}
