"""The EPUB edition: EPUBCheck, the package document, navigation, notes and links."""
from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from lxml import etree

from conftest import epub_documents, epubcheck_messages

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def book(bundled):
    files = epub_documents(bundled["epub"])
    docs = {name: etree.fromstring(data) for name, data in files.items() if name.endswith(".xhtml")}
    opf = etree.fromstring(files["EPUB/content.opf"])
    return {"files": files, "docs": docs, "opf": opf}


def test_epubcheck_reports_no_message_at_all(bundled, minimal_built):
    for epub in (bundled["epub"], minimal_built["epub"]):
        messages = epubcheck_messages(epub)
        assert messages == [], [(m["ID"], m["message"], m["locations"][:1]) for m in messages]


def test_package_metadata(book):
    opf = book["opf"]
    assert opf.get(XML_LANG) == "en"
    meta = opf.find("opf:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "Why There Is No Peace Treaty with Japan"
    assert meta.findtext("dc:creator", namespaces=NS) == "Anatoly A. Koshkin"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")
    modified = meta.xpath("opf:meta[@property='dcterms:modified']/text()", namespaces=NS)
    assert modified and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", modified[0])


def test_one_document_per_chapter_and_fonts_embedded(book, bundled):
    items = book["opf"].findall("opf:manifest/opf:item", NS)
    hrefs = {i.get("href"): i.get("media-type") for i in items}
    chapters = [s["id"] for s in bundled["manifest"]["sections"] if "-" not in s["id"] or s["id"] in
                ("san-francisco", "dulles-khrushchev")]
    for chapter in ("introduction", "chronology", "opening", "san-francisco", "dulles-khrushchev"):
        assert any(h.endswith(f"-{chapter}.xhtml") for h in hrefs), chapter
    assert any(m == "font/otf" for m in hrefs.values())
    assert "manuscript/images/kuril-islands.svg" in hrefs


def test_navigation_has_toc_and_landmarks(book):
    nav = next(doc for name, doc in book["docs"].items() if name.endswith("nav.xhtml"))
    types = [n.get(EPUB_TYPE) for n in nav.iter("{%s}nav" % NS["x"])]
    assert "toc" in types and "landmarks" in types
    toc_text = " ".join(nav.itertext())
    for title in ("Editor’s Introduction", "Chronology", "Separate San Francisco Peace Treaty",
                  "Bibliography", "Index of Names", "Index of Places"):
        assert title.replace("’", "'") in toc_text.replace("’", "'"), title
    assert "toc.ncx" in " ".join(book["files"])


def _ids(doc) -> set[str]:
    return {el.get("id") for el in doc.iter() if el.get("id")}


def test_every_internal_link_resolves(book):
    docs = book["docs"]
    ids = {name: _ids(doc) for name, doc in docs.items()}
    broken = []
    for name, doc in docs.items():
        folder = name.rsplit("/", 1)[0]
        for a in doc.iter("{%s}a" % NS["x"]):
            href = a.get("href")
            if not href or re.match(r"^[a-z]+:", href):
                continue
            path, _, frag = href.partition("#")
            target = f"{folder}/{unquote(path)}" if path else name
            if target not in book["files"]:
                broken.append((name, href))
            elif frag and frag not in ids.get(target, set()):
                broken.append((name, href))
    assert not broken, broken[:10]


def test_notes_pop_up_and_are_numbered_as_in_the_pdf(book, bundled):
    numbers = []
    for name in sorted(book["docs"]):
        doc = book["docs"][name]
        ids = {el.get("id"): el for el in doc.iter() if el.get("id")}
        for a in doc.iter("{%s}a" % NS["x"]):
            if a.get(EPUB_TYPE) != "noteref":
                continue
            assert a.get("role") == "doc-noteref"
            target = ids[a.get("href").lstrip("#")]
            assert target.tag == "{%s}aside" % NS["x"]
            assert target.get(EPUB_TYPE) == "footnote" and target.get("role") == "doc-footnote"
            back = target.find(".//x:a[@role='doc-backlink']", NS)
            assert back is not None and back.get("href") == f"#{a.get('id')}"
            numbers.append(int(a.text))
    assert numbers == list(range(1, bundled["manifest"]["counts"]["footnotes"] + 1))


def test_citations_link_to_the_bibliography(book):
    bib = next(doc for name, doc in book["docs"].items() if name.endswith("bibliography.xhtml"))
    entries = {el.get("id") for el in bib.iter() if el.get("id", "").startswith("ref-")}
    links = [a.get("href") for doc in book["docs"].values() for a in doc.iter("{%s}a" % NS["x"])
             if "cite" in (a.get("class") or "").split()]
    assert links
    assert {h.split("#")[1] for h in links} <= entries
    assert entries == {h.split("#")[1] for h in links}, "every listed work is cited"


def test_figure_has_alt_text_and_caption(book):
    figures = [f for doc in book["docs"].values() for f in doc.iter("{%s}figure" % NS["x"])]
    assert figures
    for figure in figures:
        img = figure.find("x:img", NS)
        assert img is not None and len(img.get("alt", "")) > 40
        assert figure.find("x:figcaption", NS) is not None


def test_no_fixed_sizes_in_the_ebook_stylesheet(book):
    """Text sizes, margins and boxes are relative; only hairline borders are in px."""
    css = book["files"]["EPUB/style/epub.css"].decode()
    declarations = re.findall(r"([a-z-]+)\s*:\s*([^;{}]+)", css)
    fixed = [(p, v) for p, v in declarations if not p.startswith("border")
             and re.search(r"\b\d+(\.\d+)?(pt|px|mm|cm|in)\b", v)]
    assert not fixed, fixed
