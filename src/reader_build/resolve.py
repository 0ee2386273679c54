"""Resolve stage: parsed chapters, bibliography and authority into one :class:`Reader`.

Note numbers run through the reader; citation keys are checked against the
bibliography; anchor ids are checked for uniqueness; images are read. Nothing
here lays out a page.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from dataclasses import replace

from .index.authority import load_authority
from .bibliography.terms import terms_of
from .bibliography.csl_styles import Place
from .bibliography.references import BibSettings, unknown_key_diagnostic
from .bibliography.select import load_styled
from .diagnostics import Diagnostics
from .index.build import Mention
from .source.markdown import parse_chapter
from .store.parsed import ParseCache
from .model import Chapter, CiteUse, Reader
from .source.files import SourceTree
from .source.links import IMAGE_LINK
from .source.project import ProjectSources, load_project, read_image
from .source.sanitize import sanitize_html, unwrapped
from .source.styles import read_fonts
from .source.glyphs import check_project_glyphs
from .source.words import words_for
from .source.anchors import prepare_raw_html
from .source.crossref import figure_mentions, settle, with_captions
from .language.locale import crossref_words, load_locale, toml_key_line


def _reading_order(parsed, footnoted: bool) -> list[tuple[str, int]]:
    """("note", local id) at the first call of each note, in reading order: a note called in a
    note comes right after the note that calls it (its page sets it there), and notes nothing
    calls come last.  With *footnoted*, ("cite", index) at each citation of the running text too."""
    notes = {n.local_id: n for n in parsed.notes}
    events: list[tuple[str, int]] = []
    seen: set[int] = set()

    def walk(tokens, in_note: bool) -> None:
        for tok in tokens:
            if tok.children:
                walk(tok.children, in_note)
            if tok.type == "footnote_ref" and tok.meta["id"] not in seen:
                seen.add(tok.meta["id"])
                events.append(("note", tok.meta["id"]))
                if tok.meta["id"] in notes:
                    walk(notes[tok.meta["id"]].tokens, True)
            elif footnoted and not in_note and tok.type == "citation" and "cite_index" in (tok.meta or {}):
                events.append(("cite", tok.meta["cite_index"]))
    walk(parsed.tokens, False)
    events += [("note", n.local_id) for n in parsed.notes if n.local_id not in seen]
    return events


def _number_notes(parsed, footnoted: bool = False) -> list[Chapter]:
    """Note numbers through the reader; with *footnoted* (a note style) the citations of the
    running text are notes too, numbered in one sequence with the editorial notes."""
    chapters = []
    number = 1
    for i, chapter in enumerate(parsed):
        numbers, cites = {}, {}
        first = number
        for kind, ident in _reading_order(chapter, footnoted):
            (numbers if kind == "note" else cites)[ident] = number
            number += 1
        chapters.append(Chapter(chapter, i, first, numbers, cites))
    return chapters


def _citation_uses(chapters: list[Chapter]) -> list[CiteUse]:
    """Every citation in reading order, with the note it is set in (a citation inside an
    editorial note comes where that note is called)."""
    uses, base = [], 0
    for chapter in chapters:
        cites = chapter.parsed.citations
        in_notes: dict[int, list[int]] = {}
        for n, use in enumerate(cites):
            if use.in_note is not None:
                in_notes.setdefault(use.in_note, []).append(n)
        for kind, ident in _reading_order(chapter.parsed, True):
            if kind == "cite":
                number = chapter.citation_notes.get(ident, 0)
                uses.append(CiteUse((chapter.id, ident), cites[ident].citation, number, bool(number),
                                    base + ident))
                continue
            number = chapter.note_numbers.get(ident, 0)
            uses += [CiteUse((chapter.id, n), cites[n].citation, number, False, base + n)
                     for n in in_notes.get(ident, [])]
        base += len(cites)
    return uses


def _check_ids(parsed, diags: Diagnostics) -> None:
    seen: dict[str, tuple[str, int]] = {}
    reserved = {"toc", "title-page", "bibliography", "index-person", "index-place", "colophon"}
    for chapter in parsed:
        places = [(chapter.id, 2)] + [(h.id, h.line) for h in chapter.headings]
        for ident, line in places:
            if ident in reserved:
                diags.error("duplicate-id", f"id '{ident}' is reserved for a part that reader-build makes",
                            chapter.path, line, 1)
            elif ident in seen:
                other_path, other_line = seen[ident]
                diags.error("duplicate-id", f"id '{ident}' is used twice; the other is at "
                            f"{other_path}:{other_line}", chapter.path, line, 1)
            else:
                seen[ident] = (chapter.path, line)


def _describe_removed(removed: list[str]) -> str:
    parts = []
    for item in dict.fromkeys(removed):
        tag, _, attr = item.partition("@")
        parts.append(f"the {attr} attribute of <{tag}>" if attr else
                     f"<{tag}> (unwrapped: its content kept)" if unwrapped(tag) else f"<{tag}>")
    return ", ".join(parts)


def _check_raw_html(chapter, diags: Diagnostics) -> None:
    """Warn where raw HTML loses something to the sanitiser (scripts, frames, event handlers,
    javascript: links …): the editions never carry them, and the writer should know."""
    def walk(tokens, fallback_line: int) -> None:
        for tok in tokens:
            line = tok.map[0] + 1 if tok.map else fallback_line
            if tok.type == "html_block":
                removed = sanitize_html(tok.content)[1]
                if removed:
                    diags.warning("html-removed", "raw HTML removed: " + _describe_removed(removed),
                                  chapter.path, line, 1)
            elif tok.type == "inline" and tok.children:
                removed = []
                for child in tok.children:
                    if child.type == "html_inline":
                        removed += sanitize_html(child.content, balance=False)[1]
                if removed:
                    diags.warning("html-removed", "raw HTML removed: " + _describe_removed(removed),
                                  chapter.path, line, 1)
    walk(chapter.tokens, 1)
    for note in chapter.notes:
        walk(note.tokens, note.line)


def _parse_context(sources: ProjectSources, locale) -> str:
    """What every chapter's parse reads besides its own text: the authority files and the locale."""
    h = hashlib.sha256(repr(locale).encode("utf-8", "surrogatepass"))
    for src in sources.authority:
        h.update(b"\0" + src.path.encode() + b"\0" + src.text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _parse(src, authority, diags: Diagnostics, locale, cache: ParseCache | None, context: str):
    """A chapter's parse, taken from *cache* when its text and context are unchanged (its
    diagnostics replayed), else parsed and kept there."""
    if cache is None:
        return parse_chapter(src, authority, diags, locale)
    key = cache.key(src.path, src.text, context)
    found = cache.load(key)
    if found is not None:
        chapter, kept = found
        diags.extend(kept)
        return chapter
    own = Diagnostics()
    chapter = parse_chapter(src, authority, own, locale)
    diags.extend(own)
    cache.store(key, chapter, list(own))
    return chapter


def resolve(sources: ProjectSources, diags: Diagnostics, cache: ParseCache | None = None) -> Reader:
    """The reader of *sources*; with *cache*, chapters whose text did not change are not parsed
    again (store/parsed.py)."""
    config = sources.config
    text = sources.config_file.text
    locale = load_locale(config.language, config.strings, sources.root, diags, sources.config_file.path,
                         lambda key: toml_key_line(text, key, "strings" if key != "language" else None),
                         tree=sources.tree)
    authority = load_authority(list(sources.authority), diags)
    bibliography = load_styled(
        list(sources.bibliography),
        BibSettings(style=config.bibliography_style, include_all=config.bibliography_all,
                    locale=config.bibliography_locale, terms=terms_of(locale),
                    repeated_author_dash=config.bibliography_dash),
        diags, sources.root, config.language, Place("reader.toml", *config.bibliography_style_at),
        sources.tree)

    parsed = []
    context = _parse_context(sources, locale) if cache is not None else ""
    for src in sources.chapters:
        chapter = _parse(src, authority, diags, locale, cache, context)
        if chapter is not None:
            parsed.append(chapter)
    if cache is not None:
        cache.prune()
    _check_ids(parsed, diags)
    for chapter in parsed:
        _check_raw_html(chapter, diags)
    parsed = with_captions(prepare_raw_html(parsed, diags))

    # Images, read once, checked for alt text.
    images: dict[str, bytes] = {}
    for n, chapter in enumerate(parsed):
        resolved = []
        for image in chapter.images:
            if not image.alt:
                diags.error("image-no-alt", f"image {image.src!r} has no alt text: write a description "
                            "between the brackets, ![description](file)", chapter.path, image.line, 1)
            found = read_image(sources.root, chapter.path, image.src, diags, image.line, sources.tree)
            if found:
                rel, data = found
                images[rel] = data
                resolved.append(replace(image, path=rel))
            else:
                resolved.append(image)
        parsed[n] = replace(chapter, images=tuple(resolved))

    chapters = _number_notes(parsed, footnoted=bibliography.note_style)

    # Citations: every key known; order of first citation.
    cited: list[str] = []
    for chapter in chapters:
        for use in chapter.parsed.citations:
            for item in use.citation.items:
                if not bibliography.has(item.key):
                    diags.add(unknown_key_diagnostic(item.key, bibliography, chapter.parsed.path, use.line, use.col))
                elif item.key not in cited:
                    cited.append(item.key)
    bibliography.register_uses(_citation_uses(chapters))
    bibliography.check(set(cited), diags)

    mentions = []
    for chapter in chapters:
        for use in chapter.parsed.mentions:
            note = chapter.note_numbers.get(use.in_note) if use.in_note is not None else None
            mentions.append(Mention(use.id, use.entry, chapter.id, use.in_note is not None, note, use.in_figure))

    xref = _with_linked_images(settle(chapters, words_for(config.crossref, crossref_words(locale)), diags),
                               sources, images, diags)
    mentions += figure_mentions(authority, xref, diags)
    fonts = read_fonts(sources.root, diags, sources.tree)
    check_project_glyphs(sources.root, sources.chapters, fonts, diags, sources.tree)
    return Reader(config=config, chapters=tuple(chapters), bibliography=bibliography, authority=authority,
                  cited_keys=tuple(cited), mentions=tuple(mentions), images=images, fonts=fonts, xref=xref, locale=locale,
                  sources=sources, source_hash=sources.hash(b"".join(name.encode() + b"\0" + hashlib.sha256(data).digest()
                                                    for name, data in sorted(images.items()))))


def _with_linked_images(xref, sources: ProjectSources, images: dict, diags: Diagnostics):
    """The images that links carry into the book, read into *images*; a link to one that cannot be
    read (missing, not an image…) is an error at the link, and goes nowhere."""
    kept = {}
    for path, linked in xref.images.items():
        found = read_image(sources.root, linked.chapter_path, linked.src, diags, linked.line, sources.tree,
                           col=linked.col) if path not in images else (path, images[path])
        if found:
            images[found[0]] = found[1]
            kept[path] = linked
    if kept == xref.images:
        return xref
    links = {key: ("" if to.startswith(IMAGE_LINK) and to[len(IMAGE_LINK):] not in kept else to)
             for key, to in xref.links.items()}
    return replace(xref, links=links, images=kept)


def load_reader(root: Path, diags: Diagnostics, tree: SourceTree | None = None,
                cache: ParseCache | None = None) -> Reader | None:
    """Read (or take from *tree*, the files already read) and resolve the project in *root*;
    *cache*: see :func:`resolve`."""
    sources = load_project(root, diags, tree)
    if sources is None:
        return None
    return resolve(sources, diags, cache)
