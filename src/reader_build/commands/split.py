"""One long Markdown file cut into chapters at its ``#`` headings (for ``new --from``).

Pure: text in, :class:`Split` out.  Each level-1 heading (ATX ``# Title`` or setext
``Title`` over ``===``, never inside a fenced code block) opens a chapter; text before
the first one becomes a front chapter.  Footnote definitions go with the chapter that
calls them (into each one, when several do: labels are local to a chapter file), and a
definition that nothing calls stays in the chapter where it stood.  A YAML front matter
block at the top gives the title, subtitle and author when it has them.  A heading's id
(``{#sec:intro}``) is its chapter's id (``sec-intro``, references to it changed with it);
a last chapter that only places pandoc's reference list (``::: {#refs}``) is left out, as
the book makes its own; the metadata's ``abstract`` becomes a front chapter, "Abstract".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from ..ids import slugify

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX1 = re.compile(r"^\s{0,3}#(?!#)\s+(.*?)\s*#*\s*$")
_SETEXT1 = re.compile(r"^\s{0,3}=+\s*$")
_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_DEFINITION = re.compile(r"^\s{0,3}\[\^([^\]\s]+)\]:")
_CALL = re.compile(r"\[\^([^\]\s]+)\]")


@dataclass
class Part:
    title: str
    ident: str
    kind: str
    body: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # labels of the definitions it takes


@dataclass
class Split:
    title: str
    meta: dict
    chapters: list[Part]


def slug(text: str) -> str:
    """A chapter's id from its title: 'The Treaty of 1905!' -> 'the-treaty-of-1905'; an id starts
    with a letter, so '1905: The Treaty' -> 'chapter-1905-the-treaty'."""
    ident = slugify(text, "chapter")
    return f"chapter-{ident}" if ident[0].isdigit() else ident


def _front_matter(lines: list[str]) -> tuple[dict, list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for n in range(1, len(lines)):
        if lines[n].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:n])) or {}
            except yaml.YAMLError:
                return {}, lines
            return (meta if isinstance(meta, dict) else {}), lines[n + 1:]
    return {}, lines


def _take_definitions(lines: list[str]) -> tuple[list[str], dict[str, list[str]], dict[str, int]]:
    """The lines without footnote definitions; the definitions by label (with their indented
    continuation paragraphs); and the line index where each stood."""
    kept: list[str] = []
    notes: dict[str, list[str]] = {}
    where: dict[str, int] = {}
    fence = None
    n = 0
    while n < len(lines):
        line = lines[n]
        m = _FENCE.match(line)
        if m and fence is None:
            fence = m.group(1)[0]
        elif m and fence == m.group(1)[0]:
            fence = None
        d = _DEFINITION.match(line) if fence is None else None
        if not d:
            kept.append(line)
            n += 1
            continue
        block = [line]
        n += 1
        while n < len(lines) and (lines[n].startswith(("    ", "\t")) or
                                  (not lines[n].strip() and n + 1 < len(lines)
                                   and lines[n + 1].startswith(("    ", "\t")))):
            block.append(lines[n])
            n += 1
        if d.group(1) in notes:          # defined twice: both go along, and the build reports it
            notes[d.group(1)] += [""] + block
        else:
            notes[d.group(1)] = block
        where.setdefault(d.group(1), len(kept))
    return kept, notes, where


def _heading(lines: list[str], n: int, fence: bool) -> tuple[str, int] | None:
    """(heading text, lines it takes) when a level-1 heading starts at line *n*."""
    if fence:
        return None
    m = _ATX1.match(lines[n])
    if m:
        return m.group(1), 1
    if lines[n].strip() and n + 1 < len(lines) and _SETEXT1.match(lines[n + 1]) and \
            not lines[n].startswith(("    ", "\t")) and not lines[n].lstrip().startswith(("-", "*", ">")):
        return lines[n].strip(), 2
    return None


def _parts(lines: list[str]) -> tuple[list[Part], list[int]]:
    """The chapters, and the line index (in *lines*) where each begins."""
    parts: list[Part] = []
    starts: list[int] = []
    preamble = Part("Introduction", "introduction", "front")
    current = preamble
    fence = None
    n = 0
    while n < len(lines):
        m = _FENCE.match(lines[n])
        found = _heading(lines, n, fence is not None)
        if found:
            text, taken = found
            ident = None
            attrs = _ATTRS.search(text)
            if attrs:
                ids = re.findall(r"#([A-Za-z][\w:.-]*)", attrs.group(1))
                ident = ids[0] if ids else None
                text = text[:attrs.start()].strip()
            current = Part(text, ident or slug(text), "chapter")
            parts.append(current)
            starts.append(n)
            n += taken
            continue
        if m and fence is None:
            fence = m.group(1)[0]
        elif m and fence == m.group(1)[0]:
            fence = None
        current.body.append(lines[n])
        n += 1
    if any(line.strip() for line in preamble.body):
        parts.insert(0, preamble)
        starts.insert(0, 0)
    return parts, starts


_CHAPTER_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_REFS_ONLY = re.compile(r"^\s*:::+\s*\{\s*#refs\b[^}]*\}\s*\n\s*:::+\s*$")


def _chapter_ids(parts: list[Part]) -> dict[str, str]:
    """A heading's own id as its chapter's id; one a chapter id cannot be (pandoc-crossref's
    ``sec:intro``) with its colons and dots as hyphens (``sec-intro``). The ids changed:
    {old: new}."""
    renamed = {}
    for part in parts:
        if not _CHAPTER_ID.match(part.ident):
            new = re.sub(r"[^A-Za-z0-9_-]+", "-", part.ident).strip("-") or slug(part.title)
            renamed[part.ident] = part.ident = new
    return renamed


def _renamed_references(lines: list[str], renamed: dict[str, str]) -> list[str]:
    """References to the chapters whose ids changed, changed with them: ``@sec:intro`` (the
    page of the section) is quarto's ``@sec-intro``, ``@page:sec:intro`` is ``@page:sec-intro``."""
    if not renamed:
        return lines
    pattern = re.compile(r"(?<=@)(page:)?(" + "|".join(map(re.escape, sorted(renamed, key=len, reverse=True)))
                         + r")(?![\w:.-]*\w)")
    return [pattern.sub(lambda m: (m[1] or "") + renamed[m[2]], line) if "@" in line else line for line in lines]


