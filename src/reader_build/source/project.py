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
from .files import SourceFile, inside, read_bytes, read_text, relpath, safe_path

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


@dataclass(frozen=True)
class ProjectSources:
    root: Path
    config_file: SourceFile
    config: Config
    chapters: tuple[SourceFile, ...]
    bibliography: tuple[SourceFile, ...]
    authority: tuple[SourceFile, ...]

    def hash(self, extra: bytes = b"") -> str:
        """A hash of every source, the styles and the tool's version."""
        h = hashlib.sha256()
        h.update(__version__.encode())
        for src in (self.config_file, *self.chapters, *self.bibliography, *self.authority):
            h.update(src.path.encode() + b"\0" + src.text.encode() + b"\0")
        styles = self.root / "styles"
        if styles.is_dir():
            for path in sorted(p for p in styles.rglob("*") if p.is_file() or p.is_symlink()):
                h.update(relpath(self.root, path).encode() + b"\0")
                if not inside(self.root, path):         # never read; it is reported where it is used
                    h.update(b"\0outside\0" + os.fsencode(os.readlink(path)) if path.is_symlink() else b"")
                    continue
                try:
                    h.update(path.read_bytes())
                except OSError:
                    pass
        h.update(extra)
        return h.hexdigest()


def _toml_string_place(text: str, value: str) -> tuple[int | None, int | None]:
    """Line and column of the first string literal *value* in TOML text (best effort)."""
    for quoted in (f'"{value}"', f"'{value}'"):
        at = text.find(quoted)
        if at != -1:
            line = text.count("\n", 0, at) + 1
            return line, at - (text.rfind("\n", 0, at) + 1) + 1
    return None, None


def unreadable_parts(root: Path, diags: Diagnostics) -> bool:
    """Report the folders of the sources, and the files in them that no reader of a source
    reports itself (styles, fonts, images), that cannot be read (EACCES): True if any."""
    found = False
    for part in SOURCE_PARTS[1:]:
        folders = [root / part]
        while folders:
            folder = folders.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name) if folder.is_dir() else []
            except OSError as exc:
                diags.error("file-unreadable", f"the folder cannot be read: {exc.strerror or exc}",
                            relpath(root, folder))
                found = True
                continue
            for entry in entries:
                path = Path(entry.path)
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                elif entry.is_file(follow_symlinks=False) and not _read_elsewhere(root, path):
                    try:
                        with open(path, "rb"):
                            pass
                    except OSError as exc:
                        diags.error("file-unreadable", f"the file cannot be read: {exc.strerror or exc}",
                                    relpath(root, path))
                        found = True
    return found


def _read_elsewhere(root: Path, path: Path) -> bool:
    """Chapters, bibliographies and authority files: their readers report them (read_text)."""
    return (path.parent == root / "manuscript" and path.suffix in (".md", ".toml")) or \
        (path.parent == root / "bibliography" and path.suffix == ".bib")


def load_project(root: Path, diags: Diagnostics) -> ProjectSources | None:
    root = root.resolve()
    if not root.is_dir():
        diags.error("project-missing", f"there is no project folder at {root.name!r}")
        return None
    config_path = root / "reader.toml"
    if not config_path.exists():
        diags.error("config-missing", "this folder has no reader.toml; create one with a title, "
                    "or start a project with 'reader-build new DIR'", "reader.toml")
        return None
    config_file = read_text(root, config_path, diags, what="reader.toml")
    if config_file is None:
        return None
    config = parse_config(config_file, diags)
    if config is None:
        return None

    if unreadable_parts(root, diags):
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
        src = read_text(root, path, diags, what="the chapter")
        if src is not None:
            chapters.append(src)
    if not chapter_paths and not config.chapters:
        diags.error("no-chapters", "the project has no chapters: add a Markdown file to manuscript/", "manuscript")

    bib_dir = root / "bibliography"
    bibs = []
    if bib_dir.is_dir():
        for path in sorted(bib_dir.glob("*.bib")):
            src = read_text(root, path, diags, what="the bibliography")
            if src is not None:
                bibs.append(src)
    authority = []
    if manuscript.is_dir():
        for path in sorted(p for p in manuscript.glob("*.toml") if p.name != SUGGESTIONS_FILE):
            src = read_text(root, path, diags, what="the index authority file")
            if src is not None:
                if not src.text.strip():
                    diags.warning("index-empty", "the authority file is empty: it adds no entry to the index",
                                  src.path)
                authority.append(src)
    return ProjectSources(root, config_file, config, tuple(chapters), tuple(bibs), tuple(authority))


def image_type(data: bytes) -> str | None:
    for magic, mime in IMAGE_TYPES.items():
        if data.startswith(magic):
            return mime
    head = data[:2048].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return "image/svg+xml"
    return None


def read_image(root: Path, chapter_path: str, src: str, diags: Diagnostics, line: int) -> tuple[str, bytes] | None:
    """Read an image that a chapter refers to; ``(project-relative path, bytes)``."""
    if src.startswith(("http://", "https://", "//", "ftp:", "data:")):
        diags.error("image-remote", f"image {src!r} is on the network; reader-build fetches nothing: "
                    "download it into the project and refer to the file", chapter_path, line, 1)
        return None
    base = (root / chapter_path).parent
    path = safe_path(root, src, base)
    if path is None:
        diags.error("image-outside", f"image {src!r} lies outside the project folder", chapter_path, line, 1)
        return None
    rel = relpath(root, path)
    if not path.exists():
        diags.error("image-missing", f"image {src!r} does not exist (looked for {rel})", chapter_path, line, 1)
        return None
    sub = Diagnostics()
    data = read_bytes(root, path, sub, what=f"image {src!r}", limit=IMAGE_LIMIT, code_prefix="image")
    if data is None:
        for d in sub:
            diags.error(d.code, d.message, chapter_path, line, 1)
        return None
    kind = image_type(data)
    if kind is None:
        diags.error("image-not-image", f"{src!r} is not a PNG, JPEG, GIF or SVG image", chapter_path, line, 1)
        return None
    if kind == "image/svg+xml":
        problem = svg_problem(data)
        if problem:
            diags.error("image-unsafe", f"SVG image {src!r} {problem}; reader-build puts no scripts and "
                        "no references to other files in its editions", chapter_path, line, 1)
            return None
    return rel, data


SVG_SCRIPT = re.compile(rb"<\s*(?:[\w.-]+:)?(script|foreignObject|iframe|object|embed|handler)\b", re.I)
SVG_EVENT = re.compile(rb"[\s\"'/](on[a-z]+)\s*=", re.I)
SVG_ENTITY = re.compile(rb"<!ENTITY", re.I)
SVG_LINK = re.compile(rb"(?:href|src)\s*=\s*([\"'])\s*([^\"'#][^\"']*)\1", re.I)
SVG_CSS_URL = re.compile(rb"url\(\s*[\"']?\s*([^\"')#\s][^\"')]*)", re.I)
SVG_IMPORT = re.compile(rb"@import", re.I)


def svg_problem(data: bytes) -> str | None:
    """What makes an SVG image unfit for the editions (a script, an event handler, an
    entity, a reference to another file or to the network), or None."""
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
        if not target.lower().startswith(b"data:image/"):
            return f"refers to {target[:80].decode('utf-8', 'replace')!r}"
    return None
