"""Total-fit line breaking: the lines of a justified paragraph chosen all at once.

WeasyPrint breaks lines first-fit: each line takes as many words as fit, whatever this
does to the lines after it, so one long word can leave a line with wide spaces.  TeX
chooses the breaks of a whole paragraph together (Knuth and Plass, "Breaking paragraphs
into lines", 1981), which is where its even texture comes from.  This module does the
same inside WeasyPrint's layout:

1. When WeasyPrint starts a justified paragraph (``iter_line_boxes`` with no skip stack),
   :func:`plan` reads the paragraph's inline content: its text boxes, with their computed
   styles, and the edges of its inline boxes (margins, borders, padding).
2. It finds the break opportunities as Pango does (``pango_get_log_attrs`` over the whole
   text): spaces, the soft hyphens that render/hyphenate.py put in, and the places after a
   hyphen or a dash (never inside a range of numbers, "1955–57": that one is only closed),
   and, in a text that may break anywhere (``overflow-wrap: anywhere``: a run of 30
   characters or more, an address), between any two of its characters, best before a dot
   (:data:`URL_POINTS`; in an address, before a hyphen too, and never after one); a line
   of such a text alone may end up to :data:`ANYWHERE_SLACK` spaces short of the measure.  The width of the text between two of them (inside a text
   that may break anywhere, up to each character) is measured with Pango, in its own style:
   the same shaping, features and letter-spacing that the layout uses.
3. :func:`breaks` chooses the breaks that give the paragraph the fewest demerits: TeX's
   (badness from the stretch of the spaces, penalties for hyphens, more for two hyphenated
   lines in a row, for a hyphen at the end of the last full line, and for lines of very
   different tightness next to each other), with no more than :data:`MAX_HYPHENS_IN_A_ROW`
   hyphenated lines in a row.  It tries without hyphens first, then with them, then with a
   higher tolerance (TeX's pretolerance, tolerance and emergency passes).
4. The breaks are given to WeasyPrint by the text itself: every opportunity that is not
   chosen is closed, a space by a WORD JOINER (U+2060) after it (the space still stretches
   when the line is justified), a soft hyphen by taking it out, any other place by a word
   joiner; a break chosen inside a run that may break anywhere is opened by a ZERO WIDTH
   SPACE (U+200B).  WeasyPrint then finds on each line exactly the text chosen for it.  A word
   joiner has no glyph, so the PDF's text layer does not show it.

Spaces are stretched only (WeasyPrint cannot narrow a space below its natural width), so
the print style sheet narrows the natural space (``word-spacing: -0.08em``, a third of the
font's space, as TeX lets a space shrink) and the demerits measure each line against the
font's own space: a line whose spaces are at their CSS width counts as shrunk by the whole
of that narrowing.

A paragraph's edits are kept (:class:`Measure`, per process and per set of ``@font-face``
rules): a later layout of the same part, or another part with the same paragraph, gets them
without measuring again.

A paragraph is left to WeasyPrint (first fit) when anything in it cannot be measured
beforehand (an inline block, an image, a float beside it, a ``::first-line`` or
``::first-letter`` style), when it holds a word joiner of its own, when it is not
justified, or when no set of breaks fits (a word wider than the line).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from weasyprint.formatting_structure import boxes
from weasyprint.text.line_break import create_layout, get_log_attrs, line_size

FIRST_FIT = "/* reader-build: first-fit line breaking */"   # in an edition's CSS (line-breaking = "first-fit")
WJ = "\u2060"                   # WORD JOINER: no break on either side, no glyph
ZWSP = "\u200b"                 # ZERO WIDTH SPACE: a break, no glyph (where a run that may break anywhere breaks)
SHY = "\u00ad"
NBSP = "\u00a0"
DASHES = frozenset("-\u2010\u2012\u2013\u2014")

LINE_PENALTY = 10               # TeX's \linepenalty
HYPHEN_PENALTY = 700            # TeX's \hyphenpenalty is 50: fewer hyphens here, for a few looser lines
EXPLICIT_PENALTY = HYPHEN_PENALTY   # \exhyphenpenalty: after a hyphen or a dash in the text
OTHER_PENALTY = 100             # after a slash and the like
ANYWHERE_PENALTY = 150          # inside a run that may break anywhere (a long URL's part): no hyphen
URL_POINT_PENALTY = 50          # there, before a dot or the like, where an address breaks best (Chicago)
URL_POINTS = frozenset("._?#&=~%,;")
ANYWHERE_SLACK = 4              # spaces: how short of the measure a line of such a run alone may end
DOUBLE_HYPHEN_DEMERITS = 10000  # \doublehyphendemerits
FINAL_HYPHEN_DEMERITS = 5000    # \finalhyphendemerits
ADJ_DEMERITS = 10000            # \adjdemerits: a very loose line next to a decent one
MAX_HYPHENS_IN_A_ROW = 2
STRETCH = 0.5                   # a space may stretch by half its width per unit of ratio (fontspec's default)
INFINITE_BADNESS = 10000
PASSES = ((100, False), (200, True), (INFINITE_BADNESS, True))   # (tolerance, hyphens): TeX's three passes


@dataclass
class Break:
    """A place where a line may end: before character ``index`` of the paragraph's text."""
    index: int                  # the next line starts here
    end_x: float                # where a line ending here ends (its trailing space left out, its hyphen in)
    start_x: float              # where the next line starts
    spaces_end: int             # expandable spaces before the end of a line ending here
    spaces_start: int           # expandable spaces before the start of the next line
    penalty: float
    flagged: bool               # a hyphen ends the line
    forced: bool = False        # the end of the paragraph, or a preserved line break
    kind: str = "glue"          # glue, hyphen, explicit, other, forced


