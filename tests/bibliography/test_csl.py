"""CSL styles: choosing them, errors, note styles (citations as footnotes, numbered with
the editorial notes, in the PDF and the EPUB), author-date and numeric styles, links,
and family-first (East Asian) names."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO, copy_project, epub_documents, epubcheck_messages, named_destinations, normalise, \
    pdf_page_texts, write_project
from reader_build.bibliography.csl import html_text
from reader_build.bibliography.csl_cite import Cluster, assign_positions
from reader_build.bibliography.csl_data import to_csl
from reader_build.bibliography.csl_styles import COLLECTION
from reader_build.bibliography.load import parse_files
from reader_build.build import build
from reader_build.diagnostics import Diagnostics
from reader_build.resolve import resolve
from reader_build.source.files import SourceFile
from reader_build.source.project import load_project

BIB = """
@book{hasegawa,
  author    = {Hasegawa, Tsuyoshi},
  title     = {The Northern Territories Dispute and Russo-Japanese Relations},
  publisher = {University of California Press},
  location  = {Berkeley},
  date      = {1998},
  doi       = {10.1000/xyz123},
}
@article{stephan,
  author       = {Stephan, John J.},
  title        = {The Kuril Islands},
  journaltitle = {The Russian Review},
  volume       = {34},
  number       = {2},
  pages        = {201-203},
  date         = {1975},
}
@book{sato,
  author    = {Satō, Masaru and Smith, John},
  author+an = {1=family-first},
  title     = {Kokka no wana},
  publisher = {Shinchōsha},
  location  = {Tokyo},
  date      = {2005},
}
@book{takahira,
  author    = {Takahira, Kogorō},
  options   = {nameorder=family-first},
  title     = {Letters},
  publisher = {Gaimushō},
  date      = {1905},
}
@book{nodate,
  author    = {Nobody, Ann},
  title     = {Undated},
}
"""

CHAPTER = """
---
id: one
title: One
---

Hasegawa argues this [@hasegawa, p. 12]. He says it again [@hasegawa, p. 12], and on
another page [@hasegawa, pp. 14-16]. An editorial note.[^a] Then [@stephan, 203].

A second paragraph [@sato, chap. 2; @takahira].[^b]

[^a]: The editor compares @stephan [201] and @hasegawa. The evidence is slight [@stephan, 202].

