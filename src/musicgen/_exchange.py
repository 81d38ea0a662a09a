"""One HTTP exchange of a call: the request of each attempt, its outcome, and the retry loop.

The clients run the loop (``for attempt in exchange.attempts(send)``) and send; every decision
is here: headers, a timeout clamped to the call's deadline for each attempt, the bounded read of
the answer (``Transfer``), what any failure means (could the request have reached the
provider?), parsing, and the event.

Each attempt is bounded twice: httpx's own timeouts are clamped to what is left of the call's
deadline (each read, the connect, the pool), and the client stops waiting for the whole attempt
(connect, headers, body) when the deadline passes, however slowly the bytes arrive. The answer
is read in chunks, never more than ``max_response_bytes`` of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from ._effects import Send, with_context
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    MusicGenError,
    UnexpectedResponseError,
)
from ._reporting import Reporter, log_extra
from ._retry import RetryDecider, RetryPolicy
from ._version import __version__
from .observability._events import EventName

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "Abandoned",
    "Exchange",
    "Transfer",
    "check_max_concurrency",
    "check_max_response_bytes",
    "pool_limits",
]

logger = logging.getLogger("musicgen")

USER_AGENT = f"musicgen-python/{__version__} httpx/{httpx.__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: The largest answer read, decoded (4 MiB): the providers' JSON answers are a few kB.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024

# httpx failures that happen before any byte of the request leaves: no connection, no pool
# slot, a proxy that refused the tunnel. (Unless a redirect was followed first: see
# ``_redirected``.)
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


class Abandoned(Exception):
    """The caller stopped waiting for a job, or the job stops because it was abandoned.

    Raised by ``run_until`` in the caller, and by an exchange that notices its deadline passed.

    Attributes:
        started: False when the job (or the request) had not started and never will.
    """

    def __init__(self, *, started: bool) -> None:
        super().__init__("the caller stopped waiting")
        self.started = started


def check_max_response_bytes(value: object) -> int:
    """``value`` if it is a valid ``max_response_bytes`` (an int >= 1).

    Raises:
        ConfigurationError: It is not.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"max_response_bytes must be a whole number of bytes >= 1, got {value!r}"
        raise ConfigurationError(msg)
    return value


#: Requests in flight at once per client, by default: enough for any script, and few enough
#: that ten thousand concurrent calls queue here cheaply instead of in the connection pool.
DEFAULT_MAX_CONCURRENCY = 64


def check_max_concurrency(value: object) -> int | None:
    """``value`` if it is a valid ``max_concurrency`` (an int >= 1, or None for no limit).

    Raises:
        ConfigurationError: It is not.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"max_concurrency must be a whole number >= 1 (or None: no limit), got {value!r}"
        raise ConfigurationError(msg)
    return value


def pool_limits(max_concurrency: int | None) -> httpx.Limits:
    """Connection-pool limits matching ``max_concurrency`` (httpx's defaults without one)."""
    if max_concurrency is None:
        return httpx.Limits()
    return httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency)


def _no_free_slot(max_concurrency: int | None) -> httpx.PoolTimeout:
    """The error of a request that waited for a free slot until its deadline: nothing was
    sent (``Exchange.failed`` maps it to an ``APITimeoutError`` that says so)."""
    return httpx.PoolTimeout(
        f"no free slot before the deadline (max_concurrency={max_concurrency} requests in flight)"
    )


class TooLarge(Exception):
    """The answer's body passed ``max_response_bytes`` (raised by ``Transfer.take``)."""


