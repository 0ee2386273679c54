"""citeproc-js, the CSL processor of Zotero and Mendeley, run in an embedded V8.

The package ships citeproc-js (``citeproc/citeproc.js``, CPAL-1.0, see
``citeproc/LICENSE``) and a small glue script; ``mini-racer`` (a V8 in a wheel) runs
them in-process: nothing is fetched and no Node is needed at build time. Locales come
from citeproc-py's copy of the CSL locales (files are read only from installed
packages). The class is a thin, typed call surface: items in, HTML strings out.
"""
from __future__ import annotations

import atexit
import gc
import hashlib
import json
import os
import threading
import weakref
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import citeproc
from py_mini_racer import MiniRacer

from .v8 import start_v8

_CITEPROC = resources.files(__package__).joinpath("citeproc")
LOCALES = Path(citeproc.__file__).parent / "data" / "locales"
_SCRIPT: list[str] = []
# mini-racer's own flag, and a young generation of 16 MB: citeproc-js makes many small,
# short-lived objects, and with V8's default the scavenger ran often (a fifth less time
# formatting 2,000 notes, benchmarks/citations.py). No TurboFan: single-threaded, V8
# compiles its optimised code in the thread that runs citeproc-js, and for citeproc-js
# (a large style interpreted token by token, the hot code different for each part of the
# style) Maglev's code alone took about a tenth less CPU time, from 2,000 to 8,000
# citations (benchmarks/RESULTS.md). Used when this module starts V8.
V8_FLAGS = ("--single-threaded", "--no-turbofan", "--min-semi-space-size=16", "--max-semi-space-size=16")
_LIVE: "weakref.WeakSet[Engine]" = weakref.WeakSet()
_IDLE: "dict[tuple[str, str], Engine]" = {}     # one compiled engine per style and locale
IDLE_ENGINES = 2                                 # kept at most (each holds a V8 heap)


@atexit.register
def _close_all() -> None:
    """Free every V8 context before the interpreter's own teardown, where freeing one
    (from MiniRacer.__del__) can wait forever for mini-racer's event-loop thread."""
    _IDLE.clear()
    for engine in list(_LIVE):
        if engine.pid == os.getpid():     # not in a forked child: its V8 threads are the parent's
            engine.close()


# A forked process (a layout worker) must never free a V8 context that it inherited: V8's
# threads stayed in the parent, and freeing one in the child (MiniRacer.__del__, or its context
# manager's clean-up, when the garbage collector meets a context that the parent had let go of
# but not yet freed) waits for them forever or crashes the worker (SIGSEGV).  So what exists
# when the process forks is frozen for the collector (gc.freeze) in the child, and in the parent
# only while it forks.
os.register_at_fork(before=gc.freeze, after_in_parent=gc.unfreeze)


def _script() -> str:
    if not _SCRIPT:
        source = _CITEPROC.joinpath("citeproc.js").read_text(encoding="utf-8")
        glue = _CITEPROC.joinpath("glue.js").read_text(encoding="utf-8")
        _SCRIPT.append("var module = {exports: {}}; var exports = module.exports;\n" + source
                       + "\nvar CSL = module.exports;\n" + glue)
    return _SCRIPT[0]


def locale_ids() -> list[str]:
    return sorted(p.stem[len("locales-"):] for p in LOCALES.glob("locales-*.xml"))


def locale_id(lang: str) -> str | None:
    """The CSL locale that serves *lang* ("en" → "en-US", "de" → "de-DE", "de-AT"), or None."""
    known = locale_ids()
    wanted = lang.replace("_", "-")
    match = next((k for k in known if k.lower() == wanted.lower()), None)
    if match is None:
        base = wanted.split("-")[0].lower()
        primary = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "pt": "pt-PT", "zh": "zh-CN",
                   "es": "es-ES"}.get(base)
        match = primary if primary in known else next(
            (k for k in known if k.lower().split("-")[0] == base), None)
    return match


def locale_xml(lang: str) -> str | None:
    found = locale_id(lang)
    return (LOCALES / f"locales-{found}.xml").read_text(encoding="utf-8") if found else None


@dataclass(frozen=True)
class StyleInfo:
    klass: str                  # "note" | "in-text"
    near_note_distance: int
    prefix: str                 # the citation layout's affixes (left out by the link wrapper)
    suffix: str
    punctuation_in_quote: bool  # the locale sets "." and "," inside closing quotes
    sorts_first: bool = False   # the cites of a cluster are sorted before their positions


def engine_for(style_xml: str, lang: str) -> "Engine":
    """A compiled engine for the style and locale: one that a bibliography no longer in
    use left behind (``reader-build watch`` builds again and again in one process), or a
    new one."""
    found = _IDLE.pop(_style_key(style_xml, lang), None)
    if found is not None and found.pid == os.getpid() and found._js is not None:
        return found
    return Engine(style_xml, lang)


