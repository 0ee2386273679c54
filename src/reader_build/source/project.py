"""Finding and reading a reader project's sources (gathering before anything is written)."""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..config import Config, parse_config
from ..diagnostics import Diagnostics, did_you_mean
from ..store import files
from .files import Outside, SourceFile, SourceTree, TooLarge, load, read_bytes, read_text, relpath, safe_path

IMAGE_LIMIT = 20 * 1024 * 1024
IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


SOURCE_PARTS = ("reader.toml", "manuscript", "bibliography", "styles")   # all a build may read
SUGGESTIONS_FILE = "index-suggestions.toml"   # drafts of `reader-build index suggest`: not an authority file


def copy_sources(src: Path, dst: Path) -> Path:
    """A copy of the project in *src* (its sources, not its build/ folder) in *dst*."""
    files.make_dirs(dst, kind="project")
    for part in SOURCE_PARTS:
        path = src / part
        if path.is_dir():
            files.copy_tree(path, dst / part, kind="project")
        elif path.is_file():
            files.copy(path, dst / part, kind="project")
    return dst


def read_tree(root: Path) -> SourceTree:
    """The read stage's first step: every file of reader.toml, manuscript/, bibliography/ and
    styles/, read once (a link that leads out of the project is listed, never read; a folder
    that cannot be listed is noted).  Nothing is reported here: each stage reports the
    problems of the files it uses, and :func:`unreadable_parts` those of the others."""
    root = root.resolve()
    entries, folders, links = {}, {}, set()
    found: list[Path] = []
    for part in SOURCE_PARTS:
        path = root / part
        if path.is_dir():
            found += _files_under(path, root, folders, links)
        else:
            found.append(path)
    for path in sorted(found):
        entries[relpath(root, path)] = load(root, path)
    return SourceTree(root, entries, folders, frozenset(links), tuple(entries))


def _files_under(folder: Path, root: Path, folders: dict, links: set) -> list[Path]:
    """The files and links under *folder* (links to folders are not followed), as
    ``Path.rglob("*")`` finds them; a folder that cannot be listed goes to *folders*."""
    found, todo = [], [folder]
    while todo:
        current = todo.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            folders[relpath(root, current)] = exc
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    links.add(relpath(root, path))
                    found.append(path)
                elif entry.is_dir():
                    todo.append(path)
                elif entry.is_file():
                    found.append(path)
            except OSError:
                continue
    return found


def inputs_digest(tree: SourceTree) -> str:
    """One hash of every file the read stage read: its path and its bytes (or why it was not read)."""
    h = hashlib.sha256()
    for key in tree.scanned:
        data = tree.entries[key]
        h.update(key.encode() + b"\0")
        if isinstance(data, bytes):
            h.update(data)
        elif isinstance(data, Outside):
            h.update(b"\0outside\0" + os.fsencode(data.target) if data.target is not None else b"\0unreadable\0")
        elif isinstance(data, TooLarge):
            h.update(b"\0too-large\0" + str(data.size).encode())
        else:
            h.update(b"\0unreadable\0")
    return h.hexdigest()


@dataclass(frozen=True)
class ProjectSources:
    root: Path
    config_file: SourceFile
    config: Config
    chapters: tuple[SourceFile, ...]
    bibliography: tuple[SourceFile, ...]
    authority: tuple[SourceFile, ...]
    tree: SourceTree | None = None

    def hash(self, extra: bytes = b"") -> str:
        """A hash of every source, the styles and the tool's version (the one the colophon names)."""
        h = hashlib.sha256()
        h.update(__version__.encode())
        for src in (self.config_file, *self.chapters, *self.bibliography, *self.authority):
            h.update(src.path.encode() + b"\0" + src.text.encode() + b"\0")
        for key in (k for k in self.tree.scanned if k.startswith("styles/")) if self.tree else ():
            h.update(key.encode() + b"\0")
            data = self.tree.entries[key]
            if isinstance(data, Outside):          # never read; it is reported where it is used
                h.update(b"\0outside\0" + os.fsencode(data.target) if data.target is not None else b"")
            elif isinstance(data, bytes):
                h.update(data)
            elif isinstance(data, TooLarge):
                h.update(b"\0too-large\0" + str(data.size).encode())
        h.update(extra)
        return h.hexdigest()

    def text_of(self, path: str) -> str | None:
        """The text of a source (reader.toml, a chapter, a .bib or authority file) as read."""
        return next((src.text for src in (self.config_file, *self.chapters, *self.bibliography, *self.authority)
                     if src.path == path), None)


