"""The whole build, top to bottom: gather and resolve everything, make every
edition in memory, and only then write the outputs and the manifest.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Callable

from .diagnostics import MACHINE_CODES, Diagnostics, ReaderError
from .model import PageStart, Reader
from .store.output import AtomicWriter, BuildLock, clean_stale_temporaries
from .store.cache import CACHE_DIR, BuildCache, edition_key
from .store.parsed import ParseCache
from .pdf.compose import PdfResult
from .config import build_date
from .epub.book import build_epub
from .handout.build import build_handout, handout_path
from .pdf import engine
from .pdf.failures import out_of_memory
from .pdf.parallel import build_pdf
from .pdf.sections import section_pages
from .resolve import load_reader
from .render.templates import check_styles
from .source.files import SourceTree
from .source.project import inputs_digest, read_tree
from .store.cache import package_hash
from .diagnostics import Diagnostic
from .index.check import unmatched_names
from .validators import run_ace, run_epubcheck
from .web.site import build_web, folder_digest, site_digest


@dataclass
class BuildResult:
    status: int                                  # 0 built, 1 input errors
    diagnostics: Diagnostics
    written: list[Path] = field(default_factory=list)
    manifest: dict | None = None
    stats: dict = field(default_factory=dict)    # per edition: layout passes, pages, seconds
    notes: list[str] = field(default_factory=list)   # what was found and mended (a killed build's leftovers)


def make_manifest(reader: Reader, editions: list[dict], pages: dict, diags: Diagnostics) -> dict:
    sections = []
    for ident, title, _chapter in reader.sections():
        entry = {"id": ident, "title": title, "pages": {}}
        for name, table in pages.items():
            if ident in table:
                entry["pages"][name] = table[ident]
        sections.append(entry)
    kinds = {"person": "names", "place": "places"}
    index_counts = {}
    for kind in reader.authority.kinds():
        entries = {m.entry for m in reader.mentions
                   if (e := reader.authority.get(m.entry)) and (e.kind == kind or (
                       e.parent and reader.authority.get(e.parent) and reader.authority.get(e.parent).kind == kind))}
        index_counts[kinds.get(kind, kind)] = len(entries)
    return {
        "reader": {"title": reader.config.title, "language": reader.config.language},
        "editions": editions,
        "sections": sections,
        "counts": {
            "chapters": len(reader.chapters),
            "footnotes": reader.note_count,
            "citations": sum(len(c.parsed.citations) for c in reader.chapters),
            "bibliography": len(reader.bibliography.entries_html(None)),
            "index": index_counts,
        },
        "source_hash": reader.source_hash,
        "diagnostics": [d.as_json() for d in diags.sorted()],
    }


def inputs_key(tree: SourceTree, editions: list[str] | None) -> str:
    """The key of the up-to-date check: the content hash of every file the read stage read
    (reader.toml, manuscript/, bibliography/, styles/, images included), the tool,
    SOURCE_DATE_EPOCH and the editions asked for.  The files are read once, before anything
    else: a source changed during the build leaves the key stale, never the outputs."""
    h = hashlib.sha256()
    for part in (package_hash(), os.environ.get("SOURCE_DATE_EPOCH", ""), json.dumps(sorted(editions or [])),
                 inputs_digest(tree)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def _up_to_date(root: Path, key: str, strict: bool) -> BuildResult | None:
    """The last build, when it was made from these very inputs and its outputs are intact: its
    diagnostics again, and the manifest rewritten to say that nothing was made.  Else None."""
    build_dir = root / "build"
    try:
        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("inputs") != key:
            return None
        for record in manifest["editions"]:
            if record.get("format") == "html":
                if folder_digest(root / record["path"], record["files"]) != record["sha256"]:
                    return None
            elif hashlib.sha256((root / record["path"]).read_bytes()).hexdigest() != record["sha256"]:
                return None
        diags = Diagnostics()
        for d in (d for d in manifest["diagnostics"] if d["code"] not in MACHINE_CODES):
            diags.add(Diagnostic(d["code"], d["severity"], d["message"], d.get("path"), d.get("line"), d.get("col")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    effective = diags.strict() if strict else diags
    if effective.has_errors:
        return BuildResult(1, effective)
    for record in manifest["editions"]:
        if "layouts" in record:
            record["layouts"] = 0
        if "made" in record:
            record["made"] = False
    outputs = AtomicWriter()
    notes: list[str] = []
    try:
        with BuildLock(build_dir) as lock:
            notes = lock.notes + clean_stale_temporaries(build_dir)
            outputs.add(build_dir / "manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
            written = outputs.commit()
    except ReaderError as exc:
        diags.extend(exc.diagnostics)
        return BuildResult(1, diags, notes=notes)
    finally:
        outputs.cleanup()
    stats = {r["name"]: {"pages": r.get("pages"), "layouts": 0, "seconds": 0.0, "misplaced_notes": 0}
             for r in manifest["editions"] if r.get("format") == "pdf" and not r.get("handout")}
    return BuildResult(0, diags, written, manifest, stats, notes)


@dataclass
class BuildContext:
    """What every step of one build shares: the project, its resolved reader, the diagnostics,
    the build date, and the outputs gathered so far (written only at the end)."""
    root: Path
    reader: Reader
    diags: Diagnostics
    date: str
    say: Callable[[str], None]
    jobs: int | None = None
    emit_html: bool = False
    outputs: AtomicWriter = field(default_factory=AtomicWriter)
    notes: list[str] = field(default_factory=list)

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @cached_property
    def cache(self) -> BuildCache:
        return BuildCache(self.build_dir, self.diags)


@dataclass
class LaidOut:
    """The PDF editions laid out by one build."""
    results: dict = field(default_factory=dict)      # edition name -> PdfResult
    records: list = field(default_factory=list)      # manifest records of the editions asked for
    pages: dict = field(default_factory=dict)        # edition name -> section id -> [first, last]
    stats: dict = field(default_factory=dict)
    print_anchors: dict | None = None
    print_starts: list | None = None


def build(root: Path, editions: list[str] | None = None, *, strict: bool = False, emit_html: bool = False,
          progress: Callable[[str], None] | None = None, jobs: int | None = None) -> BuildResult:
    """Build the editions of the project in *root*: gather everything, then write.

    PDF editions are laid out chapter by chapter in *jobs* worker processes (default:
    one per core; 1 lays out in-process) and assembled, with a per-chapter cache in
    build/.cache/parts; with *emit_html* the HTML of each as one document, which a plain
    WeasyPrint render lays out into the same pages, is also written to build/NAME.html.
    """
    root, diags, say = root.resolve(), Diagnostics(), progress or (lambda message: None)
    tree = read_tree(root) if root.is_dir() else None         # every source, read once
    inputs = inputs_key(tree, editions) if tree is not None else ""
    if inputs and not emit_html and (unchanged := _up_to_date(root, inputs, strict)) is not None:
        say("every edition is up to date")
        return unchanged
    if (problem := engine.check_version()) is not None:
        diags.error("weasyprint-version", problem)
        return BuildResult(1, diags)
    say("reading the sources")
    reader = load_reader(root, diags, tree, ParseCache(root / "build" / CACHE_DIR / "parsed", root, diags)
                         if tree is not None else None)
    chosen = choose_editions(reader, editions, diags) if reader is not None else []
    if reader is None or _effective(diags, strict).has_errors:
        return BuildResult(1, _effective(diags, strict))
    ctx = BuildContext(root, reader, diags, build_date(reader.config.date), say, jobs, emit_html)
    laid_out = LaidOut()
    try:
        with BuildLock(ctx.build_dir) as lock:
            ctx.notes = lock.notes + clean_stale_temporaries(ctx.build_dir)
            laid_out = lay_out_pdfs(ctx, chosen)
            records = laid_out.records + (make_handouts(ctx, laid_out.results) if not editions else [])
            records += make_epubs(ctx, chosen, laid_out) + make_webs(ctx, chosen, laid_out)
            if _effective(diags, strict).has_errors:
                return BuildResult(1, _effective(diags, strict), stats=laid_out.stats, notes=ctx.notes)
            manifest = add_manifest(ctx, records, laid_out.pages, inputs)
            say("writing")
            written = ctx.outputs.commit()
    except ReaderError as exc:
        diags.extend(exc.diagnostics)
        return BuildResult(1, diags, stats=laid_out.stats, notes=ctx.notes)
    except MemoryError:
        diags.add(out_of_memory(None, None, None))
        return BuildResult(1, diags, stats=laid_out.stats, notes=ctx.notes)
    finally:
        ctx.outputs.cleanup()
    return BuildResult(0, diags, written, manifest, laid_out.stats, ctx.notes)


def _effective(diags: Diagnostics, strict: bool) -> Diagnostics:
    return diags.strict() if strict else diags


def choose_editions(reader: Reader, names: list[str] | None, diags: Diagnostics) -> list:
    """The editions asked for (all when none is named); an unknown name is an error."""
    config = reader.config
    if not names:
        return list(config.editions)
    for name in (n for n in names if config.edition(n) is None):
        diags.error("edition-unknown", f"there is no edition '{name}'; the project has: "
                    + ", ".join(e.name for e in config.editions), "reader.toml")
    return [e for e in config.editions if e.name in names]


def lay_out_pdfs(ctx: BuildContext, chosen: list) -> LaidOut:
    """Every PDF edition asked for, and the print edition whenever an e-book needs its pages."""
    config = ctx.reader.config
    pdf_editions = [e for e in chosen if e.is_pdf]
    if any(not e.is_pdf for e in chosen) and config.print_edition and config.print_edition not in pdf_editions:
        pdf_editions.insert(0, config.print_edition)
    laid_out = LaidOut()
    for edition in pdf_editions:
        started = datetime.now()
        result, starts = lay_out_pdf(ctx, edition)
        laid_out.stats[edition.name] = {"pages": result.pages, "layouts": result.passes,
                                        "seconds": (datetime.now() - started).total_seconds(),
                                        "misplaced_notes": len(result.misplaced)}
        laid_out.results[edition.name] = result
        if edition is config.print_edition:
            laid_out.print_anchors, laid_out.print_starts = result.anchors, starts
        if edition in chosen:
            add_pdf(ctx, edition, result, laid_out)
    return laid_out


def lay_out_pdf(ctx: BuildContext, edition) -> tuple[PdfResult, list | None]:
    """One PDF edition and its page starts: from the build cache, else laid out (and cached)."""
    path = ctx.build_dir / f"{edition.name}.pdf"
    key = edition_key(ctx.reader.source_hash, edition, ctx.date)
    cached = None if ctx.emit_html else ctx.cache.load(edition.name, key, path)
    if cached:
        record, data = cached
        ctx.say(f"'{edition.name}' is up to date")
        return PdfResult.from_record(record, data), [PageStart(**s) for s in record.get("page_starts") or []] or None
    ctx.say(f"laying out '{edition.name}'")
    result = build_pdf(ctx.reader, edition, ctx.root, ctx.diags, ctx.date, jobs=ctx.jobs, emit_html=ctx.emit_html,
                       cache_dir=ctx.build_dir / CACHE_DIR / "parts")
    starts = result.page_starts
    ctx.cache.store(edition.name, key, result.data, pages=result.pages, anchors=result.anchors,
                    openers=result.openers, page_starts=[asdict(s) for s in starts] if starts else None)
    return result, starts


def add_pdf(ctx: BuildContext, edition, result: PdfResult, laid_out: LaidOut) -> None:
    """A PDF edition's file (and, with --emit-html, its HTML and assets) and manifest record."""
    ctx.outputs.add(ctx.build_dir / f"{edition.name}.pdf", result.data)
    if ctx.emit_html:
        ctx.outputs.add(ctx.build_dir / f"{edition.name}.html", result.html.encode())
        for name, data in ctx.reader.fonts.items():
            ctx.outputs.add(ctx.build_dir / "fonts" / name, data)
        for rel, data in ctx.reader.images.items():
            ctx.outputs.add(ctx.build_dir / rel, data)
    laid_out.pages[edition.name] = section_pages(ctx.reader, result.anchors, result.openers)
    laid_out.records.append({"name": edition.name, "format": "pdf", "path": f"build/{edition.name}.pdf",
                             "pages": result.pages, "sha256": hashlib.sha256(result.data).hexdigest(),
                             "layouts": result.passes})


