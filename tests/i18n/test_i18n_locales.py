"""The locale files: complete, loaded with fallbacks, overridable; no English left in the templates."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conftest import write_project
from reader_build.diagnostics import Diagnostics
from reader_build.language.locale import (PACKAGE_LOCALES, load_locale, placeholders, reference_strings,
                                        shipped_languages, EXTRA_PLACEHOLDERS)
from reader_build.render.templates import PACKAGE_TEMPLATES
from reader_build.build import load_reader

ISSUE_LANGUAGES = {"en", "ru", "de", "fr", "es", "it", "ja"}


def test_the_languages_of_the_issue_are_shipped():
    assert ISSUE_LANGUAGES <= set(shipped_languages())


@pytest.mark.parametrize("lang", shipped_languages())
def test_every_locale_has_every_string_with_its_placeholders(lang):
    data = tomllib.loads((PACKAGE_LOCALES / f"{lang}.toml").read_text(encoding="utf-8"))
    reference = reference_strings()
    assert set(data["strings"]) == set(reference), lang
    for key, text in data["strings"].items():
        allowed = placeholders(reference[key]) | EXTRA_PLACEHOLDERS.get(key, set())
        assert placeholders(text) <= allowed, (lang, key)
        assert text, (lang, key)
    assert len(data["typography"]["quotes"]) == 4
    assert isinstance(data["citation"]["serial-comma"], bool)
    diags = Diagnostics()
    locale = load_locale(lang, diags=diags)
    assert not diags.items, [d.format() for d in diags.items]
    assert locale.t("contents")


def test_other_languages_do_not_keep_the_english_words():
    english = reference_strings()
    for lang in set(shipped_languages()) - {"en"}:
        locale = load_locale(lang)
        same = [k for k in ("contents", "bibliography", "index-title-person", "index-note", "colophon-typeset",
                            "cite-and", "cite-no-date", "edited-by") if locale.strings[k] == english[k]]
        assert not same, (lang, same)


def test_a_tag_with_a_region_falls_back_to_its_language():
    assert load_locale("de-CH").t("contents") == "Inhalt"
    assert load_locale("en-US").t("contents") == "Contents"
    assert load_locale("ru-RU").typography.quotes[:2] == ("«", "»")


def _strip_template(text: str) -> str:
    """What a template prints of its own: no Jinja code, comments, tags or attribute values
    that are not read (ids, classes, hrefs)."""
    text = re.sub(r"\{#.*?#\}", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", " ", text, flags=re.S)
    shown_attrs = re.findall(r'(?:aria-label|title|alt)="([^"]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    return " ".join([text] + shown_attrs)


@pytest.mark.parametrize("template", sorted(p.name for p in PACKAGE_TEMPLATES.glob("*.j2")))
def test_no_english_word_is_left_in_a_template(template):
    printed = _strip_template((PACKAGE_TEMPLATES / template).read_text(encoding="utf-8"))
    words = re.findall(r"(?<![#\w-])[A-Za-z]{2,}", printed)          # not a fragment (#ix-…)
    assert not words, f"{template} prints {words}: use t(\"key\") and a string in locales/*.toml"


def test_the_grep_finds_an_english_word():
    assert re.findall(r"[A-Za-z]{2,}", _strip_template('<h1>{{ t("x") }}</h1><p aria-label="Notes">Edited by</p>'))


# --- a project's strings and locale files -------------------------------------------------

CHAPTER = """
    ---
    id: one
    title: Eins
    ---

    Text.
    """


def _reader(tmp_path, files: dict):
    root = write_project(tmp_path / "p", {"manuscript/one.md": CHAPTER, **files})
    diags = Diagnostics()
    return load_reader(root, diags), diags


def test_reader_toml_strings_override_the_locale(tmp_path):
    reader, diags = _reader(tmp_path, {"reader.toml": 'title = "T"\nlanguage = "de"\n\n[strings]\n'
                                       'contents = "Inhaltsverzeichnis"\n'})
    assert not diags.items
    assert reader.locale.t("contents") == "Inhaltsverzeichnis"
    assert reader.locale.t("bibliography") == "Literaturverzeichnis"


def test_unknown_string_and_bad_placeholder_are_reported(tmp_path):
    reader, diags = _reader(tmp_path, {"reader.toml": 'title = "T"\n\n[strings]\ncontnets = "X"\n'
                                       'edited-by = "Ed. {editr}"\n'})
    codes = {(d.code, d.severity, d.line) for d in diags.items}
    assert ("strings-unknown-key", "warning", 4) in codes
    assert ("strings-placeholder", "error", 5) in codes
    assert any("contents" in d.message for d in diags.items if d.code == "strings-unknown-key")


def test_a_missing_string_names_the_key_and_the_language_file(tmp_path):
    lines = "\n".join(f'{k} = "x"' for k in reference_strings() if k != "index-see-also")
    reader, diags = _reader(tmp_path, {"reader.toml": 'title = "T"\nlanguage = "eo"\n',
                                       "styles/locales/eo.toml": f"[strings]\n{lines}\n"})
    missing = [d for d in diags.items if d.code == "locale-string-missing"]
    assert len(missing) == 1 and missing[0].severity == "error"
    assert "'index-see-also'" in missing[0].message and missing[0].path == "styles/locales/eo.toml"
    assert reader.locale.t("contents") == "x"


def test_a_language_without_a_file_is_english_with_a_warning(tmp_path):
    reader, diags = _reader(tmp_path, {"reader.toml": 'title = "T"\nlanguage = "eo"\n'})
    [warning] = [d for d in diags.items if d.code == "locale-unknown"]
    assert warning.severity == "warning" and warning.path == "reader.toml" and warning.line == 2
    assert reader.locale.t("contents") == "Contents"


def test_a_project_locale_file_amends_a_shipped_language(tmp_path):
    reader, diags = _reader(tmp_path, {"reader.toml": 'title = "T"\nlanguage = "de-AT"\n',
                                       "styles/locales/de-AT.toml": '[strings]\ncontents = "Inhaltsübersicht"\n'})
    assert not diags.items
    assert reader.locale.t("contents") == "Inhaltsübersicht"
    assert reader.locale.t("index-see") == "siehe"
