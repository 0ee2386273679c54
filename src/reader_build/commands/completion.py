"""``reader-build completion bash|zsh``: a completion script made from the argument parser.

The script knows every command, its options, the values of options with choices, and
what a positional argument is (a folder, a file, a packaged template's name, a shell),
so it never goes stale when a command or option is added.  Install it with
``eval "$(reader-build completion bash)"`` in ``~/.bashrc``, or
``reader-build completion zsh > ~/.zfunc/_reader-build`` with ``~/.zfunc`` on ``fpath``
(or ``eval "$(reader-build completion zsh)"`` in ``~/.zshrc``, after ``compinit``).
"""
from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..render.templates import packaged_files


@dataclass
class Arg:
    """One option or positional argument: what the shell should offer for it."""
    names: list[str]                       # option strings; empty for a positional
    help: str
    takes_value: bool
    values: list[str] = field(default_factory=list)   # fixed choices
    kind: str = ""                         # "dir" | "file" | "" (free text)
    repeat: bool = False
    label: str = ""                        # what the value is: "DIR", "NAME"


@dataclass
class Command:
    name: str
    help: str
    args: list[Arg]
    subcommands: list["Command"] = field(default_factory=list)


def _kind(action: argparse.Action, command: str) -> str:
    if action.type is Path:
        positional_dir = not action.option_strings and command != "template"
        return "dir" if positional_dir or action.dest == "dir" else "file"
    return ""


def _arg(action: argparse.Action, command: str) -> Arg:
    values = [str(c) for c in action.choices] if action.choices else []
    if command == "template" and action.dest == "name":
        values = list(packaged_files())
    return Arg(list(action.option_strings), (action.help or "").replace("%%", "%"), action.nargs != 0,
               values, _kind(action, command), action.__class__.__name__ == "_AppendAction",
               str(action.metavar or action.dest).upper())


def describe(parser: argparse.ArgumentParser, name: str = "", help_text: str = "") -> Command:
    """The commands, options and arguments of *parser*, as plain data."""
    command = Command(name, help_text, [])
    helps = {}
    for action in parser._actions:
        if action.nargs == argparse.PARSER:                  # the subcommands
            helps = {choice.dest: choice.help or "" for choice in action._get_subactions()}
            for sub_name, sub_parser in action.choices.items():
                command.subcommands.append(describe(sub_parser, sub_name, helps.get(sub_name, "")))
        elif action.dest != "help":
            command.args.append(_arg(action, name))
    return command


# -- bash ------------------------------------------------------------------------------

def _bash_case(command: Command, prefix: str) -> list[str]:
    """The case branch of one command (the words that led to it joined by '/')."""
    key = f"{prefix}/{command.name}" if prefix else command.name
    options = [n for a in command.args for n in a.names] + ["--help"]
    lines = [f"    {shlex.quote(key)})"]
    value_cases = []
    for arg in command.args:
        if arg.names and arg.takes_value:
            if arg.values:
                reply = f'compgen -W {shlex.quote(" ".join(arg.values))} -- "$cur"'
            elif arg.kind:
                reply = f'compgen -{"d" if arg.kind == "dir" else "f"} -- "$cur"'
            else:
                reply = "true"
            value_cases.append(f'            {"|".join(arg.names)}) COMPREPLY=($({reply})); return;;')
    if value_cases:
        lines += ['        case "$prev" in', *value_cases, "        esac"]
    positional = [a for a in command.args if not a.names]
    words = [c.name for c in command.subcommands] + [v for a in positional for v in a.values]
    dirs = any(a.kind == "dir" for a in positional)
    files = any(a.kind == "file" for a in positional)
    lines.append(f'        opts={shlex.quote(" ".join(options))}; words={shlex.quote(" ".join(words))}')
    lines.append(f"        dirs={int(dirs)}; files={int(files)};;")
    return lines


def _bash_cases(command: Command, prefix: str = "") -> list[str]:
    lines = []
    for sub in command.subcommands:
        lines += _bash_case(sub, prefix)
        lines += _bash_cases(sub, f"{prefix}/{sub.name}" if prefix else sub.name)
    return lines


