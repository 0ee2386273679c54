"""Draft authority entries for the names no entry matches (``reader-build index suggest``).

Pure: the names found by :func:`check.collect_unmatched` in, TOML text out.

* **Person or place** is guessed from the words around each occurrence, by rules that
  hold in any English text: a title or office before the name ("King", "President",
  "Mr", "General"), a verb of speech or "who" after it ("said", "wrote"), or an initial
  in it ("John F. Kennedy") make a person; a geographic word in it ("Hudson River",
  "Mount Fuji"), "city of", "town of" before it, "in", "at", "near" before it, or
  "harbour" after it make a place.  Each occurrence votes; the guess and the evidence are
  written as a comment, and with no evidence at all the comment says so.
* **Variants** that plainly belong together become one entry: possessives and "the X"
  are one name already; a surname alone ("Kennedy") joins the one full name that ends in
  it ("John F. Kennedy"), and forms with initials join the full name they abbreviate
  ("J. F. Kennedy").
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..source.project import SUGGESTIONS_FILE
from .authority import fold
from .check import NameSeen
from .words import PERSON_AFTER, PERSON_BEFORE, PLACE_AFTER, PLACE_BEFORE, PLACE_WORDS, TITLES, base_form

__all__ = ["SUGGESTIONS_FILE", "Suggestion", "suggest", "suggestions_toml"]


@dataclass
class Suggestion:
    heading: str
    kind: str
    variants: list[str]
    count: int
    first: NameSeen
    evidence: Counter = field(default_factory=Counter)    # "President Truman" -> 3
    score: Counter = field(default_factory=Counter)       # "person" / "place" -> votes
    ident: str = ""


def _votes(name: str, record: NameSeen) -> tuple[Counter, Counter]:
    """Person and place votes for one name, and the evidence for them."""
    score: Counter = Counter()
    evidence: Counter = Counter()
    words = name.split()
    if any(base_form(w) in PLACE_WORDS for w in words):
        score["place"] += 2 * record.count
        evidence[f"'{next(w for w in words if base_form(w) in PLACE_WORDS)}' in the name"] += record.count
    if any(re.fullmatch(r"[A-Z]\.", w) for w in words[:-1]):
        score["person"] += 2 * record.count
        evidence["initials in the name"] += record.count
    for before, n in record.before.items():
        for kind, table in (("place", PLACE_BEFORE), ("person", PERSON_BEFORE)):
            for size in (2, 1):
                weight = table.get(before[-size:]) if len(before) >= size else None
                if weight:
                    score[kind] += weight * n
                    evidence[f"\u201c{' '.join(before[-size:])} {name}\u201d"] += n
                    break
        if before[-1] in TITLES and before[-1] not in ("st", "saint"):
            score["person"] += 2 * n
            evidence[f"\u201c{before[-1].capitalize()} {name}\u201d"] += n
    for after, n in record.after.items():
        if after[0] in PERSON_AFTER:
            score["person"] += 2 * n
            evidence[f"\u201c{name} {after[0]}\u201d"] += n
        elif after[0] in PLACE_AFTER:
            score["place"] += 2 * n
            evidence[f"\u201c{name} {after[0]}\u201d"] += n
    return score, evidence


def _initials_match(short: list[str], full: list[str]) -> bool:
    """"R. Halloway" and "E. R. Halloway" abbreviate "Edmund R. Halloway": the same last word,
    and each given name or initial of the short form, in order, one of the full form's."""
    if short[-1] != full[-1] or len(short) > len(full) or short == full:
        return False
    given = iter(full[:-1])
    for word in short[:-1]:
        initial = word.endswith(".") and len(word) == 2
        if not any(name == word or (initial and name[:1] == word[:1]) for name in given):
            return False
    return any(w.endswith(".") and len(w) == 2 for w in short[:-1])


def _group(names: dict[str, NameSeen]) -> dict[str, list[str]]:
    """Full name -> its variants (itself first): initialled forms joined to the one full name
    they abbreviate, then a surname alone joined to the one full name that ends in it (a
    surname that several people share stays alone)."""
    joined: dict[str, str] = {}
    multi = [n for n in names if " " in n]
    for name in multi:
        owners = [m for m in multi if _initials_match(name.split(), m.split())]
        if len(owners) == 1:
            joined[name] = owners[0]
    for name in names:
        if " " not in name:
            owners = {joined.get(m, m) for m in multi if m.split()[-1] == name}
            if len(owners) == 1:
                joined[name] = owners.pop()
    groups: dict[str, list[str]] = {}
    for name in names:
        owner = joined.get(name, name)
        groups.setdefault(owner, [owner])
        if name != owner:
            groups[owner].append(name)
    return groups


def _heading(name: str, kind: str) -> str:
    """A person's heading inverted ("Kennedy, John F."); a place's as written."""
    words = name.split()
    if kind != "person" or len(words) < 2:
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "entry"


def suggest(names: dict[str, NameSeen], taken_ids=(), minimum: int = 1) -> list[Suggestion]:
    """One suggestion per group of variants that occurs at least *minimum* times, most
    frequent first; ids are unique and differ from *taken_ids* (the authority file's)."""
    out = []
    for owner, members in _group(names).items():
        score: Counter = Counter()
        evidence: Counter = Counter()
        for member in members:
            s, e = _votes(member, names[member])
            score.update(s)
            evidence.update(e)
        count = sum(names[m].count for m in members)
        if count < minimum:
            continue
        kind = "place" if score["place"] > score["person"] else "person"
        first = min((names[m] for m in members), key=lambda r: (r.path, r.line, r.col or 0))
        variants = sorted(members, key=lambda m: (-len(m), m))
        out.append(Suggestion(_heading(owner, kind), kind, variants, count, first, evidence, score))
    out.sort(key=lambda s: (-s.count, fold(s.heading)))
    used = set(taken_ids)
    for item in out:
        base = _slug(item.heading)
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        item.ident = ident
    return out


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _why(item: Suggestion) -> str:
    if not item.score:
        return f"# kind: no clue in the text; {item.kind} is only a default: check it"
    shown = ", ".join(f"{what} \u00d7{n}" if n > 1 else what for what, n in item.evidence.most_common(3))
    return f"# kind: {item.kind} ({shown})"


def suggestions_toml(items: list[Suggestion], source: str = "") -> str:
    """The file to review: a header, then one commented ``[[entry]]`` table per suggestion."""
    lines = ["# Draft entries for the names in the text that no entry of the index matches,",
             "# made by `reader-build index suggest`. Review them: fix the kind and the heading,",
             "# drop what is no person or place, and move the entries you keep into your",
             "# authority file. This file is not read by the builds.",
             ""]
    for item in items:
        first = item.first
        place = f"{first.path}:{first.line}" + (f":{first.col}" if first.col else "")
        times = "once" if item.count == 1 else f"{item.count} times"
        lines += [f"# {item.variants[0]}: {times}, first at {place}", _why(item), "[[entry]]",
                  f"id = {_toml_string(item.ident)}", f"kind = {_toml_string(item.kind)}",
                  f"heading = {_toml_string(item.heading)}",
                  "variants = [" + ", ".join(_toml_string(v) for v in item.variants) + "]", ""]
    return "\n".join(lines)
