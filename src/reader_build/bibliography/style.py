"""The default bibliography style, "author-date", after the Chicago Manual of Style.

A pybtex formatting plugin (``find_plugin("pybtex.style.formatting", "author-date")``).
It reads biblatex and BibTeX fields alike, decodes their LaTeX through
:mod:`reader_build.latex`, and builds pybtex rich text:

    Hasegawa, Tsuyoshi. 1998. *The Northern Territories Dispute …*. 2 vols. Berkeley: …

Its labels are the years of the works, with "a"/"b" suffixes for one author's works
of one year in list order; :meth:`AuthorDateStyle.author_label` gives the author part
of a citation ("Hasegawa", "Baez and Lauda", "Aksın et al."; biblatex's ``shortauthor``
and ``shorteditor`` where given). An entry with a ``shorthand`` ("FRUS 1955–57, 23:1") is
cited by it in place of author and year, and listed under it, biblatex-fashion:

    FRUS 1955–57, 23:1 = United States Department of State. 1991. *Foreign Relations …*
"""
from __future__ import annotations

import re
from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import HRef, Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle

from .latex import fold, to_plain, to_rich
from . import names as N
from ..source.urls import EXTERNAL_SCHEMES, doi_url, encode_url, scheme_of, url_problem
from .terms import Terms, english

BOOKS = {"book", "mvbook", "collection", "mvcollection", "manual", "reference", "mvreference",
         "proceedings", "mvproceedings", "bookinbook", "booklet"}
PARTS = {"inbook", "incollection", "inproceedings", "inreference", "suppbook", "suppcollection",
         "conference"}
ARTICLES = {"article", "suppperiodical", "review"}
THESES = {"thesis", "phdthesis", "mastersthesis"}
REPORTS = {"report", "techreport"}
QUOTED = ARTICLES | PARTS | THESES | {"online", "unpublished"}
LOCAL = {
    "phdthesis": "PhD diss.", "mathesis": "Master’s thesis", "mastersthesis": "Master’s thesis",
    "bathesis": "Bachelor’s thesis", "candthesis": "Candidate thesis", "thesis": "Thesis",
    "techreport": "Technical report", "resreport": "Research report", "report": "Report",
    "software": "Computer software", "patent": "Patent", "patentus": "U.S. patent",
    "patenteu": "European patent", "patentde": "German patent", "patentfr": "French patent",
    "patentuk": "British patent", "patreq": "Patent request", "patreqfr": "French patent request",
    "patreqde": "German patent request", "patrequs": "U.S. patent request",
    "newseries": "n.s.", "oldseries": "o.s.", "countryde": "Germany", "countryeu": "European Union",
    "countryep": "European Patent Organisation", "countryfr": "France", "countryuk": "United Kingdom",
    "countryus": "United States", "countryjp": "Japan", "countryru": "Russia",
}
LANGS = {"german": "de", "ngerman": "de", "austrian": "de-AT", "swissgerman": "de-CH",
         "french": "fr", "spanish": "es", "italian": "it", "latin": "la", "russian": "ru",
         "japanese": "ja", "dutch": "nl", "portuguese": "pt", "brazilian": "pt-BR", "swedish": "sv",
         "danish": "da", "norwegian": "nb", "finnish": "fi", "polish": "pl", "czech": "cs",
         "greek": "el", "chinese": "zh", "korean": "ko", "turkish": "tr", "catalan": "ca"}
EPRINTS = {"arxiv": ("arXiv:", "https://arxiv.org/abs/"), "jstor": ("JSTOR ", "https://www.jstor.org/stable/"),
           "pubmed": ("PMID ", "https://pubmed.ncbi.nlm.nih.gov/"), "hdl": ("hdl:", "https://hdl.handle.net/"),
           "googlebooks": ("Google Books ", "https://books.google.com/books?id=")}
ROLES = (("introduction", "with-introduction"), ("foreword", "with-foreword"),       # role, its words (terms)
         ("afterword", "with-afterword"), ("commentator", "with-commentary"), ("annotator", "with-annotations"))
