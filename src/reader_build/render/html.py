"""Render stage: a resolved chapter's tokens into HTML for one target.

Two targets share one renderer: ``pdf`` (notes are ``float: footnote``
elements at their call, citations link to ``#ref-…``) and ``epub`` (notes are
pop-up ``aside`` elements at the end of the chapter's document, links point to
the document that holds their target).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Callable

from ..source.markdown import markdown, plain_text
from ..model import Chapter, Reader
from ..source.sanitize import content_dropping_tag, safe_url, sanitize_html
from .typography import nbsp

KEEP_ATTRS = {"id", "class", "lang", "dir", "title", "colspan", "rowspan", "style", "start", "data-b"}
NOTE_TAGS = {"p": "span", "blockquote": "span", "ul": "span", "ol": "span", "li": "span",
             "h2": "span", "h3": "span", "h4": "span", "table": "span", "pre": "span"}


def ref_id(key: str) -> str:
    """The anchor id of a bibliography entry."""
    return "ref-" + re.sub(r"[^A-Za-z0-9_.-]", "-", key)


@dataclass
class Target:
    name: str                                   # "pdf" | "epub"
    file_of: Callable[[str], str] = lambda ident: ""   # document that holds an id ("" = this one)
    bib_file: str = ""
    image_base: str = ""
    notes: list = field(default_factory=list)   # EPUB: (number, html) of the chapter's notes

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
        self.seen_notes: set[int] = set()
        self.in_note = False          # rendering a PDF note: blocks become spans
        self.note_depth = 0           # rendering any note body
        self.block_count = 0
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
                out.append(escape(nbsp(content), quote=False))
            elif t == "softbreak":
                out.append("\n")
            elif t == "hardbreak":
                out.append("<br/>")
            elif t == "code_inline":
                out.append(f"<code>{escape(tok.content)}</code>")
            elif t in ("em_open", "strong_open", "s_open"):
                out.append(f"<{tok.tag}>")
            elif t in ("em_close", "strong_close", "s_close"):
                out.append(f"</{tok.tag}>")
            elif t == "span_open":
                out.append(f"<span{_attrs(tok)}>")
            elif t == "span_close":
                out.append("</span>")
            elif t == "link_open":
                href = tok.attrGet("href") or ""
                if not safe_url(href):
                    out.append("<a>")
                elif href.startswith("#"):
                    out.append(f'<a href="{escape(self.target.href(href[1:]), quote=True)}">')
                else:
                    out.append(f'<a class="external" href="{escape(href, quote=True)}">')
            elif t == "link_close":
                out.append("</a>")
            elif t == "image":
                out.append(self.image(tok, inline=True))
            elif t == "html_inline":
                out.append(sanitize_html(tok.content, balance=False)[0])
            elif t == "citation":
                if tok.meta.get("cite_index") in self.chapter.citation_notes:
                    moved = self.skip = _punctuation_after(children, tok)
                    if out and not tok.meta["citation"].narrative:
                        out[-1] = out[-1].rstrip(" ")
                    out.append(escape(moved, quote=False))
                out.append(self.citation(tok))
            elif t == "footnote_ref":
                out.append(self.note_call(tok))
            else:
                out.append(escape(tok.content))
        return "".join(out)

    def citation(self, tok) -> str:
        bib_file = self.target.bib_file
        bib = self.reader.bibliography
        index = tok.meta.get("cite_index")
        where = (self.chapter.id, index)

        def href(key: str) -> str:
            return f"{bib_file}#{ref_id(key)}"
        text = bib.cite_html(tok.meta["citation"], href, where)
        number = self.chapter.citation_notes.get(index)
        if number is None:
            return text
        return text + self.note(number, f'<span class="fn-citation">{bib.note_html(where, href) or ""}</span>')

    def note_call(self, tok) -> str:
        local = tok.meta["id"]
        number = self.chapter.note_numbers[local]
        if tok.meta.get("subId", 0) > 0 or local in self.seen_notes:
            return (f'<a class="noteref noteref-again" href="{self.target.href(f"fn-{number}")}">'
                    f'{number}</a>')
        self.seen_notes.add(local)
        return self.note(number, self.note_body(local))

    def note(self, number: int, body: str) -> str:
        """A note's call and body (PDF: a footnote at the call; EPUB: a pop-up note)."""
        if self.target.name == "pdf":
            return (f'<a class="fn-anchor" id="fnref-{number}"></a>'
                    f'<span class="fn" id="fn-{number}" data-n="{number}">{body}</span>')
        back = (f'<a class="fn-back" href="#fnref-{number}" role="doc-backlink" '
                f'title="Back to the text">{number}.</a> ')
        body = body.replace("<p>", "<p>" + back, 1) if body.startswith("<p>") else f"<p>{back}</p>{body}"
        self.target.notes.append((number, body))
        return (f'<a class="noteref" epub:type="noteref" role="doc-noteref" id="fnref-{number}" '
                f'href="#fn-{number}">{number}</a>')

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
        url = escape(self.target.image_base + image.path, quote=True)
        return f'<img src="{url}" alt="{alt}"/>'

    # -- blocks -----------------------------------------------------------------
    def figure(self, inline) -> str:
        tok = inline.children[0]
        src = tok.attrGet("src") or ""
        caption = tok.attrGet("title") or ""
        index = [i.src for i in self.chapter.parsed.images].index(src) + 1 if any(
            i.src == src for i in self.chapter.parsed.images) else 1
        fig_id = f"fig-{self.chapter.id}-{index}"
        role = ' role="doc-figure"' if False else ""
        html = f'<figure class="figure" id="{fig_id}"{role}>{self.image(tok, inline=False)}'
        if caption:
            data_b = self.block_id().get("data-b")
            attr = f' data-b="{data_b}"' if data_b else ""
            html += f"<figcaption{attr}>{escape(nbsp(caption), quote=False)}</figcaption>"
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
                out.append(self.open_tag(tok, text_block=text_block))
            elif t.endswith("_close"):
                out.append(self.close_tag(tok) + ("" if self.in_note else "\n"))
            elif t in ("fence", "code_block"):
                tag = "span" if self.in_note else "pre"
                out.append(f"<{tag} class=\"code\"><code>{escape(tok.content)}</code></{tag}>")
            elif t == "hr":
                out.append('<hr class="break"/>\n')
            elif t == "html_block":
                out.append(sanitize_html(tok.content)[0] + "\n")
            i += 1
        return "".join(out)

    def open_tag(self, tok, text_block: bool = False) -> str:
        tag = tok.tag
        extra = {}
        if tok.type == "heading_open":
            level = int(tag[1])
            tag = f"h{min(6, max(2, level))}"
            extra["class"] = " ".join(filter(None, [tok.attrGet("class"), "section-title"]))
        if tok.type == "ordered_list_open" and tok.attrGet("start"):
            extra["start"] = tok.attrGet("start")
        if self.in_note:
            cls = f"fn-{tag}"
            return f'<span class="{cls}">' if tag in NOTE_TAGS else f"<{tag}>"
        if tok.type in ("th_open", "td_open"):
            style = tok.attrGet("style") or ""
            m = re.search(r"text-align:(left|right|center)", style)
            if m:
                extra["class"] = f"align-{m.group(1)}"
        if text_block:
            extra.update(self.block_id())
        return f"<{tag}{_attrs(tok, extra)}>"

    def close_tag(self, tok) -> str:
        tag = tok.tag
        if tok.type == "heading_close":
            tag = f"h{min(6, max(2, int(tag[1])))}"
        if self.in_note and tag in NOTE_TAGS:
            return "</span>"
        return f"</{tag}>"


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


def render_chapter(reader: Reader, chapter: Chapter, target: Target) -> str:
    """The HTML of a chapter's body (without its title)."""
    target.notes.clear()
    return _Renderer(reader, chapter, target).blocks(chapter.parsed.tokens)


def inline_html(text: str) -> str:
    """Markdown inline text (a title, a caption) as HTML."""
    tokens = markdown().parseInline(text)
    if not tokens:
        return ""
    out = []
    for tok in tokens[0].children or ():
        if tok.type == "text":
            out.append(escape(nbsp(tok.content), quote=False))
        elif tok.type in ("em_open", "strong_open"):
            out.append(f"<{tok.tag}>")
        elif tok.type in ("em_close", "strong_close"):
            out.append(f"</{tok.tag}>")
        elif tok.type == "code_inline":
            out.append(f"<code>{escape(tok.content)}</code>")
        elif tok.type == "softbreak":
            out.append(" ")
        else:
            out.append(escape(tok.content, quote=False))
    return "".join(out)
