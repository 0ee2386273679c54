"""Figures in the index: names in captions are mentions in a figure; an authority entry can
list the figures that show it; an unknown figure label is an error at the authority's line."""
from __future__ import annotations

from pathlib import Path

from conftest import MINIMAL, write_project

from reader_build.build import load_reader
from reader_build.diagnostics import Diagnostics

PNG = (Path(__file__).resolve().parent.parent / "data" / "torture" / "manuscript" / "map.png").read_bytes()
AUTHORITY = """[[entry]]
id = "kurils"
kind = "place"
heading = "Kuril Islands"
variants = ["Kurils"]
figures = {figures}
"""


def _load(tmp_path, figures='["fig:map"]'):
    files = dict(MINIMAL)
    files["manuscript/one.md"] = ("---\nid: one\ntitle: One\n---\n\nThe Kurils [@doe-2001].\n\n"
                                  '![A map](map.png "The Kurils from the air."){#fig:map}\n\n'
                                  '![A map](map.png "Not a figure: the Kurils."){#plain}\n')
    files["manuscript/index.toml"] = AUTHORITY.format(figures=figures)
    root = write_project(tmp_path / "p", files)
    (root / "manuscript" / "map.png").write_bytes(PNG)
    diags = Diagnostics()
    return load_reader(root, diags), [d for d in diags if d.severity == "error"]


def test_caption_mentions_and_listed_figures_are_mentions_in_figures(tmp_path):
    reader, errors = _load(tmp_path)
    assert errors == []
    kinds = sorted((m.id, m.in_figure) for m in reader.mentions)
    assert kinds == [("fig:map", True), ("m-one-1", False), ("m-one-2", True), ("m-one-3", True)]


def test_an_unknown_figure_label_is_an_error_at_its_line(tmp_path):
    _reader, errors = _load(tmp_path, '["fig:mpa"]')
    assert [(d.code, d.path, d.line) for d in errors] == [("index-unknown-figure", "manuscript/index.toml", 6)]
    assert "did you mean 'fig:map'" in errors[0].message
