"""The WeasyPrint extension (pdf/engine.py): one version, checked when a build starts; WeasyPrint
is patched only while reader-build lays a document out."""
from __future__ import annotations

import weasyprint.layout

from reader_build.build import build
from reader_build.pdf import engine


def test_another_weasyprint_version_is_a_clear_error_when_the_build_starts(minimal, monkeypatch):
    monkeypatch.setattr(engine, "WEASYPRINT_VERSION", "99.0")
    result = build(minimal)
    assert result.status == 1
    (problem,) = result.diagnostics
    assert problem.code == "weasyprint-version" and problem.severity == "error"
    assert "99.0" in problem.message and engine.SUPPORTED_VERSION in problem.message
    assert not (minimal / "build" / "print.pdf").exists()


def test_the_supported_version_is_the_installed_one():
    assert engine.check_version() is None


def test_weasyprint_is_patched_only_during_a_layout():
    original = weasyprint.layout.make_all_pages
    assert original is not engine._make_all_pages
    seen = []
    fetcher = engine.AssetFetcher({}, {})
    html = "<p>One page.</p>"
    layout = engine.lay_out(html, fetcher, fix=[])
    seen.append(weasyprint.layout.make_all_pages)
    assert len(layout.document.pages) == 1
    assert seen == [original]
    assert layout.context is not None          # kept for renumbering, as a field of the layout
