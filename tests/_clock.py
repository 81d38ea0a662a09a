"""A clock tests move by hand: stores, limiters and schedules take one instead of time."""

from __future__ import annotations


class FakeClock:
    """A clock that stands still until the test advances it."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
