"""The one door through which reader-build writes files.

Every file the tool creates, writes, renames or removes goes through this module: the
editions and the manifest (:class:`store.output.AtomicWriter`), the build lock, the caches
(``store/cache.py``, ``store/parts.py``), the layout's scratch folder in the system temp
folder, ``new``, ``template --copy``, ``index suggest``, the web edition.  A test
(``tests/store/test_one_door.py``) reads the whole package and fails on a write anywhere
else (``open(…, "w")``, ``write_bytes``, ``write_text``, ``shutil.copy*``, ``os.replace``,
``mkdir``, ``tempfile``…).  Reading is not this module's business.

Every call names the *kind* of file it writes, one of :data:`KINDS`: ``"output"`` (what a
build or command delivers), ``"cache"`` (``build/.cache/``: may fail without failing the
build), ``"temp"`` (scratch files in the system temp folder), ``"lock"`` and ``"project"``
(files written into the user's project: ``new``, ``template --copy``, ``index suggest``).

The API (paths are :class:`pathlib.Path` or ``str``)::

    write_bytes(path, data, *, kind, durable=False)  the whole file, atomically: written beside it
    write_text(path, text, *, kind, durable=False)   as .NAME.tmp-PID, renamed over it; UTF-8 text
    write_new(path, data, *, kind) -> bool           a new file, never over an existing one
    write_staged(path, data, *, kind) -> Path        .NAME.tmp-PID beside *path*, written and fsynced
                                                     (for a caller that renames many files at once)
    atomic_replace(src, dst, *, kind)                rename *src* over *dst*
    keep_copy(src, dst, *, kind)                     a hard link (else a copy) of *src* at *dst*
    make_dirs(path, *, kind)                         mkdir -p
    copy(src, dst, *, kind)                          one file, with its times
    copy_tree(src, dst, *, kind)                     a folder, symbolic links kept as links
    remove(path) -> bool / remove_tree(path)         best effort: never raise
    make_temporary_folder() -> Path                  reader-build-PID-XXXX in the system temp folder
    temporary_folder()                               the same as a context manager, removed after
    clean_stale(build_dir) -> list[str]              temporaries of killed builds removed (notes)
    take_lock(path) -> (fd, previous owner or None)  exclusive, non-blocking flock; BlockingIOError
    release_lock(fd)                                 when another process holds it
    fsync_dirs(folders)                              best effort

A failure raises :class:`OSError` with its errno and file name; the caller decides what it
means (an ``output-write`` error, a ``cache-write`` warning…).  A temporary file of a write
that fails is removed before the error is raised.

**Fault injection** (for the tests).  The environment variable ``READER_BUILD_FAULT`` makes
chosen writes of a process fail: ``"N:ERRNO"`` the Nth counted write, ``"KIND:N:ERRNO"`` the
Nth of that kind, several separated by commas (``"3:ENOSPC"``, ``"cache:1:EIO,7:EACCES"``).
In-process, :func:`inject` does the same and :func:`recording` lists the counted writes
(:class:`Write`).  One call of a function above is one counted write (``remove``,
``remove_tree``, ``release_lock`` and ``fsync_dirs`` are not counted; ``make_dirs`` only
when it creates a folder).
"""
from __future__ import annotations

import contextlib
import errno as errnos
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

KINDS = ("output", "cache", "temp", "lock", "project")
FAULT_ENV = "READER_BUILD_FAULT"
TEMP_PREFIX = "reader-build-"           # + PID-STARTTIME-: the folders of the system temp folder


# -- fault injection -----------------------------------------------------------------

@dataclass(frozen=True)
class Write:
    """One counted write: its number in the process (from 1), kind, operation and path."""
    number: int
    kind: str
    op: str
    path: str


def parse_faults(spec: str) -> dict[tuple[str | None, int], int]:
    """``"3:ENOSPC,cache:1:EIO"`` -> {(None, 3): ENOSPC, ("cache", 1): EIO}."""
    plan = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        *kind, number, name = item.split(":")
        code = int(name) if name.isdigit() else getattr(errnos, name.upper(), None)
        if code is None or not number.isdigit() or len(kind) > 1 or (kind and kind[0] not in KINDS):
            raise ValueError(f"{FAULT_ENV}: cannot understand {item!r} (N:ERRNO or KIND:N:ERRNO)")
        plan[(kind[0] if kind else None, int(number))] = code
    return plan


