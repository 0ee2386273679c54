"""Reading the project's files: the one module that reads sources from disk.

Every path is resolved inside the project folder; a path that leaves it
(``..``, an absolute path, a symbolic link pointing out) is refused.
Text must be UTF-8; a bad byte is reported with its line and column.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Diagnostics, ERROR

MAX_TEXT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A text file of the project: its path relative to the project, and its text."""

    path: str          # relative to the project, with forward slashes
    text: str


def relpath(project: Path, path: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return path.as_posix()


def inside(project: Path, path: Path) -> bool:
    """True when *path*, with every link resolved, lies inside *project*."""
    try:
        real = path.resolve(strict=False)
        root = project.resolve(strict=False)
    except (OSError, RuntimeError, ValueError):     # ValueError: a NUL byte in the name
        return False
    return real == root or root in real.parents


def safe_path(project: Path, reference: str, base: Path | None = None) -> Path | None:
    """Resolve *reference* (relative to *base*, default the project) inside the project."""
    if not reference or "\0" in reference or reference.startswith(("/", "\\")) or "://" in reference \
            or reference.startswith("file:") or os.path.isabs(reference):
        return None
    candidate = (base or project) / reference
    if not inside(project, candidate):
        return None
    return candidate


def decode(data: bytes, path: str, diags: Diagnostics, code: str = "not-utf8") -> str | None:
    """Decode UTF-8, reporting the first bad byte by line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        diags.add(Diagnostic(code, ERROR,
                             f"the file is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; "
                             "save the file as UTF-8", path, line, col))
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Outside:
    """A path that leads out of the project (through a link): never read."""
    target: str | None        # where the link points, when the path is itself a link


@dataclass(frozen=True)
class TooLarge:
    """A file larger than the limit: not read."""
    size: int


Loaded = "bytes | Outside | TooLarge | OSError | ValueError"   # what reading one path gave


def load(project: Path, path: Path, limit: int = MAX_TEXT_BYTES):
    """Read one file of the project: its bytes, or why it was not read (:data:`Loaded`)."""
    if not inside(project, path):
        try:
            return Outside(os.readlink(path))
        except (OSError, ValueError):
            return Outside(None)
    try:
        size = path.stat().st_size
        if size > limit:
            return TooLarge(size)
        return path.read_bytes()
    except (OSError, ValueError) as exc:
        return exc


@dataclass(frozen=True)
class SourceTree:
    """Every file of a project's sources, read once (the read stage), and any other file a
    build asks for, read once on the first request (packaged styles and templates, a chapter
    listed outside the source folders).  Every stage takes a file's bytes from here.

    *entries* maps a path (project-relative; absolute for a file outside the project folder,
    such as a packaged stylesheet) to what reading it gave: its bytes, :class:`Outside`,
    :class:`TooLarge` or the exception.  *folders* holds the folders that could not be
    listed, *links* the project paths that are symbolic links."""

    root: Path
    entries: dict = field(default_factory=dict)
    folders: dict = field(default_factory=dict)
    links: frozenset = frozenset()
    scanned: tuple = ()              # the keys of *entries* read by the read stage, in path order

    def load(self, path: Path, *, packaged: bool = False):
        """What reading *path* gave (read now if it is not in the tree yet).  A *packaged* file
        (of reader-build itself) is read without the project-folder check."""
        key = relpath(self.root, path)
        if key not in self.entries:
            if packaged:
                try:
                    self.entries[key] = path.read_bytes()
                except (OSError, ValueError) as exc:
                    self.entries[key] = exc
            else:
                self.entries[key] = load(self.root, path)
        return self.entries[key]


def read_text(project: Path, path: Path, diags: Diagnostics, *, what: str = "file",
              tree: SourceTree | None = None) -> SourceFile | None:
    """Read a text file of the project (from *tree* when given), or report why it cannot be read."""
    rel = relpath(project, path)
    data = tree.load(path) if tree is not None else load(project, path)
    if isinstance(data, Outside):
        diags.error("outside-project", f"{what} lies outside the project folder (a link pointing out?)", rel)
        return None
    if isinstance(data, TooLarge):
        diags.error("file-too-large", f"{what} is {data.size // (1024 * 1024)} MB; the limit is "
                    f"{MAX_TEXT_BYTES // (1024 * 1024)} MB", rel)
        return None
    if isinstance(data, BaseException):
        _report_unread(data, rel, what, "file", diags)
        return None
    text = decode(data, rel, diags)
    if text is None:
        return None
    return SourceFile(rel, text)


def _report_unread(exc: BaseException, rel: str, what: str, code_prefix: str, diags: Diagnostics) -> None:
    if isinstance(exc, FileNotFoundError):
        diags.error("file-missing" if code_prefix == "file" else f"{code_prefix}-missing", f"{what} does not exist", rel)
    elif isinstance(exc, IsADirectoryError):
        diags.error("file-unreadable", f"{what} is a folder, not a file", rel)
    else:
        diags.error("file-unreadable", f"{what} cannot be read: {getattr(exc, 'strerror', None) or exc}", rel)


def read_bytes(project: Path, path: Path, diags: Diagnostics, *, what: str = "file",
               limit: int = MAX_TEXT_BYTES, code_prefix: str = "file", tree: SourceTree | None = None) -> bytes | None:
    """Read a file of the project (from *tree* when given), or report why it cannot be read."""
    rel = relpath(project, path)
    data = tree.load(path) if tree is not None else load(project, path, limit)
    if isinstance(data, Outside):
        diags.error("outside-project", f"{what} lies outside the project folder", rel)
        return None
    size = data.size if isinstance(data, TooLarge) else len(data) if isinstance(data, bytes) else 0
    if size > limit:
        diags.error(f"{code_prefix}-too-large",
                    f"{what} is {size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:.0f} MB", rel)
        return None
    if isinstance(data, BaseException):
        _report_unread(data, rel, what, code_prefix, diags)
        return None
    return data
