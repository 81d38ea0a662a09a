"""PollPolicy: adaptive intervals and the overall deadline."""

from __future__ import annotations

import itertools

import pytest

from musicgen import PollPolicy
from musicgen._polling import Deadline


def test_intervals_grow_geometrically_to_the_cap() -> None:
    policy = PollPolicy(interval=1, backoff=2, max_interval=5)
    assert list(itertools.islice(policy.intervals(), 5)) == [1, 2, 4, 5, 5]


def test_backoff_of_one_keeps_a_fixed_interval() -> None:
    policy = PollPolicy(interval=3, backoff=1, max_interval=10)
    assert list(itertools.islice(policy.intervals(), 3)) == [3, 3, 3]


def test_zero_interval_polls_without_waiting() -> None:
    policy = PollPolicy(interval=0, max_interval=0)
    assert list(itertools.islice(policy.intervals(), 3)) == [0, 0, 0]


def test_backoff_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="backoff"):
        PollPolicy(backoff=0.5)


def test_deadline_clamps_waits() -> None:
    deadline = Deadline.after(10, now=100)
    assert deadline.clamp(30, now=105) == 5
    assert not deadline.expired(109.9)
    assert deadline.expired(110)


def test_no_deadline_never_expires() -> None:
    deadline = Deadline.after(None, now=0)
    assert deadline.clamp(30, now=1e9) == 30
    assert not deadline.expired(1e12)
