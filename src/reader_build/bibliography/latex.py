"""LaTeX in bibliography fields, decoded to rich text (pybtex ``richtext``).

:func:`to_rich` turns a BibTeX field value (``{\\"O}zge``, ``\\emph{De Anima}``,
``1736--1739``, ``\\url{…}``) into a :class:`pybtex.richtext.Text` of plain Unicode
strings and a few tags (``i``, ``b``, ``sup``, ``sub``, ``lang:xx``) and links.
It never raises: unknown commands are dropped (their arguments kept), stray braces
are ignored. :class:`HtmlBackend` and :class:`TextBackend` render the result;
:class:`LatexBackend` renders the output of pybtex's own styles back to LaTeX so
that it can be decoded here once.
"""
from __future__ import annotations

import codecs
import html
import re
import unicodedata
from types import MappingProxyType

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.backends import BaseBackend
from pybtex.richtext import HRef, String, Tag, Text

NBSP = "\u00a0"

ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361",
}
SYMBOLS = {
    "ss": "ß", "SS": "SS", "oe": "œ", "OE": "Œ", "ae": "æ", "AE": "Æ", "aa": "å", "AA": "Å",
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}",
    " ": " ", "\\": " ", "newline": " ", "par": " ", "linebreak": " ", "break": " ",
    ",": "\u202f", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": "",
    "space": " ", "quad": " ", "qquad": " ", "nobreakspace": NBSP, "nobreak": "",
    "addnbspace": NBSP, "addspace": " ", "addthinspace": "\u202f", "addnbthinspace": "\u202f",
    "addcomma": ",", "addperiod": ".", "adddot": ".", "addcolon": ":", "addsemicolon": ";",
    "hyphen": "-", "slash": "/", "textslash": "/", "dots": "…", "ldots": "…", "textellipsis": "…",
    "textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "S": "§", "P": "¶",
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX", "ConTeXt": "ConTeXt", "MF": "METAFONT", "MP": "MetaPost", "eTeX": "e-TeX",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_",
    "textbar": "|", "textless": "<", "textgreater": ">", "euro": "€", "texteuro": "€",
    "ppno": "pp.", "pno": "p.", "psq": " f.", "psqq": " ff.",
}
LOGOS = {k.lower(): v for k, v in SYMBOLS.items() if k.endswith(("TeX", "TeXe", "TeXt"))}
#: commands whose one argument is wrapped in a tag (None: kept as is)
WRAP = {
    "emph": "i", "textit": "i", "textsl": "i", "mkbibemph": "i", "mkbibitalic": "i",
    "textbf": "b", "mkbibbold": "b", "textsuperscript": "sup", "mkbibsuperscript": "sup",
    "textsubscript": "sub", "mkbibsubscript": "sub",
    "textrm": None, "textsf": None, "texttt": None, "textup": None, "textnormal": None,
    "textmd": None, "textsc": None, "mbox": None, "hbox": None, "text": None, "nocase": None,
    "NoCaseChange": None, "ensuremath": None, "mkbibacro": None, "autocap": None,
    "uppercase": None, "lowercase": None, "MakeUppercase": None, "MakeLowercase": None,
    "bibstring": None, "mkbibnamefamily": None, "mkbibnamegiven": None, "textcite": None,
}
DECLARATIONS = {"em": "i", "it": "i", "itshape": "i", "sl": "i", "slshape": "i",
                "bf": "b", "bfseries": "b", "sc": None, "scshape": None, "rm": None,
                "upshape": None, "normalfont": None, "tt": None, "sf": None}
QUOTE_COMMANDS = {"mkbibquote", "enquote", "mkquote"}
DROP_ARGS = {"noopsort": 1, "noop": 1, "SortNoop": 1, "sortnoop": 1, "index": 1, "label": 1,
             "cite": 1, "hyphenation": 1, "foreignlanguage": 1, "textcolor": 1, "color": 1,
             "hspace": 1, "vspace": 1, "bibinfo": 1}
