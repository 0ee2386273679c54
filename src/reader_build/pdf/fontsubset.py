"""Font subsets that are the same on every run, with or without HarfBuzz-Subset.

WeasyPrint 70 subsets the fonts it embeds with HarfBuzz-Subset (``libharfbuzz-subset0``)
when the library is there, and falls back to fontTools when it is not.  The fallback
differs run to run in one place only: fontTools' ``TTFont.save`` sets the ``head``
table's ``modified`` field (and so its checksum) to the current time.  Two builds a
second apart then embed different bytes for every font (measured: nothing else
differs, whatever ``PYTHONHASHSEED`` is).  :func:`reproducible_subsets` makes the fonts
that WeasyPrint opens keep the ``modified`` date of the font file they come from, as
HarfBuzz-Subset does, so that a build is byte-identical on a machine without the library.
"""
from __future__ import annotations

import functools

import weasyprint.pdf.fonts as weasyprint_fonts
from fontTools.ttLib import TTFont


def reproducible_subsets() -> None:
    """Have WeasyPrint open fonts with ``recalcTimestamp=False`` (idempotent)."""
    current = weasyprint_fonts.TTFont
    if isinstance(current, functools.partial) and current.keywords.get("recalcTimestamp") is False:
        return
    weasyprint_fonts.TTFont = functools.partial(TTFont, recalcTimestamp=False)


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint found HarfBuzz-Subset (else it subsets with fontTools)."""
    return weasyprint_fonts.harfbuzz_subset is not None