[^b]: A note without a citation.
"""


def project(tmp_path: Path, style: str, chapter: str = CHAPTER, extra: dict | None = None) -> Path:
    files = {
        "reader.toml": f'title = "Notes"\n[bibliography]\nstyle = "{style}"\n'
                       '[editions.print]\nformat = "pdf"\n[editions.ebook]\nformat = "epub"\n',
        "manuscript/one.md": chapter,
        "bibliography/refs.bib": BIB,
    }
    files.update(extra or {})
    return write_project(tmp_path / style.replace("/", "-"), files)


def resolved(root: Path):
    diags = Diagnostics()
    sources = load_project(root, diags)
    return resolve(sources, diags), diags


# --- a note style in the PDF and the EPUB ------------------------------------------------

@pytest.fixture(scope="module")
def notes_built(tmp_path_factory) -> dict:
    root = project(tmp_path_factory.mktemp("notes"), "chicago-notes-bibliography")
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    return {"root": root, "pdf": root / "build" / "print.pdf", "epub": root / "build" / "ebook.epub"}


EXPECTED_NOTES = [
    "Tsuyoshi Hasegawa, The Northern Territories Dispute and Russo-Japanese Relations "
    "(University of California Press, 1998), 12, https://doi.org/10.1000/xyz123.",
    "Hasegawa, The Northern Territories Dispute and Russo-Japanese Relations, 12.",
    "Hasegawa, The Northern Territories Dispute and Russo-Japanese Relations, 14–16.",
    "The editor compares John J. Stephan, \"The Kuril Islands,\" The Russian Review 34, no. 2 (1975): 201 "
    "and Hasegawa, The Northern Territories Dispute and Russo-Japanese Relations. The evidence is slight "
    "(Stephan, \"The Kuril Islands,\" 202).",            # [@key] in a note: in parentheses, as pandoc
    "Stephan, \"The Kuril Islands,\" 203.",
    "Satō Masaru and John Smith, Kokka No Wana (Shinchōsha, 2005), chap. 2; Takahira Kogorō, Letters "
    "(Gaimushō, 1905).",
    "A note without a citation.",
]


def test_note_style_numbers_citations_with_editorial_notes_in_the_pdf(notes_built):
    text = normalise(" ".join(pdf_page_texts(notes_built["pdf"])))
    body = text[text.find("One Hasegawa"):text.rfind("Bibliography")]
    # The calls: after the punctuation, one sequence for citations and editorial notes.
    assert re.search(r"argues this\.\s*1 He says it again,\s*2 and on another page\.\s*3 "
                     r"An editorial note\.\s*4 Then\.?\s*5", body), body[:600]
    body = body.replace("Rela- tions", "Relations")
    for n, note in enumerate(EXPECTED_NOTES, 1):
        assert normalise(f"{n} {note}") in body


def _epub_notes(epub: Path) -> tuple[list[str], dict[str, str]]:
    docs = epub_documents(epub)
    name = next(n for n in docs if n.endswith("one.xhtml"))
    tree = etree.fromstring(docs[name])
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    calls = [a.text for a in tree.iterfind(".//x:a[@role='doc-noteref']", ns)]
    notes = {}
    for aside in tree.iterfind(".//x:aside", ns):
        notes[aside.get("id")] = " ".join("".join(aside.itertext()).split())
    return calls, notes


def test_note_style_in_the_epub_pop_up_notes(notes_built):
    calls, notes = _epub_notes(notes_built["epub"])
    assert calls == [str(n) for n in range(1, 8)]
    for n, note in enumerate(EXPECTED_NOTES, 1):
        shown = notes[f"fn-{n}"].replace("“", '"').replace("”", '"')
        assert shown == f"{n}. {note}", shown
    assert epubcheck_messages(notes_built["epub"]) == []


def test_citations_link_to_their_entries(notes_built):
    docs = epub_documents(notes_built["epub"])
    chapter = next(v for n, v in docs.items() if n.endswith("one.xhtml")).decode()
    bibliography = next(v for n, v in docs.items() if n.endswith("bibliography.xhtml")).decode()
    targets = set(re.findall(r'class="cite" href="bibliography\.xhtml#([^"]+)"', chapter))
    assert targets == {"ref-hasegawa", "ref-stephan", "ref-sato", "ref-takahira"}
    for target in targets:
        assert f'id="{target}"' in bibliography
    assert 'href="https://doi.org/10.1000/xyz123"' in bibliography


def test_note_style_bibliography_in_the_styles_form(notes_built):
    text = normalise(" ".join(pdf_page_texts(notes_built["pdf"])))
    listed = text[text.rfind("Bibliography"):]
    assert "Hasegawa, Tsuyoshi. The Northern Territories Dispute" in listed
    assert "Satō Masaru, and John Smith. Kokka No Wana." in listed
    assert "Takahira Kogorō. Letters." in listed
    assert listed.index("Hasegawa") < listed.index("Satō") < listed.index("Stephan") < listed.index("Takahira")


# --- in-text styles ---------------------------------------------------------------------

def test_author_date_csl_style_with_disambiguation(tmp_path):
    extra = {"bibliography/more.bib": """
        @book{hasegawa-b, author = {Hasegawa, Tsuyoshi}, title = {Racing the Enemy},
              publisher = {Belknap}, date = {1998}}
        """}
    chapter = CHAPTER.replace("An editorial note.", "Also [@hasegawa-b]. An editorial note.")
    reader, diags = resolved(project(tmp_path, "chicago-author-date", chapter, extra))
    assert not reader.bibliography.note_style
    bib = reader.bibliography
    chapter = reader.chapters[0]
    texts = [html_text(bib.cite_html(u.citation, lambda k: "#" + k, (chapter.id, n)))
             for n, u in enumerate(chapter.parsed.citations)]
    assert {texts[0], texts[3]} in ({"(Hasegawa 1998a, 12)", "(Hasegawa 1998b)"},
                                     {"(Hasegawa 1998b, 12)", "(Hasegawa 1998a)"}), texts
    assert chapter.citation_notes == {}
    entries = [html_text(h) for _, h in bib.entries_html(None)]
    assert any(e.startswith("Hasegawa, Tsuyoshi. 1998a.") for e in entries), entries
    assert any(e.startswith("Hasegawa, Tsuyoshi. 1998b.") for e in entries), entries


def test_subsequent_author_substitute_where_the_style_says(tmp_path):
    extra = {"bibliography/more.bib": """
        @book{hasegawa-b, author = {Hasegawa, Tsuyoshi}, title = {Racing the Enemy},
              publisher = {Belknap}, date = {2005}}
        """}
    chapter = CHAPTER.replace("An editorial note.", "Also [@hasegawa-b]. An editorial note.")
    reader, _ = resolved(project(tmp_path, "mhra-notes", chapter, extra))
    entries = [html_text(h) for _, h in reader.bibliography.entries_html(None)]
    first = next(n for n, e in enumerate(entries) if e.startswith("Hasegawa, Tsuyoshi"))
    assert entries[first + 1].startswith("——, The Northern"), entries      # MHRA: a 2-em dash


def test_numeric_csl_style_numbers_in_citation_order(tmp_path):
    reader, _ = resolved(project(tmp_path, "ieee"))
    bib, chapter = reader.bibliography, reader.chapters[0]
    first = html_text(bib.cite_html(chapter.parsed.citations[0].citation, lambda k: "#", (chapter.id, 0)))
    assert first == "[1, p. 12]"
    entries = bib.entries_html(None)
    assert [k for k, _ in entries][:2] == ["hasegawa", "stephan"]
    assert entries[0][1].startswith('<span class="bib-label">[1]</span>')


# --- errors -------------------------------------------------------------------------------

def test_unknown_style_is_an_error_at_its_place_with_the_nearest_ids(tmp_path):
    root = project(tmp_path, "chicago-notez-bibliography")
    reader, diags = resolved(root)
    found = [d for d in diags if d.code == "bib-style-unknown"]
    assert len(found) == 1
    line = found[0].format()
    assert line.startswith("reader.toml:3:9: error [bib-style-unknown]"), line
    assert "'chicago-notes-bibliography'" in line


def test_a_malformed_csl_file_is_an_error_at_its_line(tmp_path):
    broken = ('<?xml version="1.0" encoding="utf-8"?>\n'
              '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">\n'
              '  <info><title>Mine</title></info>\n'
              '  <citation><layout><text variable="title"></layout></citation>\n</style>\n')
    root = project(tmp_path, "mine", extra={"styles/mine.csl": broken})
    reader, diags = resolved(root)
    found = [d for d in diags if d.code == "bib-style-invalid"]
    assert found and found[0].path == "styles/mine.csl" and found[0].line == 4, [d.format() for d in diags]
    assert diags.has_errors


def test_a_project_csl_file_is_used(tmp_path):
    style = (COLLECTION / "apa.csl").read_text(encoding="utf-8")
    root = project(tmp_path, "house", extra={"styles/house.csl": style})
    reader, diags = resolved(root)
    assert not diags.has_errors, [d.format() for d in diags]
    chapter = reader.chapters[0]
    text = html_text(reader.bibliography.cite_html(chapter.parsed.citations[0].citation, lambda k: "#",
                                                   (chapter.id, 0)))
    assert text == "(Hasegawa, 1998, p. 12)"


def test_an_entry_lacking_what_the_style_needs_is_a_warning_and_still_listed(tmp_path):
    chapter = CHAPTER.replace("Then [@stephan, 203].", "Then [@stephan, 203] [@nodate].")
    reader, diags = resolved(project(tmp_path, "chicago-notes-bibliography", chapter))
    found = [d for d in diags if d.code == "bib-incomplete"]
    assert any("'nodate'" in d.message and "'date' or 'year'" in d.message for d in found)
    assert not diags.has_errors
    entries = dict(reader.bibliography.entries_html(None))
    assert "Undated" in html_text(entries["nodate"])


def test_locale_follows_the_language_or_the_setting(tmp_path):
    root = project(tmp_path, "chicago-notes-bibliography")
    toml = (root / "reader.toml").read_text().replace('title = "Notes"', 'title = "Notes"\nlanguage = "de"')
    (root / "reader.toml").write_text(toml)
    reader, _ = resolved(root)
    chapter = reader.chapters[0]
    cite = html_text(reader.bibliography.note_html((chapter.id, 2), lambda k: "#"))
    assert cite.endswith("14–16.")
    chapter_text = CHAPTER.replace("[@hasegawa, pp. 14-16]", "[@stephan, chap. 3]")
    (root / "manuscript/one.md").write_text(chapter_text.lstrip())
    reader, _ = resolved(root)
    assert "Kap. 3" in html_text(reader.bibliography.note_html((chapter.id, 2), lambda k: "#"))
    (root / "reader.toml").write_text(toml.replace('style = ', 'locale = "fr-FR"\nstyle = '))
    reader, _ = resolved(root)
    assert "chap. 3" in html_text(reader.bibliography.note_html((chapter.id, 2), lambda k: "#"))


# --- BibTeX's "and others" ---------------------------------------------------------------

OTHERS_BIB = """
@book{two, author = {Ito, Ken and Sato, Jun and others}, title = {Two and More}, publisher = {P}, date = {2001}}
@book{one, author = {Abe, Jun and others}, title = {One and More}, publisher = {P}, date = {2002}}
@book{many, author = {A, Aa and B, Bb and C, Cc and D, Dd and E, Ee and F, Ff and G, Gg and H, Hh
  and I, Ii and J, Jj and K, Kk and L, Ll and M, Mm and N, Nn and O, Oo and P, Pp and Q, Qq and R, Rr
  and S, Ss and T, Tt and U, Uu and V, Vv and others}, title = {Many}, publisher = {P}, date = {2003}}
