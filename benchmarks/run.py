#!/usr/bin/env python3
"""Benchmarks of reader-build: the bundled reader and generated large readers.

    python benchmarks/run.py                       # sizes 1, 10 and 20
    python benchmarks/run.py --sizes 1,10 --repeat 3 --json out.json
    python benchmarks/run.py --sizes 1 --quick     # one build per size, no comparison

For every size, in a temporary folder, the script

* makes the reader: size 1 is a copy of the project; size N repeats the
  chapter files matched by --chapters (03-*.md, 04-*.md and 05-*.md) N times in
  all, each copy with its own file name, chapter id and heading ids;
* builds it from scratch with ``--emit-html`` (``build(..., emit_html=True)``) in a
  fresh Python process, timing each stage from inside that process;
* lays out the ``build/print.html`` that this build wrote with a plain
  ``weasyprint.HTML(filename=...)`` render and ``write_pdf``, in another fresh
  process (the yardstick: what one WeasyPrint layout of the same book costs);
* lays the edition out as one document (``build_pdf(..., whole=True)``), for the
  size and the fonts of a one-document PDF;
* builds from scratch without ``--emit-html`` (the figures of the main table), then
  again with nothing changed, after one sentence is added to the last chapter, and
  after a page of text is added to an early chapter (every later page moves);
* counts the bytes, the font objects and the font faces of the three PDFs, and the
  pages where ``pdftotext`` extracts the title as written.

Each measurement runs in its own child process, and its peak memory is the
child's maximum resident set size, read from the child's resource usage when
it is waited for (``os.wait4``; the same figure ``getrusage(RUSAGE_CHILDREN)``
gives for a single child).  See benchmarks/README.md for how to read the table.
No timing here is a test: the numbers are reported, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
try:                                   # installed, or else run from a checkout
    from reader_build.source.project import copy_sources
except ImportError:
    sys.path.insert(0, str(REPO / "src"))
    from reader_build.source.project import copy_sources
DEFAULT_CHAPTERS = "03-*.md,04-*.md,05-*.md"
CHANGED_CHAPTER = "04-*.md"       # the chapter that the "one chapter changed" rebuild edits


# --- making large readers -------------------------------------------------------------

FRONT_MATTER = re.compile(r"\A(---[ \t]*\n)(.*?\n)(---[ \t]*\n)", re.S)
ID_LINE = re.compile(r"^(id:[ \t]*)([\"']?)([A-Za-z][A-Za-z0-9_-]*)\2[ \t]*$", re.M)
HEADING_ID = re.compile(r"^(#{1,6}[ \t].*\{[^}\n]*#)([A-Za-z][A-Za-z0-9_-]*)", re.M)


def repeated_chapter(text: str, suffix: str) -> str:
    """*text* of a chapter file with its chapter id and explicit heading ids made unique by *suffix*.

    Links within the file to a renamed id (``](#id)``) follow it; footnote
    labels are per file and stay as they are.  Heading ids that reader-build
    derives from the chapter id change with it.
    """
    m = FRONT_MATTER.match(text)
    if not m:
        raise ValueError("the chapter has no front matter")
    front, n = ID_LINE.subn(lambda i: f"{i.group(1)}{i.group(2)}{i.group(3)}{suffix}{i.group(2)}", m.group(2))
    if n != 1:
        raise ValueError("the chapter's front matter has no single 'id:' line")
    body = text[m.end():]
    renamed: set[str] = set()

    def heading(h: re.Match) -> str:
        renamed.add(h.group(2))
        return f"{h.group(1)}{h.group(2)}{suffix}"
    body = HEADING_ID.sub(heading, body)
    # figure and table labels ({#fig:x}, {#tbl:x}) and the references to them in this file
    labels = set(re.findall(r"\{#((?:fig|tbl):[A-Za-z0-9_-]+)\}", body))
    for label in sorted(labels, key=len, reverse=True):
        kind, name = label.split(":", 1)
        body = re.sub(r"(?<=[{#@:])" + re.escape(label) + r"(?![A-Za-z0-9_-])", f"{kind}:{name}{suffix}", body)
        body = re.sub(r"@" + re.escape(label) + r"(?![A-Za-z0-9_-])", f"@{kind}:{name}{suffix}", body)
    if renamed:
        body = re.sub(r"\]\(#([A-Za-z][A-Za-z0-9_-]*)\)",
                      lambda l: f"](#{l.group(1)}{suffix})" if l.group(1) in renamed else l.group(0), body)
    return m.group(1) + front + m.group(3) + body


def chapter_files(root: Path, patterns: str) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns.split(","):
        for path in sorted((root / "manuscript").glob(pattern.strip())):
            if path not in found:
                found.append(path)
    return sorted(found)


def make_reader(src: Path, dst: Path, times: int, patterns: str = DEFAULT_CHAPTERS,
                fill_pages: bool = True, first_fit: bool = False) -> Path:
    """A copy of the project at *src* in *dst* whose chapters matched by *patterns* occur *times* times.

    Copy k (2..times) of ``03-opening.md`` is ``r{k}-03-opening.md`` with the
    chapter id ``opening-r{k}``; the copies sort after the original files, in order.
    Without *fill_pages*, the editions' ``fill-pages`` keys are taken out of the copy; with
    *first_fit*, its PDF editions get ``line-breaking = "first-fit"``.
    """
    copy_sources(src, dst)
    toml = dst / "reader.toml"
    if not fill_pages:
        toml.write_text(re.sub(r"(?m)^\s*fill-pages\s*=.*\n", "", toml.read_text(encoding="utf-8")),
                        encoding="utf-8")
    if first_fit:
        toml.write_text(re.sub(r'(?m)^(\s*format\s*=\s*"pdf".*\n)', '\\1line-breaking = "first-fit"\n',
                               toml.read_text(encoding="utf-8")), encoding="utf-8")
    if times <= 1:
        return dst
    config = (dst / "reader.toml").read_text(encoding="utf-8")
    if re.search(r"^\s*chapters\s*=", config, re.M):
        raise SystemExit("this project lists its chapters in reader.toml; the generator only handles "
                         "projects whose chapters are the files of manuscript/")
    originals = chapter_files(dst, patterns)
    if not originals:
        raise SystemExit(f"no chapter file matches {patterns!r} in {src / 'manuscript'}")
    width = max(2, len(str(times)))
    for k in range(2, times + 1):
        tag = f"r{k:0{width}d}"
        for path in originals:
            text = path.read_text(encoding="utf-8")
            (path.parent / f"{tag}-{path.name}").write_text(repeated_chapter(text, f"-{tag}"), encoding="utf-8")
    return dst


# --- measuring, in a child process ----------------------------------------------------

def worker_build(root: Path, out: Path, editions: list[str] | None, emit_html: bool) -> None:
    """Build *root* once, timing the stages; the figures go to *out* as JSON."""
    t_start = time.perf_counter()
    import weasyprint.document

    import reader_build.build as B
    import reader_build.epub.book as E
    import reader_build.pdf.engine as L
    import reader_build.pdf.parallel as PAR
    import reader_build.pdf.compose as P
    import reader_build.resolve as R
    import reader_build.index.compose as IC
    imported = time.perf_counter() - t_start
    events: list[dict] = []
    clock = time.perf_counter
    depth: dict[str, int] = {}

    def timed(modules, name, kind, extra=None, before=None):
        """Wrap *name* wherever *modules* hold it (it may be imported by name, or looked up late)."""
        modules = modules if isinstance(modules, (list, tuple)) else [modules]
        original = next((getattr(m, name) for m in modules if hasattr(m, name)), None)
        if original is None:      # the code under test has changed: time what is there
            return

        def wrapper(*args, **kwargs):
            event = {"kind": kind, **(before(args) if before else {})}
            if depth.get(kind):      # inside another timed call of the same kind: counted there
                event["nested"] = True
            depth[kind] = depth.get(kind, 0) + 1
            cpu = time.process_time()
            event["start"] = clock()
            try:
                result = original(*args, **kwargs)
            finally:
                depth[kind] -= 1
            event["end"] = clock()
            event["cpu"] = time.process_time() - cpu
            if extra:
                event.update(extra(result))
            events.append(event)
            return result
        for module in modules:
            if getattr(module, name, None) is original:
                setattr(module, name, wrapper)

    timed([R, B], "load_reader", "read")
    # The build lays chapters out as separate parts (in worker processes with jobs > 1): its
    # layouts are counted in PdfResult.passes, not in the stages below.
    timed([PAR, B], "build_pdf", "pdf", before=lambda args: {"edition": getattr(args[1], "name", "?")})
    timed([E, B], "build_epub", "epub")
    timed(P, "gather", "compose")
    timed(P, "compose", "compose")
    timed([IC, P, PAR], "index_parts", "index")
    timed([L, P], "lay_out", "layout", lambda r: {"pages": len(r.document.pages)})
    timed([L, P], "misplaced_notes", "inspect", lambda r: {"misplaced": len(r)})
    timed([L, P], "keep_notes_rules", "inspect")
    timed([L, P], "stray_breaks", "inspect", lambda r: {"stray": len(r)})
    timed([L, P], "anchor_pages", "inspect")
    timed(weasyprint.document.Document, "write_pdf", "write_pdf")
    said: list[tuple[str, float]] = []
    cpu_began = time.process_time()
    began = clock()
    with TreeMemory() as memory:
        result = B.build(root, editions=editions, emit_html=emit_html,
                         progress=lambda message: said.append((message, clock(), time.process_time())))
    ended = clock()
    cpu_ended = time.process_time()
    if result.status != 0:
        for d in result.diagnostics.sorted():
            print(d.format(), file=sys.stderr)
        raise SystemExit(f"the build of {root} failed")
    writing = next((t for message, t, _ in said if message == "writing"), ended)
    out.write_text(json.dumps({
        "import_seconds": imported, "build_seconds": ended - began, "build_cpu_seconds": cpu_ended - cpu_began,
        "stats": result.stats, "writing_seconds": ended - writing, "emit_html": emit_html,
        "events": [{**e, "start": e["start"] - began, "end": e["end"] - began} for e in events],
        "progress": [[m, t - began, c - cpu_began] for m, t, c in said],
        "self_maxrss_kib": _self_maxrss_kib(), "tree_peak_kib": memory.peak_kib,
        "reader_build": str(Path(B.__file__).parent),
    }))


class TreeMemory:
    """The peak of the resident memory of this process and its children together, sampled every
    0.1 s from /proc (the layout workers run beside the build; ``ru_maxrss`` sees only the largest
    single process).  Zero where /proc is missing."""

    def __init__(self):
        import threading
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if Path("/proc/self/status").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_kib = max(self.peak_kib, sum(self._rss(pid) for pid in self._tree(os.getpid())))

    @staticmethod
    def _tree(pid: int) -> list[int]:
        found, todo = [], [pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except (OSError, ValueError):
                pass
        return found

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return 0


def worker_plain(html: Path, out: Path, pdf: Path) -> None:
    """A plain WeasyPrint render of *html*: ``HTML(filename=...).write_pdf()``, in two timed halves."""
    t_start = time.perf_counter()
    import weasyprint
    imported = time.perf_counter() - t_start
    cpu_began = time.process_time()
    began = time.perf_counter()
    document = weasyprint.HTML(filename=str(html)).render()
    laid_out = time.perf_counter()
    document.write_pdf(str(pdf))
    ended = time.perf_counter()
    cpu = time.process_time() - cpu_began
    out.write_text(json.dumps({
        "import_seconds": imported, "render_seconds": ended - began, "render_cpu_seconds": cpu, "layout_seconds": laid_out - began,
        "write_seconds": ended - laid_out, "pages": len(document.pages), "self_maxrss_kib": _self_maxrss_kib(),
    }))


def worker_onedoc(root: Path, edition_name: str, pdf: Path, out: Path) -> None:
    """The edition laid out as one document, the whole book a single part (``build_pdf(...,
    whole=True)`` in this process, no part cache): the PDF a one-document layout gives, to
    compare with the merged one.  Its PDF goes to *pdf*, its figures to *out*."""
    t_start = time.perf_counter()
    from reader_build.config import build_date
    from reader_build.diagnostics import Diagnostics
    from reader_build.pdf.parallel import build_pdf
    from reader_build.resolve import load_reader
    imported = time.perf_counter() - t_start
    diags = Diagnostics()
    cpu_began = time.process_time()
    began = time.perf_counter()
    with TreeMemory() as memory:
        reader = load_reader(root, diags)
        edition = reader.config.edition(edition_name) if reader is not None else None
        if edition is None:
            raise SystemExit(f"no edition {edition_name!r} in {root}")
        result = build_pdf(reader, edition, root, diags, build_date(reader.config.date), jobs=1, whole=True)
    ended = time.perf_counter()
    pdf.write_bytes(result.data)
    out.write_text(json.dumps({
        "import_seconds": imported, "build_seconds": ended - began, "build_cpu_seconds": time.process_time() - cpu_began,
        "pages": result.pages, "layouts": result.passes, "self_maxrss_kib": _self_maxrss_kib(),
        "tree_peak_kib": memory.peak_kib}))


def _self_maxrss_kib() -> int:
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def run_child(args: list[str], log: Path) -> dict:
    """Run this script as ``_worker ARGS`` in a fresh interpreter; its JSON, wall time and peak memory."""
    out = log.with_suffix(".json")
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "_worker", *args, str(out)]
    env = dict(os.environ)
    src = REPO / "src"
    if src.is_dir():      # run from a checkout even when reader_build is not installed
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with open(log, "wb") as fh:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            child.wait()
            raise
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or not out.exists():
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"measurement {' '.join(args)} failed (exit {child.returncode}):\n{tail}")
    data = json.loads(out.read_text())
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    data.update({"process_seconds": wall, "peak_mib": rss / 1024,
                 "process_cpu_seconds": usage.ru_utime + usage.ru_stime,
                 "load_before": load_before,
                 "load_after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None})
    return data


# --- turning a child's events into stages ---------------------------------------------

def stages(run: dict) -> dict:
    """Wall and CPU seconds per stage of one build, and each PDF edition's layout passes with their reasons."""
    events = sorted((e for e in run["events"] if not e.get("nested")), key=lambda e: e["start"])

    def spent(kind: str, within: dict | None = None, field: str = "wall") -> float:
        return sum((e["end"] - e["start"]) if field == "wall" else e.get("cpu", 0.0) for e in events
                   if e["kind"] == kind and (within is None or within["start"] <= e["start"] <= within["end"]))

    def both(kind: str, within: dict | None = None) -> list[float]:
        return [spent(kind, within), spent(kind, within, "cpu")]
    table: dict[str, list[float]] = {"read + resolve": both("read")}
    editions = {}
    for pdf in (e for e in events if e["kind"] == "pdf"):
        name = pdf["edition"]
        inside = [e for e in events if pdf["start"] <= e["start"] <= pdf["end"] and e is not pdf]
        passes = []
        reason = "first"
        for e in inside:
            if e["kind"] == "layout":
                passes.append({"seconds": e["end"] - e["start"], "cpu": e.get("cpu"), "pages": e.get("pages"),
                               "reason": reason, "misplaced_after": None})
                reason = "notes moved"
            elif e["kind"] == "index" and passes:
                reason = "index page numbers"
            elif e["kind"] == "inspect" and "misplaced" in e and passes and passes[-1]["misplaced_after"] is None:
                passes[-1]["misplaced_after"] = e["misplaced"]
                reason = "notes moved" if e["misplaced"] else "fix rules"
            elif e["kind"] == "inspect" and e.get("stray") and passes:
                passes[-1]["stray_after"] = e["stray"]
                reason = "notes moved + hyphenation fix" if reason == "notes moved" else "hyphenation fix"
        compose = both("compose", pdf)
        index = both("index", pdf)
        parts = {"compose HTML": [compose[0] + index[0], compose[1] + index[1]]}
        parts.update({f"layout pass {i}": [p["seconds"], p["cpu"] or 0.0] for i, p in enumerate(passes, 1)})
        parts["inspect boxes"] = both("inspect", pdf)
        parts["write PDF"] = both("write_pdf", pdf)
        seconds = [pdf["end"] - pdf["start"], pdf.get("cpu", 0.0)]
        parts["rest"] = [max(0.0, seconds[i] - sum(v[i] for v in parts.values())) for i in (0, 1)]
        for key, value in parts.items():
            table[f"{name}: {key}"] = value
        editions[name] = {"seconds": seconds[0], "cpu_seconds": seconds[1], "passes": passes,
                          "layout_seconds": sum(p["seconds"] for p in passes)}
    table["EPUB"] = both("epub")
    writing = next((p for p in run.get("progress", []) if p[0] == "writing"), None)
    if writing is not None and len(writing) > 2:
        table["write files"] = [run["build_seconds"] - writing[1], run["build_cpu_seconds"] - writing[2]]
    else:
        table["write files"] = [run.get("writing_seconds", 0.0), 0.0]
    totals = [run["build_seconds"], run.get("build_cpu_seconds", 0.0)]
    table["other"] = [max(0.0, totals[i] - sum(v[i] for k, v in table.items() if ": " not in k)
                          - sum(e["seconds"] if i == 0 else e["cpu_seconds"] for e in editions.values()))
                      for i in (0, 1)]
    return {"stages": table, "editions": editions}


# --- one size --------------------------------------------------------------------------

EARLY_PAGE = (
    "The benchmark added this paragraph to an early chapter, so that every page after it moves. "
    "It is plain running text without notes, citations or index mentions, long enough that a few "
    "such paragraphs fill about one page of the print edition, and it changes nothing but the "
    "amount of text: the chapters after it keep their content and only begin on later pages. ")
EARLY_PARAGRAPHS = 6             # about 2,800 characters: a little more than one A5 page of text


def measure_size(project: Path, size: int, work: Path, repeat: int, quick: bool, patterns: str,
                 editions: list[str] | None, say, one_document: bool = True, fill_pages: bool = True,
                 first_fit: bool = False) -> dict:
    """Every measurement of one size: see the module's documentation for the order."""
    root = work / f"reader-x{size}"
    if root.exists():
        shutil.rmtree(root)
    make_reader(project, root, size, patterns, fill_pages, first_fit)
    chapters = sorted((root / "manuscript").glob("*.md"))
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    early = (chapter_files(root, CHANGED_CHAPTER) or chapter_files(root, patterns) or chapters)[0]
    late = chapters[-1]            # the last chapter of the book (the generator keeps file-name order)
    chosen = ",".join(editions) if editions else "-"
    runs: dict[str, list] = {kind: [] for kind in ("emit", "plain", "onedoc", "cold", "unchanged", "late", "early")}
    title, written = _title(root), _written(root)
    for r in range(1, repeat + 1):
        if not quick:
            shutil.rmtree(root / "build", ignore_errors=True)
            say(f"x{size}: build from scratch with --emit-html ({r}/{repeat}) ...")
            emit = run_child(["build", str(root), chosen, "emit"], logs / f"x{size}-emit-{r}.log")
            runs["emit"].append(emit)
            say(f"x{size}: build with --emit-html {emit['build_seconds']:.1f} s")
            edition = _main_edition(emit)
            html = _print_html(root, emit)
            say(f"x{size}: plain WeasyPrint render of {html.name} ({r}/{repeat}) ...")
            plain_pdf = work / f"x{size}-plain.pdf"
            plain = run_child(["plain", str(html), str(plain_pdf)], logs / f"x{size}-plain-{r}.log")
            plain["pdf"] = pdf_facts(plain_pdf, title, written)
            runs["plain"].append(plain)
            say(f"x{size}: plain render {plain['render_seconds']:.1f} s")
            if one_document:
                say(f"x{size}: '{edition}' laid out as one document ({r}/{repeat}) ...")
                whole_pdf = work / f"x{size}-one-document.pdf"
                whole = run_child(["onedoc", str(root), edition, str(whole_pdf)], logs / f"x{size}-onedoc-{r}.log")
                whole["pdf"] = pdf_facts(whole_pdf, title, written)
                runs["onedoc"].append(whole)
                say(f"x{size}: one-document layout {whole['build_seconds']:.1f} s")
        shutil.rmtree(root / "build", ignore_errors=True)
        say(f"x{size}: build from scratch ({r}/{repeat}) ...")
        run = run_child(["build", str(root), chosen, "-"], logs / f"x{size}-cold-{r}.log")
        run["pdf"] = pdf_facts(root / "build" / f"{_main_edition(run)}.pdf", title, written)
        runs["cold"].append(run)
        say(f"x{size}: {_pages(run)} pages in {run['build_seconds']:.1f} s, peak {_peak(run):.0f} MiB")
        if quick:
            continue
        say(f"x{size}: rebuild, nothing changed ({r}/{repeat}) ...")
        runs["unchanged"].append(run_child(["build", str(root), chosen, "-"], logs / f"x{size}-unchanged-{r}.log"))
        with open(late, "a", encoding="utf-8") as fh:
            fh.write(f"\n\nThe benchmark appended this sentence to a late chapter (edit {r}).\n")
        say(f"x{size}: rebuild, one sentence added to {late.name} ({r}/{repeat}) ...")
        runs["late"].append(run_child(["build", str(root), chosen, "-"], logs / f"x{size}-late-{r}.log"))
        with open(early, "a", encoding="utf-8") as fh:
            fh.write("".join(f"\n\n{EARLY_PAGE}(Edit {r}, paragraph {n}.)" for n in range(1, EARLY_PARAGRAPHS + 1))
                     + "\n")
        say(f"x{size}: rebuild, a page of text added to {early.name} ({r}/{repeat}) ...")
        runs["early"].append(run_child(["build", str(root), chosen, "-"], logs / f"x{size}-early-{r}.log"))
    return {"size": size, "chapter_files": len(chapters),
            "edited": None if quick else {"late": late.name, "early": early.name},
            "runs": runs, "summary": summarise(runs)}


def _title(root: Path) -> str | None:
    import tomllib
    try:
        return tomllib.loads((root / "reader.toml").read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError):
        return None


def _written(root: Path) -> list[str]:
    """The titles and headings of the manuscript as written (front matter ``title:`` lines and
    Markdown headings): a chapter may bear the book's title in another case ("Why there is no
    peace treaty with Japan"), and its running head then reads so, rightly."""
    out = []
    for md in sorted((root / "manuscript").rglob("*.md")):
        for line in md.read_text(encoding="utf-8").splitlines():
            if m := re.match(r"(?:title:\s*|#+\s+)(.+)", line):
                out.append(m.group(1).strip().strip('"\''))
    return out


def pdf_facts(path: Path, title: str | None = None, written: list[str] = ()) -> dict:
    """Size, font objects and the title's text in a PDF: the font dictionaries a viewer loads (a
    Type0 font and its CIDFont descendant count once), the faces they are (subset tags
    ``ABCDEF+`` left off), and, where ``pdftotext`` is installed, on how many pages the title is
    extracted as written in the first or last three lines (a running head), of those where it is
    found there ignoring case (a running head that small capitals or a wrong ToUnicode map
    garble shows there). Text found that stands, in that case, in a title or heading of
    *written* (a chapter titled like the book) counts as written."""
    import pikepdf
    facts: dict = {"bytes": path.stat().st_size}
    with pikepdf.open(path) as pdf:
        fonts = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                 and str(obj.get("/Type", "")) == "/Font"
                 and str(obj.get("/Subtype", "")) not in ("/CIDFontType0", "/CIDFontType2")]
        faces = sorted({re.sub(r"^[A-Z]{6}\+", "", str(f.get("/BaseFont", "?")).lstrip("/")) for f in fonts})
        facts.update(pages=len(pdf.pages), font_objects=len(fonts), font_faces=len(faces), faces=faces)
    if title and shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                              errors="replace")
        pattern = re.compile(r"\s+".join(re.escape(word) for word in title.split()), re.I)
        found = []
        for page in done.stdout.split("\f"):
            lines = [line for line in page.splitlines() if line.strip()]
            margin = "\n".join(lines[:3] + lines[-3:])         # where a running head stands
            if m := pattern.search(margin):
                found.append(" ".join(m.group(0).split()))
        as_written = [" ".join(title.split())] + [" ".join(w.split()) for w in written]
        exact = [text for text in found if any(text in w for w in as_written)]
        facts["title_pages"] = {"as_written": len(exact), "any_case": len(found),
                                "garbled": next((t for t in found if t not in exact), None)}
    return facts


