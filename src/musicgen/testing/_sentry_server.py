"""A Sentry-compatible ingestion endpoint on loopback, for tests that use the real SDK transport.

Use its ``dsn`` with ``sentry_sdk.init`` and assert on what crossed the wire.

It accepts ``POST /api/<project>/envelope/`` (and the legacy ``/store/``), undoes ``gzip`` or
``deflate`` content encoding, and keeps every request's raw bytes and its parsed envelope, so a
test can assert on what actually crossed the wire.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs

__all__ = ["Envelope", "Item", "SentryServer"]

_PATH = re.compile(r"^/api/(?P<project>[^/]+)/(?P<kind>envelope|store)/?$")


@attrs.frozen
class Item:
    """One envelope item: its header, its payload bytes, and the payload as JSON when it is."""

    headers: dict[str, Any]
    payload: bytes

    @property
    def type(self) -> str:
        return str(self.headers.get("type", ""))

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.payload)
        except ValueError:
            return None


@attrs.frozen
class Envelope:
    """One received request: the envelope header, its items, and the decoded body bytes."""

    project: str
    headers: dict[str, Any]
    items: tuple[Item, ...]
    raw: bytes
    wire: bytes


def parse_envelope(body: bytes) -> tuple[dict[str, Any], tuple[Item, ...]]:
    """Split a Sentry envelope: a header line, then (item header line, payload) pairs.

    A payload's length comes from its header's ``length`` when given, else it runs to the next
    newline.
    """
    header_line, _, rest = body.partition(b"\n")
    headers = json.loads(header_line or b"{}")
    items: list[Item] = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        if not item_line.strip():
            continue
        item_headers = json.loads(item_line)
        length = item_headers.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length:]
            if rest.startswith(b"\n"):
                rest = rest[1:]
        items.append(Item(item_headers, payload))
    return headers, tuple(items)


def _decode(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    msg = f"unsupported Content-Encoding {encoding!r} (set transport compression to gzip)"
    raise ValueError(msg)


class SentryServer:
    """A threaded HTTP server on 127.0.0.1 that records what a Sentry SDK sends.

    Use as a context manager, or ``start()``/``stop()``. ``dsn`` is ready for
    ``sentry_sdk.init``.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._envelopes: list[Envelope] = []
        self.errors: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                match = _PATH.match(self.path.split("?", 1)[0])
                if match is None:
                    self.send_error(404)
                    return
                wire = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    raw = _decode(wire, self.headers.get("Content-Encoding", ""))
                    if match["kind"] == "store":
                        headers: dict[str, Any] = {}
                        items: tuple[Item, ...] = (Item({"type": "event"}, raw),)
                    else:
                        headers, items = parse_envelope(raw)
                except (ValueError, OSError) as error:
                    server.errors.append(f"{type(error).__name__}: {error}")
                    self.send_error(400)
                    return
                server._add(Envelope(match["project"], headers, items, raw, wire))
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    def start(self) -> SentryServer:
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="sentry-test-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SentryServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _add(self, envelope: Envelope) -> None:
        with self._lock:
            self._envelopes.append(envelope)
            self._lock.notify_all()

    # -- what the tests read -----------------------------------------------------------------

    @property
    def envelopes(self) -> list[Envelope]:
        with self._lock:
            return list(self._envelopes)

    def items(self, type: str | None = None) -> Iterator[Item]:
        for envelope in self.envelopes:
            for item in envelope.items:
                if type is None or item.type == type:
                    yield item

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every error or message event received (transactions and reports left out)."""
        return [item.json for item in self.items("event")]

    @property
    def raw_bytes(self) -> bytes:
        """Every decoded body received, concatenated: what a secret must never be found in."""
        with self._lock:
            return b"\n".join(envelope.raw for envelope in self._envelopes)

    def wait_for_events(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least ``count`` events arrived, then return all of them.

        Raises:
            AssertionError: Fewer arrived within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                events = [
                    item.json
                    for envelope in self._envelopes
                    for item in envelope.items
                    if item.type == "event"
                ]
                left = deadline - time.monotonic()
                if len(events) >= count or left <= 0:
                    break
                self._lock.wait(left)
        assert len(events) >= count, f"expected {count} events, got {len(events)}: {events}"
        return events
