"""The bibliography: loading .bib files, rendering citations and the reference list.

:func:`load_bibliography` reads BibTeX/biblatex text with pybtex (never raising:
problems become diagnostics with a place). :class:`Bibliography` renders citations
("(Hasegawa 1998, 112)", "[3, p. 112]") and the reference list in the configured
style: "author-date" (:mod:`reader_build.bibstyle`) or pybtex's own "plain", "unsrt",
"alpha", "unsrtalpha" (fed a BibTeX view of biblatex entries).
"""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from pybtex.database import BibliographyData, Entry, Person
from pybtex.exceptions import PybtexError
from pybtex.plugin import find_plugin
from pybtex.style.template import FieldIsMissing

from . import names as N
from .load import parse_files
from .style import ARTICLES, PARTS, REPORTS, THESES, AuthorDateStyle, field
from .terms import Terms
from ..source.citations import PAGE_TERMS, Citation, CiteItem, split_locator
from ..diagnostics import Diagnostic, Diagnostics, ERROR, did_you_mean
from .latex import NBSP, LatexBackend, render_html, render_text, to_plain, to_rich
from ..source.files import SourceFile

STYLES = ("author-date", "plain", "unsrt", "alpha", "unsrtalpha")
CITATION_ORDER = ("unsrt", "unsrtalpha")
_LATEX = LatexBackend()


@dataclass(frozen=True)
class BibSettings:
    style: str = "author-date"
    include_all: bool = False
    terms: Terms | None = None        # the author-date style's words (bibliography.terms; English)
    locale: str = ""            # a CSL locale ("" = the reader's language)
    repeated_author_dash: bool = True   # author-date: the 3-em dash for the names of the entry before


