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
    OverloadedError,
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
        (_api(OverloadedError), True, True),
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
    decider = RetryDecider(RetryPolicy(), submission=False, deadline=None)
    assert decider(_api(RateLimitError, retry_after=7.5)) == 7.5


def test_without_retry_after_stamina_picks_the_backoff() -> None:
    decider = RetryDecider(RetryPolicy(), submission=False, deadline=None)
    assert decider(_api(ServerError)) is True


def test_stamina_keeps_the_backoff_while_its_cap_fits_before_the_deadline() -> None:
    now = 100.0
    policy = RetryPolicy(wait_max=3)
    decider = RetryDecider(policy, submission=False, deadline=now + 3.5, clock=lambda: now)
    assert decider(_api(ServerError)) is True


def test_near_the_deadline_the_wait_is_half_of_what_is_left() -> None:
    now = 100.0
    policy = RetryPolicy(wait_max=10)
    decider = RetryDecider(policy, submission=False, deadline=now + 2, clock=lambda: now)
    assert decider(_api(ServerError)) == pytest.approx(1.0)


def test_with_no_time_left_for_an_attempt_the_error_is_final() -> None:
    now = 100.0
    decider = RetryDecider(RetryPolicy(), submission=False, deadline=now + 0.01, clock=lambda: now)
    assert decider(_api(ServerError)) is False


def test_wait_past_the_deadline_gives_up() -> None:
    now = 100.0
    decider = RetryDecider(RetryPolicy(), submission=False, deadline=now + 5, clock=lambda: now)
    assert decider(_api(RateLimitError, retry_after=10)) is False


def test_non_retryable_error_stops_at_once() -> None:
    decider = RetryDecider(RetryPolicy(), submission=True, deadline=None)
    assert decider(_api(ServerError)) is False
    assert decider.retries == 0


def test_each_scheduled_retry_is_reported_with_its_wait() -> None:
    seen: list[tuple[int, float | None]] = []
    decider = RetryDecider(
        RetryPolicy(),
        submission=False,
        deadline=None,
        on_retry=lambda n, w, _e: seen.append((n, w)),
    )
    decider(_api(RateLimitError, retry_after=2))
    decider(_api(ServerError))
    assert seen == [(1, 2), (2, None)]


def test_zero_waits_are_allowed() -> None:
    policy = RetryPolicy(wait_initial=0, wait_max=0, wait_jitter=0, timeout=0)
    assert (policy.wait_initial, policy.wait_max, policy.timeout) == (0, 0, 0)


def test_negative_wait_is_refused() -> None:
    with pytest.raises(ValueError, match="wait_initial"):
        RetryPolicy(wait_initial=-1)
