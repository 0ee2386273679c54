"""Style files (templates, stylesheets, fonts) found on one search path: the project's
``styles/`` first, then the package's.

A project overrides any packaged template (``*.j2``), stylesheet (``*.css``) or font
(``fonts/*``) by putting a file of the same name in its ``styles/`` folder; everything
else comes from the package.  This module only finds and reads them; render/templates.py
renders templates and checks stylesheets.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..diagnostics import Diagnostics
from .files import SourceTree, decode, inside, relpath

PACKAGE = Path(str(resources.files("reader_build")))
PACKAGE_TEMPLATES = PACKAGE / "templates"
PACKAGE_STYLES = PACKAGE / "styles"
FONT_SUFFIXES = (".otf", ".ttf", ".woff", ".woff2")


def search_path(root: Path) -> list[Path]:
    """Folders searched for a style file, first match wins."""
    dirs = []
    project_styles = root / "styles"
    if project_styles.is_dir() and inside(root, project_styles):
        dirs.append(project_styles)
    dirs += [PACKAGE_STYLES, PACKAGE_TEMPLATES]
    return dirs


def find_style_file(root: Path, name: str) -> Path | None:
    for folder in search_path(root):
        path = folder / name
        if path.is_file():
            if folder.name == "styles" and folder.parent == root and not inside(root, path):
                continue
            return path
    return None


def display_path(root: Path, path: Path) -> str:
    """A path for messages: project-relative, or ``<package>/…`` for packaged files."""
    if inside(root, path):
        return relpath(root, path)
    try:
        return "<reader-build>/" + path.relative_to(PACKAGE).as_posix()
    except ValueError:
        return path.name


def read_fonts(root: Path, diags: Diagnostics, tree: SourceTree | None = None) -> dict[str, bytes]:
    """Every font file of the search path, by file name (the project's win); read from *tree*
    (the files as read) when given."""
    fonts: dict[str, bytes] = {}
    for folder in reversed(search_path(root)):
        font_dir = folder / "fonts"
        if not font_dir.is_dir():
            continue
        for path in sorted(font_dir.iterdir()):
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                if folder.parent == root and not inside(root, path):
                    diags.error("outside-project", "font lies outside the project folder", relpath(root, path))
                    continue
                data = _load(tree, path, folder.parent != root)
                if isinstance(data, bytes):     # (else reported where the sources are read)
                    fonts[path.name] = data
    return fonts


def _load(tree: SourceTree | None, path: Path, packaged: bool):
    """A style file's bytes (or the exception reading it raised): from *tree*, else read now."""
    if tree is not None:
        return tree.load(path, packaged=packaged)
    try:
        return path.read_bytes()
    except OSError as exc:
        return exc


def read_css(root: Path, name: str, diags: Diagnostics, tree: SourceTree | None = None) -> tuple[str, str] | None:
    """(display path, text) of a stylesheet from the search path; read from *tree* (the files
    as read) when given."""
    own = root / "styles" / name
    if (own.is_file() or own.is_symlink()) and not inside(root, own):
        diags.error("outside-project", "the stylesheet lies outside the project folder (a link pointing out?)",
                    relpath(root, own))
        return None
    path = find_style_file(root, name)
    if path is None:
        return None
    shown = display_path(root, path)
    data = _load(tree, path, not inside(root, path))
    if not isinstance(data, bytes):
        diags.error("file-unreadable", f"the stylesheet cannot be read: {getattr(data, 'strerror', None) or data}",
                    shown)
        return None
    text = decode(data, shown, diags, code="css-encoding")
    if text is None:
        return None
    return shown, text
