"""Greek and Cyrillic in a large-print edition set in the sans face (Atkinson Hyperlegible has
neither): they are set in the book's serif (Linux Libertine), never in a font of the machine,
and the glyph check has nothing to say.  Chinese, Japanese and Korean in a project with no
fonts of its own: set in the packaged CJK fallback, which the e-book and the web edition
carry cut to the characters they use; a rare Han character outside it is a warning."""
from __future__ import annotations

import importlib.util
import io

from fontTools.ttLib import TTFont

from conftest import REPO, epub_documents, epubcheck_messages, normalise, pdf_fonts, pdf_page_texts, write_project

from reader_build.build import build, check

FILES = {
    "reader.toml": """
        title = "Scripts in Large Print"
        language = "en"

        [editions.large]
        format = "pdf"
        medium = "large-print"
        font = "sans"
        page-size = "a4"
        font-size = "16pt"
        """,
    "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\nGreek λόγος and Cyrillic мир in a sans text [@doe].\n",
    "bibliography/refs.bib": "@book{doe, author = {Doe, Jane}, title = {A Book}, year = {2001}}\n",
}


def test_greek_and_cyrillic_fall_back_to_the_book_serif(tmp_path):
    root = write_project(tmp_path / "reader", FILES)
    result = build(root)
    assert result.status == 0
    assert not [d for d in result.diagnostics if d.code == "glyph-missing"]
    text = normalise(" ".join(pdf_page_texts(root / "build" / "large.pdf")))
    assert "Greek λόγος and Cyrillic мир in a sans text" in text
    names = {font["name"].split("+")[-1] for font in pdf_fonts(root / "build" / "large.pdf")}
    assert names and all(name.startswith(("Reader-Sans", "Reader-Serif")) for name in names), names
    assert any(name.startswith("Reader-Serif") for name in names)


# --- the packaged CJK fallback (Noto Serif CJK, cut to the common characters) -------------

CJK = {
    "reader.toml": """
        title = "Scripts of East Asia"
        [editions.print]
        format = "pdf"
        [editions.large]
        format = "pdf"
        medium = "large-print"
        font = "sans"
        [editions.ebook]
        format = "epub"
        [editions.web]
        format = "html"
        """,
    "manuscript/one.md": "---\nid: one\ntitle: One 東京\n---\n\n"
                         "Japanese: 日本国との平和条約は、サンフランシスコで署名された。\n\n"
                         "Chinese: 中华人民共和国没有参加旧金山会议。\n\n"
                         "Korean: 대한민국은 조약에 서명하지 않았다 [@doe].\n",
    "bibliography/refs.bib": FILES["bibliography/refs.bib"],
}
USED = {ord(c) for c in "東京日本国との平和条約はサンフランシスコで署名された中华人民共和国没有参加旧金山会议"
                        "대한민국은조약에서명하지않았다、。"}


def _character_set() -> set[int]:
    spec = importlib.util.spec_from_file_location("make_cjk_fallback", REPO / "scripts" / "make_cjk_fallback.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.character_set()


def test_the_packaged_fallback_holds_the_character_set_its_script_defines():
    font = REPO / "src" / "reader_build" / "styles" / "fonts" / "NotoSerifCJK-Fallback.otf"
    cmap = set(TTFont(font).getBestCmap())
    wanted = _character_set()
    assert cmap <= wanted and len(wanted - cmap) < 20      # (a few code points of the blocks are unassigned)
    assert len(cmap) > 7900 and font.stat().st_size < 4 * 2**20
    # a space between two Korean words is set in the font of the words around it (Pango): the
    # fallback has its own, else the large-print edition printed a box there
    assert {0x20, 0xA0} <= cmap
    assert (REPO / "src" / "reader_build" / "styles" / "fonts" / "LICENSE-NotoSerifCJK.txt").exists()


def test_japanese_chinese_and_korean_print_in_the_fallback_without_fonts_of_the_project(tmp_path):
    root = write_project(tmp_path / "reader", CJK)
    result = build(root)
    assert result.status == 0
    assert not [d for d in result.diagnostics if d.code == "glyph-missing"]
    pdf = root / "build" / "print.pdf"
    text = normalise(" ".join(pdf_page_texts(pdf)))
    assert "中华人民共和国没有参加旧金山会议" in text and "대한민국은 조약에 서명하지 않았다" in text
    assert "日本国との平和条約は、サンフランシスコで署名された" in text.replace(" ", "")
    names = {font["name"].split("+")[-1] for font in pdf_fonts(pdf)}
    assert "Reader-CJK-Fallback" in names and all(n.startswith("Reader-") for n in names), names
    large = {font["name"].split("+")[-1] for font in pdf_fonts(root / "build" / "large.pdf")}
    assert "Reader-CJK-Fallback" in large and all(n.startswith("Reader-") for n in large), large
    # the e-book carries the fallback cut to the characters it uses (not megabytes), and is valid
    epub = root / "build" / "ebook.epub"
    docs = epub_documents(epub)
    font = docs["EPUB/fonts/NotoSerifCJK-Fallback.otf"]
    assert set(TTFont(io.BytesIO(font)).getBestCmap()) == USED and len(font) < 100_000
    assert b"NotoSerifCJK-Fallback.otf" in docs["EPUB/style/epub.css"]
    assert epubcheck_messages(epub) == []
    web_font = root / "build" / "web" / "fonts" / "NotoSerifCJK-Fallback.woff2"
    assert set(TTFont(web_font).getBestCmap()) == USED
    assert "fonts/NotoSerifCJK-Fallback.woff2" in (root / "build" / "web" / "web.css").read_text()


def test_a_book_without_cjk_carries_no_fallback(tmp_path):
    root = write_project(tmp_path / "reader", {**CJK, "manuscript/one.md": "---\nid: one\ntitle: One\n---\n\nText [@doe].\n"})
    assert build(root, ["ebook", "web"]).status == 0
    assert not [n for n in epub_documents(root / "build" / "ebook.epub") if "CJK" in n]
    assert not (root / "build" / "web" / "fonts" / "NotoSerifCJK-Fallback.woff2").exists()


def test_a_rare_han_character_outside_the_fallback_is_a_warning_at_its_place(tmp_path):
    one = "---\nid: one\ntitle: One\n---\n\n日本語の文。\nA rare one: 鬱 here.\n"
    root = write_project(tmp_path / "reader", {**CJK, "manuscript/one.md": one})
    found = [d for d in check(root) if d.code == "glyph-missing"]
    assert [(d.path, d.line, d.col, d.severity) for d in found] == [("manuscript/one.md", 7, 13, "warning")]
    assert "U+9B31" in found[0].message and "Han" in found[0].message