REPEATED_AUTHOR = "\u2014" * 3     # Chicago's 3-em dash for the names of the entry before
CORPORATE = "class:bib-corporate"  # a body's name: broken only between words, never hyphenated
KIND_WORDS = {"phdthesis": "phd-thesis", "mastersthesis": "masters-thesis", "techreport": "technical-report",
              "report": "report"}     # the entry types whose name the language's terms give


def names_text(text: str, persons) -> Text:
    """The names of a list as rich text, each corporate name (:func:`names.is_corporate`) in a
    span of its own, so that no style sheet or hyphenator breaks it inside a word."""
    bodies = sorted({N.normal(p) for p in persons if N.is_corporate(p)}, key=len, reverse=True)
    if not bodies:
        return Text(text)
    pieces, start = [], 0
    for found in re.finditer("|".join(re.escape(b) for b in bodies), text):
        pieces += [text[start:found.start()], Tag(CORPORATE, found.group())]
        start = found.end()
    pieces.append(text[start:])
    return Text(*[p for p in pieces if p])


def field(entry, name: str) -> str:
    value = entry.fields.get(name, "")
    return value if value and value.strip() else ""


def rich(entry, name: str, nested: bool = False) -> Text | None:
    value = field(entry, name)
    out = to_rich(value, nested) if value else None
    return out if out is not None and str(out).strip() else None


def local(entry, name: str, w: Terms | None = None) -> str:
    """A field's value, a biblatex localisation key ("phdthesis") as its words."""
    value = to_plain(field(entry, name))
    key = value.strip().lower()
    if w is not None and key in KIND_WORDS:
        return w[KIND_WORDS[key]]
    return LOCAL.get(key, value)


def ends_terminated(text) -> bool:
    return bool(re.search(r"[.?!…][”’»]*$", str(text).rstrip()))     # "(483 pp.)" still takes its period


def sentence(blocks, final: str = ".") -> Text:
    """Join blocks into sentences: ". " between them, one final period, never doubled."""
    out: list = []
    for block in blocks:
        if block is None or not str(block).strip():
            continue
        if out:
            out.append(" " if ends_terminated(out[-1]) else ". ")
        out.append(block)
    if out and final and not ends_terminated(out[-1]):
        out.append(final)
    return Text(*out)


def join_words(items: list, w: Terms | None = None) -> Text:
    """"A", "A and B", "A, B, and C" (the word and the comma of *w*, the language's terms)."""
    w = w or english()
    last, serial = w.and_sep, w.serial_comma
    items = [i for i in items if i is not None and str(i).strip()]
    out: list = []
    for n, item in enumerate(items):
        if n:
            out.append(last if len(items) == 2 or (not serial and n == len(items) - 1)
                       else ("," + last if n == len(items) - 1 else ", "))
        out.append(item)
    return Text(*out)


def split_list(entry, name: str) -> list[str]:  # noqa: D401
    """A biblatex list field ("Durham and London"), items decoded."""
    return [LOCAL.get(p.strip().lower(), p) for p in
            (to_plain(part) for part in N.split_and(field(entry, name))) if p.strip()]


def title_of(entry, prefix: str = "", quoted: bool = False, italic: bool = False,
             period_inside: bool = True, w: Terms | None = None) -> Text | None:
    title = rich(entry, prefix + "title", quoted)
    sub = rich(entry, prefix + "subtitle", quoted)
    if title is None:
        title, sub = sub, None
    if title is None:
        return None
    if sub is not None:
        title = Text(title, " " if re.search(r"[?!:.]$", str(title)) else ": ", sub)
    lang = LANGS.get(to_plain(field(entry, "langid")).lower())
    if lang:
        title = Text(Tag("lang:" + lang, title))
    if italic:
        return Text(Tag("i", title))
    if quoted:
        w = w or english()
        end = "." if period_inside and w.period_inside and not ends_terminated(title) else ""
        return Text(w.quotes[0], title, end, w.quotes[1])
    return title


