"""The small document model that the stages pass along.

Parsing gives one :class:`ParsedChapter` per Markdown file; resolving gives a
:class:`Reader`, in which note numbers, citation keys, index mentions and
anchor ids are settled across all chapters before any page is laid out.
Markdown-it's token lists are carried as tuples and never modified after the
parse stage.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import Config
from html import escape


@dataclass(frozen=True)
class Heading:
    id: str
    title: str          # plain text
    level: int          # 2 for a section (## …), 3 for a subsection
    line: int


@dataclass(frozen=True)
class NoteDef:
    local_id: int       # markdown-it's footnote id inside the chapter
    label: str
    tokens: tuple       # the block tokens of the note's body
    line: int


@dataclass(frozen=True)
class CitationUse:
    citation: Any       # citations.Citation
    line: int
    col: int
    in_note: int | None  # local footnote id, when inside a note


@dataclass(frozen=True)
class CiteUse:
    """One citation of the reader, in reading order, where it ends up (for the bibliography)."""
    where: tuple            # (chapter id, index of the citation in its chapter)
    citation: Any           # citations.Citation
    note: int               # the number of the note it is set in; 0 in the running text
    footnoted: bool = False  # a citation of the running text that a note style makes a note
    order: int = 0          # its place in the order the chapters were parsed in


@dataclass(frozen=True)
class MentionUse:
    id: str             # anchor id, unique in the reader: m-<chapter>-<n>
    entry: str
    in_note: int | None  # local footnote id
    text: str
    in_figure: bool = False  # in a figure's caption


@dataclass(frozen=True)
class Image:
    src: str            # as written
    path: str           # resolved, relative to the project
    alt: str
    caption: str
    line: int


@dataclass(frozen=True)
class ParsedChapter:
    id: str
    title: str
    short: str
    kind: str                       # front | chapter | back
    path: str                       # relative to the project
    tokens: tuple                   # body tokens (front matter and note bodies removed)
    notes: tuple[NoteDef, ...]      # in order of their first call
    headings: tuple[Heading, ...]
    citations: tuple[CitationUse, ...]
    mentions: tuple[MentionUse, ...]
    images: tuple[Image, ...]
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    crossrefs: tuple[CitationUse, ...] = ()     # @fig:x, [@fig:a; @fig:b], @page:x, @note:x (xref.py)

    @property
    def title_html(self) -> str:
        return escape(self.title)


@dataclass(frozen=True)
class Chapter:
    """A chapter with its place in the whole reader."""

    parsed: ParsedChapter
    index: int                      # 0-based position in the reader
    first_note: int                 # global number of its first note (1-based)
    note_numbers: dict              # local footnote id -> global number
    citation_notes: dict = field(default_factory=dict)  # index in parsed.citations -> number
                                    # of the footnote a note style makes of that citation

    @property
    def id(self) -> str:
        return self.parsed.id

    @property
    def title(self) -> str:
        return self.parsed.title

    @property
    def all_note_numbers(self) -> list[int]:
        """The numbers of its notes: editorial notes and citations made notes."""
        return sorted([*self.note_numbers.values(), *self.citation_notes.values()])


@dataclass(frozen=True)
class Reader:
    """Everything resolved: the input of every renderer."""

    config: Config
    chapters: tuple[Chapter, ...]
    bibliography: Any               # bibliography.Bibliography
    authority: Any                  # authority.Authority
    cited_keys: tuple[str, ...]     # in order of first citation
    mentions: tuple                 # indexing.Mention, in reading order
    images: dict                    # project-relative path -> bytes
    fonts: dict                     # file name -> bytes (the fonts used by the styles)
    source_hash: str
    xref: Any = None                # source.crossref.CrossRefs: targets, labels, links
    locale: Any = None              # language.locale.Locale: the language's words and conventions
    sources: Any = field(default=None, compare=False, repr=False)   # source.project.ProjectSources: the
                                    # files as the read stage read them (every later stage reads them here)

    @property
    def tree(self):
        """The project's files as read (source.files.SourceTree), or None."""
        return self.sources.tree if self.sources is not None else None

    @property
    def note_count(self) -> int:
        return sum(len(c.parsed.notes) + len(c.citation_notes) for c in self.chapters)

    def sections(self):
        """(id, title, chapter) for every chapter and every ## section."""
        for chapter in self.chapters:
            yield chapter.id, chapter.title, chapter
            for heading in chapter.parsed.headings:
                if heading.level == 2:
                    yield heading.id, heading.title, chapter


@dataclass(frozen=True)
class PageStart:
    """Where a print page begins.

    ``block`` is the ``data-b`` of the text block where the page's text begins;
    when that text is in no block, ``anchor`` is the id of its key element (a
    chapter section for a page that opens with the chapter title, a figure, a
    bibliography or index entry).  ``offset`` indexes the key element's text (see
    the module's documentation).  A page with no text, or whose text has no key
    element, has neither.  ``label`` is the printed folio; ``excerpt`` the first
    words from the start (empty for a page that opens with a figure's image).
    """

    page: int                   # 1-based
    block: str | None
    offset: int
    label: str
    anchor: str | None = None
    excerpt: str = field(default="", compare=False)    # the first words of the page (for messages)

    @property
    def key(self) -> str | None:
        """``data-b`` value or ``#id``: the key element's name in any rendering."""
        if self.block:
            return self.block
        if self.anchor:
            return "#" + self.anchor
        return None


# -- the text of a key element (shared by both renderings) --------------------------------