@dataclass
class Paragraph:
    """A paragraph's inline content as the line breaker sees it."""
    text: str
    owners: list                # per character: (text box, offset in its text), None for an edge
    breaks: list[Break] = field(default_factory=list)
    space: float = 0.0          # a space at the font's width, in the paragraph's style
    shrink: float = 0.0         # how much narrower the CSS makes it


class Unmeasurable(Exception):
    """The paragraph holds something whose width is not known before the layout."""


# -- measuring --------------------------------------------------------------------------

def _style_key(style) -> tuple:
    return (str(style["font_family"]), style["font_style"], style["font_stretch"],
            style["font_weight"], style["font_size"], str(style["font_variant_ligatures"]),
            style["font_variant_position"], style["font_variant_caps"], str(style["font_variant_numeric"]),
            str(style["font_variant_alternates"]), str(style["font_variant_east_asian"]),
            str(style["font_feature_settings"]), str(style["font_variation_settings"]), style["font_kerning"],
            style["font_language_override"], style["lang"], str(style["letter_spacing"]),
            style["word_spacing"])


class Measure:
    """Text widths in a style, through Pango, kept for every layout made with the same fonts
    (:func:`measure_for`): the same paragraph is laid out again by a later layout of its part."""

    def __init__(self):
        self.context = None
        self.widths: dict = {}
        self.keys: dict = {}                        # id(style) -> (style, its number), for the layout under way
        self.numbers: dict = {}                     # a style's key (_style_key) -> its number
        self.plans: dict = {}                       # a paragraph's key -> its edits (see plan)

    def start(self, context) -> None:
        """Measure for a new layout (its styles are new objects)."""
        self.context = context
        self.keys = {}
        if len(self.plans) > MAX_KEPT or len(self.widths) > MAX_KEPT:
            self.plans.clear()
            self.widths.clear()
            self.numbers.clear()

    def key(self, style) -> int:
        """A small number for the font, size, features and spacing of *style* (the same for every
        style that sets text alike, in every layout)."""
        found = self.keys.get(id(style))
        if found is None or found[0] is not style:
            number = self.numbers.setdefault(_style_key(style), len(self.numbers))
            found = self.keys[id(style)] = (style, number)
        return found[1]

    def width(self, text: str, style) -> float:
        key = (self.key(style), text)
        found = self.widths.get(key)
        if found is None:
            layout = create_layout(text, style, self.context, None, 0)
            line, _ = layout.get_first_line()
            found = line_size(line, style)[0] if line is not None else 0.0
            if style["letter_spacing"] != "normal":
                found -= style["letter_spacing"]    # line_size adds one; the text carries it per character
            layout.deactivate()
            self.widths[key] = found
        return found

    def space(self, style) -> float:
        """The width of one space between words, word-spacing included."""
        return self.width("n n", style) - 2 * self.width("n", style)


