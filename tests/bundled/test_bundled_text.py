"""Tests that keep the bundled reader's edition of the article honest.

The bundled reader is an annotated edition of "Why there is no peace treaty with
Japan". Its text lives in manuscript/03-*.md, 04-*.md and 05-*.md; the raw scraped
source is tests/data/seed-article.txt. These tests check that

* every sentence of the article survives, in order, once Markdown, footnotes and
  marked editorial interventions (text in \\[ ... \\]) are taken out;
* none of the scrape debris is left;
* citations and the bibliography match in both directions;
* footnote calls and definitions match in every chapter file;
* every image has alt text.

Only the standard library and yaml are used.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "seed-article.txt"
MANUSCRIPT = ROOT / "manuscript"
BIBLIOGRAPHY = ROOT / "bibliography"

ARTICLE_GLOBS = ("03-*.md", "04-*.md", "05-*.md")

# Lines of the scraped page that are not part of the article.
DEBRIS_EXACT = {"Image", "Anonim", "Why there is no peace treaty with Japan"}
DEBRIS_PREFIXES = ("Video:", "Table of contents:", "Recommended:")

# Section titles of the article: in the edition they are chapter titles (front matter).
SECTION_TITLES = {
    "Separate San Francisco Peace Treaty",
    "Dulles' blackmail and Khrushchev's voluntarism",
}

# Captions of the photographs on the scraped page: not sentences of the article.
CAPTIONS = {
    "A. A. Gromyko. Photo by ITAR-TASS.",
    "The landing of American troops in the Philippines. In the foreground is "
    "General MacArthur. October 1944",
    'Map of the so-called "disputed territories".',
    "US Secretary of State J. Dulles.",
    "Permanent Representative of the USSR to the UN Ya. A. Malik.",
}

# Sentences of the seed that may differ in the edition because an editorial
# intervention is marked at that place, with the reason for each.
#
# The list is empty on purpose: every intervention in the edition only *adds*
# bracketed text (\[ ... \]) at the place where words are missing, so once the
# brackets are removed each sentence reads exactly as in the seed. Add an entry
# here only if an intervention has to replace words, and say why.
ALLOWED_TO_DIFFER: dict[str, str] = {}

MIN_NOTES = 45


# --------------------------------------------------------------------------- helpers


def article_files() -> list[Path]:
    files = []
    for pattern in ARTICLE_GLOBS:
        found = sorted(MANUSCRIPT.glob(pattern))
        assert len(found) == 1, f"expected exactly one manuscript/{pattern}, found {found}"
        files.extend(found)
    return files


def all_manuscript_files() -> list[Path]:
    files = sorted(MANUSCRIPT.glob("*.md"))
    assert files, "no manuscript/*.md files"
    return files


def split_front_matter(text: str) -> tuple[dict, str]:
    match = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end():]


def strip_note_definitions(body: str) -> str:
    """Remove footnote definitions and their indented continuation paragraphs."""
    out, in_note = [], False
    for line in body.split("\n"):
        if re.match(r"\[\^[^\]]+\]:", line):
            in_note = True
            continue
        if in_note and (line.startswith("    ") or line.startswith("\t") or not line.strip()):
            continue
        in_note = False
        out.append(line)
    return "\n".join(out)


def normalize(text: str) -> str:
    """Unify quotes, dashes and ellipses; collapse white space."""
    for ch in "\u201c\u201d\u201e\u201f":
        text = text.replace(ch, '"')
    for ch in "\u2018\u2019\u201a\u201b":
        text = text.replace(ch, "'")
    text = text.replace("\u2026", "...")
    text = text.replace("---", "-").replace("--", "-")
    text = text.replace("\u2014", "-").replace("\u2013", "-")
    text = text.replace("&nbsp;", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def squeeze(text: str) -> str:
    """The comparison form: normalized, with all white space removed.

    White space is dropped altogether so that spacing repairs (a missing space
    after a comma, a stray space before a closing quote) do not count as changes.
    """
    return re.sub(r"\s+", "", normalize(text))


def article_body_text(path: Path) -> str:
    """The article text of one chapter file, as a reader would read it."""
    _, body = split_front_matter(path.read_text(encoding="utf-8"))
    body = strip_note_definitions(body)
    body = re.sub(r"\\\[.*?\\\]", "", body, flags=re.S)  # marked interventions
    body = re.sub(r"\[\^[^\]]+\]", "", body)  # footnote calls
    body = re.sub(r"^!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?\s*$", "", body, flags=re.M)  # figures, {#fig:x}
    body = re.sub(r"^\{[.#][^}]*\}\s*$", "", body, flags=re.M)  # {.lead}
    body = re.sub(r"^\s*>\s?", "", body, flags=re.M)  # block quotes
    body = re.sub(r"^#{1,6}\s+(.*?)(\s+\{[^}]*\})?\s*$", r"\1", body, flags=re.M)
    body = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", body)  # [text]{ix=...}
    body = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body)  # backslash escapes
    body = body.replace("*", "")
    return body


def seed_paragraphs() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    paragraphs = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line in DEBRIS_EXACT or line.startswith(DEBRIS_PREFIXES):
            continue
        if line in SECTION_TITLES or normalize(line) in {normalize(c) for c in CAPTIONS}:
            continue
        paragraphs.append(line)
    return paragraphs


SENTENCE_END = re.compile(r'(?<=[.!?"\u201d\u2026])\s+(?=["\u201c\u2026A-Z0-9])')


def seed_sentences() -> list[str]:
    sentences = []
    for paragraph in seed_paragraphs():
        for sentence in SENTENCE_END.split(normalize(paragraph)):
            if sentence.strip():
                sentences.append(sentence.strip())
    return sentences


def paragraphs_of(body: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body) if p.strip()]


# --------------------------------------------------------------------------- tests


def test_front_matter_of_article_chapters():
    expected = [
        ("opening", "Why there is no peace treaty with Japan"),
        ("san-francisco", "Separate San Francisco Peace Treaty"),
        ("dulles-khrushchev", "Dulles' blackmail and Khrushchev's voluntarism"),
    ]
    for path, (chapter_id, title) in zip(article_files(), expected):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        assert meta.get("id") == chapter_id, path.name
        assert meta.get("title") == title, path.name
        assert meta.get("short"), f"{path.name}: no running head"
        assert meta.get("kind", "chapter") == "chapter", path.name


def test_lead_paragraph():
    path = article_files()[0]
    _, body = split_front_matter(path.read_text(encoding="utf-8"))
    first = paragraphs_of(body)[0].strip().split("\n")
    assert first[0].strip() == "{.lead}"
    assert first[1].startswith("Soviet-Japanese diplomatic relations were restored 57 years ago.")


def test_every_sentence_of_the_article_is_kept_in_order():
    edition = squeeze("\n".join(article_body_text(p) for p in article_files()))
    sentences = seed_sentences()
    assert len(sentences) > 200, "the seed article was not read correctly"
    missing, position = [], 0
    for sentence in sentences:
        found = edition.find(squeeze(sentence), position)
        if found < 0:
            if sentence not in ALLOWED_TO_DIFFER:
                missing.append(sentence)
            continue
        position = found + len(squeeze(sentence))
    assert not missing, "sentences missing, changed or out of order:\n" + "\n".join(missing)


def test_allowed_differences_are_real_seed_sentences():
    sentences = set(seed_sentences())
    for sentence, reason in ALLOWED_TO_DIFFER.items():
        assert sentence in sentences, sentence
        assert reason.strip(), f"no reason given for {sentence!r}"


def test_nothing_but_the_article_is_added_outside_notes_and_interventions():
    """The edition's body is the seed text: nothing else but marked additions."""
    edition = squeeze("\n".join(article_body_text(p) for p in article_files()))
    seed = squeeze("\n".join(seed_paragraphs()))
    assert edition == seed


