"""One door for writes: no module of the package but ``store/files.py`` writes a file.

The test reads the source of every module (its syntax tree, so that ``str.replace`` is not
taken for ``Path.replace``) and fails on any call that creates, writes, renames, copies or
removes a file outside the door, naming the file and line.  The door's own writes are found
by the same reading (so the test cannot pass by seeing nothing).  The switch that makes
chosen writes fail is tested here too.
"""
from __future__ import annotations

import ast
import errno
import os
from pathlib import Path

import pytest

from reader_build.store import files

# The source tree, not the installed copy: the tests may run against a non-editable install.
PACKAGE = Path(__file__).resolve().parents[2] / "src" / "reader_build"
DOOR = PACKAGE / "store" / "files.py"

# attribute calls that write whatever their receiver (a Path, a module, an object)
WRITING_METHODS = {"write_bytes", "write_text", "mkdir", "touch", "unlink", "rmdir", "symlink_to", "hardlink_to",
                   "rename", "chmod", "write_epub"}
OS_WRITES = {"open", "replace", "rename", "renames", "link", "symlink", "mkdir", "makedirs", "remove", "unlink",
             "rmdir", "removedirs", "truncate", "ftruncate", "write", "pwrite", "mkfifo", "mknod", "chmod", "chown",
             "fdopen"}
SHUTIL_WRITES = {"copy", "copy2", "copyfile", "copyfileobj", "copytree", "move", "rmtree", "copymode", "copystat",
                 "make_archive", "unpack_archive"}
TEMPFILE_READS = {"gettempdir", "gettempdirb", "gettempprefix"}
BUFFERS = {"buffer", "buf", "out", "stream"}


def _mode(call: ast.Call):
    if len(call.args) >= 2:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "mode"), None)


def _writes_open(call: ast.Call) -> bool:
    mode = _mode(call)
    if mode is None:
        return False                   # "r"
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return any(c in mode.value for c in "wax+")
    return True                        # a mode the test cannot read: not allowed outside the door


def violations(source: str) -> list[tuple[int, str]]:
    """(line, what) for every write in *source*."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open" and _writes_open(node):
            found.append((node.lineno, "open(…) for writing"))
        elif isinstance(func, ast.Name) and func.id in ("write_epub", "mkdtemp", "mkstemp"):
            found.append((node.lineno, func.id))
        if not isinstance(func, ast.Attribute):
            continue
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        name = func.attr
        if owner == "files":                                   # the door itself
            continue
        if owner == "os" and name in OS_WRITES:
            found.append((node.lineno, f"os.{name}"))
        elif owner == "io" and name == "open" and _writes_open(node):
            found.append((node.lineno, "io.open for writing"))
        elif owner == "shutil" and name in SHUTIL_WRITES:
            found.append((node.lineno, f"shutil.{name}"))
        elif owner == "tempfile" and name not in TEMPFILE_READS:
            found.append((node.lineno, f"tempfile.{name}"))
        elif name in WRITING_METHODS and owner != "os":
            found.append((node.lineno, f".{name}(…)"))
        elif name == "replace" and len(node.args) == 1 and not node.keywords:      # Path.replace, not str.replace
            found.append((node.lineno, ".replace(target)"))
        elif name == "write_pdf" and (node.args or any(k.arg == "target" for k in node.keywords)):
            found.append((node.lineno, ".write_pdf(target)"))
        elif name == "save" and node.args and not _is_buffer(node.args[0]):
            found.append((node.lineno, ".save(file)"))
    return found


def _is_buffer(arg: ast.expr) -> bool:
    if isinstance(arg, ast.Name):
        return arg.id in BUFFERS
    return isinstance(arg, ast.Call) and getattr(arg.func, "attr", getattr(arg.func, "id", "")) == "BytesIO"


def test_no_module_writes_but_the_door():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 30
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
             for path in modules if path != DOOR
             for line, what in violations(path.read_text(encoding="utf-8"))]
    assert not found, "writes outside store/files.py (use reader_build.store.files):\n" + "\n".join(found)


def test_the_reading_finds_writes():
    """The door's own writes are seen, and each kind of write in a made-up module."""
    assert len(violations(DOOR.read_text(encoding="utf-8"))) >= 8
    sample = '''
import os, shutil, tempfile
open(p, "w"); open(p, mode="ab"); open(p, m); open(p)
p.write_text("x"); p.write_bytes(b""); p.mkdir(); p.unlink(); p.replace(q); "a".replace("a", "b")
os.replace(a, b); os.rename(a, b); shutil.copy2(a, b); shutil.copytree(a, b); shutil.which("x")
tempfile.mkdtemp(); tempfile.TemporaryDirectory(); tempfile.gettempdir()
doc.write_pdf("x.pdf"); doc.write_pdf(); pdf.save("x.pdf"); pdf.save(buffer)
files.write_bytes(p, b"", kind="output")
'''
    lines = [what for _line, what in violations(sample)]
    assert lines.count("open(…) for writing") == 3
    for what in (".write_text(…)", ".write_bytes(…)", ".mkdir(…)", ".unlink(…)", ".replace(target)",
                 "os.replace", "os.rename", "shutil.copy2", "shutil.copytree", "tempfile.mkdtemp",
                 "tempfile.TemporaryDirectory", ".write_pdf(target)", ".save(file)"):
        assert what in lines, what
    assert len(lines) == 16, lines


