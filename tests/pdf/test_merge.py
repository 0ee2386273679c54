"""The merge of parts into one book (reader_build.pdf.merge): parts copied ahead, while others are
still laid out, and parts dropped because they changed after all, give the very bytes of a merge
made at once; a part's orphans, found where it is laid out, give the bytes of the full search."""
from __future__ import annotations

import dataclasses

import pikepdf
import pytest
from io import BytesIO

from conftest import structure_elements

PAGE = """<!doctype html><html lang="en"><head><title>Book</title><style>
@page {{ size: A6; margin: 15mm }} h1 {{ bookmark-level: 1 }}</style></head><body>
<h1 id="{name}">Part {name}</h1>{body}
<p>See <a href="xref:{other}">part {other}</a>.</p></body></html>"""


def _part(name: str, other: str, paragraphs: int):
    import weasyprint
    from reader_build.pdf.merge import PartPdf, orphans
    body = "".join(f"<p id='{name}-{n}'>Paragraph {n} of part {name}, long enough to fill a line or two of "
                   "the page, and more of them fill a page.</p>" for n in range(paragraphs))
    data = weasyprint.HTML(string=PAGE.format(name=name, other=other, body=body)).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True)
    return PartPdf(data, 0, [[(1, f"Part {name}", (0, 0), "open")]] +
                   [[] for _ in range(len(pikepdf.open(BytesIO(data)).pages) - 1)], orphans(data))


@pytest.fixture(scope="module")
def parts():
    names = ["a", "b", "c", "d"]
    return [_part(name, names[(i + 1) % 4], 6 + 9 * i) for i, name in enumerate(names)]


def _merged(parts, order, steps):
    from reader_build.pdf.merge import Merger
    with Merger(tagged=True) as merger:
        for step in steps:
            if step == "drop":
                merger.keep(1)
            else:
                merger.add(step)
        return merger.finish(parts, order)


def test_parts_merged_ahead_give_the_bytes_of_one_merge(parts):
    from reader_build.pdf.merge import merge
    order = [1, 2, 0, 3]
    at_once = _merged(parts, order, [])
    assert at_once.pages == sum(len(p.bookmarks) for p in parts) and not at_once.problems
    # b and c copied ahead; c changed after all (dropped, with what came after it); an older
    # PDF of d copied ahead, then replaced at the end
    changed_c = dataclasses.replace(parts[2], data=parts[2].data + b"\n")
    ahead = _merged(parts, order, [parts[1], changed_c, "drop", parts[2], parts[0]])
    assert ahead.data == at_once.data
    # a part that changed is found at the end, and copied again with every part after it
    assert _merged(parts, order, [parts[1], changed_c, parts[0]]).data == at_once.data
    # the same PDF bytes in another object count as the same part
    copies = [dataclasses.replace(p, data=bytes(bytearray(p.data))) for p in parts]
    assert _merged(copies, order, [parts[1], parts[2]]).data == at_once.data
    # and merge(), in book order, is a merge at once
    assert merge(parts, tagged=True).data == _merged(parts, [0, 1, 2, 3], []).data


def test_the_merged_book_reads_in_book_order(parts):
    order = [3, 1, 0, 2]
    merged = _merged(parts, order, [parts[3], parts[1]])
    with pikepdf.open(BytesIO(merged.data)) as pdf:
        headings = [str(item.title) for item in pdf.open_outline().root]
        assert headings == ["Part a", "Part b", "Part c", "Part d"]
        document = pdf.Root.StructTreeRoot.K[0]
        h1 = [kid for kid in structure_elements(document) if kid.get("/S") == "/H1"]
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        assert [pages[h.Pg.objgen] for h in h1] == sorted(pages[h.Pg.objgen] for h in h1)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(keys) and int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == keys[-1] + 1
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        assert {"a", "b", "c", "d", "d-20"} <= set(dests.keys())
        for page in pdf.pages:             # the links to other parts go to their destinations
            for annot in page.obj.get("/Annots", ()):
                assert "/A" not in annot and str(annot.Dest) in dests
        assert len(pdf.pages) == merged.pages


def test_orphans_found_ahead_give_the_bytes_of_the_full_search(parts):
    from reader_build.pdf.merge import merge
    unknown = [dataclasses.replace(p, orphans=None) for p in parts]
    assert merge(parts, tagged=True).data == merge(unknown, tagged=True).data


def test_nothing_is_merged_ahead_without_memory_to_spare(minimal, tmp_path, monkeypatch):
    """The book merged ahead is held beside the workers: with little memory to spare it waits for
    them to be done, and is the same file."""
    import reader_build.pdf.parallel as parallel
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.merge import Merger
    from reader_build.resolve import load_reader
    ahead: list[int] = []
    finish = Merger.finish

    def counted(self, parts, order=None):
        ahead.append(len(self.added))
        return finish(self, parts, order)
    monkeypatch.setattr(Merger, "finish", counted)

    def build():
        diags = Diagnostics()
        reader = load_reader(minimal, diags)
        return parallel.build_pdf(reader, reader.config.edition("print"), minimal, diags,
                                  build_date(reader.config.date), jobs=2).data
    plenty = build()
    monkeypatch.setattr(parallel, "memory_available", lambda: parallel.MERGE_AHEAD_SPARE - 1)
    assert build() == plenty
    assert ahead[-1] == 0
