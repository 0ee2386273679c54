"""Hyphenation for the PDF editions: soft hyphens put into the HTML, where a book may break.

WeasyPrint's own ``hyphens: auto`` cannot be told which words to leave whole, and its
dictionary for ``en`` is the British one.  So the PDF's HTML gets its break points
here, as soft hyphens (U+00AD), and the print style sheet sets ``hyphens: manual``:

* the dictionary follows the language tag (:func:`dictionary_for`): ``en`` is American
  English unless the tag says ``en-GB``; an element's own ``lang`` attribute chooses its own;
* only words of at least :data:`MIN_WORD` letters, with at least :data:`MIN_LEFT` letters
  before and :data:`MIN_RIGHT` after the break;
* never a proper name (a word of an authority entry's heading or variants, or a word with
  a capital after its first letter), a word with a figure in it, a URL, a DOI, an e-mail
  address, a compound (it breaks at its own hyphen), or the last word of a paragraph (or
  of a note's paragraph);
* never inside headings, links, code, index mentions (``span.ix``), citations, the title
  page, the contents, the indexes or an element of class ``nohyphen``;
* never between two letters that the book's fonts set as one ligature (:data:`LIGATURE_PAIRS`).

The large-print edition gets no soft hyphens (:func:`hyphenator`).  Ladders (three
hyphenated line ends in a row) are mended after a layout, as misplaced notes are: the word
broken at the end of the third line is kept whole (:func:`whole_word_rule`,
:func:`keep_words_whole`; pdf/engine.ladder_rules finds them) and the part is laid out again.

Why soft hyphens and not ``hyphens: auto`` (benchmarks/typography.py, RESULTS.md): WeasyPrint
breaks lines first-fit, so every break point left out makes some line looser.  With the
same limits, its ``auto`` mode (which only tries the word that overflows) gave looser lines
than soft hyphens; and the rule that cost most was leaving every capitalised word whole,
so only the index's names are.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pyphen

SHY = "\u00ad"
HARD_HYPHENS = ("-", "\u2010", "\u2011")
MIN_WORD, MIN_LEFT, MIN_RIGHT = 6, 3, 3

# the elements whose text is never hyphenated (by tag, or by one of their classes)
NO_HYPHEN_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "nav", "abbr", "script", "style",
                            "title", "head", "cite"})
NO_HYPHEN_CLASSES = frozenset({"ix", "citation", "title-page", "toc", "index", "index-part", "index-body",
                               "url", "doi", "nohyphen", "bib-author", "bib-corporate"})
# the elements whose last word ends a paragraph
PARAGRAPH_TAGS = frozenset({"p", "li", "td", "th", "dd", "dt", "figcaption", "blockquote"})
PARAGRAPH_CLASSES = frozenset({"fn", "fn-p", "fn-li", "fn-blockquote"})
VOID_TAGS = frozenset({"br", "img", "hr", "meta", "link", "wbr", "input", "col", "area", "source"})

_MARKUP = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_TAG = re.compile(r"<\s*(/)?\s*([A-Za-z][\w-]*)([^>]*?)(/)?\s*>", re.S)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LANG = re.compile(r"""\slang\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CHUNK = re.compile(r"\S+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_URLISH = re.compile(r"://|^www\.|^doi:|\b10\.\d{3,}/|@|/|\\|&[#\w]+;|\.[a-z]{2,4}$", re.I)


def dictionary_for(language: str) -> str | None:
    """The pyphen dictionary of a language tag ("en" and "en-US": en_US; "en-GB": en_GB), or None."""
    tag = (language or "").strip().replace("_", "-")
    if not tag:
        return None
    parts = tag.split("-")
    if parts[0].lower() == "en" and (len(parts) == 1 or parts[1].upper() not in ("GB", "UK", "AU", "NZ", "IE", "IN", "ZA")):
        return "en_US"
    if parts[0].lower() == "en":
        return "en_GB"
    return pyphen.language_fallback(tag.replace("-", "_"))


@lru_cache(maxsize=16)
def _pyphen(name: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=name, left=MIN_LEFT, right=MIN_RIGHT)


# Letter pairs that the book's fonts set as one ligature glyph.  A soft hyphen between them
# is shaped into the ligature, and WeasyPrint 70 then maps that glyph to the wrong text in
# the PDF ("boyco" for "boycott" wherever the glyph appears): no break point there.
LIGATURE_PAIRS = frozenset({"ff", "fi", "fl", "fb", "fh", "fj", "fk", "ft", "tt", "Th"})


@lru_cache(maxsize=65536)
def hyphenate_word(word: str, dictionary: str) -> str:
    """*word* with soft hyphens where *dictionary* allows a break within the limits."""
    letters = sum(ch.isalpha() for ch in word)
    if letters < MIN_WORD or not word.isalpha():
        return word
    cuts = [int(p) for p in _pyphen(dictionary).positions(word) if word[int(p) - 1:int(p) + 1] not in LIGATURE_PAIRS]
    pieces = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)])]
    return SHY.join(pieces)


