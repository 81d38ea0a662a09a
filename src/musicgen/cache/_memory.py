"""An in-process LRU store with per-entry expiry, on cachetools."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from cachetools import TLRUCache

from ._base import CacheStats, check_item, check_ttl, expiry

__all__ = ["MemoryCache"]

# What the inner cache holds per key: the value and its absolute expiry on the store's timer.
_Entry = tuple[str, float]


def _expires_at(_key: str, entry: _Entry, _now: float) -> float:
    return entry[1]


class _CountingTLRU(TLRUCache[str, _Entry, float]):
    """A ``TLRUCache`` that counts what it drops, and why."""

    def __init__(self, maxsize: int, timer: Callable[[], float]) -> None:
        super().__init__(maxsize, _expires_at, timer)
        self.evictions = 0
        self.expirations = 0

    def popitem(self) -> tuple[str, _Entry]:
        # cachetools calls popitem only to make room (we never call it ourselves, and
        # MemoryCache.clear swaps the whole mapping), so every call is an eviction.
        item = super().popitem()
        self.evictions += 1
        return item

    def expire(self, time: float | None = None) -> list[tuple[str, _Entry]]:
        # Every expired entry leaves through here (on set, len, and our own calls before reads).
        expired = super().expire(time)
        self.expirations += len(expired)
        return expired


class MemoryCache:
    """A thread-safe, size-bounded LRU store kept in this process's memory.

    Each entry expires after the ``ttl`` given to ``set``, else after the store's default
    ``ttl``, else never. The least recently used entry is evicted when the store is full.
    Operations never block for long: they take one lock and touch only memory, so the async
    client can call them inline.

    Args:
        maxsize: The most entries kept.
        ttl: Default seconds before an entry expires (None: never).
        timer: A monotonic clock in seconds; injectable for tests.

    Raises:
        ValueError: ``maxsize`` is below 1, or ``ttl`` is not positive.
    """

    #: Only memory and one lock: the async client calls it inline on the event loop.
    blocking = False

    def __init__(
        self,
        maxsize: int = 100,
        ttl: float | None = None,
        *,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, got {maxsize!r}")
        self._maxsize = maxsize
        self._ttl = check_ttl(ttl)
        self._timer = timer
        # cachetools is not thread-safe. One lock serializes every operation; none of them
        # awaits or does I/O, so the lock is also safe to take on an event loop.
        self._lock = threading.Lock()
        self._data = _CountingTLRU(maxsize, timer)
        self._hits = 0
        self._misses = 0
        self._sets = 0

    @property
    def maxsize(self) -> int:
        """The most entries kept."""
        return self._maxsize

    @property
    def ttl(self) -> float | None:
        """The default seconds before an entry expires (None: never)."""
        return self._ttl

    def get(self, key: str) -> str | None:
        """Return the value under ``key``, or None if it is missing or expired."""
        found = self.get_with_ttl(key)
        return None if found is None else found[0]

    def get_with_ttl(self, key: str) -> tuple[str, float | None] | None:
        """Return ``(value, seconds left or None for no expiry)``, or None on a miss."""
        with self._lock:
            now = self._timer()
            # Purge first so an expired entry counts as an expiration (and a miss), not a hit.
            self._data.expire(now)
            entry = self._data.get(key)
            if entry is None:
                self._misses += 1
                return None
            self._hits += 1
            value, expires_at = entry
            return value, (None if math.isinf(expires_at) else expires_at - now)

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` under ``key``.

        Args:
            key: The key.
            value: JSON text.
            ttl: Seconds until expiry; None uses the store's default, ``math.inf`` never expires.

        Raises:
            TypeError: ``key`` or ``value`` is not a ``str``.
            ValueError: ``ttl`` is not positive.
        """
        check_item(key, value)
        ttl = check_ttl(ttl)
        with self._lock:
            now = self._timer()
            self._data[key] = (value, expiry(now, self._ttl if ttl is None else ttl))
            self._sets += 1

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        with self._lock:
            self._data.expire()
            self._data.pop(key, None)

    def clear(self) -> None:
        """Remove every entry; the counters are kept."""
        with self._lock:
            old = self._data
            # A fresh mapping: clearing through MutableMapping.clear would call popitem per
            # entry and count each as an eviction.
            self._data = _CountingTLRU(self._maxsize, self._timer)
            self._data.evictions = old.evictions
            self._data.expirations = old.expirations

    def stats(self) -> CacheStats:
        """Return the counters and the number of live entries."""
        with self._lock:
            size = len(self._data)  # purges expired entries first
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                sets=self._sets,
                evictions=self._data.evictions,
                expirations=self._data.expirations,
                size=size,
            )

    def close(self) -> None:
        """Do nothing: a memory store holds no resources (its entries stay readable)."""

    def __enter__(self) -> MemoryCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MemoryCache(maxsize={self._maxsize!r}, ttl={self._ttl!r})"
