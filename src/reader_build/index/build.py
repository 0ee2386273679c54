"""The printed and e-book index: from located mentions to letter groups of lines.

:func:`build_index` groups the mentions of one kind of entry (people or places),
turns their pages into Chicago-style locators (ranges "41–43", note-only pages
"12n"), sorts the entries word by word on their folded sort keys, nests
sub-entries under their entries and adds "see" and "see also" references.
Without pages (no print edition) the locators are section labels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from ..ids import continued_id
from .authority import Authority, Entry, fold

EN_DASH = "\u2013"
_WORD_SEP = re.compile(r"[\s,;:/\-\u2010-\u2015]+")
_DROP = re.compile(r"[^\w\s,;:/\-\u2010-\u2015]+|_")


@dataclass(frozen=True)
class Mention:
    id: str                     # anchor id of the mention in the document, e.g. "m-gromyko-3"
    entry: str                  # entry id
    chapter: str                # chapter id
    in_note: bool               # the mention is inside a footnote
    note: int | None = None     # the note's number when in_note
    in_figure: bool = False     # in a figure's caption, or a figure the authority lists for the entry


@dataclass(frozen=True)
class Locator:
    label: str                  # "41", "41–43", "12n", or a section label
    href: str                   # link to the first mention on the (first) page
    first_page: int | None
    in_note: bool               # every mention on the page is in a note
    in_figure: bool = False     # every mention on the page is in a figure: set in italics


@dataclass(frozen=True)
class IndexLine:
    entry: Entry
    locators: tuple[Locator, ...]
    subs: tuple["IndexLine", ...]
    see: tuple[Entry, ...]
    see_also: tuple[Entry, ...]


@dataclass(frozen=True)
class LetterGroup:
    letter: str                 # "A".."Z", "#" for digits and symbols
    lines: tuple[IndexLine, ...]


def sort_words(sort_key: str) -> tuple[str, ...]:
    """Word by word (Chicago): "New York" < "Newark", "Kono, Yohei" < "Konoe"; the
    key is folded (accents, case) and other punctuation ignored."""
    return tuple(w for w in _WORD_SEP.split(_DROP.sub("", fold(sort_key))) if w)


def entry_order(entry: Entry) -> tuple:
    """Sort key: word by word on the folded sort key, then the heading, then the id."""
    return (sort_words(entry.sort_key), entry.heading.casefold(), entry.heading, entry.id)


def letter_of(entry: Entry) -> str:
    """The letter group: the first letter of the folded sort key, or "#"."""
    words = sort_words(entry.sort_key)
    first = words[0][0] if words else ""
    return first.upper() if first.isalpha() else "#"


def resolve_see(authority: Authority, entry: Entry | None) -> Entry | None:
    """Follow "see" references to the entry that holds the locators (None on a loop)."""
    seen: set[str] = set()
    while entry is not None and entry.see:
        if entry.id in seen:
            return None
        seen.add(entry.id)
        entry = authority.get(entry.see)
    return entry


def _page_locators(mentions: list[Mention], pages: dict[str, tuple[int, ...]],
                   href_of: Callable[[str], str], note_mark: str = "n") -> tuple[Locator, ...]:
    first: dict[int, Mention] = {}          # page -> first mention on it, in reading order
    body: set[int] = set()                  # pages with a mention in the running text
    text: set[int] = set()                  # pages with a mention outside figures
    for m in mentions:
        for page in pages.get(m.id, ()):    # (two pages: a name broken by a page turn)
            first.setdefault(page, m)
            if not m.in_note:
                body.add(page)
            if not m.in_figure:
                text.add(page)
    locators: list[Locator] = []
    ordered = sorted(first)
    i = 0
    while i < len(ordered):
        start = ordered[i]
        if start not in body:
            locators.append(Locator(f"{start}{note_mark}", href_of(first[start].id), start, True))
            i += 1
            continue
        if start not in text:               # a figure alone on its page: its own locator, in italics
            locators.append(Locator(str(start), href_of(first[start].id), start, False, True))
            i += 1
            continue
        end = start
        while (i + 1 < len(ordered) and ordered[i + 1] == end + 1 and ordered[i + 1] in body
               and ordered[i + 1] in text):
            i += 1
            end = ordered[i]
        label = str(start) if end == start else f"{start}{EN_DASH}{end}"
        locators.append(Locator(label, href_of(first[start].id), start, False))
        i += 1
    return tuple(locators)


def _mention_pages(ident: str, page_of: Callable[[str], int | None]) -> tuple[int, ...]:
    """The page of a mention, and the page it runs on to when a page turn breaks it."""
    page = page_of(ident)
    if page is None:
        return ()
    last = page_of(continued_id(ident))       # (a page map may answer an unknown id with a
    return (page, last) if last is not None and last > page else (page,)   # chapter's first page)


def _label_locators(mentions: list[Mention], section_label_of: Callable[[str], str] | None,
                    href_of: Callable[[str], str]) -> tuple[Locator, ...]:
    first: dict[str, Mention] = {}
    body: set[str] = set()
    for m in mentions:
        label = section_label_of(m.id) if section_label_of else m.chapter
        if not label:
            continue
        first.setdefault(label, m)
        if not m.in_note:
            body.add(label)
    return tuple(Locator(label, href_of(m.id), None, label not in body) for label, m in first.items())


def build_index(authority: Authority, kind: str, mentions: Sequence[Mention],
                page_of: Callable[[str], int | None], href_of: Callable[[str], str],
                section_label_of: Callable[[str], str] | None = None, order=None,
                note_mark: str = "n") -> list[LetterGroup]:
    """The index of the entries of *kind*, as letter groups in order.

    *mentions* are in reading order.  A mention of a cross-reference entry (one with
    ``see``) counts for the entry it sends the reader to.  Only lines that lead to a
    locator are printed or referred to (no blind cross-references); "see also"
    targets are sorted.  The locators are pages when *page_of* knows the page of any
    mention, else section labels (*section_label_of*, or the chapter id when it is
    not given).  Mentions of unknown entries are ignored (the caller reports them).
    *order* (an index.collation.IndexOrder) sorts and groups the entries in a language's
    order (default: English, word by word on folded keys); *note_mark* follows a page
    where the entry is only in notes ("12n").
    """
    sort_key = order.entry_key if order is not None else entry_order
    group_of = order.letter if order is not None else letter_of
    group_key = order.group_key if order is not None else (lambda letter: (letter != "#", letter))
    by_entry: dict[str, list[Mention]] = {}
    for m in mentions:
        target = resolve_see(authority, authority.get(m.entry))
        if target is not None:
            by_entry.setdefault(target.id, []).append(m)
    pages = {m.id: _mention_pages(m.id, page_of) for ms in by_entry.values() for m in ms}
    use_pages = any(pages.values())

    locators: dict[str, tuple[Locator, ...]] = {}
    for id, ms in by_entry.items():
        locators[id] = (_page_locators(ms, pages, href_of, note_mark) if use_pages
                        else _label_locators(ms, section_label_of, href_of))

    def substantive(entry: Entry) -> bool:
        """Has locators of its own or in a sub-entry."""
        if locators.get(entry.id):
            return True
        return any(locators.get(s) for s in entry.subs)

    def see_targets(entry: Entry) -> tuple[Entry, ...]:
        target = resolve_see(authority, authority.get(entry.see)) if entry.see else None
        return (target,) if target is not None and printed(target) else ()

    def see_also_targets(entry: Entry) -> tuple[Entry, ...]:
        found = [authority.get(r) for r in entry.see_also]
        return tuple(sorted((t for t in found if t is not None and substantive(t)), key=sort_key))

    def printed(entry: Entry) -> bool:
        """Printed in its index: only lines that lead to a locator are printed."""
        if entry.see:
            return bool(see_targets(entry))
        return substantive(entry) or bool(see_also_targets(entry)) or any(
            printed(s) for s in map(authority.get, entry.subs) if s is not None)

    def line(entry: Entry) -> IndexLine:
        subs = [s for s in map(authority.get, entry.subs) if s is not None and printed(s)]
        return IndexLine(
            entry=entry,
            locators=() if entry.see else locators.get(entry.id, ()),
            subs=tuple(line(s) for s in sorted(subs, key=sort_key)),
            see=see_targets(entry),
            see_also=see_also_targets(entry))

    tops = [e for e in authority.entries.values() if e.kind == kind and e.parent is None and printed(e)]
    groups: dict[str, list[IndexLine]] = {}
    for entry in sorted(tops, key=sort_key):
        groups.setdefault(group_of(entry), []).append(line(entry))
    # "#" first; a letter cannot recur, even when a given sort key disagrees with its heading
    return [LetterGroup(letter, tuple(groups[letter])) for letter in sorted(groups, key=group_key)]
