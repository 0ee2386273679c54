"""The build cache: an edition whose inputs did not change is not made again.

The key of an edition hashes everything that determines it: the project's
sources and styles (``ProjectSources.hash``), the tool (its version, code,
templates, styles and fonts), the edition's settings and the build date.  A cached
edition is reused only when the output file in ``build/`` still has the bytes
recorded for it; anything else is a miss and the edition is made again.

A cache is an optimisation, so it never fails a build (:class:`CacheFolder`, also used by
the part cache, ``store/parts.py``): an entry that cannot be written is left out with one
``cache-write`` warning; an entry that cannot be read, or whose stored hash does not match
its bytes (truncated, altered), is dropped with a ``cache-damaged`` warning and made again.
Every record is *sealed*: its first line is the SHA-256 of the JSON that follows.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import __version__
from ..diagnostics import Diagnostics
from . import files

CACHE_DIR = ".cache"
PACKAGE = Path(str(resources.files("reader_build")))
FORMAT = 2                  # 2: sealed records


@lru_cache(maxsize=1)
def package_hash() -> str:
    """The tool itself: its version, code, templates, styles and fonts."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def edition_key(source_hash: str, edition, date: str, extra: str = "") -> str:
    h = hashlib.sha256()
    for part in (str(FORMAT), source_hash, package_hash(), repr(edition), date, extra):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


class Damaged(Exception):
    """A cache entry that is there but cannot be used; the message says why."""


def seal(record: dict) -> bytes:
    """The bytes of a record: the SHA-256 of its JSON, a new line, the JSON."""
    body = json.dumps(record, sort_keys=True).encode()
    return hashlib.sha256(body).hexdigest().encode() + b"\n" + body + b"\n"


class OldFormat(Exception):
    """A record written before records were sealed: a miss, not damage."""


def unseal(data: bytes) -> dict:
    if data.startswith(b"{"):
        raise OldFormat()
    digest, _, body = data.partition(b"\n")
    body = body.rstrip(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        raise Damaged("its stored hash does not match its contents (truncated or altered)")
    try:
        record = json.loads(body)
    except ValueError:
        raise Damaged("it is not the JSON it should be") from None
    if not isinstance(record, dict):
        raise Damaged("it is not the JSON it should be")
    return record


class CacheFolder:
    """A cache folder under ``build/``: writes that may fail, reads that check what they read.

    Problems become warnings in *diags*, located at the entry (``build/.cache/…``)."""

    def __init__(self, folder: Path, project: Path, diags: Diagnostics | None):
        self.dir = Path(folder)
        self.project = Path(project)
        self.diags = diags if diags is not None else Diagnostics()
        top = next((p for p in (self.dir, *self.dir.parents) if p.name == CACHE_DIR), self.dir)
        self.where = self.shown(top)        # one cache-write warning for all of build/.cache/

    def shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.project).as_posix()
        except ValueError:
            return str(path)

    def write(self, name: str, data: bytes) -> bool:
        """Store an entry; on failure one ``cache-write`` warning (per cause) and False."""
        try:
            files.write_bytes(self.dir / name, data, kind="cache")
            return True
        except OSError as exc:
            cache_write_failed(self.diags, exc, self.where)
            return False

    def read(self, name: str, sha256: str | None = None) -> bytes | None:
        """The bytes of an entry (checked against *sha256* when given); None when there is none,
        or when it is damaged (then dropped, with a ``cache-damaged`` warning)."""
        path = self.dir / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            return self.drop(name, f"it cannot be read: {exc.strerror or exc}")
        if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
            return self.drop(name, "its stored hash does not match its contents (truncated or altered)")
        return data

    def read_record(self, name: str) -> dict | None:
        data = self.read(name)
        if data is None:
            return None
        try:
            return unseal(data)
        except OldFormat:
            return None
        except Damaged as exc:
            return self.drop(name, str(exc))

    def drop(self, name: str, why: str, *, companions: tuple[str, ...] = ()) -> None:
        path = self.dir / name
        self.diags.warning("cache-damaged", f"the cache entry is damaged: {why}; it is dropped and made again",
                           self.shown(path))
        for other in (name, *companions):
            files.remove(self.dir / other)
        return None


def cache_write_failed(diags: Diagnostics, exc: OSError, where: str) -> None:
    """One warning per cause: the build goes on without the entries it could not store."""
    diags.warning("cache-write", f"cannot write the build cache: {exc.strerror or exc}; the build goes on "
                  "without it (what is not stored is made again next time)", where)


class BuildCache:
    def __init__(self, build_dir: Path, diags: Diagnostics | None = None):
        self.build_dir = build_dir
        self.dir = build_dir / CACHE_DIR
        self.folder = CacheFolder(self.dir, build_dir.parent, diags)

    def load(self, name: str, key: str, output: Path) -> tuple[dict, bytes] | None:
        """(record, output bytes) when the edition *name* was made with *key*."""
        record = self.folder.read_record(f"{name}.json")
        if record is None or record.get("key") != key:
            return None
        try:
            data = output.read_bytes()
        except OSError:
            return None          # the output is gone or unreadable: made again (not the cache's damage)
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            return None          # the output was changed or replaced since: made again
        return record, data

    def store(self, name: str, key: str, data: bytes, **extra) -> bool:
        """Record the edition just made (before the outputs are written: should they fail, the
        record names bytes that are not in build/, and is a miss)."""
        record = {"key": key, "sha256": hashlib.sha256(data).hexdigest(), **extra}
        return self.folder.write(f"{name}.json", seal(record))
