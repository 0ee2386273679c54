"""Render stage: a resolved chapter's tokens into HTML for one target.

The targets share one renderer: ``pdf`` (notes are ``float: footnote``
elements at their call, citations link to ``#ref-…``) and ``epub`` (notes are
pop-up ``aside`` elements at the end of the chapter's document, links point to
the document that holds their target) and ``web`` (as ``epub``, in plain HTML).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import unquote
from typing import Callable

from ..source.markdown import markdown, plain_text
from ..model import Chapter, Reader
from ..source.sanitize import content_dropping_tag, safe_url, sanitize_html
from .. import ids
from ..source.htmlrepair import repair
from ..source.urls import scheme_of
from ..language.locale import locale_of, typography_for
from .typography import nbsp
from .xref import crossref_html, figure_caption, link_href, raw_links, table_caption

KEEP_ATTRS = {"id", "class", "lang", "dir", "title", "colspan", "rowspan", "style", "start", "data-b"}
NOTE_TAGS = {"p": "span", "blockquote": "span", "ul": "span", "ol": "span", "li": "span",
             "h2": "span", "h3": "span", "h4": "span", "table": "span", "pre": "span",
             "div": "span", "dl": "span", "dt": "span", "dd": "span",
             "thead": "span", "tbody": "span", "tr": "span", "th": "span", "td": "span"}


@dataclass(frozen=True)
class RenderedNote:
    number: int
    id: str
    html: str


@dataclass(frozen=True)
class RenderedChapter:
    """What rendering a chapter makes: its body, and (EPUB) its notes, to set after it."""
    body: str
    notes: tuple[RenderedNote, ...] = ()


@dataclass
class Target:
    name: str                                   # "pdf" | "epub" | "web" (notes as in "epub")
    file_of: Callable[[str], str] = lambda ident: ""   # document that holds an id ("" = this one)
    bib_file: str = ""
    image_base: str = ""
    page_label: Callable[[str], object] | None = None   # EPUB: the print page of an id (for @page:)
    # where a link to an image that no figure shows goes (its path in the project -> href);
    # None: its text is printed without a link (the PDF editions)
    image_href: Callable[[str], str] | None = None
    # the name an image (its path in the project) has in the edition (None: that path)
    image_file: Callable[[str], str] | None = None
    link_urls: bool = False                     # a link's address printed after its text (a PDF for print)

    def href(self, ident: str) -> str:
        return f"{self.file_of(ident)}#{ident}"


def _attrs(token, extra: dict | None = None) -> str:
    attrs = dict(token.attrs or {})
    if extra:
        attrs.update(extra)
    out = []
    for name, value in attrs.items():
        if name not in KEEP_ATTRS or value is None:
            continue
        if name == "style":
            continue
        out.append(f' {name}="{escape(str(value), quote=True)}"')
    return "".join(out)


class _Renderer:
    def __init__(self, reader: Reader, chapter: Chapter, target: Target):
        self.reader = reader
        self.chapter = chapter
        self.target = target
        self.notes = {n.local_id: n for n in chapter.parsed.notes}
        self.rendered_notes: list[RenderedNote] = []
        self.seen_notes: set[int] = set()
        self.nested_notes: list[str] = []     # PDF: notes called in the note being rendered
        self.note_lists: list[int | None] = []  # PDF notes: the open lists (next number; None: bullets)
        self.in_note = False          # rendering a PDF note: blocks become spans
        self.note_depth = 0           # rendering any note body
        self.block_count = 0
        self.figures = 0
        self.skip = ""                # punctuation moved before a citation's note call

    def block_id(self) -> dict:
        """data-b: the same id for the same text block in every target (page-start mapping)."""
        if self.note_depth:
            return {}
        self.block_count += 1
        return {"data-b": f"{self.chapter.id}-{self.block_count}"}

    # -- inline ---------------------------------------------------------------
    def inline(self, children) -> str:
        out = []
        dropping: list[str] = []           # open <script>, <iframe> … whose content is left out
        in_link = 0
        links: list[tuple[str | None, int]] = []   # open links: (an address to print after it, where its text starts)
        last_call = -1                     # where the last note call ended in *out*
        for tok in children or ():
            t = tok.type
            if t == "html_inline" and (tag := content_dropping_tag(tok.content)):
                if tag[0] == "open":
                    dropping.append(tag[1])
                elif tag[1] in dropping:
                    del dropping[len(dropping) - 1 - dropping[::-1].index(tag[1]):]
                continue
            if dropping:
                continue
            if t == "text":
                content, self.skip = tok.content[len(self.skip):], ""      # moved before a note
                out.append(_url_text(escape(nbsp(content), quote=False)) if in_link
                           else _long_words(escape(nbsp(content), quote=False)))
            elif t == "softbreak":
                out.append("\n")
            elif t == "hardbreak":
                out.append("<br/>")
            elif t == "code_inline":
                out.append(f"<code>{escape(tok.content)}</code>")
            elif t in ("em_open", "strong_open", "s_open", "sup_open", "sub_open"):
                out.append(f"<{tok.tag}>")
            elif t in ("em_close", "strong_close", "s_close", "sup_close", "sub_close"):
                out.append(f"</{tok.tag}>")
            elif t == "span_open":
                out.append(f"<span{_attrs(tok)}>")
            elif t == "span_close":
                out.append("</span>")
            elif t == "link_open":
                in_link += 1
                self.link_open(tok, out, links)
            elif t == "link_close":
                in_link -= 1
                out.append("</a>")
                if links:
                    _add_address(out, *links.pop())
            elif t == "image":
                out.append(self.image(tok, inline=True))
            elif t == "html_inline":
                out.append(raw_links(sanitize_html(tok.content, balance=False)[0], self.reader, self.chapter.parsed,
                                     self.target))
            elif t == "citation":
                noted = tok.meta.get("cite_index") in self.chapter.citation_notes
                if noted:
                    moved = self.skip = _punctuation_after(children, tok)
                    if not tok.meta["citation"].narrative:
                        _strip_trailing_space(out)      # "text\n[@key]." sets "text.¹", with no space
                    out.append(escape(moved, quote=False))
                out.append(self.citation(tok, _follows_call(out, last_call)))
                if noted:
                    last_call = len(out)
            elif t == "crossref":
                out.append(crossref_html(self.reader, self.chapter.parsed, tok.meta["citation"], self.target))
            elif t == "footnote_ref":
                _strip_trailing_space(out)      # "word [^1]": the call follows its word, as a book sets it
                out.append(self.note_call(tok, _follows_call(out, last_call)))
                last_call = len(out)
            elif t == "task_box":           # a task list's box, drawn by the stylesheet
                state = "done" if tok.meta.get("done") else "to-do"
                label = escape(locale_of(self.reader).t(f"task-{state}"), quote=True)
                out.append(f'<span class="task-box task-{state}" role="img" aria-label="{label}"></span> ')
            elif t in ("math_inline", "math_inline_double"):
                out.append(f'<span class="math">{escape(tok.content)}</span>')
            else:
                out.append(escape(tok.content))
        html = "".join(out)
        if any(tok.type == "html_inline" for tok in children or ()):
            html = repair(html, phrasing=True)[0]       # raw tags balanced and nested as the paragraph allows
        return html

    def link_open(self, tok, out: list[str], links: list) -> None:
        """The opening tag of a link (*out*), and on *links* what its end needs: the address to
        print after it (a PDF for print: :func:`_printed_address`), or None, and where it starts."""
        href = tok.attrGet("href") or ""
        href = link_href(self.reader, self.chapter.parsed, href, self.target) if safe_url(href) else None
        if href is None:
            out.append("<a>")
        elif not scheme_of(href):
            out.append(f'<a href="{escape(href, quote=True)}">')
        else:
            out.append(f'<a class="external" href="{escape(href, quote=True)}">')
        links.append((href if href is not None and scheme_of(href) and self.target.link_urls else None, len(out)))

    def citation(self, tok, after_call: bool = False) -> str:
        bib_file = self.target.bib_file
        bib = self.reader.bibliography
        index = tok.meta.get("cite_index")
        where = (self.chapter.id, index)

        def href(key: str) -> str:
            return f"{bib_file}#{ids.ref_id(key)}"
        text = bib.cite_html(tok.meta["citation"], href, where)
        number = self.chapter.citation_notes.get(index)
        if number is None:
            return text
        return text + self.note(number, f'<span class="fn-citation">{bib.note_html(where, href) or ""}</span>',
                                after_call)

    def note_call(self, tok, after_call: bool = False) -> str:
        """*after_call*: the call stands right after another (its number is set after a
        comma, "⁵,⁶", not run into it, "⁵⁶")."""
        local = tok.meta["id"]
        number = self.chapter.note_numbers[local]
        note = ids.note_id(number)
        after = " noteref-after" if after_call else ""
        if tok.meta.get("subId", 0) > 0 or local in self.seen_notes:
            return (f'<a class="noteref noteref-again{after}" href="{self.target.href(note)}">'
                    f'{number}</a>')
        self.seen_notes.add(local)
        if self.target.name == "pdf" and self.note_depth:
            # A note called in a note: a page sets no note inside a note, so its call is a link
            # and the note floats from its parent's call, right after the parent.
            slot = len(self.nested_notes)
            self.nested_notes.append("")
            self.nested_notes[slot] = self.note(number, self.note_body(local)).replace(
                'class="fn-anchor"', 'class="fn-anchor fn-in-note"', 1)
            return f'<a class="noteref noteref-again{after}" href="#{note}">{number}</a>'
        return self.note(number, self.note_body(local), after_call)

    def note(self, number: int, body: str, after_call: bool = False) -> str:
        """A note's call and body (PDF: a footnote at the call; EPUB: a pop-up note);
        *after_call*: see :meth:`note_call` (PDF: the anchor's class, print.css)."""
        note, call = ids.note_id(number), ids.noteref_id(number)
        if self.target.name == "pdf":
            anchor = "fn-anchor fn-after-call" if after_call else "fn-anchor"
            html = f'<a class="{anchor}" id="{call}"></a><span class="fn" id="{note}" data-n="{number}">{body}</span>'
            if not self.note_depth and self.nested_notes:
                html += "".join(self.nested_notes)
                self.nested_notes = []
            return html
        back = (f'<a class="fn-back" href="#{call}" role="doc-backlink" '
                f'title="{escape(locale_of(self.reader).t("back-to-text"), quote=True)}">{number}.</a> ')
        body = body.replace("<p>", "<p>" + back, 1) if body.startswith("<p>") else f"<p>{back}</p>{body}"
        self.rendered_notes.append(RenderedNote(number, note, body))
        epub_type = ' epub:type="noteref"' if self.target.name == "epub" else ""     # not HTML
        after = " noteref-after" if after_call else ""
        return (f'<a class="noteref{after}"{epub_type} role="doc-noteref" id="{call}" '
                f'href="#{note}">{number}</a>')

    def note_body(self, local: int) -> str:
        note = self.notes[local]
        was = self.in_note
        self.in_note = self.target.name == "pdf"
        self.note_depth += 1
        html = self.blocks(note.tokens)
        self.note_depth -= 1
        self.in_note = was
        if self.target.name == "pdf":
            html = re.sub(r"\s+", " ", html).strip()     # a note ending in "\n" crashes WeasyPrint
        return html

    def image(self, tok, inline: bool) -> str:
        src = tok.attrGet("src") or ""
        image = next((i for i in self.chapter.parsed.images if i.src == src), None)
        alt = escape(plain_text(tok.children).strip(), quote=True)
        if image is None or not image.path:
            return f'<span class="image-missing">[{alt}]</span>'
        path = self.target.image_file(image.path) if self.target.image_file else image.path
        url = escape(self.target.image_base + path, quote=True)
        return f'<img src="{url}" alt="{alt}"{_image_size(tok)}/>'

    # -- blocks -----------------------------------------------------------------
    def figure(self, inline) -> str:
        tok = inline.children[0]
        caption = tok.attrGet("title") or ""
        self.figures += 1                 # (two figures of one image: two ids)
        index = self.figures
        fig_id = tok.attrGet("id") or f"fig-{self.chapter.id}-{index}"
        html = f'<figure class="figure" id="{escape(fig_id, quote=True)}">{self.image(tok, inline=False)}'
        calls = [(offset, self.note_call(ref)) for offset, ref in tok.meta.get("caption_notes", ())]
        text = figure_caption(self.reader, fig_id, caption_html(caption, tok.meta.get("caption_mentions", ()), calls))
        text = text if caption else ""
        if text:
            data_b = self.block_id().get("data-b")
            attr = f' data-b="{data_b}"' if data_b else ""
            html += f"<figcaption{attr}>{text}</figcaption>"
        return html + "</figure>\n"

    def blocks(self, tokens) -> str:
        out: list[str] = []
        i = 0
        tokens = list(tokens)
        while i < len(tokens):
            tok = tokens[i]
            t = tok.type
            if t == "paragraph_open":
                inline = tokens[i + 1]
                if (not self.in_note and inline.children and len(inline.children) == 1
                        and inline.children[0].type == "image"):
                    out.append(self.figure(inline))
                    i += 3
                    continue
                if tok.hidden:
                    i += 1
                    continue
                out.append(self.open_tag(tok, text_block=True))
            elif t == "paragraph_close":
                if not tok.hidden:
                    out.append(self.close_tag(tok) + ("" if self.in_note else "\n"))
            elif t == "inline":
                out.append(self.inline(tok.children))
            elif t.endswith("_open"):
                tight_item = (t == "list_item_open" and i + 1 < len(tokens)
                              and tokens[i + 1].type == "paragraph_open" and tokens[i + 1].hidden)
                text_block = t in ("heading_open", "th_open", "td_open") or tight_item
                classes = _table_classes(tokens, i) if t == "table_open" and not self.in_note else ""
                if t == "table_open" and self.scrolls_tables:
                    out.append(self.table_region(tokens, i))
                out.append(self.open_tag(tok, text_block=text_block, classes=classes))
            elif t.endswith("_close"):
                out.append(self.close_tag(tok) + ("" if self.in_note else "\n"))
                if t == "table_close" and self.scrolls_tables:
                    out.append("</div>\n")
            elif t in ("fence", "code_block"):
                tag = "span" if self.in_note else "pre"
                out.append(f"<{tag} class=\"code\"><code>{escape(tok.content)}</code></{tag}>")
            elif t == "math_block":
                tag = "span" if self.in_note else "div"
                out.append(f'<{tag}{_attrs(tok, {"class": "math math-display"})}>{escape(tok.content)}</{tag}>\n')
            elif t == "page_break" and not self.in_note:
                out.append('<div class="page-break"></div>\n')
            elif t == "hr":
                out.append('<hr class="break"/>\n')
            elif t == "html_block":
                html = repair(sanitize_html(tok.content)[0])[0]
                out.append(raw_links(html, self.reader, self.chapter.parsed, self.target) + "\n")
            elif t == "table_caption":
                if not self.in_note:
                    caption = table_caption(self.reader, tok.meta.get("label"), self.inline(tok.children))
                    out.append(f"<caption>{caption}</caption>")
            i += 1
        return "".join(out)

    @property
    def scrolls_tables(self) -> bool:
        """Is a table of the body set in a region that scrolls sideways (a screen: the e-book and
        the web edition), so that a table wider than the screen never widens the page?"""
        return self.target.name in ("epub", "web") and not self.in_note

    def table_region(self, tokens, at: int) -> str:
        """The opening of the scrolling region around the table at *tokens[at]*: a keyboard can
        reach it (tabindex, as WCAG 2.1.1 asks of a region that scrolls), and it is named by the
        table's caption, else by the word "Table" of the reader's language."""
        name = ""
        for tok in tokens[at + 1:]:
            if tok.type == "table_close":
                break
            if tok.type == "table_caption":
                name = " ".join(plain_text(tok.children).split())
                break
        name = name or locale_of(self.reader).t("xref-table-title")
        return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{escape(name, quote=True)}">'

    def open_tag(self, tok, text_block: bool = False, classes: str = "") -> str:
        tag = tok.tag
        extra = {"class": " ".join(filter(None, [tok.attrGet("class"), classes]))} if classes else {}
        if tok.type == "heading_open":
            level = int(tag[1])
            tag = f"h{min(6, max(2, level))}"
            extra["class"] = " ".join(filter(None, [tok.attrGet("class"), "section-title"]))
        if tok.type == "ordered_list_open" and tok.attrGet("start"):
            extra["start"] = tok.attrGet("start")
        if self.in_note:
            cls = f"fn-{tag}"
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                self.note_lists.append(int(tok.attrGet("start") or 1) if tag == "ol" else None)
            if tok.type == "list_item_open" and self.note_lists:
                return f'<span class="{cls}">{self._note_list_mark()}'
            return f'<span class="{cls}">' if tag in NOTE_TAGS else f"<{tag}>"
        if tok.type in ("th_open", "td_open"):
            style = tok.attrGet("style") or ""
            m = re.search(r"text-align:(left|right|center)", style)
            if m:
                extra["class"] = f"align-{m.group(1)}"
        if text_block:
            extra.update(self.block_id())
        return f"<{tag}{_attrs(tok, extra)}>"

    def _note_list_mark(self) -> str:
        """The marker of a list item in a PDF note (a span: no list markers there), as the
        text writes it, so that the note's text and its boxes' text agree (pdf/cuts.py)."""
        number = self.note_lists[-1]
        if number is None:
            return '<span class="fn-li-mark">\u2022\u00a0</span>'
        self.note_lists[-1] = number + 1
        return f'<span class="fn-li-mark">{number}.\u00a0</span>'

    def close_tag(self, tok) -> str:
        if self.in_note and tok.type in ("bullet_list_close", "ordered_list_close") and self.note_lists:
            self.note_lists.pop()
        tag = tok.tag
        if tok.type == "heading_close":
            tag = f"h{min(6, max(2, int(tag[1])))}"
        if self.in_note and tag in NOTE_TAGS:
            return "</span> " if tag in ("th", "td") else "</span>"   # a row's cells are words apart
        return f"</{tag}>"


SHORT_CELL = 24      # characters: a first column no wider is set without line breaks (dates, years)
MANY_COLUMNS = 6     # a table of this many columns or more is set smaller, its words broken if need be


def _table_classes(tokens, at: int) -> str:
    """The classes of the table that opens at *tokens[at]*, for print.css: ``nowrap-first`` when
    the cells of its first column are all short (:data:`SHORT_CELL`: a chronology's dates, kept
    each on one line; a longer one, a source or a URL, wraps like any other cell), and
    ``many-columns`` when it has :data:`MANY_COLUMNS` columns or more (set smaller, and its words
    broken where they must be, so that its last columns stay on the page)."""
    short, row, columns = True, 0, 0
    for i in range(at, len(tokens)):
        tok = tokens[i]
        if tok.type == "tr_open":
            row += 1
            cell = 0
        elif tok.type in ("td_open", "th_open"):
            cell += 1
            if row == 1:
                columns = cell
            if cell == 1 and i + 1 < len(tokens) and tokens[i + 1].type == "inline" \
                    and len(plain_text(tokens[i + 1].children).strip()) > SHORT_CELL:
                short = False
        elif tok.type == "table_close":
            break
    return " ".join(name for name, wanted in (("nowrap-first", short), ("many-columns", columns >= MANY_COLUMNS))
                    if wanted)


URL_TEXT = re.compile(r"^(?:https?://|ftp://|www\.)\S+$")
ADDRESS_LIKE = re.compile(r"^[^\s/]+\.[^\s]+$")       # a domain, a host and path, an e-mail address


def _url_text(html: str, always: bool = False) -> str:
    """A link's text (escaped): an address (or any text, *always*) in a span of class ``url``,
    which print.css lets break between any two characters, so that the line breaking chooses
    where (after a slash, before a dot, anywhere at worst: pdf/linebreak.py); its parts too
    long for a line (:data:`LONG_URL_PART`) may break anywhere wherever the lines are set."""
    html = _long_words(html, LONG_URL_PART)
    return f'<span class="url">{html}</span>' if always or URL_TEXT.match(unescape(re.sub(r"<[^>]*>", "", html))) else html


def _add_address(out: list[str], href: str | None, start: int) -> None:
    """After a link that ends *out* (its text from *out[start]* on), the address to print, if any."""
    if href is not None:
        before = re.sub(r"<[^>]*>", "", "".join(out[:start]))
        out.append(_printed_address(href, "".join(out[start:-1]), before.count("(") > before.count(")")))


def _printed_address(href: str, text_html: str, in_parentheses: bool = False) -> str:
    """The address of the link to *href* whose text is *text_html*, as a PDF for print sets it
    after that text: " (https://…)", or " [https://…]" *in_parentheses*, itself a link, free to
    break where the lines want; nothing when the text is the address already, as a bare URL's
    is, or looks like one (a domain)."""
    shown = href[len("mailto:"):] if href.startswith("mailto:") else href
    text = unescape(re.sub(r"<[^>]*>", "", text_html)).replace("\u00ad", "").strip()

    def bare(url: str) -> str:
        return re.sub(r"^(?:https?://|mailto:)?(?:www\.)?", "", unquote(url)).rstrip("/").lower()
    if not text or bare(text) == bare(shown) or ADDRESS_LIKE.match(text):
        return ""                           # (the text shows an address already: "example.org", "a@b.org")
    readable = unquote(shown)               # (as written: "Soviet–Japanese", not "Soviet%E2%80%93Japanese")
    address = _url_text(escape(shown if re.search(r"\s", readable) else readable, quote=False), always=True)
    left, right = "[]" if in_parentheses else "()"      # (brackets inside parentheses, as Chicago nests them)
    return (f' <span class="link-url">{left}<a class="external" href="{escape(href, quote=True)}">{address}</a>'
            f'{right}</span>')


def _follows_call(out: list[str], last_call: int) -> bool:
    """Whether nothing but white space was rendered since the note call that ended at
    *last_call* (-1: none yet)."""
    return last_call >= 0 and not "".join(out[last_call:]).strip()


def _strip_trailing_space(out: list[str]) -> None:
    """Take the white space (spaces, line ends) off the end of the HTML rendered so far, as far
    back as the last text: a note call never stands after a space (and a space before an
    out-of-flow note, with one after it, made the PDF's total-fit line breaking lose its place
    in the line, so that a line ran past the margin)."""
    n = len(out) - 1
    while n >= 0:
        stripped = out[n].rstrip(" \n\t")
        if stripped != out[n]:
            out[n] = stripped
        if stripped:
            return
        n -= 1


LONG_WORD = re.compile(r"(?<![^\s>])[^\s<>]{30,}")
# a part of a URL between the places where it breaks anyway (after a slash, at a hyphen …) that
# may break anywhere: only a part too long for a line of the narrowest edition (large print)
LONG_URL_PART = re.compile(r"[^\s<>/\-–—?&=#]{40,}")


def _long_words(html: str, pattern: re.Pattern = LONG_WORD) -> str:
    """Each run of 30 characters or more without a space (*pattern*), in a span that may break
    anywhere (class ``long-word``): it would otherwise run past the margin.  In a link's text
    (:data:`LONG_URL_PART`), only a run of 40 or more between the places where a URL breaks
    anyway (after a slash, a hyphen …): an address breaks there first, never "ht/tps"."""
    return pattern.sub(lambda m: f'<span class="long-word">{m.group(0)}</span>', html) if len(html) >= 30 else html


SIZE = re.compile(r"^\d+(?:\.\d+)?(%|px|cm|mm|in|pt|em)?$")


def _image_size(tok) -> str:
    """pandoc's ``{width=50%}`` and ``{height=3cm}`` on an image: a style (a bare number is pixels)."""
    style = []
    for name in ("width", "height"):
        value = (tok.attrGet(name) or "").strip()
        m = SIZE.match(value)
        if m:
            style.append(f"{name}: {value}{'' if m.group(1) else 'px'}")
    return f' style="{"; ".join(style)}"' if style else ""


NOTE_PUNCTUATION = re.compile(r"^[.,;:!?]+[”’»)]?|^[”’»)][.,;:!?]?")


def _punctuation_after(children, tok) -> str:
    """Take the punctuation that follows a citation a note style makes a note (the call goes
    after it, as Chicago sets it: "as he wrote.¹"); it is cut from the next text token."""
    children = list(children)
    at = next(n for n, child in enumerate(children) if child is tok)
    if at + 1 < len(children) and children[at + 1].type == "text":
        nxt = children[at + 1]
        m = NOTE_PUNCTUATION.match(nxt.content)
        return m.group(0) if m else ""
    return ""


def caption_html(caption: str, marks, calls=()) -> str:
    """A figure's caption, its indexed names (start, end, mention id) in spans with their ids,
    and the HTML of its note calls (offset, html) at their places."""
    out, at = [], 0
    pending = sorted(calls, key=lambda call: call[0])

    def text_to(end: int) -> None:
        nonlocal at
        while pending and pending[0][0] <= end:
            offset, html = pending.pop(0)
            out.append(escape(nbsp(caption[at:max(at, offset)]), quote=False) + html)
            at = max(at, offset)
        out.append(escape(nbsp(caption[at:end]), quote=False))
        at = end

    for start, end, mid in marks:
        text_to(start)
        out.append(f'<span class="ix" id="{escape(mid, quote=True)}">{escape(nbsp(caption[start:end]), quote=False)}</span>')
        at = end
    text_to(len(caption))
    return "".join(out)


def render_chapter(reader: Reader, chapter: Chapter, target: Target) -> RenderedChapter:
    """The HTML of a chapter's body (without its title) and, for the EPUB, its notes."""
    renderer = _Renderer(reader, chapter, target)
    body = renderer.blocks(chapter.parsed.tokens)
    return RenderedChapter(body, tuple(sorted(renderer.rendered_notes, key=lambda note: note.number)))


def inline_plain(text: str, lang: str = "", locale=None) -> str:
    """Markdown inline text as plain text (a title in metadata, a running head): the markup goes,
    the typography of :func:`inline_html` stays."""
    return unescape(re.sub(r"<[^>]*>", "", inline_html(text, lang, locale)))


def book_title(reader: Reader, subtitle: bool = False) -> str:
    """The book's title (and, with *subtitle*, ": subtitle") as plain text, for metadata and
    running heads: reader.toml's title is Markdown."""
    config = reader.config
    title = config.title + (f": {config.subtitle}" if subtitle and config.subtitle else "")
    return inline_plain(title, config.language, locale_of(reader))


def inline_html(text: str, lang: str = "", locale=None) -> str:
    """Markdown inline text (a title, a caption) as HTML, with the quotation marks and
    dashes of *lang* (the reader's *locale*, a language.locale.Locale, or English)."""
    env = {"lang": lang, "typography": lambda tag: typography_for(tag, locale)}
    tokens = markdown().parseInline(text, env)
    if not tokens:
        return ""
    out = []
    for tok in tokens[0].children or ():
        if tok.type == "text":
            out.append(escape(nbsp(tok.content), quote=False))
        elif tok.type in ("em_open", "strong_open", "s_open", "sup_open", "sub_open"):
            out.append(f"<{tok.tag}>")
        elif tok.type in ("em_close", "strong_close", "s_close", "sup_close", "sub_close"):
            out.append(f"</{tok.tag}>")
        elif tok.type == "code_inline":
            out.append(f"<code>{escape(tok.content)}</code>")
        elif tok.type == "softbreak":
            out.append(" ")
        else:
            out.append(escape(tok.content, quote=False))
    return "".join(out)
