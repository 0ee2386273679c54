"""``reader-build serve``: the web edition on 127.0.0.1, rebuilt on change, the open page
told to reload."""
from __future__ import annotations

import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from conftest import MINIMAL, write_project
from reader_build.cli import _parser, main
from reader_build.commands.serve import EVENTS, RELOAD, serve
from web_helpers import in_browser

WEB = '\n[editions.print]\nformat = "pdf"\n\n[editions.web]\nformat = "html"\n'


def get(url: str, path: str) -> tuple[int, dict, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def wait_for(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def served(tmp_path):
    """The minimal project with a web edition, served on a free port until the test ends."""
    root = write_project(tmp_path / "reader", dict(MINIMAL))
    (root / "reader.toml").write_text(MINIMAL["reader.toml"] + WEB, encoding="utf-8")
    stop = threading.Event()
    urls: list[str] = []
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(serve(root, port=0, stop_event=stop, ready=urls.append)))
    thread.start()
    wait_for(lambda: urls, "the server")
    wait_for(lambda: (root / "build" / "web" / "01-one.html").is_file()
             and b'data-build="1"' in get(urls[0], "/01-one.html")[2], "the first build")
    yield root, urls[0]
    stop.set()
    thread.join(60)
    assert codes == [0]


def test_serve_listens_on_127_0_0_1_only_by_default():
    args = _parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and str(args.dir) == "."
    assert _parser().parse_args(["serve", "proj", "--host", "0.0.0.0", "--port", "9000"]).host == "0.0.0.0"


def test_serve_serves_the_site_with_the_reload_script(served):
    root, url = served
    assert urlsplit(url).hostname == "127.0.0.1"
    status, headers, body = get(url, "/01-one.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f'<script src="{RELOAD}" data-build="1"></script>\n</body>'.encode() in body
    assert body.count(b"<script") == (root / "build" / "web" / "01-one.html").read_bytes().count(b"<script") + 1
    assert get(url, "/")[0] == 200
    status, headers, _ = get(url, "/page/1")
    assert status == 301 and headers["Location"].endswith("/page/1/")
    status, _, body = get(url, "/page/1/")
    assert status == 200 and b".html#page-1\"" in body
    assert get(url, RELOAD)[2].startswith(b"(function")


def test_a_change_rebuilds_and_tells_the_open_page_to_reload(served):
    root, url = served
    parts = urlsplit(url)
    stream = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    stream.request("GET", f"{EVENTS}?since=1")
    response = stream.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
    chapter = root / "manuscript" / "one.md"
    chapter.write_text(chapter.read_text().replace("Second paragraph.", "Second paragraph, changed."))
    line = b""
    while not line.startswith(b"data:"):
        line = response.fp.readline()
    assert line.strip() == b"data: build 2"
    assert b"Second paragraph, changed." in get(url, "/01-one.html")[2]


def test_serve_without_a_web_edition_says_what_to_add(tmp_path, capsys):
    root = write_project(tmp_path / "reader", dict(MINIMAL))
    assert main(["serve", str(root)]) == 1
    err = capsys.readouterr().err
    assert "reader.toml: error [serve-no-web-edition]" in err and 'format = "html"' in err


def test_serve_on_a_port_in_use_says_so(tmp_path, capsys):
    root = write_project(tmp_path / "reader", dict(MINIMAL))
    (root / "reader.toml").write_text(MINIMAL["reader.toml"] + WEB, encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(root), "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_the_open_page_reloads_in_the_browser_after_a_change(served):
    root, url = served

    def check(tab):
        tab.goto(url + "01-one.html")
        assert "Second paragraph." in tab.inner_text("main")
        chapter = root / "manuscript" / "one.md"
        chapter.write_text(chapter.read_text().replace("Second paragraph.", "Second paragraph, reloaded."))
        tab.wait_for_function("document.querySelector('main').innerText.includes('Second paragraph, reloaded.')",
                              timeout=120_000)
    in_browser(check)
