"""The authority file of the index: loading, validation and the variant matcher.

``manuscript/*.toml`` lists the people and places of the index (see
docs/writing.md, "The authority file").  :func:`load_authority` turns the files
into an :class:`Authority`, reporting every problem to a :class:`Diagnostics`
and never raising for bad input.  :meth:`Authority.find` finds the mentions of
the entries' variants in a run of plain text.
"""
from __future__ import annotations

import bisect
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping

from ..diagnostics import Diagnostics, did_you_mean
from ..source.files import SourceFile

KINDS = ("person", "place")
ENTRY_KEYS = ("id", "kind", "heading", "sort", "gloss", "variants", "see", "see_also", "figures", "sub")
SUB_KEYS = tuple(k for k in ENTRY_KEYS if k != "sub")
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str                       # "person" | "place"
    heading: str
    sort_key: str                   # folded (see fold()) 'sort', else folded heading
    gloss: str = ""
    variants: tuple[str, ...] = ()
    see: str | None = None          # id of another entry: a pure cross-reference
    see_also: tuple[str, ...] = ()
    parent: str | None = None       # for sub-entries
    subs: tuple[str, ...] = ()      # ids of sub-entries, in file order
    path: str = ""
    line: int = 0                   # line where the entry's table starts
    parent_heading: str = ""        # the parent's heading, for sub-entries
    figures: tuple[str, ...] = ()   # labels of figures that show it (fig:map): locators in italics
    figures_line: int = 0           # line of its 'figures' key
    sort_text: str = ""             # 'sort', else the heading, as written (index.collation sorts on it)

    @property
    def label(self) -> str:
        """The heading as a cross-reference prints it: "Kuril Islands: southern islands"."""
        return f"{self.parent_heading}: {self.heading}" if self.parent_heading else self.heading


# -- sorting -------------------------------------------------------------------

_EXTRA_FOLDS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                              "ð": "d", "Ð": "D", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                              "þ": "th", "Þ": "TH", "ı": "i", "ʻ": "", "ʼ": ""})


def fold(text: str) -> str:
    """Accents dropped (NFKD without combining marks), case folded, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


# -- the matcher -----------------------------------------------------------------

# Combining marks count as part of a word (decomposed text).
_MARKS = r"\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Put after the first character of a variant that starts with a word character: that
# character must not follow a word character.
_START = rf"(?<![\w{_MARKS}].)"
# Put after every variant: when it ends with a word character, no word character may
# follow, nor an apostrophe that continues the word ("Shin'ichi"); the possessive "'s" may.
_END = rf"(?:(?<![\w{_MARKS}])|(?![\w{_MARKS}])(?!['\u2019](?![sS](?![\w{_MARKS}]))\w))"


def _wordy(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or bool(unicodedata.combining(ch))


def normalize_variant(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _trie_pattern(variants: Iterable[str]) -> str:
    """One regex for all variants, as a trie: shared prefixes are tried once, longer
    continuations before the end of a shorter variant (longest first)."""
    trie: dict = {}
    for v in variants:
        node = trie
        for ch in v:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        out = ""
        while len(node) == 1 and "" not in node:        # a run without branches: no nesting
            (ch, node), = node.items()
            out += r"\s+" if ch == " " else re.escape(ch)
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(node[ch]) for ch in sorted(node) if ch]
        branches += [""] if "" in node else []
        return out + (branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")")

    tops = [re.escape(ch) + (_START if _wordy(ch) else "") + emit(trie[ch]) for ch in sorted(trie)]
    return "(?:" + "|".join(tops) + ")" + _END


class Authority:
    """The entries of the index, by id in file order, and the variant matcher."""

    def __init__(self, entries: Mapping[str, Entry] | Iterable[Entry] = ()):
        if isinstance(entries, Mapping):
            entries = entries.values()
        self.entries: dict[str, Entry] = {}
        self.variant_ids: dict[str, str] = {}      # normalized (NFC) variant -> entry id
        for entry in entries:
            self.entries.setdefault(entry.id, entry)
            for variant in entry.variants:
                key = normalize_variant(variant)
                if key:
                    self.variant_ids.setdefault(key, entry.id)
        # Decomposed forms too, so that "Ko\u0304no" in the text is found as "Kōno".
        self._forms = set(self.variant_ids) | {unicodedata.normalize("NFD", v) for v in self.variant_ids}
        self._regex: re.Pattern | None = None

    def get(self, id: str) -> Entry | None:
        return self.entries.get(id)

    @property
    def regex(self) -> re.Pattern | None:
        if self._regex is None and self.variant_ids:
            self._regex = re.compile(_trie_pattern(self._forms))
        return self._regex

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Mentions in a run of plain text: (start, end, entry id), left to right,
        non-overlapping, whole words, longest variant first, case-sensitive.  A space
        in a variant matches any run of white space (line breaks, no-break spaces)."""
        regex = self.regex
        if regex is None or not text:
            return []
        ids = self.variant_ids
        found = []
        for m in regex.finditer(text):
            matched = m.group()
            id = ids.get(matched) or ids[normalize_variant(matched)]
            found.append((m.start(), m.end(), id))
        return found

    def kinds(self) -> list[str]:
        present = {e.kind for e in self.entries.values()}
        return [k for k in KINDS if k in present] + sorted(present - set(KINDS))


