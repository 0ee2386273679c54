"""The web edition as files: its pages, roles, links, print pages, fonts, size,
validity (Nu HTML checker), overrides, the manifest and rebuilds."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
import subprocess

import pytest
from fontTools.ttLib import TTFont
from lxml import html as lxml_html

from conftest import MINIMAL, REPO, named_destinations, normalise, pdf_page_texts, write_project
from reader_build.build import build
from reader_build.web.links import broken_links
from web_helpers import html_files, site, vnu_jar  # noqa: F401  (site is a fixture)

WEB = '\n[editions.print]\nformat = "pdf"\n\n[editions.web]\nformat = "html"\n'
BUDGET = 1_500_000


def files_of(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def tree(site_dir, name):
    return lxml_html.fromstring((site_dir / name).read_bytes())


def reading_order(site_dir) -> list[str]:
    chapters = sorted(p.name for p in site_dir.glob("[0-9][0-9]-*.html"))
    back = [n for n in ("bibliography.html", "index-person.html", "index-place.html") if (site_dir / n).exists()]
    return ["index.html", "contents.html"] + chapters + back


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The minimal project with a print and a web edition, built."""
    root = write_project(tmp_path_factory.mktemp("web") / "reader", dict(MINIMAL))
    (root / "reader.toml").write_text(MINIMAL["reader.toml"] + WEB, encoding="utf-8")
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    return root


def test_a_page_for_each_chapter_and_for_the_title_contents_bibliography_indexes_and_search(site):
    names = set(html_files(site))
    assert {"index.html", "contents.html", "bibliography.html", "index-person.html", "index-place.html",
            "search.html"} <= names
    manuscript = sorted(p.stem for p in (REPO / "manuscript").glob("*.md"))
    assert [n for n in sorted(names) if re.match(r"\d\d-", n)] == [f"{m}.html" for m in manuscript]


def test_every_page_has_lang_viewport_title_and_one_main(site):
    titles = set()
    for name in html_files(site):
        if name.startswith("page/"):
            continue
        doc = tree(site, name)
        assert doc.get("lang") == "en", name
        assert doc.xpath('//meta[@name="viewport"][contains(@content, "width=device-width")]'), name
        title = doc.findtext(".//title").strip()
        assert title and title not in titles, name
        titles.add(title)
        assert len(doc.xpath("//main")) == 1 and doc.xpath("//nav") and doc.xpath("//header"), name


def test_the_pages_carry_the_dpub_aria_roles(site):
    chapter = tree(site, "04-san-francisco.html")
    for role in ("doc-chapter", "doc-endnotes", "doc-footnote", "doc-noteref", "doc-backlink", "doc-pagebreak"):
        assert chapter.xpath(f'//*[@role="{role}"]'), role
    assert tree(site, "contents.html").xpath('//nav[@role="doc-toc"]')
    assert tree(site, "contents.html").xpath('//nav[@role="doc-pagelist"]')
    assert tree(site, "bibliography.html").xpath('//section[@role="doc-bibliography"]')
    assert tree(site, "index-person.html").xpath('//section[@role="doc-index"]')
    assert not any(b"epub:type" in (site / n).read_bytes() for n in html_files(site))


def test_every_internal_link_resolves(site, bundled):
    assert broken_links(files_of(site)) == []
    assert not [d for d in bundled["result"].diagnostics if d.code == "web-link-broken"]


def test_the_link_check_finds_a_missing_id_and_a_missing_file():
    files = {"a.html": b'<p id="x"><a href="b.html">b</a> <a href="#y">y</a> <a href="#x">x</a>'
                       b' <a href="https://example.org/">out</a> <a href="page/2/">2</a></p>',
             "page/2/index.html": b"<p></p>"}
    assert [(b.page, b.href) for b in broken_links(files)] == [("a.html", "b.html"), ("a.html", "#y")]


