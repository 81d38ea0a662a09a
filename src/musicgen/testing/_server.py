"""A loopback HTTP server exposing an :class:`Emulator` on a real socket."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx

from ._emulator import Emulator

# Hop-by-hop or recomputed headers that must not be copied from the emulated response.
_SKIPPED_HEADERS = frozenset({"connection", "content-length", "keep-alive", "transfer-encoding"})


class _HTTPServer(ThreadingHTTPServer):
    """A thread-per-connection server that remembers its open connections."""

    daemon_threads = True
    # Hundreds of clients may connect at once; the default backlog of 5 would refuse them.
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (timeouts, dropped faults, stop()) are normal here, not errors.
        pass

    def close_connections(self) -> None:
        """Shut down every open connection so idle keep-alive threads finish."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _HTTPServer6(_HTTPServer):
    """The same server on an IPv6 socket (for hosts like ``::1``)."""

    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """Turn each HTTP request into an ``httpx.Request`` for the emulator."""

    protocol_version = "HTTP/1.1"  # keep-alive, so pooled clients reuse connections
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the
    # body back for the client's delayed ACK, ~40 ms per response.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and the CLI should not print a line per request."""

    def do_GET(self) -> None:
        """Serve any method through the emulator."""
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # Skip trailers up to the blank line that ends the body.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _abort(self) -> None:
        """Close the connection without answering, as a lost response looks to a client."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _serve(self) -> None:
        body = self._read_body()
        # Use the Host the client dialled, so media URLs point back at this server.
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        url = self.path if self.path.startswith("http") else f"http://{host}{self.path}"
        headers = [(k, v) for k, v in self.headers.items() if k.lower() != "transfer-encoding"]
        try:
            request = httpx.Request(self.command, url, headers=headers, content=body)
        except (httpx.InvalidURL, ValueError):
            self._write(httpx.Response(400, text="Bad Request"))
            return
        emulator = self.server.emulator
        fault = emulator._admit(request)
        if fault is not None and fault.kind == "connect_error":
            self._abort()
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        response = emulator._execute(request, fault)
        if fault is not None and fault.kind == "drop":
            self._abort()
            return
        self._write(response)

    def _write(self, response: httpx.Response) -> None:
        content = response.content
        self.send_response(response.status_code)
        for name, value in response.headers.multi_items():
            if name.lower() not in _SKIPPED_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)


class EmulatorServer:
    """Serve an emulator over real HTTP on a background thread.

    Use it as a context manager::

        with EmulatorServer() as server:
            httpx.get(f"{server.url}/api/v1/generate/credit", headers=...)

    Media URLs handed to its clients point at the server itself.

    Args:
        emulator: The emulator to expose; None creates a default one.
        host: Interface to bind.
        port: Port to bind; 0 picks a free one (read it back from :attr:`url`).
    """

    def __init__(
        self, emulator: Emulator | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._emulator = emulator if emulator is not None else Emulator()
        self._host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def emulator(self) -> Emulator:
        """The emulator behind this server."""
        return self._emulator

    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54321``.

        Raises:
            RuntimeError: The server is not running.
        """
        if self._httpd is None:
            raise RuntimeError("EmulatorServer is not running; call start() first")
        host, port = self._httpd.server_address[:2]
        shown = host.decode() if isinstance(host, bytes) else str(host)
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{port}"

    def start(self) -> EmulatorServer:
        """Bind the socket and start serving in a daemon thread.

        Returns:
            This server, for chaining.

        Raises:
            RuntimeError: The server is already running.
            OSError: The address could not be bound.
        """
        if self._httpd is not None:
            raise RuntimeError("EmulatorServer is already running")
        server_class = _HTTPServer6 if ":" in self._host else _HTTPServer
        httpd = server_class((self._host, self._port), self._emulator)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"musicgen-emulator-{self.url}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and hang up on open connections (idempotent)."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._httpd = self._thread = None
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self._httpd is not None else "stopped"
        return f"<EmulatorServer {state}>"
