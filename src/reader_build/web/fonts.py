"""Self-hosted fonts for the web edition: every font that ``web.css`` names
(``url(fonts/NAME)``) is cut down to the characters the site uses and written as
WOFF2, the same bytes from run to run.
"""
from __future__ import annotations

import re
from html import unescape

from ..render.fontsubset import subset_font

FONT_URL = re.compile(r"""url\(\s*(['"]?)fonts/([^'")]+)\1\s*\)""")
ALWAYS = {c for c in range(0x20, 0x7F)} | {0xA0, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0xD7}


def used_characters(texts) -> set[int]:
    """The code points of the given HTML, CSS and script texts (entities decoded), and ASCII."""
    chars = set(ALWAYS)
    for text in texts:
        chars.update(ord(c) for c in unescape(text))
    return chars


def web_fonts(css: str, fonts: dict[str, bytes], unicodes: set[int]) -> tuple[str, dict[str, bytes]]:
    """(*css* with its font URLs pointing to the subset files, {"fonts/NAME.woff2": bytes})."""
    made: dict[str, bytes] = {}
    names: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        name = match.group(2)
        if name not in fonts:
            return match.group(0)
        if name not in names:
            stem = name.rsplit(".", 1)[0]
            names[name] = f"fonts/{stem}.woff2"
            made[names[name]] = subset_font(fonts[name], unicodes)
        return f'url("{names[name]}")'
    return FONT_URL.sub(replace, css), made
