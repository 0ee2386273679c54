"""Small typographic corrections applied to running text.

Non-breaking spaces where a line must not break: after abbreviations that
precede a number ("p. 12", "Art. 9", "No. 677"), between initials and the
name that follows ("A. A. Gromyko", "Ya. A. Malik", "А. А. Громыко"), and before a unit.
Quotes and dashes are made by markdown-it's typographer.
"""
from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

_ABBREV_NUMBER = re.compile(
    r"\b(p|pp|para|paras|Art|Arts|art|arts|No|no|Nos|chap|ch|vol|vols|doc|docs|sec|fig|n|nn|col|l|ll|§|§§)"
    r"\.? (?=[0-9IVXLC])")
_INITIAL = re.compile(r"(?<![\w.])((?:[A-Z]|Ya|Yu|Zh|Kh|Ch|Sh|[А-ЯЁ]|Дж)\.) (?=(?:[A-Z]|Ya|Yu|Zh|Kh|Ch|Sh|[А-ЯЁ])[\w.])")
_NUMBER_UNIT = re.compile(r"(?<=\d) (?=(km|kg|cm|mm|percent|per cent)\b)")
_TITLES = re.compile(r"\b(Mr|Mrs|Ms|Dr|St|Gen|Col|Capt|Prof)\. (?=[A-Z])")


def nbsp(text: str) -> str:
    if " " not in text:
        return text
    text = _ABBREV_NUMBER.sub(lambda m: m.group(0)[:-1] + NBSP, text)
    text = _INITIAL.sub(lambda m: m.group(1) + NBSP, text)
    text = _NUMBER_UNIT.sub(NBSP, text)
    text = _TITLES.sub(lambda m: m.group(0)[:-1] + NBSP, text)
    return text


# hyphenate = false in reader.toml: words break only where the text has a hyphen or a soft hyphen
NO_HYPHENATION = "* { hyphens: manual !important; -epub-hyphens: manual !important; }"