@book{ed, editor = {Eda, Ken and others}, title = {Edited}, publisher = {P}, date = {2004}}
@book{plain, author = {Ito, Ken and Sato, Jun}, title = {Plain}, publisher = {P}, date = {2005}}
"""


def _others(tmp_path: Path, style: str) -> tuple[str, dict[str, str]]:
    chapter = "---\nid: one\ntitle: One\n---\n\nText [@two; @one; @many; @ed; @plain].\n"
    reader, diags = resolved(project(tmp_path, style, chapter, {"bibliography/refs.bib": OTHERS_BIB}))
    assert not diags.has_errors, [d.format() for d in diags]
    bib, chapter = reader.bibliography, reader.chapters[0]
    cite = bib.note_html((chapter.id, 0), lambda k: "#") if bib.note_style else \
        bib.cite_html(chapter.parsed.citations[0].citation, lambda k: "#", (chapter.id, 0))
    return html_text(cite), {k: html_text(h) for k, h in bib.entries_html(None)}


def test_and_others_is_written_as_pandoc_writes_it_in_csl_json():
    source = SourceFile("o.bib", OTHERS_BIB)
    data, _ = parse_files([source], Diagnostics())
    items = {key: to_csl(key, entry) for key, entry in data.entries.items()}
    assert items["two"]["author"] == [{"family": "Ito", "given": "Ken"}, {"family": "Sato", "given": "Jun"},
                                      {"literal": "others"}]
    assert items["plain"]["author"][-1] == {"family": "Sato", "given": "Jun"}


@pytest.mark.parametrize("style, cite, entries", [
    ("chicago-author-date", "(Ito et al. 2001; Abe et al. 2002; A et al. 2003; Eda et al. 2004; Ito and Sato 2005)",
     {"two": "Ito, Ken, Jun Sato, et al. 2001.", "one": "Abe, Jun et al. 2002.", "ed": "Eda, Ken et al., eds. 2004.",
      "plain": "Ito, Ken, and Jun Sato. 2005."}),
    # APA shows the last author after an ellipsis; "and others" has none to show: a plain et al.
    ("apa", "(A et al., 2003; Abe et al., 2002; Eda et al., 2004; Ito et al., 2001; Ito & Sato, 2005)",
     {"two": "Ito, K., Sato, J., et al. (2001).", "ed": "Eda, K. et al. (Eds.). (2004).",
      "plain": "Ito, K., & Sato, J. (2005)."}),
    ("ieee", "[1], [2], [3], [4], [5]",
     {"two": "[1] K. Ito, J. Sato, et al., Two and More.", "one": "[2] J. Abe et al., One and More."}),
    ("chicago-notes-bibliography", "Ken Ito et al., Two and More (P, 2001); Jun Abe et al., One and More",
     {"two": "Ito, Ken, Jun Sato, et al. Two and More.", "many": "A, Aa, Bb B, Cc C, et al. Many."}),
    ("author-date", "(Ito et al. 2001; Abe et al. 2002; A et al. 2003; Eda et al. 2004; Ito and Sato 2005)",
     {"two": "Ito, Ken, Jun Sato, et al. 2001.", "ed": "Eda, Ken, et al., eds. 2004."}),
])
def test_and_others_prints_et_al_in_every_style(tmp_path, style, cite, entries):
    """BibTeX's "and others" is printed as BibTeX and biblatex print it, "et al.", after the
    names given, in CSL styles (citeproc-js has no such name) as in the built-in ones."""
    text, built = _others(tmp_path, style)
    assert text.startswith(cite), text
    for key, start in entries.items():
        assert built[key].startswith(start), built[key]
    for key, entry in built.items():
        assert "others" not in entry and "…" not in entry and entry.count("et al.") <= 1, entry
    assert "Vv" not in built["many"]     # 22 names and others: the style's own cut, one et al.


# --- family-first names -------------------------------------------------------------------

def test_family_first_names_in_the_author_date_style(tmp_path):
    reader, _ = resolved(project(tmp_path, "author-date"))
    entries = dict(reader.bibliography.entries_html(None))
    assert html_text(entries["sato"]).startswith("Satō Masaru and John Smith. 2005.")
    assert html_text(entries["takahira"]).startswith("Takahira Kogorō. 1905.")
    chapter = reader.chapters[0]
    citation = next(u.citation for u in chapter.parsed.citations if "sato" in u.citation.keys)
    assert html_text(reader.bibliography.cite_html(citation, lambda k: "#")).startswith("(Satō and Smith 2005")


def test_family_first_names_in_the_bundled_readers_bibliography(tmp_path):
    """The bundled reader marks its Japanese, Chinese and Korean names family-first; in every
    style they print family name first, and the Western names of the same entries do not."""
    root = copy_project(REPO, tmp_path / "reader")
    for style in ("author-date", "chicago-notes-bibliography"):
        toml = (REPO / "reader.toml").read_text().replace('style = "author-date"', f'style = "{style}"')
        (root / "reader.toml").write_text(toml)
        reader, diags = resolved(root)
        assert not diags.has_errors
        entries = dict(reader.bibliography.entries_html(None))
        for key, name in (("hara-1998", "Hara Kimie"), ("hasegawa-1998", "Hasegawa Tsuyoshi"),
                          ("matsumoto-2012", "Matsumoto Shun")):
            assert html_text(entries[key]).startswith(name), (style, entries[key])
        portsmouth = html_text(entries["portsmouth-1905"])
        assert portsmouth.startswith("Komura Jutar") and "Takahira Kogor" in portsmouth, (style, portsmouth)
        assert "Takahira, Kogor" not in portsmouth and "Kogorō Takahira" not in portsmouth


def test_the_bundled_readers_print_edition_in_chicago_notes(tmp_path):
    """The bundled reader, built in a note style: every note on its call's page, the citations
    inside its notes set inline, in parentheses or, written @key, without them."""
    root = copy_project(REPO, tmp_path / "reader")
    toml = (REPO / "reader.toml").read_text().replace('style = "author-date"', 'style = "chicago-notes-bibliography"')
    (root / "reader.toml").write_text(toml)
    result = build(root, ["print"])
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    assert not [d for d in result.diagnostics if d.code in ("note-misplaced", "cite-unknown")]
    pdf = root / "build" / "print.pdf"
    destinations = named_destinations(pdf)
    calls = {k[len("fnref-"):]: v for k, v in destinations.items() if k.startswith("fnref-")}
    assert len(calls) >= 100
    assert {n: (p, destinations.get(f"fn-{n}")) for n, p in calls.items() if destinations.get(f"fn-{n}") != p} == {}
    text = normalise(" ".join(pdf_page_texts(pdf)))
    # [@koshkin-…; @koshkin-…] in a note: in parentheses, the books in Chicago's full form
    assert re.search(r"cover the same ground \(Koshkin, Японский фронт маршала Сталина", text), text[:3000]
    # @hasegawa-1998 in a note: the name in the sentence, family name first, no parentheses
    assert "On the whole dispute see Hasegawa Tsuyoshi, The Northern Territories Dispute" in text
    assert not re.search(r"\(Koshkin,? \d{4}", text)           # no author-date citation left


# --- the data and the positions, without a processor ------------------------------------

def _types() -> dict:
    source = SourceFile("types.bib", (REPO / "tests/data/bib/types.bib").read_text(encoding="utf-8"))
    data, _ = parse_files([source], Diagnostics())
    return {key: to_csl(key, entry) for key, entry in data.entries.items()}


def test_csl_items_of_every_entry_type():
    items = _types()
    assert items["book"]["type"] == "book" and items["book"]["DOI"] == "10.1000/xyz123"
    assert items["book"]["translator"] == [{"family": "Brown", "given": "Bob"}, {"family": "Green", "given": "Carol"}]
    assert items["book"]["number-of-volumes"] == "2" and items["book"]["collection-number"] == "97"
    assert items["article"]["type"] == "article-journal" and items["article"]["page"] == "201–203"
    assert items["article"]["issued"] == {"date-parts": [[1975, 4]]}
    assert items["article"]["accessed"] == {"date-parts": [[2024, 1, 15]]}
    assert items["mvbook"]["issued"] == {"date-parts": [[1980], [1988]]}
    assert items["mvbook"]["title"] == "Sämtliche Werke: Kritische Studienausgabe"
    assert items["inbook"]["type"] == "chapter" and items["inbook"]["chapter-number"] == "2"
    assert items["inbook"]["container-author"] == [{"family": "Kant", "given": "Immanuel"}]
    assert items["volume"]["container-title"].startswith("Sämtliche Werke")       # crossref to an @mvbook
    assert items["misc"]["author"] == [{"literal": "United States Department of State"}]
    for kind, csl in (("thesis", "thesis"), ("report", "report"), ("online", "webpage"),
                      ("misc", "document"), ("unpublished", "manuscript"), ("inproceedings", "paper-conference")):
        assert items[kind]["type"] == csl, kind


def test_positions_follow_citeproc_js_rules():
    clusters = [Cluster([{"id": "a", "locator": "12", "label": "page"}], 1),
                Cluster([{"id": "a", "locator": "12", "label": "page"}], 2),        # ibid.
                Cluster([{"id": "a", "locator": "14", "label": "page"}], 3),        # ibid. with locator
                Cluster([{"id": "b"}], 4),
                Cluster([{"id": "a"}], 5),                                          # subsequent
                Cluster([{"id": "a"}], 12)]                                         # not near
    assign_positions(clusters, 5)
    positions = [c.items[0]["position"] for c in clusters]
    assert positions == [0, 2, 3, 0, 1, 1]
    assert clusters[4].items[0]["near-note"] is True and "near-note" not in clusters[5].items[0]
    assert clusters[4].items[0]["first-reference-note-number"] == 1


def test_positions_count_the_cites_of_the_note_before_not_its_citations():
    # citeproc-js: "ibid." only after a note that holds this one cite
    clusters = [Cluster([{"id": "a"}, {"id": "b"}], 1), Cluster([{"id": "a"}], 2),
                Cluster([{"id": "a"}], 3)]
    assign_positions(clusters, 5)
    assert [c.items[0]["position"] for c in clusters] == [0, 1, 2]


def test_positions_of_the_running_text_and_of_notes_are_two_histories():
    # a citation in the text of an in-text style and one in an editorial note: citeproc-js
    # follows each sequence on its own, so each has its own first citation
    clusters = [Cluster([{"id": "a"}], 0), Cluster([{"id": "a"}], 1), Cluster([{"id": "a"}], 0),
                Cluster([{"id": "a"}], 2)]
    assign_positions(clusters, 5)
    assert [c.items[0]["position"] for c in clusters] == [0, 0, 2, 2]


def test_positions_start_again_where_note_numbers_start_again():
    clusters = [Cluster([{"id": "a"}], 1), Cluster([{"id": "a"}], 2), Cluster([{"id": "a"}], 1)]
    assign_positions(clusters, 5)
    assert [c.items[0]["position"] for c in clusters] == [0, 2, 0]


SET_BIB = BIB + """
@set{pair, entryset = {stephan,hasegawa}}
"""


@pytest.mark.parametrize("style", ["chicago-notes-bibliography", "apa"])
def test_a_biblatex_set_cites_and_lists_its_members(tmp_path, style):
    chapter = CHAPTER.replace("Then [@stephan, 203].", "Then [see @pair, 203].")
    files = {"bibliography/refs.bib": SET_BIB}
    reader, diags = resolved(project(tmp_path, style, chapter, files))
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    bib, chapter = reader.bibliography, reader.chapters[0]
    n = next(n for n, u in enumerate(chapter.parsed.citations) if u.citation.keys == ["pair"])
    use = chapter.parsed.citations[n]
    where = (chapter.id, n)
    text = html_text(bib.note_html(where, lambda k: "#" + k) if bib.note_style
                     else bib.cite_html(use.citation, lambda k: "#" + k, where))
    assert "?" not in text and "Stephan" in text and "Hasegawa" in text, text
    if style == "apa":          # APA sorts the cites: the prefix stays with the first member
        assert text == "(Hasegawa, 1998, p. 203; see Stephan, 1975)", text
    else:
        assert text.index("Stephan") < text.index("Hasegawa") < text.index("203"), text
        assert text.startswith("See Stephan" if bib.note_style else "see Stephan"), text   # a note: a capital
    listed = [k for k, _ in bib.entries_html(None)]
    assert "stephan" in listed and "hasegawa" in listed and "pair" not in listed
    assert [k for k, _ in bib.entries_html(["pair"])] == [k for k in listed if k in ("stephan", "hasegawa")]


def test_a_set_with_every_entry_listed(tmp_path):
    toml = ('title = "Notes"\n[bibliography]\nstyle = "chicago-notes-bibliography"\nall = true\n'
            '[editions.print]\nformat = "pdf"\n')
    reader, diags = resolved(project(tmp_path, "chicago-notes-bibliography", CHAPTER,
                                     {"bibliography/refs.bib": SET_BIB, "reader.toml": toml}))
    listed = [k for k, _ in reader.bibliography.entries_html(None)]
    assert {"hasegawa", "stephan", "nodate"} <= set(listed) and "pair" not in listed


def test_a_handout_in_a_note_style_keeps_the_notes_numbers(tmp_path, capsys, monkeypatch):
    from reader_build.cli import main
    chapter = CHAPTER + """
