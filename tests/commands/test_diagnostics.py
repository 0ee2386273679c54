"""Manuscript problems are reported as path:line:col: error [code]: message, exit status 1."""
from __future__ import annotations

import json
import re

import pytest

from reader_build.cli import main

LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning) \[(?P<code>[a-z0-9-]+)\]: ")


def run(capsys, *args) -> tuple[int, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return status, text


def diagnostic(text: str, code: str):
    for line in text.splitlines():
        m = LINE.match(line)
        if m and m.group("code") == code:
            return m
    raise AssertionError(f"no [{code}] diagnostic in:\n{text}")


def chapter(minimal, body: str) -> None:
    (minimal / "manuscript" / "one.md").write_text(body, encoding="utf-8")


def test_minimal_project_builds_with_defaults(minimal, capsys):
    status, text = run(capsys, "build", str(minimal), "--quiet")
    assert status == 0, text
    manifest = json.loads((minimal / "build" / "manifest.json").read_text())
    assert [e["name"] for e in manifest["editions"]] == ["print", "ebook"]
    assert manifest["counts"]["footnotes"] == 2 and manifest["counts"]["chapters"] == 1
    assert manifest["counts"]["citations"] == 2 and manifest["counts"]["bibliography"] == 1
    assert (minimal / "build" / "print.pdf").read_bytes().startswith(b"%PDF")


def test_note_without_definition(minimal, capsys):
    chapter(minimal, "---\nid: one\ntitle: One\n---\n\nText.[^a]\n\nMore text[^missing] here.\n\n[^a]: A note.\n")
    status, text = run(capsys, "build", str(minimal), "-q")
    m = diagnostic(text, "note-undefined")
    assert status == 1
    assert (m.group("path"), m.group("line"), m.group("col")) == ("manuscript/one.md", "8", "10")
    assert not (minimal / "build" / "print.pdf").exists()


def test_definition_never_referenced(minimal, capsys):
    chapter(minimal, "---\nid: one\ntitle: One\n---\n\nText.[^a]\n\n[^a]: A note.\n\n[^lost]: Never called.\n")
    status, text = run(capsys, "check", str(minimal))
    m = diagnostic(text, "note-unused")
    assert status == 1 and m.group("line") == "10"


def test_label_defined_twice(minimal, capsys):
    chapter(minimal, "---\nid: one\ntitle: One\n---\n\nText.[^a]\n\n[^a]: First.\n\n[^a]: Second.\n")
    status, text = run(capsys, "check", str(minimal))
    m = diagnostic(text, "note-duplicate")
    assert status == 1 and m.group("line") == "10"
    assert "first on line 8" in text


def test_chapter_without_title(minimal, capsys):
    chapter(minimal, "---\nid: one\n---\n\nText.\n")
    status, text = run(capsys, "build", str(minimal), "-q")
    m = diagnostic(text, "chapter-no-title")
    assert status == 1 and m.group("path") == "manuscript/one.md"


def test_unknown_citation_key_suggests_the_nearest(minimal, capsys):
    chapter(minimal, "---\nid: one\ntitle: One\n---\n\nAs argued [@doe-2010, p. 4].\n")
    status, text = run(capsys, "check", str(minimal))
    m = diagnostic(text, "cite-unknown")
    assert status == 1 and m.group("line") == "6"
    assert "doe-2001" in text


def test_strict_turns_warnings_into_errors(minimal, capsys):
    (minimal / "bibliography" / "refs.bib").write_text(
        (minimal / "bibliography" / "refs.bib").read_text() + "\n@book{unused, title = {Unused}, year = {1999}}\n")
    status, text = run(capsys, "check", str(minimal))
    assert status == 0 and "warning [cite-unused]" in text
    status, text = run(capsys, "build", str(minimal), "--strict", "-q")
    assert status == 1 and "error [cite-unused]" in text


@pytest.mark.parametrize("args", [["build", "--jobs", "0"], ["frobnicate"], ["handout"]])
def test_a_wrong_command_line_exits_2(args, minimal, capsys):
    with pytest.raises(SystemExit) as exc:
        status = main(args + [str(minimal)])
        raise SystemExit(status)
    assert exc.value.code == 2


def test_unknown_edition_is_an_input_error(minimal, capsys):
    status, text = run(capsys, "build", str(minimal), "--edition", "prnt", "-q")
    assert status == 1 and "edition-unknown" in text
