"""The part cache of the PDF layout (``build/.cache/parts/``, see pdf/parallel.py).

A part laid out is stored as ``KEY.pdf`` and its sealed record ``KEY.json`` (its facts and
the SHA-256 of the PDF); per edition, ``edition-NAME.json`` remembers what the last build
found (page counts, anchors, fix rules, the keys used).  The merge's font subsets are kept too,
as ``font-KEY.json`` (the subset and its hash), KEY hashing the original font and the glyphs:
a rebuild whose book uses the same glyphs of a face cuts no subset of it.  So are the folio
sheets (``sheet-KEY.json``, KEY hashing the styles): a page number's folio is laid out once.  Like every cache (store/cache.py),
it never fails a build: a write that fails is a ``cache-write`` warning, an entry that is
damaged (unreadable, truncated, altered: its stored hash says so) is dropped with a
``cache-damaged`` warning and laid out again.
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from ..diagnostics import Diagnostics
from . import files
from .cache import CacheFolder, seal


class PartCache:
    """Laid-out parts by key, and per edition what the last build found."""

    def __init__(self, folder: Path, diags: Diagnostics | None = None, project: Path | None = None):
        self.dir = Path(folder)
        self.folder = CacheFolder(self.dir, project or self.dir.parent.parent.parent, diags)
        self.used: set = set()          # the font subsets this build used (kept by remember)

    def load(self, key: str) -> dict | None:
        record = self.folder.read_record(f"{key}.json")
        if record is None:
            return None
        sha256 = record.pop("sha256", None)
        try:
            data = (self.dir / f"{key}.pdf").read_bytes()
        except OSError as exc:
            why = "its PDF is missing" if isinstance(exc, FileNotFoundError) else \
                f"its PDF cannot be read: {exc.strerror or exc}"
            return self.folder.drop(f"{key}.json", why, companions=(f"{key}.pdf",))
        if hashlib.sha256(data).hexdigest() != sha256:
            return self.folder.drop(f"{key}.pdf", "its stored hash does not match its contents (truncated or "
                                    "altered)", companions=(f"{key}.json",))
        return dict(record, data=data)

    def store(self, key: str, result: dict) -> None:
        """The PDF first, then its record: a record is there only when its PDF is."""
        record = {k: v for k, v in result.items() if k != "data"}
        record["sha256"] = hashlib.sha256(result["data"]).hexdigest()
        if self.folder.write(f"{key}.pdf", result["data"]):
            self.folder.write(f"{key}.json", seal(record))

    def get(self, key: str) -> bytes | None:
        """A font subset kept (pdf/fonts.py), or None."""
        record = self.folder.read_record(f"{key}.json")
        if record is None:
            return None
        try:
            data = base64.b64decode(record["data"], validate=True)
        except (KeyError, TypeError, ValueError):
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != record.get("sha256"):
            return self.folder.drop(f"{key}.json", "its data does not match its stored hash")
        self.used.add(key)
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep a font subset (one record: its bytes and their hash)."""
        self.used.add(key)
        self.folder.write(f"{key}.json", seal({"data": base64.b64encode(data).decode("ascii"),
                                               "sha256": hashlib.sha256(data).hexdigest()}))

    def record(self, key: str) -> dict | None:
        """A record kept under *key* (a folio sheet: pdf/folios.py), or None."""
        found = self.folder.read_record(f"{key}.json")
        if found is not None:
            self.used.add(key)
        return found

    def keep(self, key: str, record: dict) -> None:
        self.used.add(key)
        self.folder.write(f"{key}.json", seal(record))

    def memory(self, edition: str) -> dict:
        return self.folder.read_record(f"edition-{edition}.json") or {}

    def remember(self, edition: str, memory: dict) -> None:
        """Record what this build found; drop the parts that neither this build nor the one before
        used (of any edition)."""
        last = self.memory(edition)
        old = set(last.get("older", ())) | set(last.get("keys", ()))
        memory = dict(memory, keys=sorted(set(memory["keys"]) | self.used))
        memory = dict(memory, older=sorted(set(last.get("keys", ())) - set(memory["keys"])))
        if not self.folder.write(f"edition-{edition}.json", seal(memory)):
            return                       # what it would have listed may still be needed
        used = set()
        for path in self.dir.glob("edition-*.json"):
            found = self.folder.read_record(path.name) or {}
            used |= set(found.get("keys", ())) | set(found.get("older", ()))
        for key in old - used:
            for suffix in (".pdf", ".json"):
                files.remove(self.dir / f"{key}{suffix}")
