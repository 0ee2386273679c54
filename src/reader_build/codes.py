"""The registry of diagnostic codes: every problem reader-build reports has a stable code.

Each code has a severity (the one it is reported with; ``--strict`` makes warnings
errors), a one-line meaning, and the stage that reports it.  The table in
docs/diagnostics.md is generated from this registry (``python -m reader_build.codes``),
and a test fails when a code used in the source is not declared here, when a code
declared here is used nowhere, or when the docs' table is stale.
"""
from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    stage: str
    meaning: str

    @property
    def anchor(self) -> str:
        """The code's anchor in docs/diagnostics.md."""
        return f"docs/diagnostics.md#{self.code}"


def _codes(stage: str, *rows: tuple[str, str, str]) -> list[Code]:
    return [Code(code, severity, stage, meaning) for code, severity, meaning in rows]


REGISTRY: dict[str, Code] = {c.code: c for c in [
    *_codes(
        "read",
        ("project-missing", ERROR, "The project folder given on the command line does not exist."),
        ("config-missing", ERROR, "The project has no reader.toml."),
        ("config-toml", ERROR, "reader.toml is not valid TOML."),
        ("config-title", ERROR, "reader.toml has no title."),
        ("config-type", ERROR, "A key of reader.toml has a value of the wrong type."),
        ("config-unknown-key", ERROR, "reader.toml has a key that reader-build does not know."),
        ("config-value", ERROR, "A key of reader.toml has a value outside the allowed ones."),
        ("large-print-size", WARNING, "A large-print edition is set smaller than the guidelines' minimum."),
        ("config-font-ignored", WARNING, "An edition's font is given, and only large-print editions read it."),
        ("locale-unknown", WARNING, "No locale file for the reader's language: its fixed words are English."),
        ("locale-string-missing", ERROR, "A string is missing from a language's locale file (key and file named)."),
        ("locale-invalid", ERROR, "A locale file cannot be read, or one of its tables is not a table."),
        ("strings-unknown-key", WARNING, "An unknown key in [strings] of reader.toml or in a locale file."),
        ("strings-placeholder", ERROR, "A string uses a {placeholder} that its key does not allow."),
        ("no-chapters", ERROR, "The project has no Markdown chapter."),
        ("chapter-missing", ERROR, "A chapter listed in reader.toml does not exist."),
        ("chapter-outside", ERROR, "A chapter listed in reader.toml lies outside the project."),
        ("file-missing", ERROR, "A source file does not exist."),
        ("file-too-large", ERROR, "A source file is larger than reader-build reads."),
        ("not-utf8", ERROR, "A source file is not UTF-8 text."),
        ("image-too-large", ERROR, "An image is larger than reader-build reads."),
        ("file-unreadable", ERROR, "A source file cannot be read (a folder, no permission, bad encoding)."),
        ("outside-project", ERROR, "A source is a link that points outside the project."),
        ("image-missing", ERROR, "An image the manuscript names does not exist."),
        ("image-not-image", ERROR, "A file the manuscript uses as an image is not PNG, JPEG, GIF, WebP or SVG."),
        ("image-outside", ERROR, "An image lies outside the project folder."),
        ("image-remote", ERROR, "An image is on the network; nothing is fetched."),
        ("image-unsafe", ERROR, "An SVG image has scripts or external references."),
        ("index-empty", WARNING, "The authority file of the index has no entry."),
    ),
    *_codes(
        "parse",
        ("chapter-empty", ERROR, "A chapter file is empty."),
        ("chapter-kind", ERROR, "A chapter's front matter gives an unknown kind."),
        ("chapter-no-id", ERROR, "A chapter's front matter has no id."),
        ("chapter-no-title", ERROR, "A chapter's front matter has no title."),
        ("front-matter-missing", ERROR, "A chapter has no YAML front matter."),
        ("front-matter-unterminated", ERROR, "A chapter's front matter is never closed by '---'."),
        ("front-matter-yaml", ERROR, "A chapter's front matter is not valid YAML."),
        ("front-matter-key", WARNING, "A chapter's front matter has a key that reader-build does not know."),
        ("bad-id", ERROR, "An explicit id is not a valid anchor (letters, digits, hyphens)."),
        ("heading-empty", WARNING, "A heading has no text; it is left out."),
        ("heading-level-1", WARNING, "A '#' heading inside a chapter (the chapter title comes from the front matter)."),
        ("note-undefined", ERROR, "A note is called but never defined."),
        ("note-unused", ERROR, "A note is defined but never called."),
        ("note-duplicate", ERROR, "A note label is defined twice in one chapter."),
        ("note-reused", WARNING, "A note is called more than once."),
        ("note-in-title", ERROR, "A note is called in a chapter's title in the front matter, where no note can be set."),
        ("cite-in-title", ERROR, "A chapter's title in the front matter cites a work, which would print as written."),
        ("note-in-alt", ERROR, "A note is called in an image's alt text, which is printed nowhere."),
        ("tex-ignored", WARNING, "A paragraph of raw TeX that reader-build does not understand was left out."),
        ("grid-table-kept", WARNING, "A grid table with a spanning cell or a ragged line is printed as written, "
                                     "in a code block."),
        ("math-as-tex", WARNING, "The chapter has TeX math ($…$, $$…$$): it is printed as its TeX source, "
                                 "as reader-build typesets no math."),
        ("html-repaired", WARNING, "Raw HTML that could not stand where it was is unwrapped, removed or wrapped."),
        ("html-duplicate-id", WARNING, "An id in raw HTML is already used in the book; it is renamed (x-1)."),
        ("link-local-file", ERROR, "A link points to a local file that is neither a chapter of the book nor an image of the project."),
        ("link-unknown-target", ERROR, "A link points to an id that no chapter defines."),
        ("link-invalid-url", ERROR, "A link's http(s) or mailto URL is not valid."),
        ("link-scheme", WARNING, "A link's scheme is not http, https or mailto; its text is printed without it."),
        ("link-other-chapter", WARNING, "A link names one chapter file and an id that stands in another."),
        ("xref-unknown", ERROR, "A cross-reference (fig:, tbl:, page:, note:, or quarto's fig-, tbl-, sec-) names an unknown target."),
        ("xref-mixed", ERROR, "A citation key stands inside the brackets of a cross-reference."),
        ("glyph-missing", WARNING, "No font of the book covers a character (the script is named)."),
        ("index-unknown-entry", ERROR, "An index span names an entry the authority file does not have."),
    ),
    *_codes(
        "index",
        ("index-toml", ERROR, "The authority file is not valid TOML."),
        ("index-bad-entry", ERROR, "An authority entry has an unknown key or a value of the wrong type."),
        ("index-duplicate-id", ERROR, "Two authority entries have the same id."),
        ("index-unknown-ref", ERROR, "'see', 'see also' or 'parent' names an unknown entry."),
        ("index-variant-conflict", ERROR, "One variant belongs to two authority entries."),
        ("index-unmatched-name", WARNING, "A capitalised name in the text matches no authority entry (check)."),
        ("index-unknown-figure", ERROR, "An authority entry's figures name an unknown figure label."),
        ("index-entry-unused", WARNING, "An authority entry matches nothing in the text (check)."),
    ),
    *_codes(
        "bibliography",
        ("bib-syntax", ERROR, "A .bib file has a syntax error."),
        ("bib-duplicate-key", ERROR, "Two bibliography entries have the same key."),
        ("bib-duplicate-field", WARNING, "A bibliography entry has the same field twice; the first is kept."),
        ("bib-undefined-string", WARNING, "A .bib file uses an @string macro it never defines."),
        ("bib-crossref-missing", WARNING, "A crossref names an entry that does not exist."),
        ("bib-crossref-loop", WARNING, "A chain of crossrefs loops back on itself."),
        ("bib-name", WARNING, "A name in a bibliography entry cannot be read."),
        ("bib-et-al", WARNING, "A list of names ends with a written \"et al.\"; it is read as BibTeX's 'and others'."),
        ("bib-empty", WARNING, "A .bib file has no entry."),
        ("bib-incomplete", WARNING, "A bibliography entry lacks a field its reference needs."),
        ("bib-style-unknown", ERROR, "reader.toml names a bibliography style that does not exist."),
        ("bib-style-invalid", ERROR, "A project's .csl style is not well-formed CSL (or names a parent not installed)."),
        ("bib-locale-unknown", WARNING, "No CSL locale for the bibliography's locale or the reader's language: en-US is used."),
        ("cite-unknown", ERROR, "A citation names a key that no .bib file has."),
        ("cite-unused", WARNING, "A bibliography entry is never cited, so it is not listed."),
    ),
    *_codes(
        "resolve",
        ("duplicate-id", ERROR, "Two elements of the book have the same id."),
        ("html-removed", WARNING, "Raw HTML that is unsafe or unsupported was removed."),
        ("image-no-alt", ERROR, "An image has no alternative text."),
        ("edition-unknown", ERROR, "The command line names an edition the project does not have."),
        ("handout-edition-unknown", ERROR, "A handout names an edition the project does not have."),
        ("handout-edition-not-pdf", ERROR, "A handout names an edition that is not a PDF."),
        ("handout-no-print-edition", ERROR, "A handout is asked for, and the project has no PDF edition."),
        ("handout-options", ERROR, "A handout's options contradict each other."),
        ("handout-section-unknown", ERROR, "A handout names a section that does not exist."),
        ("handout-section-not-printed", ERROR, "A handout names a section that its edition leaves out."),
    ),
    *_codes(
        "render",
        ("template-missing", ERROR, "A template is neither in the project's styles/ nor in the package."),
        ("template-syntax", ERROR, "A template has a Jinja2 syntax error."),
        ("template-undefined", ERROR, "A template uses a variable that is not defined."),
        ("template-error", ERROR, "A template failed while it was rendered."),
        ("template-encoding", ERROR, "A template or stylesheet is not UTF-8."),
        ("css-encoding", ERROR, "A stylesheet is not UTF-8."),
        ("css-invalid", ERROR, "A stylesheet cannot be read as CSS."),
        ("css-import", ERROR, "A stylesheet uses @import, which is not followed."),
        ("css-ignored", WARNING, "WeasyPrint ignores a rule or declaration of a stylesheet."),
        ("web-link-broken", WARNING, "A link of the web edition leads to no page or id of the site."),
        ("web-script-missing", ERROR, "web.js is found neither in the project's styles/ nor in the package."),
        ("fetch-refused", ERROR, "The styles ask for a file that is not part of the project."),
    ),
    *_codes(
        "layout",
        ("weasyprint-version", ERROR, "The installed WeasyPrint is not the version reader-build extends."),
        ("worker-died", ERROR, "A layout worker process died (killed, or out of memory); nothing is written."),
        ("out-of-memory", ERROR, "The layout, or the CSL processor (V8), cannot have the memory it needs (ulimit -v)."),
        ("xref-page-missing", WARNING, "A page reference points into a chapter this edition leaves out (p. ?)."),
        ("note-misplaced", WARNING, "A note could not be kept on the page of its call."),
        ("parallel-unsettled", WARNING, "The pages of a part did not settle; its folios may be wrong."),
        ("parallel-merge", WARNING, "A problem met while the laid-out parts were merged."),
        ("parallel-fallback", WARNING, "The parts could not be merged into one tagged PDF; laid out as one."),
    ),
    *_codes(
        "write",
        ("output-write", ERROR, "An output could not be written; the previous editions are kept."),
        ("cache-write", WARNING, "A cache entry could not be written; the build goes on without it (never an error)."),
        ("cache-damaged", WARNING, "A cache entry could not be read or failed its hash; it is made again."),
        ("build-locked", ERROR, "Another build of the same project is running."),
    ),
    *_codes(
        "check",
        ("serve-no-web-edition", ERROR, "reader-build serve is run on a project with no web (html) edition."),
        ("validator-missing", WARNING, "A validator (EPUBCheck, Ace) is not installed, so it did not run."),
        ("epubcheck-failed", ERROR, "EPUBCheck reports a problem in a built e-book."),
        ("ace-failed", ERROR, "Ace by DAISY reports an accessibility violation in a built e-book."),
    ),
]}