def _peak(run: dict) -> float:
    """Peak memory in MiB: of the build and its layout workers together where that was sampled,
    else of the largest single process."""
    return max(run.get("tree_peak_kib", 0) / 1024, run["peak_mib"])


def _main_edition(run: dict) -> str:
    """The edition the plain render is compared with: 'print', else the first PDF edition."""
    stats = run["stats"]
    return "print" if "print" in stats else next(iter(stats))


def _pages(run: dict) -> int:
    return run["stats"][_main_edition(run)]["pages"]


def _print_html(root: Path, run: dict) -> Path:
    html = root / "build" / f"{_main_edition(run)}.html"
    if not html.exists():
        raise SystemExit(f"the build wrote no {html.name} in {root / 'build'}")
    return html


def _median_run(runs: list[dict], key: str) -> dict:
    ordered = sorted(runs, key=lambda r: r[key])
    return ordered[(len(ordered) - 1) // 2]


def summarise(runs: dict) -> dict:
    med = statistics.median
    cold = runs["cold"]
    typical = _median_run(cold, "build_seconds")
    main = _main_edition(typical)
    breakdown = stages(typical)
    pages = typical["stats"][main]["pages"]
    pdf_pages = sum(s["pages"] for s in typical["stats"].values())
    build_s = med(r["build_seconds"] for r in cold)
    main_s = breakdown["editions"].get(main, {}).get("seconds")
    main_cpu = breakdown["editions"].get(main, {}).get("cpu_seconds")
    out = {
        "edition": main,
        "pages": pages,
        "layouts": typical["stats"][main]["layouts"],
        "misplaced_notes": typical["stats"][main].get("misplaced_notes"),
        "pdf_editions": {name: {"pages": s["pages"], "layouts": s["layouts"],
                                "seconds": breakdown["editions"].get(name, {}).get("seconds")}
                         for name, s in typical["stats"].items()},
        "pdf_pages": pdf_pages,
        "build_seconds": build_s,
        # the build's own CPU time, and that of the whole process with its layout workers
        "build_cpu_seconds": med(r["build_cpu_seconds"] for r in cold),
        "tree_cpu_seconds": med(r["process_cpu_seconds"] for r in cold),
        "process_seconds": med(r["process_seconds"] for r in cold),
        "pages_per_second": pdf_pages / build_s if build_s else None,
        "edition_seconds": main_s,
        "edition_cpu_seconds": main_cpu,
        "load_average": med(r["load_before"] for r in cold) if cold[0].get("load_before") is not None else None,
        "peak_mib": med(_peak(r) for r in cold),
        "largest_process_mib": med(r["peak_mib"] for r in cold),
        "pdf": typical.get("pdf"),
        "breakdown": breakdown,
    }
    if runs.get("emit"):
        emit_s = med(r["build_seconds"] for r in runs["emit"])
        out["emit"] = {"seconds": emit_s, "cpu_seconds": med(r["process_cpu_seconds"] for r in runs["emit"]),
                       "peak_mib": med(_peak(r) for r in runs["emit"]),
                       "layouts": _median_run(runs["emit"], "build_seconds")["stats"][main]["layouts"],
                       "of_build": emit_s / build_s if build_s else None}
    if runs.get("onedoc"):
        one = _median_run(runs["onedoc"], "build_seconds")
        out["onedoc"] = {"seconds": med(r["build_seconds"] for r in runs["onedoc"]),
                         "cpu_seconds": med(r["process_cpu_seconds"] for r in runs["onedoc"]),
                         "layouts": one["layouts"], "pages": one["pages"],
                         "peak_mib": med(_peak(r) for r in runs["onedoc"]), "pdf": one.get("pdf")}
    if runs.get("plain"):
        plain_s = med(r["render_seconds"] for r in runs["plain"])
        out["plain"] = {
            "pages": runs["plain"][0]["pages"],
            "seconds": plain_s,
            "cpu_seconds": med(r["render_cpu_seconds"] for r in runs["plain"]),
            "layout_seconds": med(r["layout_seconds"] for r in runs["plain"]),
            "write_seconds": med(r["write_seconds"] for r in runs["plain"]),
            "process_seconds": med(r["process_seconds"] for r in runs["plain"]),
            "pages_per_second": runs["plain"][0]["pages"] / plain_s if plain_s else None,
            "peak_mib": med(r["peak_mib"] for r in runs["plain"]),
            "pdf": _median_run(runs["plain"], "render_seconds").get("pdf"),
        }
        out["ratio"] = main_s / plain_s if plain_s and main_s else None
        out["ratio_build"] = build_s / plain_s if plain_s else None
        out["ratio_cpu"] = out["tree_cpu_seconds"] / runs["plain"][0]["process_cpu_seconds"] \
            if runs["plain"][0].get("process_cpu_seconds") else None
        for kind in ("onedoc", "emit"):
            if kind in out:
                out[kind]["ratio"] = out[kind]["seconds"] / plain_s if plain_s else None
    for kind in ("unchanged", "late", "early"):
        if runs.get(kind):
            run = _median_run(runs[kind], "build_seconds")
            out[kind] = {"seconds": med(r["build_seconds"] for r in runs[kind]),
                         "cpu_seconds": med(r["process_cpu_seconds"] for r in runs[kind]),
                         "layouts": {name: s["layouts"] for name, s in run["stats"].items()},
                         "peak_mib": med(_peak(r) for r in runs[kind]),
                         "of_full_build": med(r["build_seconds"] for r in runs[kind]) / build_s if build_s else None}
    return out


# --- reporting --------------------------------------------------------------------------

def machine() -> dict:
    try:
        from importlib.metadata import version
        weasy = version("weasyprint")
    except Exception:      # noqa: BLE001 - only for the report
        weasy = "?"
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "weasyprint": weasy,
            "platform": platform.platform(), "processor": platform.processor() or platform.machine()}


