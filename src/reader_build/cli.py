"""The command line: ``reader-build build|check|handout|watch|new|template|index|completion``.

Exit status: 0 built (warnings allowed), 1 the input has errors, 2 the command
line is wrong.  Problems with the input are printed one per line as
``path:line:col: severity [code]: message``; a traceback means a bug.
"""
from __future__ import annotations

import argparse
import platform
import signal
import sys
import time
from importlib import metadata
from pathlib import Path

from rich.console import Console

from . import __version__
from .build import build, check
from .commands.completion import completion_script
from .commands.handout import make_handout
from .commands.serve import serve
from .commands.new import new_from_markdown, new_project
from .commands.report import print_diagnostics
from .commands.suggest import suggest_command
from .commands.template import template_command
from .commands.watch import watch
from .diagnostics import Diagnostics, ReaderError
from .store.output import Interrupted, clear_interrupt, raise_if_interrupted, request_interrupt


def _on_signal(signum, frame):
    """SIGINT and SIGTERM: remember the request (see output.request_interrupt), then raise."""
    request_interrupt(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt()
    raise Interrupted(signum)


def _install_handlers() -> dict:
    """Our handlers for SIGTERM, and for SIGINT unless it is ignored (nohup, a background job)."""
    installed = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            if sig == signal.SIGINT and signal.getsignal(sig) is not signal.default_int_handler:
                continue
            installed[sig] = signal.signal(sig, _on_signal)
        except ValueError:                # not the main thread: leave the signals alone
            return installed
    return installed


def _unraisable_hook(previous):
    """An interruption lost in a finaliser is raised again later: do not print it as a traceback."""
    def hook(info):
        if isinstance(info.exc_value, (KeyboardInterrupt, Interrupted)):
            return
        previous(info)
    return hook


def version_text() -> str:
    """'reader-build 0.1.0 (WeasyPrint 70.0, pybtex 0.26.1, Python 3.11.2)'."""
    def of(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"
    return (f"reader-build {__version__} (WeasyPrint {of('weasyprint')}, pybtex {of('pybtex')}, "
            f"Python {platform.python_version()})")


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print every diagnostic (default: at most 10 warnings of each kind, then a count)")
    p.add_argument("--format", choices=("text", "json"), default="text", dest="fmt",
                   help="json: one JSON object per diagnostic per line, on stdout")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reader-build", description="Build annotated readers into PDF, EPUB "
                                     "and handouts.")
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build every edition (or those named) into DIR/build/")
    p.add_argument("dir", nargs="?", default=".", type=Path)
    p.add_argument("--edition", action="append", metavar="NAME", help="build only this edition (repeatable)")
    p.add_argument("--strict", action="store_true", help="turn warnings into errors")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes for layout")
    p.add_argument("--emit-html", action="store_true", help="also write build/NAME.html for each PDF edition")
    p.add_argument("--quiet", "-q", action="store_true", help="print only diagnostics")
    _report_options(p)

    p = sub.add_parser("check", help="read and resolve everything, write nothing, print the diagnostics")
    p.add_argument("dir", nargs="?", default=".", type=Path)
    p.add_argument("--strict", action="store_true", help="turn warnings into errors")
    _report_options(p)

    p = sub.add_parser("handout", help="print sections of the reader as a handout PDF")
    p.add_argument("dir", nargs="?", default=".", type=Path)
    p.add_argument("--section", action="append", required=True, metavar="ID")
    p.add_argument("--booklet", action="store_true")
    p.add_argument("--nup", type=int, choices=(2, 4), default=None)
    p.add_argument("--paper", choices=("a4", "letter"), default="a4")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="FILE")
    p.add_argument("--quiet", "-q", action="store_true")

    p = sub.add_parser("watch", help="rebuild whenever a source changes")
    p.add_argument("dir", nargs="?", default=".", type=Path)
    p.add_argument("--edition", action="append", metavar="NAME")

    p = sub.add_parser("serve", help="serve the web edition on 127.0.0.1, rebuilt and reloaded on change")
    p.add_argument("dir", nargs="?", default=".", type=Path)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1 only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")

    p = sub.add_parser("new", help="create a small working reader project, or one made from a Markdown file")
    p.add_argument("dir", type=Path)
    p.add_argument("--from", dest="source", type=Path, default=None, metavar="FILE.md",
                   help="split this Markdown file into chapters at its '#' headings")

    p = sub.add_parser("template", help="list, print or copy into styles/ a packaged template or stylesheet")
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--list", action="store_true", help="list the packaged templates and stylesheets")
    p.add_argument("--copy", action="store_true", help="write NAME into the project's styles/ folder")
    p.add_argument("--dir", type=Path, default=Path("."), help="the project folder for --copy (default .)")

    p = sub.add_parser("index", help="help with the index: 'index suggest' drafts entries")
    isub = p.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    q = isub.add_parser("suggest", help="write draft entries for unmatched names to "
                        "manuscript/index-suggestions.toml")
    q.add_argument("dir", nargs="?", default=".", type=Path)
    q.add_argument("--min", type=int, default=1, metavar="N", help="only names that occur at least N times")
    q.add_argument("--force", action="store_true", help="replace an index-suggestions.toml made before")

    p = sub.add_parser("completion", help="print a shell completion script (bash or zsh)")
    p.add_argument("shell", choices=("bash", "zsh"))
    return parser


