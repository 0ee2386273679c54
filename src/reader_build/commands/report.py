"""How the commands print diagnostics: a summary a person can read, every line, or JSON.

* ``summary`` (the default of ``build`` and ``check``): every error; for each warning
  code at most :data:`PER_CODE` lines, then one line that counts the rest and says how to
  see them (and, for some codes, what turns them into work done);
* ``verbose``: every diagnostic, one ``path:line:col: severity [code]: message`` line each;
* ``json``: one JSON object per diagnostic per line, with ``path``, ``line``, ``column``,
  ``severity``, ``code`` and ``message`` (``null`` where unknown), for editors and CI.
"""
from __future__ import annotations

import json
import sys
from typing import Iterable, TextIO

from ..diagnostics import ERROR, Diagnostic, Diagnostics

PER_CODE = 10

# What turns the warnings of a code into entries, edits or files (shown on the count line).
REMEDIES = {
    "index-unmatched-name": "`reader-build index suggest` turns them into entries",
}


def as_json_line(diagnostic: Diagnostic) -> str:
    """One diagnostic as one line of JSON."""
    return json.dumps({"path": diagnostic.path, "line": diagnostic.line, "column": diagnostic.col,
                       "severity": diagnostic.severity, "code": diagnostic.code,
                       "message": diagnostic.message}, ensure_ascii=False)


def summary_lines(items: Iterable[Diagnostic], per_code: int = PER_CODE) -> list[str]:
    """The lines of the summary: errors in full, at most *per_code* warnings of each code,
    each code's surplus counted on a line of its own after its last shown warning."""
    ordered = sorted(items, key=Diagnostic.sort_key)
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    lines: list[str] = []
    for d in ordered:
        if d.severity == ERROR:
            lines.append(d.format())
            continue
        if shown.get(d.code, 0) < per_code:
            shown[d.code] = shown.get(d.code, 0) + 1
            lines.append(d.format())
        else:
            hidden[d.code] = hidden.get(d.code, 0) + 1
    for code, count in hidden.items():
        lines.append(count_line(code, count))
    return lines


def count_line(code: str, count: int) -> str:
    """'… 2,131 more `index-unmatched-name` warnings: `--verbose` lists them all, …'."""
    noun = "warning" if count == 1 else "warnings"
    line = f"\u2026 {count:,} more `{code}` {noun}: `--verbose` lists them all"
    if code in REMEDIES:
        line += f", {REMEDIES[code]}"
    return line


def print_diagnostics(diags: Diagnostics | Iterable[Diagnostic], stream: TextIO | None = None, *,
                      verbose: bool = True, fmt: str = "text") -> None:
    """Print *diags* to *stream* (stderr by default): as JSON lines when *fmt* is ``json``,
    else every line when *verbose*, else the summary."""
    stream = stream or sys.stderr
    items = sorted(diags, key=Diagnostic.sort_key)
    if fmt == "json":
        lines = [as_json_line(d) for d in items]
    elif verbose:
        lines = [d.format() for d in items]
    else:
        lines = summary_lines(items)
    for line in lines:
        print(line, file=stream)
    stream.flush()