class Bibliography:
    """The entries of every .bib file, and how this reader cites and lists them."""

    def __init__(self, data: BibliographyData, places: dict[str, tuple[str, int]],
                 settings: BibSettings):
        self.data = data
        self.settings = settings
        self._places = places
        self._authordate = AuthorDateStyle()
        self._authordate.bib_data = data
        self._authordate.terms = settings.terms
        self._authordate.dash_repeated = settings.repeated_author_dash
        self._numeric = settings.style != "author-date"
        self._style = find_plugin("pybtex.style.formatting", settings.style)() \
            if self._numeric else self._authordate
        self._order: list[str] = []
        self._labels: dict[str, str] | None = None
        self._listed: list[str] = []
        self._html: dict[tuple[str, bool], str] = {}

    note_style = False          # a CSL note style makes citations of the text footnotes

    # --- keys -----------------------------------------------------------
    def _canon(self, key: str) -> str | None:
        return self.data.entries[key].key if key in self.data.entries else None

    def has(self, key: str) -> bool:
        return key in self.data.entries

    def keys(self) -> list[str]:
        return list(self.data.entries.keys())

    def suggest(self, key: str) -> list[str]:
        folded = {k.casefold(): k for k in self.keys()}
        close = difflib.get_close_matches(key.casefold(), list(folded), n=3, cutoff=0.6)
        return [folded[c] for c in close]

    def location(self, key: str) -> tuple[str, int]:
        return self._places.get(key.casefold(), ("", 0))

    # --- order and labels -----------------------------------------------
    def register_uses(self, uses) -> None:
        """Every citation of the reader (``model.CiteUse``); these styles need
        only their order of parsing."""
        self.register(use.citation for use in sorted(uses, key=lambda use: use.order))

    def register(self, citations: Iterable[Citation]) -> None:
        order: dict[str, None] = {}
        for citation in citations:
            for item in citation.items:
                key = self._canon(item.key)
                if key is not None:
                    order.setdefault(key, None)
        self._order = list(order)
        self._labels = None
        self._html = {}

    def _listing(self) -> dict[str, str]:
        """Labels of the listed entries (year + suffix, number or alpha label), in list order."""
        if self._labels is None:
            keys = list(self._order)
            if self.settings.include_all:
                cited = set(keys)
                keys += [k for k in self.keys() if k not in cited]
            self._labels = {}
            self._listed = []
            self._add_to_listing(keys)
        return self._labels

    def _add_to_listing(self, keys: list[str]) -> None:
        entries = [self._entry(k) for k in keys]
        if self._numeric and self.settings.style in CITATION_ORDER:
            ordered = entries
        else:
            ordered = self._style.sort(entries)
        if self._numeric:
            start = len(self._listed)
            if start == 0 or self.settings.style not in ("plain", "unsrt"):
                labels = list(self._style.format_labels(ordered))
            else:
                labels = [str(start + n + 1) for n in range(len(ordered))]
        else:
            labels = list(self._authordate.format_labels(ordered))
        for entry, label in zip(ordered, labels):
            # author-date labels are plain text already (a no-date label may hold a no-break space)
            self._labels[entry.key] = to_plain(label) if self._numeric else str(label)
            self._listed.append(entry.key)

    def _entry(self, key: str) -> Entry:
        entry = self.data.entries[key]
        if not self._numeric:
            return entry
        view = bibtex_view(self._authordate.lead(entry))
        view.key = entry.key
        return view

    def _label(self, key: str) -> str:
        labels = self._listing()
        if key not in labels:
            if self._numeric:
                self._add_to_listing([key])
            else:
                labels[key] = N.year_label(self._authordate.lead(self.data.entries[key]),
                                           self._authordate.w["no-date"])
        return labels[key]

    # --- citations ------------------------------------------------------
    def cite_html(self, citation: Citation, href: Callable[[str], str], where: tuple | None = None) -> str:
        return self._cite(citation, href)

    def cite_text(self, citation: Citation, where: tuple | None = None) -> str:
        return self._cite(citation, None)

    def note_html(self, where: tuple, href: Callable[[str], str]) -> str | None:
        """The footnote that a citation becomes (never, in these styles)."""
        return None

    def _cite(self, citation: Citation, href: Callable[[str], str] | None) -> str:
        as_html = href is not None
        esc = (lambda s: html.escape(typography(s), quote=False)) if as_html else typography

        def link(key: str, text: str) -> str:
            if not as_html:
                return text
            return f'<a class="cite" href="{html.escape(href(key), quote=True)}">{text}</a>'

        def author(key: str) -> str:
            text = self._authordate.author_label(self.data.entries[key])
            return render_html(text) if as_html else render_text(text)

        def shorthand(key: str) -> str | None:
            text = self._authordate.shorthand(self.data.entries[key])
            return None if text is None else (render_html(text) if as_html else render_text(text))

        def missing(item: CiteItem) -> str:
            return f'<span class="cite-missing">?{esc(item.key)}</span>' if as_html else f"?{item.key}"

        def tail(item: CiteItem) -> str:
            loc = format_locator(item.locator, pages_bare=not self._numeric)
            out = f", {esc(loc)}" if loc else ""
            if item.suffix:
                out += esc(item.suffix) if item.suffix[0] in ",;:.)" else " " + esc(item.suffix)
            return out

        items = citation.items
        if self._numeric:
            plain = not any(i.locator or i.prefix or i.suffix for i in items)
            parts = []
            for item in items:
                key = self._canon(item.key)
                body = link(key, esc(self._label(key))) if key else missing(item)
                parts.append((esc(item.prefix) + " " if item.prefix else "") + body + tail(item))
            inner = "[" + (", " if plain else "; ").join(parts) + "]"
            first = self._canon(items[0].key) if items else None
            if citation.narrative and first:
                inner = f"{author(first)} {inner}"
            return wrap(inner, as_html)

        parts = (link, author, shorthand, missing, tail, esc)
        if citation.narrative and items:
            item, key = items[0], self._canon(items[0].key)
            if key is None:
                return wrap(missing(item) + (f" ({tail(item).lstrip(', ')})" if tail(item) else ""), as_html)
            rest = "; ".join(self._author_date_items(items[1:], *parts))
            short = shorthand(key)
            if short is not None:          # "FRUS 1955–57, 23:1 (doc. 89)": the shorthand names the work
                inside = "; ".join(x for x in (tail(item).lstrip(", "), rest) if x)
                return wrap(link(key, short) + (f" ({inside})" if inside else ""), as_html)
            inner = f"{author(key)} ({link(key, esc(self._label(key)))}{tail(item)}"
            return wrap(inner + (f"; {rest}" if rest else "") + ")", as_html)
        return wrap("(" + "".join(self._author_date_items(items, *parts, joined=True)) + ")", as_html)

    def _author_date_items(self, items, link, author, shorthand, missing, tail, esc, joined=False):
        out: list[str] = []
        previous: tuple[str, bool] | None = None         # (author text, had a tail)
        for item in items:
            key = self._canon(item.key)
            if key is None:
                body, previous = missing(item) + tail(item), None
                sep = "; "
            elif shorthand(key) is not None:     # in place of author and year, never merged
                sep, previous = "; ", None
                body = (esc(item.prefix) + " " if item.prefix else "") + link(key, shorthand(key)) + tail(item)
            else:
                name = author(key)
                year = esc(self._label(key))
                if previous and previous[0] == name and not item.prefix and not item.suppress_author:
                    sep = "; " if previous[1] else ", "
                    body = link(key, year)
                elif item.suppress_author:
                    sep, body = "; ", link(key, year)
                else:
                    sep, body = "; ", link(key, f"{name} {year}")
                body = (esc(item.prefix) + " " if item.prefix else "") + body + tail(item)
                previous = (name, bool(tail(item)))
            if joined:
                out.append((sep if out else "") + body)
            else:
                out.append(body)
        return out

    # --- the reference list -----------------------------------------------
    def entries_html(self, keys: Iterable[str] | None = None) -> list[tuple[str, str]]:
        labels = self._listing()
        if keys is None:
            wanted = list(self._listed)
        else:
            wanted = list(dict.fromkeys(k for k in (self._canon(k) for k in keys) if k))
            for key in wanted:
                self._label(key)                 # entries never cited get a label too
            position = {k: n for n, k in enumerate(self._listed)}
            wanted.sort(key=lambda k: (position.get(k, len(position)),
                                       self._authordate.sort_key(self.data.entries[k])))
        return [(key, self._entry_html(key, self._repeats(key, wanted[n - 1] if n else None)))
                for n, key in enumerate(wanted)]

    def _repeats(self, key: str, before: str | None) -> bool:
        """In this list, does the entry *key* follow one by the same names (author-date only)?"""
        if self._numeric or before is None:
            return False
        return self._authordate.repeats(self.data.entries[key], self.data.entries[before])

    def _entry_html(self, key: str, repeated: bool = False) -> str:
        if (key, repeated) not in self._html:
            label = self._label(key)
            text = self._format(key, label, repeated)
            out = render_html(text)
            if self._numeric:
                out = f'<span class="bib-label">[{html.escape(label)}]</span> {out}'
            self._html[key, repeated] = out
        return self._html[key, repeated]

    def _format(self, key: str, label: str, repeated: bool = False):
        entry = self.data.entries[key]
        if not self._numeric:
            return self._authordate.format_entry(label, entry, self.data, repeated).text
        members = self._authordate.members(entry) if entry.type == "set" else [entry]
        try:
            parts = [self._format_numeric(member, label) for member in members] or [entry.key]
        except PybtexError:          # pybtex's own markup parser gave up: use ours
            return self._authordate.format_entry(label, entry, self.data).text
        parts = [p.rstrip().rstrip(".") for p in parts[:-1]] + parts[-1:]
        return to_rich("; ".join(parts))

    def _format_numeric(self, entry: Entry, label: str) -> str:
        """One entry in a pybtex style, as LaTeX (decoded by the caller)."""
        view = bibtex_view(entry)
        try:
            text = self._style.format_entry(label, view).text
        except (FieldIsMissing, PybtexError, KeyError, AttributeError):
            misc = Entry("misc", fields=view.fields, persons=view.persons)
            misc.key = view.key
            text = self._style.format_entry(label, misc).text
        latex = re.sub(r"(,?) and others\b", r"\1 et~al.", text.render(_LATEX))
        return re.sub(r"(?<!\.)\.\.(?!\.)", ".", latex)

    # --- checks -----------------------------------------------------------
    def check(self, cited: set[str], diags: Diagnostics) -> None:
        cited_keys = {k for k in (self._canon(c) for c in cited) if k}
        used = set(cited_keys)
        for key in cited_keys:
            entry = self.data.entries[key]
            used.update(N.set_members(entry))
            used.update(filter(None, [entry.fields.get("crossref"), entry.fields.get("xref")]))
        used = {u.casefold() for u in used}
        if not self.settings.include_all:
            for key in self.keys():
                if key.casefold() not in used:
                    path, line = self.location(key)
                    diags.warning("cite-unused", f"entry '{key}' is never cited, so it is not "
                                  "listed in the bibliography", path or None, line or None)
        listed = self.keys() if self.settings.include_all else sorted(cited_keys)
        for key in listed:
            missing = self._missing(self.data.entries[key])
            if missing:
                path, line = self.location(key)
                diags.warning("bib-incomplete", f"entry '{key}' (@{self.data.entries[key].type}) "
                              f"has no {' and no '.join(missing)}: its reference will be incomplete",
                              path or None, line or None)

    def _missing(self, entry: Entry) -> list[str]:
        if entry.type == "set":
            return []
        if not self._numeric:
            return missing_fields(entry)
        try:
            self._style.format_entry("0", bibtex_view(entry))
        except FieldIsMissing as exc:
            return [f"'{exc.field_name}'"]
        except (PybtexError, KeyError, AttributeError):
            return []
        return []


