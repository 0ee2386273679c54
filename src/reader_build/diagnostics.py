"""Problems with the input, as data with a place.

Every stage collects :class:`Diagnostic` objects into a :class:`Diagnostics`
list instead of raising; the command line prints them as
``path:line:col: severity [code]: message``.  :class:`ReaderError` and its
subclasses are the few fatal conditions that stop a stage; the command-line
layer catches them once.  Anything else is a bug in reader-build.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Iterator

ERROR = "error"
WARNING = "warning"
# Faults of the machine that a build overcomes (store/cache.py): not problems of the input, so
# --strict leaves them warnings, and a build that finds everything up to date does not repeat them.
MACHINE_CODES = frozenset({"cache-write", "cache-damaged"})


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str
    message: str
    path: str | None = None
    line: int | None = None
    col: int | None = None

    def format(self) -> str:
        place = ""
        if self.path:
            place = self.path
            if self.line is not None:
                place += f":{self.line}"
                if self.col is not None:
                    place += f":{self.col}"
            place += ": "
        return f"{place}{self.severity} [{self.code}]: {self.message}"

    def as_json(self) -> dict:
        data = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.path:
            data["path"] = self.path
        if self.line is not None:
            data["line"] = self.line
        if self.col is not None:
            data["col"] = self.col
        return data

    def sort_key(self):
        return (self.path or "", self.line or 0, self.col or 0, self.code, self.message)


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def error(self, code: str, message: str, path: str | None = None,
              line: int | None = None, col: int | None = None) -> None:
        self.add(Diagnostic(code, ERROR, message, path, line, col))

    def warning(self, code: str, message: str, path: str | None = None,
                line: int | None = None, col: int | None = None) -> None:
        self.add(Diagnostic(code, WARNING, message, path, line, col))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        for item in other:
            self.add(item)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.items)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    def strict(self) -> "Diagnostics":
        """Warnings turned into errors (``--strict``), but those of :data:`MACHINE_CODES`."""
        return Diagnostics([d if d.code in MACHINE_CODES
                            else Diagnostic(d.code, ERROR, d.message, d.path, d.line, d.col) for d in self.items])

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def did_you_mean(word: str, candidates: Iterable[str], n: int = 3) -> str:
    """A ' (did you mean …?)' suffix, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + ", ".join(f"'{c}'" for c in close) + "?)"


class ReaderError(Exception):
    """A fatal problem with the input; carries its diagnostics."""

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("; ".join(d.format() for d in self.diagnostics))


class ConfigError(ReaderError):
    pass


class ManuscriptError(ReaderError):
    pass


class BibliographyError(ReaderError):
    pass


class TemplateError(ReaderError):
    pass


class OutputError(ReaderError):
    pass
