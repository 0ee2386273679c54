"""A bibliography formatted by a CSL style (citeproc-js): citations and the reference list.

:class:`CslBibliography` has the interface of :class:`references.Bibliography` (keys,
checks, ``cite_html``, ``entries_html``) and adds what note styles need: every citation
of the reader is formatted at once, in reading order (:meth:`register_uses`), so that
first, short and "ibid." forms follow the notes; ``note_html`` gives the footnote of a
citation that a note style moves out of the running text.
"""
from __future__ import annotations

import html
import json
import re
import weakref
from dataclasses import dataclass, replace
from typing import Callable, Iterable
from urllib.parse import quote, unquote

from py_mini_racer import JSEvalException

from .csl_cite import Cluster, assign_positions, citation_items
from .csl_data import to_csl
from .csl_engine import Engine, engine_for, locale_xml
from .csl_twin import TWIN_SHARE, Twin, wanted as twin_wanted
from .latex import render_html
from .names import set_members
from .csl_styles import CslStyle
from .references import Bibliography, BibSettings, missing_fields
from ..diagnostics import Diagnostics
from ..model import CiteUse
from ..source.citations import Citation

LINK = re.compile(r'<a class="cite" data-key="([^"]*)">')
ENTRY_ID = re.compile(r'<div class="csl-entry" data-id="([^"]*)">')
QUOTE_END = re.compile(r"([.?!,]?)([”’])((?:</[a-z]+>)*)$")
URL_LINK = re.compile(r'<a href="[^"]*">(.*?)</a>')
NOTE_END = re.compile(r"[.!?…][”’»)]*$")


@dataclass
class _Formatted:
    text: str = ""          # what stands in the text (HTML, links as data-key)
    note: str | None = None  # the footnote of a footnoted citation


