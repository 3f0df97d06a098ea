"""A fake MediaWiki for the fetch tests: a real HTTP server on 127.0.0.1 answering from data files.

Each ``tests/fixtures/api/*.json`` file is one interaction: ``request`` (the parameters a
request must carry) and ``responses`` (served in turn, the last one repeated), each a ``body``
shaped like the real API's answer (or a raw ``text``), with an optional ``status`` and
``headers``. The most specific matching file answers. ``expandtemplates.json`` maps each
invocation to its expansion; ``upload/`` holds the images. Addresses of the real wiki, of
upload.wikimedia.org and of commons in the data are rewritten to this server's.
"""
from __future__ import annotations

import gzip
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "api"
IGNORED = {"format", "formatversion", "maxlag"}


class FakeWiki:
    """Represents the running server: its base URL and every request it was sent."""

    def __init__(self):
        self.interactions = []
        for path in sorted(FIXTURES.glob("*.json")):
            if path.name != "expandtemplates.json":
                data = json.loads(path.read_text(encoding="utf-8"))
                self.interactions.append({"name": path.stem, **data, "served": 0})
        self.expansions = json.loads((FIXTURES / "expandtemplates.json").read_text(encoding="utf-8"))
        self.requests: list[tuple[str, dict]] = []
        #: Every request as sent: its path, all its parameters and its headers.
        self.sent: list[tuple[str, dict, dict]] = []
        self.unmatched: list[str] = []
        self.bytes_sent = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll: shutdown() waits up to one poll interval (0.5 s by default), a test each.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)

    def __enter__(self) -> FakeWiki:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def rewrite(self, text: str) -> str:
        host = self.base.split("://", 1)[1]
        return (text.replace("https://upload.wikimedia.org/", f"{self.base}/upload/")
                .replace("https://commons.wikimedia.org/", f"{self.base}/commons/")
                .replace("https://zh.wikipedia.org", self.base)
                .replace("//zh.wikipedia.org", f"//{host}"))

    def api_calls(self, **match) -> list[dict]:
        """The API requests sent, those with every parameter in ``match``."""
        return [params for path, params in self.requests if path == "/w/api.php"
                and all(params.get(key) == value for key, value in match.items())]

    def answer(self, params: dict):
        if params.get("action") == "expandtemplates":
            return 200, {}, self._expand(params)
        best = None
        for interaction in self.interactions:
            wanted = interaction["request"]
            if all(params.get(key) == value for key, value in wanted.items()):
                if best is None or len(wanted) > len(best["request"]):
                    best = interaction
        if best is None:
            self.unmatched.append(json.dumps(params, ensure_ascii=False))
            return 200, {}, {"error": {"code": "badtitle", "info": "no fixture answers this",
                                       "docref": "fixture"}}
        response = best["responses"][min(best["served"], len(best["responses"]) - 1)]
        best["served"] += 1
        return response.get("status", 200), response.get("headers", {}), \
            response.get("body", response.get("text"))

    def _expand(self, params: dict) -> dict:
        text = params.get("text", "")
        for invocation, expansion in self.expansions.items():
            text = text.replace(invocation, expansion)
        if re.search(r"\{\{", text):
            self.unmatched.append(f"expandtemplates: {text[:200]}")
        return {"expandtemplates": {"wikitext": text}}


def _handler(wiki: FakeWiki):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            self.route(parts.path, dict(parse_qsl(parts.query)))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            parts = urlsplit(self.path)
            self.route(parts.path, dict(parse_qsl(body, keep_blank_values=True)))

        def route(self, path: str, params: dict) -> None:
            wiki.requests.append((path, {k: v for k, v in params.items() if k not in IGNORED}))
            wiki.sent.append((path, params, dict(self.headers)))
            if path == "/w/api.php":
                status, headers, body = wiki.answer(params)
                text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
                self.send(status, wiki.rewrite(text).encode("utf-8"),
                          {"Content-Type": "application/json; charset=utf-8", **headers})
            elif path == "/upload/test/huge.jpg":
                # Announces 2 GB and sends none of it: a client must refuse before reading.
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(2 * 1024 ** 3))
                self.end_headers()
                self.close_connection = True
            elif path == "/upload/test/elsewhere.jpg":
                self.send(302, b"", {"Location": "https://example.org/elsewhere.jpg"})
            elif path.startswith("/upload/"):
                name = re.sub(r"^\d+px-", "", path.rsplit("/", 1)[1])
                file = FIXTURES / "upload" / name
                if file.is_file():
                    self.send(200, file.read_bytes(), {"Content-Type": "image/jpeg"})
                else:
                    self.send(404, b"not found", {"Content-Type": "text/plain"})
            else:
                self.send(404, b"<html>not found</html>", {"Content-Type": "text/html"})

        def send(self, status: int, data: bytes, headers: dict) -> None:
            if "gzip" in self.headers.get("Accept-Encoding", "") and len(data) > 200:
                data = gzip.compress(data)
                headers = {**headers, "Content-Encoding": "gzip"}
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            wiki.bytes_sent += len(data)

    return Handler