def test_notes_stand_at_the_end_of_their_chapter_with_a_link_back(site):
    notes = 0
    for name in html_files(site):
        if not re.match(r"\d\d-", name):
            continue
        doc = tree(site, name)
        for aside in doc.xpath('//section[@role="doc-endnotes"]/aside[@role="doc-footnote"]'):
            number = aside.get("id")[len("fn-"):]
            back = aside.xpath('.//a[@role="doc-backlink"]')[0]
            assert back.get("href") == f"#fnref-{number}"
            call = doc.get_element_by_id(f"fnref-{number}")
            assert call.get("href") == f"#fn-{number}" and call.text_content() == number
            notes += 1
    assert notes > 50


def test_citations_link_to_the_bibliography(site):
    bibliography = tree(site, "bibliography.html")
    ids = {e.get("id") for e in bibliography.xpath('//li[@class="bib-entry"]')}
    links = [a.get("href") for n in html_files(site) if re.match(r"\d\d-", n)
             for a in tree(site, n).xpath('//a[starts-with(@href, "bibliography.html#ref-")]')]
    assert len(links) > 20
    assert {h.split("#", 1)[1] for h in links} <= ids


def markers_in_order(site_dir) -> list[tuple[str, object]]:
    """(file, element) of every page marker and index mention target, in reading order."""
    out = []
    for name in reading_order(site_dir):
        for node in tree(site_dir, name).iter():
            if isinstance(node.tag, str) and (node.get("data-page") or (node.get("id") or "").startswith(("m-", "fig:"))):
                out.append((name, node))
    return out


def test_every_print_page_is_marked_once_and_page_n_opens_it(site, bundled):
    labels = [(n, el.get("data-page")) for n, el in markers_in_order(site) if el.get("data-page")]
    pages = json.loads((bundled["root"] / "build" / "manifest.json").read_text())["editions"][0]["pages"]
    assert [label for _, label in labels] == [str(n) for n in range(1, pages + 1)]
    for name, label in labels:
        redirect = (site / "page" / label / "index.html").read_text()
        assert f'url=../../{name}#page-{label}"' in redirect


def words_around(marker, n=5) -> tuple[str, str]:
    """The *n* words of running text before and after a marker element, in document order."""
    def texts(axis):
        nodes = marker.xpath(f"{axis}::text()[ancestor::main][not(ancestor::a[@role='doc-noteref'])]")
        return normalise(" ".join(nodes if axis == "following" else nodes[-40:])).split()
    return " ".join(texts("preceding")[-n:]), " ".join(texts("following")[:n])


def test_page_36_marker_stands_where_print_page_36_begins(site, bundled):
    """The words after the marker are on print page 36, those before it on page 35."""
    texts = [normalise(t) for t in pdf_page_texts(bundled["pdf"])]
    name = next(n for n, el in markers_in_order(site) if el.get("data-page") == "36")
    before, after = words_around(tree(site, name).get_element_by_id("page-36"))
    assert after and after in texts[35] and after not in texts[34]
    assert before and before in texts[34]


def test_index_locators_are_print_pages_and_land_after_that_page_marker(site):
    """Every locator's label is the print page of its mention: the last page marker before the
    mention in reading order carries that page number ("n" locators point into the notes).  A
    figure that floated past paragraphs in print (pdf/figures.py) stands here, in the
    manuscript's order, before the marker of the page that shows it: the mentions in its caption
    carry the page where the print edition shows the figure."""
    last_page, page_before, figure_of = None, {}, {}
    for name, node in markers_in_order(site):
        if node.get("data-page"):
            last_page = node.get("data-page")
        else:
            page_before[f"{name}#{node.get('id')}"] = last_page
            figure = next((up for up in node.iterancestors() if up.tag == "figure" and up.get("id")), None)
            if figure is not None:
                figure_of[f"{name}#{node.get('id')}"] = figure.get("id")
    printed = named_destinations(site.parent / "print.pdf")
    checked = 0
    for kind in ("person", "place"):
        for loc in tree(site, f"index-{kind}.html").xpath('//a[@class="index-loc"]'):
            label = loc.text_content()
            assert loc.get("href") in page_before, loc.get("href")
            if label.endswith("n"):
                continue
            page = page_before[loc.get("href")]
            name, _, ident = loc.get("href").partition("#")
            if ident.startswith("fig:"):       # a figure that opens its page holds that page's marker
                inside = tree(site, name).xpath("//*[@id=$i]//*[@data-page]/@data-page", i=ident)
                page = inside[0] if inside else str(printed[ident])     # (else it may have floated)
            elif loc.get("href") in figure_of:                       # (it may have floated)
                page = str(printed[figure_of[loc.get("href")]])
            assert page == re.split(r"[\u2013-]", label)[0], (label, loc.get("href"))
            checked += 1
    assert checked > 100


