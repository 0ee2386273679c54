"""The parallel build (reader_build.pdf.parallel): chapters laid out as separate documents in
worker processes and merged must give the book of the one-document build, page for page.

One copy of the bundled reader; its print edition (PDF/UA-1, mirrored margins) is built
once as one document (``whole=True``) and once in parts (jobs=2, with a part
cache), then rebuilt from the cache unchanged and after editing one chapter.
"""
from __future__ import annotations

import shutil

import pikepdf
import pypdf
import pytest

from conftest import MINIMAL, REPO, copy_project, named_destinations, normalise, pdf_page_texts, write_project
from conftest import structure_elements
from test_pdf import _note_texts

EDITED = "opening"


def _parallel(root, cache, jobs=2):
    from reader_build.config import build_date
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    diags = Diagnostics()
    reader = load_reader(root, diags)
    result = build_pdf(reader, reader.config.edition("print"), root, diags,
                                build_date(reader.config.date), jobs=jobs, cache_dir=cache)
    assert not diags.has_errors, "\n".join(d.format() for d in diags.sorted())
    return result


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    from reader_build.config import build_date
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    base = tmp_path_factory.mktemp("parallel")
    root = copy_project(REPO, base / "reader")
    diags = Diagnostics()
    reader = load_reader(root, diags)
    single = build_pdf(reader, reader.config.edition("print"), root, diags, build_date(reader.config.date),
                       jobs=1, whole=True)
    (base / "single.pdf").write_bytes(single.data)
    single_starts = single.page_starts
    cache = base / "parts"
    first = _parallel(root, cache)
    (base / "parallel.pdf").write_bytes(first.data)
    again = _parallel(root, cache)                     # nothing changed

    edited_root = copy_project(root, base / "edited")
    shutil.copytree(cache, base / "parts-edited")
    chapter = edited_root / "manuscript" / "03-opening.md"
    text = chapter.read_text(encoding="utf-8")
    assert "is simple and straightforward." in text
    chapter.write_text(text.replace("is simple and straightforward.", "is simple and plain."), encoding="utf-8")
    edited = _parallel(edited_root, base / "parts-edited")
    (base / "edited.pdf").write_bytes(edited.data)
    return {"single": base / "single.pdf", "parallel": base / "parallel.pdf", "one": single, "first": first,
            "again": again, "edited": edited, "edited_pdf": base / "edited.pdf", "root": root,
            "single_starts": single_starts, "edited_root": edited_root, "base": base}


def _fold(text: str) -> str:
    # Case is kept: small capitals are set with small-caps (never all-small-caps), so no glyph
    # stands for both "T" and "t", and the merge keeps each glyph's text (pdf/fonts.py).
    return normalise(text)


def test_same_pages_with_the_same_text(books):
    single, parallel = pdf_page_texts(books["single"]), pdf_page_texts(books["parallel"])
    assert books["first"].pages == len(parallel) == len(single) == books["one"].pages
    differing = [n for n, (a, b) in enumerate(zip(single, parallel), start=1) if _fold(a) != _fold(b)]
    assert not differing, f"pages whose text differs: {differing}"


def test_chapters_open_on_right_hand_pages_after_blank_pages(books):
    pages = pdf_page_texts(books["parallel"])
    parts = books["first"].parts
    for part in parts[1:]:
        if part["name"] != "(colophon)":
            assert part["first_page"] % 2 == 1, part
        for blank in range(part["first_page"] - part["blank_before"], part["first_page"]):
            assert not pages[blank - 1].strip(), f"page {blank} should be blank"


def test_same_named_destinations_on_the_same_pages(books):
    single = named_destinations(books["single"])
    parallel = named_destinations(books["parallel"])
    assert len(single) > 500
    assert parallel == single
    assert books["first"].anchors == books["one"].anchors


