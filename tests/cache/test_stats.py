"""CacheStats: derived numbers."""

from __future__ import annotations

from musicgen.cache import CacheStats


def test_hit_rate_is_none_before_any_lookup() -> None:
    assert CacheStats(sets=3).hit_rate is None


def test_to_dict_has_every_counter_and_the_hit_rate() -> None:
    stats = CacheStats(hits=3, misses=1, sets=2, evictions=0, expirations=1, size=2)

    assert stats.to_dict() == {
        "hits": 3,
        "misses": 1,
        "sets": 2,
        "evictions": 0,
        "expirations": 1,
        "size": 2,
        "hit_rate": 0.75,
    }
