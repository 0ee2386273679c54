"""``reader-build new DIR``: a small reader project that builds as it is."""
from __future__ import annotations

import sys
from pathlib import Path

from ..store import files

FILES = {
    "reader.toml": '''# The reader's metadata and editions. A title alone is enough.
title = "A Small Reader"
subtitle = "An annotated edition"
author = "Ada Author"
language = "en"

[editions.print]
format = "pdf"
page-size = "a5"

[editions.ebook]
format = "epub"
''',
    "manuscript/01-first-chapter.md": '''---
id: first-chapter
title: The First Chapter
---

The Treaty of Portsmouth was signed in 1905.[^portsmouth] Historians have
written much about it [@doe-2001, p. 12], and @roe-1998 gives the other side.

## A section {#a-section}

Portsmouth lies in New Hampshire.

[^portsmouth]: The treaty ended the Russo-Japanese War [see @doe-2001, pp. 4-6].
''',
    "manuscript/index.toml": '''# The authority file of the index: people and places, and the forms the text uses.
[[entry]]
id = "portsmouth"
kind = "place"
heading = "Portsmouth (New Hampshire)"
gloss = "port city where the 1905 treaty was signed"
variants = ["Portsmouth"]
''',
    "bibliography/references.bib": '''@book{doe-2001,
  author = {Doe, Jane},
  title = {A History of Treaties},
  location = {London},
  publisher = {Example Press},
  date = {2001},
}

@article{roe-1998,
  author = {Roe, Richard},
  title = {Another View},
  journaltitle = {Journal of Examples},
  volume = {3},
  number = {2},
  pages = {10--20},
  date = {1998},
}
''',
    "styles/README.md": '''Put files here to override the packaged ones of the same name:
templates (book.html.j2, epub-chapter.xhtml.j2, index.html.j2, …), stylesheets
(print.css, epub.css, or extra.css / extra-epub.css read after them) and fonts (fonts/).
''',
}


def new_project(target: Path) -> int:
    if target.exists() and any(target.iterdir()):
        print(f"reader-build: error: {target} exists and is not empty", file=sys.stderr)
        return 2
    for name, text in FILES.items():
        try:
            files.write_text(target / name, text, kind="project")
        except OSError as exc:
            print(f"reader-build: error: cannot write {target / name}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    print(f"created a reader project in {target}; build it with: reader-build build {target}")
    return 0
