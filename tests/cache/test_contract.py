"""The ``Cache`` contract, kept by every store: memory, disk, tiered and Redis.

Store-specific behaviour (LRU bounds, files, corruption, fake clocks) is tested in each store's
own module; here only what the client relies on from any store.
"""

from __future__ import annotations

import math
import threading
import time

import pytest

from musicgen.cache import Cache


def test_is_a_cache(any_store: Cache) -> None:
    assert isinstance(any_store, Cache)


def test_a_missing_key_is_none(any_store: Cache) -> None:
    assert any_store.get("journal:nothing") is None


def test_set_replaces_the_previous_value(any_store: Cache) -> None:
    any_store.set("k", '"first"')
    any_store.set("k", '"second"')

    assert any_store.get("k") == '"second"'


def test_delete_removes_the_key_and_a_missing_key_is_no_error(any_store: Cache) -> None:
    any_store.set("k", "1")

    any_store.delete("k")
    any_store.delete("never-set")

    assert any_store.get("k") is None


def test_clear_removes_every_value_but_keeps_the_counters(any_store: Cache) -> None:
    for i in range(3):
        any_store.set(f"generation:suno:{i}", "{}")

    any_store.clear()

    assert [any_store.get(f"generation:suno:{i}") for i in range(3)] == [None, None, None]
    stats = any_store.stats()
    assert (stats.size, stats.sets) == (0, 3)


def test_stats_count_hits_misses_sets_and_live_entries(any_store: Cache) -> None:
    any_store.set("a", "1")
    any_store.set("b", "2")
    any_store.get("a")
    any_store.get("missing")

    stats = any_store.stats()

    assert (stats.hits, stats.misses, stats.sets, stats.size) == (1, 1, 2, 2)


def test_a_short_ttl_expires_the_entry(any_store: Cache) -> None:
    any_store.set("short", "1", ttl=0.05)
    any_store.set("kept", "2", ttl=3600)

    # Polls until expiry with a generous bound: checks that it expires, not how fast.
    deadline = time.monotonic() + 10
    while any_store.get("short") is not None and time.monotonic() < deadline:
        time.sleep(0.02)

    assert any_store.get("short") is None
    assert any_store.get("kept") == "2"


def test_get_with_ttl_reports_the_time_left_or_none_for_no_expiry(any_store: Cache) -> None:
    get_with_ttl = getattr(any_store, "get_with_ttl", None)
    if get_with_ttl is None:
        pytest.skip(f"{type(any_store).__name__} does not report ttls")
    any_store.set("timed", "1", ttl=3600)
    any_store.set("forever", "2", ttl=math.inf)

    value, left = get_with_ttl("timed")
    assert value == "1"
    assert 3000 < left <= 3600
    assert get_with_ttl("forever") == ("2", None)
    assert get_with_ttl("missing") is None


def test_values_must_be_text_not_objects(any_store: Cache) -> None:
    with pytest.raises(TypeError, match="JSON text"):
        any_store.set("k", {"not": "serialized"})  # type: ignore[arg-type]


@pytest.mark.parametrize("ttl", [0, -1, math.nan])
def test_ttl_must_be_positive(any_store: Cache, ttl: float) -> None:
    with pytest.raises(ValueError, match="ttl"):
        any_store.set("k", "v", ttl=ttl)


def test_threads_writing_at_once_lose_nothing(any_store: Cache) -> None:
    threads, rounds = 6, 40
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(worker: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                any_store.set(f"journal:{worker}:{i}", f'"{worker}-{i}"')
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    for w in range(threads):
        for i in range(rounds):
            assert any_store.get(f"journal:{w}:{i}") == f'"{w}-{i}"'
