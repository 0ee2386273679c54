"""Parse stage: one chapter's Markdown into a :class:`ParsedChapter`.

CommonMark with pandoc's conventions (footnotes, citations, YAML front matter,
``{#id .class key=value}`` attributes), typographic quotes and dashes.  The
stage also finds the index mentions, so that every mention has a stable id
before anything is rendered.  It reads no file: images are checked later.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from .citations import citations_plugin
from .fenced_divs import fenced_divs_plugin
from .grid_tables import grid_tables_plugin
from .math import math_plugin
from .pandoc_blocks import pandoc_blocks_plugin
from .tasklists import tasklists_plugin
from ..diagnostics import Diagnostics
from ..ids import mention_id, slugify
from ..model import CitationUse, Heading, Image, MentionUse, NoteDef, ParsedChapter
from .files import SourceFile
from ..diagnostics import did_you_mean
from ..language.locale import typography_for
from ..language.typography import QUOTE_MARKS, curly_quotes, dashes, pair_quotes, quotes, spacing

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
ANCHOR_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]*$")     # a heading's {#id}: pandoc-crossref's sec:x too
HEADING_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
NOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.M)
TITLE_NOTE = re.compile(r"\[\^([^\]\s]+)\]")                    # a note call in a front-matter title
TITLE_CITE = re.compile(r"(?:^|[\s\[;(])-?@[A-Za-z0-9_][\w:.#$%&+?<>~/-]*")   # a citation in one
UNDEFINED_REF = re.compile(r"\[\^([^\]\s]+)\]")
KINDS = ("front", "chapter", "back")
FRONT_KEYS = {"id", "title", "short", "kind", "lang", "subtitle", "author"}
MAX_NESTING = 100


def _text_in_languages(state, kinds=("text",)):
    """(text token, language, its inline block) of every text in the document: the language of the nearest
    element with a ``lang`` attribute (``{lang=ru}`` on a paragraph, a span, an emphasis),
    else the document's (``env["lang"]``)."""
    default = state.env.get("lang", "") if isinstance(state.env, dict) else ""
    blocks: list[str] = []
    for block in state.tokens:
        if block.nesting == 1:
            blocks.append(block.attrGet("lang") or (blocks[-1] if blocks else default))
        elif block.nesting == -1:
            if blocks:
                blocks.pop()
        elif block.type == "inline" and block.children:
            spans = [blocks[-1] if blocks else default]
            for tok in block.children:
                if tok.nesting == 1:
                    spans.append(tok.attrGet("lang") or spans[-1])
                elif tok.nesting == -1 and len(spans) > 1:
                    spans.pop()
                elif tok.type in kinds:
                    yield tok, spans[-1], block


def _typography_of(state):
    found = state.env.get("typography") if isinstance(state.env, dict) else None
    return found or typography_for


def _dashes(state) -> None:
    """Dashes and ellipses only (markdown-it's 'replacements' would also turn "(c)" into "©"),
    as the language of each text sets them; in a language without spaces between words the
    straight quotes are paired here, before the typographer (which would leave them)."""
    typography = _typography_of(state)
    opened: dict = {}
    paragraph = None
    for tok, lang, block in _text_in_languages(state):
        typo = typography(lang)
        if block is not paragraph:
            opened, paragraph = {}, block
        if "--" in tok.content or "..." in tok.content:
            tok.content = dashes(tok.content, typo)
        if typo.spaceless and ('"' in tok.content or "'" in tok.content):
            tok.content = pair_quotes(tok.content, opened)


def _language_marks(state) -> None:
    """After the typographer: each text's quotation marks and spaces in its language."""
    typography = _typography_of(state)
    for tok, lang, _ in _text_in_languages(state):
        typo = typography(lang)
        tok.content = spacing(quotes(tok.content, typo), typo)