class Transfer:
    """One attempt's request on its way, and its answer's body as it arrives.

    The client sends ``request`` (streamed), calls ``answered`` once the headers are in,
    ``take`` with each chunk of the decoded body, then ``finish``. ``take`` refuses a body
    larger than the limit, and stops at the call's deadline between chunks.

    For a paid request it also knows whether any byte may have reached the provider: httpcore
    reports, through the request's ``trace`` extension, when the request headers start going
    out. Once the caller has abandoned the attempt (``abandon``), a request that has not started
    going out never will: an abandoned attempt can never start a task nobody is told about.

    Args:
        request: The request of this attempt.
        deadline: ``clock()`` value of the call's deadline, or None.
        clock: A monotonic clock.
        limit: The most bytes of body read.
        traced: Watch the request's progress (for a paid request).
        asynchronous: The trace callback must be a coroutine function (async client).
    """

    def __init__(
        self,
        request: httpx.Request,
        *,
        deadline: float | None,
        clock: Callable[[], float],
        limit: int,
        traced: bool = False,
        asynchronous: bool = False,
    ) -> None:
        self.request = request
        self.response: httpx.Response | None = None
        self._deadline = deadline
        self._clock = clock
        self.limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        # The trace callback sits on the request, which this transfer holds: it shares this
        # state, never the transfer itself, so that no reference cycle outlives the attempt.
        self._watch = watch = _Watch()
        if traced:
            inner = request.extensions.get("trace")
            request.extensions["trace"] = (
                _async_trace(watch, inner) if asynchronous else _sync_trace(watch, inner)
            )

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or None without one."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self._clock())

    def answered(self, response: httpx.Response) -> None:
        """The response's headers are in."""
        self.response = response

    def take(self, chunk: bytes) -> None:
        """Keep ``chunk`` of the body.

        Raises:
            TooLarge: The body passed the limit.
            Abandoned: The deadline passed, or the caller stopped waiting.
        """
        self._size += len(chunk)
        if self._size > self.limit:
            raise TooLarge
        if self._watch.abandoned or (
            self._deadline is not None and self._clock() >= self._deadline
        ):
            raise Abandoned(started=True)
        self._chunks.append(chunk)

    def finish(self) -> httpx.Response:
        """The response, its body read: what ``read()`` would have left on it."""
        response = self.response
        assert response is not None
        response._content = content = b"".join(self._chunks)  # what httpx's own read() does
        # httpx binds a sent response's stream to the response (for ``elapsed``, set once it
        # is closed): a reference cycle. Closed and read, the response needs that stream no
        # more; its body as a plain stream ends the cycle, as for a response built from bytes.
        response.stream = httpx.ByteStream(content)
        return response

    def abandon(self) -> bool:
        """The caller stops waiting: from now on the request never starts going out.

        Returns:
            Whether the request may have reached the provider.
        """
        watch = self._watch
        with watch.lock:
            watch.abandoned = True
            return watch.sending or self.response is not None or not watch.watched


class _Watch:
    """What the trace callback of a paid request has seen, and whether the caller left."""

    __slots__ = ("abandoned", "lock", "sending", "watched")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.watched = False  # the transport reported progress: ``sending`` can be trusted
        self.sending = False  # the request's bytes started going out
        self.abandoned = False

    def progress(self, name: str) -> None:
        with self.lock:
            self.watched = True
            if name.endswith(".send_request_headers.started"):
                if self.abandoned:
                    raise Abandoned(started=False)  # out of httpcore, before any byte is sent
                self.sending = True


def _sync_trace(watch: _Watch, inner: Any) -> Callable[[str, dict[str, Any]], None]:
    def trace(name: str, info: dict[str, Any]) -> None:
        watch.progress(name)
        if inner is not None:
            inner(name, info)

    return trace


def _async_trace(watch: _Watch, inner: Any) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    async def trace(name: str, info: dict[str, Any]) -> None:
        watch.progress(name)
        if inner is not None:
            await inner(name, info)

    return trace


