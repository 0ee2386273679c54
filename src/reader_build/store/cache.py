"""The build cache: an edition whose inputs did not change is not made again.

The key of an edition hashes everything that determines it: the project's
sources and styles (``ProjectSources.hash``), the tool (its version, code,
templates, styles and fonts), the edition's settings and the build date.  A cached
edition is reused only when the output file in ``build/`` still has the bytes
recorded for it; anything else is a miss and the edition is made again.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import __version__

CACHE_DIR = ".cache"
PACKAGE = Path(str(resources.files("reader_build")))
FORMAT = 1


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


class BuildCache:
    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.dir = build_dir / CACHE_DIR

    def load(self, name: str, key: str, output: Path) -> tuple[dict, bytes] | None:
        """(record, output bytes) when the edition *name* was made with *key*."""
        try:
            record = json.loads((self.dir / f"{name}.json").read_text(encoding="utf-8"))
            if record.get("key") != key:
                return None
            data = output.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            return None
        return record, data

    def entry(self, name: str, key: str, data: bytes, **extra) -> tuple[Path, bytes]:
        """The cache file to write (with the outputs) for an edition just made."""
        record = {"key": key, "sha256": hashlib.sha256(data).hexdigest(), **extra}
        return self.dir / f"{name}.json", (json.dumps(record, sort_keys=True) + "\n").encode()
