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
  nationality adjectives ("Japanese", "Soviet"), countries and continents (which an
  index of this kind leaves out), acronyms ("USSR"), roman numerals;
* headings, link texts, citations, code, and the text of index mentions;
* a phrase whose words all belong to a variant of some entry (the author chose not to
  index "Kuril" alone when "Kuril Islands" is an entry).

It also reports ``index-entry-unused`` for entries that nothing in the text matches.
Nothing here raises or prints.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import WARNING, Diagnostic

STOP = set("""
a about above across after against all almost also although among an and another any anyone anything
are as at be because been before being below besides between both but by can cf could did do does during
each either else et even ever every for from further had has have he hence her here hers herself him
himself his how however i if in indeed into is it its itself just least less many may meanwhile might
more moreover most much must my namely neither never nevertheless no nor not note now of off often on
once one only or other others otherwise our out over own per perhaps rather same see several shall she
should since so some still such than that the their theirs them themselves then there thereafter
therefore these they this those though thus to together too toward towards under unless until upon us
very via was we were what whatever when whenever where whereas wherever whether which while who whoever
whole whom whose why will with within without would yet you your yes strictly first second third last
next later earlier today yesterday tomorrow here ibid ibidem op cit viz ie eg etc two three four five
six seven eight nine ten eleven twelve twenty hundred thousand big little small grand old young
""".split())

TITLES = set("""
president vice prime minister ministers foreign secretary ambassador ambassadors chairman chairwoman
general admiral marshal generalissimo emperor empress king queen prince princess premier chancellor
deputy envoy consul plenipotentiary delegate delegation head chief director commander commander-in-chief
supreme allied representative senator governor mayor professor prof dr mr mrs ms sir lord lady st
saint pope cardinal bishop father brother sister colonel captain major lieutenant sergeant private
academician comrade chairperson speaker commissioner attorney judge justice
""".split())

INSTITUTIONS = set("""
treaty treaties declaration declarations agreement agreements conference conferences convention
conventions memorandum memoranda protocol protocols act acts charter charters constitution law laws
article articles art chapter chapters section sections part parts volume volumes vol no doc docs
document documents page pages pp figure figures table tables map maps appendix note notes ministry
ministries department departments council councils committee committees commission commissions
government governments parliament diet congress senate assembly court office bureau agency
university press institute museum library archive archives academy party parties army navy force
forces fleet command headquarters union republic republics federation kingdom empire state states
nations organization organisation war wars revolution crisis period era age dynasty summit talks
commune soviet soviets cold world communist communists edition editions series journal review times
news herald gazette post daily weekly monthly quarterly annual report reports shimbun newspaper
newspapers agency house houses embassy embassies cabinet presidium politburo relations affairs peace
headquarters group groups power powers doctor sciences science fisheries fishery agriculture forestry
chronology assistance people peoples time distress nation allies alliance coalition
""".split())

MONTHS = set("""
january february march april may june july august september october november december jan feb mar apr
jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
""".split())

# Countries and continents (an index of people and places usually leaves them out), and words
# of regions and directions that only make a name with another word.
PLACES_NOT_INDEXED = set("""
afghanistan albania algeria andorra angola armenia azerbaijan bahamas bahrain bangladesh barbados
belarus belize benin bhutan bolivia bosnia botswana brunei burundi cambodia cameroon chad colombia
comoros congo croatia cuba cyprus djibouti dominica ecuador eritrea estonia eswatini ethiopia fiji
gabon gambia georgia ghana grenada guatemala guinea guyana haiti honduras iceland jamaica jordan
kazakhstan kenya kiribati kuwait kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein
lithuania luxembourg madagascar malawi malaysia maldives mali malta mauritania mauritius micronesia
moldova monaco montenegro morocco mozambique namibia nauru nepal nicaragua niger nigeria oman palau
panama paraguay peru qatar rwanda samoa senegal serbia seychelles singapore slovakia slovenia somalia
sudan suriname syria tajikistan tanzania togo tonga tunisia turkmenistan tuvalu uganda ukraine
uruguay uzbekistan vanuatu venezuela yemen zambia zimbabwe ceylon persia siam manchukuo
north south east west northern southern eastern western far near middle central upper lower
""".split()) | set("""
japan russia china korea america britain england scotland wales ireland france germany italy spain
portugal poland czechoslovakia hungary romania bulgaria yugoslavia austria switzerland netherlands
holland belgium sweden norway denmark finland greece turkey india pakistan indonesia philippines
vietnam burma thailand mongolia canada mexico brazil argentina chile australia zealand egypt israel
iran iraq syria europe asia africa oceania antarctica arctic eurasia ussr usa uk un prc dprk
""".split())

CONNECTORS = {"of", "de", "du", "des", "da", "di", "von", "van", "der", "den", "la", "le", "al", "el", "bin",
              "ibn", "y", "and"}
