"""Small typographic corrections applied to running text.

Non-breaking spaces where a line must not break: after abbreviations that
precede a number ("p. 12", "Art. 9", "No. 677"), between initials and the
name that follows ("A. A. Gromyko", "Ya. A. Malik", "А. А. Громыко"), before a unit, and
between day and month or month and year ("21 March", "March 21", "March 1956").
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
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_DAY_MONTH = re.compile(rf"\b([0-3]?\d) (?=(?:{_MONTHS})\b)")                  # "21 March"
_MONTH_DAY = re.compile(rf"\b((?:{_MONTHS})\.?) (?=[0-3]?\d\b|\d{{4}}\b)")      # "March 21", "March 1956"


def nbsp(text: str) -> str:
    if " " not in text:
        return text
    text = _ABBREV_NUMBER.sub(lambda m: m.group(0)[:-1] + NBSP, text)
    text = _INITIAL.sub(lambda m: m.group(1) + NBSP, text)
    text = _NUMBER_UNIT.sub(NBSP, text)
    text = _TITLES.sub(lambda m: m.group(0)[:-1] + NBSP, text)
    text = _DAY_MONTH.sub(lambda m: m.group(1) + NBSP, text)
    text = _MONTH_DAY.sub(lambda m: m.group(1) + NBSP, text)
    return text


# hyphenate = false in reader.toml: words break only where the text has a hyphen or a soft hyphen
NO_HYPHENATION = "* { hyphens: manual !important; -epub-hyphens: manual !important; }"


_TEXT_RUNS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)


def tie_last_words(html: str) -> str:
    """A title's last two words joined by a non-breaking space (in the text of *html*, never
    in a tag), so that a title of two or more lines never leaves one word alone on its last
    line (the ``tie_last_words`` template filter)."""
    parts = _TEXT_RUNS.split(str(html))
    seen_word = False
    for i in range(len(parts) - 1 - (len(parts) - 1) % 2, -1, -2):
        text = parts[i]
        end = len(text.rstrip()) if not seen_word else len(text)
        if end == 0:
            continue
        seen_word = True
        cut = text.rfind(" ", 0, end)
        if cut < 0:
            continue
        if text[:cut].strip() or any(p.strip() for p in parts[:i:2]):
            parts[i] = text[:cut] + NBSP + text[cut + 1:]
        break
    return "".join(parts)


RUNT_LETTERS = 4            # a paragraph's last word this short is never alone on its last line
_PARAGRAPH = re.compile(r"(<p\b[^>]*>)(.*?)(</p>)", re.S)
_NOTE_OPEN = re.compile(r"""<span\b[^>]*\bclass\s*=\s*["']fn["']""")
_LAST_WORD = re.compile(r"(\s+)(\S+)(\s*)$")


def _visible_runs(parts: list[str]) -> list[int]:
    """The indices of the text runs of *parts* (text, tag, text, …) outside the notes
    (``span.fn``, whose text is set at the foot of the page, not in the paragraph)."""
    runs, depth = [], 0
    for i, part in enumerate(parts):
        if i % 2:                                   # a tag
            if depth:
                depth += 1 if part.startswith("<span") else -1 if part.startswith("</span") else 0
            elif _NOTE_OPEN.match(part):
                depth = 1
        elif not depth:
            runs.append(i)
    return runs


def tie_runt(inner: str) -> str:
    """A paragraph's text (*inner*) whose last word, when it has :data:`RUNT_LETTERS` letters
    or figures or fewer ("it.", "war.²³", "<i>it</i>."; a note call does not count), is joined
    to the word before by a non-breaking space, so that it never stands alone on the
    paragraph's last line."""
    parts = _TEXT_RUNS.split(inner)
    where = [(i, k) for i in _visible_runs(parts) for k in range(len(parts[i]))]
    text = "".join(parts[i][k] for i, k in where)
    found = _LAST_WORD.search(text)
    if not found or not text[:found.start()].strip():
        return inner
    if len(re.findall(r"[^\W_]", found.group(2))) > RUNT_LETTERS or found.group(1) not in (" ", "\n"):
        return inner
    i, k = where[found.start(1)]
    parts[i] = parts[i][:k] + NBSP + parts[i][k + 1:]
    return "".join(parts)


_NOTE_PARAGRAPH = re.compile(r"""<span\b[^>]*\bclass\s*=\s*["']fn-p["'][^>]*>""")
_SPAN_TAG = re.compile(r"<(/?)span\b[^>]*>")


def _tie_note_paragraphs(html: str) -> str:
    """:func:`tie_runt` on each note paragraph (``span.fn-p``, up to its own closing tag)."""
    out, at = [], 0
    for opening in _NOTE_PARAGRAPH.finditer(html):
        if opening.start() < at:
            continue
        depth, end = 1, None
        for tag in _SPAN_TAG.finditer(html, opening.end()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = tag.start()
                break
        if end is None:
            break
        out += [html[at:opening.end()], tie_runt(html[opening.end():end])]
        at = end
    return "".join(out) + html[at:]


def tie_runts(html: str) -> str:
    """Every paragraph of *html*, and every paragraph of its notes, given :func:`tie_runt`."""
    html = _tie_note_paragraphs(html)
    return _PARAGRAPH.sub(lambda m: m.group(1) + tie_runt(m.group(2)) + m.group(3), html)


_HEADING = re.compile(r"(<h([2-6])\b[^>]*>)(.*?)(</h\2>)", re.S)


def tie_headings(html: str) -> str:
    """Every section heading of *html* (h2–h6) given :func:`tie_last_words`, as the chapter
    titles are: no heading of two or more lines ends on one word alone."""
    return _HEADING.sub(lambda m: m.group(1) + tie_last_words(m.group(3)) + m.group(4), html)