def test_every_link_resolves_to_a_destination(books):
    with pikepdf.open(books["parallel"]) as pdf:
        names = {str(name) for name in pikepdf.NameTree(pdf.Root.Names.Dests).keys()}
        internal = unresolved = 0
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", ()):
                if annot.get("/Subtype") != "/Link":
                    continue
                if "/Dest" in annot:
                    internal += 1
                    unresolved += str(annot.Dest) not in names
                else:
                    assert not str(annot.A.URI).startswith("xref:"), annot.A.URI
    assert internal > 500 and unresolved == 0


def _outline(path):
    def walk(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title
    return list(walk(pypdf.PdfReader(str(path)).outline))


def test_same_outline(books):
    single = _outline(books["single"])
    assert len(single) >= 10
    assert _outline(books["parallel"]) == single


def test_notes_stand_on_their_call_page(books):
    reader, notes = _note_texts(books["root"])
    pages = pdf_page_texts(books["parallel"])
    dests = named_destinations(books["parallel"])
    wrong = []
    for number, text in notes.items():
        call_page = dests[f"fnref-{number}"]
        words = " ".join(text.split()[:6])
        if f"{number} {words}"[:40] not in normalise(pages[call_page - 1]):
            wrong.append((number, call_page))
    assert len(notes) == reader.note_count and not wrong
    assert books["first"].misplaced == []


def test_tagged_pdf_has_one_structure_tree(books):
    with pikepdf.open(books["parallel"]) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "en"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert "/Metadata" in root and b"pdfuaid:part" in root.Metadata.read_bytes()
        assert str(pdf.docinfo["/Title"]) == "Why There Is No Peace Treaty with Japan"
        tree = root.StructTreeRoot
        assert len(tree.K) == 1 and tree.K[0].S == "/Document"
        document = tree.K[0]
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        nums = tree.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        assert int(tree.ParentTreeNextKey) == max(parents) + 1
        page_ids = {page.objgen for page in pdf.pages}
        elements = list(structure_elements(document.K))
        # no part's own root is left over, and every element (even WeasyPrint's NonStruct ones that
        # are in no /K) leads up to the book's root
        assert [o.objgen for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                and o.get("/Type") == "/StructTreeRoot"] == [tree.objgen]
        for element in (o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                        and o.get("/Type") == "/StructElem"):
            for _ in range(100):
                if "/P" not in element:
                    break
                element = element.P
            assert element.objgen == tree.objgen
        assert sum(1 for e in elements if e.S == "/H1") >= 5
        assert all(e.Pg.objgen in page_ids for e in elements if "/Pg" in e)
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                assert int(page.obj.StructParents) in parents
            for annot in page.obj.get("/Annots", ()):
                element = parents[int(annot.StructParent)]
                kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                           and k.Obj.objgen == annot.objgen for k in kids)


def test_page_starts_for_the_epub_page_list(books):
    """Where each page begins (pagemap.page_starts), as the one document gives them."""
    starts = books["first"].page_starts
    if starts is None or books["single_starts"] is None:
        pytest.skip("reader_build.pdf.pagemap is not there")
    assert [s.label for s in starts] == [str(n) for n in range(1, books["first"].pages + 1)]
    assert starts == books["single_starts"]


def test_unchanged_rebuild_lays_out_nothing(books):
    again = books["again"]
    assert again.passes == 0
    assert again.data == books["first"].data


def test_editing_one_chapter_lays_out_that_chapter_only(books):
    first = {p["name"]: p for p in books["first"].parts}
    edited = books["edited"]
    laid_out = {p["name"] for p in edited.parts if p["layouts"]}
    assert EDITED in laid_out
    # The colophon and the imprint (in the title part) name the sources' hash, so they change with
    # any edit. Any other part is laid
    # out again only when its first page moved, the contents when a chapter moved, the indexes
    # when a mention moved.
    moved = {p["name"] for p in edited.parts if p["first_page"] != first[p["name"]]["first_page"]}
    mentions = {k: v for k, v in books["first"].anchors.items() if k.startswith("m-")}
    allowed = {EDITED, "(colophon)", "(title)"} | moved | ({"(front)"} if moved else set())
    if {k: edited.anchors.get(k) for k in mentions} != mentions:
        allowed |= {p["name"] for p in edited.parts if p["name"].startswith("(index-")}
    assert laid_out <= allowed
    assert "san-francisco" not in laid_out and "introduction" not in laid_out
    assert 0 < edited.passes < books["first"].passes
    assert "is simple and plain" in normalise(" ".join(pdf_page_texts(books["edited_pdf"])))


