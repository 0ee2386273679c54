"""`reader-build template`: list, print and copy the packaged templates; a project template
that extends the packaged one and replaces a single block."""
from __future__ import annotations

import pytest

from conftest import MINIMAL, normalise, pdf_page_texts, write_project
from reader_build.cli import main
from reader_build.source.styles import PACKAGE_STYLES, PACKAGE_TEMPLATES


def run(capsys, *args):
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_list_names_every_packaged_template_and_stylesheet(capsys):
    status, out, _ = run(capsys, "template", "--list")
    assert status == 0
    listed = [line.split()[0] for line in out.splitlines()]
    packaged = sorted(p.name for p in PACKAGE_TEMPLATES.glob("*.j2")) + sorted(p.name for p in PACKAGE_STYLES.glob("*.css"))
    assert listed == packaged
    assert "blocks: head, styles, title_page" in out


@pytest.mark.parametrize("name", ["book.html.j2", "print.css", "epub-chapter.xhtml.j2"])
def test_name_prints_the_packaged_file(capsys, name):
    status, out, _ = run(capsys, "template", name)
    folder = PACKAGE_TEMPLATES if name.endswith(".j2") else PACKAGE_STYLES
    assert status == 0 and out == (folder / name).read_text(encoding="utf-8")


def test_unknown_name_is_a_command_line_error(capsys):
    status, _, err = run(capsys, "template", "book.htm.j2")
    assert status == 2 and "did you mean 'book.html.j2'" in err


def test_copy_writes_into_styles_and_never_over_a_file(tmp_path, capsys):
    root = write_project(tmp_path / "p", MINIMAL)
    status, out, _ = run(capsys, "template", "print.css", "--copy", "--dir", str(root))
    assert status == 0 and "wrote" in out
    copied = root / "styles" / "print.css"
    assert copied.read_bytes() == (PACKAGE_STYLES / "print.css").read_bytes()
    copied.write_text("/* my own */\n")
    status, _, err = run(capsys, "template", "print.css", "--copy", "--dir", str(root))
    assert status == 1 and "exists already" in err
    assert copied.read_text() == "/* my own */\n"
    assert run(capsys, "template", "--copy")[0] == 2


COLOPHON = """{% extends "reader_build:book.html.j2" %}
{% block colophon %}
<section class="colophon" id="colophon">
  <p>Printed for the Tuesday seminar, {{ reader.title }}.</p>
</section>
{% endblock %}
"""


def test_a_project_template_extends_the_packaged_one(tmp_path, capsys):
    root = write_project(tmp_path / "p", {**MINIMAL, "styles/book.html.j2": COLOPHON})
    status, _, err = run(capsys, "build", str(root), "--edition", "print", "-q")
    assert status == 0, err
    pages = [normalise(text) for text in pdf_page_texts(root / "build" / "print.pdf")]
    assert pages[-1] == "Printed for the Tuesday seminar, A Minimal Reader."     # the block replaced
    assert any("First paragraph with a note." in page for page in pages)        # the rest inherited
    assert any(page.startswith("Contents") for page in pages)
    # the packaged colophon is gone; the imprint on the title's verso, a block of its own, stays
    assert [n for n, page in enumerate(pages) if "Typeset by reader-build" in page] == [1]


def test_a_scoped_chapter_block_is_replaced_once_per_chapter(tmp_path, capsys):
    template = ('{% extends "reader_build:book.html.j2" %}\n{% block chapter %}<section class="chapter" '
                'id="{{ chapter.id }}"><h1 class="chapter-title">Chapter: {{ chapter.title_html | safe }}</h1>'
                '{{ chapter.body | safe }}<span class="chapter-end" id="end-{{ chapter.id }}"></span>'
                '</section>{% endblock %}\n')
    root = write_project(tmp_path / "p", {**MINIMAL, "styles/book.html.j2": template})
    status, _, err = run(capsys, "build", str(root), "--edition", "print", "-q")
    assert status == 0, err
    text = " ".join(normalise(t) for t in pdf_page_texts(root / "build" / "print.pdf"))
    assert "Chapter: The Only Chapter" in text


def test_check_reports_a_syntax_error_in_an_extending_template(tmp_path, capsys):
    root = write_project(tmp_path / "p", {**MINIMAL, "styles/book.html.j2":
                                          '{% extends "reader_build:book.html.j2" %}\n{% block colophon %}\n'})
    status, out, _ = run(capsys, "check", str(root))
    assert status == 1 and "styles/book.html.j2:2" in out and "[template-syntax]" in out
