"""Hostile input: raw HTML is sanitised, nothing is fetched from the network, no file outside
the project is read, the EPUB carries no script, and pathological Markdown ends (with
editions or a diagnostic) in bounded time and memory.

"Nothing fetched" and "nothing read" are observed, not assumed: while a build runs, an
audit hook (``sys.addaudithook``) records every ``open`` of a file under the watched
outside folder and every socket event, and ``socket.socket.connect`` and friends are
replaced by functions that record and refuse.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import MINIMAL, pdf_page_texts, write_project
from test_bad_input import (CITES, FRONT, assert_rejected, built_copy, chapter, doc_cells,  # noqa: F401
                            no_validators, snapshot, temporaries)

from reader_build.cli import main
from reader_build.source.sanitize import sanitize_html

MARK = "OUTSIDEMARKQX"          # the content of the files outside the project
SECRET_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
              f'<text x="5" y="20" font-size="12">{MARK}</text></svg>\n')
MEMORY_LIMIT_MB = 1024


# --- observing the process -------------------------------------------------------------------

class _Watch:
    active = False
    outside: tuple[str, ...] = ()
    events: list = []


def _audit(event: str, args) -> None:
    if not _Watch.active:
        return
    if event.startswith(("socket.", "urllib.", "http.client.", "ftplib.", "smtplib.")):
        _Watch.events.append((event, repr(args)[:200]))
    elif event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        try:
            real = os.path.realpath(os.fsdecode(args[0]))
        except (TypeError, ValueError):
            return
        if any(real == o or real.startswith(o + os.sep) for o in _Watch.outside):
            _Watch.events.append(("open", real))


sys.addaudithook(_audit)


@contextlib.contextmanager
def watched(outside: list[Path] = ()):
    """Record (and refuse) any network use, and record any open of a file under *outside*."""
    def refuse(name):
        def refused(*args, **kwargs):
            _Watch.events.append((name, repr(args)[:200]))
            raise OSError(f"network use refused by the test ({name})")
        return refused

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse("socket.connect"))
        mp.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
        mp.setattr(socket, "create_connection", refuse("socket.create_connection"))
        mp.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
        _Watch.events = []
        _Watch.outside = tuple(os.path.realpath(p) for p in outside)
        _Watch.active = True
        try:
            yield _Watch.events
        finally:
            _Watch.active = False


def test_the_watch_sees_network_use_and_outside_reads(tmp_path):
    """The observer itself works: a connection attempt and a read are both recorded."""
    (tmp_path / "secret.txt").write_text(MARK)
    with watched([tmp_path]) as events:
        with pytest.raises(OSError):
            socket.create_connection(("example.com", 80), timeout=1)
        (tmp_path / "secret.txt").read_bytes()
    kinds = [e[0] for e in events]
    assert "socket.create_connection" in kinds and "open" in kinds


# --- raw HTML ------------------------------------------------------------------------------------

FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "form", "input",
                  "button", "base", "textarea", "select", "audio", "video", "math"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def unsafe_parts(html: str, allow_style_tag: bool = True) -> list[str]:
    """Every script-capable element, event handler and javascript:-like URL in *html*."""
    parser = _Elements()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        local = tag.split(":")[-1]
        if local in FORBIDDEN_TAGS or (local == "style" and not allow_style_tag) \
                or (local == "meta" and any(n == "http-equiv" for n, _ in attrs)) \
                or (local == "link" and any(n == "href" and v and "://" in v for n, v in attrs)):
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if name in URL_ATTRS and value is not None:
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                if cleaned.startswith(("javascript:", "vbscript:", "data:text", "file:")):
                    found.append(f"<{tag} {name}={value!r}>")
    if re.search(r"<\s*script", html, re.I):
        found.append("<script (text)>")
    return found


VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/x.js></SCRIPT>",
    "<b onclick=\"alert(1)\">bold</b>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<svg/onload=alert(1)>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"/>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<a href=\"javascript:alert(1)\">j</a>",
    "<a href=\" JaVaScRiPt:alert(1)\">j</a>",
    "<a href=\"&#106;avascript:alert(1)\">j</a>",
    "<a href=\"java&#x09;script:alert(1)\">j</a>",
    "<a href=\"vbscript:msgbox(1)\">v</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">d</a>",
    "<div style=\"background:url(javascript:alert(1))\">s</div>",
    "<form action=\"http://evil.example\"><input name=a><button formaction=\"javascript:1\">b</button></form>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<base href=\"http://evil.example/\"><link rel=stylesheet href=\"http://evil.example/x.css\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<style>body{background:url(http://evil.example/x)}</style>",
    "<details open ontoggle=alert(1)>d</details>",
    "<p><scr<script>ipt>alert(1)</scr</script>ipt></p>",
    "<!--<script>alert(1)//--><p>after</p>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<a href=\"https://example.com/\" onmouseover=\"alert(1)\">fine link</a>",
]


@pytest.mark.parametrize("fragment", VECTORS)
@pytest.mark.parametrize("balance", [True, False])
def test_sanitiser_leaves_nothing_executable(fragment, balance):
    html, _removed = sanitize_html(fragment, balance=balance)
    assert unsafe_parts(html, allow_style_tag=False) == [], html


def test_sanitiser_keeps_ordinary_markup():
    html, removed = sanitize_html('<p>A <em>treaty</em> of <a href="https://example.com/x" title="t">1951</a>'
                                  '<sup>2</sup><br>signed</p>')
    assert removed == []
    assert html == ('<p>A <em>treaty</em> of <a href="https://example.com/x" title="t">1951</a>'
                    '<sup>2</sup><br/>signed</p>')


def test_sanitiser_drops_a_void_element_without_swallowing_what_follows():
    html, removed = sanitize_html("<div>a<embed src=x>b<svg/>c<iframe/>d</div>")
    assert html == "<div>abcd</div>" and removed == ["embed", "svg", "iframe"]


HOSTILE_CHAPTER = FRONT + """\
Intro <script>alert(1)</script> text <b onclick="steal()">bold</b> <a href="javascript:alert(1)">j</a>
<img src="http://tracker.example/pixel.png" onerror=alert(1)> <iframe src="http://evil.example"></iframe>
and a [fine link](https://example.com/ok) and <a href=" JaVaScRiPt:alert(2)">k</a>.

<div onmouseover="alert(1)">
<script>
document.write("pwned")
</script>
<iframe src="https://evil.example/"></iframe>
<object data="x.swf"></object>
<embed src="x.swf">
<form action="http://evil.example"><input name=a></form>
<a href="&#106;avascript:alert(1)">entity</a>
<style>body { background: url(http://evil.example/x) }</style>
<base href="http://evil.example/">
<link rel="stylesheet" href="http://evil.example/x.css">
<meta http-equiv="refresh" content="0;url=http://evil.example">
<img src="file://{outside}/secret.svg">
<p>KEPTAFTERTHEDIV</p>
</div>

[click](javascript:alert(1)) and <javascript:alert(1)> and ![a map](file://{outside}/secret.svg)
and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==).

A note.[^n] """ + CITES + """
[^n]: In a note <script>alert(3)</script><i onclick="x()">italic</i> <a href="javascript:x">l</a>.
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """The minimal project with the hostile chapter, built with --emit-html under watch."""
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.svg").write_text(SECRET_SVG)
    root = write_project(base / "reader", dict(MINIMAL))
    (root / "manuscript" / "one.md").write_text(HOSTILE_CHAPTER.replace("{outside}", str(outside)))
    out = io.StringIO()
    with watched([outside]) as events, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["build", str(root), "--emit-html"])
    epub = {}
    with zipfile.ZipFile(root / "build" / "ebook.epub") as zf:
        epub = {name: zf.read(name) for name in zf.namelist()}
    return {"root": root, "code": code, "output": out.getvalue(), "events": list(events),
            "html": (root / "build" / "print.html").read_text(encoding="utf-8"), "epub": epub}


def test_hostile_html_builds_with_warnings_and_no_network(hostile):
    assert hostile["code"] == 0, hostile["output"]
    assert "Traceback" not in hostile["output"]
    assert hostile["events"] == []
    lines = hostile["output"].splitlines()
    assert ("manuscript/one.md:6:1: warning [html-removed]: raw HTML removed: <script>, the onclick attribute "
            "of <b>, the href attribute of <a>, <img>, <iframe>") in lines
    assert ("manuscript/one.md:10:1: warning [html-removed]: raw HTML removed: the onmouseover attribute of "
            "<div>, <script>, <iframe>, <object>, <embed>, <form>, the href attribute of <a>, <style>, <base>, "
            "<link>, <meta>, <img>") in lines
    assert ("manuscript/one.md:32:1: warning [html-removed]: raw HTML removed: <script>, the onclick attribute "
            "of <i>, the href attribute of <a>") in lines


def test_text_inside_an_inline_script_is_not_printed(hostile):
    """Markdown gives the text between an inline <script> and </script> as a token of its own:
    it is dropped with the tags, in the PDF's HTML and in the EPUB."""
    html = hostile["html"]
    assert "alert(3)" not in html[html.index("<body"):]
    assert not any(b"alert(3)" in data for name, data in hostile["epub"].items() if name.endswith(".xhtml"))
    assert "In a note" in html and "italic" in html


def test_pdf_html_carries_nothing_executable(hostile):
    html = hostile["html"]
    body = html[html.index("<body"):]
    assert unsafe_parts(body, allow_style_tag=False) == []
    assert unsafe_parts(html) == []
    # (the PDF's HTML takes a word space before an inline element into it: render.typography)
    assert "KEPTAFTERTHEDIV" in html and re.search(r"<b> ?bold</b>", html)
    assert 'href="https://example.com/ok"' in html
    assert "pwned" not in html and "evil.example" not in html and "tracker.example" not in html


def test_epub_carries_no_script(hostile):
    epub = hostile["epub"]
    assert not [name for name in epub if name.lower().endswith((".js", ".mjs"))]
    for name, data in epub.items():
        assert b"<script" not in data.lower(), name
    opf = next(data for name, data in epub.items() if name.endswith(".opf")).decode()
    assert "scripted" not in opf and "remote-resources" not in opf
    documents = {n: d.decode() for n, d in epub.items() if n.endswith((".xhtml", ".html", ".svg"))}
    for name, text in documents.items():
        assert unsafe_parts(text) == [], name
    chapter_doc = next(text for name, text in documents.items() if "one" in name)
    assert "KEPTAFTERTHEDIV" in chapter_doc and "pwned" not in chapter_doc
    assert "evil.example" not in chapter_doc


def test_pdf_does_not_contain_the_outside_file(hostile):
    text = " ".join(pdf_page_texts(hostile["root"] / "build" / "print.pdf"))
    assert MARK not in text
    assert "KEPTAFTERTHEDIV" in text


# --- nothing fetched, nothing read outside -----------------------------------------------------------

@pytest.fixture
def project(minimal_built, tmp_path) -> Path:
    return built_copy(minimal_built, tmp_path / "reader")


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.svg").write_text(SECRET_SVG)
    (folder / "secret.md").write_text(f"---\nid: secret\ntitle: {MARK}\n---\n\n{MARK}\n")
    (folder / "secret.bib").write_text(f"@book{{secret, title = {{{MARK}}}, year = 2001}}\n")
    (folder / "secret.toml").write_text(f'[[entry]]\nid = "secret"\nkind = "person"\nheading = "{MARK}"\n')
    (folder / "secret.css").write_text(f'body::before {{ content: "{MARK}"; }}\n')
    template = (Path(__file__).resolve().parents[2] / "src/reader_build/templates/book.html.j2").read_text()
    (folder / "secret.j2").write_text(template.replace("<body", f"<p>{MARK}</p><body", 1))
    return folder


def _write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)


def _link(root: Path, name: str, target: Path) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    if (root / name).exists():
        (root / name).unlink()
    os.symlink(target, root / name)


@dataclass
class Hostile:
    id: str
    setup: object                   # (root, outside) -> None
    expected: list[str]


def _image_chapter(ref: str):
    return lambda root, out: _write(root, "manuscript/one.md",
                                    chapter(f"![A map of the islands]({ref.format(outside=out)})"))


REMOTE = [
    Hostile("remote-image-http", _image_chapter("http://example.com/map.png"),
            ["manuscript/one.md:6:1: error [image-remote]: image 'http://example.com/map.png' is on the network; "
             "reader-build fetches nothing: download it into the project and refer to the file"]),
    Hostile("remote-image-protocol-relative", _image_chapter("//example.com/map.png"),
            ["manuscript/one.md:6:1: error [image-remote]: image '//example.com/map.png' is on the network; "
             "reader-build fetches nothing: download it into the project and refer to the file"]),
    Hostile("remote-css-url", lambda root, out: _write(root, "styles/extra.css",
                                                       "h2 {\n  background: url(https://example.com/x.png);\n}\n"),
            ["styles/extra.css:2:15: error [fetch-refused]: the stylesheet asks for 'https://example.com/x.png', "
             "which is not a file of the project; reader-build fetches nothing from the network or from "
             "outside the project"]),
    Hostile("remote-css-import", lambda root, out: _write(root, "styles/extra.css",
                                                          "@import url(http://example.com/x.css);\n"),
            ["styles/extra.css:1:9: error [css-import]: @import 'http://example.com/x.css' is not followed: put "
             "the rules in styles/extra.css (print) or styles/extra-epub.css (e-book) instead"]),
    Hostile("remote-epub-css", lambda root, out: _write(root, "styles/extra-epub.css",
                                                        "@font-face { font-family: X; src: url(https://example.com/"
                                                        "x.woff2); }\n"),
            ["styles/extra-epub.css:1:35: error [fetch-refused]: the stylesheet asks for "
             "'https://example.com/x.woff2', which is not a file of the project; reader-build fetches nothing "
             "from the network or from outside the project"]),
    Hostile("remote-svg-reference", lambda root, out: (
        _write(root, "manuscript/images/map.svg", '<svg xmlns="http://www.w3.org/2000/svg" '
               'xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://example.com/x.png" '
               'width="5" height="5"/></svg>'),
        _image_chapter("images/map.svg")(root, out)),
            ["manuscript/one.md:6:1: error [image-unsafe]: SVG image 'images/map.svg' refers to "
             "'http://example.com/x.png'; reader-build puts no scripts and no references to other files in "
             "its editions"]),
]


@pytest.mark.parametrize("case", REMOTE, ids=[c.id for c in REMOTE])
def test_nothing_is_fetched_from_the_network(case, project, outside, capsys):
    case.setup(project, outside)
    with watched([outside]) as events:
        assert_rejected(project, capsys, case.expected)
    assert events == []


OUTSIDE = [
    Hostile("image-dotdot", _image_chapter("../../outside/secret.svg"),
            ["manuscript/one.md:6:1: error [image-outside]: image '../../outside/secret.svg' lies outside the "
             "project folder"]),
    Hostile("image-absolute", _image_chapter("{outside}/secret.svg"), ["[image-outside]"]),
    Hostile("image-file-url-raw-html", lambda root, out: _write(
        root, "manuscript/one.md", chapter(f'<img src="file://{out}/secret.svg" alt="x">')),
            ["manuscript/one.md:6:1: warning [html-removed]: raw HTML removed: <img>"]),
    Hostile("image-symlink", lambda root, out: (_link(root, "manuscript/images/map.svg", out / "secret.svg"),
                                                _image_chapter("images/map.svg")(root, out)),
            ["manuscript/one.md:6:1: error [image-outside]: image 'images/map.svg' lies outside the project "
             "folder"]),
    Hostile("images-folder-symlink", lambda root, out: (_link(root, "manuscript/images", out),
                                                        _image_chapter("images/secret.svg")(root, out)),
            ["manuscript/one.md:6:1: error [image-outside]: image 'images/secret.svg' lies outside the project "
             "folder"]),
    Hostile("chapter-symlink", lambda root, out: _link(root, "manuscript/two.md", out / "secret.md"),
            ["manuscript/two.md: error [outside-project]: the chapter lies outside the project folder "
             "(a link pointing out?)"]),
    Hostile("chapter-listed-outside", lambda root, out: _write(
        root, "reader.toml", f'title = "T"\nchapters = ["one.md", "{out}/secret.md"]\n'),
            ["[chapter-outside]"]),
    Hostile("bibliography-symlink", lambda root, out: _link(root, "bibliography/zz.bib", out / "secret.bib"),
            ["bibliography/zz.bib: error [outside-project]: the bibliography lies outside the project folder "
             "(a link pointing out?)"]),
    Hostile("authority-symlink", lambda root, out: _link(root, "manuscript/index.toml", out / "secret.toml"),
            ["manuscript/index.toml: error [outside-project]: the index authority file lies outside the project "
             "folder (a link pointing out?)"]),
    Hostile("template-symlink", lambda root, out: _link(root, "styles/book.html.j2", out / "secret.j2"),
            ["styles/book.html.j2: error [outside-project]: the template lies outside the project folder "
             "(a link pointing out?)"]),
    Hostile("stylesheet-symlink", lambda root, out: _link(root, "styles/extra.css", out / "secret.css"),
            ["styles/extra.css: error [outside-project]: the stylesheet lies outside the project folder "
             "(a link pointing out?)"]),
    Hostile("css-file-url", lambda root, out: _write(root, "styles/extra.css",
                                                     f"body {{ background: url(file://{out}/secret.svg); }}\n"),
            ["[fetch-refused]"]),
    Hostile("css-relative-url-out", lambda root, out: _write(
        root, "styles/extra.css", "body { background: url(../../outside/secret.svg); }\n"),
            ["error [fetch-refused]: the styles ask for 'https://reader.invalid/outside/secret.svg', which is not "
             "a file of the project"]),
]


@pytest.mark.parametrize("case", OUTSIDE, ids=[c.id for c in OUTSIDE])
def test_no_file_outside_the_project_is_read(case, project, outside, capsys):
    case.setup(project, outside)
    before = snapshot(project)
    with watched([outside]) as events:
        code, output = _run(capsys, "build", project)
    assert "Traceback" not in output
    assert events == [], events
    for expected in case.expected:
        assert expected in output, output
    if code == 0:                      # only the raw-HTML case builds: the file was not read into it
        text = " ".join(pdf_page_texts(project / "build" / "print.pdf"))
        assert MARK not in text
        with zipfile.ZipFile(project / "build" / "ebook.epub") as zf:
            assert not any(MARK.encode() in zf.read(n) for n in zf.namelist())
    else:
        assert code == 1, output
        assert snapshot(project) == before
    assert temporaries(project) == []
    assert MARK not in output


def _run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_same_svg_inside_the_project_would_show(project, capsys):
    """Control for the tests above: the marker file, once inside the project, is in the PDF."""
    _write(project, "manuscript/images/map.svg", SECRET_SVG)
    _image_chapter("images/map.svg")(project, None)
    code, output = _run(capsys, "build", project)
    assert code == 0, output
    assert MARK in " ".join(pdf_page_texts(project / "build" / "print.pdf"))


def test_a_file_url_in_the_css_is_never_laid_out(project, outside):
    """Lay the book out directly (past the diagnostics): the outside image is refused, not drawn."""
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    _write(project, "styles/extra.css", f".chapter-title::after {{ content: url(file://{outside}/secret.svg); }}\n"
           f"h2::after {{ content: url(../../outside/secret.svg); }}\n")
    diags = Diagnostics()
    reader = load_reader(project, diags)
    with watched([outside]) as events:
        result = build_pdf(reader, reader.config.print_edition, project, diags)
    assert events == []
    assert any(d.code == "fetch-refused" for d in diags)
    pdf = project / "laid-out.pdf"
    pdf.write_bytes(result.data)
    text = " ".join(pdf_page_texts(pdf))
    assert MARK not in text and "The Only Chapter" in text


# --- pathological Markdown ---------------------------------------------------------------------------

@dataclass
class Bounded:
    status: int | None
    output: str
    seconds: float
    max_rss_mb: float
    timed_out: bool


# Pathological inputs must be handled in about linear time.  No timing is asserted (the machine's
# load varies); HANG_GUARD only stops a run that would never end, so that a quadratic or worse
# regression (hours on these inputs) fails instead of hanging the suite.
HANG_GUARD = 600


# The command runs under a small launcher that forks it and reports its rusage: on Linux a
# child's peak memory (ru_maxrss) starts from the memory of the process that started it, and
# the test process can be large by then; the launcher's is small.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def run_bounded(argv: list[str], timeout: float, python: list[str] | None = None) -> Bounded:
    """``python -m reader_build ARGV`` (or ``python PYTHON…``) with a time limit; its peak memory
    from wait4, taken by a launcher (LAUNCHER)."""
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile() as out:
        report = Path(folder) / "maxrss"
        command = [sys.executable, "-c", LAUNCHER, str(report),
                   *(python or ["-m", "reader_build", *map(str, argv)])]
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            timed_out = True
        seconds = time.monotonic() - started
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
        max_rss_kb = int(report.read_text()) if report.exists() else 0
    return Bounded(proc.returncode, output, seconds, max_rss_kb / 1024, timed_out)


def _pathological(tmp_path: Path, body: str) -> Path:
    root = write_project(tmp_path / "reader", dict(MINIMAL))
    (root / "manuscript" / "one.md").write_text(FRONT + body + "\n\n" + CITES, encoding="utf-8")
    return root


def _assert_bounded(result: Bounded, limit: float) -> None:
    assert not result.timed_out, f"still running after {limit} s"
    assert "Traceback" not in result.output, result.output[-3000:]
    assert result.status in (0, 1), result.output[-3000:]
    assert result.max_rss_mb < MEMORY_LIMIT_MB, f"{result.max_rss_mb:.0f} MB"
    if result.status == 1:
        assert re.search(r"^\S+: error \[[a-z0-9-]+\]: ", result.output, re.M), result.output[-3000:]


def test_thousands_of_nested_quotes_build(tmp_path):
    root = _pathological(tmp_path, "> " * 5000 + "deep")
    result = run_bounded(["build", root, "--quiet"], HANG_GUARD)
    _assert_bounded(result, HANG_GUARD)
    assert result.status == 0 and (root / "build" / "print.pdf").exists()


def test_thousands_of_nested_lists_build(tmp_path):
    root = _pathological(tmp_path, "".join("  " * i + "- x\n" for i in range(1000)))
    result = run_bounded(["build", root, "--quiet"], HANG_GUARD)
    _assert_bounded(result, HANG_GUARD)


def test_thousands_of_nested_brackets_build(tmp_path):
    root = _pathological(tmp_path, "[" * 3000 + "x" + "]" * 3000)
    result = run_bounded(["build", root, "--quiet"], HANG_GUARD)
    _assert_bounded(result, HANG_GUARD)
    assert result.status == 0


def test_fifty_thousand_unmatched_brackets_check_quickly(tmp_path):
    root = _pathological(tmp_path, "[" * 50_000)
    result = run_bounded(["check", root], HANG_GUARD)
    _assert_bounded(result, HANG_GUARD)


PROSE = "The treaty was never signed, and the islands remain in dispute; (see the notes) -- "


def test_a_ten_megabyte_paragraph_is_read_and_resolved(tmp_path):
    """Reading, parsing and resolving (everything `check` does but its index check) is linear:
    a 10 MB paragraph takes seconds. (`build` is not tried: some 4,000 pages of one paragraph.)"""
    root = _pathological(tmp_path, PROSE * (10_000_000 // len(PROSE)))
    code = ("import sys; from pathlib import Path; from reader_build.resolve import load_reader; "
            "from reader_build.diagnostics import Diagnostics; d = Diagnostics(); "
            "r = load_reader(Path(sys.argv[1]), d); print(len(d.errors()), 'error(s)'); "
            "sys.exit(1 if r is None or d.errors() else 0)")
    result = run_bounded([], HANG_GUARD, python=["-c", code, str(root)])
    _assert_bounded(result, HANG_GUARD)
    assert result.status == 0, result.output[-2000:]


def test_a_ten_megabyte_paragraph_checks(tmp_path):
    root = _pathological(tmp_path, PROSE * (10_000_000 // len(PROSE)))
    result = run_bounded(["check", root], HANG_GUARD)
    _assert_bounded(result, HANG_GUARD)


def test_ten_megabytes_of_narrative_citations_check(tmp_path):
    unit = "the treaty, as @doe-2001 argues at some length in a long discussion, was never signed. "
    root = _pathological(tmp_path, unit * (10_000_000 // len(unit)))
    result = run_bounded(["check", root], HANG_GUARD)
    _assert_bounded(result, HANG_GUARD)


def test_a_hundred_thousand_notes_check(tmp_path):
    n = 100_000
    calls = " ".join(f"t[^n{i}]" for i in range(n))
    notes = "\n".join(f"[^n{i}]: Note {i}.\n" for i in range(n))
    root = _pathological(tmp_path, calls + "\n\n" + notes)
    result = run_bounded(["check", root], HANG_GUARD)
    _assert_bounded(result, HANG_GUARD)
    assert result.status == 0, result.output[-2000:]


def test_docs_show_these_lines():
    """docs/bad-input.md shows the exact lines of the cases above (those with a fixed path)."""
    cells = doc_cells()
    lines = [line for case in REMOTE + OUTSIDE for line in case.expected if re.match(r"^[\w./-]+(:\d+)*: ", line)]
    lines += ["manuscript/one.md:6:1: warning [html-removed]: raw HTML removed: <script>, the onclick attribute of "
              "<b>, the href attribute of <a>, <img>, <iframe>"]
    missing = [line for line in lines if line not in cells]
    assert not missing, "docs/bad-input.md lacks:\n" + "\n".join(missing)
