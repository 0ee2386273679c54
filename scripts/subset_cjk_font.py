"""Make the small Japanese font of the bundled reader from Noto Serif CJK.

The bundled reader prints a few Japanese titles (in the bibliography); its book
face, Linux Libertine, has no CJK glyphs.  This script subsets Noto Serif CJK JP
(SIL Open Font Licence 1.1) to the CJK characters that the project's sources use,
and writes styles/fonts/NotoSerifCJKjp-subset.otf, which styles/extra.css and
styles/extra-epub.css name as a fallback font.  Run it again after adding
Japanese text:

    apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb /tmp/noto
    python scripts/subset_cjk_font.py /tmp/noto/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc

For another reader project, name its folder: ``--project DIR`` (the font is written to
DIR/styles/fonts/; declare it as docs/writing.md, "Scripts and fonts", shows).

Needs fontTools (installed with WeasyPrint). The output is deterministic.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "styles" / "fonts" / "NotoSerifCJKjp-subset.otf"


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFFEF
            or 0x3000 <= cp <= 0x30FF)


def used_characters(root: Path = ROOT) -> set[str]:
    chars: set[str] = set()
    for pattern in ("manuscript/*.md", "manuscript/*.toml", "bibliography/*.bib"):
        for path in sorted(root.glob(pattern)):
            chars |= {c for c in path.read_text(encoding="utf-8") if is_cjk(c)}
    return chars


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", type=Path, help="NotoSerifCJK-Regular.ttc")
    parser.add_argument("--project", type=Path, default=ROOT, help="the reader project (default: the bundled reader)")
    args = parser.parse_args()
    root = args.project.resolve()
    out = root / OUT.relative_to(ROOT)
    collection = TTCollection(str(args.collection))
    font = next(f for f in collection.fonts
                if "JP" in f["name"].getDebugName(1) or "JP" in (f["name"].getDebugName(4) or ""))
    chars = used_characters(root)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    font.recalcTimestamp = False                      # no build time in the file
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    print(f"wrote {out.relative_to(root)}: {len(chars)} characters, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
