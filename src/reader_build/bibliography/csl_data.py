"""pybtex entries as CSL-JSON items (the input of a CSL processor).

BibTeX and biblatex types and fields are mapped as pandoc and Zotero's Better BibTeX
map them: ``@book``/``@mvbook`` → ``book``, ``@inbook``/``@incollection`` → ``chapter``,
``@article`` → ``article-journal`` (``article-magazine``/``article-newspaper`` by
``entrysubtype``), ``@thesis`` → ``thesis``, ``@report`` → ``report``, ``@online`` →
``webpage``, ``@misc`` → ``document`` … LaTeX is decoded to Unicode first (titles keep
their italics as the ``<i>`` markup CSL processors understand); ``crossref`` has already
been resolved by :mod:`load`. Names: a single braced family name (``{United Nations}``)
is a corporate name (``literal``); a name marked family-first (see
:func:`names.family_first`) gets CSL's ``static-ordering``.
"""
from __future__ import annotations

import html
import re

from pybtex.database import Entry, Person

from . import names as N
from .latex import render_html, to_plain, to_rich
from .style import LANGS, LOCAL

TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "bookinbook": "book",
    "collection": "book", "mvcollection": "book", "proceedings": "book", "mvproceedings": "book",
    "reference": "book", "mvreference": "book", "manual": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "suppbook": "chapter",
    "suppcollection": "chapter", "inproceedings": "paper-conference", "conference": "paper-conference",
    "inreference": "entry-encyclopedia", "thesis": "thesis", "phdthesis": "thesis",
    "mastersthesis": "thesis", "report": "report", "techreport": "report", "online": "webpage",
    "electronic": "webpage", "www": "webpage", "misc": "document", "unpublished": "manuscript",
    "patent": "patent", "software": "software", "dataset": "dataset", "periodical": "periodical",
    "suppperiodical": "article-journal", "review": "review", "letter": "personal_communication",
    "movie": "motion_picture", "video": "motion_picture", "audio": "song", "music": "song",
    "artwork": "graphic", "image": "graphic", "legislation": "legislation", "legal": "legislation",
    "jurisdiction": "legal_case", "standard": "standard", "performance": "performance",
}
SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}
GENRES = {"phdthesis": "PhD diss.", "mathesis": "Master’s thesis", "mastersthesis": "Master’s thesis"}
# BibTeX's "and others", as pandoc writes it in CSL-JSON (glue.js prints it as et al.)
OTHERS = {"literal": "others"}
ROLES = {"author": "author", "editor": "editor", "translator": "translator",
         "bookauthor": "container-author", "holder": "author"}
PLAIN_FIELDS = {"volume": "volume", "volumes": "number-of-volumes", "edition": "edition",
                "pagetotal": "number-of-pages", "isbn": "ISBN", "issn": "ISSN",
                "version": "version", "chapter": "chapter-number", "pubstate": "status",
                "eventtitle": "event-title", "venue": "event-place", "note": "note",
                "addendum": "references", "howpublished": "medium"}
# Locator terms of citations.py and their CSL locator labels.
LOCATOR_LABELS = {
    "p.": "page", "pp.": "page", "page": "page", "pages": "page",
    "chap.": "chapter", "chaps.": "chapter", "ch.": "chapter", "chapter": "chapter", "chapters": "chapter",
    "sec.": "section", "secs.": "section", "section": "section", "sections": "section",
    "§": "section", "§§": "section", "para.": "paragraph", "paras.": "paragraph",
    "paragraph": "paragraph", "paragraphs": "paragraph", "n.": "note", "nn.": "note",
    "note": "note", "notes": "note", "vol.": "volume", "vols.": "volume", "volume": "volume",
    "volumes": "volume", "fig.": "figure", "figs.": "figure", "figure": "figure", "figures": "figure",
    "col.": "column", "cols.": "column", "column": "column", "columns": "column",
    "l.": "line", "ll.": "line", "line": "line", "lines": "line", "no.": "issue", "nos.": "issue",
    "fol.": "folio", "fols.": "folio", "bk.": "book", "pt.": "part", "s.v.": "sub-verbo",
    "s.vv.": "sub-verbo", "v.": "verse", "vv.": "verse",
}


def text(entry: Entry, name: str) -> str:
    return to_plain(entry.fields.get(name, ""))


