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
    dates: dict = field(default_factory=dict, hash=False, compare=False)       # months and date patterns

    def date(self, year: int, month: int, day: int, with_year: bool = True) -> str:
        """"27 октября 2004", "октябрь 2004", "27. Oktober" … in the language's words."""
        months = self.dates.get("months") or []
        alone = self.dates.get("months-alone") or months
        if not month or len(months) < 12:
            return str(year) if with_year else ""
        if not day:
            return self.dates["month-and-year"].format(month=alone[month - 1], year=year) if with_year \
                else alone[month - 1]
        pattern = self.dates["date"] if with_year else self.dates["date-without-year"]
        return pattern.format(month=months[month - 1], day=day, year=year)

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
                 _collate(locale), _dates(locale.citation))


DATE_KEYS = ("months", "months-alone", "date", "date-without-year", "month-and-year")


def _dates(table: dict) -> dict:
    """The month names and date patterns of a [citation] table (complete, or none)."""
    dates = {key: table[key] for key in DATE_KEYS if key in table}
    months = dates.get("months")
    ok = (isinstance(months, list) and len(months) == 12 and all(isinstance(m, str) for m in months)
          and all(isinstance(dates.get(k), str) for k in ("date", "date-without-year", "month-and-year")))
    return dates if ok else {}


def _collate(locale) -> Callable | None:
    order = index_order(locale)
    return order.key if order is not None else None


@lru_cache(maxsize=1)
def english() -> Terms:
    return terms_of(packaged_locale("en"))
