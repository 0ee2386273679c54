"""The web edition of Markdown written for pandoc: valid HTML (the Nu checker) and no axe
violation, with notes in notes, definition lists, fenced divs, verse, math, superscripts
and small capitals on the page."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import write_project
from reader_build.build import build
from web_helpers import axe_script, in_browser, page_url, vnu_jar

CHAPTER = """
---
id: one
title: Pandoc on the web
---

A paragraph with an inline note^[It calls a note of its own.[^deep]] and 2^10^ and H~2~O
and [small capitals]{.smallcaps}.

[^deep]: The note that a note calls.

Ambassador
: A diplomat of the highest rank.

::: {#aside .callout-note}
A paragraph in a div.
:::

| Whose woods these are I think I know.
|    His house is in the village though;

The formula $E = mc^2$, and on a line of its own:

$$
\\int_0^1 x^2\\,dx
$$ {#eq:area}

See https://archive.org/details/treaty-papers.
"""


@pytest.fixture(scope="module")
def pandoc_site(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("pandoc-web") / "reader", {
        "reader.toml": 'title = "Pandoc on the web"\n[editions.web]\nformat = "html"\n',
        "manuscript/one.md": CHAPTER,
    })
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    return root / "build" / "web"


def test_the_page_validates_with_the_nu_checker(pandoc_site):
    jar = vnu_jar()
    run = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json",
                          *map(str, sorted(pandoc_site.glob("*.html")))], capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/", 1)[-1], m.get("lastLine"), m["message"]) for m in messages] == []


def test_axe_finds_no_violation(pandoc_site):
    # in a thread of its own (web_helpers.in_browser): test_browser.py's session browser keeps
    # Playwright's event loop in the main thread
    in_browser(lambda page: _no_axe_violation(pandoc_site, page))


def _no_axe_violation(pandoc_site, page) -> None:
    script = axe_script()
    chapter = next(p.name for p in pandoc_site.glob("*one*.html"))
    page.goto(page_url(pandoc_site, chapter))
    assert page.locator("dl dt").first.inner_text() == "Ambassador"
    assert page.locator("p.line-block br").count() == 1
    page.add_script_tag(content=script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
