"""Smoke tests of benchmarks/run.py: its options, its generator of large readers, and one quick run.

No timing is asserted anywhere: the benchmark reports numbers, it does not judge them.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, write_project

SCRIPT = REPO / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("reader_benchmarks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_options(bench):
    args = bench.parser().parse_args(["--sizes", "1,10", "--repeat", "3", "--json", "out.json", "--quick"])
    assert args.sizes == [1, 10] and args.repeat == 3 and args.json == Path("out.json") and args.quick
    assert bench.parser().parse_args([]).sizes == [1, 10, 20]
    for bad in ("0", "a,b", ""):
        with pytest.raises(SystemExit):
            bench.parser().parse_args(["--sizes", bad])


def test_repeated_chapter_renames_ids(bench):
    text = "---\nid: \"part\"\ntitle: T\n---\n\n## One {#one .lead}\n\nSee [one](#one), [x](#x).[^a]\n\n[^a]: N.\n"
    out = bench.repeated_chapter(text, "-r02")
    assert 'id: "part-r02"' in out
    assert "## One {#one-r02 .lead}" in out
    assert "[one](#one-r02)" in out and "[x](#x)" in out and "[^a]" in out


def test_large_reader_has_unique_ids_and_no_errors(bench, tmp_path):
    from reader_build.build import check
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics

    root = bench.make_reader(REPO, tmp_path / "x3", 3)
    repeated = bench.chapter_files(REPO, bench.DEFAULT_CHAPTERS)
    assert len(repeated) == 3
    files = sorted((root / "manuscript").glob("*.md"))
    originals = sorted((REPO / "manuscript").glob("*.md"))
    assert len(files) == len(originals) + 2 * len(repeated)
    diags = check(root)
    assert not diags.has_errors, "\n".join(d.format() for d in diags.sorted())
    reader = load_reader(root, Diagnostics())
    ids = [c.id for c in reader.chapters]
    ids += [h.id for c in reader.chapters for h in c.parsed.headings]
    assert len(ids) == len(set(ids))
    assert len(reader.chapters) == len(originals) + 2 * len(repeated)


def test_quick_run_writes_json(tmp_path):
    """The whole script, on a small project: one build from scratch, table and JSON."""
    project = write_project(tmp_path / "minimal", MINIMAL)
    out = tmp_path / "bench.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, str(SCRIPT), "--project", str(project), "--sizes", "1", "--quick",
                           "--json", str(out), "--workdir", str(tmp_path / "work")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pages/s" in done.stdout
    data = json.loads(out.read_text())
    assert data["machine"]["nproc"] >= 1
    [result] = data["results"]
    summary = result["summary"]
    assert result["size"] == 1 and summary["pages"] > 0 and summary["layouts"] >= 1
    assert summary["peak_mib"] > 0
    passes = summary["breakdown"]["editions"][summary["edition"]]["passes"]
    # Per-pass reasons exist for one-document layouts; the default build lays out parts.
    assert isinstance(passes, list) and all(p["reason"] for p in passes)
