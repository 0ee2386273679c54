"""Shell completion (bash, zsh) made from the parser, and --version with the libraries' versions."""
from __future__ import annotations

import shutil
import subprocess
from importlib import metadata

import pytest

from reader_build.cli import main


def script(capsys, shell: str) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def complete_bash(source: str, words: list[str], cwd) -> list[str]:
    """What bash offers after *words* (the last one is being typed)."""
    line = " ".join(f"'{w}'" for w in words)
    program = (f"{source}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _reader_build; "
               'printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, cwd=cwd, check=True)
    return sorted(filter(None, done.stdout.splitlines()))


@pytest.mark.skipif(not shutil.which("bash"), reason="bash is not installed")
def test_bash_completes_commands_options_values_and_names(capsys, tmp_path):
    source = script(capsys, "bash")
    (tmp_path / "project").mkdir()
    (tmp_path / "notes.md").write_text("x")
    assert complete_bash(source, ["reader-build", ""], tmp_path) == sorted(
        ["build", "check", "handout", "watch", "serve", "new", "template", "index", "completion", "--version", "--help"])
    assert complete_bash(source, ["reader-build", "bu"], tmp_path) == ["build"]
    assert "--verbose" in complete_bash(source, ["reader-build", "check", "--"], tmp_path)
    assert complete_bash(source, ["reader-build", "check", "--format", ""], tmp_path) == ["json", "text"]
    assert complete_bash(source, ["reader-build", "build", "pro"], tmp_path) == ["project"]
    assert complete_bash(source, ["reader-build", "new", "x", "--from", "no"], tmp_path) == ["notes.md"]
    assert complete_bash(source, ["reader-build", "template", "book"], tmp_path) == ["book.html.j2"]
    assert complete_bash(source, ["reader-build", "index", ""], tmp_path) == ["suggest"]
    assert "--min" in complete_bash(source, ["reader-build", "index", "suggest", "--"], tmp_path)
    assert complete_bash(source, ["reader-build", "completion", ""], tmp_path) == ["bash", "zsh"]


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed")
def test_zsh_script_loads_and_registers(capsys, tmp_path):
    path = tmp_path / "_reader-build"
    path.write_text(script(capsys, "zsh"))
    assert subprocess.run(["zsh", "-n", str(path)]).returncode == 0
    program = (f"autoload -U compinit; compinit -u -d {tmp_path}/zcompdump; source {path}; "
               "print -r -- ${_comps[reader-build]}; whence -w _reader_build_index_suggest")
    done = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["_reader_build", "_reader_build_index_suggest:", "function"], done.stderr


def test_zsh_script_describes_every_command_and_option(capsys):
    text = script(capsys, "zsh")
    for command in ("build", "check", "handout", "watch", "new", "template", "index", "completion"):
        assert f"'{command}:" in text
    assert "'--format[json: one JSON object per diagnostic per line, on stdout]:FMT:(text json)'" in text
    assert "'1:DIR:_directories'" in text and "(book.html.j2 " in text


def test_version_names_the_libraries(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("reader-build ")
    assert f"WeasyPrint {metadata.version('weasyprint')}" in out and f"pybtex {metadata.version('pybtex')}" in out