def pages_of(entry, name: str = "pages") -> str:
    value = to_plain(field(entry, name))
    return re.sub(r"(?<=\w)\s*[-–]+\s*(?=\w)", "–", value)


def ordinal(value: str) -> str:
    if not value.isdigit():
        return value
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def edition_of(entry, w: Terms | None = None) -> str | None:
    w = w or english()
    value = to_plain(field(entry, "edition"))
    if not value:
        return None
    if value.isdigit():
        return w.edition(int(value), ordinal(value)) if value != "1" else None
    return value if re.search(r"\bed\.?$|edition", value, re.I) else f"{value} {w['ed']}"


def links_of(entry, w: Terms | None = None) -> list:
    doi = field(entry, "doi").strip()
    if doi:
        shown = "https://doi.org/" + re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.I)
        return [Text(HRef(doi_url(doi), shown))]
    eprint, url = to_plain(field(entry, "eprint")), field(entry, "url").strip()
    if eprint:
        kind = to_plain(field(entry, "eprinttype") or field(entry, "archiveprefix"))
        label, base = EPRINTS.get(kind.lower(), (f"{kind}: " if kind else "", ""))
        cls = to_plain(field(entry, "eprintclass") or field(entry, "primaryclass"))
        text = label + eprint + (f" [{cls}]" if cls else "")
        return [Text(HRef(base + eprint, text)) if base else Text(text)]
    if url:
        url = re.sub(r"\s+", "", url.replace("\\%", "%").replace("\\_", "_").replace("\\#", "#"))
        accessed = N.date_text(N.parse_date(field(entry, "urldate")), words=w)
        link = Text(HRef(encode_url(url), url)) if scheme_of(url) in EXTERNAL_SCHEMES and not url_problem(
            encode_url(url)) else Text(url)
        return [Text((w or english())["accessed"], " ", accessed) if accessed else None, link]
    return []


def others_of(entry, skip: str, w: Terms | None = None) -> list:
    """"Edited by …", "Translated by …", "With an introduction by …"."""
    w = w or english()
    editors = [] if skip == "editor" else entry.persons.get("editor", [])
    translators = [] if skip == "translator" else entry.persons.get("translator", [])
    out = []
    if editors and translators and N.same(editors, translators):
        out.append(Text(w["edited-translated-by"], " ", N.normal_list(editors, w)))
    else:
        if editors:
            out.append(Text(w["edited-by"], " ", N.normal_list(editors, w)))
        if translators:
            out.append(Text(w["translated-by"], " ", N.normal_list(translators, w)))
    for role, phrase in ROLES:
        persons = entry.persons.get(role, [])
        if persons and not N.same(persons, entry.persons.get("author", [])):
            out.append(Text(w[phrase], " ", N.normal_list(persons, w)))
    return out


def publication_of(entry, publisher: str = "publisher", w: Terms | None = None) -> Text | None:
    places = split_list(entry, "location") or split_list(entry, "address")
    names = split_list(entry, publisher)
    if not names and publisher == "publisher":
        names = split_list(entry, "organization")
    place, name = join_words(places, w), join_words(names, w)
    if places and names:
        return Text(place, ": ", name)
    return place if places else (name if names else None)


def volume_of(entry, w: Terms | None = None) -> Text | None:
    w = w or english()
    volume, part = to_plain(field(entry, "volume")), to_plain(field(entry, "part"))
    main = title_of(entry, "main", italic=True)
    if not volume:
        return Text(w["in"], " ", main) if main else None
    text = Text(w["vol"], " ", volume, f", pt. {part}" if part else "")
    return Text(text, f" {w['of']} ", main) if main else text


def series_of(entry) -> Text | None:
    series, number = rich(entry, "series"), to_plain(field(entry, "number"))
    if series is None:
        return None
    return Text(series, f" {number}" if number else "")


def tail_of(entry, w: Terms | None = None) -> list:
    return [rich(entry, "note"), rich(entry, "addendum"), *links_of(entry, w)]


