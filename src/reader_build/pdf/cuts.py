"""Notes cut where a page ends, in the box tree, while the pages are made (``fill-pages``).

pdf/notes.py explains why a note is cut: its call falls near the foot of a page, the note does
not fit below it, and WeasyPrint would take the call's line to the next page and leave a hole.
Cutting the note in the HTML costs a whole layout for every round of cuts, and each cut moves
the pages after it, so that a long chapter needed five or six layouts.  Here the note is cut in
the box tree that the pages are made from, and the layout goes on from the page with the hole
(engine._make_all_pages): one layout, however many notes are cut.

Every note of a ``fill-pages`` edition is followed in the HTML by a *spare* (``fn-spare``,
:func:`notes.add_spares`): an empty later piece, ``N (continued)``, whose call is an empty box
and whose boxes WeasyPrint styles from the style sheet like any other.  Before the first page,
each spare is taken out of the layout (its call keeps no note).  Cutting note N after its W-th
word makes two notes of it:

* the first piece: the note's boxes up to that word, its last line justified where it ends
  mid-paragraph (when the note is justified), with the call;
* the rest: the spare's box, holding its "N (continued)" label and the note's boxes after the
  word (the elements open at the cut opened again, without their ids), hung on the spare's call:
  it has ``footnote-policy: auto``, so when it does not fit it opens the next page's notes.

The rules that name the cuts (:func:`notes.cut_rule`) are kept with the part, as the other fix
rules are: a later layout makes the same cuts before its first page, and gets the same pages.
A note may be cut again, while the pages are made: shorter, when its call's line did not stay
on the page (:meth:`Cutter.stale`), or longer, or made whole (:func:`notes.whole_rule`), when
its first piece ends a page's notes above a hole (engine._PageFixer._lengthen).  The last rule
of a note holds (:func:`notes.note_cuts`).
"""
from __future__ import annotations

import re

from weasyprint.css.properties import Dimension
from weasyprint.formatting_structure import boxes

from ..render.hyphenate import SHY
from .linebreak import WJ
from .notes import SPARE_CLASS, note_cuts

HYPHENATED = SHY + "\u2010"  # how WeasyPrint ends a line broken at a soft hyphen
ZWSP = "\u200b"             # WeasyPrint adds it to a lone space that carries word-spacing: no letter


class Cutter:
    """The notes of one layout that may be cut, and the cuts made so far."""

    def __init__(self, root_box, footnotes: list):
        self.calls: dict[str, object] = {}       # note number -> its call box (whose .footnote is the note)
        self.spares: dict[str, tuple] = {}       # note number -> (the spare's call box, the spare's note box)
        self.cut: dict[str, tuple] = {}          # number of a note cut -> (the note, first piece, rest)
        self.replaced: list[tuple] = []          # (boxes, boxes in their place) not yet in the layout's lists
        self.cut_for: dict[str, int] = {}        # number of a note cut while the pages are made -> its page
        self.words: dict[str, tuple[int, str]] = {}   # number of a note cut -> (words, last word) of its cut
        for box in root_box.descendants():
            note = getattr(box, "footnote", None)
            if note is None or note.element is None:
                continue
            number = note.element.get("data-n")
            classes = (note.element.get("class") or "").split()
            if SPARE_CLASS in classes:
                self.spares[number] = (box, note)
                box.footnote = None              # out of the layout until its note is cut
                if note in footnotes:
                    footnotes.remove(note)
            elif "fn" in classes and "fn-cont" not in classes and number:
                self.calls[number] = box

    def apply_rules(self, rules: list[str]) -> None:
        """Make the cuts that *rules* name (the last cut of a note holds: notes.note_cuts),
        before any page."""
        for number, (words, last_word) in note_cuts(rules).items():
            self.cut_note(number, words, last_word)

    def cut_note(self, number: str, words: int, last_word: str) -> bool:
        """Cut note *number* after its *words*-th word, which must be *last_word*; False when the
        note cannot be cut so (no spare, cut already, not that word, nothing after it)."""
        call, spare = self.calls.get(number), self.spares.get(number)
        if call is None or spare is None or number in self.cut or call.footnote is None:
            return False
        note = call.footnote
        pieces = split(note, words, last_word)
        if pieces is None:
            return False
        first, rest = pieces
        spare_call, spare_note = spare
        label = list(spare_note.children)
        rest_children = _with_label(rest, label)
        continued = spare_note.copy_with_children(rest_children)
        first.rb_cut = True                     # (engine._cut_of: a note is cut once)
        call.footnote = first
        spare_call.footnote = continued
        self.cut[number] = (note, first, continued)
        self.words[number] = (words, last_word)
        self.replaced.append(([note], [first, continued]))
        return True

    def stale(self, page, index: int) -> list[str]:
        """The numbers of the notes cut while the pages were made, to end on page *index - 1*,
        whose first piece stands in the notes of *page* (page *index*): the call's line did not
        stay on the page the cut was made for (a page before it was made again since, or the
        lines that go with it did not fit)."""
        area = next((c for c in page.children if isinstance(c, boxes.FootnoteAreaBox)), None)
        if area is None:
            return []
        firsts = {n.element.get("data-n") for n in area.children if getattr(n, "rb_cut", False)}
        return sorted(n for n in firsts if self.cut_for.get(n, index) != index)

    def uncut(self, number: str) -> None:
        """Make note *number* whole again (its cut no longer fills a hole)."""
        note, first, rest = self.cut.pop(number)
        self.words.pop(number, None)
        self.cut_for.pop(number, None)
        self.calls[number].footnote = note
        self.spares[number][0].footnote = None
        self.replaced.append(([first, rest], [note]))

    def mirror(self, notes: list) -> None:
        """*notes* (in place) as the box tree has them now: each cut note by its pieces, and no
        spare.  WeasyPrint repaginates (page-based counters) from a copy of its list of notes
        made before the first page, and so before any cut."""
        replace_in(notes, [([note], [first, rest]) for note, first, rest in self.cut.values()])
        spares = {id(spare) for _call, spare in self.spares.values()}
        notes[:] = [note for note in notes if id(note) not in spares]

    def take_replacements(self) -> list[tuple]:
        done, self.replaced = self.replaced, []
        return done