class _Frame:
    __slots__ = ("tag", "quiet", "dictionary", "paragraph", "last")

    def __init__(self, tag: str, quiet: bool, dictionary: str | None, paragraph: bool):
        self.tag = tag
        self.quiet = quiet              # no hyphenation inside
        self.dictionary = dictionary
        self.paragraph = paragraph
        self.last = None                # (piece index, text without soft hyphens) of its last word


class Hyphenator:
    """Puts soft hyphens into HTML for one language and one set of names (see the module)."""

    def __init__(self, language: str, names=()):
        self.dictionary = dictionary_for(language)
        self.names = frozenset(word for name in names for word in _WORD.findall(name))
        self.done: dict = {}            # (chunk, dictionary) -> the chunk hyphenated: words recur

    def html(self, html: str, language: str | None = None) -> str:
        """*html* (a fragment or a document) with soft hyphens in the words that may break;
        *language*, when given, is the tag of its text (a chapter in another language)."""
        pieces: list[str] = []
        dictionary = self.dictionary if language is None else dictionary_for(language)
        stack = [_Frame("", False, dictionary, True)]
        position = 0
        for markup in _MARKUP.finditer(html):
            if markup.start() > position:
                self._text(html[position:markup.start()], pieces, stack)
            pieces.append(markup.group(0))
            self._tag(markup.group(0), pieces, stack)
            position = markup.end()
        if position < len(html):
            self._text(html[position:], pieces, stack)
        while stack:
            self._close(stack.pop(), pieces)
        return "".join(pieces)

    def _tag(self, markup: str, pieces: list[str], stack: list[_Frame]) -> None:
        m = _TAG.match(markup)
        if m is None:
            return
        closing, tag, attrs, self_closing = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        if closing:
            if any(frame.tag == tag for frame in stack[1:]):
                while stack[-1].tag != tag:
                    self._close(stack.pop(), pieces)
                self._close(stack.pop(), pieces)
            return
        if self_closing or tag in VOID_TAGS:
            return
        classes = set(next((g for g in (_CLASS.search(attrs) or _NONE).groups() if g), "").split())
        lang = next((g for g in (_LANG.search(attrs) or _NONE).groups() if g), None)
        parent = stack[-1]
        quiet = parent.quiet or tag in NO_HYPHEN_TAGS or bool(classes & NO_HYPHEN_CLASSES)
        dictionary = dictionary_for(lang) if lang is not None else parent.dictionary
        paragraph = tag in PARAGRAPH_TAGS or bool(classes & PARAGRAPH_CLASSES)
        stack.append(_Frame(tag, quiet, dictionary, paragraph))

    def _close(self, frame: _Frame, pieces: list[str]) -> None:
        if frame.paragraph and frame.last is not None:
            index, plain = frame.last
            pieces[index] = plain          # the last word of a paragraph stays whole

    def _text(self, text: str, pieces: list[str], stack: list[_Frame]) -> None:
        frame = stack[-1]
        owner = next(f for f in reversed(stack) if f.paragraph)
        if frame.quiet or frame.dictionary is None:
            if _CHUNK.search(text):
                owner.last = None
            pieces.append(text)
            return
        out = []
        last_chunk = None
        for chunk in re.split(r"(\s+)", text):
            if not chunk or chunk.isspace():
                out.append(chunk)
                continue
            last_chunk = len(out)
            done = self.done.get((chunk, frame.dictionary))
            if done is None:
                done = self.done[(chunk, frame.dictionary)] = self._chunk(chunk, frame.dictionary)
            out.append(done)
        if last_chunk is not None:
            pieces.append("".join(out[:last_chunk]))
            pieces.append(out[last_chunk])
            owner.last = (len(pieces) - 1, text_without_shy(out[last_chunk]))
            pieces.append("".join(out[last_chunk + 1:]))
        else:
            pieces.append("".join(out))

    def _chunk(self, chunk: str, dictionary: str) -> str:
        """One run of text between spaces: its words hyphenated, unless it is a URL, DOI or number."""
        if _URLISH.search(chunk) or any(ch.isdigit() for ch in chunk) or any(h in chunk for h in HARD_HYPHENS):
            return chunk            # a compound breaks at its own hyphen only ("Russian-Japanese")
        return _WORD.sub(lambda m: self._word(m.group(0), dictionary), chunk)

    def _word(self, word: str, dictionary: str) -> str:
        if word in self.names or not word.isalpha() or any(ch.isupper() for ch in word[1:]):
            return word
        return hyphenate_word(word, dictionary)


