"""A catalogue of bad input: every case is a diagnostic with a place and a code, never a
traceback, and the editions of the previous build stay as they were.

Each case starts from a copy of the minimal project *already built* (the session
fixture ``minimal_built``, copied with its ``build/`` folder), breaks one thing, and
runs the command line in-process.  It asserts exit status 1, the exact diagnostic
line(s), no "Traceback", ``build/`` byte-identical and no temporary file left.
``docs/bad-input.md`` lists the same lines (checked by the last test).
"""
from __future__ import annotations

import errno
import os
import pathlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from reader_build.cli import main

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "bad-input.md"

FRONT = "---\nid: one\ntitle: The Only Chapter\n---\n\n"
CITES = "It cites a book [@doe-2001, p. 5].\n"


# --- helpers shared with the other robustness tests -------------------------------------

@pytest.fixture(autouse=True)
def no_validators(monkeypatch):
    """`check` also runs EPUBCheck and Ace on an e-book already built (some 15 s); these tests
    are about the input, so the validators are left out."""
    try:
        import reader_build.validators as validators
    except ImportError:
        return
    for name in ("run_epubcheck", "run_ace"):
        monkeypatch.setattr(validators, name, lambda *args, **kwargs: [], raising=False)


def built_copy(minimal_built: dict, dst: Path) -> Path:
    """A copy of the built minimal project, build/ included."""
    shutil.copytree(minimal_built["root"], dst, symlinks=True)
    return dst