def _progress(quiet: bool):
    """A line per stage and edition, with the time since the start (rich; plain when not a terminal)."""
    if quiet:
        return None
    console = Console(stderr=True, highlight=False)
    started = time.monotonic()

    def say(message: str) -> None:
        raise_if_interrupted()            # between stages: an interruption that was lost on the way
        console.print(f"[dim]{time.monotonic() - started:5.1f}s[/dim] {message}")
    return say


def cmd_build(args) -> int:
    if args.jobs is not None and args.jobs < 1:
        print("reader-build: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    as_json = args.fmt == "json"
    result = build(args.dir, args.edition, strict=args.strict, emit_html=args.emit_html,
                   progress=_progress(args.quiet or as_json), jobs=args.jobs)
    print_diagnostics(result.diagnostics, sys.stdout if as_json else sys.stderr,
                      verbose=args.verbose, fmt=args.fmt)
    if not args.quiet and not as_json:
        for note in result.notes:
            print(f"reader-build: note: {note}", file=sys.stderr)
    if result.status == 0 and not args.quiet:
        for record in (result.manifest or {}).get("editions", []):
            pages = f", {record['pages']} pages" if "pages" in record else ""
            kept = record.get("layouts") == 0 or record.get("made") is False
            print(f"{'up to date' if kept else 'built'} {record['path']}{pages}",
                  file=sys.stderr if as_json else sys.stdout)
    return result.status


def cmd_check(args) -> int:
    diags = check(args.dir, styles=True)
    if args.strict:
        diags = diags.strict()
    print_diagnostics(diags, sys.stdout, verbose=args.verbose, fmt=args.fmt)
    errors, warnings = len(diags.errors()), len(diags.warnings())
    print(f"{errors:,} error(s), {warnings:,} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def cmd_watch(args) -> int:
    return watch(args.dir, args.edition)


def cmd_serve(args) -> int:
    return serve(args.dir, args.host, args.port)


def cmd_new(args) -> int:
    if args.source is not None:
        return new_from_markdown(args.dir, args.source)
    return new_project(args.dir)


def cmd_template(args) -> int:
    return template_command(args.name, list_all=args.list, copy=args.copy, root=args.dir)


def cmd_index(args) -> int:
    return suggest_command(args.dir, minimum=args.min, force=args.force)


def cmd_completion(args) -> int:
    print(completion_script(_parser(), args.shell))
    return 0


COMMANDS = {"build": cmd_build, "check": cmd_check, "handout": make_handout, "watch": cmd_watch, "serve": cmd_serve,
            "new": cmd_new, "template": cmd_template, "index": cmd_index, "completion": cmd_completion}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    clear_interrupt()
    handlers = _install_handlers()
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _unraisable_hook(previous_hook)
    try:
        return COMMANDS[args.command](args)
    except ReaderError as exc:
        diags = Diagnostics()
        diags.extend(exc.diagnostics)
        print_diagnostics(diags)
        return 1
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        if getattr(exc, "outputs_written", False):
            what = "the new editions had already been written in full"
        else:
            what = "nothing was written; the editions in build/ are unchanged"
        print(f"reader-build: interrupted by {signal.Signals(signum).name}; {what}", file=sys.stderr)
        return 128 + signum
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        sys.unraisablehook = previous_hook
        clear_interrupt()


if __name__ == "__main__":
    sys.exit(main())
