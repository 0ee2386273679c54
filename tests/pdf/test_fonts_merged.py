"""The merged PDF embeds each font face once (pdf/fonts.py), and small capitals extract as
written (issue 16, items 2 and 3).

The bundled reader is laid out in parts and merged (jobs=2), then once more from the part
cache (no layout: only the merge runs again), and once as one document (``whole=True``)."""
from __future__ import annotations

import re
from collections import defaultdict

import pikepdf
import pytest

from conftest import REPO, copy_project, normalise, pdf_page_texts

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _build(root, **options):
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    from reader_build.resolve import load_reader
    diags = Diagnostics()
    reader = load_reader(root, diags)
    result = build_pdf(reader, reader.config.edition("print"), root, diags, build_date(reader.config.date),
                       **options)
    assert not diags.has_errors, "\n".join(d.format() for d in diags.sorted())
    return reader, result


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    base = tmp_path_factory.mktemp("fonts")
    root = copy_project(REPO, base / "reader")
    reader, merged = _build(root, jobs=2, cache_dir=base / "parts")
    _, again = _build(root, jobs=2, cache_dir=base / "parts")
    _, whole = _build(root, jobs=1, whole=True)
    books = {"reader": reader, "results": {"merged": merged, "again": again, "whole": whole}}
    for name, result in books["results"].items():
        books[name] = base / f"{name}.pdf"
        books[name].write_bytes(result.data)
    return books


def _faces(path) -> dict:
    """Face name (without the subset tag) -> the font files and the font dictionaries that the
    pages (and their form XObjects) use for it."""
    files, fonts = defaultdict(set), defaultdict(set)
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                face = re.sub(r"^[A-Z]{6}\+", "", str(obj.FontName)[1:])
                files[face] |= {obj[key].objgen for key in FONT_FILES if key in obj}
        for page in pdf.pages:
            for font in (page.resources.get("/Font") or {}).values():
                fonts[re.sub(r"^[A-Z]{6}\+", "", str(font.BaseFont)[1:])].add(font.objgen)
    return {face: (files[face], fonts[face]) for face in files}


def test_one_font_object_per_face(books):
    faces = _faces(books["merged"])
    assert {"Reader-Serif", "Reader-Serif-Italic", "Reader-Serif-Bold"} <= set(faces)
    for face, (files, fonts) in faces.items():
        assert len(files) == 1, f"{face}: {len(files)} embedded font files"
        assert len(fonts) <= 1, f"{face}: {len(fonts)} font dictionaries on the pages"
    assert set(faces) == set(_faces(books["whole"]))


def test_merged_is_as_lean_as_one_document(books):
    merged, whole = len(books["merged"].read_bytes()), len(books["whole"].read_bytes())
    assert merged <= 1.15 * whole, f"merged {merged} bytes, one document {whole} bytes"


def test_text_of_every_page_is_kept(books):
    merged, whole = pdf_page_texts(books["merged"]), pdf_page_texts(books["whole"])
    assert len(merged) == len(whole)
    for number, (a, b) in enumerate(zip(merged, whole), 1):
        assert normalise(a).casefold() == normalise(b).casefold(), f"page {number}"


def test_the_merge_is_reproducible(books):
    again, merged = books["results"]["again"], books["results"]["merged"]
    assert again.passes == 0
    assert again.data == merged.data


def test_fonts_are_valid(books):
    with pikepdf.open(books["merged"]) as pdf:
        assert not pdf.check_pdf_syntax()
        for page in pdf.pages:
            for font in (page.resources.get("/Font") or {}).values():
                assert "/ToUnicode" in font


@pytest.mark.parametrize("name", ["merged", "whole"])
def test_running_head_extracts_as_written(books, name):
    """The head of every left page (its first line, after the folio), as pypdfium2 reads it."""
    title = books["reader"].config.title
    texts = pdf_page_texts(books[name])
    heads = [re.sub(r"^\d+\s+", "", text.splitlines()[0].strip()) for text in texts[1::2]
             if text.strip() and re.match(r"\s*\d+\s+\S", text.splitlines()[0])]
    assert len(heads) > 10, "no left page with a running head"
    assert all(head == title for head in heads), heads


@pytest.mark.parametrize("name", ["merged", "whole"])
def test_small_caps_extract_as_written(books, name):
    texts = [normalise(t) for t in pdf_page_texts(books[name])]
    assert any("Date Event" in t for t in texts)          # the chronology's table head
    assert any("attributed to Anatoly A. Koshkin" in t for t in texts[:2])     # the title page


