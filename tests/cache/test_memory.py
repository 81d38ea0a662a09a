"""MemoryCache: LRU bound, expiry, thread safety."""

from __future__ import annotations

import math
import threading

import pytest

from musicgen.cache import Cache, MemoryCache

from .._clock import FakeClock


def test_is_a_cache() -> None:
    assert isinstance(MemoryCache(), Cache)


def test_full_store_evicts_least_recently_used_and_counts_it() -> None:
    cache = MemoryCache(maxsize=2)
    cache.set("a", '"A"')
    cache.set("b", '"B"')
    assert cache.get("a") == '"A"'  # "b" is now the least recently used

    cache.set("c", '"C"')

    assert cache.get("b") is None
    assert cache.get("a") == '"A"'
    assert cache.get("c") == '"C"'
    assert cache.stats().evictions == 1
    assert cache.stats().size == 2


def test_default_ttl_expires_entries_on_the_timer(clock: FakeClock) -> None:
    cache = MemoryCache(ttl=10, timer=clock)
    cache.set("k", "1")

    clock.advance(9.9)
    assert cache.get("k") == "1"
    clock.advance(0.1)
    assert cache.get("k") is None

    stats = cache.stats()
    assert (stats.expirations, stats.evictions, stats.size) == (1, 0, 0)


def test_per_item_ttl_beats_the_default(clock: FakeClock) -> None:
    cache = MemoryCache(ttl=10, timer=clock)
    cache.set("short", "1", ttl=1)
    cache.set("long", "2", ttl=100)
    cache.set("forever", "3", ttl=math.inf)

    clock.advance(2)
    assert cache.get("short") is None
    clock.advance(50)  # well past the default
    assert cache.get("long") == "2"
    clock.advance(10**9)
    assert cache.get("forever") == "3"


def test_get_with_ttl_reports_the_time_left(clock: FakeClock) -> None:
    cache = MemoryCache(timer=clock)
    cache.set("timed", "1", ttl=30)
    cache.set("untimed", "2")
    clock.advance(10)

    assert cache.get_with_ttl("timed") == ("1", 20)
    assert cache.get_with_ttl("untimed") == ("2", None)
    assert cache.get_with_ttl("missing") is None


def test_clear_empties_the_store_without_counting_evictions() -> None:
    cache = MemoryCache()
    for i in range(5):
        cache.set(str(i), "x")

    cache.clear()

    stats = cache.stats()
    assert (stats.size, stats.evictions, stats.sets) == (0, 0, 5)
    assert cache.get("0") is None


def test_values_must_be_text_not_objects() -> None:
    cache = MemoryCache()
    with pytest.raises(TypeError, match="JSON text"):
        cache.set("k", {"not": "serialized"})  # type: ignore[arg-type]


@pytest.mark.parametrize("ttl", [0, -1, math.nan])
def test_ttl_must_be_positive(ttl: float) -> None:
    with pytest.raises(ValueError, match="ttl"):
        MemoryCache(ttl=ttl)
    with pytest.raises(ValueError, match="ttl"):
        MemoryCache().set("k", "v", ttl=ttl)


def test_many_threads_at_once_stay_consistent() -> None:
    cache = MemoryCache(maxsize=50)
    threads, rounds, keys = 8, 1500, 120
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def hammer(worker: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                key = f"k{(i * 7 + worker) % keys}"
                cache.set(key, f"{key}|{worker}|{i}")
                value = cache.get(key)
                # Whatever another thread did meanwhile, a value always belongs to its key.
                assert value is None or value.startswith(f"{key}|")
                if i % 10 == 0:
                    cache.delete(key)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=hammer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    stats = cache.stats()
    assert stats.sets == threads * rounds
    assert stats.hits + stats.misses == threads * rounds
    assert stats.size <= 50
    present = [k for k in (f"k{n}" for n in range(keys)) if cache.get(k) is not None]
    assert len(present) == stats.size