## Later {#later}

The editor returns to the Kurils [@stephan, 202] and to both works [@pair].
"""
    root = project(tmp_path, "chicago-notes-bibliography", chapter, {"bibliography/refs.bib": SET_BIB})
    result = build(root, ["print"])
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    monkeypatch.chdir(root)
    status = main(["handout", ".", "--section", "later"])
    out, err = capsys.readouterr()
    assert status == 0 and "Traceback" not in out + err, err
    text = normalise(" ".join(pdf_page_texts(root / "build" / "handout-later.pdf")))
    # notes 8 and 9 of the reader (seven notes come before), in their short forms
    assert '8 Stephan, "The Kuril Islands," 202.' in text, text
    assert '9 Stephan, "The Kuril Islands"; Hasegawa, The Northern Territories Dispute' in text, text
    works = text[text.index("Works cited"):]
    assert "Stephan, John J." in works and "Hasegawa, Tsuyoshi" in works and "pair" not in works, works


EXIT_SCRIPT = """
import sys
from reader_build.bibliography.csl import load_csl
from reader_build.bibliography.csl_styles import COLLECTION, CslStyle
from reader_build.bibliography.load import parse_files
from reader_build.bibliography.references import BibSettings
from reader_build.diagnostics import Diagnostics
from reader_build.source.files import SourceFile
diags = Diagnostics()
data, places = parse_files([SourceFile("refs.bib", sys.stdin.read())], diags)
style = CslStyle("apa", (COLLECTION / "apa.csl").read_text(encoding="utf-8"), "")
BIB = load_csl(data, places, BibSettings("apa"), style, "en-US", diags)   # kept to the end
BIB.register([])
print(len(BIB.entries_html(None)))
"""


def test_a_process_holding_an_engine_exits():
    # freeing a V8 context from MiniRacer.__del__ in the interpreter's teardown could wait
    # forever for mini-racer's event-loop thread: engines are closed before (atexit)
    import subprocess
    import sys
    env = dict(__import__("os").environ, PYTHONPATH=str(REPO / "src"))
    for _ in range(3):
        run = subprocess.run([sys.executable, "-c", EXIT_SCRIPT], input=BIB, capture_output=True,
                             text=True, timeout=300, env=env)
        assert run.returncode == 0, run.stderr[-2000:]
        assert run.stdout.strip() == "0"


def _formatted(bib_text: str, style: str, texts: list[str]):
    from reader_build.bibliography.csl import load_csl
    from reader_build.bibliography.csl_styles import CslStyle
    from reader_build.bibliography.references import BibSettings
    from reader_build.model import CiteUse
    from reader_build.source.citations import parse_citation
    diags = Diagnostics()
    data, places = parse_files([SourceFile("refs.bib", bib_text)], diags)
    bib = load_csl(data, places, BibSettings(style), CslStyle(style, (COLLECTION / f"{style}.csl").read_text(
        encoding="utf-8"), ""), "en-US", diags)
    notes = bib.note_style
    uses = [CiteUse(("c", n), parse_citation(t), (n + 1) * notes, notes, n) for n, t in enumerate(texts)]
    bib.register_uses(uses)
    notes = [bib.note_html(u.where, str) if bib.note_style else bib.cite_html(u.citation, str, u.where)
             for u in uses]
    return bib, notes, bib.entries_html(None)


@pytest.mark.parametrize("style", ["chicago-notes-bibliography", "apa"])
def test_a_compiled_engine_serves_the_next_bibliography_as_a_new_one_would(style):
    # reader-build watch: the engine of a bibliography no longer in use is used again
    import gc
    from reader_build.bibliography import csl_engine
    first, _, _ = _formatted(BIB, style, ["[@hasegawa, p. 12]", "[@stephan]", "[@hasegawa]"])
    engine = first._engine
    del first
    gc.collect()
    changed = BIB.replace("The Kuril Islands", "The Kurile Islands") + """
