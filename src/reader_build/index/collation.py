"""Index order by language: the Unicode Collation Algorithm with the language's tailoring.

Entries are compared word by word (as in :mod:`index.build`), each word by its UCA
sort key (pyuca, the DUCET): letters with diacritics sort with their base letter and
after it where the words are otherwise the same (German "ä" as "a", Russian "ё" as "е"),
case comes last.  A language's ``[collation] after`` makes a letter one of its own,
sorted after another (Spanish "ñ" after "n", Czech "č" after "c"): the letter is read
as its base followed by a weight above every letter.  The letter groups are the
letters of the language's alphabet (``[collation] alphabet``); with ``groups = "rows"``
(Japanese kana) a group runs from one of its letters to the next.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pyuca

from .authority import fold

AFTER_ALL = "\U000FFFFD"        # its implicit UCA weight is above every letter's
_WORD_SEP = re.compile(r"[\s,;:/\-\u2010-\u2015]+")
_DROP = re.compile(r"[^\w\s,;:/\-\u2010-\u2015]+|_")


@lru_cache(maxsize=1)
def _collator() -> pyuca.Collator:
    return pyuca.Collator()


class IndexOrder:
    """Sort keys and letter groups for one language (a language.locale.Collation)."""

    def __init__(self, collation):
        self.collation = collation
        self._after = self._expansions(collation.after)
        self._letters = [(self.primary(letter.lower()), letter) for letter in collation.alphabet]

    @staticmethod
    def _expansions(after) -> list[tuple[str, str]]:
        table = dict(after)

        def expand(letter: str, seen=()) -> str:
            base = table.get(letter)
            if base is None or letter in seen:
                return letter
            return expand(base, seen + (letter,)) + AFTER_ALL
        pairs = []
        for letter in table:
            pairs.append((letter, expand(letter)))
            if letter.upper() != letter:
                pairs.append((letter.upper(), expand(letter).upper().replace(AFTER_ALL.upper(), AFTER_ALL)))
        return sorted(pairs, key=lambda p: -len(p[0]))

    def expand(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        for letter, replacement in self._after:
            if letter in text:
                text = text.replace(letter, replacement)
        return text

    def key(self, text: str) -> tuple:
        """The UCA sort key, after the language's first scripts when it has them (a word in
        Cyrillic before one in Latin in Russian)."""
        key = tuple(_collator().sort_key(self.expand(text)))
        if self.collation.scripts_first:
            return (0 if text and _script(text[0]) in self.collation.scripts_first else 1,) + key
        return key

    def primary(self, text: str) -> tuple:
        key = tuple(_collator().sort_key(self.expand(text)))
        key = key[:key.index(0)] if 0 in key else key
        return self.key(text)[:1] + key if self.collation.scripts_first else key

    def words(self, sort_key: str) -> tuple[str, ...]:
        text = unicodedata.normalize("NFC", sort_key)
        return tuple(w for w in _WORD_SEP.split(_DROP.sub("", text)) if w)

    def entry_key(self, entry) -> tuple:
        """Word by word on the sort key, then the heading, then the id."""
        return (tuple(self.key(w) for w in self.words(self.text(entry))), self.key(entry.heading),
                entry.heading, entry.id)

    @staticmethod
    def text(entry) -> str:
        """What an entry sorts on: its 'sort', else its heading, as written (not folded)."""
        return getattr(entry, "sort_text", "") or entry.heading

    def letter(self, entry) -> str:
        """The letter group of an entry: a letter of the alphabet, "#" for figures and signs."""
        words = self.words(self.text(entry))
        first = self._first_letter(words[0]) if words else ""
        if not first.isalpha():
            return "#"
        primary = self.primary(first.lower())
        for weight, letter in self._letters:
            if weight == primary:
                return letter
        if self.collation.groups == "rows" and _is_kana(first):
            below = [letter for weight, letter in self._letters if weight <= primary]
            if below:
                return below[-1]
        return (fold(first)[:1] or first).upper()

    def _first_letter(self, word: str) -> str:
        for letter, _ in self._after:          # a tailored letter is a letter of its own
            if word.startswith(letter):
                return letter
        return word[0]

    def group_key(self, letter: str) -> tuple:
        return (letter != "#", self.primary(letter.lower()), letter)


SCRIPT_NAMES = {"CYRILLIC": "Cyrl", "LATIN": "Latn", "GREEK": "Grek", "HIRAGANA": "Hira", "KATAKANA": "Kana",
                "CJK": "Hani", "HEBREW": "Hebr", "ARABIC": "Arab", "ARMENIAN": "Armn", "GEORGIAN": "Geor"}


def _script(char: str) -> str:
    """The ISO 15924 code of a letter's script (from its Unicode name; "" when unknown)."""
    first = unicodedata.name(char, "").split(" ")[0]
    return SCRIPT_NAMES.get(first, "")


def _is_kana(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("HIRAGANA", "KATAKANA"))


def index_order(locale) -> IndexOrder | None:
    """The order of an index in *locale*'s language; None for English, whose order is
    the folded word-by-word order of :mod:`index.build`."""
    if locale is None or locale.base == "en":
        return None
    return _order_of(locale.collation)


@lru_cache(maxsize=16)
def _order_of(collation) -> IndexOrder:
    return IndexOrder(collation)
