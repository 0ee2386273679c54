"""``reader-build handout DIR --section ID…``: sections of the reader as a handout PDF.

Exit status 0 written, 1 input errors, 2 wrong command line.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..build import load_reader
from ..config import Handout
from ..diagnostics import Diagnostics, ReaderError
from ..handout.build import file_name, make_handout_result
from ..store.output import AtomicWriter, BuildLock
from .report import print_diagnostics


def make_handout(args) -> int:
    """Write the handout of ``args.section`` (``args``: the parsed command line)."""
    if args.booklet and args.nup == 4:
        print("reader-build handout: error: --booklet puts two pages on each side of a sheet; "
              "leave out --nup 4", file=sys.stderr)
        return 2
    root = Path(args.dir).resolve()
    diags = Diagnostics()
    try:
        reader = load_reader(root, diags)
        if reader is None or diags.has_errors:
            print_diagnostics(diags)
            return 1
        sections = tuple(dict.fromkeys(args.section))
        edition = reader.config.print_edition
        handout = Handout(name=sections[0], sections=sections, paper=args.paper, booklet=bool(args.booklet),
                          nup=args.nup or 1, edition=edition.name if edition else "print")
        with BuildLock(root / "build"):          # the build cache is read, and the part cache written
            made = make_handout_result(reader, handout, root, diags)
            if made is None or diags.has_errors:
                print_diagnostics(diags)
                return 1
            target = Path(args.output) if args.output else root / "build" / f"handout-{file_name(sections[0])}.pdf"
            writer = AtomicWriter()
            writer.add(target.absolute(), made.data)
            writer.commit()
    except ReaderError as exc:
        diags.extend(exc.diagnostics)
        print_diagnostics(diags)
        return 1
    print_diagnostics(diags)
    if not args.quiet:
        print(f"wrote {display_path(target)}, {sheets_text(len(made.sheets), handout.booklet)}")
    return 0


def sheets_text(sheets: int, booklet: bool) -> str:
    """'3 sheets', or for a booklet how many folded sheets and how to print them."""
    if booklet:
        return (f"{sheets // 2} sheet{'s' if sheets // 2 != 1 else ''} "
                "(booklet: print both sides, flip on the short edge, fold in half)")
    return f"{sheets} sheet{'s' if sheets != 1 else ''}"


def display_path(path: Path) -> str:
    """The path relative to the current folder when it lies inside it, else absolute."""
    path = path.absolute()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
