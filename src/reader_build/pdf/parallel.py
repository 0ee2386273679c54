"""A PDF edition laid out in parts, in worker processes, and merged (merge.py).

The parts: the front part (title page, contents), each chapter, the back part
(bibliography, indexes) and the colophon (it names the sources' hash, which any
edit changes).  Each is a full HTML document from the same template and styles
(:func:`pdf.compose` with *part*), laid out with the fix loops of the
one-document build.  What crosses parts:

* **Folios.** ``@page :first { counter-reset: page N }``, N from the page
  counts of the parts before.  Where a part opens on a right-hand page (mirrored
  margins) the merge puts a blank page before it when N would be even; a part
  that starts on a left-hand page gets ``html { break-before: left }``.
* **Scheduling.** Parts go to the workers in book order with the first page the
  page counts known so far give (else those of the last build, else estimates).
  A part whose first page, contents or index pages turn out different is laid
  out again, with the fix rules found, once the parts it depends on are done.
* **Links** to another part are written ``href="xref:ID"`` and made named
  destinations after the merge; the contents get their numbers as ``data-page``,
  the indexes theirs from :func:`pdf.index_parts` with the pages of all parts.
* **Cache** (*cache_dir*): a part laid out for the same HTML, styles, first page,
  fonts, images and tool version is reused; the last build's page counts,
  anchors and fix rules are remembered per edition.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import multiprocessing
import os
import re
import shutil
import tempfile
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import __version__
from ..config import Edition
from ..diagnostics import Diagnostics
from .merge import ID, PartPdf, book_anchors, book_page_starts, first_pages, link_out, merge
from ..model import Reader
from .compose import ComposeContext, Part, PdfResult, compose, gather, index_parts, new_fix_rules, pdf_options
from ..language.locale import locale_of
from ..render.templates import template_environment

MARKER = "/* reader-build: part rules */"
MAX_ROUNDS = 4              # layouts of one part in one build, at most
FORMAT = 2                  # of a cached part (2: with its page openers)
FRONT, BIBLIOGRAPHY, COLOPHON = "(front)", "(bibliography)", "(colophon)"
# The contents of a part cannot count pages of other documents (target-counter): the
# numbers are given as data-page.
TOC_CSS = 'nav.toc .toc-list a[data-page]::after { content: leader(". ") attr(data-page); }'


@dataclass
class _Task:
    name: str
    html: str                 # with MARKER where the part's CSS and fix rules go
    rules: list
    first_page: int
    variant: str | None
    want_starts: bool
    settled: str | None = None   # a JSON file: part name -> its first page, once the parts before are done


# -- in the worker -------------------------------------------------------------------

_ASSETS: dict = {}


def _init_worker(fonts: dict, images: dict) -> None:
    # Workers leave interruptions to the parent: Ctrl-C sent to the whole process group is
    # ignored here (the parent stops and cleans up), SIGTERM ends a worker quietly.
    import signal
    if multiprocessing.parent_process() is not None:      # a worker, not the in-process path
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # the parent forked this worker with both signals blocked (_Pool.submit): one sent to the
        # group since then is delivered now, to these handlers, not to the parent's
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _ASSETS["fonts"], _ASSETS["images"] = fonts, images


def _lay_out_part(task: _Task) -> dict:
    """Lay out one part until its notes stand on their call's page; its PDF and facts."""
    from .engine import MAX_FIX_PASSES, AssetFetcher, anchor_pages, lay_out, misplaced_notes, renumber
    fetcher = AssetFetcher(_ASSETS["fonts"], _ASSETS["images"])
    rules, passes, fixes, first = list(task.rules), 0, 0, task.first_page
    while True:        # as in pdf.build_pdf
        layout = lay_out(task.html.replace(MARKER, part_css(first) + "\n" + "\n".join(rules), 1), fetcher, fix=rules)
        passes += 1
        rules.extend(layout.rules)
        document = layout.document
        misplaced = misplaced_notes(document)
        fixes += 1
        new = new_fix_rules(document, rules, misplaced) if fixes <= MAX_FIX_PASSES else []
        rules.extend(new)
        settled = _settled_first_page(task)
        if settled not in (None, first) and not new and renumber(layout, settled - first):
            first = settled        # the same pages, numbered from where the parts before end
        elif settled not in (None, first) and passes <= MAX_ROUNDS:
            # the parts before are done and this one starts elsewhere: lay it out again now
            first, fixes = settled, fixes - (not new)
            continue
        if not new:
            break
    data = document.write_pdf(**pdf_options(task.variant))
    settled = _settled_first_page(task)
    if settled not in (None, first) and renumber(layout, settled - first):
        # the parts before were done meanwhile: writing again costs less than a new layout
        first = settled
        data = document.write_pdf(**pdf_options(task.variant))
    bookmarks = [[(level, label, (0.75 * x, 0.75 * (page.height - y)), state)
                  for level, label, (x, y), state in page.bookmarks] for page in document.pages]
    starts = None
    if task.want_starts:       # the EPUB's page-list (the parent has checked that pagemap is there)
        from .pagemap import page_starts
        starts = [asdict(s) for s in page_starts(document, [str(first + i) for i in range(len(bookmarks))])]
    from .engine import page_openers
    return {"pages": len(document.pages), "anchors": anchor_pages(document), "openers": page_openers(document),
            "rules": rules, "passes": passes,
            "misplaced": [list(m) for m in misplaced], "warnings": layout.warnings,
            "refused": fetcher.refused, "bookmarks": bookmarks, "starts": starts, "data": data, "first_page": first}


