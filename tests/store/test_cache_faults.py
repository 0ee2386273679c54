"""A cache never fails a build: a write that fails is one ``cache-write`` warning and the
build goes on; an entry that is damaged (truncated, altered, unreadable) is found by its
stored hash, dropped with a ``cache-damaged`` warning and made again, to the same bytes."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import pathlib
from pathlib import Path

import pytest

from faulty import built_copy, no_validators, run_cli, snapshot, temporaries  # noqa: F401

from reader_build.store import files
from reader_build.store.cache import seal, unseal

CACHE_WARNING = ("build/.cache: warning [cache-write]: cannot write the build cache: {}; the build goes on without "
                 "it (what is not stored is made again next time)")
DAMAGED = ("{}: warning [cache-damaged]: the cache entry is damaged: {}; it is dropped and made again")
ALTERED = "its stored hash does not match its contents (truncated or altered)"


@pytest.fixture
def project(minimal_built, tmp_path) -> Path:
    return built_copy(minimal_built, tmp_path / "reader")


def _change_text(root: Path) -> None:
    chapter = root / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text().replace("Second paragraph.", "Second paragraph, revised."))


def _manifest_matches(root: Path) -> None:
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    for record in manifest["editions"]:
        assert hashlib.sha256((root / record["path"]).read_bytes()).hexdigest() == record["sha256"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EACCES], ids=errno.errorcode.get)
def test_every_cache_write_failing_is_one_warning_and_the_build_goes_on(project, tmp_path, capsys, code):
    _change_text(project)
    reference = built_copy({"root": project}, tmp_path / "reference")
    assert run_cli(capsys, "build", reference)[0] == 0
    every = ",".join(f"cache:{n}:{errno.errorcode[code]}" for n in range(1, 200))
    with files.inject(every):
        status, output = run_cli(capsys, "build", project)
    assert status == 0, output
    assert "Traceback" not in output
    warnings = [line for line in output.splitlines() if "[cache-write]" in line]
    assert warnings == [CACHE_WARNING.format(os.strerror(code))], output
    new = {k: v for k, v in snapshot(project).items() if k != "manifest.json"}
    assert new == {k: v for k, v in snapshot(reference).items() if k != "manifest.json"}
    _manifest_matches(project)
    assert temporaries(project) == []
    # the next build, without the fault, makes again what was not stored, and stores it
    (project / "build" / "print.pdf").unlink()
    status, output = run_cli(capsys, "build", project)
    assert status == 0 and "[cache-" not in output, output
    assert snapshot(project)["print.pdf"] == snapshot(reference)["print.pdf"]


def _editions_of(files_: dict) -> dict:
    return {k: v for k, v in files_.items() if k != "manifest.json"}


def _editions(root: Path) -> dict:
    return _editions_of(snapshot(root))


def _parts(root: Path) -> list[Path]:
    """The records of the laid-out parts (each with its PDF), not the memory of the last build,
    the kept font subsets or the folio sheets (see _kept)."""
    return sorted(p for p in (root / "build" / ".cache" / "parts").glob("*.json")
                  if not p.name.startswith("edition-") and p.with_suffix(".pdf").exists())


def _kept(root: Path) -> list[Path]:
    """The font subsets and folio sheets that the part cache keeps."""
    return sorted(p for p in (root / "build" / ".cache" / "parts").glob("*.json")
                  if p.name.startswith(("font-", "sheet-")))


def _truncate(path: Path, monkeypatch=None) -> str:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return ALTERED


def _alter_record(path: Path, monkeypatch=None) -> str:
    record = unseal(path.read_bytes())
    record["pages"] = record["pages"] + 1            # a plausible lie, in valid JSON
    digest, _, body = path.read_bytes().partition(b"\n")
    path.write_bytes(digest + b"\n" + json.dumps(record, sort_keys=True).encode() + b"\n")
    return ALTERED


def _alter_pdf(path: Path, monkeypatch=None) -> str:
    pdf = path.with_suffix(".pdf")
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    return ALTERED


def _unreadable(path: Path, monkeypatch) -> str:
    """Reading the entry fails once with EIO (a bad sector; chmod does not stop root)."""
    real = pathlib.Path.read_bytes
    failed = []

    def read_bytes(self):
        if self == path and not failed:
            failed.append(self)
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        return real(self)
    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    return f"it cannot be read: {os.strerror(errno.EIO)}"


@pytest.mark.parametrize("damage", [_truncate, _alter_record, _alter_pdf, _unreadable],
                         ids=["truncated", "record-altered", "pdf-altered", "unreadable"])
def test_a_damaged_part_is_dropped_and_laid_out_again(project, capsys, monkeypatch, damage):
    before = snapshot(project)
    (project / "build" / "print.pdf").unlink()         # the edition is made again from its parts
    parts = _parts(project)
    assert parts
    whys = {part: damage(part, monkeypatch) for part in parts}
    status, output = run_cli(capsys, "build", project)
    assert status == 0, output
    assert "Traceback" not in output
    for part, why in whys.items():
        shown = part.relative_to(project).as_posix()
        if damage is _alter_pdf:
            shown = part.with_suffix(".pdf").relative_to(project).as_posix()
        assert DAMAGED.format(shown, why) in output.splitlines(), output
    assert _editions(project) == _editions_of(before)  # the same bytes
    for part in _parts(project):                       # stored again, whole
        unseal(part.read_bytes())
    status, output = run_cli(capsys, "build", project)
    assert status == 0 and "[cache-" not in output, output


def test_a_damaged_font_subset_is_dropped_and_cut_again(project, capsys):
    before = snapshot(project)
    (project / "build" / "print.pdf").unlink()         # the edition is merged again from its parts
    kept = [p for p in _kept(project) if p.name.startswith("font-")]
    assert kept
    for path in kept:
        _truncate(path)
    status, output = run_cli(capsys, "build", project)
    assert status == 0 and "Traceback" not in output, output
    for path in kept:
        assert DAMAGED.format(path.relative_to(project).as_posix(), ALTERED) in output.splitlines(), output
    assert _editions(project) == _editions_of(before)  # the same bytes
    for path in kept:                                  # kept again, whole
        unseal(path.read_bytes())


def test_a_damaged_edition_record_is_dropped_and_made_again(project, capsys):
    before = snapshot(project)
    record = project / "build" / ".cache" / "print.json"
    _truncate(record)
    status, output = run_cli(capsys, "build", project, "--edition", "print")    # not up to date as a whole
    assert status == 0, output
    assert DAMAGED.format("build/.cache/print.json", ALTERED) in output.splitlines(), output
    assert snapshot(project)["print.pdf"] == before["print.pdf"]
    unseal(record.read_bytes())


def test_a_damaged_memory_of_the_last_build_is_dropped(project, capsys):
    memory = project / "build" / ".cache" / "parts" / "edition-print.json"
    memory.write_bytes(memory.read_bytes()[:-40])
    _change_text(project)
    status, output = run_cli(capsys, "build", project)
    assert status == 0, output
    assert DAMAGED.format("build/.cache/parts/edition-print.json", ALTERED) in output.splitlines(), output
    unseal(memory.read_bytes())


def test_records_are_sealed():
    data = seal({"a": 1})
    assert unseal(data) == {"a": 1}
    assert data.split(b"\n")[0] == hashlib.sha256(b'{"a": 1}').hexdigest().encode()
