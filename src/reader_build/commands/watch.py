"""``reader-build watch``: rebuild whenever a source changes (debounced).

Errors are printed and the watcher keeps running; ``build/`` is ignored so
that writing the outputs does not trigger another build.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..build import build
from .report import print_diagnostics

WATCHED = ("reader.toml", "manuscript", "bibliography", "styles")


def _relevant(root: Path):
    build_dir = (root / "build").resolve()

    def accept(change, path: str) -> bool:
        p = Path(path).resolve()
        if build_dir == p or build_dir in p.parents:
            return False
        name = p.name
        return not (name.startswith(".") or name.endswith(("~", ".swp", ".tmp")))
    return accept


def watch(root: Path, editions: list[str] | None = None, *, stop_event=None, max_builds: int | None = None,
          after_build=None) -> int:
    """Build, then build again whenever a source changes; *after_build(result)* runs after each build."""
    from watchfiles import watch as watch_changes


    root = root.resolve()
    if not (root / "reader.toml").exists():
        print(f"reader-build: error: {root} has no reader.toml", file=sys.stderr)
        return 1

    def once() -> None:
        result = build(root, editions, progress=None)
        print_diagnostics(result.diagnostics, verbose=False)
        if result.status == 0:
            names = ", ".join(r["path"] for r in (result.manifest or {}).get("editions", []))
            print(f"built {names}", flush=True)
        else:
            print("build failed; watching for changes", flush=True)
        if after_build is not None:
            after_build(result)

    builds = 1
    once()
    paths = [str(root / name) for name in WATCHED if (root / name).exists()]
    print(f"watching {', '.join(Path(p).name for p in paths)} (Ctrl-C to stop)", flush=True)
    try:
        for _changes in watch_changes(*paths, watch_filter=_relevant(root), debounce=400, step=100,
                                      stop_event=stop_event, raise_interrupt=False):
            once()
            builds += 1
            if max_builds is not None and builds >= max_builds:
                break
    except KeyboardInterrupt:
        pass
    return 0