def missing_fields(entry: Entry) -> list[str]:
    """What an entry lacks that a reference of its type needs ("'title'", "'date' or 'year'")."""
    if entry.type == "set":
        return []
    need = [("title",), ("date", "year")]
    if entry.type in ARTICLES:
        need.append(("journaltitle", "journal"))
    elif entry.type in PARTS:
        need.append(("booktitle", "maintitle"))
    elif entry.type in THESES | REPORTS:
        need.append(("institution", "school"))
    elif entry.type == "online":
        need.append(("url", "doi", "eprint"))
    return [" or ".join(f"'{f}'" for f in group) for group in need
            if not any(field(entry, f) for f in group)]


def typography(text: str) -> str:
    """Dashes and curly quotes in a citation's prefix and suffix (written in Markdown)."""
    text = text.replace("---", "—").replace("--", "–")
    text = re.sub(r'(^|[\s(\[—–])"', "\\1“", text).replace('"', "”")
    text = re.sub(r"(^|[\s(\[—–])'(?=\w)", "\\1‘", text)
    return text.replace("'", "’")


def wrap(inner: str, as_html: bool) -> str:
    return f'<span class="citation">{inner}</span>' if as_html else inner


def format_locator(locator: str, pages_bare: bool) -> str:
    """"p. 112" → "112" (author-date), "chap. 2" → "chap. 2" (no-break space), ranges with en dashes."""
    if not locator:
        return ""
    term, value, rest = split_locator(locator)
    if not term:
        return re.sub(r"(?<=\d)\s*-{1,2}\s*(?=\d)", "–", " ".join(locator.split()))
    value = re.sub(r"(?<=\w)\s*(?:-{1,2}|–)\s*(?=\w)", "–", value)
    shown = value if pages_bare and term.lower() in PAGE_TERMS else f"{term}{NBSP}{value}"
    return shown + (("" if rest[:1] in ",;:." else " ") + rest if rest else "")


