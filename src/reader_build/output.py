"""Writing outputs without ever losing the previous ones.

Every file is written under a temporary name in the same folder, flushed, and
renamed into place; a build takes a lock on ``build/`` so that two builds of
one project cannot interleave.  Temporary files are removed whatever happens.
"""
from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from .diagnostics import Diagnostic, ERROR, OutputError

LOCK_NAME = ".reader-build.lock"


class BuildLock:
    """An exclusive, non-blocking lock on a project's build folder."""

    def __init__(self, build_dir: Path):
        self.path = build_dir / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self):
        import fcntl
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise OutputError(Diagnostic("build-locked", ERROR, "another build of this project is running; "
                                         "wait for it to finish", "build")) from None
        return self

    def __exit__(self, *exc):
        import fcntl
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
        return False


class AtomicWriter:
    """Collects outputs and writes them all at the end, each by rename."""

    def __init__(self):
        self.pending: list[tuple[Path, bytes]] = []
        self.temporary: list[Path] = []

    def add(self, path: Path, data: bytes) -> None:
        self.pending.append((path, data))

    def commit(self) -> list[Path]:
        """Write every pending file; on any failure nothing already in place is touched."""
        staged: list[tuple[Path, Path]] = []
        try:
            for path, data in self.pending:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
                self.temporary.append(tmp)
                with open(tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                staged.append((tmp, path))
            with _signals_deferred():
                for tmp, path in staged:
                    os.replace(tmp, path)
            return [path for _, path in staged]
        except OSError as exc:
            raise OutputError(Diagnostic("output-write", ERROR, f"cannot write the outputs: {exc.strerror or exc}",
                                         "build")) from None
        finally:
            self.cleanup()

    def cleanup(self) -> None:
        for tmp in self.temporary:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self.temporary.clear()


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM while the renames happen (they take microseconds)."""
    received: list[int] = []
    handlers = {}

    def defer(signum, frame):
        received.append(signum)

    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            handlers[sig] = signal.signal(sig, defer)
    except ValueError:       # not the main thread
        handlers = {}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for sig in received:
            os.kill(os.getpid(), sig)


def clean_stale_temporaries(build_dir: Path) -> None:
    """Remove temporary files that a killed build (SIGKILL) may have left."""
    if build_dir.is_dir():
        for tmp in build_dir.glob(".*.tmp-*"):
            with contextlib.suppress(OSError):
                tmp.unlink()
