"""Identical and incremental rebuilds."""
from __future__ import annotations

import json
import shutil
import textwrap
import zipfile

from conftest import pdf_page_texts, normalise
from reader_build.build import build


def editions(root):
    return {e["name"]: e for e in json.loads((root / "build" / "manifest.json").read_text())["editions"]}


def outputs(root):
    return {p.name: p.read_bytes() for p in (root / "build").iterdir() if p.suffix in (".pdf", ".epub")}


def test_two_builds_in_separate_folders_give_identical_bytes(minimal, tmp_path):
    other = tmp_path / "elsewhere" / "copy"
    shutil.copytree(minimal, other)
    assert build(minimal).status == 0
    assert build(other).status == 0
    assert outputs(minimal) == outputs(other)
    assert len(outputs(minimal)) == 2


def test_epub_zip_is_reproducible(minimal):
    assert build(minimal).status == 0
    with zipfile.ZipFile(minimal / "build" / "ebook.epub") as zf:
        infos = zf.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_a_build_with_no_change_lays_nothing_out(minimal):
    first = build(minimal)
    assert first.status == 0 and editions(minimal)["print"]["layouts"] >= 1
    before = outputs(minimal)
    second = build(minimal)
    assert second.status == 0
    assert editions(minimal)["print"]["layouts"] == 0
    assert editions(minimal)["ebook"]["made"] is False
    assert outputs(minimal) == before


def test_a_changed_chapter_style_or_setting_is_made_again(minimal):
    assert build(minimal).status == 0
    chapter = minimal / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text().replace("Second paragraph.", "Second paragraph, changed."))
    assert build(minimal).status == 0
    assert editions(minimal)["print"]["layouts"] >= 1 and editions(minimal)["ebook"]["made"] is True
    assert "changed" in normalise(" ".join(pdf_page_texts(minimal / "build" / "print.pdf")))

    assert build(minimal).status == 0 and editions(minimal)["print"]["layouts"] == 0
    (minimal / "styles").mkdir()
    (minimal / "styles" / "extra.css").write_text("p { text-indent: 2em; }\n")
    assert build(minimal).status == 0 and editions(minimal)["print"]["layouts"] >= 1

    assert build(minimal).status == 0 and editions(minimal)["print"]["layouts"] == 0
    toml = minimal / "reader.toml"
    toml.write_text(toml.read_text() + '\n[editions.print]\nformat = "pdf"\npage-size = "a4"\n')
    assert build(minimal).status == 0 and editions(minimal)["print"]["layouts"] >= 1


def test_a_damaged_output_is_made_again(minimal):
    assert build(minimal).status == 0
    pdf = minimal / "build" / "print.pdf"
    good = pdf.read_bytes()
    pdf.write_bytes(b"not a pdf")
    assert build(minimal).status == 0
    assert pdf.read_bytes() == good        # assembled again (from the per-chapter cache)


def test_source_date_epoch_fixes_the_date(minimal, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build(minimal).status == 0
    with zipfile.ZipFile(minimal / "build" / "ebook.epub") as zf:
        opf = zf.read("EPUB/content.opf").decode()
    assert "2023-11-14T22:13:20Z" in opf
    colophon = normalise(pdf_page_texts(minimal / "build" / "print.pdf")[-1])
    assert "2023-11-14" in colophon


def test_colophon_names_edition_date_and_source_hash(bundled):
    manifest = bundled["manifest"]
    colophon = normalise(pdf_page_texts(bundled["pdf"])[-1])
    assert 'Edition "print"' in colophon
    assert manifest["source_hash"][:12] in colophon
    assert "2026-11-29" in colophon


def test_a_rebuild_with_nothing_changed_reads_no_chapter(minimal, monkeypatch):
    """Nothing changed since the last build: the build answers from build/manifest.json, without
    parsing the sources, repeats the last build's diagnostics, and records that nothing was made."""
    first = build(minimal)
    assert first.status == 0
    before = outputs(minimal)
    import reader_build.build as B

    def refuse(*args, **kwargs):
        raise AssertionError("the sources were read again")
    monkeypatch.setattr(B, "load_reader", refuse)
    again = B.build(minimal)
    assert again.status == 0
    assert [d.format() for d in again.diagnostics.sorted()] == [d.format() for d in first.diagnostics.sorted()]
    assert editions(minimal)["print"]["layouts"] == 0 and editions(minimal)["ebook"]["made"] is False
    assert outputs(minimal) == before


def test_an_edited_image_is_made_again(tmp_path):
    """An image is a source like a chapter: editing it makes the editions that show it again."""
    from conftest import MINIMAL, write_project
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="{}"/></svg>'
    files = dict(MINIMAL)
    chapter = textwrap.dedent(files["manuscript/one.md"])
    files["manuscript/one.md"] = chapter.replace("Second paragraph.", "![A box](images/box.svg)\n\nSecond paragraph.")
    root = write_project(tmp_path / "img", files)
    (root / "manuscript" / "images").mkdir()
    (root / "manuscript" / "images" / "box.svg").write_text(svg.format("#000"))
    assert build(root).status == 0
    first = (root / "build" / "print.pdf").read_bytes()
    assert build(root).status == 0 and editions(root)["print"]["layouts"] == 0
    (root / "manuscript" / "images" / "box.svg").write_text(svg.format("#c00"))
    assert build(root).status == 0
    assert editions(root)["print"]["layouts"] >= 1
    assert (root / "build" / "print.pdf").read_bytes() != first


def test_strict_rebuild_with_nothing_changed_still_fails_on_warnings(minimal):
    bib = minimal / "bibliography" / "refs.bib"
    bib.write_text(bib.read_text() + "\n@book{roe-1999, author = {Roe, Richard}, title = {Uncited}, year = {1999}}\n")
    first = build(minimal)
    assert first.status == 0 and any(d.severity == "warning" for d in first.diagnostics)
    assert build(minimal, strict=True).status == 1


def test_a_second_build_says_every_edition_is_up_to_date(minimal, capsys):
    """The command's report after a build with nothing to do: 'up to date' for every edition,
    the web edition's folder included, and nothing 'built'."""
    from reader_build.cli import main
    toml = minimal / "reader.toml"
    toml.write_text(toml.read_text() + '\n[editions.print]\nformat = "pdf"\n\n[editions.web]\nformat = "html"\n')
    assert main(["build", str(minimal)]) == 0
    first = capsys.readouterr().out
    assert "built build/web/" in first and "built build/print.pdf" in first
    assert main(["build", str(minimal)]) == 0
    second = capsys.readouterr().out.splitlines()
    assert second and all(line.startswith("up to date ") for line in second), second
    assert "up to date build/web/" in second
