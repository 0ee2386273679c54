"""EPUB Accessibility 1.1 metadata, and language spans for names in other scripts.

The metadata describes what the e-book really has: it is textual, with
alternative text for its images, a table of contents, an index, structural
navigation in reading order, and print page numbers when a print edition gives
them.
"""
from __future__ import annotations

import re

from ..model import Reader
from ..language.locale import locale_of

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"

SCRIPTS = [
    (re.compile(r"[\u0400-\u04FF][\u0400-\u04FF\u0300-\u036F\s.,«»\-]*[\u0400-\u04FF.»]"), "ru"),
    (re.compile(r"[\u3040-\u30FF\u3400-\u9FFF\uF900-\uFAFF]"
                r"[\u3040-\u30FF\u3400-\u9FFF\uF900-\uFAFF\u3000-\u303F\uFF01-\uFF5E―ー・]*"), "ja"),
]


def features(reader: Reader, has_index: bool, print_pages: bool) -> list[str]:
    found = ["tableOfContents", "readingOrder", "structuralNavigation"]
    if reader.images:
        found.append("alternativeText")
    if has_index:
        found.append("index")
    if print_pages:
        found.append("printPageNumbers")
    if reader.chapters and any(c.parsed.notes for c in reader.chapters):
        found.append("annotations")
    return sorted(set(found))


def summary(reader: Reader, has_index: bool, print_pages: bool) -> str:
    t = locale_of(reader).t
    parts = [t("a11y-summary")]
    if reader.images:
        parts.append(t("a11y-images"))
    if any(c.parsed.notes for c in reader.chapters):
        parts.append(t("a11y-notes"))
    if has_index:
        parts.append(t("a11y-index"))
    if print_pages:
        parts.append(t("a11y-pages"))
    return " ".join(parts)


def metadata(reader: Reader, *, has_index: bool, print_pages: bool, page_source: str = "") -> list[tuple]:
    """(namespace, name, value, others) tuples for ``EpubBook.add_metadata``."""
    meta = [
        (None, "meta", "textual", {"property": "schema:accessMode"}),
        (None, "meta", "textual", {"property": "schema:accessModeSufficient"}),
        (None, "meta", "none", {"property": "schema:accessibilityHazard"}),
        (None, "meta", summary(reader, has_index, print_pages), {"property": "schema:accessibilitySummary"}),
        (None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"}),
    ]
    if reader.images:
        meta.insert(1, (None, "meta", "visual", {"property": "schema:accessMode"}))
    for feature in features(reader, has_index, print_pages):
        meta.append((None, "meta", feature, {"property": "schema:accessibilityFeature"}))
    if print_pages and page_source:
        meta.append((None, "meta", page_source, {"property": "pageBreakSource"}))
    return meta


def language_spans(html: str, default: str) -> str:
    """Wrap runs of Cyrillic or Japanese script in text (not in tags) in ``<span lang>``."""
    out = []
    for piece in re.split(r"(<[^>]+>)", html):
        if piece.startswith("<") or not piece:
            out.append(piece)
            continue
        for pattern, lang in SCRIPTS:
            if lang == default:
                continue
            piece = pattern.sub(lambda m, lang=lang: f'<span lang="{lang}">{m.group(0)}</span>',
                                piece)
        out.append(piece)
    return "".join(out)