def rich(entry: Entry, name: str) -> str:
    """A field in CSL's inline markup: the tags citeproc-js reads (``<i>``, ``<b>``,
    ``<sup>``, ``<sub>``, ``<span class="nocase">`` for a braced group), everything else
    plain text. Not HTML: citeproc-js escapes what it is given, so "&" is written "&"."""
    value = entry.fields.get(name, "")
    if not value.strip():
        return ""
    out = re.sub(r"</?(?:a|code)\b[^>]*>", "", render_html(to_rich(value, protect=True)))
    return html.unescape(_drop_spans(out))


def _drop_spans(markup: str) -> str:
    """``<span class="nocase">`` kept and other spans' tags dropped, each closing tag
    paired with its opening one (spans nest: a language inside a braced group)."""
    out, stack = [], []
    for piece in re.split(r"(<span\b[^>]*>|</span>)", markup):
        if piece.startswith("<span"):
            stack.append(piece == '<span class="nocase">')
            if stack[-1]:
                out.append(piece)
        elif piece == "</span>":
            if stack and stack.pop():
                out.append(piece)
        else:
            out.append(piece)
    return "".join(out)


def joined_title(entry: Entry, prefix: str = "") -> str:
    title, sub = rich(entry, prefix + "title"), rich(entry, prefix + "subtitle")
    if title and sub:
        return f"{title}{' ' if re.search(r'[?!:.]$', title) else ': '}{sub}"
    return title or sub


def csl_type(entry: Entry) -> str:
    kind = entry.type.lower()
    if kind == "article":
        sub = text(entry, "entrysubtype").lower()
        return SUBTYPES.get(sub, "article-journal")
    if kind == "inbook" and not entry.fields.get("booktitle") and not entry.fields.get("maintitle"):
        return "book"
    return TYPES.get(kind, "document")


def csl_name(person: Person) -> dict | None:
    if N.is_others(person):
        return None
    first, von, last, jr = N.parts(person)
    if len(person.last_names) == 1 and person.last_names[0].startswith("{") and not first and not von:
        return {"literal": last}
    out: dict = {"family": last}
    if first:
        out["given"] = first
    if von:
        out["non-dropping-particle"] = von
    if jr:
        out["suffix"] = jr
    if N.family_first(person):
        out["static-ordering"] = True
    return out


def csl_date(raw: str) -> dict | None:
    parsed = N.parse_date(raw)
    if parsed is None:
        plain = to_plain(raw)
        return {"literal": plain} if plain else None
    start, end, _ = parsed

    def parts(date) -> list[int]:
        return [v for v in (date.year, date.month, date.day) if v] or [date.year]
    out: dict = {"date-parts": [parts(start)] + ([parts(end)] if end else [])}
    if to_plain(raw).strip().endswith(("~", "%")):
        out["circa"] = True
    return out


def issued(entry: Entry) -> dict | None:
    if entry.fields.get("date", "").strip():
        return csl_date(entry.fields["date"])
    year = text(entry, "year")
    if not year:
        return None
    month = N.month_number(text(entry, "month"))
    if not re.fullmatch(r"-?\d{1,4}", year):
        return {"literal": year}
    return {"date-parts": [[int(year)] + ([month] if month else [])]}


def _names(entry: Entry, item: dict) -> None:
    for role, variable in ROLES.items():
        persons = entry.persons.get(role, [])
        people = [n for n in (csl_name(p) for p in persons) if n]
        if people and variable not in item:
            item[variable] = people + ([OTHERS] if N.is_others(persons[-1]) else [])
    if item.get("type") == "book" and entry.fields.get("maintitle") and "editor" in item \
            and "author" not in item:
        item["collection-editor"] = item["editor"]


def _containers(entry: Entry, item: dict) -> None:
    kind = item["type"]
    journal = joined_title(entry, "journal") or rich(entry, "journal")
    book = joined_title(entry, "book")
    main = joined_title(entry, "main")
    if kind.startswith("article") or kind == "review":
        if journal:
            item["container-title"] = journal
        if entry.fields.get("shortjournal"):
            item["container-title-short"] = rich(entry, "shortjournal")
        number = text(entry, "number") or text(entry, "issue")
        if number:
            item["issue"] = number
    elif book or (main and kind != "book"):
        item["container-title"] = book or main
        if book and main:
            item["collection-title"] = main
    elif main and kind == "book":
        item["container-title"] = main
    if entry.fields.get("series") and not kind.startswith("article"):
        item.setdefault("collection-title", rich(entry, "series"))
        if text(entry, "number") and kind not in ("report",):
            item["collection-number"] = text(entry, "number")


