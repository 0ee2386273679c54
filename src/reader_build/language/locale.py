"""The reader's language: its fixed words, quotation marks, dashes and index order.

Each language is a TOML file, ``locales/LANG.toml`` in the package (``en``, ``ru``,
``de``, ``fr``, ``es``, ``it``, ``ja``, ``cs``, ``pl``), with the tables
``[strings]`` (every fixed word the templates and the code print), ``[typography]``,
``[citation]`` and ``[collation]``.  ``en.toml`` is the reference: every other file
has its keys.  A project may add or amend a language with ``styles/locales/LANG.toml``
and override single strings in ``reader.toml`` under ``[strings]``.

A tag with a region (``de-CH``, ``en-US``) reads the base language's file and then,
when there is one, the tag's own file over it.
"""
from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..diagnostics import Diagnostics, did_you_mean
from ..source.files import inside, relpath

PACKAGE = Path(str(resources.files("reader_build")))
PACKAGE_LOCALES = PACKAGE / "locales"
REFERENCE = "en"
TABLES = ("strings", "typography", "citation", "collation")
EXTRA_PLACEHOLDERS = {"cite-edition": {"number", "ordinal"}}   # beyond those of the English string


@dataclass(frozen=True)
class Typography:
    quotes: tuple[str, str, str, str] = ("\u201c", "\u201d", "\u2018", "\u2019")
    dash: str = "\u2013"
    long_dash: str = "\u2014"
    spaced_dash: str = ""
    punctuation_space: str = ""
    nbsp_after: frozenset = frozenset()
    spaceless: bool = False                     # no spaces between words: quotes pair in order


@dataclass(frozen=True)
class Collation:
    alphabet: tuple[str, ...] = ()
    after: tuple[tuple[str, str], ...] = ()     # (letter, the letter it follows)
    groups: str = "letters"                     # "letters" | "rows"
    scripts_first: tuple[str, ...] = ()         # ISO 15924 codes sorted before all others ("Cyrl")


@dataclass(frozen=True)
class Locale:
    """The fixed words and conventions of one language (tag as the reader gives it)."""
    tag: str
    strings: dict = field(hash=False, compare=False)
    typography: Typography = Typography()
    collation: Collation = Collation()
    serial_comma: bool = True
    period_inside_quotes: bool = True
    files: tuple[str, ...] = ()
    citation: dict = field(default_factory=dict, hash=False, compare=False)   # the [citation] table

    @property
    def base(self) -> str:
        return base_language(self.tag)

    def t(self, key: str, **values) -> str:
        """The string *key*, its ``{placeholders}`` filled from *values*."""
        try:
            text = self.strings[key]
        except KeyError:
            raise KeyError(f"no string '{key}' in the locale files {', '.join(self.files) or self.tag}") from None
        return text.format(**values) if values else text


def toml_key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The line of ``key = …`` in TOML *text* (inside ``[table]`` when given), best effort."""
    lines = text.splitlines()
    start = 0
    if table:
        head = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]")
        start = next((i for i, line in enumerate(lines) if head.match(line)), 0)
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    return next((i + 1 for i in range(start, len(lines)) if pattern.match(lines[i])), None)


def display_path(root: Path | None, path: Path) -> str:
    """A locale file for messages: project-relative, or ``<reader-build>/locales/…``."""
    if root is not None and inside(root, path):
        return relpath(root, path)
    try:
        return "<reader-build>/" + path.relative_to(PACKAGE).as_posix()
    except ValueError:
        return path.name


def base_language(tag: str) -> str:
    return tag.split("-")[0].lower()


def _candidates(root: Path | None, tag: str) -> list[Path]:
    """The files of a language tag, the most general first (package, then project)."""
    names = [base_language(tag)]
    if tag.lower() != names[0]:
        names.append(tag)
    folders = [PACKAGE_LOCALES]
    if root is not None:
        own = root / "styles" / "locales"
        if own.is_dir() and inside(root, own):
            folders.append(own)
    return [folder / f"{name}.toml" for name in names for folder in folders]


def _read(root: Path | None, path: Path, diags: Diagnostics, tree=None) -> dict | None:
    """A locale file's tables, taken from *tree* (source.files.SourceTree, the files as read) when given."""
    shown = display_path(root, path)
    packaged = path.is_relative_to(PACKAGE_LOCALES)
    if root is not None and not inside(root, path) and not packaged:
        diags.error("outside-project", "the locale file lies outside the project folder", shown)
        return None
    try:
        raw = tree.load(path, packaged=packaged) if tree is not None else path.read_bytes()
        if isinstance(raw, BaseException):
            raise raw
        if not isinstance(raw, bytes):
            raise OSError("the file is too large or not in the project")
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        diags.error("locale-invalid", f"the locale file cannot be read: {exc}", shown)
        return None
    for table in TABLES:
        if table in data and not isinstance(data[table], dict):
            diags.error("locale-invalid", f"[{table}] must be a table", shown)
            data[table] = {}
    return data


@lru_cache(maxsize=1)
def reference_strings() -> dict:
    """The English strings: the keys every language has, and their placeholders."""
    with open(PACKAGE_LOCALES / f"{REFERENCE}.toml", "rb") as f:
        return dict(tomllib.load(f)["strings"])


def placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"{"}


