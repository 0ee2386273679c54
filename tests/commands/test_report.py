"""Diagnostics a person can read: a summary per code by default, --verbose, --format json,
and every diagnostic about reader.toml at its line and column."""
from __future__ import annotations

import json
import re

import pytest

from conftest import MINIMAL, write_project
from reader_build.cli import main
from reader_build.commands.report import summary_lines

NAMES = [f"Ba{chr(97 + i // 26)}{chr(97 + i % 26)}ovitz" for i in range(37)]


def run(capsys, *args):
    status = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return status, out.out, out.err


@pytest.fixture
def many_names(tmp_path):
    """A project whose text names 37 people that no index entry knows, with one error too."""
    text = " ".join(f"Then {name} spoke." for name in NAMES)
    files = dict(MINIMAL)
    files["manuscript/index.toml"] = ('[[entry]]\nid = "x"\nkind = "place"\nheading = "Xanadu"\n'
                                      'variants = ["Xanadu"]\n')
    files["manuscript/two.md"] = f"---\nid: two\ntitle: Two\n---\n\nIn Xanadu. {text}\n"
    return write_project(tmp_path / "names", files)


def test_check_summarises_each_code_and_counts_the_rest(many_names, capsys):
    status, out, err = run(capsys, "check", str(many_names))
    assert status == 0
    unmatched = [line for line in out.splitlines() if "[index-unmatched-name]" in line]
    assert len(unmatched) == 10
    assert out.splitlines()[-1] == ("\u2026 27 more `index-unmatched-name` warnings: `--verbose` lists them all, "
                                    "`reader-build index suggest` turns them into entries")
    assert "37 warning(s)" in err


def test_verbose_lists_every_diagnostic(many_names, capsys):
    status, out, _ = run(capsys, "check", str(many_names), "--verbose")
    lines = [line for line in out.splitlines() if "[index-unmatched-name]" in line]
    assert len(lines) == 37 and "more `" not in out
    assert {re.search(r"'(\w+)'", line).group(1) for line in lines} == set(NAMES)


def test_errors_are_always_printed_in_full(capsys):
    from reader_build.diagnostics import Diagnostic
    items = [Diagnostic("note-missing", "error", f"note {i}", "a.md", i, 1) for i in range(1, 26)]
    items += [Diagnostic("cite-unused", "warning", f"w {i}", "b.bib", i) for i in range(1, 13)]
    lines = summary_lines(items)
    assert sum("[note-missing]" in line for line in lines) == 25
    assert sum("[cite-unused]" in line for line in lines) == 10
    assert lines[-1] == "\u2026 2 more `cite-unused` warnings: `--verbose` lists them all"


def test_count_line_groups_thousands():
    from reader_build.diagnostics import Diagnostic
    items = [Diagnostic("index-unmatched-name", "warning", f"'N{i}'", "a.md", i, 1) for i in range(2141)]
    assert summary_lines(items)[-1].startswith("\u2026 2,131 more `index-unmatched-name` warnings")


def test_format_json_is_one_object_per_line(many_names, capsys):
    (many_names / "manuscript" / "one.md").write_text("---\nid: one\ntitle: One\n---\n\nText.[^gone]\n")
    status, out, _ = run(capsys, "check", str(many_names), "--format", "json")
    assert status == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert sum(r["code"] == "index-unmatched-name" for r in records) == 37     # never summarised
    for record in records:
        assert set(record) == {"path", "line", "column", "severity", "code", "message"}
    missing = next(r for r in records if r["severity"] == "error")
    assert (missing["path"], missing["line"], missing["column"]) == ("manuscript/one.md", 6, 6)


def test_build_format_json_keeps_stdout_for_diagnostics(many_names, capsys):
    (many_names / "reader.toml").write_text('title = "T"\n[editions.print]\nformat = "pdx"\n')
    status, out, _ = run(capsys, "build", str(many_names), "--format", "json")
    assert status == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert records[0]["code"] == "config-value" and (records[0]["line"], records[0]["column"]) == (3, 10)


# -- every diagnostic about reader.toml has its line and column ---------------------------

