"""The composition of a PDF measured from its own text layer (pdfplumber's characters).

Used by the typography tests (tests/pdf/test_typography.py) and by
benchmarks/typography.py.  A *body line* is a line set in the body size (the most
common character size of the document) below the running head; a *note line* one in a
smaller size below the body; a *full line* a body line that reaches the right edge of the
text block (a justified line that is not the last of its paragraph).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

HYPHEN_ENDS = ("-", "\u2010")
LOOSE_SPACE_EM = 0.5          # a full line whose mean word space is wider than this is loose
HOLE_LINES = 2.5              # the text stops more than this many lines above the notes


@dataclass
class Line:
    page: int                 # 1-based
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    fonts: tuple[str, ...]
    chars: list = field(repr=False, default_factory=list)

    @property
    def hyphenated(self) -> bool:
        return self.text.rstrip().endswith(HYPHEN_ENDS)

    def word_spaces(self) -> list[float]:
        """The gaps between the words of the line (points)."""
        glyphs = [c for c in self.chars if c["text"].strip()]
        gaps = [b["x0"] - a["x1"] for a, b in zip(glyphs, glyphs[1:])]
        return [g for g in gaps if g > 0.12 * self.size]


@dataclass
class TextLayer:
    lines: list[Line]
    body_size: float
    pages: int
    note_size: float = 0.0    # the size most used below the text's by more than a point: the notes'

    def body(self, page: int | None = None) -> list[Line]:
        return [l for l in self.lines if abs(l.size - self.body_size) < 0.6 and (page is None or l.page == page)
                and l.top > 45]

    def notes(self, page: int) -> list[Line]:
        body = [l for l in self.body(page) if not l.text.strip().isdigit()]     # not a folio at the foot
        last = max((l.bottom for l in body), default=0)
        return [l for l in self.lines if l.page == page and abs(l.size - self.note_size) < 0.35 and l.top > last
                and l.text.strip() and not l.text.strip().isdigit()]

    def text_above_notes(self, page: int) -> list[Line]:
        """The lines of *page* above its notes, whatever their size (a quotation set smaller),
        but the running head and the folio."""
        notes = self.notes(page)
        top = min((l.top for l in notes), default=float("inf"))
        return [l for l in self.lines if l.page == page and l.top > 45 and l.bottom <= top
                and not l.text.strip().isdigit()]

    def text(self) -> str:
        return "\n".join(l.text for l in self.lines)


def read(pdf: Path | str) -> TextLayer:
    lines: list[Line] = []
    sizes: Counter = Counter()
    with pdfplumber.open(str(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            for found in page.extract_text_lines(return_chars=True, strip=True):
                chars = found["chars"]
                size = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
                sizes.update(round(c["size"], 1) for c in chars)
                lines.append(Line(number, found["text"], found["x0"], found["x1"], found["top"], found["bottom"],
                                  size, tuple(dict.fromkeys(c["fontname"] for c in chars)), chars))
        pages = len(doc.pages)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    smaller = Counter({size: n for size, n in sizes.items() if size < body_size - 1})
    return TextLayer(lines, body_size, pages, smaller.most_common(1)[0][0] if smaller else 0.0)


def full_lines(layer: TextLayer) -> list[Line]:
    out = []
    for page in range(1, layer.pages + 1):
        body = layer.body(page)
        if not body:
            continue
        right = max(l.x1 for l in body)
        out += [l for l in body if l.x1 > right - 1.0 and len(l.word_spaces()) >= 2]
    return out


def loose_lines(layer: TextLayer) -> list[Line]:
    return [l for l in full_lines(layer)
            if sum(spaces := l.word_spaces()) / len(spaces) > LOOSE_SPACE_EM * l.size]


def ladders(layer: TextLayer, length: int = 3) -> list[list[Line]]:
    """Runs of *length* or more body lines in a row (on one page) that end in a hyphen."""
    found = []
    for page in range(1, layer.pages + 1):
        run: list[Line] = []
        for line in layer.body(page) + [None]:
            if line is not None and line.hyphenated:
                run.append(line)
                continue
            if len(run) >= length:
                found.append(run)
            run = []
    return found


def hyphenated_share(layer: TextLayer) -> float:
    """Hyphen-ended body lines, as a share of all body lines."""
    body = layer.body()
    return sum(l.hyphenated for l in body) / len(body) if body else 0.0


def hyphen_breaks(layer: TextLayer) -> list[tuple[str, str]]:
    """(before, after) for every word broken by a hyphenation at a line end ("Mo", "scow"), on
    one page.  A ligature whose glyph has no text in the PDF (Libertine's "tt" in WeasyPrint 70)
    leaves a gap: such a word is left out, its letters cannot be read."""
    out = []
    for lines in (layer.body(p) for p in range(1, layer.pages + 1)):
        for a, b in zip(lines, lines[1:]):
            if a.text.rstrip().endswith("\u2010") and b.text.split():
                first = b.text.split()[0]
                if b.text.startswith(first + "  ") or re.search(r"\S  \S+\u2010$", a.text.rstrip()):
                    continue
                out.append((a.text.split()[-1][:-1], first))
    return out


def broken_words(layer: TextLayer) -> list[str]:
    """Every word broken by a hyphenation at a line end, joined again ("Mo‐" + "scow" -> "Moscow")."""
    return [before + after for before, after in hyphen_breaks(layer)]


def straight_quotes(layer: TextLayer) -> int:
    return sum(layer.text().count(q) for q in ("'", '"'))


def holes_above_notes(layer: TextLayer) -> tuple[int, int]:
    """(pages whose text stops more than HOLE_LINES lines above the notes, pages with notes).
    A chapter's last page is not counted as a hole: its text ends there, and its notes stand
    at the foot of the page, as in a book set by hand or by TeX."""
    holes = with_notes = 0
    ends = chapter_ends(layer)
    for page in range(1, layer.pages + 1):
        body = [l for l in layer.body(page) if not l.text.strip().isdigit()]
        notes = layer.notes(page)
        if not body or not notes:
            continue
        with_notes += 1
        pitch = _pitch(body)
        gap = min(l.top for l in notes) - max(l.bottom for l in layer.text_above_notes(page))
        if gap > (HOLE_LINES + 1) * pitch and page not in ends:      # one line's worth is the rule above the notes
            holes += 1
    return holes, with_notes


def uneven_spreads(layer: TextLayer, lines: float = 1.0) -> list[tuple[int, int, float]]:
    """(left page, right page, lines apart) of each spread whose pages end more than *lines*
    lines apart (text or notes, whichever is lower), but a spread with a chapter's last page."""
    ends = chapter_ends(layer)

    def foot(page: int) -> tuple[float, float] | None:
        body = [l for l in layer.body(page) if not l.text.strip().isdigit()]
        return (max(l.bottom for l in layer.notes(page) or body), _pitch(body)) if body else None
    out = []
    for left in range(2, layer.pages, 2):
        a, b = foot(left), foot(left + 1)
        if a and b and not {left, left + 1} & ends and abs(a[0] - b[0]) > lines * a[1]:
            out.append((left, left + 1, round(abs(a[0] - b[0]) / a[1], 1)))
    return out


def chapter_ends(layer: TextLayer) -> set[int]:
    """The pages after which a chapter ends: the last page, and each page followed by a page
    without body text (a blank) or by one that opens with a title (a line of at least 1.4 times
    the body size in its upper half)."""
    ends = {layer.pages}
    for page in range(1, layer.pages):
        following = [l for l in layer.lines if l.page == page + 1]
        if not layer.body(page + 1) or any(l.size >= 1.4 * layer.body_size and l.top < 300 for l in following):
            ends.add(page)
    return ends


def _pitch(lines: list[Line]) -> float:
    steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top)
    return steps[len(steps) // 2] if steps else lines[0].size * 1.38


def table(pdf: Path | str) -> dict:
    """The figures of issue #23's table for one PDF."""
    layer = read(pdf)
    per100 = 100 / layer.pages if layer.pages else 0
    holes, with_notes = holes_above_notes(layer)
    return {
        "pages": layer.pages,
        "loose lines /100pp": round(len(loose_lines(layer)) * per100, 1),
        "ladders /100pp": round(len(ladders(layer)) * per100, 1),
        "hyphenated line ends %": round(100 * hyphenated_share(layer), 1),
        "straight quotes": straight_quotes(layer),
        "holes above notes": f"{holes} of {with_notes}",
    }