def _citation_marks(state) -> None:
    """The words of a citation (prefix, locator, suffix: "see", "pp. 33--35", "my
    'emphasis'") get the dashes, quotation marks and spaces of their language, as text does."""
    typography = _typography_of(state)
    for tok, lang, _ in _text_in_languages(state, ("citation", "crossref")):
        citation = tok.meta.get("citation")
        if citation is None:
            continue
        typo = typography(lang)

        def marked(words: str) -> str:
            return spacing(curly_quotes(dashes(words, typo), typo), typo) if words else words
        items = tuple(replace(item, prefix=marked(item.prefix), locator=marked(item.locator),
                              suffix=marked(item.suffix)) for item in citation.items)
        if items != citation.items:
            tok.meta = {**tok.meta, "citation": replace(citation, items=items)}


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "maxNesting": MAX_NESTING, "quotes": QUOTE_MARKS,
                                   "linkify": True})
    md.enable(["smartquotes", "table", "strikethrough", "linkify"])
    # a bare URL with its scheme (https://…) is a link, as on GitHub; "example.com" stays text
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    md.core.ruler.before("smartquotes", "dashes", _dashes)
    md.core.ruler.after("smartquotes", "language_marks", _language_marks)
    md.core.ruler.after("language_marks", "citation_marks", _citation_marks)
    md.use(front_matter_plugin)
    md.use(footnote_plugin)                  # [^label] and pandoc's inline ^[note]
    md.use(attrs_plugin, spans=True)
    md.use(attrs_block_plugin)
    md.use(citations_plugin)
    md.use(deflist_plugin)                   # pandoc's definition lists: "Term" over ": definition"
    md.use(superscript_plugin)               # pandoc's 2^10^ and H~2~O (no space inside)
    md.use(sub_plugin)
    md.use(fenced_divs_plugin)               # pandoc's ::: {.class} … ::: (quarto's callouts)
    md.use(math_plugin)                      # $x$ and $$ … $$ {#eq:x}, printed as their TeX source
    md.use(pandoc_blocks_plugin)             # line blocks (| verse), and raw TeX alone (\newpage)
    md.use(tasklists_plugin)                 # GitHub's task lists: "- [ ] to do", "- [x] done"
    md.use(grid_tables_plugin)               # pandoc's grid tables: +---+---+ / | a | b |
    return md


_MD: MarkdownIt | None = None


def markdown() -> MarkdownIt:
    global _MD
    if _MD is None:
        _MD = make_markdown()
    return _MD


def plain_text(children) -> str:
    """The text of inline tokens, without markup."""
    out = []
    for tok in children or ():
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "image":
            out.append(plain_text(tok.children))
        elif tok.type in ("citation", "crossref"):
            out.append(tok.content)
    return "".join(out)


def _note_offsets(children) -> list[tuple[int, Token]]:
    """(offset in the stripped plain text, footnote_ref token) of the note calls among *children*."""
    found, at = [], 0
    for tok in children or ():
        if tok.type == "footnote_ref":
            found.append((at, tok))
        else:
            at += len(plain_text([tok]))
    lead = len(plain_text(children)) - len(plain_text(children).lstrip())
    return [(max(0, offset - lead), tok) for offset, tok in found]


def _parse_attr_string(text: str) -> dict:
    attrs: dict = {}
    for part in re.findall(r'[#.][\w:-]+|[\w-]+="[^"]*"|[\w-]+=\S+', text):
        if part.startswith("#"):
            attrs["id"] = part[1:]
        elif part.startswith("."):
            attrs["class"] = (attrs.get("class", "") + " " + part[1:]).strip()
        else:
            key, _, value = part.partition("=")
            attrs[key] = value.strip('"')
    return attrs


class _Places:
    """Lines and columns (1-based) of offsets in an inline token's content; its lines are
    found once, on the first question, so a paragraph with many citations stays linear."""

    def __init__(self, inline: Token):
        self.inline = inline
        self.starts: list[int] | None = None

    def __call__(self, offset: int) -> tuple[int, int]:
        if "in" in self.inline.meta:            # an inline note: its text stands in its call's block
            block, at = self.inline.meta["in"]
            return _Places(block)(at + offset)
        if self.starts is None:
            self.starts = [0] + [m.end() for m in re.finditer("\n", self.inline.content)]
        index = bisect_right(self.starts, offset) - 1
        first = (self.inline.map[0] if self.inline.map else 0) + 1
        return first + index, offset - self.starts[index] + 1


