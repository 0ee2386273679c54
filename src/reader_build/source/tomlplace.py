"""Where a key or value stands in a TOML file (``tomllib`` keeps no positions).

:func:`toml_places` reads the text line by line and records, for every key path it
defines (``("editions", "print", "format")``), the line, the column of the key and the
column of its value: in ``[table]`` and ``[[array-of-tables]]`` headers, dotted keys
(``editions.print.format = …``) and one-line inline tables (``print = {format = "pdf"}``).
:func:`place` answers with the best position known: the key's own, else that of the
nearest table that contains it, else the first line.  Positions are 1-based.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_HEADER = re.compile(rf"^(\s*)\[\[?\s*({_KEY})\s*\]\]?")
_PAIR = re.compile(rf"({_KEY})\s*=\s*")
_PART = re.compile(rf"{_BARE}|{_QUOTED}")


@dataclass(frozen=True)
class Place:
    line: int
    key_col: int
    value_col: int


def split_key(key: str) -> tuple[str, ...]:
    """``a."b.c".d`` -> ``("a", "b.c", "d")``."""
    parts = []
    for m in _PART.finditer(key):
        part = m.group()
        parts.append(part[1:-1] if part[:1] in "\"'" else part)
    return tuple(parts)


def _inline_pairs(line: str, start: int, prefix: tuple[str, ...], lineno: int, out: dict) -> None:
    """The keys of a one-line inline table that opens at *start* (``{``) of *line*."""
    depth = 0
    i = start
    while i < len(line):
        ch = line[i]
        if ch in "\"'":
            end = line.find(ch, i + 1)
            i = len(line) if end < 0 else end + 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return
        if depth == 1 and (ch == "{" or ch == ","):
            j = i + 1
            while j < len(line) and line[j] in " \t":
                j += 1
            m = _PAIR.match(line, j)
            if m:
                path = prefix + split_key(m.group(1))
                out.setdefault(path, Place(lineno, m.start() + 1, m.end() + 1))
                if line[m.end():m.end() + 1] == "{":
                    _inline_pairs(line, m.end(), path, lineno, out)
                    close = _matching_brace(line, m.end())
                    i = max(close + 1, i + 1)
                    continue
        i += 1


def _matching_brace(line: str, start: int) -> int:
    depth = 0
    for i in range(start, len(line)):
        if line[i] == "{":
            depth += 1
        elif line[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(line)


@lru_cache(maxsize=16)
def toml_places(text: str) -> dict[tuple[str, ...], Place]:
    """Every key path of *text* with its first place."""
    out: dict[tuple[str, ...], Place] = {}
    table: tuple[str, ...] = ()
    in_string = None                     # the delimiter of an open multi-line string
    for lineno, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            table = split_key(header.group(2))
            starts = [header.start(2) + m.start() + 1 for m in _PART.finditer(header.group(2))]
            for n in range(1, len(table) + 1):
                out.setdefault(table[:n], Place(lineno, starts[n - 1], starts[n - 1]))
            continue
        m = _PAIR.match(line, len(line) - len(line.lstrip()))
        if not m:
            continue
        path = table + split_key(m.group(1))
        out.setdefault(path, Place(lineno, m.start() + 1, m.end() + 1))
        for n in range(len(table) + 1, len(path)):
            out.setdefault(path[:n], Place(lineno, m.start() + 1, m.start() + 1))
        rest = line[m.end():]
        if rest.startswith("{"):
            _inline_pairs(line, m.end(), path, lineno, out)
        for quote in ('"""', "'''"):
            if rest.startswith(quote) and rest.count(quote) == 1:
                in_string = quote
    return out


def place(text: str, path: tuple[str, ...], *, value: bool = True) -> tuple[int, int]:
    """(line, column) of the value (or, with ``value=False``, the key) at *path*; of the
    nearest enclosing table when the key is not written out; else (1, 1)."""
    places = toml_places(text)
    for n in range(len(path), 0, -1):
        found = places.get(tuple(path[:n]))
        if found:
            exact = n == len(path)
            return found.line, (found.value_col if value and exact else found.key_col)
    return 1, 1


def element_place(text: str, path: tuple[str, ...], element: str) -> tuple[int, int]:
    """(line, column) of the string *element* in the array at *path* (which may span lines)."""
    line, col = place(text, path)
    lines = text.splitlines()
    quoted = re.compile(r"([\"'])" + re.escape(element) + r"\1")
    for n in range(line - 1, min(len(lines), line + 200)):
        start = col - 1 if n == line - 1 else 0
        m = quoted.search(lines[n], start)
        if m:
            return n + 1, m.start() + 1
        if "]" in lines[n][start:] and n >= line - 1:
            break
    return line, col
