"""``reader.toml``: metadata, editions and handouts, validated into a :class:`Config`.

A title alone is enough: every other key has a default, and a project that
declares no editions gets the default ones (``print`` and ``ebook``).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from .diagnostics import Diagnostics, did_you_mean
from .source.files import SourceFile

PAGE_SIZES = {
    "a4": ("210mm", "297mm"),
    "a5": ("148mm", "210mm"),
    "letter": ("8.5in", "11in"),
    "6x9": ("6in", "9in"),
    "royal": ("156mm", "234mm"),
}
PARTS = ("introduction", "chronology", "map", "bibliography", "indexes", "toc", "title", "colophon")
LENGTH = re.compile(r"^\d+(\.\d+)?(mm|cm|in|pt|px)$")


@dataclass(frozen=True)
class Edition:
    name: str
    format: str                    # "pdf" | "epub"
    page_size: tuple[str, str] = PAGE_SIZES["a5"]
    font_size: str = "10.5pt"
    sides: str = "mirrored"        # "mirrored" | "single"
    medium: str = "print"          # "print" | "screen"
    parts: tuple[str, ...] = PARTS
    pdf_variant: str | None = None  # "pdf/ua-1", "pdf/a-3b"

    @property
    def is_pdf(self) -> bool:
        return self.format == "pdf"

    def includes(self, part: str) -> bool:
        return part in self.parts


@dataclass(frozen=True)
class Handout:
    name: str
    sections: tuple[str, ...]
    paper: str = "a4"
    booklet: bool = False
    nup: int = 1
    edition: str = "print"


@dataclass(frozen=True)
class Config:
    title: str
    subtitle: str = ""
    author: str = ""
    byline: str = ""
    editor: str = ""
    language: str = "en"
    date: str = ""
    identifier: str = ""
    publisher: str = ""
    rights: str = ""
    chapters: tuple[str, ...] = ()          # explicit order (file names inside manuscript/)
    bibliography_style: str = "author-date"
    bibliography_all: bool = False
    bibliography_locale: str = ""           # CSL locale; "" = language
    bibliography_style_at: tuple = field(default=(None, None), compare=False)   # (line, col) in reader.toml
    editions: tuple[Edition, ...] = ()
    handouts: tuple[Handout, ...] = ()
    hyphenate: bool = True
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def edition(self, name: str) -> Edition | None:
        return next((e for e in self.editions if e.name == name), None)

    @property
    def print_edition(self) -> Edition | None:
        """The edition whose pages the e-book and the handouts cite."""
        return self.edition("print") or next((e for e in self.editions if e.is_pdf), None)


TOP_KEYS = {
    "title": str, "subtitle": str, "author": str, "byline": str, "editor": str,
    "language": str, "date": str, "identifier": str, "publisher": str, "rights": str,
    "chapters": list, "bibliography": dict, "editions": dict, "handouts": dict, "hyphenate": bool,
}
EDITION_KEYS = {"format": str, "page-size": (str, list), "font-size": (str, int, float),
                "margins": str, "medium": str, "include": list, "pdf-variant": str}
HANDOUT_KEYS = {"sections": list, "paper": str, "booklet": bool, "nup": int, "edition": str}
BIB_KEYS = {"style": str, "all": bool, "locale": str}

DEFAULT_EDITIONS = (
    Edition("print", "pdf"),
    Edition("ebook", "epub", medium="screen"),
)


def toml_error_place(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, int | None]:
    """Line and column of a TOML error (attributes from Python 3.14, the message before)."""
    if getattr(exc, "lineno", None):
        return exc.lineno, getattr(exc, "colno", None)
    m = re.search(r"at line (\d+), column (\d+)", str(exc))
    if m:
        return int(m.group(1)), int(m.group(2))
    if "at end of document" in str(exc):
        lines = text.split("\n")
        return len(lines), len(lines[-1]) + 1
    return None, None


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """Best-effort line of a key in the TOML text (tomllib keeps no positions)."""
    lines = text.splitlines()
    start = 0
    if table:
        pat = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
        for i, line in enumerate(lines):
            if pat.match(line):
                start = i
                break
    pat = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
    for i in range(start, len(lines)):
        if pat.match(lines[i]):
            return i + 1
    return start + 1 if table else None


def _value_place(text: str, key: str, table: str | None = None) -> tuple[int | None, int | None]:
    """(line, column) of the value of a key in the TOML text."""
    line = _line_of(text, key, table)
    if line is None:
        return None, None
    m = re.match(r"^\s*\"?" + re.escape(key) + r"\"?\s*=\s*", text.splitlines()[line - 1])
    return line, (m.end() + 1) if m else 1


def _check_keys(data: dict, allowed: dict, where: str, src: SourceFile, diags: Diagnostics,
                table: str | None = None) -> None:
    for key, value in data.items():
        if key not in allowed:
            diags.error("config-unknown-key", f"unknown key '{key}' in {where}{did_you_mean(key, allowed)}",
                        src.path, _line_of(src.text, key, table))
            continue
        expected = allowed[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
            names = names.replace("str", "a string").replace("list", "a list").replace("dict", "a table") \
                .replace("bool", "true or false").replace("int", "a number").replace("float", "a number")
            diags.error("config-type", f"'{key}' in {where} must be {names}, not {type(value).__name__}",
                        src.path, _line_of(src.text, key, table))


def _page_size(value, name: str, src: SourceFile, diags: Diagnostics) -> tuple[str, str]:
    table = f"editions.{name}"
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, str) and LENGTH.match(v) for v in value):
            return (value[0], value[1])
    elif isinstance(value, str):
        key = value.lower().replace(" ", "").replace("×", "x").replace("in", "") if "x" in value.lower() \
            else value.lower()
        if key in PAGE_SIZES:
            return PAGE_SIZES[key]
    diags.error("config-value", f"page-size of edition '{name}' must be one of "
                f"{', '.join(PAGE_SIZES)} or a pair like [\"150mm\", \"220mm\"]; got {value!r}",
                src.path, _line_of(src.text, "page-size", table))
    return PAGE_SIZES["a5"]


def _edition(name: str, data: dict, src: SourceFile, diags: Diagnostics) -> Edition | None:
    table = f"editions.{name}"
    _check_keys(data, EDITION_KEYS, f"[editions.{name}]", src, diags, table)
    fmt = data.get("format", "pdf")
    if fmt not in ("pdf", "epub"):
        diags.error("config-value", f"format of edition '{name}' must be 'pdf' or 'epub'{did_you_mean(str(fmt), ['pdf', 'epub'])}",
                    src.path, _line_of(src.text, "format", table))
        return None
    kwargs: dict = {}
    if "page-size" in data:
        kwargs["page_size"] = _page_size(data["page-size"], name, src, diags)
    if "font-size" in data:
        size = data["font-size"]
        if isinstance(size, (int, float)) and not isinstance(size, bool):
            size = f"{size}pt"
        if isinstance(size, str) and LENGTH.match(size):
            kwargs["font_size"] = size
        else:
            diags.error("config-value", f"font-size of edition '{name}' must be a length like \"11pt\"",
                        src.path, _line_of(src.text, "font-size", table))
    medium = data.get("medium", "print" if fmt == "pdf" else "screen")
    if medium not in ("print", "screen"):
        diags.error("config-value", f"medium of edition '{name}' must be 'print' or 'screen'",
                    src.path, _line_of(src.text, "medium", table))
        medium = "print"
    kwargs["medium"] = medium
    margins = data.get("margins", "mirrored" if medium == "print" else "single")
    if margins not in ("mirrored", "single"):
        diags.error("config-value", f"margins of edition '{name}' must be 'mirrored' or 'single'",
                    src.path, _line_of(src.text, "margins", table))
        margins = "mirrored"
    kwargs["sides"] = margins
    if "include" in data:
        parts = []
        for part in data["include"]:
            if part not in PARTS:
                diags.error("config-value", f"unknown part '{part}' in include of edition '{name}'"
                            f"{did_you_mean(str(part), PARTS)}", src.path, _line_of(src.text, "include", table))
            else:
                parts.append(part)
        kwargs["parts"] = tuple(parts)
    if "pdf-variant" in data:
        variant = data["pdf-variant"]
        if variant not in ("pdf/ua-1", "pdf/a-3b"):
            diags.error("config-value", f"pdf-variant of edition '{name}' must be 'pdf/ua-1' or 'pdf/a-3b'",
                        src.path, _line_of(src.text, "pdf-variant", table))
        else:
            kwargs["pdf_variant"] = variant
    return Edition(name, fmt, **kwargs)


def _handout(name: str, data: dict, src: SourceFile, diags: Diagnostics) -> Handout | None:
    table = f"handouts.{name}"
    _check_keys(data, HANDOUT_KEYS, f"[handouts.{name}]", src, diags, table)
    sections = data.get("sections", [])
    if not sections or not all(isinstance(s, str) for s in sections):
        diags.error("config-value", f"handout '{name}' needs sections = [\"section-id\", …]",
                    src.path, _line_of(src.text, "sections", table))
        return None
    paper = str(data.get("paper", "a4")).lower()
    if paper not in ("a4", "letter"):
        diags.error("config-value", f"paper of handout '{name}' must be 'a4' or 'letter'",
                    src.path, _line_of(src.text, "paper", table))
        paper = "a4"
    nup = data.get("nup", 1)
    if nup not in (1, 2, 4):
        diags.error("config-value", f"nup of handout '{name}' must be 1, 2 or 4",
                    src.path, _line_of(src.text, "nup", table))
        nup = 1
    return Handout(name, tuple(sections), paper, bool(data.get("booklet", False)), nup,
                   str(data.get("edition", "print")))


def parse_config(src: SourceFile, diags: Diagnostics) -> Config | None:
    """Validate ``reader.toml``; ``None`` when it cannot be used at all."""
    try:
        data = tomllib.loads(src.text)
    except tomllib.TOMLDecodeError as exc:
        line, col = toml_error_place(exc, src.text)
        message = re.sub(r"\s*\((?:at line \d+, column \d+|at end of document)\)", "", str(exc))
        diags.error("config-toml", f"reader.toml is not valid TOML: {message}", src.path, line, col)
        return None
    except RecursionError:
        diags.error("config-toml", "reader.toml is not valid TOML: arrays or tables nested too deeply",
                    src.path, 1, 1)
        return None
    except ValueError as exc:      # tomllib's other failure: an integer longer than Python converts
        diags.error("config-toml", f"reader.toml has a value that cannot be read ({str(exc).split(';')[0]})",
                    src.path, 1, 1)
        return None
    _check_keys(data, TOP_KEYS, "reader.toml", src, diags)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        diags.error("config-title", "reader.toml needs a title, e.g. title = \"My reader\"", src.path, 1)
        return None
    kwargs: dict = {}
    for key in ("subtitle", "author", "byline", "editor", "language", "date", "identifier", "publisher", "rights"):
        if isinstance(data.get(key), str):
            kwargs[key] = data[key]
    if "date" in kwargs and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", kwargs["date"]):
        diags.error("config-value", "date must be written YYYY, YYYY-MM or YYYY-MM-DD",
                    src.path, _line_of(src.text, "date"))
        del kwargs["date"]
    if "language" in kwargs and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", kwargs["language"]):
        diags.error("config-value", f"language must be a language tag such as 'en' or 'en-GB', not {kwargs['language']!r}",
                    src.path, _line_of(src.text, "language"))
        del kwargs["language"]
    if isinstance(data.get("chapters"), list):
        names = [c for c in data["chapters"] if isinstance(c, str) and c.strip()]
        if len(names) != len(data["chapters"]):
            diags.error("config-type", "chapters in reader.toml must be a list of file names, "
                        "e.g. chapters = [\"01-intro.md\"]", src.path, _line_of(src.text, "chapters"))
        kwargs["chapters"] = tuple(names)
    if isinstance(data.get("hyphenate"), bool):
        kwargs["hyphenate"] = data["hyphenate"]
    bib = data.get("bibliography", {})
    if isinstance(bib, dict):
        _check_keys(bib, BIB_KEYS, "[bibliography]", src, diags, "bibliography")
        if isinstance(bib.get("style"), str):
            kwargs["bibliography_style"] = bib["style"]
            kwargs["bibliography_style_at"] = _value_place(src.text, "style", "bibliography")
        if isinstance(bib.get("locale"), str):
            kwargs["bibliography_locale"] = bib["locale"].strip()
        if isinstance(bib.get("all"), bool):
            kwargs["bibliography_all"] = bib["all"]
    editions = []
    if isinstance(data.get("editions"), dict):
        for name, table in data["editions"].items():
            if not re.match(r"^[a-z0-9][a-z0-9_-]*$", name):
                diags.error("config-value", f"edition name '{name}' must be lower-case letters, digits, - or _",
                            src.path, _line_of(src.text, name))
                continue
            if not isinstance(table, dict):
                diags.error("config-type", f"[editions.{name}] must be a table", src.path, _line_of(src.text, name))
                continue
            edition = _edition(name, table, src, diags)
            if edition:
                editions.append(edition)
    kwargs["editions"] = tuple(editions) if editions or "editions" in data else DEFAULT_EDITIONS
    handouts = []
    if isinstance(data.get("handouts"), dict):
        for name, table in data["handouts"].items():
            if isinstance(table, dict):
                handout = _handout(name, table, src, diags)
                if handout:
                    handouts.append(handout)
    kwargs["handouts"] = tuple(handouts)
    return Config(title=title.strip(), **kwargs)
