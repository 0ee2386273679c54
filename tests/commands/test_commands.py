"""The commands a user runs besides build: new, check, watch."""
from __future__ import annotations

import json
import threading
import time

from reader_build.cli import main
from reader_build.commands.watch import watch


def test_new_then_build(tmp_path, capsys):
    target = tmp_path / "course"
    assert main(["new", str(target)]) == 0
    assert main(["build", str(target), "-q"]) == 0
    manifest = json.loads((target / "build" / "manifest.json").read_text())
    assert manifest["counts"]["footnotes"] == 1
    assert manifest["counts"]["citations"] >= 2
    assert manifest["counts"]["index"]["places"] == 1
    assert not [d for d in manifest["diagnostics"] if d["severity"] == "error"]
    assert main(["new", str(target)]) == 2            # not over an existing project


def test_check_writes_nothing(minimal, capsys):
    assert main(["check", str(minimal)]) == 0
    assert not (minimal / "build").exists()
    assert "0 error(s)" in capsys.readouterr().err


def _wait_for(predicate, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_watch_rebuilds_on_change_and_survives_errors(minimal, capsys):
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(minimal,), kwargs={"stop_event": stop}, daemon=True)
    thread.start()
    manifest = minimal / "build" / "manifest.json"
    try:
        assert _wait_for(manifest.exists)
        first = manifest.read_text()
        time.sleep(1)
        chapter = minimal / "manuscript" / "one.md"
        chapter.write_text(chapter.read_text().replace("Second paragraph.", "Second paragraph, edited."))
        assert _wait_for(lambda: manifest.read_text() != first)
        broken = chapter.read_text()
        chapter.write_text(broken.replace("[^b]: The second note", "[^c]: The second note"))
        assert _wait_for(lambda: "note-undefined" in capsys.readouterr().err)
        assert thread.is_alive()
        before = manifest.read_text()
        chapter.write_text(broken.replace("edited.", "edited again."))
        assert _wait_for(lambda: manifest.read_text() != before)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