BIBTEX_TYPES = {"mvbook": "book", "collection": "book", "mvcollection": "book", "reference": "book",
                "mvreference": "book", "bookinbook": "book", "inreference": "incollection",
                "suppbook": "incollection", "suppcollection": "incollection",
                "mvproceedings": "proceedings", "report": "techreport", "suppperiodical": "article"}
RAW_FIELDS = {"url", "doi", "eprint", "file", "urldate", "pdf"}
BIBTEX_KEEP = {"article", "book", "booklet", "inbook", "incollection", "inproceedings", "manual",
               "mastersthesis", "misc", "phdthesis", "proceedings", "techreport", "unpublished"}


def bibtex_view(entry: Entry) -> Entry:
    """A copy of a biblatex entry with the BibTeX fields pybtex's styles expect."""
    kind = BIBTEX_TYPES.get(entry.type, entry.type)
    fields = dict(entry.fields.items())
    kind_key = to_plain(fields.get("type", "")).lower()
    if kind == "thesis":
        kind = "mastersthesis" if kind_key.startswith(("ma", "master")) else "phdthesis"
    if kind == "inbook" and fields.get("booktitle"):
        kind = "incollection"
    if kind not in BIBTEX_KEEP:
        kind = "misc"
    if kind_key in ("phdthesis", "mathesis", "mastersthesis", "techreport", "resreport"):
        fields.pop("type", None)
    for new, old in (("journal", "journaltitle"), ("address", "location"), ("school", "institution")):
        if not fields.get(new) and fields.get(old):
            fields[new] = fields[old]
    for name, value in fields.items():          # pybtex's styles read "%" as a comment
        if name not in RAW_FIELDS:
            fields[name] = re.sub(r"(?<!\\)%", r"\\%", value)
    for name in ("title", "booktitle"):
        sub = fields.get(name.replace("title", "subtitle"))
        if fields.get(name) and sub:
            fields[name] = f"{fields[name]}: {sub}"
    if not fields.get("year"):
        parsed, text = N.entry_date(entry)
        if parsed:
            fields["year"] = N.year_label(entry)
            if parsed[0].month:
                fields["month"] = N.MONTHS[parsed[0].month - 1]
        elif text:
            fields["year"] = text
    if kind == "unpublished" and not fields.get("note"):
        kind = "misc"
    persons = {role: [decoded_person(p) for p in people] for role, people in entry.persons.items()}
    view = Entry(kind, fields=fields, persons=persons)
    view.key = entry.key
    return view