class CslBibliography(Bibliography):
    """Citations and entries in a CSL style, formatted by citeproc-js."""

    def __init__(self, data, places, settings: BibSettings, style: CslStyle, lang: str,
                 engine: Engine):
        super().__init__(data, places, replace(settings, style="author-date"))
        self.settings = settings
        self.style = style
        self.lang = lang
        self._engine = engine
        self.note_style = engine.info.klass == "note"
        self._formatted: dict[tuple, _Formatted] = {}
        self._entries: list[tuple[str, str]] | None = None
        self._registered = False
        self._listed_set: set[str] | None = None
        self._made_list: tuple[dict, list[str]] | None = None    # the reference list, made by a twin
        self._items = set(engine.items)
        # when this bibliography is gone, its engine (compiled) may serve the next one
        weakref.finalize(self, engine.release).atexit = False

    def known_key(self, key: str) -> str | None:
        """The entry's key as cited: an item of the engine, or a @set of items."""
        key = self._canon(key)
        if key in self._items or (key is not None and self._members(key)):
            return key
        return None

    def _members(self, key: str) -> list[str]:
        """The items a key stands for: itself, or the members of a biblatex @set (CSL has
        no sets: each member is cited and listed as an entry of its own)."""
        if key in self._items:
            return [key]
        if key in self.data.entries and self.data.entries[key].type == "set":
            return [m for m in (self._canon(k) for k in set_members(self.data.entries[key]))
                    if m in self._items]
        return []

    # --- formatting every citation, in reading order ------------------------------------
    def register(self, citations: Iterable[Citation]) -> None:
        """Citations without their places: formatted as if in running text (tests, tools)."""
        uses = [CiteUse(("", n), c, 0) for n, c in enumerate(citations)]
        self.register_uses(uses)

    def register_uses(self, uses: list[CiteUse]) -> None:
        jobs: list[tuple[CiteUse, Cluster, str]] = []
        for use in uses:
            items, missing = citation_items(use.citation, self.known_key, self._members)
            if use.citation.narrative and items and not self.note_style:
                items = [dict(items[0], **{"suppress-author": True})] + items[1:]
            jobs.append((use, Cluster(items, use.note, "", missing), items[0]["id"] if items else ""))
        clusters = [cluster for _, cluster, _ in jobs if cluster.items]
        made_for = self._format(clusters)                                   # each cluster's HTML
        self._formatted = {}
        for use, cluster, lead_key in jobs:
            in_note = bool(use.note) and not use.footnoted
            text = self._cluster_html(cluster, made_for.get(id(cluster), ""), inline_in_note=in_note)
            if in_note and self.note_style and not use.citation.narrative and text:
                text = f"({text})"     # as pandoc: [@key] in a note in parentheses, @key [p. 3] not
            narrative = use.citation.narrative and cluster.items and (use.footnoted or not self.note_style)
            lead = self._lead(lead_key) if narrative else ""
            if use.footnoted:
                self._formatted[use.where] = _Formatted(lead, text)
            else:
                self._formatted[use.where] = _Formatted(f"{lead} {text}" if lead else text)
        self._registered = True

    def _format(self, clusters: list[Cluster]) -> dict[int, str]:
        """Register the cited items, set the clusters' positions and format each distinct
        cluster: the HTML of each cluster, by ``id()``. With many clusters a twin engine
        formats a part of them and the reference list meanwhile (``csl_twin``)."""
        order = list(dict.fromkeys(i["id"] for c in clusters for i in c.items))
        uncited = [k for k in self._engine.items if k not in set(order)] if self.settings.include_all else []
        twin = Twin(self._engine, order, uncited) if twin_wanted(len(clusters)) else None
        try:
            self._engine.register(order, uncited)
            # the style's sort of the cites of a cluster comes before their positions
            for cluster, sorted_as in zip(clusters, self._engine.sort_orders([c.items for c in clusters])):
                if sorted_as:
                    cluster.items = [cluster.items[n] for n in sorted_as]
            assign_positions(clusters, self._engine.info.near_note_distance)
            self._order = order
            self._entries = self._listed_set = self._made_list = None
            keys = [json.dumps(c.items, sort_keys=True) for c in clusters]
            unique = [json.loads(u) for u in dict.fromkeys(keys)]
            html_of = self._cite(unique, twin)
        finally:
            if twin is not None:
                twin.stop()
        made = dict(zip(dict.fromkeys(keys), html_of))
        return {id(c): made[k] for c, k in zip(clusters, keys)}

    def _cite(self, unique: list[list[dict]], twin: Twin | None) -> list[str]:
        """The HTML of each cluster: the first part made here, the rest by the twin, which
        makes the reference list too; all here when the twin failed."""
        if twin is None or len(unique) < 2:
            return self._engine.cite(unique)
        cut = len(unique) - max(1, int(len(unique) * TWIN_SHARE))
        twin.give(unique[cut:])
        mine = self._engine.cite(unique[:cut])
        theirs = twin.result()
        if theirs is None:
            return mine + self._engine.cite(unique[cut:])
        self._made_list = theirs[1]
        return mine + theirs[0]

    def _lead(self, key: str) -> str:
        """The author of a narrative citation ("Hasegawa (1998, 12)"), linked to the entry."""
        name = render_html(self._authordate.author_label(self.data.entries[key]))
        return f'<a class="cite" data-key="{quote(key)}">{name}</a>'

    def _cluster_html(self, cluster: Cluster, made: str, inline_in_note: bool) -> str:
        """The citation's HTML: the cluster as citeproc-js made it (*made*), and the keys
        no entry has."""
        missing = " ".join(f'<span class="cite-missing">?{html.escape(k)}</span>' for k in cluster.missing)
        if not cluster.items:
            return missing
        info = self._engine.info
        body = URL_LINK.sub(r"\1", made)
        # Set inline in an editorial note, a citation leaves its final period to the note.
        body, suffix = layout_suffix(body, "" if inline_in_note else info.suffix, info.punctuation_in_quote)
        text = info.prefix + body + suffix
        return f"{text} {missing}" if missing else text

    # --- what the renderers ask ---------------------------------------------------------
    def cite_html(self, citation: Citation, href: Callable[[str], str], where: tuple | None = None) -> str:
        found = self._lookup(citation, where)
        return _links(found.text, href, self._listed_keys())

    def cite_text(self, citation: Citation, where: tuple | None = None) -> str:
        return html_text(self._lookup(citation, where).text)

    def note_html(self, where: tuple, href: Callable[[str], str]) -> str | None:
        found = self._formatted.get(where)
        if found is None or found.note is None:
            return None
        note = found.note if NOTE_END.search(html_text(found.note)) else found.note + "."
        return _links(capitalize_first(note), href, self._listed_keys())

    def _listed_keys(self) -> set[str]:
        if self._listed_set is None or self._entries is None:
            self._listed_set = {key for key, _ in self.entries_html(None)}
        return self._listed_set

    def _lookup(self, citation: Citation, where: tuple | None) -> _Formatted:
        if where is not None and where in self._formatted:
            return self._formatted[where]
        key = ("", id(citation))
        if key not in self._formatted:                 # a citation no one registered
            self.register_uses([CiteUse(key, citation, 0)])
        return self._formatted[key]

    # --- the reference list -------------------------------------------------------------
    def entries_html(self, keys: Iterable[str] | None = None) -> list[tuple[str, str]]:
        if not self._registered:
            self.register_uses([])
        if self._entries is None:
            _, entries = self._made_list or self._engine.bibliography()
            self._entries = []
            for text in entries:
                m = ENTRY_ID.search(text)
                if m and m.group(1):
                    self._entries.append((unquote(m.group(1)), entry_html(text)))
        if keys is None:
            return list(self._entries)
        wanted = {m for k in (self._canon(k) for k in keys) if k for m in self._members(k)}
        return [(k, h) for k, h in self._entries if k in wanted]

    def _missing(self, entry) -> list[str]:
        return missing_fields(entry)


