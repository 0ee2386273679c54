"""WeasyPrint puts the fonts of each layout in a folder of the system's temp folder
(``weasyprint-*``) and removes it only when its font configuration is collected, which a worker
process that ends never does: every layout left megabytes behind, and repeated builds filled the
disk.  A build leaves no such folder (pdf/engine.release)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import REPO, copy_project


def test_a_build_leaves_no_font_folder_in_the_temp_folder(tmp_path):
    root = copy_project(REPO, tmp_path / "reader")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), PYTHONPATH=str(REPO / "src"))
    for jobs in ("2", "1"):
        shutil.rmtree(root / "build", ignore_errors=True)          # (from scratch each time)
        done = subprocess.run([sys.executable, "-m", "reader_build", "build", str(root), "--jobs", jobs],
                              capture_output=True, text=True, env=env, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        assert sorted(p.name for p in temp.iterdir()) == [], jobs
