"""The V8 that runs citeproc-js (mini-racer), started so that a memory cap cannot abort the build.

V8 reserves tens of GB of address space as it starts and, when it cannot, aborts the whole
process (``FATAL … partition_address_space``, SIGTRAP): no diagnostic, no clean-up.  Under a
memory cap (``ulimit -v``) it is therefore tried first in a child process given the same room
as this one has left; when it does not start there, the build ends with an ``out-of-memory``
error instead.  Without a cap nothing is tried (one child process, once per process, otherwise).
"""
from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

from py_mini_racer import MiniRacer, init_mini_racer

from ..diagnostics import ERROR, Diagnostic, ReaderError

PROBE = """import re, resource, sys
status = open("/proc/self/status").read() if sys.platform.startswith("linux") else ""
used = int(re.search(r"VmSize:\\s+(\\d+) kB", status).group(1)) * 1024 if "VmSize:" in status else 0
resource.setrlimit(resource.RLIMIT_AS, (used + int(sys.argv[1]),) * 2)
from py_mini_racer import MiniRacer
MiniRacer().eval("1")
"""
_STARTED: list[bool] = []


def _address_space_used() -> int:
    """The address space this process uses (bytes; 0 where the system does not say)."""
    try:
        return int(Path("/proc/self/status").read_text().split("VmSize:")[1].split()[0]) * 1024
    except (OSError, IndexError, ValueError):
        return 0


def starts_under(cap: int) -> bool:
    """Does V8 start with the room a cap of *cap* bytes leaves this process?"""
    try:
        return subprocess.run([sys.executable, "-c", PROBE, str(max(0, cap - _address_space_used()))],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, MemoryError, subprocess.TimeoutExpired):
        return False


def start_v8(flags: tuple[str, ...] = ()) -> MiniRacer:
    """A new V8 context (V8 started with *flags* the first time); a ReaderError
    (``out-of-memory``) when memory is capped below what V8 needs."""
    cap = resource.getrlimit(resource.RLIMIT_AS)[0]
    if cap != resource.RLIM_INFINITY and not _STARTED:
        if not starts_under(cap):
            raise ReaderError(Diagnostic(
                "out-of-memory", ERROR, f"the CSL processor (citeproc-js in V8) cannot start: this process may use "
                f"at most {cap // 2**20} MB (ulimit -v), less than V8 reserves; nothing was written; raise the limit "
                "or choose a built-in bibliography style (author-date, plain, unsrt, alpha)"))
        _STARTED.append(True)
    init_mini_racer(flags=flags, ignore_duplicate_init=True)
    return MiniRacer()
