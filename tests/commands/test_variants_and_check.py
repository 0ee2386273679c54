"""PDF variants chosen in reader.toml, and `check` running the validators on built e-books."""
from __future__ import annotations

import pikepdf

from reader_build.build import build, check


def test_archival_pdf_a3b_edition(minimal):
    toml = minimal / "reader.toml"
    toml.write_text(toml.read_text() + '\n[editions.archive]\nformat = "pdf"\npdf-variant = "pdf/a-3b"\n')
    assert build(minimal).status == 0
    with pikepdf.open(minimal / "build" / "archive.pdf") as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "3B"


def test_check_runs_epubcheck_on_the_built_ebook(minimal):
    assert build(minimal).status == 0
    diags = check(minimal)
    codes = [d.code for d in diags]
    assert not diags.has_errors, [d.format() for d in diags]
    # EPUBCheck ran (or says that it is missing); Ace likewise.
    assert not any(c.startswith("epubcheck-") for c in codes)


def test_check_reports_epubcheck_findings_as_diagnostics(minimal):
    assert build(minimal).status == 0
    import zipfile
    epub = minimal / "build" / "ebook.epub"
    with zipfile.ZipFile(epub) as zf:
        items = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    items["EPUB/content.opf"] = items["EPUB/content.opf"].replace(b"<dc:title", b"<dc:titel", 1) \
        .replace(b"</dc:title>", b"</dc:titel>", 1)
    with zipfile.ZipFile(epub, "w") as zf:
        zf.writestr("mimetype", items.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, data in items.items():
            zf.writestr(name, data)
    diags = check(minimal)
    found = [d for d in diags if d.code.startswith("epubcheck-")]
    if not found and any(d.code == "validator-missing" for d in diags):
        import pytest
        pytest.skip("EPUBCheck is not installed")
    assert found and found[0].path.startswith("build/ebook.epub")
    assert diags.has_errors