def _typography(data: dict) -> Typography:
    quotes = data.get("quotes")
    kwargs = {}
    if isinstance(quotes, list) and len(quotes) == 4 and all(isinstance(q, str) for q in quotes):
        kwargs["quotes"] = tuple(quotes)
    for key in ("dash", "long-dash", "spaced-dash", "punctuation-space"):
        if isinstance(data.get(key), str):
            kwargs[key.replace("-", "_")] = data[key]
    if isinstance(data.get("spaceless"), bool):
        kwargs["spaceless"] = data["spaceless"]
    if isinstance(data.get("nbsp-after"), list):
        kwargs["nbsp_after"] = frozenset(w.lower() for w in data["nbsp-after"] if isinstance(w, str))
    return Typography(**kwargs)


def _collation(data: dict) -> Collation:
    alphabet = tuple(str(data.get("alphabet", "")).split())
    after = data.get("after", {})
    pairs = tuple((k, v) for k, v in after.items() if isinstance(v, str)) if isinstance(after, dict) else ()
    groups = data.get("groups") if data.get("groups") in ("letters", "rows") else "letters"
    first = data.get("scripts-first", [])
    scripts = tuple(s for s in first if isinstance(s, str)) if isinstance(first, list) else ()
    return Collation(alphabet, pairs, groups, scripts)


def load_locale(tag: str, overrides: dict | None = None, root: Path | None = None,
                diags: Diagnostics | None = None, config_path: str = "reader.toml",
                line_of=lambda key: None, tree=None) -> Locale:
    """The locale of *tag*, with the project's files (``styles/locales/``, taken from *tree*, the
    files as read, when given) and *overrides* (reader.toml ``[strings]``).  A string missing from the language's files is an error
    naming the key and the file; a language without any file falls back to English, with
    a warning."""
    diags = diags if diags is not None else Diagnostics()
    found = [p for p in _candidates(root, tag) if p.is_file()]
    if not found:
        diags.warning("locale-unknown", f"reader-build has no locale file for the language '{tag}': the fixed "
                      f"words are English; add styles/locales/{base_language(tag)}.toml (keys as in "
                      f"<reader-build>/locales/{REFERENCE}.toml) or set them under [strings]",
                      config_path, line_of("language"))
        found = [PACKAGE_LOCALES / f"{REFERENCE}.toml"]
    merged: dict[str, dict] = {table: {} for table in TABLES}
    for path in found:
        data = _read(root, path, diags, tree) or {}
        for table in TABLES:
            merged[table].update(data.get(table, {}))
    shown = tuple(display_path(root, p) for p in found)
    strings = {k: v for k, v in merged["strings"].items() if _valid(k, v, diags, shown[-1], None)}
    for key, value in (overrides or {}).items():
        _override(strings, key, value, diags, config_path, line_of(key))
    for key in reference_strings():
        if key not in strings:
            diags.error("locale-string-missing", f"the string '{key}' is missing from {shown[-1]} (language "
                        f"'{tag}'): add it there, or under [strings] in reader.toml", shown[-1])
            strings[key] = reference_strings()[key]
    serial = merged["citation"].get("serial-comma", True)
    inside = merged["citation"].get("period-inside-quotes", True)
    return Locale(tag, strings, _typography(merged["typography"]), _collation(merged["collation"]),
                  serial if isinstance(serial, bool) else True, inside if isinstance(inside, bool) else True, shown,
                  merged["citation"])


def _valid(key, value, diags: Diagnostics, where: str, line: int | None) -> bool:
    reference = reference_strings()
    if key not in reference:
        diags.warning("strings-unknown-key", f"unknown string '{key}'{did_you_mean(str(key), reference)}",
                      where, line)
        return False
    if not isinstance(value, str):
        diags.error("config-type", f"the string '{key}' must be text, not {type(value).__name__}", where, line)
        return False
    allowed_names = placeholders(reference[key]) | EXTRA_PLACEHOLDERS.get(key, set())
    unknown = placeholders(value) - allowed_names
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in sorted(allowed_names)) or "none"
        diags.error("strings-placeholder", f"the string '{key}' uses {', '.join(sorted(unknown))} "
                    f"(placeholders it may use: {allowed})", where, line)
        return False
    return True


def _override(strings: dict, key, value, diags: Diagnostics, where: str, line: int | None) -> None:
    if _valid(key, value, diags, where, line):
        strings[key] = value


@lru_cache(maxsize=16)
def packaged_locale(tag: str = REFERENCE) -> Locale:
    """A packaged language as it is, without a project (English by default)."""
    return load_locale(tag)


def locale_of(reader) -> Locale:
    """The locale of a resolved reader (English for a reader made without one)."""
    return getattr(reader, "locale", None) or packaged_locale(REFERENCE)


def shipped_languages() -> list[str]:
    return sorted(p.stem for p in PACKAGE_LOCALES.glob("*.toml"))


def typography_for(lang: str, locale: Locale | None = None) -> Typography:
    """The typography of text in *lang*: the reader's own (*locale*) when it is that
    language, else the packaged language's, else the reader's (or English)."""
    if locale is not None and (not lang or base_language(lang) == locale.base):
        return locale.typography
    if lang and base_language(lang) in shipped_set():
        return packaged_locale(base_language(lang)).typography
    return locale.typography if locale is not None else Typography()


@lru_cache(maxsize=1)
def shipped_set() -> frozenset:
    return frozenset(shipped_languages())


def chapter_language(parsed, default: str) -> str:
    """A chapter's language: its front matter's ``lang``, else the reader's."""
    lang = parsed.meta.get("lang") if isinstance(parsed.meta, dict) else None
    return lang if isinstance(lang, str) and re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", lang) else default


def crossref_words(locale: Locale) -> dict:
    """The words of cross-references ("fig.", "pp.", "Figure" …) by the names the
    cross-reference renderer gives them (``xref-fig`` -> ``fig``)."""
    return {key[len("xref-"):]: value for key, value in locale.strings.items() if key.startswith("xref-")}
