"""Raw HTML repaired into well-formed XHTML that is valid where it stands in an EPUB 3.

The sanitiser (sanitize.py) keeps an allow-list of tags and attributes; this module
takes what it let through, parses it as a browser would (the HTML5 tree construction of
tinyhtml5, WeasyPrint's own parser), and then enforces the content models that the HTML5
parser leaves alone: a ``<div>`` inside a ``<span>`` or a paragraph, an ``<li>`` outside a
list, a ``<td>`` outside a row, a second ``<figcaption>``, ``<a>`` inside ``<a>`` … An
element that may not stand where it is is unwrapped (its content kept); each repair is
reported, so that the writer can be told once per place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from tinyhtml5.parser import HTMLParser

PHRASING = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins", "kbd",
    "mark", "q", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var", "wbr",
}
# elements whose content must be phrasing only
PHRASING_ONLY = PHRASING | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "rt", "rp", "pre", "caption"}
PARENTS = {
    "li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"}, "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"}, "th": {"tr"}, "thead": {"table"}, "tbody": {"table"}, "tfoot": {"table"},
    "figcaption": {"figure"}, "rt": {"ruby"}, "rp": {"ruby"}, "caption": {"table"},
}
WRAP_STRAY = {"ul": "li", "ol": "li", "dl": "dd"}         # text or elements loose in a list: wrapped
CHILDREN = {"ul": {"li"}, "ol": {"li"}, "dl": {"dt", "dd"}, "table": {"caption", "thead", "tbody", "tfoot", "tr"},
            "thead": {"tr"}, "tbody": {"tr"}, "tfoot": {"tr"}, "tr": {"td", "th"}, "ruby": PHRASING | {"rt", "rp"}}
VOID = {"br", "hr", "wbr", "img"}
NEVER_INSIDE = {"a": {"a"}, "dfn": {"dfn"}, "figure": set()}
XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)      # Node or str


@dataclass
class Repair:
    tag: str
    action: str          # "unwrapped" | "removed" | "wrapped"
    where: str           # the parent it could not stand in


def _convert(element) -> list:
    """tinyhtml5's ElementTree element into Nodes and strings (its children only)."""
    out: list = []
    if element.text:
        out.append(element.text)
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag and not tag.startswith("!"):
            out.append(Node(tag, dict(child.attrib), _convert(child)))
        if child.tail:
            out.append(child.tail)
    return out


class _Fixer:
    def __init__(self):
        self.repairs: list[Repair] = []

    def children(self, parent: Node, ancestors: tuple[str, ...]) -> list:
        phrasing = parent.tag in PHRASING_ONLY
        allowed = CHILDREN.get(parent.tag)
        out: list = []
        for child in parent.children:
            if isinstance(child, str):
                if allowed is not None and parent.tag != "ruby":
                    if child.strip() and parent.tag in WRAP_STRAY:
                        out.append(self._wrap(parent, child, ancestors))
                    continue
                out.append(child)
                continue
            out.extend(self.node(child, parent, ancestors, phrasing, allowed))
        return out

    def node(self, child: Node, parent: Node, ancestors: tuple[str, ...], phrasing: bool, allowed) -> list:
        tag = child.tag
        misplaced = (
            (phrasing and tag not in PHRASING and not (parent.tag == "ruby" and tag in ("rt", "rp")))
            or (tag in PARENTS and parent.tag not in PARENTS[tag])
            or any(tag in NEVER_INSIDE.get(a, ()) for a in ancestors)
        )
        if misplaced:
            if tag in VOID and tag != "br" or tag in ("hr",):
                self.repairs.append(Repair(tag, "removed", parent.tag))
                return []
            self.repairs.append(Repair(tag, "unwrapped", parent.tag))
            return self.children(Node(parent.tag, {}, child.children), ancestors)
        if allowed is not None and tag not in allowed:
            if parent.tag in WRAP_STRAY:
                return [self._wrap(parent, child, ancestors)]
            self.repairs.append(Repair(tag, "removed", parent.tag))
            return []
        fixed = Node(tag, child.attrs, [])
        fixed.children = self.children(child, ancestors + (tag,))
        self._content_rules(fixed)
        return [fixed]

    def _wrap(self, parent: Node, content, ancestors) -> Node:
        wrapper = WRAP_STRAY[parent.tag]
        self.repairs.append(Repair(content.tag if isinstance(content, Node) else "text", "wrapped", parent.tag))
        node = Node(wrapper, {}, [content])
        node.children = self.children(node, ancestors + (parent.tag, wrapper))
        return node

    def _content_rules(self, node: Node) -> None:
        """Order rules of figure, table, dl and ruby that a parser does not enforce."""
        elements = [c for c in node.children if isinstance(c, Node)]
        if node.tag == "figure":
            captions = [c for c in elements if c.tag == "figcaption"]
            keep = captions[0] if captions and elements and captions[0] in (elements[0], elements[-1]) else None
            for caption in captions:
                if caption is not keep:
                    caption.tag = "div"
                    self.repairs.append(Repair("figcaption", "unwrapped", "figure"))
        elif node.tag == "table":
            for n, caption in enumerate(c for c in elements if c.tag == "caption"):
                if n or caption is not elements[0]:
                    node.children.remove(caption)
                    self.repairs.append(Repair("caption", "removed", "table"))
            rows = [c for c in node.children if isinstance(c, Node) and c.tag == "tr"]
            if rows and any(isinstance(c, Node) and c.tag in ("thead", "tbody", "tfoot") for c in node.children):
                for row in rows:          # loose rows beside a tbody: into a tbody of their own
                    node.children[node.children.index(row)] = Node("tbody", {}, [row])
        elif node.tag == "dl":
            self._dl(node)
        elif node.tag == "ruby" and not any(isinstance(c, Node) and c.tag == "rt" for c in node.children):
            node.tag = "span"
            node.children = [c for c in node.children if not (isinstance(c, Node) and c.tag == "rp")]
            self.repairs.append(Repair("ruby", "unwrapped", "ruby"))

    def _dl(self, node: Node) -> None:
        """A dl is groups of dt+ dd+: one that is not becomes a div (its terms and details divs)."""
        items = [c for c in node.children if isinstance(c, Node)]
        if re.fullmatch(r"(t+d+)*", "".join(c.tag[1] for c in items)):
            return
        node.tag = "div"
        for item in items:
            item.tag = "div"
        self.repairs.append(Repair("dl", "unwrapped", "dl"))