def rest_below_start(notes: list) -> bool:
    """Is the last of *notes* (a page's, the last one just added) the rest of a cut note whose
    first piece is among them?  The rest goes on overleaf, never below its start."""
    last = notes[-1] if notes else None
    if last is None or last.element is None or SPARE_CLASS not in (last.element.get("class") or "").split():
        return False
    number = last.element.get("data-n")
    return any(getattr(note, "rb_cut", False) and note.element.get("data-n") == number for note in notes[:-1])


def replace_in(notes: list, replaced: list[tuple]) -> None:
    """In *notes* (in place), put the boxes that replace others where the first of those stood
    (a note by its two pieces, or two pieces by the note); the others go."""
    for old, new in replaced:
        at = next((i for i, found in enumerate(notes) if found is old[0]), None)
        notes[:] = [found for found in notes if not any(found is o for o in old)]
        if at is not None:
            notes[at:at] = new


def _leaves(box, path: tuple = ()):
    """(path, text box, innermost block) of every text box of a note, in order; the marker
    (generated content) is left out."""
    def walk(node, path, block):
        for i, child in enumerate(getattr(node, "children", ())):
            if "::" in (child.element_tag or ""):
                continue
            inner = child if isinstance(child, boxes.BlockBox) else block
            if isinstance(child, boxes.TextBox):
                yield path + (i,), child, block
            else:
                yield from walk(child, path + (i,), inner)
    yield from walk(box, path, box)


def split(note, words: int, last_word: str) -> tuple | None:
    """*note* (a footnote's box, not laid out) cut after its *words*-th word, which must be
    *last_word* (words as the lines show them: soft hyphens and word joiners are not letters,
    a block's start and end part words): (first piece, the rest's children), or None."""
    count, in_word, word, last = 0, False, [], None
    for path, text_box, block in _leaves(note):
        if last is not None and block is not last[2] and in_word:
            in_word = False                     # a block ended the word
            if count == words:
                return _pieces(note, last[0], len(last[1].text), False, last_word, "".join(word),
                               path, last[2])
        for at, char in enumerate(text_box.text):
            if char in (SHY, WJ, ZWSP):
                continue
            if char.isspace():
                if in_word and count == words:
                    return _pieces(note, path, at, True, last_word, "".join(word), None, block)
                in_word = False
                continue
            if not in_word:
                in_word, count, word = True, count + 1, []
            word.append(char)
        last = (path, text_box, block)
    return None


def _pieces(note, path: tuple, at: int, mid: bool, wanted: str, found: str, next_path, block):
    if found != wanted:
        return None
    first = _head(note, path, at)
    if mid:
        rest = _tail(note, path, at)
    else:                                   # between paragraphs: the rest starts at the next block
        rest = _tail(note, next_path, 0)
    rest_children = [child for child in rest.children]
    if not _has_text(rest_children):
        return None
    if mid:
        _justify_last_line(first, note, block, path)
    return first, rest_children


