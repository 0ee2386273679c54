"""Fault injection at every write of a build of the bundled reader.

A copy of the bundled reader, built once, gets a one-word change in a note.  A first build
of it lists every counted write (:func:`store.files.recording`): the lock, the part cache,
the build cache, each edition, the handout and the manifest, their temporaries and renames.
The web edition's ~90 files are written alike, in three steps each (staged, the previous file
kept, renamed into place): for each step its first file, its first file in a sub-folder and
its last file stand for them all.  Then, for each of those write points and each errno
(ENOSPC, EIO, EACCES), a fresh copy of the same project is built with that write failing
(:func:`store.files.inject`), and the outcome is the one docs/bad-input.md promises:

* an output, the manifest or the lock: exit 1, ``build: error [output-write]: cannot write
  build/NAME: <error>; the previous outputs are unchanged``, every file of ``build/`` (but
  the cache; the web edition's files in their sub-folders included) byte-identical, no
  temporary left;
* the cache: exit 0, one ``cache-write`` warning, the same new editions as a build without
  the fault, a manifest that matches them (the web edition: every file it lists, and no
  other), no temporary left.

The builds run in this process with ``--jobs 1``, so that the writes come in the same order
each time; the stages that write nothing and cost most (the layout of each part, the merge,
the EPUB, the handout, the web edition's font subsets: the same input each time) run once and
are replayed to the later builds, which keeps the matrix affordable.  Its size is printed
(write points x errnos).
"""
from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import pytest

from faulty import built_copy, no_validators, run_cli, snapshot, temporaries  # noqa: F401

import reader_build.build as pipeline
import reader_build.epub.book as book
import reader_build.handout.build as handout
import reader_build.pdf.merge as merge
import reader_build.pdf.parallel as parallel
import reader_build.web.fonts as web_fonts
from reader_build.diagnostics import Diagnostics
from reader_build.store import files

ERRNOS = (errno.ENOSPC, errno.EIO, errno.EACCES)
CHAPTER = Path("manuscript") / "05-dulles-khrushchev.md"


@pytest.fixture(scope="module")
def changed(bundled, tmp_path_factory) -> Path:
    """The bundled reader with its build/ of an earlier build, and one word changed since."""
    root = tmp_path_factory.mktemp("matrix") / "base"
    shutil.copytree(bundled["root"], root, symlinks=True)
    text = (root / CHAPTER).read_text(encoding="utf-8")
    assert "no source has been found" in text
    (root / CHAPTER).write_text(text.replace("no source has been found", "no source has yet been found"),
                                encoding="utf-8")
    return root


def _replaying(memo: dict, real, key):
    """*real*, called once per key; its result (and the diagnostics it added) given again after."""
    def call(*args, **kwargs):
        k = key(*args, **kwargs)
        diags = next((a for a in args if isinstance(a, Diagnostics)), None)
        if k not in memo:
            before = len(diags.items) if diags is not None else 0
            result = real(*args, **kwargs)
            memo[k] = (result, diags.items[before:] if diags is not None else [])
        result, added = memo[k]
        if diags is not None:
            diags.extend(added)
        return copy.deepcopy(result)
    return call


def _digest(*parts) -> str:
    return hashlib.sha256(pickle.dumps(parts)).hexdigest()


@pytest.fixture(scope="module")
def replayed_layouts():
    """The costly stages that do not write (the layout of each part, the merge of the parts, the
    EPUB, the handout, the web edition's font subsets) run once for real; later builds of the same project are given their results
    again.  What is tested, the writes, runs every time."""
    memo: dict = {}
    mp = pytest.MonkeyPatch()
    try:
        _replay(mp, memo)
        yield memo
    finally:        # (a patch left behind would reach every later test: the workers cannot run it)
        mp.undo()


def _replay(mp: pytest.MonkeyPatch, memo: dict) -> None:
    mp.setattr(parallel, "_lay_out_part", _replaying(memo, parallel._lay_out_part, lambda task: _digest(
        "part", task.name, task.html, task.rules, task.first_page, task.variant, task.want_starts, task.sheet,
        task.refolio)))
    mp.setattr(merge.Merger, "finish", _replaying(memo, merge.Merger.finish, lambda merger, parts, order=None: _digest(
        "merge", [(p.data, p.blanks_before, p.bookmarks) for p in parts], merger.struct is not None, order)))
    epub = _replaying(memo, book.build_epub, lambda reader, edition, *args, **kwargs: _digest(
        "epub", edition.name, args[-2:], kwargs))
    made_handout = _replaying(memo, handout.build_handout, lambda reader, h, *args, results:
                              _digest("handout", h, {n: r.data for n, r in results.items()}))
    mp.setattr(web_fonts, "subset_font", _replaying(memo, web_fonts.subset_font, lambda data, unicodes: _digest(
        "font", hashlib.sha256(data).hexdigest(), sorted(unicodes))))
    for module in (book, pipeline):             # where they are defined, and where the build calls them
        mp.setattr(module, "build_epub", epub) if hasattr(module, "build_epub") else None
    for module in (handout, pipeline):
        mp.setattr(module, "build_handout", made_handout) if hasattr(module, "build_handout") else None