def _toml_string_place(text: str, value: str) -> tuple[int | None, int | None]:
    """Line and column of the first string literal *value* in TOML text (best effort)."""
    for quoted in (f'"{value}"', f"'{value}'"):
        at = text.find(quoted)
        if at != -1:
            line = text.count("\n", 0, at) + 1
            return line, at - (text.rfind("\n", 0, at) + 1) + 1
    return None, None


def unreadable_parts(tree: SourceTree, diags: Diagnostics) -> bool:
    """Report the folders of the sources, and the files in them that no reader of a source
    reports itself (styles, fonts, images), that cannot be read (EACCES): True if any."""
    found = False
    root = tree.root
    for rel, exc in sorted(tree.folders.items()):
        diags.error("file-unreadable", f"the folder cannot be read: {exc.strerror or exc}", rel)
        found = True
    for rel in tree.scanned:
        data = tree.entries[rel]
        if rel in tree.links or "/" not in rel or not isinstance(data, OSError) or _read_elsewhere(root, root / rel):
            continue
        diags.error("file-unreadable", f"the file cannot be read: {data.strerror or data}", rel)
        found = True
    return found


def _read_elsewhere(root: Path, path: Path) -> bool:
    """Chapters, bibliographies and authority files: their readers report them (read_text)."""
    return (path.parent == root / "manuscript" and path.suffix in (".md", ".toml")) or \
        (path.parent == root / "bibliography" and path.suffix == ".bib")


def load_project(root: Path, diags: Diagnostics, tree: SourceTree | None = None) -> ProjectSources | None:
    """The read stage: every source of the project in *root* (read now, or taken from *tree*,
    the files :func:`read_tree` has read), reader.toml parsed."""
    root = root.resolve()
    if not root.is_dir():
        diags.error("project-missing", f"there is no project folder at {root.name!r}")
        return None
    config_path = root / "reader.toml"
    if not config_path.exists():
        diags.error("config-missing", "this folder has no reader.toml; create one with a title, "
                    "or start a project with 'reader-build new DIR'", "reader.toml")
        return None
    tree = tree if tree is not None else read_tree(root)
    config_file = read_text(root, config_path, diags, what="reader.toml", tree=tree)
    if config_file is None:
        return None
    config = parse_config(config_file, diags)
    if config is None:
        return None

    if unreadable_parts(tree, diags):
        return None
    manuscript = root / "manuscript"
    chapter_paths: list[Path] = []
    if config.chapters:
        for name in config.chapters:
            line, col = _toml_string_place(config_file.text, name)
            path = safe_path(root, name, manuscript)
            if path is None:
                diags.error("chapter-outside", f"chapter {name!r} lies outside the project: name a file "
                            "inside manuscript/", config_file.path, line, col)
                continue
            if not path.exists() and not path.is_symlink():
                existing = [p.name for p in manuscript.glob("*.md")] if manuscript.is_dir() else []
                diags.error("chapter-missing", f"chapter {name!r} listed in chapters does not exist (looked for "
                            f"{relpath(root, path)}){did_you_mean(name, existing)}", config_file.path, line, col)
                continue
            chapter_paths.append(path)
    elif manuscript.is_dir():
        chapter_paths = sorted(p for p in manuscript.glob("*.md") if p.is_file() or p.is_symlink())
    chapters = []
    for path in chapter_paths:
        src = read_text(root, path, diags, what="the chapter", tree=tree)
        if src is not None:
            chapters.append(src)
    if not chapter_paths and not config.chapters:
        diags.error("no-chapters", "the project has no chapters: add a Markdown file to manuscript/", "manuscript")

    bib_dir = root / "bibliography"
    bibs = []
    if bib_dir.is_dir():
        for path in sorted(bib_dir.glob("*.bib")):
            src = read_text(root, path, diags, what="the bibliography", tree=tree)
            if src is not None:
                bibs.append(src)
    authority = []
    if manuscript.is_dir():
        for path in sorted(p for p in manuscript.glob("*.toml") if p.name != SUGGESTIONS_FILE):
            src = read_text(root, path, diags, what="the index authority file", tree=tree)
            if src is not None:
                if not src.text.strip():
                    diags.warning("index-empty", "the authority file is empty: it adds no entry to the index",
                                  src.path)
                authority.append(src)
    return ProjectSources(root, config_file, config, tuple(chapters), tuple(bibs), tuple(authority), tree)


