"""A reader with many citations formats them with two citeproc-js engines (csl_twin): the
result must be the one engine's, character for character, and a twin that fails must
cost nothing but time."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from reader_build.bibliography import csl_twin
from reader_build.bibliography.select import load_styled
from reader_build.bibliography.references import BibSettings
from reader_build.diagnostics import Diagnostics
from reader_build.model import CiteUse
from reader_build.source.citations import parse_citation
from reader_build.source.files import SourceFile

FAMILIES = ["Hasegawa", "Stephan", "Kimura", "Hara", "Smith", "Smith", "Brown"]
GIVEN = ["Tsuyoshi", "John J.", "Hiroshi", "Kimie", "Anne", "John", "Bruno"]


def _bib(n: int, rng: random.Random) -> str:
    out = []
    for i in range(n):
        k = rng.randrange(len(FAMILIES))
        kind = ("book", "article", "incollection")[i % 3]
        fields = [f"author = {{{FAMILIES[k]}, {GIVEN[k]}}}", f"title = {{Work {i % 9} on the Islands}}",
                  f"date = {{{1990 + i % 4}}}"]
        if kind == "book":
            fields += ["publisher = {University Press}", "location = {Berkeley}"]
        elif kind == "article":
            fields += ["journaltitle = {Pacific Affairs}", f"volume = {{{i}}}", "pages = {201--230}"]
        else:
            fields += ["booktitle = {Distant Neighbors}", "editor = {Kimura, Hiroshi}", "pages = {11--40}"]
        out.append(f"@{kind}{{k{i},\n  " + ",\n  ".join(fields) + "\n}\n")
    return "\n".join(out)


def _uses(entries: int, count: int, rng: random.Random) -> list[CiteUse]:
    uses, last = [], 0
    for n in range(count):
        key = last if rng.random() < 0.3 else rng.randrange(entries)
        page = rng.randrange(1, 300)
        text = (f"[@k{key}, p. {page}]" if n % 5 else f"[see @k{key}, pp. {page}-{page + 2}; @k{rng.randrange(entries)}]")
        uses.append(CiteUse(("t", n), parse_citation(text), n + 1, n % 4 != 0, n))
        last = key
    return uses


def _format(style: str):
    rng = random.Random(7)
    bib_text = _bib(40, rng)
    uses = _uses(40, 120, rng)
    bib = load_styled([SourceFile("t.bib", bib_text)], BibSettings(style), Diagnostics(), None, "en-US")
    bib.register_uses(uses)
    cites = {use.where: (bib.cite_text(use.citation, use.where), bib.note_html(use.where, str)) for use in uses}
    return bib, cites, bib.entries_html(None)


@pytest.mark.parametrize("style", ["chicago-notes-bibliography", "apa", "ieee"])
def test_a_twin_formats_as_one_engine(style, monkeypatch):
    monkeypatch.setattr(csl_twin, "TWIN_CLUSTERS", 10**9)
    one, cites, entries = _format(style)
    assert one._made_list is None
    monkeypatch.setattr(csl_twin, "TWIN_CLUSTERS", 2)
    monkeypatch.setattr(csl_twin, "cores", lambda: 2)
    two, twin_cites, twin_entries = _format(style)
    assert two._made_list is not None                 # the twin made the reference list
    assert twin_cites == cites
    assert twin_entries == entries
    assert len(set(cites.values())) > 25                 # not a few forms said again


def test_a_twin_that_fails_costs_only_time(monkeypatch):
    monkeypatch.setattr(csl_twin, "TWIN_CLUSTERS", 10**9)
    _, cites, entries = _format("chicago-notes-bibliography")

    def broken(*args, **kwargs):
        raise MemoryError("V8 cannot start")
    monkeypatch.setattr(csl_twin, "TWIN_CLUSTERS", 2)
    monkeypatch.setattr(csl_twin, "cores", lambda: 2)
    monkeypatch.setattr(csl_twin, "Engine", broken)
    bib, failed_cites, failed_entries = _format("chicago-notes-bibliography")
    assert bib._made_list is None
    assert failed_cites == cites and failed_entries == entries


def test_one_core_few_clusters_or_a_memory_cap_mean_no_twin(monkeypatch):
    monkeypatch.setattr(csl_twin, "cores", lambda: 1)
    assert not csl_twin.wanted(10_000)
    monkeypatch.setattr(csl_twin, "cores", lambda: 2)
    monkeypatch.setattr(csl_twin, "uncapped", lambda: True)
    assert csl_twin.wanted(csl_twin.TWIN_CLUSTERS)
    assert not csl_twin.wanted(csl_twin.TWIN_CLUSTERS - 1)
    # under ulimit -v a second V8 that cannot reserve its address space aborts the process
    monkeypatch.setattr(csl_twin, "uncapped", lambda: False)
    assert not csl_twin.wanted(10_000)


def test_a_memory_cap_is_seen():
    # any cap, however large: V8 reserves tens of GB as it starts (an isolate about 2.5 GB
    # more), so where the first fits a second may not, and V8 then aborts the process
    code = ("import resource, sys; from reader_build.bibliography import csl_twin; "
            "print(csl_twin.uncapped()); resource.setrlimit(resource.RLIMIT_AS, (2**40, 2**40)); "
            "print(csl_twin.uncapped(), csl_twin.wanted(10**6))")
    src = Path(__file__).resolve().parent.parent.parent / "src"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(src)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(csl_twin.uncapped()), "False", "False"], run.stdout