def _copy(base: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(base, dst, symlinks=True)
    return dst


def _editions(root: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(root).items() if name != "manifest.json"}


def _output_named(path: str) -> str:
    """build/NAME for a write point (a temporary ``.NAME.tmp-PID[-previous]`` names its output)."""
    parts = Path(path).parts
    name = re.sub(r"^\.(.*)\.tmp-\d+(-previous)?$", r"\1", parts[-1])
    at = len(parts) - 2 - parts[:-1][::-1].index("build")      # the last build/ folder (build/web/…)
    return "/".join([*parts[at:-1], name])


def _check_output_fault(root, before, point, code, status, output) -> list[str]:
    expected = (f"build: error [output-write]: cannot write {_output_named(point.path)}: {os.strerror(code)}; "
                "the previous outputs are unchanged")
    problems = []
    if status != 1:
        problems.append(f"exit {status}, not 1")
    if expected not in output.splitlines():
        problems.append(f"no line {expected!r}")
    if snapshot(root) != before:
        problems.append("build/ changed")
    return problems


def _check_cache_fault(root, made, code, status, output) -> list[str]:
    problems = []
    warnings = [line for line in output.splitlines() if "warning [cache-write]" in line]
    if status != 0:
        problems.append(f"exit {status}, not 0")
    if len(warnings) != 1 or os.strerror(code) not in warnings[0]:
        problems.append(f"cache-write warnings: {warnings}")
    if _editions(root) != made:
        problems.append("the editions differ from those of a build without the fault")
    manifest = json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))
    for record in manifest["editions"]:
        if _recorded_digest(root / record["path"], record) != record["sha256"]:
            problems.append(f"the manifest does not match {record['path']}")
    return problems


def _recorded_digest(path: Path, record: dict) -> str:
    """The hash of an edition as the manifest records it: of the file, or, for a folder (the web
    edition), of the names and contents of the files it lists, which must be all its files."""
    if not path.is_dir():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    found = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    if found != sorted(record["files"]):
        return f"files {sorted(set(found) ^ set(record['files']))} not as listed"
    h = hashlib.sha256()
    for name in found:
        h.update(name.encode() + b"\0" + hashlib.sha256((path / name).read_bytes()).digest())
    return h.hexdigest()


def _standing_for(web: list) -> list:
    """The write points that stand for the web edition's (its ~90 files are written alike, in three
    steps each: staged, the previous file kept, renamed into place): for each step, its first file,
    its first file in a sub-folder (``fonts/``, ``page/N/``) and its last file."""
    chosen = []
    for op in dict.fromkeys(p.op for p in web):
        steps = [p for p in web if p.op == op]
        nested = [p for p in steps if "/" in p.path.split("/build/web/", 1)[1]]
        chosen += [steps[0], *nested[:1], steps[-1]]
    return sorted(set(chosen), key=lambda p: p.number)


def test_every_write_point_with_every_errno(changed, replayed_layouts, tmp_path, capsys):
    work = tmp_path / "reader"
    root = _copy(changed, work)
    with files.recording() as points:
        status, output = run_cli(capsys, "build", root, "--jobs", "1", "--quiet")
    assert status == 0, output
    made = _editions(root)
    kinds = {point.kind for point in points}
    assert {"lock", "cache", "output"} <= kinds, points
    web = [p for p in points if "/build/web/" in p.path]
    staged = [p for p in points if p.kind == "output" and p.op == "write_staged" and p not in web]
    assert len(staged) == 6, staged                  # 3 PDFs, the EPUB, the handout, the manifest
    points = [p for p in points if p not in web] + _standing_for(web)
    before = snapshot(changed)

    failures = []
    for point in points:
        for code in ERRNOS:
            root = _copy(changed, work)
            with files.inject(f"{point.number}:{errno.errorcode[code]}"):
                status, output = run_cli(capsys, "build", root, "--jobs", "1", "--quiet")
            problems = ["a traceback"] if "Traceback" in output else []
            if point.kind in ("output", "lock"):
                problems += _check_output_fault(root, before, point, code, status, output)
            else:
                problems += _check_cache_fault(root, made, code, status, output)
            if temporaries(root):
                problems.append(f"temporaries left: {temporaries(root)}")
            if problems:
                failures.append(f"write {point.number} ({point.kind} {point.op} {Path(point.path).name}), "
                                f"{errno.errorcode[code]}: {'; '.join(problems)}\n{output}")
    with capsys.disabled():
        by_kind = {kind: sum(p.kind == kind for p in points) for kind in sorted(kinds)}
        by_kind["of the outputs, the web edition's"] = sum(p in web for p in points)
        print(f"\nfault matrix: {len(points)} write points x {len(ERRNOS)} errnos = {len(points) * len(ERRNOS)} "
              f"builds of the bundled reader (write points by kind: {by_kind})")
    assert not failures, f"{len(failures)} of {len(points) * len(ERRNOS)} faulted builds went wrong:\n" + \
        "\n".join(failures[:10])
