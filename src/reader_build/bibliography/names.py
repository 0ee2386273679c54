"""Names and dates of bibliography entries, decoded: the pieces citations are made of.

Names follow biblatex: a particle ("van", "de la") belongs to the given names unless the
entry has ``options = {useprefix}`` — "Gennep, Arnold van" sorts under G and is cited as
"Gennep"; with useprefix, "van Gennep, Arnold" sorts under V. Braced names
(``{{Ministry of Foreign Affairs of Japan}}``) stay whole. Dates are biblatex ``date``
(``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ranges ``YYYY/YYYY``, open ``YYYY/``) or BibTeX
``year``/``month``.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from pybtex.bibtex.utils import split_name_list

from .latex import NBSP, fold, to_plain

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
INITIAL = re.compile(r"(?<![\w.])(\w{1,2}\.) (?=\w)")
MAX_LISTED = 10          # Chicago: up to ten authors are listed …
SHOWN_WHEN_CUT = 7       # … more than ten: the first seven, then "et al."


class Date(NamedTuple):
    year: int
    month: int = 0
    day: int = 0


# --- options and roles -------------------------------------------------------
def options(entry) -> dict[str, str]:
    out = {}
    for item in entry.fields.get("options", "").split(","):
        name, _, value = item.partition("=")
        if name.strip():
            out[name.strip().lower()] = (value.strip().lower() or "true")
    return out


def useprefix(entry) -> bool:
    return options(entry).get("useprefix", "false") == "true"


def is_others(person) -> bool:
    return str(person).strip().lower() == "others"


def primary(entry) -> tuple[list, str | None]:
    """The names that lead the entry and its citations, and their role."""
    opts = options(entry)
    for role, default in (("author", "true"), ("editor", "true"), ("translator", "false")):
        persons = entry.persons.get(role, [])
        if opts.get("use" + role, default) != "false" and any(not is_others(p) for p in persons):
            return persons, role
    return [], None


def same(a, b) -> bool:
    return [str(p) for p in a] == [str(p) for p in b]


def is_corporate(person) -> bool:
    """A name in braces, as BibTeX writes a body ("{United States Department of State}"): one
    family name, braced whole, and nothing else."""
    last = person.last_names
    return (len(last) == 1 and last[0].startswith("{") and last[0].endswith("}")
            and not (person.first_names or person.middle_names or person.prelast_names or person.lineage_names))


# --- one name ----------------------------------------------------------------
def parts(person) -> tuple[str, str, str, str]:
    """(given names, particle, family name, suffix), decoded."""
    def dec(names):
        return " ".join(x for x in (to_plain(n) for n in names) if x)
    return (dec(person.first_names + person.middle_names), dec(person.prelast_names),
            dec(person.last_names), dec(person.lineage_names))


def _initials(text: str) -> str:
    """No line break after an initial: "A.\u00a0A.\u00a0Gromyko"."""
    return INITIAL.sub("\\1" + NBSP, text)


def family_first(person) -> bool:
    """Marked to be printed family name first, with no comma ("Satō Masaru")."""
    return bool(getattr(person, "family_first", False))


def mark_family_first(entry) -> None:
    """Mark the names to print family name first: every name of an entry with
    ``options = {nameorder=family-first}``, or the names an annotation picks
    (``author+an = {1=family-first; 3=family-first}``, biblatex's item annotations)."""
    whole = options(entry).get("nameorder", "") == "family-first"
    for role, persons in entry.persons.items():
        picked = set()
        note = entry.fields.get(role + "+an", "")
        for part in note.split(";"):
            number, _, value = part.partition("=")
            if number.strip().isdigit() and "family-first" in value.lower():
                picked.add(int(number.strip()))
        for n, person in enumerate(persons, start=1):
            if whole or n in picked:
                person.family_first = True


def _family_first(person) -> str:
    first, von, last, jr = parts(person)
    return _initials(" ".join(x for x in (von, last, first, jr) if x))


def inverted(person, prefix: bool) -> str:
    if family_first(person):
        return _family_first(person)
    first, von, last, jr = parts(person)
    if prefix and von:
        last, von = f"{von} {last}", ""
    given = " ".join(x for x in (first, von) if x)
    return _initials(", ".join(x for x in (last, given, jr) if x))


def normal(person) -> str:
    if family_first(person):
        return _family_first(person)
    return _initials(" ".join(x for x in parts(person) if x))


def short(person, prefix: bool) -> str:
    _, von, last, _ = parts(person)
    return f"{von} {last}" if prefix and von else (last or normal(person))


def sort_name(person, prefix: bool) -> str:
    first, von, last, jr = parts(person)
    if prefix and von:
        return fold(f"{von} {last} {first} {jr}")
    return fold(f"{last} {first} {von} {jr}")


# --- lists of names ----------------------------------------------------------
def _real(persons) -> tuple[list, bool]:
    real = [p for p in persons if not is_others(p)]
    return real, len(real) != len(persons)


def _series(items: list[str], etal: bool, comma_before_and: bool, words=None) -> str:
    """Names joined with the words of *words* (bibliography.terms.Terms; English without it)."""
    and_, et_al, serial = (words.and_sep, words["et-al"], words.serial_comma) if words else (" and ", "et al.", True)
    if etal:
        return ", ".join(items) + (f", {et_al}" if comma_before_and or len(items) > 1 else f" {et_al}")
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]}{',' if comma_before_and and serial else ''}{and_}{items[1]}"
    return ", ".join(items[:-1]) + ("," if serial else "") + and_ + items[-1]