def _fmt(value, spec: str = ".1f", missing: str = "-") -> str:
    return missing if value is None else format(value, spec)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    return ["  ".join(h.rjust(w) for h, w in zip(head, widths)),
            *("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows)]


def _x(value) -> str:
    return _fmt(value, ".2f") + ("x" if value is not None else "")


def _mb(facts: dict | None) -> str:
    return _fmt(facts["bytes"] / 1e6 if facts else None, ".1f")


def _fonts(facts: dict | None) -> str:
    return f"{facts['font_objects']} / {facts['font_faces']}" if facts else "-"


def _heads(facts: dict | None) -> str:
    found = (facts or {}).get("title_pages")
    return f"{found['as_written']} of {found['any_case']}" if found else "-"


def report(results: list[dict], info: dict, repeat: int) -> str:
    m = info["machine"]
    lines = [f"reader-build benchmarks, {info['date']}",
             f"machine: {m['nproc']} CPUs, Python {m['python']}, WeasyPrint {m['weasyprint']}, {m['platform']}",
             f"editions built: {', '.join(info['args']['editions']) if info['args']['editions'] else 'all'}; "
             f"chapters repeated: {info['args']['chapters']}",
             (f"each figure is the median of {repeat} runs" if repeat > 1 else "one run each")
             + "; seconds are wall time; every ratio is of two figures measured in this run", ""]
    speed, edits, files = [], [], []
    for res in results:
        s = res["summary"]
        plain, emit, one = s.get("plain", {}), s.get("emit", {}), s.get("onedoc", {})
        speed.append([f"x{res['size']}", str(s["pages"]), str(s["layouts"]), _fmt(s["build_seconds"]),
                      _fmt(s["tree_cpu_seconds"]), _fmt(s["pages_per_second"], ".2f"), _fmt(s["peak_mib"], ".0f"),
                      _fmt(plain.get("seconds")), _fmt(plain.get("pages_per_second"), ".2f"),
                      _fmt(plain.get("peak_mib"), ".0f"), _x(s.get("ratio_build")), _x(s.get("ratio_cpu")),
                      _fmt(emit.get("seconds")), _x(emit.get("of_build")), _fmt(one.get("seconds")),
                      _x(one.get("ratio"))])
        edits.append([f"x{res['size']}",
                      *(x for kind, spec in (("unchanged", ".2f"), ("late", ".1f"), ("early", ".1f"))
                        for x in (_fmt(s.get(kind, {}).get("seconds"), spec),
                                  _fmt(s.get(kind, {}).get("of_full_build"), ".2f"),
                                  str(sum(s[kind]["layouts"].values())) if kind in s else "-"))])
        merged, whole, flat = s.get("pdf"), one.get("pdf"), plain.get("pdf")
        files.append([f"x{res['size']}", _mb(merged), _mb(whole), _mb(flat),
                      _x(merged["bytes"] / whole["bytes"] if merged and whole else None),
                      _x(merged["bytes"] / flat["bytes"] if merged and flat else None),
                      _fonts(merged), _fonts(whole), _fonts(flat), _heads(merged), _heads(whole)])
    lines += ["Speed: the build from scratch against a plain WeasyPrint render of the same HTML"]
    lines += _table(["size", "pages", "layouts", "build s", "CPU s", "PDF pages/s", "peak MiB", "plain s", "plain p/s",
                     "plain MiB", "build/plain", "CPU/plain", "emit-html s", "emit/build", "one-doc s",
                     "one-doc/plain"], speed)
    lines += ["(build: `reader-build build` from scratch, parts laid out in worker processes and merged; pages and "
              "layouts: its main PDF edition; PDF pages/s: pages of every PDF edition / build s; peak MiB: the "
              "build and its workers together; plain: weasyprint.HTML(build/NAME.html).write_pdf() in a fresh "
              "process; CPU/plain: CPU seconds of build and workers / of the plain render; emit-html: the same "
              "build from scratch with --emit-html; one-doc: the edition laid out as one document in one process)",
              "", "Edits: rebuilds after each kind of edit, against the build from scratch"]
    lines += _table(["size", "nothing s", "of full", "layouts", "late sentence s", "of full", "layouts",
                     "early page s", "of full", "layouts"], edits)
    lines += ["(nothing: rebuild with nothing changed; late sentence: one sentence appended to the last chapter "
              "of the book; early page: a page of text appended to an early chapter, so that every later page "
              "moves; layouts: WeasyPrint layouts that rebuild made, every PDF edition)", "",
              "PDF files: the merged PDF of the build, the one-document layout and the plain render"]
    lines += _table(["size", "merged MB", "one-doc MB", "plain MB", "merged/one-doc", "merged/plain",
                     "fonts merged", "fonts one-doc", "fonts plain", "title as written: merged", "one-doc"], files)
    lines += ["(fonts: font objects / font faces, a Type0 font with its descendant counted once; title as written: "
              "pages on which pdftotext extracts the book's title as written in the first or last three lines, "
              "the running head, of those where it finds it there ignoring case)", ""]
    for res in results:
        lines += _size_details(res)
    return "\n".join(lines)


def _size_details(res: dict) -> list[str]:
    s = res["summary"]
    b = s["breakdown"]
    editions = ", ".join(f"{name} {e['pages']} pages" for name, e in s["pdf_editions"].items())
    load = f"; load average {s['load_average']:.1f} at the start" if s.get("load_average") is not None else ""
    lines = [f"x{res['size']}: {res['chapter_files']} chapter files; {editions}{load}",
             f"  {'build from scratch, median run':<32}{'wall s':>8}  {'CPU s':>7}"]
    for name, (seconds, cpu) in b["stages"].items():
        lines.append(f"  {name:<32}{seconds:8.2f}  {cpu:7.2f}")
    lines.append(f"  {'= build()':<32}{s['build_seconds']:8.2f}  {s['build_cpu_seconds']:7.2f}   (process "
                 f"{s['process_seconds']:.1f} s, with interpreter start-up and imports)")
    if "plain" in s:
        p = s["plain"]
        lines.append(f"  plain WeasyPrint: layout {p['layout_seconds']:.2f} s + write {p['write_seconds']:.2f} s"
                     f" = {p['seconds']:.2f} s ({p['cpu_seconds']:.2f} CPU s) for {p['pages']} pages"
                     f" (process {p['process_seconds']:.1f} s)"
                     + ("" if p["pages"] == s["pages"] else f"; NOTE: the build made {s['pages']} pages"))
        lines.append(f"  one build = {s['ratio_build']:.2f} plain renders ('{s['edition']}' alone: "
                     f"{_fmt(s.get('ratio'), '.2f')})")
    if "emit" in s:
        e = s["emit"]
        lines.append(f"  build with --emit-html: {e['seconds']:.2f} s, {e['cpu_seconds']:.2f} CPU s, {e['layouts']} "
                     f"layouts, peak {e['peak_mib']:.0f} MiB, {e['of_build']:.2f} of the build without it")
    if "onedoc" in s:
        o = s["onedoc"]
        lines.append(f"  one-document layout: {o['seconds']:.2f} s, {o['cpu_seconds']:.2f} CPU s, {o['layouts']} "
                     f"layouts, {o['pages']} pages, peak {o['peak_mib']:.0f} MiB"
                     + (f", {o['ratio']:.2f} plain renders" if o.get("ratio") else ""))
    for label, facts in (("merged", s.get("pdf")), ("one-document", s.get("onedoc", {}).get("pdf")),
                         ("plain", s.get("plain", {}).get("pdf"))):
        if facts:
            garbled = (facts.get("title_pages") or {}).get("garbled")
            lines.append(f"  {label} PDF: {facts['bytes'] / 1e6:.2f} MB, {facts['font_objects']} font objects for "
                         f"{facts['font_faces']} faces ({', '.join(facts['faces'])})"
                         + (f"; on other pages the title reads {garbled!r} (another heading, or a garbled head)"
                            if garbled else ""))
    edited = res.get("edited") or {}
    for kind, label in (("unchanged", "nothing changed"),
                        ("late", f"one sentence added to {edited.get('late')}"),
                        ("early", f"a page of text added to {edited.get('early')}")):
        if kind in s:
            r = s[kind]
            layouts = ", ".join(f"{k} {v}" for k, v in r["layouts"].items())
            lines.append(f"  rebuild, {label}: {r['seconds']:.2f} s, {r['cpu_seconds']:.2f} CPU s "
                         f"(layouts: {layouts}), peak {r['peak_mib']:.0f} MiB, "
                         f"{r['of_full_build']:.2f} of the build from scratch")
    lines.append("")
    return lines


# --- command line ------------------------------------------------------------------------

def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers separated by commas, not {text!r}")
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be 1 or more")
    return sizes


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchmarks/run.py", description="Time reader-build on the bundled reader "
                                "and on generated large readers.")
    p.add_argument("--sizes", type=parse_sizes, default=[1, 10, 20], metavar="N,N,...",
                   help="how many times the chapters occur in each reader (default 1,10,20)")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="run every measurement N times and "
                   "report the median (default 1)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write every figure to FILE as JSON")
    p.add_argument("--quick", action="store_true", help="only the build from scratch: no plain render, "
                   "no rebuilds")
    p.add_argument("--project", type=Path, default=REPO, metavar="DIR",
                   help="the reader project to measure (default: the bundled reader, the repository root)")
    p.add_argument("--chapters", default=DEFAULT_CHAPTERS, metavar="GLOBS",
                   help=f"the chapter files to repeat, globs in manuscript/ (default {DEFAULT_CHAPTERS})")
    p.add_argument("--edition", action="append", metavar="NAME", dest="editions",
                   help="build only this edition (repeatable; default: every edition of the project)")
    p.add_argument("--workdir", type=Path, metavar="DIR", help="make the readers here (default: a new "
                   "temporary folder, removed at the end)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder and its logs")
    p.add_argument("--no-fill-pages", dest="fill_pages", action="store_false",
                   help="take the editions' fill-pages keys out of the readers (notes not cut where a page "
                   "ends: no layout again for it)")
    p.add_argument("--first-fit", action="store_true",
                   help='set line-breaking = "first-fit" in the PDF editions (WeasyPrint breaks the lines)')
    p.add_argument("--no-one-document", dest="one_document", action="store_false",
                   help="skip the one-document layout (the slowest measurement)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_worker"]:
        kind, *rest = argv[1:]
        if kind == "build":
            root, chosen, emit, out = rest
            worker_build(Path(root), Path(out), None if chosen == "-" else chosen.split(","), emit == "emit")
        elif kind == "plain":
            worker_plain(Path(rest[0]), Path(rest[2]), Path(rest[1]))
        elif kind == "onedoc":
            worker_onedoc(Path(rest[0]), rest[1], Path(rest[2]), Path(rest[3]))
        else:
            raise SystemExit(f"unknown worker {kind!r}")
        return 0
    args = parser().parse_args(argv)
    if args.repeat < 1:
        parser().error("--repeat must be 1 or more")
    project = args.project.resolve()
    if not (project / "reader.toml").is_file():
        parser().error(f"{project} is not a reader project (no reader.toml)")
    work = args.workdir.resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="reader-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
    info = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "args": {"sizes": args.sizes, "repeat": args.repeat, "quick": args.quick, "project": str(project),
                     "one_document": args.one_document, "fill_pages": args.fill_pages,
                     "first_fit": args.first_fit,
                     "chapters": args.chapters, "editions": args.editions}}
    results = []
    try:
        for size in args.sizes:
            results.append(measure_size(project, size, work, args.repeat, args.quick, args.chapters,
                                        args.editions, say, args.one_document, args.fill_pages,
                                        args.first_fit))
            if args.json:      # written after every size, so that a long run leaves what it has
                _write_json(args.json, info, results)
    finally:
        if args.keep or args.workdir:
            say(f"readers and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results, info, args.repeat))
    return 0


def _write_json(path: Path, info: dict, results: list[dict]) -> None:
    path.write_text(json.dumps({**info, "results": results}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
