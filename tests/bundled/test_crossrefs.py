"""The bundled reader's notes point to other notes and to the map with cross-references
(@note:, @fig:, @page:), and the numbers printed are those of the targets in the PDF."""
from __future__ import annotations

import re

from conftest import named_destinations, normalise, pdf_page_texts


def test_note_references_print_the_number_of_the_note(bundled):
    texts = [normalise(t) for t in pdf_page_texts(bundled["pdf"])]
    dests = named_destinations(bundled["pdf"])
    found = [(page, int(m.group(1))) for page, text in enumerate(texts, start=1)
             for m in re.finditer(r"cited in n\. (\d+)", text)]
    assert found, "no 'cited in n. N' in the print edition"
    for _page, number in found:
        note_page = dests[f"fn-{number}"]
        assert re.search(rf"\b{number} Funabashi Yōichi", texts[note_page - 1]), (number, note_page)
    introduction = [int(m.group(1)) for text in texts for m in re.finditer(r"see n\. (\d+)\.", text)]
    assert introduction and all(
        re.search(rf"\b{n} Japan's reply is a memorandum", texts[dests[f'fn-{n}'] - 1]) for n in introduction)


def test_map_references_print_the_figure_number(bundled):
    texts = [normalise(t) for t in pdf_page_texts(bundled["pdf"])]
    assert any("Figure 1. The islands in dispute" in text for text in texts)
    references = [m for text in texts for m in re.finditer(r"the map,? \(?fig\. 1\b", text, re.I)]
    assert len(references) >= 3


def test_the_ebook_links_the_references_and_labels_them_with_print_pages(bundled):
    from conftest import epub_documents
    docs = {name.rsplit("/", 1)[-1]: data.decode("utf-8", "replace")
            for name, data in epub_documents(bundled["epub"]).items() if name.endswith(".xhtml")}
    ids = {name: set(re.findall(r'\sid="([^"]+)"', text)) for name, text in docs.items()}
    checked = 0
    for name, text in docs.items():
        for href, label in re.findall(r'<a [^>]*href="([^"]*#fig[^"]*)"[^>]*>([^<]*)</a>', text):
            document, _, target = href.partition("#")
            assert target in ids[document or name], href
            checked += 1
    assert checked >= 3