class AuthorDateStyle(BaseStyle):
    """Chicago author-date reference list entries (a pybtex formatting style)."""

    default_name_style = "plain"
    default_label_style = "number"
    default_sorting_style = "none"

    bib_data = None      # set by the caller: needed for @set entries
    terms: Terms | None = None    # set by the caller: the words of the reader's language (English)

    @property
    def w(self) -> Terms:
        return self.terms or english()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sort = self.sort_entries
        self.format_labels = self.year_labels

    # --- labels and order ----------------------------------------------
    def sort_entries(self, entries):
        return sorted(entries, key=self.sort_key)

    def sort_key(self, entry):
        """Author, year, title; folded and compared as text in English, in the language's
        collation (bibliography.terms.Terms.collate) in another."""
        collate = self.w.collate
        if collate is None:
            return self._sort_fields(entry)
        who, year, title = self._sort_fields(entry)
        return (collate(who), year, collate(title))

    def _sort_fields(self, entry):
        entry = self.lead(entry)
        if field(entry, "sortkey"):
            return (fold(to_plain(field(entry, "sortkey"))), (), "")
        names, _ = N.primary(entry)
        shorthand = field(entry, "sortshorthand") or field(entry, "shorthand")
        title = fold(to_plain(field(entry, "sorttitle") or field(entry, "title")))
        title = re.sub(r"^(the|a|an) ", "", title)
        who = fold(to_plain(shorthand)) or fold(to_plain(field(entry, "sortname"))) or " ".join(
            N.sort_name(p, N.useprefix(entry)) for p in names) or title
        year = N.date_sort(entry)
        if field(entry, "sortyear"):
            year = (to_plain(field(entry, "sortyear")),)
        return (who, year, title)

    def year_labels(self, sorted_entries):
        """Year labels in list order, with a/b suffixes for same author and year."""
        keys = [(str(self.author_label(e)), N.year_label(self.lead(e), self.w["no-date"]),
                 self.shorthand(e) is not None) for e in sorted_entries]
        count, seen = Counter(keys), Counter()
        for key in keys:
            if count[key] > 1 and not key[2]:       # an entry cited by its shorthand needs no suffix
                letter = N.suffix_letters(seen[key])
                seen[key] += 1
                yield key[1] + ("-" if key[1].endswith(".") else "") + letter
            else:
                yield key[1]

    def author_label(self, entry) -> Text:
        """The author part of a citation: "Hasegawa", "Baez and Lauda", "Aksın et al."."""
        entry = self.lead(entry)
        names, role = N.primary(entry)
        short = [p for p in entry.persons.get("short" + (role or "author"), []) if not N.is_others(p)]
        if short:
            names = entry.persons["short" + (role or "author")]
        if names:
            return Text(N.short_list(names, N.useprefix(entry), self.w))
        short = rich(entry, "shorttitle")
        if short is not None:
            quoted = entry.type in QUOTED
            return Text(self.w.quotes[0], short, self.w.quotes[1]) if quoted else Text(Tag("i", short))
        title = title_of(entry, quoted=entry.type in QUOTED, italic=entry.type not in QUOTED,
                         period_inside=False, w=self.w)
        return title if title is not None else Text(entry.key)

    def shorthand(self, entry) -> Text | None:
        """The entry's ``shorthand`` (a set's own, or its first member's), as rich text."""
        return rich(entry, "shorthand") or (rich(self.lead(entry), "shorthand") if entry.type == "set" else None)

    # --- entries --------------------------------------------------------
    dash_repeated = True        # the 3-em dash for the names of the entry listed before

    def repeats(self, entry, before) -> bool:
        """Does *entry*, listed right after *before*, take the 3-em dash for its names? Both have
        the same names in the same order (as author, editor or translator), and neither is
        listed under a shorthand or is a set."""
        if not self.dash_repeated or before is None or "set" in (entry.type, before.type):
            return False
        if self.shorthand(entry) is not None or self.shorthand(before) is not None:
            return False
        names, before_names = N.primary(entry)[0], N.primary(before)[0]
        return bool(names) and N.same(names, before_names)

    def format_entry(self, label, entry, bib_data=None, repeated: bool = False):
        if label is None:
            label = N.year_label(self.lead(entry, bib_data), self.w["no-date"])
        if entry.type == "set":
            members = self.members(entry, bib_data)
            parts = [self.format_text(label if n == 0 else N.year_label(m, self.w["no-date"]), m, final="")
                     for n, m in enumerate(members)]
            text = sentence([Text(*sum(([Text("; ")] * (n > 0) + [p] for n, p in enumerate(parts)), []))])
            text = text if parts else Text(entry.key)
        else:
            text = self.format_text(label, entry, repeated=repeated)
        shorthand = self.shorthand(entry)
        if shorthand is not None:             # listed under the shorthand that its citations print
            text = Text(shorthand, " = ", text)
        return FormattedEntry(entry.key, text, label)

    def members(self, entry, bib_data=None) -> list:
        """The entries of a @set (sets inside sets are skipped)."""
        data = bib_data if bib_data is not None else self.bib_data
        if data is None:
            return []
        return [data.entries[k] for k in N.set_members(entry)
                if k in data.entries and data.entries[k].type != "set"]

    def lead(self, entry, bib_data=None):
        """The entry that stands for *entry* in labels and order (a set's first member)."""
        if entry.type == "set":
            members = self.members(entry, bib_data)
            return members[0] if members else entry
        return entry

    def format_text(self, label, entry, final: str = ".", repeated: bool = False) -> Text:
        kind = entry.type
        names, role = N.primary(entry)
        quoted = kind in QUOTED
        w = self.w
        title = title_of(entry, quoted=quoted, italic=not quoted, w=w)
        addon = rich(entry, "titleaddon")
        if addon is not None and title is not None and str(addon).lstrip().startswith(("[", "(")):
            # a bracketed translation stays with its title: “Title” [Translated title].
            title, addon = Text(title_of(entry, quoted=quoted, italic=not quoted, period_inside=False, w=w),
                                " ", addon), None
        if names:
            several = len(names) > 1          # "A and others" are editors too (biblatex: \ifandothers)
            suffix = {"editor": ", " + (w["eds"] if several else w["ed"]), "translator": ", " + w["trans"]}
            shown = Text(Tag("class:bib-repeated", REPEATED_AUTHOR)) if repeated else \
                names_text(N.inverted_list(names, N.useprefix(entry), w), names)
            head = [Text(shown, suffix.get(role, "")), label, title]
        else:
            head = [title or Text(entry.key), label]
        head.append(addon)
        if kind in ARTICLES:
            body = [*others_of(entry, role, w), self.journal(entry)]
        elif kind in PARTS:
            body = [*(b for b in others_of(entry, role, w) if str(b).startswith(w["translated-by"])),
                    self.container(entry), series_of(entry), publication_of(entry, w=w)]
        elif kind in THESES:
            kind_name = local(entry, "type", w) or (w[KIND_WORDS[kind]] if kind in KIND_WORDS else LOCAL.get(kind))
            where = join_words(split_list(entry, "institution") or split_list(entry, "school"), w)
            body = [Text(kind_name, ", ", where) if str(where) else Text(kind_name)]
        elif kind in REPORTS:
            kind_name = local(entry, "type", w) or (w[KIND_WORDS[kind]] if kind in KIND_WORDS else LOCAL[kind])
            number = to_plain(field(entry, "number"))
            body = [*others_of(entry, role, w), Text(kind_name, f" {number}" if number else ""),
                    publication_of(entry, "institution", w)]
        elif kind in BOOKS:
            volumes = to_plain(field(entry, "volumes"))
            body = [volume_of(entry, w), *others_of(entry, role, w), edition_of(entry, w),
                    Text(volumes, " ", w["vols"]) if volumes else None, series_of(entry),
                    publication_of(entry, w=w), self.pagetotal(entry)]
        else:
            body = self.misc(entry, role)
        return sentence([*head, *body, *tail_of(entry, w)], final)

    def pagetotal(self, entry):
        total = to_plain(field(entry, "pagetotal"))
        return Text(total, " " + self.w["pages-total"] if total.isdigit() else "") if total else None

    def journal(self, entry) -> Text | None:
        journal = title_of(entry, "journal", italic=True) or rich(entry, "journal")
        if journal is None:
            return None
        if not field(entry, "journaltitle") and field(entry, "journal"):
            journal = Text(Tag("i", rich(entry, "journal")))
        out = [journal]
        series = local(entry, "series")
        if series:
            out.append(", " + (f"{ordinal(series)} ser." if series.isdigit() else series))
        volume = to_plain(field(entry, "volume"))
        number = to_plain(field(entry, "number")) or to_plain(field(entry, "issue"))
        if volume:
            out.append(f" {volume}" + (f" ({number})" if number else ""))
        elif number:
            out.append(f", {self.w['number']} {number}")
        else:
            date = N.parse_date(field(entry, "date"))
            if date and date[0].month:
                out.append(", " + N.date_text(date, year=False, words=self.w))
        pages = pages_of(entry) or to_plain(field(entry, "eid"))
        if pages:
            out.append((": " if volume or number else ", ") + pages)
        return Text(*out)

    def container(self, entry) -> Text | None:
        w = self.w
        book = title_of(entry, "book", italic=True)
        main = title_of(entry, "main", italic=True)
        volume = to_plain(field(entry, "volume"))
        vol = f"{w['vol-inline']} {volume}"
        out: list = []
        if book is not None:
            out = [w["in"] + " ", book]
            addon = rich(entry, "booktitleaddon")
            if addon is not None:
                out += [", ", addon]
            if main is not None:
                out += [f", {vol} {w['of']} " if volume else f", {w['in'].lower()} ", main]
            elif volume:
                out.append(f", {vol}")
        elif main is not None:
            out = [w["in"] + " ", main] + ([f", {vol}"] if volume else [])
        bookauthors = entry.persons.get("bookauthor", [])
        if out and bookauthors and not N.same(bookauthors, entry.persons.get("author", [])):
            out += [f", {w['by']} ", N.normal_list(bookauthors, w)]
        editors = entry.persons.get("editor", [])
        if out and editors and N.primary(entry)[1] != "editor":
            out += [f", {w['edited-by-inline']} ", N.normal_list(editors, w)]
        chapter, pages = to_plain(field(entry, "chapter")), pages_of(entry)
        extra = ", ".join(x for x in (f"{w['chapter']} {chapter}" if chapter else "", pages) if x)
        if extra:
            out += [", " if out else "", extra]
        return Text(*out) if out else None

    def misc(self, entry, role) -> list:
        kind_name = local(entry, "type")
        number = to_plain(field(entry, "number"))
        version = to_plain(field(entry, "version"))
        volume = to_plain(field(entry, "volume"))
        issue = title_of(entry, "issue", quoted=True, w=self.w)
        date = N.parse_date(field(entry, "date"))
        when = N.date_text(date, words=self.w) if entry.type == "online" and date and date[0].month else None
        if entry.type == "patent" and not kind_name:
            kind_name = "Patent"
        ident = Text(kind_name, f" {number}" if number else "") if kind_name else (
            Text(f"{self.w['number'].capitalize()} {number}") if number and not volume else None)
        vol = Text(f"{self.w['vol']} {volume}", f", {self.w['number']} {number}" if number else "") if volume else None
        where = publication_of(entry, w=self.w) or publication_of(entry, "institution", self.w)
        holders = entry.persons.get("holder", [])
        return [*others_of(entry, role, self.w), issue, rich(entry, "howpublished"),
                rich(entry, "eventtitle"), ident, vol,
                Text(self.w["version"], " ", version) if version else None,
                Text(self.w["held-by"], " ", N.normal_list(holders, self.w)) if holders else None, where, when]


register_plugin("pybtex.style.formatting", "author-date", AuthorDateStyle, force=True)
