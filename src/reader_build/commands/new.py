"""``reader-build new DIR [--from FILE.md]``: a small reader project that builds as it is,
or one made of a single Markdown file cut into chapters (see split.py)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from ..bibliography.csl_styles import COLLECTION
from ..store import files
from .split import chapter_text, split_markdown

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

`reader-build template --list` names the packaged files, `reader-build template NAME --copy`
copies one here. To change one block of a template only, extend the packaged one:
a styles/book.html.j2 that starts with {% extends "reader_build:book.html.j2" %} and
replaces {% block colophon %}…{% endblock %} keeps everything else.
''',
}


_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?")


def _not_empty(target: Path) -> bool:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"reader-build: error: {target} exists and is not empty", file=sys.stderr)
        return True
    return False


def new_project(target: Path) -> int:
    if _not_empty(target):
        return 2
    for name, text in FILES.items():
        try:
            files.write_text(target / name, text, kind="project")
        except OSError as exc:
            print(f"reader-build: error: cannot write {target / name}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    print(f"created a reader project in {target}; build it with: reader-build build {target}")
    return 0


def toml_string(text: str) -> str:
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


def _names(value) -> str:
    """pandoc's ``author``: a name, a list of names, or entries with a ``name``: "A, B and C"."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, dict):                       # quarto: name: {given: …, family: …}
            name = name.get("literal") or " ".join(str(name[k]) for k in ("given", "family") if name.get(k))
        if isinstance(name, (str, int, float)) and str(name).strip():
            names.append(str(name).strip())
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _reader_toml(title: str, meta: dict, style: str = "") -> str:
    """reader.toml from the file's YAML metadata, as pandoc and quarto name it; *style*: the
    CSL style its ``csl`` names (:func:`_csl_style`); ``nocite: '@*'`` lists every work."""
    lines = ["# The reader's metadata and editions (made by reader-build new --from).",
             f"title = {toml_string(title)}"]
    found = {"subtitle": meta.get("subtitle"), "author": _names(meta.get("author") or ""),
             "editor": _names(meta.get("editor") or ""),
             "language": meta.get("lang") or meta.get("language"), "date": meta.get("date"),
             "publisher": meta.get("publisher"), "rights": meta.get("rights") or meta.get("copyright")}
    for key, value in found.items():
        value = value.isoformat() if hasattr(value, "isoformat") else value
        if isinstance(value, str) and value.strip():
            value = value.strip()
            if key == "date" and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", value):
                continue                                  # "March 2024": reader.toml wants 2024-03
            if key == "language" and not re.match(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", value):
                continue
            lines.append(f"{key} = {toml_string(value)}")
    bib = [f"style = {toml_string(style)}"] if style else []
    if "@*" in str(meta.get("nocite") or ""):
        bib.append("all = true")
    if bib:
        lines += ["", "[bibliography]", *bib]
    return "\n".join(lines) + "\n"


def _csl_style(source: Path, meta: dict) -> tuple[str, Path | None]:
    """The style that the metadata's ``csl`` names: a .csl file in the file's folder or below
    (copied into styles/: the path returned), else a style of the bundled collection by its
    file name (``chicago-author-date.csl``, or an address ending so); ("", None) when neither."""
    name = meta.get("csl")
    if not isinstance(name, str) or not name.strip().lower().endswith(".csl"):
        return "", None
    name = name.strip()
    stem = re.split(r"[/\\]", name)[-1][:-4]
    if not re.match(r"^[a-z][a-z0-9+.-]*:", name, re.I):
        base = source.parent.resolve()
        path = (base / name).resolve()
        if path.is_file() and base in path.parents and re.match(r"^[\w.-]+$", stem):
            return stem, path
    return (stem, None) if re.match(r"^[\w.-]+$", stem) and (COLLECTION / f"{stem}.csl").is_file() else ("", None)


def _bibliographies(source: Path, meta: dict) -> list[Path]:
    """The .bib files the metadata names (``bibliography: refs.bib`` or a list) that lie in the
    file's folder or below; they are copied into bibliography/."""
    named = meta.get("bibliography") or []
    named = named if isinstance(named, list) else [named]
    base = source.parent.resolve()
    found = []
    for name in named:
        if not isinstance(name, str) or not name.lower().endswith(".bib") or re.match(r"^[a-z][a-z0-9+.-]*:", name, re.I):
            continue
        path = (base / name).resolve()
        if path.is_file() and base in path.parents:
            found.append(path)
    return found


def _images(source: Path, text: str) -> list[tuple[Path, str]]:
    """Local images the file shows, that lie in its folder or below: (file, relative path)."""
    found = []
    base = source.parent.resolve()
    for src in _IMAGE.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:|^/|^//", src, re.I):
            continue
        path = (base / src).resolve()
        if path.is_file() and base in path.parents:
            found.append((path, path.relative_to(base).as_posix()))
    return found


def new_from_markdown(target: Path, source: Path) -> int:
    """A project made of one Markdown file: chapters at its '#' headings, notes kept."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"reader-build: error: cannot read {source}: {getattr(exc, 'strerror', None) or exc}",
              file=sys.stderr)
        return 2
    if _not_empty(target):
        return 2
    split = split_markdown(text)
    style, style_file = _csl_style(source, split.meta)
    made = {"reader.toml": _reader_toml(split.title, split.meta, style), "styles/README.md": FILES["styles/README.md"]}
    width = max(2, len(str(len(split.chapters))))
    for n, part in enumerate(split.chapters, 1):
        made[f"manuscript/{n:0{width}d}-{part.ident}.md"] = chapter_text(part)
    try:
        for name, body in made.items():
            files.write_text(target / name, body, kind="project")
        files.make_dirs(target / "bibliography", kind="project")
        for path, rel in _images(source, text):
            files.copy(path, target / "manuscript" / rel, kind="project")
        if style_file is not None:
            files.copy(style_file, target / "styles" / style_file.name, kind="project")
        bibs = _bibliographies(source, split.meta)
        for path in bibs:
            files.copy(path, target / "bibliography" / path.name, kind="project")
    except OSError as exc:
        print(f"reader-build: error: cannot write {exc.filename or target}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    cites = "; put the works it cites in bibliography/*.bib" if re.search(r"\[[^\]]*@", text) and not bibs else ""
    print(f"created a reader project in {target} from {source.name}: {len(split.chapters)} chapter"
          f"{'s' if len(split.chapters) != 1 else ''}{cites}; build it with: reader-build build {target}")
    return 0
