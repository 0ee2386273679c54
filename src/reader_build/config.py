"""``reader.toml``: metadata, editions and handouts, validated into a :class:`Config`.

A title alone is enough: every other key has a default, and a project that
declares no editions gets the default ones (``print`` and ``ebook``).
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
import tomllib
from dataclasses import dataclass, field

from .diagnostics import Diagnostics, did_you_mean
from .source.words import DEFAULT_WORDS
from .source.files import SourceFile
from .source.tomlplace import element_place, place

PAGE_SIZES = {
    "a4": ("210mm", "297mm"),
    "a5": ("148mm", "210mm"),
    "letter": ("8.5in", "11in"),
    "6x9": ("6in", "9in"),
    "royal": ("156mm", "234mm"),
}
FORMATS = ("pdf", "epub", "html")
PARTS = ("introduction", "chronology", "bibliography", "indexes", "toc", "title", "imprint", "colophon")
OPTIONAL_PARTS = ("figures",)       # only where `include` names them: the list of figures
LENGTH = re.compile(r"^\d+(\.\d+)?(mm|cm|in|pt|px)$")


@dataclass(frozen=True)
class Edition:
    name: str
    format: str                    # "pdf" | "epub" | "html" (a static web site)
    page_size: tuple[str, str] = PAGE_SIZES["a5"]
    font_size: str = "10.5pt"
    sides: str = "mirrored"        # "mirrored" | "single"
    medium: str = "print"          # "print" | "screen" | "large-print"
    font: str = "serif"            # "serif" | "sans" (large-print: the sans-serif face)
    parts: tuple[str, ...] = PARTS
    pdf_variant: str | None = None  # "pdf/ua-1", "pdf/a-3b"
    fill_pages: bool = False       # PDF: a note is cut where its page ends rather than leave a hole
    line_breaking: str = "total-fit"   # PDF: "total-fit" (each justified paragraph at once) or "first-fit"
    link_urls: bool | None = None  # PDF: print the address of a link after its text (None: unless on screen)

    @property
    def is_pdf(self) -> bool:
        return self.format == "pdf"

    @property
    def large_print(self) -> bool:
        return self.medium == "large-print"

    def includes(self, part: str) -> bool:
        return part in self.parts

    @property
    def prints_link_urls(self) -> bool:
        """Does a link's address follow its text, "(https://…)"?  A printed page cannot be
        clicked: by default in a PDF edition for print or large print, not in one for screens."""
        if self.link_urls is not None:
            return self.link_urls
        return self.is_pdf and self.medium != "screen"


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
    authorship: str = "certain"             # "attributed": the author is attributed, not certain
    chapters: tuple[str, ...] = ()          # explicit order (file names inside manuscript/)
    bibliography_style: str = "author-date"
    bibliography_all: bool = False
    bibliography_locale: str = ""           # CSL locale; "" = language
    bibliography_dash: bool = True          # author-date: the 3-em dash for a repeated author
    bibliography_style_at: tuple = field(default=(None, None), compare=False)   # (line, col) in reader.toml
    editions: tuple[Edition, ...] = ()
    handouts: tuple[Handout, ...] = ()
    hyphenate: bool = True

    crossref: dict = field(default_factory=dict, compare=False, hash=False)   # words (render/words.py)
    strings: dict = field(default_factory=dict, compare=False, hash=False)   # [strings]: fixed words overridden

    def edition(self, name: str) -> Edition | None:
        return next((e for e in self.editions if e.name == name), None)

    @property
    def print_edition(self) -> Edition | None:
        """The edition whose pages the e-book and the handouts cite."""
        return self.edition("print") or next((e for e in self.editions if e.is_pdf), None)


TOP_KEYS = {
    "title": str, "subtitle": str, "author": str, "byline": str, "editor": str,
    "language": str, "date": str, "identifier": str, "publisher": str, "rights": str, "authorship": str,
    "chapters": list, "bibliography": dict, "editions": dict, "handouts": dict, "hyphenate": bool,
    "crossref": dict,
    "strings": dict,
}
EDITION_KEYS = {"format": str, "page-size": (str, list), "font-size": (str, int, float),
                "margins": str, "medium": str, "include": list, "pdf-variant": str,
                "font": str, "fill-pages": bool,
                "line-breaking": str, "link-urls": bool}
MEDIA = {"pdf": ("print", "screen", "large-print"), "epub": ("print", "screen"), "html": ("print", "screen")}
FONTS = ("serif", "sans")
HANDOUT_KEYS = {"sections": list, "paper": str, "booklet": bool, "nup": int, "edition": str}
BIB_KEYS = {"style": str, "all": bool, "locale": str, "repeated-author-dash": bool}
CROSSREF_KEYS = {name: str for name in DEFAULT_WORDS}

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


def _at(src: SourceFile, key: str, table: tuple[str, ...] = (), *, value: bool = True) -> dict:
    """``path``, ``line`` and ``col`` of a key's value (or, with ``value=False``, of the key) in
    reader.toml, for a diagnostic; the enclosing table's place when the key is not written."""
    line, col = place(src.text, (*table, key), value=value)
    return {"path": src.path, "line": line, "col": col}


