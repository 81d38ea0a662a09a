"""Socket operations that stop at the call's deadline, in the caller's own thread or task.

httpx bounds each socket read, not a whole exchange: a header or body trickling in a byte at a
time would keep a caller far past its deadline. The clients musicgen builds itself therefore
get a network backend whose streams clamp every connect, read and write to the deadline of the
exchange running in the current context (``bounded_by``: a thread, or an asyncio task), and
raise ``Abandoned`` once it has passed. No thread handoff, no watchdog and no cancellation
scope: a context-variable lookup per socket operation.

A client the user passes in keeps its own transport untouched; its exchanges are then bounded
by a worker thread (``_workers.run_until``, blocking client) or a cancellation scope (async).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any

import httpcore
import httpx

from ._exchange import Abandoned

__all__ = ["bounded_by", "install_deadlines"]

#: The deadline (``time.monotonic()``) of the exchange running in this context, if any.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "musicgen_exchange_deadline", default=None
)


@contextlib.contextmanager
def bounded_by(seconds: float) -> Iterator[None]:
    """Bound every socket operation of this context's exchange to ``seconds`` from now."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _Clamp:
    """Around one socket operation whose timeout the deadline shortened: a timeout then is the
    deadline's (not the request's own), and becomes ``Abandoned``."""

    __slots__ = ("started", "timed_out")

    def __init__(self, timed_out: type[Exception], *, started: bool) -> None:
        self.timed_out = timed_out
        self.started = started

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None and issubclass(kind, self.timed_out):
            raise Abandoned(started=self.started) from error


#: The guard of an operation the deadline did not shorten: its own timeouts pass unchanged.
_UNCLAMPED: contextlib.AbstractContextManager[None] = contextlib.nullcontext()


def _clamp(
    timeout: float | None, timed_out: type[Exception], *, started: bool
) -> tuple[float | None, contextlib.AbstractContextManager[None]]:
    """The timeout to use (clamped to the deadline), and the guard to run the operation in.

    Raises:
        Abandoned: The deadline has passed.
    """
    at = _DEADLINE.get()
    if at is not None:
        left = at - time.monotonic()
        if left <= 0:
            raise Abandoned(started=started)
        if timeout is None or left < timeout:
            return left, _Clamp(timed_out, started=started)
    return timeout, _UNCLAMPED


# -- the blocking client's pools -------------------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes end at the current exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        # The pool asks every idle connection whether it is still usable each time a request
        # starts or ends: the inner stream answers directly, without a frame of ours.
        self.get_extra_info = inner.get_extra_info  # type: ignore[method-assign]

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout, guard = _clamp(timeout, httpcore.ReadTimeout, started=True)
        with guard:
            return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        timeout, guard = _clamp(timeout, httpcore.WriteTimeout, started=True)
        with guard:
            self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout, guard = _clamp(timeout, httpcore.ConnectTimeout, started=False)
        with guard:
            return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))


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
        timeout, guard = _clamp(timeout, httpcore.ConnectTimeout, started=False)
        with guard:
            stream = self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout, guard = _clamp(timeout, httpcore.ConnectTimeout, started=False)
        with guard:
            stream = self.inner.connect_unix_socket(path, timeout, socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


# -- the async client's pools ------------------------------------------------------------------


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    """``_DeadlineStream`` for the async client's pools."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        # The pool asks every idle connection whether it is still usable each time a request
        # starts or ends: the inner stream answers directly, without a frame of ours.
        self.get_extra_info = inner.get_extra_info  # type: ignore[method-assign]

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout, guard = _clamp(timeout, httpcore.ReadTimeout, started=True)
        with guard:
            return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        timeout, guard = _clamp(timeout, httpcore.WriteTimeout, started=True)
        with guard:
            await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout, guard = _clamp(timeout, httpcore.ConnectTimeout, started=False)
        with guard:
            inner = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncDeadlineStream(inner)


class _AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """``_DeadlineBackend`` for the async client's pools."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout, guard = _clamp(timeout, httpcore.ConnectTimeout, started=False)
        with guard:
            stream = await self.inner.connect_tcp(
                host, port, timeout, local_address, socket_options
            )
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout, guard = _clamp(timeout, httpcore.ConnectTimeout, started=False)
        with guard:
            stream = await self.inner.connect_unix_socket(path, timeout, socket_options)
        return _AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def install_deadlines(client: httpx.Client | httpx.AsyncClient, *, modify: bool = True) -> bool:
    """Give every connection pool of ``client`` (one musicgen built) the deadline backend.

    Args:
        client: The httpx client, blocking or async.
        modify: False only checks whether it already has it (a client musicgen built, shared
            by ``with_options``); a user's client is never changed.

    Returns:
        True when every transport of the client honours ``bounded_by``; False when one does
        not (a user's client, a custom transport, or an httpx whose internals moved), and the
        caller must bound its exchanges some other way.
    """
    asynchronous = isinstance(client, httpx.AsyncClient)
    transport_type: type[Any] = httpx.AsyncHTTPTransport if asynchronous else httpx.HTTPTransport
    backend_type: type[Any] = _AsyncDeadlineBackend if asynchronous else _DeadlineBackend
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    pools: list[Any] = []
    for transport in transports:
        if transport is None:
            continue  # a mount that disables a scheme
        pool = getattr(transport, "_pool", None)
        if type(transport) is not transport_type or not hasattr(pool, "_network_backend"):
            return False
        pools.append(pool)
    if not modify:
        return all(isinstance(pool._network_backend, backend_type) for pool in pools)
    for pool in pools:
        if not isinstance(pool._network_backend, backend_type):
            pool._network_backend = backend_type(pool._network_backend)
    return True