def test_a_rebuild_after_an_edit_gives_the_bytes_of_a_build_from_scratch(books):
    """The rebuild merges the parts whose pages are done while the edited chapter is laid out
    (merge.Merger); the book is still the same file as one built from nothing."""
    scratch = _parallel(books["edited_root"], books["base"] / "parts-scratch")
    assert scratch.passes > books["edited"].passes
    assert scratch.data == books["edited"].data


@pytest.fixture(scope="module")
def shifted(books, tmp_path_factory):
    """The reader with a chapter grown by about two pages, so that every later part starts two
    pages later: rebuilt in parts from the first build's cache, and laid out as one document."""
    from reader_build.config import build_date
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    base = tmp_path_factory.mktemp("shifted")
    root = copy_project(books["root"], base / "reader")
    shutil.copytree(books["root"].parent / "parts", base / "parts")
    chapter = root / "manuscript" / "03-opening.md"
    added = " ".join(["This paragraph was added to move every later chapter by two pages."] * 12)
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n" + "\n\n".join([added] * 5) + "\n",
                       encoding="utf-8")
    result = _parallel(root, base / "parts")
    (base / "parallel.pdf").write_bytes(result.data)
    diags = Diagnostics()
    reader = load_reader(root, diags)
    single = build_pdf(reader, reader.config.edition("print"), root, diags, build_date(reader.config.date),
                       jobs=1, whole=True)
    (base / "single.pdf").write_bytes(single.data)
    return {"result": result, "parallel": base / "parallel.pdf", "single": base / "single.pdf"}


def test_a_chapter_that_grows_moves_the_later_parts_without_laying_them_out_twice(books, shifted):
    first = {p["name"]: p for p in books["first"].parts}
    parts = {p["name"]: p for p in shifted["result"].parts}
    moved = [n for n, p in parts.items() if p["first_page"] != first[n]["first_page"]]
    assert "san-francisco" in moved and "dulles-khrushchev" in moved
    assert all((parts[n]["first_page"] - first[n]["first_page"]) % 2 == 0 for n in moved if n != "(colophon)")
    # each moved part is laid out once (its fix rules are known): no layout at a page it does not start on
    assert all(parts[n]["layouts"] <= 1 for n in moved), {n: parts[n]["layouts"] for n in moved}
    single, parallel = pdf_page_texts(shifted["single"]), pdf_page_texts(shifted["parallel"])
    assert len(single) == len(parallel) == shifted["result"].pages
    differing = [n for n, (a, b) in enumerate(zip(single, parallel), start=1) if _fold(a) != _fold(b)]
    assert not differing, f"pages whose text differs: {differing}"


def test_minimal_project_in_this_process(tmp_path):
    """jobs=1 (no worker process), an untagged edition, no index: the same pages, links and outline."""
    from reader_build.build import build
    from reader_build.config import build_date
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    root = write_project(tmp_path / "minimal", MINIMAL)
    assert build(root, ["print"]).status == 0
    diags = Diagnostics()
    reader = load_reader(root, diags)
    assert reader.config.edition("print").pdf_variant is None
    result = build_pdf(reader, reader.config.edition("print"), root, diags, build_date(reader.config.date),
                                jobs=1)
    (tmp_path / "parallel.pdf").write_bytes(result.data)
    single, parallel = root / "build" / "print.pdf", tmp_path / "parallel.pdf"
    assert [_fold(t) for t in pdf_page_texts(parallel)] == [_fold(t) for t in pdf_page_texts(single)]
    assert named_destinations(parallel) == named_destinations(single)
    assert _outline(parallel) == _outline(single)
    with pikepdf.open(parallel) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
