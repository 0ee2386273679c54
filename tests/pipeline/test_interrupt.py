"""Nothing lost: a build that fails, is interrupted or is killed leaves the previous editions
and manifest byte-identical and no temporary file behind; two builds of one project cannot
interleave.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO, copy_project
from test_bad_input import built_copy, doc_cells, no_validators, run_cli, snapshot, temporaries  # noqa: F401

from reader_build.store.output import AtomicWriter, BuildLock
from reader_build.web.site import folder_digest


def digest(project: Path, record: dict) -> str | None:
    """The hash of an edition's file (or of a web edition's files) as they are on disk."""
    if record.get("format") == "html":
        return folder_digest(project / record["path"], record["files"])
    return hashlib.sha256((project / record["path"]).read_bytes()).hexdigest()


@pytest.fixture
def project(minimal_built, tmp_path) -> Path:
    return built_copy(minimal_built, tmp_path / "reader")


def _change_text(root: Path) -> None:
    """A real change, so that the next build lays out again (no cache hit)."""
    chapter = root / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text().replace("Second paragraph.", "Second paragraph, revised."))


# --- interrupted in the middle of a layout ---------------------------------------------------------

@pytest.fixture
def big_project(minimal_built, tmp_path) -> Path:
    """The bundled reader (a long layout), with the editions of an earlier build in build/."""
    root = copy_project(REPO, tmp_path / "reader")
    shutil.copytree(minimal_built["root"] / "build", root / "build")
    return root


def _start_build(root: Path, out, jobs: int | None = None) -> subprocess.Popen:
    def reset_signals():                      # a background job may inherit SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    return subprocess.Popen([sys.executable, "-m", "reader_build", "build", str(root), *jobs_args], stdout=out,
                            stderr=subprocess.STDOUT, preexec_fn=reset_signals, start_new_session=True)


def _wait_for(out, text: str, proc: subprocess.Popen, timeout: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        out.seek(0)
        if text in out.read().decode("utf-8", "replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    out.seek(0)
    pytest.fail(f"the build never printed {text!r}:\n" + out.read().decode("utf-8", "replace"))


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


TERM_MESSAGE = "reader-build: interrupted by SIGTERM; nothing was written; the editions in build/ are unchanged"
INT_MESSAGE = "reader-build: interrupted by SIGINT; nothing was written; the editions in build/ are unchanged"


# A signal sent to the whole group whose exception the build loses (raised while a finaliser runs)
# is raised again between stages and before anything is written (store/output.raise_if_interrupted),
# and the workers it ended are not taken for workers that died (the interruption is reported).
@pytest.mark.parametrize("sig, to_group, jobs, status, message", [
    (signal.SIGTERM, False, None, 128 + signal.SIGTERM, TERM_MESSAGE),
    (signal.SIGTERM, False, 1, 128 + signal.SIGTERM, TERM_MESSAGE),
    (signal.SIGTERM, True, 1, 128 + signal.SIGTERM, TERM_MESSAGE),
    (signal.SIGINT, True, 1, 128 + signal.SIGINT, INT_MESSAGE),          # Ctrl-C: the whole process group
    (signal.SIGKILL, False, None, -signal.SIGKILL, None),
    (signal.SIGTERM, True, None, 128 + signal.SIGTERM, TERM_MESSAGE),
    (signal.SIGINT, True, None, 128 + signal.SIGINT, INT_MESSAGE),
], ids=["SIGTERM", "SIGTERM-jobs1", "SIGTERM-group-jobs1", "SIGINT-group-jobs1", "SIGKILL",
        "SIGTERM-group-workers", "SIGINT-group-workers"])
def test_a_build_interrupted_during_layout_loses_nothing(big_project, sig, to_group, jobs, status, message):
    before = snapshot(big_project)
    with tempfile.TemporaryFile() as out:
        proc = _start_build(big_project, out, jobs)
        try:
            _wait_for(out, "laying out 'print'", proc, 60)
            time.sleep(3)                                  # well inside the layout (it takes ~15 s)
            assert proc.poll() is None, "the layout ended too soon to be interrupted"
            if to_group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
            code = proc.wait(timeout=60)
            if sig != signal.SIGKILL:                      # workers, if any, end with the build
                deadline = time.monotonic() + 10
                while _group_alive(proc.pid) and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert not _group_alive(proc.pid), "processes of the build outlived it"
        finally:
            if _group_alive(proc.pid):                     # orphaned workers of a killed build
                os.killpg(proc.pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.wait()
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    assert code == status, output
    assert "Traceback" not in output
    if message:
        assert message in output.splitlines()
    assert snapshot(big_project) == before
    assert temporaries(big_project) == []
    with BuildLock(big_project / "build"):                # the lock is free again
        pass


def test_a_killed_build_does_not_leave_the_lock_to_its_workers(big_project):
    """SIGKILL to the build while its workers lay out: the next build must not be refused."""
    with tempfile.TemporaryFile() as out:
        proc = _start_build(big_project, out)
        try:
            _wait_for(out, "laying out 'print'", proc, 60)
            time.sleep(3)
            proc.kill()
            proc.wait(timeout=60)
            with BuildLock(big_project / "build"):         # free at once, workers or not
                pass
        finally:
            if _group_alive(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)


# --- signals while the outputs are renamed into place ---------------------------------------------

@pytest.fixture
def sigint_raises():
    """SIGINT raises KeyboardInterrupt here, whatever the test runner inherited."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_a_signal_during_the_renames_waits_until_all_are_done(tmp_path, monkeypatch, sigint_raises):
    paths = [tmp_path / "build" / name for name in ("print.pdf", "ebook.epub", "manifest.json")]
    for path in paths:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"old " + path.name.encode())
    writer = AtomicWriter()
    for path in paths:
        writer.add(path, b"new " + path.name.encode())
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        if not calls:
            os.kill(os.getpid(), signal.SIGINT)          # arrives after the first rename began
        calls.append(dst)
        real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt) as info:
        writer.commit()
    assert info.value.outputs_written is True
    assert len(calls) == 3
    assert [p.read_bytes() for p in paths] == [b"new " + p.name.encode() for p in paths]
    assert temporaries(tmp_path) == []


