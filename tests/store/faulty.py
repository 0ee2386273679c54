"""Helpers of the fault tests (as tests/pipeline/test_bad_input.py has them for bad input)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reader_build.cli import main


@pytest.fixture(autouse=True)
def no_validators(monkeypatch):
    """`check` would run EPUBCheck and Ace on a built e-book: not the subject here."""
    import reader_build.validators as validators
    for name in ("run_epubcheck", "run_ace"):
        monkeypatch.setattr(validators, name, lambda *args, **kwargs: [])


def built_copy(built: dict, dst: Path) -> Path:
    """A copy of a built project, build/ and its cache included."""
    shutil.copytree(built["root"], dst, symlinks=True)
    return dst


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under build/ but the cache and the lock (it names the process that holds it), by
    relative path, with its bytes."""
    build = root / "build"
    if not build.is_dir():
        return {}
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.relative_to(build).parts[0] != ".cache"
            and p.name != ".reader-build.lock"}


def temporaries(root: Path) -> list[Path]:
    """Temporary files left under build/ (``.NAME.tmp-PID…``), the cache included."""
    build = root / "build"
    return sorted({*build.rglob(".*.tmp-*"), *build.rglob(".*.tmp")}) if build.is_dir() else []


def run_cli(capsys, *argv) -> tuple[int, str]:
    """``reader-build ARGV`` in this process: (exit status, stdout + stderr)."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def doc_cells(doc: Path) -> set[str]:
    """The table cells of a Markdown page (each line of a cell), without their code quotes."""
    text = doc.read_text(encoding="utf-8")
    return {c.strip().strip("`").strip().replace("\\|", "|") for row in re.findall(r"^\|.*\|$", text, re.M)
            for c in re.split(r"(?<!\\)\|", row) for c in c.split("<br>")}
