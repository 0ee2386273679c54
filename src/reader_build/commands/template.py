"""``reader-build template [--list] [NAME [--copy]]``: the packaged templates and stylesheets.

``--list`` names them, ``NAME`` prints one (the packaged file, whatever the project
overrides), ``NAME --copy`` writes it into the project's ``styles/``, where it replaces
the packaged one, and never over a file that is there already.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..diagnostics import did_you_mean
from ..render.templates import packaged_files
from ..store import files

WHAT = {".j2": "template", ".css": "stylesheet"}


def template_command(name: str | None, *, list_all: bool = False, copy: bool = False,
                     root: Path = Path(".")) -> int:
    """Exit status 0 done, 1 the file is there already, 2 the command line is wrong."""
    packaged = packaged_files()
    if list_all or name is None:
        if copy:
            print("reader-build template: error: --copy needs a NAME (see --list)", file=sys.stderr)
            return 2
        width = max(len(n) for n in packaged)
        for fname, path in packaged.items():
            print(f"{fname:<{width}}  {WHAT.get(path.suffix, 'file')}: {first_line(path)}")
        return 0
    path = packaged.get(name)
    if path is None:
        print(f"reader-build template: error: there is no packaged template or stylesheet '{name}'"
              f"{did_you_mean(name, packaged)}; 'reader-build template --list' names them", file=sys.stderr)
        return 2
    data = path.read_bytes()
    if not copy:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return 0
    target = Path(root) / "styles" / name
    if not files.write_new(target, data, kind="project"):
        print(f"reader-build template: error: {target} exists already; it is not replaced "
              "(remove or rename it first)", file=sys.stderr)
        return 1
    print(f"wrote {target}: it replaces the packaged {name} in this project's builds")
    return 0


DESCRIPTIONS = {
    "book.html.j2": "the PDF editions: one HTML document (blocks: head, styles, title_page, imprint, "
                    "toc, chapters, chapter, bibliography, indexes, colophon)",
    "index.html.j2": "one index (names or places), for the PDF and the EPUB",
    "epub-title.xhtml.j2": "the e-book's title page",
    "epub-chapter.xhtml.j2": "one chapter of the e-book",
    "epub-bibliography.xhtml.j2": "the e-book's bibliography",
    "epub-index.xhtml.j2": "one index of the e-book",
    "epub-image.xhtml.j2": "the e-book's page for an image that a link shows (outside the reading order)",
    "print.css": "the PDF editions' stylesheet (or add rules in styles/extra.css)",
    "epub.css": "the e-book's stylesheet (or add rules in styles/extra-epub.css)",
}


def first_line(path: Path) -> str:
    """What a packaged file is for."""
    return DESCRIPTIONS.get(path.name, "")
