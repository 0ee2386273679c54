"""Writing outputs without ever losing the previous ones.

Every file is written under a temporary name in the same folder, flushed, and
renamed into place; a build takes a lock on ``build/`` so that two builds of
one project cannot interleave.  Temporary files are removed whatever happens.
Every write goes through :mod:`store.files` (the one door for writes).
"""
from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from ..diagnostics import Diagnostic, ERROR, OutputError
from . import files

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


class BuildLock:
    """An exclusive, non-blocking lock on a project's build folder.

    The lock file names the process that holds it.  A lock left by a build that was killed
    is free (the system releases it with the process) and is taken over; *notes* says so."""

    def __init__(self, build_dir: Path):
        self.path = build_dir / LOCK_NAME
        self.fd: int | None = None
        self.notes: list[str] = []

    def __enter__(self):
        try:
            self.fd, stale = files.take_lock(self.path)
        except BlockingIOError:
            raise OutputError(Diagnostic("build-locked", ERROR, "another build of this project is running; "
                                         "wait for it to finish", "build")) from None
        except OSError as exc:
            raise output_error(exc, self.path) from None
        if stale is not None:
            self.notes.append(f"the lock of an earlier build (process {stale}) that did not finish was taken over")
        _HELD_LOCKS.add(self.fd)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            _HELD_LOCKS.discard(self.fd)
            files.release_lock(self.fd)
            self.fd = None
        return False


def output_error(exc: OSError, path: Path | None) -> OutputError:
    """The located error for an output that cannot be written: ``build: error [output-write]: …``."""
    what = _display(path) if path is not None else "the outputs"
    return OutputError(Diagnostic("output-write", ERROR, f"cannot write {what}: {exc.strerror or exc}; "
                                  "the previous outputs are unchanged", "build"))


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
                self.temporary.append(files.temporary_name(path))
                staged.append((files.write_staged(path, data, kind="output"), path))
            previous = {}
            for _, path in staged:
                current = path
                previous.update(self._keep_previous(path))
            current = None
            raise_if_interrupted()
            with _signals_deferred():
                replaced: list[Path] = []
                try:
                    for tmp, path in staged:
                        current = path
                        files.atomic_replace(tmp, path, kind="output")
                        replaced.append(path)
                except OSError:
                    self._roll_back(replaced, previous)
                    raise
            files.fsync_dirs({path.parent for _, path in staged})
            return [path for _, path in staged]
        except OSError as exc:
            raise output_error(exc, current) from None
        finally:
            self.cleanup()

    def _keep_previous(self, path: Path) -> dict[Path, Path]:
        """A second name (a hard link, else a copy) for the output *path*, if it exists already."""
        if not path.is_file() or path.is_symlink():
            return {}
        keep = files.temporary_name(path, "-previous")
        self.temporary.append(keep)
        files.keep_copy(path, keep, kind="output")
        return {path: keep}

    @staticmethod
    def _roll_back(replaced: list[Path], previous: dict[Path, Path]) -> None:
        for path in reversed(replaced):
            with contextlib.suppress(OSError):
                if path in previous:
                    files.atomic_replace(previous[path], path, kind="output")
                else:
                    files.remove(path)

    def cleanup(self) -> None:
        for tmp in self.temporary:
            files.remove(tmp)
        self.temporary.clear()


def _display(path: Path) -> str:
    """``build/print.pdf`` rather than an absolute path, where the path is in a build folder."""
    parts = path.parts
    if "build" in parts[:-1]:
        at = len(parts) - 1 - parts[:-1][::-1].index("build") - 1
        return "/".join(parts[at:])
    return path.name


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


def clean_stale_temporaries(build_dir: Path) -> list[str]:
    """Remove what killed builds (SIGKILL, a power cut) left: temporary files in build/ and its
    sub-folders (``--emit-html`` writes fonts/ and images there; the part cache is in .cache/),
    and their scratch folders in the system temp folder.  Notes saying what was removed."""
    return files.clean_stale(build_dir)