VERBATIM_LINKS = {"url", "path", "nolinkurl"}
SAFE_SCHEMES = ("http://", "https://", "ftp://", "mailto:")
CONTROL_WORD = re.compile(r"[A-Za-z]+\*?")
ELISIONS = re.compile(r"'(?:t|s|n|em|tis|twas|\d)\b", re.IGNORECASE)
# what the parser reads as more than itself (outside math): a value without any of these
# is its own text, and is not parsed character by character
TEX_SPECIAL = re.compile(r"[{}\\$~`'\"\t\n\r-]|  ")


class _Parser:
    """A small recursive-descent reader of the LaTeX found in .bib fields."""

    def __init__(self, text: str, nested: bool = False, protect: bool = False):
        self.s = text
        self.i = 0
        self.quote_depth = 1 if nested else 0
        self.protect = protect          # mark {groups} whose case a style must keep
        self.protected = False          # inside such a group

    # --- scanning -------------------------------------------------------
    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def control_word(self) -> str:
        """Read the name after a backslash (letters, or one other character)."""
        m = CONTROL_WORD.match(self.s, self.i)
        if m:
            self.i = m.end()
            while self.peek() in (" ", "\t", "\n"):
                self.i += 1
            return m.group().rstrip("*")
        if self.i < len(self.s):
            self.i += 1
            return self.s[self.i - 1]
        return ""

    def raw_group(self) -> str | None:
        """The text of a balanced {group}, unparsed (for URLs); None if absent."""
        while self.peek() in (" ", "\t", "\n"):
            self.i += 1
        if self.peek() != "{":
            return None
        depth, start = 0, self.i + 1
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return self.s[start:self.i - 1]
            self.i += 1
        return self.s[start:]

    def argument(self, math: bool = False) -> list:
        """One macro argument: a {group}, a control sequence or a single character."""
        while self.peek() in (" ", "\t", "\n"):
            self.i += 1
        c = self.peek()
        if c == "{":
            self.i += 1
            return self.parse_until("}", math)
        if c == "\\":
            self.i += 1
            return self.command(self.control_word(), math)
        if c:
            self.i += 1
            return [c]
        return []

    # --- parsing --------------------------------------------------------
    def parse_until(self, end: str, math: bool = False) -> list:
        out: list = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if end and c == end:
                self.i += 1
                return out
            self.i += 1
            if c == "{":
                out.append(self.group(math))
            elif c == "}":
                continue                       # stray closing brace
            elif c == "\\":
                name = self.control_word()
                if name in DECLARATIONS:
                    rest = self.parse_until(end, math)
                    tag = DECLARATIONS[name]
                    out.append(Tag(tag, *rest) if tag else Text(*rest))
                    return out
                out.extend(self.command(name, math))
            elif c == "$" and not math:
                if self.peek() == "$":
                    self.i += 1
                out.extend(self.parse_until("$", True))
                if self.peek() == "$":
                    self.i += 1
            elif math and c in "^_":
                arg = self.argument(math)
                out.append(Tag("sup" if c == "^" else "sub", *arg))
            elif c == "~":
                out.append(NBSP)
            elif c == "-" and not math:
                if self.s.startswith("--", self.i):
                    self.i += 2
                    out.append("—")
                elif self.peek() == "-":
                    self.i += 1
                    out.append("–")
                else:
                    out.append("-")
            elif c in "`'\"" and not math:
                out.append(self.quote(c, out))
            elif c in " \t\n\r":
                while self.peek() in (" ", "\t", "\n", "\r"):
                    self.i += 1
                out.append(" ")
            else:
                out.append(c)
        return out

    def group(self, math: bool) -> Text:
        """A {group} of the text (not a command's argument). BibTeX keeps the case of its
        letters when a style changes case ("{DNA}", "{Re-examination}"); with *protect*, it
        is tagged ``class:nocase``, CSL's mark for it. A group that starts with a command is
        BibTeX's "special character" (``{\\"U}``) and keeps nothing."""
        if not self.protect or self.protected or math or self.peek() == "\\":
            return Text(*self.parse_until("}", math))
        self.protected = True
        try:
            inner = self.parse_until("}", math)
        finally:
            self.protected = False
        return Tag("class:nocase", *inner) if inner else Text()

    def quote(self, c: str, out: list) -> str:
        s, i = self.s, self.i
        double = ("“", "”") if self.quote_depth % 2 == 0 else ("‘", "’")
        if c == "`":
            if s.startswith("`", i):
                self.i += 1
                return double[0]
            return "‘"
        if c == "'" and s.startswith("'", i):
            self.i += 1
            return double[1]
        before = _last_char(out)
        opening = before in ("", " ", NBSP, "(", "[", "“", "‘", "—", "–", "/")
        if c == '"':
            return double[0] if opening else double[1]
        if opening and not ELISIONS.match(s, i - 1) and i < len(s) and not s[i].isspace():
            return "‘"
        return "’"

    def command(self, name: str, math: bool) -> list:
        if not name:
            return []
        if name in ACCENTS and not (math and name in ".^~"):
            return [_accent(self.argument(math), ACCENTS[name])]
        if name in SYMBOLS:
            return [SYMBOLS[name]]
        if name.lower() in LOGOS:                      # lowercased by a style: \tex
            return [LOGOS[name.lower()]]
        if name in WRAP:
            arg = self.argument(math)
            return [Tag(WRAP[name], *arg)] if WRAP[name] else arg
        if name in QUOTE_COMMANDS:
            self.quote_depth += 1
            arg = self.argument(math)
            self.quote_depth -= 1
            marks = ("“", "”") if self.quote_depth % 2 == 0 else ("‘", "’")
            return [marks[0], *arg, marks[1]]
        if name in VERBATIM_LINKS:
            url = re.sub(r"\s+", "", (self.raw_group() or "")).replace("\\%", "%").replace("\\_", "_")
            return [_link(url, url)] if name == "url" else [url]
        if name == "href":
            url = re.sub(r"\s+", "", (self.raw_group() or "")).replace("\\%", "%").replace("\\#", "#")
            label = self.argument(math)
            return [_link(url, *label)]
        if name == "doi":
            doi = (self.raw_group() or "").strip()
            return [_link("https://doi.org/" + doi, doi)]
        if name in DROP_ARGS:
            for _ in range(DROP_ARGS[name]):
                self.argument(math)
            return []
        decoded = _latexcodec(name, math)
        return [decoded] if decoded is not None else []


