"""``reader-build index suggest [DIR] [--min N] [--force]``: draft index entries to review.

Writes ``manuscript/index-suggestions.toml`` (see index/suggest.py), which the builds do
not read, and never touches the authority file.  Exit status 0 written, 1 the project
has errors or the file is there already (``--force`` replaces it), 2 wrong command line.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..build import load_reader
from ..diagnostics import Diagnostics
from ..index.check import collect_unmatched
from ..index.suggest import SUGGESTIONS_FILE, suggest, suggestions_toml
from ..store import files
from ..store.output import AtomicWriter
from .report import print_diagnostics


def suggest_command(root: Path, minimum: int = 1, force: bool = False) -> int:
    if minimum < 1:
        print("reader-build index suggest: error: --min must be at least 1", file=sys.stderr)
        return 2
    root = Path(root).resolve()
    diags = Diagnostics()
    reader = load_reader(root, diags)
    if reader is None or diags.has_errors:
        print_diagnostics(diags, verbose=False)
        return 1
    names = collect_unmatched(reader, root)
    items = suggest(names, reader.authority.entries.keys(), minimum)
    data = suggestions_toml(items).encode("utf-8")
    target = root / "manuscript" / SUGGESTIONS_FILE
    if force:
        writer = AtomicWriter()
        writer.add(target, data)
        writer.commit()
    elif not files.write_new(target, data, kind="project"):
        print(f"reader-build index suggest: error: {target.relative_to(root)} exists already (from an "
              "earlier run?); merge or remove it, or pass --force to replace it", file=sys.stderr)
        return 1
    people = sum(1 for i in items if i.kind == "person")
    left = sum(1 for n in names.values() if n.count < minimum)
    print(f"wrote {target.relative_to(root)}: {len(items)} draft entries ({people} people, "
          f"{len(items) - people} places) for {len(names)} unmatched names"
          + (f"; {left} names seen fewer than {minimum} times left out" if left else ""))
    return 0
