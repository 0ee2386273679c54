"""The bibliography of a reader in the style reader.toml asks for.

``[bibliography] style`` names one of reader-build's own styles (``author-date``, the
default, and pybtex's ``plain``, ``unsrt``, ``alpha``, ``unsrtalpha``), a CSL style of
the installed collection, or a ``.csl`` file in the project's ``styles/``;
``locale`` picks the CSL locale (by default the reader's ``language``).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .csl import load_csl, start_engine
from .csl_styles import Place, find_style
from .load import parse_files
from .references import STYLES, BibSettings, Bibliography, load_bibliography
from ..diagnostics import Diagnostics
from ..source.files import SourceFile, SourceTree


def load_styled(files: list[SourceFile], settings: BibSettings, diags: Diagnostics,
                root: Path | None = None, language: str = "en",
                where: Place = Place(), tree: SourceTree | None = None) -> Bibliography:
    """Read every .bib file and set up the style; never raise for bad input (an unknown or
    broken style is reported, and the reader is cited in author-date)."""
    if settings.style in STYLES:
        return load_bibliography(files, settings, diags)
    style = find_style(settings.style, root, STYLES, where, diags, tree)
    if style is None:
        return load_bibliography(files, replace(settings, style="author-date"), diags)
    engine = start_engine(style, settings.locale or language, diags)     # compiles meanwhile
    data, places = parse_files(files, diags)
    found = load_csl(data, places, settings, style, engine.lang, diags, engine)
    if found is None:
        return load_bibliography(files, replace(settings, style="author-date"), Diagnostics())
    return found