def layout_suffix(body: str, suffix: str, in_quote: bool) -> tuple[str, str]:
    """The cluster and the layout's suffix, joined as citeproc-js joins them: no doubled
    period ("et al."), and with "punctuation-in-quote" a period inside a closing quote."""
    if suffix[:1] not in (".", ","):
        return body, suffix
    m = QUOTE_END.search(body)
    if m and in_quote:
        if m.group(1):
            return body, suffix[1:]
        return body[:m.start(2)] + suffix[0] + body[m.start(2):], suffix[1:]
    if re.search(r"[.?!]$", html_text(body)):
        return body, suffix[1:]
    return body, suffix


def html_text(fragment: str) -> str:
    """The text of an HTML fragment, white space normalised."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def capitalize_first(markup: str) -> str:
    """A note made of a citation starts a sentence: its first letter a capital ("See
    Smith", "Von Humboldt"), as pandoc and Chicago set it; tags and entities are skipped."""
    for m in re.finditer(r"<[^>]*>|&[#\w]+;|([^<&\s])", markup):
        if m.group(1) is not None:
            if not m.group(1).islower():
                return markup
            return markup[:m.start()] + m.group(1).upper() + markup[m.end():]
    return markup


def _links(text: str, href: Callable[[str], str], listed: set[str]) -> str:
    """The cites' links to their entries (none to an entry the style leaves out)."""
    def link(m: re.Match) -> str:
        key = unquote(m.group(1))
        if key in listed:
            return f'<a class="cite" href="{html.escape(href(key), quote=True)}">'
        return '<a class="cite">'
    return LINK.sub(link, text)


def entry_html(text: str) -> str:
    """citeproc-js's ``<div class="csl-entry">`` as inline HTML for a list item."""
    text = text.strip()
    text = re.sub(r'^<div class="csl-entry"[^>]*>|</div>$', "", text).strip()
    text = re.sub(r'<div class="csl-left-margin">(.*?)</div>\s*', r'<span class="bib-label">\1</span> ', text)
    text = re.sub(r'<div class="csl-right-inline">(.*?)</div>', r"\1", text, flags=re.S)
    text = re.sub(r'<div class="csl-[a-z-]+">(.*?)</div>', r"\1", text, flags=re.S)
    text = re.sub(r'<a href="([^"]*)">', r'<a class="external" href="\1">', text)
    return " ".join(text.split())


def start_engine(style: CslStyle, lang: str, diags: Diagnostics) -> Engine:
    """A citeproc-js engine for the style, compiling it in V8's thread while the caller
    reads the .bib files (give the result to :func:`load_csl`)."""
    return engine_for(style.xml, csl_lang(lang, diags))


def csl_lang(lang: str, diags: Diagnostics) -> str:
    """The CSL locale asked for, or en-US (with a warning) when there is none for it."""
    if locale_xml(lang) is None:
        diags.warning("bib-locale-unknown", f"no CSL locale for '{lang}': the style's terms "
                      "are printed in American English (en-US)", "reader.toml")
        return "en-US"
    return lang


def load_csl(data, places, settings: BibSettings, style: CslStyle, lang: str,
             diags: Diagnostics, engine: Engine | None = None) -> CslBibliography | None:
    """The CSL bibliography, or None (after an error) when citeproc-js rejects the style.
    *engine*: one :func:`start_engine` started for this style and *lang*."""
    if engine is None:
        engine = start_engine(style, lang, diags)
    items = {}
    for key, entry in data.entries.items():
        if entry.type != "set":
            items[key] = to_csl(key, entry)
    try:
        engine.load(items)
    except JSEvalException as exc:
        engine.close()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "citeproc-js failed"
        diags.error("bib-style-invalid", f"citeproc-js cannot use the style '{style.id}': {message}",
                    style.path or f"{style.id}.csl")
        return None
    return CslBibliography(data, places, settings, style, engine.lang, engine)
