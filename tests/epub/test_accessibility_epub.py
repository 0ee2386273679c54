"""The e-book's accessibility: EPUB Accessibility 1.1 metadata, languages, roles, Ace."""
from __future__ import annotations

import pytest
from lxml import etree

from conftest import ace_failures, epub_documents

OPF = {"opf": "http://www.idpf.org/2007/opf", "x": "http://www.w3.org/1999/xhtml"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def files(bundled):
    return epub_documents(bundled["epub"])


def _meta(files, prop):
    opf = etree.fromstring(files["EPUB/content.opf"])
    return [m.text for m in opf.iterfind("opf:metadata/opf:meta", OPF) if m.get("property") == prop]


def test_accessibility_metadata(files):
    assert set(_meta(files, "schema:accessMode")) == {"textual", "visual"}
    assert _meta(files, "schema:accessModeSufficient") == ["textual"]
    assert set(_meta(files, "schema:accessibilityFeature")) >= {
        "tableOfContents", "index", "printPageNumbers", "alternativeText", "readingOrder", "structuralNavigation"}
    assert _meta(files, "schema:accessibilityHazard") == ["none"]
    assert len(_meta(files, "schema:accessibilitySummary")[0]) > 80
    assert _meta(files, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert "print" in _meta(files, "pageBreakSource")[0]


def test_language_on_the_package_and_every_document(files):
    assert etree.fromstring(files["EPUB/content.opf"]).get(XML_LANG) == "en"
    for name, data in files.items():
        if name.endswith(".xhtml"):
            root = etree.fromstring(data)
            assert root.get("lang") == "en" and root.get(XML_LANG) == "en", name


def test_names_in_other_scripts_carry_their_language(files):
    spans = []
    for name, data in files.items():
        if name.endswith(".xhtml"):
            root = etree.fromstring(data)
            spans += [(s.get("lang"), "".join(s.itertext())) for s in root.iter("{%s}span" % OPF["x"]) if s.get("lang")]
    assert ("ja", "日ソ国交回復秘録") in spans
    assert any(lang == "ru" and "Россия и Япония" in text for lang, text in spans)


def test_an_aria_role_beside_every_epub_type(files):
    exempt = {"toc", "landmarks", "page-list"}     # nav documents: their role is implied
    for name, data in files.items():
        if not name.endswith(".xhtml"):
            continue
        for el in etree.fromstring(data).iter():
            kind = el.get(EPUB_TYPE)
            in_landmarks = any(a.get(EPUB_TYPE) == "landmarks" for a in el.iterancestors())
            if kind and not (kind in exempt or kind == "titlepage" or in_landmarks):
                assert el.get("role"), (name, el.tag, kind)


def test_ace_finds_no_violation(bundled, tmp_path):
    assert ace_failures(bundled["epub"], tmp_path) == []
