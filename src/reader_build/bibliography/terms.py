"""The words of the built-in author–date style in the reader's language.

They come from the locale's ``cite-*`` strings (``locales/LANG.toml``): "and", "et al.",
"n.d.", "ed.", "trans.", "Edited by", "In", "vol." …, and whether a list of three
names takes a comma before "and" (``[citation] serial-comma``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from ..index.collation import index_order
from ..language.locale import packaged_locale

PREFIX = "cite-"


@dataclass(frozen=True)
class Terms:
    words: dict = field(hash=False, compare=False)   # "and" -> "und" (the keys without "cite-")
    serial_comma: bool = True
    quotes: tuple[str, str] = ("\u201c", "\u201d")        # around the title of an article
    period_inside: bool = True                            # “Title.” (American) or «Title».
    collate: Callable | None = field(default=None, hash=False, compare=False)   # str -> sort key; None: folded

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    @property
    def and_sep(self) -> str:
        """What goes between the last two names: " and ", or a mark alone ("・" in Japanese)."""
        word = self.words["and"]
        return f" {word} " if any(c.isalnum() for c in word) else word

    def edition(self, number: int, ordinal: str) -> str:
        return self.words["edition"].format(number=number, ordinal=ordinal)


def terms_of(locale) -> Terms:
    """The style's words from a language.locale.Locale."""
    return Terms({key[len(PREFIX):]: value for key, value in locale.strings.items() if key.startswith(PREFIX)},
                 locale.serial_comma, tuple(locale.typography.quotes[:2]), locale.period_inside_quotes,
                 _collate(locale))


def _collate(locale) -> Callable | None:
    order = index_order(locale)
    return order.key if order is not None else None


@lru_cache(maxsize=1)
def english() -> Terms:
    return terms_of(packaged_locale("en"))