def make_epubs(ctx: BuildContext, chosen: list, laid_out: LaidOut) -> list[dict]:
    """The e-book editions asked for, labelled with the print edition's pages."""
    records = []
    for edition in (e for e in chosen if e.format == "epub"):
        path = ctx.build_dir / f"{edition.name}.epub"
        pages = json.dumps([laid_out.print_anchors, [asdict(s) for s in laid_out.print_starts or []]],
                           sort_keys=True) if laid_out.print_anchors else ""
        key = edition_key(ctx.reader.source_hash, edition, ctx.date, pages)
        cached = ctx.cache.load(edition.name, key, path)
        if cached:
            data = cached[1]
            ctx.say(f"'{edition.name}' is up to date")
        else:
            ctx.say(f"making '{edition.name}'")
            data = build_epub(ctx.reader, edition, ctx.root, ctx.diags, ctx.date, laid_out.print_anchors,
                              page_starts=laid_out.print_starts).data
            ctx.cache.store(edition.name, key, data)
        ctx.outputs.add(path, data)
        records.append({"name": edition.name, "format": "epub", "path": f"build/{edition.name}.epub",
                        "sha256": hashlib.sha256(data).hexdigest(), "made": not cached})
    return records


def make_webs(ctx: BuildContext, chosen: list, laid_out: LaidOut) -> list[dict]:
    """The web editions asked for (folders of static files), labelled with the print edition's pages."""
    records = []
    for edition in (e for e in chosen if e.format == "html"):
        ctx.say(f"making '{edition.name}'")
        files = build_web(ctx.reader, edition, ctx.root, ctx.diags, ctx.date, laid_out.print_anchors,
                          page_starts=laid_out.print_starts)
        folder = ctx.build_dir / edition.name
        for name, data in files.items():
            ctx.outputs.add(folder / name, data)
        records.append({"name": edition.name, "format": "html", "path": f"build/{edition.name}/",
                        "files": sorted(files), "sha256": site_digest(files), "made": True})
    return records


