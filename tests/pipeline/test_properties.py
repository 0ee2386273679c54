"""Property tests: whatever a chapter, reader.toml, a .bib or the authority file holds,
`check` (and, for a handful of chapters, `build`) ends in diagnostics or editions, never
in an exception.

The examples are derandomised (the suite stays deterministic); set
READER_BUILD_EXAMPLES=N to explore N random examples per property instead.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import MINIMAL, write_project
from test_bad_input import FRONT

from reader_build.cli import main

EXPLORE = int(os.environ.get("READER_BUILD_EXAMPLES", "0"))


def _settings(examples: int):
    return settings(max_examples=EXPLORE or examples, deadline=None, derandomize=not EXPLORE, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


AUTHORITY = """\
[[entry]]
id = "gromyko"
kind = "person"
heading = "Gromyko, Andrei"
variants = ["Gromyko"]

[[entry]]
id = "kurils"
kind = "place"
heading = "Kuril Islands"
variants = ["Kurils"]
"""

TEXT = st.characters(blacklist_categories=("Cs",))


def _pieces(pieces: list[str], size: int = 40):
    """Text made of syntax fragments and bits of arbitrary text."""
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(TEXT, max_size=6)), max_size=size).map("".join)


MARKDOWN = _pieces([
    "---\n", "id: one\n", "id: two\n", "title: T\n", "kind: front\n", "short: [\n", "\n", "\n\n", "    ", "\t",
    "[^a]", "[^b]", "[^a]: A note.\n", "[^b]: ", "[@doe-2001]", "[@doe-2001, p. 5]", "[see @doe-2001; @x]",
    "@doe-2001", "[-@doe-2001]", "@{doe 2001}", "\\@", "a@b.c", "[", "]", "(", ")", "{", "}", "{#x}", "{#one}",
    "{.lead}", "{.noix}", "{ix=gromyko}", "{ix=nope}", "[the minister]{ix=gromyko}", "Gromyko", "Kurils",
    "![a map](images/x.png)", "![](x.svg)", "![a](http://example.com/x.png)", "![a](../x.png)",
    "[x](javascript:alert(1))", "<script>", "</script>", "<div onclick=x>", "</div>", "<b>", "<!--", "-->",
    "> ", "- ", "1. ", "* ", "## ", "# ", "### Title {#t}", "`", "```\n", "~~~", "*", "_", "**", "~~",
    "|a|b|\n|-|-|\n|1|2|\n", "&nbsp;", "&#0;", "&amp;", "\\", "http://example.com", "<http://x.y>",
    "---", "--", "...", "\"", "'", "\x00", "\u200b", "\ufeff", "\u2028", "é", "日本語", "\U0001F600", "\r\n", "\r",
])
CHAPTER = st.one_of(st.text(TEXT, max_size=200), MARKDOWN, MARKDOWN.map(lambda body: FRONT + body))

TOML = _pieces([
    'title = "T"\n', 'title = ', 'title = ""\n', '"', "'", '"""', "'''", "\n", " = ", "=", "#", ",",
    "[", "]", "{", "}", "[[", "]]", "[editions.print]\n", "[editions.ebook]\n", "[editions.X Y]\n",
    "[editions]\n", "editions = 3\n", 'format = "pdf"\n', 'format = "epub"\n', 'format = "docx"\n',
    'page-size = "a4"\n', 'page-size = ["150mm", "220mm"]\n', "page-size = [1, 2]\n", "font-size = 12\n",
    'font-size = "huge"\n', 'medium = "screen"\n', 'margins = "single"\n', 'include = ["toc", "x"]\n',
    'pdf-variant = "pdf/ua-1"\n', 'chapters = ["one.md"]\n', 'chapters = ["../x.md", "", 3]\n',
    "chapters = []\n", '[handouts.h]\nsections = ["one"]\n', "nup = 3\n", "booklet = 1\n",
    "date = 2020-01-01\n", 'date = "2020-13"\n', 'language = "xx-"\n', "hyphenate = true\n",
    "[bibliography]\n", 'style = "nope"\n', "all = true\n", "true", "1e400", "inf", "nan", "-0", "0x1F",
    "1979-05-27T07:32:00Z", "\\u0000", "\\", "\t", "\x00", "é",
])
CONFIG = st.one_of(st.text(TEXT, max_size=200), TOML, TOML.map(lambda rest: 'title = "T"\n' + rest))