def _last_char(parts: list) -> str:
    for part in reversed(parts):
        text = str(part)
        if text:
            return text[-1]
    return ""


def _accent(arg: list, mark: str) -> Text:
    """Put a combining *mark* on the first character of *arg*; compose."""
    parts = list(arg)
    for n, part in enumerate(parts):
        if isinstance(part, str) and part:
            base = {"ı": "i", "ȷ": "j"}.get(part[0], part[0])
            parts[n] = unicodedata.normalize("NFC", base + mark) + part[1:]
            break
        if isinstance(part, Text) and str(part):
            parts[n] = Text(*_flatten(part))
            parts[n] = _accent(parts[n].parts, mark)
            break
    return Text(*parts)


def _flatten(text: Text) -> list:
    out = []
    for part in text.parts:
        if type(part) is Text:
            out.extend(_flatten(part))
        else:
            out.append(str(part) if isinstance(part, String) else part)
    return out


def _latexcodec(name: str, math: bool) -> str | None:
    """Decode a symbol command (``\\textregistered``, ``\\alpha``) with latexcodec."""
    candidates = (f"$\\{name}$",) if math else (f"\\{name}", f"$\\{name}$")
    for candidate in candidates:
        try:
            out = codecs.decode(candidate, "ulatex")
        except Exception:  # latexcodec raises various errors on odd input
            continue
        if "\\" not in out and "$" not in out and out.strip():
            return out
    return None


