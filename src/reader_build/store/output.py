"""Writing outputs without ever losing the previous ones.

Every file is written under a temporary name in the same folder, flushed, and
renamed into place; a build takes a lock on ``build/`` so that two builds of
one project cannot interleave.  Temporary files are removed whatever happens.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

from ..diagnostics import Diagnostic, ERROR, OutputError

LOCK_NAME = ".reader-build.lock"


class Interrupted(BaseException):
    """SIGTERM (or SIGHUP), turned into an exception so that clean-up runs."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum


_PENDING_INTERRUPT: list[int] = []


def request_interrupt(signum: int) -> None:
    """Remember that the user asked to stop (the command line's signal handlers call this).

    The exception that the handler raises can be lost: raised while a finaliser (``__del__``),
    an at-fork hook or a weakref callback runs, Python prints and drops it, and the build
    would go on to replace the editions.  :func:`raise_if_interrupted` raises it again.
    """
    if signum not in _PENDING_INTERRUPT:
        _PENDING_INTERRUPT.append(signum)


def clear_interrupt() -> None:
    _PENDING_INTERRUPT.clear()


def raise_if_interrupted() -> None:
    """Raise the interruption asked for earlier, if its exception was lost on the way."""
    if _PENDING_INTERRUPT:
        signum = _PENDING_INTERRUPT[0]
        if signum == signal.SIGINT:
            raise KeyboardInterrupt()
        raise Interrupted(signum)


_HELD_LOCKS: set[int] = set()


def _close_locks_in_child() -> None:
    """A forked worker must not keep the lock: a killed build would leave it held by orphans."""
    for fd in list(_HELD_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_locks_in_child)


def write_new(path: Path, data: bytes) -> bool:
    """Write a new file at *path* (its folders made as needed), never over an existing one:
    False, and nothing written, when *path* exists.  The file appears whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        return False
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)          # fails, atomically, when the name is taken
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return True


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
        _HELD_LOCKS.add(self.fd)
        return self

    def __exit__(self, *exc):
        import fcntl
        if self.fd is not None:
            _HELD_LOCKS.discard(self.fd)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
        return False


class AtomicWriter:
    """Collects outputs and writes them all at the end, each by rename.

    Every file is first written in full under a temporary name (``.NAME.tmp-PID``)
    next to its final place; only when all of them are written are they renamed
    into place, with SIGINT and SIGTERM held back meanwhile.  Should a rename fail,
    the files already renamed are put back as they were, so that ``build/`` holds
    either every previous output or every new one.
    """

    def __init__(self):
        self.pending: dict[Path, bytes] = {}
        self.temporary: list[Path] = []

    def add(self, path: Path, data: bytes) -> None:
        self.pending[path] = data          # the same file added twice is written once, the last data wins

    def commit(self) -> list[Path]:
        """Write every pending file; on any failure nothing already in place is touched."""
        staged: list[tuple[Path, Path]] = []
        current: Path | None = None
        raise_if_interrupted()                   # an interruption whose exception was lost: write nothing
        try:
            for path, data in self.pending.items():
                current = path
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
                self.temporary.append(tmp)
                with open(tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                staged.append((tmp, path))
            current = None
            previous = self._keep_previous([path for _, path in staged])
            raise_if_interrupted()
            with _signals_deferred():
                replaced: list[Path] = []
                try:
                    for tmp, path in staged:
                        current = path
                        os.replace(tmp, path)
                        replaced.append(path)
                except OSError:
                    self._roll_back(replaced, previous)
                    raise
            _fsync_dirs({path.parent for _, path in staged})
            return [path for _, path in staged]
        except OSError as exc:
            what = _display(current) if current is not None else "the outputs"
            raise OutputError(Diagnostic("output-write", ERROR, f"cannot write {what}: {exc.strerror or exc}; "
                                         "the previous outputs are unchanged", "build")) from None
        finally:
            self.cleanup()

    def _keep_previous(self, paths: list[Path]) -> dict[Path, Path]:
        """A second name (a hard link, else a copy) for every output that exists already."""
        previous = {}
        for path in paths:
            if path.is_file() and not path.is_symlink():
                keep = path.with_name(f".{path.name}.tmp-{os.getpid()}-previous")
                self.temporary.append(keep)
                with contextlib.suppress(FileNotFoundError):
                    keep.unlink()
                try:
                    os.link(path, keep)
                except OSError:
                    shutil.copy2(path, keep)
                previous[path] = keep
        return previous

    @staticmethod
    def _roll_back(replaced: list[Path], previous: dict[Path, Path]) -> None:
        for path in reversed(replaced):
            with contextlib.suppress(OSError):
                if path in previous:
                    os.replace(previous[path], path)
                else:
                    path.unlink()

    def cleanup(self) -> None:
        for tmp in self.temporary:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self.temporary.clear()


def _display(path: Path) -> str:
    """``build/print.pdf`` rather than an absolute path, where the path is in a build folder."""
    parts = path.parts
    if "build" in parts[:-1]:
        at = len(parts) - 1 - parts[:-1][::-1].index("build") - 1
        return "/".join(parts[at:])
    return path.name


def _fsync_dirs(folders) -> None:
    """Make the renames durable (best effort; not every system can open a folder)."""
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM while the renames happen (they take microseconds).

    A signal received meanwhile is delivered afterwards; the exception it raises
    then carries ``outputs_written = True`` (the renames are complete).
    """
    received: list[int] = []
    handlers = {}

    def defer(signum, frame):
        received.append(signum)

    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            handlers[sig] = signal.signal(sig, defer)
    except ValueError:       # not the main thread
        handlers = {}
    completed = False
    try:
        yield
        completed = True
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        try:
            for sig in received:
                os.kill(os.getpid(), sig)
        except BaseException as exc:
            exc.outputs_written = completed
            raise


def clean_stale_temporaries(build_dir: Path) -> None:
    """Remove temporary files that a killed build (SIGKILL) may have left, in build/ and its
    sub-folders (``--emit-html`` writes fonts/ and images there)."""
    if build_dir.is_dir():
        for tmp in build_dir.rglob(".*.tmp-*"):
            with contextlib.suppress(OSError):
                if tmp.is_file() or tmp.is_symlink():
                    tmp.unlink()
