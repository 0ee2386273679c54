"""The whole build, top to bottom: gather and resolve everything, make every
edition in memory, and only then write the outputs and the manifest.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .diagnostics import Diagnostics, ReaderError
from .model import Reader
from .store.output import AtomicWriter, BuildLock, clean_stale_temporaries
from .store.cache import CACHE_DIR, BuildCache, edition_key
from .pdf.pagemap import PageStart, page_starts
from .pdf.compose import PdfResult, build_pdf
from .source.project import SOURCE_PARTS, load_project
from .resolve import resolve
from .web.site import build_web, folder_digest, site_digest


@dataclass
class BuildResult:
    status: int                                  # 0 built, 1 input errors
    diagnostics: Diagnostics
    written: list[Path] = field(default_factory=list)
    manifest: dict | None = None
    stats: dict = field(default_factory=dict)    # per edition: layout passes, pages, seconds


def build_date(reader_date: str) -> str:
    """SOURCE_DATE_EPOCH, else the date in reader.toml, else none (no date in the outputs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if reader_date:
        parts = (reader_date + "-01-01")[:10].split("-")
        return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"
    return ""


def load_reader(root: Path, diags: Diagnostics) -> Reader | None:
    sources = load_project(root, diags)
    if sources is None:
        return None
    return resolve(sources, diags)


def section_pages(reader: Reader, anchors: dict, openers=()) -> dict[str, list[int]]:
    """First and last page of every chapter and ## section: a section ends on the page where the
    next begins, or on the page before when the next heading opens its page (*openers*)."""
    openers = set(openers)
    result = {}
    for chapter in reader.chapters:
        start = anchors.get(chapter.id)
        end = anchors.get(f"end-{chapter.id}", start)
        if start is None:
            continue
        result[chapter.id] = [start, end]
        heads = [h for h in chapter.parsed.headings if h.level == 2]
        for n, heading in enumerate(heads):
            first = anchors.get(heading.id)
            if first is None:
                continue
            following = anchors.get(heads[n + 1].id) if n + 1 < len(heads) else None
            if following is not None and following > first and heads[n + 1].id in openers:
                following -= 1
            last = end if following is None else max(first, following)
            result[heading.id] = [first, last]
    return result


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


def inputs_key(root: Path, editions: list[str] | None) -> str:
    """A hash of every file a build may read (reader.toml, manuscript/, bibliography/, styles/,
    images included), the tool, SOURCE_DATE_EPOCH and the editions asked for.  Computed before
    anything is read: a source changed during the build leaves the key stale, never the outputs."""
    from .store.cache import package_hash
    from .source.files import inside, relpath
    h = hashlib.sha256()
    for part in (package_hash(), os.environ.get("SOURCE_DATE_EPOCH", ""), json.dumps(sorted(editions or []))):
        h.update(part.encode() + b"\0")
    files = []
    for part in SOURCE_PARTS:
        if (root / part).is_dir():
            files += sorted(p for p in (root / part).rglob("*") if p.is_file() or p.is_symlink())
        else:
            files.append(root / part)
    for path in files:
        h.update(relpath(root, path).encode() + b"\0")
        try:
            h.update(path.read_bytes() if inside(root, path) else b"\0outside\0" + os.fsencode(os.readlink(path)))
        except OSError:
            h.update(b"\0unreadable\0")
    return h.hexdigest()


def _up_to_date(root: Path, key: str, strict: bool) -> BuildResult | None:
    """The last build, when it was made from these very inputs and its outputs are intact: its
    diagnostics again, and the manifest rewritten to say that nothing was made.  Else None."""
    from .diagnostics import Diagnostic
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
        for d in manifest["diagnostics"]:
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
    try:
        with BuildLock(build_dir):
            clean_stale_temporaries(build_dir)
            outputs.add(build_dir / "manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
            written = outputs.commit()
    except ReaderError as exc:
        diags.extend(exc.diagnostics)
        return BuildResult(1, diags)
    finally:
        outputs.cleanup()
    stats = {r["name"]: {"pages": r.get("pages"), "layouts": 0, "seconds": 0.0, "misplaced_notes": 0}
             for r in manifest["editions"] if r.get("format") == "pdf" and not r.get("handout")}
    return BuildResult(0, diags, written, manifest, stats)


def build(root: Path, editions: list[str] | None = None, *, strict: bool = False, emit_html: bool = False,
          progress: Callable[[str], None] | None = None, jobs: int | None = None) -> BuildResult:
    """Build the editions of the project in *root*.

    PDF editions are laid out chapter by chapter in *jobs* worker processes (default:
    one per core; 1 lays out in-process) and assembled, with a per-chapter cache in
    build/.cache/parts; with *emit_html* they are laid out as one document, whose HTML
    is written to build/NAME.html.
    """
    root = root.resolve()
    diags = Diagnostics()
    say = progress or (lambda message: None)
    inputs = inputs_key(root, editions) if root.is_dir() else ""
    if inputs and not emit_html:
        unchanged = _up_to_date(root, inputs, strict)
        if unchanged is not None:
            say("every edition is up to date")
            return unchanged
    say("reading the sources")
    reader = load_reader(root, diags)
    if reader is None:
        return BuildResult(1, diags)
    config = reader.config
    chosen = list(config.editions)
    if editions:
        unknown = [n for n in editions if config.edition(n) is None]
        for name in unknown:
            diags.error("edition-unknown", f"there is no edition '{name}'; the project has: "
                        + ", ".join(e.name for e in config.editions), "reader.toml")
        chosen = [e for e in config.editions if e.name in editions]
    effective = diags.strict() if strict else diags
    if effective.has_errors:
        return BuildResult(1, effective)

    date = build_date(config.date)
    build_dir = root / "build"
    outputs = AtomicWriter()
    records = []
    pages: dict[str, dict] = {}
    stats: dict = {}
    try:
        with BuildLock(build_dir):
            clean_stale_temporaries(build_dir)
            print_edition = config.print_edition
            pdf_editions = [e for e in chosen if e.is_pdf]
            if any(not e.is_pdf for e in chosen) and print_edition and print_edition not in pdf_editions:
                pdf_editions.insert(0, print_edition)    # the e-book needs the print pages
            print_anchors = None
            print_starts = None
            pdf_results = {}
            cache = BuildCache(build_dir)
            for edition in pdf_editions:
                started = datetime.now()
                path = build_dir / f"{edition.name}.pdf"
                key = edition_key(reader.source_hash, edition, date)
                cached = None if emit_html else cache.load(edition.name, key, path)
                if cached:
                    record, data = cached
                    result = PdfResult.from_record(record, data)
                    starts = [PageStart(**s) for s in record.get("page_starts") or []] or None
                    say(f"'{edition.name}' is up to date")
                else:
                    say(f"laying out '{edition.name}'")
                    if emit_html:
                        result = build_pdf(reader, edition, root, diags, date)
                    else:
                        from .pdf.parallel import build_pdf_parallel
                        result = build_pdf_parallel(reader, edition, root, diags, date, jobs=jobs,
                                                    cache_dir=build_dir / CACHE_DIR / "parts")
                    starts = getattr(result, "page_starts", None)
                    if starts is None and result.layout is not None:
                        starts = page_starts(result.layout.document)
                    outputs.add(*cache.entry(edition.name, key, result.data, pages=result.pages,
                                             anchors=result.anchors, openers=result.openers,
                                             page_starts=[asdict(s) for s in starts] if starts else None))
                stats[edition.name] = {"pages": result.pages, "layouts": result.passes,
                                       "seconds": (datetime.now() - started).total_seconds(),
                                       "misplaced_notes": len(result.misplaced)}
                pdf_results[edition.name] = result
                if edition is print_edition:
                    print_anchors = result.anchors
                    print_starts = starts
                if edition not in chosen:
                    continue
                outputs.add(path, result.data)
                if emit_html:
                    outputs.add(build_dir / f"{edition.name}.html", result.html.encode())
                    for name, data in reader.fonts.items():
                        outputs.add(build_dir / "fonts" / name, data)
                    for rel, data in reader.images.items():
                        outputs.add(build_dir / rel, data)
                pages[edition.name] = section_pages(reader, result.anchors, result.openers)
                records.append({"name": edition.name, "format": "pdf", "path": f"build/{edition.name}.pdf",
                                "pages": result.pages, "sha256": hashlib.sha256(result.data).hexdigest(),
                                "layouts": result.passes})
            if not editions:
                records += _handouts(reader, root, diags, date, pdf_results, cache, outputs, say)
            for edition in chosen:
                if edition.is_pdf:
                    continue
                if edition.format == "html":
                    say(f"making '{edition.name}'")
                    records.append(_web_edition(reader, edition, root, diags, date, print_anchors, print_starts,
                                                outputs))
                    continue
                path = build_dir / f"{edition.name}.epub"
                key = edition_key(reader.source_hash, edition, date, json.dumps(
                    [print_anchors, [asdict(s) for s in print_starts or []]], sort_keys=True) if print_anchors else "")
                cached = cache.load(edition.name, key, path)
                if cached:
                    data = cached[1]
                    say(f"'{edition.name}' is up to date")
                else:
                    say(f"making '{edition.name}'")
                    from .epub.book import build_epub
                    data = build_epub(reader, edition, root, diags, date, print_anchors, page_starts=print_starts).data
                    outputs.add(*cache.entry(edition.name, key, data))
                outputs.add(path, data)
                records.append({"name": edition.name, "format": "epub", "path": f"build/{edition.name}.epub",
                                "sha256": hashlib.sha256(data).hexdigest(), "made": not cached})
            effective = diags.strict() if strict else diags
            if effective.has_errors:
                return BuildResult(1, effective, stats=stats)
            order = {e.name: i for i, e in enumerate(config.editions)}
            records.sort(key=lambda r: order.get(r["name"], 99))
            manifest = make_manifest(reader, records, pages, diags)
            manifest["inputs"] = inputs
            outputs.add(build_dir / "manifest.json",
                        (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
            say("writing")
            written = outputs.commit()
    except ReaderError as exc:
        diags.extend(exc.diagnostics)
        return BuildResult(1, diags, stats=stats)
    finally:
        outputs.cleanup()
    return BuildResult(0, diags, written, manifest, stats)


def _handouts(reader, root, diags, date, pdf_results, cache, outputs, say) -> list[dict]:
    """The handouts declared in reader.toml, made from the PDF editions just built."""
    from .handout.build import build_handout, handout_path
    records = []
    for handout in reader.config.handouts:
        path = handout_path(root, handout)
        base = pdf_results.get(handout.edition)
        key = edition_key(reader.source_hash, handout, date, base and hashlib.sha256(base.data).hexdigest() or "")
        cached = cache.load(f"handout-{handout.name}", key, path)
        if cached:
            data = cached[1]
        else:
            say(f"making handout '{handout.name}'")
            data = build_handout(reader, handout, root, diags, results=pdf_results)
            if data is None:
                continue
            outputs.add(*cache.entry(f"handout-{handout.name}", key, data))
        outputs.add(path, data)
        records.append({"name": f"handout-{handout.name}", "format": "pdf",
                        "path": path.relative_to(root).as_posix(), "handout": True,
                        "sha256": hashlib.sha256(data).hexdigest(), "made": not cached})
    return records


def _web_edition(reader, edition, root, diags, date, print_anchors, print_starts, outputs) -> dict:
    """The web edition (a folder of static files): every file through *outputs*, and its record."""
    files = build_web(reader, edition, root, diags, date, print_anchors, page_starts=print_starts)
    folder = root / "build" / edition.name
    for name, data in files.items():
        outputs.add(folder / name, data)
    return {"name": edition.name, "format": "html", "path": f"build/{edition.name}/",
            "files": sorted(files), "sha256": site_digest(files)}


def check(root: Path, validators: bool = True) -> Diagnostics:
    """Read and resolve everything, write nothing; with the index's own check, and
    EPUBCheck and Ace (where installed) on the e-books already built."""
    from .index.check import unmatched_names
    root = root.resolve()
    diags = Diagnostics()
    reader = load_reader(root, diags)
    if reader is not None:
        diags.extend(unmatched_names(reader, root))
        if validators:
            from .validators import run_ace, run_epubcheck
            for edition in reader.config.editions:
                epub = root / "build" / f"{edition.name}.epub"
                if edition.format == "epub" and epub.is_file():
                    shown = epub.relative_to(root).as_posix()
                    diags.extend(run_epubcheck(epub, shown))
                    diags.extend(run_ace(epub, shown))
    return diags