def _check_keys(data: dict, allowed: dict, where: str, src: SourceFile, diags: Diagnostics,
                table: tuple[str, ...] = ()) -> None:
    for key, value in data.items():
        if key not in allowed:
            diags.error("config-unknown-key", f"unknown key '{key}' in {where}{did_you_mean(key, allowed)}",
                        **_at(src, key, table, value=False))
            continue
        expected = allowed[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
            names = names.replace("str", "a string").replace("list", "a list").replace("dict", "a table") \
                .replace("bool", "true or false").replace("int", "a number").replace("float", "a number")
            diags.error("config-type", f"'{key}' in {where} must be {names}, not {type(value).__name__}",
                        **_at(src, key, table))


def _page_size(value, name: str, src: SourceFile, diags: Diagnostics) -> tuple[str, str]:
    table = ("editions", name)
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
                **_at(src, "page-size", table))
    return PAGE_SIZES["a5"]


LARGE_PRINT_MIN_PT = 16.0     # UKAAF's minimum for large print (APH recommends 18 pt)


def _points(length: str) -> float:
    m = LENGTH.match(length)
    value = float(length[:m.start(2)]) if m else 0.0
    unit = m.group(2) if m else "pt"
    return value * {"pt": 1, "px": 0.75, "in": 72, "mm": 72 / 25.4, "cm": 72 / 2.54}[unit]


def _medium(name: str, fmt: str, data: dict, given: dict, src: SourceFile, diags: Diagnostics) -> dict:
    """medium, and with it the large-print defaults (A4, 16 pt) and the ``font`` key."""
    table = ("editions", name)
    medium = data.get("medium", "print" if fmt == "pdf" else "screen")
    if medium not in MEDIA[fmt]:
        choices = " or ".join(f"'{m}'" for m in MEDIA[fmt])
        diags.error("config-value", f"medium of {fmt.upper()} edition '{name}' must be {choices}"
                    f"{did_you_mean(str(medium), MEDIA[fmt])}", **_at(src, "medium", table))
        medium = "print"
    out: dict = {"medium": medium}
    if medium == "large-print":
        out.setdefault("page_size", given.get("page_size", PAGE_SIZES["a4"]))
        size = given.get("font_size", f"{LARGE_PRINT_MIN_PT:g}pt")
        out["font_size"] = size
        if _points(size) < LARGE_PRINT_MIN_PT:
            diags.warning("large-print-size", f"edition '{name}' is large print at {size}: the large-print "
                          f"guidelines ask for at least {LARGE_PRINT_MIN_PT:g}pt",
                          **_at(src, "font-size", table))
    if "font" in data:
        font, where = data["font"], _at(src, "font", table)
        if font not in FONTS:
            diags.error("config-value", f"font of edition '{name}' must be 'serif' or 'sans'"
                        f"{did_you_mean(str(font), FONTS)}", **where)
        elif medium != "large-print":
            diags.warning("config-font-ignored", f"font of edition '{name}' is read only with "
                          "medium = \"large-print\"; other editions take their faces from the styles", **where)
        else:
            out["font"] = font
    return out