class _NoMatch:
    def groups(self):
        return ()


_NONE = _NoMatch()


def text_without_shy(text: str) -> str:
    return text.replace(SHY, "")



def hyphenation_key(reader, large_print: bool = False) -> str:
    """What :func:`hyphenator`'s function depends on, as a string (for cache keys)."""
    if not reader.config.hyphenate or large_print:
        return "none"
    entries = getattr(reader.authority, "entries", {}).values()
    names = sorted(name for entry in entries for name in (entry.heading, *entry.variants))
    return repr((reader.config.language, names))


def hyphenator(reader, large_print: bool = False):
    """(HTML, language tag) -> HTML with soft hyphens for *reader* (a model.Reader), or
    unchanged when the reader is not hyphenated or the edition is in large print (never
    hyphenated, and WeasyPrint 70 breaks at a soft hyphen even under ``hyphens: none``);
    proper names are the words of the authority entries' headings and variants."""
    if not reader.config.hyphenate or large_print:
        return lambda html, language=None: html
    entries = getattr(reader.authority, "entries", {}).values()
    names = [name for entry in entries for name in (entry.heading, *entry.variants)]
    return Hyphenator(reader.config.language, names).html


# -- ladders: words whose soft hyphens a layout takes out (pdf/engine.ladder_rules) -------------

_NUMBERED = re.compile(r'<\w+\s[^<>]*\bdata-pi="')
WHOLE_WORD_RULE = re.compile(r'/\* whole word \[data-pi="([^"]+)"\] (\S+) \*/')


def whole_word_rule(key: str, word: str) -> str:
    """A fix rule (a CSS comment: it changes the HTML, not the style) that keeps *word* of the
    paragraph numbered *key* whole: its soft hyphens are taken out before the layout."""
    return f'/* whole word [data-pi="{key}"] {word.replace(SHY, "")} */'


def keep_word_whole(text: str, word: str) -> str:
    """*text* with the soft hyphens of every occurrence of *word* taken out; a tag, like
    anything that is not a letter, ends a word (so the box text of a layout, pdf/engine.py,
    and the HTML it comes from give the same words)."""
    if SHY not in text:
        return text
    letters = (SHY + "?").join(re.escape(ch) for ch in word)
    pattern = re.compile(rf"(?<![^\W\d_])(?<!{SHY}){letters}(?![^\W\d_]|{SHY})")
    return pattern.sub(lambda m: m.group(0).replace(SHY, ""), text)


def _element_end(html: str, start: int, tag: str) -> int:
    """Where the element whose opening tag ends at *start* closes (its end tag's start)."""
    depth = 1
    for found in re.finditer(rf"<(/?){re.escape(tag)}\b[^<>]*>", html[start:]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return start + found.start()
    return len(html)


def keep_words_whole(html: str, rules) -> str:
    """*html* with the soft hyphens of each word that a :func:`whole_word_rule` among *rules*
    names taken out, in that paragraph only (its element, with its notes, up to the next
    numbered element inside it, if any: the text of its boxes in the layout)."""
    for rule in rules:
        found = WHOLE_WORD_RULE.fullmatch(rule.strip())
        if not found:
            continue
        key, word = found.groups()
        opening = re.search(rf'<(\w+)\s[^<>]*\bdata-pi="{re.escape(key)}"[^<>]*>', html)    # the element, not a rule
        if opening is None:
            continue
        start = opening.end()
        following = _NUMBERED.search(html, start)
        end = min(following.start() if following else len(html), _element_end(html, start, opening.group(1)))
        html = html[:start] + keep_word_whole(html[start:end], word) + html[end:]
    return html
