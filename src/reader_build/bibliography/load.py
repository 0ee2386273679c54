"""Reading .bib text into pybtex data, with every problem a diagnostic with a place.

pybtex's parser does the reading; a thin subclass records the line of each entry and
collects errors instead of raising or printing them. ``@string`` macros carry over
from one file to the next (as in BibTeX); the first of two entries with one key wins.
``crossref`` children inherit missing fields from their parents, biblatex-fashion
(a book's ``title`` becomes its chapter's ``booktitle``).
"""
from __future__ import annotations

import re

from pybtex.bibtex.utils import split_name_list
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import LowLevelParser, SkipEntry, UndefinedMacro, month_names
from pybtex.exceptions import PybtexError
from pybtex.scanner import PrematureEOF, PybtexSyntaxError
from pybtex.textutils import normalize_whitespace
from pybtex.utils import CaseInsensitiveDict

from ..diagnostics import Diagnostics, did_you_mean
from .names import mark_family_first
from ..source.files import SourceFile

PERSON_FIELDS = {"author", "editor", "translator", "bookauthor", "commentator", "annotator",
                 "introduction", "foreword", "afterword", "holder", "editora", "editorb", "editorc",
                 "shortauthor", "shorteditor"}
NOT_INHERITED = {"ids", "crossref", "xref", "entryset", "entrysubtype", "execute", "label",
                 "options", "presort", "related", "relatedoptions", "relatedstring", "relatedtype",
                 "shorthand", "shorthandintro", "sortkey", "shorttitle", "sorttitle",
                 "indextitle", "indexsorttitle", "annotation", "abstract", "file"}
MULTIVOLUME = {"mvbook", "mvcollection", "mvproceedings", "mvreference"}
CONTAINERS = {"book", "collection", "proceedings", "reference", "periodical"}
TITLES = ("title", "subtitle", "titleaddon")


class _Scanner(LowLevelParser):
    """pybtex's low-level parser, yielding the line of each command too."""

    def parse_bibliography(self):
        while True:
            if not self.skip_to([self.AT]):
                return
            self.command_start = self.pos - 1
            line = self.lineno
            try:
                yield line, tuple(self.parse_command())
            except PybtexSyntaxError as error:
                self.handle_error(error)
            except SkipEntry:
                pass


class _Reader:
    def __init__(self, diags: Diagnostics):
        self.diags = diags
        self.data = BibliographyData()
        self.places: dict[str, tuple[str, int]] = {}
        self.macros = CaseInsensitiveDict(month_names)
        self.errors: list[PybtexError] = []

    def read(self, source: SourceFile) -> None:
        self.errors = []
        scanner = _Scanner(source.text, macros=self.macros, handle_error=self.errors.append,
                           filename=source.path)
        commands = entries = 0
        for line, (command, body) in scanner:
            commands += 1
            if command.lower() not in ("string", "preamble"):
                entries += bool(body[0])        # read, even if a duplicate key keeps it out
                self.add(source, line, command, *body)
        for error in self.errors:
            self.report(source, error)
        if not entries and not self.errors:
            what = "has no entries" if commands else "is empty"
            self.diags.warning("bib-empty", f"the bibliography file {what}", source.path)

    def report(self, source: SourceFile, error: PybtexError) -> None:
        line, col = _position(source.text, error)
        if isinstance(error, UndefinedMacro):
            self.diags.warning("bib-undefined-string", f"undefined @string macro '{error.args[0]}' "
                               "(the field is left empty; did you forget the braces?)",
                               source.path, line, col)
            return
        message = str(error.args[0]) if error.args else "syntax error"
        if isinstance(error, PrematureEOF):
            start = getattr(error, "error_context_info", (0,))[0] or 0
            where = source.text.count("\n", 0, start) + 1
            message = f"the file ends inside the entry that starts on line {where} (a missing '}}'?)"
        else:
            message = f"syntax error: {message}"
        self.diags.error("bib-syntax", message, source.path, line, col)

    def add(self, source: SourceFile, line: int, kind: str, key: str, fields) -> None:
        if not key:
            return
        if key in self.data.entries:
            path, first = self.places[key.casefold()]
            self.diags.error("bib-duplicate-key", f"duplicate entry key '{key}': it is also "
                             f"defined at {path}:{first}; that first entry is used",
                             source.path, line)
            return
        entry = Entry(kind)
        seen: set[str] = set()
        for name, values in fields:
            lower = name.lower()
            if lower in seen:
                self.diags.warning("bib-duplicate-field", f"entry '{key}' has two '{lower}' fields; "
                                   "the first one is used", source.path, line)
                continue
            seen.add(lower)
            value = normalize_whitespace("".join(values))
            if lower in PERSON_FIELDS:
                names = split_name_list(value)
                others = _et_al(names)
                if others:
                    shown = f"{names[-1]} and others" if names else "others"
                    self.diags.warning("bib-et-al", f"entry '{key}': '{lower}' ends with \"et al.\", which "
                                       "BibTeX reads as part of a name; it is read as 'and others' "
                                       f"(write {{{shown}}})", source.path, line)
                    names.append("others")
                for person in names:
                    entry.add_person(self.person(person, source, line), lower)
            else:
                entry.fields[lower] = value
        entry.key = key
        mark_family_first(entry)
        self.data.entries[key] = entry
        self.places[key.casefold()] = (source.path, line)

    def person(self, name: str, source: SourceFile, line: int) -> Person:
        try:
            return Person(name)
        except (PybtexError, ValueError, IndexError):
            self.diags.warning("bib-name", f"cannot read the name '{name}' (more than two commas?); "
                               "it is kept as written", source.path, line)
            return Person(last=name.replace(",", " "))