@book{hasegawa-b, author = {Hasegawa, Tsuyoshi}, title = {Racing the Enemy}, publisher = {Belknap}, date = {1998}}
"""
    texts = ["[@stephan, 201]", "[@hasegawa-b; @hasegawa, 3]", "[@stephan, 201]", "[@sato]"]
    again, notes, entries = _formatted(changed, style, texts)
    assert again._engine is engine                       # not compiled again
    csl_engine._IDLE.clear()
    fresh, fresh_notes, fresh_entries = _formatted(changed, style, texts)
    assert fresh._engine is not engine
    assert notes == fresh_notes and entries == fresh_entries
    listed = " ".join(h for _, h in entries)
    assert "Kurile Islands" in listed and "Kuril Islands" not in listed
    assert ("1998a" in listed) == (style == "apa")          # disambiguated afresh


ORDER_BIB = """
@book{b2, author = {Brown, Anne}, title = {Zones of Peace}, publisher = {Sharpe}, date = {1990}}
@book{a1, author = {Adams, Ken}, title = {Treaties}, publisher = {Sharpe}, date = {1980}}
@book{b1, author = {Brown, Anne}, title = {Borders}, publisher = {Sharpe}, date = {1995}}
@book{b3, author = {Brown, Anne}, title = {Islands}, publisher = {Belknap}, date = {2001}}
@book{b4, author = {Brown, Anne}, title = {Islands}, publisher = {Belknap}, date = {1999}}
@book{c1, author = {Cole, Emi}, title = {Alliances}, publisher = {Sharpe}, date = {1970}}
"""


@pytest.mark.parametrize("style,expected", [
    ("chicago-notes-bibliography", ["Borders 1995", "Islands 1999", "Islands 2001", "Zones 1990"]),
    ("chicago-author-date", ["Zones 1990", "Borders 1995", "Islands 1999", "Islands 2001"])])
def test_bibliography_order_when_authors_tie(style, expected):
    # the first sort key (the author) decides between most entries; the keys after it
    # (title, publisher, date in the notes style; date in the author-date style) order
    # the works of one author
    _, _, entries = _formatted(ORDER_BIB, style, ["[@c1; @b2; @a1; @b4; @b1; @b3]"])
    assert entries[0][0] == "a1" and entries[-1][0] == "c1", entries
    browns = [html_text(h) for key, h in entries if key.startswith("b")]
    found = [f"{t} {y}" for text in browns for t in ("Zones", "Borders", "Islands") if t in text
             for y in ("1990", "1995", "1999", "2001") if y in text]
    assert found == expected, browns