def test_the_search_index_offers_entries_and_mentions(site):
    text = (site / "search-index.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("=") + 1:].rstrip().rstrip(";"))
    gromyko = next(n for n, e in enumerate(index["entries"]) if e[0].startswith("Gromyko"))
    assert index["entries"][gromyko][2] == "index-person.html#ix-gromyko"
    docs = [index["docs"][d] for d in index["terms"]["gromyko"]]
    assert any(m[1] == gromyko for d in docs for m in d[3])
    assert all("gromyko" in d[2].lower() for d in docs)


def test_fonts_are_self_hosted_subset_woff2(site):
    css = (site / "web.css").read_text()
    fonts = re.findall(r'url\("(fonts/[^"]+)"\)', css)
    assert fonts and all(f.endswith(".woff2") and (site / f).is_file() for f in fonts)
    original = TTFont(str(REPO / "src/reader_build/styles/fonts/LinLibertine_R.otf"))
    subset = TTFont(str(site / "fonts/LinLibertine_R.woff2"))
    assert subset.flavor == "woff2" and len(subset.getGlyphOrder()) < len(original.getGlyphOrder()) / 3
    cmap = subset.getBestCmap()
    chapter_text = tree(site, "05-dulles-khrushchev.html").text_content()
    assert {c for c in chapter_text if not c.isspace() and ord(c) not in cmap} == set()
    assert not re.search(r"https?://", css)


def test_the_whole_site_is_under_the_size_budget(site):
    total = sum(len(data) for data in files_of(site).values())
    assert total < BUDGET, f"{total} bytes"


def test_two_builds_write_the_same_site(small, tmp_path):
    other = shutil.copytree(small, tmp_path / "copy", ignore=shutil.ignore_patterns("build"))
    assert build(other).status == 0
    assert files_of(small / "build" / "web") == files_of(other / "build" / "web")


def test_the_manifest_records_the_web_edition_and_a_second_build_keeps_it(small):
    manifest = json.loads((small / "build" / "manifest.json").read_text())
    record = next(r for r in manifest["editions"] if r["name"] == "web")
    assert {k: record[k] for k in ("name", "format", "path")} == {"name": "web", "format": "html", "path": "build/web/"}
    again = build(small)
    assert again.status == 0 and again.stats["print"]["layouts"] == 0
    (small / "build" / "web" / "contents.html").unlink()
    rebuilt = build(small)
    assert rebuilt.status == 0 and (small / "build" / "web" / "contents.html").is_file()


def test_templates_and_styles_are_overridden_from_the_project(small, tmp_path):
    root = shutil.copytree(small, tmp_path / "styled", ignore=shutil.ignore_patterns("build"))
    (root / "styles").mkdir()
    (root / "styles" / "web-chapter.html.j2").write_text(
        '<article class="my-chapter"><section id="{{ chapter.id }}"><h1>{{ title_html | safe }}</h1>'
        '{{ body | safe }}</section>{% for note in notes %}<aside id="{{ note.id }}">{{ note.html | safe }}</aside>'
        '{% endfor %}</article>', encoding="utf-8")
    (root / "styles" / "extra-web.css").write_text(".my-chapter { color: #222; }\n", encoding="utf-8")
    assert build(root).status == 0
    web = root / "build" / "web"
    assert 'class="my-chapter"' in (web / "01-one.html").read_text()
    assert ".my-chapter" in (web / "web.css").read_text()
    assert broken_links(files_of(web)) == []


def test_format_html_is_accepted_and_a_wrong_format_is_reported(small, tmp_path):
    root = shutil.copytree(small, tmp_path / "wrong", ignore=shutil.ignore_patterns("build"))
    (root / "reader.toml").write_text(MINIMAL["reader.toml"] + WEB.replace('"html"', '"htm"'), encoding="utf-8")
    result = build(root)
    messages = [d for d in result.diagnostics if d.code == "config-value"]
    assert result.status == 1 and messages and "'html'" in messages[0].message and messages[0].line == 7


def test_a_link_to_nowhere_in_the_manuscript_is_an_error_at_its_place(small, tmp_path):
    root = shutil.copytree(small, tmp_path / "broken", ignore=shutil.ignore_patterns("build"))
    chapter = root / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text() + "\nSee [the missing part](#nowhere).\n", encoding="utf-8")
    result = build(root)
    found = [d for d in result.diagnostics if d.code == "link-unknown-target"]
    assert result.status == 1 and found and found[0].path == "manuscript/one.md" and "nowhere" in found[0].message