def _unique_ids(parts: list[Part]) -> None:
    seen: set[str] = set()
    for part in parts:
        base = part.ident
        n = 2
        while part.ident in seen:
            part.ident = f"{base}-{n}"
            n += 1
        seen.add(part.ident)


def _attach_notes(parts: list[Part], starts: list[int], notes: dict[str, list[str]],
                  where: dict[str, int]) -> None:
    """Each definition into every chapter that calls it (a note's own calls count too), or,
    when nothing calls it, into the chapter where it stood."""
    called_anywhere: set[str] = set()
    for part in parts:
        wanted: list[str] = []
        queue = _CALL.findall("\n".join(part.body))
        while queue:
            label = queue.pop(0)
            if label in notes and label not in wanted:
                wanted.append(label)
                queue.extend(_CALL.findall("\n".join(notes[label])))
        part.notes = wanted
        called_anywhere.update(wanted)
    for label, index in where.items():
        if label not in called_anywhere and parts:
            owner = max((i for i, s in enumerate(starts) if s <= index), default=0)
            parts[owner].notes.append(label)
    for part in parts:
        body = part.body
        while body and not body[-1].strip():
            body.pop()
        for label in part.notes:
            body.append("")
            body.extend(notes[label])


def split_markdown(text: str) -> Split:
    """Cut *text* into chapters (see the module's docstring)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, lines = _front_matter(lines)
    lines, notes, where = _take_definitions(lines)
    parts, starts = _parts(lines)
    if not parts:
        parts, starts = [Part(str(meta.get("title") or "Chapter"), "chapter", "chapter", lines)], [0]
    # a last chapter that only places pandoc's reference list (::: {#refs}): the book has its own
    if len(parts) > 1 and _REFS_ONLY.match("\n".join(parts[-1].body).strip()):
        parts.pop()
        starts.pop()
    renamed = _chapter_ids(parts)
    for part in parts:
        part.body = _renamed_references(part.body, renamed)
    notes = {label: _renamed_references(body, renamed) for label, body in notes.items()}
    _unique_ids(parts)
    _attach_notes(parts, starts, notes, where)
    abstract = meta.get("abstract")
    if isinstance(abstract, str) and abstract.strip():       # pandoc's abstract: a front chapter of its own
        parts.insert(0, Part("Abstract", "abstract", "front", abstract.strip().split("\n")))
        _unique_ids(parts)
    first = next((p.title for p in parts if p.kind == "chapter"), parts[0].title)
    title = str(meta.get("title") or first)
    return Split(title, meta, parts)


def chapter_text(part: Part) -> str:
    """The chapter file: YAML front matter (id, title, kind) and the body."""
    head = {"id": part.ident, "title": part.title}
    if part.kind != "chapter":
        head["kind"] = part.kind
    body = list(part.body)
    while body and not body[0].strip():
        body.pop(0)
    front = yaml.safe_dump(head, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n" + "\n".join(body).rstrip() + "\n"
