"""What the user is told when a layout cannot finish for want of a machine: a worker process
that died (killed, out of memory) or a layout that ran out of memory (``ulimit -v``).

Both end the build at once, with a located error, before anything is written.
"""
from __future__ import annotations

import contextlib
import mmap
import resource
import signal
import threading
from concurrent.futures import InvalidStateError

from ..diagnostics import ERROR, Diagnostic
from ..model import Reader

HINT = "nothing was written; free some memory, raise the limit or build with --jobs 1"


def memory_cap() -> int | None:
    """The most memory (address space) this process may use, in bytes, if capped (``ulimit -v``)."""
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return None
    return None if soft == resource.RLIM_INFINITY else soft


def memory_available() -> int | None:
    """The memory the system can still give without swapping (``MemAvailable``), in bytes; None
    where /proc/meminfo does not tell."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def room_for_threads(threads: int = 2) -> bool:
    """Under a memory cap: can this process still map the stacks of *threads* new threads, and
    some memory besides?  A thread whose stack is mapped but whose start then runs out of memory
    never says it started, and ``Thread.start`` waits for it for ever (the worker pool starts two:
    its manager and its queue's feeder)."""
    try:
        stack = threading.stack_size() or resource.getrlimit(resource.RLIMIT_STACK)[0]
    except (OSError, ValueError):
        stack = 0
    if stack <= 0 or stack == resource.RLIM_INFINITY:
        stack = 8 * 2**20
    try:
        probe = mmap.mmap(-1, threads * stack + 8 * 2**20)
    except (OSError, MemoryError, ValueError):
        return False
    probe.close()
    return True


def memory_limit() -> str:
    """' (this process may use at most 600 MB: ulimit -v)' when the address space is capped."""
    cap = memory_cap()
    return "" if cap is None else f" (this process may use at most {cap // (1024 * 1024)} MB: ulimit -v)"


def where(reader: Reader, part: str) -> tuple[str, str]:
    """The file to name for a part (its chapter's source, else build/) and how to say the part."""
    for chapter in reader.chapters:
        if chapter.id == part:
            return chapter.parsed.path, f"the chapter '{part}'"
    return "build", f"the part {part}"


def how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "it ended abruptly"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def worker_died(reader: Reader, edition: str, part: str, exitcode: int | None) -> Diagnostic:
    """``worker-died``; ``out-of-memory`` when memory is capped (the libraries of the layout abort
    when they cannot have memory or start a thread: the worker dies of SIGABRT or SIGTRAP)."""
    path, what = where(reader, part)
    died = f"the worker process laying out {what} of edition '{edition}' died ({how_it_ended(exitcode)})"
    if memory_cap() is not None:
        return Diagnostic("out-of-memory", ERROR, f"{died}: it ran out of memory{memory_limit()}; {HINT}", path)
    cause = "; it may have run out of memory" if exitcode in (-signal.SIGKILL, None) else ""
    return Diagnostic("worker-died", ERROR, f"{died}{cause}; {HINT}", path)


def out_of_memory(reader: Reader | None, edition: str | None, part: str | None) -> Diagnostic:
    if reader is not None and part is not None:
        path, what = where(reader, part)
        doing = f"laying out {what} of edition '{edition}'"
    else:
        path, doing = "build", "the build"
    return Diagnostic("out-of-memory", ERROR, f"{doing} ran out of memory{memory_limit()}; {HINT}", path)


def layout_ran_out_of_memory(exc: BaseException) -> bool:
    """Did a layout fail for want of memory?  A ``MemoryError``; or, when memory is capped, a
    ``SystemError`` ("error return without exception set"): a C library of the layout (Pango,
    HarfBuzz through cffi) that could not allocate returns an error without a Python exception."""
    return isinstance(exc, MemoryError) or (isinstance(exc, SystemError) and memory_cap() is not None)


def thread_failed_for_memory(exc: BaseException | None) -> bool:
    """Did a thread fail for want of memory (no memory for a new thread's stack, or none at all)?"""
    return isinstance(exc, MemoryError) or (isinstance(exc, RuntimeError) and "can't start new thread" in str(exc))


class Stranded:
    """The futures of a process pool, failed with MemoryError when a thread of this process dies
    for want of memory while they wait.

    The pool's own threads (the one that hands parts to the workers starts another to feed their
    queue) can fail to start under a memory cap (``ulimit -v``): the thread that meets the failure
    ends, and the futures it should have completed would be waited for forever.  While installed
    (:data:`threading.excepthook`, restored by :meth:`uninstall`), such a failure fails every
    future tracked, or tracked later, instead; other exceptions go to the previous hook."""

    def __init__(self):
        self.lock = threading.Lock()
        self.futures: list = []
        self.failed = False
        self.previous = None

    def install(self) -> None:
        if self.previous is None:
            self.previous, threading.excepthook = threading.excepthook, self.hook

    def uninstall(self) -> None:
        if self.previous is not None and threading.excepthook == self.hook:
            threading.excepthook = self.previous
        self.previous = None

    def track(self, future):
        with self.lock:
            self.futures = [f for f in self.futures if not f.done()] + [future]
            if self.failed:
                self.fail(future)
        return future

    def hook(self, args) -> None:
        if not thread_failed_for_memory(args.exc_value):
            (self.previous or threading.__excepthook__)(args)
            return
        with self.lock:
            self.failed = True
            for future in self.futures:
                self.fail(future)

    @staticmethod
    def fail(future) -> None:
        if not future.done():
            with contextlib.suppress(InvalidStateError):
                future.set_exception(MemoryError("a thread of the layout could not be started"))