_ET_AL = re.compile(r"[\s,~]*\bet\.?[\s~]*al(?:ii|\.)?[\s.]*$", re.IGNORECASE)


def _et_al(names: list[str]) -> bool:
    """Take a written "et al." off the end of a list of names (*names*, in place): "K. A.
    Olive et al." is "K. A. Olive" and others. True when there was one."""
    if not names:
        return False
    m = _ET_AL.search(names[-1])
    if not m or re.fullmatch(r"[{}]*others[{}]*", names[-1].strip(), re.IGNORECASE):
        return False
    rest = names[-1][:m.start()].strip().rstrip(",").strip()
    if rest:
        names[-1] = rest
    else:
        names.pop()
    return True


def _position(text: str, error: PybtexError) -> tuple[int | None, int | None]:
    info = getattr(error, "error_context_info", None)
    line = getattr(error, "lineno", None)
    if not info or len(info) < 3:
        return line, None
    pos = min(info[2], len(text))
    start = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1
    return line, pos - start + 1


def _inherit(child: Entry, parent: Entry) -> None:
    mapping: dict[str, str] = {}
    if parent.type in MULTIVOLUME:
        mapping = {t: t.replace("title", "maintitle", 1) if t != "subtitle" else "mainsubtitle"
                   for t in TITLES}
    elif parent.type in CONTAINERS and child.type not in CONTAINERS:
        prefix = "journal" if parent.type == "periodical" else "book"
        mapping = {"title": prefix + "title", "subtitle": prefix + "subtitle",
                   "titleaddon": prefix + "titleaddon"}
    for name, value in parent.fields.items():
        target = mapping.get(name.lower(), name.lower())
        if target in NOT_INHERITED or (target == "volumes" and child.fields.get("volume")) or (name.lower() in TITLES and name.lower() not in mapping
                                       and child.fields.get("title")):
            continue
        if not child.fields.get(target):
            child.fields[target] = value
    for role, persons in parent.persons.items():
        if role not in child.persons:
            child.persons[role] = list(persons)
        if role == "author" and child.type not in CONTAINERS | MULTIVOLUME \
                and "bookauthor" not in child.persons:
            child.persons["bookauthor"] = list(persons)


def resolve_crossrefs(data: BibliographyData, places, diags: Diagnostics) -> None:
    done: set[str] = set()

    def resolve(key: str, chain: tuple[str, ...]) -> None:
        entry = data.entries[key]
        parent_key = entry.fields.get("crossref", "").strip()
        if key.casefold() in done or not parent_key:
            done.add(key.casefold())
            return
        done.add(key.casefold())
        path, line = places.get(key.casefold(), (None, None))
        if parent_key not in data.entries:
            diags.warning("bib-crossref-missing", f"entry '{key}' has crossref = {{{parent_key}}}, "
                          "but no entry has that key" + did_you_mean(parent_key, data.entries.keys()),
                          path, line)
            return
        if parent_key.casefold() in chain + (key.casefold(),):
            diags.warning("bib-crossref-loop", f"entry '{key}': the crossref chain loops back to "
                          f"'{parent_key}'", path, line)
            return
        resolve(data.entries[parent_key].key, chain + (key.casefold(),))
        _inherit(entry, data.entries[parent_key])

    for key in list(data.entries.keys()):
        resolve(key, ())


def parse_files(files: list[SourceFile], diags: Diagnostics):
    """(pybtex data, {folded key: (path, line)}) of the .bib files, in order."""
    reader = _Reader(diags)
    for source in files:
        reader.read(source)
    resolve_crossrefs(reader.data, reader.places, diags)
    return reader.data, reader.places