BIB = _pieces([
    "@book{", "@article{", "@incollection{", "@string{", "@comment{", "@preamble{", "@", "doe-2001,",
    "other,", "key,", "author = {", "editor = ", "title = \"", "year = 2001", "date = {2001-02}",
    "crossref = {doe-2001}", "crossref = {missing}", " and ", "Doe, Jane", "Doe, Jr, Jane, X",
    "{\\\"o}", "{\\relax}", "}", "{", "\"", "#", ",", "=", "\n", "%", "\\", "jan", "{{{{", "}}}}",
])
BIB_BYTES = st.one_of(st.binary(max_size=400), BIB.map(lambda t: t.encode("utf-8")))

AUTHORITY_TOML = _pieces([
    "[[entry]]\n", "[[entry.sub]]\n", "[entry]\n", 'id = "gromyko"\n', 'id = "x"\n', 'id = 3\n',
    'kind = "person"\n', 'kind = "place"\n', 'kind = "thing"\n', 'heading = "H"\n', 'heading = ""\n',
    'variants = ["Gromyko", "Kurils"]\n', 'variants = [""]\n', 'variants = "x"\n', 'see = "x"\n',
    'see = "gromyko"\n', 'see_also = ["kurils", "nope"]\n', 'sort = "S"\n', 'gloss = "g"\n', "\n", "=", '"',
    "[", "]", "#",
])


@contextlib.contextmanager
def project(files: dict[str, str | bytes]):
    """A throw-away project: the minimal one with an authority file, and *files* over it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp) / "reader", dict(MINIMAL, **{"manuscript/index.toml": AUTHORITY}))
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        yield root


DIAGNOSTIC = re.compile(r"^(\S.*: )?(error|warning) \[[a-z0-9-]+\]: .+$")


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main([str(a) for a in argv])
    return code, out.getvalue()


def assert_ends_well(code: int, output: str) -> None:
    """Exit 0 or 1; every problem reported on one well-formed line; an error when the exit is 1."""
    assert "Traceback" not in output, output
    assert code in (0, 1), output
    diagnostics = [line for line in output.splitlines() if re.search(r" (error|warning) \[", line)]
    for line in diagnostics:
        assert DIAGNOSTIC.match(line), line
    if code == 1:
        assert any(" error [" in line or line.startswith("error [") for line in diagnostics), output


@_settings(80)
@given(text=CHAPTER)
def test_any_chapter_checks(text):
    with project({"manuscript/one.md": text}) as root:
        assert_ends_well(*run("check", root))


@_settings(80)
@given(text=CONFIG)
def test_any_reader_toml_checks(text):
    with project({"reader.toml": text}) as root:
        assert_ends_well(*run("check", root))


@_settings(80)
@given(data=BIB_BYTES)
def test_any_bib_file_checks(data):
    with project({"bibliography/refs.bib": data}) as root:
        assert_ends_well(*run("check", root))


@_settings(60)
@given(text=AUTHORITY_TOML)
def test_any_authority_file_checks(text):
    with project({"manuscript/index.toml": text,
                  "manuscript/one.md": FRONT + "Gromyko and [the minister]{ix=gromyko} in the Kurils.\n"}) as root:
        assert_ends_well(*run("check", root))


@_settings(6)
@given(text=MARKDOWN.map(lambda body: FRONT + body + "\n\nIt cites [@doe-2001].\n"))
def test_a_handful_of_chapters_build(text):
    with project({"manuscript/one.md": text}) as root:
        code, output = run("build", root, "--quiet")
        assert_ends_well(code, output)
        if code == 0:
            assert (root / "build" / "print.pdf").stat().st_size > 0
            assert (root / "build" / "ebook.epub").stat().st_size > 0
            assert (root / "build" / "manifest.json").exists()
