"""Every internal link of a site must resolve: to a file of the site, and to an id
in it when it names one.  Used by the build (a warning per broken link) and by
the tests.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import unquote, urlsplit

LINK = re.compile(r"""\s(?:href|src)\s*=\s*"([^"]*)\"""")
REFRESH = re.compile(r"""<meta http-equiv="refresh" content="\d+;\s*url=([^"]*)\"""")
IDENT = re.compile(r"""\sid\s*=\s*"([^"]*)\"""")
COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class BrokenLink:
    page: str          # the file that holds the link
    href: str          # as written
    reason: str


def ids_of(html: str) -> set[str]:
    return {unescape(i) for i in IDENT.findall(COMMENT.sub("", html))}


def links_of(html: str) -> list[str]:
    html = COMMENT.sub("", html)
    return [unescape(h) for h in LINK.findall(html) + REFRESH.findall(html)]


def _target_file(page: str, path: str, files) -> str | None:
    if not path:
        return page
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path)))
    if joined.startswith("../") or joined == "..":
        return None
    if path.endswith("/") or joined not in files and f"{joined}/index.html" in files:
        joined = posixpath.join(joined, "index.html") if joined != "." else "index.html"
    return joined if joined in files else None


def broken_links(files: dict[str, bytes]) -> list[BrokenLink]:
    """The internal links of the HTML files of *files* (relative path -> bytes) that do not resolve."""
    pages = {name: data.decode("utf-8") for name, data in files.items() if name.endswith(".html")}
    ids = {name: ids_of(text) for name, text in pages.items()}
    broken = []
    for name, text in sorted(pages.items()):
        for href in links_of(text):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("//"):
                continue
            target = _target_file(name, parts.path, files)
            if target is None:
                broken.append(BrokenLink(name, href, "no such file in the site"))
            elif parts.fragment and target in ids and unquote(parts.fragment) not in ids[target]:
                broken.append(BrokenLink(name, href, f"{target} has no id '{unquote(parts.fragment)}'"))
    return broken
