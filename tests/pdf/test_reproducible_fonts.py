"""Byte-identical PDFs without libharfbuzz-subset0: WeasyPrint then subsets the fonts with
fontTools, which stamped the time into every font's ``head`` table (pdf/engine.py)."""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys

import pikepdf
from fontTools.ttLib import TTFont

from conftest import MINIMAL, REPO, write_project

WITHOUT_HARFBUZZ_SUBSET = '''
import sys
import weasyprint.pdf.fonts
weasyprint.pdf.fonts.harfbuzz_subset = None          # as on a machine without libharfbuzz-subset0
from reader_build.pdf.engine import harfbuzz_subsetting
from reader_build.cli import main
assert not harfbuzz_subsetting()
sys.exit(main(sys.argv[1:]))
'''

CHAPTER = """---
id: one
title: Fonts of Every Kind
---

Roman text with *italics*, **bold** and ***bold italics***, figures 1905--1956,
and a note.[^a]

[^a]: A note in a smaller size, with *an italic title*.
"""


def _build(tmp_path, name: str, seed: str) -> bytes:
    root = write_project(tmp_path / name, {**MINIMAL, "manuscript/one.md": CHAPTER})
    (root / "bibliography" / "refs.bib").unlink()
    script = tmp_path / "without_harfbuzz_subset.py"
    script.write_text(WITHOUT_HARFBUZZ_SUBSET)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONHASHSEED": seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run([sys.executable, str(script), "build", str(root), "-q", "--edition", "print"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return (root / "build" / "print.pdf").read_bytes()


def _embedded_fonts(data: bytes) -> list[TTFont]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [TTFont(io.BytesIO(obj.read_bytes())) for obj in pdf.objects
                if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/OpenType"]


def test_builds_without_harfbuzz_subset_are_byte_identical(tmp_path):
    first = _build(tmp_path, "one", "1")
    second = _build(tmp_path, "two", "2")        # seconds later, with other hash seeds
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    fonts = _embedded_fonts(first)
    assert len(fonts) >= 4                       # roman, italic, bold, bold italic
    packaged = {TTFont(path)["head"].modified
                for path in (REPO / "src" / "reader_build" / "styles" / "fonts").glob("*.otf")}
    assert {font["head"].modified for font in fonts} <= packaged   # the fonts' own dates, not today's


def test_a_woff_font_gives_the_same_bytes_at_another_time(tmp_path):
    """WeasyPrint decodes a WOFF font with fontTools, which stamped the time of the build into it
    (a project's own web font, or the face a map's SVG carries in a data: URL)."""
    import base64
    import time

    from reader_build.pdf.engine import AssetFetcher, lay_out
    face = TTFont(next((REPO / "src" / "reader_build" / "styles" / "fonts").glob("*.otf")))
    face.flavor = "woff"
    woff = io.BytesIO()
    face.save(woff, reorderTables=False)
    url = "data:font/woff;base64," + base64.b64encode(woff.getvalue()).decode("ascii")
    html = (f"<style>@font-face {{ font-family: Web; src: url({url}) }} p {{ font-family: Web }}</style>"
            "<p>A web font, decoded from WOFF.</p>")
    first = lay_out(html, AssetFetcher({}, {})).document.write_pdf()
    time.sleep(1.1)                              # the head table counts seconds
    second = lay_out(html, AssetFetcher({}, {})).document.write_pdf()
    assert first == second
    (font,) = _embedded_fonts(first)
    assert font["head"].modified == TTFont(io.BytesIO(woff.getvalue()))["head"].modified