def test_sigterm_during_the_renames_reports_the_new_editions(project, capsys, monkeypatch):
    _change_text(project)
    real_replace = os.replace
    sent = []

    def replace(src, dst):
        if not sent and ".tmp-" in Path(src).name and Path(dst).parent == project / "build":   # the first output
            sent.append(dst)
            os.kill(os.getpid(), signal.SIGTERM)
        real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    code, output = run_cli(capsys, "build", project)
    assert code == 128 + signal.SIGTERM, output
    assert "reader-build: interrupted by SIGTERM; the new editions had already been written in full" in output
    assert "Traceback" not in output
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    for record in manifest["editions"]:                   # a consistent set: the manifest matches the files
        assert digest(project, record) == record["sha256"]
    assert temporaries(project) == []


class _LosesTheSignal:
    """A finaliser during which a signal arrives: the exception its handler raises is lost
    (Python prints "Exception ignored in …" and goes on), as it is in WeasyPrint's
    FontConfiguration.__del__ when Ctrl-C comes at the wrong moment."""

    def __init__(self, sig):
        self.sig = sig

    def __del__(self):
        os.kill(os.getpid(), self.sig)
        for _ in range(200_000):                           # the handler runs in here
            pass


@pytest.mark.parametrize("quiet", [False, True], ids=["progress", "quiet"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interruption_lost_in_a_finaliser_still_stops_the_build(project, capsys, monkeypatch, sigint_raises,
                                                                    sig, quiet):
    import reader_build.resolve as build_module          # where the build's reader is resolved
    _change_text(project)
    before = snapshot(project)
    real_resolve = build_module.resolve

    def resolve(*args, **kwargs):
        reader = real_resolve(*args, **kwargs)
        _LosesTheSignal(sig)                               # made and finalised at once
        return reader
    monkeypatch.setattr(build_module, "resolve", resolve)
    code, output = run_cli(capsys, "build", project, *(["--quiet"] if quiet else []))
    assert code == 128 + sig, output
    assert (f"reader-build: interrupted by {signal.Signals(sig).name}; nothing was written; the editions in "
            "build/ are unchanged") in output.splitlines()
    assert "Traceback" not in output and "Exception ignored" not in output
    assert snapshot(project) == before
    assert temporaries(project) == []


# --- failures while writing ------------------------------------------------------------------------

def test_a_full_disk_leaves_the_previous_editions(project, capsys, monkeypatch):
    _change_text(project)
    before = snapshot(project)
    real_fsync = os.fsync
    count = []

    def fsync(fd):
        count.append(fd)
        if len(count) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    code, output = run_cli(capsys, "build", project)
    assert code == 1, output
    assert "Traceback" not in output
    assert any(line.startswith("build: error [output-write]: cannot write build/")
               and line.endswith(": No space left on device; the previous outputs are unchanged")
               for line in output.splitlines()), output
    assert snapshot(project) == before
    assert temporaries(project) == []


def test_a_failed_rename_puts_back_what_was_already_renamed(project, capsys, monkeypatch):
    _change_text(project)
    before = snapshot(project)
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "manifest.json":            # the last one: the editions are already in place
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    code, output = run_cli(capsys, "build", project)
    assert code == 1, output
    assert ("build: error [output-write]: cannot write build/manifest.json: Input/output error; the previous "
            "outputs are unchanged") in output.splitlines()
    monkeypatch.setattr(os, "replace", real_replace)
    assert snapshot(project) == before
    assert temporaries(project) == []


def test_a_folder_in_the_way_of_an_output(project, capsys):
    _change_text(project)
    (project / "build" / "ebook.epub").unlink()
    (project / "build" / "ebook.epub").mkdir()
    before = snapshot(project)
    code, output = run_cli(capsys, "build", project)
    assert code == 1 and "Traceback" not in output
    assert "build: error [output-write]: cannot write build/ebook.epub: Is a directory; the previous outputs " \
           "are unchanged" in output.splitlines()
    assert snapshot(project) == before
    assert temporaries(project) == []


def test_temporaries_of_a_killed_build_are_removed_by_the_next(project, capsys):
    stale = [project / "build" / ".print.pdf.tmp-99999", project / "build" / "fonts" / ".x.otf.tmp-99999",
             project / "build" / ".manifest.json.tmp-99999-previous"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
    code, output = run_cli(capsys, "build", project)
    assert code == 0, output
    assert temporaries(project) == []


def test_emit_html_with_two_pdf_editions_writes_each_shared_file_once(project, capsys):
    """--emit-html adds the fonts and images once per PDF edition: the writer must not stumble."""
    (project / "reader.toml").write_text('title = "A Minimal Reader"\n[editions.print]\nformat = "pdf"\n'
                                         '[editions.screen]\nformat = "pdf"\nmedium = "screen"\n')
    code, output = run_cli(capsys, "build", project, "--emit-html")
    assert code == 0, output
    assert (project / "build" / "print.html").exists() and (project / "build" / "screen.html").exists()
    assert temporaries(project) == []


# --- two builds at once --------------------------------------------------------------------------------

def test_a_second_build_is_refused_while_one_holds_the_lock(project, capsys):
    _change_text(project)
    before = snapshot(project)
    with BuildLock(project / "build"):
        code, output = run_cli(capsys, "build", project)
    assert code == 1
    assert "build: error [build-locked]: another build of this project is running; wait for it to finish" \
        in output.splitlines()
    assert "Traceback" not in output
    assert snapshot(project) == before
    assert temporaries(project) == []


def test_check_does_not_need_the_lock(project, capsys):
    with BuildLock(project / "build"):
        code, output = run_cli(capsys, "check", project)
    assert code == 0, output


def test_the_lock_is_free_again_after_a_refused_build(project, capsys):
    with BuildLock(project / "build"):
        assert run_cli(capsys, "build", project)[0] == 1
    code, output = run_cli(capsys, "build", project)
    assert code == 0, output


def test_two_builds_started_at_once_do_not_corrupt_each_other(project):
    _change_text(project)
    outs = [tempfile.TemporaryFile() for _ in range(2)]
    procs = [subprocess.Popen([sys.executable, "-m", "reader_build", "build", str(project)], stdout=out,
                              stderr=subprocess.STDOUT) for out in outs]
    codes = [proc.wait(timeout=300) for proc in procs]
    outputs = []
    for out in outs:
        out.seek(0)
        outputs.append(out.read().decode("utf-8", "replace"))
        out.close()
    assert all("Traceback" not in o for o in outputs), outputs
    assert 0 in codes, outputs
    for code, output in zip(codes, outputs):
        assert code == 0 or "error [build-locked]" in output, output
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    for record in manifest["editions"]:
        assert digest(project, record) == record["sha256"]
    assert temporaries(project) == []


def test_docs_show_these_messages():
    cells = doc_cells()
    for line in ("reader-build: interrupted by SIGTERM; nothing was written; the editions in build/ are unchanged",
                 "reader-build: interrupted by SIGINT; nothing was written; the editions in build/ are unchanged",
                 "reader-build: interrupted by SIGTERM; the new editions had already been written in full",
                 "build: error [build-locked]: another build of this project is running; wait for it to finish",
                 "build: error [output-write]: cannot write build/manifest.json: Input/output error; the previous "
                 "outputs are unchanged",
                 "build: error [output-write]: cannot write build/ebook.epub: Is a directory; the previous outputs "
                 "are unchanged"):
        assert line in cells, line