MAX_KEPT = 200_000
_MEASURES: dict = {}


def measure_for(fonts: str | None) -> Measure:
    """The :class:`Measure` of the layouts whose style sheets declare the fonts *fonts* (their
    ``@font-face`` rules): a family name means the same font files in each of them.  None:
    fonts not known, a measure for one layout."""
    if fonts is None:
        return Measure()
    if fonts not in _MEASURES:
        if len(_MEASURES) > 8:
            _MEASURES.clear()
        _MEASURES[fonts] = Measure()
    return _MEASURES[fonts]


# -- reading the paragraph ---------------------------------------------------------------

def _edge(box, side: str, containing_width: float) -> float:
    total = 0.0
    for name in (f"margin_{side}", f"padding_{side}"):
        value = box.style[name]
        if value == "auto":
            continue
        if value.unit == "%":
            total += value.value * containing_width / 100
        elif value.unit == "px":
            total += value.value
        else:
            raise Unmeasurable(name)
    return total + box.style[f"border_{side}_width"]


def _read(linebox, containing_width: float) -> list:
    """The text boxes of *linebox* in order, with the edge widths of the inline boxes between them:
    ``[(box, text) | (None, width)]``."""
    items: list = []

    def walk(box):
        if not box.is_in_normal_flow():
            if box.is_floated() and not isinstance(box, boxes.BlockBox) and box.style["float"] != "footnote":
                raise Unmeasurable("float")
            return                                  # out of the line: takes no width in it
        if isinstance(box, boxes.TextBox):
            if box.text:
                items.append((box, box.text))
            return
        if isinstance(box, boxes.InlineBox):
            items.append((None, _edge(box, "left", containing_width)))
            for child in box.children:
                walk(child)
            items.append((None, _edge(box, "right", containing_width)))
            return
        raise Unmeasurable(type(box).__name__)      # inline blocks, images, inline tables

    for child in linebox.children:
        walk(child)
    return items


def _stream(items: list) -> tuple[str, list, dict]:
    """The paragraph's text, each character's (text box, offset), and the widths of the edges
    (and extra spacing) that stand before a character."""
    chars: list[str] = []
    owners: list = []
    edge_before: dict[int, float] = {}
    for box, value in items:
        if box is None:
            if value:
                edge_before[len(chars)] = edge_before.get(len(chars), 0.0) + value
            continue
        chars.extend(value)
        owners.extend((box, k) for k in range(len(value)))
        if box.style["letter_spacing"] != "normal":     # a text box is as wide as its text and one more
            edge_before[len(chars)] = edge_before.get(len(chars), 0.0) + box.style["letter_spacing"]
    return "".join(chars), owners, edge_before


_TOKEN = re.compile(r"[^ \n]+|[ \n]")


def _positions(text: str, owners: list, edge_before: dict, attrs, wraps: list, measure: Measure):
    """The x of each character (and of the text's end), and the expandable spaces before each."""
    x = [0.0] * (len(text) + 1)
    spaces = [0] * (len(text) + 1)
    position = 0.0
    count = 0
    for token in _TOKEN.finditer(text):
        start, end = token.span()
        if start in edge_before:
            position += edge_before[start]
        if end - start == 1 and text[start] in " \n":
            x[start] = position
            spaces[start] = count
            if text[start] == " ":
                position += measure.space(owners[start][0].style)
                count += 1
            continue
        # a word: measured in runs that end at a break opportunity, a box's end or an edge
        run = start
        for i in range(start, end + 1):
            if i < end and (i == start or (owners[i][0] is owners[i - 1][0] and i not in edge_before
                                           and not (attrs[i].is_line_break and wraps[i - 1]))):
                continue
            if i > run:
                style = owners[run][0].style
                anywhere = style["overflow_wrap"] == "anywhere"
                for k in range(run, i):
                    # (in a run that may break anywhere, each character where the run up to it ends)
                    prefix = text[run:k].replace(SHY, "") if anywhere and k > run else ""
                    x[k] = position + (measure.width(prefix, style) if prefix else 0.0)
                    spaces[k] = count
                    count += text[k] == NBSP
                piece = text[run:i].replace(SHY, "")
                position += measure.width(piece, owners[run][0].style) if piece else 0.0
            if i < end and i in edge_before:
                position += edge_before[i]
            run = i
    if len(text) in edge_before:
        position += edge_before[len(text)]
    x[len(text)] = position
    spaces[len(text)] = count
    return x, spaces