def _settled_first_page(task: _Task) -> int | None:
    try:
        return json.loads(Path(task.settled).read_text(encoding="utf-8")).get(task.name) if task.settled else None
    except (OSError, ValueError):
        return None


# -- the cache -----------------------------------------------------------------------

def _hash(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


class PartCache:
    """Laid-out parts by key (``KEY.pdf`` + ``KEY.json``), and per edition what the last build found."""

    def __init__(self, folder: Path):
        self.dir = Path(folder)

    def load(self, key: str) -> dict | None:
        try:
            record = json.loads((self.dir / f"{key}.json").read_text(encoding="utf-8"))
            data = (self.dir / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() != record.pop("sha256", None):
            return None
        return dict(record, data=data)

    def store(self, key: str, result: dict) -> None:
        record = {k: v for k, v in result.items() if k != "data"}
        record["sha256"] = hashlib.sha256(result["data"]).hexdigest()
        self._write(f"{key}.pdf", result["data"])
        self._write(f"{key}.json", json.dumps(record, sort_keys=True).encode())

    def memory(self, edition: str) -> dict:
        try:
            return json.loads((self.dir / f"edition-{edition}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def remember(self, edition: str, memory: dict) -> None:
        """Record what this build found; drop the parts that neither this build nor the one before
        used (of any edition)."""
        last = self.memory(edition)
        old = set(last.get("older", ())) | set(last.get("keys", ()))
        memory = dict(memory, older=sorted(set(last.get("keys", ())) - set(memory["keys"])))
        self._write(f"edition-{edition}.json", json.dumps(memory, sort_keys=True).encode())
        used = set()
        for path in self.dir.glob("edition-*.json"):
            try:
                found = json.loads(path.read_text(encoding="utf-8"))
                used |= set(found.get("keys", ())) | set(found.get("older", ()))
            except (OSError, ValueError):
                pass
        for key in old - used:
            for suffix in (".pdf", ".json"):
                (self.dir / f"{key}{suffix}").unlink(missing_ok=True)

    def _write(self, name: str, data: bytes) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{name}.tmp-{os.getpid()}"       # as output.clean_stale_temporaries expects
        tmp.write_bytes(data)
        os.replace(tmp, self.dir / name)


# -- planning ------------------------------------------------------------------------

def plan_parts(ctx: ComposeContext, indexes: list) -> list[Part]:
    """The front part, one part per chapter, the back part, and the colophon apart (it names the
    sources' hash, which changes with any edit; it starts on any page: ``break-before: page``)."""
    edition = ctx.edition
    parts = []
    if edition.includes("title") or edition.includes("toc"):
        parts.append(Part(FRONT, blocks=frozenset({"title", "toc"})))
    parts += [Part(chapter["id"], chapters=(chapter["id"],)) for chapter in ctx.chapters]
    # the bibliography and each index open a page of their own (section.chapter): a part each, so
    # that the bibliography is laid out with the chapters and the indexes side by side at the end
    if ctx.bibliography:
        parts.append(Part(BIBLIOGRAPHY, blocks=frozenset({"bibliography"})))
    parts += [Part(f"(index-{index['kind']})", blocks=frozenset({"indexes"}), kinds=(index["kind"],))
              for index in indexes]
    if edition.includes("colophon"):
        parts.append(Part(COLOPHON, blocks=frozenset({"colophon"})))
    return parts


def _opens_right(edition: Edition, part: Part) -> bool:
    """Does the part open on a right-hand page? In print.css chapters, the bibliography and the
    indexes do (``break-before: right``) when the margins are mirrored, the colophon does not."""
    mirrored = edition.sides == "mirrored" and edition.medium != "screen"
    return mirrored and part.name != COLOPHON and part.blocks != frozenset({"title", "toc"})


def part_css(first_page: int) -> str:
    css = f"@page :first {{ counter-reset: page {first_page}; }}"
    if first_page % 2 == 0:                  # a left-hand page (single-sided editions only)
        css += "\nhtml { break-before: left; }"
    return css


def estimate_pages(part: Part, html: str, edition: Edition, toc_entries: int) -> int:
    """A first guess of a part's page count, for a build that remembers none (about 2100
    characters a page of A5 at 10.5pt; indexes and bibliography are denser)."""
    from .compose import _mm
    if "toc" in part.blocks or "title" in part.blocks:
        title = edition.includes("title")
        return (2 if title else 0) + (-(-toc_entries // 28) if edition.includes("toc") else 0) or 1
    text = len(re.sub(r"\s+", " ", re.sub(r"<style.*?</style>|<[^>]+>", "", html, flags=re.S)))
    width, height = _mm(edition.page_size[0]), _mm(edition.page_size[1])
    size = float(re.sub(r"[^\d.]", "", edition.font_size) or 10.5)
    per_page = 0.118 * (width * 0.7) * (height * 0.815) * (10.5 / size) ** 2
    if "indexes" in part.blocks:
        per_page *= 0.57
    return max(1, round(text / per_page + 0.3))


class _Composer:
    """The parts' HTML; only the contents and the indexes change with the pages found."""

    def __init__(self, reader: Reader, ctx: ComposeContext, root: Path):
        self.reader, self.ctx, self.root = reader, ctx, root
        self.env = template_environment(root, locale_of(reader))
        self.want_index = ctx.edition.includes("indexes")
        self.chapter_of = {m.id: m.chapter for m in reader.mentions}
        self.chapter_of.update({h.id: c.id for c in reader.chapters for h in c.parsed.headings})
        self.fixed: dict[str, str] = {}        # parts without contents or indexes: their HTML
        self.heads: list | None = None         # the kind and title of each index
        self.ids: dict[str, set] = {}

    def indexes(self, page_of) -> list[dict]:
        if not self.want_index:
            return []
        return index_parts(self.reader, self.root, self.env, page_of, lambda mid: f"#{mid}", {})

    def compose_all(self, parts: list[Part], anchors: dict, starts: dict, back: bool = True) -> dict[str, str]:
        """Every part's HTML (without *back*, all but the part with the indexes, the costly one to
        compose); where a page is not known, the first page of its chapter stands in."""
        def page_of(ident):
            if ident in anchors:
                return anchors[ident]
            if ident.startswith("index-"):
                return starts.get(f"({ident.split('-')[0]}-{ident.split('-')[1]})", 1)
            if ident.startswith("bibliography"):
                return starts.get(BIBLIOGRAPHY, 1)
            return starts.get(self.chapter_of.get(ident, ident), 1)
        back = back or not self.ids            # the first time, every part: the ids of each are needed
        if back or self.heads is None:
            indexes = self.indexes(page_of)
            self.heads = [{"kind": i["kind"], "title": i["title"]} for i in indexes]
        else:
            indexes = self.heads               # what the contents list of the indexes
        toc_pages = {item["id"]: page_of(item["id"]) for item in self.ctx.toc}
        toc_pages.update({f"index-{i['kind']}": page_of(f"index-{i['kind']}") for i in indexes})
        htmls = {part.name: self.fixed.get(part.name) or compose(self.ctx, self.env, indexes, TOC_CSS + "\n" + MARKER,
                                                                 part, toc_pages)
                 for part in parts if back or "indexes" not in part.blocks}
        if not self.ids:
            self.ids = {name: set(ID.findall(html)) for name, html in htmls.items()}
        every = set().union(*self.ids.values())
        for part in parts:
            if part.name not in self.fixed and part.name in htmls:
                htmls[part.name] = link_out(htmls[part.name], every - self.ids[part.name])
                if not part.blocks & {"toc", "indexes"}:
                    self.fixed[part.name] = htmls[part.name]
        return htmls


# -- the build -----------------------------------------------------------------------

def build_pdf_parallel(reader: Reader, edition: Edition, root: Path, diags: Diagnostics, build_date: str = "",
                       jobs: int | None = None, cache_dir: Path | None = None) -> PdfResult:
    """The edition laid out in parts by *jobs* worker processes (default: one per core; 1: in this
    process) and merged; the same pages as :func:`pdf.build_pdf`.  *passes* counts the layouts
    made, *parts* tells per part its first page, page count and layouts, *html* is empty.

    Parts are given to the workers in book order, each with the first page that the page counts
    known so far (else remembered, else estimated) give it.  A part whose first page, contents or
    index pages turn out different is laid out again, with the fix rules it found, once every
    part before it is done (the contents: once every part is done).
    """
    import weasyprint
    ctx = gather(reader, edition, root, diags, build_date)
    composer = _Composer(reader, ctx, root)
    parts = plan_parts(ctx, composer.indexes(lambda mid: None))
    if not parts:
        from .compose import build_pdf
        return build_pdf(reader, edition, root, diags, build_date)
    order = {p.name: i for i, p in enumerate(parts)}
    listed = [i for i, p in enumerate(parts) if p.chapters or p.blocks & {"bibliography", "indexes"}]
    last_listed = listed[-1] if listed else len(parts) - 1
    cache = PartCache(cache_dir) if cache_dir is not None else None
    memory = cache.memory(edition.name) if cache else {}
    assets = _hash(*(x for name in sorted(reader.fonts) for x in (name, reader.fonts[name])),
                   *(x for name in sorted(reader.images) for x in (name, reader.images[name])))
    want_starts = importlib.util.find_spec(f"{__package__}.pagemap") is not None
    tool = _hash(FORMAT, __version__, weasyprint.__version__, edition.pdf_variant, assets, want_starts)

    remembered_anchors: dict = dict(memory.get("anchors", {}))
    known_rules: dict = dict(memory.get("rules", {}))
    remembered = {p.name: memory.get("counts", {}).get(p.name) for p in parts}
    estimates = {}
    if any(n is None for n in remembered.values()):
        htmls = composer.compose_all(parts, remembered_anchors, {})
        estimates = {p.name: estimate_pages(p, htmls[p.name], edition, len(ctx.toc) + 2) for p in parts
                     if remembered[p.name] is None}
    results: dict[str, tuple[str, dict, bool]] = {}      # name -> (key, result, made in this build)
    laid_from: dict[str, str] = {}                       # name -> digest of the HTML its result was laid out from
    running: dict = {}                                   # future -> (part name, HTML)
    memo: dict[str, str] = {}

    def digest(html: str) -> str:        # the strings of unchanged parts recur: hashed once
        if html not in memo:
            memo[html] = _hash(html)
        return memo[html]
    submitted: dict[str, int] = {}
    passes, pool = 0, _Pool(jobs, reader)
    try:
        loaded = False
        while True:
            if running and (len(running) >= pool.jobs or not loaded):    # wait for a part to be done
                for future in pool.wait(running):
                    name, html = running.pop(future)
                    result = future.result()
                    results[name] = (_hash(tool, digest(html), part_css(result["first_page"])), result, True)
                    laid_from[name] = digest(html)
                    known_rules[digest(html)] = result["rules"]
                    passes += result["passes"]
            counts = _counts(parts, results, remembered, estimates)
            starts, blanks = first_pages(parts, counts, lambda part: _opens_right(edition, part))
            busy = {name for name, _html in running.values()}
            anchors = {**remembered_anchors, **book_anchors(parts, {n: r[1] for n, r in results.items()}, starts)}
            done = {name for name in results if name not in busy}
            # the indexes list the pages of the chapters: composed and laid out once those are done
            back_ready = all(q.name in done for q in parts if q.chapters)
            htmls = composer.compose_all(parts, anchors, starts, back=back_ready)
            keys = {name: _hash(tool, digest(html), part_css(starts[name])) for name, html in htmls.items()}

            def final(q: Part) -> bool:
                """Is the page count of *q* known for good?  Laid out as it is now; or from the same
                HTML at a first page of the same parity (the same pages, other folios)."""
                if q.name not in results:
                    return False
                if q.blocks & {"toc", "indexes"}:
                    return q.name in done   # they change with every page found: their last count
                if q.name in done and results[q.name][0] == keys.get(q.name):
                    return True
                # (while it is laid out again elsewhere, too: the count stays)
                return (q.name in htmls and laid_from.get(q.name) == digest(htmls[q.name])
                        and results[q.name][1]["first_page"] % 2 == starts[q.name] % 2)
            known = [all(final(q) for q in parts[:n]) for n in range(len(parts))]
            pool.publish({p.name: starts[p.name] for n, p in enumerate(parts) if known[n]})
            loaded = False
            for part in parts:
                name = part.name
                if name not in htmls or name in busy or (name in results and results[name][0] == keys[name]):
                    continue
                if name in results:
                    # laid out already: again once its first page (for the contents: the first page of
                    # every part it lists, so of the last one) is known
                    if not known[last_listed if "toc" in part.blocks else order[name]]:
                        continue
                if submitted.get(name, 0) >= MAX_ROUNDS:
                    continue
                hit = cache.load(keys[name]) if cache else None
                if hit is not None:
                    results[name], loaded = (keys[name], hit, False), True
                    laid_from[name] = digest(htmls[name])
                    submitted[name] = submitted.get(name, 0) + 1
                    continue
                if len(running) >= pool.jobs or loaded:
                    continue
                submitted[name] = submitted.get(name, 0) + 1
                # the rules found for this HTML; else, as the one-document loop keeps its rules when the
                # contents or indexes change, those of the part's last layout in this build
                rules = known_rules.get(digest(htmls[name]), results[name][1]["rules"] if name in results else [])
                task = _Task(name, htmls[name], rules, starts[name], edition.pdf_variant, want_starts, pool.settled)
                running[pool.submit(task)] = (name, htmls[name])
            if not running and not loaded:
                break
    finally:
        pool.close()
    if len(htmls) < len(parts):
        htmls = composer.compose_all(parts, anchors, starts)
        keys = {name: _hash(tool, digest(html), part_css(starts[name])) for name, html in htmls.items()}
    for name in (p.name for p in parts if results[p.name][0] != keys[p.name]):
        diags.warning("parallel-unsettled", f"edition '{edition.name}': the pages of part {name} did not "
                      "settle; its folios or page references may be wrong")

    anchors = book_anchors(parts, {n: r[1] for n, r in results.items()}, starts)
    ordered = [results[p.name][1] for p in parts]
    tagged = edition.pdf_variant == "pdf/ua-1"
    merged = merge([PartPdf(r["data"], blanks[p.name], r["bookmarks"]) for p, r in zip(parts, ordered)], tagged)
    if tagged and merged.problems:
        diags.warning("parallel-fallback", f"edition '{edition.name}' is laid out as one document: its parts "
                      f"could not be merged into one tagged PDF ({'; '.join(merged.problems[:3])})")
        from .compose import build_pdf
        return build_pdf(reader, edition, root, diags, build_date)
    for problem in merged.problems:
        diags.warning("parallel-merge", f"edition '{edition.name}': {problem}")
    for url in dict.fromkeys(url for r in ordered for url in r["refused"]):
        diags.error("fetch-refused", f"the styles ask for {url!r}, which is not a file of the project")
    misplaced = [(starts[p.name] - 1 + page, note) for p, r in zip(parts, ordered) for page, note in r["misplaced"]]
    if misplaced:
        diags.warning("note-misplaced", f"edition '{edition.name}': {len(misplaced)} note(s) could not be kept "
                      "on the page of their call")
    if cache is not None:
        for p in parts:
            key, result, made = results[p.name]
            if made and key == keys[p.name]:
                cache.store(key, result)
        cache.remember(edition.name, {"counts": counts, "anchors": anchors, "keys": sorted(keys.values()),
                                      "rules": {_hash(htmls[p.name]): results[p.name][1]["rules"] for p in parts}})
    info = [{"name": p.name, "first_page": starts[p.name], "pages": r["pages"], "blank_before": blanks[p.name],
             "layouts": r["passes"] if results[p.name][2] else 0} for p, r in zip(parts, ordered)]
    return PdfResult(merged.data, merged.pages, anchors, "", misplaced, passes, None,
                     [w for r in ordered for w in r["warnings"]],
                     page_starts=book_page_starts(parts, ordered, starts, blanks) if want_starts else None, parts=info,
                     openers=sorted({ident for r in ordered for ident in r.get("openers", ())}))


def _counts(parts: list[Part], results: dict, remembered: dict, estimates: dict) -> dict:
    """Page counts: laid out, else remembered, else estimated (scaled by how the estimates of the
    chapters laid out so far compare with their page counts)."""
    done = [p.name for p in parts if p.name in results and p.name in estimates and not p.blocks]
    scale = (sum(results[n][1]["pages"] for n in done) / sum(estimates[n] for n in done)) if done else 1
    return {p.name: results[p.name][1]["pages"] if p.name in results else remembered[p.name]
            or max(1, round(estimates[p.name] * (1 if p.blocks else scale))) for p in parts}


class _Pool:
    """Worker processes (started at the first part to lay out), or this process for jobs=1."""

    def __init__(self, jobs: int | None, reader: Reader):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.assets = (reader.fonts, reader.images)
        self.executor = None
        self.folder = tempfile.mkdtemp(prefix="reader-build-") if self.jobs > 1 else None
        self.settled = os.path.join(self.folder, "settled.json") if self.folder else None

    def publish(self, settled: dict) -> None:
        """Tell the workers the first pages that are known for good."""
        if self.settled:
            with open(self.settled + ".tmp", "w", encoding="utf-8") as f:
                json.dump(settled, f)
            os.replace(self.settled + ".tmp", self.settled)

    def submit(self, task: _Task) -> Future:
        if self.jobs == 1:
            _init_worker(*self.assets)
            future: Future = Future()
            future.set_result(_lay_out_part(task))
            return future
        if self.executor is None:
            # fork: the workers start at once with everything imported, and the main module is not
            # run again (forkserver and spawn would run `python -m reader_build` anew in each worker)
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            self.executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context(method),
                                                initializer=_init_worker, initargs=self.assets)
            # The workers are forked at the first submit (all of them, with fork). Ctrl-C or SIGTERM
            # sent to the whole group while they start would reach a worker that still has this
            # process's handlers: they are blocked until the workers are forked (a signal for this
            # process waits, and is handled, when they are unblocked here).
            import signal
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                return self.executor.submit(_lay_out_part, task)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return self.executor.submit(_lay_out_part, task)

    @staticmethod
    def wait(futures) -> set:
        return wait(futures, return_when=FIRST_COMPLETED).done

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
