"""Raw HTML in Markdown, made safe: a small allow-list of tags and attributes.

Scripts, frames, objects, forms, styles and event handlers are dropped;
``javascript:`` and other non-web URLs are removed; the output is well-formed
XHTML, so that it can go into an EPUB as it is.
"""
from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from .urls import encode_url, scheme_of, url_problem

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "cite", "code", "dd", "del", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p",
    "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr",
}
VOID_TAGS = {"br", "hr", "wbr"}
VOID_DROP = {"embed", "frame", "param", "source", "track", "input", "keygen"}    # no end tag, no content
DROP_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
                "textarea", "select", "frameset", "frame", "applet", "canvas", "audio", "video", "form"}
ALLOWED_ATTRS = {"id", "class", "lang", "title", "dir", "href", "colspan", "rowspan", "cite", "datetime"}
SAFE_URL = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.I)
ID_RE = re.compile(r"^[A-Za-z][\w.:-]*$")
# attribute values that EPUB's schema checks: anything else is left out
VALID_VALUE = {
    "dir": re.compile(r"^(ltr|rtl|auto)$"),
    "lang": re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"),
    "colspan": re.compile(r"^[1-9][0-9]{0,2}$"),
    "rowspan": re.compile(r"^[0-9]{1,3}$"),
    "datetime": re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$"),
}


HTML_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
             "wbr", "keygen", "frame"}


def unwrapped(tag: str) -> bool:
    """Is an unknown element *tag* unwrapped (its content kept), not dropped with its content?"""
    return tag not in DROP_CONTENT and tag not in HTML_VOID and tag not in ALLOWED_TAGS


_SINGLE_TAG = re.compile(r"\A\s*<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)\b[^>]*?(/?)\s*>\s*\Z", re.S)


def content_dropping_tag(fragment: str) -> tuple[str, str] | None:
    """For raw inline HTML that is one tag of an element whose content is dropped (``<script>``,
    ``</iframe>`` …): ("open" or "close", the element's name); else None.  Markdown gives the
    text between such tags as separate tokens, which must be dropped with them."""
    match = _SINGLE_TAG.match(fragment)
    if not match or match.group(2).lower() not in DROP_CONTENT or match.group(2).lower() in VOID_DROP:
        return None
    if match.group(3):
        return None                        # <svg/>: nothing inside
    return ("close" if match.group(1) else "open"), match.group(2).lower()


def safe_url(url: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20]", "", url)
    return bool(SAFE_URL.match(cleaned))


class _Sanitizer(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.dropping = 0
        self._self_closing = False
        self.removed: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.dropping:
            if tag in DROP_CONTENT and tag not in VOID_DROP and not self._self_closing:
                self.dropping += 1
            return
        if tag in DROP_CONTENT:
            self.removed.append(tag)
            if tag not in VOID_DROP and not self._self_closing:
                self.dropping = 1        # drop its content, up to its end tag
            return
        if tag not in ALLOWED_TAGS:
            self.removed.append(tag)
            return
        kept = []
        for name, value in attrs:
            value = value or ""
            if name not in ALLOWED_ATTRS:
                if name.startswith("on") or name not in ("style",):
                    self.removed.append(f"{tag}@{name}")
                continue
            if name in ("href", "cite") and not safe_url(value):
                self.removed.append(f"{tag}@{name}")
                continue
            if name == "id" and not ID_RE.match(value):
                continue
            if name in VALID_VALUE and not VALID_VALUE[name].match(value.strip()):
                self.removed.append(f"{tag}@{name}")
                continue
            if name in ("href", "cite"):
                value = value.strip()
            if name == "cite":          # no link: kept when it is a valid web address, encoded
                if scheme_of(value) not in ("http", "https") or url_problem(encode_url(value)):
                    self.removed.append(f"{tag}@{name}")
                    continue
                value = encode_url(value)
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag in VOID_TAGS:
            self.out.append(f"<{tag}{''.join(kept)}/>")
        else:
            self.out.append(f"<{tag}{''.join(kept)}>")
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._self_closing = True
        try:
            self.handle_starttag(tag, attrs)
        finally:
            self._self_closing = False
        if tag not in VOID_TAGS and self.stack and self.stack[-1] == tag and not self.dropping:
            self.stack.pop()
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag):
        if self.dropping:
            if tag in DROP_CONTENT:
                self.dropping -= 1
            return
        if tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def close_all(self) -> str:
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


def sanitize_html(fragment: str, balance: bool = True) -> tuple[str, list[str]]:
    """(safe XHTML, list of what was removed).

    With ``balance=False`` (a single inline tag such as ``<sup>``), open tags are
    left open and stray end tags are kept: the chapter is balanced as a whole later.
    """
    parser = _Sanitizer()
    parser.feed(fragment)
    if balance:
        return parser.close_all(), parser.removed
    parser.close()
    if not parser.out and not parser.dropping:
        m = re.match(r"^\s*</([a-z0-9]+)\s*>\s*$", fragment, re.I)
        if m and m.group(1).lower() in ALLOWED_TAGS and m.group(1).lower() not in VOID_TAGS:
            return f"</{m.group(1).lower()}>", parser.removed
    return "".join(parser.out), parser.removed