# -- loading -----------------------------------------------------------------------

_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*([^\]#]*?)[ \t]*\]\]?[ \t]*(?:#.*)?$", re.M)


class _Locator:
    """Line numbers for the tables and keys of one TOML text (tomllib has none)."""

    def __init__(self, text: str, data: dict):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.headers = [(self.line_of(m.start()), re.sub(r"[\s\"']", "", m.group(1)),
                         m.group().lstrip().startswith("[[")) for m in _HEADER.finditer(text)]
        entries = data.get("entry") if isinstance(data.get("entry"), list) else []
        subs = sum(len(e["sub"]) for e in entries if isinstance(e, dict) and isinstance(e.get("sub"), list))
        self.entry_lines = [ln for ln, name, arr in self.headers if arr and name == "entry"]
        self.sub_lines = [ln for ln, name, arr in self.headers if arr and name == "entry.sub"]
        # The n-th [[entry]] header is the n-th entry, unless tables are written inline.
        self.ordinal = len(self.entry_lines) == len(entries) and len(self.sub_lines) == subs
        self.id_seen: dict[str, int] = {}

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def table_line(self, index: int, sub: bool, id: object) -> int:
        """Line of the table of the index-th entry (or sub-entry) of the file."""
        lines = self.sub_lines if sub else self.entry_lines
        if self.ordinal and index < len(lines):
            return lines[index]
        if isinstance(id, str):
            pattern = re.compile(r"(?:^|[{,])[ \t]*id[ \t]*=[ \t]*[\"']" + re.escape(id) + r"[\"']", re.M)
            hits = [self.line_of(m.start()) for m in pattern.finditer(self.text)]
            n = self.id_seen.get(id, 0)
            self.id_seen[id] = n + 1
            if n < len(hits):
                before = [ln for ln, _, _ in self.headers if ln <= hits[n]]
                return before[-1] if before else hits[n]
        return 0

    def key_line(self, table: int, key: str) -> int:
        """Line of `key = …` inside the table that starts on line *table*."""
        if not table:
            return 0
        end = next((ln for ln, _, _ in self.headers if ln > table), None)
        end_offset = self.starts[end - 1] if end else len(self.text)
        pattern = re.compile(r"^[ \t]*[\"']?" + re.escape(key) + r"[\"']?[ \t]*=", re.M)
        m = pattern.search(self.text, self.starts[table - 1], end_offset)
        return self.line_of(m.start()) if m else table


def _toml_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, int | None]:
    if getattr(exc, "lineno", None):        # Python 3.14
        return exc.lineno, exc.colno
    m = re.search(r"at line (\d+), column (\d+)", str(exc))
    return (int(m.group(1)), int(m.group(2))) if m else (text.count("\n") + 1, None)