def test_to_unicode_round_trip():
    from reader_build.pdf.fonts import parse_to_unicode, to_unicode_cmap
    mapping = {1: " ", 0x55: "t", 0x95F: "Th", 0x6DD: "\u2019", 0x2F00: "\U0001d400"}
    assert parse_to_unicode(to_unicode_cmap(mapping)) == mapping
    ranges = (b"2 beginbfrange\n<0010> <0012> <0041>\n<0020> <0021> [<0061> <00660069>]\nendbfrange")
    assert parse_to_unicode(ranges) == {0x10: "A", 0x11: "B", 0x12: "C", 0x20: "a", 0x21: "fi"}


def test_to_unicode_entries_with_no_text_keep_the_others_in_step():
    """WeasyPrint maps a mark that its cluster's first glyph speaks for to no text (``<048f> <>``).
    Read as a stream of values, that entry put every later one of its block out of step: the
    merged font mapped glyph 0x610300 to U+0007, and pdftotext warned of invalid entries."""
    from reader_build.pdf.fonts import parse_to_unicode, to_unicode_cmap
    cmap = (b"4 beginbfchar\n<0483> <05b005bc>\n<048f> <>\n<0499> <05d1>\n<00a9> <00650301>\nendbfchar\n"
            b"1 beginbfrange\n<0010> <0012> [<0041> <> <0043>]\nendbfrange")
    mapping = {0x483: "\u05b0\u05bc", 0x48F: "", 0x499: "\u05d1", 0xA9: "e\u0301", 0x10: "A", 0x11: "", 0x12: "C"}
    assert parse_to_unicode(cmap) == mapping
    assert parse_to_unicode(to_unicode_cmap(mapping)) == mapping


def test_combining_marks_extract_as_written_from_the_merged_book(tmp_path):
    """Text with combining marks (decomposed accents, Hebrew points), in two chapters laid out as
    parts and merged with one font per face: every page extracts as written.  The sheva before the
    dagesh (as a Hebrew keyboard types them) is the case that broke it: the font shapes the two
    marks as two glyphs and WeasyPrint maps the second to no text, and the misread map garbled
    every page of the book, not only the Hebrew word."""
    import unicodedata

    from conftest import write_project
    words = ("Cafe\u0301", "voila\u0300", "nai\u0308ve", "\u05d1\u05b0\u05bc\u05e8\u05b5\u05d0\u05e9\u05b4\u05c1\u05d9\u05ea")
    line = "Before the marks: " + " and ".join(words) + ". After them: quick brown foxes jump over lazy dogs."
    chapters = {f"manuscript/{n}-{name}.md": f"---\nid: {name}\ntitle: Chapter {name}\n---\n\n{line}\n"
                for n, name in enumerate(("one", "two"), start=1)}
    root = write_project(tmp_path / "reader", {"reader.toml": 'title = "Marks"\n[editions.print]\nformat = "pdf"\n',
                                               **chapters})
    _reader, result = _build(root, jobs=2)
    pdf = tmp_path / "marks.pdf"
    pdf.write_bytes(result.data)
    texts = [unicodedata.normalize("NFC", normalise(text)) for text in pdf_page_texts(pdf)]
    found = [text for text in texts if "Before the marks" in text]
    assert len(found) == 2
    for text in found:
        for word in ("Café", "voilà", "naïve", "quick brown foxes jump over lazy dogs"):
            assert word in text, text


def _split_face(path, out, change_width: bool = False) -> int:
    """*path* with the font of the page-2 text in a font dictionary of its own on every even
    page (as if each were a part): a face with many font objects.  Returns their number."""
    with pikepdf.open(path) as pdf:
        made = 0
        for page in pdf.pages[1::2]:
            fonts = page.resources.get("/Font")
            if not isinstance(fonts, pikepdf.Dictionary):
                continue
            key = next((k for k in sorted(fonts.keys()) if str(fonts[k].BaseFont).endswith("+Reader-Serif")), None)
            if key is None:
                continue
            font = fonts[key]
            child = pikepdf.Dictionary(dict(font.DescendantFonts[0].items()))
            if change_width and made == 0:
                child.W = pikepdf.Array([child.W[0], pikepdf.Array([int(child.W[1][0]) + 50, *child.W[1][1:]])])
            copy = pikepdf.Dictionary(dict(font.items()))
            copy.DescendantFonts = pikepdf.Array([pdf.make_indirect(child)])
            resources = pikepdf.Dictionary(dict(page.obj.Resources.items()))
            resources.Font = pikepdf.Dictionary(dict(fonts.items()))
            resources.Font[key] = pdf.make_indirect(copy)
            page.obj.Resources = resources
            made += 1
        pdf.save(out)
    return made


