"""The offline search of the web edition: a static index built here, searched by
a few lines of JavaScript in the browser (``web.js``), with no server.

The index (``search-index.js``, a script so that it loads from ``file://`` too)
holds:

- ``docs``: one per text block, note and bibliography entry, in reading order:
  ``[href, where, text, mentions]``, *mentions* being ``[[mention id, entry], …]``
  (entry: a position in ``entries``) of the index mentions in the block;
- ``terms``: word -> the docs that hold it (words folded as :func:`words` folds
  them, which ``web.js`` mirrors);
- ``entries``: the index's entries ``[label, index title, href, words, mentions]``,
  so that searching for a name offers its entry, and a result that holds a
  mention of it links to the mention itself.
"""
from __future__ import annotations

import json
import re
import unicodedata

from lxml import html as lxml_html

from ..model import Reader
from ..index.compose import index_title
from ..language.locale import locale_of
from .pages import Page, index_file

WORD = re.compile(r"[^\W_]+")
SKIPPED_CLASSES = {"noteref", "fn-back", "pagebreak"}


def fold(text: str) -> str:
    """Lower case, without accents: what a search compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def _text(element) -> str:
    """The text of an element without note calls, note numbers and page markers."""
    parts: list[str] = []

    def walk(node) -> None:
        classes = set((node.get("class") or "").split())
        if classes & SKIPPED_CLASSES:
            if node.tail:
                parts.append(node.tail)
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            elif child.tail:
                parts.append(child.tail)
        if node.tail and node is not element:
            parts.append(node.tail)
    walk(element)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _blocks(page: Page, locale):
    """(id, where, element) of the searchable blocks of a page, in order."""
    root = lxml_html.fragment_fromstring(f"<div>{page.content}</div>")
    where = page.title
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        classes = set((node.get("class") or "").split())
        if node.tag == "h2" and "section-title" in classes:
            where = f"{page.title}: {_text(node)}"
        if node.get("data-b") is not None and node.get("id"):
            yield node.get("id"), where, node
        elif node.tag == "aside" and "footnote" in classes and node.get("id"):
            yield node.get("id"), locale.t("web-search-note", page=page.title, number=node.get("id")[len("fn-"):]), node
        elif node.tag == "li" and "bib-entry" in classes and node.get("id"):
            yield node.get("id"), page.title, node


def _entries(reader: Reader) -> tuple[list, dict]:
    """The index entries that are printed (with their mentions), and entry id -> position."""
    counts: dict[str, int] = {}
    for mention in reader.mentions:
        counts[mention.entry] = counts.get(mention.entry, 0) + 1
    entries, where = [], {}
    for entry in reader.authority.entries.values():
        if entry.id not in counts and not entry.see:
            continue
        kind = entry.kind
        if entry.parent and reader.authority.get(entry.parent):
            kind = reader.authority.get(entry.parent).kind
        title = index_title(locale_of(reader), kind)
        names = " ".join(dict.fromkeys(words(" ".join((entry.label,) + tuple(entry.variants)))))
        where[entry.id] = len(entries)
        entries.append([entry.label, title, f"{index_file(kind)}#ix-{entry.id}", names, counts.get(entry.id, 0)])
    return entries, where


def search_index(reader: Reader, pages: list[Page], with_indexes: bool) -> dict:
    entry_of = {m.id: m.entry for m in reader.mentions}
    locale = locale_of(reader)
    entries, position = _entries(reader) if with_indexes else ([], {})
    docs, terms = [], {}
    for page in pages:
        if page.kind not in ("chapter", "bibliography"):
            continue
        for ident, where, node in _blocks(page, locale):
            text = _text(node)
            if not text:
                continue
            mentions = [[span.get("id"), position[entry_of[span.get("id")]]]
                        for span in node.iter("span") if span.get("id") in entry_of
                        and entry_of[span.get("id")] in position]
            n = len(docs)
            docs.append([f"{page.name}#{ident}", where, text, mentions])
            for word in dict.fromkeys(words(text)):
                terms.setdefault(word, []).append(n)
    return {"docs": docs, "terms": dict(sorted(terms.items())), "entries": entries}


def search_script(index: dict) -> bytes:
    """search-index.js: the index as a script (``fetch`` does not work from ``file://``)."""
    return ("window.READER_SEARCH = " + json.dumps(index, ensure_ascii=False, separators=(",", ":"))
            + ";\n").encode()
