"""Make the packaged CJK fallback font from Noto Serif CJK (SIL Open Font Licence 1.1).

Linux Libertine, the book serif, has no Chinese, Japanese or Korean glyphs.  Every
project gets this fallback without configuration (print.css and large-print.css name it
after the book's faces; the EPUB carries it, cut to the characters the book uses, when
no font of the project covers them).  Its character set is well defined and derived
from Python's codecs, so that the file can be made again, byte for byte:

* the space and the no-break space (a space between two Korean words is set in the font of
  the words around it: without its own space the font would print a box there);
* CJK punctuation (U+3000-303F), hiragana, katakana and their extensions (U+3040-30FF,
  U+31F0-31FF), the halfwidth and fullwidth forms (U+FF01-FFEF);
* the Hangul syllables and jamo of KS X 1001 (every one that ``euc_kr`` encodes);
* the Han characters of GB 2312 level 1 (rows 16-55, ``gb2312``) and of JIS X 0208
  level 1 (rows 16-47, ``euc_jp``): about 4,900 of the most common Han characters.

A rarer character is not in it: the glyph check warns about it at its place (add a
font of your own, docs/writing.md, "Scripts and fonts").  The glyphs are those of the
Japanese face (JP); the other faces of the collection have the same characters.

    apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb /tmp/noto
    python scripts/make_cjk_fallback.py /tmp/noto/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc

Made from fonts-noto-cjk 1:20220127 (Debian 12; Noto Serif CJK 2.001).  Needs fontTools.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "reader_build" / "styles" / "fonts" / "NotoSerifCJK-Fallback.otf"
FACE = "Noto Serif CJK JP"
RANGES = [(0x20, 0x20), (0xA0, 0xA0), (0x3000, 0x303F), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF01, 0xFFEF)]


def _decoded(codec: str, rows: range, cells: range = range(0xA1, 0xFF)) -> set[int]:
    """The characters of a two-byte EUC code: rows (first bytes) x cells (second bytes)."""
    found = set()
    for first in rows:
        for second in cells:
            try:
                text = bytes([first, second]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1:
                found.add(ord(text))
    return found


def is_han(cp: int) -> bool:
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF


def character_set() -> set[int]:
    chars = {cp for low, high in RANGES for cp in range(low, high + 1)}
    korean = _decoded("euc_kr", range(0xA1, 0xFF))
    chars |= {cp for cp in korean if 0xAC00 <= cp <= 0xD7A3 or 0x3131 <= cp <= 0x318E}   # syllables, jamo
    gb_level_1 = _decoded("gb2312", range(0xB0, 0xD8))             # rows 16-55
    jis_level_1 = _decoded("euc_jp", range(0xB0, 0xD0))            # rows 16-47
    chars |= {cp for cp in gb_level_1 | jis_level_1 if is_han(cp)}
    return chars


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", type=Path, help="NotoSerifCJK-Regular.ttc")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args()
    collection = TTCollection(str(args.collection))
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == FACE)
    chars = character_set()
    options = subset.Options()
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14]       # with the licence
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.layout_features = ["vert", "vrt2", "halt", "palt", "kern"]    # (locl: other regions' forms)
    options.glyph_names = False
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(chars))
    subsetter.subset(font)
    font.recalcTimestamp = False                      # no build time in the file
    args.output.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(args.output))
    print(f"wrote {args.output}: {len(chars)} characters, {args.output.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
