"""Read once: a build, a check and a handout read every source file of the project exactly
once (the read stage), and every later stage takes it from the model.

Reads are counted by wrapping ``open`` (``io.open`` and ``builtins.open``, which
``Path.read_bytes``/``read_text``, jinja2's loaders and ``tomllib`` go through) while the
command runs in this process (``jobs=1``: the layout too).  Only the project's sources are
counted (reader.toml, manuscript/, bibliography/, styles/), not what the build reads back
from its own build/ folder.
"""
from __future__ import annotations

import builtins
import contextlib
import io
import os
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest

from conftest import MINIMAL, write_project

SOURCE_FOLDERS = ("manuscript", "bibliography", "styles")

PROJECT = {
    **MINIMAL,
    "reader.toml": """
        title = "A Reader Read Once"
        language = "en"

        [editions.print]
        format = "pdf"
        page-size = "a5"

        [editions.screen]
        format = "pdf"
        page-size = "a5"
        medium = "screen"
        margins = "single"

        [editions.ebook]
        format = "epub"

        [editions.web]
        format = "html"

        [handouts.first]
        sections = ["one"]
        """,
    "manuscript/two.md": """
        ---
        id: two
        title: The Second Chapter
        ---

        A figure, and the same picture again.[^c]

        ![A grey square](images/square.svg)

        ![The grey square again](images/square.svg)

        [^c]: A note citing [@doe-2001, p. 7].
        """,
    "manuscript/images/square.svg": """
        <svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#888"/></svg>
        """,
    "manuscript/working-notes.txt": "Notes of the editor, used by no edition.\n",
    "styles/extra.css": "p { orphans: 2; widows: 2; }\n",
    "styles/extra-epub.css": "p { text-indent: 1em; }\n",
    "styles/epub-chapter.xhtml.j2": '{% extends "reader_build:epub-chapter.xhtml.j2" %}\n',
    "styles/locales/en.toml": '[strings]\nbibliography = "Works Cited"\n',
}


@contextlib.contextmanager
def counted_reads(root: Path):
    """Count the opens for reading of every file under *root* but its build/ folder, by path."""
    root = root.resolve()
    build = root / "build"
    counts: Counter = Counter()
    real = io.open

    def opening(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and not set(mode) & set("wax+"):
            path = Path(os.path.abspath(os.fspath(file)))
            if root in path.parents and build not in path.parents:
                counts[path.relative_to(root).as_posix()] += 1
        return real(file, mode, *args, **kwargs)
    with mock.patch.object(io, "open", opening), mock.patch.object(builtins, "open", opening):
        yield counts


def source_files(root: Path) -> set[str]:
    found = {"reader.toml"}
    for folder in SOURCE_FOLDERS:
        found |= {p.relative_to(root).as_posix() for p in (root / folder).rglob("*") if p.is_file()}
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return write_project(tmp_path_factory.mktemp("read-once") / "reader", PROJECT)


@pytest.fixture(scope="module")
def built(project):
    """The project built once from scratch, every edition and the handout, in this process."""
    from reader_build.build import build
    with counted_reads(project) as counts:
        result = build(project, jobs=1)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return counts, result


def test_a_build_reads_every_source_once(project, built):
    counts, result = built
    kinds = {record["format"] for record in result.manifest["editions"]}
    assert {"pdf", "epub", "html"} <= kinds and any(r.get("handout") for r in result.manifest["editions"])
    assert result.stats["print"]["layouts"] >= 1 and result.stats["screen"]["layouts"] >= 1
    assert dict(counts) == {name: 1 for name in source_files(project)}


def test_the_project_files_really_are_used(project, built):
    """The overrides counted above are the ones the editions show: read once, used everywhere."""
    import zipfile
    _counts, _result = built
    with zipfile.ZipFile(project / "build" / "ebook.epub") as epub:
        css = epub.read("EPUB/style/epub.css").decode()
        texts = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert "text-indent: 1em" in css
    assert "Works Cited" in texts
    assert (project / "build" / "web").is_dir()


def test_a_build_with_nothing_changed_reads_every_source_once(project, built):
    from reader_build.build import build
    with counted_reads(project) as counts:
        result = build(project, jobs=1)
    assert result.status == 0
    assert all(r.get("layouts", 0) == 0 and r.get("made", False) is False
               for r in result.manifest["editions"]), result.manifest["editions"]
    assert dict(counts) == {name: 1 for name in source_files(project)}


def test_check_reads_every_source_once(project, built):
    from reader_build.cli import main
    with counted_reads(project) as counts:
        status = main(["check", str(project)])
    assert status == 0
    assert dict(counts) == {name: 1 for name in source_files(project)}


def test_the_handout_command_reads_every_source_once(project, built, tmp_path):
    from reader_build.cli import main
    out = tmp_path / "handout.pdf"
    with counted_reads(project) as counts:
        status = main(["handout", str(project), "--section", "two", "-o", str(out), "--quiet"])
    assert status == 0 and out.read_bytes().startswith(b"%PDF")
    assert dict(counts) == {name: 1 for name in source_files(project)}


def test_a_changed_source_is_read_in_the_next_build(project, built):
    """Read once per build, not once ever: an edit is seen by the next build."""
    from reader_build.build import build
    chapter = project / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text() + "\nA sentence added after the first build.\n")
    with counted_reads(project) as counts:
        result = build(project, editions=["ebook"], jobs=1)
    assert result.status == 0
    assert counts["manuscript/one.md"] == 1
    import zipfile
    with zipfile.ZipFile(project / "build" / "ebook.epub") as epub:
        assert any(b"A sentence added after the first build." in epub.read(n) for n in epub.namelist())


def test_a_csl_style_of_the_project_is_read_once(tmp_path):
    from reader_build.bibliography.csl_styles import COLLECTION, collection_ids
    from reader_build.diagnostics import Diagnostics
    from reader_build.resolve import load_reader
    csl = (COLLECTION / f"{collection_ids()[0]}.csl").read_text(encoding="utf-8")
    root = write_project(tmp_path / "csl", {**MINIMAL, "reader.toml": 'title = "T"\n[bibliography]\n'
                                            'style = "mine"\n'})
    (root / "styles").mkdir()
    (root / "styles" / "mine.csl").write_text(csl, encoding="utf-8")
    with counted_reads(root) as counts:
        reader = load_reader(root, Diagnostics())
    assert reader is not None
    assert counts["styles/mine.csl"] == 1
