"""Every store returns exactly the text it was given."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from musicgen.cache import Cache, DiskCache, MemoryCache, TieredCache


@pytest.fixture(scope="module")
def directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


STORES: dict[str, Callable[[Path], Cache]] = {
    "memory": lambda _: MemoryCache(maxsize=1000),
    "disk": lambda d: DiskCache(d / "disk.sqlite3"),
    "tiered": lambda d: TieredCache(MemoryCache(), DiskCache(d / "tiered.sqlite3")),
}


@pytest.fixture(scope="module", params=sorted(STORES))
def store(request: pytest.FixtureRequest, directory: Path) -> Iterator[Cache]:
    cache = STORES[request.param](directory)
    yield cache
    cache.close()


@given(key=st.text(), value=st.text())
@settings(max_examples=75, deadline=None)
def test_set_then_get_returns_the_same_text(store: Cache, key: str, value: str) -> None:
    store.set(key, value)
    assert store.get(key) == value
