"""Glyph coverage: every character of the manuscript is set in a font of the book.

The fonts of the book are the font files that the PDF stylesheets declare (``url(fonts/…)``
in print.css and extra.css, the project's or the package's): Linux Libertine by default,
plus any fallback a project adds to ``styles/fonts/`` and declares in
``styles/extra.css`` (docs/writing.md, "Scripts and fonts").  A character that none of
them covers would be set in whatever font the machine happens to have, or as an empty
box: it is a warning at its place, naming the script (an error with ``--strict``), once
per script and chapter file.
"""
from __future__ import annotations

import io
import re
import unicodedata

from fontTools import unicodedata as font_unicodedata
from fontTools.ttLib import TTFont, TTLibError

from ..diagnostics import Diagnostics
from .styles import read_css

FONT_URL = re.compile(r"""url\(\s*["']?(?:[^"')]*/)?([^/"')]+\.(?:otf|ttf|woff2?))["']?\s*\)""", re.I)
# characters that need no glyph of their own: white space, controls, format characters (joiners,
# variation selectors, soft hyphen, marks of direction)
SKIP_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Cs", "Co", "Cn"}


def declared_fonts(css_texts: list[str], fonts: dict[str, bytes]) -> dict[str, bytes]:
    """The font files (of *fonts*, by file name) that the stylesheets *css_texts* refer to."""
    named = {m.group(1) for text in css_texts for m in FONT_URL.finditer(text)}
    return {name: data for name, data in fonts.items() if name in named}


def coverage(fonts: dict[str, bytes]) -> set[int]:
    """The code points that at least one of *fonts* has a glyph for."""
    covered: set[int] = set()
    for data in fonts.values():
        try:
            cmap = TTFont(io.BytesIO(data), lazy=True, fontNumber=0).getBestCmap()
        except (TTLibError, AssertionError, KeyError, ValueError, OSError, IndexError):
            continue
        covered.update(cmap or ())
    return covered


def script_of(char: str) -> str:
    """"Devanagari", "Thai" …; for a character of no one script (an emoji, a mathematical letter),
    its Unicode block ("Miscellaneous Symbols and Pictographs")."""
    code = font_unicodedata.script(char)
    if code in ("Zyyy", "Zinh", "Zzzz"):
        return font_unicodedata.block(char) if font_unicodedata.block(char) != "No_Block" else f"U+{ord(char):04X}"
    return font_unicodedata.script_name(code)


def _what(char: str, script: str) -> str:
    """How a warning names *char*: its script, or for a symbol its own name."""
    if font_unicodedata.script(char) in ("Zyyy", "Zinh", "Zzzz"):
        return unicodedata.name(char, script).title()
    return script


def check_glyphs(sources, covered: set[int], font_names: list[str], diags: Diagnostics) -> None:
    """A warning per chapter file and script for the characters that no font of the book covers."""
    if not covered:
        return
    fonts = ", ".join(sorted(font_names)) or "none"
    for src in sources:
        missing = {char for char in set(src.text) if ord(char) >= 0x80 and ord(char) not in covered
                   and unicodedata.category(char) not in SKIP_CATEGORIES}
        if not missing:                 # most files: the characters are looked at once each, not once per use
            continue
        found: dict[str, tuple[int, int, str, int]] = {}      # script -> (line, col, char, count)
        for line_no, line in enumerate(src.text.split("\n"), start=1):
            if missing.isdisjoint(line):
                continue
            for col, char in enumerate(line, start=1):
                if char not in missing:
                    continue
                script = script_of(char)
                first = found.get(script)
                found[script] = (first[0], first[1], first[2], first[3] + 1) if first else (line_no, col, char, 1)
        for script, (line, col, char, count) in found.items():
            more = f" (and {count - 1} more in this file)" if count > 1 else ""
            diags.warning("glyph-missing", f"no font of the book has a glyph for '{char}' (U+{ord(char):04X}, "
                          f"{_what(char, script)}){more}: it would print in a font of the machine, or as an empty box; "
                          f"add a font that covers {script} to styles/fonts and declare it in styles/extra.css "
                          f"(fonts now: {fonts})", src.path, line, col)


def check_project_glyphs(root, chapters, fonts: dict[str, bytes], diags: Diagnostics, tree=None) -> None:
    """:func:`check_glyphs` for the chapter files *chapters*, with the fonts that the PDF
    stylesheets of the project at *root* declare (read from *tree*, the files as read)."""
    css = [found[1] for name in ("print.css", "extra.css")
           if (found := read_css(root, name, Diagnostics(), tree)) is not None]   # (its problems: reported by the PDF)
    declared = declared_fonts(css, fonts)
    check_glyphs(chapters, coverage(declared), list(declared), diags)
