"""The bundled reader's metadata say what its title page says: the article is attributed to its
author, not certainly his."""
from __future__ import annotations

import re

import pypdf

from conftest import epub_documents


def test_the_pdf_metadata_say_attributed_to(bundled):
    info = pypdf.PdfReader(bundled["pdf"]).metadata
    assert info.author == "attributed to Anatoly A. Koshkin"


def test_the_epub_creator_is_an_attributed_name(bundled):
    opf = next(data for name, data in epub_documents(bundled["epub"]).items() if name.endswith(".opf")).decode()
    creator = re.search(r'<dc:creator id="([^"]+)">Anatoly A. Koshkin</dc:creator>', opf)
    assert creator
    assert re.search(rf'<meta[^>]*refines="#{creator.group(1)}"[^>]*>att</meta>', opf)
