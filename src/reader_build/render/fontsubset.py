"""Fonts cut down to the characters a book uses (the web edition's WOFF2 files, the e-book's
CJK fallback), the same bytes from run to run."""
from __future__ import annotations

import io

from fontTools import subset
from fontTools.ttLib import TTFont

FEATURES = ["kern", "liga", "clig", "calt", "ccmp", "locl", "mark", "mkmk", "smcp", "c2sc", "onum", "lnum",
            "pnum", "tnum", "frac", "sups"]
CJK_FEATURES = ["vert", "vrt2", "halt", "palt", "kern"]          # as scripts/make_cjk_fallback.py keeps them


def subset_font(data: bytes, unicodes: set[int], flavor: str | None = "woff2", features=None) -> bytes:
    """*data* (OpenType or TrueType) cut to *unicodes*, as WOFF2 (or, with no *flavor*, as it
    came), with the layout *features* (default: those of a Latin book face); deterministic."""
    options = subset.Options()
    options.flavor = flavor
    options.layout_features = FEATURES if features is None else features
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]      # copyright, names, version, licence
    options.glyph_names = False
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables = list(options.drop_tables) + ["FFTM"]    # FontForge's timestamps
    font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()