def snapshot(root: Path) -> dict[str, bytes]:
    """Every output under build/ (editions, manifest, --emit-html files), by relative path, with
    its bytes; the layout cache in build/.cache/ may grow and is left out, and so is the lock
    file (not an output: it names the process that holds it, a killed build's included)."""
    build = root / "build"
    if not build.is_dir():
        return {}
    return {p.relative_to(build).as_posix(): p.read_bytes()
            for p in sorted(build.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.relative_to(build).parts[0] != ".cache"
            and p.name != ".reader-build.lock"}


def temporaries(root: Path) -> list[Path]:
    """Temporary files left under build/ (``.NAME.tmp-PID`` of the outputs and of the part cache)."""
    build = root / "build"
    return sorted({*build.rglob(".*.tmp-*"), *build.rglob(".*.tmp")}) if build.is_dir() else []


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """Run ``reader-build ARGV`` in-process: (exit status, stdout + stderr)."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_rejected(root: Path, capsys, expected: list[str], *, command: str = "build",
                    args: tuple[str, ...] = (), status: int = 1) -> str:
    """Exit status 1, every expected line printed, no traceback, build/ untouched."""
    before = snapshot(root)
    assert before, "the project was not built first"
    code, output = run_cli(capsys, command, root, *args)
    assert "Traceback" not in output, output
    assert code == status, output
    lines = output.splitlines()
    for line in expected:
        assert line in lines, f"missing line:\n  {line}\nin output:\n{output}"
    assert snapshot(root) == before
    assert temporaries(root) == []
    return output


def make_unreadable(path: Path, monkeypatch) -> None:
    """chmod 000; as root (where that does not stop reading) reading *path* also fails."""
    path.chmod(0)
    if os.geteuid() == 0:
        target = path.absolute()
        real = pathlib.Path.read_bytes

        def read_bytes(self):
            if self.absolute() == target:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return real(self)
        monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)


# --- the cases ---------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    what: str                                   # the bad input, for docs/bad-input.md
    files: dict = field(default_factory=dict)   # path -> str | bytes | None (None: delete)
    expected: list[str] = field(default_factory=list)
    args: tuple[str, ...] = ()
    check: bool = True                          # `check` reports it too
    build: bool = True                          # `build` reports it (and fails)
    status: int = 1                             # the exit status of `check`
    setup: Callable[[Path, object], None] | None = None


def chapter(body: str) -> str:
    return FRONT + body.strip("\n") + "\n\n" + CITES


def _dangling(name: str) -> Callable:
    def setup(root: Path, monkeypatch) -> None:
        path = root / name
        if path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink("gone" + path.suffix, path)
    return setup


def _unreadable(name: str) -> Callable:
    return lambda root, monkeypatch: make_unreadable(root / name, monkeypatch)


def _huge_image(root: Path, monkeypatch) -> None:
    images = root / "manuscript" / "images"
    images.mkdir(parents=True, exist_ok=True)
    with open(images / "huge.png", "wb") as fh:          # sparse: 25 MB that take no disk
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(25 * 1024 * 1024)


def _no_bibliography(root: Path, monkeypatch) -> None:
    shutil.rmtree(root / "bibliography")


def _no_reader_toml(root: Path, monkeypatch) -> None:
    (root / "reader.toml").unlink()


AUTHORITY = """\
[[entry]]
id = "gromyko"
kind = "person"
heading = "Gromyko, Andrei"
variants = ["Gromyko"]

[[entry]]
id = "gromyko"
kind = "person"
heading = "Gromyko, Anatoly"

[[entry]]
id = "malik"
kind = "person"
heading = "Malik, Yakov"
variants = ["Malik", "Gromyko"]
"""

SVG_SCRIPT = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
              '<script>alert(1)</script><rect width="10" height="10"/></svg>')
BOOK_TEMPLATE = (REPO / "src" / "reader_build" / "templates" / "book.html.j2").read_text(encoding="utf-8")


def _template_with(line_no: int, text: str) -> str:
    """The packaged book.html.j2 with *text* inserted as line *line_no*."""
    lines = BOOK_TEMPLATE.split("\n")
    lines.insert(line_no - 1, text)
    return "\n".join(lines)


CASES = [
    # reader.toml ---------------------------------------------------------------------
    Case("config-not-toml", "reader.toml is not TOML (a key without a value)",
         {"reader.toml": 'title = "A Minimal Reader"\nauthor =\n'},
         ["reader.toml:2:9: error [config-toml]: reader.toml is not valid TOML: Invalid value"]),
    Case("config-unterminated-string", "reader.toml: a string never closed",
         {"reader.toml": 'title = "A Minimal Reader\n'},
         ["reader.toml:1:26: error [config-toml]: reader.toml is not valid TOML: Illegal character '\\n'"]),
    Case("config-too-deep", "reader.toml: arrays nested 5,000 deep",
         {"reader.toml": 'title = "A Minimal Reader"\nx = ' + "[" * 5000 + "\n"},
         ["reader.toml:1:1: error [config-toml]: reader.toml is not valid TOML: arrays or tables nested too "
          "deeply"]),
    Case("config-huge-integer", "reader.toml: an integer of 5,000 digits",
         {"reader.toml": 'title = "A Minimal Reader"\nx = ' + "9" * 5000 + "\n"},
         ["reader.toml:1:1: error [config-toml]: reader.toml has a value that cannot be read (Exceeds the limit "
          "(4300 digits) for integer string conversion: value has 5000 digits)"]),
    Case("config-unknown-key", "reader.toml: unknown keys (misspelt)",
         {"reader.toml": 'title = "A Minimal Reader"\nsubtitel = "Sources"\n\n[editions.print]\nformat = "pdf"\n'
                         'page-sise = "a5"\n'},
         ["reader.toml:2:1: error [config-unknown-key]: unknown key 'subtitel' in reader.toml "
          "(did you mean 'subtitle', 'title'?)",
          "reader.toml:6:1: error [config-unknown-key]: unknown key 'page-sise' in [editions.print] "
          "(did you mean 'page-size'?)"]),
    Case("config-wrong-types", "reader.toml: values of the wrong type",
         {"reader.toml": 'title = "A Minimal Reader"\nauthor = 3\nhyphenate = "yes"\nchapters = "one.md"\n'
                         'date = 2026-11-29\n'},
         ["reader.toml:2:10: error [config-type]: 'author' in reader.toml must be a string, not int",
          "reader.toml:3:13: error [config-type]: 'hyphenate' in reader.toml must be true or false, not str",
          "reader.toml:4:12: error [config-type]: 'chapters' in reader.toml must be a list, not str",
          "reader.toml:5:8: error [config-type]: 'date' in reader.toml must be a string, not date"]),
    Case("config-wrong-value", "reader.toml: a value that is not one of the choices",
         {"reader.toml": 'title = "A Minimal Reader"\n\n[editions.print]\nformat = "pfd"\n'},
         ["reader.toml:4:10: error [config-value]: format of edition 'print' must be 'pdf', 'epub' or 'html' "
          "(did you mean 'pdf'?)"]),
    Case("config-no-title", "reader.toml is empty",
         {"reader.toml": ""},
         ['reader.toml:1:1: error [config-title]: reader.toml needs a title, e.g. title = "My reader"']),
    Case("config-missing", "no reader.toml at all", {},
         ["reader.toml: error [config-missing]: this folder has no reader.toml; create one with a title, "
          "or start a project with 'reader-build new DIR'"], setup=_no_reader_toml),
    Case("config-not-utf8", "reader.toml is not UTF-8 (Latin-1 é)",
         {"reader.toml": b'title = "A Minimal Reader"\nauthor = "Ren\xe9"\n'},
         ["reader.toml:2:14: error [not-utf8]: the file is not UTF-8: byte 0xe9 cannot be decoded; "
          "save the file as UTF-8"]),
    Case("config-unreadable", "reader.toml cannot be read (permissions)", {},
         ["reader.toml: error [file-unreadable]: reader.toml cannot be read: Permission denied"],
         setup=_unreadable("reader.toml")),

    # chapters ------------------------------------------------------------------------------
    Case("chapter-missing", "reader.toml lists a chapter that does not exist",
         {"reader.toml": 'title = "A Minimal Reader"\nchapters = ["one.md", "epilogue.md"]\n'},
         ["reader.toml:2:23: error [chapter-missing]: chapter 'epilogue.md' listed in chapters does not exist "
          "(looked for manuscript/epilogue.md)"]),
    Case("chapter-missing-suggestion", "reader.toml lists a misspelt chapter",
         {"reader.toml": 'title = "A Minimal Reader"\nchapters = ["onee.md"]\n'},
         ["reader.toml:2:13: error [chapter-missing]: chapter 'onee.md' listed in chapters does not exist "
          "(looked for manuscript/onee.md) (did you mean 'one.md'?)"]),
    Case("chapter-outside", "reader.toml lists a chapter outside the project",
         {"reader.toml": 'title = "A Minimal Reader"\nchapters = ["../../outside.md"]\n'},
         ["reader.toml:2:13: error [chapter-outside]: chapter '../../outside.md' lies outside the project: "
          "name a file inside manuscript/"]),
    Case("chapter-dangling-link", "a chapter is a symbolic link to a file that is gone", {},
         ["manuscript/two.md: error [file-missing]: the chapter does not exist"],
         setup=_dangling("manuscript/two.md")),
    Case("chapter-unreadable", "a chapter cannot be read (permissions)", {},
         ["manuscript/one.md: error [file-unreadable]: the chapter cannot be read: Permission denied"],
         setup=_unreadable("manuscript/one.md")),
    Case("chapter-empty", "a chapter file is empty",
         {"manuscript/one.md": ""},
         ["manuscript/one.md:1:1: error [chapter-empty]: the chapter file is empty"]),
    Case("chapter-not-utf8", "a chapter is not UTF-8 (Windows-1252 quotes)",
         {"manuscript/one.md": FRONT.encode() + b"The \x93treaty\x94 was signed.\n"},
         ["manuscript/one.md:6:5: error [not-utf8]: the file is not UTF-8: byte 0x93 cannot be decoded; "
          "save the file as UTF-8"]),
    Case("chapter-utf16", "a chapter saved as UTF-16",
         {"manuscript/one.md": (FRONT + "Text.\n").encode("utf-16")},
         ["manuscript/one.md:1:1: error [not-utf8]: the file is not UTF-8: byte 0xff cannot be decoded; "
          "save the file as UTF-8"]),

    # Markdown ----------------------------------------------------------------------------------
    Case("note-undefined", "a note called but never defined",
         {"manuscript/one.md": chapter("The treaty was signed.[^signed]")},
         ["manuscript/one.md:6:23: error [note-undefined]: note [^signed] has no definition "
          "(add a line '[^signed]: …')"]),
    Case("note-unused", "a note defined but never called",
         {"manuscript/one.md": chapter("The treaty was signed.\n\n[^signed]: On 8 September.")},
         ["manuscript/one.md:8:1: error [note-unused]: note [^signed] is defined but never called"]),
    Case("note-duplicate", "a note defined twice",
         {"manuscript/one.md": chapter("Signed.[^a]\n\n[^a]: First.\n\n[^a]: Second.")},
         ["manuscript/one.md:10:1: error [note-duplicate]: note [^a] is defined twice (first on line 8)"]),
    Case("front-matter-unterminated", "front matter never closed",
         {"manuscript/one.md": "---\nid: one\ntitle: The Only Chapter\n\nText.\n"},
         ["manuscript/one.md:1:1: error [front-matter-unterminated]: the front matter starting with '---' "
          "is never closed by a line '---'"]),
    Case("front-matter-missing", "a chapter without front matter",
         {"manuscript/one.md": "Text without front matter.\n"},
         ["manuscript/one.md:1:1: error [front-matter-missing]: the chapter has no front matter; start the "
          "file with the lines '---', 'id: my-chapter', 'title: My chapter', '---'"]),
    Case("front-matter-yaml", "front matter that is not YAML",
         {"manuscript/one.md": "---\nid: one\ntitle: [The Only Chapter\n---\n\nText.\n"},
         ["manuscript/one.md:3:25: error [front-matter-yaml]: the front matter is not valid YAML: expected "
          "',' or ']', but got '<stream end>'"]),
    Case("front-matter-too-deep", "front matter with lists nested 5,000 deep",
         {"manuscript/one.md": "---\nid: one\ntitle: T\nx: " + "[" * 5000 + "\n---\n\nText.\n"},
         ["manuscript/one.md:2:1: error [front-matter-yaml]: the front matter is not valid YAML: lists or "
          "mappings nested too deeply"]),
    Case("chapter-no-title", "a chapter without a title",
         {"manuscript/one.md": "---\nid: one\n---\n\n" + CITES},
         ["manuscript/one.md:2:1: error [chapter-no-title]: the chapter has no title: add 'title: …' to its "
          "front matter"]),
    Case("chapter-no-id", "a chapter without an id",
         {"manuscript/one.md": "---\ntitle: The Only Chapter\n---\n\n" + CITES},
         ["manuscript/one.md:2:1: error [chapter-no-id]: the chapter has no id: add 'id: …' (letters, digits, "
          "hyphens) to its front matter"]),
    Case("chapter-bad-id", "a chapter id that is not a valid id",
         {"manuscript/one.md": "---\nid: 1 one\ntitle: The Only Chapter\n---\n\n" + CITES},
         ["manuscript/one.md:2:1: error [bad-id]: chapter id '1 one' must start with a letter and contain "
          "only letters, digits, '-' and '_'"]),
    Case("duplicate-heading-id", "two headings with one id",
         {"manuscript/one.md": chapter("## London {#talks}\n\nText.\n\n## Moscow {#talks}\n\nText.")},
         ["manuscript/one.md:10:1: error [duplicate-id]: id 'talks' is used twice; the other is at "
          "manuscript/one.md:6"]),
    Case("duplicate-chapter-id", "two chapters with one id",
         {"manuscript/two.md": "---\nid: one\ntitle: Another Chapter\n---\n\nText.\n"},
         ["manuscript/two.md:2:1: error [duplicate-id]: id 'one' is used twice; the other is at "
          "manuscript/one.md:2"]),

    # the authority file (index) ----------------------------------------------------------------
    Case("index-no-authority", "an index span, but no authority file",
         {"manuscript/one.md": chapter("The [minister]{ix=gromyko} spoke.")},
         ["manuscript/one.md:6:15: error [index-unknown-entry]: index span names unknown entry 'gromyko'"]),
    Case("index-dangling-link", "the authority file is a symbolic link to a file that is gone", {},
         ["manuscript/index.toml: error [file-missing]: the index authority file does not exist"],
         setup=_dangling("manuscript/index.toml")),
    Case("index-unreadable", "the authority file cannot be read (permissions)",
         {"manuscript/index.toml": AUTHORITY.split("\n\n")[0] + "\n"},
         ["manuscript/index.toml: error [file-unreadable]: the index authority file cannot be read: "
          "Permission denied"], setup=_unreadable("manuscript/index.toml")),
    Case("index-empty", "the authority file is empty (and a span needs an entry)",
         {"manuscript/index.toml": "", "manuscript/one.md": chapter("The [minister]{ix=gromyko} spoke.")},
         ["manuscript/index.toml: warning [index-empty]: the authority file is empty: it adds no entry to "
          "the index",
          "manuscript/one.md:6:15: error [index-unknown-entry]: index span names unknown entry 'gromyko'"]),
    Case("index-not-utf8", "the authority file is not UTF-8",
         {"manuscript/index.toml": b'[[entry]]\nid = "kono"\nkind = "person"\nheading = "K\xf4no"\n'},
         ["manuscript/index.toml:4:13: error [not-utf8]: the file is not UTF-8: byte 0xf4 cannot be decoded; "
          "save the file as UTF-8"]),
    Case("index-not-toml", "the authority file is not TOML",
         {"manuscript/index.toml": '[[entry]\nid = "kono"\n'},
         ["manuscript/index.toml:1:8: error [index-toml]: the authority file is not valid TOML: "
          "Expected ']]' at the end of an array declaration"]),
    Case("index-unknown-span", "an index span naming an unknown entry",
         {"manuscript/index.toml": AUTHORITY.split("\n\n")[0] + "\n",
          "manuscript/one.md": chapter("The [minister]{ix=gromyk} spoke.")},
         ["manuscript/one.md:6:15: error [index-unknown-entry]: index span names unknown entry 'gromyk' "
          "(did you mean 'gromyko'?)"]),
    Case("index-duplicate-id", "two entries with one id; a variant claimed by two entries",
         {"manuscript/index.toml": AUTHORITY},
         ["manuscript/index.toml:8: error [index-duplicate-id]: duplicate id 'gromyko': already used by the "
          "entry at manuscript/index.toml:1",
          "manuscript/index.toml:16: error [index-variant-conflict]: variant 'Gromyko' of 'malik' is also a "
          "variant of 'gromyko' (manuscript/index.toml:1); a variant belongs to one entry (mark other "
          "mentions with [text]{ix=id})"]),

    # the bibliography --------------------------------------------------------------------------
    Case("bib-missing", "no bibliography at all (the chapter cites)", {},
         ["manuscript/one.md:6:50: error [cite-unknown]: unknown citation key 'doe-2001'"],
         setup=_no_bibliography),
    Case("bib-dangling-link", "the .bib file is a symbolic link to a file that is gone", {},
         ["bibliography/refs.bib: error [file-missing]: the bibliography does not exist"],
         setup=_dangling("bibliography/refs.bib")),
    Case("bib-unreadable", "the .bib file cannot be read (permissions)", {},
         ["bibliography/refs.bib: error [file-unreadable]: the bibliography cannot be read: Permission denied"],
         setup=_unreadable("bibliography/refs.bib")),
    Case("bib-empty", "the .bib file is empty",
         {"bibliography/refs.bib": ""},
         ["bibliography/refs.bib: warning [bib-empty]: the bibliography file is empty",
          "manuscript/one.md:6:50: error [cite-unknown]: unknown citation key 'doe-2001'"]),
    Case("bib-not-utf8", "the .bib file is not UTF-8",
         {"bibliography/refs.bib": b"@book{doe-2001,\n  author = {Doe, Jos\xe9},\n  title = {A Book},\n"
                                   b"  year = {2001},\n}\n"},
         ["bibliography/refs.bib:2:21: error [not-utf8]: the file is not UTF-8: byte 0xe9 cannot be decoded; "
          "save the file as UTF-8"]),
    Case("bib-syntax", "a syntax error in the .bib file (a missing comma)",
         {"bibliography/refs.bib": "@book{doe-2001,\n  author = {Doe, Jane},\n  title = {A Book}\n"
                                   "  year = {2001},\n}\n"},
         ["bibliography/refs.bib:4:3: error [bib-syntax]: syntax error: '}' expected"]),
    Case("bib-unterminated", "a .bib entry never closed",
         {"bibliography/refs.bib": "@book{doe-2001,\n  author = {Doe, Jane},\n  title = {A Book,\n"
                                   "  year = {2001},\n"},
         ["bibliography/refs.bib:4:16: error [bib-syntax]: the file ends inside the entry that starts on "
          "line 1 (a missing '}'?)"]),
    Case("bib-duplicate-key", "one key in two entries",
         {"bibliography/more.bib": "@book{doe-2001,\n  author = {Doe, John},\n  title = {Another Book},\n"
                                   "  year = {2001},\n}\n"},
         ["bibliography/refs.bib:1: error [bib-duplicate-key]: duplicate entry key 'doe-2001': it is also "
          "defined at bibliography/more.bib:1; that first entry is used"]),
    Case("cite-unknown", "a citation of a key that is not in the bibliography",
         {"manuscript/one.md": FRONT + "As argued [@doe-2010, p. 4].\n"},
         ["manuscript/one.md:6:11: error [cite-unknown]: unknown citation key 'doe-2010' "
          "(did you mean 'doe-2001'?)"]),

    # styles/ ----------------------------------------------------------------------------------
    Case("template-syntax", "a Jinja syntax error in styles/book.html.j2",
         {"styles/book.html.j2": _template_with(20, "{% if %}")},
         ["styles/book.html.j2:20: error [template-syntax]: Expected an expression, got 'end of statement "
          "block'"]),
    Case("template-undefined", "an undefined variable in styles/book.html.j2",
         {"styles/book.html.j2": _template_with(20, "<p>{{ no_such_thing }}</p>")},
         ["styles/book.html.j2:20: error [template-undefined]: 'no_such_thing' is undefined"], check=False),
    Case("template-undefined-attribute", "an undefined attribute in styles/book.html.j2",
         {"styles/book.html.j2": _template_with(20, "<p>{{ reader.titel }}</p>")},
         ["styles/book.html.j2:20: error [template-undefined]: 'reader_build.config.Config object' has no "
          "attribute 'titel'"], check=False),
    Case("template-not-utf8", "a template in styles/ that is not UTF-8",
         {"styles/book.html.j2": _template_with(20, "<p>\u00a9 2026</p>").encode().replace(b"\xc2\xa9", b"\xa9")},
         ["styles/book.html.j2:20:4: error [template-encoding]: the file is not UTF-8: byte 0xa9 cannot be decoded; "
          "save the file as UTF-8"]),
    Case("css-ignored", "CSS that WeasyPrint ignores in styles/extra.css (with --strict)",
         {"styles/extra.css": "p { colr: red; }\n\nh2 {\n  font-size: banana;\n}\n"},
         ["styles/extra.css:1:5: error [css-ignored]: Ignored `colr: red`, unknown property",
          "styles/extra.css:4:3: error [css-ignored]: Ignored `font-size: banana`, invalid value"],
         args=("--strict",)),
    Case("css-ignored-warning", "CSS that WeasyPrint ignores in styles/print.css (no --strict: a warning; `check` exits 0)",
         {"styles/print.css": "p { colr: red; }\n"},
         ["styles/print.css:1:5: warning [css-ignored]: Ignored `colr: red`, unknown property"],
         build=False, status=0),
    Case("css-not-utf8", "a stylesheet that is not UTF-8",
         {"styles/extra.css": b"/* \xa9 2026 */\np { color: black; }\n"},
         ["styles/extra.css:1:4: error [css-encoding]: the file is not UTF-8: byte 0xa9 cannot be decoded; "
          "save the file as UTF-8"]),
    Case("css-import", "a stylesheet with @import",
         {"styles/extra.css": '@import "more.css";\np { color: black; }\n'},
         ["styles/extra.css:1:9: error [css-import]: @import 'more.css' is not followed: put the rules in "
          "styles/extra.css (print) or styles/extra-epub.css (e-book) instead"]),

    # images ------------------------------------------------------------------------------------
    Case("image-missing", "an image that does not exist",
         {"manuscript/one.md": chapter("![A map of the islands](images/map.png)")},
         ["manuscript/one.md:6:1: error [image-missing]: image 'images/map.png' does not exist (looked for "
          "manuscript/images/map.png)"]),
    Case("image-not-image", "an image file that is not an image",
         {"manuscript/one.md": chapter("![A map of the islands](images/map.png)"),
          "manuscript/images/map.png": "this is text, not a PNG\n"},
         ["manuscript/one.md:6:1: error [image-not-image]: 'images/map.png' is not a PNG, JPEG, GIF, WebP or SVG "
          "image"]),
    Case("image-huge", "an image larger than 20 MB",
         {"manuscript/one.md": chapter("![A map of the islands](images/huge.png)")},
         ["manuscript/one.md:6:1: error [image-too-large]: image 'images/huge.png' is 25.0 MB; the limit is "
          "20 MB"], setup=_huge_image),
    Case("image-remote", "an image on the network",
         {"manuscript/one.md": chapter("![A map of the islands](https://example.com/map.png)")},
         ["manuscript/one.md:6:1: error [image-remote]: image 'https://example.com/map.png' is on the network; "
          "reader-build fetches nothing: download it into the project and refer to the file"]),
    Case("image-no-alt", "an image without alt text",
         {"manuscript/one.md": chapter("![](images/map.svg)"),
          "manuscript/images/map.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                       '<rect width="10" height="10"/></svg>\n'},
         ["manuscript/one.md:6:1: error [image-no-alt]: image 'images/map.svg' has no alt text: write a "
          "description between the brackets, ![description](file)"]),
    Case("image-outside", "an image outside the project (../)",
         {"manuscript/one.md": chapter("![A map of the islands](../../map.png)")},
         ["manuscript/one.md:6:1: error [image-outside]: image '../../map.png' lies outside the project "
          "folder"]),
    Case("image-svg-script", "an SVG image with a script",
         {"manuscript/one.md": chapter("![A map of the islands](images/map.svg)"),
          "manuscript/images/map.svg": SVG_SCRIPT},
         ["manuscript/one.md:6:1: error [image-unsafe]: SVG image 'images/map.svg' contains a <script> "
          "element; reader-build puts no scripts and no references to other files in its editions"]),
    Case("link-image-missing", "a link to an image that does not exist, `[the map](images/map.png)`",
         {"manuscript/one.md": chapter("See [the map](images/map.png).")},
         ["manuscript/one.md:6:15: error [image-missing]: image 'images/map.png' does not exist (looked for "
          "manuscript/images/map.png)"]),
    Case("link-image-not-image", "a link to a file of the project that is not an image (by its content), "
         "`[the fake](fake.png)`",
         {"manuscript/one.md": chapter("See [the fake](fake.png)."), "manuscript/fake.png": "not an image"},
         ["manuscript/one.md:6:16: error [image-not-image]: 'fake.png' is not a PNG, JPEG, GIF, WebP or SVG image"]),
    Case("link-image-outside", "a link to an image outside the project, `[the other](../../map.png)`",
         {"manuscript/one.md": chapter("See [the other](../../map.png).")},
         ["manuscript/one.md:6:17: error [link-local-file]: link '../../map.png' points to an image outside the "
          "project; copy it into the project"]),
    Case("link-local-file", "a link to a local file that is neither a chapter nor an image, `[the file](notes.txt)`",
         {"manuscript/one.md": chapter("See [the file](notes.txt)."), "manuscript/notes.txt": "notes"},
         ["manuscript/one.md:6:16: error [link-local-file]: link 'notes.txt' points to manuscript/notes.txt, "
          "which is not a chapter of the book; link to a chapter file (other.md#id), an image of the project or "
          "an http(s) URL"]),
]


def apply_case(case: Case, root: Path, monkeypatch) -> None:
    for name, content in case.files.items():
        path = root / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if case.setup:
        case.setup(root, monkeypatch)


@pytest.fixture
def project(minimal_built, tmp_path) -> Path:
    return built_copy(minimal_built, tmp_path / "reader")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_a_located_diagnostic(case: Case, project: Path, capsys, monkeypatch):
    apply_case(case, project, monkeypatch)
    if case.build:
        assert_rejected(project, capsys, case.expected, args=case.args)
    if case.check:
        output = assert_rejected(project, capsys, case.expected, command="check", args=case.args,
                                 status=case.status)
        assert re.search(r"^\d+ error\(s\), \d+ warning\(s\)$", output, re.M)


# --- cases that need more than one line of set-up ------------------------------------------------

def test_second_unknown_index_span_is_reported(project, capsys, monkeypatch):
    """Two bad spans on one line: each is reported (with the place of the first at least)."""
    apply_case(Case("", "", {"manuscript/one.md": chapter("The [minister]{ix=nope} and [x]{ix=gone} spoke.")}),
               project, monkeypatch)
    output = assert_rejected(project, capsys, [
        "manuscript/one.md:6:15: error [index-unknown-entry]: index span names unknown entry 'nope'"])
    assert "unknown entry 'gone'" in output


def test_second_unknown_index_span_has_its_own_column(project, capsys, monkeypatch):
    apply_case(Case("", "", {"manuscript/one.md": chapter("The [minister]{ix=nope} and [x]{ix=gone} spoke.")}),
               project, monkeypatch)
    assert_rejected(project, capsys, [
        "manuscript/one.md:6:32: error [index-unknown-entry]: index span names unknown entry 'gone'"])


def test_authority_file_nested_too_deeply(project, capsys, monkeypatch):
    apply_case(Case("", "", {"manuscript/index.toml": "x = " + "[" * 5000 + "\n"}), project, monkeypatch)
    output = assert_rejected(project, capsys, [], command="check")
    assert "manuscript/index.toml:" in output and "[index-toml]" in output


def test_duplicate_key_file_is_not_called_empty(project, capsys, monkeypatch):
    apply_case(CASES[[c.id for c in CASES].index("bib-duplicate-key")], project, monkeypatch)
    output = assert_rejected(project, capsys, ["bibliography/refs.bib:1: error [bib-duplicate-key]: duplicate "
                                               "entry key 'doe-2001': it is also defined at "
                                               "bibliography/more.bib:1; that first entry is used"])
    assert "[bib-empty]" not in output


def test_chapter_name_with_a_nul_byte(project, capsys):
    (project / "reader.toml").write_text('title = "A Minimal Reader"\nchapters = ["one\\u0000.md"]\n')
    assert_rejected(project, capsys, [
        "reader.toml: error [chapter-outside]: chapter 'one\\x00.md' lies outside the project: name a file "
        "inside manuscript/"])


def test_chapter_names_that_are_not_strings(project, capsys):
    (project / "reader.toml").write_text('title = "A Minimal Reader"\nchapters = ["one.md", 2]\n')
    assert_rejected(project, capsys, [
        'reader.toml:2:12: error [config-type]: chapters in reader.toml must be a list of file names, '
        'e.g. chapters = ["01-intro.md"]'])


def test_the_project_folder_itself_is_missing(tmp_path, capsys):
    code, output = run_cli(capsys, "build", tmp_path / "nowhere")
    assert code == 1 and "Traceback" not in output
    assert "error [project-missing]: there is no project folder at 'nowhere'" in output


def test_check_writes_nothing(minimal, capsys):
    """`check` on a project never built creates no build/ folder."""
    code, output = run_cli(capsys, "check", minimal)
    assert code == 0, output
    assert not (minimal / "build").exists()


def test_a_failed_build_of_a_never_built_project_leaves_no_editions(minimal, capsys):
    (minimal / "manuscript" / "one.md").write_text(chapter("Signed.[^nowhere]"))
    code, output = run_cli(capsys, "build", minimal)
    assert code == 1 and "[note-undefined]" in output and "Traceback" not in output
    assert not list((minimal / "build").glob("*.pdf")) if (minimal / "build").exists() else True


# --- the documentation --------------------------------------------------------------------------

def doc_cells() -> set[str]:
    """The table cells of docs/bad-input.md (each line of a cell), without their code quotes."""
    text = DOC.read_text(encoding="utf-8")
    return {c.strip().strip("`").strip().replace("\\|", "|") for row in re.findall(r"^\|.*\|$", text, re.M)
            for c in re.split(r"(?<!\\)\|", row) for c in c.split("<br>")}


def test_docs_list_every_case():
    """docs/bad-input.md shows, for every case above, exactly the lines the user sees."""
    cells = doc_cells()
    missing = [line for case in CASES for line in case.expected if line not in cells]
    assert not missing, "docs/bad-input.md lacks:\n" + "\n".join(missing)