class Exchange:
    """The per-attempt decisions of every request a client sends.

    Args:
        retry: The retry policy.
        request_timeout: The httpx timeout of one request (clamped to each call's deadline).
        headers: Extra headers for every provider request.
        correlation_header: The header that carries the correlation id.
        report: Where events go.
        clock: A monotonic clock.
        max_response_bytes: The most bytes of an answer read (decoded).
    """

    def __init__(
        self,
        *,
        retry: RetryPolicy,
        request_timeout: httpx.Timeout,
        headers: Mapping[str, str],
        correlation_header: str,
        report: Reporter,
        clock: Callable[[], float] = time.monotonic,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.retry = retry
        self.max_response_bytes = max_response_bytes
        self._timeouts = request_timeout.as_dict()  # per attempt: clamped to the deadline
        self.headers = dict(headers)
        self.correlation_header = correlation_header
        self.report = report
        self.clock = clock

    def attempts(self, send: Send) -> Any:
        """The stamina retry loop of ``send`` (``for`` or ``async for``)."""
        ctx = send.context
        operation = send.operation
        submission = operation.paid

        def scheduled(number: int, wait: float | None, error: MusicGenError) -> None:
            logger.info(
                "retrying %s %s%s (retry %d) after %s",
                operation.provider,
                send.role,
                "" if wait is None else f" in {wait:.2f}s",
                number,
                type(error).__name__,
                extra=log_extra(
                    ctx,
                    operation.provider,
                    EventName.RETRY_SCHEDULED,
                    attempt=number,
                    wait=wait,
                    cause=type(error).__name__,
                ),
            )
            self.report.emit(
                EventName.RETRY_SCHEDULED,
                ctx,
                provider=operation.provider,
                operation=send.role,
                attempt=number,
                error=error,
                wait=wait,
                cause=type(error).__name__,
                endpoint=operation.name,
            )

        decider = RetryDecider(
            self.retry,
            submission=submission,
            deadline=ctx.deadline.at,
            clock=self.clock,
            on_retry=scheduled,
        )
        return decider.attempts()

    def prepare(self, send: Send, *, asynchronous: bool = False) -> Transfer:
        """The request of one attempt: our headers, and a timeout clamped to the deadline.

        Args:
            send: What to send.
            asynchronous: For the async client (its trace callbacks are coroutines).

        Raises:
            APITimeoutError: The deadline passed before this attempt could start.
        """
        ctx = send.context
        operation = send.operation
        template = operation.request
        timeout = self._timeouts
        left = ctx.deadline.remaining(self.clock())
        if left is not None:
            if left <= 0:
                msg = (
                    f"{send.role} request to {operation.provider} not sent: the call's "
                    "deadline passed"
                )
                raise with_context(
                    APITimeoutError(msg, provider=operation.provider, request_sent=False), ctx
                )
            # Recomputed for every attempt: no attempt may outlive the call's deadline.
            timeout = {k: left if v is None else min(v, left) for k, v in timeout.items()}
        # A shallow copy (its body stream is replayable and shared): the operation's request
        # serves every attempt of every call. Not copy.copy, which detaches the stream.
        request = httpx.Request.__new__(httpx.Request)
        request.__dict__.update(template.__dict__)
        request.headers = headers = template.headers.copy()
        headers.setdefault("User-Agent", USER_AGENT)
        headers.update(self.headers)
        headers[self.correlation_header] = ctx.correlation_id
        request.extensions = {**template.extensions, "timeout": timeout}
        return Transfer(
            request,
            deadline=ctx.deadline.at,
            clock=self.clock,
            limit=self.max_response_bytes,
            # Only a paid request's progress matters: whether a cut one may have started a task.
            traced=operation.paid and left is not None,
            asynchronous=asynchronous,
        )

    def failed(
        self, send: Send, attempt: int, started: float, error: Exception, transfer: Transfer
    ) -> MusicGenError | None:
        """Translate what an attempt raised into the documented error, noting whether the
        request can have reached the provider (None: not a failure of the exchange, re-raise).
        """
        failure = self._translate(send, error, transfer)
        if failure is None:
            return None
        with_context(failure, send.context)
        self._event(send, attempt, started, transfer.response, failure)
        return failure

    def no_free_slot(
        self, send: Send, attempt: int, started: float, transfer: Transfer, limit: int | None
    ) -> MusicGenError:
        """The error of an attempt that waited for one of ``limit`` slots (``max_concurrency``)
        until the deadline: nothing was sent, so it may be retried, paid or not."""
        cause = _no_free_slot(limit)
        failure = self.failed(send, attempt, started, cause, transfer)
        assert failure is not None  # a PoolTimeout is a transport error: always translated
        failure.__cause__ = cause
        return failure

    def _translate(self, send: Send, error: Exception, transfer: Transfer) -> MusicGenError | None:
        provider = send.operation.provider
        what = f"{send.role} request to {provider}"
        response = transfer.response
        status = None if response is None else response.status_code
        if isinstance(error, Abandoned):
            sent = error.started and transfer.abandon()
            msg = f"{what} did not finish before the call's deadline"
            return APITimeoutError(msg, provider=provider, request_sent=sent)
        if isinstance(error, TooLarge):
            msg = f"{what} got an answer larger than max_response_bytes={transfer.limit}"
            return UnexpectedResponseError(msg, provider=provider, status_code=status)
        if isinstance(error, httpx.HTTPStatusError):  # raised by an event hook of http_client
            msg = f"{what} got HTTP {error.response.status_code}, raised by an http_client hook"
            return UnexpectedResponseError(
                msg, provider=provider, status_code=error.response.status_code
            )
        if isinstance(error, (httpx.DecodingError, httpx.TooManyRedirects)):
            # A body that would not decode, a redirect loop: the request did arrive.
            msg = f"{what} got an unreadable answer: {error}"
            return UnexpectedResponseError(msg, provider=provider, status_code=status)
        redirected = _redirected(error, transfer)
        if isinstance(error, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            if redirected:  # the provider redirected us somewhere httpx cannot go
                msg = f"{what} was redirected to a URL that cannot be used ({type(error).__name__})"
                return UnexpectedResponseError(msg, provider=provider, status_code=status)
            # Never retried: the provider's base URL (or a proxy's) is wrong, nothing was sent.
            msg = (
                f"{what} not sent: its URL cannot be used ({error}); check the provider's base_url"
            )
            return ConfigurationError(msg)
        if isinstance(error, httpx.TransportError):
            kind = (
                APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
            )
            msg = f"{what} failed: {type(error).__name__}"
            reached = redirected or response is not None or not isinstance(error, _NOT_SENT)
            return kind(msg, provider=provider, request_sent=reached)
        if isinstance(error, (httpx.HTTPError, httpx.StreamError, httpx.CookieConflict)):
            # Any other httpx failure (a request body that cannot be sent again, a hook's own
            # httpx error): the request may have left, as far as anyone can tell.
            msg = f"{what} failed: {type(error).__name__}"
            return APIConnectionError(msg, provider=provider, request_sent=True)
        return None

    def received(self, send: Send, attempt: int, started: float, response: httpx.Response) -> Any:
        """Parse ``response`` with the operation's ``parse``; errors carry the correlation id."""
        try:
            value = send.operation.parse(response)
        except MusicGenError as error:
            self._event(send, attempt, started, response, error)
            raise with_context(error, send.context) from None
        self._event(send, attempt, started, response, None)
        return value

    def _event(
        self,
        send: Send,
        attempt: int,
        started: float,
        response: httpx.Response | None,
        error: MusicGenError | None,
    ) -> None:
        report = self.report
        if report.active:
            operation = send.operation
            report.http(
                send.context,
                operation.provider,
                send.role,
                operation.name,
                attempt,
                self.clock() - started,
                operation.request,
                response,
                error,
            )


def _redirected(error: Exception, transfer: Transfer) -> bool:
    """Whether ``error`` ended a later hop of a redirect: the provider had the request."""
    hop = getattr(error, "_request", None)  # the request httpx was sending (RequestError)
    return hop is not None and hop is not transfer.request