def _link(url: str, *label) -> HRef | Text:
    if url.lower().startswith(SAFE_SCHEMES):
        return HRef(url, *label)
    return Text(*label)


def to_rich(latex: str | None, nested: bool = False, protect: bool = False) -> Text:
    """Decode a BibTeX field value to rich text (*nested*: inside quotation marks;
    *protect*: {groups} tagged ``class:nocase``, see :meth:`_Parser.group`)."""
    if not latex:
        return Text()
    if not TEX_SPECIAL.search(latex):
        return Text(latex)
    parser = _Parser(latex, nested, protect)
    parts = parser.parse_until("")
    return Text(*parts)


def to_plain(latex: str | None) -> str:
    """Decode a field value to plain Unicode text (no markup)."""
    return " ".join(str(to_rich(latex)).split()).replace(" " + NBSP, NBSP) if latex else ""


def fold(text: str) -> str:
    """A sort key: accents folded, case folded, letters and digits only."""
    text = text.translate(FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]|_", "", text.casefold()).split())


FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE",
                      "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th",
                      "ð": "d", "Ð": "D"})


class HtmlBackend(BaseBackend):
    """Inline HTML: escaped, Unicode symbols (XHTML-safe), tags and safe links."""

    symbols = MappingProxyType({"ndash": "–", "newblock": " ", "nbsp": NBSP})
    tags = MappingProxyType({"i": "i", "em": "i", "b": "b", "strong": "b", "sup": "sup",
                             "sub": "sub", "tt": "code"})

    def format_str(self, text):
        return html.escape(text, quote=False)

    def format_tag(self, tag, text):
        if not text:
            return ""
        if tag.startswith("lang:"):
            return f'<span lang="{html.escape(tag[5:])}">{text}</span>'
        if tag.startswith("class:"):
            return f'<span class="{html.escape(tag[6:])}">{text}</span>'
        name = self.tags.get(tag)
        return f"<{name}>{text}</{name}>" if name else text

    def format_href(self, url, text, external=False):
        if not text:
            return ""
        if not url.lower().startswith(SAFE_SCHEMES):
            return text
        return f'<a href="{html.escape(url, quote=True)}">{text}</a>'


class TextBackend(BaseBackend):
    """Plain text: tags and links dropped, Unicode symbols."""

    symbols = MappingProxyType({"ndash": "–", "newblock": " ", "nbsp": NBSP})

    def format_tag(self, tag, text):
        return text

    def format_href(self, url, text, external=False):
        return text


class LatexBackend(BaseBackend):
    """Renders pybtex's formatted text back to LaTeX, unescaped, for :func:`to_rich`."""

    symbols = MappingProxyType({"ndash": "--", "newblock": " ", "nbsp": "~"})
    tags = MappingProxyType({"em": "emph", "i": "textit", "b": "textbf", "strong": "textbf",
                             "sup": "textsuperscript", "sub": "textsubscript"})

    def format_protected(self, text):
        return "{" + text + "}"

    def format_tag(self, tag, text):
        name = self.tags.get(tag)
        return (f"\\{name}{{{text}}}" if name else "{" + text + "}") if text else ""

    def format_href(self, url, text, external=False):
        if not text:
            return ""
        if text == url:
            return f"\\url{{{url}}}"
        if "\\" not in text and "{" not in text and "}" not in text:
            text = f"\\nolinkurl{{{text}}}"
        return f"\\href{{{url}}}{{{text}}}"


HTML = HtmlBackend()
PLAIN = TextBackend()


def render_html(text: Text) -> str:
    return _tidy(text.render(HTML))


def render_text(text: Text) -> str:
    return _tidy(text.render(PLAIN))


def _tidy(out: str) -> str:
    out = re.sub(r"[ \t\n]+", " ", out).strip()
    return out.replace(" " + NBSP, NBSP).replace(NBSP + " ", NBSP)