@pytest.mark.parametrize("change_width", [False, True])
def test_a_face_is_shared_only_with_its_glyph_ids(books, tmp_path, change_width):
    """Fonts of one face are made one; not when a width shows the glyph ids are not the
    original font's."""
    from reader_build.pdf.fonts import share_fonts
    split = tmp_path / "split.pdf"
    assert _split_face(books["whole"], split, change_width) > 5
    assert len(_faces(split)["Reader-Serif"][1]) > 5
    with pikepdf.open(split) as pdf:
        replaced = share_fonts(pdf, books["reader"].fonts)
        pdf.save(tmp_path / "shared.pdf")
    fonts = _faces(tmp_path / "shared.pdf")["Reader-Serif"][1]
    if change_width:
        assert replaced == 0 and len(fonts) == len(_faces(split)["Reader-Serif"][1])
    else:
        assert replaced > 5 and len(fonts) == 1
    texts = [normalise(t) for t in pdf_page_texts(tmp_path / "shared.pdf")]
    assert texts == [normalise(t) for t in pdf_page_texts(books["whole"])]


def test_a_face_an_svg_carries_is_embedded_once_however_many_chapters_show_it(tmp_path):
    """A map whose labels carry their own face (a WOFF in a data: URL) is shown in three chapters,
    each laid out as a part of its own: the merged book embeds that face once, like its own fonts."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    from conftest import write_project
    face = TTFont(next((REPO / "src" / "reader_build" / "styles" / "fonts").glob("*.otf")))
    for record in face["name"].names:          # a face of its own, not one of the book's
        if record.nameID in (1, 4, 6):
            record.string = {1: "Carried Face", 4: "Carried Face", 6: "CarriedFace-Regular"}[record.nameID]
    face.flavor = "woff"
    woff = io.BytesIO()
    face.save(woff)
    url = "data:font/woff;base64," + base64.b64encode(woff.getvalue()).decode("ascii")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100" viewBox="0 0 400 100">'
           f'<style>@font-face {{ font-family: "Carried Face"; src: url({url}) }} '
           f'text {{ font-family: "Carried Face"; font-size: 24px }}</style>'
           f'<text x="10" y="60">Kunashir and Iturup</text></svg>')
    chapters = {f"manuscript/{n}-{name}.md": (f"---\nid: {name}\ntitle: Chapter {name}\n---\n\nThe map again.\n\n"
                                             f"![The islands.](images/map.svg){{#fig:{name}}}\n\nText after it.\n")
                for n, name in enumerate(("one", "two", "three"), start=1)}
    root = write_project(tmp_path / "reader", {"reader.toml": 'title = "Maps"\n[editions.print]\nformat = "pdf"\n',
                                               **chapters})
    (root / "manuscript" / "images").mkdir(exist_ok=True)
    (root / "manuscript" / "images" / "map.svg").write_text(svg, encoding="utf-8")
    _reader, result = _build(root, jobs=2)
    pdf = tmp_path / "maps.pdf"
    pdf.write_bytes(result.data)
    faces = _faces(pdf)
    texts = pdf_page_texts(pdf)
    assert sum("Kunashir and Iturup" in normalise(text) for text in texts) == 3
    assert "Carried-Face" in faces
    assert all(len(files) == 1 for files, _fonts in faces.values()), faces    # each face once, the carried one too


# --- the subsets kept in the part cache (store/parts.py) -----------------------------------

def test_a_rebuild_from_the_part_cache_cuts_no_subset_and_gives_the_same_pdf(tmp_path, monkeypatch):
    """The shared subsets are kept by original and glyphs: a rebuild whose parts come from the
    cache merges them with the subsets kept (fontTools is not called) into the same bytes; a
    damaged subset record is dropped with a warning and cut again."""
    from reader_build.pdf import fonts
    root = copy_project(REPO, tmp_path / "reader")
    _, first = _build(root, jobs=2, cache_dir=tmp_path / "parts")
    kept = sorted((tmp_path / "parts").glob("font-*.json"))
    assert len(kept) >= 3                    # regular, italic, bold at least
    cut = []
    real = fonts._subset
    monkeypatch.setattr(fonts, "_subset", lambda original, gids: cut.append(len(gids)) or real(original, gids))
    _, again = _build(root, jobs=1, cache_dir=tmp_path / "parts")
    assert cut == [] and again.data == first.data
    kept[0].write_text(kept[0].read_text().replace("A", "B", 1))        # damaged
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    from reader_build.resolve import load_reader
    diags = Diagnostics()
    reader = load_reader(root, diags)
    third = build_pdf(reader, reader.config.edition("print"), root, diags, build_date(reader.config.date),
                      jobs=1, cache_dir=tmp_path / "parts")
    assert third.data == first.data and len(cut) == 1
    assert [d.code for d in diags.items if d.code == "cache-damaged"] == ["cache-damaged"]
