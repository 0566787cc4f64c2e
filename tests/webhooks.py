"""A real HTTP receiver for the webhook tests (http.server on a free local port).

`webhook_receiver` starts one in a thread; it records every request (path, headers, raw
body) and answers each from a script of replies ("ok" 200, "error" 500, "redirect" 302,
"slow": answer only after `slow_seconds`; "drip": a status line, then one header byte
every `slow_seconds`, for ever), then 200 once the script is used up.
`Receiver(tls=context)` serves https.
"""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Received] = []
        self.script: list[str] = []
        self.slow_seconds = 2.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.server.receiver = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hooks/quizsite"

    def answer(self, *replies: str) -> None:
        """The next requests get these replies, in order (then 200s)."""
        with self.lock:
            self.script = list(replies)

    def next_reply(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def record(self, received: Received) -> None:
        with self.lock:
            self.requests.append(received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests, got {len(self.requests)}")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        receiver.record(Received(self.path, dict(self.headers.items()), body))
        reply = receiver.next_reply()
        if reply == "drip":
            self._drip(receiver)
            return
        if reply == "slow":
            time.sleep(receiver.slow_seconds)
        status = {"ok": 200, "slow": 200, "error": 500, "redirect": 302}[reply]
        text = b"ok" if status == 200 else b"receiver says no"
        try:
            self.send_response(status)
            if reply == "redirect":
                self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
        except OSError:
            pass  # the sender gave up waiting (the timeout test)

    def _drip(self, receiver: Receiver) -> None:
        # Each byte arrives well within a read timeout; the headers never end.
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self.wfile.flush()
            while True:
                time.sleep(receiver.slow_seconds)
                self.wfile.write(b"a")
                self.wfile.flush()
        except OSError:
            pass  # the sender hung up

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def webhook_receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()
