"""Templates, stylesheets and fonts: one search path, the project's ``styles/`` first.

A project overrides any packaged template (``*.j2``), stylesheet (``*.css``) or
font (``fonts/*``) by putting a file of the same name in its ``styles/``
folder; everything else comes from the package.  Templates use
``StrictUndefined``: an undefined variable is an error with the template's
name and line.
"""
from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import jinja2

from .diagnostics import Diagnostics, TemplateError, Diagnostic, ERROR
from .sources import decode, inside, relpath

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


def read_fonts(root: Path, diags: Diagnostics) -> dict[str, bytes]:
    """Every font file of the search path, by file name (the project's win)."""
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
                fonts[path.name] = path.read_bytes()
    return fonts


def read_css(root: Path, name: str, diags: Diagnostics) -> tuple[str, str] | None:
    """(display path, text) of a stylesheet from the search path."""
    path = find_style_file(root, name)
    if path is None:
        return None
    text = decode(path.read_bytes(), display_path(root, path), diags, code="css-encoding")
    if text is None:
        return None
    return display_path(root, path), text


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def check_css(path: str, text: str, diags: Diagnostics) -> None:
    """Report what WeasyPrint ignores in a stylesheet, at its line and column."""
    import re

    import weasyprint
    logger = logging.getLogger("weasyprint")
    capture = _Capture()
    logger.addHandler(capture)
    old = logger.propagate
    logger.propagate = False
    try:
        weasyprint.CSS(string=text, base_url="https://reader.invalid/", url_fetcher=_refuse)
    except Exception as exc:  # tinycss2 is tolerant; this is a guard for odd input
        diags.error("css-invalid", f"the stylesheet cannot be read: {exc}", path)
    finally:
        logger.removeHandler(capture)
        logger.propagate = old
    for record in capture.records:
        message = record.getMessage()
        m = re.search(r"at (\d+):(\d+)", message)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        message = re.sub(r"\s*at \d+:\d+", "", message).rstrip(".")
        diags.warning("css-ignored", message, path, line, col)


def _refuse(url, *args, **kwargs):
    raise ValueError(f"not fetched: {url}")


def template_environment(root: Path) -> jinja2.Environment:
    folders = [str(p) for p in search_path(root)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["root_display"] = lambda p: display_path(root, Path(p))
    return env


def _template_place(root: Path, env: jinja2.Environment, exc: BaseException) -> tuple[str | None, int | None]:
    tb = exc.__traceback__
    place = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            place = (display_path(root, Path(filename)), tb.tb_lineno)
        tb = tb.tb_next
    return place


def render_template(root: Path, env: jinja2.Environment, name: str, **context) -> str:
    """Render a template; any template problem becomes a :class:`TemplateError`."""
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        path = display_path(root, Path(exc.filename)) if exc.filename else name
        raise TemplateError(Diagnostic("template-syntax", ERROR, exc.message or "syntax error",
                                       path, exc.lineno)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(Diagnostic("template-missing", ERROR, f"template {exc.name!r} was not found",
                                       "styles")) from None
    try:
        return template.render(**context)
    except jinja2.UndefinedError as exc:
        path, line = _template_place(root, env, exc)
        raise TemplateError(Diagnostic("template-undefined", ERROR, str(exc.message), path or name, line)) from None
    except jinja2.TemplateError as exc:
        path, line = _template_place(root, env, exc)
        raise TemplateError(Diagnostic("template-error", ERROR, str(exc), path or name, line)) from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        path, line = _template_place(root, env, exc)
        if path is None:
            raise
        raise TemplateError(Diagnostic("template-error", ERROR, f"{type(exc).__name__}: {exc}", path, line)) from None
