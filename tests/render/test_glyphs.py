"""Glyph coverage: a character that no font of the book covers is a warning at its place naming
its script (an error with --strict); a fallback font declared in the project covers it.  (Common
Chinese, Japanese and Korean characters are in the packaged CJK fallback: the Han characters
here, 鬱 and 齉, are rare ones outside it.)"""
from __future__ import annotations

import io

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from conftest import MINIMAL, REPO, write_project

from reader_build.build import build, load_reader
from reader_build.diagnostics import Diagnostics

TEXT = """---
id: one
title: Scripts
---

Greek Ἀθῆναι and Russian Москва are in Libertine.

Hindi नमस्ते, Thai ภาษาไทย,
an emoji 🙂 and Japanese 鬱齉 (鬱齉 again).
"""


def _project(tmp_path, text=TEXT):
    files = dict(MINIMAL)
    files["manuscript/one.md"] = text
    return write_project(tmp_path / "p", files)


def _glyph_warnings(root):
    diags = Diagnostics()
    load_reader(root, diags)
    return [d for d in diags if d.code == "glyph-missing"]


def test_each_uncovered_script_is_a_warning_at_its_first_place(tmp_path):
    found = {d.message.split("(U+")[1].split(")")[0]: (d.severity, d.path, d.line, d.col)
             for d in _glyph_warnings(_project(tmp_path))}
    assert found == {
        "0928, Devanagari": ("warning", "manuscript/one.md", 8, 7),
        "0E20, Thai": ("warning", "manuscript/one.md", 8, 20),
        "1F642, Slightly Smiling Face": ("warning", "manuscript/one.md", 9, 10),
        "9B31, Han": ("warning", "manuscript/one.md", 9, 25),
    }


def test_repeated_characters_are_counted_in_one_warning(tmp_path):
    han = [d for d in _glyph_warnings(_project(tmp_path)) if "Han" in d.message]
    assert "(and 3 more in this file)" in han[0].message


def test_symbols_of_one_unicode_block_are_one_warning(tmp_path):
    """Symbols belong to no script: each Fraktur letter or emoji has a name of its own, and they
    are counted by their Unicode block, the first named."""
    root = _project(tmp_path, "---\nid: one\ntitle: T\n---\n\n𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 🧱🧩, then 🙂.\n")
    found = sorted(d.message.split(": it would")[0] for d in _glyph_warnings(root))
    assert len(found) == 3, found
    fraktur, = (m for m in found if "Fraktur" in m)
    assert "(U+1D518, Mathematical Fraktur Capital U) (and 6 more in this file)" in fraktur
    bricks, = (m for m in found if "Brick" in m)
    assert "(and 1 more in this file)" in bricks
    assert any(d.message.count("covers Mathematical Alphanumeric Symbols") for d in _glyph_warnings(root))


def test_strict_makes_it_an_error(tmp_path):
    root = _project(tmp_path, "---\nid: one\ntitle: T\n---\n\nनमस्ते [@doe-2001].\n")
    result = build(root, strict=True)
    assert result.status == 1
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["glyph-missing"]


def _font(chars: str) -> bytes:
    """A small TrueType font with a (square) glyph for each of *chars*."""
    names = [".notdef"] + [f"g{ord(c):X}" for c in chars]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"g{ord(c):X}" for c in chars})
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 500))
    pen.lineTo((500, 500))
    pen.closePath()
    builder.setupGlyf({name: pen.glyph() for name in names})
    builder.setupHorizontalMetrics({name: (1000, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Rare Han", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def test_a_fallback_font_declared_in_the_project_covers_its_script(tmp_path):
    root = _project(tmp_path, "---\nid: one\ntitle: T\n---\n\n日本 and 鬱齉 [@doe-2001].\n")
    assert len(_glyph_warnings(root)) == 1                 # 鬱齉: in no font of the book (日本: the packaged fallback)
    (root / "styles" / "fonts").mkdir(parents=True)
    (root / "styles" / "fonts" / "RareHan.ttf").write_bytes(_font("鬱"))
    assert len(_glyph_warnings(root)) == 1                 # in styles/fonts but not declared: not used
    (root / "styles" / "extra.css").write_text(
        '@font-face { font-family: "Fallback"; src: url(fonts/RareHan.ttf); }\n'
        'html { font-family: "Reader Serif", "Fallback", serif; }\n')
    left = _glyph_warnings(root)
    assert len(left) == 1 and "'齉'" in left[0].message    # 鬱 is in the project's font, 齉 is not


def test_the_bundled_reader_is_covered(tmp_path):
    assert _glyph_warnings(REPO) == []