def paragraph(linebox, width: float, measure: Measure, items: list | None = None) -> Paragraph | None:
    """The paragraph of *linebox* with its break opportunities measured, or None when it has
    no text to break.  *items*: what :func:`_read` found in it, when known."""
    if items is None:
        items = _read(linebox, width)
    text, owners, edge_before = _stream(items)
    if not text or WJ in text:
        return None                                 # (a word joiner: set by an earlier plan, in a copy of its box)
    style = linebox.style
    attrs = get_log_attrs(text, style["lang"])
    wraps = [owner[0].style["white_space"] in ("normal", "pre-line") for owner in owners]
    x, spaces = _positions(text, owners, edge_before, attrs, wraps, measure)

    par = Paragraph(text, owners)
    word_spacing = style["word_spacing"] if isinstance(style["word_spacing"], (int, float)) else 0
    par.shrink = max(0.0, -word_spacing)
    par.space = measure.space(style) + par.shrink   # the font's own space: the ideal

    start = 0
    while start < len(text) and text[start] == " ":
        start += 1
    par.breaks.append(Break(start, x[start], x[start], spaces[start], spaces[start], 0, False, kind="start"))
    for i in range(start + 1, len(text)):
        if not attrs[i].is_line_break and text[i - 1] != "\n" and not _anywhere(owners, wraps, i, text):
            continue
        found = _candidate(text, owners, attrs, wraps, x, spaces, i, measure)
        if found is False:
            return None
        if found is not None:
            par.breaks.append(found)
    end = len(text)
    while end > start and text[end - 1] == " ":
        end -= 1
    par.breaks.append(Break(len(text), x[end], x[len(text)], spaces[end], spaces[len(text)], -math.inf, False,
                            True, "forced"))
    return par


def _pseudo(box) -> bool:
    """Is *box* the text of a pseudo-element (a note's call or marker)?  (Between an element's
    text and another's, as after the slash that ends a link's text before a span, WeasyPrint
    does break: such a place is an opportunity, to be chosen or closed like any other.)"""
    return "::" in (box.element_tag or "")


def _anywhere(owners, wraps, i: int, text: str) -> bool:
    """May a line end before character *i* of *text*, inside a word, because its text box may
    break anywhere (``overflow-wrap: anywhere``: a run of 30 characters or more without a space,
    an address: render/html.py)?"""
    box = owners[i][0]
    return (box is owners[i - 1][0] and wraps[i - 1] and box.style["overflow_wrap"] == "anywhere"
            and text[i - 1] not in " \n" + NBSP + SHY + ZWSP and text[i] not in " \n" + NBSP + ZWSP)


def _in_address(box) -> bool:
    """Is *box* the text of an address (``span.url``: render/html.py)?"""
    element = getattr(box, "element", None)
    return element is not None and "url" in (element.get("class") or "").split()


def _candidate(text, owners, attrs, wraps, x, spaces, i: int, measure: Measure):
    """The break before character *i*: a :class:`Break`, None (no break there), or False (a line
    break that is not a preserved one: the paragraph is left to WeasyPrint)."""
    before = text[i - 1]
    if before == "\n":
        if owners[i - 1][0].style["white_space"] != "pre-line":
            return False
        return Break(i, x[i - 1], x[i], spaces[i - 1], spaces[i], -math.inf, False, True, "forced")
    if not attrs[i].is_line_break and _anywhere(owners, wraps, i, text):
        point = text[i] in URL_POINTS or (text[i] == "-" and _in_address(owners[i][0]))
        penalty = URL_POINT_PENALTY if point else ANYWHERE_PENALTY
        return Break(i, x[i], x[i], spaces[i], spaces[i], penalty, False, kind="anywhere")
    if not attrs[i].is_line_break or not wraps[i - 1]:
        return None
    if before not in " " + SHY and owners[i][0] is not owners[i - 1][0] and (
            _pseudo(owners[i][0]) or _pseudo(owners[i - 1][0])):
        return None                                 # before a note's call, say: WeasyPrint does not break there
    if before == " ":
        end = i - 1
        while end > 0 and text[end - 1] == " ":
            end -= 1
        return Break(i, x[end], x[i], spaces[end], spaces[i], 0, False)
    if before == SHY:
        style = owners[i - 1][0].style
        hyphen = measure.width(style["hyphenate_character"], style)
        return Break(i, x[i] + hyphen, x[i], spaces[i], spaces[i], HYPHEN_PENALTY, True, kind="hyphen")
    if before in DASHES:
        if before == "-" and _in_address(owners[i - 1][0]):
            # an address breaks before its hyphen, never after it (Chicago): "my.et-" at a line's
            # end would read as a word broken there, and "my.etenterprises.com" be copied
            return Break(i, x[i], x[i], spaces[i], spaces[i], math.inf, False, kind="closed")
        if i >= 2 and text[i - 2].isdigit() and text[i].isdigit():
            return Break(i, x[i], x[i], spaces[i], spaces[i], math.inf, False, kind="closed")   # 1955–57
        return Break(i, x[i], x[i], spaces[i], spaces[i], EXPLICIT_PENALTY, True, kind="explicit")
    return Break(i, x[i], x[i], spaces[i], spaces[i], OTHER_PENALTY, False, kind="other")