def decoded_person(person: Person) -> Person:
    """A name with its LaTeX decoded (pybtex's labels and sorting see plain letters)."""
    if N.is_others(person):
        return person
    first, von, last, jr = N.parts(person)
    if len(person.last_names) == 1 and person.last_names[0].startswith("{") and not first:
        last = "{" + last.replace("{", "").replace("}", "") + "}"        # a corporate name, whole
    return Person(first=first, prelast=von, last=last, lineage=jr)


def unknown_key_diagnostic(key: str, bib: Bibliography, path: str | None = None,
                           line: int | None = None, col: int | None = None) -> Diagnostic:
    close = bib.suggest(key)
    hint = " (did you mean " + ", ".join(f"'{c}'" for c in close) + "?)" if close else ""
    return Diagnostic("cite-unknown", ERROR, f"unknown citation key '{key}'{hint}", path, line, col)


def load_bibliography(files: list[SourceFile], settings: BibSettings, diags: Diagnostics) -> Bibliography:
    """Read every .bib file; report problems in *diags*; never raise for bad input."""
    if settings.style not in STYLES:
        diags.error("bib-style-unknown", f"unknown bibliography style '{settings.style}'"
                    f"{did_you_mean(settings.style, STYLES)}; known styles: {', '.join(STYLES)}")
        settings = replace(settings, style="author-date")
    data, places = parse_files(files, diags)
    return Bibliography(data, places, settings)