class _Switch:
    """The writes counted so far in this process, and the faults asked for."""

    def __init__(self):
        self.reset()

    def reset(self, plan: dict | None = None, log: list | None = None) -> None:
        self.count, self.by_kind = 0, dict.fromkeys(KINDS, 0)
        self.plan, self.log = plan, log

    def plan_now(self) -> dict:
        if self.plan is not None:
            return self.plan
        spec = os.environ.get(FAULT_ENV, "")
        return parse_faults(spec) if spec else {}

    def door(self, op: str, kind: str, path) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of write {kind!r}")
        self.count += 1
        self.by_kind[kind] += 1
        if self.log is not None:
            self.log.append(Write(self.count, kind, op, str(path)))
        plan = self.plan_now()
        code = plan.get((None, self.count)) or plan.get((kind, self.by_kind[kind]))
        if code:
            raise OSError(code, os.strerror(code), str(path))


_SWITCH = _Switch()


@contextlib.contextmanager
def inject(spec: str):
    """Within the block, the writes asked for by *spec* (as ``READER_BUILD_FAULT``) fail;
    the writes are counted from the start of the block."""
    _SWITCH.reset(parse_faults(spec))
    try:
        yield
    finally:
        _SWITCH.reset()


@contextlib.contextmanager
def recording():
    """The counted writes of the block, as a list of :class:`Write` filled while it runs."""
    log: list[Write] = []
    _SWITCH.reset(None, log)
    try:
        yield log
    finally:
        _SWITCH.reset()


# -- writing -------------------------------------------------------------------------

def temporary_name(path: Path, suffix: str = "") -> Path:
    """``.NAME.tmp-PID`` beside *path* (:func:`clean_stale` finds what a killed build left)."""
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid()}{suffix}")


def _write_file(path: Path, data: bytes, durable: bool) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        if durable:
            os.fsync(fh.fileno())


def make_dirs(path, *, kind: str) -> None:
    path = Path(path)
    if not path.is_dir():
        _SWITCH.door("make_dirs", kind, path)
        path.mkdir(parents=True, exist_ok=True)


def write_bytes(path, data: bytes, *, kind: str, durable: bool = False) -> None:
    """Write the whole of *path* atomically: a reader sees the old file or the new one."""
    path = Path(path)
    make_dirs(path.parent, kind=kind)
    _SWITCH.door("write_bytes", kind, path)
    tmp = temporary_name(path)
    try:
        _write_file(tmp, data, durable)
        os.replace(tmp, path)
    except BaseException:
        remove(tmp)
        raise


def write_new(path, data: bytes, *, kind: str) -> bool:
    """Write a new file at *path* (its folders made as needed), never over an existing one:
    False, and nothing written, when *path* exists.  The file appears whole or not at all."""
    path = Path(path)
    make_dirs(path.parent, kind=kind)
    if path.exists() or path.is_symlink():
        return False
    _SWITCH.door("write_new", kind, path)
    tmp = temporary_name(path)
    try:
        _write_file(tmp, data, durable=True)
        os.link(tmp, path)            # fails, atomically, when the name is taken
    except FileExistsError:
        return False
    finally:
        remove(tmp)
    return True


def write_text(path, text: str, *, kind: str, durable: bool = False) -> None:
    write_bytes(path, text.encode("utf-8"), kind=kind, durable=durable)


def write_staged(path, data: bytes, *, kind: str, suffix: str = "") -> Path:
    """Write *data* in full to the temporary name of *path*, and fsync it; its name."""
    path = Path(path)
    make_dirs(path.parent, kind=kind)
    tmp = temporary_name(path, suffix)
    _SWITCH.door("write_staged", kind, path)
    try:
        _write_file(tmp, data, durable=True)
    except BaseException:
        remove(tmp)
        raise
    return tmp