def add_manifest(ctx: BuildContext, records: list[dict], pages: dict, inputs: str) -> dict:
    """build/manifest.json, with the editions in the order reader.toml gives them."""
    order = {e.name: i for i, e in enumerate(ctx.reader.config.editions)}
    records.sort(key=lambda r: order.get(r["name"], 99))
    manifest = make_manifest(ctx.reader, records, pages, ctx.diags)
    manifest["inputs"] = inputs
    ctx.outputs.add(ctx.build_dir / "manifest.json",
                    (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return manifest


def make_handouts(ctx: BuildContext, pdf_results: dict) -> list[dict]:
    """The handouts declared in reader.toml, made from the PDF editions just laid out."""
    records = []
    for handout in ctx.reader.config.handouts:
        path = handout_path(ctx.root, handout)
        base = pdf_results.get(handout.edition)
        key = edition_key(ctx.reader.source_hash, handout, ctx.date,
                          base and hashlib.sha256(base.data).hexdigest() or "")
        cached = ctx.cache.load(f"handout-{handout.name}", key, path)
        if cached:
            data = cached[1]
        else:
            ctx.say(f"making handout '{handout.name}'")
            data = build_handout(ctx.reader, handout, ctx.root, ctx.diags, results=pdf_results)
            if data is None:
                continue
            ctx.cache.store(f"handout-{handout.name}", key, data)
        ctx.outputs.add(path, data)
        records.append({"name": f"handout-{handout.name}", "format": "pdf",
                        "path": path.relative_to(ctx.root).as_posix(), "handout": True,
                        "sha256": hashlib.sha256(data).hexdigest(), "made": not cached})
    return records


def check(root: Path, validators: bool = True, styles: bool = False) -> Diagnostics:
    """Read and resolve everything, write nothing; with the index's own check, with *styles*
    the check of the project's templates and stylesheets, and EPUBCheck and Ace (where
    installed) on the e-books already built.  Every source is read once."""
    root = root.resolve()
    diags = Diagnostics()
    tree = read_tree(root) if root.is_dir() else None
    reader = load_reader(root, diags, tree)
    if reader is not None:
        diags.extend(unmatched_names(reader))
        if validators:
            for edition in reader.config.editions:
                epub = root / "build" / f"{edition.name}.epub"
                if edition.format == "epub" and epub.is_file():
                    shown = epub.relative_to(root).as_posix()
                    diags.extend(run_epubcheck(epub, shown))
                    diags.extend(run_ace(epub, shown))
    if styles and tree is not None:
        check_styles(root, diags, tree)
    return diags
