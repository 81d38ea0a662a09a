"""Which failures are retried, how long to wait, and never a paid submission twice.

The loop itself is stamina's (``stamina.retry_context``); this module decides. A status read is
safe to retry. A submission starts a paid task, and neither provider documents idempotency keys,
so it is retried only when the provider certainly did not start one: the connection was never
made, or the provider explicitly refused (rate limit, maintenance).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import attrs

from ._errors import (
    APIConnectionError,
    MaintenanceError,
    MusicGenError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

__all__ = ["RetryDecider", "RetryPolicy", "is_retryable"]


_NON_NEGATIVE = attrs.validators.ge(0.0)


def optional_seconds(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An attrs validator: ``value`` is None or a number of seconds >= 0."""
    if value is not None and value < 0:
        msg = f"{attribute.name} must be >= 0 seconds or None, got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How HTTP calls are retried. The fields have stamina's meanings.

    Args:
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

    def backoff(self, retry_number: int) -> float:
        """The jittered exponential wait before retry ``retry_number`` (1-based)."""
        jitter = random.uniform(0, self.wait_jitter) if self.wait_jitter else 0.0  # noqa: S311
        try:
            base = self.wait_initial * 2.0 ** (retry_number - 1)
        except OverflowError:
            base = self.wait_max
        return float(min(self.wait_max, base + jitter))


def is_retryable(error: BaseException, *, submission: bool) -> bool:
    """Tell whether ``error`` may be retried.

    Args:
        error: What the attempt raised.
        submission: True for a request that starts a paid task.
    """
    if isinstance(error, RateLimitError):
        return True
    if isinstance(error, APIConnectionError):
        # A submission whose bytes may have reached the provider may have started a task.
        return not (submission and error.request_sent)
    if isinstance(error, MaintenanceError):
        return True
    if isinstance(error, (ServerError, UnexpectedResponseError)):
        return not submission
    return False


class RetryDecider:
    """The ``on=`` hook given to ``stamina.retry_context`` for one call.

    It decides whether to retry and returns the wait itself, so that ``Retry-After`` is honoured
    and no wait runs past the call's overall deadline.

    Args:
        policy: The retry policy.
        submission: True when the call starts a paid task.
        deadline: ``clock()`` value after which nothing may be waited for, or None.
        clock: A monotonic clock.
        on_retry: Called with (retry number, wait, error) when a retry is scheduled.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        submission: bool,
        deadline: float | None,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Callable[[int, float, MusicGenError], None] | None = None,
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
        retry_after = getattr(error, "retry_after", None)
        # The provider knows best how long it needs; our own backoff is for when it is silent.
        wait = retry_after if retry_after is not None else self._policy.backoff(self.retries + 1)
        if self._deadline is not None and self._clock() + wait >= self._deadline:
            import stamina  # only on this failure path

            # Waiting would overrun the deadline: give up now with the real error. Under
            # stamina.set_testing every wait is zero, so nothing would be overrun.
            if not stamina.is_testing():
                return False
        self.retries += 1
        if self._on_retry is not None:
            self._on_retry(self.retries, wait, error)
        return wait

    def attempts(self) -> Any:
        """A ``stamina.retry_context`` driven by this decider; iterate it with ``for`` or
        ``async for``.
        """
        # Imported on first use: stamina and tenacity are a fifth of musicgen's import time.
        import stamina

        return stamina.retry_context(**self.retry_context_kwargs())

    def retry_context_kwargs(self) -> dict[str, Any]:
        """Arguments for ``stamina.retry_context(**...)``, with the timeout clamped."""
        timeout = self._policy.timeout
        if self._deadline is not None:
            remaining = max(0.001, self._deadline - self._clock())
            timeout = remaining if timeout is None else min(timeout, remaining)
        return {
            "on": self,
            "attempts": self._policy.attempts,
            "timeout": timeout,
            "wait_initial": self._policy.wait_initial,
            "wait_max": self._policy.wait_max,
            "wait_jitter": self._policy.wait_jitter,
        }