def atomic_replace(src, dst, *, kind: str) -> None:
    _SWITCH.door("atomic_replace", kind, dst)
    os.replace(src, dst)


def keep_copy(src, dst, *, kind: str) -> None:
    """A second name for *src* at *dst*: a hard link where the file system allows, else a copy."""
    _SWITCH.door("keep_copy", kind, dst)
    remove(dst)
    try:
        os.link(src, dst)
    except OSError:
        try:
            shutil.copy2(src, dst)
        except BaseException:
            remove(dst)
            raise


def copy(src, dst, *, kind: str) -> None:
    make_dirs(Path(dst).parent, kind=kind)
    _SWITCH.door("copy", kind, dst)
    shutil.copy2(src, dst)


def copy_tree(src, dst, *, kind: str) -> None:
    _SWITCH.door("copy_tree", kind, dst)
    shutil.copytree(src, dst, symlinks=True)


def remove(path) -> bool:
    """Remove a file if it is there; False when it could not be removed."""
    try:
        Path(path).unlink(missing_ok=True)
        return True
    except OSError:
        return False


def remove_tree(path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def make_temporary_folder() -> Path:
    """A new folder in the system temp folder, named after this process: its PID and the time it
    started, so that a process that took the PID of a killed build is not taken for it (see
    :func:`clean_stale`)."""
    _SWITCH.door("make_temporary_folder", "temp", tempfile.gettempdir())
    pid = os.getpid()
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{pid}-{start_time(pid) or 0}-"))


@contextlib.contextmanager
def temporary_folder():
    folder = make_temporary_folder()
    try:
        yield folder
    finally:
        remove_tree(folder)


def fsync_dirs(folders) -> None:
    """Make renames durable (best effort; not every system can open a folder)."""
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# -- what a killed build leaves -------------------------------------------------------

def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:            # another user's process
        return True
    return True


def start_time(pid: int) -> str | None:
    """When process *pid* started (clock ticks since boot, from /proc), if it can be known."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _owner_gone(name: str) -> bool:
    """Has the process that made the scratch folder ``reader-build-PID-STARTTIME-…`` ended?"""
    pid, started, *_rest = name[len(TEMP_PREFIX):].split("-") + ["", ""]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    if not process_alive(int(pid)):
        return True
    now = start_time(int(pid)) if started.isdigit() and started != "0" else None
    return now is not None and now != started         # the PID was taken by another process since


def clean_stale(build_dir: Path) -> list[str]:
    """Remove what killed builds left: temporary files in *build_dir* and its sub-folders (the
    caller holds the build lock, so none of them is being written), and the scratch folders in
    the system temp folder whose process is gone.  A note for each kind of thing removed."""
    build_dir = Path(build_dir)
    files = 0
    if build_dir.is_dir():
        for tmp in build_dir.rglob(".*.tmp-*"):
            if (tmp.is_file() or tmp.is_symlink()) and remove(tmp):
                files += 1
    folders = 0
    with contextlib.suppress(OSError):
        for folder in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
            if folder.is_dir() and _owner_gone(folder.name):
                remove_tree(folder)
                folders += not folder.exists()
    notes = []
    if files:
        notes.append(f"removed {files} temporary file(s) in {build_dir.name}/ left by a build that was killed")
    if folders:
        notes.append(f"removed {folders} scratch folder(s) in {tempfile.gettempdir()} left by a build that was killed")
    return notes


# -- the lock -------------------------------------------------------------------------

def take_lock(path) -> tuple[int, int | None]:
    """Lock *path* (created if need be) for this process; the PID that the lock file names, if a
    process that held it ended without releasing it (killed).  Raises BlockingIOError when
    another process holds the lock."""
    path = Path(path)
    make_dirs(path.parent, kind="lock")
    _SWITCH.door("take_lock", "lock", path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        previous = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    stale = int(previous) if previous.isdigit() and int(previous) != os.getpid() else None
    return fd, stale


def release_lock(fd: int) -> None:
    """Empty the lock file (a clean end), unlock and close it."""
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        os.close(fd)