def _publication(entry: Entry, item: dict) -> None:
    kind = item["type"]
    publisher = [to_plain(p) for p in N.split_and(entry.fields.get("publisher", ""))]
    place = [to_plain(p) for p in N.split_and(entry.fields.get("location", "")
                                              or entry.fields.get("address", ""))]
    institution = [to_plain(p) for p in N.split_and(entry.fields.get("institution", "")
                                                    or entry.fields.get("school", ""))]
    if kind in ("thesis", "report") and institution and not publisher:
        publisher = institution
    if not publisher and entry.fields.get("organization"):
        publisher = [text(entry, "organization")]
    if publisher:
        item["publisher"] = _and([LOCAL.get(p.lower(), p) for p in publisher])
    if place:
        item["publisher-place"] = _and(place)
    kind_name = text(entry, "type")
    if kind == "thesis":
        item["genre"] = GENRES.get(kind_name.lower()) or LOCAL.get(kind_name.lower(), kind_name) \
            or GENRES.get(entry.type.lower(), "Thesis")
    elif kind_name:
        item["genre"] = LOCAL.get(kind_name.lower(), kind_name)
    if kind == "report" and text(entry, "number"):
        item["number"] = text(entry, "number")


def _and(items: list[str]) -> str:
    """A biblatex list as biblatex prints it: "A and B", "A, B, and C"."""
    if len(items) < 3:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _short_forms(entry: Entry, item: dict) -> None:
    """biblatex's ``shorthand`` as CSL's ``citation-label`` (the label that label styles
    print; citeproc-js uses a given one); ``shorthand`` and ``shortauthor``/``shorteditor``,
    which no CSL variable holds, under CSL-JSON's ``custom`` (for a processor's
    abbreviations), names as CSL names."""
    custom: dict = {}
    shorthand = rich(entry, "shorthand")
    if shorthand:
        item["citation-label"] = re.sub(r"</?i>", "", shorthand)
        custom["shorthand"] = shorthand
    for role in ("shortauthor", "shorteditor"):
        people = [n for n in (csl_name(p) for p in entry.persons.get(role, [])) if n]
        if people:
            custom[role] = people
    if custom:
        item["custom"] = custom


def _links(entry: Entry, item: dict) -> None:
    doi = entry.fields.get("doi", "").strip()
    if doi:
        item["DOI"] = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.I)
    url = entry.fields.get("url", "").strip()
    if url:
        item["URL"] = re.sub(r"\s+", "", url.replace("\\%", "%").replace("\\_", "_").replace("\\#", "#"))
    if entry.fields.get("urldate", "").strip():
        accessed = csl_date(entry.fields["urldate"])
        if accessed:
            item["accessed"] = accessed


def to_csl(key: str, entry: Entry) -> dict:
    """The CSL-JSON item of one entry."""
    item: dict = {"id": key, "type": csl_type(entry)}
    title = joined_title(entry)
    if item["type"] == "book" and not title and entry.fields.get("maintitle"):
        title = joined_title(entry, "main")
    if title:
        item["title"] = title
    if entry.fields.get("shorttitle"):
        item["title-short"] = rich(entry, "shorttitle")
    _names(entry, item)
    _containers(entry, item)
    _publication(entry, item)
    for name, variable in PLAIN_FIELDS.items():
        value = rich(entry, name) if name in ("note", "addendum") else text(entry, name)
        if value and variable not in item:
            item[variable] = value
    pages = text(entry, "pages")
    if pages:
        item["page"] = re.sub(r"(?<=\w)\s*[-–]+\s*(?=\w)", "–", pages)
    date = issued(entry)
    if date:
        item["issued"] = date
    if entry.fields.get("origdate", "").strip():
        item["original-date"] = csl_date(entry.fields["origdate"])
    lang = LANGS.get(text(entry, "langid").lower()) or text(entry, "language")
    if lang:
        item["language"] = LANGS.get(lang.lower(), lang)
    _short_forms(entry, item)
    _links(entry, item)
    return item


def locator(raw: str, split) -> tuple[str, str, str]:
    """(CSL label, locator, extra suffix) of a citation's locator text ("pp. 4-6")."""
    if not raw:
        return "", "", ""
    term, value, rest = split(raw)
    if not term:
        if re.match(r"^[\dIVXLCDMivxlcdm]", raw.strip()) and not re.search(r"[a-z]{3,}", raw):
            return "page", raw.strip(), ""
        return "", "", raw.strip()
    return LOCATOR_LABELS.get(term.lower(), "page"), value, rest