def _attrs_offset(content: str, entry: str, start: int) -> int:
    """Offset of the '{' of the attributes that name the index entry *entry* (``{ix=entry}``):
    the first at or after *start*, else the first in *content*, else the first '{'."""
    pattern = re.compile(r'\{[^{}]*?(?<![\w:-])ix="?' + re.escape(entry) + r"(?![\w:-])")
    found = pattern.search(content, start) or pattern.search(content)
    return found.start() if found else max(0, content.find("{"))


class _ChapterParser:
    def __init__(self, src: SourceFile, authority, diags: Diagnostics, locale=None):
        self.src = src
        self.locale = locale
        self.authority = authority
        self.diags = diags
        self.mentions: list[MentionUse] = []
        self.citations: list[CitationUse] = []
        self.crossrefs: list[CitationUse] = []
        self.images: list[Image] = []
        self.headings: list[Heading] = []
        self.chapter_id = "chapter"
        self.title_notes: set[str] = set()      # notes called in the front matter's title (note-in-title)

    # -- front matter -------------------------------------------------------
    def front_matter(self, tokens) -> dict | None:
        if not tokens or tokens[0].type != "front_matter":
            if self.src.text.lstrip().startswith("---"):
                self.diags.error("front-matter-unterminated",
                                 "the front matter starting with '---' is never closed by a line '---'",
                                 self.src.path, 1, 1)
            else:
                self.diags.error("front-matter-missing",
                                 "the chapter has no front matter; start the file with the lines "
                                 "'---', 'id: my-chapter', 'title: My chapter', '---'", self.src.path, 1, 1)
            return None
        token = tokens[0]
        try:
            data = yaml.safe_load(token.content) if token.content.strip() else {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            col = mark.column + 1 if mark else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.diags.error("front-matter-yaml", f"the front matter is not valid YAML: {problem}",
                             self.src.path, line, col)
            return None
        except RecursionError:
            self.diags.error("front-matter-yaml", "the front matter is not valid YAML: lists or mappings "
                             "nested too deeply", self.src.path, 2, 1)
            return None
        if not isinstance(data, dict):
            self.diags.error("front-matter-yaml", "the front matter must be a list of 'key: value' lines",
                             self.src.path, 2, 1)
            return None
        return data

    def _fm_line(self, key: str) -> int:
        for i, line in enumerate(self.src.text.splitlines()[:200]):
            if line.startswith(key + ":"):
                return i + 1
        return 1

    # -- inline walk ----------------------------------------------------------
    @staticmethod
    def _image_attrs(inline: Token) -> None:
        """Attributes after an image that markdown-it's attrs left as text because a value is
        bare and has a character it does not take (pandoc's ``{#fig:x width=50%}``)."""
        children = inline.children or []
        for n, tok in enumerate(children[:-1]):
            after = children[n + 1]
            if tok.type != "image" or after.type != "text" or not after.content.startswith("{"):
                continue
            m = re.match(r"\{([^{}\n]*)\}", after.content)
            attrs = _parse_attr_string(m.group(1)) if m else {}
            if not attrs:
                continue
            for name, value in attrs.items():
                tok.attrSet(name, value)
            after.content = after.content[m.end():]
        inline.children = [c for c in children if c.type != "text" or c.content or c.nesting]

    def walk_inline(self, inline: Token, note: int | None) -> None:
        self._image_attrs(inline)
        children = inline.children or []
        out: list[Token] = []
        link_depth = 0
        suppress = 0
        explicit: list[bool] = []      # stack of span kinds: True when the span is an index span
        place = _Places(inline)
        span_from = 0                  # where to look for the next unknown span's attributes
        for tok in children:
            if tok.type == "link_open":
                link_depth += 1
            elif tok.type == "link_close":
                link_depth -= 1
            elif tok.type == "span_open":
                classes = (tok.attrGet("class") or "").split()
                entry = tok.attrGet("ix")
                if "noix" in classes:
                    suppress += 1
                    explicit.append(True)
                    tok.attrs.pop("class", None)
                    rest = [c for c in classes if c != "noix"]
                    if rest:
                        tok.attrSet("class", " ".join(rest))
                elif entry is not None:
                    if self.authority is None or self.authority.get(entry) is None:
                        offset = _attrs_offset(inline.content, entry, span_from)
                        span_from = offset + 1
                        line, col = place(offset)
                        known = list(self.authority.entries) if self.authority else []
                        self.diags.error("index-unknown-entry",
                                         f"index span names unknown entry '{entry}'{did_you_mean(entry, known)}",
                                         self.src.path, line, col)
                        explicit.append(True)
                        suppress += 1
                    else:
                        mid = self._mention(entry, note, "")
                        tok.attrs.pop("ix", None)
                        tok.attrSet("id", mid)
                        tok.attrSet("class", ("ix " + " ".join(classes)).strip())
                        tok.meta["mention"] = mid
                        explicit.append(True)
                        suppress += 1
                else:
                    explicit.append(False)
            elif tok.type == "span_close":
                if explicit and explicit.pop():
                    suppress -= 1
            elif tok.type == "citation":
                cit = tok.meta.get("citation")
                line, col = place(getattr(cit, "offset", 0))
                tok.meta["cite_index"] = len(self.citations)      # its place in .citations
                self.citations.append(CitationUse(cit, line, col, note))
            elif tok.type == "crossref":
                cit = tok.meta.get("citation")
                line, col = place(getattr(cit, "offset", 0))
                self.crossrefs.append(CitationUse(cit, line, col, note))
            elif tok.type == "image":
                self._image(inline, tok, figure=note is None and len(children) == 1)
            elif tok.type == "text":
                m = UNDEFINED_REF.search(tok.content)
                if m:
                    line, col = place(max(0, inline.content.find(m.group(0))))
                    self.diags.error("note-undefined", f"note [^{m.group(1)}] has no definition "
                                     f"(add a line '[^{m.group(1)}]: …')", self.src.path, line, col)
                if link_depth == 0 and suppress == 0 and self.authority is not None:
                    out.extend(self._mark(tok, note))
                    continue
            out.append(tok)
        inline.children = out

    def _mention(self, entry: str, note: int | None, text: str) -> str:
        mid = mention_id(self.chapter_id, len(self.mentions) + 1)
        self.mentions.append(MentionUse(mid, entry, note, text))
        return mid

    def _caption_mentions(self, image: Token) -> None:
        """The names in a figure's caption: (start, end, mention id) in ``meta["caption_mentions"]``."""
        caption = image.attrGet("title") or ""
        marks = []
        for start, end, entry in self.authority.find(caption) if caption else ():
            mid = self._mention(entry, None, caption[start:end])
            self.mentions[-1] = replace(self.mentions[-1], in_figure=True)
            marks.append((start, end, mid))
        image.meta = dict(image.meta or {}, caption_mentions=marks)

    def _mark(self, tok: Token, note: int | None) -> list[Token]:
        found = self.authority.find(tok.content)
        if not found:
            return [tok]
        out = []
        pos = 0
        for start, end, entry in found:
            if start > pos:
                out.append(_text(tok.content[pos:start]))
            mid = self._mention(entry, note, tok.content[start:end])
            opening = Token("span_open", "span", 1)
            opening.attrs = {"class": "ix", "id": mid}
            opening.meta = {"mention": mid}
            out.extend([opening, _text(tok.content[start:end]), Token("span_close", "span", -1)])
            pos = end
        if pos < len(tok.content):
            out.append(_text(tok.content[pos:]))
        return out

    def _image(self, inline: Token, tok: Token, figure: bool) -> None:
        """An image; a *figure* (alone in its paragraph, not in a note) without a title takes its
        alt text as its caption, as in pandoc, with the notes called in it; a note called in an
        alt text that no page prints is an error."""
        refs = [c for c in tok.children or () if c.type == "footnote_ref"]
        if figure and not tok.attrGet("title") and plain_text(tok.children).strip():
            tok.attrSet("title", plain_text(tok.children).strip())
            tok.meta = dict(tok.meta or {}, caption_notes=_note_offsets(tok.children))
            refs = []
        if refs:
            self.diags.error("note-in-alt", "a note is called in an image's description (its alt text), which no "
                             "page prints: call it in the caption or in the text", self.src.path,
                             _Places(inline)(0)[0], None)
        if figure and self.authority is not None:
            self._caption_mentions(tok)       # a figure: its caption is indexed
        src = tok.attrGet("src") or ""
        alt = plain_text(tok.children).strip()
        caption = tok.attrGet("title") or ""
        line = (inline.map[0] if inline.map else 0) + 1
        self.images.append(Image(src, "", alt, caption, line))

    # -- block walk -----------------------------------------------------------
    def headings_of(self, tokens) -> None:
        """Heading ids: an explicit ``{#id}`` as written; else ``CHAPTER-slug``, made unique the way
        pandoc does it (``…-foo``, ``…-foo-1``), never taking an id written elsewhere in the chapter."""
        found = []
        empty = []
        for i, tok in enumerate(tokens):
            if tok.type != "heading_open":
                continue
            inline = tokens[i + 1]
            if not plain_text(inline.children).strip() and not any(
                    child.type in ("image", "html_inline") for child in inline.children or ()):
                self.diags.warning("heading-empty", "a heading with no text ('#' and nothing after it); it is "
                                   "left out of the text and the contents", self.src.path,
                                   (tok.map[0] if tok.map else 0) + 1, 1)
                empty.append(i)
                continue
            attrs = {}
            if inline.children and inline.children[-1].type == "text":
                last = inline.children[-1]
                m = HEADING_ATTRS.search(last.content)
                if m:
                    attrs = _parse_attr_string(m.group(1))
                    last.content = last.content[:m.start()]
            found.append((tok, inline, attrs))
        taken = {attrs.get("id") or tok.attrGet("id") for tok, _inline, attrs in found} - {None}
        for tok, inline, attrs in found:
            level = int(tok.tag[1])
            title = plain_text(inline.children).strip()
            line = (tok.map[0] if tok.map else 0) + 1
            if level == 1:
                self.diags.warning("heading-level-1", "a '#' heading inside a chapter; the chapter title comes "
                                   "from the front matter, so use '##' for sections", self.src.path, line, 1)
            hid = attrs.get("id") or tok.attrGet("id")
            auto = hid is None
            if hid is not None and not ANCHOR_RE.match(hid):
                self.diags.error("bad-id", f"heading id '{hid}' must start with a letter and contain only "
                                 "letters, digits, '-', '_', ':' and '.'", self.src.path, line, 1)
                auto = True
            if auto:
                base = f"{self.chapter_id}-{slugify(title)}"
                hid, n = base, 0
                while hid in taken:
                    n += 1
                    hid = f"{base}-{n}"
                taken.add(hid)
            tok.attrSet("id", hid)
            if "class" in attrs:
                tok.attrSet("class", attrs["class"])
            self.headings.append(Heading(hid, title, max(2, level), line))
        for i in reversed(empty):               # its open, inline and close tokens
            del tokens[i:i + 3]

    def parse(self) -> ParsedChapter | None:
        env: dict = {"lang": _front_lang(self.src.text) or (self.locale.tag if self.locale else ""),
                      "typography": lambda lang: typography_for(lang, self.locale)}
        tokens = markdown().parse(self.src.text, env)
        data = self.front_matter(tokens)
        if data is None:
            return None
        for key in data:
            if key not in FRONT_KEYS:
                self.diags.warning("front-matter-key", f"unknown front-matter key '{key}'"
                                   f"{did_you_mean(str(key), FRONT_KEYS)}", self.src.path, self._fm_line(str(key)), 1)
        title = data.get("title")
        cid = data.get("id")
        ok = True
        if not isinstance(title, str) or not title.strip():
            self.diags.error("chapter-no-title", "the chapter has no title: add 'title: …' to its front matter",
                             self.src.path, 2, 1)
            ok = False
        if not isinstance(cid, str) or not ID_RE.match(cid):
            if cid is None:
                self.diags.error("chapter-no-id", "the chapter has no id: add 'id: …' (letters, digits, hyphens) "
                                 "to its front matter", self.src.path, 2, 1)
            else:
                self.diags.error("bad-id", f"chapter id {cid!r} must start with a letter and contain only "
                                 "letters, digits, '-' and '_'", self.src.path, self._fm_line("id"), 1)
            ok = False
        kind = data.get("kind", "chapter")
        if kind not in KINDS:
            self.diags.error("chapter-kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}",
                             self.src.path, self._fm_line("kind"), 1)
            kind = "chapter"
        if not ok:
            return None
        self._title_markup({key: data.get(key) for key in ("title", "short")})
        self.chapter_id = cid
        body, notes = self._split_notes(tokens[1:], env)
        self.headings_of(body)
        self._math(tokens)
        self._raw_tex(tokens)
        for tok in body:
            if tok.type == "inline":
                self.walk_inline(tok, None)
        for note in notes:
            for tok in note.tokens:
                if tok.type == "inline":
                    self.walk_inline(tok, note.local_id)
        short = data.get("short") or title
        return ParsedChapter(
            id=cid, title=str(title).strip(), short=str(short).strip(), kind=kind, path=self.src.path,
            tokens=tuple(body), notes=tuple(notes), headings=tuple(self.headings),
            citations=tuple(self.citations), mentions=tuple(self.mentions), images=tuple(self.images),
            meta={k: v for k, v in data.items() if k not in ("id", "title", "short", "kind")},
            crossrefs=tuple(self.crossrefs),
        )

    def _title_markup(self, titles: dict) -> None:
        """A chapter's title (and short title) is inline Markdown in the front matter, outside the
        text: a note called or a work cited there would print as written."""
        for key, text in titles.items():
            if not isinstance(text, str):
                continue
            for label in TITLE_NOTE.findall(text):
                self.title_notes.add(label)
                self.diags.error("note-in-title", f"note [^{label}] is called in the chapter's {key} (front matter), "
                                 "where no note can be set; call it from the chapter's first sentence",
                                 self.src.path, self._fm_line(key), 1)
            found = TITLE_CITE.search(TITLE_NOTE.sub("", text))
            if found:
                self.diags.error("cite-in-title", f"the chapter's {key} (front matter) cites {found.group().strip(' [;(')!r}, "
                                 "which would print as written: cite the work in the text", self.src.path,
                                 self._fm_line(key), 1)

    def _raw_tex(self, tokens) -> None:
        for tok in tokens:
            if tok.type == "grid_table_kept":
                self.diags.warning("grid-table-kept", "this grid table has a cell that spans rows or columns, "
                                   "or a line that does not reach its right edge: it is printed as written, in "
                                   "a code block; make every row's cells line up with the + of its first line",
                                   self.src.path, (tok.map[0] + 1) if tok.map else None, 1)
            if tok.type == "tex_skipped":
                self.diags.warning("tex-ignored", f"raw TeX '{tok.content[:40]}' is left out: only \\newpage, "
                                   "\\clearpage and \\pagebreak (a new page) and \\noindent are understood",
                                   self.src.path, (tok.map[0] + 1) if tok.map else None, 1)

    def _math(self, tokens) -> None:
        """One warning a chapter, at its first TeX math: it is printed as its source."""
        for tok in tokens:
            inline = [c for c in tok.children or () if c.type.startswith("math_")]
            if tok.type.startswith("math_") or inline:
                self.diags.warning("math-as-tex", "TeX math is printed as its source ($…$ kept as written "
                                   "inside): reader-build typesets no math; write simple formulas as text "
                                   "(E = mc², with Unicode) or put the formula in an image",
                                   self.src.path, (tok.map[0] + 1) if tok.map else None, None)
                return

    @staticmethod
    def _inline_notes(body: list, notes: dict, info: dict, labels: dict) -> dict[str, int]:
        """Pandoc's inline notes (``text^[the note]``): each gets a label no written one can
        have (``^3``), the line of its call, and the place of its text in its call's block (for
        the line and column of what is in it). Returns the lines by label."""
        inline = {k: v for k, v in info.get("list", {}).items() if "label" not in v}
        lines: dict[str, int] = {}
        if not inline:
            return lines
        for block in [*body, *(tok for toks in notes.values() for tok in toks)]:
            if block.type != "inline" or not block.children:
                continue
            searched = 0
            for tok in block.children:
                local = tok.meta.get("id") if tok.type == "footnote_ref" else None
                if local not in inline:
                    continue
                label = f"^{local}"
                labels[label] = local
                found = block.content.find("^[" + inline[local]["content"], searched)
                at = found + 2 if found >= 0 else 0
                searched = max(searched, at)
                lines[label] = (block.map[0] + 1 + block.content.count("\n", 0, at)) if block.map else 1
                for note_tok in notes.get(local, ()):
                    if note_tok.type == "inline" and note_tok.map is None:
                        note_tok.meta["in"] = (block, at)
        return lines

    def _split_notes(self, tokens, env) -> tuple[list, list[NoteDef]]:
        body: list = []
        notes: dict[int, list] = {}
        current: list | None = None
        current_id = None
        for tok in tokens:
            if tok.type == "footnote_block_open" or tok.type == "footnote_block_close":
                continue
            if tok.type == "footnote_open":
                current_id = tok.meta["id"]
                current = notes.setdefault(current_id, [])
                continue
            if tok.type == "footnote_close":
                current = None
                continue
            if tok.type == "footnote_anchor":
                continue
            (current if current is not None else body).append(tok)
        info = env.get("footnotes", {})
        refs = info.get("refs", {})
        labels = {v["label"]: k for k, v in info.get("list", {}).items() if "label" in v}
        lines = self._inline_notes(body, notes, info, labels)
        seen: dict[str, int] = {}
        line, counted = 1, 0
        for m in NOTE_DEF.finditer(self.src.text):
            label = m.group(1)
            line += self.src.text.count("\n", counted, m.start())     # incrementally: linear in the file
            counted = m.start()
            if label in seen:
                self.diags.error("note-duplicate", f"note [^{label}] is defined twice (first on line {seen[label]})",
                                 self.src.path, line, 1)
            else:
                seen[label] = line
                lines[label] = line
        for key, value in refs.items():
            if value == -1 and key[1:] not in self.title_notes:       # (one error for a note called in the title)
                label = key[1:]
                self.diags.error("note-unused", f"note [^{label}] is defined but never called",
                                 self.src.path, lines.get(label), 1)
        result = []
        for label, local_id in sorted(labels.items(), key=lambda kv: kv[1]):
            body_tokens = notes.get(local_id, [])
            count = info["list"][local_id].get("count", 1)
            if count > 1:
                self.diags.warning("note-reused", f"note [^{label}] is called {count} times; "
                                   "each call after the first refers back to it", self.src.path, lines.get(label), 1)
            result.append(NoteDef(local_id, label, tuple(body_tokens), lines.get(label, 1)))
        return body, result


def _text(content: str) -> Token:
    tok = Token("text", "", 0)
    tok.content = content
    return tok


def _front_lang(text: str) -> str:
    """The ``lang:`` of a chapter's front matter (read before the parse, which needs it)."""
    if not text.startswith("---"):
        return ""
    end = text.find("\n---", 3)
    block = text[:end] if end != -1 else ""
    m = re.search(r"^lang:[ \t]*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)", block, re.M)
    return m.group(1) if m else ""


def parse_chapter(src: SourceFile, authority, diags: Diagnostics, locale=None) -> ParsedChapter | None:
    """Parse one chapter; problems go to *diags*; ``None`` when it cannot be used.  *locale*
    (language.locale.Locale) gives the quotation marks, dashes and spaces of its language."""
    if not src.text.strip():
        diags.error("chapter-empty", "the chapter file is empty", src.path, 1, 1)
        return None
    return _ChapterParser(src, authority, diags, locale).parse()
