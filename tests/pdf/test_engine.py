"""The WeasyPrint extension (pdf/engine.py): one version, checked when a build starts; WeasyPrint
is patched only while reader-build lays a document out."""
from __future__ import annotations

import pytest
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


def test_fetcher_decodes_images_and_faces_carried_in_an_svg_and_refuses_the_rest():
    """An SVG image's data: URLs (an embedded image, an embedded face) are decoded in place;
    any other URL, a data: URL of another type included, is refused and recorded."""
    fetcher = engine.AssetFetcher({}, {})
    face = fetcher.fetch("data:font/woff;base64,d09GRgABAAA=")
    assert face.headers["Content-Type"] == "font/woff" and face.read() == b"wOFF\x00\x01\x00\x00"
    image = fetcher.fetch("data:image/svg+xml,%3Csvg%2F%3E")
    assert image.headers["Content-Type"] == "image/svg+xml" and image.read() == b"<svg/>"
    for url in ("data:text/html;base64,PGI+", "https://example.com/map.woff", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.refused == ["data:text/html;base64,PGI+", "https://example.com/map.woff", "file:///etc/passwd"]


def test_texts_that_fit_are_laid_out_once_and_give_the_same_pdf(monkeypatch):
    """The memo of texts that fit (an index's locators, laid out twice by the column layout)
    changes nothing in the PDF and spares Pango layouts."""
    entries = "".join(
        f'<li>Entry {n}, ' + ", ".join(f'<a href="#p{k}" style="white-space: nowrap">{k}{"n" if k % 3 else ""}</a>'
                                        for k in range(n, n + 40, 3)) + "</li>" for n in range(60))
    targets = "".join(f'<p id="p{k}">{k}</p>' for k in range(100))
    html = f"""<style>@page {{ size: 105mm 148mm }} ul {{ columns: 2; column-fill: balance; font-size: 9pt }}
              li {{ padding-left: 1em; text-indent: -1em }}</style><ul>{entries}</ul>{targets}"""
    fetcher = engine.AssetFetcher({}, {})
    calls = []
    original = engine._original_split_first_line
    monkeypatch.setattr(engine, "_original_split_first_line", lambda *a, **k: calls.append(1) or original(*a, **k))

    def pdf(memo: bool) -> tuple[bytes, int]:
        monkeypatch.setattr(engine, "MEMO_FITS", memo)
        calls.clear()
        layout = engine.lay_out(html, fetcher, fix=[])
        try:
            return layout.document.write_pdf(), len(calls)
        finally:
            engine.release(layout)

    with_memo, fewer = pdf(True)
    without, more = pdf(False)
    assert with_memo == without
    assert fewer < 0.85 * more
    assert not engine._FITS              # gone with the layout
