"""Page references (@page:ID) in a project of several chapters, laid out in parts: forward and
backward, within a chapter and across chapters, in the text and in notes.  In every PDF edition
(and in a handout, which reproduces print pages) the number printed is the page where the
target's text stands, and the build reports no page that did not settle."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import weasyprint

from conftest import named_destinations, normalise, pdf_page_texts, write_project

from reader_build.build import build
from reader_build.render.xref import fill_page_refs

WORDS = ("treaty islands delegation memorandum conference ambassador declaration negotiation settlement "
         "protocol envoy ministry archive session draft clause territory frontier strait coast").split()
EDITIONS = ("print", "screen", "large-print")
TARGETS = {"t1": "Targetone", "t2": "Targettwo", "t3": "Targetthree", "t4": "Targetfour"}
# the sentence that carries each reference (its number follows "p."), and its target
REFERENCES = {"Forward three is on": "t3", "Forward four is on": "t4", "Noted forward three is on": "t3",
              "Local two is on": "t2", "Backward one is on": "t1", "Backward two is on": "t2",
              "Noted backward one is on": "t1"}


def _paragraphs(seed: int, count: int) -> list[str]:
    out = []
    for n in range(count):
        words = [WORDS[(seed * 7 + n * 5 + k * 3 + k * k) % len(WORDS)] for k in range(60 + (seed + n) % 25)]
        out.append(" ".join(words).capitalize() + ".")
    return out


def _chapter(number: int, blocks: dict[int, str], notes: str = "") -> str:
    body = _paragraphs(number, 30)
    for at, text in sorted(blocks.items(), reverse=True):
        body.insert(at, text)
    return (f"---\nid: c{number}\ntitle: Chapter {number}\n---\n\n" + "\n\n".join(body) + "\n\n" + notes)


PROJECT = {
    "reader.toml": """
        title = "Pages Across Chapters"
        language = "en"

        [editions.print]
        format = "pdf"

        [editions.screen]
        format = "pdf"
        medium = "screen"
        margins = "single"

        [editions.large-print]
        format = "pdf"
        page-size = "a4"
        font-size = "16pt"
        medium = "large-print"

        [handouts.first]
        sections = ["c1"]
        paper = "a4"
        """,
    "manuscript/01.md": _chapter(1, {
        2: "Forward three is on @page:t3. Forward four is on @page:t4, near the end.[^f]",
        20: "Here stands [Targetone]{#t1} in the first chapter."},
        "[^f]: Noted forward three is on @page:t3.\n"),
    "manuscript/02.md": _chapter(2, {
        1: "Local two is on @page:t2, later in this chapter.",
        26: "Here stands [Targettwo]{#t2} in the second chapter."}),
    "manuscript/03.md": _chapter(3, {
        12: "Here stands [Targetthree]{#t3} in the third chapter.",
        18: "Backward two is on @page:t2, in the chapter before."}),
    "manuscript/04.md": _chapter(4, {
        4: "Backward one is on @page:t1.[^b]",
        24: "## Targetfour, a heading {#t4}"},
        "[^b]: Noted backward one is on @page:t1.\n"),
    "bibliography/refs.bib": "@book{doe-2001, author = {Doe, Jane}, title = {A Book}, year = {2001}}\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    root = write_project(tmp_path_factory.mktemp("pagerefs") / "reader", PROJECT)
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    texts = {name: [normalise(t) for t in pdf_page_texts(root / "build" / f"{name}.pdf")] for name in EDITIONS}
    return {"root": root, "result": result, "texts": texts}


def _page_of(texts: list[str], word: str) -> int:
    pages = [n for n, text in enumerate(texts, start=1) if re.search(rf"\b{word}\b", text)
             and ". . ." not in text]        # (not the contents)
    assert len(pages) == 1, (word, pages)
    return pages[0]


def _printed(texts: list[str], sentence: str) -> list[int]:
    return [int(m.group(1)) for text in texts for m in re.finditer(rf"(?<![\w]){sentence} p\. (\d+)", text)]


def test_the_build_settles(project):
    codes = [d.format() for d in project["result"].diagnostics if d.code.startswith("parallel")]
    assert codes == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_reference_prints_the_page_of_its_target(project, edition):
    texts = project["texts"][edition]
    pages = {ident: _page_of(texts, word) for ident, word in TARGETS.items()}
    destinations = named_destinations(project["root"] / "build" / f"{edition}.pdf")
    assert {ident: destinations[ident] for ident in TARGETS} == pages
    assert len({pages["t1"], pages["t2"], pages["t3"], pages["t4"]}) == 4
    for sentence, target in REFERENCES.items():
        assert _printed(texts, sentence) == [pages[target]], (edition, sentence, pages)


def test_each_edition_prints_its_own_pages(project):
    pages = {edition: _page_of(project["texts"][edition], "Targetfour") for edition in EDITIONS}
    assert len(set(pages.values())) > 1, pages


def test_a_handout_prints_the_pages_of_the_print_edition(project):
    handout = [normalise(t) for t in pdf_page_texts(project["root"] / "build" / "handout-first.pdf")]
    print_texts = project["texts"]["print"]
    for sentence, target in (("Forward three is on", "t3"), ("Forward four is on", "t4"),
                             ("Noted forward three is on", "t3")):
        assert _printed(handout, sentence) == [_page_of(print_texts, TARGETS[target])]


def test_a_number_in_its_reserved_width_does_not_move_a_line():
    """The rule that makes the rounds converge: a number with data-digits keeps its width."""
    css = "\n".join(line for line in (Path(__file__).resolve().parents[2] / "src" / "reader_build" / "styles"
                                      / "print.css").read_text().splitlines() if line.startswith("a.page-ref"))
    text = " ".join(_paragraphs(3, 1))
    ref = '<a class="page-ref" data-target="x" href="#x">0</a>'

    def lines(number: int) -> list[tuple[str, float]]:
        html = fill_page_refs(f"<style>@page {{ size: a6 }} {css}</style><p>{text[:200]} p.\u00a0{ref}, "
                              f"{text[200:]}</p><p id='x'>x</p>", lambda ident: number, reserve={"x": 3})
        page = weasyprint.HTML(string=html).render().pages[0]
        # every piece of text but the number, and where it stands
        return [(box.text, round(box.position_x, 2), round(box.position_y, 2)) for box in page._page_box.descendants()
                if type(box).__name__ == "TextBox" and box.element.get("class") != "page-ref"]
    assert lines(7) == lines(123) == lines(45)
    assert len(lines(7)) > 5


# a reference whose lines change with its number (see the test below)
UNSTEADY = {
    "reader.toml": 'title = "Unsteady"\nlanguage = "en"\n[editions.print]\nformat = "pdf"\n',
    "manuscript/01.md": "---\nid: a\ntitle: A\n---\n\n[@page:t ab ab ab]{.probe}\n\nAfter the probe.\n",
    "manuscript/02.md": "---\nid: b\ntitle: B\n---\n\n" + "\n\n".join(_paragraphs(1, 3)) + "\n",
    "manuscript/03.md": ("---\nid: c\ntitle: C\n---\n\n" + "\n\n".join(_paragraphs(2, 70))
                         + "\n\nHere is [Targetword]{#t}.\n"),
    "bibliography/refs.bib": PROJECT["bibliography/refs.bib"],
    "styles/extra.css": ".probe { display: block; width: 2.85em; font-size: 12mm; line-height: 60mm; "
                        "text-align: left; hyphens: manual; }\n",
}


def test_a_number_that_moves_lines_is_given_a_fixed_width_and_the_pages_settle(tmp_path):
    """A reference whose lines change with its number (a narrow block, in the project's own CSS:
    "p. 9 ab" fits on a line, "p. 41 ab" does not): laid out first with the page the layouts so
    far give (one figure), then with its target's (two), it moves the pages after it.  It is then
    set in a fixed width, and the pages settle with the right number."""
    files = UNSTEADY
    root = write_project(tmp_path / "reader", files)
    result = build(root, emit_html=True, jobs=1)       # (one worker: the parts in book order)
    assert result.status == 0 and not [d for d in result.diagnostics if d.code.startswith("parallel")]
    texts = [normalise(t) for t in pdf_page_texts(root / "build" / "print.pdf")]
    target = _page_of(texts, "Targetword")
    assert target >= 10
    assert [int(m.group(1)) for text in texts for m in re.finditer(r"p\. (\d+) ab", text)] == [target]
    assert 'data-digits="2"' in (root / "build" / "print.html").read_text(encoding="utf-8")
    # the next build (another chapter edited) keeps the width from the start, and settles again
    (root / "manuscript" / "02.md").write_text(files["manuscript/02.md"] + "\nOne more paragraph.\n", encoding="utf-8")
    result = build(root, emit_html=True, jobs=1)
    assert result.status == 0 and not [d for d in result.diagnostics if d.code.startswith("parallel")]
    texts = [normalise(t) for t in pdf_page_texts(root / "build" / "print.pdf")]
    assert [int(m.group(1)) for text in texts for m in re.finditer(r"p\. (\d+) ab", text)] == [
        _page_of(texts, "Targetword")]
    assert 'data-digits="2"' in (root / "build" / "print.html").read_text(encoding="utf-8")


def test_two_clean_builds_with_two_workers_give_the_same_bytes(tmp_path):
    """Which references keep a fixed width does not depend on the order the workers finish."""
    made = []
    for n in (1, 2):
        root = write_project(tmp_path / f"reader{n}", UNSTEADY)
        result = build(root, emit_html=True, jobs=2)
        assert result.status == 0 and not [d for d in result.diagnostics if d.code.startswith("parallel")]
        made.append(((root / "build" / "print.pdf").read_bytes(), (root / "build" / "print.html").read_text()))
    assert made[0] == made[1]
    assert 'data-digits="2"' in made[0][1]


# --- the bundled reader: the map, cited with its page -----------------------------------------

MAP_REFERENCES = re.compile(r"(?:fig\. 1, |\(map, )p\. (\d+)")


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_bundled_reader_cites_the_page_of_the_map(bundled, edition):
    pdf = bundled["root"] / "build" / f"{edition}.pdf"
    texts = [normalise(t) for t in pdf_page_texts(pdf)]
    caption = [n for n, text in enumerate(texts, start=1) if "Figure 1. The islands in dispute" in text]
    assert len(caption) == 1 and named_destinations(pdf)["fig:kurils"] == caption[0]
    printed = [int(m.group(1)) for text in texts for m in MAP_REFERENCES.finditer(text)]
    assert len(printed) >= 4 and set(printed) == {caption[0]}, (edition, printed, caption)
    assert not [d for d in bundled["result"].diagnostics if d.code == "parallel-unsettled"]


def test_the_bundled_handout_cites_the_print_page_of_the_map(bundled):
    texts = [normalise(t) for t in pdf_page_texts(bundled["root"] / "build" / "print.pdf")]
    caption = next(n for n, text in enumerate(texts, start=1) if "Figure 1. The islands in dispute" in text)
    handout = normalise(" ".join(pdf_page_texts(bundled["root"] / "build" / "handout-san-francisco.pdf")))
    printed = [int(m.group(1)) for m in MAP_REFERENCES.finditer(handout)]
    assert printed == [caption]


def test_the_words_are_those_of_the_language(tmp_path):
    """A German reader prints "Abb. 1" and "S. 7" (locales/de.toml), numbers checked on the pages."""
    files = {
        "reader.toml": 'title = "Seiten"\nlanguage = "de"\n[editions.print]\nformat = "pdf"\n',
        "manuscript/01.md": "---\nid: a\ntitle: Eins\n---\n\nDie Karte (@fig:karte) steht auf @page:fig:karte.\n",
        "manuscript/02.md": ("---\nid: b\ntitle: Zwei\n---\n\n" + "\n\n".join(_paragraphs(4, 12))
                             + '\n\n![Eine Karte](karte.png "Kartenwortlaut."){#fig:karte}\n'),
        "bibliography/refs.bib": PROJECT["bibliography/refs.bib"],
    }
    root = write_project(tmp_path / "reader", files)
    (root / "manuscript" / "karte.png").write_bytes(
        (Path(__file__).resolve().parents[1] / "data" / "torture" / "manuscript" / "map.png").read_bytes())
    result = build(root)
    assert result.status == 0, "\n".join(d.format() for d in result.diagnostics)
    texts = [normalise(t) for t in pdf_page_texts(root / "build" / "print.pdf")]
    figure = _page_of(texts, "Kartenwortlaut")
    assert f"Die Karte (Abb. 1) steht auf S. {figure}." in " ".join(texts)
    assert "Abbildung 1: Kartenwortlaut." in " ".join(texts)
