"""Citation clusters for a CSL processor: items, locators and positions, in reading order.

A CSL style decides between a first citation, a short "subsequent" one and "ibid." by
each cite's *position*, which depends on every citation before it and on the notes they
sit in. citeproc-js computes positions incrementally, one cluster at a time, which costs
time quadratic in the number of citations; here they are computed once, in one pass,
with citeproc-js's own rules (``CSL.Engine.prototype.processCitationCluster``):

- first: the item was not cited before;
- ibid / ibid-with-locator: the same item as the cite just before, in the same cluster,
  or first in a cluster whose note directly follows (or is) the note of a previous
  cluster of one cite; "ibid." with a locator where the locators differ, none where the
  previous had one and this has none;
- subsequent: everything else; ``near-note`` when the last cite of the item is at most
  the style's ``near-note-distance`` notes back; ``first-reference-note-number``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .csl_data import locator as split_csl_locator
from ..source.citations import Citation, split_locator

FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR = 0, 1, 2, 3
PUNCTUATION = ",;:.)"


@dataclass
class Cluster:
    """One citation as the processor sees it: CSL citation items and its note number."""
    items: list[dict]
    note: int                       # 0: in the running text of an in-text style
    mode: str = ""                  # "" | "author-only" | "suppress-author"
    missing: list[str] = field(default_factory=list)


def citation_items(citation: Citation, known, members=None) -> tuple[list[dict], list[str]]:
    """CSL citation items of a parsed citation (prefix, locator and label, suffix), and
    the keys that no entry has. *members* gives the entries a key stands for (a biblatex
    ``@set`` stands for its members, cited together: the prefix goes to the first, the
    locator and suffix to the last)."""
    items, missing = [], []
    for item in citation.items:
        key = known(item.key)
        ids = (members(key) if members else [key]) if key is not None else []
        if not ids:
            missing.append(item.key)
            continue
        for n, one in enumerate(ids):
            out = _item(item, one, first=n == 0, last=n == len(ids) - 1)
            items.append(out)
    return items, missing


def _item(item, key: str, first: bool = True, last: bool = True) -> dict:
    out: dict = {"id": key}
    if last:
        label, value, extra = split_csl_locator(item.locator, split_locator)
        if value:
            out["locator"], out["label"] = value, label
        suffix = " ".join(x for x in (extra, item.suffix) if x)
        if suffix:
            out["suffix"] = suffix if suffix[0] in PUNCTUATION else (
                (", " if extra and not value else " ") + suffix)
    if item.prefix and first:
        out["prefix"] = item.prefix + " "
    if item.suppress_author:
        out["suppress-author"] = True
    return out


def _locator_key(item: dict) -> str:
    return f"{item.get('locator', '')}{item.get('label', '') if item.get('locator') else ''}"


def assign_positions(clusters: list[Cluster], near_note_distance: int) -> None:
    """Set position, near-note and first-reference-note-number on every item, in place.

    As citeproc-js, citations in the running text (note 0) and citations in notes are two
    sequences, each with its own history, and a note number lower than the one before
    starts the history of notes again. The cites of each cluster must already stand in
    the order the style sorts them in (``Engine.sort_orders``)."""
    _positions([c for c in clusters if not c.note], near_note_distance)
    _positions([c for c in clusters if c.note], near_note_distance)


def _positions(clusters: list[Cluster], near_note_distance: int) -> None:
    first_ref: dict[str, int] = {}
    last_ref: dict[str, int] = {}
    in_note: dict[int, int] = {}          # cites (not clusters) so far in each note
    previous: Cluster | None = None
    for cluster in clusters:
        if previous is not None and cluster.note and previous.note > cluster.note:
            first_ref, last_ref, in_note = {}, {}, {}
        in_note[cluster.note] = in_note.get(cluster.note, 0) + len(cluster.items)
        for k, item in enumerate(cluster.items):
            key, note = item["id"], cluster.note
            for name in ("position", "near-note", "first-reference-note-number"):
                item.pop(name, None)
            if key not in last_ref and cluster.mode != "author-only":
                first_ref[key] = last_ref[key] = note
                item["position"] = FIRST
                continue
            item["position"] = _later_position(cluster, k, previous, in_note)
            if cluster.mode == "author-only":
                item["position"] = FIRST
            first_ref.setdefault(key, note)
            if first_ref[key] != note:
                item["first-reference-note-number"] = first_ref[key]
            if note:
                if item["position"] != FIRST and note - last_ref.get(key, note) <= near_note_distance:
                    item["near-note"] = True
                last_ref[key] = note
            elif item["position"] != FIRST:
                item["near-note"] = True
        if cluster.items:
            previous = cluster


def _later_position(cluster: Cluster, k: int, previous: Cluster | None, in_note: dict[int, int]) -> int:
    """The position of a cite of an item cited before: "ibid." (with a locator or not) or
    subsequent."""
    item = cluster.items[k]
    prev_item, prev_loc = _ibid_candidate(cluster, k, previous, in_note)
    if prev_item is None or prev_item["id"] != item["id"]:
        return SUBSEQUENT
    mine = _locator_key(item) if item.get("locator") else ""
    theirs = _locator_key(prev_loc) if prev_loc.get("locator") else ""
    if not theirs:
        return IBID_WITH_LOCATOR if mine else IBID
    if mine == theirs:
        return IBID
    return IBID_WITH_LOCATOR if mine else SUBSEQUENT


def _ibid_candidate(cluster: Cluster, k: int, previous: Cluster | None,
                    in_note: dict[int, int]) -> tuple[dict | None, dict | None]:
    """The cite that this one (item k of *cluster*) may be "ibid." of, and the cite whose
    locator it is compared with (as citeproc-js does: the first of the previous cluster)."""
    if k > 0:
        return cluster.items[k - 1], cluster.items[k - 1]
    if previous is None:
        return None, None
    first = previous.items[0]
    if previous.note != cluster.note:
        # the note before holds this one cite only (citeproc-js counts cites, not clusters)
        if previous.note >= cluster.note - 1 and (in_note.get(previous.note) == 1 or previous.note == 0):
            return first, first
        return None, None
    return previous.items[-1], first
