"""Index order by language: the Unicode Collation Algorithm with the language's tailoring,
letter groups from the language's alphabet."""
from __future__ import annotations

from reader_build.diagnostics import Diagnostics
from reader_build.index.authority import load_authority
from reader_build.index.build import Mention, build_index
from reader_build.index.collation import index_order
from reader_build.language.locale import load_locale
from reader_build.source.files import SourceFile


def authority_of(headings: list[str], kind: str = "person"):
    text = "".join(f'[[entry]]\nid = "e{n}"\nkind = "{kind}"\nheading = "{h}"\nvariants = ["{h}"]\n\n'
                   for n, h in enumerate(headings))
    diags = Diagnostics()
    authority = load_authority([SourceFile("manuscript/index.toml", text)], diags)
    assert not diags.items, [d.format() for d in diags.items]
    return authority


def index_in(lang: str, headings: list[str]) -> list[tuple[str, list[str]]]:
    """(letter, headings) of the printed index of *headings* in the language *lang*."""
    authority = authority_of(headings)
    mentions = [Mention(f"m{n}", f"e{n}", "c", False) for n in range(len(headings))]
    groups = build_index(authority, "person", mentions, lambda mid: 1, lambda mid: f"#{mid}",
                         order=index_order(load_locale(lang)))
    return [(g.letter, [line.entry.heading for line in g.lines]) for g in groups]


CYRILLIC = ["Яковлев, А.", "Ёлкин, П.", "Ельцин, Б.", "Елкин, П.", "Жуков, Г.", "Ежов, Н.", "Андропов, Ю.",
            "Эренбург, И.", "Щербаков, А.", "Шепилов, Д.", "Громыко, А.", "Ёж, И.", "Ивлев, Р.", "Йоффе, А.",
            "Hasegawa, T.", "Булганин, Н."]


def test_a_cyrillic_index_in_russian_order():
    assert index_in("ru", CYRILLIC) == [
        ("А", ["Андропов, Ю."]),
        ("Б", ["Булганин, Н."]),
        ("Г", ["Громыко, А."]),
        # ё sorts as е, and after е where the words are otherwise alike (Елкин, Ёлкин)
        ("Е", ["Ёж, И.", "Ежов, Н.", "Елкин, П.", "Ёлкин, П.", "Ельцин, Б."]),
        ("Ж", ["Жуков, Г."]),
        ("И", ["Ивлев, Р."]),
        ("Й", ["Йоффе, А."]),
        ("Ш", ["Шепилов, Д."]),
        ("Щ", ["Щербаков, А."]),
        ("Э", ["Эренбург, И."]),
        ("Я", ["Яковлев, А."]),
        ("H", ["Hasegawa, T."]),          # Latin after Cyrillic in a Russian index
    ]


GERMAN = ["Zweig, Stefan", "Özil, Mesut", "Ober, Hans", "Äbi, Karl", "Abel, Otto", "Affe, Max", "Über, Uwe",
          "Uhland, Ludwig", "Müller, Heinrich", "Mueller, Anna", "Muller, Jan", "Schröder, Gerhard",
          "Schroeder, Paul", "Schrader, Fritz", "Ärger, Emil"]


def test_a_german_index_in_german_order():
    assert index_in("de", GERMAN) == [
        # ä as a, ö as o, ü as u (DIN 5007-1): after the plain letter only where all else is alike
        ("A", ["Abel, Otto", "Äbi, Karl", "Affe, Max", "Ärger, Emil"]),
        ("M", ["Mueller, Anna", "Muller, Jan", "Müller, Heinrich"]),
        ("O", ["Ober, Hans", "Özil, Mesut"]),
        ("S", ["Schrader, Fritz", "Schröder, Gerhard", "Schroeder, Paul"]),
        ("U", ["Über, Uwe", "Uhland, Ludwig"]),
        ("Z", ["Zweig, Stefan"]),
    ]


def test_spanish_n_with_tilde_is_a_letter_after_n():
    assert index_in("es", ["Ñandú, A.", "Núñez, B.", "Nuño, C.", "Oca, D.", "Nuno, E.", "Nazca, F."]) == [
        ("N", ["Nazca, F.", "Nuno, E.", "Núñez, B.", "Nuño, C."]),
        ("Ñ", ["Ñandú, A."]),
        ("O", ["Oca, D."]),
    ]


def test_japanese_kana_in_gojuon_rows():
    assert index_in("ja", ["さとう", "かとう", "あべ", "がもう", "きし", "たなか", "いとう"]) == [
        ("あ", ["あべ", "いとう"]),
        ("か", ["かとう", "がもう", "きし"]),
        ("さ", ["さとう"]),
        ("た", ["たなか"]),
    ]


def test_english_order_is_the_folded_word_by_word_order():
    assert index_order(load_locale("en")) is None
    groups = index_in("en", ["New York", "Newark", "Ōno, B.", "Oda, A."])
    assert groups == [("N", ["New York", "Newark"]), ("O", ["Oda, A.", "Ōno, B."])]
