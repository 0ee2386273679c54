"""The words of cross-references ("fig. 1", "figs. 1, 2", "p. 36", "n. 51", "Figure 1.").

One small mapping, so that a locale file can give it; reader.toml's ``[crossref]`` table
overrides any of them (``fig = "Abb."``).  A reference written with a capital
(``@Fig:map``) prints the word with a capital.
"""
from __future__ import annotations

DEFAULT_WORDS = {
    "fig": "fig.", "figs": "figs.",
    "tbl": "table", "tbls": "tables",
    "page": "p.", "pages": "pp.",
    "note": "n.", "notes": "nn.",
    "figure-title": "Figure", "table-title": "Table",
    "title-separator": ".",
    "list-of-figures": "Figures",
}
PLURAL = {"fig": "figs", "tbl": "tbls", "page": "pages", "note": "notes"}


def words_for(overrides: dict | None, language: dict | None = None) -> dict:
    """The words: the language's (a locale's ``xref-*`` strings), else English; then reader.toml's."""
    words = dict(DEFAULT_WORDS)
    words.update({k: v for k, v in (language or {}).items() if k in DEFAULT_WORDS and isinstance(v, str)})
    words.update({k: v for k, v in (overrides or {}).items() if k in DEFAULT_WORDS and isinstance(v, str)})
    return words


def word(words: dict, kind: str, count: int, capital: bool) -> str:
    text = words[PLURAL[kind] if count > 1 else kind]
    return text[:1].upper() + text[1:] if capital else text