def image_type(data: bytes) -> str | None:
    for magic, mime in IMAGE_TYPES.items():
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"                  # a core media type of EPUB 3.3
    head = data[:2048].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return "image/svg+xml"
    return None


def read_image(root: Path, chapter_path: str, src: str, diags: Diagnostics, line: int,
               tree: SourceTree | None = None, col: int | None = 1) -> tuple[str, bytes] | None:
    """Read an image that a chapter refers to (at *line*, *col*); ``(project-relative path, bytes)``."""
    if src.startswith(("http://", "https://", "//", "ftp:", "data:")):
        diags.error("image-remote", f"image {src!r} is on the network; reader-build fetches nothing: "
                    "download it into the project and refer to the file", chapter_path, line, col)
        return None
    base = (root / chapter_path).parent
    path = safe_path(root, src, base)
    if path is None:
        diags.error("image-outside", f"image {src!r} lies outside the project folder", chapter_path, line, col)
        return None
    rel = relpath(root, path)
    if not path.exists():
        diags.error("image-missing", f"image {src!r} does not exist (looked for {rel})", chapter_path, line, col)
        return None
    sub = Diagnostics()
    data = read_bytes(root, path, sub, what=f"image {src!r}", limit=IMAGE_LIMIT, code_prefix="image", tree=tree)
    if data is None:
        for d in sub:
            diags.error(d.code, d.message, chapter_path, line, col)
        return None
    kind = image_type(data)
    if kind is None:
        diags.error("image-not-image", f"{src!r} is not a PNG, JPEG, GIF, WebP or SVG image", chapter_path, line, col)
        return None
    if kind == "image/svg+xml":
        problem = svg_problem(data)
        if problem:
            diags.error("image-unsafe", f"SVG image {src!r} {problem}; reader-build puts no scripts and "
                        "no references to other files in its editions", chapter_path, line, col)
            return None
    return rel, data


SVG_SCRIPT = re.compile(rb"<\s*(?:[\w.-]+:)?(script|foreignObject|iframe|object|embed|handler)\b", re.I)
SVG_EVENT = re.compile(rb"[\s\"'/](on[a-z]+)\s*=", re.I)
SVG_ENTITY = re.compile(rb"<!ENTITY", re.I)
SVG_LINK = re.compile(rb"(?:href|src)\s*=\s*([\"'])\s*([^\"'#][^\"']*)\1", re.I)
SVG_CSS_URL = re.compile(rb"url\(\s*[\"']?\s*([^\"')#\s][^\"')]*)", re.I)
SVG_IMPORT = re.compile(rb"@import", re.I)
INLINE_DATA = ("data:image/", "data:font/")      # carried inside an SVG file: an image, an embedded face
SVG_INLINE_DATA = tuple(prefix.encode("ascii") for prefix in INLINE_DATA)


def svg_problem(data: bytes) -> str | None:
    """What makes an SVG image unfit for the editions (a script, an event handler, an
    entity, a reference to another file or to the network), or None. An image or a font
    in a ``data:`` URL is part of the file and welcome (a map's labels carry their face)."""
    if m := SVG_SCRIPT.search(data):
        return f"contains a <{m.group(1).decode('ascii', 'replace')}> element"
    if m := SVG_EVENT.search(data):
        return f"has an event-handler attribute '{m.group(1).decode('ascii', 'replace')}'"
    if SVG_ENTITY.search(data):
        return "declares an XML entity"
    if SVG_IMPORT.search(data):
        return "imports a stylesheet"
    for m in (*SVG_LINK.finditer(data), *SVG_CSS_URL.finditer(data)):
        target = m.group(m.lastindex).strip()
        if not target.lower().startswith(SVG_INLINE_DATA):
            return f"refers to {target[:80].decode('utf-8', 'replace')!r}"
    return None
