"""URLs as an EPUB may carry them: checked, and percent-encoded where they hold
characters that a URL may not carry raw (a DOI with ``<``, ``>`` or ``;``, a space,
a back-tick, a backslash, non-ASCII letters …).

Pure functions on strings; the links of a manuscript are resolved in links.py and
the bibliography's ``url`` and ``doi`` fields go through :func:`doi_url` and
:func:`encode_url`.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# RFC 3986: unreserved, reserved and '%' (kept: an existing escape is not escaped again)
_SAFE = "-._~:/?#[]@!$&'()*+,;=%"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
EXTERNAL_SCHEMES = ("http", "https", "mailto")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[^\s/?#@:\[\]]+)(:\d{0,5})?$")


def encode_url(url: str) -> str:
    """*url* with every character outside RFC 3986 percent-encoded (UTF-8), a lone '%'
    included; escapes already there are kept.  The host of an http(s) URL is written
    in IDNA (punycode) where it holds non-ASCII letters."""
    url = url.strip()
    parts = urlsplit(url) if "://" in url else None
    if parts and parts.hostname and not parts.hostname.isascii():
        try:
            host = parts.hostname.encode("idna").decode("ascii")
            url = url.replace(parts.hostname, host, 1)
        except UnicodeError:
            pass
    url = _BAD_ESCAPE.sub("%25", url)
    return quote(url, safe=_SAFE)


def url_problem(url: str) -> str | None:
    """Why *url* (http, https or mailto) is not a valid URL, or None."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return str(exc)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        netloc = parts.netloc.rsplit("@", 1)[-1]
        if not netloc:
            return "it names no host"
        if not _HOST.match(netloc):
            return f"its host {netloc!r} is not a host name"
        try:
            port = parts.port
        except ValueError:
            return "its port is not a number from 0 to 65535"
        if port is not None and port > 65535:
            return "its port is not a number from 0 to 65535"
    elif scheme == "mailto":
        if not parts.path or "@" not in parts.path:
            return "it names no e-mail address"
    if re.search(r"[\x00-\x1f\x7f]", url):
        return "it holds control characters"
    return None


def scheme_of(href: str) -> str:
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", href)
    return m.group(1).lower() if m else ""


def doi_url(doi: str) -> str:
    """The https://doi.org/ URL of a DOI, percent-encoded (``<``, ``>``, ``;``, ``#`` … are
    legal in a DOI, not raw in a URL)."""
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.I)
    return "https://doi.org/" + quote(doi, safe="-._~:/()!$&'*+,=@")
