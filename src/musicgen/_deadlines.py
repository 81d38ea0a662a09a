"""Socket operations that stop at the call's deadline, in the caller's own thread.

httpx bounds each socket read, not a whole exchange: a header or body trickling in a byte at a
time would keep a blocking caller far past its deadline. The clients musicgen builds itself
therefore get a network backend whose streams clamp every connect, read and write to the
deadline of the exchange running on the current thread (``bounded_by``), and raise
``Abandoned`` once it has passed. No thread handoff, no watchdog: a thread-local lookup per
socket operation.

A client the user passes in keeps its own transport untouched; the blocking client then bounds
its exchanges with a worker thread instead (``_workers.run_until``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import httpcore
import httpx

from ._exchange import Abandoned

__all__ = ["bounded_by", "install_deadlines"]

T = TypeVar("T")


class _Current(threading.local):
    """The deadline of the exchange this thread is running (``time.monotonic()``), if any."""

    at: float | None = None


_current = _Current()


@contextlib.contextmanager
def bounded_by(seconds: float) -> Iterator[None]:
    """Bound every socket operation of this thread's exchange to ``seconds`` from now."""
    _current.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _current.at = None


def _left(timeout: float | None, *, started: bool) -> tuple[float | None, bool]:
    """The timeout to use (clamped to the deadline), and whether the clamp made it shorter.

    Raises:
        Abandoned: The deadline has passed.
    """
    at = _current.at
    if at is None:
        return timeout, False
    left = at - time.monotonic()
    if left <= 0:
        raise Abandoned(started=started)
    if timeout is None or left < timeout:
        return left, True
    return timeout, False


def _within_deadline(
    operation: Callable[[float | None], T],
    timeout: float | None,
    timed_out: type[Exception],
    *,
    started: bool,
) -> T:
    """``operation(timeout)`` with ``timeout`` clamped to the deadline; a timeout the clamp
    caused (not the request's own) becomes ``Abandoned``."""
    timeout, clamped = _left(timeout, started=started)
    try:
        return operation(timeout)
    except timed_out as error:
        if clamped:
            raise Abandoned(started=started) from error
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes end at the current exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        read = functools.partial(self._inner.read, max_bytes)
        return _within_deadline(read, timeout, httpcore.ReadTimeout, started=True)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        write = functools.partial(self._inner.write, buffer)
        _within_deadline(write, timeout, httpcore.WriteTimeout, started=True)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        def handshake(left: float | None) -> httpcore.NetworkStream:
            return self._inner.start_tls(ssl_context, server_hostname, left)

        inner = _within_deadline(handshake, timeout, httpcore.ConnectTimeout, started=False)
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Wraps a pool's network backend so that its streams honour the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self.inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        def connect(left: float | None) -> httpcore.NetworkStream:
            return self.inner.connect_tcp(host, port, left, local_address, socket_options)

        stream = _within_deadline(connect, timeout, httpcore.ConnectTimeout, started=False)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        def connect(left: float | None) -> httpcore.NetworkStream:
            return self.inner.connect_unix_socket(path, left, socket_options)

        stream = _within_deadline(connect, timeout, httpcore.ConnectTimeout, started=False)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def install_deadlines(client: httpx.Client, *, modify: bool = True) -> bool:
    """Give every connection pool of ``client`` (one musicgen built) the deadline backend.

    Args:
        client: The httpx client.
        modify: False only checks whether it already has it (a client musicgen built, shared
            by ``with_options``); a user's client is never changed.

    Returns:
        True when every transport of the client honours ``bounded_by``; False when one does
        not (a user's client, a custom transport, or an httpx whose internals moved), and the
        caller must bound its exchanges some other way.
    """
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    pools: list[Any] = []
    for transport in transports:
        if transport is None:
            continue  # a mount that disables a scheme
        pool = getattr(transport, "_pool", None)
        if type(transport) is not httpx.HTTPTransport or not hasattr(pool, "_network_backend"):
            return False
        pools.append(pool)
    if not modify:
        return all(isinstance(pool._network_backend, _DeadlineBackend) for pool in pools)
    for pool in pools:
        if not isinstance(pool._network_backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(pool._network_backend)
    return True