SENTENCE_END = ".!?:\u2026\u201c\"\u2018"
CLOSING = "\u201d\u2019\"')]"
MAX_WORDS = 3                       # longer capitalised runs are titles of works, not names
_WORD = re.compile(r"[^\W\d_][\w'\u2019\-]*")
_ROMAN = re.compile(r"(?i)^[ivxlcdm]+$")
_DEMONYM = re.compile(r"(?:ese|ian|ish|ean|ican|ans|ians)$")
DEMONYMS = set("""
thai arab arabs soviet soviets american african latin anglo slav slavic nordic european asiatic oriental
allied turkish swiss dutch french greek czech polish british scottish irish welsh jewish muslim catholic
protestant orthodox christian buddhist communist bolshevik tsarist imperial
""".split())
COUNTRY_PHRASES = {"saudi arabia", "sri lanka", "el salvador", "new zealand", "south africa", "costa rica",
                   "dominican republic", "united states", "united kingdom", "great britain", "soviet union",
                   "south korea", "north korea", "east germany", "west germany", "czech republic",
                   "ivory coast", "papua new guinea", "trinidad and tobago", "sierra leone", "burkina faso",
                   "cape verde", "san marino", "vatican city", "united arab emirates", "marshall islands",
                   "solomon islands", "east timor", "south sudan", "north macedonia", "latin america"}


@dataclass
class _Seen:
    path: str
    line: int
    col: int | None
    count: int = 0
    mid_sentence: bool = False
    places: list = field(default_factory=list)


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.replace("-", "").isupper())


def _base(word: str) -> str:
    """Case-folded, without a possessive "'s" or a final apostrophe."""
    base = word.casefold()
    for suffix in ("'s", "\u2019s", "'", "\u2019"):
        if base.endswith(suffix):
            return base[:-len(suffix)]
    return base


def _skip_word(word: str) -> bool:
    """Capitalised words that are no name of a person or place by themselves."""
    base = _base(word)
    if "-" in base:                 # "Anglo-American", "Russian-sourced", "Asia-Pacific"
        parts = [p for p in word.split("-") if p]
        return any(not _is_cap(p) for p in parts) or all(_skip_word(p) for p in parts) or len(parts) > 1
    return (base in STOP or base in TITLES or base in MONTHS or bool(_ROMAN.match(word))
            or base in PLACES_NOT_INDEXED or base in DEMONYMS or bool(_DEMONYM.search(base)) or len(base) < 2)


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


def _phrases(runs):
    """(words, at sentence start, next to a marked name) for every capitalised phrase.

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
        words = list(_WORD.finditer(text))
        i = 0
        while i < len(words):
            word = words[i].group()
            if not _is_cap(word):
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
                if _is_cap(nxt):
                    j += 1
                elif nxt in CONNECTORS and j + 2 < len(words) and _is_cap(words[j + 2].group()) and \
                        re.fullmatch(r"\s+", text[words[j + 1].end():words[j + 2].start()]):
                    j += 2
                else:
                    break
            text_after = j + 1 < len(words) or bool(text[words[j].end():].strip())
            beside = ((previous == "name" and not text_before)
                      or (following == "name" and not text_after))
            out.append(([w.group() for w in words[i:j + 1]], at_start, beside))
            i = j + 1
        if text.strip():
            sentence_start = _ends_sentence(text)
        previous = kind
    return out


def _trim(words: list[str]) -> list[str]:
    while words and (_skip_word(words[0]) or words[0] in CONNECTORS):
        words = words[1:]
    while words and (_skip_word(words[-1]) or words[-1] in CONNECTORS):
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


def _source_lines(root, path: str) -> list[str] | None:
    if root is None:
        return None
    try:
        return (Path(root) / path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def unmatched_names(reader, root=None) -> list[Diagnostic]:
    """Warnings for names the index does not know and entries the text never names.

    *root* (the project folder) lets the columns be exact in notes and lists too; the
    sources are only read, and a file that cannot be read falls back to the parsed text.
    """
    authority = getattr(reader, "authority", None)
    if authority is None:
        return []
    variant_words = set()
    for entry in authority.entries.values():
        for variant in entry.variants:
            variant_words.update(_base(w) for w in _WORD.findall(variant))
    seen: dict[str, _Seen] = {}
    for chapter in reader.chapters:
        parsed = chapter.parsed
        source = _source_lines(root, parsed.path)
        token_lists = [(parsed.tokens, 1)] + [(note.tokens, note.line) for note in parsed.notes]
        for tokens, fallback in token_lists:
            cursor: dict = {}
            in_heading = False
            for tok in tokens:
                if tok.type == "heading_open":
                    in_heading = True
                elif tok.type == "heading_close":
                    in_heading = False
                if tok.type != "inline" or in_heading:
                    continue
                for words, at_start, beside in _phrases(_inline_text(tok.children)):
                    if beside:                  # "Matsumoto Shun'ichi": the rest of a marked name
                        continue
                    trimmed = _trim(list(words))
                    content = [w for w in trimmed if w not in CONNECTORS]
                    if not trimmed or len(content) > MAX_WORDS:
                        continue
                    bases = [_base(w) for w in trimmed]
                    if any(b in INSTITUTIONS for b in bases) or " ".join(bases) in COUNTRY_PHRASES:
                        continue
                    if all(b in variant_words or w in CONNECTORS for w, b in zip(trimmed, bases)):
                        continue
                    phrase = " ".join(trimmed[:-1] + [trimmed[-1][:len(bases[-1])]])
                    if authority.find(phrase):
                        continue
                    single_at_start = at_start and len(trimmed) == 1 and trimmed[0] == words[0]
                    line, col = _position(tok, trimmed[0], cursor, source)
                    if line is None:
                        line = fallback
                    record = seen.get(phrase)
                    if record is None:
                        record = seen[phrase] = _Seen(parsed.path, line, col)
                    record.count += 1
                    if not single_at_start:
                        if not record.mid_sentence:
                            record.path, record.line, record.col = parsed.path, line, col
                        record.mid_sentence = True
    out = []
    for phrase, record in seen.items():
        if not record.mid_sentence:
            continue
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