def test_photo_captions_are_left_out():
    for path in article_files():
        for paragraph in paragraphs_of(article_body_text(path)):
            assert normalize(paragraph) not in {normalize(c) for c in CAPTIONS}, (
                f"{path.name}: photo caption kept as text: {paragraph!r}"
            )


def test_no_debris_remains():
    for path in all_manuscript_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            stripped = line.strip()
            assert stripped not in {"Image", "Anonim"}, f"{path.name}:{number}: {line!r}"
            assert not stripped.startswith(DEBRIS_PREFIXES), f"{path.name}:{number}: {line!r}"
    for path in article_files():
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        for line in body.split("\n"):
            stripped = line.strip()
            assert stripped not in DEBRIS_EXACT | SECTION_TITLES, f"{path.name}: {line!r}"


def test_interventions_are_annotated():
    """Every marked intervention is followed by a note call in the same paragraph."""
    count = 0
    for path in article_files():
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        for paragraph in paragraphs_of(strip_note_definitions(body)):
            for match in re.finditer(r"\\\[.*?\\\]", paragraph, re.S):
                count += 1
                assert re.search(r"\[\^[^\]]+\]", paragraph[match.end():]), (
                    f"{path.name}: intervention {match.group(0)!r} has no note"
                )
    assert count >= 6, "the interventions of fact sheet §4.6 are not all marked"


