"""The bundled reader builds with no warning but a listed, explained few."""
from __future__ import annotations

# (code, what the message names) -> why the warning stays
EXPLAINED = {
    ("bib-incomplete", "frus-1951-vi-1"): "FRUS 1951, vol. VI, part 1: its year of publication could not be "
                                          "verified, and only verified years go into the bibliography",
    ("bib-incomplete", "savka-2005"): "the Pravda report on Putin's answer of 27 September 2005 bears no date "
                                      "that could be read",
}


def _named(diagnostic) -> str:
    return next((key for code, key in EXPLAINED if code == diagnostic.code and f"'{key}'" in diagnostic.message), "")


def test_the_bundled_reader_builds_with_only_the_explained_warnings(bundled):
    found = {(d.code, _named(d)) for d in bundled["result"].diagnostics}
    assert not any(d.severity == "error" for d in bundled["result"].diagnostics)
    assert found == set(EXPLAINED), [d.format() for d in bundled["result"].diagnostics]
