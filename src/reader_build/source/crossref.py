"""Cross-references, settled across the whole reader before anything is rendered.

Labels: a figure ``![alt](img.svg "Caption"){#fig:map}`` (an image alone in its
paragraph); a table with a caption line ``Table: Caption {#tbl:events}`` just before or
after it; any heading ``{#id}``, span ``[text]{#id}``, block or raw HTML id (a target of
``@page:``); a note by its label.  Figures and tables with a label are numbered through
the reader.

References (``@fig:x``, ``[@fig:a; @fig:b]``, ``@Fig:x``, ``@tbl:x``, ``@page:ID``,
``@note:LABEL``, ``@note:CHAPTER-ID/LABEL``) are checked here: an unknown target is an
error at the reference, with the nearest labels; a label defined twice is an error
naming both places.  Rendering is render/xref.py's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from markdown_it.token import Token

from ..diagnostics import Diagnostics, did_you_mean
from ..index.build import Mention
from ..model import ParsedChapter
from .anchors import GENERATED, Target, collect_targets
from .citations import crossref_target, is_crossref_key
from .links import resolve_links

CAPTION = re.compile(r"^(?:Table)?:\s+(.*?)\s*(?:\{([^{}]*)\})?\s*$", re.S)
LABEL_ID = re.compile(r"#((?:tbl|fig)[:-][\w:.-]+)")     # pandoc-crossref's tbl:x, quarto's tbl-x


@dataclass(frozen=True)
class Label:
    id: str              # fig:map
    kind: str            # fig | tbl
    number: int
    chapter: str
    path: str
    line: int
    caption: str = ""


@dataclass(frozen=True)
class CrossRefs:
    targets: dict                                # id -> anchors.Target (every id a link may point to)
    labels: dict                                 # fig:x / tbl:x -> Label
    notes: dict                                  # (chapter id, note label) -> global note number
    links: dict = field(default_factory=dict)    # (chapter id, href as written) -> href to use ("" = none)
    words: dict = field(default_factory=dict)    # render/words.py
    page_refs: frozenset = frozenset()           # ids that @page: references point to
    images: dict = field(default_factory=dict)   # path -> links.LinkedImage: images links carry into the book

    def chapter_of(self, ident: str) -> str | None:
        target = self.targets.get(ident)
        return target.chapter if target else None


# -- table captions ---------------------------------------------------------------------

def _caption_paragraph(tokens: list, at: int) -> tuple[str, str, list] | None:
    """(caption text, label, inline children) when tokens[at:at+3] is a 'Table: …' paragraph."""
    if at < 0 or at + 2 >= len(tokens) or tokens[at].type != "paragraph_open" or tokens[at + 1].type != "inline":
        return None
    inline = tokens[at + 1]
    m = CAPTION.match(inline.content)
    if not m or not inline.content.lstrip().startswith(("Table:", ":")):
        return None
    label = LABEL_ID.search(m.group(2) or "")
    children = [c.copy() for c in inline.children or ()]
    if children and children[0].type == "text":
        children[0] = children[0].copy(content=re.sub(r"^(Table)?:\s*", "", children[0].content))
    if m.group(2) is not None and children and children[-1].type == "text":
        children[-1] = children[-1].copy(content=re.sub(r"\s*\{[^{}]*\}\s*$", "", children[-1].content))
    return m.group(1), (label.group(1) if label else ""), children


def attach_table_captions(tokens: tuple) -> tuple:
    """Each ``Table: …`` paragraph next to a table becomes a ``table_caption`` token right after
    the table's ``table_open`` (meta: label, caption text), and the label the table's id."""
    tokens = list(tokens)
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open":
            i += 1
            continue
        close = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close" and tokens[j].level == tokens[i].level)
        found, where = _caption_paragraph(tokens, i - 3), i - 3
        if found is None:
            found, where = _caption_paragraph(tokens, close + 1), close + 1
        if found is None:
            i = close + 1
            continue
        text, label, children = found
        caption = Token("table_caption", "caption", 0, map=tokens[where].map, children=children,
                        meta={"label": label, "text": text})
        opening = tokens[i].copy(attrs=dict(tokens[i].attrs or {}, **({"id": label} if label else {})))
        table = [opening, caption] + tokens[i + 1:close + 1]
        if where < i:
            tokens[where:close + 1] = table
            i = where + len(table)
        else:
            tokens[i:where + 3] = table
            i += len(table)
    return tuple(tokens)


# -- labels --------------------------------------------------------------------------------

def _figures_and_tables(chapter: ParsedChapter) -> list[tuple[str, str, int, str]]:
    """(kind, id, line, caption) of the chapter's labelled figures and tables, in reading order."""
    found = []
    tokens = chapter.tokens
    for n, tok in enumerate(tokens):
        if tok.type == "table_caption" and tok.meta.get("label"):
            found.append(("tbl", tok.meta["label"], (tok.map[0] + 1) if tok.map else 1, tok.meta["text"]))
        elif (tok.type == "inline" and n and tokens[n - 1].type == "paragraph_open" and tok.children
              and len(tok.children) == 1 and tok.children[0].type == "image"):
            ident = tok.children[0].attrGet("id") or ""
            if ident.startswith(("fig:", "fig-")):
                found.append(("fig", ident, (tok.map[0] + 1) if tok.map else 1, tok.children[0].attrGet("title") or ""))
    return found


