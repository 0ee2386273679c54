"""Typography by language: the quotation marks, dashes and spaces of each language.

The parse stage (source/markdown.py) runs these over every text token with the
typography (language.locale.Typography) of the text's language.
"""
from __future__ import annotations

import re

NBSP = "\u00a0"

# The parse stage (source/markdown.py) has markdown-it's typographer leave these four
# private-use marks for "…" and '…', then fills in the marks of each text's language.
QUOTE_MARKS = "\ue000\ue001\ue002\ue003"
_QUOTE_MARK = re.compile("[\ue000-\ue003]")
_SPACED_DASH = re.compile(r"[ \u00a0]+-{2,3}(?!-)([ \u00a0]+|$)")
_RANGE_DASH = re.compile(r"(?<=\d)--(?=\d)")
_LONG_DASH = re.compile(r"(?<!-)---(?!-)")
_DASH = re.compile(r"(?<!-)--(?!-)")
_ELLIPSIS = re.compile(r"\.\.\.")
_BEFORE_PUNCT = re.compile(r"(?:[ \u00a0]+|(?<=[^\s\u202f])|^)([;:!?]+)(?=[\s\u202f\u00bb\u201d)\]]|$)")


def dashes(text: str, typography) -> str:
    """``--`` and ``---`` as the language sets them (``typography``: a locale.Typography):
    between spaces (``spaced_dash``, e.g. Russian "\u00a0— "), between figures an en
    dash, elsewhere ``dash`` and ``long_dash``; ``...`` an ellipsis."""
    if "--" in text:
        if typography.spaced_dash:
            spaced = typography.spaced_dash
            text = _SPACED_DASH.sub(lambda m: spaced if m.group(1) else spaced.rstrip(), text)
        text = _RANGE_DASH.sub("\u2013", text)
        text = _LONG_DASH.sub(typography.long_dash, text)
        text = _DASH.sub(typography.dash, text)
    if "..." in text:
        text = _ELLIPSIS.sub("\u2026", text)
    return text


def pair_quotes(text: str, opened: dict) -> str:
    """Straight quotes as the marks of :data:`QUOTE_MARKS` in their order, opening and closing
    in turn (for text without spaces between words, where the typographer cannot tell);
    *opened* carries the state from one piece of a paragraph to the next."""
    def mark(m: re.Match) -> str:
        double = m.group(0) == '"'
        is_open = opened.get(double, False)
        opened[double] = not is_open
        return QUOTE_MARKS[(0 if double else 2) + (1 if is_open else 0)]
    return re.sub("[\"']", mark, text)


def quotes(text: str, typography) -> str:
    """The marks :data:`QUOTE_MARKS` as the language's quotation marks, and the straight
    quotes the typographer left (:func:`curly_quotes`) too."""
    if _QUOTE_MARK.search(text):
        marks = typography.quotes
        text = _QUOTE_MARK.sub(lambda m: marks[ord(m.group(0)) - 0xE000], text)
    return curly_quotes(text, typography)


_OPENS_AFTER = " \t\n\u00a0\u202f([{\u2014\u2013/\u201c\u2018\u00ab\u201e"
_APOSTROPHE = "\u2019"


def curly_quotes(text: str, typography) -> str:
    """*text* (one run of text, not markup) with every straight quote made the language's
    mark, from its context: an opening mark after a space, an opening bracket or a dash (or
    at the start of the run, before a letter), a closing one elsewhere; ``'`` between two
    letters is an apostrophe.  For the quotes markdown-it's typographer cannot pair (a
    quotation over several paragraphs opens each and closes on the last only) and for the
    strings reader-build sets itself (running heads, the index)."""
    if '"' not in text and "'" not in text:
        return text
    marks = typography.quotes
    out = []
    for i, ch in enumerate(text):
        if ch not in "\"'":
            out.append(ch)
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch == "'" and before.isalnum() and (after.isalpha() or not after or after in " .,;:!?)"):
            out.append(_APOSTROPHE if after.isalpha() or before.isalpha() else marks[3])
            continue
        opening = before in _OPENS_AFTER if before else (after.isalnum() or after in "\u2026([")
        out.append(marks[(0 if ch == '"' else 2) + (0 if opening else 1)])
    return "".join(out)


def spacing(text: str, typography) -> str:
    """The language's spaces: before ``; : ! ?`` (French: narrow no-break) and a no-break
    space after short words that must not end a line (Russian, Czech, Polish)."""
    if typography.punctuation_space:
        text = _BEFORE_PUNCT.sub(lambda m: typography.punctuation_space + m.group(1), text)
    if typography.nbsp_after and " " in text:
        text = _short_words(typography.nbsp_after).sub(lambda m: m.group(1) + NBSP, text)
    return text


_SHORT_WORDS: dict = {}


def _short_words(words: frozenset) -> re.Pattern:
    if words not in _SHORT_WORDS:
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        _SHORT_WORDS[words] = re.compile(rf"(?<![\w\-])({alternatives}) (?=\w)", re.IGNORECASE)
    return _SHORT_WORDS[words]


_LAST_PARENTHESIS = re.compile(r"^(.*\S)\s*\(([^()]*)\)$", re.S)


def heading_and_gloss(heading: str, gloss: str) -> tuple[str, str]:
    """An index heading and what follows it, its gloss in parentheses that never nest.

    A heading that ends in a parenthesis of its own takes the gloss inside it, after a
    semicolon: ("Kremlin (Moscow)", "seat of …") gives ("Kremlin (Moscow", "; seat of …)").
    Parentheses inside the gloss become square brackets (parentheses within parentheses,
    as Chicago sets them): "author of a paper (CAC-302)" gives " (author of a paper [CAC-302])".
    No gloss: the heading as it is and "".
    """
    if not gloss:
        return heading, ""
    inner = gloss.replace("(", "[").replace(")", "]")
    own = _LAST_PARENTHESIS.match(heading)
    if own:
        return f"{own.group(1)} ({own.group(2)}", f"; {inner})"
    return heading, f" ({inner})"


_NUMBER_RANGE = re.compile(r"(?<![\w–])(\d+[a-z]?)–(\d+[a-z]?)(?![\w–])")


def keep_ranges(html: str) -> str:
    """Each range of numbers in the text of *html* ("361–80", "(1909–1989)") in a span of class
    ``nobr`` (print.css: not broken), for the parts set ragged, whose lines WeasyPrint breaks
    after any en dash: a line never ends with "361–" and the next begins "80" (the total-fit
    line breaking of the body keeps such ranges whole itself)."""
    if "–" not in html:
        return html
    parts = re.split(r"(<[^>]*>)", html)
    for n in range(0, len(parts), 2):
        if "–" in parts[n]:
            parts[n] = _NUMBER_RANGE.sub(r'<span class="nobr">\1–\2</span>', parts[n])
    return "".join(parts)