def _edition(name: str, data: dict, src: SourceFile, diags: Diagnostics) -> Edition | None:
    table = ("editions", name)
    _check_keys(data, EDITION_KEYS, f"[editions.{name}]", src, diags, table)
    fmt = data.get("format", "pdf")
    if fmt not in FORMATS:
        diags.error("config-value", f"format of edition '{name}' must be 'pdf', 'epub' or 'html'"
                    f"{did_you_mean(str(fmt), FORMATS)}",
                    **_at(src, "format", table))
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
                        **_at(src, "font-size", table))
    kwargs.update(_medium(name, fmt, data, kwargs, src, diags))
    medium = kwargs["medium"]
    margins = data.get("margins", "mirrored" if medium == "print" else "single")
    if margins not in ("mirrored", "single"):
        diags.error("config-value", f"margins of edition '{name}' must be 'mirrored' or 'single'",
                    **_at(src, "margins", table))
        margins = "mirrored"
    kwargs["sides"] = margins
    if "include" in data:
        parts = []
        for part in data["include"]:
            if part not in PARTS + OPTIONAL_PARTS:
                line, col = element_place(src.text, (*table, "include"), str(part))
                diags.error("config-value", f"unknown part '{part}' in include of edition '{name}'"
                            f"{did_you_mean(str(part), PARTS + OPTIONAL_PARTS)}", src.path, line, col)
            else:
                parts.append(part)
        kwargs["parts"] = tuple(parts)
    if "pdf-variant" in data:
        variant = data["pdf-variant"]
        if variant not in ("pdf/ua-1", "pdf/a-3b"):
            diags.error("config-value", f"pdf-variant of edition '{name}' must be 'pdf/ua-1' or 'pdf/a-3b'",
                        **_at(src, "pdf-variant", table))
        else:
            kwargs["pdf_variant"] = variant
    if data.get("fill-pages") is True:
        if fmt != "pdf":
            diags.error("config-value", f"fill-pages of edition '{name}' applies to PDF editions only",
                        **_at(src, "fill-pages", table))
        else:
            kwargs["fill_pages"] = True
    if "line-breaking" in data:
        breaking = data["line-breaking"]
        if breaking not in ("total-fit", "first-fit"):
            diags.error("config-value", f"line-breaking of edition '{name}' must be 'total-fit' or 'first-fit'",
                        **_at(src, "line-breaking", table))
        elif fmt != "pdf":
            diags.error("config-value", f"line-breaking of edition '{name}' applies to PDF editions only",
                        **_at(src, "line-breaking", table))
        else:
            kwargs["line_breaking"] = breaking
    if isinstance(data.get("link-urls"), bool):
        if fmt != "pdf":
            diags.error("config-value", f"link-urls of edition '{name}' applies to PDF editions only",
                        **_at(src, "link-urls", table))
        else:
            kwargs["link_urls"] = data["link-urls"]
    return Edition(name, fmt, **kwargs)


def _handout(name: str, data: dict, src: SourceFile, diags: Diagnostics) -> Handout | None:
    table = ("handouts", name)
    _check_keys(data, HANDOUT_KEYS, f"[handouts.{name}]", src, diags, table)
    sections = data.get("sections", [])
    if not sections or not all(isinstance(s, str) for s in sections):
        diags.error("config-value", f"handout '{name}' needs sections = [\"section-id\", …]",
                    **_at(src, "sections", table))
        return None
    paper = str(data.get("paper", "a4")).lower()
    if paper not in ("a4", "letter"):
        diags.error("config-value", f"paper of handout '{name}' must be 'a4' or 'letter'",
                    **_at(src, "paper", table))
        paper = "a4"
    nup = data.get("nup", 1)
    if nup not in (1, 2, 4):
        diags.error("config-value", f"nup of handout '{name}' must be 1, 2 or 4",
                    **_at(src, "nup", table))
        nup = 1
    return Handout(name, tuple(sections), paper, bool(data.get("booklet", False)), nup,
                   str(data.get("edition", "print")))


def _load_toml(src: SourceFile, diags: Diagnostics) -> dict | None:
    """reader.toml's tables, or None (reported) when it is not valid TOML."""
    try:
        return tomllib.loads(src.text)
    except tomllib.TOMLDecodeError as exc:
        line, col = toml_error_place(exc, src.text)
        message = re.sub(r"\s*\((?:at line \d+, column \d+|at end of document)\)", "", str(exc))
        diags.error("config-toml", f"reader.toml is not valid TOML: {message}", src.path, line, col)
    except RecursionError:
        diags.error("config-toml", "reader.toml is not valid TOML: arrays or tables nested too deeply",
                    src.path, 1, 1)
    except ValueError as exc:      # tomllib's other failure: an integer longer than Python converts
        diags.error("config-toml", f"reader.toml has a value that cannot be read ({str(exc).split(';')[0]})",
                    src.path, 1, 1)
    return None


