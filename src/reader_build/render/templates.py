"""Templates, stylesheets and fonts: one search path, the project's ``styles/`` first.

A project overrides any packaged template (``*.j2``), stylesheet (``*.css``) or
font (``fonts/*``) by putting a file of the same name in its ``styles/``
folder; everything else comes from the package.  A project template can also
extend the packaged one of the same name and replace single blocks:
``{% extends "reader_build:book.html.j2" %}`` (the ``reader_build:`` prefix
names the packaged file, whatever the project overrides).  Templates use
``StrictUndefined``: an undefined variable is an error with the template's
name and line.
"""
from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import jinja2
import markupsafe
from jinja2.loaders import split_template_path

from ..diagnostics import Diagnostics, TemplateError, Diagnostic, ERROR
from ..language.locale import packaged_locale
from ..language.typography import curly_quotes, heading_and_gloss
from .html import inline_html, inline_plain
from .typography import tie_last_words
from ..source.files import SourceTree, decode, inside, relpath
from ..source.styles import PACKAGE_STYLES, PACKAGE_TEMPLATES, display_path, read_css as _read_style, search_path
import re
import tinycss2
import weasyprint

PACKAGE_PREFIX = "reader_build:"          # {% extends "reader_build:book.html.j2" %}


def packaged_files() -> dict[str, Path]:
    """The packaged templates and stylesheets a project can override, by name."""
    found = {p.name: p for p in sorted(PACKAGE_TEMPLATES.glob("*.j2"))}
    found.update({p.name: p for p in sorted(PACKAGE_STYLES.glob("*.css"))})
    return found


def pdf_stylesheets(medium: str) -> tuple[str, ...]:
    """The stylesheets of a PDF edition in the order they are read: large print adds its own
    after print.css, and a project's extra.css comes last."""
    if medium == "large-print":
        return ("print.css", "large-print.css", "extra.css")
    return ("print.css", "extra.css")


def read_css(root: Path, name: str, diags: Diagnostics, tree: SourceTree | None = None) -> tuple[str, str] | None:
    """(display path, text) of a stylesheet from the search path, its URLs checked (:func:`check_urls`);
    taken from *tree* (the files as read, ``reader.tree``) when given, else read here."""
    found = _read_style(root, name, diags, tree)
    if found is not None:
        check_urls(*found, diags)
    return found


