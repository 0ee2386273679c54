"""The indexes, checked from the outputs: the PDF index against the PDF's own text,
page by page, and the EPUB index against the PDF index and the EPUB's mentions.

The page texts are laid out as ``pdftotext -layout`` lays them out (conftest.pdf_page_texts, pypdfium2).  On every page the running head is
dropped, the notes are told from the body by their opening words (the note texts
come from the EPUB's notes) and note-call digits are removed.  Text that the index
does not read, by design, is taken out: chapter titles, the labels of the map (an SVG
figure) and author-date citations ("Matsumoto (2012)"); figure captions are read (their
locators are in italics);
those strings are read from the EPUB and the SVG file.
Which entry a piece of text names is decided by the project's own matcher
(``Authority.find``) run on the PDF text, so that "South Sakhalin" is not also a
"Sakhalin".
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from conftest import epub_documents, named_destinations, normalise, pdf_page_texts, pdf_raw_pages
from reader_build.language.typography import heading_and_gloss

XHTML = "{http://www.w3.org/1999/xhtml}"
LOCATOR = re.compile(r"(\d+)(?:\u2013(\d+))?(n?)")


# -- reading the outputs -------------------------------------------------------------------

def squash(text: str) -> str:
    """No white space at all, NFC, straight quotes: for finding printed strings."""
    text = unicodedata.normalize("NFC", text)
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                            ("\u2010", "-"), ("\u00ad", "")):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", "", text)


def running_head(line: str, page: int) -> bool:
    """The first line of a page is its running head when it is the folio plus a title."""
    m = re.fullmatch(r"\s*(\d+)\s{3,}\S.*|\s*\S.*?\s{3,}(\d+)\s*|\s*(\d+)\s*", line)
    return bool(m) and str(page) in m.groups()


def page_lines(text: str, page: int) -> list[str]:
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and running_head(lines[0], page):
        lines = lines[1:]
    return lines


def xml(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False))


def element_text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


@pytest.fixture(scope="module")
def outputs(bundled):
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    reader = load_reader(bundled["root"], Diagnostics())
    docs = epub_documents(bundled["epub"])
    trees = {name.rsplit("/", 1)[-1]: xml(data) for name, data in docs.items() if name.endswith(".xhtml")}
    return {"reader": reader, "pages": pdf_page_texts(bundled["pdf"]), "dests": named_destinations(bundled["pdf"]),
            "epub": trees, "raw": pdf_raw_pages(bundled["pdf"])}


def index_page_lines(raw: str, page: int) -> list[str]:
    """The lines of an index page in the order the PDF draws them: the first column, then the
    second (its layout text would run the two columns' lines together), without the running
    head (a folio and words without figures or commas, drawn after the body)."""
    lines = [line for line in raw.split("\n") if line.strip()]
    head = re.compile(rf"\s*(?:{page}\s+[^\d,]+|[^\d,]+\s+{page})\s*")
    return [line for n, line in enumerate(lines) if not (n in (0, len(lines) - 1) and head.fullmatch(line))]


@pytest.fixture(scope="module")
def note_openings(outputs):
    """Note number -> the squashed first words of its text (from the EPUB's notes)."""
    notes = {}
    for tree in outputs["epub"].values():
        for aside in tree.iter(f"{XHTML}aside"):
            ident = aside.get("id") or ""
            if ident.startswith("fn-"):
                number = int(ident[3:])
                text = element_text(aside)
                text = re.sub(rf"^{number}\.\s*", "", text)
                notes[number] = squash(text)[:24]
    return notes


@pytest.fixture(scope="module")
def unindexed_strings(outputs):
    """Printed strings the index does not read, from the EPUB: {"titles": {page: text},
    "citations": [text]} (chapter titles by the page they open); and the figure captions,
    which it reads: {"captions": [text]}."""
    dests = outputs["dests"]
    titles, captions, citations = {}, set(), set()
    for tree in outputs["epub"].values():
        for node in tree.iter(f"{XHTML}h1", f"{XHTML}figcaption", f"{XHTML}span"):
            classes = (node.get("class") or "").split()
            text = normalise(element_text(node))
            if node.tag == f"{XHTML}h1" and "chapter-title" in classes:
                section = node.getparent()
                if section.get("id") in dests:
                    titles[dests[section.get("id")]] = text
            elif node.tag == f"{XHTML}figcaption":
                captions.add(text)
            elif node.tag == f"{XHTML}span" and "citation" in classes:
                citations.add(text)
    longest = lambda strings: sorted(strings, key=len, reverse=True)  # noqa: E731
    return {"titles": titles, "captions": longest(captions), "citations": longest(citations)}


@pytest.fixture(scope="module")
def figure_strings(bundled):
    """The text of the SVG figures: labels drawn on a page that are no part of its text."""
    strings = set()
    for svg in Path(bundled["root"], "manuscript").rglob("*.svg"):
        tree = etree.parse(str(svg), etree.XMLParser(resolve_entities=False, no_network=True))
        for node in tree.iter("{http://www.w3.org/2000/svg}text", "{http://www.w3.org/2000/svg}tspan"):
            text = " ".join("".join(node.itertext()).split())
            if text:
                strings.add(text)
    return sorted(strings, key=len, reverse=True)


@pytest.fixture(scope="module")
def page_parts(outputs, note_openings, figure_strings, unindexed_strings):
    """Per page (1-based): (body text, note text), normalised, calls and figure labels removed."""
    parts = {}
    figure_pages = {page for name, page in outputs["dests"].items() if name.startswith("fig-")}
    for number, text in enumerate(outputs["pages"], start=1):
        text = unicodedata.normalize("NFC", text)
        lines = page_lines(text, number)
        split = len(lines)
        present = []
        for i, line in enumerate(lines):
            m = re.match(r"\s*(\d+) \(continued\)", line)      # the rest of a note cut on the page before
            if m and int(m.group(1)) in note_openings:
                split = min(split, i)
                continue
            m = re.match(r"\s*(\d+)\s+(\S.*)$", line)
            if m and int(m.group(1)) in note_openings:
                opening = note_openings[int(m.group(1))]
                rest = squash(m.group(2) + " " + " ".join(lines[i + 1:i + 3]))
                if rest.startswith(opening[:min(len(opening), 16)]):
                    split = min(split, i)
                    present.append(m.group(1))
        body = "\n".join(lines[:split])
        notes = normalise("\n".join(lines[split:]))
        for call in present:                     # note-call digits stuck to the word before them
            body = re.sub(rf"(?<=[^\s\d]){call}(?!\d)", "", body)
        body = normalise(body)
        if number in unindexed_strings["titles"]:
            body = body.replace(unindexed_strings["titles"][number], " ", 1)
        if number in figure_pages:           # the map's labels go, its caption (indexed) stays
            kept = [caption for caption in unindexed_strings["captions"] if caption in body]
            for n, caption in enumerate(kept):
                body = body.replace(caption, chr(0xE000 + n))     # (a map label may be a digit)
            for label in figure_strings:
                body = re.sub(rf"(?<!\w){re.escape(label)}(?!\w)", " ", body)
            for n, caption in enumerate(kept):
                body = body.replace(chr(0xE000 + n), caption)
        for citation in unindexed_strings["citations"]:
            body = body.replace(citation, " ")
            notes = notes.replace(citation, " ")
        parts[number] = (body, notes)
    return parts


def chapter_pages(outputs) -> range:
    reader, dests = outputs["reader"], outputs["dests"]
    first = dests[reader.chapters[0].id]
    last = dests[f"end-{reader.chapters[-1].id}"]
    return range(first, last + 1)


def entry_target(authority, entry_id: str):
    from reader_build.index.build import resolve_see
    target = resolve_see(authority, authority.get(entry_id))
    return target.id if target is not None else None


def named_on(authority, text: str) -> set[str]:
    """Entries (after "see") that the matcher finds in *text*."""
    found = set()
    for _start, _end, entry in authority.find(text):
        target = entry_target(authority, entry)
        if target:
            found.add(target)
    return found


def carried_over(authority, before: str, body: str) -> tuple[set[str], int]:
    """The entries named across the page turn into *body* (a name that starts at the foot of
    the page before, *before*, and ends on this page), and how many characters of *body* they
    take: a name broken by a page turn is listed on both pages."""
    tail = before[-60:]
    joined = (tail[:-1] if re.search(r"\w-$", tail) else tail + " ") + body[:60]
    cut = len(joined) - len(body[:60])
    found, taken = set(), 0
    for start, end, entry in authority.find(joined):
        target = entry_target(authority, entry)
        if target and start < cut < end:
            found.add(target)
            taken = max(taken, end - cut)
    return found, taken


@pytest.fixture(scope="module")
def pdf_index(outputs):
    """Entry id -> [(first page, last page, note-only)] as printed in the PDF's indexes."""
    reader, dests = outputs["reader"], outputs["dests"]
    authority = reader.authority
    start = min(dests[f"index-{kind}"] for kind in ("person", "place") if f"index-{kind}" in dests)
    end = max(dests[f"end-index-{kind}"] for kind in ("person", "place") if f"end-index-{kind}" in dests)
    raw = outputs["raw"]
    text = "".join(squash("\n".join(index_page_lines(raw[n - 1], n))) for n in range(start, end + 1))
    index, where = {}, {}
    entries = sorted(authority.entries.values(), key=lambda e: e.parent is not None)   # entries, then subs
    for entry in entries:
        printed = squash("".join(heading_and_gloss(entry.heading, entry.gloss or "")))
        after = where.get(entry.parent, 0)              # a sub-entry is printed under its entry
        at = min((i for i in (text.find(printed + ",", after), text.find(printed + ".", after)) if i >= 0),
                 default=-1)
        if at < 0:
            continue
        where[entry.id] = at
        if entry.parent is None:
            assert text.count(printed + ",") <= 1, f"{entry.id} printed twice"
        m = re.match(r"((?:,\d+(?:\u2013\d+)?n?)*)", text[at + len(printed):])
        locators = []
        for first, last, note in LOCATOR.findall(m.group(1)):
            locators.append((int(first), int(last or first), bool(note)))
        index[entry.id] = locators
    return index


# -- the PDF index ----------------------------------------------------------------------

def test_the_pdf_index_is_found_and_has_locators(outputs, pdf_index):
    entries_with_pages = [e for e, locs in pdf_index.items() if locs]
    assert len(entries_with_pages) >= 40
    for entry, locators in pdf_index.items():
        pages = [p for first, last, _n in locators for p in range(first, last + 1)]
        assert pages == sorted(pages) and len(set(pages)) == len(pages), (entry, locators)


def test_every_locator_points_at_a_page_that_names_the_entry(outputs, pdf_index, page_parts):
    authority = outputs["reader"].authority
    wrong = []
    for entry, locators in pdf_index.items():
        for first, last, note_only in locators:
            for page in range(first, last + 1):
                body, notes = page_parts[page]
                # a name broken over the page break belongs to the page where it starts (and to the
                # next: carried over); a name wholly on the next page does not
                across, _taken = carried_over(authority, body, page_parts.get(page + 1, ("", ""))[0])
                carried, _taken = carried_over(authority, page_parts.get(page - 1, ("", ""))[0], body)
                in_body = entry in named_on(authority, body) or entry in across or entry in carried
                in_notes = entry in named_on(authority, notes)
                if note_only and (in_body or not in_notes):
                    wrong.append((entry, f"{page}n", "in the body" if in_body else "not in the notes"))
                elif not note_only and not in_body:
                    wrong.append((entry, page, "not in the body"))
    assert not wrong, wrong[:10]


def test_every_page_that_names_an_entry_is_listed(outputs, pdf_index, page_parts):
    authority = outputs["reader"].authority
    listed = defaultdict(dict)                  # entry -> page -> note only
    for entry, locators in pdf_index.items():
        for first, last, note_only in locators:
            for page in range(first, last + 1):
                listed[entry][page] = note_only
    missing = []
    for page in chapter_pages(outputs):
        body, notes = page_parts[page]
        _carried, taken = carried_over(authority, page_parts.get(page - 1, ("", ""))[0], body)
        in_body = named_on(authority, body[taken:])     # (the end of a name begun on the page before
        for entry in in_body:
            if listed[entry].get(page, True):
                missing.append((entry, page))
        for entry in named_on(authority, notes) - in_body:
            if page not in listed[entry]:
                missing.append((entry, f"{page}n"))
    assert not missing, missing[:10]


def test_every_mention_is_on_a_listed_page(outputs, pdf_index):
    """Each mention (by its anchor's page in the PDF) is covered by a locator of its entry."""
    reader, dests = outputs["reader"], outputs["dests"]
    uncovered = []
    for mention in reader.mentions:
        target = entry_target(reader.authority, mention.entry)
        page = dests.get(mention.id)
        if target is None or page is None:
            continue
        pages = {p for first, last, _n in pdf_index.get(target, []) for p in range(first, last + 1)}
        if page not in pages:
            uncovered.append((mention.id, target, page))
    assert not uncovered, uncovered[:10]


# -- the EPUB index ----------------------------------------------------------------------

def epub_locators(outputs) -> dict[str, list[tuple[str, str]]]:
    """Entry id -> [(label, href)] of the EPUB's index documents."""
    out = {}
    for name, tree in outputs["epub"].items():
        if not name.startswith("index-"):
            continue
        for li in tree.iter(f"{XHTML}li"):
            ident = li.get("id") or ""
            if not ident.startswith("ix-"):
                continue
            locs = []
            for a in li:
                if a.tag == f"{XHTML}a" and "index-loc" in (a.get("class") or "").split():
                    locs.append((element_text(a), a.get("href")))
            out[ident[3:]] = locs
    return out


def test_epub_index_labels_are_the_pdf_index_labels(outputs, pdf_index):
    epub = epub_locators(outputs)
    assert epub, "no index in the EPUB"
    for entry, locators in pdf_index.items():
        printed = [f"{a}{'' if a == b else chr(0x2013) + str(b)}{'n' if n else ''}" for a, b, n in locators]
        assert [label for label, _href in epub.get(entry, [])] == printed, entry
    assert {e for e, locs in epub.items() if locs} == {e for e, locs in pdf_index.items() if locs}


def test_epub_index_locators_link_to_the_exact_mention(outputs, pdf_index):
    reader, dests = outputs["reader"], outputs["dests"]
    trees = outputs["epub"]
    mention_of = {m.id: m for m in reader.mentions}
    broken = []
    for entry, locs in epub_locators(outputs).items():
        for label, href in locs:
            name, _, fragment = href.partition("#")
            tree = trees.get(name)
            found = tree.xpath("//*[@id=$i]", i=fragment) if tree is not None else []
            shown = reader.authority.get(entry)
            if len(found) == 1 and found[0].tag.rsplit("}", 1)[-1] == "figure" and shown is not None \
                    and fragment in shown.figures:              # the figure that shows the entry
                if dests.get(fragment) != int(LOCATOR.match(label).group(1)):
                    broken.append((entry, label, href, f"the figure is on print page {dests.get(fragment)}"))
                continue
            if len(found) != 1 or "ix" not in (found[0].get("class") or "").split():
                broken.append((entry, label, href, "no mention there"))
                continue
            mention = mention_of.get(fragment)
            if mention is None or entry_target(reader.authority, mention.entry) != entry:
                broken.append((entry, label, href, "a mention of another entry"))
                continue
            first = int(LOCATOR.match(label).group(1))
            if dests.get(fragment) != first:          # the first mention on that print page
                broken.append((entry, label, href, f"on print page {dests.get(fragment)}"))
    assert not broken, broken[:10]


# -- reader-build check: names the index does not know -------------------------------------

CHECK_PROJECT = {
    "reader.toml": 'title = "Names"\n',
    "manuscript/index.toml": """
        [[entry]]
        id = "dulles"
        kind = "person"
        heading = "Dulles, John Foster"
        variants = ["Dulles", "John Foster Dulles"]

        [[entry]]
        id = "tokyo"
        kind = "place"
        heading = "Tokyo"
        variants = ["Tokyo"]

        [[entry]]
        id = "kyoto"
        kind = "place"
        heading = "Kyoto"
        variants = ["Kyoto"]

        [[entry]]
        id = "edo"
        kind = "place"
        heading = "Edo"
        see = "tokyo"

        [[entry]]
        id = "kuril-islands"
        kind = "place"
        heading = "Kuril Islands"
        variants = ["Kuril Islands"]
        """,
    "manuscript/one.md": """
        ---
        id: one
        title: Names in the text
        ---

        In 1951 John Foster Dulles met Yoshida Shigeru in Tokyo. Later that year
        Yoshida Shigeru flew to San Francisco, where President Truman spoke.

        ## Dulles and Kennan

        The talks began in March. The USSR and the Japanese press, like *Asahi Shimbun*,
        watched [Kennan](https://example.org/kennan) and Japan. The Kuril question
        stayed open.[^a] Apparently nobody asked.

        [^a]: A letter from Acheson to Dulles.
        """,
}


@pytest.fixture
def names_project(tmp_path):
    from conftest import write_project
    return write_project(tmp_path / "names", CHECK_PROJECT)


def test_unmatched_names_and_unused_entries(names_project):
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.index.check import unmatched_names
    diags = Diagnostics()
    reader = load_reader(names_project, diags)
    assert reader is not None and not diags.has_errors, [d.format() for d in diags]
    found = unmatched_names(reader, names_project)
    assert all(d.severity == "warning" for d in found)
    names = {re.match(r"'([^']+)'", d.message).group(1): d for d in found if d.code == "index-unmatched-name"}
    assert set(names) == {"Yoshida Shigeru", "San Francisco", "Truman", "Acheson"}, sorted(names)
    lines = (names_project / "manuscript" / "one.md").read_text().splitlines()

    def place(name):                            # first line and column of *name* in the source
        row = next(n for n, line in enumerate(lines, start=1) if name in line)
        return ("manuscript/one.md", row, lines[row - 1].index(name) + 1)

    for name, diagnostic in names.items():
        assert (diagnostic.path, diagnostic.line, diagnostic.col) == place(name), name
    assert "(2 times)" in names["Yoshida Shigeru"].message and "(once)" in names["San Francisco"].message
    unused = [d for d in found if d.code == "index-entry-unused"]
    # Kyoto never occurs; "Kuril" alone is no "Kuril Islands" (and no unmatched name either);
    # Edo, a pure cross-reference, needs no variant
    assert [(d.path, d.line) for d in unused] == [("manuscript/index.toml", 13), ("manuscript/index.toml", 25)]
    assert "kyoto" in unused[0].message and "kuril-islands" in unused[1].message
    assert all(d.format().startswith(f"{d.path}:{d.line}") for d in found)
    without_root = {d.message: (d.line, d.col) for d in unmatched_names(reader)}
    assert without_root[names["Yoshida Shigeru"].message] == place("Yoshida Shigeru")[1:]


def test_unmatched_names_never_raises_on_odd_input(tmp_path):
    from conftest import write_project
    from reader_build.resolve import load_reader
    from reader_build.diagnostics import Diagnostics
    from reader_build.index.check import unmatched_names
    root = write_project(tmp_path / "odd", {
        "reader.toml": 'title = "Odd"\n',
        "manuscript/one.md": "---\nid: one\ntitle: T\n---\n\nÉmile Zola wrote to Ōe Kenzaburō. "
                             "\u201cQuoted Name\u201d, O'Brien, McArthur-Smith, X. Y. Z.\n\n| A | B |\n|---|---|\n"
                             "| Carl Jung | 1 |\n\n```\nCode Name\n```\n",
    })
    reader = load_reader(root, Diagnostics())
    found = unmatched_names(reader)              # no authority file: every name is unknown
    messages = " ".join(d.message for d in found)
    assert "Émile Zola" in messages and "Carl Jung" in messages and "Code Name" not in messages
    assert unmatched_names(object()) == []