# --- the switch ---------------------------------------------------------------------------

def test_fault_specs():
    assert files.parse_faults("3:ENOSPC") == {(None, 3): errno.ENOSPC}
    assert files.parse_faults("cache:1:EIO, 7:13") == {("cache", 1): errno.EIO, (None, 7): 13}
    for bad in ("x:ENOSPC", "3:ENOTANERRNO", "parts:1:EIO", "1:2:3:4"):
        with pytest.raises(ValueError):
            files.parse_faults(bad)


def test_the_nth_write_fails_and_leaves_nothing(tmp_path):
    target = tmp_path / "a.txt"
    files.write_text(target, "old", kind="output")
    with files.recording() as log:
        files.write_text(tmp_path / "b.txt", "b", kind="cache")
        files.write_text(target, "new", kind="output")
    assert [(w.number, w.kind, w.op) for w in log] == [(1, "cache", "write_bytes"), (2, "output", "write_bytes")]
    with files.inject("2:ENOSPC"):
        files.write_text(tmp_path / "b.txt", "b2", kind="cache")
        with pytest.raises(OSError) as info:
            files.write_text(target, "newer", kind="output")
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]      # no temporary left


def test_the_switch_by_kind_and_by_environment(tmp_path, monkeypatch):
    with files.inject("cache:2:EACCES"):
        files.write_bytes(tmp_path / "o", b"", kind="output")
        files.write_bytes(tmp_path / "c1", b"", kind="cache")
        with pytest.raises(PermissionError):
            files.write_bytes(tmp_path / "c2", b"", kind="cache")
    monkeypatch.setenv(files.FAULT_ENV, "1:EIO")
    with files.recording():                       # counts from here; the plan comes from the environment
        with pytest.raises(OSError) as info:
            files.make_dirs(tmp_path / "new" / "folder", kind="output")
    assert info.value.errno == errno.EIO and not (tmp_path / "new").exists()


def test_a_scratch_folder_of_a_dead_process_is_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(files.tempfile, "tempdir", str(tmp_path))
    dead = _dead_pid()
    orphan = tmp_path / f"{files.TEMP_PREFIX}{dead}-abcd"
    orphan.mkdir()
    (orphan / "settled.json").write_text("{}")       # noqa: the test's own fixture
    alive = tmp_path / f"{files.TEMP_PREFIX}{os.getppid()}-{files.start_time(os.getppid())}-efgh"
    alive.mkdir()
    reused = tmp_path / f"{files.TEMP_PREFIX}{os.getppid()}-1-ijkl"     # its PID now another process's
    reused.mkdir()
    build = tmp_path / "build"
    (build / "fonts").mkdir(parents=True)
    (build / "fonts" / ".x.otf.tmp-99999").write_bytes(b"half")
    notes = files.clean_stale(build)
    assert not orphan.exists() and not reused.exists() and alive.exists()
    assert list(build.rglob("*.tmp-*")) == []
    assert len(notes) == 2 and "temporary file(s) in build/" in notes[0] and "scratch folder(s)" in notes[1]


def _dead_pid() -> int:
    import subprocess
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
