"""Links to a local image of the project (issue #14): to the figure that shows it, else the
image carried into every edition; an image that is missing, outside the project, or a local
file that is no image stays an error at the link's place."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pikepdf
import pytest
from lxml import etree

from conftest import MINIMAL, epub_documents, epubcheck_messages, named_destinations, pdf_page_texts, write_project

from reader_build.build import build, check
from reader_build.epub.book import image_files
from reader_build.web.links import broken_links

XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"
PNG = (Path(__file__).resolve().parent.parent / "data" / "torture" / "manuscript" / "map.png").read_bytes()
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
       b'<rect width="40" height="20" fill="#369"/></svg>')
ONE = """---
id: one
title: One
---

See [the full map](images/map.png), [the coast](images/coast%20line.svg) and
<a href="images/coast line.svg">the coast again</a>.

![A map of the islands](images/map.png "The islands.")
"""
TWO = """---
id: two
title: Two
---

Again [the map](../manuscript/images/map.png) and [the coast](images/coast%20line.svg).
"""
TOML = ('title = "Images"\n[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n'
        '[editions.web]\nformat = "html"\n')


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    files = dict(MINIMAL)
    files.update({"reader.toml": TOML, "manuscript/one.md": ONE, "manuscript/two.md": TWO})
    root = write_project(tmp_path_factory.mktemp("imglinks") / "p", files)
    (root / "manuscript" / "images").mkdir()
    (root / "manuscript" / "images" / "map.png").write_bytes(PNG)
    (root / "manuscript" / "images" / "coast line.svg").write_bytes(SVG)
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    assert [d.format() for d in result.diagnostics if d.code != "cite-unused"] == []
    return root


def _links(doc: bytes, web: bool = False) -> dict[str, str]:
    tree = lxml.html.fromstring(doc) if web else etree.fromstring(doc)
    return {"".join(a.itertext()): a.get("href") for a in tree.iter("a" if web else f"{XHTML}a") if a.get("href")}


def test_epub_links_go_to_the_figure_or_to_a_page_showing_the_image(built):
    docs = epub_documents(built / "build" / "ebook.epub")
    one, two = _links(docs["EPUB/01-one.xhtml"]), _links(docs["EPUB/02-two.xhtml"])
    assert one["the full map"] == "#fig-one-1" and two["the map"] == "01-one.xhtml#fig-one-1"
    assert b'id="fig-one-1"' in docs["EPUB/01-one.xhtml"]
    page = one["the coast"]
    assert one["the coast again"] == two["the coast"] == page
    shown = etree.fromstring(docs[f"EPUB/{page}"])
    [img] = shown.iter(f"{XHTML}img")
    assert img.get("alt") == "the coast" and "".join(next(shown.iter(f"{XHTML}h1")).itertext()) == "the coast"
    assert docs[f"EPUB/{img.get('src')}"] == SVG and " " not in img.get("src")   # (no space: PKG-010)
    opf = etree.fromstring(docs["EPUB/content.opf"])
    items = {i.get("href"): i.get("id") for i in opf.iter(f"{OPF}item")}
    spine = {r.get("idref"): r.get("linear") for r in opf.iter(f"{OPF}itemref")}
    assert spine[items[page]] == "no"                # outside the reading order, reached by the links


def test_the_epub_with_image_links_passes_epubcheck(built):
    assert epubcheck_messages(built / "build" / "ebook.epub") == []


def test_web_links_go_to_the_figure_or_to_the_image_file(built):
    web = built / "build" / "web"
    files = {str(p.relative_to(web)): p.read_bytes() for p in web.rglob("*") if p.is_file()}
    assert broken_links(files) == []
    one = _links(files["01-one.html"], web=True)
    assert one["the full map"] == "#fig-one-1"
    assert files[unquote(one["the coast"])] == SVG and files[unquote(one["the coast again"])] == SVG
    assert _links(files["02-two.html"], web=True)["the map"] == "01-one.html#fig-one-1"


def test_pdf_links_go_to_the_figure_and_the_other_image_is_plain_text(built):
    pdf = built / "build" / "print.pdf"
    figure_page = named_destinations(pdf)["fig-one-1"]
    assert "The islands." in pdf_page_texts(pdf, figure_page, figure_page)[0]
    targets, uris = [], []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for annot in page.obj.get("/Annots", ()):
                if "/Dest" in annot:
                    targets.append(str(annot["/Dest"]))
                if "/A" in annot and "/URI" in annot["/A"]:
                    uris.append(str(annot["/A"]["/URI"]))
    assert targets.count("fig-one-1") >= 2 and uris == []      # no link leaves the book (no dead one)
    text = " ".join(" ".join(pdf_page_texts(pdf)).split())
    assert "See the full map, the coast and the coast again." in text


@pytest.mark.parametrize("link, extra, code, col", [
    ("[x](images/nope.png)", {}, "image-missing", 10),
    ("[x](../../outside.png)", {}, "link-local-file", 10),
    ("[x](notes.txt)", {"manuscript/notes.txt": "notes"}, "link-local-file", 10),
    ("[x](fake.jpg)", {"manuscript/fake.jpg": "not an image"}, "image-not-image", 10),
])
def test_a_link_to_a_missing_outside_or_other_file_is_an_error_at_its_place(tmp_path, link, extra, code, col):
    files = dict(MINIMAL)
    files.update(extra)
    files["manuscript/one.md"] = f"---\nid: one\ntitle: One\n---\n\nSome\ntext {link} end.\n"
    root = write_project(tmp_path / "p", files)
    (tmp_path / "outside.png").write_bytes(PNG)
    diags = list(check(root))
    found = [d for d in diags if d.code == code]
    assert len(found) == 1 and found[0].severity == "error", [d.format() for d in diags]
    assert (found[0].path, found[0].line, found[0].col) == ("manuscript/one.md", 7, col)


def test_epub_image_names_carry_no_space_and_stay_distinct():
    assert image_files(["images/a b.png", "images/a_b.png", "c.svg", "d/é.jpg"]) == {
        "images/a b.png": "images/a_b.png", "images/a_b.png": "images/a_b-2.png", "c.svg": "c.svg",
        "d/é.jpg": "d/_.jpg"}
