"""Pandoc-style citations in Markdown: parsing, and a markdown-it inline rule.

    [@key]   [@key, p. 33]   [see @a, pp. 4-6; @b, chap. 2]   [-@key]
    @key     @key [p. 33]    @{key with any characters}

Keys start with a letter, digit or ``_`` and may contain letters (any script), digits
and ``: . - _ /``; punctuation at the end of a key belongs to the sentence
("as @hara-1998."). An ``@`` after a letter or digit (e-mail addresses) or escaped
as ``\\@`` starts no citation. The locator is the text after the key's comma; a
recognised term and its numbers ("p. 33", "pp. 4-6, 9", "chap. 2") are split from a
trailing suffix ("p. 33, emphasis added"), and so are bare page numbers followed by a comma
("33, emphasis added"); other text is kept whole as the locator.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token


@dataclass(frozen=True)
class CiteItem:
    key: str
    prefix: str = ""
    locator: str = ""
    suffix: str = ""
    suppress_author: bool = False


@dataclass(frozen=True)
class Citation:
    items: tuple[CiteItem, ...]
    narrative: bool = False
    offset: int = 0
    length: int = 0

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


KEY = re.compile(r"\{([^{}\n]+)\}|(\w(?:[^\W_]|[:.\-/_]+(?=[^\W_]))*)")
TERMS = ["pp.", "p.", "pages", "page", "chaps.", "chap.", "chapters", "chapter", "ch.",
         "docs.", "doc.", "secs.", "sec.", "sections", "section", "paras.", "para.",
         "paragraphs", "paragraph", "nn.", "n.", "notes", "note", "vols.", "vol.", "volumes",
         "volume", "figs.", "fig.", "figures", "figure", "arts.", "art.", "articles", "article",
         "cols.", "col.", "columns", "column", "ll.", "l.", "lines", "line", "§§", "§",
         "nos.", "no.", "fols.", "fol.", "bk.", "pt.", "s.vv.", "s.v.", "vv.", "v."]
PAGE_TERMS = {"p.", "pp.", "page", "pages"}
_TERM = "|".join(re.escape(t) + (r"(?![^\W\d_])" if t[-1].isalpha() else "") for t in TERMS)
_TOKEN = (r"(?:\d+(?:nn?\.?\s?\d+|[a-z])?|[ivxlcdm]+|[IVXLCDM]+|[A-Z])"
          r"(?:[.:/]\d+[a-z]?)*(?:\([0-9a-z]+\))?(?:\s?ff?\.)?(?!\w)")
_VALUE = rf"{_TOKEN}(?:\s*(?:[-–—]+|,|&)\s*{_TOKEN}|\s+and\s+{_TOKEN})*"
LOCATOR = re.compile(rf"({_TERM})\s*({_VALUE})", re.IGNORECASE)
# a page number without its term, and a suffix after a comma ("12, emphasis added"), as pandoc reads it
BARE_PAGES = re.compile(rf"(?=\d)(?>{_VALUE})(?=\s*,\s*\S)")   # (atomic: "12, 14" is one value)


def split_locator(locator: str) -> tuple[str, str, str]:
    """("p.", "33", "") for "p. 33"; ("", "", text) when no recognised term leads."""
    m = LOCATOR.match(locator.strip())
    if not m:
        return "", "", locator.strip()
    return m.group(1), m.group(2), locator.strip()[m.end():].strip()


def _locator_and_suffix(rest: str) -> tuple[str, str]:
    rest = " ".join(rest.split())
    if rest.startswith(","):
        body = rest[1:].strip()
        term, value, after = split_locator(body)
        if term:
            return f"{body[:len(body) - len(after)].strip()}", after
        bare = BARE_PAGES.match(body)
        if bare:
            return bare.group(), body[bare.end():].strip()
        return body, ""
    term, value, after = split_locator(rest)
    if term:
        return rest[:len(rest) - len(after)].strip(), after
    return "", rest


def _key_at(text: str, at: int, end: int | None = None) -> tuple[str, int] | None:
    """The key after the '@' at *at* (in ``text[:end]``, read in place), and the index after it."""
    m = KEY.match(text, at + 1, len(text) if end is None else end)
    if not m:
        return None
    key = m.group(1) or m.group(2)
    if not m.group(1) and not any(c.isalnum() for c in key):
        return None
    return key, m.end()


_SPECIAL = re.compile(r"[\\`\[\]]")
_TICKS = re.compile("`+")


class _Brackets:
    """The ']' matching each '[' of ``src[:end]`` (one paragraph), each character read once.

    The scan from a '[' skips the character after a backslash and a code span (a run of
    backticks up to the next run at least as long; a run without one is skipped alone),
    and counts brackets until its own closes.  A scan that reaches a place an earlier
    scan passed knows the rest: it goes on after the ']' that closed the bracket then
    innermost there.  So tens of thousands of unmatched '[' cost one pass, not one each.
    """

    def __init__(self, src: str, end: int):
        self.src, self.end = src, end
        self.match: dict[int, int] = {}     # '[' -> its ']', or -1 when it has none
        self.inside: dict[int, int] = {}    # place scanned -> the innermost '[' open there

    def closing(self, start: int) -> int:
        """Index of the ']' matching the '[' at *start*, or -1."""
        if start not in self.match:
            self._scan(start)
        return self.match[start]

    def _next(self, at: int) -> int:
        """The first backslash, backtick or bracket at or after *at* (or the end)."""
        found = _SPECIAL.search(self.src, at, self.end) if at < self.end else None
        return found.start() if found else self.end

    def _skip(self, i: int) -> int:
        """Where the scan goes on after the backslash or backtick at *i*."""
        if self.src[i] == "\\":
            return i + 2
        run = _TICKS.match(self.src, i, self.end).end() - i
        close = self.src.find("`" * run, i + run, self.end)
        return close + run if close != -1 else i + run

    def _scan(self, start: int) -> None:
        open_ = [start]                     # the brackets this scan opened, innermost last
        i = self._next(start + 1)
        while i < self.end:
            if i in self.inside:            # an earlier scan passed here: skip to what it found
                close = self.match[self.inside[i]]
                if close == -1:
                    break
                self.match[open_.pop()] = close
                if not open_:
                    return
                i = self._next(close + 1)
                continue
            c = self.src[i]
            if c == "[" and i in self.match:    # an earlier scan started here
                if self.match[i] == -1:
                    break
                i = self._next(self.match[i] + 1)
                continue
            self.inside[i] = open_[-1]
            if c == "[":
                open_.append(i)
            elif c == "]":
                self.match[open_.pop()] = i
                if not open_:
                    return
            else:
                i = self._next(self._skip(i))
                continue
            i = self._next(i + 1)
        for bracket in open_:
            self.match[bracket] = -1


def _split_items(content: str) -> list[str]:
    parts, depth, last, i = [], 0, 0, 0
    while i < len(content):
        c = content[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == ";" and depth == 0:
            parts.append(content[last:i])
            last = i + 1
        i += 1
    parts.append(content[last:])
    return parts


def _item(part: str) -> CiteItem | None:
    for m in re.finditer("@", part):
        at = m.start()
        suppress = at > 0 and part[at - 1] == "-"
        before = at - 1 if suppress else at
        if before > 0 and not part[before - 1].isspace():
            continue
        found = _key_at(part, at)
        if not found:
            continue
        key, end = found
        locator, suffix = _locator_and_suffix(part[end:])
        prefix = " ".join(part[:before].split())
        return CiteItem(key, prefix, locator, suffix, suppress)
    return None


def parse_bracketed(content: str) -> tuple[CiteItem, ...] | None:
    """The items of the inside of a bracketed citation, or None if it is not one."""
    items = []
    for part in _split_items(content):
        item = _item(part)
        if item is None:
            return None
        items.append(item)
    return tuple(items)


def _match_bracket(src: str, pos: int, end: int, brackets: _Brackets) -> tuple[Citation, int] | None:
    if src.startswith("[^", pos):
        return None
    close = brackets.closing(pos)
    if close == -1 or (close + 1 < end and src[close + 1] in "({"):
        return None
    items = parse_bracketed(src[pos + 1:close])
    if not items:
        return None
    return Citation(items, False, pos, close + 1 - pos), close + 1


def _match_narrative(src: str, pos: int, end: int, brackets: _Brackets) -> tuple[Citation, int] | None:
    if pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "@./:-+\\"):
        return None
    found = _key_at(src, pos, end)
    if not found:
        return None
    key, stop = found
    locator = suffix = ""
    bracket = stop + 1 if src.startswith(" [", stop) else stop
    if bracket < end and src[bracket] == "[" and not src.startswith("[^", bracket):
        close = brackets.closing(bracket)
        inner = src[bracket + 1:close] if close != -1 else ""
        after = src[close + 1] if close != -1 and close + 1 < end else ""
        if close != -1 and inner.strip() and after not in ("(", "{", "[") and \
                parse_bracketed(inner) is None and not re.search(r"(^|\s)-?@\w", inner):
            locator, suffix = _locator_and_suffix("," + inner)
            stop = close + 1
    item = CiteItem(key, locator=locator, suffix=suffix)
    return Citation((item,), True, pos, stop - pos), stop


def parse_citation(text: str) -> Citation | None:
    """Parse one bracketed or narrative citation source string ("[@a, p. 3]", "@a [p. 3]")."""
    brackets = _Brackets(text, len(text))
    if text.startswith("["):
        found = _match_bracket(text, 0, len(text), brackets)
    elif text.startswith("@"):
        found = _match_narrative(text, 0, len(text), brackets)
    else:
        return None
    if not found or found[1] != len(text):
        return None
    return found[0]


CROSSREF_PREFIXES = ("fig", "tbl", "page", "note", "sec")
QUARTO_PREFIXES = {"fig": "fig", "tbl": "tbl", "sec": "page"}     # quarto's form -> the kind it is


def crossref_target(key: str) -> tuple[str, str, bool] | None:
    """(kind, target, capital) of a cross-reference key, or None for a citation key.

    pandoc-crossref's forms: ``fig:x`` and ``tbl:x`` (the target is the label, ``fig:x``),
    ``sec:x`` (the page of the heading ``{#sec:x}``: reader-build numbers no sections),
    ``page:ID`` and ``note:LABEL`` (the target is what follows the colon).  quarto's forms:
    ``fig-x`` and ``tbl-x`` (the label ``fig-x``), and ``sec-x``, the page of the heading
    ``{#sec-x}``.  A capital (``@Fig:x``, ``@Fig-x``) capitalises the word it prints."""
    prefix, colon, rest = key.partition(":")
    if colon and rest and prefix.lower() in CROSSREF_PREFIXES:
        kind = prefix.lower()
        if kind == "sec":                   # pandoc-crossref's section: the page of {#sec:x}
            return "page", key[:1].lower() + key[1:], prefix[:1].isupper()
        return kind, (f"{kind}:{rest}" if kind in ("fig", "tbl") else rest), prefix[:1].isupper()
    prefix, dash, rest = key.partition("-")
    if dash and rest and prefix.lower() in QUARTO_PREFIXES:
        return QUARTO_PREFIXES[prefix.lower()], f"{prefix.lower()}-{rest}", prefix[:1].isupper()
    return None


def is_crossref_key(key: str) -> bool:
    """``fig:x``, ``Fig:x``, ``tbl:x``, ``sec:x``, ``page:x``, ``note:x`` and quarto's ``fig-x``, ``tbl-x``,
    ``sec-x``: a cross-reference, never a citation key."""
    return crossref_target(key) is not None


def _rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    char = state.src[pos]
    if char not in "[@" or getattr(state, "linkLevel", 0) > 0:
        return False
    finder = _match_bracket if char == "[" else _match_narrative
    found = finder(state.src, pos, state.posMax, _brackets(state))
    if not found:
        return False
    citation, end = found
    if not silent:
        kind = "crossref" if any(is_crossref_key(k) for k in citation.keys) else "citation"
        token = state.push(kind, "", 0)
        token.content = state.src[pos:end]
        token.meta = {"citation": replace(citation, offset=pos, length=end - pos)}
    state.pos = end
    return True


def _brackets(state: StateInline) -> _Brackets:
    """The bracket matches of the text *state* parses (up to its current end), kept on it
    for all its '[' and '@'."""
    known = getattr(state, "citation_brackets", None)
    if known is None:
        known = state.citation_brackets = {}
    if state.posMax not in known:
        known[state.posMax] = _Brackets(state.src, state.posMax)
    return known[state.posMax]


def _render(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    keys = " ".join(token.meta["citation"].keys)
    return (f'<span class="citation" data-cites="{html.escape(keys)}">'
            f"{html.escape(token.content, quote=False)}</span>")


def _alt_text(state) -> None:
    """Citations inside an image's alt text are plain text again (alt text is text)."""
    def walk(tokens, in_image: bool) -> None:
        for n, token in enumerate(tokens):
            if in_image and token.type in ("citation", "crossref"):
                tokens[n] = Token("text", "", 0, content=token.content)
            elif token.children:
                walk(token.children, in_image or token.type == "image")
    walk(state.tokens, False)


def citations_plugin(md: MarkdownIt) -> None:
    """Add the ``citation`` inline rule (tokens with ``meta={"citation": Citation}``)."""
    md.inline.ruler.before("link", "citation", _rule)
    md.core.ruler.push("citation_alt_text", _alt_text)
    md.add_render_rule("citation", _render)
    md.add_render_rule("crossref", _render)
