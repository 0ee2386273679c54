"""Shared by the web edition's tests: the built site of the bundled reader, a real
browser (Debian's Chromium driven by Playwright, no browser download), and the
validators (the Nu HTML checker, axe-core).

A tool that is not installed skips its test with the reason, except under CI
(``CI`` set), where .ci/run installs them all and a missing one fails.
"""
from __future__ import annotations

import os
import threading
import shutil
from pathlib import Path

import pytest

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"]


def required(what: str, found):
    """*found*, or skip (fail under CI) saying what is missing."""
    if found:
        return found
    message = f"{what} is not installed (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def chromium() -> str:
    path = os.environ.get("READER_BUILD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return required("Debian's chromium", path)


def vnu_jar() -> Path:
    path = os.environ.get("READER_BUILD_VNU")
    return required("the Nu HTML checker (npm vnu-jar; READER_BUILD_VNU=…/vnu.jar)",
                    Path(path) if path and Path(path).is_file() and shutil.which("java") else None)


def axe_script() -> str:
    path = os.environ.get("READER_BUILD_AXE")
    return required("axe-core (npm axe-core; READER_BUILD_AXE=…/axe.min.js)",
                    Path(path).read_text(encoding="utf-8") if path and Path(path).is_file() else None)


def html_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def page_url(site: Path, name: str) -> str:
    """file:// URL of *name* (which may carry ?query and #fragment) in the site."""
    path, cut, rest = name, "", ""
    for mark in ("?", "#"):
        if mark in path:
            path, cut = path.split(mark, 1)
            rest = mark + cut + rest
            break
    return (site / path).as_uri() + rest


@pytest.fixture(scope="session")
def site(bundled) -> Path:
    """The bundled reader's web edition, as `reader-build build` wrote it."""
    return bundled["root"] / "build" / "web"


@pytest.fixture(scope="session")
def browser():
    executable = chromium()
    playwright = pytest.importorskip("playwright.sync_api") if not os.environ.get("CI") else \
        __import__("playwright.sync_api", fromlist=["sync_playwright"])
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"script errors in the page: {errors}"


def in_browser(check) -> None:
    """*check(tab)* in Debian's Chromium, in a thread of its own: the session's browser of
    test_browser.py keeps Playwright's event loop running in the main thread, where a second
    sync Playwright cannot start."""
    executable = chromium()
    sync_api = __import__("playwright.sync_api", fromlist=["sync_playwright"]) if os.environ.get("CI") else \
        pytest.importorskip("playwright.sync_api")
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with sync_api.sync_playwright() as p:
                instance = p.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
                try:
                    tab = instance.new_context(viewport={"width": 1280, "height": 900}).new_page()
                    errors: list[str] = []
                    tab.on("pageerror", lambda exc: errors.append(str(exc)))
                    check(tab)
                    assert not errors, f"script errors in the page: {errors}"
                finally:
                    instance.close()
        except BaseException as exc:          # handed to the test's thread
            failures.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
