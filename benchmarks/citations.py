#!/usr/bin/env python3
"""Benchmark: formatting citations in a CSL note style.

    python benchmarks/citations.py                              # 2,000 citations of 500 entries
    python benchmarks/citations.py --entries 500 --citations 2000 --style chicago-notes-bibliography
    python benchmarks/citations.py --json out.json

A generated .bib of N entries (books, articles, chapters; distinct authors, a few
shared) and M citations in notes as an editor writes them (a first citation, "ibid."
with the same or another page, short forms, two works in one note, citations inside
editorial notes). It times, in this process:

* ``load``: reading the .bib and starting citeproc-js with the style and the items;
* ``cite``: every citation formatted, positions included (``register_uses``);
* ``bibliography``: the reference list.

The issue's target is ``cite`` + ``load`` at most 2 s for 2,000 citations of 500
entries in a note style on the project's 2-core machine. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
try:
    from reader_build.bibliography.csl import load_csl
except ImportError:
    sys.path.insert(0, str(HERE.parent / "src"))
    from reader_build.bibliography.csl import load_csl
from reader_build.bibliography.csl_styles import COLLECTION, CslStyle
from reader_build.bibliography.load import parse_files
from reader_build.bibliography.references import BibSettings
from reader_build.diagnostics import Diagnostics
from reader_build.model import CiteUse
from reader_build.source.citations import parse_citation
from reader_build.source.files import SourceFile

FAMILIES = ["Hasegawa", "Stephan", "Kimura", "Hara", "Togo", "Lensen", "Rees", "Iwashita", "Morris-Suzuki",
            "Bukh", "Williams", "Tanaka", "Brown", "Ito", "Sato", "Suzuki", "Yamamoto", "Nakamura"]
GIVEN = ["Tsuyoshi", "John J.", "Hiroshi", "Kimie", "Kazuhiko", "George A.", "David", "Akihiro",
         "Tessa", "Alexander", "Brad", "Kenji", "Anne", "Ken", "Yuki", "Emi"]


def make_bib(n: int, rng: random.Random) -> str:
    out = []
    for i in range(n):
        family = f"{rng.choice(FAMILIES)}{'' if i < 40 else i}"
        given = rng.choice(GIVEN)
        kind = ("book", "article", "incollection")[i % 3]
        fields = [f"author = {{{family}, {given}}}", f"title = {{Work Number {i} on the Kuril Islands}}",
                  f"date = {{{1950 + i % 70}}}"]
        if kind == "book":
            fields += ["publisher = {University Press}", "location = {Berkeley}"]
        elif kind == "article":
            fields += ["journaltitle = {Pacific Affairs}", f"volume = {{{i % 80}}}", "number = {2}",
                       "pages = {201--230}"]
        else:
            fields += ["booktitle = {Distant Neighbors}", "editor = {Kimura, Hiroshi}",
                       "publisher = {Sharpe}", "pages = {11--40}"]
        out.append(f"@{kind}{{k{i},\n  " + ",\n  ".join(fields) + "\n}\n")
    return "\n".join(out)


def make_citations(entries: int, count: int, rng: random.Random) -> list[CiteUse]:
    uses, note, last = [], 0, 0
    while len(uses) < count:
        note += 1
        roll = rng.random()
        key = last if roll < 0.25 else rng.randrange(entries)
        page = rng.randrange(1, 400)
        if roll < 0.85:
            text = f"[@k{key}, p. {page}]"
        elif roll < 0.95:
            text = f"[see @k{key}, pp. {page}-{page + 3}; @k{rng.randrange(entries)}]"
        else:
            text = f"[@k{key}, chap. {page % 12 + 1}]"
        footnoted = rng.random() > 0.2           # the rest: inside an editorial note
        uses.append(CiteUse(("bench", len(uses)), parse_citation(text), note, footnoted, len(uses)))
        last = key
    return uses


def run(entries: int, citations: int, style_id: str, seed: int = 1) -> dict:
    rng = random.Random(seed)
    bib_text = make_bib(entries, rng)
    uses = make_citations(entries, citations, rng)
    style = CslStyle(style_id, (COLLECTION / f"{style_id}.csl").read_text(encoding="utf-8"), "")
    diags = Diagnostics()
    c0, t0 = time.process_time(), time.perf_counter()
    data, places = parse_files([SourceFile("bench.bib", bib_text)], diags)
    bib = load_csl(data, places, BibSettings(style_id), style, "en-US", diags)
    t1 = time.perf_counter()
    bib.register_uses(uses)
    t2 = time.perf_counter()
    listed = bib.entries_html(None)
    t3, c3 = time.perf_counter(), time.process_time()
    return {"style": style_id, "entries": entries, "citations": citations, "listed": len(listed),
            "load_s": round(t1 - t0, 3), "cite_s": round(t2 - t1, 3), "bibliography_s": round(t3 - t2, 3),
            "total_s": round(t3 - t0, 3), "cpu_s": round(c3 - c0, 3), "load_average": os.getloadavg()[0]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/citations.py", description=__doc__.splitlines()[0])
    p.add_argument("--entries", type=int, default=500)
    p.add_argument("--citations", type=int, default=2000)
    p.add_argument("--style", default="chicago-notes-bibliography")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    results = [run(args.entries, args.citations, args.style) for _ in range(args.repeat)]
    for r in results:
        print(f"{r['style']}: {r['citations']} citations of {r['entries']} entries: "
              f"load {r['load_s']:.2f} s, cite {r['cite_s']:.2f} s, bibliography {r['bibliography_s']:.2f} s, "
              f"total {r['total_s']:.2f} s (CPU {r['cpu_s']:.2f} s; load average {r['load_average']:.1f})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
