"""Two of pandoc's blocks that CommonMark lacks, and the raw TeX that pandoc's writers skip.

* **Line blocks** (verse, addresses): lines that start with ``| `` keep their breaks and their
  leading spaces; a line that starts with a space continues the line before it.  They become
  a paragraph of class ``line-block`` whose lines end in hard breaks.
* **Raw TeX on a paragraph of its own**, written for pandoc's PDF output: ``\\newpage``,
  ``\\clearpage``, ``\\pagebreak`` (and quarto's ``{{< pagebreak >}}``) become a page break
  (a ``page_break`` token: the PDF editions start a new page there, the e-book and the web
  edition ignore it); any other command alone in its paragraph (``\\vspace{1em}``,
  ``\\tableofcontents``) is left out with a warning, as pandoc's HTML writer leaves it out.
  ``\\noindent`` at a paragraph's start is taken out and the paragraph is not indented.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .blocklines import block_line

LINE = re.compile(r"\|(?: (.*)|)$")
TABLE_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
TEX_ALONE = re.compile(r"^(?:\\[A-Za-z]+\*?(?:\[[^\]\n]*\])?(?:\{[^{}\n]*\})*\s*)+$")
PAGE_BREAK = re.compile(r"^(?:\\(?:newpage|clearpage|cleardoublepage|pagebreak)\b\s*)+$|^\{\{<\s*pagebreak\s*>\}\}$")
NOINDENT = re.compile(r"^\\noindent\b[ \t]*\n?")


def _line_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4 or not LINE.match(block_line(state, start)):
        return False
    if start + 1 < end and TABLE_DELIMITER.match(block_line(state, start + 1)):
        return False                               # a table's header row
    lines: list[str] = []
    line = start
    while line < end:
        text = block_line(state, line)
        m = LINE.match(text)
        if m:
            body = m.group(1) or ""
            lead = len(body) - len(body.lstrip(" "))
            lines.append("\u00a0" * lead + body.lstrip(" "))
        elif lines and text.strip() and state.sCount[line] > state.blkIndent:
            lines[-1] += " " + text.strip()      # a continuation line
        else:
            break
        line += 1
    if silent:
        return True
    token = state.push("paragraph_open", "p", 1)
    token.attrSet("class", "line-block")
    token.map = [start, line]
    token = state.push("inline", "", 0)
    token.content = "\\\n".join(lines)          # a backslash before the line's end: a hard break
    token.map = [start, line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.line = line
    return True


def _raw_tex(state: StateCore) -> None:
    """Paragraphs that are raw TeX alone (see the module's docstring); runs before inline parsing."""
    tokens = state.tokens
    out: list[Token] = []
    n = 0
    while n < len(tokens):
        tok = tokens[n]
        if (tok.type == "paragraph_open" and n + 2 < len(tokens) and tokens[n + 1].type == "inline"
                and tokens[n + 2].type == "paragraph_close"):
            inline = tokens[n + 1]
            text = inline.content.strip()
            if PAGE_BREAK.match(text):
                page_break = Token("page_break", "div", 0)
                page_break.block, page_break.map = True, tok.map
                out.append(page_break)
                n += 3
                continue
            if TEX_ALONE.match(text):
                skipped = Token("tex_skipped", "", 0)
                skipped.block, skipped.map, skipped.content = True, tok.map, text
                out.append(skipped)
                n += 3
                continue
            if NOINDENT.match(inline.content):
                inline.content = NOINDENT.sub("", inline.content, count=1)
                tok.attrSet("class", " ".join(filter(None, [tok.attrGet("class"), "noindent"])))
        out.append(tok)
        n += 1
    state.tokens = out


def pandoc_blocks_plugin(md: MarkdownIt) -> None:
    # (not an "alt" of blockquote: the table rule takes those as the end of its rows)
    md.block.ruler.before("table", "line_block", _line_block, {"alt": ["paragraph", "reference", "list"]})
    md.core.ruler.before("inline", "raw_tex", _raw_tex)
