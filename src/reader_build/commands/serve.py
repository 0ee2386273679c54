"""``reader-build serve``: the web edition on http://127.0.0.1:PORT/, rebuilt when a
source changes (``watch``'s machinery) and reloaded in the open browser tab.

Only 127.0.0.1 is listened on unless ``--host`` says otherwise.  Each HTML page
is served with one more line, a script that listens to ``/__reader-build/events``
(server-sent events) and reloads the page when a build has finished.
"""
from __future__ import annotations

import functools
import sys
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..config import parse_config
from ..diagnostics import Diagnostics
from ..source.files import read_text
from .watch import watch

EVENTS = "/__reader-build/events"
RELOAD = "/__reader-build/reload.js"
RELOAD_SCRIPT = """(function () {
  var since = document.currentScript.getAttribute("data-build");
  var source = new EventSource("%s?since=" + since);
  source.onmessage = function () { source.close(); location.reload(); };
})();
""" % EVENTS


class Builds:
    """How many builds have finished; the event streams wait on it."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()
        self.stopping = False

    def finished(self) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.count > seen or self.stopping, timeout)
            return self.count

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


class Handler(SimpleHTTPRequestHandler):
    """Static files of the site, the reload script in every HTML page, and the event stream."""

    builds: Builds

    def log_message(self, format, *args):          # quiet: the terminal shows the builds
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == EVENTS:
            return self.events()
        if path == RELOAD:
            return self.send_bytes(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        file = Path(self.translate_path(path))
        if file.is_dir():
            if not path.endswith("/"):
                return super().do_GET()              # the redirect to "path/"
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            html = file.read_bytes()
            tag = f'<script src="{RELOAD}" data-build="{self.builds.count}"></script>\n</body>'.encode()
            return self.send_bytes(html.replace(b"</body>", tag, 1), "text/html; charset=utf-8")
        return super().do_GET()

    def send_bytes(self, data: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def events(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        try:
            seen = int(query.get("since", ["0"])[0])
        except ValueError:
            seen = 0
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while not self.builds.stopping:
                count = self.builds.wait_past(seen, timeout=15)
                if count > seen:
                    self.wfile.write(f"data: build {count}\n\n".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(b": waiting\n\n")    # finds a closed tab
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def web_edition(root: Path) -> tuple[str | None, Diagnostics]:
    """The name of the project's first web edition (format "html")."""
    diags = Diagnostics()
    if not (root / "reader.toml").is_file():
        diags.error("config-missing", "this folder has no reader.toml", "reader.toml")
        return None, diags
    source = read_text(root, root / "reader.toml", diags, what="reader.toml")
    config = parse_config(source, diags) if source is not None else None
    if config is None:
        return None, diags
    edition = next((e for e in config.editions if e.format == "html"), None)
    if edition is None:
        diags.error("serve-no-web-edition", "the project has no web edition: add [editions.web] with "
                    "format = \"html\" to reader.toml", "reader.toml")
        return None, diags
    return edition.name, diags


def make_server(folder: Path, host: str, port: int, builds: Builds) -> ThreadingHTTPServer:
    handler = type("SiteHandler", (Handler,), {"builds": builds})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(folder)))
    server.daemon_threads = True
    return server


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, *, stop_event=None,
          ready=None, max_builds: int | None = None) -> int:
    """Build the web edition, serve it and rebuild on change until Ctrl-C (or *stop_event*).
    *ready(url)* is called once the server listens."""
    root = root.resolve()
    name, diags = web_edition(root)
    if name is None:
        for diagnostic in diags.sorted():
            print(diagnostic.format(), file=sys.stderr)
        return 1
    builds = Builds()
    try:
        server = make_server(root / "build" / name, host, port, builds)
    except OSError as exc:
        print(f"reader-build: error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="reader-build-serve", daemon=True)
    thread.start()
    print(f"serving the web edition '{name}' at {url} (Ctrl-C to stop)", flush=True)
    if ready is not None:
        ready(url)
    try:
        return watch(root, [name], stop_event=stop_event, max_builds=max_builds,
                     after_build=lambda result: builds.finished())
    finally:
        builds.stop()
        server.shutdown()
        server.server_close()