def parse_config(src: SourceFile, diags: Diagnostics) -> Config | None:
    """Validate ``reader.toml``; ``None`` when it cannot be used at all."""
    data = _load_toml(src, diags)
    if data is None:
        return None
    _check_keys(data, TOP_KEYS, "reader.toml", src, diags)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        diags.error("config-title", "reader.toml needs a title, e.g. title = \"My reader\"", **_at(src, "title"))
        return None
    kwargs: dict = {}
    for key in ("subtitle", "author", "byline", "editor", "language", "date", "identifier", "publisher", "rights"):
        if isinstance(data.get(key), str):
            kwargs[key] = data[key]
    if "date" in kwargs and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", kwargs["date"]):
        diags.error("config-value", "date must be written YYYY, YYYY-MM or YYYY-MM-DD",
                    **_at(src, "date"))
        del kwargs["date"]
    if "language" in kwargs and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", kwargs["language"]):
        diags.error("config-value", f"language must be a language tag such as 'en' or 'en-GB', not {kwargs['language']!r}",
                    **_at(src, "language"))
        del kwargs["language"]
    if isinstance(data.get("chapters"), list):
        names = [c for c in data["chapters"] if isinstance(c, str) and c.strip()]
        if len(names) != len(data["chapters"]):
            diags.error("config-type", "chapters in reader.toml must be a list of file names, "
                        "e.g. chapters = [\"01-intro.md\"]", **_at(src, "chapters"))
        kwargs["chapters"] = tuple(names)
    if data.get("authorship") in ("certain", "attributed"):
        kwargs["authorship"] = data["authorship"]
    elif "authorship" in data:
        diags.error("config-value", "authorship must be 'certain' or 'attributed'",
                    **_at(src, "authorship"))
    if isinstance(data.get("strings"), dict):
        kwargs["strings"] = dict(data["strings"])
    if isinstance(data.get("hyphenate"), bool):
        kwargs["hyphenate"] = data["hyphenate"]
    bib = data.get("bibliography", {})
    if isinstance(bib, dict):
        _check_keys(bib, BIB_KEYS, "[bibliography]", src, diags, ("bibliography",))
        if isinstance(bib.get("style"), str):
            kwargs["bibliography_style"] = bib["style"]
            where = _at(src, "style", ("bibliography",))
            kwargs["bibliography_style_at"] = (where["line"], where["col"])
        if isinstance(bib.get("locale"), str):
            kwargs["bibliography_locale"] = bib["locale"].strip()
        if isinstance(bib.get("all"), bool):
            kwargs["bibliography_all"] = bib["all"]
        if isinstance(bib.get("repeated-author-dash"), bool):
            kwargs["bibliography_dash"] = bib["repeated-author-dash"]
    words = data.get("crossref", {})
    if isinstance(words, dict):
        _check_keys(words, CROSSREF_KEYS, "[crossref]", src, diags, "crossref")
        kwargs["crossref"] = {k: v for k, v in words.items() if isinstance(v, str)}
    editions = []
    if isinstance(data.get("editions"), dict):
        for name, table in data["editions"].items():
            if not re.match(r"^[a-z0-9][a-z0-9_-]*$", name):
                diags.error("config-value", f"edition name '{name}' must be lower-case letters, digits, - or _",
                            **_at(src, name, ("editions",), value=False))
                continue
            if not isinstance(table, dict):
                diags.error("config-type", f"[editions.{name}] must be a table", **_at(src, name, ("editions",)))
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


def build_date(reader_date: str) -> str:
    """SOURCE_DATE_EPOCH, else the date in reader.toml, else none (no date in the outputs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if reader_date:
        parts = (reader_date + "-01-01")[:10].split("-")
        return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"
    return ""


def length_mm(length: str) -> float:
    """A CSS length (mm, cm, in, pt, px) in millimetres; 148 (A5's width) when it cannot be read."""
    m = re.match(r"^([\d.]+)(mm|cm|in|pt|px)$", length)
    if not m:
        return 148.0
    value, unit = float(m.group(1)), m.group(2)
    return value * {"mm": 1, "cm": 10, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}[unit]