def bash_script(command: Command) -> str:
    top_options = [n for a in command.args for n in a.names] + ["--help"]
    names = " ".join(c.name for c in command.subcommands)
    with_subcommands = " ".join(c.name for c in command.subcommands if c.subcommands)
    return "\n".join([
        "# bash completion for reader-build (made by: reader-build completion bash)",
        "_reader_build() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local path="" i word opts="" words="" dirs=0 files=0',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        word="${COMP_WORDS[i]}"',
        '        [[ $word == -* ]] && continue',
        '        if [[ -z $path ]]; then path="$word"',
        f'        elif [[ " {with_subcommands} " == *" ${{path%%/*}} "* && $path != */* ]]; then path="$path/$word"',
        "        fi",
        "    done",
        '    case "$path" in',
        f'    "") COMPREPLY=($(compgen -W {shlex.quote(names + " " + " ".join(top_options))} -- "$cur")); return;;',
        *_bash_cases(command),
        "    *) return;;",
        "    esac",
        '    if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi',
        '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        '    (( dirs )) && COMPREPLY+=($(compgen -d -- "$cur"))',
        '    (( files )) && COMPREPLY+=($(compgen -f -- "$cur"))',
        "    return 0",
        "}",
        "complete -o filenames -F _reader_build reader-build",
        ""])


# -- zsh -------------------------------------------------------------------------------

def _zsh_quote(text: str, colons: bool = False) -> str:
    """*text* inside a single-quoted zsh word; brackets escaped, and colons where they separate."""
    text = text.replace("\\", "\\\\").replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]")
    return text.replace(":", "\\:") if colons else text


def _zsh_action(arg: Arg) -> str:
    if arg.values:
        return "(" + " ".join(arg.values) + ")"
    return {"dir": "_directories", "file": "_files"}.get(arg.kind, " ")


def _zsh_specs(command: Command) -> list[str]:
    specs = []
    position = 1
    for arg in command.args:
        text = _zsh_quote(arg.help)
        if arg.names:
            star = "*" if arg.repeat else ""
            value = f":{_zsh_quote(arg.label, True)}:{_zsh_action(arg)}" if arg.takes_value else ""
            for name in arg.names:
                specs.append(f"'{star}{name}[{text}]{value}'")
        else:
            specs.append(f"'{position}:{_zsh_quote(arg.label, True)}:{_zsh_action(arg)}'")
            position += 1
    return specs


def _zsh_function(command: Command, fname: str) -> list[str]:
    """A function that completes *command*: its options, then its subcommands or arguments."""
    lines = [f"{fname}() {{", "    local curcontext=\"$curcontext\" state line", "    typeset -A opt_args"]
    specs = _zsh_specs(command)
    if command.subcommands:
        described = " ".join(f"'{_zsh_quote(c.name, True)}:{_zsh_quote(c.help)}'" for c in command.subcommands)
        lines += [f"    _arguments -C {' '.join(specs)} '1:command:->command' '*::arg:->args'",
                  "    case $state in",
                  f"    command) local -a commands; commands=({described}); _describe command commands;;",
                  "    args) case $line[1] in"]
        lines += [f"        {c.name}) {fname}_{c.name.replace('-', '_')};;" for c in command.subcommands]
        lines += ["        esac;;", "    esac", "}"]
        for sub in command.subcommands:
            lines += _zsh_function(sub, f"{fname}_{sub.name.replace('-', '_')}")
    else:
        lines += [f"    _arguments {' '.join(specs)}" if specs else "    _files", "}"]
    return lines


def zsh_script(command: Command) -> str:
    return "\n".join(["#compdef reader-build",
                      "# zsh completion for reader-build (made by: reader-build completion zsh)",
                      *_zsh_function(command, "_reader_build"),
                      'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _reader_build "$@"; '
                      "else compdef _reader_build reader-build; fi", ""])


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    command = describe(parser, "reader-build")
    return bash_script(command) if shell == "bash" else zsh_script(command)
