"""The web edition: the reader as a static site that works from any static host and
from disk (``file://``).

Like the EPUB writer, it meets the rest of the tool only at the model: it takes
the resolved :class:`Reader` (and, from the print edition, the page of every
anchor and where each page begins) and returns the site's files as bytes, by
path relative to the site's folder; the build writes them.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .. import __version__
from ..diagnostics import Diagnostics
from ..model import Reader
from ..model import PageStart
from ..language.locale import locale_of
from ..render.cjkfallback import FALLBACK, fallback_font
from ..render.templates import read_css, render_template, template_environment
from ..source.files import inside
from ..source.styles import display_path, find_style_file
from . import fonts, links, markers, pages, search

SCRIPT = "web.js"
FALLBACK_WOFF2 = FALLBACK.rsplit(".", 1)[0] + ".woff2"
STYLESHEETS = ("web.css", "extra-web.css")
SCRIPT_STRINGS = "web-script-"


def _pages(reader: Reader, edition, root: Path, env, anchors: dict, starts) -> tuple[list, list]:
    """Every page with its content (page markers and block ids in place), and the page list."""
    plan = pages.plan_files(reader)
    chapters = pages.chapter_pages(reader, root, env, plan, anchors)
    back = pages.back_pages(reader, edition, root, env, plan, anchors)
    title = pages.title_page(reader, root, env, plan)
    contents = pages.contents_page(reader, root, env, plan, anchors, back, [])
    flow = [title, contents] + chapters + back
    placements, page_list = markers.plan_markers(flow, starts)
    if page_list:
        flow[1] = pages.contents_page(reader, root, env, plan, anchors, back, page_list)
    locale = locale_of(reader)
    markers.place_markers(flow, placements, lambda label: locale.t("web-page", label=label))
    for page in flow:
        page.content = markers.block_ids(page.content)
    site = flow + [pages.search_page(reader, root, env, back)]
    pages.link_neighbours(site)
    return site, page_list


def script_strings(locale) -> dict[str, str]:
    """The words web.js shows (the locale's ``web-script-*`` strings, without the prefix)."""
    return {key[len(SCRIPT_STRINGS):]: text for key, text in locale.strings.items() if key.startswith(SCRIPT_STRINGS)}


def _documents(reader: Reader, root: Path, env, site: list, print_pages: bool) -> dict[str, str]:
    nav = pages.site_nav(site)
    strings = script_strings(locale_of(reader))
    out = {}
    for page in site:
        page.scripts = ["pages.js"] + page.scripts
        out[page.name] = render_template(root, env, "web-page.html.j2", reader=reader.config, page=page, nav=nav,
                                         content=page.content, version=__version__, print_pages=print_pages,
                                         script_strings=strings)
    return out


def _script(root: Path, diags: Diagnostics, tree=None) -> str:
    """The web edition's script, from *tree* (the files as read) when given."""
    path = find_style_file(root, SCRIPT)
    if path is None:
        diags.error("web-script-missing", f"{SCRIPT} was not found in styles/ or in reader-build", "styles")
        return ""
    data = tree.load(path, packaged=not inside(root, path)) if tree is not None else path.read_bytes()
    if not isinstance(data, bytes):
        raise data if isinstance(data, BaseException) else OSError(f"{SCRIPT} is too large to read")
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")      # (as text mode reads it)


def _report_links(files: dict[str, bytes], site: list, reader: Reader, root: Path, diags: Diagnostics) -> None:
    """A warning for each link that leads nowhere, at the chapter's source or at the page's template."""
    sources = {pages.plan_files(reader).chapters[c.id]: c.parsed.path for c in reader.chapters}
    for page in site:
        template = find_style_file(root, f"web-{page.kind}.html.j2")
        sources.setdefault(page.name, display_path(root, template) if template else "styles")
    for broken in links.broken_links(files):
        template = find_style_file(root, "web-redirect.html.j2")
        where = sources.get(broken.page) or (display_path(root, template) if template else "styles")
        diags.warning("web-link-broken", f"the web edition's link '{broken.href}' in {broken.page} leads "
                      f"nowhere: {broken.reason}", where)


def build_web(reader: Reader, edition, root: Path, diags: Diagnostics, build_date: str = "",
              print_anchors: dict | None = None, page_starts: list[PageStart] | None = None) -> dict[str, bytes]:
    """The site's files, relative path -> bytes.  *print_anchors* (id -> print page) label the
    contents and the index locators with print pages; *page_starts* (the print edition's,
    :func:`reader_build.pdf.pagemap.page_starts`) give the page markers and ``page/N/``."""
    env = template_environment(root, locale_of(reader), reader.tree)
    # tojson (the script's words) keeps letters as they are, so that the font subsets see them
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    anchors = print_anchors or {}
    site, page_list = _pages(reader, edition, root, env, anchors, page_starts)
    index = search.search_index(reader, site, edition.includes("indexes"))
    documents = _documents(reader, root, env, site, bool(page_list))
    files: dict[str, bytes] = {name: text.encode("utf-8") for name, text in documents.items()}
    files["search-index.js"] = search.search_script(index)
    files["pages.js"] = markers.page_map_script(page_list)
    files.update(markers.redirect_pages(page_list, lambda label, href: render_template(
        root, env, "web-redirect.html.j2", reader=reader.config, label=label, href=href)))
    script = _script(root, diags, reader.tree)
    files[SCRIPT] = script.encode("utf-8")
    css = "\n".join(found[1] for name in STYLESHEETS if (found := read_css(root, name, diags, reader.tree)))
    unicodes = fonts.used_characters(list(documents.values()) + [css, script])
    found = fallback_font(css, reader.fonts, list(documents.values()), f"fonts/{FALLBACK_WOFF2}", flavor="woff2")
    css, font_files = fonts.web_fonts(css, reader.fonts, unicodes)
    if found is not None:                 # the packaged CJK fallback, for the characters that need it
        css += "\n" + found[0]
        font_files[f"fonts/{FALLBACK_WOFF2}"] = found[1]
    files["web.css"] = css.encode("utf-8")
    files.update(font_files)
    for path, data in reader.images.items():
        files[path] = data
    _report_links(files, site, reader, root, diags)
    return dict(sorted(files.items()))


def site_digest(files: dict[str, bytes]) -> str:
    """One hash of a site's files (names and contents), as the manifest records it."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def folder_digest(folder: Path, names) -> str | None:
    """:func:`site_digest` of the files *names* as they are in *folder* (None if one is missing)."""
    try:
        return site_digest({name: (folder / name).read_bytes() for name in names})
    except OSError:
        return None
