#!/usr/bin/env python3
"""Benchmark: formatting citations in a CSL note style.

    python benchmarks/citations.py                              # 2,000 citations of 500 entries
    python benchmarks/citations.py --entries 500 --citations 2000 --style chicago-notes-bibliography
    python benchmarks/citations.py --json out.json

A generated .bib of N entries (books, articles, chapters; distinct authors, a few
shared) and M citations in notes as an editor writes them (a first citation, "ibid."
with the same or another page, short forms, two works in one note, citations inside
editorial notes). It times, in this process:

* ``load``: reading the .bib and starting citeproc-js with the style and the items, as
  the build does it (``select.load_styled``: the style is compiled in V8's thread while
  Python reads the .bib and converts its entries to CSL-JSON);
* ``cite``: every citation formatted, positions included (``register_uses``);
* ``bibliography``: the reference list.

With 300 clusters or more on two cores, the build formats a part of the citations and the
reference list in a second engine (``csl_twin``), which ``cite`` then includes. Each run is
followed by one with a single engine (``one engine``), for comparison in the same run.

Each phase is given in wall seconds and in CPU seconds of the process (V8's thread
included): on a shared machine the CPU figure is the steadier one.

The issue's target is the whole path (``load`` + ``cite`` + ``bibliography``, as a
build takes it) at most 2 s for 2,000 citations of 500 entries in a note style on the
project's 2-core machine. Nothing is asserted.
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
    import reader_build  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "src"))
from reader_build.bibliography import csl_twin
from reader_build.bibliography.csl import CslBibliography
from reader_build.bibliography.csl_engine import forget_idle_engines
from reader_build.bibliography.select import load_styled
from reader_build.bibliography.references import BibSettings
from reader_build.diagnostics import Diagnostics
from reader_build.model import CiteUse
from reader_build.source.citations import parse_citation
from reader_build.source.files import SourceFile

FAMILIES = ["Hasegawa", "Stephan", "Kimura", "Hara", "Togo", "Lensen", "Rees", "Iwashita", "Morris-Suzuki",
            "Bukh", "Williams", "Tanaka", "Brown", "Ito", "Sato", "Suzuki", "Yamamoto", "Nakamura"]
TWIN_CLUSTERS = csl_twin.TWIN_CLUSTERS
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


def run(entries: int, citations: int, style_id: str, seed: int = 1, warm: bool = False,
        twin: bool = True) -> dict:
    csl_twin.TWIN_CLUSTERS = TWIN_CLUSTERS if twin else 10**9
    if not warm:
        forget_idle_engines()                 # the style compiled anew, as in a fresh process
    rng = random.Random(seed)
    bib_text = make_bib(entries, rng)
    uses = make_citations(entries, citations, rng)
    diags = Diagnostics()
    marks = [(time.perf_counter(), time.process_time())]
    # the build's own path: the style compiled in V8's thread while the .bib is read
    bib = load_styled([SourceFile("bench.bib", bib_text)], BibSettings(style_id), diags, None, "en-US")
    marks.append((time.perf_counter(), time.process_time()))
    bib.register_uses(uses)
    marks.append((time.perf_counter(), time.process_time()))
    listed = bib.entries_html(None)
    marks.append((time.perf_counter(), time.process_time()))
    assert isinstance(bib, CslBibliography) and listed, diags.items
    out = {"style": style_id, "entries": entries, "citations": citations, "listed": len(listed),
           "engines": 2 if bib._made_list is not None else 1, "load_average": os.getloadavg()[0]}
    for name, a, b in (("load", 0, 1), ("cite", 1, 2), ("bibliography", 2, 3), ("total", 0, 3)):
        out[f"{name}_s"] = round(marks[b][0] - marks[a][0], 3)
        out[f"{name}_cpu_s"] = round(marks[b][1] - marks[a][1], 3)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/citations.py", description=__doc__.splitlines()[0])
    p.add_argument("--entries", type=int, default=500)
    p.add_argument("--citations", type=int, default=2000)
    p.add_argument("--style", default="chicago-notes-bibliography")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--warm", action="store_true",
                   help="after the first run, use the compiled engine again, as reader-build watch does")
    p.add_argument("--no-compare", dest="compare", action="store_false",
                   help="leave out the runs with one engine")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    results = []
    for _ in range(args.repeat):
        for twin in (True, False) if args.compare else (True,):
            results.append(run(args.entries, args.citations, args.style, warm=args.warm, twin=twin))
    print(f"{args.style}: {args.citations} citations of {args.entries} entries; seconds, wall (CPU of "
          "the process, V8's threads included)")
    print("  run  engines  load          cite          bibliography  total         load+cite     load average")
    for n, r in enumerate(results, 1):
        cells = [f"{r[k + '_s']:5.2f} ({r[k + '_cpu_s']:4.2f})" for k in ("load", "cite", "bibliography", "total")]
        both = f"{r['load_s'] + r['cite_s']:5.2f} ({r['load_cpu_s'] + r['cite_cpu_s']:4.2f})"
        print(f"  {n:3}  {r['engines']:7}  " + " ".join(f"{c:13}" for c in cells) + f" {both:13} "
              f"{r['load_average']:.1f}")
    print("load: reading the .bib, CSL-JSON, starting citeproc-js with the style (in V8's thread, "
          "meanwhile); cite: registering the items, positions and every citation (and, with two engines, "
          "the reference list); target: total <= 2 s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