# --- citations and bibliography

CITATION = re.compile(r"(?<![\w\\])@([A-Za-z0-9_](?:[A-Za-z0-9_]|[:./\-](?=[A-Za-z0-9_]))*)")
BIB_ENTRY = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]+)\s*,", re.M)


def bib_keys() -> list[str]:
    keys = []
    for path in sorted(BIBLIOGRAPHY.glob("*.bib")):
        for entry_type, key in BIB_ENTRY.findall(path.read_text(encoding="utf-8")):
            if entry_type.lower() not in {"comment", "string", "preamble"}:
                keys.append(key)
    return keys


def cited_keys() -> set[str]:
    keys = set()
    for path in all_manuscript_files():
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        keys.update(CITATION.findall(body))
    # cross-references (@fig:, @tbl:, @page:, @note:) are never citation keys
    return {key for key in keys if key.split(":", 1)[0].lower() not in ("fig", "tbl", "page", "note")}


def test_bibliography_has_no_duplicate_keys():
    assert (BIBLIOGRAPHY / "reader.bib").is_file()
    keys = bib_keys()
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_every_citation_is_in_the_bibliography():
    unknown = cited_keys() - set(bib_keys())
    assert not unknown, f"cited but not in bibliography/*.bib: {sorted(unknown)}"


def test_every_bibliography_entry_is_cited():
    uncited = set(bib_keys()) - cited_keys()
    assert not uncited, f"in bibliography/*.bib but never cited: {sorted(uncited)}"


# --- footnotes

NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:", re.M)


def test_footnote_calls_and_definitions_match():
    for path in all_manuscript_files():
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        definitions = NOTE_DEFINITION.findall(body)
        calls = NOTE_CALL.findall(body)
        assert len(definitions) == len(set(definitions)), f"{path.name}: a note is defined twice"
        assert not set(calls) - set(definitions), (
            f"{path.name}: calls without definition: {sorted(set(calls) - set(definitions))}"
        )
        assert not set(definitions) - set(calls), (
            f"{path.name}: definitions without call: {sorted(set(definitions) - set(calls))}"
        )


def test_enough_notes():
    total = sum(
        len(NOTE_DEFINITION.findall(path.read_text(encoding="utf-8")))
        for path in all_manuscript_files()
    )
    assert total >= MIN_NOTES, f"only {total} notes"


# --- images

def test_every_image_has_alt_text():
    for path in all_manuscript_files():
        text = path.read_text(encoding="utf-8")
        for alt, target in re.findall(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)", text):
            assert alt.strip(), f"{path.name}: image {target} has no alt text"
            assert not re.match(r"[a-z]+://", target), f"{path.name}: remote image {target}"
