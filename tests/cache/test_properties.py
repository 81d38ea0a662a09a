"""Every store returns exactly the text it was given."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from musicgen.cache import Cache

from .conftest import STORE_KINDS, make_store


@pytest.fixture(scope="module")
def directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.fixture(scope="module", params=STORE_KINDS)
def store(request: pytest.FixtureRequest, directory: Path) -> Iterator[Cache]:
    cache = make_store(request.param, request, directory)
    yield cache
    cache.clear()
    cache.close()


@given(key=st.text(), value=st.text())
@settings(max_examples=75, deadline=None)
def test_set_then_get_returns_the_same_text(store: Cache, key: str, value: str) -> None:
    store.set(key, value)
    assert store.get(key) == value