def test_a_link_to_nowhere_that_a_template_makes_is_reported(small, tmp_path):
    root = shutil.copytree(small, tmp_path / "template-link", ignore=shutil.ignore_patterns("build"))
    packaged = Path(__import__("reader_build").__file__).parent / "templates" / "web-title.html.j2"
    (root / "styles").mkdir()
    (root / "styles" / "web-title.html.j2").write_text(packaged.read_text(encoding="utf-8")
                                                       + '\n<p><a href="#nowhere">nowhere</a></p>\n', encoding="utf-8")
    result = build(root)
    found = [d for d in result.diagnostics if d.code == "web-link-broken"]
    assert result.status == 0 and found and "#nowhere" in found[0].message and "web-title" in (found[0].path or "")


def test_the_html_validates_with_the_nu_checker(site, small):
    jar = vnu_jar()
    names = [str(site / n) for n in html_files(site) if not n.startswith("page/")] + [
        str(site / "page" / "36" / "index.html")] + [str(p) for p in (small / "build" / "web").glob("*.html")]
    run = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", *names],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/", 1)[-1], m.get("lastLine"), m["message"]) for m in messages] == []


def test_a_project_with_only_a_web_edition_builds_a_site_without_print_pages(tmp_path):
    root = write_project(tmp_path / "alone", dict(MINIMAL))
    (root / "reader.toml").write_text(MINIMAL["reader.toml"] + '\n[editions.web]\nformat = "html"\n',
                                      encoding="utf-8")
    result = build(root)
    assert result.status == 0, [d.format() for d in result.diagnostics]
    web = root / "build" / "web"
    assert sorted(p.name for p in (root / "build").iterdir() if p.is_file() and p.name[0] != ".") == ["manifest.json"]
    chapter = (web / "01-one.html").read_text()
    assert 'class="pagebreak"' not in chapter and "pages of the print edition" not in chapter
    assert not (web / "page").exists() and broken_links(files_of(web)) == []
    assert (web / "pages.js").read_text() == "window.READER_PAGES = {};\n"


def test_a_template_link_to_nowhere_is_reported_at_the_template(small, tmp_path):
    root = shutil.copytree(small, tmp_path / "badtemplate", ignore=shutil.ignore_patterns("build"))
    (root / "styles").mkdir()
    packaged = (REPO / "src/reader_build/templates/web-title.html.j2").read_text()
    (root / "styles" / "web-title.html.j2").write_text(packaged.replace('href="contents.html"',
                                                                        'href="content.html"'), encoding="utf-8")
    result = build(root)
    found = [d for d in result.diagnostics if d.code == "web-link-broken"]
    assert result.status == 0 and [(d.path, "content.html" in d.message) for d in found] == [
        ("styles/web-title.html.j2", True)]
