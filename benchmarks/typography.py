"""The composition of the print edition, as issue #23's table measures it.

    python benchmarks/typography.py [--long N] [--xelatex] [--keep DIR] [--extra-css FILE] [--skip-long]

Builds the bundled reader and a long generated reader (the bundled chapters repeated
N times, 3 by default), measures each print PDF from its own text layer
(tests/pdf/textlayer.py: loose lines, hyphen ladders, hyphenated line ends, straight quotes,
pages whose text stops more than 2.5 lines above the notes) and prints the table.
With --xelatex, the same text is also set by pandoc + XeLaTeX in the same font, size and
measure, and measured the same way (needs `apt-get install texlive-xetex` and
`pip install pypandoc-binary`; the tool itself never needs them).
With --extra-css, FILE is appended to both readers' styles/extra.css (read after print.css),
to measure a variant of the style sheet without editing it.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests" / "pdf")]

from reader_build.build import build            # noqa: E402
from reader_build.source.project import copy_sources   # noqa: E402
import textlayer                                 # noqa: E402

COLUMNS = ("pages", "loose lines /100pp", "ladders /100pp", "hyphenated line ends %", "straight quotes",
           "holes above notes")


def built(root: Path) -> Path:
    result = build(root, ["print"])
    if result.status != 0:
        raise SystemExit("\n".join(d.format() for d in result.diagnostics))
    return root / "build" / "print.pdf"


def with_extra_css(root: Path, css: Path | None) -> Path:
    if css is not None:
        (root / "styles").mkdir(exist_ok=True)
        extra = root / "styles" / "extra.css"
        before = extra.read_text(encoding="utf-8") if extra.exists() else ""
        extra.write_text(before + "\n" + css.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def long_reader(work: Path, times: int) -> Path:
    """The bundled reader with each chapter repeated *times* times (each copy its own chapter)."""
    root = copy_sources(REPO, work / "long")
    chapters = sorted((root / "manuscript").glob("*.md"))
    for path in chapters:
        text = path.read_text(encoding="utf-8")
        if "kind: chapter" not in text and "kind:" in text.split("---")[1]:
            continue
        for k in range(2, times + 1):
            copy = re.sub(r"^id: (\S+)", rf"id: \1-{k}", text, count=1, flags=re.M)
            copy = re.sub(r"\{#([\w:-]+)\}", rf"{{#\1-{k}}}", copy)
            copy = re.sub(r"@((?:fig|note|sec|tbl|ch|eq):[\w-]*\w)", rf"@\1-{k}", copy)
            copy = re.sub(r"\[\^([\w-]+)\]", rf"[^\1-{k}]", copy)
            (path.parent / f"{path.stem}-{k}.md").write_text(copy, encoding="utf-8")
    return root


def xelatex_pdf(root: Path, work: Path) -> Path | None:
    """The reader's chapters set by pandoc + XeLaTeX: Linux Libertine 10.5 pt on A5, the same measure."""
    if shutil.which("xelatex") is None:
        return None
    try:
        import pypandoc
    except ImportError:
        return None
    chapters = sorted((root / "manuscript").glob("*.md"))
    text = "\n\n".join(re.sub(r"^---\n.*?\n---\n", "", p.read_text(encoding="utf-8"), flags=re.S) for p in chapters)
    text = re.sub(r"\{\.ix[^}]*\}|\{#[^}]*\}", "", text)
    source = work / "xelatex.md"
    source.write_text(text, encoding="utf-8")
    fonts = REPO / "src" / "reader_build" / "styles" / "fonts"
    out = work / "xelatex.pdf"
    pypandoc.convert_file(str(source), "pdf", outputfile=str(out), extra_args=[
        "--pdf-engine=xelatex", "-V", "papersize=a5",
        "-V", "header-includes=\\AtBeginDocument{\\fontsize{10.5pt}{14.5pt}\\selectfont}",
        "-V", "geometry:inner=20mm,outer=24.4mm,top=17.9mm,bottom=21mm",
        "-V", f"mainfont=LinLibertine_R.otf", "-V", f"mainfontoptions=Path={fonts}/,ItalicFont=LinLibertine_RI.otf,"
        "BoldFont=LinLibertine_RB.otf,BoldItalicFont=LinLibertine_RBI.otf"])
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", type=int, default=3, help="copies of each chapter in the long reader")
    parser.add_argument("--skip-long", action="store_true", help="measure the bundled reader only")
    parser.add_argument("--extra-css", type=Path, help="a style sheet added to both readers as styles/extra.css")
    parser.add_argument("--xelatex", action="store_true", help="also measure XeLaTeX on the same text")
    parser.add_argument("--keep", type=Path, help="build here (kept) instead of a temporary folder")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="typo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    bundled = with_extra_css(copy_sources(REPO, work / "bundled"), args.extra_css)
    rows.append(("reader-build, bundled reader", textlayer.table(built(bundled))))
    readers = [("bundled", bundled)]
    if not args.skip_long:
        long = with_extra_css(long_reader(work, args.long), args.extra_css)
        rows.append((f"reader-build, long reader (x{args.long})", textlayer.table(built(long))))
        readers.append(("long", long))
    if args.xelatex:
        for name, root in readers:
            (work / f"tex-{name}").mkdir(exist_ok=True)
            pdf = xelatex_pdf(root, work / f"tex-{name}")
            rows.append((f"XeLaTeX, {name} reader", textlayer.table(pdf) if pdf else None))
    print("| per 100 pages | " + " | ".join(COLUMNS) + " |")
    print("| --- " * (len(COLUMNS) + 1) + "|")
    for name, table in rows:
        cells = [str(table[c]) for c in COLUMNS] if table else ["(xelatex or pypandoc missing)"] * len(COLUMNS)
        print(f"| {name} | " + " | ".join(cells) + " |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
