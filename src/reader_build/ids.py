"""The anchor ids of the book: one scheme, used by every writer.

Every element that something links to gets its id from here, so that the PDF, the
EPUB and the handouts agree on where a note, a note call, a mention of an index
entry or a bibliography entry is:

* ``fn-N`` a note (numbered through the reader), ``fnref-N`` its call; ``fn-N-K`` the K-th
  piece (K >= 2) of a note that the PDF editions set in pieces;
* ``m-CHAPTER-K`` the K-th index mention in a chapter;
* ``ref-KEY`` a bibliography entry (characters outside ``[A-Za-z0-9_.-]`` become ``-``);
* ``end-ID`` the end of a chapter or back-matter part;
* ``index-KIND`` an index (``person``, ``place``);
* ``ID continued`` (not an HTML id: ids have no spaces) the last page of an element whose
  text runs on to another page, in the page maps of the PDF editions.
"""
from __future__ import annotations

import re
import unicodedata


# Latin letters that Unicode does not decompose into a letter and an accent, and the Cyrillic
# and Greek alphabets (lower case, after NFKD), as ASCII: "Fußnote" gives "fussnote" and "Курилы"
# "kurily", not "fu-note" and nothing
LETTERS = str.maketrans({
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ŋ": "ng",
    "ъ": "", "ь": "", **dict(zip("абвгдежзиклмнопрстуфхцчшщыэюяєіґ",
                                 "a b v g d e zh z i k l m n o p r s t u f kh ts ch sh shch y e yu ya ye i g".split())),
    **dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", "a v g d e z i th i k l m n x o p r s s t y f ch ps o".split())),
})


def slugify(text: str, default: str = "section") -> str:
    """The slug of a heading's title, the end of the id a heading without one gets
    (``CHAPTER-SLUG``): letters without their accents (Cyrillic and Greek ones in Latin
    letters), lower case, other runs as ``-``; *default* when nothing is left."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().translate(LETTERS)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or default


def note_id(number: int | str) -> str:
    return f"fn-{number}"


def piece_id(number: int | str, k: int) -> str:
    """The id of the *k*-th piece (k >= 2) of note *number* in a PDF edition (pdf/notes.py)."""
    return f"fn-{number}-{k}"


def next_piece_id(ident: str) -> str:
    """The id of the piece of a note after the piece *ident* (``fn-N`` is followed by
    ``fn-N-2``, ``fn-N-K`` by ``fn-N-K+1``)."""
    head, _, tail = ident.rpartition("-")
    return f"{head}-{int(tail) + 1}" if ident.count("-") >= 2 and tail.isdigit() else f"{ident}-2"


def noteref_id(number: int) -> str:
    return f"fnref-{number}"


def mention_id(chapter_id: str, rank: int) -> str:
    return f"m-{chapter_id}-{rank}"


def ref_id(key: str) -> str:
    """The anchor id of a bibliography entry."""
    return "ref-" + re.sub(r"[^A-Za-z0-9_.-]", "-", key)


def end_id(part_id: str) -> str:
    return f"end-{part_id}"


def index_id(kind: str) -> str:
    return f"index-{kind}"


def continued_id(ident: str) -> str:
    """The key, in a PDF's page map, of the last page of an element split across pages."""
    return f"{ident} continued"
