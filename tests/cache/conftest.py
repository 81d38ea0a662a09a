"""Shared helpers for the cache tests: a clock the test moves by hand, and every store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from musicgen.cache import Cache, DiskCache, MemoryCache, RedisCache, TieredCache

from .._clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_store(kind: str, request: pytest.FixtureRequest, directory: Path) -> Cache:
    """A fresh, empty store of ``kind``; ``"redis"`` asks for the session's Redis server (so
    only the Redis cases skip when there is none) and takes a prefix of its own."""
    if kind == "memory":
        return MemoryCache(maxsize=1000)
    if kind == "disk":
        return DiskCache(directory / f"disk-{uuid.uuid4().hex}.sqlite3")
    if kind == "tiered":
        return TieredCache(MemoryCache(), DiskCache(directory / f"t-{uuid.uuid4().hex}.sqlite3"))
    if kind == "redis":
        url: str = request.getfixturevalue("redis_url")
        return RedisCache(url, prefix=f"musicgen-test:{uuid.uuid4().hex[:12]}:")
    raise AssertionError(kind)


#: Every store the contract tests run against.
STORE_KINDS = ("memory", "disk", "tiered", "redis")


@pytest.fixture(params=STORE_KINDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cache]:
    """Each store in turn, empty: the contract every ``Cache`` keeps."""
    store = make_store(request.param, request, tmp_path)
    yield store
    store.clear()
    store.close()


#: The stores that grant leases and wake waiters (across processes: Redis only).
COORDINATING_KINDS = ("memory", "redis")


@pytest.fixture(params=COORDINATING_KINDS)
def coordinating_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Each store that implements ``SupportsLease`` and ``SupportsWait``."""
    store = make_store(request.param, request, tmp_path)
    yield store
    store.close()