def serialize(nodes: list) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(XML_BAD.sub("", node), quote=False))
            continue
        attrs = "".join(f' {name}="{escape(XML_BAD.sub("", str(value)), quote=True)}"'
                        for name, value in node.attrs.items())
        if node.tag in VOID:
            out.append(f"<{node.tag}{attrs}/>")
        else:
            out.append(f"<{node.tag}{attrs}>{serialize(node.children)}</{node.tag}>")
    return "".join(out)


def repair(fragment: str, phrasing: bool = False) -> tuple[str, list[Repair]]:
    """(well-formed XHTML, the repairs made) for *fragment*, taken as the content of a
    ``<div>`` (flow content) or, with *phrasing*, of a paragraph."""
    root = HTMLParser(namespace_html_elements=False).parse_fragment(fragment, container="div")
    container = Node("p" if phrasing else "div", {}, _convert(root))
    fixer = _Fixer()
    nodes = fixer.children(container, ())
    made = _count(nodes)
    changed = {r.tag for r in fixer.repairs}
    changed |= {tag for container, tags in (("dl", {"dt", "dd"}), ("ruby", {"rt", "rp"})) if container in changed
                for tag in tags}
    for tag, n in _start_tags(fragment).items():     # what the parser itself dropped (a <tr> outside a table)
        if tag in PARENTS and made.get(tag, 0) < n and tag not in changed:
            fixer.repairs.append(Repair(tag, "removed", "div" if not phrasing else "p"))
    return serialize(nodes), fixer.repairs


def _start_tags(fragment: str) -> dict:
    counts: dict = {}
    for m in re.finditer(r"<([A-Za-z][A-Za-z0-9]*)", fragment):
        tag = m.group(1).lower()
        counts[tag] = counts.get(tag, 0) + 1
    return counts


def _count(nodes: list, counts: dict | None = None) -> dict:
    counts = {} if counts is None else counts
    for node in nodes:
        if isinstance(node, Node):
            counts[node.tag] = counts.get(node.tag, 0) + 1
            _count(node.children, counts)
    return counts


def describe(repairs: list[Repair]) -> str:
    """"<tr> outside a table removed, <div> inside <p> unwrapped" (each kind once)."""
    seen = []
    for r in repairs:
        where = {"p": "a paragraph", "div": "its place"}.get(r.where, f"<{r.where}>")
        if r.action == "wrapped":
            text = f"{'text' if r.tag == 'text' else '<' + r.tag + '>'} loose in {where} wrapped"
        elif r.where in ("div", "p") and r.tag in PARENTS:
            outside = {"tr": "a table", "li": "a list", "dt": "a list", "dd": "a list"}.get(r.tag, f"<{min(PARENTS[r.tag])}>")
            text = f"<{r.tag}> outside {outside} {r.action}"
        elif r.tag == r.where:
            text = f"<{r.tag}> incomplete, {r.action}"
        else:
            text = f"<{r.tag}> not allowed in {where} {r.action}"
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)