# -- choosing the breaks ------------------------------------------------------------------

def _fitness(ratio: float) -> int:
    if ratio < -0.5:
        return 0                # tight
    if ratio <= 0.5:
        return 1                # decent
    if ratio <= 1:
        return 2                # loose
    return 3                    # very loose


def breaks(par: Paragraph, widths: tuple[float, float], tolerance: float, hyphens: bool,
           last_justified: bool = False) -> list[int] | None:
    """The indexes (into par.breaks) of the best breaks, or None when no set of lines is within
    *tolerance*.  ``widths``: the first line's width and the others'; *last_justified*: the
    paragraph's last line is justified too (``text-align-last: justify``).

    The active nodes are tuples (position in par.breaks, lines before it, fitness class,
    hyphenated lines in a row, total demerits, previous node): this loop is the line breaker's
    cost, and it runs for every paragraph of a book."""
    candidates = par.breaks
    space, shrink = par.space, par.shrink
    stretch_unit = space * STRETCH
    natural_space = space - shrink
    end = len(par.text)
    # the widest gap a line may have at this tolerance: a shorter line cannot end here
    widest = space + stretch_unit * (tolerance / 100) ** (1 / 3) + 1e-9 if tolerance < INFINITE_BADNESS else math.inf
    first_width, width = widths
    active = [(0, 0, 1, 0, 0.0, None)]
    for position in range(1, len(candidates)):
        candidate = candidates[position]
        kind = candidate.kind
        if kind == "closed" or (kind == "hyphen" and not hyphens):
            continue
        end_x, spaces_end, flagged, forced = candidate.end_x, candidate.spaces_end, candidate.flagged, candidate.forced
        unjustified = forced and not (last_justified and candidate.index == end)
        penalty = 0.0 if forced else candidate.penalty
        penalty = penalty * penalty if penalty >= 0 else -penalty * penalty
        best: dict = {}
        survivors = []
        for node in active:
            start = candidates[node[0]]
            line_width = first_width if node[1] == 0 else width
            natural = end_x - start.start_x
            if natural > line_width + 1e-6:         # overfull
                if kind == "hyphen":                # (a hyphen's width can make it so where the next space is not)
                    survivors.append(node)
                continue                            # no later break can do better for this start
            survivors.append(node)
            count = spaces_end - start.spaces_start
            if unjustified or count == 0:           # the last line is not justified; a line with no space
                if count == 0 and not unjustified and natural < line_width - 1e-6 and not (
                        kind in ("anywhere", "other") and natural > line_width - ANYWHERE_SLACK * space):
                    continue                        # cannot be (but a part of a long URL, full within a letter)
                ratio = badness = 0.0
            else:
                gap = (line_width - natural) / count    # what WeasyPrint adds to each space
                if natural_space + gap > widest:
                    continue                        # too loose at this tolerance
                actual = natural_space + gap
                if actual >= space:
                    ratio = (actual - space) / stretch_unit
                else:
                    ratio = (actual - space) / shrink if shrink else 0.0
                badness = 100 * abs(ratio) ** 3     # not capped in the last pass (as TeX's \emergencystretch:
                if tolerance < INFINITE_BADNESS:    # two loose lines, not one of three words spread out)
                    badness = min(INFINITE_BADNESS, badness)
                    if badness > tolerance:
                        continue
            run = node[3] + 1 if flagged else 0
            if run > MAX_HYPHENS_IN_A_ROW:
                continue
            demerits = (LINE_PENALTY + badness) ** 2 + penalty
            if flagged and node[3]:
                demerits += DOUBLE_HYPHEN_DEMERITS
            if forced and node[3] and candidate.index == end:
                demerits += FINAL_HYPHEN_DEMERITS
            fitness = _fitness(ratio)
            if abs(fitness - node[2]) > 1:
                demerits += ADJ_DEMERITS
            total = node[4] + demerits
            key = (fitness, run)
            if key not in best or total < best[key][4]:
                best[key] = (position, node[1] + 1, fitness, run, total, node)
        if forced:
            active = list(best.values())            # every line must end here
        else:
            active = survivors + list(best.values())
        if not active:
            return None
    return _path(active, len(candidates) - 1)


