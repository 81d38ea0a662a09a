"""TieredCache: promotion, write-through, combined stats."""

from __future__ import annotations

from pathlib import Path

from musicgen.cache import Cache, CacheStats, DiskCache, MemoryCache, TieredCache

from .._clock import FakeClock


class DictCache:
    """A minimal third-party store: the bare Cache protocol, no get_with_ttl."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        self.data[key] = value

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    def clear(self) -> None:
        self.data.clear()

    def stats(self) -> CacheStats:
        return CacheStats(size=len(self.data))

    def close(self) -> None:
        pass


def test_is_a_cache() -> None:
    assert isinstance(TieredCache(MemoryCache(), DictCache()), Cache)


def test_back_hit_is_promoted_to_front_for_the_time_it_has_left(tmp_path: Path) -> None:
    wall, mono = FakeClock(), FakeClock(start=0)
    front = MemoryCache(timer=mono)
    back = DiskCache(tmp_path / "c.sqlite3", timer=wall)
    back.set("k", '{"a": 1}', ttl=100)
    wall.advance(40)
    tiered = TieredCache(front, back)

    assert tiered.get("k") == '{"a": 1}'

    assert front.get_with_ttl("k") == ('{"a": 1}', 60)
    mono.advance(61)
    assert front.get("k") is None  # expired in front when it would have in back
    back.close()


def test_promotion_from_a_store_without_ttls_uses_the_front_default(clock: FakeClock) -> None:
    front, back = MemoryCache(ttl=5, timer=clock), DictCache()
    back.set("k", "1")
    tiered = TieredCache(front, back)

    assert tiered.get("k") == "1"

    assert front.get_with_ttl("k") == ("1", 5)


def test_writes_and_deletes_go_through_both_tiers() -> None:
    front, back = MemoryCache(), DictCache()
    tiered = TieredCache(front, back)

    tiered.set("k", "1", ttl=60)
    assert (front.get("k"), back.get("k")) == ("1", "1")

    tiered.delete("k")
    assert (front.get("k"), back.get("k")) == (None, None)

    tiered.set("a", "1")
    tiered.clear()
    assert (front.stats().size, back.stats().size) == (0, 0)


def test_stats_count_front_hits_plus_back_only_hits() -> None:
    front, back = MemoryCache(), DictCache()
    tiered = TieredCache(front, back)
    tiered.set("both", "1")
    back.set("back-only", "2")

    assert tiered.get("both") == "1"  # front hit
    assert tiered.get("back-only") == "2"  # back hit, promoted
    assert tiered.get("back-only") == "2"  # now a front hit
    assert tiered.get("nowhere") is None

    stats = tiered.stats()
    assert (stats.hits, stats.misses, stats.sets, stats.size) == (3, 1, 1, 2)
    assert stats.hit_rate == 0.75
