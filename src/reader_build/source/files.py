"""Reading the project's files: the one module that reads sources from disk.

Every path is resolved inside the project folder; a path that leaves it
(``..``, an absolute path, a symbolic link pointing out) is refused.
Text must be UTF-8; a bad byte is reported with its line and column.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
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


def read_text(project: Path, path: Path, diags: Diagnostics, *, what: str = "file") -> SourceFile | None:
    """Read a text file of the project, or report why it cannot be read."""
    rel = relpath(project, path)
    if not inside(project, path):
        diags.error("outside-project", f"{what} lies outside the project folder (a link pointing out?)", rel)
        return None
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            diags.error("file-too-large", f"{what} is {size // (1024 * 1024)} MB; the limit is "
                        f"{MAX_TEXT_BYTES // (1024 * 1024)} MB", rel)
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        diags.error("file-missing", f"{what} does not exist", rel)
        return None
    except IsADirectoryError:
        diags.error("file-unreadable", f"{what} is a folder, not a file", rel)
        return None
    except (OSError, ValueError) as exc:
        diags.error("file-unreadable", f"{what} cannot be read: {getattr(exc, 'strerror', None) or exc}", rel)
        return None
    text = decode(data, rel, diags)
    if text is None:
        return None
    return SourceFile(rel, text)


def read_bytes(project: Path, path: Path, diags: Diagnostics, *, what: str = "file",
               limit: int = MAX_TEXT_BYTES, code_prefix: str = "file") -> bytes | None:
    rel = relpath(project, path)
    if not inside(project, path):
        diags.error("outside-project", f"{what} lies outside the project folder", rel)
        return None
    try:
        size = path.stat().st_size
        if size > limit:
            diags.error(f"{code_prefix}-too-large",
                        f"{what} is {size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:.0f} MB", rel)
            return None
        return path.read_bytes()
    except FileNotFoundError:
        diags.error(f"{code_prefix}-missing", f"{what} does not exist", rel)
    except IsADirectoryError:
        diags.error("file-unreadable", f"{what} is a folder, not a file", rel)
    except (OSError, ValueError) as exc:
        diags.error("file-unreadable", f"{what} cannot be read: {getattr(exc, 'strerror', None) or exc}", rel)
    return None