def _has_text(children) -> bool:
    for child in children:
        if isinstance(child, boxes.TextBox) and child.text.strip(SHY + WJ + " \n\t"):
            return True
        if _has_text(getattr(child, "children", ())):
            return True
    return False


def _head(box, path: tuple, at: int):
    """A copy of *box* with what comes after character *at* of the text box at *path* left out."""
    if not path:
        return _text_copy(box, box.text[:at].rstrip())
    i = path[0]
    kept = list(box.children[:i]) + [_head(box.children[i], path[1:], at)]
    return box.copy_with_children([child for child in kept if child is not None])


def _tail(box, path: tuple, at: int, top: bool = True):
    """A copy of *box* with what comes before character *at* of the text box at *path* left out;
    the boxes opened again lose their anchors (their ids stay with the first piece)."""
    if not path:
        return _text_copy(box, box.text[at:].lstrip())
    i = path[0]
    kept = [_tail(box.children[i], path[1:], at, False)] + list(box.children[i + 1:])
    copy = box.copy_with_children([child for child in kept if child is not None])
    if not top and copy.style["anchor"]:
        copy.style = copy.style.copy()
        copy.style["anchor"] = None
    return copy


def _text_copy(box, text: str):
    """A copy of the text box *box* with *text* (None for no text: WeasyPrint has no empty text box)."""
    return box.copy_with_text(text) if text.strip(SHY + WJ) else None


def _with_label(children: list, label: list) -> list:
    """The rest's children with the "N (continued)" label at their start: inside the first block
    (the paragraph the rest opens or goes on with, its first line not indented)."""
    if children and isinstance(children[0], boxes.BlockBox):
        block = children[0]
        style = block.style.copy()
        style["text_indent"] = style["margin_top"] = Dimension(0, "px")
        block = block.copy_with_children(_with_label(list(block.children), label))
        block.style = style
        return [block] + children[1:]
    return label + children


def _justify_last_line(first, note, block, path: tuple) -> None:
    """Justify the last line of the block where the first piece ends mid-paragraph (the note
    goes on overleaf), as the lines before it are, when they are justified."""
    target = first
    node = note
    for i in path:                # the copy of *block* inside *first*, along the same path
        if node is block:
            break
        node, target = node.children[i], target.children[i]
    if target.style["text_align_all"] != "justify":
        return
    target.style = target.style.copy()
    target.style["text_align_last"] = "justify"


def line_boxes(box) -> list:
    """The line boxes of *box*, in order, but for those inside an atomic inline box (a page
    reference's number is an inline-block with a line of its own, which is part of the line
    it stands in, not a line of the note)."""
    found = []

    def walk(node) -> None:
        for child in getattr(node, "children", ()):
            if isinstance(child, boxes.LineBox):
                found.append(child)
            if not isinstance(child, boxes.AtomicInlineLevelBox):
                walk(child)
    walk(box)
    return found


def words_through(note, lines: list, fit: int) -> tuple[int, str] | None:
    """(how many words, the last of them) that the first *fit* of *lines* (the line boxes of
    *note*, a note laid out) hold, up to the last whole word: a word broken at the end of line
    *fit* goes with the lines after it; None when no word is left."""
    texts = ["".join(box.text for box in line.descendants() if isinstance(box, boxes.TextBox)
                     and "::" not in (box.element_tag or "")) for line in lines]
    source = _bare(" ".join(note.element.itertext()))
    text = ""
    for n, words in enumerate(texts):
        if words.endswith(HYPHENATED):
            words = words[:-len(HYPHENATED)]
            joiner = ""
        else:            # a word broken after its hyphen ("post-/war"), a URL broken anywhere
            joiner = "" if n + 1 < len(texts) and _goes_on(_bare(words), _bare(texts[n + 1]), source) else " "
        text += words.replace(SHY, "").replace(WJ, "").replace(ZWSP, "")
        if n + 1 == fit:
            whole = re.findall(r"\S+", text)           # the last word of the line, unless it goes on
            if joiner == "":
                whole = whole[:-1]
            return (len(whole), whole[-1]) if whole else None
        text += joiner
    return None


def _bare(text: str) -> str:
    """*text* as words and single spaces: no soft hyphen, word joiner or run of white space."""
    return re.sub(r"\s+", " ", text.replace(SHY, "").replace(WJ, "").replace(ZWSP, "")).strip()


def _goes_on(line: str, following: str, source: str) -> bool:
    """Does a line that ends with *line* end inside a word, which the next line (*following*)
    goes on with?  So it does when the note's text (*source*) has the two with no space
    between them, and never with one."""
    end, start = line[-16:], following[:16]
    return bool(end and start) and end + start in source and f"{end} {start}" not in source
