"""Which failures are retried, when, and never a paid submission twice.

stamina runs the loop and owns the backoff (``stamina.retry_context``); this module decides. A
status read is safe to retry. A submission starts a paid task, and neither provider documents
idempotency keys, so it is retried only when the provider certainly did not start one: the
connection was never made, or the provider explicitly refused (rate limit, overload,
maintenance).
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from typing import Any

import attrs

from ._errors import (
    APIConnectionError,
    MaintenanceError,
    MusicGenError,
    OverloadedError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

__all__ = ["RetryDecider", "RetryPolicy", "is_retryable", "musicgen_retries"]

#: Below this many seconds before the deadline a retry could not finish: give up instead.
MIN_ATTEMPT_TIME = 0.05

_NON_NEGATIVE = attrs.validators.ge(0.0)


def optional_seconds(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An attrs validator: ``value`` is None or a number of seconds >= 0."""
    if value is not None and value < 0:
        msg = f"{attribute.name} must be >= 0 seconds or None, got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How HTTP calls are retried. The fields have stamina's meanings.

    Attributes:
        attempts: Tries per call in all, the first included (1 switches retries off).
        wait_initial: The first backoff, in seconds.
        wait_max: The longest backoff, in seconds.
        wait_jitter: Up to this many random seconds added to each backoff.
        timeout: The longest a call may spend retrying, in seconds (None: only ``attempts``);
            the call's overall deadline clamps it further.
    """

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    wait_initial: float = attrs.field(default=0.5, validator=_NON_NEGATIVE)
    wait_max: float = attrs.field(default=10.0, validator=_NON_NEGATIVE)
    wait_jitter: float = attrs.field(default=1.0, validator=_NON_NEGATIVE)
    timeout: float | None = attrs.field(default=60.0, validator=optional_seconds)


def is_retryable(error: BaseException, *, submission: bool) -> bool:
    """Tell whether ``error`` may be retried.

    Args:
        error: What the attempt raised.
        submission: True for a request that starts a paid task.
    """
    if isinstance(error, (RateLimitError, OverloadedError, MaintenanceError)):
        return True  # explicit refusals: nothing was started
    if isinstance(error, APIConnectionError):
        # A submission whose bytes may have reached the provider may have started a task.
        return not (submission and error.request_sent)
    if isinstance(error, (ServerError, UnexpectedResponseError)):
        return not submission
    return False


class RetryDecider:
    """The ``on=`` hook given to ``stamina.retry_context`` for one exchange.

    It answers False (give up), True (retry after stamina's own backoff) or a number of seconds
    (retry after exactly that). No wait may run past the call's deadline:

    - the provider's ``Retry-After`` is waited as asked, unless that would pass the deadline;
    - stamina's backoff never exceeds ``wait_max``, so it is left to stamina while more than
      that remains; nearer the deadline the wait is half of what is left, so the retry still
      has time to run, and with less than ``MIN_ATTEMPT_TIME`` left the error is final.

    Args:
        policy: The retry policy.
        submission: True when the exchange starts a paid task.
        deadline: ``clock()`` value after which nothing may be waited for, or None.
        clock: A monotonic clock.
        on_retry: Called with (retry number, the chosen wait or None for stamina's, error)
            each time a retry is scheduled.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        submission: bool,
        deadline: float | None,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Callable[[int, float | None, MusicGenError], None] | None = None,
    ) -> None:
        self._policy = policy
        self._submission = submission
        self._deadline = deadline
        self._clock = clock
        self._on_retry = on_retry
        self.retries = 0

    def __call__(self, error: Exception) -> bool | float:
        if not isinstance(error, MusicGenError) or not is_retryable(
            error, submission=self._submission
        ):
            return False
        wait = self._wait(getattr(error, "retry_after", None))
        if wait is False:
            return False
        self.retries += 1
        if self._on_retry is not None:
            self._on_retry(self.retries, None if wait is True else wait, error)
        return wait

    def _wait(self, retry_after: float | None) -> bool | float:
        left = None if self._deadline is None else self._deadline - self._clock()
        if left is not None and _testing():
            left = None  # stamina.set_testing makes every wait zero: nothing can be overrun
        if retry_after is not None:
            # The provider knows best how long it needs; our backoff is for when it is silent.
            return False if left is not None and retry_after >= left else retry_after
        if left is None or left > self._policy.wait_max:
            return True
        return left / 2 if left / 2 >= MIN_ATTEMPT_TIME else False

    def attempts(self) -> Any:
        """A ``stamina.retry_context`` driven by this decider (``for`` or ``async for``)."""
        # Imported on first use: stamina and tenacity are a fifth of musicgen's import time.
        import stamina

        _quiet_stamina_logger()
        timeout = self._policy.timeout
        if self._deadline is not None:
            remaining = max(0.001, self._deadline - self._clock())
            timeout = remaining if timeout is None else min(timeout, remaining)
        return stamina.retry_context(
            on=self,
            attempts=self._policy.attempts,
            timeout=timeout,
            wait_initial=self._policy.wait_initial,
            wait_max=self._policy.wait_max,
            wait_jitter=self._policy.wait_jitter,
        )


def _testing() -> bool:
    import stamina

    return stamina.is_testing()


# -- stamina's own retry log line ---------------------------------------------------------------
# musicgen reports its retries as ``retry.scheduled`` events (and logs them once, on the
# ``musicgen`` logger). stamina's default instrumentation would log each a second time on the
# ``stamina`` logger; a filter drops those records, and only those: the host application's own
# stamina retries run outside ``musicgen_retries()`` and are logged as before.

_IN_MUSICGEN_RETRY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "musicgen_in_retry", default=False
)


class musicgen_retries:
    """Mark the retry loop running inside this block as musicgen's own."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _IN_MUSICGEN_RETRY.set(True)

    def __exit__(self, *exc: object) -> None:
        _IN_MUSICGEN_RETRY.reset(self._token)


class _DropMusicgenRetries(logging.Filter):
    installed = False

    def filter(self, record: logging.LogRecord) -> bool:
        return not _IN_MUSICGEN_RETRY.get()


_FILTER = _DropMusicgenRetries()


def _quiet_stamina_logger() -> None:
    if _FILTER.installed:
        return
    logger = logging.getLogger("stamina")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    _FILTER.installed = True
