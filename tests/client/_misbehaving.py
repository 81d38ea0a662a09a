"""The emulator over a real socket, except that chosen answers are delivered badly.

``MisbehavingServer`` serves every request with the emulator (so a submission still creates,
and charges, its task) and then, for the requests a rule picks, writes the emulator's answer
the way a broken network or proxy would: trickling a byte at a time, stalling mid-body, endless,
with a corrupt gzip encoding, or as a redirect loop.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, BinaryIO, cast

import httpx

from musicgen.testing import Emulator

# A writer gets the socket's file, the emulator's answer, and an event set when the test ends.
Writer = Callable[[BinaryIO, httpx.Response, threading.Event], None]

#: (method, path prefix) of each operation, per provider.
PATHS: dict[tuple[str, str], tuple[str, str]] = {
    ("suno", "submit"): ("POST", "/api/v1/generate"),
    ("suno", "status"): ("GET", "/api/v1/generate/record-info"),
    ("suno", "balance"): ("GET", "/api/v1/generate/credit"),
    ("mureka", "submit"): ("POST", "/v1/song/generate"),
    ("mureka", "status"): ("GET", "/v1/song/query/"),
    ("mureka", "balance"): ("GET", "/v1/account/billing"),
}


def matches(provider: str, operation: str, method: str, path: str) -> bool:
    want_method, prefix = PATHS[provider, operation]
    if operation == "submit":
        return method == want_method and path == prefix
    return method == want_method and path.startswith(prefix)


def _head(response: httpx.Response, **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _plain_head(response: httpx.Response) -> bytes:
    return _head(
        response,
        **{"Content-Type": "application/json", "Content-Length": str(len(response.content))},
    )


def trickle(delay: float) -> Writer:
    """Headers at once, then the body one byte every ``delay`` seconds."""

    def write(out: BinaryIO, response: httpx.Response, stop: threading.Event) -> None:
        out.write(_plain_head(response))
        out.flush()
        for byte in response.content:
            if stop.wait(delay):
                return
            out.write(bytes([byte]))
            out.flush()

    return write


def trickle_headers(delay: float) -> Writer:
    """The status line and headers one byte every ``delay`` seconds."""

    def write(out: BinaryIO, response: httpx.Response, stop: threading.Event) -> None:
        for byte in _plain_head(response) + response.content:
            if stop.wait(delay):
                return
            out.write(bytes([byte]))
            out.flush()

    return write


def stall_midway(out: BinaryIO, response: httpx.Response, stop: threading.Event) -> None:
    """Headers and half the body, then nothing until the test ends."""
    out.write(_plain_head(response) + response.content[: len(response.content) // 2])
    out.flush()
    stop.wait()


class Endless:
    """A chunked body of JSON whitespace that never ends; counts what it managed to send."""

    def __init__(self) -> None:
        self.sent = 0

    def __call__(self, out: BinaryIO, response: httpx.Response, stop: threading.Event) -> None:
        out.write(_head(response, **{"Transfer-Encoding": "chunked"}))
        chunk = b" " * 65536
        framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        while not stop.is_set():
            out.write(framed)
            self.sent += len(chunk)


def corrupt_gzip(out: BinaryIO, response: httpx.Response, stop: threading.Event) -> None:
    """The answer, said to be gzip-encoded, but not."""
    body = b"this is not gzip" * 8
    out.write(_head(response, **{"Content-Encoding": "gzip", "Content-Length": str(len(body))}))
    out.write(body)
    out.flush()


def redirect_loop(out: BinaryIO, response: httpx.Response, stop: threading.Event) -> None:
    """A 307 back to the same URL (a 307 keeps the method and the body)."""
    path = response.request.url.raw_path.decode()
    out.write(b"HTTP/1.1 307 Temporary Redirect\r\nLocation: %s\r\n" % path.encode())
    out.write(b"Connection: close\r\nContent-Length: 0\r\n\r\n")
    out.flush()


redirect_loop.processes = False  # type: ignore[attr-defined] # a gateway's: nothing is started


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = f"http://{self.headers.get('Host')}{self.path}"
        request = httpx.Request(self.command, url, headers=dict(self.headers), content=body)
        owner = self.server.owner
        writer = owner._pick(self.command, request.url.path)
        if getattr(writer, "processes", True):
            response = owner.emulator.handle(request)
        else:
            response = httpx.Response(307)
        response.request = request
        if writer is None:
            self.wfile.write(_plain_head(response) + response.content)
            self.wfile.flush()
            return
        self.close_connection = True
        try:
            writer(cast(BinaryIO, self.wfile), response, owner.stop)
        except OSError:
            owner.hung_up.set()  # the client closed the connection
        else:
            if owner.stop.is_set():
                return
            # Done writing: does the client close the connection? (EOF or a reset)
            with contextlib.suppress(OSError):
                self.connection.settimeout(10)
                self.connection.recv(1)
            owner.hung_up.set()

    do_POST = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: MisbehavingServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class MisbehavingServer:
    """Serve ``emulator``; answers to the requests ``misbehave`` picked go out its way."""

    def __init__(self, emulator: Emulator | None = None) -> None:
        self.emulator = emulator or Emulator()
        self.stop = threading.Event()
        self.hung_up = threading.Event()  # a client closed a misbehaving connection
        self._rules: list[tuple[str, str, Writer, list[int]]] = []
        self._lock = threading.Lock()
        self._httpd = _Server(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def misbehave(self, provider: str, operation: str, writer: Writer, times: int = 10**6) -> None:
        self._rules.append((provider, operation, writer, [times]))

    def _pick(self, method: str, path: str) -> Writer | None:
        with self._lock:
            for provider, operation, writer, left in self._rules:
                if left[0] > 0 and matches(provider, operation, method, path):
                    left[0] -= 1
                    return writer
        return None

    def __enter__(self) -> MisbehavingServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


__all__ = [
    "PATHS",
    "Endless",
    "MisbehavingServer",
    "corrupt_gzip",
    "matches",
    "redirect_loop",
    "stall_midway",
    "trickle",
    "trickle_headers",
]