def _at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """Line and column of the *nth* occurrence of *needle* in *text*."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


CONFIG_CASES = [
    # (code, reader.toml, the text the diagnostic must point at)
    ("config-toml", 'title = "T"\nauthor = \n', "\n"),
    ("config-title", 'author = "A"\n', "a"),
    ("config-title", 'title = "  "\n', '"  "'),
    ("config-unknown-key", 'title = "T"\ncolour = "red"\n', "colour"),
    ("config-unknown-key", 'title = "T"\n[editions.print]\nformat = "pdf"\npaper = "a4"\n', "paper"),
    ("config-unknown-key", 'title = "T"\n[bibliography]\nstyel = "plain"\n', "styel"),
    ("config-type", 'title = "T"\nhyphenate = "yes"\n', '"yes"'),
    ("config-type", 'title = "T"\n[editions]\nprint = "pdf"\n', '"pdf"'),
    ("config-type", 'title = "T"\nchapters = ["a.md", ""]\n', '["a.md"'),
    ("config-value", 'title = "T"\n[editions.print]\nformat = "pfd"\n', '"pfd"'),
    ("config-value", 'title = "T"\n[editions.print]\npage-size = "b7"\n', '"b7"'),
    ("config-value", 'title = "T"\neditions.print.page-size = "b7"\n', '"b7"'),
    ("config-value", 'title = "T"\n[editions]\nprint = { format = "pdf", page-size = "b7" }\n', '"b7"'),
    ("config-value", 'title = "T"\n[editions.print]\nfont-size = "big"\n', '"big"'),
    ("config-value", 'title = "T"\n[editions.print]\nmedium = "paper"\n', '"paper"'),
    ("config-value", 'title = "T"\n[editions.print]\nmargins = "wide"\n', '"wide"'),
    ("config-value", 'title = "T"\n[editions.print]\ninclude = ["toc",\n  "chapters"]\n', '"chapters"'),
    ("config-value", 'title = "T"\n[editions.print]\npdf-variant = "pdf/x"\n', '"pdf/x"'),
    ("config-value", 'title = "T"\n[editions.Print]\nformat = "pdf"\n', "Print"),
    ("config-value", 'title = "T"\ndate = "5 May"\n', '"5 May"'),
    ("config-value", 'title = "T"\nlanguage = "English!"\n', '"English!"'),
    ("config-value", 'title = "T"\n[handouts.week1]\nsections = []\n', "[]"),
    ("config-value", 'title = "T"\n[handouts.week1]\nsections = ["one"]\npaper = "a3"\n', '"a3"'),
    ("config-value", 'title = "T"\n[handouts.week1]\nsections = ["one"]\nnup = 3\n', "3"),
    ("config-font-ignored", 'title = "T"\n[editions.print]\nfont = "sans"\n', '"sans"'),
    ("chapter-missing", 'title = "T"\nchapters = ["one.md", "tow.md"]\n', '"tow.md"'),
    ("chapter-outside", 'title = "T"\nchapters = ["../../one.md"]\n', '"../../one.md"'),
]


def test_every_config_code_is_tested():
    """The cases above cover every code that config.py can report."""
    import inspect

    import reader_build.config as config
    codes = set(re.findall(r'"(config-[a-z-]+)"', inspect.getsource(config)))
    assert codes == {c for c, _, _ in CONFIG_CASES if c.startswith("config-")}


@pytest.mark.parametrize("code,toml,needle", CONFIG_CASES, ids=[f"{c}-{i}" for i, (c, _, _) in
                                                                enumerate(CONFIG_CASES)])
def test_config_diagnostics_carry_line_and_column(tmp_path, capsys, code, toml, needle):
    root = write_project(tmp_path / "p", {**MINIMAL, "reader.toml": toml})
    status, out, _ = run(capsys, "check", str(root), "--format", "json")
    records = [json.loads(line) for line in out.splitlines()]
    found = [r for r in records if r["code"] == code]
    assert found, records
    record = found[0]
    assert record["path"] == "reader.toml" and record["line"] and record["column"], record
    if code == "config-toml":
        assert record["line"] == 2
    else:
        assert (record["line"], record["column"]) == _at(toml, needle), (record, toml)


HANDOUT_CASES = [
    ("handout-edition-unknown", '[handouts.week1]\nsections = ["one"]\nedition = "prnt"\n', '"prnt"'),
    ("handout-edition-not-pdf", '[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n'
                                '[handouts.week1]\nsections = ["one"]\nedition = "ebook"\n', '"ebook"'),
    ("handout-no-print-edition", '[editions.ebook]\nformat = "epub"\n[handouts.week1]\nsections = ["one"]\n',
     "week1"),
    ("handout-section-unknown", '[handouts.week1]\nsections = ["one", "tow"]\n', '"tow"'),
]


@pytest.mark.parametrize("case", HANDOUT_CASES, ids=[c[0] for c in HANDOUT_CASES])
def test_handout_diagnostics_carry_line_and_column(tmp_path, case):
    from reader_build.build import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.handout.build import build_handout
    code, body, needle, *nth = case
    toml = 'title = "T"\n' + body
    root = write_project(tmp_path / "p", {**MINIMAL, "reader.toml": toml})
    diags = Diagnostics()
    reader = load_reader(root, diags)
    assert build_handout(reader, reader.config.handouts[0], root, diags, results={}) is None
    found = next(d for d in diags if d.code == code)
    assert (found.path, found.line, found.col) == ("reader.toml", *_at(toml, needle, *nth))