def inverted_list(persons, prefix: bool, words=None) -> str:
    """Reference-list names: the first inverted, "and" before the last, et al. past ten."""
    real, etal = _real(persons)
    if len(real) > MAX_LISTED:
        real, etal = real[:SHOWN_WHEN_CUT], True
    names = [inverted(real[0], prefix)] + [normal(p) for p in real[1:]] if real else []
    return _series(names, etal, comma_before_and=bool(real) and "," in names[0], words=words)


def normal_list(persons, words=None) -> str:
    real, etal = _real(persons)
    if len(real) > MAX_LISTED:
        real, etal = real[:SHOWN_WHEN_CUT], True
    names = [normal(p) for p in real]
    if etal:
        return ", ".join(names) + " " + (words["et-al"] if words else "et al.")
    return _series(names, False, comma_before_and=False, words=words)


def short_list(persons, prefix: bool, words=None) -> str:
    """Citation names: "Hara", "Baez and Lauda", "Hara, Kimura, and Ito", "Aksın et al."."""
    real, etal = _real(persons)
    names = [short(p, prefix) for p in real]
    if etal or len(names) > 3:
        return f"{names[0]} " + (words["et-al"] if words else "et al.")
    return _series(names, False, comma_before_and=False, words=words)


def split_and(value: str) -> list[str]:
    """Split a biblatex list field on "and" outside braces."""
    return split_name_list(value) if value and value.strip() else []


# --- dates -------------------------------------------------------------------
# a month or day "XX" is EDTF's (and biblatex's) unspecified one: "1969-XX" is 1969
ONE_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}|XX)(?:-(\d{1,2}|XX))?)?(?:T[\d:.+-]*Z?)?[?~%]?$")


def _one(text: str) -> Date | None:
    m = ONE_DATE.match(text.strip())
    if not m:
        return None
    month = int(m.group(2)) if m.group(2) and m.group(2).isdigit() else 0
    day = int(m.group(3)) if m.group(3) and m.group(3).isdigit() else 0
    if not 0 <= month <= 12 or not 0 <= day <= 31:
        return None
    return Date(int(m.group(1)), month, day if month else 0)


def parse_date(raw: str) -> tuple[Date, Date | None, bool] | None:
    """(start, end, open-ended) of a biblatex date, or None."""
    text = to_plain(raw).strip()
    if not text:
        return None
    if "/" in text:
        a, b = text.split("/", 1)
        start = _one(a)
        if start is None:
            return None
        end = _one(b) if b.strip() not in ("", "..") else None
        return start, end, end is None
    start = _one(text)
    return (start, None, False) if start else None


def month_number(value: str) -> int:
    value = to_plain(value).strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    for n, name in enumerate(MONTHS, 1):
        if len(value) >= 3 and name.lower().startswith(value[:3]):
            return n
    return 0


def entry_date(entry) -> tuple[tuple[Date, Date | None, bool] | None, str]:
    """The parsed date of an entry, and its text when it cannot be parsed ("forthcoming")."""
    date = entry.fields.get("date", "")
    if date.strip():
        parsed = parse_date(date)
        return parsed, "" if parsed else to_plain(date)
    year = to_plain(entry.fields.get("year", "")).strip()
    m = re.match(r"^(\d{1,4})(?:\s*[-–—/]+\s*(\d{1,4}))?$", year)
    if not m:
        return None, year
    month = month_number(entry.fields.get("month", ""))
    day = to_plain(entry.fields.get("day", "")).strip()
    start = Date(int(m.group(1)), month, int(day) if month and day.isdigit() and int(day) <= 31 else 0)
    end = Date(int(m.group(2))) if m.group(2) else None
    return (start, end, False), ""


def year_label(entry, no_date: str = "n.d.") -> str:
    parsed, text = entry_date(entry)
    if parsed:
        start, end, open_end = parsed
        label = str(start.year)
        if end and end.year != start.year:
            label += f"–{end.year}"
        return label + ("–" if open_end else "")
    return text or no_date


def date_sort(entry) -> tuple:
    sortyear = to_plain(entry.fields.get("sortyear", "")).strip()
    if sortyear.isdigit():
        return (int(sortyear), 0, 0, "")
    parsed, text = entry_date(entry)
    if parsed:
        start = parsed[0]
        return (start.year, start.month, start.day, "")
    return (99999, 0, 0, fold(text))


def date_text(parsed, year: bool = True, words=None) -> str:
    """"October 27, 2004", "March 1991", "1991" (or without the year); in the language of
    *words* (bibliography.terms.Terms) when it gives month names."""
    if not parsed:
        return ""
    start = parsed[0]
    if words is not None and words.dates and start.month:
        return words.date(start.year, start.month, start.day, year)
    month = MONTHS[start.month - 1] if start.month else ""
    if not year:
        return f"{month} {start.day}" if start.day else month
    if month and start.day:
        return f"{month} {start.day}, {start.year}"
    return f"{month} {start.year}".strip()


def suffix_letters(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def set_members(entry) -> list[str]:
    return [k.strip() for k in entry.fields.get("entryset", "").split(",") if k.strip()]
