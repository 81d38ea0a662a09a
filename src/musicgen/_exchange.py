"""One HTTP exchange of a call: the request of each attempt, its outcome, and the retry loop.

The clients run the loop (``for attempt in exchange.attempts(send)``) and send; every decision
is here: headers, a timeout clamped to the call's deadline for each attempt, what an httpx
failure means (could the request have reached the provider?), parsing, and the event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ._effects import Send, with_context
from ._errors import APIConnectionError, APITimeoutError, MusicGenError, UnexpectedResponseError
from ._reporting import Reporter, log_extra
from ._retry import RetryDecider, RetryPolicy
from ._version import __version__
from .observability._events import EventName

__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "Exchange"]

logger = logging.getLogger("musicgen")

USER_AGENT = f"musicgen-python/{__version__} httpx/{httpx.__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class Exchange:
    """The per-attempt decisions of every request a client sends.

    Args:
        retry: The retry policy.
        request_timeout: The httpx timeout of one request (clamped to each call's deadline).
        headers: Extra headers for every provider request.
        correlation_header: The header that carries the correlation id.
        report: Where events go.
        clock: A monotonic clock.
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
    ) -> None:
        self.retry = retry
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
                data={"wait": wait, "cause": type(error).__name__, "endpoint": operation.name},
            )

        decider = RetryDecider(
            self.retry,
            submission=submission,
            deadline=ctx.deadline.at,
            clock=self.clock,
            on_retry=scheduled,
        )
        return decider.attempts()

    def prepare(self, send: Send) -> httpx.Request:
        """The request of one attempt: our headers, and a timeout clamped to the deadline.

        Raises:
            APITimeoutError: The deadline passed before this attempt could start.
        """
        ctx = send.context
        template = send.operation.request
        timeout = self._timeouts
        left = ctx.deadline.remaining(self.clock())
        if left is not None:
            if left <= 0:
                msg = (
                    f"{send.role} request to {send.operation.provider} not sent: the call's "
                    "deadline passed"
                )
                raise with_context(
                    APITimeoutError(msg, provider=send.operation.provider, request_sent=False),
                    ctx,
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
        return request

    def failed(
        self, send: Send, attempt: int, started: float, error: httpx.HTTPError
    ) -> MusicGenError:
        """Translate an httpx failure, noting whether the request can have reached the provider."""
        provider = send.operation.provider
        if not isinstance(error, httpx.TransportError):
            # A body that would not decode, a redirect loop: the request did arrive.
            msg = f"{send.role} request to {provider} got an unreadable answer: {error}"
            failure: MusicGenError = UnexpectedResponseError(msg, provider=provider)
        else:
            # Only these fail before any byte of the request leaves: no connection, no pool slot.
            not_sent = isinstance(
                error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
            )
            kind = (
                APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
            )
            msg = f"{send.role} request to {provider} failed: {type(error).__name__}"
            failure = kind(msg, provider=provider, request_sent=not not_sent)
        with_context(failure, send.context)
        self._event(send, attempt, started, None, failure)
        return failure

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
        if not self.report.hooks:
            return
        request = send.operation.request
        self.report.emit(
            EventName.HTTP_REQUEST,
            send.context,
            provider=send.operation.provider,
            operation=send.role,
            attempt=attempt,
            duration=self.clock() - started,
            status=None if response is None else str(response.status_code),
            error=error,
            # The path only: query strings can carry tokens, and hosts are in the config.
            data={
                "method": request.method,
                "path": request.url.path,
                "status_code": None if response is None else response.status_code,
                "endpoint": send.operation.name,
            },
        )