def _path(active: list, last: int) -> list[int] | None:
    """The breaks of the node with the fewest demerits at the paragraph's end, in order."""
    ends = [node for node in active if node[0] == last]
    if not ends:
        return None
    node = min(ends, key=lambda n: n[4])
    chosen = []
    while node is not None and node[0]:
        chosen.append(node[0])
        node = node[5]
    return chosen[::-1]


# -- giving WeasyPrint the breaks --------------------------------------------------------

def edits(par: Paragraph, chosen: list[int]) -> dict:
    """How to close every opportunity of *par* that is not chosen: {text box: {offset: the
    character's replacement}} (a soft hyphen taken out, a word joiner after anything else)."""
    keep = {par.breaks[k].index for k in chosen}
    out: dict = {}
    for candidate in par.breaks[1:]:
        if candidate.kind == "anywhere":       # the one chosen is opened; the others need no closing
            if candidate.index in keep:
                box, offset = par.owners[candidate.index - 1]
                out.setdefault(box, {})[offset] = par.text[candidate.index - 1] + ZWSP
            continue
        if candidate.forced or candidate.index in keep:
            continue
        box, offset = par.owners[candidate.index - 1]
        before = par.text[candidate.index - 1]
        out.setdefault(box, {})[offset] = "" if candidate.kind == "hyphen" else before + WJ
    return out


def _edited(text: str, changes: dict) -> str:
    pieces, last = [], 0
    for offset in sorted(changes):
        pieces += [text[last:offset], changes[offset]]
        last = offset + 1
    return "".join(pieces) + text[last:]


def plan(linebox, first_line_width: float, width: float, measure: Measure) -> bool:
    """Choose the breaks of the paragraph of *linebox* and close the other opportunities in its
    text; False when the paragraph is left to WeasyPrint.  A paragraph met before, with the
    same text, styles and widths, is given the same edits without being measured again."""
    try:
        items = _read(linebox, width)
    except Unmeasurable:
        return False
    texts = [box for box, _ in items if box is not None]
    last_justified = linebox.style["text_align_last"] == "justify"
    key = (tuple((measure.key(box.style), value) if box is not None else value for box, value in items),
           first_line_width, width, last_justified, measure.key(linebox.style))
    found = measure.plans.get(key)
    if found is None:
        found = measure.plans[key] = _plan(linebox, items, first_line_width, width, measure, last_justified)
    if not found:
        return False
    for n, changes in found.items():
        texts[n].text = _edited(texts[n].text, changes)
    return True


def _plan(linebox, items, first_line_width, width, measure, last_justified) -> dict | None:
    """{ordinal of a text box in *items*: its changes}, or None."""
    try:
        par = paragraph(linebox, width, measure, items)
    except Unmeasurable:
        return None
    if par is None or len(par.breaks) < 3:
        return None
    for tolerance, hyphens in PASSES:
        chosen = breaks(par, (first_line_width, width), tolerance, hyphens, last_justified)
        if chosen is not None:
            break
    else:
        return None
    order = {id(box): n for n, box in enumerate(box for box, _ in items if box is not None)}
    return {order[id(box)]: changes for box, changes in edits(par, chosen).items()}