def forget_idle_engines() -> None:
    """Close the engines kept for reuse (the next engine is compiled anew)."""
    while _IDLE:
        _IDLE.pop(next(iter(_IDLE))).close()


def _style_key(style_xml: str, lang: str) -> tuple[str, str]:
    return hashlib.sha256(style_xml.encode("utf-8")).hexdigest(), lang


class Engine:
    """One citeproc-js engine for one style and locale, then one set of items.

    The style is compiled (citeproc-js builds its token lists: most of an engine's start)
    in V8's own thread from the moment the engine is made, while Python goes on reading
    the .bib files and converting the entries; :meth:`load` gives the items and waits."""

    def __init__(self, style_xml: str, lang: str):
        self.lang = lang
        self.style_xml = style_xml
        self.key = _style_key(style_xml, lang)
        self.pid = os.getpid()
        self.items: tuple[str, ...] = ()
        self.items_json = "{}"      # as given to citeproc-js (a twin engine gets the same)
        self._js: MiniRacer | None = None
        self._info: dict | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, args=(style_xml, lang),
                                        name="citeproc-js", daemon=True)
        self._thread.start()
        _LIVE.add(self)

    def _start(self, style_xml: str, lang: str) -> None:
        try:
            self._js = start_v8(V8_FLAGS)
            self._js.eval(_script())
            locales = {"en-US": locale_xml("en-US")}
            own = locale_id(lang)
            if own:
                for name in (own, lang, lang.split("-")[0]):
                    locales[name] = locale_xml(own)
            self._info = json.loads(self._js.call("rbInit", style_xml, lang, json.dumps(locales)))
        except BaseException as exc:          # raised again by load(), in the caller's thread
            self._error = exc

    def load(self, items: dict[str, dict]) -> None:
        """The items (CSL-JSON by key), once the style is compiled; raises what compiling
        the style raised (``JSEvalException`` for a style citeproc-js rejects)."""
        linked = {key: dict(item, system_id=key) for key, item in items.items()}   # for the links
        self.load_json(json.dumps(linked), tuple(items))

    def load_json(self, items_json: str, keys: tuple[str, ...]) -> None:
        """The items as :meth:`load` gives them to citeproc-js (*items_json*, each with its
        ``system_id``), and their keys."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._call("rbItems", items_json)
        self.items, self.items_json = keys, items_json
        info = self._info
        self.info = StyleInfo(info["class"], int(info["near-note-distance"]),
                              info["prefix"], info["suffix"], bool(info["punctuation-in-quote"]),
                              bool(info["sorts-first"]))

    def release(self) -> None:
        """Done with these items: the engine, compiled, may serve the next bibliography of
        the same style and locale (:func:`engine_for`), which gives it new items."""
        if self._js is None or self._error is not None or self.pid != os.getpid():
            return
        previous = _IDLE.pop(self.key, None)
        _IDLE[self.key] = self
        if previous is not None and previous is not self:
            previous.close()
        while len(_IDLE) > IDLE_ENGINES:              # the oldest goes
            _IDLE.pop(next(iter(_IDLE))).close()

    def close(self) -> None:
        """Free the V8 context now (at the latest, when the process exits)."""
        self._thread.join()
        js, self._js = self._js, None
        _LIVE.discard(self)
        if js is not None:
            js.close()

    def _call(self, name: str, *args):
        return self._js.call(name, *args)

    def register(self, cited: list[str], uncited: list[str]) -> None:
        self._call("rbRegister", json.dumps(cited), json.dumps(uncited) if uncited else "")

    def sort_orders(self, clusters: list[list[dict]]) -> list[list[int] | None]:
        """For each cluster, the order of its cites in the style's sort (indices), when
        the style sorts them before their positions are known (:attr:`StyleInfo.sorts_first`);
        None for a cluster that stays as it is."""
        if not self.info.sorts_first or not any(len(c) > 1 for c in clusters):
            return [None] * len(clusters)
        ids = [[{"id": item["id"]} for item in c] if len(c) > 1 else [] for c in clusters]
        return json.loads(self._call("rbSortOrders", json.dumps(ids)))

    def cite(self, clusters: list[list[dict]]) -> list[str]:
        """The HTML of each cluster of citation items, each cite in a link
        ``<a class="cite" data-key="KEY">``, without the layout's prefix and suffix.
        The cites of a style that sorts before positions come in the style's order
        (:meth:`sort_orders`) and are not sorted again."""
        if not clusters:
            return []
        return json.loads(self._call("rbCite", json.dumps(clusters), self.info.sorts_first))

    def bibliography(self) -> tuple[dict, list[str]]:
        made = json.loads(self._call("rbBibliography"))
        if not made:
            return {}, []
        return made["params"], made["entries"]
