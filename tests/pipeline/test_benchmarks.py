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
    pdf = summary["pdf"]                       # the merged PDF: its size and its fonts
    assert pdf["bytes"] > 0 and pdf["pages"] == summary["pages"] and pdf["font_objects"] >= pdf["font_faces"] >= 1
    assert summary["peak_mib"] > 0
    passes = summary["breakdown"]["editions"][summary["edition"]]["passes"]
    # Per-pass reasons exist for one-document layouts; the default build lays out parts.
    assert isinstance(passes, list) and all(p["reason"] for p in passes)


def _run(seconds: float, pages: int = 40, layouts: int = 5, **extra) -> dict:
    return {"build_seconds": seconds, "build_cpu_seconds": seconds / 2, "process_cpu_seconds": seconds,
            "process_seconds": seconds + 1, "load_before": 1.0, "peak_mib": 100.0, "tree_peak_kib": 200 * 1024,
            "stats": {"print": {"pages": pages, "layouts": layouts}}, "events": [], "progress": [], **extra}


def _facts(size: int, objects: int, faces: int, as_written: int = 30) -> dict:
    return {"bytes": size, "pages": 40, "font_objects": objects, "font_faces": faces,
            "faces": [f"Face-{n}" for n in range(faces)],
            "title_pages": {"as_written": as_written, "any_case": 32, "garbled": "Why There Is No PeaCe"}}


def test_report_of_every_measurement(bench):
    """The summary and the tables of a full run (the figures made up): every kind of edit, the
    three PDFs' sizes and font objects, and the ratios against the plain render."""
    runs = {"emit": [_run(21.0)], "cold": [_run(20.0, pdf=_facts(6_000_000, 12, 4))],
            "plain": [{"render_seconds": 40.0, "render_cpu_seconds": 40.0, "layout_seconds": 32.0,
                       "write_seconds": 8.0, "process_seconds": 42.0, "process_cpu_seconds": 41.0, "pages": 40,
                       "peak_mib": 300.0, "pdf": _facts(4_000_000, 4, 4)}],
            "onedoc": [{"build_seconds": 80.0, "process_cpu_seconds": 80.0, "layouts": 2, "pages": 40,
                        "peak_mib": 500.0, "tree_peak_kib": 0, "pdf": _facts(5_000_000, 4, 4)}],
            "unchanged": [_run(0.2, layouts=0)], "late": [_run(3.0, layouts=1)], "early": [_run(18.0, layouts=9)]}
    summary = bench.summarise(runs)
    assert summary["ratio_build"] == pytest.approx(0.5) and summary["emit"]["of_build"] == pytest.approx(1.05)
    assert summary["onedoc"]["ratio"] == pytest.approx(2.0)
    assert summary["late"]["of_full_build"] == pytest.approx(0.15) and summary["early"]["layouts"] == {"print": 9}
    result = {"size": 20, "chapter_files": 62, "edited": {"late": "r20-05.md", "early": "04-sf.md"},
              "summary": summary}
    info = {"date": "today", "machine": {"nproc": 2, "python": "3", "weasyprint": "70", "platform": "x"},
            "args": {"editions": ["print"], "chapters": "*.md"}}
    text = bench.report([result], info, 1)
    assert "1.20x" in text                       # merged / one-document: 6.0 MB / 5.0 MB
    assert "12 / 4" in text and "30 of 32" in text
    assert "a page of text added to 04-sf.md: 18.00 s" in text and "0.90 of the build from scratch" in text
    assert "one sentence added to r20-05.md: 3.00 s" in text
    assert "build with --emit-html: 21.00 s" in text and "1.05 of the build without it" in text
    # without the one-document layout (--no-one-document) the tables still come out
    del runs["onedoc"]
    assert "x20" in bench.report([dict(result, summary=bench.summarise(runs))], info, 1)
