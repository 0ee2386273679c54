"""``reader-build check``: names in the text that the index does not know, and index
entries that the text never names.

:func:`unmatched_names` looks through the running text and the notes of every chapter
for capitalised words and phrases that look like the names of people or places and
that no entry of the authority file matches, and reports each distinct phrase once
(``index-unmatched-name``, at its first place, with how often it occurs).  It is a
heuristic meant to be read, not obeyed: it skips

* words at the start of a sentence, unless they begin a phrase of several capitalised
  words ("John Foster Dulles said");
* function words, titles and offices ("President", "Foreign Minister"), months and
  days, words for documents and institutions ("Treaty", "Declaration", "Ministry"),
  nationality adjectives ("Japanese"), countries and continents (which an index of this
  kind leaves out), acronyms ("USSR"), roman numerals (the general lists of words.py);
* by rules read from the book itself: a single word that the text also writes in lower
  case (a common word), or that mostly stands before a lower-case noun (a modifier:
  "Soviet troops");
* headings, link texts, citations, code, and the text of index mentions;
* a phrase whose words all belong to a variant of some entry (the author chose not to
  index "Kuril" alone when "Kuril Islands" is an entry).

:func:`collect_unmatched` gives the same names with their counts, first places and the
words around them, from which ``reader-build index suggest`` drafts entries.
It also reports ``index-entry-unused`` for entries that nothing in the text matches.
Nothing here raises or prints.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from ..diagnostics import WARNING, Diagnostic
from .words import (CLOSING, CONNECTORS, COUNTRY_PHRASES, INSTITUTIONS, MAX_WORDS, SENTENCE_END, STOP, WORD,
                    PERSON_AFTER, base_form, is_cap, skip_word)


@dataclass
class NameSeen:
    """A capitalised phrase that no entry matches: where it first stands (mid-sentence, when it
    does so anywhere), how often it occurs, and the words around it each time."""
    path: str
    line: int
    col: int | None
    count: int = 0
    mid_sentence: bool = False
    possessive: int = 0                                  # times written "X's"
    before: Counter = field(default_factory=Counter)     # lower-cased words before (titles included)
    after: Counter = field(default_factory=Counter)      # lower-cased words after


def _inline_text(children) -> list[tuple[str, str]]:
    """(kind, text) runs of an inline token's children: "text" where names may be found,
    "break" for what ends a phrase (links, citations, code, note calls) and "name" for an
    index mention (a name already matched)."""
    runs: list[tuple[str, str]] = []
    link = 0
    emphasis = 0                           # titles of works and foreign words are set in italics
    spans: list[bool] = []                 # open spans: True for an index mention
    for tok in children or ():
        t = tok.type
        if t == "em_open":
            emphasis += 1
            runs.append(("break", ""))
        elif t == "em_close":
            emphasis = max(0, emphasis - 1)
            runs.append(("break", ""))
        elif t == "link_open":
            link += 1
            runs.append(("break", ""))
        elif t == "link_close":
            link = max(0, link - 1)
            runs.append(("break", ""))
        elif t == "span_open":
            is_mention = "ix" in (tok.attrGet("class") or "").split() or bool((tok.meta or {}).get("mention"))
            spans.append(is_mention)
            if is_mention:
                runs.append(("name", ""))
        elif t == "span_close":
            if spans:
                spans.pop()
        elif t == "text":
            if link or emphasis or any(spans):
                continue
            runs.append(("text", tok.content))
        elif t in ("softbreak", "hardbreak"):
            runs.append(("text", " "))
        elif t in ("citation", "code_inline", "footnote_ref", "image", "html_inline"):
            runs.append(("break", ""))
    return runs


def _ends_sentence(text: str) -> bool:
    tail = text.rstrip().rstrip(CLOSING)
    return bool(tail) and tail[-1] in SENTENCE_END


@dataclass(frozen=True)
class Phrase:
    """A run of capitalised words, with the words next to it in the same sentence."""
    words: list
    at_start: bool                  # it opens a sentence
    beside: bool                    # next to a marked name (the rest of that name)
    before: tuple = ()              # up to three words just before it (nothing but spaces between)
    after: tuple = ()               # up to two words just after it


def _context(text: str, words: list, i: int, j: int) -> tuple[tuple, tuple]:
    before: list[str] = []
    k = i
    while k > 0 and len(before) < 3 and re.fullmatch(r"\s+", text[words[k - 1].end():words[k].start()]):
        k -= 1
        before.insert(0, words[k].group())
    after: list[str] = []
    k = j
    while k + 1 < len(words) and len(after) < 2 and re.fullmatch(r"\s+", text[words[k].end():words[k + 1].start()]):
        k += 1
        after.append(words[k].group())
    return tuple(before), tuple(after)


INITIAL = re.compile(r"[^\W\d_]\.\Z")       # "F." of "John F. Kennedy": never the end of a name


def _with_initials(text: str, words: list, i: int, j: int) -> list[str]:
    """The words *i*..*j*, an initial with its full stop ("John F. Kennedy")."""
    out = []
    for k in range(i, j + 1):
        word = words[k].group()
        if k < j and len(word) == 1 and text[words[k].end():words[k + 1].start()].strip() == ".":
            word += "."
        out.append(word)
    return out


def _phrases(runs):
    """A :class:`Phrase` for every capitalised phrase.

    Only the gap since the word before is read for each word (never the text before it
    all), so a paragraph of megabytes takes time in proportion to its length."""
    out = []
    sentence_start = True
    previous = "break"
    for n, (kind, text) in enumerate(runs):
        if kind != "text":
            if kind == "name":                    # a marked name: the sentence goes on
                sentence_start = False
            previous = kind
            continue
        following = runs[n + 1][0] if n + 1 < len(runs) else "break"
        words = list(WORD.finditer(text))
        i = 0
        while i < len(words):
            word = words[i].group()
            if not is_cap(word):
                i += 1
                continue
            # the text before the word: only its last gap decides whether it ends a sentence
            before = text[words[i - 1].end() if i else 0:words[i].start()]
            text_before = i > 0 or bool(before.strip())
            at_start = _ends_sentence(before) if text_before else sentence_start
            j = i
            while j + 1 < len(words):
                gap = text[words[j].end():words[j + 1].start()]
                nxt = words[j + 1].group()
                initial = gap.strip() == "." and len(words[j].group()) == 1      # "John F. Kennedy"
                if not (re.fullmatch(r"\s+", gap) or (initial and re.fullmatch(r"\.\s+", gap))):
                    break
                if is_cap(nxt):
                    j += 1
                elif nxt in CONNECTORS and j + 2 < len(words) and is_cap(words[j + 2].group()) and \
                        re.fullmatch(r"\s+", text[words[j + 1].end():words[j + 2].start()]):
                    j += 2
                else:
                    break
            text_after = j + 1 < len(words) or bool(text[words[j].end():].strip())
            beside = ((previous == "name" and not text_before)
                      or (following == "name" and not text_after))
            out.append(Phrase(_with_initials(text, words, i, j), at_start, beside, *_context(text, words, i, j)))
            i = j + 1
        if text.strip():
            sentence_start = _ends_sentence(text)
        previous = kind
    return out


def _trim(words: list[str]) -> list[str]:
    while words and (skip_word(words[0]) or words[0] in CONNECTORS):
        words = words[1:]
    while words and (skip_word(words[-1]) or words[-1] in CONNECTORS or INITIAL.match(words[-1])):
        words = words[:-1]
    return words


@dataclass
class _Block:
    """The text of an inline token's block, where its lines start, and how far its words
    have been found."""
    text: str
    starts: list[int]
    pos: int = 0


def _position(inline, word: str, cursor: dict, source: list[str] | None) -> tuple[int | None, int | None]:
    """Line and column of the next *word* of an inline token: in the source lines of its
    block when they are known (exact in notes, lists and quotes too), else in the token's
    content (exact for paragraphs).  The block's text and lines are found once (in
    *cursor*), so the names of a long paragraph cost no more than its length."""
    if not inline.map:
        return None, None
    first = inline.map[0]
    block = cursor.get(id(inline))
    if block is None:
        text = "\n".join(source[first:inline.map[1]]) if source else inline.content or ""
        block = cursor[id(inline)] = _Block(text, [0] + [m.end() for m in re.finditer("\n", text)])
    at = block.text.find(word, block.pos)
    if at < 0:
        at = block.text.find(word)
    if at < 0:
        return first + 1, None
    block.pos = at + len(word)
    line = bisect_right(block.starts, at) - 1
    return first + 1 + line, at - block.starts[line] + 1


def _source_lines(reader, path: str) -> list[str] | None:
    """The lines of a chapter's source as the read stage read it (None for a reader made
    without one)."""
    sources = getattr(reader, "sources", None)
    text = sources.text_of(path) if sources is not None else None
    return text.splitlines() if text is not None else None


@dataclass
class _Scan:
    """What one walk through the text gathers."""
    authority: object
    variant_words: set
    seen: dict = field(default_factory=dict)             # phrase -> NameSeen
    lower: Counter = field(default_factory=Counter)      # lower-case words of the running text


def _candidate(scan: _Scan, phrase: Phrase) -> tuple[str, list[str]] | None:
    """(the phrase as an index would name it, its words) when it may be an unknown name."""
    if phrase.beside:                   # "Matsumoto Shun'ichi": the rest of a marked name
        return None
    trimmed = _trim(list(phrase.words))
    content = [w for w in trimmed if w not in CONNECTORS]
    if not trimmed or len(content) > MAX_WORDS:
        return None
    bases = [base_form(w) for w in trimmed]
    if any(b in INSTITUTIONS for b in bases) or " ".join(bases) in COUNTRY_PHRASES:
        return None
    if all(b in scan.variant_words or w in CONNECTORS for w, b in zip(trimmed, bases)):
        return None
    name = " ".join(trimmed[:-1] + [trimmed[-1][:len(bases[-1])]])
    if scan.authority.find(name):
        return None
    return name, trimmed


def _note(scan: _Scan, tok, phrase: Phrase, where: tuple) -> None:
    """Count one occurrence of a candidate, with its place and the words around it."""
    found = _candidate(scan, phrase)
    if found is None:
        return
    name, trimmed = found
    path, fallback, cursor, source = where
    first = trimmed[0] if len(trimmed) > 1 else trimmed[0][:len(base_form(trimmed[0]))]   # "Smith’s"
    line, col = _position(tok, first, cursor, source)
    record = scan.seen.get(name)
    if record is None:
        record = scan.seen[name] = NameSeen(path, line or fallback, col)
    record.count += 1
    lead = phrase.words[:phrase.words.index(trimmed[0])]
    before = tuple(w.casefold().rstrip(".") for w in (*phrase.before, *lead))[-3:]
    if before:
        record.before[before] += 1
    if phrase.after:
        record.after[tuple(w.casefold() for w in phrase.after)] += 1
    if trimmed[-1].endswith(("'s", "\u2019s")):
        record.possessive += 1
    # a capital that only the sentence asks for is no evidence of a name: a single word at the
    # start, or a start like "Rumours of Vardak" (the name may be the part after the connector)
    opening = phrase.at_start and trimmed[0] == phrase.words[0] and (
        len(trimmed) == 1 or trimmed[1] in CONNECTORS)
    if not opening:
        if not record.mid_sentence:
            record.path, record.line, record.col = path, line or fallback, col
        record.mid_sentence = True


def _scan_tokens(scan: _Scan, tokens, where: tuple) -> None:
    in_heading = False
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "heading_close":
            in_heading = False
        if tok.type != "inline" or in_heading:
            continue
        runs = _inline_text(tok.children)
        for kind, text in runs:
            if kind == "text":
                scan.lower.update(w for w in WORD.findall(text) if w.islower())
        for phrase in _phrases(runs):
            _note(scan, tok, phrase, where)


def _common_word(name: str, record: NameSeen, lower: Counter) -> bool:
    """Rules read from the book itself: a single word that the text also writes in lower case
    as often (a common word: "Treaty", "Will"), or that mostly stands right before a lower-case
    word that is no function word (a modifier: "Soviet troops", "Gothic arches")."""
    if " " in name:
        return False
    if lower[name.casefold()] >= max(1, record.count // 2):
        return True
    modified = sum(n for after, n in record.after.items() if _noun_like(after[0]))
    return record.count >= 3 and not record.possessive and modified * 4 >= record.count * 3


def _noun_like(word: str) -> bool:
    """A lower-case word after a capitalised one that makes it a modifier ("Soviet troops"),
    not a verb after a subject ("Kennedy said", "Halloway noticed") or a function word."""
    return (word.islower() and word not in STOP and word not in PERSON_AFTER
            and not word.endswith(("ed", "'s", "\u2019s")))


def collect_unmatched(reader, root=None) -> dict[str, NameSeen]:
    """Every capitalised phrase of the running text and the notes that looks like the name of
    a person or place and that no entry of the authority file matches, by name.

    The chapters' text as read (``reader.sources``) makes the columns exact in notes and lists
    too; without it they come from the parsed text.  *root* is not read (nothing is read here).
    """
    authority = getattr(reader, "authority", None)
    if authority is None:
        return {}
    variant_words = set()
    for entry in authority.entries.values():
        for variant in entry.variants:
            variant_words.update(base_form(w) for w in WORD.findall(variant))
    scan = _Scan(authority, variant_words)
    for chapter in reader.chapters:
        parsed = chapter.parsed
        source = _source_lines(reader, parsed.path)
        for tokens, fallback in [(parsed.tokens, 1)] + [(note.tokens, note.line) for note in parsed.notes]:
            _scan_tokens(scan, tokens, (parsed.path, fallback, {}, source))
    return {name: record for name, record in scan.seen.items()
            if record.mid_sentence and not _common_word(name, record, scan.lower)}


def unmatched_names(reader, root=None) -> list[Diagnostic]:
    """Warnings for names the index does not know and entries the text never names."""
    if getattr(reader, "authority", None) is None:
        return []
    out = []
    for phrase, record in collect_unmatched(reader, root).items():
        times = "once" if record.count == 1 else f"{record.count} times"
        out.append(Diagnostic("index-unmatched-name", WARNING,
                              f"'{phrase}' ({times}) looks like a name but no index entry matches it; add it "
                              "to a variant of an entry, or ignore this if it is not a person or place",
                              record.path, record.line, record.col))
    out.extend(unused_entries(reader))
    return sorted(out, key=Diagnostic.sort_key)


def unused_entries(reader) -> list[Diagnostic]:
    """``index-entry-unused`` for entries that no mention in the text matches."""
    authority = getattr(reader, "authority", None)
    if authority is None:
        return []
    mentioned = {m.entry for m in reader.mentions}
    out = []
    for entry in authority.entries.values():
        if entry.id in mentioned or any(sub in mentioned for sub in entry.subs):
            continue
        if entry.see and not entry.variants:
            continue                                  # a pure cross-reference
        what = "none of its variants occurs in the text" if entry.variants else "no index span names it"
        out.append(Diagnostic("index-entry-unused", WARNING,
                              f"index entry '{entry.id}' ({entry.heading}) is never used: {what}",
                              entry.path or None, entry.line or None, None))
    return out