def _message(exc: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\((?:at line \d+, column \d+|at end of document)\)", "", str(exc))


def _failure(exc: Exception) -> str:
    """What the TOML parser's other failures mean: nesting deeper than Python's recursion
    limit, or an integer longer than Python converts (4,300 digits)."""
    if isinstance(exc, RecursionError):
        return "arrays or tables nested too deeply"
    return f"a value that cannot be read ({str(exc).split(';')[0]})"


def _at(path: str, line: int) -> str:
    return f"{path}:{line}" if line else path


class _Loader:
    def __init__(self, diags: Diagnostics):
        self.diags = diags
        self.raw: list[dict] = []             # validated fields of every entry, in file order
        self.where: dict[str, tuple[str, int]] = {}

    def error(self, code: str, message: str, path: str, line: int) -> None:
        self.diags.error(code, message, path, line or None)

    def load_file(self, source: SourceFile) -> None:
        path = source.path
        try:
            data = tomllib.loads(source.text)
        except tomllib.TOMLDecodeError as exc:
            line, col = _toml_position(exc, source.text)
            self.diags.error("index-toml", f"the authority file is not valid TOML: {_message(exc)}",
                             path, line, col)
            return
        except (RecursionError, ValueError) as exc:     # tomllib fails without a place
            self.diags.error("index-toml", f"the authority file is not valid TOML: {_failure(exc)}",
                             path, 1, 1)
            return
        loc = _Locator(source.text, data)
        for key in data:
            if key != "entry":
                line = next((ln for ln, name, _ in loc.headers if name.split(".")[0] == key), 0)
                self.error("index-bad-entry", f"unknown key '{key}'{did_you_mean(key, ['entry'])}; "
                           "each entry is a [[entry]] table", path, line or loc.key_line(1, key))
        header = next((ln for ln, name, _ in loc.headers if name == "entry"), 0) or loc.key_line(1, "entry")
        sub_index = 0
        for index, table in enumerate(self.tables(data.get("entry", []), "entry", path, header)):
            line = loc.table_line(index, False, table.get("id") if isinstance(table, dict) else None)
            if not isinstance(table, dict):
                self.error("index-bad-entry", "each entry must be a table", path, line)
                continue
            parent = self.entry(table, path, line, loc, None)
            for sub in self.tables(table.get("sub", []), "entry.sub", path, loc.key_line(line, "sub")):
                sline = loc.table_line(sub_index, True, sub.get("id") if isinstance(sub, dict) else None)
                sub_index += 1
                if not isinstance(sub, dict):
                    self.error("index-bad-entry", "each sub-entry must be a table", path, sline)
                elif parent is not None:
                    self.entry(sub, path, sline, loc, parent)

    def tables(self, value: object, header: str, path: str, line: int) -> list:
        """The [[header]] tables as a list; a single [header] table is reported, then used."""
        if isinstance(value, dict):
            self.error("index-bad-entry", f"write [[{header}]] (an array of tables), not [{header}]", path, line)
            return [value]
        if not isinstance(value, list):
            self.error("index-bad-entry", f"'{header}' must be a list of [[{header}]] tables", path, line)
            return []
        return value

    def entry(self, table: dict, path: str, line: int, loc: _Locator, parent: dict | None) -> dict | None:
        """Validate one table; return its fields, or None when it cannot be used."""
        what = "sub-entry" if parent else "entry"
        allowed = SUB_KEYS if parent else ENTRY_KEYS

        def bad(message: str, key: str | None = None) -> None:
            self.error("index-bad-entry", message, path, loc.key_line(line, key) if key else line)

        for key in table:
            if key not in allowed:
                hint = " (a sub-entry cannot have sub-entries)" if key == "sub" else did_you_mean(key, allowed)
                bad(f"unknown key '{key}' in {what} '{table.get('id', '?')}'{hint}", key)
        id = table.get("id")
        if not isinstance(id, str) or not ID_RE.match(id):
            bad(f"the {what} has no id" if id is None else
                f"id {id!r} must be a string of letters, digits, hyphens and underscores", "id" if id else None)
            return None
        if id in self.where:
            first_path, first_line = self.where[id]
            self.error("index-duplicate-id", f"duplicate id '{id}': already used by the entry at "
                       f"{_at(first_path, first_line)}", path, loc.key_line(line, "id"))
            return None
        ok = True
        fields: dict = {"id": id, "path": path, "line": line, "parent": parent["id"] if parent else None}

        def text(key: str, required: bool = False) -> str:
            nonlocal ok
            value = table.get(key)
            if value is None:
                if required:
                    bad(f"{what} '{id}' has no {key}")
                    ok = False
                return ""
            if not isinstance(value, str) or (required and not value.strip()):
                bad(f"{key} of '{id}' must be a non-empty string", key)
                ok = False
                return ""
            return value.strip()

        def id_list(key: str) -> tuple[str, ...]:
            value = table.get(key, [])
            if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
                return tuple(dict.fromkeys(v.strip() for v in value))
            bad(f"{key} of '{id}' must be a list of non-empty strings", key)
            return ()

        kind = text("kind", required=parent is None)
        if parent is not None:
            if kind and kind != parent["kind"]:
                bad(f"sub-entry '{id}' is a {kind} but its entry '{parent['id']}' is a {parent['kind']}", "kind")
            kind = parent["kind"]
        elif kind and kind not in KINDS:
            bad(f"unknown kind '{kind}' of '{id}'{did_you_mean(kind, KINDS)}; use person or place", "kind")
            ok = False
        fields["kind"] = kind
        fields["heading"] = text("heading", required=True)
        fields["sort"] = text("sort")
        fields["gloss"] = text("gloss")
        see = table.get("see")
        if see is not None and not (isinstance(see, str) and see.strip()):
            bad(f"see of '{id}' must be the id of another entry", "see")
            see = None
        fields["see"] = see.strip() if see else None
        fields["see_also"] = id_list("see_also")
        fields["figures"] = id_list("figures")
        variants = id_list("variants")
        fields["variants"] = tuple(dict.fromkeys(normalize_variant(v) for v in variants))
        fields["parent_heading"] = parent["heading"] if parent else ""
        fields["subs"] = []
        fields["lines"] = {k: loc.key_line(line, k) for k in ("variants", "see", "see_also", "figures")
                           if k in table}
        self.where[id] = (path, line)
        if not ok:
            return None
        if parent is not None:
            parent["subs"].append(id)
        self.raw.append(fields)
        return fields

    def place(self, f: dict, key: str) -> tuple[str, int]:
        return f["path"], f["lines"].get(key, f["line"])

    def check_variants(self) -> dict[str, dict]:
        """Each variant belongs to the first entry that claims it; later claims are errors."""
        claimed: dict[str, dict] = {}
        for f in self.raw:
            for variant in f["variants"]:
                other = claimed.setdefault(variant, f)
                if other is not f:
                    self.error("index-variant-conflict",
                               f"variant '{variant}' of '{f['id']}' is also a variant of '{other['id']}' "
                               f"({_at(other['path'], other['line'])}); a variant belongs to one entry "
                               "(mark other mentions with [text]{ix=id})", *self.place(f, "variants"))
        return claimed

    def check_refs(self, by_id: dict[str, dict]) -> None:
        for f in self.raw:
            for key, refs in (("see", [f["see"]] if f["see"] else []), ("see_also", f["see_also"])):
                for ref in refs:
                    if ref == f["id"]:
                        self.error("index-bad-entry", f"'{f['id']}' refers to itself in {key}", *self.place(f, key))
                    elif ref not in self.where:
                        self.error("index-unknown-ref", f"{key} of '{f['id']}' names an unknown entry "
                                   f"'{ref}'{did_you_mean(ref, self.where)}", *self.place(f, key))
        for f in self.raw:                      # a "see" must lead to an entry with locators
            chain, target = [f["id"]], f["see"]
            while target in by_id and target not in chain:
                chain.append(target)
                target = by_id[target]["see"]
            if target in chain and len(chain) > 1:
                self.error("index-bad-entry", f"the see references of '{f['id']}' go round in a circle: "
                           + " \u2192 ".join(chain + [target]), *self.place(f, "see"))
                f["see"] = None
            elif len(chain) > 2:
                path, line = self.place(f, "see")
                self.diags.warning("index-bad-entry", f"'{f['id']}' sends the reader to '{chain[1]}', "
                                   f"itself a cross-reference; write see = \"{chain[-1]}\"", path, line or None)
        for f in self.raw:                      # drop what cannot be followed (reported above)
            if f["see"] not in by_id or f["see"] == f["id"]:
                f["see"] = None
            f["see_also"] = tuple(r for r in f["see_also"] if r in by_id and r != f["id"])

    def finish(self) -> Authority:
        claimed = self.check_variants()
        self.check_refs({f["id"]: f for f in self.raw})
        return Authority(Entry(
            id=f["id"], kind=f["kind"], heading=f["heading"], sort_key=fold(f["sort"] or f["heading"]),
            gloss=f["gloss"], variants=tuple(v for v in f["variants"] if claimed.get(v) is f),
            see=f["see"], see_also=f["see_also"], parent=f["parent"], subs=tuple(f["subs"]),
            path=f["path"], line=f["line"], parent_heading=f["parent_heading"], figures=f["figures"], sort_text=f["sort"] or f["heading"],
            figures_line=f["lines"].get("figures", f["line"])) for f in self.raw)


def load_authority(files: list[SourceFile], diags: Diagnostics) -> Authority:
    """The authority of the index from its TOML files; problems go to *diags*."""
    loader = _Loader(diags)
    for source in files:
        loader.load_file(source)
    return loader.finish()
