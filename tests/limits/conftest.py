"""Every limiter, for the tests of the ``Limiter`` contract."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from musicgen.limits import Limiter, LocalLimiter, RedisLimiter

from .._clock import FakeClock


def make_limiter(kind: str, request: pytest.FixtureRequest, clock: FakeClock | None) -> Limiter:
    """A limiter of ``kind``; ``"redis"`` asks for the session's Redis (only it skips when
    there is none) and takes a prefix of its own."""
    if kind == "local":
        return LocalLimiter() if clock is None else LocalLimiter(clock=clock)
    url: str = request.getfixturevalue("redis_url")
    prefix = f"musicgen-test:{uuid.uuid4().hex[:12]}:limits:"
    return RedisLimiter(url, prefix=prefix, clock=clock)


@pytest.fixture(params=["local", "redis"])
def limiter(request: pytest.FixtureRequest) -> Iterator[Limiter]:
    """Each limiter on the real clock."""
    made = make_limiter(request.param, request, None)
    yield made
    made.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["local", "redis"])
def clocked(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[Limiter]:
    """Each limiter on the fake ``clock``: windows and expiries move only when told."""
    made = make_limiter(request.param, request, clock)
    yield made
    made.close()