# Codes made from a validator's own rule ids: EPUBCheck's (epubcheck-rsc-005) and Ace's (ace-color-contrast).
FAMILIES: dict[str, Code] = {
    "epubcheck-": Code("epubcheck-ID", ERROR, "check", "EPUBCheck's message ID (lower case) on a built e-book."),
    "ace-": Code("ace-RULE", ERROR, "check", "An Ace by DAISY rule violated by a built e-book."),
}


def lookup(code: str) -> Code | None:
    """The registry's entry for *code* (a family's for validator codes), or None."""
    if code in REGISTRY:
        return REGISTRY[code]
    return next((family for prefix, family in FAMILIES.items() if code.startswith(prefix)), None)


def markdown_table() -> str:
    """The table of docs/diagnostics.md."""
    lines = ["| code | severity | stage | meaning |", "| --- | --- | --- | --- |"]
    for code in sorted([*REGISTRY.values(), *FAMILIES.values()], key=lambda c: c.code):
        lines.append(f'| <a id="{code.code}"></a>`{code.code}` | {code.severity} | {code.stage} | {code.meaning} |')
    return "\n".join(lines) + "\n"


DOC_HEAD = """# Diagnostics

Every problem reader-build finds is printed as one line,
`path:line:col: severity [code]: message`. The codes are stable: search for them, or
turn warnings into errors with `--strict`. This table is generated from
`src/reader_build/codes.py` (`python -m reader_build.codes > docs/diagnostics.md`);
[bad-input.md](bad-input.md) shows the exact message for each bad input tried.

"""

if __name__ == "__main__":
    print(DOC_HEAD + markdown_table(), end="")
