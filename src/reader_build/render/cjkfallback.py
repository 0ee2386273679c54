"""The packaged CJK fallback font in the e-book and the web edition, only where the book needs it.

The PDF editions name the fallback (Noto Serif CJK, cut to the common characters of
Chinese, Japanese and Korean: scripts/make_cjk_fallback.py) after the book's faces in
print.css.  An e-book that carried those megabytes whole would be wrong, and one whose
stylesheet named a font it does not carry would not be valid: so the e-book (and the
web edition, as WOFF2) gets the
fallback only when its documents use characters that no font of its stylesheet covers
and the fallback does, cut to exactly those characters, as faces of "Reader Serif" for
just their code points (``unicode-range``): the book's face stays what the stylesheet says.
"""
from __future__ import annotations

from html import unescape

from .fontsubset import CJK_FEATURES, subset_font
from ..source.glyphs import coverage, declared_fonts

FALLBACK = "NotoSerifCJK-Fallback.otf"
FAMILY = "Reader Serif"


def unicode_range(code_points: list[int]) -> str:
    """``U+4E00-4E01, U+4E03`` for sorted *code_points*."""
    runs: list[list[int]] = []
    for cp in code_points:
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def fallback_font(css: str, fonts: dict[str, bytes], texts: list[str], url: str,
                  flavor: str | None = None) -> tuple[str, bytes] | None:
    """(the rules to add to *css*, the font file to put at *url*) when *texts* use characters that
    no font *css* declares covers and the packaged fallback does; None when they use none."""
    fallback = fonts.get(FALLBACK)
    declared = declared_fonts([css], fonts)
    if fallback is None or FALLBACK in declared:
        return None
    used = {ord(c) for text in texts for c in unescape(text)}
    needed = sorted((used - coverage(declared)) & coverage({FALLBACK: fallback}))
    if not needed:
        return None
    ranges = unicode_range(needed)
    rules = "".join(f'@font-face {{ font-family: "{FAMILY}"; src: url({url}); font-weight: {weight}; '
                    f"font-style: {style}; unicode-range: {ranges}; }}\n"
                    for weight in ("normal", "bold") for style in ("normal", "italic"))
    return rules, subset_font(fallback, set(needed), flavor=flavor, features=CJK_FEATURES)
