"""Shared helpers for the cache tests: a clock the test moves by hand."""

from __future__ import annotations

import pytest


class FakeClock:
    """A clock that stands still until the test advances it."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