def collect(chapters: list[ParsedChapter], numbers: list[dict], words: dict, diags: Diagnostics) -> CrossRefs:
    """Targets, labels and note labels of the reader; duplicates are errors naming both places.
    *numbers*: per chapter, its notes' local id -> global number."""
    targets: dict[str, Target] = {}
    labels: dict[str, Label] = {}
    counters = {"fig": 0, "tbl": 0}
    for chapter in chapters:
        for target in collect_targets(chapter):
            if GENERATED.match(target.id) and target.kind not in ("chapter", "heading"):
                continue
            other = targets.get(target.id)
            if other is None:
                targets[target.id] = target
            elif not {other.kind, target.kind} <= {"chapter", "heading"}:     # those: resolve._check_ids
                diags.error("duplicate-id", f"id '{target.id}' is defined twice; the other is at "
                            f"{other.path}:{other.line}", target.path, target.line, 1)
        for kind, ident, line, caption in _figures_and_tables(chapter):
            if ident in labels:
                continue
            counters[kind] += 1
            labels[ident] = Label(ident, kind, counters[kind], chapter.id, chapter.path, line, caption)
    notes = {}
    for chapter, table in zip(chapters, numbers):
        for note in chapter.notes:
            notes[(chapter.id, note.label)] = table.get(note.local_id)
    targets_of = [crossref_target(item.key) for c in chapters for use in c.crossrefs for item in use.citation.items]
    page_refs = frozenset(found[1] for found in targets_of if found and found[0] == "page")
    return CrossRefs(targets, labels, notes, words=words, page_refs=page_refs)


# -- references ----------------------------------------------------------------------------

def note_key(chapter_id: str, ref: str) -> tuple[str, str]:
    """(chapter id, label) of ``note:LABEL`` or ``note:CHAPTER-ID/LABEL`` (the part after 'note:')."""
    if "/" in ref:
        chapter, _, label = ref.partition("/")
        return chapter, label
    return chapter_id, ref


def check_references(chapters: list[ParsedChapter], xref: CrossRefs, diags: Diagnostics) -> None:
    for chapter in chapters:
        for use in chapter.crossrefs:
            for item in use.citation.items:
                problem = _problem(chapter, item.key, xref)
                if problem:
                    code, message = problem
                    diags.error(code, message, chapter.path, use.line, use.col)


def _problem(chapter: ParsedChapter, key: str, xref: CrossRefs) -> tuple[str, str] | None:
    if not is_crossref_key(key):
        return "xref-mixed", (f"'@{key}' is a citation inside a cross-reference; write citations and "
                              "cross-references in brackets of their own")
    kind, rest, _capital = crossref_target(key)
    if kind in ("fig", "tbl"):
        label = xref.labels.get(rest)
        if label is None or label.kind != kind:
            known = [k for k, v in xref.labels.items() if v.kind == kind]
            what = "figure" if kind == "fig" else "table"
            return "xref-unknown", f"no {what} has the label '{rest}'{did_you_mean(rest, known)}"
    elif kind == "page":
        if rest not in xref.targets:
            return "xref-unknown", f"no place of the book has the id '{rest}'{did_you_mean(rest, list(xref.targets))}"
    elif kind == "note":
        where, label = note_key(chapter.id, rest)
        if (where, label) not in xref.notes:
            known = [lab for (c, lab) in xref.notes if c == where] if where == chapter.id else \
                [f"{c}/{lab}" for (c, lab) in xref.notes]
            place = "this chapter" if where == chapter.id else f"chapter '{where}'"
            return "xref-unknown", (f"no note of {place} has the label '{label}'"
                                    f"{did_you_mean(label if where == chapter.id else rest, known)}")
    return None


def with_captions(chapters: list[ParsedChapter]) -> list[ParsedChapter]:
    """The chapters with their table captions attached to their tables."""
    return [replace(c, tokens=attach_table_captions(c.tokens)) if any(t.type == "table_open" for t in c.tokens)
            else c for c in chapters]


def settle(chapters: list, words: dict, diags: Diagnostics) -> CrossRefs:
    """Targets, labels, note labels and links of the resolved chapters (model.Chapter), checked."""
    parsed = [c.parsed for c in chapters]
    xref = collect(parsed, [c.note_numbers for c in chapters], words, diags)
    check_references(parsed, xref, diags)
    links, images = resolve_links(parsed, xref.targets, diags)
    return replace(xref, links=links, images=images)


def figure_mentions(authority, xref: CrossRefs, diags: Diagnostics) -> list[Mention]:
    """The figures that the authority lists for its entries (``figures = ["fig:map"]``), as
    mentions in figures (their locators in italics); an unknown label is an error."""
    found = []
    for entry in authority.entries.values():
        for ident in entry.figures:
            label = xref.labels.get(ident)
            if label is None or label.kind != "fig":
                known = [k for k, v in xref.labels.items() if v.kind == "fig"]
                diags.error("index-unknown-figure", f"figures of '{entry.id}' names '{ident}', which no figure "
                            f"has as its label{did_you_mean(ident, known)}", entry.path, entry.figures_line or None)
                continue
            found.append(Mention(ident, entry.id, label.chapter, False, None, True))
    return found