def _css_urls(nodes):
    """(url, line, col, is_import) of every url() and @import in tinycss2 component values."""
    importing = False
    for node in nodes or ():
        kind = getattr(node, "type", None)
        if kind == "at-keyword":
            importing = node.lower_value == "import"
        elif kind == "literal" and node.value == ";":
            importing = False
        elif kind == "url":
            yield node.value, node.source_line, node.source_column, importing
        elif kind == "string" and importing:
            yield node.value, node.source_line, node.source_column, True
        elif kind == "function":
            if node.lower_name in ("url", "src"):
                for arg in node.arguments:
                    if getattr(arg, "type", None) == "string":
                        yield arg.value, node.source_line, node.source_column, importing
            else:
                yield from _css_urls(node.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            importing = False
            yield from _css_urls(node.content)


def check_urls(path: str, text: str, diags: Diagnostics) -> None:
    """Report, at their line and column, the URLs of a stylesheet that reader-build will not
    follow: anything on the network or outside the project (``http:``, ``file:``, ``/…``),
    and ``@import``.  Nothing is fetched."""

    try:
        nodes = tinycss2.parse_component_value_list(text)
    except RecursionError:
        diags.error("css-invalid", "the stylesheet is nested too deeply", path)
        return
    for url, line, col, is_import in _css_urls(nodes):
        if is_import:
            diags.error("css-import", f"@import {url!r} is not followed: put the rules in styles/extra.css "
                        "(print) or styles/extra-epub.css (e-book) instead", path, line, col)
        elif re.match(r"^\s*([a-z][a-z0-9+.-]*:|/|\\)", url, re.I) and not url.strip().lower().startswith("data:"):
            diags.error("fetch-refused", f"the stylesheet asks for {url!r}, which is not a file of the project; "
                        "reader-build fetches nothing from the network or from outside the project",
                        path, line, col)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@contextlib.contextmanager
def weasyprint_warnings():
    """Collect WeasyPrint's warnings (as log records) instead of letting them be logged."""
    logger = logging.getLogger("weasyprint")
    capture = _Capture()
    logger.addHandler(capture)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield capture.records
    finally:
        logger.removeHandler(capture)
        logger.propagate = propagate


def check_css(path: str, text: str, diags: Diagnostics) -> None:
    """Report what WeasyPrint ignores in a stylesheet, at its line and column."""

    with weasyprint_warnings() as records:
        try:
            weasyprint.CSS(string=text, base_url="https://reader.invalid/", url_fetcher=_refuse)
        except Exception as exc:  # tinycss2 is tolerant; this is a guard for odd input
            diags.error("css-invalid", f"the stylesheet cannot be read: {exc}", path)
    for record in records:
        message = record.getMessage()
        m = re.search(r"at (\d+):(\d+)", message)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        message = re.sub(r"\s*at \d+:\d+", "", message).rstrip(".")
        diags.warning("css-ignored", message, path, line, col)


def _refuse(url, *args, **kwargs):
    raise ValueError(f"not fetched: {url}")


class _ProjectLoader(jinja2.FileSystemLoader):
    """Templates from the search path; a project template that is a link pointing out of the
    project is refused before it is read.  With *tree* (source.files.SourceTree, the files as
    the read stage read them) every template is taken from there: read once per build, however
    many environments are made."""

    def __init__(self, root: Path, tree: SourceTree | None = None):
        self.root, self.tree = root, tree
        self.package = jinja2.FileSystemLoader([str(PACKAGE_TEMPLATES), str(PACKAGE_STYLES)])
        super().__init__([str(p) for p in search_path(root)])

    def get_source(self, environment, template):
        packaged = template.startswith(PACKAGE_PREFIX)
        if packaged and self.tree is None:
            return self.package.get_source(environment, template[len(PACKAGE_PREFIX):])
        pieces = split_template_path(template[len(PACKAGE_PREFIX):] if packaged else template)
        candidate = None
        for folder in self.package.searchpath if packaged else self.searchpath:
            candidate = Path(folder, *pieces)
            if candidate.is_file():
                if Path(folder) == self.root / "styles" and not inside(self.root, candidate):
                    raise TemplateError(Diagnostic("outside-project", ERROR, "the template lies outside the "
                                                   "project folder (a link pointing out?)",
                                                   relpath(self.root, candidate)))
                break
            candidate = None
        try:
            if self.tree is None:
                return super().get_source(environment, template)
            if candidate is None:
                raise jinja2.TemplateNotFound(template)
            data = self.tree.load(candidate, packaged=not inside(self.root, candidate))
            if not isinstance(data, bytes):
                raise data if isinstance(data, BaseException) else OSError(f"{template} is too large to read")
            return data.decode("utf-8"), os.path.normpath(candidate), lambda: True
        except UnicodeDecodeError as exc:            # report the bad byte where it is, as for any source
            where = display_path(self.root, candidate)
            diags = Diagnostics()
            decode(exc.object, where, diags, code="template-encoding")
            raise TemplateError(diags.items or [Diagnostic("template-encoding", ERROR, str(exc), where)]) from None


def template_environment(root: Path, locale=None, tree: SourceTree | None = None) -> jinja2.Environment:
    """The templates of a project; *locale* (language.locale.Locale, English when not given)
    gives them ``t("key")``, the fixed words of the reader's language, and ``lang``; *tree*
    (the files as read, ``reader.tree``) gives the templates' text, else they are read here."""
    env = jinja2.Environment(
        loader=_ProjectLoader(root, tree),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["root_display"] = lambda p: display_path(root, Path(p))
    locale = locale or packaged_locale()
    env.globals["t"] = locale.t
    env.globals["lang"] = locale.tag
    # ``{{ text | typographic }}``: a string reader-build sets itself, its quotes made curly
    env.filters["typographic"] = lambda text, _typo=locale.typography: curly_quotes(str(text), _typo)
    env.filters["tie_last_words"] = tie_last_words       # a title never ends on one word alone
    # ``{{ reader.title | inline }}``: the book's title and subtitle are Markdown, as a chapter's
    # title is (``title = "Notes on *Moby-Dick*"``); ``| plain`` where no markup may go (metadata)
    env.filters["inline"] = lambda text, _l=locale: markupsafe.Markup(inline_html(str(text), _l.tag, _l))
    env.filters["plain"] = lambda text, _l=locale: inline_plain(str(text), _l.tag, _l)
    env.globals["heading_and_gloss"] = heading_and_gloss  # an index heading and its gloss, unnested
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


def check_styles(root: Path, diags: Diagnostics, tree: SourceTree | None = None) -> None:
    """What ``reader-build check`` can find in ``styles/`` without laying out: template syntax
    errors (file and line), stylesheets WeasyPrint would ignore parts of, URLs that are refused.
    *tree*: the files as read (else they are read here)."""
    project_styles = root / "styles"
    if not project_styles.is_dir() or not inside(root, project_styles):
        return
    try:
        os.listdir(project_styles)
    except OSError:                  # reported where the sources are read (file-unreadable)
        return
    env = template_environment(root, tree=tree)
    for path in sorted(project_styles.rglob("*.j2")):
        if not path.is_file():
            continue
        name = path.relative_to(project_styles).as_posix()
        try:
            env.get_template(name)
        except TemplateError as exc:
            diags.extend(exc.diagnostics)
        except jinja2.TemplateSyntaxError as exc:
            where = display_path(root, Path(exc.filename)) if exc.filename else relpath(root, path)
            diags.error("template-syntax", exc.message or "syntax error", where, exc.lineno)
        except (jinja2.TemplateError, UnicodeDecodeError, OSError) as exc:
            diags.error("template-error", f"the template cannot be read: {exc}", relpath(root, path))
    pdf_names = pdf_stylesheets("large-print")
    for name in pdf_names + ("epub.css", "extra-epub.css", "web.css", "extra-web.css"):
        path = project_styles / name
        if path.is_file():
            found = read_css(root, name, diags, tree)
            if found and name in pdf_names:
                check_css(*found, diags)
