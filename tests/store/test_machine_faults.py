"""Faults of the machine, made for real: a full file system (a small tmpfs over build/), a
project or build/ that cannot be written and sources that cannot be read (root without its
power to override permissions), a layout worker killed, a build killed with its leftovers,
memory capped with ``ulimit -v`` (the layout, the CSL processor), and the layout's scratch
file that cannot be written."""
from __future__ import annotations

import errno
import json
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, copy_project, write_project
from faulty import built_copy, no_validators, run_cli, snapshot, temporaries  # noqa: F401

from reader_build.pdf.failures import Stranded
from reader_build.store import files

SRC = Path(__file__).resolve().parents[2] / "src"
DEFAULT_SIGNALS = {"preexec_fn": lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL),
                                          signal.signal(signal.SIGTERM, signal.SIG_DFL))}


@pytest.fixture
def project(minimal_built, tmp_path) -> Path:
    return built_copy(minimal_built, tmp_path / "reader")


def _change_text(root: Path, old: str = "Second paragraph.", new: str = "Second paragraph, revised.") -> None:
    chapter = root / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text().replace(old, new))


def _reader_build(*args, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-m", "reader_build", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600, **kwargs)


# --- a full file system -------------------------------------------------------------------

@pytest.fixture
def small_tmpfs(project):
    """build/ on a tmpfs of 8 MB that holds the previous build and is then filled up."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8); the tests do not run as root here")
    build = project / "build"
    saved = project.parent / "saved-build"
    shutil.copytree(build, saved, symlinks=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(build)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    try:
        shutil.copytree(saved, build, symlinks=True, dirs_exist_ok=True)
        yield build
    finally:
        subprocess.run(["umount", "-l", str(build)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of *folder* but for about *leave* bytes."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with open(folder / "filler", "wb") as fh:          # noqa: the test's own file
        fh.write(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("leave", [0, 60_000], ids=["full", "nearly-full"])
def test_a_full_file_system_under_build(project, small_tmpfs, capsys, leave):
    _change_text(project)
    _fill(small_tmpfs, leave)
    before = snapshot(project)
    status, output = run_cli(capsys, "build", project)
    assert "Traceback" not in output, output
    assert status == 1, output
    lines = output.splitlines()
    assert any(line.startswith("build: error [output-write]: cannot write build/")
               and line.endswith(": No space left on device; the previous outputs are unchanged") for line in lines)
    cache = [line for line in lines if "[cache-write]" in line]
    assert len(cache) <= 1 and all("No space left on device" in line for line in cache), output
    assert snapshot(project) == before
    assert temporaries(project) == []
    (small_tmpfs / "filler").unlink()                      # space again: the next build succeeds
    status, output = run_cli(capsys, "build", project)
    assert status == 0, output


# --- permissions ------------------------------------------------------------------------------

NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
               "--inh-caps=-dac_override,-dac_read_search"]


@pytest.fixture
def as_a_user():
    """Run reader-build as root without the power to override file permissions (as root, chmod stops
    nothing): files owned by root and not writable (or readable) by their owner are then refused."""
    if os.geteuid() != 0:
        return lambda *args: _reader_build(*args)        # an ordinary user: permissions apply already
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is not installed: as root, permissions cannot be made to apply")
    probe = subprocess.run([*NO_OVERRIDE, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop the capabilities here: {probe.stderr.strip()}")
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return lambda *args: subprocess.run([*NO_OVERRIDE, sys.executable, "-m", "reader_build", *map(str, args)],
                                        capture_output=True, text=True, env=env, timeout=600)


def _read_only(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o555)


def _writable(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)


def test_a_read_only_build_folder(project, as_a_user):
    _change_text(project)
    before = snapshot(project)
    _read_only(project / "build")
    try:
        result = as_a_user("build", project, "--quiet")
    finally:
        _writable(project / "build")
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    assert any(line.startswith("build: error [output-write]: cannot write build/")
               and line.endswith(": Permission denied; the previous outputs are unchanged")
               for line in output.splitlines()), output
    assert snapshot(project) == before and temporaries(project) == []


def test_a_read_only_project_never_built(minimal, as_a_user):
    _read_only(minimal)
    try:
        result = as_a_user("build", minimal, "--quiet")
    finally:
        _writable(minimal)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    assert ("build: error [output-write]: cannot write build/.reader-build.lock: Permission denied; the previous "
            "outputs are unchanged") in output.splitlines()
    assert not (minimal / "build").exists()


def test_new_in_a_read_only_folder(tmp_path, as_a_user):
    _read_only(tmp_path)
    try:
        result = as_a_user("new", tmp_path / "reader")
    finally:
        _writable(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    assert "Permission denied" in output and not (tmp_path / "reader").exists()


@pytest.mark.parametrize("what, expected", [
    ("manuscript/one.md", "manuscript/one.md: error [file-unreadable]: the chapter cannot be read: Permission denied"),
    ("bibliography/refs.bib",
     "bibliography/refs.bib: error [file-unreadable]: the bibliography cannot be read: Permission denied"),
    ("styles", "styles: error [file-unreadable]: the folder cannot be read: Permission denied"),
    ("styles/extra.css", "styles/extra.css: error [file-unreadable]: the file cannot be read: Permission denied"),
    ("manuscript", "manuscript: error [file-unreadable]: the folder cannot be read: Permission denied"),
], ids=["chapter", "bibliography", "styles-folder", "stylesheet", "manuscript-folder"])
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_source_that_cannot_be_read(project, as_a_user, what, expected, command):
    (project / "styles").mkdir(exist_ok=True)
    (project / "styles" / "extra.css").write_text("p { color: black; }\n")
    _change_text(project)
    before = snapshot(project)
    (project / what).chmod(0)
    try:
        result = as_a_user(command, project)
    finally:
        (project / what).chmod(0o755 if (project / what).is_dir() else 0o644)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    assert expected in output.splitlines(), output
    assert snapshot(project) == before and temporaries(project) == []


# --- a worker that dies, a build that is killed ----------------------------------------------

@pytest.fixture
def big_project(minimal_built, tmp_path) -> Path:
    """The bundled reader (a long layout), with the editions of an earlier build in build/."""
    root = copy_project(REPO, tmp_path / "reader")
    shutil.copytree(minimal_built["root"] / "build", root / "build")
    return root


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _scratch_folders(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"{files.TEMP_PREFIX}{pid}-*"))


def _start(root: Path, out) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.Popen([sys.executable, "-m", "reader_build", "build", str(root), "--jobs", "2"], stdout=out,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True, **DEFAULT_SIGNALS)


def _wait_for_workers(proc: subprocess.Popen) -> list[int]:
    for _ in range(1200):                       # the workers start with the first part to lay out
        workers = _children(proc.pid)
        if len(workers) >= 2 and _scratch_folders(proc.pid):
            time.sleep(1)                        # well into a layout
            return _children(proc.pid)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail("the build never started its workers")


def test_a_killed_worker_ends_the_build_at_once(big_project):
    before = snapshot(big_project)
    with tempfile.TemporaryFile() as out:
        proc = _start(big_project, out)
        try:
            workers = _wait_for_workers(proc)
            os.kill(workers[0], signal.SIGKILL)
            killed = time.monotonic()
            status = proc.wait(timeout=120)      # (it never hangs)
            took = time.monotonic() - killed
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        output = out.read().decode()
    print(f"\na worker killed with SIGKILL: the build ended {took:.1f} s later")
    assert status == 1 and "Traceback" not in output, output
    died = [line for line in output.splitlines() if "error [worker-died]" in line]
    assert len(died) == 1, output
    assert "died (killed by SIGKILL)" in died[0] and "of edition 'print'" in died[0], output
    assert died[0].startswith(("manuscript/", "build: ")), died[0]
    assert snapshot(big_project) == before and temporaries(big_project) == []
    assert _scratch_folders(proc.pid) == []
    assert _children(proc.pid) == []


def test_the_leftovers_of_a_killed_build_are_removed_by_the_next(big_project, capsys):
    """SIGKILL to the build and its workers (a power cut, as far as the disk knows): its lock names
    it, its scratch folder stays; the next build takes the lock over and removes the leftovers."""
    chapter = big_project / "manuscript" / "05-dulles-khrushchev.md"
    original = chapter.read_text()
    chapter.write_text(original.replace("no source has been found", "no source has yet been found"))
    with tempfile.TemporaryFile() as out:
        proc = _start(big_project, out)
        try:
            _wait_for_workers(proc)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    scratch = _scratch_folders(proc.pid)
    assert scratch, "the killed build left no scratch folder (nothing to test)"
    assert (big_project / "build" / ".reader-build.lock").read_text().strip() == str(proc.pid)
    (big_project / "build" / f".print.pdf.tmp-{proc.pid}").write_bytes(b"half an edition")
    chapter.write_text(original)
    # the next build: only the minimal project's editions were ever made here, so it makes the
    # bundled ones; the leftovers go first
    status, output = run_cli(capsys, "build", big_project, "--edition", "ebook")
    assert status == 0, output
    notes = [line for line in output.splitlines() if line.startswith("reader-build: note: ")]
    assert f"reader-build: note: the lock of an earlier build (process {proc.pid}) that did not finish was " \
           "taken over" in notes, output
    assert "reader-build: note: removed 1 temporary file(s) in build/ left by a build that was killed" in notes
    assert any("scratch folder(s)" in note for note in notes), output
    assert not any(folder.exists() for folder in scratch)
    assert temporaries(big_project) == []
    assert (big_project / "build" / ".reader-build.lock").read_text() == ""       # released cleanly


# --- memory ---------------------------------------------------------------------------------

CAPPED = """
import re, resource, sys
import weasyprint, reader_build.build, reader_build.pdf.engine   # the imports first: the cap is for the build
from reader_build.cli import main
root, jobs, extra = sys.argv[1], sys.argv[2], int(sys.argv[3])
used = int(re.search(r"VmSize:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) * 1024
resource.setrlimit(resource.RLIMIT_AS, (used + extra * 2**20, used + extra * 2**20))
sys.exit(main(["build", root, "--jobs", jobs, "--quiet"]))
"""


def _capped_build(project: Path, tmp_path: Path, jobs: str, extra_mb: int) -> tuple[int, str]:
    """``reader-build build`` with its address space capped at what it uses once loaded plus *extra_mb*;
    ended (and failed) after a minute, with every process it started, should it hang."""
    script = tmp_path / "capped.py"
    script.write_text(CAPPED)
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.Popen([sys.executable, str(script), str(project), jobs, str(extra_mb)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"the capped build hung (killed after 60 s):\n{stdout}{stderr}")
    finally:                          # workers the capped build left behind, if any, end with it
        left = _outlived(proc.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert not left, f"processes of the capped build outlived it:\n{stdout}{stderr}"
    return proc.returncode, stdout + stderr


def _outlived(pgid: int) -> bool:
    """Is a process of group *pgid* still there ten seconds after its leader ended?"""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("extra_mb", [20, 35])          # a layout of the small project needs ~60 MB more
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_memory_capped_below_what_a_layout_needs(project, tmp_path, jobs, extra_mb):
    """``ulimit -v`` a little above what the program uses once loaded: a clear error, nothing written.
    (A thread of the worker pool that cannot start for want of memory once left the build waiting
    for ever.)"""
    _change_text(project)
    before = snapshot(project)
    status, output = _capped_build(project, tmp_path, jobs, extra_mb)
    # (Fontconfig, short of memory as it reads its configuration, prints a line per rule: left out)
    shown = f"exit {status}:\n" + "\n".join(line for line in output.splitlines() if "Fontconfig" not in line)
    assert status == 1 and "Traceback" not in output, shown
    errors = [line for line in output.splitlines() if "error [out-of-memory]" in line]
    assert len(errors) == 1, shown
    assert "ran out of memory (this process may use at most" in errors[0] and "ulimit -v" in errors[0], shown
    assert snapshot(project) == before and temporaries(project) == []


def test_a_pool_thread_that_cannot_start_fails_the_parts_waited_for(monkeypatch):
    """What the capped build above meets at its tightest: the worker pool's own thread dies as the
    thread it starts cannot have a stack; the parts it should have handed out fail (out of memory)
    instead of being waited for for ever, and other threads' errors are reported as before."""
    seen = []
    monkeypatch.setattr(threading, "excepthook", seen.append)
    stranded = Stranded()
    stranded.install()
    try:
        waiting, done = stranded.track(Future()), stranded.track(Future())
        done.set_result("laid out")
        for error in (ValueError("another thread's bug"), RuntimeError("can't start new thread")):
            thread = threading.Thread(target=lambda error=error: (_ for _ in ()).throw(error))
            thread.start()
            thread.join()
        later = stranded.track(Future())
    finally:
        stranded.uninstall()
    assert threading.excepthook == seen.append
    assert [type(args.exc_value) for args in seen] == [ValueError]
    for future in (waiting, later):
        with pytest.raises(MemoryError):
            future.result(timeout=0)
    assert done.result() == "laid out"


def test_no_worker_pool_is_started_without_room_for_its_threads(tmp_path):
    """Under a memory cap, the pool's threads need their stacks: a thread whose stack is mapped
    but whose start runs out of memory never says it started, and the build would wait for it
    for ever.  Without that room (here: mapping it fails), no thread is started."""
    import mmap as mmap_module
    from reader_build.pdf import failures
    assert failures.room_for_threads()
    real = mmap_module.mmap

    def refuse(fileno, length, *args, **kwargs):
        if length >= 2**20:
            raise OSError(errno.ENOMEM, os.strerror(errno.ENOMEM))
        return real(fileno, length, *args, **kwargs)
    threads = threading.active_count()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(failures.mmap, "mmap", refuse)
        assert failures.room_for_threads() is False
        # the pool of a capped build then reports the part as out of memory, and starts nothing
        from reader_build.diagnostics import Diagnostics, ReaderError
        from reader_build.pdf import parallel
        from reader_build.resolve import load_reader
        reader = load_reader(write_project(tmp_path / "reader", MINIMAL), Diagnostics())
        patch.setattr(parallel, "memory_cap", lambda: 300 * 2**20)
        pool = parallel._Pool(2, reader, "print")
        with pytest.raises(ReaderError) as raised:
            pool.submit(parallel._Task("one", "<html></html>", [], 1, None, False))
        assert pool.executor is None
        assert [d.code for d in raised.value.diagnostics] == ["out-of-memory"]
        assert raised.value.diagnostics[0].message.startswith(
            "laying out the chapter 'one' of edition 'print' ran out of memory")
        pool.close()
    assert threading.active_count() == threads


CSL_CAPPED = ("error [out-of-memory]: the CSL processor (citeproc-js in V8) cannot start: this process may use at "
              "most {} MB (ulimit -v), less than V8 reserves; nothing was written; raise the limit or choose a "
              "built-in bibliography style (author-date, plain, unsrt, alpha)")


def _is_csl_capped(line: str) -> bool:
    return re.fullmatch(re.escape(CSL_CAPPED).replace(re.escape("{}"), r"\d+"), line) is not None


def test_memory_capped_below_what_the_csl_processor_needs(project, tmp_path):
    """A CSL style is run by citeproc-js in V8, which reserves tens of GB of address space as it
    starts and aborts the process when it cannot: under a cap, a clear error instead."""
    (project / "reader.toml").write_text((project / "reader.toml").read_text() + '\n[bibliography]\nstyle = "apa"\n')
    before = snapshot(project)
    status, output = _capped_build(project, tmp_path, "2", 2000)
    assert status == 1 and "Traceback" not in output and "FATAL" not in output, output
    assert len(output.splitlines()) == 1 and _is_csl_capped(output.splitlines()[0]), output
    assert snapshot(project) == before and temporaries(project) == []


# --- the layout's scratch file -----------------------------------------------------------------

@pytest.mark.parametrize("which", ["temp:1", "temp:2"], ids=["scratch-folder", "scratch-file"])
def test_the_scratch_file_of_the_layout_cannot_be_written(project, capsys, which):
    _change_text(project)
    with files.inject(f"{which}:ENOSPC"):
        status, output = run_cli(capsys, "build", project, "--jobs", "2")
    assert status == 0 and "Traceback" not in output, output
    warnings = [line for line in output.splitlines() if "[cache-write]" in line]
    assert len(warnings) == 1 and "No space left on device" in warnings[0], output
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert [d["code"] for d in manifest["diagnostics"]] == ["cache-write"]
    assert temporaries(project) == []


def test_an_unknown_fault_switch_is_refused():
    with pytest.raises(ValueError):
        files.parse_faults("3:ENOSUCHERROR")
    assert errno.ENOSPC == files.parse_faults("3:ENOSPC")[(None, 3)]


def test_docs_list_these_faults():
    from faulty import doc_cells
    from test_cache_faults import ALTERED, CACHE_WARNING, DAMAGED
    cells = doc_cells(Path(__file__).resolve().parents[2] / "docs" / "bad-input.md")
    for line in (CACHE_WARNING.format("No space left on device"),
                 DAMAGED.format("build/.cache/parts/KEY.json", ALTERED),
                 DAMAGED.format("build/.cache/parts/KEY.json", "it cannot be read: Input/output error"),
                 "build: error [output-write]: cannot write build/.reader-build.lock: Permission denied; the previous "
                 "outputs are unchanged",
                 "manuscript/one.md: error [file-unreadable]: the chapter cannot be read: Permission denied",
                 "styles: error [file-unreadable]: the folder cannot be read: Permission denied",
                 "styles/extra.css: error [file-unreadable]: the file cannot be read: Permission denied"):
        assert line in cells, line
    assert any(_is_csl_capped(cell) for cell in cells)


def test_a_c_library_failing_without_an_exception_under_a_cap_is_out_of_memory(monkeypatch):
    """Under a memory cap, a C library of the layout that cannot allocate can return an error
    without setting a Python exception: Python raises SystemError ("error return without
    exception set"), taken for running out of memory; without a cap it stays a bug, not hidden."""
    from reader_build.pdf import failures
    error = SystemError("error return without exception set")
    monkeypatch.setattr(failures, "memory_cap", lambda: 200 * 2**20)
    assert failures.layout_ran_out_of_memory(error) and failures.layout_ran_out_of_memory(MemoryError())
    monkeypatch.setattr(failures, "memory_cap", lambda: None)
    assert not failures.layout_ran_out_of_memory(error)
