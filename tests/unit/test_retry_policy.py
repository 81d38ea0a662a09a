"""Retry classification and waits: safe with money, honouring Retry-After and the deadline."""

from __future__ import annotations

import pytest

from musicgen import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    MaintenanceError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ServiceUnavailableError,
    UnexpectedResponseError,
)
from musicgen._errors import MusicGenError
from musicgen._retry import RetryDecider, is_retryable


def _api(cls: type, **kw: object) -> MusicGenError:
    return cls("boom", provider="suno", **kw)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("error", "read", "submit"),
    [
        (_api(RateLimitError), True, True),
        (_api(MaintenanceError), True, True),
        (_api(ServerError), True, False),
        (_api(ServiceUnavailableError), True, False),
        (_api(UnexpectedResponseError), True, False),
        (_api(InsufficientCreditsError), False, False),
        (_api(AuthenticationError), False, False),
        (_api(BadRequestError), False, False),
        (APIConnectionError("x", provider="suno", request_sent=False), True, True),
        (APIConnectionError("x", provider="suno", request_sent=True), True, False),
        (APITimeoutError("x", provider="suno", request_sent=True), True, False),
        (APITimeoutError("x", provider="suno", request_sent=False), True, True),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_retry_classification(error: MusicGenError, read: bool, submit: bool) -> None:
    assert is_retryable(error, submission=False) is read
    assert is_retryable(error, submission=True) is submit


def test_retry_after_sets_the_wait() -> None:
    decider = RetryDecider(RetryPolicy(wait_jitter=0), submission=False, deadline=None)
    assert decider(_api(RateLimitError, retry_after=7.5)) == 7.5


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(wait_initial=1, wait_max=3, wait_jitter=0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 3]


def test_wait_past_the_deadline_gives_up() -> None:
    now = 100.0
    decider = RetryDecider(RetryPolicy(), submission=False, deadline=now + 5, clock=lambda: now)
    assert decider(_api(RateLimitError, retry_after=10)) is False


def test_non_retryable_error_stops_at_once() -> None:
    decider = RetryDecider(RetryPolicy(), submission=True, deadline=None)
    assert decider(_api(ServerError)) is False
    assert decider.retries == 0


def test_retry_timeout_is_clamped_to_the_deadline() -> None:
    decider = RetryDecider(
        RetryPolicy(timeout=60), submission=False, deadline=12.0, clock=lambda: 10.0
    )
    assert decider.retry_context_kwargs()["timeout"] == pytest.approx(2.0)


def test_zero_waits_are_allowed() -> None:
    policy = RetryPolicy(wait_initial=0, wait_max=0, wait_jitter=0, timeout=0)
    assert policy.backoff(3) == 0


def test_negative_wait_is_refused() -> None:
    with pytest.raises(ValueError, match="wait_initial"):
        RetryPolicy(wait_initial=-1)
