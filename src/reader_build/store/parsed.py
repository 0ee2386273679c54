"""The parse cache (``build/.cache/parsed/``): a chapter whose text did not change is not parsed
again.

A build reads every chapter, because note numbers, citations and the index are settled across
the whole book; parsing them all again after an edit to one was most of the time a rebuild
spent reading (the ×20 reader, 62 chapters: reading took 2.0–2.3 s, and takes 1.0 s with the
parses kept, of an edit's 20–30 s).
So each chapter's parse (the :class:`~reader_build.model.ParsedChapter` and the diagnostics it
gave) is kept, keyed by everything the parse reads: the tool (``cache.package_hash``), the
chapter's path and text, the authority files and the language's typography (the locale).
A hit gives the chapter and replays its diagnostics, so a rebuild reports what a build from
scratch reports.

The entries are pickles, as Sphinx keeps its doctrees: the parse holds markdown-it's token
trees, which no other format carries whole.  Each entry is sealed (its first line is the
SHA-256 of the pickle that follows), and only an entry whose seal matches is unpickled; the
cache lives in the project's own ``build/`` and is written by reader-build alone.  Like every
cache (store/cache.py) it never fails a build: a damaged entry is dropped with a
``cache-damaged`` warning and the chapter is parsed again; an entry that cannot be written is a
``cache-write`` warning.  After a build only the entries of the chapters it read are kept.
"""
from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from ..diagnostics import Diagnostics
from . import files
from .cache import CacheFolder, package_hash

FORMAT = 1
SUFFIX = ".pickle"


class ParseCache:
    """Parsed chapters by key (:meth:`key`)."""

    def __init__(self, folder: Path, project: Path, diags: Diagnostics | None = None):
        self.dir = Path(folder)
        self.folder = CacheFolder(self.dir, project, diags)
        self.used: set[str] = set()
        self.hits = 0

    @staticmethod
    def key(path: str, text: str, context: str) -> str:
        """The key of a chapter's parse: *context* hashes what every chapter's parse reads besides
        its own text (the authority files, the locale)."""
        h = hashlib.sha256()
        for part in (str(FORMAT), package_hash(), context, path, text):
            h.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return h.hexdigest()

    def load(self, key: str):
        """(chapter, diagnostics) kept under *key*, or None."""
        self.used.add(key)
        data = self.folder.read(key + SUFFIX)
        if data is None:
            return None
        digest, _, body = data.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return self.folder.drop(key + SUFFIX, "its stored hash does not match its contents (truncated or altered)")
        try:
            chapter, diagnostics = pickle.loads(body)
        except Exception:                # a sealed entry of another format: parse again
            return self.folder.drop(key + SUFFIX, "it cannot be read back")
        self.hits += 1
        return chapter, diagnostics

    def store(self, key: str, chapter, diagnostics: list) -> None:
        self.used.add(key)
        try:
            body = pickle.dumps((chapter, diagnostics), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:                # something in the parse that pickle cannot carry: not kept
            return
        self.folder.write(key + SUFFIX, hashlib.sha256(body).hexdigest().encode() + b"\n" + body)

    def prune(self) -> None:
        """Drop the entries of chapters that this build did not read (edited since, or gone)."""
        if not self.dir.is_dir():
            return
        for path in self.dir.glob("*" + SUFFIX):
            if path.name[:-len(SUFFIX)] not in self.used:
                files.remove(path)
